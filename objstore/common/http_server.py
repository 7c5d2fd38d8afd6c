"""The HTTP/1.1 connection handler every objstore server runs (eventlet's
``HttpProtocol``, with a lean path for the requests servers get most).

eventlet's handler reads a request through the stdlib's
``BaseHTTPRequestHandler.parse_request``, looks each header it needs up
again in an ``HTTPMessage`` (a linear scan per look-up), asks the kernel
for the socket's own address, builds the answer's head through a list of
small encodes and a buffered file, and touches a green-thread local twice:
about 0.17 ms of CPU per request in every server, before the app runs
(docs/performance.md, session 11). A 4 KiB PUT crosses seven servers.

So a *plain* request, the kind one objstore server sends another and
nearly every client sends, is read here in one step: a request line of
printable ASCII ending ``HTTP/1.0`` or ``HTTP/1.1``, and a head that is
already in the connection's read buffer, every line ``name:value`` with
CRLF, within the configured limits, with at most a decimal
``Content-Length`` and not with ``Transfer-Encoding`` beside it. Its environ
is built straight from the header lines, with what does not change on a
connection (addresses, the server's WSGI keys) computed once. Anything
else (a line the stdlib must judge, a header block ``email`` must read,
a head larger than the buffer, a limit reached, a bad length) goes to
eventlet's own path from the request line on, with objstore's overrides,
so its answers are the ones it always gave. Both paths share the lean
answer writer (``handle_one_response``): the head and a small body in one
send, the ``Date`` string made once a second.
"""

from __future__ import annotations

import http.client
import re
import time
import traceback
import urllib.parse
from typing import Any, Dict, List, Optional, Tuple

from objstore.common.http import header_names
from objstore.common.http.message import plain_header_pairs
from objstore.common.http.request_line import origin_form, split_on_spaces
from objstore.common.utils import generate_trans_id

#: The request's client connection, for ``wsgi.client_gone``.
CLIENT_SOCKET_ENV = "objstore.client_socket"

#: A request line the lean path takes: method and target of printable
#: ASCII, one space each side, HTTP/1.0 or 1.1, CRLF.
_PLAIN_REQUEST_LINE = re.compile(rb"([!-~]+) ([!-~]+) HTTP/1\.([01])\r\n")
#: Header names seen, to their environ keys (``None``: dropped), so each
#: request does not translate them again; bounded in count and in name
#: length, as names are the client's (metadata): at most about 0.5 MiB.
_ENV_KEY_CACHE_MAX = 2048
_ENV_KEY_CACHE_NAME_MAX = 80
#: An answer body up to this size goes in the same send as its head;
#: a larger one is sent after it, without being copied.
_ONE_SEND_MAX = 64 * 1024
#: The environ keys whose first value (unstripped, as the stdlib reads
#: them) frames the request.
_FRAMING = ("CONTENT_LENGTH", "TRANSFER_ENCODING", "CONNECTION")


class _DateHeader:
    """The ``Date`` header line, formatted once per second."""

    def __init__(self) -> None:
        self.second = -1
        self.line = b""

    def get(self, format_date_time: Any) -> str:
        now = int(time.time())
        if now != self.second:
            self.line = "Date: %s\r\n" % format_date_time(now)
            self.second = now
        return self.line


def protocol_class(pool: Any) -> Any:
    """eventlet's protocol with the lean path above, minus its habit of
    inventing ``CONTENT_TYPE: text/plain`` for requests that sent none (the
    proxy must know when to guess an object's type from its name),
    accepting raw UTF-8 in the request line (see :func:`quote_high_bytes`),
    and keeping a path that starts with ``//`` as it was sent (``//v1/a``
    is a 404, as in Swift, not ``/v1/a``), and taking an absolute-form
    target (``http://host/v1/a``) as its path; and a worker that drains
    (``pool.draining``) closes each connection after the request it is
    answering."""
    import eventlet.wsgi as ew

    from objstore.common.concurrency import Timeout

    env_keys: Dict[str, Optional[str]] = {}
    date_header = _DateHeader()
    unquote = urllib.parse.unquote

    class _Protocol(ew.HttpProtocol):
        # the stdlib's default (HTTP/0.9) stays the version of a request
        # whose line it refuses (HTTP/2.0, FOO/1.1), and a 0.9 answer has
        # neither status line nor headers: the client read a bare page
        default_request_version = "HTTP/1.0"
        _error_trans_id: Optional[str] = None
        #: a request line read by the lean path, handed to eventlet's
        _preread: Optional[bytes] = None
        #: the environ entries every request on this connection shares
        _connection_env: Optional[Dict[str, Any]] = None
        #: the request's first ``Connection`` value, as the stdlib reads it
        _connection_header = ""

        def send_error(self, code: int, message: Optional[str] = None,
                       explain: Optional[str] = None) -> None:
            # the stdlib's page for a request line it refuses carries a
            # transaction id as every other answer does (as Swift's)
            self._error_trans_id = generate_trans_id()
            super().send_error(code, message, explain)

        def end_headers(self) -> None:
            txn, self._error_trans_id = self._error_trans_id, None
            if txn:
                self.send_header("X-Trans-Id", txn)
                self.send_header("X-Openstack-Request-Id", txn)
            super().end_headers()

        def handle_one_request(self) -> None:
            if not self._handle_plain_request():
                super().handle_one_request()
            if pool.draining:
                self.close_connection = 1

        def _read_request_line(self) -> Any:
            line, self._preread = self._preread, None
            if line is not None:
                return line
            return super()._read_request_line()

        # -- the lean path ---------------------------------------------

        def _handle_plain_request(self) -> bool:
            """Serve one plain request; ``False`` (the request line kept
            for eventlet's path, nothing else read) for any other."""
            server = self.server
            if server.max_http_version:
                self.protocol_version = server.max_http_version
            raw = ew.HttpProtocol._read_request_line(self)
            line = None
            if raw and len(raw) < server.url_length_limit:
                # busy from here (as eventlet marks it): a draining server
                # must not close it while its head is read
                self.conn_state[2] = ew.STATE_REQUEST
                line = _PLAIN_REQUEST_LINE.fullmatch(raw)
            head = self._plain_head() if line is not None else None
            if head is None:
                self._preread = raw
                return False
            size, pairs = head
            framing: Dict[str, str] = {}
            env = self._plain_environ(line, pairs, framing)
            length = framing.get("CONTENT_LENGTH")
            if length is not None and ("TRANSFER_ENCODING" in framing
                                       or not (length.isascii() and length.isdigit())):
                self._preread = raw  # eventlet's answers (400) and logs
                return False
            self.rfile.read(size)
            self.raw_requestline = raw
            self.requestline = raw[:-2].decode("latin-1")
            self.request_version = version = "HTTP/1.1" if line.group(3) == b"1" else "HTTP/1.0"
            self.close_connection = not (version == "HTTP/1.1"
                                         and self.protocol_version >= "HTTP/1.1")
            conntype = framing.get("CONNECTION", "").lower()
            self._connection_header = conntype
            if conntype == "close":
                self.close_connection = True
            elif conntype == "keep-alive" and self.protocol_version >= "HTTP/1.1":
                self.close_connection = False
            message = http.client.HTTPMessage()
            message._headers = pairs
            message._payload = ""
            self.headers = message
            self._finish_environ(env, framing)
            self.environ = env
            self.application = server.app
            try:
                server.outstanding_requests += 1
                try:
                    self.handle_one_response()
                except OSError as err:
                    if ew.support.get_errno(err) not in ew.BROKEN_SOCK:
                        raise
            finally:
                server.outstanding_requests -= 1
            return True

        def _plain_head(self) -> Optional[Tuple[int, List[Tuple[str, str]]]]:
            """The head's size and ``(name, value)`` pairs when all of it
            is in the read buffer, plain and within every limit (without
            reading it); ``None`` otherwise."""
            buf = self.rfile.peek(1)
            if buf[:2] == b"\r\n":
                return 2, []
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return None
            size = end + 4
            if (size >= ew.MAX_HEADER_LINE or size > ew.MAX_TOTAL_HEADER_SIZE
                    or size > http.client._MAXLINE):  # type: ignore[attr-defined]
                return None  # eventlet's path reads it line by line and judges
            block = buf[:end + 2]
            lines = block.count(b"\n")
            if lines + 1 > http.client._MAXHEADERS:  # type: ignore[attr-defined]
                return None
            pairs = plain_header_pairs(block, lines)
            return None if pairs is None else (size, pairs)

        def _plain_environ(self, line: Any, pairs: List[Tuple[str, str]],
                           framing: Dict[str, str]) -> Dict[str, Any]:
            """The environ eventlet's ``get_environ`` (and objstore's
            override of it) would build, less ``wsgi.input``; ``framing``
            gets the first value of each header in ``_FRAMING``."""
            shared = self._connection_env
            if shared is None:
                shared = self._connection_env = self._shared_environ()
            env = shared.copy()
            env["REQUEST_METHOD"] = self.command = line.group(1).decode("ascii")
            self.path = target = origin_form(line.group(2).decode("ascii"))
            path, query, qs = target.partition("?")
            env["RAW_PATH_INFO"] = path
            env["PATH_INFO"] = unquote(path, encoding="latin1")
            if query:
                env["QUERY_STRING"] = qs
            headers_raw = []
            for name, value in pairs:
                try:
                    key = env_keys[name]
                except KeyError:
                    key = self.formalize_key_naming(name)
                    if key is not None:
                        key = "HTTP_" + key
                    if (len(env_keys) < _ENV_KEY_CACHE_MAX
                            and len(name) <= _ENV_KEY_CACHE_NAME_MAX):
                        env_keys[name] = key
                stripped = value.strip(" \t\n\r")
                headers_raw.append((name, stripped))
                if key is None:
                    continue
                if key == "HTTP_CONTENT_TYPE" or key == "HTTP_CONTENT_LENGTH":
                    # not HTTP_ prefixed, and (as the stdlib's get) the
                    # first value as read
                    if key[5:] not in env:
                        env[key[5:]] = value
                        if key == "HTTP_CONTENT_LENGTH":
                            framing["CONTENT_LENGTH"] = value
                    continue
                if key in env:
                    env[key] += "," + stripped
                else:
                    env[key] = stripped
                    if key[5:] in _FRAMING:
                        framing[key[5:]] = value
            env["headers_raw"] = tuple(headers_raw)
            return env

        def _finish_environ(self, env: Dict[str, Any], framing: Dict[str, str]) -> None:
            """The body's reader and the hooks, as eventlet's ``get_environ``."""
            if env.get("HTTP_EXPECT", "").lower() == "100-continue":
                wfile, wfile_line = self.wfile, b"HTTP/1.1 100 Continue\r\n"
            else:
                wfile = wfile_line = None
            chunked = env.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
            length = framing.get("CONTENT_LENGTH")
            if not chunked and length is None:
                length = "0"
            env["wsgi.input"] = env["eventlet.input"] = ew.Input(
                self.rfile, length, self.connection, wfile=wfile, wfile_line=wfile_line,
                chunked_input=chunked)
            env["eventlet.posthooks"] = []
            env["eventlet.set_idle"] = self._set_idle
            env[CLIENT_SOCKET_ENV] = self.connection

        def _set_idle(self) -> None:
            self.conn_state[2] = ew.STATE_IDLE

        def _shared_environ(self) -> Dict[str, Any]:
            env = self.server.get_environ()
            env["SCRIPT_NAME"] = ""
            env["SERVER_PROTOCOL"] = "HTTP/1.0"
            server_addr = ew.addr_to_host_port(self.request.getsockname())
            env["SERVER_NAME"] = server_addr[0]
            env["SERVER_PORT"] = str(server_addr[1])
            client_addr = ew.addr_to_host_port(self.client_address)
            env["REMOTE_ADDR"] = client_addr[0]
            env["REMOTE_PORT"] = str(client_addr[1])
            env["GATEWAY_INTERFACE"] = "CGI/1.1"
            return env

        # -- eventlet's path, with objstore's rules --------------------

        def parse_request(self) -> bool:
            line, version, refusal = split_on_spaces(self.raw_requestline)
            self.raw_requestline = line
            if refusal is not None:
                self.command = None
                self.request_version = self.default_request_version
                self.close_connection = True
                self.requestline = line.decode("latin-1").rstrip("\r\n")
                self.send_error(*refusal)
                return False
            words = self.raw_requestline.split(b" ")
            if not super().parse_request():
                return False
            if version is not None:
                # the version word as sent (Swift's): only ``HTTP/1.1``
                # itself keeps a connection open
                self.request_version = version
            if len(words) == 3 and words[1].startswith(b"//"):
                # The stdlib collapses a leading "//" (a guard for file
                # servers); names are opaque here: keep the path as sent.
                self.path = words[1].decode("latin-1")
            self.path = origin_form(self.path)
            return True

        def formalize_key_naming(self, k: str) -> Optional[str]:
            # eventlet's rule (a name with "_" is dropped: it would pass
            # for the same name with "-"), with ASCII letters only
            # upper-cased (``common/http/header_names``): str.upper() made
            # a UTF-8 name (X-Object-Meta-👍) invalid, answered 400
            if "_" in k:
                return None
            return header_names.ascii_upper(k.replace("-", "_"))

        def get_environ(self) -> Dict[str, Any]:
            env = super().get_environ()
            if self.headers.get("content-type") is None:
                env.pop("CONTENT_TYPE", None)
            env[CLIENT_SOCKET_ENV] = self.connection
            self._connection_header = self.headers.get("Connection", "").lower()
            return env

        # -- the answer, both paths ------------------------------------

        def handle_one_response(self) -> None:
            """eventlet's ``handle_one_response`` (its framing, keep-alive,
            ``100 Continue`` and error rules), writing each piece with one
            send; without its access log (``log_output``: objstore's apps
            log) and its websocket hand-over (no objstore app has one)."""
            if self.server.log_output:
                super().handle_one_response()
                return
            env = self.environ
            request_input = env["eventlet.input"]
            # a body in a coding this server does not read (``gzip``,
            # ``gzip, chunked``): where it ends is unknown, so the
            # connection ends with this answer (RFC 9112 6.1) instead of
            # reading the body as the next request, as eventlet would
            unframed = "HTTP_TRANSFER_ENCODING" in env and not request_input.chunked_input
            headers_set: List[Any] = []
            headers_sent: List[int] = []
            request_input.headers_sent = headers_sent
            sock = self.connection
            command = self.command
            result = None
            chunked = False
            bodyless = False

            def write(data: bytes) -> None:
                nonlocal chunked
                if not headers_set:
                    raise AssertionError("write() before start_response()")
                if headers_sent:
                    if chunked:
                        data = b"%x\r\n%s\r\n" % (len(data), data)
                    sock.sendall(data)
                    return
                headers_sent.append(1)
                head, chunked = self._response_head(headers_set[0], headers_set[1], bodyless)
                if chunked:
                    data = b"%x\r\n%s\r\n" % (len(data), data)
                if len(data) <= _ONE_SEND_MAX:
                    sock.sendall(head + data)
                else:
                    sock.sendall(head)
                    sock.sendall(data)

            def start_response(status: str, response_headers: List[Any],
                               exc_info: Any = None) -> Any:
                nonlocal bodyless
                code = int(status.split(" ", 1)[0])
                if exc_info:
                    try:
                        if headers_sent:
                            raise exc_info[1].with_traceback(exc_info[2])
                    finally:
                        exc_info = None
                bodyless = (code in (204, 304) or command == "HEAD" or 100 <= code < 200
                            or (command == "CONNECT" and 200 <= code < 300))
                if self.capitalize_response_headers:
                    response_headers = [
                        ("-".join(x.encode("latin1").capitalize().decode("latin1")
                                  for x in key.split("-")), value)
                        for key, value in response_headers]
                headers_set[:] = [status, response_headers]
                return write

            try:
                try:
                    result = self.application(env, start_response)
                    if headers_set and not headers_sent and hasattr(result, "__len__"):
                        # a complete answer: its length is known
                        # (eventlet's rule; a length however spelled
                        # counts, as the sum would read a body that is
                        # not a list: catch_errors' sized one)
                        if not bodyless and not any(
                                name.lower() == "content-length"
                                for name, _ in headers_set[1]):
                            headers_set[1].append(("Content-Length", str(sum(map(len, result)))))
                        if request_input.should_send_hundred_continue:
                            # the body will not be read: the client may
                            # still send it, so the connection cannot go on
                            self.close_connection = 1
                    minimum = int(env.get("eventlet.minimum_write_chunk_size",
                                          self.minimum_chunk_size))
                    towrite: List[bytes] = []
                    towrite_size = 0
                    just_written_size = 0
                    for data in result:
                        if not data:
                            continue
                        if isinstance(data, str):
                            data = data.encode("ascii")
                        towrite.append(data)
                        towrite_size += len(data)
                        if towrite_size >= minimum:
                            write(b"".join(towrite))
                            towrite = []
                            just_written_size = towrite_size
                            towrite_size = 0
                    if towrite:
                        just_written_size = towrite_size
                        write(b"".join(towrite))
                    if not headers_sent or (chunked and just_written_size):
                        write(b"")
                except (Exception, Timeout):
                    self.close_connection = 1
                    self.server.log.info(traceback.format_exc())
                    if not headers_sent:
                        start_response("500 Internal Server Error",
                                       [("Content-type", "text/plain"), ("Content-length", "0")])
                        write(b"")
            finally:
                if hasattr(result, "close"):
                    result.close()
                if request_input.should_send_hundred_continue or unframed:
                    # answered without reading the body (eventlet's rule)
                    self.close_connection = 1
                if (request_input.chunked_input
                        or request_input.position < (request_input.content_length or 0)):
                    if self.close_connection == 0:
                        self._discard_body(request_input)
                for hook, args, kwargs in self.environ["eventlet.posthooks"]:
                    hook(self.environ, *args, **kwargs)

        def _discard_body(self, request_input: Any) -> None:
            """Read what the app left of the body, so the next request on
            the connection starts where it should."""
            try:
                request_input.discard()
            except (ew.ChunkReadError, OSError) as err:
                self.close_connection = 1
                what = ("chunked encoding error" if isinstance(err, ew.ChunkReadError)
                        else "I/O error")
                self.server.log.error(
                    '%s while discarding request body. client=%s request="%s" error="%s"'
                    % (what, self.get_client_address()[0], self.requestline, err))

        def _response_head(self, status: str, headers: List[Any],
                           bodyless: bool) -> Tuple[bytes, bool]:
            """The answer's status line and headers (eventlet's rules:
            ``Date`` added, keep-alive as the request allows, chunked
            when an HTTP/1.1 answer with a body has no length), and
            whether its body goes chunked."""
            parts = []
            has_date = has_length = False
            for name, value in headers:
                parts.append("%s: %s\r\n" % (name, value))
                lower = name.lower()
                if lower == "content-length":
                    has_length = True
                elif lower == "date":
                    has_date = True
            if not has_date:
                parts.append(date_header.get(ew.format_date_time))
            client_conn = self._connection_header
            send_keep_alive = False
            if self.close_connection == 0 and self.server.keepalive and (
                    client_conn == "keep-alive"
                    or (self.request_version == "HTTP/1.1" and client_conn != "close")):
                send_keep_alive = client_conn == "keep-alive"
                self.close_connection = 0
            else:
                self.close_connection = 1
            chunked = False
            if not has_length:
                if bodyless:
                    pass
                elif self.request_version == "HTTP/1.1":
                    chunked = True
                    parts.append("Transfer-Encoding: chunked\r\n")
                else:
                    self.close_connection = 1  # an HTTP/1.0 client reads to the end
            if self.close_connection:
                parts.append("Connection: close\r\n")
            elif send_keep_alive:
                parts.append("Connection: keep-alive\r\n")
                keepalive = self.server.keepalive
                if not isinstance(keepalive, bool) and int(keepalive or 0):
                    parts.append("Keep-Alive: timeout=%d\r\n" % int(keepalive))
            parts.append("\r\n")
            status_line = ("%s %s\r\n" % (self.protocol_version, status)).encode()
            try:
                return status_line + "".join(parts).encode("latin-1"), chunked
            except UnicodeEncodeError:
                for header in headers:
                    ew._encode_header_line(header)  # raises, saying which and why
                raise

    return _Protocol

