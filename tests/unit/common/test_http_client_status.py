"""``http_client.request_status``: a bodiless backend request read for its
status only (the object server's container updates), over the shared pool."""

import socket
import threading
from typing import List, Optional

import pytest

from objstore.common.http_client import http_connect, request_status, shared_pool
from tests.support.sockets import LoopbackServer, read_head

OK_201 = (b"HTTP/1.1 201 Created\r\nContent-Type: text/html; charset=UTF-8\r\n"
          b"Content-Length: 0\r\nX-Trans-Id: tx1\r\n\r\n")
HANG = b"hang"  # read the request, answer nothing


class ScriptedServer(LoopbackServer):
    """A raw HTTP server: each request head it reads gets the next answer of
    the script (the last one again once the script ends); it records every
    request's bytes and counts connections."""

    def __init__(self, answers: List[Optional[bytes]]) -> None:
        self.answers = list(answers)
        self.requests: List[bytes] = []
        super().__init__()

    @property
    def connections(self) -> int:
        return self.accepted

    def serve(self, conn: socket.socket) -> None:
        buf = b""
        try:
            while True:
                got = read_head(conn, buf)
                if got is None:
                    return
                head, buf = got
                self.requests.append(head + b"\r\n\r\n")
                answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
                if answer is None:
                    conn.close()
                    return
                if answer != HANG:
                    conn.sendall(answer)
        except OSError:
            return

    def close(self) -> None:
        self.stop()
        for conn in self.open:
            conn.close()


@pytest.fixture
def scripted():
    shared_pool().clear()
    servers: List[ScriptedServer] = []

    def make(*answers: Optional[bytes]) -> ScriptedServer:
        servers.append(ScriptedServer(list(answers)))
        return servers[-1]

    try:
        yield make
    finally:
        for server in servers:
            server.close()
        shared_pool().clear()


def _status(server: ScriptedServer, method: str = "PUT", headers=None, timeout: float = 5) -> int:
    return request_status("127.0.0.1", server.port, "sdb1", 7, method, "/a/c/o \u00e9",
                          headers or {"X-Timestamp": "1.00000", "X-Size": "5"}, 1, timeout)


def test_the_request_is_the_one_http_connect_sends_and_its_connection_is_kept(scripted):
    server = scripted(OK_201)
    headers = {"X-Timestamp": "1.00000", "X-Size": "5", "X-Trans-Id": "tx1"}
    conn = http_connect("127.0.0.1", server.port, "sdb1", 7, "PUT", "/a/c/o \u00e9", headers,
                        timeout=5, pooled=True)
    assert conn.getresponse().status == 201
    conn.close()
    assert _status(server, headers=headers) == 201
    assert _status(server, "DELETE") == 201
    assert server.requests[0] == server.requests[1]
    assert server.requests[0].startswith(b"PUT /sdb1/7/a/c/o%20%C3%A9 HTTP/1.1\r\n")
    assert server.connections == 1


def test_a_body_is_read_to_its_end_and_the_connection_reused(scripted):
    server = scripted(b"HTTP/1.1 404 Not Found\r\nContent-Length: 11\r\n\r\nNot there\r\n", OK_201)
    assert _status(server) == 404
    assert _status(server) == 201
    assert server.connections == 1


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    b"HTTP/1.0 201 Created\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"HTTP/1.1 201 Created\r\n\r\n",  # no length: the body runs to the close
    b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nabc",  # more than its length
    b"HTTP/1.1 201 Created\r\n folded: line\r\nContent-Length: 0\r\n\r\n",  # not plain
    b"HTTP/1.1 201 Created\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000,  # too large
])
def test_an_answer_that_leaves_the_connection_in_doubt_gives_its_status_and_closes_it(
        scripted, answer):
    server = scripted(answer, OK_201)
    assert _status(server) == 201
    assert _status(server) == 201
    assert server.connections == 2
    assert shared_pool()._idle[("127.0.0.1", server.port)]  # the second one kept


def test_an_interim_answer_is_skipped_for_the_final_one(scripted):
    server = scripted(b"HTTP/1.1 100 Continue\r\n\r\n" + OK_201.replace(b"201 Created", b"202 X"))
    assert _status(server) == 202


@pytest.mark.parametrize("answer", [
    None,                                         # closed without a word
    b"HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nab",  # cut off mid-body (then hangs)
    b"SPAM 201 Created\r\n\r\n",                   # not HTTP
    HANG,                                          # never answers
])
def test_no_status_is_zero_and_the_connection_is_not_kept(scripted, answer):
    server = scripted(answer)
    assert _status(server, timeout=0.3) == 0
    assert not shared_pool()._idle.get(("127.0.0.1", server.port))


def test_nobody_listening_is_zero():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert request_status("127.0.0.1", port, "sdb1", 1, "PUT", "/a/c/o", {}, 0.5, 0.5) == 0


def test_a_header_that_would_inject_a_line_is_refused_unsent(scripted):
    server = scripted(OK_201)
    assert _status(server, headers={"X-Size": "5\r\nX-Evil: 1"}) == 0
    assert server.requests == []


def test_a_kept_connection_the_server_closed_while_idle_is_replaced(scripted):
    server = scripted(OK_201)
    assert _status(server) == 201
    for conn in server.open:
        conn.shutdown(socket.SHUT_RDWR)  # as a restarted server would
    assert _status(server) == 201
    assert server.connections == 2
