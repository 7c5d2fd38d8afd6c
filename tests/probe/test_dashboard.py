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
from probe_helpers import account_of, copies_home, diskfile, stop_server  # noqa: E402
from targeted import replicate, restart  # noqa: E402

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
    _part, primaries = copies_home(account, container, "o")  # the others show "present"
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
        restart(["object-%d" % victim])
    assert all(s["up"] for s in _api(cookie, "health")["servers"])
    conn.delete_object(container, "o")


def test_a_deleted_replica_is_missing_until_the_replicator_restores_it(conn, container):
    cookie = _login()
    conn.put_object(container, "o", b"one copy will go")
    account = account_of(conn)
    part, primaries = copies_home(account, container, "o")
    victim = primaries[1]
    shutil.rmtree(diskfile(victim, part, account, container, "o").datadir)
    states = _states(cookie, account, container, "o")
    assert states[_BASE + victim * 10] == "missing"
    assert sorted(states.values()) == ["missing", "present", "present"]
    replicate([part])  # the object's partition, on every node
    assert set(_states(cookie, account, container, "o").values()) == {"present"}
    conn.delete_object(container, "o")


def test_a_tierers_recon_shows_in_the_tiering_panel_and_goes_with_it(saio):
    """A tierer's record in node 1's recon cache (where the SAIO's tierer
    writes it) appears in the tiering panel: objects per tier, moves, the
    last moves; without it the panel is empty ("not configured")."""
    import fcntl

    from objstore.common.daemon import dump_recon_cache, read_recon_cache
    from probe_helpers import SAIO
    cache = os.path.join(SAIO, "cache", "1", "object.recon")
    kept = read_recon_cache(cache).get("object-tierer")
    dump_recon_cache(cache, "object-tierer", {
        "last_pass": 1700000000.0, "stats": {"moved": 1}, "tiers": {},
        "objects_per_tier": {"hot": 2, "cold": 1}, "moves": {"done": 1},
        "recent_moves": [{"path": "/AUTH_test/c/o", "from_tier": "hot", "to_tier": "cold",
                          "state": "done", "reason": "reads: 0 in 60s", "finished": 1.0}]})
    try:
        cookie = _login()
        [part] = _api(cookie, "health")["panels"]["tiering"]
        assert part["server"] == "127.0.0.1:%d" % (_BASE + 10)
        assert part["objects_per_tier"] == {"hot": 2, "cold": 1}
        assert [m["to_tier"] for m in part["recent_moves"]] == ["cold"]
    finally:
        with open(cache + ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = read_recon_cache(cache)
            data.pop("object-tierer", None)
            if kept is not None:
                data["object-tierer"] = kept
            with open(cache, "w") as fp:
                json.dump(data, fp)
    if kept is None:
        assert _api(_login(), "health")["panels"]["tiering"] == []
