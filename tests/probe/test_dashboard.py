"""The dashboard shows real damage and the repair: a stopped server is
down in the health view and its copy unreachable in the lookup; a deleted
replica is missing until the replicator puts it back."""

import http.client
import json
import os
import shutil
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_helpers import (account_of, diskfile, object_nodes, run_daemon,  # noqa: E402
                           start_cluster, stop_server)

_BASE = int(os.environ.get("SAIO_PORT_BASE", "6200"))
DASHBOARD_PORT = int(os.environ.get("SAIO_DASHBOARD_PORT",
                                    "8090" if _BASE == 6200 else str(_BASE + 90)))


def _request(method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", DASHBOARD_PORT, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def _login() -> str:
    status, headers, _ = _request(
        "POST", "/login", {"Accept": "application/json",
                           "Content-Type": "application/x-www-form-urlencoded"},
        "user=admin%3Aadmin&key=admin")
    assert status == 200
    return headers["Set-Cookie"].split(";")[0]


def _api(cookie: str, what: str):
    status, _, body = _request("GET", "/api/" + what, {"Cookie": cookie})
    assert status == 200, body
    return json.loads(body)


def _states(cookie, account, container, obj):
    doc = _api(cookie, "lookup?path=" + urllib.parse.quote("/%s/%s/%s" % (account, container, obj)))
    return {n["port"]: n["state"] for n in doc["nodes"] if n["role"] == "primary"}


def test_a_stopped_object_server_is_down_and_its_copy_unreachable(conn, container):
    cookie = _login()
    conn.put_object(container, "o", b"seen by the dashboard")
    account = account_of(conn)
    _part, primaries, _handoffs = object_nodes(account, container, "o")
    victim = primaries[0]
    port = _BASE + victim * 10
    try:
        stop_server("object-%d" % victim)
        servers = _api(cookie, "health")["servers"]
        down = [(s["kind"], s["port"]) for s in servers if not s["up"]]
        assert down == [("object", port)]
        assert [s["error"] for s in servers if not s["up"]][0]
        states = _states(cookie, account, container, "o")
        assert states.pop(port) == "unreachable"
        assert set(states.values()) == {"present"}
    finally:
        start_cluster()
    assert all(s["up"] for s in _api(cookie, "health")["servers"])
    conn.delete_object(container, "o")


def test_a_deleted_replica_is_missing_until_the_replicator_restores_it(conn, container):
    cookie = _login()
    conn.put_object(container, "o", b"one copy will go")
    account = account_of(conn)
    part, primaries, _handoffs = object_nodes(account, container, "o")
    victim = primaries[1]
    shutil.rmtree(diskfile(victim, part, account, container, "o").datadir)
    states = _states(cookie, account, container, "o")
    assert states[_BASE + victim * 10] == "missing"
    assert sorted(states.values()) == ["missing", "present", "present"]
    run_daemon("object-replicator")
    assert set(_states(cookie, account, container, "o").values()) == {"present"}
    conn.delete_object(container, "o")
