"""What the large-object middlewares (``slo``, ``dlo``) share: subrequests
made as the client, a client ``Range`` reduced to one span, and the
streaming of segment bytes.

A large object is served by reading other objects (its segments) through
the rest of the pipeline, as the client, so the client needs read access
to the segment containers just as it would to read them directly. The
bytes are passed on chunk by chunk as they arrive, so memory stays bounded
whatever the object's size.

When a segment cannot be read once the response has started (gone,
changed, a short read), the body simply ends early: ``catch_errors`` sees
fewer bytes than the Content-Length and drops the connection, so a client
always notices; it never gets wrong bytes presented as the object.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Dict, Iterator, Optional
from urllib.parse import quote

from webob import Response

from objstore.common.http.errors import swift_error
from objstore.common.subrequest import WsgiApp, close_response, sub_request
from objstore.common.http.ranges import NOT_SATISFIABLE_BODY, unsatisfiable_content_range
from objstore.common.utils import close_if_possible

LOG = logging.getLogger("objstore.large_objects")


class SegmentError(Exception):
    """A segment could not be read as the manifest describes it."""


@dataclass
class Piece:
    """Bytes ``first..last`` (inclusive) of one segment object."""

    path: str  # "<container>/<object>", unquoted
    first: int
    last: int
    etag: Optional[str] = None  # what the segment's ETag must be, if known

    @property
    def length(self) -> int:
        return self.last - self.first + 1


def normalize_etag(value: Optional[str]) -> str:
    return (value or "").strip().strip('"')


def unsatisfiable(total: int, etag: Optional[str], headers: Any = ()) -> Response:
    """416 for a large object of ``total`` bytes: ``headers`` (an SLO's
    416 carries the object's own, as Swift's), Swift's body, and
    ``Content-Range: bytes */total``."""
    resp = Response(status=416, body=NOT_SATISFIABLE_BODY)
    resp.headerlist = [(k, v) for k, v in dict(headers).items()
                       if k.lower() not in ("content-length", "content-range", "etag")]
    resp.headers["Content-Length"] = str(len(NOT_SATISFIABLE_BODY))
    resp.headers.setdefault("Content-Type", "text/html; charset=UTF-8")
    resp.headers["Content-Range"] = unsatisfiable_content_range(total)
    if etag:
        resp.headers["ETag"] = etag
    return resp


def iter_piece(app: WsgiApp, env: Dict[str, Any], account: str, piece: Piece,
               source: str) -> Iterator[bytes]:
    """The bytes of one piece, chunk by chunk; ``SegmentError`` when the
    segment is missing, changed or ends short."""
    path = "/v1/%s/%s" % (account, piece.path)
    resp = sub_request(app, env, "GET", path, source=source,
                       headers={"Range": "bytes=%d-%d" % (piece.first, piece.last)})
    try:
        if resp.status_int not in (200, 206):
            raise SegmentError("segment %s: %s" % (piece.path, resp.status))
        if piece.etag and normalize_etag(resp.headers.get("ETag")) != piece.etag:
            raise SegmentError("segment %s changed: ETag %s, the manifest says %s"
                               % (piece.path, resp.headers.get("ETag"), piece.etag))
        skip = piece.first if resp.status_int == 200 else 0
        left = piece.length
        for chunk in resp.app_iter:
            if skip:
                dropped = min(skip, len(chunk))
                chunk, skip = chunk[dropped:], skip - dropped
            if not chunk:
                continue
            chunk = chunk[:left]
            left -= len(chunk)
            yield chunk
            if not left:
                break
        if left:
            raise SegmentError("segment %s ended %d bytes short" % (piece.path, left))
    finally:
        close_response(resp)


class LargeBody:
    """A response body made of pieces, fetched one after the other.

    ``prime()`` reads the first chunk before any header is sent, so a
    first segment that is missing becomes a clean error response instead
    of a truncated body.
    """

    def __init__(self, chunks: Iterator[bytes], name: str) -> None:
        self._chunks = chunks
        self._first: Optional[bytes] = None
        self._name = name

    def prime(self) -> None:
        self._first = next(self._chunks, b"")

    def __iter__(self) -> Iterator[bytes]:
        if self._first:
            yield self._first
        try:
            for chunk in self._chunks:
                yield chunk
        except SegmentError as err:
            # Ending short makes catch_errors drop the connection.
            LOG.error("large object %s: %s; ending the response early", self._name, err)

    def close(self) -> None:
        close_if_possible(self._chunks)


def set_large_body(resp: Response, chunks: Iterator[bytes], name: str) -> Optional[Response]:
    """Make ``chunks`` the body of ``resp`` once its first chunk is read;
    if that already fails, the 409 to answer instead (nothing sent yet):
    Swift's plain Conflict page, as Swift 2.38.3 answers it; the reason
    (a missing or changed segment, SLOs nested too deep) goes to the log."""
    body = LargeBody(chunks, name)
    try:
        body.prime()
    except SegmentError as err:
        body.close()
        LOG.warning("large object %s: %s; answering 409", name, err)
        return swift_error(409)
    length = resp.headers.get("Content-Length")
    resp.app_iter = body
    if length is not None:
        resp.headers["Content-Length"] = length
    return None


class ListingError(SegmentError):
    """The segment container could not be listed (``status``: the answer;
    ``challenge``: its ``Www-Authenticate``, if any)."""

    def __init__(self, message: str, status: int, challenge: Optional[str] = None) -> None:
        super().__init__(message)
        self.status = status
        self.challenge = challenge


def listing_rows(app: WsgiApp, env: Dict[str, Any], account: str, container: str,
                 prefix: str, source: str, page: int = 1000) -> Iterator[Dict[str, Any]]:
    """The listing rows of ``container`` under ``prefix``, one page in
    memory at a time. ``ListingError`` when a page cannot be read (a failed
    first page means the segments cannot be known at all)."""
    marker = ""
    while True:
        query = "format=json&limit=%d&prefix=%s" % (page, quote(prefix, safe=""))
        if marker:
            query += "&marker=%s" % quote(marker, safe="")
        resp = sub_request(app, env, "GET", "/v1/%s/%s" % (account, container),
                           query=query, source=source)
        if resp.status_int == 204:
            close_response(resp)
            return
        if resp.status_int != 200:
            close_response(resp)
            raise ListingError("listing %s: %s" % (container, resp.status), resp.status_int,
                               resp.headers.get("Www-Authenticate"))
        batch = json.loads(resp.body or b"[]")
        for row in batch:
            if "name" in row:
                yield row
        if len(batch) < page:
            return
        marker = batch[-1].get("name") or batch[-1].get("subdir", "")
