"""Conditional requests (RFC 7232) as one pure function.

The order matters and is the RFC's (section 6): If-Match, else
If-Unmodified-Since; then If-None-Match, else If-Modified-Since. Dates that
do not parse are ignored, as the RFC says; entity tags are accepted quoted
or bare, since older clients send them bare.
"""

from __future__ import annotations

from typing import List, Mapping, Optional

from objstore.common.timestamp import timestamp_from_http_date


def _tags(value: str) -> List[str]:
    tags = []
    for item in value.split(","):
        item = item.strip()
        if item.startswith("W/"):
            item = "W/" + item[2:].strip().strip('"')
        else:
            item = item.strip('"')
        if item:
            tags.append(item)
    return tags


def etag_matches(header: str, etag: str, weak: bool) -> bool:
    """Whether ``etag`` is in the header's list (``*`` matches anything).

    Strong comparison (If-Match) never matches a weak tag; weak comparison
    (If-None-Match) ignores the ``W/`` prefix."""
    tags = _tags(header)
    if "*" in tags:
        return True
    for tag in tags:
        if tag.startswith("W/"):
            if weak and tag[2:] == etag:
                return True
        elif tag == etag:
            return True
    return False


def _date(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    try:
        return timestamp_from_http_date(value)
    except ValueError:
        return None


def evaluate(method: str, headers: Mapping[str, str], etag: str,
             last_modified: float) -> Optional[int]:
    """304 or 412 if the preconditions say so, else None (go on).

    ``last_modified`` is in whole seconds, as sent in Last-Modified.
    """
    safe = method in ("GET", "HEAD")
    if_match = headers.get("If-Match")
    if if_match is not None:
        if not etag_matches(if_match, etag, weak=False):
            return 412
    else:
        since = _date(headers.get("If-Unmodified-Since"))
        if since is not None and last_modified > since:
            return 412
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        if etag_matches(if_none_match, etag, weak=True):
            return 304 if safe else 412
    elif safe:
        since = _date(headers.get("If-Modified-Since"))
        if since is not None and last_modified <= since:
            return 304
    return None


def if_range_allows(headers: Mapping[str, str], etag: str, last_modified: float) -> bool:
    """Whether a ``Range`` may be honoured given ``If-Range`` (RFC 7233 3.2):
    yes without If-Range, else only if the tag (strongly) or the date
    (exactly) still matches; otherwise the whole object is sent."""
    value = headers.get("If-Range")
    if value is None:
        return True
    value = value.strip()
    when = _date(value) if not value.startswith(('"', "W/")) else None
    if when is not None:
        return when == last_modified
    return not value.startswith("W/") and value.strip('"') == etag
