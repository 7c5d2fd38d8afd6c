"""The study dashboard against the live cluster: tempauth logins, the
session every API call needs, the ring, health and lookup answers, and a
headless Chromium that logs in and sees the ring chart and every server up.
"""

import http.client
import json
import os
import re
import urllib.parse
import uuid

import pytest

from tests.functional.browser import PageServer, dump_dom
from tests.probe.probe_helpers import copies_home

_BASE = int(os.environ.get("SAIO_PORT_BASE", "6200"))
DASHBOARD = "http://127.0.0.1:%s" % os.environ.get(
    "SAIO_DASHBOARD_PORT", "8090" if _BASE == 6200 else str(_BASE + 90))
#: 4 nodes x (object, container, account) + the proxy
SERVERS = 13


def request(method, path, cookie=None, body=None, headers=None):
    parts = urllib.parse.urlsplit(DASHBOARD)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = dict(headers or {})
    if cookie:
        headers["Cookie"] = "objstore_dashboard=" + cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def login(user, key):
    """(status, session id or None, JSON answer)."""
    body = urllib.parse.urlencode({"user": user, "key": key})
    status, headers, data = request("POST", "/login", body=body,
                                    headers={"Accept": "application/json"})
    match = re.match(r"objstore_dashboard=([^;]+);", headers.get("Set-Cookie", ""))
    return status, match.group(1) if match else None, json.loads(data)


@pytest.fixture(scope="module")
def session(saio):
    status, sid, _doc = login("test:tester", "testing")
    assert status == 200 and sid
    yield sid
    request("POST", "/logout", cookie=sid)


def api(path, sid):
    status, _headers, data = request("GET", "/api/" + path, cookie=sid)
    return status, json.loads(data)


@pytest.mark.parametrize("user,key", [("admin:admin", "admin"), ("test:tester", "testing")])
def test_reseller_and_account_admins_log_in_with_a_strict_httponly_cookie(saio, user, key):
    body = urllib.parse.urlencode({"user": user, "key": key})
    status, headers, data = request("POST", "/login", body=body,
                                    headers={"Accept": "application/json"})
    assert status == 200 and json.loads(data) == {"user": user}
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    sid = re.match(r"objstore_dashboard=([^;]+);", cookie).group(1)
    assert api("session", sid) == (200, {"user": user})
    request("POST", "/logout", cookie=sid)
    assert api("session", sid)[0] == 401


@pytest.mark.parametrize("user,key,why", [
    ("test:tester3", "testing3", "not an admin"),
    ("test:tester", "wrong", "wrong user or key"),
    ("nobody:nobody", "x", "wrong user or key")])
def test_non_admins_and_wrong_keys_get_no_session(saio, user, key, why):
    status, sid, doc = login(user, key)
    assert status == 401 and sid is None and why in doc["error"]


@pytest.mark.parametrize("path", ["rings", "health", "session", "lookup?path=/AUTH_test/c/o",
                                  "partition?ring=object&part=0",
                                  "rebalance?ring=object&dev=0&weight=2"])
def test_api_refuses_without_a_session(saio, path):
    status, doc = api(path, None)
    assert status == 401 and "log in" in doc["error"]
    assert api(path, "not-a-session")[0] == 401


def test_rings_show_every_policy_and_a_balanced_saio(session):
    status, rings = api("rings", session)
    assert status == 200
    from objstore.common.storage_policy import load_policies
    policies = load_policies(os.path.join(os.environ.get("SAIO_DIR", os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        ".saio")), "etc"))
    assert [(r["ring"], r["policy"]) for r in rings] == [
        ("account", None), ("container", None)] + [(p.ring_name, p.index) for p in policies]
    assert [r["ring"] for r in rings][2:4] == ["object", "object-1"]
    for ring in rings:
        assert len(ring["devices"]) == 4 and ring["balance"] == 0.0
        assert sum(d["parts"] for d in ring["devices"]) == ring["partitions"] * ring["replicas"]


def test_rebalance_dry_run_shows_moves_and_changes_nothing(session):
    status, doc = api("rebalance?ring=object&dev=0&weight=2", session)
    assert status == 200 and doc["moved_replicas"] > 0
    devs = {d["id"]: d for d in doc["devices"]}
    assert devs[0]["parts"] > devs[0]["parts_before"] == 768
    assert [d["weight"] for d in api("rings", session)[1][2]["devices"]] == [1.0] * 4
    status, doc = api("rebalance?ring=object&dev=99&weight=2", session)
    assert status == 400 and "has no device 99" in doc["error"]
    status, doc = api("rebalance?ring=object&dev=0&weight=lots", session)
    assert status == 400 and "weight (a number)" in doc["error"]


def test_health_shows_every_server_up_with_its_devices(session):
    status, doc = api("health", session)
    assert status == 200 and len(doc["servers"]) == SERVERS
    assert [s for s in doc["servers"] if not s["up"]] == []
    for server in doc["servers"][1:]:
        assert server["ms"] > 0 and len(server["devices"]) == 1
        assert server["devices"][0]["size"] > server["devices"][0]["used"] > 0
        assert isinstance(server["quarantined"], int)
        for daemon in ("replication", "auditor"):
            assert set(server[daemon] or {"last_pass": 1}) <= {"last_pass", "pass_time", "stats"}
        assert ("expirer" in server) == (server["kind"] == "object")
        assert ("reconstruction" in server) == (server["kind"] == "object")
    assert all(s["async_pending"] is not None for s in doc["servers"] if s["kind"] == "object")


def test_lookup_finds_every_replica_with_the_same_timestamp_and_etag(session, conn):
    name = "dash-" + uuid.uuid4().hex[:10]
    conn.put_container(name)
    try:
        etag = conn.put_object(name, "a/b c", b"dashboard")
        copies_home("AUTH_test", name, "a/b c", b"dashboard")  # a PUT promises a quorum only
        status, doc = api("lookup?path=" + urllib.parse.quote("/AUTH_test/%s/a/b c" % name),
                          session)
        assert status == 200 and doc["object"] == "a/b c" and doc["policy"] == 0
        primaries = [n for n in doc["nodes"] if n["role"] == "primary"]
        handoffs = [n for n in doc["nodes"] if n["role"] == "handoff"]
        assert len(primaries) == 3 and len(handoffs) == 1
        assert {n["state"] for n in primaries} == {"present"}
        assert len({n["timestamp"] for n in primaries}) == 1
        assert len({n["etag"] for n in primaries}) == 1 and etag
        assert handoffs[0]["state"] == "missing"
        status, doc = api("lookup?path=/AUTH_test/%s/never-written" % name, session)
        assert status == 200 and {n["state"] for n in doc["nodes"]} == {"missing"}
    finally:
        conn.delete_object(name, "a/b c")
        conn.delete_container(name)


def test_lookup_in_an_ec_container_shows_each_fragment_index(session, conn):
    name = "dash-ec-" + uuid.uuid4().hex[:10]
    conn.put_container(name, headers={"X-Storage-Policy": "ec21"})
    try:
        conn.put_object(name, "o", b"x" * 5000)
        copies_home("AUTH_test", name, "o", policy="ec21")  # each fragment on its primary
        status, doc = api("lookup?path=/AUTH_test/%s/o" % name, session)
        assert status == 200 and doc["policy"] == 1 and doc["ring"] == "object-1"
        primaries = [n for n in doc["nodes"] if n["role"] == "primary"]
        assert [n["state"] for n in primaries] == ["present"] * 3
        assert sorted(n["frag_index"] for n in primaries) == ["0", "1", "2"]
        assert len({n["etag"] for n in primaries}) == 1
    finally:
        conn.delete_object(name, "o")
        conn.delete_container(name)


@pytest.mark.parametrize("path,message", [
    ("/AUTH_test/no-such-container-dash/o", "was not found on its container servers"),
    ("/AUTH_test/only-container", "/account/container/object")])
def test_lookup_of_bad_paths_says_what_is_wrong(session, path, message):
    status, doc = api("lookup?path=" + urllib.parse.quote(path), session)
    assert status == 404 and message in doc["error"]


LOGIN_PAGE = """<!doctype html><html><body>
<form id="f" method="post" action="%s/login">
<input name="user" value="admin:admin"><input name="key" value="admin"></form>
<script>document.getElementById("f").submit();</script></body></html>"""


def test_chromium_logs_in_and_sees_the_ring_chart_and_every_server_up(saio):
    with PageServer({"/login.html": LOGIN_PAGE % DASHBOARD}) as site:
        dom = dump_dom(site.origin + "/login.html", budget_ms=15000)
    assert 'id="views" class=""' in dom, dom[:3000]
    assert "logged in as admin:admin" in dom
    assert len(re.findall(r'<rect class="bar"', dom)) == 4, dom
    assert len(re.findall(r'<tr class="server up">', dom)) == SERVERS, dom
    assert '<tr class="server down">' not in dom
    # the optional panels say what is missing until a tiering or sync daemon reports
    for panel, summary in (("tiering", "tier-summary"), ("sync", "sync-summary")):
        assert re.search(r'<div id="panel-%s">(<p class="not-configured">not configured|'
                         r'<p class="%s">)' % (panel, summary), dom), dom[-3000:]


def test_chromium_without_a_session_sees_only_the_login_form(saio):
    dom = dump_dom(DASHBOARD + "/", budget_ms=5000)
    assert 'id="login" class=""' in dom and 'id="views" class="hidden"' in dom
    assert '<rect class="bar"' not in dom


def test_chromium_logs_in_from_a_lookup_link_and_sees_every_copy_present(saio, conn):
    name = "dash-" + uuid.uuid4().hex[:10]
    conn.put_container(name)
    try:
        conn.put_object(name, "o", b"browser lookup")
        copies_home("AUTH_test", name, "o", b"browser lookup")
        page = LOGIN_PAGE.replace(
            '<input name="key" value="admin">',
            '<input name="key" value="admin">'
            '<input name="next" value="#lookup=/AUTH_test/%s/o">' % name) % DASHBOARD
        with PageServer({"/login.html": page}) as site:
            dom = dump_dom(site.origin + "/login.html", budget_ms=15000)
        assert "/AUTH_test/%s/o: policy 0 (gold)" % name in dom, dom[-3000:]
        assert len(re.findall(r'<tr class="present"><td>primary</td>', dom)) == 3, dom[-3000:]
    finally:
        conn.delete_object(name, "o")
        conn.delete_container(name)


def test_health_shows_each_daemon_pass_with_its_stats_after_a_lab_run(session):
    from tests.functional.test_dashboard_lab import post
    status, doc = post("run", {"daemon": "object-reconstructor", "node": "1"}, session)
    assert status == 200 and doc["results"][0]["status"] == 0
    servers = api("health", session)[1]["servers"]
    node1 = [s for s in servers if s["kind"] == "object" and s["port"] == _BASE + 10][0]
    passed = node1["reconstruction"]
    assert passed["last_pass"] and "rebuilt" in passed["stats"]
    assert node1["daemons"]["object-reconstructor"] == passed
    panels = api("health", session)[1]["panels"]
    assert set(panels) == {"tiering", "sync"}
