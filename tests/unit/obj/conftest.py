"""Fixtures for the object server tests: temp devices, a config, the app
in-process, and the real server process on a free loopback port."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from objstore.obj.server import ObjectController

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "support"))
import listeners  # noqa: E402

HASH_CONF = "[objstore-hash]\nswift_hash_path_prefix = pre\nswift_hash_path_suffix = suf\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(cond, deadline=30.0, interval=0.02):
    end = time.time() + deadline
    while time.time() < end:
        value = cond()
        if value:
            return value
        time.sleep(interval)
    return cond()


def make_conf(tmp_path):
    devices = tmp_path / "node"
    (devices / "sda1").mkdir(parents=True)
    swift_dir = tmp_path / "etc"
    swift_dir.mkdir()
    (swift_dir / "objstore.conf").write_text(
        HASH_CONF + "[storage-policy:0]\nname = gold\ndefault = yes\n"
        "[storage-policy:1]\nname = silver\n")
    return {"devices": str(devices), "mount_check": "false", "swift_dir": str(swift_dir),
            "node_timeout": "1", "conn_timeout": "0.5", "fallocate_reserve": "0",
            "log_name": "object-server-test", "log_level": "WARNING"}


@pytest.fixture
def obj_conf(tmp_path):
    return make_conf(tmp_path)


@pytest.fixture
def app(obj_conf):
    return ObjectController(obj_conf)


class ServerProcess:
    """The real ``objstore-object-server`` on a loopback port."""

    def __init__(self, tmp_path, conf):
        # bound here: no other process can take the port before the first start
        # (tests/support/listeners.py); a restart binds it by number
        self._sock = listeners.listener()
        self.port = self._sock.getsockname()[1]
        self.conf = conf
        self.devices = conf["devices"]
        self.log = tmp_path / "object-server.log"
        self.conf_path = tmp_path / "object-server.conf"
        lines = ["[DEFAULT]", "bind_ip = 127.0.0.1", "bind_port = %d" % self.port,
                 "workers = 0", "log_file = %s" % self.log, "log_level = INFO",
                 "[app:object-server]"]
        lines += ["%s = %s" % (k, v) for k, v in conf.items() if k not in ("log_level",)]
        self.conf_path.write_text("\n".join(lines) + "\n")
        self.proc = None

    def start(self):
        script = os.path.join(os.path.dirname(sys.executable), "objstore-object-server")
        cmd = [script] if os.path.exists(script) else [sys.executable, "-m", "objstore.obj.server"]
        if self._sock is not None:
            sock, self._sock = self._sock, None
            self.proc = listeners.spawn(cmd + [str(self.conf_path)], sock,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            self.proc = subprocess.Popen(cmd + [str(self.conf_path)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert poll(self._up), "object server never answered on port %d" % self.port

    def _up(self):
        try:
            return self.request("GET", "/healthcheck")[0] == 200
        except OSError:
            return False

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def connect(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, headers=None, body=None):
        conn = self.connect()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.msg, resp.read()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for the tests that leave it running (use unique names)."""
    tmp_path = tmp_path_factory.mktemp("shared")
    proc = ServerProcess(tmp_path, make_conf(tmp_path))
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def server(tmp_path, obj_conf):
    """A server of the test's own, for tests that kill or reconfigure it."""
    proc = ServerProcess(tmp_path, obj_conf)
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


class FakeContainerServer:
    """A tiny real HTTP server standing in for a container server: records
    every request and answers with ``status``."""

    def __init__(self, status=201):
        import http.server
        import threading

        self.status = status
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                outer.requests.append((self.command, self.path, dict(self.headers)))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = do_DELETE = do_POST = _record

            def log_message(self, *_args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def host(self):
        return "127.0.0.1:%d" % self.port

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def container_server():
    server = FakeContainerServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def helpers():
    """The helper classes and functions above, for test modules (conftest
    itself is not importable under --import-mode=importlib from anywhere)."""
    import types

    return types.SimpleNamespace(free_port=free_port, poll=poll, ServerProcess=ServerProcess,
                                 FakeContainerServer=FakeContainerServer)
