"""Server-side copy against the live SAIO: the ``swift`` CLI's ``copy`` of
plain, segmented (DLO) and ``--use-slo`` uploads, copies into an
erasure-coded container, and a copy of a large object in bounded memory."""

import hashlib
import json
import os
import uuid

import pytest
import swiftclient

from tests.functional.memory import RssSampler
from tests.functional.test_swift_cli import ok

MIB = 1024 * 1024


@pytest.fixture
def containers(cli, conn):
    """Names of containers a test may create; all deleted afterwards."""
    names = []

    def make(suffix="", **headers):
        name = "fn-cp-%s%s" % (uuid.uuid4().hex[:10], suffix)
        conn.put_container(name, headers=headers)
        names.append(name)
        return name
    yield make
    for name in names:
        cli("delete", name)
        cli("delete", name + "_segments")


@pytest.mark.parametrize("upload_args", [["--segment-size", "1000"],
                                         ["--segment-size", "1000", "--use-slo"]],
                         ids=["dlo", "slo"])
def test_swift_copy_of_a_segmented_upload_copies_its_bytes(cli, conn, tmp_path, containers,
                                                          upload_args):
    data = os.urandom(4500)
    (tmp_path / "big.bin").write_bytes(data)
    src, dst = containers(), containers()
    ok(cli("upload", src, "big.bin", *upload_args, cwd=str(tmp_path)))
    ok(cli("copy", src, "big.bin", "--destination", "/%s/copy.bin" % dst,
           "-m", "Color:blue"))
    headers, body = conn.get_object(dst, "copy.bin")
    assert body == data
    assert headers["etag"] == hashlib.md5(data).hexdigest()
    assert headers["x-object-meta-color"] == "blue"
    assert "x-object-manifest" not in headers and "x-static-large-object" not in headers
    # The source is still the large object it was.
    src_headers = conn.head_object(src, "big.bin")
    assert ("x-object-manifest" in src_headers) != ("x-static-large-object" in src_headers)


def test_swift_post_then_copy_keeps_the_new_metadata(cli, conn, containers):
    src = containers()
    conn.put_object(src, "o", b"payload", content_type="text/x-one")
    ok(cli("post", src, "o", "-m", "Stage:two"))
    ok(cli("copy", src, "o", "--destination", "/%s/o2" % src))
    headers = conn.head_object(src, "o2")
    assert headers["x-object-meta-stage"] == "two"
    assert headers["content-type"] == "text/x-one"


def test_copy_into_an_erasure_coded_container(conn, containers):
    src, dst = containers(), containers(**{"X-Storage-Policy": "ec21"})
    data = os.urandom(3 * MIB + 17)
    conn.put_object(src, "o", data)
    conn.put_object(dst, "o", b"", headers={"X-Copy-From": "/%s/o" % src})
    assert conn.get_object(dst, "o")[1] == data
    conn.put_object(src, "back", b"", headers={"X-Copy-From": "/%s/o" % dst,
                                                "Range": "bytes=-10"})
    assert conn.get_object(src, "back")[1] == data[-10:]


def test_copy_across_accounts_needs_read_at_the_source_and_write_at_the_destination(
        conn, conn_other, containers):
    src = containers()
    conn.put_object(src, "o", b"mine")
    other_url, other_token = conn_other.get_auth()
    dst = "fn-cp-other-" + uuid.uuid4().hex[:8]
    swiftclient.put_container(other_url, other_token, dst)
    try:
        with pytest.raises(swiftclient.ClientException) as err:
            swiftclient.put_object(other_url, other_token, dst, "o", b"", headers={
                "X-Copy-From": "/%s/o" % src, "X-Copy-From-Account": "AUTH_test"})
        assert err.value.http_status == 403
        conn.post_container(src, {"X-Container-Read": "test2:tester2"})
        swiftclient.put_object(other_url, other_token, dst, "o", b"", headers={
            "X-Copy-From": "/%s/o" % src, "X-Copy-From-Account": "AUTH_test"})
        assert swiftclient.get_object(other_url, other_token, dst, "o")[1] == b"mine"
        with pytest.raises(swiftclient.ClientException) as err:
            conn.copy_object(src, "o", "/%s/o2" % dst,
                             headers={"Destination-Account": "AUTH_test2"})
        assert err.value.http_status == 403
    finally:
        for obj in swiftclient.get_container(other_url, other_token, dst)[1]:
            swiftclient.delete_object(other_url, other_token, dst, obj["name"])
        swiftclient.delete_container(other_url, other_token, dst)


@pytest.mark.slow
def test_copy_of_a_160_mib_slo_streams_in_bounded_memory(http_api, conn, containers):
    """The copy reads the source and writes the destination chunk by
    chunk: no server's memory grows with the object."""
    src = containers()
    segment = os.urandom(MIB)
    digest = hashlib.md5()
    manifest = []
    for i in range(4):
        body = bytes([i]) * 16 + segment[16:]
        chunk = body * 40  # 40 MiB per segment
        conn.put_object(src, "seg/%d" % i, chunk)
        digest.update(chunk)
        manifest.append({"path": "/%s/seg/%d" % (src, i)})
    conn.put_object(src, "slo", json.dumps(manifest), query_string="multipart-manifest=put")
    with RssSampler(["proxy"]) as sampler:
        resp = http_api.request("COPY", http_api.path(src, "slo"),
                                {"Destination": "%s/copy" % src}, timeout=300)
    assert resp.status == 201
    assert resp.headers["ETag"] == digest.hexdigest()
    assert 0 < sampler.peak["proxy"] < 200 * 1024, \
        "proxy reached %d MB" % (sampler.peak["proxy"] // 1024)
    assert conn.head_object(src, "copy")["etag"] == digest.hexdigest()
