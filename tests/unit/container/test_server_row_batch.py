"""The container server's ROWS batch of object rows (common/row_batch.py) over
real HTTP: the rows land as their one-row requests would, every row or none,
and one answer covers them; the one-row answers' bytes on the wire."""

import json
import socket

from objstore.common import concurrency, row_batch
from objstore.common.http.wsgi_str import str_to_wsgi
from objstore.common.http_client import request_status
from objstore.obj.update_batch import UpdateBatcher

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "support"))
from container_requests import cname, put_container, ts  # noqa: E402


def _rows(server, container, rows, account="a"):
    body = row_batch.join_rows([row_batch.encode_row(op, obj, headers)
                                for op, obj, headers in rows])
    return server.request(row_batch.METHOD, "/sda/1/%s/%s" % (account, container),
                          {"Content-Type": "application/json"}, body)


def _listing(server, container, account="a"):
    status, _headers, body = server.request(
        "GET", "/sda/1/%s/%s?format=json" % (account, container))
    assert status == 200
    return [(item["name"], item["bytes"], item["hash"], item["content_type"])
            for item in json.loads(body)]


def _put_headers(size, stamp, ctype="text/plain", etag="e", **extra):
    headers = {"X-Timestamp": stamp, "X-Size": str(size), "X-Content-Type": ctype,
               "X-Etag": etag}
    headers.update(extra)
    return headers


def test_a_batch_lands_as_the_same_rows_sent_one_by_one_would(cluster):
    _, server = cluster
    one_by_one, batched = cname(), cname()
    put_container(server, "a", one_by_one)
    put_container(server, "a", batched)
    utf8_ctype = str_to_wsgi("text/plain; name=\u00e9t\u00e9")  # as the header carries it
    rows = [("PUT", "plain", _put_headers(5, ts())),
            ("PUT", "dir/\u00e9 \U0001f44d", _put_headers(7, ts(), utf8_ctype, "abc",
                                                           **{"X-Backend-Storage-Policy-Index":
                                                              "0"})),
            ("PUT", "gone", _put_headers(1, ts())),
            ("DELETE", "gone", {"X-Timestamp": ts()})]
    for op, obj, headers in rows:
        status = server.request(op, "/sda/1/a/%s/%s" % (one_by_one, obj), headers)[0]
        assert status == (201 if op == "PUT" else 204)
    status, _headers, body = _rows(server, batched, rows)
    assert (status, body) == (204, b"")
    assert _listing(server, batched) == _listing(server, one_by_one)
    assert [name for name, *_rest in _listing(server, batched)] == [
        "dir/\u00e9 \U0001f44d", "plain"]
    assert _listing(server, batched)[0][3] == "text/plain;name=\u00e9t\u00e9"


def test_rows_of_a_deleted_then_recreated_object_keep_timestamp_order_in_any_order(cluster):
    _, server = cluster
    first, deleted, again = ts(), ts(), ts()
    history = [("PUT", "o", _put_headers(1, first)), ("DELETE", "o", {"X-Timestamp": deleted}),
               ("PUT", "o", _put_headers(3, again, etag="new"))]
    for order in (history, history[::-1]):
        c = cname()
        put_container(server, "a", c)
        assert _rows(server, c, order)[0] == 204
        assert _listing(server, c) == [("o", 3, "new", "text/plain")]
    c = cname()
    put_container(server, "a", c)
    assert _rows(server, c, history[1::-1])[0] == 204  # the DELETE first, then the older PUT
    assert _listing(server, c) == []


def test_a_batch_for_a_container_that_is_not_there_is_404_and_creates_nothing(cluster):
    _, server = cluster
    c = cname()
    status, _headers, _body = _rows(server, c, [("PUT", "o1", _put_headers(1, ts())),
                                                ("PUT", "o2", _put_headers(1, ts()))])
    assert status == 404
    assert server.request("HEAD", "/sda/1/a/%s" % c)[0] == 404


def test_a_malformed_batch_is_400_and_merges_nothing(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    good = ("PUT", "good", _put_headers(1, ts()))
    no_etag = ("PUT", "bad", {"X-Timestamp": ts(), "X-Size": "1", "X-Content-Type": "t"})
    bad_ts = ("DELETE", "bad", {"X-Timestamp": "yesterday"})
    bad_policy = ("PUT", "bad", _put_headers(1, ts(), **{"X-Backend-Storage-Policy-Index":
                                                         "9"}))
    for rows in ([good, no_etag], [good, bad_ts], [good, bad_policy]):
        assert _rows(server, c, rows)[0] == 400
    path = "/sda/1/a/%s" % c
    for body in (b"not json", b"{}", b"[]", b'[{"op": "POST", "obj": "o", "headers": {}}]',
                 b'[{"op": "PUT", "obj": "", "headers": {}}]',
                 b'[{"op": "PUT", "obj": "o", "headers": {"X-Size": 1}}]',
                 b'[{"op": "PUT", "obj": "\\ud800", "headers": {}}]'):
        status, _headers, answer = server.request(row_batch.METHOD, path, {}, body)
        assert status == 400, body
        assert answer  # says what is wrong
    assert _listing(server, c) == []


def test_a_batch_above_the_bounds_is_refused_whole(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    many = [("PUT", "o%d" % i, _put_headers(1, ts())) for i in range(row_batch.MAX_ROWS + 1)]
    assert _rows(server, c, many)[0] == 400
    big = [("PUT", "o", _put_headers(1, ts(), ctype="t" * (row_batch.MAX_BYTES + 1)))]
    assert _rows(server, c, big)[0] == 413
    assert _listing(server, c) == []


def _raw_head(server, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        head = b""
        while b"\r\n\r\n" not in head:
            data = sock.recv(4096)
            assert data
            head += data
    return head[:head.index(b"\r\n\r\n")]


def test_a_row_put_and_delete_answer_with_swifts_bytes(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    for method, status, extra in (
            ("PUT", b"201 Created", "X-Size: 1\r\nX-Content-Type: t\r\nX-Etag: e\r\n"),
            ("DELETE", b"204 No Content", ""),
            ("PUT", b"404 Not Found", "X-Size: 1\r\nX-Content-Type: t\r\nX-Etag: e\r\n")):
        container = c if status != b"404 Not Found" else cname()
        head = _raw_head(server, (
            "%s /sda/1/a/%s/o HTTP/1.1\r\nHost: x\r\nX-Timestamp: %s\r\nX-Trans-Id: tx1\r\n"
            "%sContent-Length: 0\r\nConnection: close\r\n\r\n" % (method, container, ts(),
                                                                  extra)).encode())
        lines = head.split(b"\r\n")
        assert lines[0] == b"HTTP/1.1 " + status
        names = [line.split(b":")[0] for line in lines[1:] if line]
        length = b"70" if status == b"404 Not Found" else b"0"
        assert lines[1:4] == [b"Content-Type: text/html; charset=UTF-8",
                              b"Content-Length: " + length, b"X-Trans-Id: tx1"]
        assert names[3:] == [b"Date", b"Connection"]


def test_rows_sent_together_by_the_object_servers_batcher_land(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    sent = []

    def send(*args, **kwargs):
        sent.append(args[4])
        concurrency.sleep(0.01)  # "on the wire" long enough for the others to queue
        return request_status(*args, **kwargs)

    batcher = UpdateBatcher(send=send, green=lambda: True)
    names = ["o%d" % i for i in range(5)]
    threads = [concurrency.spawn(batcher.status, "127.0.0.1", server.port, "sda", "1", "PUT",
                                 "/a/%s/%s" % (c, name), _put_headers(2, ts()), 1, 2)
               for name in names]
    assert [t.wait() for t in threads] == [201, 204, 204, 204, 204]
    assert sent == ["PUT", row_batch.METHOD]
    assert [name for name, *_rest in _listing(server, c)] == names
