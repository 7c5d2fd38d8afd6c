"""The proxy keeps serving when object servers die or stall (cluster.py
puts a fault-injecting relay in front of every object server)."""

import glob
import hashlib
import http.client
import os
import socket
import threading
import time
import uuid

from ring import Ring
from ring.utils import hash_path

from objstore.common import body_sums
from objstore.common.http_client import http_connect
from objstore.proxy.controllers.obj_put import WHOLE_BODY_BYTES

ACCOUNT = "AUTH_test"


def _object(cluster):
    c = "f-" + uuid.uuid4().hex[:8]
    assert cluster.request("PUT", "/v1/%s/%s" % (ACCOUNT, c))[0] == 201
    name = "o-" + uuid.uuid4().hex[:8]
    return c, name, "/v1/%s/%s/%s" % (ACCOUNT, c, name)


def test_put_and_get_succeed_with_a_dead_primary(cluster):
    c, name, path = _object(cluster)
    primaries = cluster.object_relays(ACCOUNT, c, name)
    primaries[0].mode = "down"
    body = b"survivor" * 5000
    status, headers, _ = cluster.request("PUT", path, {}, body)
    assert status == 201 and headers["Etag"] == hashlib.md5(body).hexdigest()
    status, _h, got = cluster.request("GET", path)
    assert (status, got) == (200, body)


def test_put_answers_the_etag_a_quorum_of_nodes_agree_on(cluster):
    c, name, path = _object(cluster)
    cluster.object_relays(ACCOUNT, c, name)[0].mode = "etag"  # one node claims other bytes
    body = b"agreed" * 3000
    status, headers, _ = cluster.request("PUT", path, {}, body)
    assert status == 201 and headers["Etag"] == hashlib.md5(body).hexdigest()


def test_put_whose_nodes_agree_on_no_etag_is_503(cluster):
    c, name, path = _object(cluster)
    for relay in cluster.object_relays(ACCOUNT, c, name)[:2]:
        relay.mode = "etag"  # each claims an MD5 of its own: no two agree
    assert cluster.request("PUT", path, {}, b"disputed" * 3000)[0] == 503


def test_put_with_two_dead_primaries_still_reaches_a_quorum_via_a_handoff(cluster):
    c, name, path = _object(cluster)
    primaries = cluster.object_relays(ACCOUNT, c, name)
    primaries[0].mode = "down"
    primaries[1].mode = "down"
    assert cluster.request("PUT", path, {}, b"handoff")[0] == 201
    for relay in primaries[:2]:
        relay.reset()
    primaries[2].mode = "down"
    assert cluster.request("GET", path)[2] == b"handoff"


def test_put_without_a_quorum_of_nodes_is_503_and_leaves_nothing_behind(cluster):
    # streamed (more than WHOLE_BODY_BYTES): every node says 100 Continue
    # or not before any of them gets a byte
    c, name, path = _object(cluster)
    for relay in cluster.relays[:3]:
        relay.mode = "down"
    alive = [r for r in cluster.relays if r.mode == "pass"]
    status, _h, body = cluster.request("PUT", path, {}, b"lost" * (WHOLE_BODY_BYTES // 4 + 1))
    assert status == 503, body
    for relay in cluster.relays:
        relay.reset()
    assert alive and cluster.request("GET", path)[0] == 404


def test_small_put_whose_primaries_all_fail_is_503_and_the_handoff_gets_nothing(cluster):
    # a small body goes with the head, unasked; the primaries (accepting
    # connections, then dropping them) fail it, and the one live handoff is
    # asked first and not sent a byte, as two copies are out of reach
    c, name, path = _object(cluster)
    for relay in cluster.object_relays(ACCOUNT, c, name):
        relay.mode = "down"
    assert len([r for r in cluster.relays if r.mode == "pass"]) == 1
    status, _h, body = cluster.request("PUT", path, {}, b"lost")
    assert status == 503, body
    for relay in cluster.relays:
        relay.reset()
    ring = Ring(cluster.swift_dir, ring_name="object")
    part, _primaries = ring.get_nodes(ACCOUNT, c, name)
    handoff = next(ring.get_more_nodes(part))
    conn = http_connect(handoff["ip"], handoff["port"], handoff["device"], part, "HEAD",
                        "/%s/%s/%s" % (ACCOUNT, c, name), timeout=10)
    try:
        assert conn.getresponse().status == 404  # asked, never sent the body
    finally:
        conn.close()


def test_get_stalled_mid_body_resumes_on_another_node_and_returns_it_all(cluster):
    c, name, path = _object(cluster)
    body = bytes(range(256)) * 4096  # 1 MiB
    assert cluster.request("PUT", path, {}, body)[0] == 201
    first = cluster.object_relays(ACCOUNT, c, name)[0]
    first.stall_after = 200000
    first.mode = "stall"
    started = time.time()
    status, headers, got = cluster.request("GET", path)
    assert status == 200
    assert len(got) == len(body) and got == body
    assert time.time() - started < 10


def test_get_read_ahead_stalled_mid_body_resumes_with_every_byte_in_order(cluster):
    # three 1 MiB chunks: the proxy reads the next chunk while sending one,
    # and the stall comes while a read ahead is in flight
    c, name, path = _object(cluster)
    body = hashlib.sha256(b"ahead").digest() * (3 * 32768)
    assert cluster.request("PUT", path, {}, body)[0] == 201
    first = cluster.object_relays(ACCOUNT, c, name)[0]
    first.stall_after = 1500000
    first.mode = "stall"
    status, headers, got = cluster.request("GET", path)
    assert status == 200
    assert len(got) == len(body) and got == body


def test_range_get_stalled_mid_body_resumes_with_the_right_bytes(cluster):
    c, name, path = _object(cluster)
    body = bytes(range(256)) * 4096
    assert cluster.request("PUT", path, {}, body)[0] == 201
    first = cluster.object_relays(ACCOUNT, c, name)[0]
    first.stall_after = 150000
    first.mode = "stall"
    status, headers, got = cluster.request("GET", path, {"Range": "bytes=1000-599999"})
    assert status == 206
    assert got == body[1000:600000]


def test_client_disconnect_mid_upload_stores_nothing(cluster):
    c, name, path = _object(cluster)
    sock = socket.create_connection(("127.0.0.1", cluster.proxy_port))
    # more than a chunk: the nodes have taken part of the body when it ends
    sock.sendall(("PUT %s HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" % path)
                 .encode() + b"x" * 300000)
    time.sleep(0.2)
    sock.close()
    deadline = time.time() + 5
    while time.time() < deadline:
        assert cluster.request("GET", path)[0] == 404
        time.sleep(0.5)


def test_client_disconnect_mid_upload_of_a_body_hashed_in_a_thread_stores_nothing(cluster):
    c, name, path = _object(cluster)
    length = body_sums.THREAD_BYTES + 65536  # its sums are taken in a thread of their own
    sock = socket.create_connection(("127.0.0.1", cluster.proxy_port))
    sock.sendall(("PUT %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (path, length))
                 .encode() + b"x" * (length // 2))
    time.sleep(0.2)
    sock.close()
    deadline = time.time() + 5
    while time.time() < deadline:
        assert cluster.request("GET", path)[0] == 404
        time.sleep(0.5)
    body = b"y" * length  # the same proxy takes the next one whole
    status, headers, _b = cluster.request("PUT", path, {}, body)
    assert (status, headers["Etag"]) == (201, hashlib.md5(body).hexdigest())


def test_a_node_dying_mid_body_leaves_a_quorum_storing_the_whole_body(cluster):
    c, name, path = _object(cluster)
    body = hashlib.sha256(b"mid").digest() * (4 * 32768)  # 4 MiB: sixteen chunks
    half = len(body) // 2
    sock = socket.create_connection(("127.0.0.1", cluster.proxy_port))
    sock.settimeout(30)
    try:
        sock.sendall(("PUT %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                      % (path, len(body))).encode() + body[:half])
        cluster.object_relays(ACCOUNT, c, name)[0].mode = "down"  # its connection is cut
        sock.sendall(body[half:])
        answer = sock.recv(4096)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 201")
    assert ("etag: %s" % hashlib.md5(body).hexdigest()).encode() in answer.lower()
    status, headers, got = cluster.request("GET", path)
    assert (status, headers["Etag"], got) == (200, hashlib.md5(body).hexdigest(), body)


def test_client_that_stops_sending_gets_408(cluster):
    c, name, path = _object(cluster)
    sock = socket.create_connection(("127.0.0.1", cluster.proxy_port))
    sock.settimeout(15)
    sock.sendall(("PUT %s HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" % path)
                 .encode() + b"x" * 10)
    answer = sock.recv(4096)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 408")
    assert cluster.request("GET", path)[0] == 404


def test_head_with_x_newest_asks_every_primary(cluster):
    c, name, path = _object(cluster)
    assert cluster.request("PUT", path, {}, b"v1")[0] == 201
    before = [r.requests for r in cluster.object_relays(ACCOUNT, c, name)]
    status, headers, _ = cluster.request("HEAD", path, {"X-Newest": "true"})
    after = [r.requests for r in cluster.object_relays(ACCOUNT, c, name)]
    assert status == 200
    assert all(b > a for a, b in zip(before, after))


# A large object (over the object server's check-before-send size): the
# object server streams it, finds damage only at the end and ends short.
LARGE = 9 * 1024 * 1024 + 12345


def _large_body():
    return hashlib.sha256(b"large").digest() * (LARGE // 32) + b"t" * (LARGE % 32)


def _get_what_arrives(cluster, path):
    """(status, the body bytes that arrived before the end or a break)."""
    conn = http.client.HTTPConnection("127.0.0.1", cluster.proxy_port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        try:
            return resp.status, resp.read()
        except http.client.IncompleteRead as err:
            return resp.status, err.partial
    finally:
        conn.close()


def _object_files(cluster, c, name, where="objects", levels=3):
    """The object's ``.data`` files on every device, under ``where`` (the
    hash dir ``levels`` deep: partition/suffix/hash, or just the hash)."""
    object_hash = hash_path(ACCOUNT, c, name, prefix=b"pre", suffix=b"suf")
    return glob.glob(os.path.join(cluster.root, "obj*", "sdb*", where,
                                  *["*"] * (levels - 1), object_hash, "*.data"))


def _get_with_the_reading_node_dying(cluster, c, name, path):
    """(status, body that arrived, whether a node died) of a GET of ``path``
    while whichever primary serves it dies 5 MiB in (the proxy may read any
    primary first); every other primary stays up."""
    relays = cluster.object_relays(ACCOUNT, c, name)
    limit = 5 * 1024 * 1024
    start = [r.answered for r in relays]
    for relay in relays:
        relay.stall_after = limit
        relay.mode = "stall"
    killed = []

    def kill_when_stalled():
        deadline = time.time() + 20
        while not killed and time.time() < deadline:
            for relay, before in zip(relays, start):
                if relay.answered - before >= limit - 65536:
                    relay.mode = "down"  # drops the stalled connection: the node died
                    killed.append(relay)
                    break
            time.sleep(0.01)

    killer = threading.Thread(target=kill_when_stalled, daemon=True)
    killer.start()
    try:
        status, got = _get_what_arrives(cluster, path)
    finally:
        killed.append(None)  # stop the killer whatever happened
        killer.join(5)
        for relay in relays:
            relay.reset()
    return status, got, killed[0] is not None


def test_large_object_damaged_in_every_replica_never_reaches_the_client_whole(cluster):
    c, name, path = _object(cluster)
    body = _large_body()
    assert cluster.request("PUT", path, {}, body)[0] == 201
    datas = _object_files(cluster, c, name)
    assert len(datas) == 3
    for data in datas:  # the same 64 bytes zeroed in every replica
        with open(data, "r+b") as f:
            f.seek(5000)
            f.write(b"\0" * 64)
    # each GET reads one replica whole (it is quarantined at the end of it)
    # and resumes from another at a byte past the damage
    for _ in range(3):
        status, got = _get_what_arrives(cluster, path)
        assert status == 200
        assert len(got) < len(body)
        assert got[:5000] == body[:5000]
    assert _object_files(cluster, c, name) == []
    assert len(_object_files(cluster, c, name, "quarantined/objects", levels=1)) == 3
    assert cluster.request("GET", path)[0] == 404


def test_large_get_whose_node_dies_mid_body_resumes_to_every_byte(cluster):
    c, name, path = _object(cluster)
    body = _large_body()
    assert cluster.request("PUT", path, {}, body)[0] == 201
    status, got, died = _get_with_the_reading_node_dying(cluster, c, name, path)
    assert died and status == 200
    assert len(got) == len(body) and got == body


def test_large_get_of_a_file_without_a_crc_is_not_resumed_but_ends_short(cluster):
    # a .data written before CRCs: the proxy cannot judge a spliced body,
    # so a node dying mid-body leaves the client a short body, never a
    # complete one it could not check
    from objstore.common.body_sums import METADATA_KEY
    from objstore.obj.metadata import read_metadata, write_metadata
    c, name, path = _object(cluster)
    body = _large_body()
    assert cluster.request("PUT", path, {}, body)[0] == 201
    for data in _object_files(cluster, c, name):
        meta = read_metadata(data, os.path.dirname(data))
        del meta[METADATA_KEY]
        write_metadata(data, meta, data + ".meta-spill")
    status, got, died = _get_with_the_reading_node_dying(cluster, c, name, path)
    assert died and status == 200
    assert 0 < len(got) < len(body) and got == body[:len(got)]
    status, got = _get_what_arrives(cluster, path)  # undisturbed: all of it
    assert status == 200 and got == body
