"""One access-log line per request, written when the response is done.

The line (space-separated, each field URL-quoted, ``-`` when empty)::

    client_ip remote_addr datetime method path protocol status referer
    user_agent auth_token bytes_recvd bytes_sent etag txn_id headers
    request_time source log_info start_time end_time policy_index

With ``log_statsd_host`` set, each logged request of an account,
container or object (``/v1/...``; a subrequest too, as its log line) also
sends Swift's StatsD metrics ``proxy-server.<type>.<verb>.<status>.timing``
(milliseconds) and ``.xfer`` (bytes received + sent); ``<verb>`` is
``BAD_METHOD`` outside ``valid_methods``. The dashboard's traffic view
reads them.

Bytes are counted by wrapping ``wsgi.input`` and the response iterator, so
nothing is buffered and the time covers the whole transfer. A client that
goes away mid-body is logged as ``499``.

The filter usually appears twice. The left one logs the client's request
and marks the environ (``swift.proxy_access_log_made``); the right one then
passes that request through untouched, but logs the subrequests that
middlewares in between make (they get fresh environs), tagged with their
``swift.source``.
"""

from __future__ import annotations

import re
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import quote

from objstore.common import logs
from objstore.common.config import config_int, config_true_value
from objstore.common.http.paths import split_swift_path
from objstore.common.statsd import client_from_conf
from objstore.common.utils import close_if_possible

LOGGED_KEY = "swift.proxy_access_log_made"
_SAFE = "/:;=?&@!$'()*+,~-._[]"
#: a field of only these characters is logged as it is (``quote`` keeps them)
_PLAIN = re.compile(r"[A-Za-z0-9_.~/:;=?&@!$'()*+,\[\]-]*\Z")
#: the fields of a line joined by NUL (which no plain field holds), all
#: of them plain: the line is the fields as they are
_PLAIN_FIELDS = re.compile(r"[A-Za-z0-9_.~/:;=?&@!$'()*+,\[\]\x00-]*\Z")
DEFAULT_TOKEN_REVEAL = 16
DEFAULT_VALID_METHODS = "GET,HEAD,POST,PUT,DELETE,COPY,OPTIONS"


def _field(value: Any) -> str:
    """One field, URL-quoted. Values from the WSGI environ are WSGI strings
    (each received byte one character), quoted as those bytes: a path of
    UTF-8 ``é`` is logged ``%C3%A9`` as Swift logs it, not quoted twice."""
    if value is None or value == "":
        return "-"
    text = str(value)
    if _PLAIN.match(text):  # nothing to quote (most fields of most lines)
        return text
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:  # not a WSGI string: real text
        raw = text.encode("utf-8")
    return quote(raw, safe=_SAFE)


class _CountingInput:
    """``wsgi.input`` that counts the bytes the app reads."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.count = 0

    def read(self, *args: Any) -> bytes:
        data = self.wrapped.read(*args)
        self.count += len(data)
        return data

    def readline(self, *args: Any) -> bytes:
        data = self.wrapped.readline(*args)
        self.count += len(data)
        return data

    def readlines(self, *args: Any) -> List[bytes]:
        lines = self.wrapped.readlines(*args)
        self.count += sum(len(line) for line in lines)
        return lines

    def __iter__(self) -> Iterator[bytes]:
        for line in self.wrapped:
            self.count += len(line)
            yield line


class ProxyLoggingMiddleware:
    """Write the access log line for each request (see module docstring)."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.access_logger = logs.get_logger({
            "log_name": conf.get("access_log_name", "proxy-access"),
            "log_level": conf.get("access_log_level", "INFO"),
            "log_file": conf.get("access_log_file", conf.get("log_file", "")),
        }, "proxy-access")
        self.log_headers = config_true_value(conf.get("access_log_headers", "false"))
        only = conf.get("access_log_headers_only", "")
        self.headers_only = [h.strip().lower() for h in only.split(",") if h.strip()]
        self.reveal_token = config_int(conf, "reveal_sensitive_prefix", DEFAULT_TOKEN_REVEAL, 0)
        self.statsd = client_from_conf(conf, "proxy-server")
        self.valid_methods = {m.strip().upper() for m in conf.get(
            "valid_methods", DEFAULT_VALID_METHODS).split(",") if m.strip()}

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if env.get(LOGGED_KEY):
            return self.app(env, start_response)
        env[LOGGED_KEY] = True
        start = time.time()
        counter = _CountingInput(env["wsgi.input"]) if "wsgi.input" in env else None
        if counter is not None:
            env["wsgi.input"] = counter
        # Taken before the app runs: later middlewares may rewrite the path.
        req_info = {"method": env.get("REQUEST_METHOD", "-"),
                    "path": env.get("PATH_INFO", "") + (
                        "?" + env["QUERY_STRING"] if env.get("QUERY_STRING") else ""),
                    "type": metric_type(env)}
        state: Dict[str, Any] = {"status": None, "headers": []}

        def logging_start_response(status: str, headers: List[Tuple[str, str]],
                                   exc_info: Any = None) -> Any:
            state["status"] = int(status.split(" ", 1)[0])
            state["headers"] = headers
            return start_response(status, headers, exc_info)

        try:
            app_iter = self.app(env, logging_start_response)
        except Exception:
            self.log_request(env, req_info, 500, [], counter, 0, start)
            raise
        return _LoggedBody(self, env, req_info, state, counter, app_iter, start)

    def log_request(self, env: Dict[str, Any], req_info: Dict[str, str], status: int,
                    resp_headers: List[Tuple[str, str]], counter: Optional[_CountingInput],
                    bytes_sent: int, start: float) -> None:
        """Write the line; never raises (logging must not fail a request)."""
        try:
            # the line as logger.info writes it, without its LogRecord and
            # Formatter when the logger is get_logger's own (common/logs.info)
            logs.info(self.access_logger, self.log_line(
                env, req_info, status, resp_headers, counter.count if counter else 0,
                bytes_sent, start, time.time()))
        except Exception:  # pragma: no cover - a broken log handler
            pass
        if self.statsd is not None and req_info.get("type"):
            method = req_info["method"] if req_info["method"] in self.valid_methods \
                else "BAD_METHOD"
            name = "%s.%s.%s" % (req_info["type"], method, status)
            self.statsd.timing(name + ".timing", (time.time() - start) * 1000.0)
            self.statsd.update_stats(name + ".xfer",
                                     (counter.count if counter else 0) + bytes_sent)

    def log_line(self, env: Dict[str, Any], req_info: Dict[str, str], status: int,
                 resp_headers: List[Tuple[str, str]], bytes_recvd: int, bytes_sent: int,
                 start: float, end: float) -> str:
        """The access-log line for one finished request."""
        remote_addr = env.get("REMOTE_ADDR")
        forwarded = env.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        client_ip = forwarded or env.get("HTTP_X_CLUSTER_CLIENT_IP") or remote_addr
        token = env.get("HTTP_X_AUTH_TOKEN") or env.get("HTTP_X_STORAGE_TOKEN")
        if token and len(token) > self.reveal_token:
            token = token[:self.reveal_token] + "..."
        lower = {k.lower(): v for k, v in resp_headers}
        policy = lower.get("x-backend-storage-policy-index") or env.get(
            "HTTP_X_BACKEND_STORAGE_POLICY_INDEX")
        headers = None
        if self.log_headers:
            pairs = [(k[5:].replace("_", "-").title(), v) for k, v in env.items()
                     if k.startswith("HTTP_")]
            if self.headers_only:
                pairs = [(k, v) for k, v in pairs if k.lower() in self.headers_only]
            headers = "\n".join("%s: %s" % pair for pair in sorted(pairs))
        log_info = env.get("swift.log_info")
        fields = [
            client_ip, remote_addr,
            time.strftime("%d/%b/%Y/%H/%M/%S", time.gmtime(end)),
            req_info["method"], req_info["path"], env.get("SERVER_PROTOCOL"), status,
            env.get("HTTP_REFERER"), env.get("HTTP_USER_AGENT"), token,
            bytes_recvd, bytes_sent, env.get("HTTP_ETAG"), env.get("swift.trans_id"),
            headers, "%.4f" % (end - start), env.get("swift.source"),
            ",".join(log_info) if log_info else None,
            "%.9f" % start, "%.9f" % end, policy,
        ]
        return _fields_line(fields)


def _fields_line(fields: List[Any]) -> str:
    """The fields, each as :func:`_field` gives it, joined by spaces: in
    one pass over the line when no field needs quoting (most lines: a
    field call per field was a fifth of the line's cost), else field by
    field."""
    texts = ["-" if f is None or f == "" else str(f) for f in fields]
    joined = "\x00".join(texts)
    if _PLAIN_FIELDS.match(joined) and joined.count("\x00") == len(texts) - 1:
        return joined.replace("\x00", " ")
    return " ".join(_field(f) for f in fields)


def metric_type(env: Dict[str, Any]) -> Optional[str]:
    """``account``, ``container`` or ``object`` for a ``/v1/...`` request
    (the ``<type>`` of its StatsD metrics), None for any other path."""
    target = split_swift_path(env)
    if target is None:
        return None
    return "object" if target[2] else "container" if target[1] else "account"


class _LoggedBody:
    """The response body, counted as it streams; logs once on close."""

    def __init__(self, mw: ProxyLoggingMiddleware, env: Dict[str, Any],
                 req_info: Dict[str, str], state: Dict[str, Any],
                 counter: Optional[_CountingInput], app_iter: Iterable[bytes],
                 start: float) -> None:
        self.mw = mw
        self.env = env
        self.req_info = req_info
        self.state = state
        self.counter = counter
        self.app_iter = app_iter
        self.start = start
        self.sent = 0
        self.finished = False
        self.failed = False
        self.logged = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self.app_iter:
                self.sent += len(chunk)
                yield chunk
        except Exception:
            self.failed = True
            self._log()
            raise
        # Logged at close(), which the server calls after it sent the answer:
        # an answer with a short or empty body (HEAD, 201, 204) is held back
        # until the body ends, so logging here would delay it by the log
        # line and its StatsD sends.
        self.finished = True

    def __del__(self) -> None:
        if self.finished and not self.logged:  # read whole but never closed
            self._log()

    def _log(self) -> None:
        if self.logged:
            return
        self.logged = True
        status = self.state["status"] or 500
        if self.failed:
            status = 500
        elif not self.finished and self.env.get("REQUEST_METHOD") != "HEAD" and self.sent:
            status = 499  # the client went away mid-body
        self.mw.log_request(self.env, self.req_info, status, self.state["headers"],
                            self.counter, self.sent, self.start)

    def close(self) -> None:
        try:
            close_if_possible(self.app_iter)
        finally:
            self._log()


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: ProxyLoggingMiddleware(app, conf)
