"""Conditional requests (If-Match, If-None-Match, If-Modified-Since,
If-Unmodified-Since, If-Range) as pure functions, for every API.

Two orders of evaluation exist and clients depend on each:

* ``swift_verdict``: what Swift 2.38.3 answers an object GET or HEAD.
  It does not follow RFC 7232 section 6: a matching If-None-Match answers
  304 before If-Match is looked at, and If-Modified-Since is honoured even
  when If-None-Match is present. Measured against a real Swift.
* ``rfc_verdict``: RFC 7232's order (If-Match, else If-Unmodified-Since;
  then If-None-Match, else If-Modified-Since), which S3 documents for GET,
  HEAD and ``x-amz-copy-source-if-*``.

Both compare entity tags the same way: quoted or bare, a comma-separated
list, ``*`` matches any existing object, and a weak tag (``W/"..."``) never
matches, as Swift answers. Dates that do not parse are ignored, as the RFC
says; dates are compared in whole seconds, the precision of Last-Modified.

``not_modified_headers`` and ``precondition_failed_headers`` shape the
headers of the 304 and 412 answers the way Swift sends them: the object's
headers (ETag, Last-Modified, Content-Type, X-Timestamp, metadata), so a
cache can refresh what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional

from objstore.common.http.errors import HTML
from objstore.common.timestamp import Timestamp, timestamp_from_http_date

#: Content-Type of a 412 answer to an object GET or HEAD, as Swift's.
PRECONDITION_FAILED_TYPE = HTML
#: Backend header naming the metadata key(s) conditions are judged against
#: (comma-separated, first present wins): an EC archive's or a large
#: object's client-visible ETag lives in sysmeta, not in ``ETag``.
ETAG_IS_AT = "X-Backend-Etag-Is-At"
#: Backend header of a conditional object PUT: the write happens only if
#: the object exists with one of these ETags (s3api's If-Match; Swift
#: itself ignores If-Match on PUT). See objstore/obj/write_conditions.py.
WRITE_IF_MATCH = "X-Backend-If-Match"
#: The request headers this module evaluates (lower case): a proxy drops
#: them from the reads that only fetch more bytes of a version it chose.
CONDITION_HEADERS = ("if-match", "if-none-match", "if-modified-since", "if-unmodified-since")


def _tags(value: str) -> List[str]:
    return [item.strip().strip('"') if not item.strip().startswith("W/") else item.strip()
            for item in value.split(",") if item.strip()]


def etag_matches(header: str, etag: str) -> bool:
    """Whether ``etag`` is in the header's list (``*`` matches anything;
    weak tags match nothing)."""
    etag = etag.strip().strip('"')
    for tag in _tags(header):
        if tag == "*" or (tag == etag and not tag.startswith("W/")):
            return True
    return False


def last_modified(ts: Timestamp) -> float:
    """The whole second Last-Modified reports for ``ts`` (rounded up, as
    Swift does), which the date conditions compare against."""
    return float(-(-ts.raw // 100000))


def http_date(value: Optional[str]) -> Optional[float]:
    """Seconds since the epoch of an HTTP date, None when absent or bad."""
    if not value:
        return None
    try:
        return timestamp_from_http_date(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class Preconditions:
    """The conditional headers of one request (dates already parsed)."""

    if_match: Optional[str] = None
    if_none_match: Optional[str] = None
    if_modified_since: Optional[float] = None
    if_unmodified_since: Optional[float] = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], prefix: str = "") -> "Preconditions":
        """Read ``<prefix>If-Match`` etc., whatever the header names' case.

        A request's headers (webob's view of the WSGI environ) are looked up
        in the environ by their four keys, not copied whole."""
        environ = getattr(headers, "environ", None)
        if isinstance(environ, dict):
            key = "HTTP_" + prefix.upper().replace("-", "_")
            return cls(environ.get(key + "IF_MATCH"), environ.get(key + "IF_NONE_MATCH"),
                       http_date(environ.get(key + "IF_MODIFIED_SINCE")),
                       http_date(environ.get(key + "IF_UNMODIFIED_SINCE")))
        lower = {k.lower(): v for k, v in headers.items()}
        prefix = prefix.lower()
        return cls(lower.get(prefix + "if-match"), lower.get(prefix + "if-none-match"),
                   http_date(lower.get(prefix + "if-modified-since")),
                   http_date(lower.get(prefix + "if-unmodified-since")))

    @property
    def present(self) -> bool:
        return any(v is not None for v in (self.if_match, self.if_none_match,
                                           self.if_modified_since, self.if_unmodified_since))


def swift_verdict(pre: Preconditions, etag: str, last_modified: float) -> Optional[int]:
    """304, 412 or None (serve) for a Swift object GET/HEAD.

    ``last_modified`` in whole seconds, as the Last-Modified header says."""
    if pre.if_none_match is not None and etag_matches(pre.if_none_match, etag):
        return 304
    if pre.if_match is not None and not etag_matches(pre.if_match, etag):
        return 412
    if pre.if_modified_since is not None and last_modified <= pre.if_modified_since:
        return 304
    if pre.if_unmodified_since is not None and last_modified > pre.if_unmodified_since:
        return 412
    return None


def rfc_verdict(pre: Preconditions, etag: str, last_modified: Optional[float],
                not_modified: int = 304) -> Optional[int]:
    """304 (or ``not_modified``), 412 or None, in RFC 7232 section 6 order.

    ``not_modified`` is 412 where "not modified" is a failure (a copy's
    source conditions). ``last_modified`` None skips the date conditions.
    """
    if pre.if_match is not None:
        if not etag_matches(pre.if_match, etag):
            return 412
    elif (pre.if_unmodified_since is not None and last_modified is not None
          and last_modified > pre.if_unmodified_since):
        return 412
    if pre.if_none_match is not None:
        if etag_matches(pre.if_none_match, etag):
            return not_modified
    elif (pre.if_modified_since is not None and last_modified is not None
          and last_modified <= pre.if_modified_since):
        return not_modified
    return None


def missing_verdict(headers: Mapping[str, str]) -> Optional[int]:
    """The answer instead of 404 when no object exists: 412 if the client
    required one to exist (``If-Match: *``), as Swift answers; else None."""
    value = {k.lower(): v for k, v in headers.items()}.get("if-match")
    return 412 if value is not None and "*" in _tags(value) else None


def if_range_allows(headers: Mapping[str, str], etag: str, last_modified: float) -> bool:
    """Whether a ``Range`` may be honoured given ``If-Range`` (RFC 7233 3.2):
    yes without If-Range, else only if the tag (strongly) or the date
    (exactly) still matches; otherwise the whole object is sent."""
    value = headers.get("If-Range")
    if value is None:
        return True
    value = value.strip()
    when = http_date(value) if not value.startswith(('"', "W/")) else None
    if when is not None:
        return when == last_modified
    return not value.startswith("W/") and value.strip('"') == etag.strip('"')


def resolve_etag(metadata: Mapping[str, str], etag_is_at: Optional[str]) -> str:
    """The ETag conditions are judged against: the first metadata key named
    in ``X-Backend-Etag-Is-At`` that the object has, else its ``ETag``."""
    lower = {k.lower(): v for k, v in metadata.items()}
    for name in (etag_is_at or "").split(","):
        value = lower.get(name.strip().lower())
        if name.strip() and value:
            return value
    return lower.get("etag", "")


def not_modified_headers(headers: Mapping[str, str]) -> Dict[str, str]:
    """A 304's headers: the object's, with no body."""
    out = {k: v for k, v in headers.items() if k.lower() not in ("content-length",
                                                                 "content-range")}
    out["Content-Length"] = "0"
    return out


def precondition_failed_headers(headers: Mapping[str, str]) -> Dict[str, str]:
    """A 412's headers: the object's, an HTML type, no body, no Accept-Ranges."""
    out = {k: v for k, v in headers.items()
           if k.lower() not in ("content-length", "content-range", "accept-ranges",
                                "content-type")}
    out["Content-Type"] = PRECONDITION_FAILED_TYPE
    out["Content-Length"] = "0"
    return out
