"""The lean request path (common/http_server) answers every request as
eventlet's own path does: the same bytes on the wire and the same environ
for the app. Two servers run the same app, one as objstore runs it and
one with the lean path turned off, and each request is sent to both."""

import json
import os
import re
import socket
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "support"))
import listeners  # noqa: E402

APP = r'''
import hashlib, json, sys
from objstore.common import wsgi
from objstore.common.wsgi import continue_headers, run_wsgi

if sys.argv[2] == "eventlet":
    lean = wsgi.protocol_class

    def eventlet_only(pool):
        class Protocol(lean(pool)):
            def _handle_plain_request(self):
                return False
        return Protocol
    wsgi.protocol_class = eventlet_only

#: differ between the two servers (their ports), or are objects
SKIP = {"REMOTE_PORT", "SERVER_PORT"}


def factory(conf):
    def app(env, start):
        path = env["PATH_INFO"]
        if path == "/healthcheck":
            start("200 OK", [("Content-Length", "2")])
            return [b"OK"]
        if path == "/continue":
            continue_headers(env, {"X-Continue": "yes"})
        if path == "/boom":
            raise ValueError("boom")
        if path == "/gc":
            import gc
            out = json.dumps(gc.get_threshold()).encode()
            start("200 OK", [("Content-Length", str(len(out)))])
            return [out]
        if path == "/unread":
            start("201 Created", [("Content-Length", "0")])
            return [b""]
        body = env["wsgi.input"].read()
        seen = {k: v for k, v in env.items() if isinstance(v, str) and k not in SKIP}
        seen["headers_raw"] = env.get("headers_raw")
        seen["body"] = body.decode("latin-1")
        seen["input"] = type(env["wsgi.input"]).__name__
        out = json.dumps(seen, sort_keys=True).encode()
        if path == "/gen":
            start("200 OK", [("X-Kind", "gen")])
            return iter([out[:10], out[10:]])
        if path == "/nocontent":
            start("204 No Content", [])
            return [b""]
        if path == "/list":
            start("200 OK", [("X-Kind", "list")])
            return [out[:5], out[5:]]
        start("200 OK", [("Content-Length", str(len(out))), ("Content-Type", "application/json")])
        return [out]
    return app

sys.exit(run_wsgi(sys.argv[1], "app:test", factory, 0))
'''


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("http_server")
    script = tmp / "app.py"
    script.write_text(APP)
    ports, procs = [], []
    try:
        for kind in ("lean", "eventlet"):
            sock = listeners.listener()
            port = sock.getsockname()[1]
            conf = tmp / ("%s.conf" % kind)
            conf.write_text("[DEFAULT]\nworkers = 0\nmax_header_size = 200\n"
                            "max_header_count = 256\nmax_request_line = 200\n[app:test]\n")
            proc = listeners.spawn([sys.executable, str(script), str(conf), kind], sock)
            procs.append(proc)
            listeners.wait_serving(port, proc)
            ports.append(port)
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)


def _exchange(port, data):
    """Send ``data``, end the sending side, read all the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            got += chunk
    return got


_VARYING = re.compile(rb"(\r\nDate: |\r\nX-Trans-Id: |\r\nX-Openstack-Request-Id: )[^\r]*")


def _same_answer(servers, data):
    lean, eventlet = (_VARYING.sub(rb"\1-", _exchange(port, data)) for port in servers)
    assert lean == eventlet
    return lean


H = b"Host: x\r\nUser-Agent: t\r\n"

REQUESTS = {
    "get": b"GET /a/b%20c?x=1&y HTTP/1.1\r\n" + H + b"\r\n",
    "head": b"HEAD /a HTTP/1.1\r\n" + H + b"\r\n",
    "empty query": b"GET /a? HTTP/1.1\r\n" + H + b"\r\n",
    "no headers": b"GET /a HTTP/1.1\r\n\r\n",
    "put with length": b"PUT /a HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n\r\nhello",
    "content type kept as sent": b"PUT /a HTTP/1.1\r\nContent-Type: text/x; a=b \r\n"
                                 b"Content-Length: 1\r\n\r\nz",
    "repeated headers joined": b"GET /a HTTP/1.1\r\nX-A: 1\r\nx-a:  2 \r\nX-B:\r\n\r\n",
    "underscore names dropped": b"GET /a HTTP/1.1\r\nX_A: 1\r\nX-A: 2\r\n\r\n",
    "long header names": b"GET /a HTTP/1.1\r\nX-Object-Meta-" + b"n" * 100 + b": 1\r\n"
                         b"x-object-meta-" + b"N" * 100 + b": 2\r\n\r\n",
    "utf-8 header name": "GET /a HTTP/1.1\r\nX-Object-Meta-\u00e9: v\r\n\r\n".encode("utf-8"),
    "bare lf lines": b"GET /a HTTP/1.1\nX-A: 1\nX-B: 2\n\n",
    "two slashes": b"GET //v1/a HTTP/1.1\r\n" + H + b"\r\n",
    "absolute form": b"GET http://h:1/v1/a?q HTTP/1.1\r\n" + H + b"\r\n",
    "raw utf-8 in the path": "GET /c/voil\u00e0\u2026 HTTP/1.1\r\n".encode("utf-8") + H + b"\r\n",
    "chunked": b"PUT /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
               b"5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nTrailer: t\r\n\r\n",
    "length and chunked together": b"PUT /a HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n"
                                   b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "negative length": b"PUT /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    "length not a number": b"PUT /a HTTP/1.1\r\nContent-Length: 5x\r\n\r\nhello",
    "length with blanks": b"PUT /a HTTP/1.1\r\nContent-Length:  5 \r\n\r\nhello",
    "expect 100-continue": b"PUT /continue HTTP/1.1\r\n" + H + b"Expect: 100-continue\r\n"
                           b"Content-Length: 5\r\n\r\nhello",
    "expect, answered unread": b"PUT /unread HTTP/1.1\r\n" + H + b"Expect: 100-continue\r\n"
                               b"Content-Length: 5\r\n\r\nhelloGET /a HTTP/1.1\r\n\r\n",
    "body left unread, then the next request": b"PUT /unread HTTP/1.1\r\nContent-Length: 5\r\n"
                                               b"\r\nhelloGET /a HTTP/1.1\r\n\r\n",
    "http/1.0": b"GET /a HTTP/1.0\r\n" + H + b"\r\n",
    "http/1.0 keep-alive": b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                           b"GET /a HTTP/1.0\r\n\r\nGET /a HTTP/1.1\r\n\r\n",
    "connection close": b"GET /a HTTP/1.1\r\nConnection: close\r\n\r\nGET /a HTTP/1.1\r\n\r\n",
    "connection close with a blank after": b"GET /a HTTP/1.1\r\nConnection: close \r\n\r\n"
                                           b"GET /a HTTP/1.1\r\n\r\n",
    "pipelined": b"GET /a HTTP/1.1\r\n\r\nHEAD /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n",
    "chunked answer": b"GET /gen HTTP/1.1\r\n\r\nGET /gen HTTP/1.1\r\n\r\n",
    "chunked answer to a HEAD": b"HEAD /gen HTTP/1.1\r\n\r\nGET /a HTTP/1.1\r\n\r\n",
    "answer without a length to http/1.0": b"GET /gen HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "answer of known length": b"GET /list HTTP/1.1\r\n\r\nGET /nocontent HTTP/1.1\r\n\r\n",
    "app fails": b"GET /boom HTTP/1.1\r\n\r\nGET /a HTTP/1.1\r\n\r\n",
    "header line too long": b"GET /a HTTP/1.1\r\nX-A: " + b"a" * 1300 + b"\r\n\r\n",
    "request line too long": b"GET /" + b"a" * 1400 + b" HTTP/1.1\r\n\r\n",
    "too many headers": b"GET /a HTTP/1.1\r\n" + b"X-A: 1\r\n" * 256 + b"\r\n",
    "most headers allowed": b"GET /a HTTP/1.1\r\n" + b"X-A: 1\r\n" * 255 + b"\r\n",
    "space before a colon": b"GET /a HTTP/1.1\r\nX-Foo : bar\r\nX-B: 1\r\n\r\n",
    "folded header": b"GET /a HTTP/1.1\r\nX-A: 1\r\n 2\r\n\r\n",
    "bad version": b"GET /a HTTP/2.0\r\n\r\n",
    "not http": b"GET /a FOO/1.1\r\n\r\n",
    "two spaces": b"GET  /a HTTP/1.1\r\n\r\n",
    "http/0.9": b"GET /a\r\n\r\n",
    "lowercase method": b"get /a HTTP/1.1\r\n\r\n",
    "cut off head": b"GET /a HTTP/1.1\r\nX-A: 1\r\n",
    "two lengths": b"PUT /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 10\r\n\r\n"
                   b"helloGET /a HTTP/1.1\r\n\r\n",
    "two lengths, the second bad": b"PUT /a HTTP/1.1\r\nContent-Length: 5\r\n"
                                   b"Content-Length: x\r\n\r\nhello",
    "chunked before a length": b"PUT /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                               b"Content-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "two transfer codings": b"PUT /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n"
                            b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "chunked in capitals with blanks": b"PUT /a HTTP/1.1\r\nTransfer-Encoding:  CHUNKED \r\n"
                                       b"\r\n5\r\nhello\r\n0\r\n\r\n",
    "length with a sign": b"PUT /a HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello",
    "length with an underscore": b"PUT /a HTTP/1.1\r\nContent-Length: 0_5\r\n\r\nhello",
    "nul in a value": b"GET /a HTTP/1.1\r\nX-A: a\x00b\r\n\r\n",
    "nul in a name": b"GET /a HTTP/1.1\r\nX-\x00A: 1\r\n\r\n",
    "bare cr in a value": b"GET /a HTTP/1.1\r\nX-A: a\rContent-Length: 5\r\n\r\nhello",
    "bare cr before the line end": b"GET /a HTTP/1.1\r\nX-A: 1\r\r\n\r\n",
    "length folded into a header": b"PUT /a HTTP/1.1\r\nX-A: 1\r\n Content-Length: 5\r\n\r\n"
                                   b"hello",
    "bare lf ends the head": b"PUT /a HTTP/1.1\r\nContent-Length: 30\r\n\nX: 1\r\n\r\n"
                             b"GET /b HTTP/1.1\r\n\r\n",
    "chunked body left unread": b"PUT /unread HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                b"5\r\nhello\r\n0\r\n\r\nGET /a HTTP/1.1\r\n\r\n",
    "nul in the request line": b"GET /a\x00b HTTP/1.1\r\n\r\n",
    "two spaces after the path": b"GET /a  HTTP/1.1\r\n\r\n",
    "a space before the method": b" GET /a HTTP/1.1\r\n\r\n",
    "a space after the version": b"GET /a HTTP/1.1 \r\n\r\n",
    "a blank after the version": b"GET /a HTTP/1.1\x0c\r\n\r\n",
    "a tab for a space": b"GET\t/a HTTP/1.1\r\n\r\n",
    "a blank inside the version": b"GET /a HTTP/1\x0c.1\r\n\r\n",
    "a blank before the version": b"GET /a \x0cHTTP/1.1\r\n\r\n",
    "a separator inside the version": b"GET /a HTTP/1\x1c.0\r\n\r\n",
    "a blank inside version 2": b"GET /a HTTP/2\t.0\r\n\r\n",
    "a tab in the path": b"GET /a\tb HTTP/1.1\r\n\r\n",
    "a separator in the path": b"GET /a\x1cb HTTP/1.1\r\n\r\n",
    "a high byte inside the version": b"GET /a HTTP/1.\xff1\r\n\r\n",
    "raw utf-8 inside the version": b"GET /a HTTP/\xc3\xa91.1\r\n\r\n",
    "raw utf-8 after the version": b"GET /a HTTP/1.1\xc2\xa0\r\n\r\n",
    "a latin-1 blank after the version": b"GET /a HTTP/1.1\xa0\r\n\r\n",
    "a latin-1 blank inside the version": b"GET /a HTTP/1\x85.1\r\n\r\n",
    "a latin-1 blank before the version": b"GET /a \xa0HTTP/1.1\r\n\r\n",
    "a raw utf-8 path and a latin-1 blank in the version": b"GET /\xc3\xa9 HTTP/1.\xa01\r\n\r\n",
    "a high byte in a line of four words": b"GET /a\xff b HTTP/1.1\r\n\r\n",
    "a high byte in an http/0.9 method": b"G\xffT /a\r\n\r\n",
}


#: the first answer of some of them, as objstore gave it before
FIRST_STATUS = {
    "length and chunked together": b"HTTP/1.0 400 Bad Request\r\n",
    "negative length": b"HTTP/1.0 400 Bad Request\r\n",
    "header line too long": b"HTTP/1.0 400 Header Line Too Long\r\n",
    "request line too long": b"HTTP/1.0 414 Request URI Too Long\r\n",
    "too many headers": b"HTTP/1.1 431 Too many headers\r\n",
    "most headers allowed": b"HTTP/1.1 200 OK\r\n",
    "bad version": b"HTTP/1.1 505 Invalid HTTP version (2.0)\r\n",
    # words are split on single spaces, as Swift 2.38.3 splits them
    "two spaces": b"HTTP/1.1 400 Bad request syntax ('GET  /a HTTP/1.1')\r\n",
    "two spaces after the path": b"HTTP/1.1 400 Bad request syntax ('GET /a  HTTP/1.1')\r\n",
    "a space before the method": b"HTTP/1.1 400 Bad request syntax (' GET /a HTTP/1.1')\r\n",
    "a space after the version": b"HTTP/1.1 400 Bad request version ('')\r\n",
    "a tab for a space": b"HTTP/1.1 400 Bad HTTP/0.9 request type ('GET\\t/a')\r\n",
    # Swift 2.38.3's answers (raw socket): int() reads each number
    "a blank inside the version": b"HTTP/1.1 200 OK\r\n",
    "a blank before the version": b"HTTP/1.1 400 Bad request version ('\\x0cHTTP/1.1')\r\n",
    "a separator inside the version": b"HTTP/1.1 400 Bad request version ('HTTP/1\\x1c.0')\r\n",
    "a blank inside version 2": b"HTTP/1.1 505 Invalid HTTP version (2\t.0)\r\n",
    "a tab in the path": b"HTTP/1.1 200 OK\r\n",
    "a blank after the version": b"HTTP/1.1 200 OK\r\n",
    "a separator in the path": b"HTTP/1.1 200 OK\r\n",
    # Swift 2.38.3's answers (raw socket): the version word judged as
    # sent, read as latin-1, and named so in the refusal
    "a high byte inside the version": b"HTTP/1.1 400 Bad request version ('HTTP/1.\xff1')\r\n",
    "raw utf-8 inside the version": b"HTTP/1.1 400 Bad request version ('HTTP/\xc3\xa91.1')\r\n",
    "raw utf-8 after the version": b"HTTP/1.1 400 Bad request version ('HTTP/1.1\xc2\\xa0')\r\n",
    "a latin-1 blank after the version": b"HTTP/1.1 200 OK\r\n",
    "a latin-1 blank inside the version": b"HTTP/1.1 200 OK\r\n",
    "a latin-1 blank before the version": b"HTTP/1.1 400 Bad request version ('\\xa0HTTP/1.1')\r\n",
    "a raw utf-8 path and a latin-1 blank in the version": b"HTTP/1.1 200 OK\r\n",
    "a high byte in a line of four words":
        b"HTTP/1.1 400 Bad request syntax ('GET /a\xff b HTTP/1.1')\r\n",
    "a high byte in an http/0.9 method": b"HTTP/1.1 400 Bad HTTP/0.9 request type ('G\xffT')\r\n",
    "expect 100-continue": b"HTTP/1.1 100 Continue\r\nX-Continue: yes\r\n\r\nHTTP/1.1 200 OK\r\n",
    "app fails": b"HTTP/1.1 500 Internal Server Error\r\n",
    "chunked answer": b"HTTP/1.1 200 OK\r\nX-Kind: gen\r\nDate: -\r\nTransfer-Encoding: chunked\r\n",
}


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_the_lean_path_answers_as_eventlets_own(servers, name):
    got = _same_answer(servers, REQUESTS[name])
    assert got.startswith(FIRST_STATUS.get(name, b"HTTP/1."))


@pytest.mark.parametrize("version", [b"HTTP/1\x0c.1", b"HTTP/1.1\xa0", b"HTTP/1\x85.1"])
def test_a_version_with_a_blank_in_it_ends_the_connection_as_swifts(servers, version):
    """Swift keeps the version word as sent, so only ``HTTP/1.1`` itself
    keeps the connection open."""
    got = _same_answer(servers, b"GET /a " + version + b"\r\n\r\nGET /a HTTP/1.1\r\n\r\n")
    assert got.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close\r\n\r\n" in got and got.count(b"HTTP/1.1 200 OK") == 1


def test_a_raw_utf8_path_before_a_version_with_a_high_blank_reaches_the_app_as_sent(servers):
    got = _same_answer(servers, b"GET /\xc3\xa9 HTTP/1.\xa01\r\n\r\n")
    env = json.loads(got.partition(b"\r\n\r\n")[2])
    assert env["PATH_INFO"] == "/\xc3\xa9"


@pytest.mark.parametrize("coding", [b"gzip, chunked", b"gzip\r\nTransfer-Encoding: chunked",
                                    b"chunked, identity", b"identity"])
def test_a_body_in_a_coding_not_read_is_never_taken_for_the_next_request(servers, coding):
    """A front proxy that reads ``gzip, chunked`` as chunked forwards the
    chunks; the server (as Swift's, as eventlet's) reads no body: the
    connection must end with the answer, not serve the body as a request."""
    smuggled = b"GET /a HTTP/1.1\r\n\r\n"
    got = _same_answer(servers, b"PUT /unread HTTP/1.1\r\nTransfer-Encoding: " + coding +
                       b"\r\n\r\n" + smuggled)
    assert got.startswith(b"HTTP/1.1 201 Created\r\n")
    assert got.count(b"HTTP/1.1 ") == 1


def test_a_plain_request_is_served_by_the_lean_path_with_eventlets_environ(servers):
    """The cases above would also pass if both servers took eventlet's
    path: this one shows the environ of a plain request, field by field."""
    got = _same_answer(servers, b"PUT /v1/a%20b?x=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n"
                                b"x-a: 2\r\nX_B: 3\r\nContent-Length: 2\r\n\r\nhi")
    env = json.loads(got.partition(b"\r\n\r\n")[2])
    assert env["REQUEST_METHOD"] == "PUT"
    assert (env["PATH_INFO"], env["RAW_PATH_INFO"], env["QUERY_STRING"]) == \
        ("/v1/a b", "/v1/a%20b", "x=1")
    assert (env["HTTP_X_A"], env["CONTENT_LENGTH"], env["body"]) == ("1,2", "2", "hi")
    assert "HTTP_X_B" not in env and "CONTENT_TYPE" not in env
    assert env["headers_raw"] == [["Host", "h"], ["X-A", "1"], ["x-a", "2"], ["X_B", "3"],
                                  ["Content-Length", "2"]]
    assert env["SERVER_PROTOCOL"] == "HTTP/1.0" and env["REMOTE_ADDR"] == "127.0.0.1"


def test_a_serving_process_collects_its_young_objects_less_often(servers):
    """A served request sees the young-generation threshold of
    ``GC_YOUNG_THRESHOLD`` (not Python's 700), the older ones unchanged."""
    import gc
    from objstore.common.wsgi import GC_YOUNG_THRESHOLD
    got = _same_answer(servers, b"GET /gc HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert json.loads(got.partition(b"\r\n\r\n")[2]) == \
        [GC_YOUNG_THRESHOLD] + list(gc.get_threshold()[1:])
    assert GC_YOUNG_THRESHOLD > 700


def test_the_lean_path_is_taken_for_plain_requests():
    """A plain request is read by ``_handle_plain_request``, one eventlet
    must judge is left to it with the request line kept. In a process of
    its own: importing eventlet's WSGI module in the test process (as
    ``protocol_class`` does) leaves later tests' threaded stdlib servers
    and green sockets waiting on each other."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", LEAN_PATH_CHECK], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


LEAN_PATH_CHECK = r'''
import socket
from objstore.common import http_server

served = []

class FakeServer:
    max_http_version = "HTTP/1.1"
    url_length_limit = 8192
    keepalive = True
    log_output = False
    outstanding_requests = 0
    socket_timeout = None
    minimum_chunk_size = 4096
    capitalize_response_headers = False

    def get_environ(self):
        return {}

    @staticmethod
    def app(env, start):
        served.append(env["PATH_INFO"])
        start("200 OK", [("Content-Length", "0")])
        return [b""]

class Pool:
    draining = False

cls = http_server.protocol_class(Pool())
for data, lean in ((b"GET /p HTTP/1.1\r\nHost: x\r\n\r\n", True),
                   (b"GET /p HTTP/1.1\r\nX-A : 1\r\n\r\n", False),
                   (b"GET /p HTTP/3.0\r\n\r\n", False)):
    a, b = socket.socketpair()
    try:
        a.sendall(data)
        proto = cls.__new__(cls)
        proto.request = proto.connection = b
        proto.client_address = ("127.0.0.1", 1)
        proto.conn_state = [proto.client_address, b, "idle"]
        proto.server = FakeServer()
        proto.rfile = b.makefile("rb")
        proto.wfile = b.makefile("wb")
        assert proto._handle_plain_request() is lean
        if not lean:
            assert proto._preread == data.partition(b"\n")[0] + b"\n"
    finally:
        a.close()
        b.close()
assert served == ["/p"]
print("ok")
'''
