"""container_quotas in a real pipeline (tempauth copy container-quotas
account-quotas slo) in front of real storage servers."""

import io
import json
import os
import sys
import tarfile
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quota_cluster import cluster, empty_container, users  # noqa: E402,F401

ACCOUNT = "/v1/AUTH_test"


@pytest.fixture
def container(cluster, users):
    owner = users[0]
    made = []

    def make(**headers):
        path = "%s/cq-%s" % (ACCOUNT, uuid.uuid4().hex[:8])
        assert cluster.request("PUT", path, dict(owner, **headers))[0] == 201
        made.append(path)
        return path
    yield make
    for path in made:
        empty_container(cluster, owner, path)


def _wait_for_usage(cluster, owner, path, count):
    """Until the proxy's cached container info shows ``count`` objects."""
    deadline = time.time() + 30
    while time.time() < deadline:
        if cluster.request("HEAD", path, owner)[1].get("X-Container-Object-Count") == str(count):
            time.sleep(1.2)  # the proxy's container info cache (recheck 1 s) expires
            return
        time.sleep(0.1)
    raise AssertionError("container never showed %d objects" % count)


@pytest.mark.parametrize("header,text", [("X-Container-Meta-Quota-Bytes", b"Invalid bytes quota."),
                                         ("X-Container-Meta-Quota-Count", b"Invalid count quota.")])
@pytest.mark.parametrize("value", ["-1", "1.5", "ten"])
def test_a_bad_quota_is_400_on_put_and_post_and_nothing_is_stored(cluster, users, container,
                                                                   header, text, value):
    owner = users[0]
    status, headers, body = cluster.request("PUT", "%s/cq-bad-%s" % (ACCOUNT, uuid.uuid4().hex[:6]),
                                            dict(owner, **{header: value}))
    assert (status, body) == (400, text)
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    path = container(**{header: "5"})
    assert cluster.request("POST", path, dict(owner, **{header: value}))[:3:2] == (400, text)
    assert cluster.request("HEAD", path, owner)[1][header] == "5"


def test_an_empty_quota_lifts_it(cluster, users, container):
    owner = users[0]
    path = container(**{"X-Container-Meta-Quota-Bytes": "1"})
    assert cluster.request("PUT", path + "/o", owner, b"too big")[0] == 413
    assert cluster.request("POST", path, dict(owner, **{"X-Container-Meta-Quota-Bytes": ""}))[0] == 204
    assert cluster.request("PUT", path + "/o", owner, b"too big")[0] == 201


def test_an_upload_past_the_bytes_quota_is_413_and_stores_nothing(cluster, users, container):
    owner = users[0]
    path = container(**{"X-Container-Meta-Quota-Bytes": "10"})
    assert cluster.request("PUT", path + "/fits", owner, b"0123456789")[0] == 201
    _wait_for_usage(cluster, owner, path, 1)
    status, headers, body = cluster.request("PUT", path + "/more", owner, b"x")
    assert (status, body) == (413, b"Upload exceeds quota.")
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    assert cluster.request("GET", path + "/more", owner)[0] == 404
    assert cluster.request("GET", path + "/fits", owner)[2] == b"0123456789"


def test_the_count_quota_counts_an_overwrite_too(cluster, users, container):
    owner = users[0]
    path = container(**{"X-Container-Meta-Quota-Count": "1"})
    assert cluster.request("PUT", path + "/one", owner, b"a")[0] == 201
    _wait_for_usage(cluster, owner, path, 1)
    assert cluster.request("PUT", path + "/two", owner, b"b")[:3:2] == (413, b"Upload exceeds quota.")
    assert cluster.request("PUT", path + "/one", owner, b"c")[0] == 413
    assert cluster.request("GET", path + "/one", owner)[2] == b"a"


def test_a_chunked_upload_declares_no_length_and_passes_a_bytes_quota(cluster, users, container):
    owner = users[0]
    path = container(**{"X-Container-Meta-Quota-Bytes": "3"})
    status = cluster.request("PUT", path + "/o", dict(owner, **{"Transfer-Encoding": "chunked"}),
                             iter([b"0123456789"]), encode_chunked=True)[0]
    assert status == 201  # as Swift: docs/quotas.md says why a cap can be overshot


def test_copy_and_x_copy_from_are_judged_by_the_source_length(cluster, users, container):
    owner = users[0]
    src = container()
    dst = container(**{"X-Container-Meta-Quota-Bytes": "10"})
    assert cluster.request("PUT", src + "/big", owner, b"x" * 21)[0] == 201
    dst_name = dst.rsplit("/", 1)[1]
    status, _h, body = cluster.request("COPY", src + "/big",
                                       dict(owner, Destination="%s/c1" % dst_name))
    assert (status, body) == (413, b"Upload exceeds quota.")
    src_ref = "%s/big" % src.rsplit("/", 1)[1]
    status, _h, body = cluster.request("PUT", dst + "/c2", dict(owner, **{
        "X-Copy-From": src_ref, "Content-Length": "0"}))
    assert (status, body) == (413, b"Upload exceeds quota.")
    assert cluster.request("PUT", dst + "/c3", dict(owner, **{
        "X-Copy-From": src_ref, "Content-Length": "0", "Range": "bytes=0-3"}))[0] == 201
    assert cluster.request("GET", dst + "/c3", owner)[2] == b"xxxx"
    assert cluster.request("HEAD", dst + "/c1", owner)[0] == 404


def test_an_slo_manifest_is_judged_by_its_own_length_as_in_swift(cluster, users, container):
    owner = users[0]
    segs = container()
    assert cluster.request("PUT", segs + "/s1", owner, b"s" * 200)[0] == 201
    manifest = json.dumps([{"path": "%s/s1" % segs.rsplit("/", 1)[1]}]).encode()
    small = container(**{"X-Container-Meta-Quota-Bytes": str(len(manifest) - 1)})
    status, _h, body = cluster.request("PUT", small + "/m?multipart-manifest=put", owner, manifest)
    assert (status, body) == (413, b"Upload exceeds quota.")
    roomy = container(**{"X-Container-Meta-Quota-Bytes": str(len(manifest))})
    assert cluster.request("PUT", roomy + "/m?multipart-manifest=put", owner, manifest)[0] == 201


def test_each_member_of_a_bulk_extraction_is_judged(cluster, users, container):
    owner = users[0]
    path = container(**{"X-Container-Meta-Quota-Bytes": "10"})
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, size in (("small", 4), ("large", 60)):
            info = tarfile.TarInfo(name)
            info.size = size
            tar.addfile(info, io.BytesIO(b"z" * size))
    status, _h, body = cluster.request("PUT", path + "?extract-archive=tar",
                                       dict(owner, Accept="application/json"), buf.getvalue())
    result = json.loads(body)
    assert status == 200
    assert result["Number Files Created"] == 1
    assert result["Errors"] == [["%s/large" % path.rsplit("/", 1)[1],
                                 "413 Request Entity Too Large"]]


def test_a_client_without_write_access_learns_nothing_about_the_quota(cluster, users, container):
    _owner, _admin, stranger = users
    path = container(**{"X-Container-Meta-Quota-Bytes": "1"})
    assert cluster.request("PUT", path + "/o", stranger, b"too big")[0] == 403
    assert cluster.request("PUT", path + "/o", {}, b"too big")[0] == 401


def test_info_lists_container_quotas(cluster):
    assert json.loads(cluster.request("GET", "/info")[2])["container_quotas"] == {}
