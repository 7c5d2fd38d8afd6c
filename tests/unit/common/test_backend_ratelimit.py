"""backend_ratelimit in the real storage servers: a real object server
process and a container server app, each with a tight per-device rate."""

import http.client
import os
import subprocess
import sys
import time

import pytest
from webob import Request

from objstore.common import backend_ratelimit
from objstore.container.server import app_factory as container_app_factory
from tests.support import listeners

HASH_CONF = ("[objstore-hash]\nswift_hash_path_prefix = pre\nswift_hash_path_suffix = suf\n"
             "[storage-policy:0]\nname = gold\ndefault = yes\n")


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
    assert backend_ratelimit.wrap(app, {"backend_ratelimit_conf_path": ""}) is app
    assert backend_ratelimit.wrap(app, {"requests_per_device_per_second": "0",
                                        "backend_ratelimit_conf_path": ""}) is app
    # By default a rates file in swift_dir may set rates later: wrapped.
    assert isinstance(backend_ratelimit.wrap(app, {}), backend_ratelimit.BackendRateLimit)
    assert isinstance(backend_ratelimit.wrap(app, {"put_requests_per_device_per_second": "2"}),
                      backend_ratelimit.BackendRateLimit)


@pytest.fixture
def object_server(tmp_path):
    devices, swift_dir = _devices(tmp_path, "sda1", "sda2")
    sock = listeners.listener()  # bound here: no other process can take it
    port = sock.getsockname()[1]
    conf = tmp_path / "object-server.conf"
    conf.write_text("[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %d\nworkers = 0\n"
                    "log_level = WARNING\n[app:object-server]\ndevices = %s\n"
                    "mount_check = false\nswift_dir = %s\n"
                    "put_requests_per_device_per_second = 0.2\n"
                    "requests_per_device_rate_buffer = 0\n" % (port, devices, swift_dir))
    script = os.path.join(os.path.dirname(sys.executable), "objstore-object-server")
    proc = listeners.spawn([script, str(conf)], sock, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    listeners.wait_serving(port, proc, "object server")
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

    limited = app.app  # behind recon
    assert isinstance(limited, backend_ratelimit.BackendRateLimit)
    clock = limited.clock = _Clock()  # what is refused no longer depends on how long calls take

    def call(method, path):
        req = Request.blank(path, method=method, headers={"X-Timestamp": "%.5f" % time.time()})
        return req.get_response(app).status_int
    assert call("PUT", "/sdb1/0/a/c") == 201
    # One request per second and method: the second HEAD at once is refused.
    assert [call("HEAD", "/sdb1/0/a/c") for _ in range(2)] == [204, 529]
    assert call("GET", "/healthcheck") == 200
    clock.now += 1  # the next slot on sdb1 comes one second after the first
    assert call("HEAD", "/sdb1/0/a/c") == 204


class _Clock:
    def __init__(self):
        self.now = 1800000000.0

    def __call__(self):
        return self.now


def _probe(limited, device="sda1", method="GET"):
    statuses = []
    env = Request.blank("/%s/1/a/c/o" % device, method=method).environ
    limited(env, lambda status, headers, exc_info=None: statuses.append(int(status[:3])))
    return statuses[0]


def test_rates_from_their_own_file_are_reloaded_when_it_changes(tmp_path):
    """An operator throttles a device without a restart (as Swift's
    backend_ratelimit_conf_path), and lifts it by removing the file."""
    def app(env, start_response):
        start_response("200 OK", [])
        return []
    rates = tmp_path / "backend-ratelimit.conf"
    clock = _Clock()
    limited = backend_ratelimit.wrap(app, {"backend_ratelimit_conf_path": str(rates),
                                           "config_reload_interval": "5",
                                           "requests_per_device_rate_buffer": "0"})
    limited.clock = clock
    assert isinstance(limited, backend_ratelimit.BackendRateLimit)  # wrapped for the file
    assert [_probe(limited) for _ in range(3)] == [200] * 3
    rates.write_text("[backend_ratelimit]\nget_requests_per_device_per_second = 1\n"
                     "requests_per_device_rate_buffer = 0\n")
    assert _probe(limited) == 200  # not looked at before config_reload_interval
    clock.now += 5
    assert [_probe(limited) for _ in range(2)] == [200, 529]
    assert _probe(limited, device="sda2") == 200  # per device
    assert _probe(limited, method="HEAD") == 200  # per method
    rates.write_text("not an ini file [")
    os.utime(rates, (clock.now, clock.now + 1))
    clock.now += 5
    # A broken file keeps the last good rates (1/s: the 2nd at once is 529).
    assert [_probe(limited) for _ in range(2)] == [200, 529]
    rates.unlink()
    clock.now += 5
    assert [_probe(limited) for _ in range(3)] == [200] * 3  # the server config again
