"""One timestamp type: every conflict in objstore is decided by it.

Timestamps travel as ``X-Timestamp`` in normal form (``1700000000.12345``,
ten-microsecond resolution, zero padded to 16 characters so that string
order equals time order). The internal form adds an offset
(``1700000000.12345_000000000000000a``) used to order several writes that
share one client timestamp (e.g. a metadata update made by the system).
"""

from __future__ import annotations

import functools
import time
from datetime import datetime, timezone
from functools import total_ordering
from typing import Union

PRECISION = 1e-5
_RAW_PER_SECOND = 100000
MAX_OFFSET = (16 ** 16) - 1

TimestampLike = Union["Timestamp", float, int, str]


@total_ordering
class Timestamp:
    """An instant in units of 10 microseconds plus an ordering offset."""

    __slots__ = ("raw", "offset")

    def __init__(self, value: TimestampLike, offset: int = 0) -> None:
        if isinstance(value, Timestamp):
            raw, base_offset = value.raw, value.offset
        elif isinstance(value, str):
            raw, base_offset = _parse(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            raw, base_offset = int(round(float(value) * _RAW_PER_SECOND)), 0
        else:
            raise ValueError("timestamp must be a number or a string, not %r" % (value,))
        offset = base_offset + int(offset)
        if raw < 0:
            raise ValueError("timestamp %r is before the epoch" % (value,))
        if raw >= 10 ** 15:
            raise ValueError("timestamp %r is too far in the future" % (value,))
        if not 0 <= offset <= MAX_OFFSET:
            raise ValueError("timestamp offset %r out of range" % (offset,))
        self.raw = raw
        self.offset = offset

    @classmethod
    def now(cls, offset: int = 0) -> "Timestamp":
        return cls(time.time(), offset)

    @property
    def timestamp(self) -> float:
        return self.raw / _RAW_PER_SECOND

    def __float__(self) -> float:
        return self.timestamp

    def __int__(self) -> int:
        return self.raw // _RAW_PER_SECOND

    @property
    def normal(self) -> str:
        whole, frac = divmod(self.raw, _RAW_PER_SECOND)
        return "%010d.%05d" % (whole, frac)

    @property
    def internal(self) -> str:
        if self.offset:
            return "%s_%016x" % (self.normal, self.offset)
        return self.normal

    @property
    def isoformat(self) -> str:
        """``2023-11-14T22:13:20.123450`` (UTC), as listings show it."""
        return _isoformat(*divmod(self.raw, _RAW_PER_SECOND))

    @property
    def http_date(self) -> str:
        """RFC 7231 date of the whole second *after* rounding up, as Swift
        reports Last-Modified (a client's If-Modified-Since must match)."""
        secs = -(-self.raw // _RAW_PER_SECOND)
        return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(secs))

    def __str__(self) -> str:
        return self.internal

    def __repr__(self) -> str:
        return "Timestamp(%r)" % self.internal

    def _key(self) -> tuple:
        return (self.raw, self.offset)

    def __eq__(self, other: object) -> bool:
        if other is None:
            return False
        if not isinstance(other, Timestamp):
            try:
                other = Timestamp(other)  # type: ignore[arg-type]
            except ValueError:
                return False
        return self._key() == other._key()

    def __lt__(self, other: object) -> bool:
        if other is None:
            return False
        if not isinstance(other, Timestamp):
            other = Timestamp(other)  # type: ignore[arg-type]
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __bool__(self) -> bool:
        return bool(self.raw or self.offset)


def isoformat(text: TimestampLike) -> str:
    """``Timestamp(text).isoformat``, quicker for the internal form a
    database row holds (a listing formats one per row)."""
    if isinstance(text, str) and len(text) >= 16 and text[10] == "." and (len(text) == 16 or text[16] == "_") \
            and text[:10].isdigit() and text[11:16].isdigit():
        # the fraction's five digits then a 0 are its "%06d" in microseconds
        return "%s.%s0" % (_iso_second(text[:10]), text[11:16])
    return Timestamp(text).isoformat


@functools.lru_cache(maxsize=4096)
def _iso_second(whole: str) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` of ten digits of seconds (rows written close
    together share them)."""
    return _isoformat(int(whole), 0)[:-7]


def _isoformat(whole: int, frac: int) -> str:
    day, secs = divmod(whole, 86400)
    hours, secs = divmod(secs, 3600)
    minutes, secs = divmod(secs, 60)
    return "%s%02d:%02d:%02d.%06d" % (_iso_date(day), hours, minutes, secs, frac * 10)


@functools.lru_cache(maxsize=1024)
def _iso_date(day: int) -> str:
    """``YYYY-MM-DDT`` of the UTC day ``day`` days after the epoch."""
    return datetime.fromtimestamp(day * 86400, tz=timezone.utc).strftime("%Y-%m-%dT")


def _parse(text: str) -> tuple:
    text = text.strip()
    offset = 0
    if "_" in text:
        text, off = text.split("_", 1)
        try:
            offset = int(off, 16)
        except ValueError:
            raise ValueError("bad timestamp offset in %r" % text) from None
    try:
        value = float(text)
    except ValueError:
        raise ValueError("bad timestamp %r" % text) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("bad timestamp %r" % text)
    return int(round(value * _RAW_PER_SECOND)), offset


def normalize_timestamp(value: TimestampLike) -> str:
    """The normal form of ``value`` (what goes in ``X-Timestamp``)."""
    return Timestamp(value).normal


def timestamp_from_http_date(text: str) -> float:
    """Seconds since the epoch for an RFC 7231 date; ``ValueError`` if bad."""
    from email.utils import parsedate_to_datetime

    try:
        dt = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise ValueError("bad HTTP date %r" % text) from None
    if dt is None:
        raise ValueError("bad HTTP date %r" % text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()
