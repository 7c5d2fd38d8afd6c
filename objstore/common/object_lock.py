"""Object lock: the rule that keeps a locked object version, in one place.

A version is locked while its retention date is in the future or its legal
hold is on. The lock lives in the version's own metadata, so it travels with
it through copies into and out of a versions archive, and the object server
enforces it for every caller below both APIs (the S3 and Swift APIs, the
expirer, the reaper):

* ``X-Object-Sysmeta-Lock-Mode``: ``GOVERNANCE`` or ``COMPLIANCE`` (or
  ``NONE`` once a governance retention was removed);
* ``X-Object-Sysmeta-Lock-Until``: the retain-until date, ISO 8601 in UTC;
* ``X-Object-Sysmeta-Lock-Hold``: ``ON`` or ``OFF``.

Unlike other system metadata these may change after the PUT (S3's
PutObjectRetention and PutObjectLegalHold are POSTs carrying them), only
ever as :func:`weakening` allows; a POST without them keeps the ones there.

``X-Backend-Lock-Bypass`` (a backend header, which the gatekeeper strips
from clients) lifts part of a lock: ``governance`` lifts a GOVERNANCE
retention (s3api sets it for a caller allowed
``s3:BypassGovernanceRetention``); ``archived`` lets the current object of a
versioned container be replaced or deleted once versioning copied it,
lock and all, into the archive.
"""

from __future__ import annotations

import calendar
import re
import time
from typing import Mapping, Optional

MODE = "X-Object-Sysmeta-Lock-Mode"
UNTIL = "X-Object-Sysmeta-Lock-Until"
HOLD = "X-Object-Sysmeta-Lock-Hold"
KEYS = (MODE, UNTIL, HOLD)
PREFIX = "x-object-sysmeta-lock-"
BYPASS = "X-Backend-Lock-Bypass"
GOVERNANCE, COMPLIANCE, NONE = "GOVERNANCE", "COMPLIANCE", "NONE"
MODES = (GOVERNANCE, COMPLIANCE)
BYPASS_GOVERNANCE, BYPASS_ARCHIVED = "governance", "archived"
#: Container sysmeta asking the proxy to check the lock before a DELETE
#: goes out (``proxy/lock_guard.py``): set on every container that can
#: hold locked versions.
CONTAINER_GUARD = "X-Container-Sysmeta-Lock-Guard"
CONTAINER_GUARD_KEY = "lock-guard"  # its key in the container info's sysmeta

_ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?"
                  r"(Z|[+-]\d\d:?\d\d)$")


def parse_date(value: str) -> Optional[float]:
    """Seconds since the epoch of an ISO 8601 date-time with a zone
    (``2030-01-01T00:00:00Z``, ``...000+02:00``); ``None`` if it is not one."""
    match = _ISO.match((value or "").strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        when = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
        time.gmtime(when)
    except (ValueError, OverflowError):
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60
            and second < 60):
        return None
    frac = float("0." + match.group(7)) if match.group(7) else 0.0
    zone = match.group(8)
    if zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = int(digits[:2]) * 3600 + int(digits[2:]) * 60
        when -= offset if zone[0] == "+" else -offset
    return when + frac


def format_date(when: float) -> str:
    """S3's form of a retain-until date: ``2030-01-01T00:00:00.000Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(when))) + \
        ".%03dZ" % int(round((when - int(when)) * 1000) % 1000)


def _get(meta: Mapping[str, str], key: str) -> str:
    value = meta.get(key)
    if value is None:
        lower = key.lower()
        for name, val in meta.items():
            if name.lower() == lower:
                return val
        return ""
    return value


def retention_until(meta: Mapping[str, str]) -> Optional[float]:
    """The retain-until time of a version with a retention mode, else ``None``."""
    if _get(meta, MODE).upper() not in MODES:
        return None
    return parse_date(_get(meta, UNTIL))


def held(meta: Mapping[str, str]) -> bool:
    return _get(meta, HOLD).upper() == "ON"


def refusal(meta: Optional[Mapping[str, str]], bypass: str = "",
            now: Optional[float] = None) -> Optional[str]:
    """Why this version may not be deleted or replaced, or ``None``."""
    if not meta:
        return None
    if bypass == BYPASS_ARCHIVED:
        return None
    if held(meta):
        return "the object version is under a legal hold"
    until = retention_until(meta)
    now = time.time() if now is None else now
    if until is None or until <= now:
        return None
    mode = _get(meta, MODE).upper()
    if mode == GOVERNANCE and bypass == BYPASS_GOVERNANCE:
        return None
    return "the object version is locked in %s mode until %s" % (mode, _get(meta, UNTIL))


def is_locked(meta: Optional[Mapping[str, str]], now: Optional[float] = None) -> bool:
    """Whether anything at all holds this version (no bypass)."""
    return refusal(meta, "", now) is not None


def weakening(current: Mapping[str, str], new: Mapping[str, str], bypass: str = "",
              now: Optional[float] = None) -> Optional[str]:
    """Why a change of the retention from ``current`` to ``new`` (the lock
    keys a POST carries; a missing key keeps its value) is refused, or
    ``None``. A COMPLIANCE retention still running is never shortened,
    removed or turned into GOVERNANCE; a GOVERNANCE one is shortened,
    removed or turned into COMPLIANCE only with the governance bypass (as
    S3: its mode is one of the lock settings governance guards; extending
    it needs none). Legal holds may be set and cleared freely (who may is
    for the API above to say)."""
    until = retention_until(current)
    now = time.time() if now is None else now
    if until is None or until <= now:
        return None
    mode = _get(current, MODE).upper()
    new_mode = (_get(new, MODE) or mode).upper()
    new_until = parse_date(_get(new, UNTIL) or _get(current, UNTIL))
    shorter = new_mode not in MODES or new_until is None or new_until < until
    if mode == COMPLIANCE and (shorter or new_mode != COMPLIANCE):
        return "a COMPLIANCE retention cannot be shortened, removed or changed"
    if mode == GOVERNANCE and (shorter or new_mode != GOVERNANCE) and \
            bypass != BYPASS_GOVERNANCE:
        return "a GOVERNANCE retention is shortened, removed or changed only with bypass"
    return None


def lock_headers(headers: Mapping[str, str]) -> dict:
    """The lock keys among ``headers`` (with their canonical names)."""
    return {key: _get(headers, key) for key in KEYS if _get(headers, key)}
