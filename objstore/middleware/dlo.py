"""Dynamic large objects: an object whose ``X-Object-Manifest:
<container>/<prefix>`` names its segments by prefix.

A ``GET`` or ``HEAD`` of such an object answers with the segments listed
under the prefix, in listing order, as one object: the total
Content-Length, an ETag that is the quoted MD5 of the segment ETags
concatenated, and one byte range (several get the whole object, as
Swift's DLO answers them). The
set of segments is whatever the listing says at read time, so segments
may be added after the manifest; ``?multipart-manifest=get`` returns the
manifest object itself.

The segment listing is read a page at a time: one pass adds up the size
and the ETag, and a DLO of more than one page is listed again, lazily,
while its bytes are sent, so memory stays bounded whatever the number of
segments.

Conditional requests are judged here against the DLO ETag, since the
object server only knows the (empty) manifest's own ETag: a request that
carries ``If-Match``/``If-None-Match`` costs one HEAD first to learn
whether the object is a DLO.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs

from webob import Request, Response

from objstore.common.http.errors import HTML, PLAIN_UTF8, swift_error
from objstore.common.http.wsgi_str import HTTP_BLANKS, unquote_to_str
from objstore.common.http.paths import split_swift_path
from objstore.common.http import conditional, ranges
from objstore.middleware.segments import (ListingError, Piece, SegmentError, set_large_body,
                                          WsgiApp, close_response, iter_piece, listing_rows,
                                          normalize_etag, unsatisfiable)

MANIFEST_HEADER = "X-Object-Manifest"
SOURCE = "DLO"
DEFAULT_MAX_GET_TIME = 86400
_CONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH")
MANIFEST_FORMAT_TEXT = "X-Object-Manifest must be in the format container/prefix"
# Listing rows read per page; a DLO with more segments is listed twice.
LISTING_PAGE = 10000


def _error(status: int, text: str, content_type: str = PLAIN_UTF8) -> Response:
    return swift_error(status, text, content_type=content_type)


def check_manifest_header(value: str) -> None:
    """``ValueError`` unless ``X-Object-Manifest`` (as sent) has Swift's
    form ``<container>/<prefix>``: both parts present, no leading ``/``,
    no ``//`` after the container, no ``?``."""
    raw = value.strip(HTTP_BLANKS)
    container, sep, prefix = raw.partition("/")
    if not sep or not container or not prefix or prefix.startswith("/") or "?" in raw:
        raise ValueError(value)


def parse_manifest_header(value: str) -> Tuple[str, str]:
    """``(container, prefix)`` from ``X-Object-Manifest`` (URL-quoted or
    raw UTF-8, as WSGI hands it over); ``ValueError`` unless it has the form
    ``<container>/<prefix>``."""
    text = unquote_to_str(value.strip(HTTP_BLANKS)).lstrip("/")
    container, sep, prefix = text.partition("/")
    if not sep or not container:
        raise ValueError(value)
    return container, prefix


def plan(rows: Iterable[Dict[str, Any]], container: str, first: int,
         last: int) -> Iterator[Piece]:
    """The pieces of segment objects that make up bytes ``first..last``,
    produced as ``rows`` are read."""
    offset = 0
    for row in rows:
        size = int(row["bytes"])
        start, end = offset, offset + size - 1
        offset += size
        if start > last:
            return
        if size == 0 or end < first:
            continue
        yield Piece("%s/%s" % (container, row["name"]), max(first, start) - start,
                    min(last, end) - start, row.get("hash"))


class DynamicLargeObject:
    """Serve objects carrying ``X-Object-Manifest`` as their segments."""

    def __init__(self, app: WsgiApp, conf: Dict[str, str]) -> None:
        self.app = app
        self.max_get_time = int(conf.get("max_get_time", DEFAULT_MAX_GET_TIME))
        # Nothing in /info: Swift's dlo registers no section either.

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        method = env.get("REQUEST_METHOD")
        target = split_swift_path(env)
        if target is None or not target[2]:
            return self.app(env, start_response)
        account, _container, obj = target
        if method == "PUT" and "HTTP_X_OBJECT_MANIFEST" in env:
            try:
                check_manifest_header(env["HTTP_X_OBJECT_MANIFEST"])
                parse_manifest_header(env["HTTP_X_OBJECT_MANIFEST"])
            except ValueError:
                return _error(400, MANIFEST_FORMAT_TEXT, HTML)(env, start_response)
            return self.app(env, start_response)
        if method not in ("GET", "HEAD"):
            return self.app(env, start_response)
        query = parse_qs(env.get("QUERY_STRING", ""))
        if (query.get("multipart-manifest") or [""])[0] == "get":
            return self.app(env, start_response)
        return self._get(Request(env), account)(env, start_response)

    def _get(self, req: Request, account: str) -> Response:
        env = req.environ
        conditions = {k: env[k] for k in _CONDITIONS if k in env}
        if conditions:
            head = self._head(env)
            if MANIFEST_HEADER not in head.headers or head.status_int != 200:
                return req.get_response(self.app)
            for key in conditions:
                env.pop(key)
        resp = req.get_response(self.app)
        if resp.status_int == 416 and MANIFEST_HEADER not in resp.headers:
            # The range was judged against the manifest object itself, and
            # a 416 need not say whether that is a DLO manifest: look again.
            head = self._head(env)
            if MANIFEST_HEADER not in head.headers or head.status_int != 200:
                return resp
            close_response(resp)
            resp = head
        manifest = resp.headers.get(MANIFEST_HEADER)
        if manifest is not None and resp.status_int in (304, 412):
            return self._dated_condition_failed(env, account, resp, manifest)
        if manifest is None or resp.status_int // 100 != 2 and resp.status_int != 416:
            return resp
        close_response(resp)
        try:
            container, prefix = parse_manifest_header(manifest)
        except ValueError:
            return _error(500, "The object's X-Object-Manifest %r is not "
                               "<container>/<prefix>" % manifest)
        try:
            total, etag, rows = self._summary(env, account, container, prefix)
        except ListingError as err:
            if err.status in (401, 403, 404):
                # as Swift: the client may not (and is told how to ask), or it is gone
                challenge = {"Www-Authenticate": err.challenge} if err.challenge else None
                return swift_error(err.status, headers=challenge)
            return _error(409, "Cannot list the segments in container %s" % container)
        verdict = self._conditions(conditions, etag)
        headers = [(k, v) for k, v in resp.headers.items()
                   if k.lower() not in ("content-length", "content-range", "etag")]
        if verdict == 304:
            kept = conditional.not_modified_headers(dict(headers, ETag=etag))
            return Response(status=304, headerlist=list(kept.items()))
        if verdict == 412:
            kept = conditional.precondition_failed_headers(dict(headers, ETag=etag))
            return Response(status=412, headerlist=list(kept.items()))
        # As Swift's DLO: one range is served, several get the whole object,
        # and a range that cannot be satisfied is 416 for HEAD too.
        try:
            span = ranges.single_span(req.headers.get("Range"), total)
            if span and not conditional.if_range_allows(
                    req.headers, etag,
                    conditional.http_date(resp.headers.get("Last-Modified")) or 0.0):
                span = None  # If-Range, judged against the DLO's ETag, no longer matches
        except ranges.Unsatisfiable:
            out = unsatisfiable(total, None, [("Accept-Ranges", "bytes")])
            if req.method == "HEAD":
                out.app_iter = []
                out.headers["Content-Length"] = "0"
            return out
        if req.method == "HEAD":
            span = None
        first, last = span if span else (0, total - 1)
        out = Response(status=206 if span else 200, headerlist=headers)
        out.headers["ETag"] = etag
        if req.method == "GET":
            source = rows if rows is not None else \
                listing_rows(self.app, env, account, container, prefix, SOURCE, LISTING_PAGE)
            failed = set_large_body(
                out, self._stream(env, account, plan(source, container, first, last)),
                req.path_info)
            if failed is not None:
                return failed
        out.headers["Content-Length"] = str(last - first + 1 if total else 0)
        if span:
            out.headers["Content-Range"] = ranges.content_range((first, last + 1), total)
        out.conditional_response = False
        return out

    def _dated_condition_failed(self, env: Dict[str, Any], account: str, resp: Response,
                                manifest: str) -> Response:
        """The object server's 304 or 412 to a date condition on the
        manifest, with the DLO's ETag (the assembled object's, as Swift
        sends it) in place of the manifest's."""
        try:
            container, prefix = parse_manifest_header(manifest)
            _total, etag, _rows = self._summary(env, account, container, prefix)
        except (ValueError, ListingError):
            return resp  # the GET would say what is wrong; a 304 keeps its own ETag
        if "ETag" in resp.headers:
            resp.headers["ETag"] = etag
        return resp

    def _head(self, env: Dict[str, Any]) -> Response:
        """The object itself, with no range and no conditions."""
        probe = dict(env, REQUEST_METHOD="HEAD")
        for key in _CONDITIONS + ("HTTP_RANGE", "HTTP_IF_RANGE"):
            probe.pop(key, None)
        head = Request(probe).get_response(self.app)
        close_response(head)
        return head

    def _summary(self, env: Dict[str, Any], account: str, container: str, prefix: str
                 ) -> Tuple[int, str, Optional[List[Dict[str, Any]]]]:
        """``(total bytes, DLO ETag, rows)`` from one pass over the listing;
        ``rows`` is kept only when it fits in one listing page (else the
        bytes are sent from a second, lazy pass)."""
        total = 0
        digest = hashlib.md5()
        kept: Optional[List[Dict[str, Any]]] = []
        for row in listing_rows(self.app, env, account, container, prefix, SOURCE,
                                LISTING_PAGE):
            total += int(row["bytes"])
            digest.update(normalize_etag(row.get("hash")).encode("ascii"))
            if kept is not None:
                kept.append(row)
                if len(kept) > LISTING_PAGE:
                    kept = None
        return total, '"%s"' % digest.hexdigest(), kept

    @staticmethod
    def _conditions(conditions: Dict[str, str], etag: str) -> Optional[int]:
        """The ETag conditions judged on the assembled object's ETag (a DLO
        has no Last-Modified of its own to judge dates on)."""
        return conditional.rfc_verdict(conditional.Preconditions(
            if_match=conditions.get("HTTP_IF_MATCH"),
            if_none_match=conditions.get("HTTP_IF_NONE_MATCH")), etag, None)

    def _stream(self, env: Dict[str, Any], account: str,
                pieces: Iterable[Piece]) -> Iterator[bytes]:
        deadline = time.time() + self.max_get_time
        for piece in pieces:
            if time.time() > deadline:
                raise SegmentError("still reading after max_get_time (%ds)"
                                   % self.max_get_time)
            yield from iter_piece(self.app, env, account, piece, SOURCE)


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: DynamicLargeObject(app, conf)
