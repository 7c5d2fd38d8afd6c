"""Raw-socket helpers the tests share (one rule, one place)."""
from __future__ import annotations

import socket


def read_to_close(sock: socket.socket) -> bytes:
    """Everything the peer sends until it closes the connection (the
    socket's own timeout bounds each wait)."""
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
