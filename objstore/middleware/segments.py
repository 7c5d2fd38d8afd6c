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

import logging
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import quote

from webob import Response

from objstore.common.subrequest import WsgiApp, close_response, sub_request
from objstore.common.http.ranges import single_span as parse_single_range  # noqa: F401 (slo, dlo)
from objstore.common.http.ranges import unsatisfiable_content_range

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


def unsatisfiable(total: int, etag: str) -> Response:
    resp = Response(status=416, content_type="text/plain", charset="utf-8",
                    text="Requested range not satisfiable: the object has %d bytes\n" % total)
    resp.headers["Content-Range"] = unsatisfiable_content_range(total)
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
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def json_listing(app: WsgiApp, env: Dict[str, Any], account: str, container: str,
                 prefix: str, source: str, page: int = 1000) -> Optional[List[Dict[str, Any]]]:
    """Every listing row of ``container`` under ``prefix`` (paged); ``None``
    if the container cannot be listed."""
    import json
    rows: List[Dict[str, Any]] = []
    marker = ""
    while True:
        query = "format=json&limit=%d&prefix=%s" % (page, quote(prefix, safe=""))
        if marker:
            query += "&marker=%s" % quote(marker, safe="")
        resp = sub_request(app, env, "GET", "/v1/%s/%s" % (account, container),
                           query=query, source=source)
        if resp.status_int == 204 or (resp.status_int == 200 and not resp.body):
            return rows
        if resp.status_int != 200:
            return None if not rows else rows
        batch = json.loads(resp.body)
        rows.extend(batch)
        if len(batch) < page:
            return rows
        marker = batch[-1]["name"]
