"""bulk's pure parts: member names, result documents, heartbeats."""
import json

from objstore.middleware import bulk


def test_member_paths_refuse_climbing_and_absolute_names():
    assert bulk.member_path("./a/b.txt") == "a/b.txt"
    assert bulk.member_path("a/..b/c") == "a/..b/c"
    for bad in ("../x", "a/../../x", "/etc/passwd", "a/.."):
        assert bulk.member_path(bad) is None, bad


def test_results_render_in_three_formats():
    fields = [("Response Status", "400 Bad Request"), ("Response Body", ""),
              ("Number Deleted", 1), ("Number Not Found", 0)]
    errors = [["/c/<o>", "409 Conflict"]]
    body, ctype = bulk.render_result("json", "delete", fields, errors)
    assert ctype == "application/json"
    assert list(json.loads(body)) == ["Response Status", "Response Body", "Number Deleted",
                                      "Number Not Found", "Errors"]
    body, ctype = bulk.render_result("plain", "delete", fields, errors)
    assert body.decode().splitlines() == [
        "Number Deleted: 1", "Number Not Found: 0", "Response Body: ",
        "Response Status: 400 Bad Request", "Errors:", "/c/<o>, 409 Conflict"]
    body, ctype = bulk.render_result("xml", "delete", fields, errors)
    assert ctype == "application/xml"
    assert b"<object><name>/c/&lt;o&gt;</name><status>409 Conflict</status></object>" in body
    assert bulk.result_format("application/json;q=1") == "json"
    assert bulk.result_format("text/xml") == "xml"
    assert bulk.result_format("*/*") == "plain"


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
    out = list(app._heartbeat(work(), "json"))
    assert out == [b" ", b'{"Response Status": "200 OK", "Errors": []}']
