import logging
import re
from urllib.parse import unquote

import pytest
from webob import Request, Response

from objstore.middleware.proxy_logging import LOGGED_KEY, filter_factory

FIELDS = ["client_ip", "remote_addr", "datetime", "method", "path", "protocol", "status",
          "referer", "user_agent", "auth_token", "bytes_recvd", "bytes_sent", "etag",
          "txn_id", "headers", "request_time", "source", "log_info", "start_time",
          "end_time", "policy_index"]


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def access_log():
    handler = Capture()
    logger = logging.getLogger("objstore.proxy-access")
    filter_factory({})(None)  # make sure the logger is configured
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def parsed(line):
    parts = line.split(" ")
    assert len(parts) == len(FIELDS), line
    return dict(zip(FIELDS, parts))


def echo_app(env, start_response):
    body = env["wsgi.input"].read()
    resp = Response(body=b"got:" + body)
    resp.headers["X-Backend-Storage-Policy-Index"] = "1"
    return resp(env, start_response)


def test_a_request_is_logged_once_with_its_fields(access_log):
    app = filter_factory({})(echo_app)
    req = Request.blank("/v1/AUTH_test/c/my obj?multipart-manifest=get", method="PUT", body=b"12345",
                        headers={"X-Auth-Token": "AUTH_tk0123456789abcdef0123",
                                 "Referer": "http://ref.example.com/",
                                 "User-Agent": "curl/8 test", "ETag": "abc",
                                 "X-Forwarded-For": "203.0.113.9, 10.0.0.1"},
                        environ={"REMOTE_ADDR": "10.0.0.1", "swift.trans_id": "tx123",
                                 "swift.source": None, "swift.log_info": ["a=1", "b=2"]})
    resp = req.get_response(app)
    assert resp.body == b"got:12345"
    assert len(access_log.lines) == 1
    f = parsed(access_log.lines[0])
    assert f["client_ip"] == "203.0.113.9"
    assert f["remote_addr"] == "10.0.0.1"
    assert f["method"] == "PUT"
    assert unquote(f["path"]) == "/v1/AUTH_test/c/my obj?multipart-manifest=get"
    assert f["path"].startswith("/v1/AUTH_test/c/my%20obj?")
    assert f["protocol"] == "HTTP/1.0"
    assert f["status"] == "200"
    assert f["referer"] == "http://ref.example.com/"
    assert unquote(f["user_agent"]) == "curl/8 test"
    assert f["auth_token"] == "AUTH_tk012345678..."
    assert f["bytes_recvd"] == "5"
    assert f["bytes_sent"] == "9"
    assert f["etag"] == "abc"
    assert f["txn_id"] == "tx123"
    assert f["headers"] == "-"
    assert re.fullmatch(r"[0-9]+\.[0-9]+", f["request_time"]), f["request_time"]
    assert f["source"] == "-"
    assert unquote(f["log_info"]) == "a=1,b=2"
    assert float(f["end_time"]) >= float(f["start_time"])
    assert f["policy_index"] == "1"
    assert len(f["datetime"].split("/")) == 6


def test_a_utf8_path_and_agent_are_logged_as_the_bytes_received(access_log):
    """The environ holds WSGI strings (one character per byte received):
    a UTF-8 name is logged quoted once, %C3%A9, as Swift logs it."""
    app = filter_factory({})(echo_app)
    path = "/v1/AUTH_test/caf\u00e9/\u5605".encode("utf-8").decode("latin-1")
    agent = "t\u00e9st".encode("utf-8").decode("latin-1")
    env = Request.blank("/", headers={"User-Agent": agent}).environ
    env["PATH_INFO"] = path
    body = app(env, lambda status, headers, exc_info=None: None)
    list(body)
    body.close()
    f = parsed(access_log.lines[0])
    assert f["path"] == "/v1/AUTH_test/caf%C3%A9/%E5%98%85"
    assert f["user_agent"] == "t%C3%A9st"


def test_request_headers_are_logged_when_asked(access_log):
    app = filter_factory({}, access_log_headers="true",
                         access_log_headers_only="User-Agent")(echo_app)
    Request.blank("/", headers={"User-Agent": "ua", "X-Other": "o"}).get_response(app).body
    assert unquote(parsed(access_log.lines[0])["headers"]) == "User-Agent: ua"


def test_the_outer_logger_logs_the_client_request_and_the_inner_one_subrequests(access_log):
    def subrequesting(app):
        def mw(env, start_response):
            sub = Request.blank("/v1/AUTH_test/segments/1", environ={"swift.source": "SLO"})
            assert sub.get_response(app).body == b"got:"
            return app(env, start_response)
        return mw
    pipeline = filter_factory({})(subrequesting(filter_factory({})(echo_app)))
    req = Request.blank("/v1/AUTH_test/c/manifest")
    assert req.get_response(pipeline).body == b"got:"
    assert req.environ[LOGGED_KEY] is True
    paths = [(parsed(line)["path"], parsed(line)["source"]) for line in access_log.lines]
    assert sorted(paths) == [("/v1/AUTH_test/c/manifest", "-"),
                             ("/v1/AUTH_test/segments/1", "SLO")]


def test_bytes_are_counted_while_streaming_without_buffering(access_log):
    produced = []

    def streaming(env, start_response):
        start_response("200 OK", [("Content-Length", "30")])
        for i in range(3):
            produced.append(i)
            yield b"x" * 10
    app_iter = filter_factory({})(streaming)(Request.blank("/").environ, lambda *a: None)
    first = next(iter(app_iter))
    assert first == b"x" * 10 and produced == [0]
    assert access_log.lines == []


def test_an_answer_is_logged_when_the_server_closes_it_after_sending_it(access_log):
    """A short answer (here a HEAD's empty body) is sent once its body
    ends: the line is written at close, after that, not before."""
    app_iter = filter_factory({})(echo_app)(Request.blank("/", method="HEAD").environ,
                                            lambda *a: None)
    assert b"".join(list(app_iter)) == b""
    assert access_log.lines == []
    app_iter.close()
    assert len(access_log.lines) == 1 and parsed(access_log.lines[0])["status"] == "200"


def test_a_body_read_whole_but_never_closed_is_still_logged(access_log):
    app_iter = filter_factory({})(echo_app)(Request.blank("/").environ, lambda *a: None)
    assert b"".join(app_iter) == b"got:"
    del app_iter
    assert len(access_log.lines) == 1 and parsed(access_log.lines[0])["status"] == "200"


def test_a_client_leaving_mid_body_is_logged_as_499(access_log):
    def streaming(env, start_response):
        start_response("200 OK", [("Content-Length", "30")])
        for _ in range(3):
            yield b"x" * 10
    app_iter = filter_factory({})(streaming)(Request.blank("/").environ, lambda *a: None)
    it = iter(app_iter)
    next(it)
    app_iter.close()
    app_iter.close()
    assert len(access_log.lines) == 1
    f = parsed(access_log.lines[0])
    assert (f["status"], f["bytes_sent"]) == ("499", "10")


def test_an_exception_from_the_app_is_logged_as_500_and_reraised(access_log):
    def broken(env, start_response):
        raise RuntimeError("boom")
    with pytest.raises(RuntimeError):
        Request.blank("/x").get_response(filter_factory({})(broken))
    assert parsed(access_log.lines[0])["status"] == "500"


def test_an_exception_mid_body_is_logged_as_500(access_log):
    def broken(env, start_response):
        start_response("200 OK", [])
        yield b"abc"
        raise RuntimeError("boom")
    app_iter = filter_factory({})(broken)(Request.blank("/").environ, lambda *a: None)
    with pytest.raises(RuntimeError):
        list(app_iter)
    app_iter.close()
    assert [parsed(line)["status"] for line in access_log.lines] == ["500"]


def _statsd_receiver():
    import socket
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    return sock


def test_statsd_gets_swift_request_metrics_for_v1_paths_only(access_log):
    sock = _statsd_receiver()
    try:
        app = filter_factory({"log_statsd_host": "127.0.0.1",
                              "log_statsd_port": str(sock.getsockname()[1])})(echo_app)
        for path, method, body in (("/v1/AUTH_test/c/o", "PUT", b"12345"),
                                   ("/v1/AUTH_test/c", "BREW", b""), ("/info", "GET", b""),
                                   ("/v1/AUTH_test", "GET", b"")):
            assert Request.blank(path, method=method, body=body).get_response(app).body
        lines = [sock.recv(1000).decode() for _ in range(6)]
    finally:
        sock.close()
    names = [line.split(":")[0] for line in lines]
    assert names == ["proxy-server.object.PUT.200.timing", "proxy-server.object.PUT.200.xfer",
                     "proxy-server.container.BAD_METHOD.200.timing",
                     "proxy-server.container.BAD_METHOD.200.xfer",
                     "proxy-server.account.GET.200.timing", "proxy-server.account.GET.200.xfer"]
    assert lines[1] == "proxy-server.object.PUT.200.xfer:%d|c" % (5 + len(b"got:12345"))
    assert lines[0].endswith("|ms")


def test_no_statsd_host_sends_nothing():
    app = filter_factory({})(echo_app)
    assert app.statsd is None


def test_a_field_needing_no_quoting_is_logged_as_quote_would_log_it():
    import random
    from urllib.parse import quote
    from objstore.middleware import proxy_logging
    alphabet = [chr(c) for c in range(0x20, 0x7F)] + ["\t", "\n", "\x00", "\xe9", "\u2026"]
    rng = random.Random(16)
    samples = ["/v1/AUTH_test/c/o", "1796561623.51764", "GET", "200", "a b", "%41", "[x]",
               "-", "AUTH_tk1234567890...", "tx1-006b"] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(2000)]
    for text in samples:
        try:
            raw = text.encode("latin-1")
        except UnicodeEncodeError:
            raw = text.encode("utf-8")
        assert proxy_logging._field(text) == quote(raw, safe=proxy_logging._SAFE), text


def test_the_line_goes_to_the_log_file_whole_with_its_percent_signs(tmp_path):
    # a logger of its own, as get_logger makes it (no handler added): the
    # line is written by common/logs.info, which must not %-format it again
    log_file = tmp_path / "access.log"
    app = filter_factory({"access_log_name": "proxy-access-file-test",
                          "access_log_file": str(log_file)})(echo_app)
    req = Request.blank("/v1/AUTH_test/c/100%25%20%25s%25d", method="GET",
                        environ={"REMOTE_ADDR": "10.0.0.1", "swift.trans_id": "tx9"})
    status, _headers, body = req.call_application(app)
    assert status.startswith("200") and b"".join(body) == b"got:"
    body.close()  # as the server does once the answer is sent: the line is written
    lines = log_file.read_text().splitlines()
    assert len(lines) == 1
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} proxy-access-file-test INFO \[", lines[0])
    line = lines[0].split("] ", 1)[1]
    f = parsed(line)
    assert "%" in f["path"] and unquote(f["path"]) == "/v1/AUTH_test/c/100% %s%d"
    assert f["status"] == "200" and f["txn_id"] == "tx9"


def test_a_line_of_plain_fields_is_the_line_field_by_field_quoting_gives():
    """The one-pass line (no field needs quoting) and the field-by-field
    one agree on every mix of plain and unplain fields, NUL, spaces,
    None, empty strings and numbers among them."""
    import random
    from objstore.middleware import proxy_logging
    rng = random.Random(14)
    alphabet = ["a", "Z", "0", "/", "-", "[", " ", "\x00", "%", "\xe9", "\n"]
    pool = [None, "", 0, 200, 1.5, "-", "\x00", "a\x00b", "/v1/AUTH_test/c/o", "HTTP/1.0",
            "06/Dec/2026/21/55/00", "python-swiftclient-4.4.0", "tx1-006b"]
    for _ in range(3000):
        fields = [rng.choice(pool) if rng.random() < 0.8 else
                  "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4)))
                  for _ in range(rng.randint(1, 21))]
        assert proxy_logging._fields_line(fields) == \
            " ".join(proxy_logging._field(f) for f in fields), fields
    assert proxy_logging._fields_line(["a\x00b", "c"]) == "a%00b c"
    assert proxy_logging._fields_line([None, "", 7]) == "- - 7"
