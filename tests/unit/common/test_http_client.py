import hashlib

from objstore.common.http_client import http_connect, http_connect_raw, iter_body


def test_put_waits_for_100_continue_then_streams_body(tiny_server):
    port, _ = tiny_server
    body = b"x" * 300000
    conn = http_connect("127.0.0.1", port, "sdb1", 7, "PUT", "/a/c/o \u00e9",
                        headers={"Expect": "100-continue", "Content-Length": str(len(body))})
    assert conn.getexpect().status == 100
    for i in range(0, len(body), 65536):
        conn.send(body[i:i + 65536])
    resp = conn.getresponse()
    assert resp.status == 201
    assert resp.read() == hashlib.md5(body).hexdigest().encode()
    assert resp.getheader("X-Path") == "/sdb1/7/a/c/o \u00e9".encode().decode("latin-1")
    conn.close()


def test_final_status_instead_of_100_continue_is_returned(tiny_server):
    port, _ = tiny_server
    conn = http_connect_raw("127.0.0.1", port, "PUT", "/full",
                            headers={"Expect": "100-continue", "Content-Length": "10"})
    resp = conn.getexpect()
    assert resp.status == 507
    assert conn.getresponse() is resp
    conn.close()


def test_chunked_upload(tiny_server):
    port, _ = tiny_server
    conn = http_connect_raw("127.0.0.1", port, "PUT", "/chunked",
                            headers={"Transfer-Encoding": "chunked"})
    for part in (b"abc", b"def" * 1000):
        conn.send_chunk(part)
    conn.end_chunks()
    resp = conn.getresponse()
    assert resp.status == 201
    assert b"".join(iter_body(resp, 7)) == hashlib.md5(b"abc" + b"def" * 1000).hexdigest().encode()
    conn.close()
