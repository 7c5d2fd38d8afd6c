"""The outermost middleware: a transaction id for every request, and no
exception ever reaches the WSGI server as a traceback.

Every response carries ``X-Trans-Id`` (and the same value as
``X-Openstack-Request-Id``) so a user's bug report can be matched to log
lines. An exception before the response started becomes a short ``500``
naming the transaction id; the traceback goes to the log under that id.
A response whose body is shorter than its ``Content-Length`` is cut off by
raising, so the server drops the connection rather than letting the client
wait for bytes that never come; a longer one is truncated.

It is also the one place that keeps response splitting out: every header
of every response is checked (``objstore.common.http.headers``) before it
reaches the server, and a response carrying CR, LF or another control
character in a header is replaced by a ``500`` — the header never reaches
the wire, whichever middleware or backend produced it.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import quote

from objstore.common import logs
from objstore.common.http.headers import UnsafeHeader, check_headers
from objstore.common.utils import close_if_possible, generate_trans_id

TRANS_ID_HEADERS = ("X-Trans-Id", "X-Openstack-Request-Id")
MAX_TRANS_ID_EXTRA = 32
_NO_BODY_STATUSES = (204, 304)


class BodyLengthError(Exception):
    """The app sent fewer body bytes than its Content-Length promised."""


class CatchErrorsMiddleware:
    """Assign ``swift.trans_id``, stamp it on responses, turn errors to 500s."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.logger = logs.get_logger(conf, "proxy-server")
        self.trans_id_suffix = conf.get("trans_id_suffix", "").strip()

    def _trans_id(self, env: Dict[str, Any]) -> str:
        extra = env.get("HTTP_X_TRANS_ID_EXTRA", "")
        suffix = self.trans_id_suffix
        if extra:
            suffix += "-" + quote(extra[:MAX_TRANS_ID_EXTRA], safe="")
        return generate_trans_id(suffix)

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        trans_id = env.get("swift.trans_id") or self._trans_id(env)
        env["swift.trans_id"] = trans_id
        logs.set_txn_id(trans_id)
        state: Dict[str, Any] = {"started": False, "length": None, "status": 0,
                                 "unsafe": None}

        def stamped_start_response(status: str, headers: List[Tuple[str, str]],
                                   exc_info: Any = None) -> Any:
            try:
                check_headers([("Status", status)] + list(headers))
            except UnsafeHeader as err:
                # Not sent: __call__ answers a 500 instead (the app may
                # swallow an exception raised here, so it is only noted).
                state["unsafe"] = str(err)
                return lambda _data: None
            state["unsafe"] = None
            kept = []
            for name, value in headers:
                lname = name.lower()
                if lname in ("x-trans-id", "x-openstack-request-id"):
                    continue
                if lname == "content-length":
                    if not value.strip().isdigit():
                        continue  # an odd length is worse than none
                    state["length"] = int(value)
                kept.append((name, value))
            kept.extend((name, trans_id) for name in TRANS_ID_HEADERS)
            state["started"] = True
            state["status"] = int(status.split(" ", 1)[0])
            return start_response(status, kept, exc_info)

        try:
            app_iter = self.app(env, stamped_start_response)
            chunks = iter(app_iter)
            first: Optional[bytes] = next(chunks, None)  # apps may start lazily
        except Exception:
            self.logger.exception("%s %s failed", env.get("REQUEST_METHOD"),
                                  env.get("PATH_INFO"))
            if state["started"]:
                raise
            return self._error(trans_id, start_response)
        if state["unsafe"] is not None:
            self.logger.error("%s %s: response refused, %s", env.get("REQUEST_METHOD"),
                              env.get("PATH_INFO"), state["unsafe"])
            close_if_possible(app_iter)
            return self._error(trans_id, start_response)
        expected = state["length"]
        if env.get("REQUEST_METHOD") == "HEAD" or state["status"] in _NO_BODY_STATUSES \
                or state["status"] < 200:
            expected = None
        if expected is None and isinstance(app_iter, list):
            return app_iter  # whole already, nothing to hold it to
        if expected is None and env.get("REQUEST_METHOD") != "HEAD":
            return _CheckedBody(app_iter, chunks, first, expected, self.logger)
        return _SizedBody(app_iter, chunks, first, expected, self.logger)

    def _error(self, trans_id: str, start_response: Callable[..., Any]) -> List[bytes]:
        body = ("An error occurred; transaction id %s\n" % trans_id).encode("utf-8")
        headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
        headers.extend((name, trans_id) for name in TRANS_ID_HEADERS)
        start_response("500 Internal Server Error", headers)
        return [body]


class _CheckedBody:
    """The app's body, held to its Content-Length; always closes the app's
    iterator, as WSGI requires."""

    def __init__(self, app_iter: Iterable[bytes], chunks: Iterator[bytes],
                 first: Optional[bytes], expected: Optional[int], logger: Any) -> None:
        self.app_iter = app_iter
        self.chunks = chunks
        self.first = first
        self.expected = expected
        self.logger = logger

    def __iter__(self) -> Iterator[bytes]:
        sent = 0
        chunk = self.first
        while chunk is not None:
            if self.expected is not None and sent + len(chunk) > self.expected:
                self.logger.error("body longer than Content-Length %d; truncated",
                                  self.expected)
                chunk = chunk[:self.expected - sent]
                sent += len(chunk)
                if chunk:
                    yield chunk
                return
            sent += len(chunk)
            if chunk:
                yield chunk
            try:
                chunk = next(self.chunks, None)
            except Exception:
                self.logger.exception("error while sending the response body")
                raise
        if self.expected is not None and sent < self.expected:
            self.logger.error("body ended after %d of %d bytes (Content-Length); "
                              "dropping the connection", sent, self.expected)
            raise BodyLengthError("body ended after %d of %d bytes" % (sent, self.expected))

    def close(self) -> None:
        close_if_possible(self.app_iter)


class _SizedBody(_CheckedBody):
    """A body whose length is known (its Content-Length; none for HEAD).

    The server takes a body with a length (``__len__``, as a list has) for
    a complete answer: given without reading a request body the client was
    told to wait to send (``Expect: 100-continue``), the answer then says
    ``Connection: close``, as Swift's does, instead of the connection just
    ending after it."""

    def __len__(self) -> int:
        return self.expected or 0


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: CatchErrorsMiddleware(app, conf)
