"""The order of an object GET/HEAD answer's headers, as Swift 2.38.3 sends them.

HTTP gives the order of differently named headers no meaning, but clients
show it: ``swift stat`` and ``curl -i`` print the lines as received, and
scripts written against Swift read the first lines. Swift's order is not
designed anywhere; it falls out of how its object server, its proxy and
its middlewares each add or re-set headers. objstore builds the same
answers through other layers (encryption, tiering, SLO, DLO, symlinks,
versioning all touch them), so rather than making every layer mimic
Swift's steps, the client's answer is put in Swift's order once, at the
edge of the pipeline (``middleware/gatekeeper``), by this rule.

What Swift 2.38.3 sends (measured through its proxy; ``docs/swift-differences.md``):

1. ``Content-Type``;
2. ``Content-Length`` here when the answer carries no object body from the
   proxy's read (a HEAD, a 304, 412 or 416) -- except for an SLO or a
   symlink followed, whose middleware rebuilds the answer and sets it later;
3. what the object stores, in stored order: its metadata (in the order the
   client sent it), then the stored headers (``Content-Disposition``,
   ``X-Delete-At``, ``X-Static-Large-Object``... -- Swift keeps those in a
   set, so their order among themselves varies from process to process);
4. ``Etag``, ``Last-Modified``, ``X-Timestamp``, then a plain object's
   ``Content-Range``, then ``Accept-Ranges``;
5. ``Content-Length`` when not sent at 2;
6. what the large-object and link middlewares add: an SLO's
   ``X-Manifest-Etag``, a DLO's own ``Etag`` (its segments' MD5, set after
   the length), a large object's ``Content-Range``, then
   ``Content-Location``, ``X-Object-Version-Id`` and ``X-Symlink-*``;
7. through a TempURL, its ``Content-Disposition`` and ``Expires`` (which
   replace the stored ones).

Headers this rule does not name keep their relative order among the
stored ones (3); the transaction id headers and ``Date`` are added after
all of these by the outer layers.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple
from urllib.parse import parse_qs

from objstore.common.constraints import OBJECT_STORED_HEADERS

#: statuses of an object read whose headers describe the object
ORDERED_STATUSES = frozenset((200, 206, 304, 412, 416))
#: statuses answered without the object's body (the length comes early)
_BODILESS_STATUSES = (304, 412, 416)

_CONTENT_TYPE, _EARLY_LENGTH, _META, _STORED_HEADER = 0, 1, 10, 11
_ETAG, _LAST_MODIFIED, _X_TIMESTAMP, _RANGE, _ACCEPT_RANGES = 20, 21, 22, 23, 24
_LATE_LENGTH, _MANIFEST_ETAG, _LARGE_ETAG, _LARGE_RANGE = 40, 41, 42, 43
_SYMLINK_PREFIX, _SYMLINK = "x-symlink-", 52
_TEMPURL_DISPOSITION, _TEMPURL_EXPIRES = 60, 61
#: the place of every name whose place never depends on the answer
_FIXED = dict({h.lower(): _STORED_HEADER for h in OBJECT_STORED_HEADERS}, **{
    "content-type": _CONTENT_TYPE, "last-modified": _LAST_MODIFIED,
    "x-timestamp": _X_TIMESTAMP, "accept-ranges": _ACCEPT_RANGES,
    "x-manifest-etag": _MANIFEST_ETAG, "content-location": 50, "x-object-version-id": 51})

Headers = List[Tuple[str, str]]


def object_answer_order(headers: Sequence[Tuple[str, str]], method: str, status: int,
                        query: str = "") -> Headers:
    """``headers`` of an object GET/HEAD answer in Swift 2.38.3's order.

    ``query``: the request's query string (a manifest asked for itself,
    ``?multipart-manifest=get``, is answered as a plain object; a TempURL's
    headers come last). Answers of other statuses come back as they are.
    """
    if status not in ORDERED_STATUSES:
        return list(headers)
    params = parse_qs(query) if query else {}
    manifest_get = "get" in params.get("multipart-manifest", ())
    tempurl = "temp_url_sig" in params
    names = [name.lower() for name, _value in headers]
    slo = "x-static-large-object" in names
    dlo = "x-object-manifest" in names and not manifest_get
    followed_link = "content-location" in names and "x-object-version-id" not in names
    early_length = (method == "HEAD" or status in _BODILESS_STATUSES) and not (
        slo or followed_link)
    large = (slo or dlo) and not manifest_get

    # the names whose place depends on the answer
    placed = {"content-length": _EARLY_LENGTH if early_length else _LATE_LENGTH,
              "etag": _LARGE_ETAG if dlo else _ETAG,
              "content-range": _LARGE_RANGE if large else _RANGE}
    if tempurl:
        placed.update({"content-disposition": _TEMPURL_DISPOSITION,
                       "expires": _TEMPURL_EXPIRES})

    def rank(name: str) -> int:
        found = placed.get(name)
        if found is None:
            found = _FIXED.get(name)
        if found is None:
            return _SYMLINK if name.startswith(_SYMLINK_PREFIX) else _META
        return found

    ranks = [rank(name) for name in names]
    ranked = sorted(range(len(headers)), key=ranks.__getitem__)  # stable: ties keep their order
    # Swift writes every name title-cased: "Etag", never "ETag"
    return [("Etag", headers[i][1]) if names[i] == "etag" else headers[i] for i in ranked]
