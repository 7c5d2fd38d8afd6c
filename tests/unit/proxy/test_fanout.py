"""proxy/fanout: a write to a node per replica over idle kept-alive
connections (no green thread each), answered once a quorum agrees."""

from __future__ import annotations

import socket
import threading
import time
from typing import List, Optional

import pytest

from objstore.common import concurrency
from objstore.common.http_client import shared_pool
from objstore.proxy import fanout
from objstore.proxy.controllers.base import Controller
from objstore.proxy.quorum import best_status
from tests.support.sockets import LoopbackServer, read_head


class Node(LoopbackServer):
    """A keep-alive storage server stand-in: counts the connections it
    accepts; ``statuses`` are its answers in turn (then 204); an answer
    waits for ``barrier`` (every node has its request) and ``hold``."""

    def __init__(self, barrier: Optional[threading.Barrier] = None,
                 statuses: Optional[List[int]] = None) -> None:
        self.barrier = barrier
        self.statuses = list(statuses or [])
        self.hold = threading.Event()
        self.hold.set()
        self.requests = 0
        super().__init__()

    def serve(self, conn: socket.socket) -> None:
        conn.settimeout(20)
        buf = b""
        try:
            while True:
                got = read_head(conn, buf)
                if got is None:
                    return
                _head, buf = got
                self.requests += 1
                if self.barrier is not None:
                    self.barrier.wait(10)
                self.hold.wait(20)
                status = self.statuses.pop(0) if self.statuses else 204
                conn.sendall(b"HTTP/1.1 %d Answer\r\nContent-Length: 0\r\n\r\n" % status)
        except (OSError, threading.BrokenBarrierError):
            return
        finally:
            conn.close()

    def stop(self) -> None:
        self.hold.set()
        super().stop()


class App:
    conn_timeout = 2.0
    node_timeout = 10.0
    post_quorum_timeout = 10.0

    def __init__(self) -> None:
        self.errors: List[str] = []
        self.logger = None

    def error_occurred(self, node, message, err=None):
        self.errors.append(message)

    def error_limit(self, node, message):
        self.errors.append(message)

    def node_answered(self, node, seconds):
        pass


@pytest.fixture
def green(monkeypatch):
    monkeypatch.setattr(concurrency, "green_threads", lambda: True)


def _write(app, nodes, replicas=3):
    controller = Controller(app, "a", "c", "o")
    headers_list = [{"X-Timestamp": "1.00000"} for _ in range(replicas)]
    return fanout.gather(controller, iter(nodes), 1, "DELETE", "/a/c/o", headers_list, "",
                         lambda got: best_status([a.status for a in got], replicas) != 503)


def _warm(app, servers):
    """One write, so the worker holds an idle connection to each."""
    assert [a.status for a in _write(app, [s.node for s in servers])] == [204] * 3


def test_every_request_is_sent_before_an_answer_is_read_over_the_idle_connections(green):
    servers = [Node() for _ in range(3)]
    app = App()
    try:
        _warm(app, servers)
        barrier = threading.Barrier(3)
        for server in servers:  # no node answers before all three have their request
            server.barrier = barrier
        for _round in range(3):
            assert [a.status for a in _write(app, [s.node for s in servers])] == [204] * 3
        assert [s.accepted for s in servers] == [1, 1, 1]
        assert app.errors == []
    finally:
        for server in servers:
            server.stop()


def test_a_quorum_answers_and_a_late_node_is_read_in_the_background(green):
    servers = [Node() for _ in range(3)]
    app = App()
    app.post_quorum_timeout = 0.05
    try:
        _warm(app, servers)
        servers[0].hold.clear()  # the first node answers only when let go
        answers = _write(app, [s.node for s in servers])
        assert sorted(a.node["port"] for a in answers) == sorted([servers[1].port,
                                                                  servers[2].port])
        servers[0].hold.set()
        concurrency.sleep(0.5)  # the background read takes its answer
        _warm(app, servers)
        assert [s.accepted for s in servers] == [1, 1, 1]  # its connection was kept
        assert servers[0].requests == 3
        assert app.errors == []
    finally:
        for server in servers:
            server.stop()


def test_a_node_answering_5xx_is_replaced_by_the_next_node(green):
    servers = [Node() for _ in range(3)]
    spare = Node()
    app = App()
    try:
        _warm(app, servers)
        servers[1].statuses = [503]
        answers = _write(app, [s.node for s in servers] + [spare.node])
        assert sorted(a.node["port"] for a in answers) == sorted(
            [servers[0].port, servers[2].port, spare.port])
        assert [a.status for a in answers] == [204] * 3
        assert spare.requests == 1
    finally:
        for server in servers + [spare]:
            server.stop()


def test_a_node_without_an_idle_connection_is_connected_to_and_the_others_reuse_theirs(green):
    servers = [Node() for _ in range(3)]
    app = App()
    try:
        _warm(app, servers)
        while shared_pool().get("127.0.0.1", servers[2].port) is not None:
            pass
        answers = _write(app, [s.node for s in servers])
        assert [a.status for a in answers] == [204] * 3
        assert [s.accepted for s in servers] == [1, 1, 2]
    finally:
        for server in servers:
            server.stop()


def test_every_node_failing_leaves_no_answer_and_counts_the_errors(green):
    servers = [Node() for _ in range(3)]
    app = App()
    try:
        _warm(app, servers)
        for server in servers:
            server.statuses = [500]
        answers = _write(app, [s.node for s in servers])
        assert sorted(a.status for a in answers) == [500, 500, 500]
        assert len(app.errors) == 3
    finally:
        for server in servers:
            server.stop()


def test_an_idle_connection_found_dead_at_the_send_asks_the_same_node_on_a_new_one(
        green, monkeypatch):
    from objstore.common import http_client

    servers = [Node() for _ in range(3)]
    spare = Node()
    app = App()
    try:
        _warm(app, servers)
        send = http_client.BackendConnection.send_request
        broken = []

        def send_request(conn, body=None):
            if conn.port == servers[1].port and not broken:
                broken.append(conn)
                raise BrokenPipeError(32, "the server closed it while idle")
            return send(conn, body)

        monkeypatch.setattr(http_client.BackendConnection, "send_request", send_request)
        answers = _write(app, [s.node for s in servers] + [spare.node])
        assert broken  # the idle connection was taken and failed at the send
        assert sorted(a.node["port"] for a in answers) == sorted(s.port for s in servers)
        assert [a.status for a in answers] == [204] * 3
        assert servers[1].accepted == 2 and spare.requests == 0
        assert app.errors == []  # a connection that died while idle is not the node's fault
    finally:
        for server in servers + [spare]:
            server.stop()
