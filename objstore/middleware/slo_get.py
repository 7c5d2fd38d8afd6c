"""Serving static large objects: ``GET``/``HEAD`` of a manifest answer as
the whole object, ``?multipart-manifest=get`` as the manifest itself.

* The object: the total Content-Length, the quoted SLO ETag (MD5 of the
  segment ETags), ``X-Manifest-Etag`` (MD5 of the stored manifest), a byte
  range or several (``multipart/byteranges``), and ``If-Match``/``If-None-Match`` judged against the SLO ETag by
  the object server (``X-Backend-Etag-Is-At``). Nested SLOs are followed up
  to ``max_nesting_depth``; segment bytes stream in bounded memory.
* ``?part-number=N``: the N-th manifest entry as a 206 with
  ``X-Parts-Count``, as S3 clients expect of a multipart object.
* ``?multipart-manifest=get``: the stored manifest (JSON,
  ``application/json``); ``&format=raw`` the form a manifest PUT takes,
  with the object's own Content-Type, so it can be PUT again as is (a copy
  of the manifest does exactly that).
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, Iterator, List, Optional, Tuple

from webob import Request, Response

from objstore.common.http.errors import HTML, PLAIN_UTF8, swift_error
from objstore.common.config import config_true_value
from objstore.common.http import conditional, ranges
from objstore.common.http.ranges import Span
from objstore.common.subrequest import close_response, sub_request
from objstore.middleware import slo_manifest as sm
from objstore.middleware import slo_s3
from objstore.middleware.segments import (Piece, SegmentError, WsgiApp,
                                          iter_piece, normalize_etag, set_large_body,
                                          unsatisfiable)

SLO_HEADER = "X-Static-Large-Object"
ETAG_SYSMETA = "X-Object-Sysmeta-Slo-Etag"
SIZE_SYSMETA = "X-Object-Sysmeta-Slo-Size"
MANIFEST_ETAG_HEADER = "X-Manifest-Etag"
PARTS_COUNT_HEADER = "X-Parts-Count"
SOURCE = "SLO"
_CONDITIONS = ("If-Match", "If-None-Match")
_ALL_CONDITIONS = _CONDITIONS + ("If-Modified-Since", "If-Unmodified-Since", "Range")
_NOT_WHOLE = ("content-length", "content-range", "etag")


def _error(status: int, text: str, content_type: str = PLAIN_UTF8) -> Response:
    return swift_error(status, text, content_type=content_type)


def is_slo(headers: Any) -> bool:
    return config_true_value(headers.get(SLO_HEADER, ""))


def parse_part_number(value: Optional[str]) -> Optional[int]:
    """The ``part-number`` query value; ``ValueError`` unless a positive integer."""
    if value is None:
        return None
    number = int(value)  # ValueError for anything but an integer
    if number < 1:
        raise ValueError(value)
    return number


def part_span(entries: List[sm.Entry], number: int) -> Optional[Tuple[int, int]]:
    """Bytes ``(first, last)`` of part ``number`` (1-based), ``None`` past the end."""
    if number > len(entries):
        return None
    first = sum(entry.length for entry in entries[:number - 1])
    return first, first + entries[number - 1].length - 1


class SloReader:
    """GET and HEAD of static large objects (and of their manifests)."""

    def __init__(self, app: WsgiApp, max_depth: int, max_manifest_bytes: int) -> None:
        self.app = app
        self.max_depth = max_depth
        self.max_manifest_bytes = max_manifest_bytes

    # -- the manifest itself -------------------------------------------------

    def get_manifest(self, req: Request, fmt: str) -> Response:
        # The query stays: it tells dlo below to leave a DLO manifest alone too.
        resp = req.get_response(self.app)
        if not is_slo(resp.headers) or resp.status_int != 200:
            return resp
        content_type = sm.strip_swift_bytes(resp.headers.get("Content-Type", ""))
        if req.method == "HEAD":
            # The stored length is what a GET answers, for the default format.
            resp.headers["Content-Type"] = "application/json; charset=utf-8"
            return resp
        try:
            entries = sm.decode_stored(self.read_manifest(resp))
        except sm.ManifestError as err:
            return _error(500, str(err))
        if fmt == "raw":
            body = sm.encode_raw(entries)
        else:
            body = sm.encode_stored(entries)
            content_type = "application/json; charset=utf-8"
        resp.app_iter = [body]
        resp.headers["Content-Length"] = str(len(body))
        resp.headers["Content-Type"] = content_type
        resp.headers["ETag"] = hashlib.md5(body).hexdigest()
        resp.headers.pop("Content-Range", None)
        return resp

    def read_manifest(self, resp: Response) -> bytes:
        """A stored manifest's bytes, refusing one larger than any manifest
        PUT can make (so a damaged object cannot fill the proxy's memory)."""
        length = resp.content_length
        if length is not None and length > self.max_manifest_bytes:
            close_response(resp)
            raise sm.ManifestError("The stored manifest is %d bytes, more than a manifest "
                                   "can be" % length)
        chunks, size = [], 0
        try:
            for chunk in resp.app_iter:
                size += len(chunk)
                if size > self.max_manifest_bytes:
                    raise sm.ManifestError("The stored manifest is larger than a "
                                           "manifest can be")
                chunks.append(chunk)
        finally:
            close_response(resp)
        return b"".join(chunks)

    # -- the large object --------------------------------------------------------

    def get(self, req: Request, account: str, part: Optional[str]) -> Response:
        env = req.environ
        has_conditions = any(name in req.headers for name in _CONDITIONS)
        if has_conditions:
            # Judged against the SLO ETag; the answer then carries that ETag.
            env["HTTP_X_BACKEND_ETAG_IS_AT"] = ETAG_SYSMETA
        if part is not None and req.method == "HEAD":
            # A part's place is in the manifest: read it even for a HEAD.
            resp = self._fetch(env, method="GET", keep_conditions=True)
        else:
            resp = req.get_response(self.app)
        if slo_s3.read_as_stored(env, resp.headers):
            return resp  # s3api reads its uploads' parts itself
        if resp.status_int == 416 and req.method == "GET" and not is_slo(resp.headers):
            # The range was judged against the manifest's own length, and a
            # 416 does not say whether the object is an SLO: look again.
            whole = self._fetch(env)
            if whole.status_int != 200 or slo_s3.read_as_stored(env, whole.headers) or not (
                    is_slo(whole.headers) or slo_s3.applies(env, whole.headers)):
                close_response(whole)
                return resp
            close_response(resp)
            resp = whole
        if not is_slo(resp.headers):
            if slo_s3.applies(env, resp.headers):
                return self._s3_manifest(req, account, resp)
            slo_s3.clean_content_type(env, resp.headers)
            return resp
        etag = normalize_etag(resp.headers.get(ETAG_SYSMETA))
        if resp.status_int in (304, 412):
            return self._condition_failed(env, resp, etag, has_conditions)
        if resp.status_int // 100 != 2 and resp.status_int != 416:
            return resp
        manifest_etag = None if has_conditions else normalize_etag(resp.headers.get("ETag"))
        if part is not None:
            return self._get_part(req, account, resp, etag, part)
        if req.method == "HEAD":
            self._as_whole(resp.headers, etag, int(resp.headers.get(SIZE_SYSMETA) or 0),
                           manifest_etag)
            return resp
        # A 200 to a ranged request means If-Range did not match: whole object.
        # If-Range is judged here, against the SLO's ETag (the object server
        # only knows the manifest's).
        use_range = conditional.if_range_allows(
            req.headers, etag, conditional.http_date(resp.headers.get("Last-Modified")) or 0.0)
        if resp.status_int != 200:
            close_response(resp)
            resp = self._fetch(env)
            if not is_slo(resp.headers) or resp.status_int != 200:
                close_response(resp)
                return _error(409, "The large object changed while it was read; retry")
            manifest_etag = normalize_etag(resp.headers.get("ETag"))
        try:
            body = self.read_manifest(resp)
            entries = sm.decode_stored(body)
        except sm.ManifestError as err:
            return _error(500, str(err))
        manifest_etag = manifest_etag or hashlib.md5(body).hexdigest()
        total = sm.total_size(entries)
        try:
            spans = ranges.ranges_for_length(req.headers.get("Range"), total) \
                if use_range else None
        except ranges.Unsatisfiable:
            headers = dict(resp.headers)
            self._as_whole(headers, etag, total, manifest_etag)
            return unsatisfiable(total, '"%s"' % etag, headers)
        return self._respond(req, account, resp.headers, entries, etag, manifest_etag, spans)

    def _s3_manifest(self, req: Request, account: str, resp: Response) -> Response:
        """An S3 multipart object (``slo_s3``) as Swift serves it: an SLO.
        Its SLO ETag is not stored, so conditions and ranges are judged
        here, on a plain read of the manifest."""
        env = req.environ
        if resp.status_int != 200 or req.method != "GET" or any(
                name in req.headers for name in _ALL_CONDITIONS):
            close_response(resp)
            resp = self._fetch(env)
            if resp.status_int != 200 or not slo_s3.applies(env, resp.headers):
                return resp
        try:
            entries = slo_s3.entries(self.read_manifest(resp))
        except sm.ManifestError as err:
            return _error(500, str(err))
        etag, total = slo_s3.slo_etag(entries), sm.total_size(entries)
        headers = resp.headers
        headers["Content-Type"] = slo_s3.content_type(headers.get("Content-Type", ""))
        manifest_etag = normalize_etag(headers.get("ETag"))
        whole = dict(headers)
        self._as_whole(whole, etag, total, manifest_etag)
        modified = conditional.http_date(headers.get("Last-Modified")) or 0.0
        verdict = conditional.swift_verdict(conditional.Preconditions.from_headers(req.headers),
                                            etag, modified)
        if verdict is not None:
            return Response(status=verdict, headerlist=list(
                (conditional.not_modified_headers(whole) if verdict == 304
                 else conditional.precondition_failed_headers(whole)).items()))
        try:
            spans = ranges.ranges_for_length(req.headers.get("Range"), total) \
                if conditional.if_range_allows(req.headers, etag, modified) else None
        except ranges.Unsatisfiable:
            return unsatisfiable(total, '"%s"' % etag, whole)
        return self._respond(req, account, headers, entries, etag, manifest_etag, spans)

    def _get_part(self, req: Request, account: str, resp: Response, etag: str,
                  part: str) -> Response:
        """``?part-number=N`` of an SLO."""
        try:
            number = parse_part_number(part)
        except ValueError:
            close_response(resp)
            return _error(400, "Part number must be an integer greater than 0", HTML)
        if "Range" in req.headers:
            close_response(resp)
            return _error(400, "Range requests are not supported with part number queries",
                          HTML)
        if resp.status_int != 200:
            close_response(resp)
            resp = self._fetch(req.environ)
            if not is_slo(resp.headers) or resp.status_int != 200:
                close_response(resp)
                return _error(409, "The large object changed while it was read; retry")
        try:
            body = self.read_manifest(resp)
            entries = sm.decode_stored(body)
        except sm.ManifestError as err:
            return _error(500, str(err))
        manifest_etag = hashlib.md5(body).hexdigest()
        total = sm.total_size(entries)
        span = part_span(entries, number)
        if span is None:
            out = _error(416, "The requested part number is not satisfiable")
            out.headerlist = [(k, v) for k, v in resp.headers.items()
                              if k.lower() not in _NOT_WHOLE] + list(out.headerlist)
            self._as_whole(out.headers, etag, total, manifest_etag)
            out.headers["Content-Type"] = sm.strip_swift_bytes(
                resp.headers.get("Content-Type", ""))
            if req.method == "HEAD":
                out.app_iter = []  # (webob drops Content-Length here: set after)
            out.headers["Content-Length"] = "0" if req.method == "HEAD" else str(len(out.body))
            out.headers["Content-Range"] = "bytes */%d" % total
            out.headers[PARTS_COUNT_HEADER] = str(len(entries))
            out.conditional_response = False
            return out
        out = self._respond(req, account, resp.headers, entries, etag, manifest_etag,
                            [(span[0], span[1] + 1)])
        out.headers[PARTS_COUNT_HEADER] = str(len(entries))
        return out

    def _respond(self, req: Request, account: str, headers: Any, entries: List[sm.Entry],
                 etag: str, manifest_etag: str, spans: Optional[List[Span]]) -> Response:
        """The whole object (``spans`` None), one span of it, or several as
        ``multipart/byteranges``; segment bytes are read as they are sent."""
        env = req.environ
        total = sm.total_size(entries)
        out = Response(status=206 if spans else 200)
        out.headerlist = [(k, v) for k, v in headers.items() if k.lower() not in _NOT_WHOLE]
        self._as_whole(out.headers, etag, total, manifest_etag)
        content_type = out.headers.get("Content-Type", "")
        if spans and len(spans) > 1:
            boundary = ranges.new_boundary()
            chunks: Iterator[bytes] = ranges.multipart_body(
                lambda start, stop: self._stream(env, account, entries, start, stop - 1, 0),
                spans, total, content_type, boundary)
            out.headers["Content-Type"] = ranges.multipart_content_type(boundary)
            length = ranges.multipart_length(spans, total, content_type, boundary)
        else:
            first, stop = spans[0] if spans else (0, total)
            chunks = self._stream(env, account, entries, first, stop - 1, 0)
            length = stop - first
            if spans:
                out.headers["Content-Range"] = ranges.content_range(spans[0], total)
        if req.method == "GET":
            failed = set_large_body(out, chunks, req.path_info)
            if failed is not None:
                return failed
        out.headers["Content-Length"] = str(length)
        out.conditional_response = False
        return out

    def _condition_failed(self, env: Dict[str, Any], resp: Response, etag: str,
                          judged_at_slo_etag: bool) -> Response:
        """A 304 or 412 of an SLO, with the headers of the SLO (its ETag,
        its type without the stored parameters, the manifest's ETag) as
        Swift sends them. The manifest's ETag is in the answer unless the
        object server judged the SLO ETag (If-Match, If-None-Match) and
        sent that instead: then one HEAD of the manifest reads it."""
        manifest_etag = normalize_etag(resp.headers.get("ETag"))
        if judged_at_slo_etag:
            head = self._fetch(env, method="HEAD")
            close_response(head)
            manifest_etag = normalize_etag(head.headers.get("ETag")) \
                if head.status_int == 200 else ""
        if "ETag" in resp.headers:
            resp.headers["ETag"] = '"%s"' % etag
        if "Content-Type" in resp.headers:
            resp.headers["Content-Type"] = sm.strip_swift_bytes(resp.headers["Content-Type"])
        if manifest_etag:
            resp.headers[MANIFEST_ETAG_HEADER] = manifest_etag
        return resp

    def _fetch(self, env: Dict[str, Any], method: str = "GET",
               keep_conditions: bool = False) -> Response:
        """The stored manifest again, with no range (nor conditions)."""
        fetch = Request(dict(env))
        fetch.method = method
        names = ["Range", "If-Range"]
        if not keep_conditions:
            names += ["If-Match", "If-None-Match", "If-Modified-Since",
                      "If-Unmodified-Since"]
            fetch.headers.pop("X-Backend-Etag-Is-At", None)
        for name in names:
            fetch.headers.pop(name, None)
        return fetch.get_response(self.app)

    @staticmethod
    def _as_whole(headers: Any, etag: str, total: int, manifest_etag: Optional[str]) -> None:
        headers["Content-Length"] = str(total)
        headers["ETag"] = '"%s"' % etag
        headers["Content-Type"] = sm.strip_swift_bytes(headers.get("Content-Type", ""))
        headers[SLO_HEADER] = "True"
        if manifest_etag:
            headers[MANIFEST_ETAG_HEADER] = manifest_etag

    # -- segment bytes -------------------------------------------------------------

    def _stream(self, env: Dict[str, Any], account: str, entries: List[sm.Entry],
                first: int, last: int, depth: int) -> Iterator[bytes]:
        """The bytes ``first..last`` of the SLO made of ``entries``."""
        if last < first:
            return
        for entry, seg_first, seg_last in sm.plan(entries, first, last):
            if entry.data is not None:
                yield entry.data[seg_first:seg_last + 1]
            elif entry.sub_slo:
                if depth + 1 >= self.max_depth:
                    raise SegmentError("%s: SLOs nested deeper than %d"
                                       % (entry.name, self.max_depth))
                sub = self._fetch_sub_manifest(env, account, entry)
                yield from self._stream(env, account, sub, seg_first, seg_last, depth + 1)
            else:
                yield from iter_piece(self.app, env, account,
                                      Piece(entry.path, seg_first, seg_last, entry.hash),
                                      SOURCE)

    def _fetch_sub_manifest(self, env: Dict[str, Any], account: str,
                            entry: sm.Entry) -> List[sm.Entry]:
        resp = sub_request(self.app, env, "GET", "/v1/%s%s" % (account, entry.name),
                           source=SOURCE)
        if resp.status_int != 200 or not is_slo(resp.headers):
            close_response(resp)
            raise SegmentError("sub-SLO %s: %s" % (entry.name, resp.status))
        if normalize_etag(resp.headers.get(ETAG_SYSMETA)) != entry.hash:
            close_response(resp)
            raise SegmentError("sub-SLO %s changed" % entry.name)
        try:
            return sm.decode_stored(self.read_manifest(resp))
        except sm.ManifestError as err:
            raise SegmentError("sub-SLO %s: %s" % (entry.name, err)) from None
