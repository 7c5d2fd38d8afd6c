import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "support"))
import listeners  # noqa: E402

APP = '''
import hashlib, sys, time
from objstore.common.wsgi import run_wsgi

def factory(conf):
    def app(env, start):
        path = env["PATH_INFO"]
        if path == "/full":
            start("507 Insufficient Storage", [("Content-Length", "0")])
            return [b""]
        if path == "/slow":
            time.sleep(1.5)
        if path == "/pid":
            import os
            body = str(os.getpid()).encode()
            start("200 OK", [("Content-Length", str(len(body)))])
            return [body]
        md5 = hashlib.md5()
        inp = env["wsgi.input"]
        while True:
            chunk = inp.read(65536)
            if not chunk:
                break
            md5.update(chunk)
        body = md5.hexdigest().encode()
        start("201 Created", [("Content-Length", str(len(body))), ("X-Path", path)])
        return [body]
    return app

sys.exit(run_wsgi(sys.argv[1], "app:test", factory, 0))
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, deadline: float = 30.0) -> None:
    end = time.time() + deadline
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.05)
    raise AssertionError("server at %s never answered" % url)


@pytest.fixture
def tiny_server(tmp_path):
    """A real objstore wsgi server (2 workers) running a tiny test app, on
    a socket bound here (tests/support/listeners.py)."""
    sock = listeners.listener()
    port = sock.getsockname()[1]
    script = tmp_path / "app.py"
    script.write_text(APP)
    conf = tmp_path / "app.conf"
    conf.write_text("[DEFAULT]\nbind_port = %d\nworkers = 2\n[app:test]\n" % port)
    proc = listeners.spawn([sys.executable, str(script), str(conf)], sock)
    try:
        wait_http("http://127.0.0.1:%d/pid" % port)
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(10)
