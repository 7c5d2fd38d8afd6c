"""Static and dynamic large objects against the live cluster, through the
real ``swift`` CLI (``--segment-size``) and raw HTTP."""

import hashlib
import json
import os
import uuid

import pytest

from tests.functional.conftest import expire_until

MIB = 1024 * 1024


def ok(result):
    assert result.returncode == 0, "swift CLI failed:\n%s\n%s" % (result.stdout, result.stderr)
    return result


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("lo") / "big.bin"
    path.write_bytes(os.urandom(5 * MIB))
    return path


@pytest.fixture
def cli_container(cli):
    name = "lo-" + uuid.uuid4().hex[:12]
    yield name
    cli("delete", name)
    cli("delete", name + "_segments")


def _upload(cli, container, big_file, *flags):
    ok(cli("upload", container, big_file.name, "--segment-size", str(MIB), *flags,
           cwd=str(big_file.parent)))


@pytest.mark.parametrize("flags,is_slo", [(("--use-slo",), True), (("--use-dlo",), False),
                                          ((), True)])
def test_segmented_upload_downloads_the_same_bytes_and_stat_shows_the_manifest(
        cli, http_api, cli_container, big_file, tmp_path, flags, is_slo):
    _upload(cli, cli_container, big_file, *flags)
    ok(cli("download", cli_container, big_file.name, "-o", str(tmp_path / "back.bin")))
    assert (tmp_path / "back.bin").read_bytes() == big_file.read_bytes()
    stat = ok(cli("stat", cli_container, big_file.name)).stdout
    assert "5242880" in stat
    if is_slo:
        assert "X-Static-Large-Object: True" in stat
    else:
        assert "Manifest: %s_segments/" % cli_container in stat
    head = http_api.request("HEAD", http_api.path(cli_container, big_file.name))
    assert head.headers["Content-Length"] == str(5 * MIB)
    seg_md5s = [hashlib.md5(big_file.read_bytes()[i:i + MIB]).hexdigest()
                for i in range(0, 5 * MIB, MIB)]
    assert head.headers["ETag"] == '"%s"' % hashlib.md5("".join(seg_md5s).encode()).hexdigest()
    listing = http_api.request("GET", http_api.path(cli_container) + "?format=json").json()
    if is_slo:
        assert listing[0]["bytes"] == 5 * MIB
        assert "swift_bytes" not in listing[0]["content_type"]


@pytest.mark.parametrize("flags", [("--use-slo",), ("--use-dlo",)])
def test_ranged_get_across_segment_boundaries_returns_those_bytes(
        cli, http_api, cli_container, big_file, flags):
    _upload(cli, cli_container, big_file, *flags)
    data = big_file.read_bytes()
    path = http_api.path(cli_container, big_file.name)
    for first, last in [(MIB - 10, MIB + 9), (100, 3 * MIB + 5), (5 * MIB - 7, 5 * MIB - 1)]:
        resp = http_api.request("GET", path, headers={"Range": "bytes=%d-%d" % (first, last)})
        assert resp.status == 206
        assert resp.headers["Content-Range"] == "bytes %d-%d/%d" % (first, last, len(data))
        assert resp.body == data[first:last + 1]
    resp = http_api.request("GET", path, headers={"Range": "bytes=-5"})
    assert resp.status == 206 and resp.body == data[-5:]
    resp = http_api.request("GET", path, headers={"Range": "bytes=%d-" % (6 * MIB)})
    assert resp.status == 416


def test_slo_conditional_get_uses_the_slo_etag(cli, http_api, cli_container, big_file):
    _upload(cli, cli_container, big_file, "--use-slo")
    path = http_api.path(cli_container, big_file.name)
    etag = http_api.request("HEAD", path).headers["ETag"]
    assert http_api.request("GET", path, headers={"If-None-Match": etag}).status == 304
    assert http_api.request("HEAD", path, headers={"If-Match": etag}).status == 200
    assert http_api.request("GET", path, headers={"If-Match": '"nope"'}).status == 412


def test_manifest_get_returns_the_stored_and_raw_manifests(cli, http_api, cli_container,
                                                           big_file):
    _upload(cli, cli_container, big_file, "--use-slo")
    path = http_api.path(cli_container, big_file.name)
    resp = http_api.request("GET", path + "?multipart-manifest=get")
    assert resp.status == 200
    assert resp.headers["X-Static-Large-Object"] == "True"
    items = resp.json()
    assert len(items) == 5
    assert {"name", "hash", "bytes", "content_type", "last_modified"} <= set(items[0])
    assert items[0]["name"].startswith("/%s_segments/" % cli_container)
    assert sum(i["bytes"] for i in items) == 5 * MIB
    raw = http_api.request("GET", path + "?multipart-manifest=get&format=raw").json()
    assert [r["path"] for r in raw] == [i["name"] for i in items]
    assert [r["size_bytes"] for r in raw] == [i["bytes"] for i in items]


def test_dlo_manifest_get_returns_the_empty_manifest_object(cli, http_api, cli_container,
                                                            big_file):
    _upload(cli, cli_container, big_file, "--use-dlo")
    resp = http_api.request("GET", http_api.path(cli_container, big_file.name)
                            + "?multipart-manifest=get")
    assert resp.status == 200 and resp.body == b""
    assert resp.headers["X-Object-Manifest"].startswith(cli_container + "_segments/")


@pytest.mark.parametrize("flags", [("--use-slo",), ("--use-dlo",)])
def test_swift_delete_removes_the_manifest_and_its_segments(cli, http_api, cli_container,
                                                            big_file, flags):
    _upload(cli, cli_container, big_file, *flags)
    ok(cli("delete", cli_container, big_file.name))
    listing = http_api.request("GET", http_api.path(cli_container + "_segments")
                               + "?format=json")
    assert listing.status == 404 or listing.json() == []
    # The DELETE was acknowledged by a quorum: a replica that missed it
    # (a node timed out under load) may answer a read until it is told.
    head = http_api.eventually(
        lambda: http_api.request("HEAD", http_api.path(cli_container, big_file.name)), 404)
    assert head.status == 404


def test_manifest_delete_reports_like_a_bulk_delete(http_api, container):
    for name in ("s1", "s2"):
        assert http_api.request("PUT", http_api.path(container, name), body=b"x" * 10).status == 201
    manifest = [{"path": "%s/s%d" % (container, i), "etag": None, "size_bytes": None}
                for i in (1, 2)]
    path = http_api.path(container, "m")
    assert http_api.request("PUT", path + "?multipart-manifest=put",
                            body=json.dumps(manifest)).status == 201
    resp = http_api.request("DELETE", path + "?multipart-manifest=delete",
                            headers={"Accept": "application/json"})
    assert resp.status == 200
    report = resp.json()
    assert report["Number Deleted"] == 3 and report["Errors"] == []
    assert http_api.request("HEAD", http_api.path(container, "s1")).status == 404


def test_async_manifest_delete_leaves_the_segments_to_the_expirer(http_api, container):
    for name in ("s1", "s2"):
        assert http_api.request("PUT", http_api.path(container, name), body=b"x" * 10).status == 201
    assert http_api.request("PUT", http_api.path(container, "keep"), body=b"k").status == 201
    manifest = [{"path": "%s/s%d" % (container, i)} for i in (1, 2)]
    path = http_api.path(container, "m")
    assert http_api.request("PUT", path + "?multipart-manifest=put",
                            body=json.dumps(manifest)).status == 201
    resp = http_api.request("DELETE", path + "?multipart-manifest=delete&async=yes")
    assert (resp.status, resp.body, resp.headers["Content-Type"]) == (
        204, b"", "text/html; charset=UTF-8")
    assert http_api.request("HEAD", path).status == 404
    listed = lambda: [o["name"] for o in http_api.request(  # noqa: E731
        "GET", http_api.path(container) + "?format=json").json()]
    assert listed() == ["keep", "s1", "s2"]  # the expirer has not come yet
    heads = [http_api.request("HEAD", http_api.path(container, name)) for name in ("s1", "s2")]
    # (a 404: already past its X-Delete-At, hidden from reads, still listed)
    delete_at = max(int(h.headers["X-Delete-At"]) if h.status != 404 else 0 for h in heads)
    expire_until(delete_at, lambda: listed() == ["keep"])
    for name in ("s1", "s2"):
        assert http_api.request("HEAD", http_api.path(container, name)).status == 404
    assert http_api.request("GET", http_api.path(container, "keep")).body == b"k"


def test_async_manifest_delete_refuses_what_swift_refuses_and_deletes_nothing(
        http_api, container, conn):
    other = container + "-b"
    conn.put_container(other)
    try:
        _put_segment(http_api, container, "a", b"a" * 10)
        _put_segment(http_api, other, "b", b"b" * 10)
        spread = [{"path": "%s/a" % container}, {"path": "%s/b" % other}]
        path = http_api.path(container, "spread")
        assert http_api.request("PUT", path + "?multipart-manifest=put",
                                body=json.dumps(spread)).status == 201
        resp = http_api.request("DELETE", path + "?multipart-manifest=delete&async=yes")
        assert (resp.status, resp.body.decode()) == (
            400, 'All segments must be in one container. Found segments in "%s", "%s"'
            % (container, other))
        nested_path = http_api.path(container, "nested")
        assert http_api.request("PUT", nested_path + "?multipart-manifest=put",
                                body=json.dumps([{"path": "%s/spread" % container}])).status == 201
        resp = http_api.request("DELETE", nested_path + "?multipart-manifest=delete&async=yes")
        assert (resp.status, resp.body) == (400, b"No segments may be large objects.")
        resp = http_api.request("DELETE", http_api.path(container, "a")
                                + "?multipart-manifest=delete&async=yes")
        assert (resp.status, resp.body) == (400, b"Not an SLO manifest")
        resp = http_api.request("DELETE", http_api.path(container, "nothing")
                                + "?multipart-manifest=delete&async=yes")
        assert (resp.status, resp.body) == (404, b"SLO manifest not found")
        for obj in ("a", "spread", "nested"):
            head = http_api.request("HEAD", http_api.path(container, obj))
            assert head.status == 200 and "X-Delete-At" not in head.headers, obj
        assert http_api.request("GET", http_api.path(other, "b")).body == b"b" * 10
    finally:
        for obj in conn.get_container(other)[1]:
            conn.delete_object(other, obj["name"])
        conn.delete_container(other)


def _put_segment(http_api, container, name, body):
    assert http_api.request("PUT", http_api.path(container, name), body=body).status == 201
    return hashlib.md5(body).hexdigest()


def test_manifest_with_wrong_etag_size_or_missing_segment_is_refused_with_400(
        http_api, container):
    good = _put_segment(http_api, container, "seg1", b"a" * 100)
    _put_segment(http_api, container, "seg2", b"b" * 100)
    manifest = [
        {"path": "/%s/seg1" % container, "etag": good, "size_bytes": 100},
        {"path": "/%s/seg2" % container, "etag": "0" * 32, "size_bytes": 100},
        {"path": "/%s/seg1" % container, "etag": good, "size_bytes": 99},
        {"path": "/%s/nope" % container, "etag": None, "size_bytes": None},
    ]
    path = http_api.path(container, "bad")
    resp = http_api.request("PUT", path + "?multipart-manifest=put", body=json.dumps(manifest))
    assert resp.status == 400
    text = resp.body.decode()
    assert text.startswith("Errors:\n")
    assert "/%s/seg2, Etag Mismatch" % container in text
    assert "/%s/seg1, Size Mismatch" % container in text
    assert "/%s/nope, 404 Not Found" % container in text
    assert http_api.request("HEAD", path).status == 404
    resp = http_api.request("PUT", path + "?multipart-manifest=put", body=b"not json")
    assert resp.status == 400


def test_slo_with_ranged_and_nested_segments_serves_the_right_bytes(http_api, container):
    _put_segment(http_api, container, "a", b"0123456789")
    _put_segment(http_api, container, "b", b"abcdefghij")
    inner = [{"path": "%s/a" % container, "etag": None, "size_bytes": None, "range": "2-4"},
             {"path": "%s/b" % container, "etag": None, "size_bytes": None}]
    resp = http_api.request("PUT", http_api.path(container, "inner") + "?multipart-manifest=put",
                            body=json.dumps(inner))
    assert resp.status == 201
    inner_etag = resp.headers["ETag"].strip('"')
    outer = [{"path": "%s/inner" % container, "etag": inner_etag, "size_bytes": 13},
             {"path": "%s/a" % container, "etag": None, "size_bytes": 10}]
    path = http_api.path(container, "outer")
    assert http_api.request("PUT", path + "?multipart-manifest=put",
                            body=json.dumps(outer)).status == 201
    assert http_api.request("GET", path).body == b"234abcdefghij0123456789"
    resp = http_api.request("GET", path, headers={"Range": "bytes=1-14"})
    assert resp.body == b"34abcdefghij01"


def test_client_cannot_set_the_slo_header_on_a_plain_put(http_api, container):
    resp = http_api.request("PUT", http_api.path(container, "x"), body=b"[]",
                            headers={"X-Static-Large-Object": "True"})
    assert resp.status == 400


def test_info_advertises_slo_limits_and_no_dlo_section(http_api):
    info = http_api.request("GET", "/info", user=None).json()
    assert info["slo"] == {"max_manifest_segments": 1000, "max_manifest_size": 8 * MIB,
                           "min_segment_size": 1, "yield_frequency": 10,
                           "allow_async_delete": True}
    # Swift's dlo registers no /info section; a client cannot tell it is there
    assert "dlo" not in info
