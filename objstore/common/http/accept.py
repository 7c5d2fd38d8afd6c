"""Which of the server's media types a request's ``Accept`` header picks.

One rule for every answer whose format the client chooses (listings, bulk
and SLO reports), measured against Swift 2.38.3:

* the media ranges are read in the order the client sent them; a range
  wins over the current choice if its ``q`` is higher, or equal but the
  range is more specific (fewer ``*``) -- so ``application/xml,
  application/json`` picks XML and ``text/*, application/json`` JSON;
* within one range the server's own order decides (``*/*`` is plain text,
  ``application/*`` JSON);
* ``q`` is any number (``q=2`` beats ``q=1``, ``q=-1`` loses to ``q=0``),
  and ``q=0`` does not refuse a type: a range with ``q=0`` still matches
  when nothing better does (``application/json;q=0`` alone gets JSON);
* ``*`` stands for any type or subtype, on either side (``*/json``);
* no range matching any offer gives ``None`` (the caller answers 406, or
  its fallback), and a header that is not an Accept list at all raises
  ``InvalidAccept`` (Swift's listings answer 400 "Invalid Accept header"):
  an empty element (``text/xml,``), a parameter without a value, a ``q``
  that is not a number.
"""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

#: what a listing or a bulk-style report can be rendered as, in Swift's order
REPORT_OFFERS = ("text/plain", "application/json", "application/xml", "text/xml")

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE = re.compile(r"^(%s)/(%s)$" % (_TOKEN, _TOKEN))
_PARAM = re.compile(r"^(%s)=(%s|\"(?:[^\"\\]|\\.)*\")$" % (_TOKEN, _TOKEN))


class InvalidAccept(ValueError):
    """The header is not a list of media ranges."""


def parse_accept(header: str) -> List[Tuple[str, float]]:
    """``(media range, q)`` in the client's order; ``InvalidAccept`` if malformed."""
    ranges = []
    for item in header.split(","):
        item = item.strip(" \t")
        if not item:
            raise InvalidAccept(header)
        parts = [p.strip(" \t") for p in item.split(";")]
        if not _RANGE.match(parts[0]):
            raise InvalidAccept(header)
        q = 1.0
        for param in parts[1:]:
            m = _PARAM.match(param)
            if not m:
                raise InvalidAccept(header)
            if m.group(1).lower() == "q":
                try:
                    q = float(m.group(2))
                except ValueError:
                    raise InvalidAccept(header) from None
        ranges.append((parts[0].lower(), q))
    return ranges


def _matches(media_range: str, offer: str) -> bool:
    kind, _slash, sub = media_range.partition("/")
    okind, _slash, osub = offer.partition("/")
    return kind in ("*", okind) and sub in ("*", osub)


def best_offer(accept: Optional[str], offers: Sequence[str] = REPORT_OFFERS) -> Optional[str]:
    """The offer ``accept`` picks (the first offer when there is no header);
    ``None`` when no range matches; ``InvalidAccept`` when malformed."""
    if accept is None or not accept.strip(" \t"):
        return offers[0] if offers else None
    best, best_q, matched_by = None, -1.0, "*/*"
    for media_range, q in parse_accept(accept):
        for offer in offers:
            if q < best_q:
                continue
            if q == best_q and matched_by.count("*") <= media_range.count("*"):
                continue
            if _matches(media_range, offer.lower()):
                best, best_q, matched_by = offer, q, media_range
    return best
