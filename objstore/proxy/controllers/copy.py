"""Server-side copy: ``COPY`` with ``Destination`` and ``PUT`` with
``X-Copy-From``, optionally across accounts.

The source is read with a GET and streamed into the destination PUT, so a
copy of any size needs a few chunks of memory. Both halves are authorized
as the client's own requests: reading the source needs read access there,
writing the destination needs write access there.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional
from urllib.parse import quote

from webob import Request, Response

from objstore.common import constraints
from objstore.common.config import config_true_value
from objstore.common.http.wsgi_str import str_to_wsgi
from objstore.proxy import obj_headers
from objstore.proxy.controllers.base import error_response
from objstore.proxy.obj_headers import HeaderError

ORIGINAL_AUTHORIZE = "objstore.original_authorize"
_SUBREQUEST_ENV = ("swift.cache", "swift.infocache", "swift.trans_id", "objstore.local_cache",
                   "swift.clean_acl", "REMOTE_USER", "reseller_request",
                   "HTTP_X_AUTH_TOKEN", "HTTP_X_STORAGE_TOKEN", "SERVER_NAME", "SERVER_PORT",
                   "wsgi.url_scheme", "SERVER_PROTOCOL", "HTTP_HOST")
_DROPPED_ON_COPY = ("destination", "destination-account", "x-copy-from",
                    "x-copy-from-account", "content-length", "transfer-encoding", "etag",
                    "range", "if-match", "if-none-match", "if-modified-since",
                    "if-unmodified-since", "x-fresh-metadata")


class _IterReader:
    """A file-like ``wsgi.input`` over an iterator of chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buf = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buf) < size:
            try:
                self._buf += next(self._chunks)
            except StopIteration:
                break
        if size < 0:
            data, self._buf = self._buf, b""
        else:
            data, self._buf = self._buf[:size], self._buf[size:]
        return data


def _sub_env(env: Dict[str, Any], method: str, account: str, container: str,
             obj: str) -> Dict[str, Any]:
    sub = {key: env[key] for key in _SUBREQUEST_ENV if key in env}
    sub["REQUEST_METHOD"] = method
    sub["PATH_INFO"] = str_to_wsgi("/v1/%s/%s/%s" % (account, container, obj))
    sub["SCRIPT_NAME"] = ""
    sub["QUERY_STRING"] = ""
    authorize = env.get(ORIGINAL_AUTHORIZE, env.get("swift.authorize"))
    if authorize is not None:
        sub["swift.authorize"] = authorize
        sub[ORIGINAL_AUTHORIZE] = authorize
    sub["swift.source"] = "COPY"
    return sub


def copy_to_destination(controller: Any, req: Request) -> Response:
    """``COPY`` = ``PUT`` on the destination with ``X-Copy-From`` = us."""
    try:
        account, container, obj = obj_headers.copy_destination(req.headers,
                                                               controller.account_name)
    except (HeaderError, UnicodeDecodeError) as err:
        return error_response(getattr(err, "status", 412), str(err))
    env = _sub_env(req.environ, "PUT", account, container, obj)
    for key, value in req.headers.items():
        if key.lower() not in _DROPPED_ON_COPY:
            env["HTTP_" + key.upper().replace("-", "_")] = value
    env.pop("HTTP_CONTENT_TYPE", None)
    if "Content-Type" in req.headers:
        env["CONTENT_TYPE"] = req.headers["Content-Type"]
    env["CONTENT_LENGTH"] = "0"
    env["wsgi.input"] = _IterReader(iter(()))
    env["HTTP_X_COPY_FROM"] = quote("/%s/%s" % (controller.container_name,
                                                 controller.object_name))
    env["HTTP_X_COPY_FROM_ACCOUNT"] = quote(controller.account_name)
    if "X-Fresh-Metadata" in req.headers:
        env["HTTP_X_FRESH_METADATA"] = req.headers["X-Fresh-Metadata"]
    return controller.app.handle_request(Request(env))


def copy_into(controller: Any, req: Request) -> Response:
    """``PUT`` with ``X-Copy-From``: read the source, write it here."""
    try:
        source = obj_headers.copy_source(req.headers, controller.account_name)
    except (HeaderError, UnicodeDecodeError) as err:
        return error_response(getattr(err, "status", 412), str(err))
    assert source is not None
    src_account, src_container, src_obj = source
    if req.headers.get("Content-Length") not in (None, "0"):
        return error_response(400, "A copy request must have no body (Content-Length: 0)")
    get_env = _sub_env(req.environ, "GET", src_account, src_container, src_obj)
    src_resp = controller.app.handle_request(Request(get_env))
    if not 200 <= src_resp.status_int < 300:
        if src_resp.status_int == 404:
            return error_response(404, "Not Found: copy source /%s/%s/%s does not exist"
                                  % (src_account, src_container, src_obj))
        return src_resp
    length = src_resp.headers.get("Content-Length")
    if length is not None and int(length) > constraints.LIMITS["max_file_size"]:
        _close(src_resp)
        return error_response(413, "Your request is too large.")
    fresh = config_true_value(req.headers.get("X-Fresh-Metadata", ""))
    put_env = dict(req.environ)
    for key in list(put_env):
        if key.startswith("HTTP_") and key[5:].replace("_", "-").lower() in _DROPPED_ON_COPY:
            del put_env[key]
    put_env.pop("CONTENT_LENGTH", None)
    put_env.pop("CONTENT_TYPE", None)
    put_req = Request(put_env)
    carried = obj_headers.metadata_from_source(src_resp.headers, fresh)
    for key, value in carried.items():
        if key.lower() == "content-type" and "Content-Type" in req.headers:
            continue
        if key not in req.headers:
            put_req.headers[key] = value
    if "Content-Type" in req.headers:
        put_req.headers["Content-Type"] = req.headers["Content-Type"]
    if length is not None:
        put_req.headers["Content-Length"] = length
    else:
        put_req.headers["Transfer-Encoding"] = "chunked"
    src_etag = src_resp.headers.get("Etag", "").strip('"')
    if src_etag and len(src_etag) == 32:
        put_req.headers["ETag"] = src_etag
    put_req.environ["wsgi.input"] = _IterReader(src_resp.app_iter)
    message = constraints.check_metadata(put_req.headers, "object")
    if message:
        _close(src_resp)
        return error_response(400, message)
    try:
        timestamp = controller._timestamp(req)
        obj_headers.delete_at(put_req.headers)
    except HeaderError as err:
        _close(src_resp)
        return error_response(err.status, str(err))
    except ValueError as err:
        _close(src_resp)
        return error_response(400, "Bad X-Timestamp: %s" % err)
    info, bad = controller._writable_container(put_req)
    if bad:
        _close(src_resp)
        return bad
    resp = controller.put_body(put_req, info, timestamp)
    _close(src_resp)
    if 200 <= resp.status_int < 300:
        resp.headers["X-Copied-From"] = quote("%s/%s" % (src_container, src_obj))
        resp.headers["X-Copied-From-Account"] = quote(src_account)
        last_modified: Optional[str] = src_resp.headers.get("Last-Modified")
        if last_modified:
            resp.headers["X-Copied-From-Last-Modified"] = last_modified
    return resp


def _close(resp: Response) -> None:
    close = getattr(resp.app_iter, "close", None)
    if close is not None:
        try:
            close()
        except Exception:
            pass
