"""Bad input and dead ends in the study dashboard: a wrong login, an unknown
object path, a lab action on a node that does not exist, a proxy (auth) or
the dashboard itself not answering. Each gets a message in the page (and a
JSON error from the API), never a traceback; nothing is changed. (The API's
answers to each bad lookup and lab action are in test_dashboard.py and
test_dashboard_lab.py; a storage server that does not answer shows down and
its copy unreachable in tests/probe/test_dashboard.py.)"""

import http.client
import json
import socket
import urllib.parse

from tests.functional.browser import DevToolsPage
from tests.functional.test_dashboard import DASHBOARD
from tests.functional.test_dashboard_lab import fault_cli, second_dashboard


def _dead_port() -> int:
    """A loopback port nothing listens on (bound and closed again)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _login_json(base, user, key):
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request("POST", "/login", body=urllib.parse.urlencode({"user": user, "key": key}),
                     headers={"Accept": "application/json",
                              "Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Set-Cookie"), json.loads(resp.read())
    finally:
        conn.close()


def _log_in(page, base, user="admin:admin", key="admin"):
    page.open(base + "/")
    # the page first finds it has no session and shows the form with that message
    page.wait_for("document.getElementById('login-error').textContent"
                  " === 'log in first (no valid dashboard session)'")
    page.fill("#login-user", user)
    page.fill("#login-key", key)
    page.click("#login-form button[type=submit]")


def _no_traceback(page):
    text = page.evaluate("document.body.innerText")
    assert "Traceback" not in text and "File \"" not in text, text


def test_a_login_while_the_proxy_does_not_answer_says_so(saio, tmp_path):
    auth = "http://127.0.0.1:%d/auth/v1.0" % _dead_port()
    with second_dashboard(tmp_path, auth_url=auth) as (base, _proc):
        status, cookie, doc = _login_json(base, "admin:admin", "admin")
        assert status == 401 and cookie is None
        assert doc["error"].startswith("the proxy's auth endpoint %s does not answer" % auth)
        with DevToolsPage() as page:
            _log_in(page, base)
            page.wait_for("document.getElementById('login-error').textContent"
                          ".includes('does not answer')")
            assert page.text("#login-error").startswith(
                "the proxy's auth endpoint %s does not answer" % auth)
            assert page.evaluate("document.getElementById('views').classList.contains('hidden')")
            _no_traceback(page)


def test_chromium_shows_a_message_for_each_bad_input_and_changes_nothing(saio):
    with DevToolsPage() as page:
        _log_in(page, DASHBOARD, key="not-the-key")
        page.wait_for("document.getElementById('login-error').textContent"
                      " === 'wrong user or key'")
        assert page.evaluate("document.getElementById('views').classList.contains('hidden')")

        _log_in(page, DASHBOARD)
        page.wait_for("!document.getElementById('views').classList.contains('hidden')")
        page.fill("#lookup-path", "/AUTH_test/no-such-container-errors/o")
        page.click("#lookup-form button[type=submit]")
        page.wait_for("!!document.querySelector('#lookup-result p.error')")
        assert ("container /AUTH_test/no-such-container-errors was not found on its "
                "container servers") in page.text("#lookup-result p.error")
        page.fill("#lookup-path", "/AUTH_test/only-a-container")
        page.click("#lookup-form button[type=submit]")
        page.wait_for("(document.querySelector('#lookup-result p.error') || {}).textContent"
                      " && document.querySelector('#lookup-result p.error').textContent"
                      ".includes('/account/container/object')")

        page.wait_for("!!document.querySelector('#lab-daemon option')")
        page.evaluate("document.getElementById('lab-daemon').value = 'object-replicator'")
        page.fill("#lab-node", "9")
        page.click("button[data-action=run]")
        page.wait_for("document.getElementById('lab-result').className === 'error'")
        assert page.text("#lab-result") == "no object server on node 9"
        page.screenshot("dashboard-bad-input", "#lab-view")
        _no_traceback(page)
    listed = fault_cli("list")
    assert listed.returncode == 0 and "no faults" in listed.stdout


def test_the_page_says_so_when_the_dashboard_itself_stops_answering(saio, tmp_path):
    with second_dashboard(tmp_path) as (base, proc):
        with DevToolsPage() as page:
            _log_in(page, base)
            page.wait_for("!document.getElementById('views').classList.contains('hidden')")
            proc.terminate()
            proc.wait()
            page.fill("#lookup-path", "/AUTH_test/c/o")
            page.click("#lookup-form button[type=submit]")
            page.wait_for("!!document.querySelector('#lookup-result p.error')")
            assert page.text("#lookup-result p.error") == (
                "the dashboard at %s does not answer; is objstore-dashboard running?" % base)
            _no_traceback(page)
