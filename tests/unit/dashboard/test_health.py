import http.server
import threading

import pytest

from objstore.dashboard import health


class _Server:
    """A real HTTP server: ``answer(path)`` gives each GET's status and body
    (by default /healthcheck answering ``status``)."""

    def __init__(self, status: int = 200, answer=None) -> None:
        if answer is None:
            def answer(_path):
                return status, b"OK" if status == 200 else b"DISABLED BY FILE"

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                code, body = answer(self.path)
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server_factory():
    made = []

    def make(status):
        made.append(_Server(status))
        return made[-1]
    yield make
    for s in made:
        s.close()


def test_a_healthy_server_is_up_with_a_response_time(server_factory):
    got = health.healthcheck("127.0.0.1", server_factory(200).port, 2)
    assert got["up"] is True and got["error"] is None and got["ms"] > 0


def test_a_server_answering_503_is_down_and_says_why(server_factory):
    got = health.healthcheck("127.0.0.1", server_factory(503).port, 2)
    assert got["up"] is False and "503 DISABLED BY FILE" in got["error"]


def test_a_closed_port_is_down():
    s = _Server(200)
    port = s.port
    s.close()
    got = health.healthcheck("127.0.0.1", port, 1)
    assert got == {"up": False, "ms": None, "error": got["error"]} and got["error"]


def test_storage_servers_come_from_every_ring_once(swift_dir):
    servers = health.storage_servers(swift_dir)
    assert len(servers) == 12
    assert ("object", "127.0.0.1", 100) in servers
    assert ("account", "127.0.0.1", 402) in servers


def test_a_down_storage_server_is_not_asked_for_recon(swift_dir):
    row = health.server_health("object", "127.0.0.1", 1, 1)
    assert row["up"] is False and "devices" not in row and "async_pending" not in row


def test_cluster_health_puts_the_proxy_first(swift_dir, server_factory):
    proxy = server_factory(200)
    got = health.cluster_health(swift_dir, "http://127.0.0.1:%d" % proxy.port, timeout=1)
    kinds = [s["kind"] for s in got["servers"]]
    assert kinds[0] == "proxy" and got["servers"][0]["up"] is True
    assert len(kinds) == 13 and not any(s["up"] for s in got["servers"][1:])


def test_last_pass_keeps_when_how_long_and_the_stats_and_nothing_before_a_first_pass():
    answer = {"last_pass": 1700000000.5, "pass_time": 0.25,
              "stats": {"success": 3, "recent": [{"from": "gold", "to": "cold"}], "ok": True}}
    assert health.last_pass(answer) == {
        "last_pass": 1700000000.5, "pass_time": 0.25,
        "stats": {"success": 3, "recent": '[{"from": "gold", "to": "cold"}]', "ok": "true"}}
    assert health.last_pass(None) is None
    assert health.last_pass({"stats": {}}) is None


def test_long_or_many_stats_are_cut_to_what_a_page_shows():
    stats = {"k%03d" % i: i for i in range(100)}
    stats["k000"] = ["x" * 50] * 50
    got = health.last_pass({"last_pass": 1, "stats": stats})["stats"]
    assert len(got) == health.MAX_STATS and len(got["k000"]) == health.MAX_STAT_TEXT


class _ReconServer(_Server):
    """A real HTTP server answering /healthcheck and /recon/<what> from ``answers``."""

    def __init__(self, answers) -> None:
        import json

        def answer(path):
            if path == "/healthcheck":
                return 200, b"OK"
            if path[len("/recon/"):] in answers:
                return 200, json.dumps(answers[path[len("/recon/"):]]).encode()
            return 404, b"Not found"
        super().__init__(answer=answer)


def test_a_pass_under_way_shows_beside_the_last_finished_one():
    server = _ReconServer({"diskusage": [], "async": {"async_pending": 0}, "quarantined": {},
                           "daemons": {
                               "object-auditor": {"last_pass": 5.0, "pass_time": 1.0,
                                                  "stats": {"checked": 10}},
                               "object-auditor-progress": {"started": 8.0, "updated": 9.0,
                                                           "stats": {"checked": 4}},
                               "object-replicator-progress": None}})
    try:
        row = health.server_health("object", "127.0.0.1", server.port, 2)
    finally:
        server.close()
    assert row["auditor"] == {"last_pass": 5.0, "pass_time": 1.0, "stats": {"checked": 10}}
    assert row["running"] == {"auditor": {"started": 8.0, "updated": 9.0,
                                          "stats": {"checked": 4}}}
    assert row["replication"] is None and "object-auditor-progress" not in row["daemons"]


def test_a_replication_pass_under_way_shows_in_the_replication_column():
    server = _ReconServer({"diskusage": [], "quarantined": {}, "daemons": {
        "container-replicator-progress": {"started": 8.0, "updated": 9.0,
                                          "stats": {"attempted": 12, "success": 11}}}})
    try:
        row = health.server_health("container", "127.0.0.1", server.port, 2)
    finally:
        server.close()
    assert row["replication"] is None  # no pass finished yet
    assert row["running"] == {"replication": {"started": 8.0, "updated": 9.0,
                                              "stats": {"attempted": 12, "success": 11}}}
