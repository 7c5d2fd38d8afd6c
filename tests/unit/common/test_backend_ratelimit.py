"""backend_ratelimit in the real storage servers: a real object server
process and a container server app, each with a tight per-device rate."""

import http.client
import os
import socket
import subprocess
import sys
import time

import pytest
from webob import Request

from objstore.common import backend_ratelimit
from objstore.container.server import app_factory as container_app_factory

HASH_CONF = ("[objstore-hash]\nswift_hash_path_prefix = pre\nswift_hash_path_suffix = suf\n"
             "[storage-policy:0]\nname = gold\ndefault = yes\n")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _devices(tmp_path, *names):
    devices = tmp_path / "node"
    for name in names:
        (devices / name).mkdir(parents=True)
    swift_dir = tmp_path / "etc"
    swift_dir.mkdir()
    (swift_dir / "objstore.conf").write_text(HASH_CONF)
    return str(devices), str(swift_dir)


def test_without_a_rate_the_server_app_is_not_wrapped():
    def app(env, start_response):
        return []
    assert backend_ratelimit.wrap(app, {}) is app
    assert backend_ratelimit.wrap(app, {"requests_per_device_per_second": "0"}) is app
    assert isinstance(backend_ratelimit.wrap(app, {"put_requests_per_device_per_second": "2"}),
                      backend_ratelimit.BackendRateLimit)


@pytest.fixture
def object_server(tmp_path):
    devices, swift_dir = _devices(tmp_path, "sda1", "sda2")
    port = _free_port()
    conf = tmp_path / "object-server.conf"
    conf.write_text("[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %d\nworkers = 0\n"
                    "log_level = WARNING\n[app:object-server]\ndevices = %s\n"
                    "mount_check = false\nswift_dir = %s\n"
                    "put_requests_per_device_per_second = 0.2\n"
                    "requests_per_device_rate_buffer = 0\n" % (port, devices, swift_dir))
    script = os.path.join(os.path.dirname(sys.executable), "objstore-object-server")
    proc = subprocess.Popen([script, str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert proc.poll() is None and time.time() < deadline, "object server did not start"
            time.sleep(0.05)
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def _request(port, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"X-Timestamp": "%.5f" % time.time(), "Content-Type": "text/plain"}
    if body is not None:
        headers["Content-Length"] = str(len(body))
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def test_puts_past_a_devices_rate_are_529_and_other_devices_and_methods_go_on(object_server):
    assert _request(object_server, "PUT", "/sda1/0/a/c/o1", b"one")[0] == 201
    status, body = _request(object_server, "PUT", "/sda1/0/a/c/o2", b"two")
    assert status == 529
    assert b"Too Many Backend Requests" in body
    assert _request(object_server, "GET", "/sda1/0/a/c/o2")[0] == 404  # nothing stored
    assert _request(object_server, "GET", "/sda1/0/a/c/o1") == (200, b"one")
    assert _request(object_server, "PUT", "/sda2/0/a/c/o2", b"two")[0] == 201
    assert _request(object_server, "GET", "/healthcheck")[0] == 200


def test_the_container_server_limits_every_method_per_device(tmp_path):
    devices, swift_dir = _devices(tmp_path, "sdb1")
    app = container_app_factory({"devices": devices, "mount_check": "false",
                                 "swift_dir": swift_dir, "log_level": "WARNING",
                                 "requests_per_device_per_second": "1",
                                 "requests_per_device_rate_buffer": "0"})

    def call(method, path):
        req = Request.blank(path, method=method, headers={"X-Timestamp": "%.5f" % time.time()})
        return req.get_response(app).status_int
    assert call("PUT", "/sdb1/0/a/c") == 201
    # One request per second: of two HEADs in a row at least one is refused
    # (the first too, unless the PUT took longer than a second).
    assert 529 in (call("HEAD", "/sdb1/0/a/c"), call("HEAD", "/sdb1/0/a/c"))
    assert call("GET", "/healthcheck") == 200
    time.sleep(1.05)  # the next slot on sdb1 comes one second after the first
    assert call("HEAD", "/sdb1/0/a/c") == 204
