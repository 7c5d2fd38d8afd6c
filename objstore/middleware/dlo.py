"""Dynamic large objects: an object whose ``X-Object-Manifest:
<container>/<prefix>`` names its segments by prefix.

A ``GET`` or ``HEAD`` of such an object answers with the segments listed
under the prefix, in listing order, as one object: the total
Content-Length, an ETag that is the quoted MD5 of the segment ETags
concatenated, and one byte range if asked (several ranges get the whole
object). The set of segments is whatever the listing says at read time,
so segments may be added after the manifest; ``?multipart-manifest=get``
returns the manifest object itself.

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

from objstore.common import registry
from objstore.common.http.wsgi_str import unquote_to_str, wsgi_to_str
from objstore.common.utils import split_path
from objstore.middleware.segments import (LargeBody, Piece, SegmentError, WsgiApp,
                                          close_response, iter_piece, json_listing,
                                          normalize_etag, parse_single_range,
                                          unsatisfiable)

MANIFEST_HEADER = "X-Object-Manifest"
SOURCE = "DLO"
DEFAULT_MAX_GET_TIME = 86400
_CONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH")


def _error(status: int, text: str) -> Response:
    return Response(status=status, content_type="text/plain", charset="utf-8",
                    text=text + "\n")


def parse_manifest_header(value: str) -> Tuple[str, str]:
    """``(container, prefix)`` from ``X-Object-Manifest`` (URL-quoted or
    raw UTF-8, as WSGI hands it over); ``ValueError`` unless it has the form
    ``<container>/<prefix>``."""
    text = unquote_to_str(value.strip()).lstrip("/")
    container, sep, prefix = text.partition("/")
    if not sep or not container:
        raise ValueError(value)
    return container, prefix


def dlo_etag(segment_etags: List[str]) -> str:
    """MD5 of the segments' ETags concatenated, quoted."""
    return '"%s"' % hashlib.md5("".join(segment_etags).encode("ascii")).hexdigest()


def plan(rows: List[Dict[str, Any]], container: str, first: int, last: int) -> List[Piece]:
    """The pieces of segment objects that make up bytes ``first..last``."""
    pieces = []
    offset = 0
    for row in rows:
        size = int(row["bytes"])
        start, end = offset, offset + size - 1
        offset += size
        if size == 0 or end < first or start > last:
            continue
        pieces.append(Piece("%s/%s" % (container, row["name"]), max(first, start) - start,
                            min(last, end) - start, row.get("hash")))
    return pieces


def _etag_listed(tag: str, etag: str) -> bool:
    return any(t.strip() in ("*", etag) or normalize_etag(t) == normalize_etag(etag)
               for t in tag.split(","))


class DynamicLargeObject:
    """Serve objects carrying ``X-Object-Manifest`` as their segments."""

    def __init__(self, app: WsgiApp, conf: Dict[str, str]) -> None:
        self.app = app
        self.max_get_time = int(conf.get("max_get_time", DEFAULT_MAX_GET_TIME))
        registry.register_info("dlo", max_get_time=self.max_get_time)

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        method = env.get("REQUEST_METHOD")
        try:
            version, account, _container, obj = split_path(
                wsgi_to_str(env.get("PATH_INFO", "")), 1, 4, True)
        except (ValueError, UnicodeDecodeError):
            return self.app(env, start_response)
        if version != "v1" or not obj:
            return self.app(env, start_response)
        if method == "PUT" and "HTTP_X_OBJECT_MANIFEST" in env:
            try:
                parse_manifest_header(env["HTTP_X_OBJECT_MANIFEST"])
            except ValueError:
                return _error(400, "X-Object-Manifest must be <container>/<prefix>"
                              )(env, start_response)
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
            probe = dict(env, REQUEST_METHOD="HEAD")
            for key in conditions:
                probe.pop(key)
            head = Request(probe).get_response(self.app)
            close_response(head)
            if MANIFEST_HEADER not in head.headers or head.status_int != 200:
                return req.get_response(self.app)
            for key in conditions:
                env.pop(key)
        resp = req.get_response(self.app)
        manifest = resp.headers.get(MANIFEST_HEADER)
        if manifest is None or resp.status_int // 100 != 2 and resp.status_int != 416:
            return resp
        close_response(resp)
        try:
            container, prefix = parse_manifest_header(manifest)
        except ValueError:
            return _error(500, "The object's X-Object-Manifest %r is not "
                               "<container>/<prefix>" % manifest)
        rows = json_listing(self.app, env, account, container, prefix, SOURCE)
        if rows is None:
            return _error(409, "Cannot list the segments in container %s" % container)
        rows = [r for r in rows if "name" in r]
        total = sum(int(r["bytes"]) for r in rows)
        etag = dlo_etag([normalize_etag(r.get("hash")) for r in rows])
        verdict = self._conditions(conditions, etag)
        headers = [(k, v) for k, v in resp.headers.items()
                   if k.lower() not in ("content-length", "content-range", "etag")]
        if verdict is not None:
            out = Response(status=verdict, headerlist=headers)
            out.headers["ETag"] = etag
            out.headers["Content-Length"] = "0"
            return out
        span: Optional[Tuple[int, int]] = None
        if req.method == "GET":
            try:
                span = parse_single_range(req.headers.get("Range"), total)
            except ValueError:
                return unsatisfiable(total, etag)
        first, last = span if span else (0, total - 1)
        body: Any = []
        if req.method == "GET":
            body = LargeBody(self._stream(env, account, plan(rows, container, first, last)),
                             req.path_info)
            try:
                body.prime()
            except SegmentError as err:
                body.close()
                return _error(409, "Cannot read the large object: %s" % err)
        # app_iter first: assigning it later would drop the Content-Length.
        out = Response(status=206 if span else 200, headerlist=headers, app_iter=body)
        out.headers["ETag"] = etag
        if req.method == "HEAD":
            out.headers["Content-Length"] = str(total)
        else:
            out.headers["Content-Length"] = str(last - first + 1 if total else 0)
        if span:
            out.headers["Content-Range"] = "bytes %d-%d/%d" % (first, last, total)
        out.conditional_response = False
        return out

    @staticmethod
    def _conditions(conditions: Dict[str, str], etag: str) -> Optional[int]:
        if "HTTP_IF_MATCH" in conditions and not _etag_listed(conditions["HTTP_IF_MATCH"], etag):
            return 412
        if "HTTP_IF_NONE_MATCH" in conditions and \
                _etag_listed(conditions["HTTP_IF_NONE_MATCH"], etag):
            return 304
        return None

    def _stream(self, env: Dict[str, Any], account: str,
                pieces: List[Piece]) -> Iterator[bytes]:
        deadline = time.time() + self.max_get_time
        for piece in pieces:
            if time.time() > deadline:
                raise SegmentError("still reading after max_get_time (%ds)"
                                   % self.max_get_time)
            yield from iter_piece(self.app, env, account, piece, SOURCE)


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: DynamicLargeObject(app, conf)
