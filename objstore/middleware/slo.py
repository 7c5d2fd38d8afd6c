"""Static large objects: one object made of segments a manifest lists.

* ``PUT ?multipart-manifest=put`` with a JSON list of segments (see
  ``slo_manifest``): every segment is checked with a HEAD as the client;
  any mismatch answers 400 with one ``<path>, <reason>`` line per bad
  segment. The manifest is stored with ``X-Static-Large-Object: True``,
  its total size in the Content-Type (``;swift_bytes=N``, so listings show
  it) and the SLO ETag in sysmeta.
* ``GET``/``HEAD`` of a manifest answer as the whole object, and
  ``?multipart-manifest=get`` as the manifest: see ``slo_get``.
* ``DELETE ?multipart-manifest=delete`` deletes the segments then the
  manifest and reports like a bulk delete. With ``&async=yes``
  (``allow_async_delete``, on by default as in Swift) the manifest goes at
  once (204) and its segments are left to the object expirer: each gets
  ``X-Delete-After: 1`` with a POST, which queues it in the expirer queue
  the object server keeps for every X-Delete-At (so a segment reads 404
  a second later and is removed, with its listing row, by the next
  expirer pass). As in Swift, the segments must sit in one container and
  none may be a large object itself.
* ``X-Static-Large-Object`` is this middleware's to set: a client sending
  it on any other PUT (a copy included) or on a POST is refused, so no
  object can be made to look like a manifest it is not.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import time
from typing import Any, Callable, Dict, Generator, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs, urlencode

from webob import Request, Response

from objstore.common.http import bulk_report
from objstore.common.http.errors import (HTML, PLAIN, PLAIN_UTF8, STATUSES, status_line,
                                         swift_error)
from objstore.common import constraints, registry
from objstore.common.config import config_int, config_true_value
from objstore.common.http.paths import split_swift_path
from objstore.common.sync_realms import SLO_OVERRIDE_ENV
from objstore.middleware import slo_manifest as sm
from objstore.middleware import slo_s3
from objstore.common.http.wsgi_str import wsgi_to_str
from objstore.common.subrequest import WsgiApp, close_response, sub_request
from objstore.middleware.segments import normalize_etag
from objstore.middleware.slo_get import (ETAG_SYSMETA, SIZE_SYSMETA, SLO_HEADER, SOURCE,
                                         SloReader, is_slo)

DEFAULT_MAX_NESTING_DEPTH = 10
RESERVED_TEXT = ("X-Static-Large-Object is a reserved header. To create a static large "
                 "object add query param multipart-manifest=put.")


def _error(status: int, text: str, content_type: str = PLAIN_UTF8) -> Response:
    return swift_error(status, text, content_type=content_type)


def _report_response(status: int, root: str, fields: List[Tuple[str, Any]],
                     errors: List[List[str]], accept: Optional[str], fallback: str) -> Response:
    """A bulk-style report, streamed as Swift's is (chunked, no length)."""
    ctype = bulk_report.report_type(accept, fallback)
    resp = Response(status=status_line(status),
                    app_iter=iter([bulk_report.render(ctype, root, fields, errors)]))
    resp.headers["Content-Type"] = ctype
    resp.headers.pop("Content-Length", None)
    return resp


def _default_text(status: int) -> str:
    """A refusal of this middleware's own, as a report's Response Body."""
    return "%s\n%s" % STATUSES[status]


Checks = Generator[None, None, Tuple[List[sm.Entry], List[List[str]]]]


def _finish(checks: Checks) -> Tuple[List[sm.Entry], List[List[str]]]:
    """Run the segment checks to the end; their result."""
    while True:
        try:
            next(checks)
        except StopIteration as done:
            return done.value


class StaticLargeObject:
    """Store, serve and delete static large objects."""

    def __init__(self, app: WsgiApp, conf: Dict[str, str]) -> None:
        self.app = app
        self.max_segments = int(conf.get("max_manifest_segments",
                                         sm.DEFAULT_MAX_MANIFEST_SEGMENTS))
        self.max_size = int(conf.get("max_manifest_size", sm.DEFAULT_MAX_MANIFEST_SIZE))
        self.min_segment_size = int(conf.get("min_segment_size",
                                             sm.DEFAULT_MIN_SEGMENT_SIZE))
        self.max_depth = int(conf.get("max_nesting_depth", DEFAULT_MAX_NESTING_DEPTH))
        self.yield_frequency = config_int(conf, "yield_frequency", 10, 1)
        self.allow_async_delete = config_true_value(conf.get("allow_async_delete", "true"))
        # A stored manifest is the PUT form plus a few fields per segment.
        self.reader = SloReader(app, self.max_depth,
                                2 * self.max_size + 512 * self.max_segments)
        registry.register_info("slo", max_manifest_segments=self.max_segments,
                               max_manifest_size=self.max_size,
                               min_segment_size=self.min_segment_size,
                               yield_frequency=self.yield_frequency,
                               allow_async_delete=self.allow_async_delete)

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        target = split_swift_path(env)
        if target is None or not target[2]:
            return self.app(env, start_response)
        account, _container, obj = target
        query = parse_qs(env.get("QUERY_STRING", ""))
        mm = (query.get("multipart-manifest") or [""])[0]
        method = env.get("REQUEST_METHOD")
        req = Request(env)
        if method == "PUT" and mm == "put":
            return self._put_manifest(req, account, obj)(env, start_response)
        if method in ("PUT", "POST") and "HTTP_X_STATIC_LARGE_OBJECT" in env:
            if method == "PUT" and (env.get(SLO_OVERRIDE_ENV)
                                    or slo_s3.writes_manifest(env)):
                return self._put_synced(req)(env, start_response)
            return _error(400, RESERVED_TEXT, HTML)(env, start_response)
        if method in ("GET", "HEAD"):
            if mm == "get":
                fmt = (query.get("format") or [""])[0]
                return self.reader.get_manifest(req, fmt)(env, start_response)
            part = (query.get("part-number") or [None])[0]
            return self.reader.get(req, account, part)(env, start_response)
        elif method == "DELETE" and mm == "delete":
            if self.allow_async_delete and config_true_value((query.get("async") or [""])[0]):
                return self._delete_async(req, account)(env, start_response)
            return self._delete(req, account)(env, start_response)
        return self.app(env, start_response)

    # -- PUT ----------------------------------------------------------------

    def _put_manifest(self, req: Request, account: str, obj: str) -> Response:
        length = req.content_length
        too_large = "Manifest File > %d bytes" % self.max_size
        if length is None:
            if req.headers.get("Transfer-Encoding", "").lower() != "chunked":
                return swift_error(411)
        elif length > self.max_size:
            return _error(413, too_large, HTML)
        body = req.body_file.read(self.max_size + 1)
        if len(body) > self.max_size:
            return _error(413, too_large, HTML)
        try:
            specs = sm.parse_put_body(body, self.max_segments)
        except sm.ManifestError as err:
            return _error(err.status, err.body, err.content_type)
        own = wsgi_to_str(req.environ["PATH_INFO"]).split("/", 3)[3]
        for index, spec in enumerate(specs):
            if spec.path is not None and spec.path == own:
                # Its PUT would replace the segment it is made of.
                return _error(400, "Index %d: manifest must not include itself as a segment\n"
                              % index, PLAIN)
        checks = self._check_segments(req.environ, account, specs)
        if config_true_value((parse_qs(req.query_string).get("heartbeat") or [""])[0]):
            return self._heartbeat_put(req, obj, checks)
        entries, errors = _finish(checks)
        if errors:
            return _report_response(400, "upload", [], errors, req.headers.get("Accept"), PLAIN)
        etag = sm.slo_etag(entries)
        if not self._etag_matches(req, etag):
            return swift_error(422)
        return self._store(req, obj, entries, etag)

    def _heartbeat_put(self, req: Request, obj: str, checks: Checks) -> Response:
        """``?heartbeat=on``: 202 at once, a space every ``yield_frequency``
        seconds while the segments are checked, then the outcome as a
        report (Response Status, Etag and Last Modified or the errors)."""
        ctype = bulk_report.report_type(req.headers.get("Accept"), PLAIN)

        def body() -> Iterator[bytes]:
            yield b" "
            last = time.time()
            while True:
                try:
                    next(checks)
                except StopIteration as done:
                    entries, errors = done.value
                    break
                if time.time() - last >= self.yield_frequency:
                    last = time.time()
                    yield b" "
            fields: List[Tuple[str, Any]]
            etag = sm.slo_etag(entries)
            if errors or not self._etag_matches(req, etag):
                status = 400 if errors else 422
                fields = [("Response Status", status_line(status)),
                          ("Response Body", _default_text(status))]
            else:
                resp = self._store(req, obj, entries, etag)
                fields = [("Response Status", resp.status)]
                if resp.status_int // 100 == 2:
                    fields += [("Etag", resp.headers["ETag"]),
                               ("Last Modified", resp.headers.get("Last-Modified", "")),
                               ("Response Body", "")]
                else:
                    fields.append(("Response Body", resp.body.decode("utf-8", "replace")))
            yield b"\r\n\r\n" + bulk_report.render(ctype, "upload", fields, errors)
        resp = Response(status=status_line(202), app_iter=body())
        resp.headers["Content-Type"] = ctype
        resp.headers.pop("Content-Length", None)
        return resp

    @staticmethod
    def _etag_matches(req: Request, etag: str) -> bool:
        given = normalize_etag(req.headers.get("ETag"))
        return not given or given == etag

    def _store(self, req: Request, obj: str, entries: List[sm.Entry], etag: str) -> Response:
        """PUT the checked manifest in the form it is stored."""
        total = sm.total_size(entries)
        stored = sm.encode_stored(entries)
        content_type = req.headers.get("Content-Type")
        if not content_type or config_true_value(req.headers.get("X-Detect-Content-Type", "")):
            content_type = mimetypes.guess_type(obj)[0] or content_type \
                or "application/octet-stream"
        env = req.environ
        env["wsgi.input"] = io.BytesIO(stored)
        env["CONTENT_LENGTH"] = str(len(stored))
        env.pop("HTTP_TRANSFER_ENCODING", None)
        env.pop("HTTP_ETAG", None)
        env.pop("HTTP_X_DETECT_CONTENT_TYPE", None)
        env["QUERY_STRING"] = ""
        env[constraints.CONTENT_TYPE_PARAMS_ENV] = True  # our swift_bytes, not the client's
        put = Request(env)
        put.headers["Content-Type"] = sm.content_type_with_size(content_type, total, etag)
        put.headers[SLO_HEADER] = "True"
        put.headers[ETAG_SYSMETA] = etag
        put.headers[SIZE_SYSMETA] = str(total)
        resp = put.get_response(self.app)
        if resp.status_int // 100 == 2:
            resp.headers["ETag"] = '"%s"' % etag
        return resp

    def _put_synced(self, req: Request) -> Response:
        """A manifest in the form it is stored, from another cluster's
        container sync (middleware/container_sync.py vouched for the
        request) or from s3api completing an upload (``slo_s3``): kept as
        sent, with the large object's ETag and size worked out from it, as
        the gatekeeper dropped the other cluster's system metadata (s3api's
        parts were checked when they were uploaded)."""
        limit = self.reader.max_manifest_bytes
        body = req.body_file.read(limit + 1)
        if len(body) > limit:
            return _error(413, "The synced manifest is larger than %d bytes" % limit)
        try:
            entries = sm.decode_stored(body)
        except sm.ManifestError as err:
            return _error(400, str(err))
        req.environ["wsgi.input"] = io.BytesIO(body)
        req.environ["CONTENT_LENGTH"] = str(len(body))
        req.environ.pop("HTTP_TRANSFER_ENCODING", None)
        etag, size = sm.slo_etag(entries), sm.total_size(entries)
        req.headers[ETAG_SYSMETA] = etag
        req.headers[SIZE_SYSMETA] = str(size)
        # listings show the large object's size and ETag, whatever type a
        # POST on the other cluster left without them
        s3_etag = req.headers.get(slo_s3.S3_ETAG_SYSMETA) \
            if slo_s3.writes_manifest(req.environ) else None
        req.headers["Content-Type"] = sm.content_type_with_size(
            req.headers.get("Content-Type") or "application/octet-stream", size, etag,
            s3_etag)
        return req.get_response(self.app)

    def _check_segments(self, env: Dict[str, Any], account: str,
                        specs: List[sm.SegmentSpec]) -> Checks:
        """HEAD each segment (yielding after each); returns the entries to
        store, and ``[path as given, reason]`` for each bad segment."""
        entries: List[sm.Entry] = []
        errors: List[List[str]] = []
        heads: Dict[str, Response] = {}
        for index, spec in enumerate(specs):
            last = index == len(specs) - 1
            if spec.data is not None:
                entries.append(sm.Entry("", hashlib.md5(spec.data).hexdigest(),
                                        len(spec.data), data=spec.data))
                continue
            name = "/" + (spec.path or "")
            head = heads.get(name)
            if head is None:
                head = sub_request(self.app, env, "HEAD", "/v1/%s%s" % (account, name),
                                   source=SOURCE)
                heads[name] = head
                yield
            if head.status_int // 100 != 2:
                errors.append([spec.given, head.status])
                continue
            sub_slo = is_slo(head.headers)
            if sub_slo:
                etag = normalize_etag(head.headers.get(ETAG_SYSMETA))
                size = int(head.headers.get(SIZE_SYSMETA) or 0)
            else:
                etag = normalize_etag(head.headers.get("ETag"))
                size = int(head.headers.get("Content-Length") or 0)
            problems = []  # in Swift's order
            rng = None
            if spec.range is not None:
                try:
                    rng = sm.segment_range(spec.range, size)
                except ValueError:
                    problems.append("Unsatisfiable Range")
            if spec.size is not None and spec.size != size:
                problems.append("Size Mismatch")
            if spec.etag and spec.etag != etag:
                problems.append("Etag Mismatch")
            entry = sm.Entry(name, etag, size,
                             sm.strip_swift_bytes(head.headers.get("Content-Type", "")),
                             _iso(head.headers.get("Last-Modified", "")), rng, sub_slo)
            if not problems and entry.length < self.min_segment_size and not last:
                problems.append("Too small; each segment must be at least %d byte%s."
                                % (self.min_segment_size,
                                   "" if self.min_segment_size == 1 else "s"))
            if not problems and size == 0:
                problems.append("Too small; each segment must be at least 1 byte.")
            errors.extend([spec.given, p] for p in problems)
            entries.append(entry)
        return entries, errors

    # -- DELETE ---------------------------------------------------------------

    def _delete(self, req: Request, account: str) -> Response:
        env = req.environ
        name = "/" + wsgi_to_str(env["PATH_INFO"]).split("/", 3)[3]
        counts = {"deleted": 0, "not_found": 0}
        errors: List[List[str]] = []
        status = "200 OK"
        if bulk_report.accepted_type(req.headers.get("Accept")) is None:
            status = bulk_report.NOT_ACCEPTABLE  # and nothing is deleted, as Swift
        else:
            self._delete_tree(env, account, name, counts, errors, 0, top=True,
                              query=_version_query(env))
            status = "400 Bad Request" if errors else status
        return _report_response(200, "delete", [
            ("Response Status", status),
            ("Response Body", ""), ("Number Deleted", counts["deleted"]),
            ("Number Not Found", counts["not_found"])], errors, req.headers.get("Accept"), HTML)

    def _delete_async(self, req: Request, account: str) -> Response:
        """Delete the manifest now and leave its segments to the expirer."""
        env = req.environ
        name = "/" + wsgi_to_str(env["PATH_INFO"]).split("/", 3)[3]
        version = _version_query(env)
        resp = sub_request(self.app, env, "GET", "/v1/%s%s" % (account, name), query=version,
                           source=SOURCE)
        if resp.status_int == 404:
            close_response(resp)
            return _error(404, "SLO manifest not found", HTML)
        if resp.status_int != 200 or not is_slo(resp.headers):
            close_response(resp)
            if resp.status_int != 200:
                return swift_error(resp.status_int)
            return _error(400, "Not an SLO manifest", HTML)
        try:
            entries = sm.decode_stored(self.reader.read_manifest(resp))
        except sm.ManifestError as err:
            return _error(400, str(err), HTML)
        segments = [e.name for e in entries if e.data is None]
        if any(e.sub_slo for e in entries):
            return _error(400, "No segments may be large objects.", HTML)
        containers: List[str] = []
        for seg in segments:
            container = seg.lstrip("/").split("/", 1)[0]
            if container not in containers:
                containers.append(container)
        if len(containers) > 1:
            return _error(400, "All segments must be in one container. Found segments in %s"
                          % ", ".join('"%s"' % c for c in containers), HTML)
        for seg in segments:
            post = sub_request(self.app, env, "POST", "/v1/%s%s" % (account, seg),
                               headers={"X-Delete-After": "1"}, source=SOURCE)
            close_response(post)
            if post.status_int // 100 != 2 and post.status_int != 404:
                return swift_error(post.status_int)  # the manifest stays: try again
        gone = sub_request(self.app, env, "DELETE", "/v1/%s%s" % (account, name),
                           query=version, source=SOURCE)
        close_response(gone)
        if gone.status_int // 100 != 2:
            return swift_error(gone.status_int)
        return swift_error(204)  # empty, text/html as Swift's

    def _delete_tree(self, env: Dict[str, Any], account: str, name: str,
                     counts: Dict[str, int], errors: List[List[str]], depth: int,
                     top: bool = False, query: str = "") -> None:
        """Delete the SLO ``name``'s segments (nested ones too), then it
        (``query``: the client's, naming one version of it)."""
        path = "/v1/%s%s" % (account, name)
        resp = sub_request(self.app, env, "GET", path, query=query, source=SOURCE)
        if resp.status_int == 404:
            counts["not_found"] += 1
            return
        if resp.status_int != 200:
            errors.append([name, resp.status])
            close_response(resp)
            return
        if not is_slo(resp.headers):
            close_response(resp)
            if top:
                errors.append([name, "Not an SLO manifest"])
                return
        else:
            try:
                entries = sm.decode_stored(self.reader.read_manifest(resp))
            except sm.ManifestError as err:
                errors.append([name, str(err)])
                return
            for entry in entries:
                if entry.data is not None:
                    continue
                if entry.sub_slo and depth + 1 < self.max_depth:
                    self._delete_tree(env, account, entry.name, counts, errors, depth + 1)
                else:
                    self._delete_one(env, account, entry.name, counts, errors)
        self._delete_one(env, account, name, counts, errors, query)

    def _delete_one(self, env: Dict[str, Any], account: str, name: str,
                    counts: Dict[str, int], errors: List[List[str]], query: str = "") -> None:
        resp = sub_request(self.app, env, "DELETE", "/v1/%s%s" % (account, name),
                           query=query, source=SOURCE)
        close_response(resp)
        if resp.status_int // 100 == 2:
            counts["deleted"] += 1
        elif resp.status_int == 404:
            counts["not_found"] += 1
        else:
            errors.append([name, resp.status])


def _version_query(env: Dict[str, Any]) -> str:
    """The client's ``version-id`` as a query (or ``""``): a manifest
    deleted with ``?multipart-manifest=delete&version-id=`` is that version
    of it (read and deleted by id), its segments are the objects they name."""
    version = parse_qs(env.get("QUERY_STRING", ""), keep_blank_values=True).get("version-id")
    return urlencode({"version-id": version[0]}) if version else ""


def _iso(http_date: str) -> str:
    """A listing-style ``last_modified`` from a Last-Modified header."""
    from email.utils import parsedate_to_datetime
    try:
        return parsedate_to_datetime(http_date).strftime("%Y-%m-%dT%H:%M:%S.%f")
    except (TypeError, ValueError):
        return ""


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: StaticLargeObject(app, conf)
