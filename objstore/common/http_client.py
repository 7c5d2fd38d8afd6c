"""HTTP client for talking to storage servers (proxy, object server, daemons).

``http.client`` cannot wait for ``100 Continue`` before sending a body, which
a quorum write needs: the proxy must know each node will take the object
before streaming gigabytes to it. This module adds that and leaves the rest
to the stdlib. With ``concurrency.monkey_patch()`` the sockets are green.

Keep-alive (``pooled=True``): a connection whose request was sent whole and
whose answer was read to its end goes back to a per-process pool of idle
connections and serves the next request to the same server. A new TCP
connection costs both ends a connect/accept, a green thread and a close
(about a third of a proxy's CPU per small PUT, measured in
docs/performance.md); a pooled one costs nothing of that. A connection is
only reused when nothing about it is in doubt: a request cut short, a body
not read to its end, a ``Connection: close`` from the server, any error,
and it is closed instead. One the server closed while it sat idle (a
restart) is noticed before use (it reads as at end of file) and dropped.
"""

from __future__ import annotations

import http.client
import re
import socket
import time
from typing import Any, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote

from objstore.common import process
from objstore.common.http.message import plain_header_pairs

CHUNK_SIZE = 65536
#: idle connections kept per server (host, port) in one process
MAX_IDLE_PER_SERVER = 32


class ConnectionPool:
    """Idle keep-alive sockets per ``(host, port)``, for one process.

    Lists are only appended to and popped from (atomic under the GIL), so
    green threads and OS threads may share it. A fork starts afresh: a
    socket inherited from the parent is never used by two processes.
    """

    def __init__(self, max_idle: int = MAX_IDLE_PER_SERVER) -> None:
        self.max_idle = max_idle
        self._pid = process.pid()
        self._idle: Dict[Tuple[str, int], List[Any]] = {}

    def _own(self) -> Dict[Tuple[str, int], List[Any]]:
        if self._pid != process.pid():
            self._pid, self._idle = process.pid(), {}
        return self._idle

    def get(self, host: str, port: int) -> Optional[Any]:
        """An idle socket to ``host:port`` still open at the other end."""
        idle = self._own().get((host, port))
        while idle:
            try:
                sock = idle.pop()
            except IndexError:
                return None
            if _still_open(sock):
                return sock
            _close_quietly(sock)
        return None

    def put(self, host: str, port: int, sock: Any) -> None:
        idle = self._own().setdefault((host, port), [])
        if len(idle) >= self.max_idle:
            _close_quietly(sock)
            return
        idle.append(sock)

    def clear(self) -> None:
        idle, self._idle = self._own(), {}
        for socks in idle.values():
            for sock in socks:
                _close_quietly(sock)


def _still_open(sock: Any) -> bool:
    """Nothing to read and not at end of file: the server has not closed it
    (an idle HTTP connection has nothing to say until asked)."""
    raw = getattr(sock, "fd", sock)  # eventlet's GreenSocket wraps the real one
    try:
        timeout = raw.gettimeout()
        if timeout == 0.0:  # non-blocking already (eventlet's): peek, no mode switch
            raw.recv(1, socket.MSG_PEEK)  # b"": closed; bytes: garbage
            return False
        raw.settimeout(0)  # a peek that never waits
        try:
            raw.recv(1, socket.MSG_PEEK)
        finally:
            raw.settimeout(timeout)
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False


def _close_quietly(sock: Any) -> None:
    try:
        sock.close()
    except OSError:
        pass


_POOL = ConnectionPool()


def shared_pool() -> ConnectionPool:
    """This process's pool of idle backend connections."""
    return _POOL


class BackendResponse(http.client.HTTPResponse):
    """A response that can first read an interim ``100 Continue``."""

    _pending_status: Optional[Tuple[str, int, str]] = None
    #: the headers of the last ``100 Continue`` (looked up in any case;
    #: empty until one came)
    interim_headers: Any = {}
    #: closed before its body was read to the end
    abandoned = False

    def close(self) -> None:  # type: ignore[override]
        if self.fp is not None and not self._bodiless:
            self.abandoned = True
        super().close()

    @property
    def _bodiless(self) -> bool:
        """An answer with no body (a HEAD's, a 204): read whole with its
        headers, whether or not anyone calls read()."""
        return self.length == 0 and not self.chunked

    @property
    def read_whole(self) -> bool:
        """The final answer was read to its end and the server keeps the
        connection open for another request."""
        return (self.fp is None or self._bodiless) and not self.abandoned \
            and not self.will_close

    def _read_status(self):  # type: ignore[override]
        if self._pending_status is not None:
            status, self._pending_status = self._pending_status, None
            return status
        return super()._read_status()

    def read_interim(self) -> int:
        """Read the next status line; consume it if it is 1xx.

        Returns the status. For a final status the response is fully parsed
        (``begin``) and can be read as usual.
        """
        version, status, reason = super()._read_status()
        if 100 <= status < 200:
            self.interim_headers = http.client.parse_headers(self.fp)
            return status
        self._pending_status = (version, status, reason)
        self.begin()
        return status

    def getheaders(self) -> List[Tuple[str, str]]:  # type: ignore[override]
        return list(self.msg.items()) if self.msg is not None else []


#: what ``http.client`` refuses to send (the same rules, on text)
_BAD_TARGET_CHAR = re.compile("[\x00-\x20\x7f]")
_LEGAL_HEADER_NAME = re.compile(r"[^:\s][^:\r\n]*", re.ASCII)
_ILLEGAL_HEADER_VALUE = re.compile(r"\n(?![ \t])|\r(?![ \t\n])")


def request_head(method: str, path: str, headers: Dict[str, Any]) -> bytes:
    """The bytes of an HTTP/1.1 request head: what ``http.client``'s
    ``putrequest``/``putheader``/``endheaders`` send, refusing what they
    refuse (a control character or space in the method or target, a header
    name that is not a name, a value that would start a new line), in one
    string instead of a call per header (a fifth of the time). A UTF-8
    metadata name (X-Object-Meta-👍) is WSGI text: its bytes as latin-1
    go as they came, as values do."""
    if _BAD_TARGET_CHAR.search(method) or _BAD_TARGET_CHAR.search(path):
        raise http.client.InvalidURL("Invalid request target %r %r" % (method, path))
    lines = ["%s %s HTTP/1.1" % (method, path)]
    for key, value in headers.items():
        value = str(value)
        if not _LEGAL_HEADER_NAME.fullmatch(key):
            raise ValueError("Invalid header name %r" % (key,))
        if _ILLEGAL_HEADER_VALUE.search(value):
            raise ValueError("Invalid header value %r" % (value,))
        lines.append("%s: %s" % (key, value))
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")


class _Connection(http.client.HTTPConnection):
    """``http.client``'s connection: its socket, connect and close (the
    requests are written by ``request_head``)."""


class BackendConnection:
    """One request to one backend server (``pool``: reuse an idle
    connection to it and give this one back when done, module docstring)."""

    def __init__(self, host: str, port: int, method: str, path: str,
                 headers: Optional[Dict[str, str]] = None,
                 timeout: Optional[float] = None,
                 pool: Optional[ConnectionPool] = None,
                 body: Optional[bytes] = None, defer: bool = False,
                 connect: bool = True) -> None:
        self.host = host
        self.port = int(port)
        self.method = method
        self.path = path
        self.node: Optional[dict] = None
        self._pool = pool
        self._conn = _Connection(host, self.port, timeout=timeout)
        self._response: Optional[BackendResponse] = None
        self._final = False
        headers = dict(headers or {})
        # What of the body is still to send: a length, -1 while chunked.
        self._body_left = 0
        lowered = {k.lower(): k for k in headers}
        if "transfer-encoding" in lowered and \
                headers[lowered["transfer-encoding"]].lower() == "chunked":
            self._body_left = -1
        elif "content-length" in lowered:
            try:
                self._body_left = int(headers[lowered["content-length"]])
            except ValueError:
                self._pool = None
        if pool is not None and "connection" in lowered:
            del headers[lowered["connection"]]  # HTTP/1.1: kept alive
        if "host" not in lowered:
            headers["Host"] = "%s:%d" % (host, self.port)
        self._head = (method, path, headers)
        sock = pool.get(host, self.port) if pool is not None else None
        if sock is not None:
            sock.settimeout(timeout)
            self._conn.sock = sock
            if defer:
                return
            try:
                self._send_head(method, path, headers, body)
                return
            except OSError:  # it died while idle: a new connection instead
                self._conn.close()
                self._conn = _Connection(host, self.port, timeout=timeout)
        if defer and not connect:
            return  # no idle connection at hand: none is made (``connected``)
        try:
            if defer:
                self._conn.connect()
            else:
                self._send_head(method, path, headers, body)
        except BaseException:
            self._pool = None
            self._conn.close()
            raise

    @property
    def connected(self) -> bool:
        """Whether the request has a connection (one made, or an idle one
        from the pool); a ``defer`` one opened with ``connect=False``
        without an idle connection at hand has none."""
        return self._conn.sock is not None

    def fileno(self) -> int:
        """The connection's socket (to wait for its answer with others)."""
        return self._conn.sock.fileno()

    def send_request(self, body: Optional[bytes] = None) -> None:
        """Send the head of a request opened with ``defer`` (and ``body``,
        the whole body, in the same send)."""
        try:
            self._send_head(*self._head, body)
        except BaseException:
            self._pool = None
            raise

    def _send_head(self, method: str, path: str, headers: Dict[str, str],
                   body: Optional[bytes]) -> None:
        """The request head, and ``body`` (a whole small body) in the same
        send: one segment, one wake-up of the server."""
        head = request_head(method, path, headers)
        if self._conn.sock is None:
            self._conn.connect()
        self._conn.sock.sendall(head + body if body else head)
        if body and self._body_left > 0:
            self._body_left = max(0, self._body_left - len(body))

    def _sendall(self, data: bytes) -> None:
        try:
            self._conn.sock.sendall(data)
        except BaseException:
            self._pool = None  # cut short: never reused
            raise

    def send(self, data: bytes) -> None:
        self._sendall(data)
        if self._body_left > 0:
            self._body_left = max(0, self._body_left - len(data))

    def send_chunk(self, data: bytes) -> None:
        """Send one chunk of a ``Transfer-Encoding: chunked`` body."""
        self._sendall(b"%x\r\n%s\r\n" % (len(data), data))

    def end_chunks(self) -> None:
        self._sendall(b"0\r\n\r\n")
        self._body_left = 0

    def _new_response(self) -> BackendResponse:
        if self._response is None:
            self._response = BackendResponse(self._conn.sock, method=self.method)
        return self._response

    def getexpect(self) -> BackendResponse:
        """Wait for ``100 Continue`` (or a final status such as 507/409)."""
        resp = self._new_response()
        try:
            status = resp.read_interim()
        except BaseException:
            self._pool = None
            raise
        if status >= 200:
            self._final = True
            self._pool = None  # the body it did not want may still be on its way
            return resp
        resp.status = status
        return resp

    def getresponse(self) -> BackendResponse:
        resp = self._new_response()
        if not self._final:
            try:
                resp.begin()
            except BaseException:
                self._pool = None
                raise
            self._final = True
        return resp

    @property
    def reusable(self) -> bool:
        """Request sent whole, answer read whole, server keeps it open."""
        return self._pool is not None and self._final and self._body_left == 0 \
            and self._response is not None and self._response.read_whole \
            and self._conn.sock is not None

    def close(self) -> None:
        """Done with the request: back to the pool if reusable, else closed."""
        if self.reusable:
            sock, self._conn.sock = self._conn.sock, None
            assert self._pool is not None
            self._pool.put(self.host, self.port, sock)
            self._pool = None
            return
        self._pool = None
        if self._response is not None:
            self._response.close()
        self._conn.close()


def _full_path(path: str, query_string: Optional[str]) -> str:
    quoted = quote(path, safe="/:@!$&'()*+,;=~")
    if query_string:
        quoted += "?" + query_string
    return quoted


def http_connect(ipaddr: str, port: int, device: str, partition: object, method: str,
                 path: str, headers: Optional[Dict[str, str]] = None,
                 query_string: Optional[str] = None,
                 timeout: Optional[float] = None, pooled: bool = False,
                 defer: bool = False, connect: bool = True) -> BackendConnection:
    """Start a request for ``/<device>/<partition><path>`` on a storage node.

    ``path`` is the unquoted ``/account[/container[/object]]``. ``pooled``:
    over a kept-alive connection (module docstring); the caller must then
    ``close()`` the connection when done with it, as always. ``defer``: only
    connect (or take a pooled connection); ``send_request`` sends later.
    ``connect=False`` (with ``defer`` and ``pooled``): take an idle
    connection if the pool has one, else make none (no I/O at all; see
    ``BackendConnection.connected``).
    """
    full = "/%s/%s%s" % (device, partition, path)
    return BackendConnection(ipaddr, port, method, _full_path(full, query_string), headers,
                             timeout, _POOL if pooled else None, defer=defer, connect=connect)


def http_connect_raw(ipaddr: str, port: int, method: str, path: str,
                     headers: Optional[Dict[str, str]] = None,
                     query_string: Optional[str] = None,
                     timeout: Optional[float] = None) -> BackendConnection:
    """Start a request for an arbitrary unquoted ``path``."""
    return BackendConnection(ipaddr, port, method, _full_path(path, query_string), headers, timeout)


def iter_body(resp: http.client.HTTPResponse, chunk_size: int = CHUNK_SIZE) -> Iterable[bytes]:
    """The body of ``resp`` in chunks, without holding it all in memory."""
    while True:
        chunk = resp.read(chunk_size)
        if not chunk:
            return
        yield chunk


# --- a bodiless request whose answer only counts by its status ----------------

#: an answer head (or a body read to keep its connection) larger than this
#: is not read further: the status is known, the connection is closed
_STATUS_ONLY_MAX = 65536
_STATUS_LINE = re.compile(rb"HTTP/1\.([01]) (\d{3})(?: [^\r\n]*)?\r\n")


def request_status(ipaddr: str, port: int, device: str, partition: object, method: str,
                   path: str, headers: Dict[str, str], conn_timeout: float,
                   node_timeout: float, body: bytes = b"") -> int:
    """Send a request (with a small ``body`` sent with the head, if any:
    the caller sets its Content-Length) for ``/<device>/<partition><path>``
    over a kept-alive connection and read its answer for the status only
    (0 if none came: refused, timed out, cut off or malformed).

    What ``http_connect(..., pooled=True)`` then ``getresponse()``,
    ``read()`` and ``close()`` do, with the same bytes on the wire and the
    same rule for giving the connection back to the pool (the answer read
    to its end, HTTP/1.1, no ``Connection: close``), but without the stdlib's
    connection, buffered file and message objects, which are most of a
    container update's client CPU (docs/performance.md, session 13). A head
    this does not read plainly (see ``message.plain_header_pairs``) gives its
    status and its connection is closed. ``conn_timeout`` bounds a new
    connection's connect; ``node_timeout`` the rest, as a whole."""
    pairs = {k: v for k, v in headers.items() if k.lower() != "connection"}
    if not any(k.lower() == "host" for k in pairs):
        pairs["Host"] = "%s:%d" % (ipaddr, int(port))
    try:
        head = request_head(method, _full_path("/%s/%s%s" % (device, partition, path), None),
                            pairs) + body
    except (ValueError, http.client.HTTPException):
        return 0
    sock = _POOL.get(ipaddr, int(port))
    keep = False
    try:
        if sock is not None:
            sock.settimeout(node_timeout)
            try:
                sock.sendall(head)
            except OSError:  # it died while idle: a new connection instead
                _close_quietly(sock)
                sock = None
        if sock is None:
            sock = socket.create_connection((ipaddr, int(port)), timeout=conn_timeout)
            sock.settimeout(node_timeout)
            sock.sendall(head)
        status, keep = _read_status_only(sock, method, node_timeout)
        return status
    except (OSError, ValueError):
        return 0
    finally:
        if sock is not None:
            if keep:
                _POOL.put(ipaddr, int(port), sock)
            else:
                _close_quietly(sock)


def _read_status_only(sock: Any, method: str, timeout: float) -> Tuple[int, bool]:
    """The final answer's status, and whether the connection may serve
    another request; raises ``OSError`` on a timeout or a cut-off answer."""
    deadline = time.monotonic() + timeout
    buf = b""
    while True:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > _STATUS_ONLY_MAX:
                raise OSError("answer head too large")
            buf += _recv_some(sock, deadline)
            continue
        line = _STATUS_LINE.match(buf)
        if line is None:
            raise OSError("malformed status line")
        status = int(line.group(2))
        block, buf = buf[line.end():end + 2], buf[end + 4:]
        if 100 <= status < 200:  # an interim answer: the final one follows
            continue
        break
    pairs = plain_header_pairs(block, block.count(b"\n"))
    if pairs is None or line.group(1) != b"1":
        return status, False
    length = None
    for name, value in pairs:
        lower = name.lower()
        if lower == "content-length":
            if not value.strip().isdigit() or length is not None:
                return status, False
            length = int(value)
        elif lower == "transfer-encoding" or (lower == "connection" and
                                              "close" in value.lower()):
            return status, False
    if method == "HEAD" or status in (204, 304):
        length = 0
    if length is None or length > _STATUS_ONLY_MAX:
        return status, False
    while len(buf) < length:
        buf += _recv_some(sock, deadline)
    return status, len(buf) == length


def _recv_some(sock: Any, deadline: float) -> bytes:
    left = deadline - time.monotonic()
    if left <= 0:
        raise socket.timeout("timed out")
    sock.settimeout(left)
    data = sock.recv(_STATUS_ONLY_MAX)
    if not data:
        raise OSError("connection closed before the answer ended")
    return data
