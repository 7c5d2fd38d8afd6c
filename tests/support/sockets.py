"""Raw-socket helpers the tests share (one rule, one place)."""
from __future__ import annotations

import socket
import threading
from typing import List, Optional, Tuple


def read_to_close(sock: socket.socket) -> bytes:
    """Everything the peer sends until it closes the connection (the
    socket's own timeout bounds each wait)."""
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def read_head(conn: socket.socket, buf: bytes) -> Optional[Tuple[bytes, bytes]]:
    """The next request head on ``conn`` (``buf`` holds bytes already read)
    and what came after it; None once the peer closes before a whole head."""
    while b"\r\n\r\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head, rest


class LoopbackServer:
    """A raw server on a loopback port for tests that play a storage node:
    each accepted connection is counted, kept in ``open`` and served in a
    thread of its own by the subclass's ``serve(conn)``."""

    def __init__(self) -> None:
        self.accepted = 0
        self.open: List[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def node(self) -> dict:
        return {"ip": "127.0.0.1", "port": self.port, "device": "sda"}

    def _accept(self) -> None:
        while True:
            try:
                conn, _addr = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            self.open.append(conn)
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def stop(self) -> None:
        self.listener.close()
