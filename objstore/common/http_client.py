"""HTTP client for talking to storage servers (proxy, object server, daemons).

``http.client`` cannot wait for ``100 Continue`` before sending a body, which
a quorum write needs: the proxy must know each node will take the object
before streaming gigabytes to it. This module adds that and leaves the rest
to the stdlib. With ``concurrency.monkey_patch()`` the sockets are green.
"""

from __future__ import annotations

import http.client
from typing import Any, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote

CHUNK_SIZE = 65536


class BackendResponse(http.client.HTTPResponse):
    """A response that can first read an interim ``100 Continue``."""

    _pending_status: Optional[Tuple[str, int, str]] = None
    #: the headers of the last ``100 Continue`` (looked up in any case;
    #: empty until one came)
    interim_headers: Any = {}

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


class BackendConnection:
    """One request to one backend server."""

    def __init__(self, host: str, port: int, method: str, path: str,
                 headers: Optional[Dict[str, str]] = None,
                 timeout: Optional[float] = None) -> None:
        self.host = host
        self.port = int(port)
        self.method = method
        self.path = path
        self.node: Optional[dict] = None
        self._conn = http.client.HTTPConnection(host, self.port, timeout=timeout)
        self._response: Optional[BackendResponse] = None
        self._final = False
        self._conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        headers = dict(headers or {})
        if not any(k.lower() == "host" for k in headers):
            headers["Host"] = "%s:%d" % (host, self.port)
        for key, value in headers.items():
            self._conn.putheader(key, str(value))
        self._conn.endheaders()

    def send(self, data: bytes) -> None:
        self._conn.sock.sendall(data)

    def send_chunk(self, data: bytes) -> None:
        """Send one chunk of a ``Transfer-Encoding: chunked`` body."""
        self._conn.sock.sendall(b"%x\r\n%s\r\n" % (len(data), data))

    def end_chunks(self) -> None:
        self._conn.sock.sendall(b"0\r\n\r\n")

    def _new_response(self) -> BackendResponse:
        if self._response is None:
            self._response = BackendResponse(self._conn.sock, method=self.method)
        return self._response

    def getexpect(self) -> BackendResponse:
        """Wait for ``100 Continue`` (or a final status such as 507/409)."""
        resp = self._new_response()
        status = resp.read_interim()
        if status >= 200:
            self._final = True
            return resp
        resp.status = status
        return resp

    def getresponse(self) -> BackendResponse:
        resp = self._new_response()
        if not self._final:
            resp.begin()
            self._final = True
        return resp

    def close(self) -> None:
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
                 timeout: Optional[float] = None) -> BackendConnection:
    """Start a request for ``/<device>/<partition><path>`` on a storage node.

    ``path`` is the unquoted ``/account[/container[/object]]``.
    """
    full = "/%s/%s%s" % (device, partition, path)
    return BackendConnection(ipaddr, port, method, _full_path(full, query_string), headers, timeout)


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
