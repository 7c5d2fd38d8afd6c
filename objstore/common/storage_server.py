"""The shell every storage server (object, container, account) runs in.

A storage server is a WSGI app that adds its verbs to this shell; the shell
owns what must be the same on all three so the proxy and the daemons see
one behaviour:

* the transaction id: the proxy's ``X-Trans-Id`` (or a new one) is set for
  the log lines of the request and echoed on the answer;
* ``/healthcheck`` and the 405 (with ``Allow``) for a verb the server lacks;
* path validation: a path that is not valid UTF-8 or holds a NUL is 412
  "Invalid UTF8 or contains NULL" (as the proxy answers), a malformed one
  400, an unusable device 507;
* error mapping: a handler raises :class:`HTTPError` (or a webob HTTP
  exception) from any depth and the shell answers it in Swift's form;
  anything else is logged with its traceback and answered 500;
* one access log line per request, written when the body has been sent
  (so it carries the bytes really sent and the full duration).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence
from urllib.parse import quote

from webob import Request, Response
from webob.exc import HTTPException

from objstore.common import logs
from objstore.common.http import errors
from objstore.common.http.wsgi_str import InvalidName, decode_name, wsgi_to_bytes
from objstore.common.logs import set_txn_id
from objstore.common.utils import check_drive, close_if_possible, generate_trans_id, split_path


class HTTPError(Exception):
    """A finished error answer, raised from deep inside a handler.

    ``body`` is the one-line reason (the default page of the status if
    empty); ``content_type`` defaults to ``text/plain`` -- the storage
    servers' reasons are read by the proxy and by operators.
    """

    def __init__(self, status: int, body: str = "", headers: Optional[Dict[str, str]] = None,
                 content_type: str = errors.PLAIN) -> None:
        super().__init__(status, body)
        self.status = status
        if body:
            self.response = errors.swift_error(status, body, headers, content_type)
        else:
            self.response = errors.swift_error(status, headers=headers)


class LoggedBody:
    """Counts what a response sends and calls ``done(bytes_sent)`` at the end."""

    def __init__(self, inner: Iterable[bytes], done: Callable[[int], None]) -> None:
        self.inner = inner
        self.done = done
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close_if_possible(self.inner)
        finally:
            self.done(self.sent)


def log_path(env: Dict[str, Any]) -> str:
    """The request path as it came (percent-quoted): safe for any bytes and
    always one log line."""
    path = quote(wsgi_to_bytes(env.get("PATH_INFO", "")), safe="/:@!$&'()*+,;=~")
    query = env.get("QUERY_STRING")
    return path + ("?" + query if query else "")


def split_target(req: Request, minsegs: int, maxsegs: int,
                 rest_with_last: bool = False) -> List[Optional[str]]:
    """``/<device>/<partition>/...`` as text segments, checked.

    Raises :class:`HTTPError`: 412 for invalid UTF-8 or NUL, 400 for a path
    with the wrong number of segments or a partition that is not a
    non-negative integer.
    """
    try:
        # only the proxy and the daemons reach a storage server: a segment
        # starting with NUL is a reserved name (common/reserved.py)
        path = decode_name(req.environ.get("PATH_INFO", ""), allow_reserved=True)
    except InvalidName:
        raise HTTPError(412, errors.INVALID_UTF8, content_type=errors.HTML) from None
    try:
        segs = split_path(path, minsegs, maxsegs, rest_with_last)
    except ValueError:
        raise HTTPError(400, "Invalid path: %s" % path) from None
    if not str(segs[1]).isdigit():
        raise HTTPError(400, "Invalid partition: %s" % segs[1])
    return segs


def check_device(devices: str, device: str, mount_check: bool) -> str:
    """The device's directory; 507 naming it if it is missing or unmounted."""
    path = check_drive(devices, device, mount_check)
    if path is None:
        raise HTTPError(507, "%s is not mounted" % device)
    return path


def _as_swift_error(err: HTTPException) -> Response:
    """A webob HTTP exception answered as Swift would: its own one-line
    body if it has one, else the status's default page."""
    resp: Response = err  # type: ignore[assignment]
    body = resp.body if resp.app_iter is not None else b""
    headers = {k: v for k, v in resp.headers.items()
               if k.lower() not in ("content-type", "content-length")}
    if body:
        return errors.swift_error(resp.status_int, body.decode("utf-8", "replace"), headers,
                                  errors.PLAIN)
    return errors.swift_error(resp.status_int, headers=headers)


class StorageServer:
    """Base WSGI app of the object, container and account servers.

    Subclasses set ``server_type``, ``allowed_methods`` and ``logger`` and
    implement one method per verb (``GET(req)``...) returning a webob
    response.
    """

    server_type = "storage"
    allowed_methods: Sequence[str] = ()
    logger: Any = None

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.time()
        req = Request(env)
        txn_id = req.headers.get("X-Trans-Id") or generate_trans_id()
        set_txn_id(txn_id)
        try:
            resp = self.dispatch(req)
            if isinstance(resp, HTTPException):
                resp = _as_swift_error(resp)
        except HTTPError as err:
            resp = err.response
        except HTTPException as err:
            resp = _as_swift_error(err)
        except Exception:  # a bug or a disk error: say so, and log the why
            self.logger.exception("ERROR handling %s %s", req.method, log_path(env))
            resp = errors.swift_error(500)
        resp.headers["X-Trans-Id"] = txn_id
        status = resp.status_int

        def done(sent: int) -> None:
            logs.info(self.logger, '%s "%s %s" %d %d "%s" %.4f %s', req.remote_addr or "-",
                      req.method, log_path(env), status, sent,
                      req.headers.get("User-Agent", "-"), time.time() - started, txn_id)

        return LoggedBody(resp(env, start_response), done)

    def dispatch(self, req: Request) -> Response:
        """``/healthcheck``, else the verb's handler (405 if none)."""
        if req.environ.get("PATH_INFO") == "/healthcheck" and req.method in ("GET", "HEAD"):
            return Response(status=200, body=b"OK", content_type="text/plain")
        handler = getattr(self, req.method, None) if req.method in self.allowed_methods else None
        if handler is None:
            return errors.swift_error(405, headers={"Allow": ", ".join(self.allowed_methods)})
        return handler(req)
