"""Servers the unit tests start, each on a port no other process can take.

Picking a "free port" (bind port 0, read the number, close the socket) and
starting a server on that number seconds later leaves a window in which
the kernel may hand the same number to anyone else on the machine: another
test's server or relay, even the next free-port pick of the same cluster.
Our server then cannot bind (it retries for ``bind_timeout``) while the
other one answers on the port: a container request answered by an account
server is a 400 "Missing X-Put-Timestamp header", one answered by an
object server a 201 that stored nothing where the test looks. A loaded
machine widens the window (the servers start slowly), so such a collision
showed as a rare 400 on a cluster's very first request.

So the test binds the listening socket itself and hands it to the server
the way a reloading server hands its socket to its new image
(``OBJSTORE_LISTEN_FD``, objstore/common/wsgi.py): the port is ours from
the moment its number is known. A bound socket takes connections before
the server runs, so readiness is an HTTP answer, not a TCP connect.
"""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import time
from typing import Dict, List, Optional

from objstore.common.wsgi import LISTEN_FD_ENV


def listener() -> socket.socket:
    """A socket listening on a loopback port of the kernel's choice, to be
    handed to a server with :func:`spawn`."""
    sock = socket.socket()
    # as the servers' own sockets (concurrency.listen): the connections it
    # accepts inherit it, so their TIME_WAITs do not keep a server restarted
    # on this port number from binding
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(4096)
    return sock


def spawn(cmd: List[str], sock: socket.socket, env: Optional[Dict[str, str]] = None,
          **popen_args) -> subprocess.Popen:
    """Start ``cmd`` (an objstore server) serving ``sock``; this process's
    copy of the socket is closed, so once the server stops the port
    refuses connections as a stopped server's does."""
    fd = sock.fileno()
    child_env = dict(os.environ if env is None else env)
    child_env[LISTEN_FD_ENV] = str(fd)
    try:
        return subprocess.Popen(cmd, env=child_env, pass_fds=(fd,), **popen_args)
    finally:
        sock.close()


def wait_serving(port: int, proc: subprocess.Popen, what: str = "server",
                 deadline: float = 60.0) -> None:
    """Wait until the server on ``port`` answers an HTTP request (any
    status: the app is serving); fail at once if it died. The request
    waits in the socket's queue until the server takes it (a server that
    dies closes the socket, which ends the wait)."""
    end = time.time() + deadline
    while True:
        if proc.poll() is not None:
            raise AssertionError("%s on port %d died at start (exit %s)"
                                 % (what, port, proc.returncode))
        conn = http.client.HTTPConnection("127.0.0.1", port,
                                          timeout=max(1.0, min(10.0, end - time.time())))
        try:
            conn.request("GET", "/healthcheck")
            conn.getresponse().read()
            return
        except (OSError, http.client.HTTPException):
            if time.time() > end:
                raise AssertionError("%s on port %d never answered" % (what, port)) from None
            time.sleep(0.05)
        finally:
            conn.close()
