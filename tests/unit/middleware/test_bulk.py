"""bulk's pure parts: member names, result documents, heartbeats."""
import json

from objstore.middleware import bulk


def test_member_paths_refuse_climbing_and_absolute_names():
    assert bulk.member_path("./a/b.txt") == "a/b.txt"
    assert bulk.member_path("a/..b/c") == "a/..b/c"
    for bad in ("../x", "a/../../x", "/etc/passwd", "a/.."):
        assert bulk.member_path(bad) is None, bad


def test_heartbeat_sends_a_space_only_after_yield_frequency(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(bulk.time, "time", lambda: clock[0])
    app = bulk.Bulk(lambda env, sr: [], {"yield_frequency": "10"})

    def work():
        yield None            # at t=1000: too soon for a heartbeat
        clock[0] += 11
        yield None            # 11 s later: one space
        clock[0] += 3
        yield None            # 3 s later: none
        yield "delete", [("Response Status", "200 OK")], []
    out = list(app._heartbeat(work(), "application/json"))
    assert out == [b" ", b'{"Response Status": "200 OK", "Errors": []}']


def _tar(names):
    import io
    import tarfile
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    return out.getvalue()


def _store(fail_puts=False):
    """A tiny WSGI store: records PUTs; containers exist once PUT."""
    from webob import Request, Response
    calls = []

    def app(env, start_response):
        req = Request(env)
        calls.append((req.method, req.path_info))
        if req.method == "HEAD":
            return Response(status=404)(env, start_response)
        if fail_puts and req.path_info.count("/") > 3:
            return Response(status=503)(env, start_response)
        req.body_file.read()
        return Response(status=201)(env, start_response)
    return app, calls


def _extract(app, body, conf):
    from webob import Request
    mw = bulk.Bulk(app, conf)
    req = Request.blank("/v1/AUTH_a?extract-archive=tar", method="PUT", body=body,
                        headers={"Accept": "application/json"})
    return json.loads(req.get_response(mw).body)


def test_more_containers_than_allowed_stops_the_extraction():
    app, calls = _store()
    result = _extract(app, _tar(["c1/a", "c2/b", "c3/c"]), {"max_containers_per_extraction": "2"})
    assert result["Response Status"] == "400 Bad Request"
    assert result["Response Body"] == "More than 2 containers to create from tar."
    assert result["Number Files Created"] == 2
    assert ("PUT", "/v1/AUTH_a/c3") not in calls and ("PUT", "/v1/AUTH_a/c3/c") not in calls


def test_failures_stop_after_max_failed_extractions():
    app, calls = _store(fail_puts=True)
    result = _extract(app, _tar(["c/%d" % i for i in range(10)]), {"max_failed_extractions": "3"})
    assert result["Response Status"] == "400 Bad Request"
    assert result["Errors"] == [["c/0", "503 Service Unavailable"],
                                ["c/1", "503 Service Unavailable"],
                                ["c/2", "503 Service Unavailable"]]
    assert sum(1 for m, p in calls if m == "PUT" and p.startswith("/v1/AUTH_a/c/")) == 3


BULK_SERVER = '''
import os, sys, time
from webob import Request, Response
from objstore.common.wsgi import run_wsgi
from objstore.middleware import bulk

LOG, GATE = sys.argv[2], sys.argv[3]

def note(line):
    with open(LOG, "a") as f:
        f.write(line + "\\n")

def store(env, start_response):
    req = Request(env)
    if req.method == "DELETE":
        note("DELETE " + req.path_info)
        while not os.path.exists(GATE):  # the first deletes wait for the test
            time.sleep(0.01)
    return Response(status=204)(env, start_response)

def factory(conf):
    mw = bulk.Bulk(store, {"delete_concurrency": "2", "yield_frequency": "60"})
    def app(env, start_response):
        if env["PATH_INFO"] == "/ping":
            return Response(status=200)(env, start_response)
        try:
            for chunk in mw(env, start_response):
                yield chunk
        finally:
            note("finished")
    return app

sys.exit(run_wsgi(sys.argv[1], "app:test", factory, 0))
'''


def test_bulk_delete_stops_as_soon_as_the_client_goes_away(tmp_path):
    """A client that closes its connection mid-way stops the deleting at
    once, not at the next heartbeat (here a minute away): of 200 names only
    the two already being deleted are."""
    import socket
    import subprocess
    import sys
    import time
    from tests.support import listeners
    from tests.unit.common.conftest import wait_http
    sock = listeners.listener()  # bound here: no other process can take the port
    port = sock.getsockname()[1]
    log, gate = tmp_path / "log", tmp_path / "gate"
    script = tmp_path / "server.py"
    script.write_text(BULK_SERVER)
    conf = tmp_path / "server.conf"
    conf.write_text("[DEFAULT]\nbind_port = %d\nworkers = 1\n[app:test]\n" % port)
    proc = listeners.spawn([sys.executable, str(script), str(conf), str(log), str(gate)], sock)
    try:
        wait_http("http://127.0.0.1:%d/ping" % port)
        body = "".join("/c/o%d\n" % i for i in range(200)).encode()
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"POST /v1/AUTH_a?bulk-delete HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body)
                     + body)
        deadline = time.time() + 30
        while (not log.exists() or log.read_text().count("DELETE") < 2) \
                and time.time() < deadline:
            time.sleep(0.02)
        sock.close()
        gate.write_text("go")
        while "finished" not in (log.read_text() if log.exists() else "") \
                and time.time() < deadline:
            time.sleep(0.02)
        lines = log.read_text().splitlines()
        assert lines[-1] == "finished"
        assert sorted(lines[:-1]) == ["DELETE /v1/AUTH_a/c/o0", "DELETE /v1/AUTH_a/c/o1"]
    finally:
        proc.terminate()
        proc.wait(10)


def test_an_accept_naming_no_report_format_deletes_and_extracts_nothing():
    from webob import Request

    def never(env, start_response):
        raise AssertionError("nothing may be deleted or created: %s" % env["PATH_INFO"])
    app = bulk.Bulk(never, {})
    for path, body, expected in [
            ("/v1/a?bulk-delete", b"/c/o\n", b"Number Deleted: 0\nNumber Not Found: 0\n"
                                             b"Response Body: \nResponse Status: 406 Not "
                                             b"Acceptable\nErrors:\n"),
            ("/v1/a/c?extract-archive=tar", _tar(["x"]), b"Number Files Created: 0\n"
                                                          b"Response Body: \nResponse Status: "
                                                          b"406 Not Acceptable\nErrors:\n")]:
        for accept in ("text/html", "garbage;;"):
            req = Request.blank(path, method="POST" if "delete" in path else "PUT", body=body,
                                headers={"Accept": accept, "Content-Type": "text/plain"})
            resp = req.get_response(app)
            assert resp.status_int == 200 and resp.body == expected
            assert resp.headers["Content-Type"] == "text/html; charset=UTF-8"
