"""One object over 1 GiB streamed up and down without holding it in memory."""

import hashlib
import os

import pytest

from tests.functional.memory import RssSampler

MIB = 1024 * 1024
RSS_LIMIT_KB = 200 * 1024
SERVERS = ["proxy"] + ["object-%d" % n for n in (1, 2, 3, 4)]
SIZE = 1024 * MIB + 12345  # just over 1 GiB, not a multiple of any chunk size


def _body(size: int, digest):
    """Yield ``size`` bytes in 1 MiB chunks, feeding ``digest`` as it goes."""
    block = os.urandom(MIB)
    sent = 0
    index = 0
    while sent < size:
        chunk = (index.to_bytes(8, "big") + block[8:])[: size - sent]
        digest.update(chunk)
        sent += len(chunk)
        index += 1
        yield chunk


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_object_over_1_gib_round_trips_with_matching_etag_and_bytes(http_api, container):
    with RssSampler(SERVERS) as sampler:
        _round_trip(http_api, container)
    for name, peak in sampler.peak.items():  # streamed, never held: memory stays flat
        assert 0 < peak < RSS_LIMIT_KB, "%s reached %d MB" % (name, peak // 1024)


def _round_trip(http_api, container):
    path = http_api.path(container, "big")
    sent_md5 = hashlib.md5()
    conn = http_api.connection(timeout=120)
    try:
        conn.request("PUT", path, body=_body(SIZE, sent_md5),
                     headers={"X-Auth-Token": http_api.auth()[1], "Content-Length": str(SIZE),
                              "Content-Type": "application/octet-stream"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 201
        assert resp.headers["ETag"] == sent_md5.hexdigest()
    finally:
        conn.close()

    head = http_api.request("HEAD", path)
    assert head.headers["Content-Length"] == str(SIZE)

    got_md5 = hashlib.md5()
    received = 0
    conn = http_api.connection(timeout=120)
    try:
        conn.request("GET", path, headers={"X-Auth-Token": http_api.auth()[1]})
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.headers["Content-Length"] == str(SIZE)
        while True:
            chunk = resp.read(MIB)
            if not chunk:
                break
            got_md5.update(chunk)
            received += len(chunk)
    finally:
        conn.close()
    assert received == SIZE
    assert got_md5.hexdigest() == sent_md5.hexdigest()
    # checked last so a header problem cannot hide a data problem
    assert head.headers["ETag"] == sent_md5.hexdigest()
    assert resp.headers["ETag"] == sent_md5.hexdigest()
    assert http_api.request("DELETE", path).status == 204
