"""The fault lab through the dashboard and objstore-fault against the live
cluster: what it lists, what it refuses, a daemon pass run from it, and a
headless Chromium that deletes a copy with a button, sees it missing in
the lookup and undoes it. (Faults that stop servers or break disks are in
tests/probe/test_fault_lab.py.)"""

import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid

import pytest

from tests.functional.browser import DevToolsPage
from tests.functional.test_dashboard import DASHBOARD, SERVERS, api, request, session  # noqa: F401
from tests.probe.probe_helpers import copies_home

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DASH_CONF = os.path.join(os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio")), "etc",
                         "dashboard.conf")


def fault_cli(*args):
    return subprocess.run([sys.executable, "-m", "objstore.cli.fault", "-c", DASH_CONF] +
                          list(args), capture_output=True, text=True, timeout=300)


def post(action, args, sid, content_type="application/json"):
    parts = urllib.parse.urlsplit(DASHBOARD)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    headers = {"Content-Type": content_type}
    if sid:
        headers["Cookie"] = "objstore_dashboard=" + sid
    try:
        conn.request("POST", "/api/lab/" + action, body=json.dumps(args), headers=headers)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


@pytest.fixture
def no_faults_left(saio):
    yield
    assert fault_cli("undo", "all").returncode == 0


def test_the_lab_lists_every_server_running_and_no_faults(session):  # noqa: F811
    status, doc = api("lab", session)
    assert status == 200 and doc["enabled"] is True and doc["faults"] == []
    assert len(doc["servers"]) == SERVERS and all(s["pid"] for s in doc["servers"])
    assert "object-auditor" in doc["daemons"] and "object-reconstructor" in doc["daemons"]
    listed = fault_cli("list")
    assert listed.returncode == 0 and "object-1 " in listed.stdout and "no faults" in listed.stdout


@pytest.mark.parametrize("action,args,status,message", [
    ("stop", {"server": "object-99"}, 404, "no server 'object-99'"),
    ("corrupt", {"path": "/AUTH_test/no-such-container-lab/o", "replica": "0"}, 400,
     "was not found on its container servers"),
    ("delete", {"path": "/AUTH_test/c", "replica": "0"}, 400, "/account/container/object"),
    ("start", {"server": "object-1"}, 400, "object-1 is already running"),
    ("slow", {"server": "container-1", "device": "sdb1", "delay": "1"}, 400,
     "only object servers"),
    ("explode", {}, 404, "no lab action"),
])
def test_bad_lab_actions_get_a_message_and_change_nothing(
        session, action, args, status, message):  # noqa: F811
    got, doc = post(action, args, session)
    assert got == status and message in doc["error"]
    assert api("lab", session)[1]["faults"] == []


def test_lab_actions_need_a_session_and_a_json_body(session):  # noqa: F811
    assert post("stop", {"server": "object-1"}, None)[0] == 401
    assert post("stop", {"server": "object-1"}, session, "text/plain")[0] == 415
    assert all(s["pid"] for s in api("lab", session)[1]["servers"])


def test_a_daemon_pass_run_from_the_lab_shows_in_the_health_view(session):  # noqa: F811
    before = time.time()
    status, doc = post("run", {"daemon": "object-updater", "node": "2"}, session)
    assert status == 200 and [r["server"] for r in doc["results"]] == ["object-2"]
    assert doc["results"][0]["status"] == 0
    servers = api("health", session)[1]["servers"]
    node2 = [s for s in servers if s["kind"] == "object" and s["port"] % 100 == 20][0]
    assert node2["daemons"]["object-updater"]["last_pass"] >= before
    ran = fault_cli("run", "object-auditor")
    assert ran.returncode == 0 and "all passes finished" in ran.stdout
    synced = fault_cli("run", "container-sync", "--node", "1")
    assert synced.returncode == 0 and "one pass on container-1; all passes" in synced.stdout


def test_the_tierer_runs_from_the_lab_and_its_pass_shows_in_the_tiering_panel(session):  # noqa: F811
    before = time.time()
    status, doc = post("run", {"daemon": "object-tierer"}, session)
    assert status == 200 and [r["server"] for r in doc["results"]] == ["object-tierer"]
    assert doc["results"][0]["status"] == 0, doc["results"][0]["output"]
    [part] = api("health", session)[1]["panels"]["tiering"]
    assert part["last_pass"] >= before and "moved" in part["stats"]


def test_chromium_deletes_a_copy_with_a_button_sees_it_missing_and_undoes_it(
        saio, conn, no_faults_left):
    name = "dash-lab-" + uuid.uuid4().hex[:10]
    conn.put_container(name)
    path = "/AUTH_test/%s/o" % name
    try:
        conn.put_object(name, "o", b"clicked away")
        copies_home("AUTH_test", name, "o", b"clicked away")  # three present, then two
        with DevToolsPage() as page:
            page.open(DASHBOARD + "/")
            page.wait_for("!document.getElementById('login').classList.contains('hidden')")
            page.fill("#login-user", "admin:admin")
            page.fill("#login-key", "admin")
            page.click("#login-form button[type=submit]")
            page.wait_for("document.querySelectorAll('#lab-servers tr.lab-server.up').length == %d"
                          % SERVERS)
            page.fill("#lab-path", path)
            page.fill("#lab-replica", "1")
            page.click("button[data-action=delete]")
            page.wait_for("document.querySelectorAll('#lab-faults tr.fault').length == 1")
            assert "moved the copy off" in page.text("#lab-result")
            page.fill("#lookup-path", path)
            page.click("#lookup-form button[type=submit]")
            page.wait_for("document.querySelectorAll('#lookup-result tr.missing').length == 2")
            states = page.evaluate("[...document.querySelectorAll('#lookup-result tr')]"
                                   ".slice(1, 4).map(r => r.className)")
            assert states == ["present", "missing", "present"]
            page.screenshot("dashboard-fault-lab")
            page.screenshot("dashboard-fault-lab-section", "#lab-view")
            page.click("#lab-faults button.undo")
            page.wait_for("document.querySelectorAll('#lab-faults tr.fault').length == 0")
            assert "moved the copy back" in page.text("#lab-result")
            page.click("#lookup-form button[type=submit]")
            page.wait_for("document.querySelectorAll('#lookup-result tr.present').length == 3")
    finally:
        conn.delete_object(name, "o")
        conn.delete_container(name)


@contextlib.contextmanager
def second_dashboard(tmp_path, **settings):
    """Another objstore-dashboard on this cluster, on a free port, its
    config the SAIO's with ``settings`` replaced (``fault_lab="false"``...);
    its base URL and its process. Stopped on leaving."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with open(DASH_CONF) as fp:
        text = fp.read()
    settings = dict({"bind_port": str(port), "statsd_port": "0"}, **settings)
    for key, value in settings.items():
        text, found = re.subn(r"(?m)^%s = .*$" % key, "%s = %s" % (key, value), text)
        assert found == 1, key
    conf = tmp_path / ("dashboard-%d.conf" % port)
    conf.write_text(text)
    proc = subprocess.Popen([sys.executable, "-m", "objstore.dashboard.app", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.time() < deadline and proc.poll() is None, "no second dashboard"
                time.sleep(0.2)
        yield "http://127.0.0.1:%d" % port, proc
    finally:
        proc.terminate()
        proc.wait()


def test_a_dashboard_whose_config_leaves_the_lab_off_refuses_every_action(saio, tmp_path):
    """A second dashboard on the same cluster, its config as the production
    sample has it (fault_lab = false): the page says the lab is off, every
    action is 403 and nothing is stopped."""
    with second_dashboard(tmp_path, fault_lab="false") as (base, _proc):
        port = int(base.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/login", body="user=admin%3Aadmin&key=admin", headers={
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        resp.read()
        cookie = resp.getheader("Set-Cookie").split(";")[0]
        for action, args in (("stop", {"server": "object-1"}), ("run", {"daemon": "x"}),
                             ("undo", {"id": "all"})):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/api/lab/" + action, body=json.dumps(args), headers={
                "Cookie": cookie, "Content-Type": "application/json"})
            resp = conn.getresponse()
            assert resp.status == 403 and "fault_lab = false" in json.loads(resp.read())["error"]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/lab", headers={"Cookie": cookie})
        assert json.loads(conn.getresponse().read())["enabled"] is False
    listed = fault_cli("list")
    assert "stopped" not in listed.stdout and "no faults" in listed.stdout
