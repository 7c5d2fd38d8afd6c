"""backend_ratelimit in the SAIO's storage servers (saio/build.py: 1000
requests per device per second, far above what any test asks, with a rates
file re-read every second). Each test throttles object servers through
that file, as an operator would, and always lifts it in a ``finally``.

What a client sees, as with Swift: one busy device is invisible (the
proxy takes its 529 as "try another node" and stores and reads the object
elsewhere); every device busy is a 503; and a busy device is not
error-limited, so once it is free again it takes its writes.
"""

import http.client
import os
import time
import uuid
from contextlib import contextmanager

import pytest
from swiftclient import ClientException

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAIO = os.path.join(REPO, ".saio")
PORT_BASE = int(os.environ.get("SAIO_PORT_BASE", "6200"))
NODES = (1, 2, 3, 4)
# One request per 1000 s, no burst: the first request after the change
# passes, every later one is 529.
THROTTLE = ("[backend_ratelimit]\nrequests_per_device_per_second = 0.001\n"
            "requests_per_device_rate_buffer = 0\n")


def _port(node):
    return PORT_BASE + node * 10


def _rates_file(node):
    return os.path.join(SAIO, "etc", "object-server", "%d-backend-ratelimit.conf" % node)


def _direct(node, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", _port(node), timeout=10)
    conn.request(method, "/sdb%d/%s" % (node, path.lstrip("/")), body=body,
                 headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def _probe(node, method):
    """One request that stores nothing (no X-Timestamp: a write is 400
    once past the rate check, which comes first)."""
    return _direct(node, method, "/1/AUTH_probe/c/o")[0]


def _wait_for(node, busy, deadline=60.0):
    """Poll until every method on the node is 529 (busy), or none is. The
    first request of each method after the file is read takes that
    method's one slot: the probes spend it."""
    end = time.time() + deadline
    for method in ("GET", "HEAD", "PUT", "POST", "DELETE"):
        while (_probe(node, method) == 529) != busy:
            assert time.time() < end, "object server %d never became %s for %s" % (
                node, "busy" if busy else "free", method)
            time.sleep(0.2)


@contextmanager
def throttled(*nodes):
    """The object servers of ``nodes`` take (almost) no more requests."""
    try:
        for node in nodes:
            with open(_rates_file(node), "w") as fp:
                fp.write(THROTTLE)
        for node in nodes:
            _wait_for(node, busy=True)
        yield
    finally:
        for node in nodes:
            try:
                os.unlink(_rates_file(node))
            except FileNotFoundError:
                pass
        for node in nodes:
            _wait_for(node, busy=False)


def _ring():
    from ring.ring import Ring
    return Ring(os.path.join(SAIO, "etc"), ring_name="object")


def _name_with_primary(account, container, node):
    """An object name whose primaries include ``node``, and its partition,
    primaries and handoff nodes."""
    ring = _ring()
    while True:
        name = "busy-" + uuid.uuid4().hex[:8]
        part, primaries = ring.get_nodes(account, container, name)
        ports = [n["port"] for n in primaries]
        if _port(node) in ports:
            others = [n for n in NODES if _port(n) not in ports]
            return name, part, [n for n in NODES if _port(n) in ports], others


@pytest.fixture
def account(conn):
    return conn.url.rsplit("/", 1)[1]


def test_a_busy_device_answers_529_and_the_proxy_stores_and_reads_elsewhere(
        conn, container, account):
    name, part, primaries, handoffs = _name_with_primary(account, container, 1)
    body = b"placed around a busy disk"
    with throttled(1):
        status, page = _direct(1, "GET", "/%d/%s/%s/%s" % (part, account, container, name))
        assert status == 529
        assert b"Too Many Backend Requests" in page
        assert conn.put_object(container, name, body) is not None
        assert conn.get_object(container, name)[1] == body
        # The replica node 1 could not take went to the handoff.
        path = "/%d/%s/%s/%s" % (part, account, container, name)
        assert [_direct(n, "HEAD", path)[0] for n in handoffs] == [200]
        # More 529s than error_suppression_limit (10), all on this client
        # connection's proxy worker ...
        for i in range(12):
            conn.put_object(container, _name_with_primary(account, container, 1)[0], b"x")
    # ... and once the device is free, that worker still sends it writes:
    # a busy device is not error-limited.
    # (Node 1's copy is the point; the other primaries' copies are not: a
    # PUT promises a quorum, and on a loaded machine one may come later.)
    again, part, _primaries, _others = _name_with_primary(account, container, 1)
    conn.put_object(container, again, body)
    assert _direct(1, "HEAD", "/%d/%s/%s/%s" % (part, account, container, again))[0] == 200


def test_every_device_busy_is_a_503_and_the_stored_object_is_intact_after(
        conn, container, account):
    name = "all-busy"
    conn.put_object(container, name, b"before the storm")
    with throttled(*NODES):
        with pytest.raises(ClientException) as put:
            conn.put_object(container, "new-" + name, b"nowhere to go")
        assert put.value.http_status == 503
        with pytest.raises(ClientException) as get:
            conn.get_object(container, name)
        assert get.value.http_status == 503
    assert conn.get_object(container, name)[1] == b"before the storm"
    with pytest.raises(ClientException) as missing:
        conn.head_object(container, "new-" + name)
    assert missing.value.http_status == 404


def test_swift_cli_and_boto3_do_not_notice_a_busy_device(cli, conn, container, account,
                                                        tmp_path):
    from tests.functional.s3.test_s3_clients import client
    name, part, _primaries, handoffs = _name_with_primary(account, container, 2)
    (tmp_path / name).write_bytes(b"uploaded past a busy disk")
    s3_key = _name_with_primary(account, container, 2)[0]
    with throttled(2):
        done = cli("upload", container, name, cwd=str(tmp_path))
        assert done.returncode == 0, done.stderr
        assert cli("download", container, name, "-o", "-").stdout == \
            "uploaded past a busy disk"
        s3 = client()
        s3.put_object(Bucket=container, Key=s3_key, Body=b"boto3 too")
        assert s3.get_object(Bucket=container, Key=s3_key)["Body"].read() == b"boto3 too"
        path = "/%d/%s/%s/%s" % (part, account, container, name)
        assert [_direct(n, "HEAD", path)[0] for n in handoffs] == [200]

