import hashlib
import http.client

import pytest

from objstore.common.http_client import (http_connect, http_connect_raw, iter_body,
                                         request_head)


def test_put_waits_for_100_continue_then_streams_body(tiny_server):
    port, _ = tiny_server
    body = b"x" * 300000
    conn = http_connect("127.0.0.1", port, "sdb1", 7, "PUT", "/a/c/o \u00e9",
                        headers={"Expect": "100-continue", "Content-Length": str(len(body))})
    assert conn.getexpect().status == 100
    for i in range(0, len(body), 65536):
        conn.send(body[i:i + 65536])
    resp = conn.getresponse()
    assert resp.status == 201
    assert resp.read() == hashlib.md5(body).hexdigest().encode()
    assert resp.getheader("X-Path") == "/sdb1/7/a/c/o \u00e9".encode().decode("latin-1")
    conn.close()


def test_final_status_instead_of_100_continue_is_returned(tiny_server):
    port, _ = tiny_server
    conn = http_connect_raw("127.0.0.1", port, "PUT", "/full",
                            headers={"Expect": "100-continue", "Content-Length": "10"})
    resp = conn.getexpect()
    assert resp.status == 507
    assert conn.getresponse() is resp
    conn.close()


def test_chunked_upload(tiny_server):
    port, _ = tiny_server
    conn = http_connect_raw("127.0.0.1", port, "PUT", "/chunked",
                            headers={"Transfer-Encoding": "chunked"})
    for part in (b"abc", b"def" * 1000):
        conn.send_chunk(part)
    conn.end_chunks()
    resp = conn.getresponse()
    assert resp.status == 201
    assert b"".join(iter_body(resp, 7)) == hashlib.md5(b"abc" + b"def" * 1000).hexdigest().encode()
    conn.close()


# --- keep-alive pool -----------------------------------------------------------

import http.server  # noqa: E402
import threading  # noqa: E402

import pytest  # noqa: E402

from objstore.common.http_client import shared_pool  # noqa: E402


class _KeepAliveHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1  # type: ignore[attr-defined]

    def log_message(self, *_args) -> None:
        pass

    def _answer(self, body: bytes, close: bool = False) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(b"x" * 100000 if "big" in self.path else b"ok", "close" in self.path)

    do_HEAD = do_GET

    def do_PUT(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        if self.headers.get("Expect") == "100-continue":
            self.send_response_only(100)
            self.end_headers()
        self._answer(str(len(self.rfile.read(length))).encode())


@pytest.fixture
def keepalive_server():
    shared_pool().clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _KeepAliveHandler)
    server.connections = 0  # type: ignore[attr-defined]
    server.handle_error = lambda *_a: None  # a dropped connection is what some tests do
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        shared_pool().clear()


def _get(port: int, path: str, method: str = "GET", read: bool = True) -> bytes:
    conn = http_connect("127.0.0.1", port, "sdb1", 1, method, path, timeout=5, pooled=True)
    resp = conn.getresponse()
    body = resp.read() if read else resp.read(10)
    conn.close()
    return body


def test_pooled_requests_read_whole_share_one_connection(keepalive_server):
    port = keepalive_server.server_address[1]
    assert _get(port, "/a/c/o") == b"ok"
    assert _get(port, "/a/c/o", "HEAD") == b""
    assert _get(port, "/a/c/big") == b"x" * 100000
    body = b"y" * 5000
    conn = http_connect("127.0.0.1", port, "sdb1", 1, "PUT", "/a/c/o", timeout=5, pooled=True,
                        headers={"Content-Length": str(len(body)), "Expect": "100-continue"})
    assert conn.getexpect().status == 100
    conn.send(body)
    assert conn.getresponse().read() == b"5000"
    conn.close()
    assert _get(port, "/a/c/o") == b"ok"
    assert keepalive_server.connections == 1


def test_an_answer_without_a_body_is_reused_though_never_read(keepalive_server):
    port = keepalive_server.server_address[1]
    for _ in range(3):  # as the proxy answers a HEAD: headers only, then close()
        conn = http_connect("127.0.0.1", port, "sdb1", 1, "HEAD", "/a/c/o", timeout=5,
                            pooled=True)
        assert conn.getresponse().status == 200
        conn.close()
    assert _get(port, "/a/c/o") == b"ok"
    assert keepalive_server.connections == 1


def test_a_body_left_unread_or_a_close_from_the_server_is_never_reused(keepalive_server):
    port = keepalive_server.server_address[1]
    assert _get(port, "/a/c/big", read=False) == b"x" * 10  # abandoned mid-body
    assert _get(port, "/a/c/o") == b"ok"
    assert keepalive_server.connections == 2
    assert _get(port, "/a/c/close") == b"ok"  # "Connection: close"
    assert _get(port, "/a/c/o") == b"ok"
    assert keepalive_server.connections == 3


def test_a_request_whose_body_was_cut_short_is_not_reused(keepalive_server):
    port = keepalive_server.server_address[1]
    conn = http_connect("127.0.0.1", port, "sdb1", 1, "PUT", "/a/c/o", timeout=5, pooled=True,
                        headers={"Content-Length": "10"})
    conn.send(b"12345")
    conn.close()  # the server still waits for 5 bytes: this socket is done
    assert _get(port, "/a/c/o") == b"ok"
    assert keepalive_server.connections == 2


def test_a_connection_the_server_closed_while_idle_is_replaced(keepalive_server):
    port = keepalive_server.server_address[1]
    assert _get(port, "/a/c/o") == b"ok"
    idle = shared_pool()._idle[("127.0.0.1", port)]
    assert len(idle) == 1
    idle[0].shutdown(__import__("socket").SHUT_RD)  # as if the server had gone away
    assert _get(port, "/a/c/o") == b"ok"
    assert keepalive_server.connections == 2


def test_unpooled_connections_are_closed_after_use(keepalive_server):
    port = keepalive_server.server_address[1]
    for _ in range(2):
        conn = http_connect("127.0.0.1", port, "sdb1", 1, "GET", "/a/c/o", timeout=5)
        assert conn.getresponse().read() == b"ok"
        conn.close()
    assert keepalive_server.connections == 2
    assert shared_pool()._idle == {}


def test_an_idle_non_blocking_socket_is_judged_open_or_closed_without_changing_its_mode():
    import socket
    from objstore.common.http_client import _still_open
    ours, theirs = socket.socketpair()
    try:
        ours.setblocking(False)  # as eventlet keeps the socket under a green one
        assert _still_open(ours) and ours.gettimeout() == 0.0
        theirs.sendall(b"x")  # something unasked for: not fit for another request
        assert not _still_open(ours) and ours.gettimeout() == 0.0
        assert ours.recv(1) == b"x"
        theirs.close()
        assert not _still_open(ours)
    finally:
        ours.close()
        theirs.close()


def test_request_head_is_what_http_client_sends_for_the_same_request():
    class Capture:
        sent = b""

        def sendall(self, data):
            self.sent += data

    headers = {"Host": "127.0.0.1:6001", "X-Timestamp": "1733500000.12345", "X-Size": 4096,
               "X-Object-Meta-Cafe": "caf\u00e9 au lait", "X-Folded": "a\r\n b",
               "X-Object-Meta-\u00f0\u009f\u0091\u008d": "utf-8 name"}  # WSGI text of a UTF-8 name
    conn = http.client.HTTPConnection("127.0.0.1", 6001)
    conn.sock = Capture()
    conn.putrequest("PUT", "/sdb1/3/a/c/%C3%A9", skip_host=True, skip_accept_encoding=True)
    for key, value in headers.items():
        conn.putheader(key if key.isascii() else key.encode("latin-1"), str(value))
    conn.endheaders()
    assert request_head("PUT", "/sdb1/3/a/c/%C3%A9", headers) == conn.sock.sent


@pytest.mark.parametrize("method,path,headers", [
    ("PUT", "/a b", {}),                       # a space in the target
    ("PU T", "/a", {}),
    ("PUT", "/a\r\nX: y", {}),
    ("PUT", "/a", {"X: y": "1"}),              # not a header name
    ("PUT", "/a", {"": "1"}),
    ("PUT", "/a", {"X": "a\r\nInjected: 1"}),  # would start a header of its own
    ("PUT", "/a", {"X": "a\nb"}),
    ("PUT", "/a", {"X": "a\rb"}),
])
def test_request_head_refuses_what_http_client_refuses(method, path, headers):
    with pytest.raises((ValueError, http.client.InvalidURL)):
        request_head(method, path, headers)
