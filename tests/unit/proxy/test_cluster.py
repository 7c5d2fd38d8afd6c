"""The proxy against real storage servers on loopback (see cluster.py)."""

import hashlib
import json
import uuid

ACCOUNT = "AUTH_test"


def _container(cluster):
    name = "c-" + uuid.uuid4().hex[:8]
    status, _h, body = cluster.request("PUT", "/v1/%s/%s" % (ACCOUNT, name))
    assert status in (201, 202), body
    return name


def test_info_lists_limits_and_policies(cluster):
    status, headers, body = cluster.request("GET", "/info")
    assert status == 200
    info = json.loads(body)
    assert info["swift"]["max_file_size"] == 5368709122
    assert [p["name"] for p in info["swift"]["policies"]] == ["gold", "silver"]


def test_put_then_get_head_and_delete_an_object(cluster):
    c = _container(cluster)
    body = b"hello world" * 10000
    status, headers, _ = cluster.request("PUT", "/v1/%s/%s/o1" % (ACCOUNT, c), {
        "Content-Type": "text/plain", "X-Object-Meta-Color": "blue"}, body)
    assert status == 201
    assert headers["Etag"] == hashlib.md5(body).hexdigest()
    assert "Last-Modified" in headers
    status, headers, got = cluster.request("GET", "/v1/%s/%s/o1" % (ACCOUNT, c))
    assert status == 200 and got == body
    assert headers["X-Object-Meta-Color"] == "blue"
    status, headers, got = cluster.request("HEAD", "/v1/%s/%s/o1" % (ACCOUNT, c))
    assert status == 200 and got == b"" and headers["Content-Length"] == str(len(body))
    assert cluster.request("DELETE", "/v1/%s/%s/o1" % (ACCOUNT, c))[0] == 204
    assert cluster.request("GET", "/v1/%s/%s/o1" % (ACCOUNT, c))[0] == 404
    assert cluster.request("DELETE", "/v1/%s/%s/o1" % (ACCOUNT, c))[0] == 404
