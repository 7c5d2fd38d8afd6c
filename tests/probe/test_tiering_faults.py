"""Faults around tier moves. kill -9 of the tierer at each step of a move (docs/tiering.md, the
recovery table): reads never fail, and a restarted tierer finishes the move
with nothing lost and exactly one body left.

The tierer is paused right after a step (its ``pause_after_step`` fault
injection option) and killed there with SIGKILL; its lease (2 s here) runs
out and the next run resumes the move from the queue.
"""

import glob
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
import uuid
from urllib.parse import quote

import pytest
import swiftclient

from objstore.common.internal_client import InternalClient
from probe_helpers import (AUTH_URL, ETC, NODES, PROXY, REPO, SAIO, VENV_BIN, copies_home,
                           delete_container, server_pid, stop_server)
from targeted import replicate
from tests.functional.tiering_support import run_tierer

BODY = os.urandom(2 * 1024 * 1024 + 5)
ETAG = hashlib.md5(BODY).hexdigest()


def _conf(tmp_path, **options):
    with open(os.path.join(ETC, "tierer.conf")) as fp:
        text = fp.read()
    text += "".join("%s = %s\n" % item for item in options.items())
    path = tmp_path / ("tierer-%s.conf" % uuid.uuid4().hex[:6])
    path.write_text(text)
    return str(path)


def _run_once(_tmp_path, clock_offset=0.0):
    """One pass of the SAIO's tierer, in this process (the killed ones run
    as processes of their own)."""
    run_tierer(clock_offset)


@pytest.fixture(scope="module")
def reseller():
    return swiftclient.Connection(AUTH_URL, "admin:admin", "admin", retries=0)


@pytest.fixture(scope="module")
def internal():
    return InternalClient(os.path.join(ETC, "proxy-server.conf"))


@pytest.fixture
def silver(conn):
    name = "probe-tier-" + uuid.uuid4().hex[:8]
    conn.put_container(name, headers={"X-Storage-Policy": "silver"})
    yield name
    delete_container(conn, name)


def _admin(reseller, method, what, body=None):
    req = urllib.request.Request(PROXY + "/tiering/" + what, method=method, data=body,
                                 headers={"X-Auth-Token": reseller.get_auth()[1]})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def _bodies(internal, policy, path):
    prefix = hashlib.md5(path.encode()).hexdigest() + "/"
    resp = internal.request("GET", "/v1/.tiers/" + policy,
                            query="format=json&prefix=" + quote(prefix))
    return [] if resp.status_int == 404 else [r["name"] for r in json.loads(resp.body)]


def _kill_after(tmp_path, step, conn, container, name):
    """Start a tierer that stops after ``step``; SIGKILL it there, checking
    a client read meanwhile."""
    log = tmp_path / ("tierer-%s.log" % step)
    conf = _conf(tmp_path, pause_after_step=step, pause_seconds=600, lease_seconds=2, workers=1,
                 log_level="DEBUG")
    with open(str(log), "w") as out:
        proc = subprocess.Popen([os.path.join(VENV_BIN, "objstore-tierer"), conf, "--once",
                                 "-v"], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while "pausing" not in log.read_text():
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.time() < deadline, "the tierer never reached step %s" % step
            time.sleep(0.2)
        headers, body = conn.get_object(container, name)  # mid-move: still served
        assert body == BODY and headers["etag"] == ETAG
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("step", ["copied", "switched", "cleaned"])
def test_a_tierer_killed_after_each_step_resumes_and_leaves_one_body(
        tmp_path, conn, silver, reseller, internal, step):
    path = "/v1/%s/%s/obj" % (conn.get_auth()[0].rsplit("/", 1)[1], silver)
    conn.put_object(silver, "obj", BODY, headers={"X-Object-Meta-Step": step})
    # hot, then cold again: two moves, the second from one .tiers body to another
    _admin(reseller, "POST", "counts", json.dumps([{"path": path, "count": 50}]).encode())
    _run_once(tmp_path)
    assert conn.head_object(silver, "obj")["x-object-storage-tier"] == "gold"
    assert len(_bodies(internal, "gold", path)) == 1
    _run_once(tmp_path, clock_offset=600)  # nothing read for ten minutes: bronze
    assert conn.head_object(silver, "obj")["x-object-storage-tier"] == "bronze"
    _admin(reseller, "POST", "counts", json.dumps([{"path": path, "count": 50}]).encode())
    _kill_after(tmp_path, step, conn, silver, "obj")
    status = _admin(reseller, "GET", "status?path=" + quote(path))
    assert status["open_move"]["state"] == "moving"
    _run_once(tmp_path, clock_offset=5)  # seconds later: the killed tierer's 2 s lease ran out
    status = _admin(reseller, "GET", "status?path=" + quote(path))
    assert status["open_move"] is None
    last = status["moves"][0]
    assert (last["state"], last["to_tier"], last["attempts"]) == ("done", "gold", 2), last
    assert not [m for m in status["moves"] if m["state"] == "failed"]
    headers, body = conn.get_object(silver, "obj")
    assert body == BODY and headers["etag"] == ETAG
    assert headers["x-object-storage-tier"] == "gold"
    assert headers["x-object-meta-step"] == step
    assert len(_bodies(internal, "gold", path)) == 1  # no duplicate
    assert _bodies(internal, "ec21", path) == []  # the old body went


def test_a_moved_body_lost_on_a_device_is_rebuilt_in_its_new_policy(tmp_path, conn, silver,
                                                                     reseller, internal):
    """The body of an object moved to bronze is an ordinary EC object of
    the .tiers account: the reconstructor rebuilds its archive on a wiped
    device, and the object still reads whole with another server down."""
    path = "/v1/%s/%s/obj" % (conn.get_auth()[0].rsplit("/", 1)[1], silver)
    conn.put_object(silver, "obj", BODY)
    _admin(reseller, "POST", "counts", json.dumps([{"path": path, "count": 0}]).encode())
    _run_once(tmp_path)
    _run_once(tmp_path, clock_offset=600)
    assert conn.head_object(silver, "obj")["x-object-storage-tier"] == "bronze"
    location = internal.request("HEAD", path, raw=True).headers[
        "X-Object-Sysmeta-Tier-Location"]
    policy, name = location.split("/", 1)
    assert policy == "ec21"
    # the tierer wrote the body through a proxy: each primary must hold its fragment
    part, primaries = copies_home(".tiers", policy, name, policy=policy)
    try:
        victim = primaries[1]
        found = glob.glob(os.path.join(SAIO, "srv", "*", "node", "sdb%d" % victim,
                                       "objects-1", str(part)))
        assert found, "the victim holds no archive of the body"
        for where in found:
            shutil.rmtree(where)
        replicate([part], NODES, "object-reconstructor")  # the body's partition, every node
        assert glob.glob(os.path.join(SAIO, "srv", "*", "node", "sdb%d" % victim, "objects-1",
                                      str(part), "*", "*", "*#1#d.data"))
        stop_server("object-%d" % primaries[0])  # decoding now needs the rebuilt archive
        headers, body = conn.get_object(silver, "obj")
        assert body == BODY and headers["etag"] == ETAG
    finally:
        _start_object_server(primaries[0])


def _start_object_server(node):
    """Start one stopped object server as saio/start does (the whole script
    spends seconds checking what is already up)."""
    if server_pid("object-%d" % node) is not None:
        return
    subprocess.run(["bash", "-c", 'source saio/common.sh && launch_server "object-$0" '
                    '"$ETC/object-server/$0.conf" objstore-object-server', str(node)],
                   cwd=REPO, check=True, timeout=60)
    port = int(os.environ.get("SAIO_PORT_BASE", "6200")) + node * 10
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/healthcheck" % port, timeout=2):
                return
        except OSError:
            assert time.time() < deadline, "object-%d did not come back" % node
            time.sleep(0.2)
