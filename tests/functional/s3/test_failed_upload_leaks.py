"""Failed uploads leave nothing open in the proxy.

An S3 body check that fails mid-stream (bad Content-MD5, bad
x-amz-content-sha256, bad chunk signature) or a client that disconnects
mid-body must end the proxy's backend PUT connections and their sender
green threads; otherwise every failed upload keeps replicas (or k+m
fragment nodes) worth of sockets until the worker restarts. Measured from
outside: the open file descriptors of the proxy's worker processes.
"""

import base64
import hashlib
import os
import socket
import time
import urllib.parse
import uuid

import pytest
import swiftclient

from tests.functional.conftest import PROXY, connect
from tests.functional.memory import server_pids
from tests.functional.s3.test_s3_clients import client
from tests.functional.s3.test_signing_security import code, send, sigv4_headers

FAILED_UPLOADS = 200
# Failures sent before the baseline is taken, so the pools that grow with
# concurrent requests (memcached connections) are at their working size.
WARM_UP = 30
BODY = os.urandom(256 * 1024)


def proxy_fds():
    total = 0
    for pid in server_pids("proxy"):
        total += len(os.listdir("/proc/%d/fd" % pid))
    return total


def settled_fds(at_most=None, deadline=30.0):
    """The proxy's fd count once it stops falling (or drops to ``at_most``)."""
    end = time.time() + deadline
    last = proxy_fds()
    while time.time() < end:
        time.sleep(0.5)
        now = proxy_fds()
        if at_most is not None and now <= at_most:
            return now
        if at_most is None and now == last:
            return now
        last = now
    return last


@pytest.fixture(params=["replicated", "ec21"])
def bucket(request, saio):
    conn = connect("admin")
    name = "s3leak-" + uuid.uuid4().hex[:10]
    headers = {} if request.param == "replicated" else {"X-Storage-Policy": request.param}
    conn.put_container(name, headers=headers)
    yield name
    for obj in conn.get_container(name, full_listing=True)[1]:
        conn.delete_object(name, obj["name"])
    conn.delete_container(name)


def bad_md5(path):
    headers = sigv4_headers("PUT", path, {"Content-MD5": base64.b64encode(
        hashlib.md5(b"other").digest()).decode()}, BODY)
    return headers, BODY


def bad_sha256(path):
    headers = sigv4_headers("PUT", path, {
        "x-amz-content-sha256": hashlib.sha256(b"other").hexdigest()}, BODY)
    return headers, BODY


def bad_chunk_signature(path):
    headers = sigv4_headers("PUT", path, {
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "x-amz-decoded-content-length": str(len(BODY)), "Content-Encoding": "aws-chunked"})
    body = (b"%x;chunk-signature=%s\r\n" % (len(BODY), b"0" * 64) + BODY
            + b"\r\n0;chunk-signature=" + b"0" * 64 + b"\r\n\r\n")
    return headers, body


FAILURES = {bad_md5: "BadDigest", bad_sha256: "XAmzContentSHA256Mismatch",
            bad_chunk_signature: "SignatureDoesNotMatch"}


def test_failed_s3_body_checks_leave_no_backend_connections_open(bucket):
    s3 = client()
    for i in range(3):  # warm up: pooled connections (memcached, ...) are opened
        s3.put_object(Bucket=bucket, Key="warm-%d" % i, Body=BODY)
    kinds = list(FAILURES.items())
    for i in range(-WARM_UP, FAILED_UPLOADS):
        if i == 0:
            before = settled_fds()
        make, expected = kinds[i % len(kinds)]
        path = "/%s/bad-%d" % (bucket, i)
        headers, body = make(path)
        status, _h, resp = send("PUT", path, headers, body)
        assert (status, code(resp)) == (400 if expected != "SignatureDoesNotMatch" else 403,
                                         expected)
    after = settled_fds(at_most=before)
    assert after <= before, "the proxy holds %d more fds after %d failed uploads" % (
        after - before, FAILED_UPLOADS)
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert listed == ["warm-0", "warm-1", "warm-2"]
    assert s3.get_object(Bucket=bucket, Key="warm-1")["Body"].read() == BODY


def _disconnect_mid_body(path, headers):
    host = urllib.parse.urlsplit(PROXY)
    sock = socket.create_connection((host.hostname, host.port), timeout=10)
    try:
        lines = ["PUT %s HTTP/1.1" % path, "Host: %s" % host.netloc,
                 "Content-Length: %d" % (len(BODY) * 4)]
        lines += ["%s: %s" % kv for kv in headers.items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        sock.sendall(BODY)
        # The client is gone for good after a quarter of the body; waiting
        # for the proxy to notice keeps the uploads one at a time.
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(65536):
            pass
    finally:
        sock.close()


def test_clients_disconnecting_mid_upload_leave_no_connections_open(bucket):
    conn = connect("admin")
    url, token = conn.get_auth()
    account_path = urllib.parse.urlsplit(url).path
    for i in range(3):
        conn.put_object(bucket, "warm-%d" % i, BODY)
    for i in range(-WARM_UP, FAILED_UPLOADS // 2):
        if i == 0:
            before = settled_fds()
        _disconnect_mid_body("%s/%s/swift-%d" % (account_path, bucket, i),
                             {"X-Auth-Token": token})
        path = "/%s/s3-%d" % (bucket, i)
        _disconnect_mid_body(path, sigv4_headers("PUT", path, {
            "x-amz-content-sha256": "UNSIGNED-PAYLOAD"}))
    after = settled_fds(at_most=before)
    assert after <= before, "the proxy holds %d more fds after %d abandoned uploads" % (
        after - before, FAILED_UPLOADS)
    names = [o["name"] for o in conn.get_container(bucket, full_listing=True)[1]]
    assert names == ["warm-0", "warm-1", "warm-2"]
    with pytest.raises(swiftclient.ClientException):
        conn.head_object(bucket, "swift-0")
