"""Faults a client must not notice, and bad paths the proxy must refuse.

One object server is killed (SIGKILL) or hung (SIGSTOP): with 3 replicas
and quorum writes, PUT and GET still work, and a hung node costs at most
about ``node_timeout``. The server is always brought back in a ``finally``
(``SIGCONT``, or started again alone, with ``saio/start`` if anything else
is down: ``tests/probe/targeted.py``).
"""

import configparser
import hashlib
import os
import signal
import subprocess
import time
from contextlib import contextmanager

import pytest

from tests.probe.targeted import down, restart

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAIO = os.path.join(REPO, ".saio")
VICTIM = "object-1"
VICTIM_PORT = int(os.environ.get("SAIO_PORT_BASE", "6200")) + 10


def _children(pid: int):
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as fp:
                    fields = fp.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(entry))
    return kids


def _server_pids(name: str):
    """The server's supervisor pid and its worker pids (never anything else)."""
    with open(os.path.join(SAIO, "run", "%s.pid" % name)) as fp:
        parent = int(fp.read().strip())
    os.kill(parent, 0)
    return parent, _children(parent)


def _node_timeout() -> float:
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(os.path.join(SAIO, "etc", "proxy-server.conf"))
    return float(conf.get("app:proxy-server", "node_timeout", fallback="10"))


def _names_on_victim(account: str, container: str, count: int):
    """Object names whose primary nodes include the victim's device."""
    from ring.ring import Ring
    ring = Ring(os.path.join(SAIO, "etc"), ring_name="object")
    names = []
    i = 0
    while len(names) < count:
        name = "f-%d" % i
        _, nodes = ring.get_nodes(account, container, name)
        if any(n["port"] == VICTIM_PORT for n in nodes):
            names.append(name)
        i += 1
    return names


@pytest.fixture
def whole_cluster(http_api):
    """Every server running before a fault is injected (starts what is missing)."""
    restart(down())


@contextmanager
def victim_killed():
    parent, workers = _server_pids(VICTIM)
    try:
        os.kill(parent, signal.SIGKILL)  # first, so it cannot fork replacements
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        deadline = time.time() + 30
        while any(os.path.exists("/proc/%d" % p) and _state(p) != "Z" for p in [parent] + workers):
            assert time.time() < deadline, "killed object server is still running"
            time.sleep(0.05)
        yield
    finally:
        restart([VICTIM])


@contextmanager
def victim_stopped():
    parent, workers = _server_pids(VICTIM)
    stopped = []
    try:
        for pid in [parent] + workers:
            os.kill(pid, signal.SIGSTOP)
            stopped.append(pid)
        yield
    finally:
        for pid in stopped:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass


def _state(pid: int) -> str:
    try:
        with open("/proc/%d/stat" % pid) as fp:
            return fp.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_put_and_get_succeed_with_one_object_server_killed(whole_cluster, http_api, container):
    account = http_api.path().rsplit("/", 1)[1]
    names = _names_on_victim(account, container, 5)
    with victim_killed():
        for name in names:
            body = ("payload of %s" % name).encode() * 100
            put = http_api.request("PUT", http_api.path(container, name), body=body, timeout=60)
            assert put.status == 201, (name, put.status, put.body)
            got = http_api.request("GET", http_api.path(container, name), timeout=60)
            assert got.status == 200
            assert got.body == body
            assert got.headers["ETag"].strip('"') == hashlib.md5(body).hexdigest()  # quoting: test_objects
    for name in names:  # and after the restart everything is still there
        assert http_api.request("GET", http_api.path(container, name)).status == 200


def test_get_returns_within_node_timeout_when_one_object_server_hangs(whole_cluster, http_api, container):
    account = http_api.path().rsplit("/", 1)[1]
    names = _names_on_victim(account, container, 2)
    for name in names:
        assert http_api.request("PUT", http_api.path(container, name), body=name.encode()).status == 201
    bound = _node_timeout() + 5  # one hung node, then a healthy replica
    with victim_stopped():
        for name in names:
            start = time.time()
            got = http_api.request("GET", http_api.path(container, name), timeout=bound * 3)
            elapsed = time.time() - start
            assert got.status == 200
            assert got.body == name.encode()
            assert elapsed < bound, "GET took %.1f s with one node hung (bound %.1f s)" % (elapsed, bound)


@pytest.mark.parametrize("path,status", [
    ("/v1", 412),               # no account: "Bad URL"
    ("/v1/", 412),
    ("/foo", 412),
    ("/", 404),                 # not a path the proxy understands at all
    ("/v2/AUTH_test", 400),     # unknown API version
    ("/v1/AUTH_test/%FF", 412),  # not UTF-8
])
def test_bad_paths_are_refused_with_the_documented_status(http_api, path, status):
    assert http_api.request("GET", path).status == status


def test_every_server_is_running_again_after_the_fault_tests(http_api):
    status = subprocess.run([os.path.join(REPO, "saio", "status")], capture_output=True, text=True)
    assert status.returncode == 0, status.stdout
    assert http_api.request("GET", "/healthcheck", user=None).status == 200
