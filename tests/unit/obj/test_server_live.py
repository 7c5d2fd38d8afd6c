"""The real ``objstore-object-server`` process on a loopback port."""

import hashlib
import json
import os
import random
import socket
import threading
import uuid

import pytest

from objstore.common.timestamp import Timestamp

PATH = "/sda1/7/a/c/o"


@pytest.fixture
def path():
    return "/sda1/7/a/c/o-%s" % uuid.uuid4().hex


def _put_headers(ts=None, **extra):
    headers = {"X-Timestamp": (ts or Timestamp.now()).internal, "Content-Type": "text/plain"}
    headers.update(extra)
    return headers


def _files(server, path=PATH):
    from objstore.obj.diskfile import DiskFileManager
    _, dev, part, a, c, o = path.split("/", 5)
    df = DiskFileManager(server.conf).get_diskfile(dev, part, a, c, o)
    return sorted(os.listdir(df.datadir)) if os.path.isdir(df.datadir) else []


def test_a_big_body_streams_in_and_out_intact(shared_server, path):
    body = os.urandom(3 * 1024 * 1024 + 17)
    status, headers, _ = shared_server.request("PUT", path, _put_headers(), body)
    assert status == 201 and headers["ETag"].strip('"') == hashlib.md5(body).hexdigest()
    status, headers, got = shared_server.request("GET", path)
    assert status == 200 and got == body


def test_chunked_transfer_encoding_is_accepted(shared_server, path):
    conn = shared_server.connect()
    conn.putrequest("PUT", path)
    for key, value in _put_headers(**{"Transfer-Encoding": "chunked"}).items():
        conn.putheader(key, value)
    conn.endheaders()
    for piece in (b"hello ", b"chunked ", b"world"):
        conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
    conn.send(b"0\r\n\r\n")
    resp = conn.getresponse()
    assert resp.status == 201
    resp.read()
    conn.close()
    assert shared_server.request("GET", path)[2] == b"hello chunked world"


def test_writes_survive_a_kill_9_right_after_the_201(server):
    ts = Timestamp.now()
    assert server.request("PUT", PATH, _put_headers(ts), b"durable")[0] == 201
    server.kill9()
    server.start()
    status, headers, body = server.request("GET", PATH)
    assert (status, body) == (200, b"durable")
    assert headers["X-Backend-Timestamp"] == ts.internal


def test_a_truncated_upload_leaves_no_visible_object(shared_server, path, helpers):
    sock = socket.create_connection(("127.0.0.1", shared_server.port))
    head = "PUT %s HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n" % path
    head += "".join("%s: %s\r\n" % kv for kv in _put_headers().items()) + "\r\n"
    sock.sendall(head.encode() + b"x" * 1000)
    sock.close()
    tmp = os.path.join(shared_server.devices, "sda1", "tmp")
    assert helpers.poll(lambda: os.path.isdir(tmp) and os.listdir(tmp) == [])
    assert shared_server.request("GET", path)[0] == 404
    assert _files(shared_server, path) == []
    assert helpers.poll(lambda: " 499 " in shared_server.log.read_text())


def test_a_stalled_upload_times_out_with_408_and_nothing_visible(tmp_path, obj_conf, helpers):
    server = helpers.ServerProcess(tmp_path, dict(obj_conf, client_timeout="0.3"))
    server.start()
    try:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.settimeout(10)
        head = "PUT %s HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n" % PATH
        head += "".join("%s: %s\r\n" % kv for kv in _put_headers().items()) + "\r\n"
        sock.sendall(head.encode() + b"abc")
        answer = sock.recv(1024)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 408")
        assert server.request("GET", PATH)[0] == 404
    finally:
        server.stop()


def test_concurrent_puts_of_one_name_resolve_by_timestamp(shared_server, path):
    base = float(Timestamp.now())
    stamps = [Timestamp(base + i) for i in range(8)]
    order = list(enumerate(stamps))
    random.Random(4).shuffle(order)
    results = {}

    def one(i, ts):
        results[i] = shared_server.request("PUT", path, _put_headers(ts), b"v%d" % i)[0]

    threads = [threading.Thread(target=one, args=item) for item in order]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert set(results.values()) <= {201, 409}
    assert results[7] == 201
    status, headers, body = shared_server.request("GET", path)
    assert body == b"v7" and headers["X-Backend-Timestamp"] == stamps[7].internal
    data_files = [n for n in _files(shared_server, path) if n.endswith(".data")]
    assert data_files == [stamps[7].internal + ".data"]


def test_expect_100_continue_gets_a_final_409_without_sending_the_body(shared_server, path):
    ts = Timestamp.now()
    shared_server.request("PUT", path, _put_headers(ts), b"first")
    sock = socket.create_connection(("127.0.0.1", shared_server.port))
    sock.settimeout(10)
    head = "PUT %s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n" % path
    head += "".join("%s: %s\r\n" % kv for kv in _put_headers(ts).items()) + "\r\n"
    sock.sendall(head.encode())
    answer = sock.recv(1024)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 409")


def test_multirange_get_over_http(shared_server, path):
    shared_server.request("PUT", path, _put_headers(), b"abcdefghij")
    status, headers, body = shared_server.request("GET", path, {"Range": "bytes=0-0,9-"})
    assert status == 206 and headers["Content-Type"].startswith("multipart/byteranges")
    assert int(headers["Content-Length"]) == len(body)
    assert b"Content-Range: bytes 9-9/10\r\n\r\nj" in body


def test_each_request_gets_one_access_log_line_with_its_txn_id(shared_server, path, helpers):
    shared_server.request("PUT", path, _put_headers(**{"X-Trans-Id": "txLOGME"}), b"abc")
    shared_server.request("GET", path, {"X-Trans-Id": "txLOGME2"})

    def lines():
        return [ln for ln in shared_server.log.read_text().splitlines() if "txLOGME" in ln]

    found = helpers.poll(lambda: len(lines()) == 2 and lines())
    assert found
    assert '"PUT %s" 201 0 ' % path in found[0] and "[txLOGME]" in found[0]
    assert '"GET %s" 200 3 ' % path in found[1] and "[txLOGME2]" in found[1]


def test_a_down_container_server_leaves_an_async_pending(shared_server, path, helpers):
    ts = Timestamp.now()
    status, _, _ = shared_server.request("PUT", path, _put_headers(ts, **{
        "X-Container-Host": "127.0.0.1:%d" % helpers.free_port(), "X-Container-Device": "sdc",
        "X-Container-Partition": "3"}), b"abc")
    assert status == 201
    pending = os.path.join(shared_server.devices, "sda1", "async_pending")
    found = [os.path.join(r, f) for r, _d, fs in os.walk(pending) for f in fs
             if f.endswith("-" + ts.internal)]
    assert len(found) == 1 and found[0].endswith("-" + ts.internal)
    assert json.load(open(found[0]))["op"] == "PUT"


def test_a_live_container_server_receives_the_update(shared_server, path, helpers):
    fake = helpers.FakeContainerServer()
    try:
        status = shared_server.request("DELETE", path, {
            "X-Timestamp": Timestamp.now().internal, "X-Container-Host": fake.host,
            "X-Container-Device": "sdc", "X-Container-Partition": "3"})[0]
        assert status == 404
        assert fake.requests[0][:2] == ("DELETE", "/sdc/3" + path.split("/7", 1)[1])
    finally:
        fake.close()


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_bad_partition_is_400_over_http(shared_server, method):
    assert shared_server.request(method, "/sda1/notanumber/a/c/o", _put_headers(), b"")[0] == 400


def test_head_and_304_over_http_carry_headers_and_no_body(shared_server, path):
    status, headers, _ = shared_server.request("PUT", path, _put_headers(), b"abcdef")
    etag = headers["ETag"]
    status, headers, body = shared_server.request("HEAD", path)
    assert (status, headers["Content-Length"], body) == (200, "6", b"")
    status, headers, body = shared_server.request("GET", path, {"If-None-Match": etag})
    assert (status, body) == (304, b"")
    # the connection is still usable afterwards (no stray body bytes)
    conn = shared_server.connect()
    for _ in range(2):
        conn.request("GET", path, headers={"If-None-Match": etag})
        resp = conn.getresponse()
        assert resp.status == 304 and resp.read() == b""
    conn.request("GET", path)
    assert conn.getresponse().read() == b"abcdef"
    conn.close()


def test_a_put_with_a_sums_trailer_is_acknowledged_in_the_100_continue(shared_server, path):
    """The proxy follows a body with its sums only for a server that says,
    in its 100 Continue, that it reads them (an older one would store them)."""
    from objstore.common import body_sums, footers
    from objstore.common.http_client import http_connect
    data = b"summed bytes" * 1000
    sums = body_sums.BodySums()
    sums.update(data)
    headers = _put_headers(Expect="100-continue")
    headers.update({"Content-Length": str(len(data) + body_sums.TRAILER_BYTES),
                    footers.OBJ_CONTENT_LENGTH: str(len(data)),
                    body_sums.TRAILER: body_sums.TRAILER_KIND})
    _, dev, part, rest = path.split("/", 3)
    conn = http_connect("127.0.0.1", shared_server.port, dev, part, "PUT", "/" + rest, headers)
    interim = conn.getexpect()
    assert interim.status == 100
    assert interim.interim_headers.get(body_sums.TRAILER_ACK) == "yes"
    conn.send(data)
    conn.send(sums.trailer())
    resp = conn.getresponse()
    assert (resp.status, resp.getheader("Etag")) == (201, hashlib.md5(data).hexdigest())
    resp.read()
    conn.close()
    status, _headers, body = shared_server.request("GET", path)
    assert (status, body) == (200, data)


def test_a_footer_put_is_acknowledged_in_the_100_continue(shared_server, path):
    """The proxy sends a footer document only to a server that says, in its
    100 Continue, that it reads one (an older one would store it whole)."""
    from objstore.common import footers
    from objstore.common.http_client import http_connect
    data = b"footed bytes"
    boundary, headers = footers.footer_headers(len(data))
    headers.update(_put_headers(Expect="100-continue"))
    _, dev, part, rest = path.split("/", 3)
    conn = http_connect("127.0.0.1", shared_server.port, dev, part, "PUT", "/" + rest, headers)
    interim = conn.getexpect()
    assert interim.status == 100
    assert interim.interim_headers.get(footers.FOOTER_ACK) == "yes"
    for piece in (footers.body_head(boundary), data,
                  footers.footer_tail(boundary, {"X-Object-Sysmeta-Note": "kept",
                                                 "Etag": hashlib.md5(data).hexdigest()})):
        conn.send_chunk(piece)
    conn.end_chunks()
    resp = conn.getresponse()
    assert resp.status == 201
    resp.read()
    status, got_headers, body = shared_server.request("GET", path)
    assert (status, body) == (200, data)
    assert got_headers["X-Object-Sysmeta-Note"] == "kept"


def _put_trailed(conn, path, data, trailer):
    """A proxy's PUT of ``data`` followed by ``trailer`` (its sums)."""
    from objstore.common import body_sums, footers
    headers = _put_headers(**{"Content-Length": str(len(data) + body_sums.TRAILER_BYTES),
                              footers.OBJ_CONTENT_LENGTH: str(len(data)),
                              body_sums.TRAILER: body_sums.TRAILER_KIND})
    conn.request("PUT", path, data + trailer, headers)
    resp = conn.getresponse()
    resp.read()
    return resp.status, resp.getheader("Etag")


def test_a_large_body_read_in_place_is_judged_by_its_crc_and_the_connection_goes_on(
        shared_server, path):
    """Past ``direct_write_size`` the body is read from the socket straight
    into the writer's buffers (``wsgi.read_body_into``): the CRC is of what
    landed there, the trailer after it is read as sent, and the connection
    serves the next request (the body's length was accounted for)."""
    from objstore.common import body_sums
    data = os.urandom(2 * 1024 * 1024 + 4096 + 5)
    sums = body_sums.BodySums()
    sums.update(data)
    wrong = sums.trailer()[:32] + b"0" * 16
    conn = shared_server.connect()
    assert _put_trailed(conn, path, data, wrong)[0] == 400
    conn.close()
    assert _files(shared_server, path) == []
    conn = shared_server.connect()
    assert _put_trailed(conn, path, data, sums.trailer()) == (201, hashlib.md5(data).hexdigest())
    conn.request("GET", path)  # the same connection
    resp = conn.getresponse()
    assert (resp.status, resp.read() == data) == (200, True)
    conn.close()


def _raw_head(port, method, path, headers, body=b""):
    """The answer's head exactly as the server wrote it."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = "%s %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (
            method, path, "".join("%s: %s\r\n" % kv for kv in headers.items()))
        sock.sendall(head.encode("ascii") + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, "the server closed before the end of its head"
            data += chunk
    return data


def test_a_writes_answers_are_these_bytes_on_the_wire(shared_server, path):
    """A PUT's 201 and a DELETE's 204 and 404, as the server sends them to
    the proxy (built without webob: the same bytes as when they were)."""
    import re
    ts = Timestamp.now()
    later = Timestamp(float(ts) + 1)

    def head(method, target, ts, **extra):
        raw = _raw_head(shared_server.port, method, target, dict(
            {"X-Timestamp": ts.internal, "X-Trans-Id": "tx-raw"}, **extra),
            b"hello" if method == "PUT" else b"")
        return re.sub(rb"\r\nDate: [^\r]+\r\n", b"\r\nDate: <date>\r\n", raw)

    assert head("PUT", path, ts, **{"Content-Length": "5", "Content-Type": "text/plain"}) == (
        b"HTTP/1.1 201 Created\r\nETag: 5d41402abc4b2a76b9719d911017c592\r\n"
        b"X-Backend-Timestamp: " + ts.internal.encode() + b"\r\n"
        b"Content-Type: text/html; charset=UTF-8\r\nContent-Length: 0\r\n"
        b"X-Trans-Id: tx-raw\r\nDate: <date>\r\n\r\n")
    for target, status in ((path, b"204 No Content"), (path + "-none", b"404 Not Found")):
        assert head("DELETE", target, later) == (
            b"HTTP/1.1 " + status + b"\r\nX-Backend-Timestamp: " + later.internal.encode() +
            b"\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Length: 0\r\n"
            b"X-Trans-Id: tx-raw\r\nDate: <date>\r\n\r\n")
