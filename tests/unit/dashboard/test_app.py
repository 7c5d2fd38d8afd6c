import io
import json

import pytest

from objstore.dashboard.app import DashboardApp, fragment_after_login


def call(app, method, path, cookie=None, body=b"", query="", accept=None):
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
           "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    if cookie:
        env["HTTP_COOKIE"] = cookie
    if accept:
        env["HTTP_ACCEPT"] = accept
    got = {}

    def start_response(status, headers):
        got["status"], got["headers"] = status, dict(headers)
    got["body"] = b"".join(app(env, start_response))
    return got


@pytest.fixture
def app(swift_dir):
    return DashboardApp({"swift_dir": swift_dir, "auth_url": "http://127.0.0.1:1/auth/v1.0",
                         "node_timeout": "1"})


@pytest.mark.parametrize("path", ["/api/rings", "/api/health", "/api/session",
                                  "/api/lookup", "/api/partition", "/api/rebalance",
                                  "/api/traffic", "/api/nothing"])
def test_every_api_endpoint_refuses_without_a_session(app, path):
    got = call(app, "GET", path, query="path=/a/c/o&ring=object&part=1")
    assert got["status"].startswith("401")
    assert "log in" in json.loads(got["body"])["error"]


def test_a_forged_session_cookie_is_refused(app):
    got = call(app, "GET", "/api/rings", cookie="objstore_dashboard=guessed")
    assert got["status"].startswith("401")


def test_a_live_session_reads_the_rings(app):
    sid = app.sessions.create("admin:admin", "http://x/v1/AUTH_admin")
    got = call(app, "GET", "/api/rings", cookie="objstore_dashboard=" + sid)
    assert got["status"] == "200 OK"
    assert [r["ring"] for r in json.loads(got["body"])] == ["account", "container", "object"]
    bad = call(app, "GET", "/api/partition", cookie="objstore_dashboard=" + sid,
               query="ring=object&part=x")
    assert bad["status"].startswith("400") and "whole number" in json.loads(bad["body"])["error"]


def test_the_page_is_served_with_a_strict_content_security_policy(app):
    got = call(app, "GET", "/")
    assert got["status"] == "200 OK" and b"/static/dashboard.js" in got["body"]
    assert got["headers"]["Content-Security-Policy"].startswith("default-src 'self'")
    assert call(app, "GET", "/static/dashboard.js")["headers"]["Content-Type"].startswith(
        "application/javascript")


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/", "/static/other.js",
                                  "/app.py"])
def test_only_the_shipped_assets_are_served(app, path):
    assert call(app, "GET", path)["status"].startswith("404")


def test_a_failed_login_sets_no_cookie(app):
    got = call(app, "POST", "/login", body=b"user=a:b&key=c", accept="application/json")
    assert got["status"].startswith("401") and "Set-Cookie" not in got["headers"]
    plain = call(app, "POST", "/login", body=b"user=a:b&key=c")
    assert plain["status"].startswith("303") and plain["headers"]["Location"] == "/#login-failed"
    assert "Set-Cookie" not in plain["headers"]


def test_a_login_keeps_only_a_fragment_of_the_page_it_came_from():
    assert fragment_after_login("#lookup=/AUTH_test/c/o") == "#lookup=/AUTH_test/c/o"
    assert fragment_after_login("#lookup=/a/c/o x") == "#lookup=/a/c/o%20x"
    assert fragment_after_login("#x\r\nSet-Cookie: a=b") == "#x%0D%0ASet-Cookie:%20a=b"
    for elsewhere in ("http://evil.example/", "//evil.example", "/api/rings", ""):
        assert fragment_after_login(elsewhere) == ""


def test_traffic_answers_the_recorded_seconds_and_says_when_nothing_listens(app):
    sid = app.sessions.create("admin:admin", "http://x/v1/AUTH_admin")
    app.traffic.record_line("proxy-server.object.PUT.201.timing:3|ms")
    got = call(app, "GET", "/api/traffic", cookie="objstore_dashboard=" + sid, query="seconds=30")
    doc = json.loads(got["body"])
    assert got["status"] == "200 OK" and doc["seconds"] == 30 and doc["listening"] is False
    assert sum(doc["series"]["PUT 201"]["requests"]) == 1
    bad = call(app, "GET", "/api/traffic", cookie="objstore_dashboard=" + sid, query="seconds=x")
    assert bad["status"].startswith("400")


def _post(app, path, body, cookie=None, content_type="application/json"):
    env = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "",
           "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
           "CONTENT_TYPE": content_type}
    if cookie:
        env["HTTP_COOKIE"] = cookie
    got = {}

    def start_response(status, headers):
        got["status"] = status
    got["body"] = json.loads(b"".join(app(env, start_response)))
    return got


def test_lab_actions_need_a_session_json_and_a_lab_that_is_on(app):
    body = json.dumps({"server": "object-1"}).encode()
    assert _post(app, "/api/lab/stop", body)["status"].startswith("401")
    cookie = "objstore_dashboard=" + app.sessions.create("admin:admin", "http://x/v1/AUTH_admin")
    form = _post(app, "/api/lab/stop", b"server=object-1", cookie,
                 "application/x-www-form-urlencoded")
    assert form["status"].startswith("415") and "application/json" in form["body"]["error"]
    off = _post(app, "/api/lab/stop", body, cookie)
    assert off["status"].startswith("403") and "fault_lab = false" in off["body"]["error"]
    assert _post(app, "/api/lab/stop", b"[1]", cookie)["status"].startswith("400")
    assert _post(app, "/api/lab/stop", b"{nope", cookie)["status"].startswith("400")
    lab = call(app, "GET", "/api/lab", cookie=cookie)
    assert json.loads(lab["body"])["enabled"] is False
    assert call(app, "POST", "/api/rings", cookie=cookie)["status"].startswith("405")
