"""controllers/obj_put: a small PUT's requests over kept-alive connections.

Each node's request goes whole in one send; the nodes this process holds
an idle connection to are used without connecting, and every request is
sent before any answer is read (the nodes store at once, without a green
thread each)."""

from __future__ import annotations

import socket
import threading
from typing import List

from objstore.common.http_client import shared_pool
from objstore.proxy.controllers.obj_put import _open_for_whole, _store_whole
from tests.support.sockets import LoopbackServer, read_head

BODY = b"x" * 4096


class Node(LoopbackServer):
    """A keep-alive object server stand-in on a port of its own: counts
    the connections it accepts, answers each PUT 201 once every node of the
    write has its request (``barrier``), so a client that waited for one
    answer before sending the next request would never get one."""

    def __init__(self, barrier: threading.Barrier) -> None:
        self.barrier = barrier
        self.bodies: List[bytes] = []
        super().__init__()

    def serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        buf = b""
        try:
            while True:
                got = read_head(conn, buf)
                if got is None:
                    return
                head, buf = got
                length = int([line.split(b":")[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:")][0])
                while len(buf) < length:
                    buf += conn.recv(65536)
                self.bodies.append(buf[:length])
                buf = buf[length:]
                self.barrier.wait(10)
                conn.sendall(b"HTTP/1.1 201 Created\r\nEtag: e\r\nContent-Length: 0\r\n\r\n")
        except (OSError, threading.BrokenBarrierError):
            return
        finally:
            conn.close()


class App:
    conn_timeout = 2.0
    node_timeout = 10.0

    def __init__(self) -> None:
        self.errors: List[str] = []

    def error_occurred(self, node, message, cause=None):
        self.errors.append(message)

    def error_limit(self, node, message):
        self.errors.append(message)


def _put(app, nodes, count=3):
    headers_list = [{"X-Timestamp": "1.00000", "Content-Length": str(len(BODY))}
                    for _ in range(count)]
    opened = _open_for_whole(app, iter(nodes), 1, "/a/c/o", headers_list)
    return opened, _store_whole(app, "/a/c/o", [conn for _h, conn in opened], BODY)


def test_every_request_is_sent_before_an_answer_is_read_and_idle_connections_are_reused():
    barrier = threading.Barrier(3)
    servers = [Node(barrier) for _ in range(3)]
    app = App()
    try:
        for _round in range(3):
            opened, answers = _put(app, [s.node for s in servers])
            assert len(opened) == 3
            assert [a[0] if a else None for a in answers] == [201, 201, 201]
        assert app.errors == []
        # one connection each, made by the first write and kept alive since
        assert [s.accepted for s in servers] == [1, 1, 1]
        assert all(s.bodies == [BODY] * 3 for s in servers)
    finally:
        for server in servers:
            server.stop()


def test_a_node_without_an_idle_connection_is_connected_to_and_the_others_reuse_theirs():
    barrier = threading.Barrier(3)
    servers = [Node(barrier) for _ in range(3)]
    app = App()
    try:
        _put(app, [s.node for s in servers])
        # the second node's idle connection is gone (as after a failure)
        while shared_pool().get("127.0.0.1", servers[1].port) is not None:
            pass
        opened, answers = _put(app, [s.node for s in servers])
        assert [a[0] if a else None for a in answers] == [201, 201, 201]
        assert [s.accepted for s in servers] == [1, 2, 1]
    finally:
        for server in servers:
            server.stop()


def test_a_node_that_cannot_be_reached_is_replaced_by_the_next():
    barrier = threading.Barrier(3)
    servers = [Node(barrier) for _ in range(3)]
    dead = socket.create_server(("127.0.0.1", 0))
    dead_node = {"ip": "127.0.0.1", "port": dead.getsockname()[1], "device": "sda"}
    dead.close()  # nothing listens there now: connections are refused
    app = App()
    try:
        nodes = [servers[0].node, dead_node, servers[1].node, servers[2].node]
        opened, answers = _put(app, nodes)
        # the second replica goes to the next node the others did not take
        assert [conn.node["port"] for _h, conn in opened] == \
            [servers[0].port, servers[2].port, servers[1].port]
        assert [a[0] if a else None for a in answers] == [201, 201, 201]
        assert len(app.errors) == 1 and "connect" in app.errors[0]
    finally:
        for server in servers:
            server.stop()
