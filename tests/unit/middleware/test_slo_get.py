"""Reading static large objects through ``slo`` in front of a real proxy
(the ``cluster``/``base`` fixtures of conftest.py): ranges, several ranges,
part numbers, the manifest itself, listings, and what POST may change."""

import hashlib
import json

import pytest

from objstore.middleware import slo_manifest as sm
from objstore.middleware.slo_get import parse_part_number, part_span

SIZE = 5


def test_part_numbers_are_positive_integers():
    assert parse_part_number(None) is None
    assert parse_part_number("3") == 3
    for bad in ("0", "-1", "x", "1.5", ""):
        with pytest.raises(ValueError):
            parse_part_number(bad)


def test_a_part_spans_its_manifest_entry():
    entries = [sm.Entry("/c/a", "x", 5), sm.Entry("/c/b", "y", 10, range=(2, 4)),
               sm.Entry("/c/c", "z", 4)]
    assert part_span(entries, 1) == (0, 4)
    assert part_span(entries, 2) == (5, 7)
    assert part_span(entries, 3) == (8, 11)
    assert part_span(entries, 4) is None


def _slo(cluster, base, name="slo", count=3, content_type="text/slo"):
    c = base.rsplit("/", 1)[1]
    whole = b""
    for i in range(count):
        data = (b"%d" % i) * SIZE
        assert cluster.request("PUT", "%s/seg/%02d" % (base, i), {}, data)[0] == 201
        whole += data
    manifest = [{"path": "/%s/seg/%02d" % (c, i)} for i in range(count)]
    status, headers, body = cluster.request("PUT", "%s/%s?multipart-manifest=put" % (base, name),
                                            {"Content-Type": content_type,
                                             "X-Object-Meta-S": "slo"},
                                            json.dumps(manifest).encode())
    assert status == 201, body
    return whole, headers["ETag"]


def test_one_range_across_segments_is_206(cluster, base):
    whole, etag = _slo(cluster, base)
    status, headers, body = cluster.request("GET", base + "/slo", {"Range": "bytes=3-11"})
    assert (status, body) == (206, whole[3:12])
    assert headers["Content-Range"] == "bytes 3-11/15"
    assert headers["ETag"] == etag


def test_several_ranges_are_multipart_byteranges(cluster, base):
    whole, _etag = _slo(cluster, base)
    status, headers, body = cluster.request("GET", base + "/slo", {"Range": "bytes=1-2,6-12"})
    assert status == 206
    ctype, _sep, boundary = headers["Content-Type"].partition(";boundary=")
    assert ctype == "multipart/byteranges"
    assert int(headers["Content-Length"]) == len(body)
    parts = body.split(b"--" + boundary.encode())
    assert parts[0] == b"" and parts[-1] == b"--"
    assert parts[1] == (b"\r\nContent-Type: text/slo\r\nContent-Range: bytes 1-2/15\r\n\r\n"
                        + whole[1:3] + b"\r\n")
    assert parts[2] == (b"\r\nContent-Type: text/slo\r\nContent-Range: bytes 6-12/15\r\n\r\n"
                        + whole[6:13] + b"\r\n")


def test_an_unsatisfiable_range_is_416_with_the_objects_size_and_headers(cluster, base):
    _whole, etag = _slo(cluster, base)
    for header in ("bytes=15-", "bytes=600-700"):  # past the SLO, and past the manifest
        status, headers, body = cluster.request("GET", base + "/slo", {"Range": header})
        assert status == 416
        assert headers["Content-Range"] == "bytes */15"
        assert headers["ETag"] == etag and headers["X-Object-Meta-S"] == "slo"
        assert body.startswith(b"<html><h1>Requested Range Not Satisfiable")


def test_part_number_answers_one_part_with_the_parts_count(cluster, base):
    whole, etag = _slo(cluster, base)
    for method in ("GET", "HEAD"):
        status, headers, body = cluster.request(method, base + "/slo?part-number=2")
        assert status == 206
        assert headers["Content-Range"] == "bytes 5-9/15"
        assert headers["X-Parts-Count"] == "3" and headers["ETag"] == etag
        assert headers["Content-Length"] == "5"
        assert body == (whole[5:10] if method == "GET" else b"")
    status, headers, body = cluster.request("GET", base + "/slo?part-number=4")
    assert (status, body) == (416, b"The requested part number is not satisfiable")
    assert headers["Content-Range"] == "bytes */15" and headers["X-Parts-Count"] == "3"


def test_bad_part_numbers_and_part_number_with_range_are_400(cluster, base):
    _slo(cluster, base)
    for value in ("0", "x"):
        status, _h, body = cluster.request("GET", base + "/slo?part-number=" + value)
        assert (status, body) == (400, b"Part number must be an integer greater than 0")
    status, _h, body = cluster.request("GET", base + "/slo?part-number=1",
                                       {"Range": "bytes=0-1"})
    assert (status, body) == (400, b"Range requests are not supported with part number "
                                   b"queries")
    cluster.request("PUT", base + "/plain", {}, b"plain")
    assert cluster.request("GET", base + "/plain?part-number=0")[:3:2] == (200, b"plain")


def test_the_manifest_etag_is_the_md5_of_the_stored_manifest(cluster, base):
    _slo(cluster, base)
    status, headers, manifest = cluster.request("GET", base + "/slo?multipart-manifest=get")
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["ETag"] == hashlib.md5(manifest).hexdigest()
    assert [list(item) for item in json.loads(manifest)][0] == [
        "name", "bytes", "hash", "content_type", "last_modified"]
    for method in ("GET", "HEAD"):
        assert cluster.request(method, base + "/slo")[1]["X-Manifest-Etag"] == \
            hashlib.md5(manifest).hexdigest()
    status, headers, _b = cluster.request("HEAD", base + "/slo?multipart-manifest=get")
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Content-Length"] == str(len(manifest))


def test_the_raw_manifest_keeps_the_objects_content_type(cluster, base):
    c = base.rsplit("/", 1)[1]
    _slo(cluster, base)
    status, headers, body = cluster.request("GET", base + "/slo?multipart-manifest=get&"
                                                          "format=raw")
    assert status == 200 and headers["Content-Type"] == "text/slo"
    assert [item["path"] for item in json.loads(body)] == [
        "/%s/seg/%02d" % (c, i) for i in range(3)]


def test_listings_show_the_whole_size_the_slo_etag_and_a_clean_type(cluster, base):
    _whole, etag = _slo(cluster, base)
    manifest = cluster.request("GET", base + "/slo?multipart-manifest=get")[2]
    status, _h, body = cluster.request("GET", base + "?format=json&prefix=slo")
    (row,) = json.loads(body)
    assert row["bytes"] == 15 and row["content_type"] == "text/slo"
    assert row["slo_etag"] == etag and row["hash"] == hashlib.md5(manifest).hexdigest()
    status, _h, body = cluster.request("GET", base + "?format=xml&prefix=slo")
    assert b"<content_type>text/slo</content_type>" in body and b"swift_bytes" not in body


def test_post_updates_metadata_but_cannot_set_the_slo_flag(cluster, base):
    whole, etag = _slo(cluster, base)
    assert cluster.request("POST", base + "/slo", {"X-Object-Meta-New": "1"})[0] == 202
    status, headers, body = cluster.request("GET", base + "/slo")
    assert body == whole and headers["X-Object-Meta-New"] == "1" and headers["ETag"] == etag
    cluster.request("PUT", base + "/json", {}, b"[]")
    for target in ("/json", "/slo"):
        status, _h, body = cluster.request("POST", base + target,
                                           {"X-Static-Large-Object": "False"})
        assert status == 400 and body.startswith(b"X-Static-Large-Object is a reserved header")
    assert "X-Static-Large-Object" not in cluster.request("HEAD", base + "/json")[1]


def test_a_manifest_may_not_name_itself_as_a_segment(cluster, base):
    c = base.rsplit("/", 1)[1]
    cluster.request("PUT", base + "/self", {}, b"abcde")
    status, _h, body = cluster.request("PUT", base + "/self?multipart-manifest=put", {},
                                       json.dumps([{"path": "%s/self" % c}]).encode())
    assert (status, body) == (400, b"Index 0: manifest must not include itself as a segment\n")
    assert cluster.request("GET", base + "/self")[2] == b"abcde"


def test_nested_slos_read_through_with_ranges(cluster, base):
    c = base.rsplit("/", 1)[1]
    inner, _etag = _slo(cluster, base, "inner")
    cluster.request("PUT", base + "/tail", {}, b"TAIL")
    outer = [{"path": "/%s/inner" % c}, {"path": "/%s/tail" % c}]
    status, _h, _b = cluster.request("PUT", base + "/outer?multipart-manifest=put", {},
                                     json.dumps(outer).encode())
    assert status == 201
    whole = inner + b"TAIL"
    assert cluster.request("GET", base + "/outer")[2] == whole
    status, _h, body = cluster.request("GET", base + "/outer", {"Range": "bytes=12-16"})
    assert (status, body) == (206, whole[12:17])
    status, headers, _b = cluster.request("HEAD", base + "/outer")
    assert headers["Content-Length"] == str(len(whole))


def test_if_range_is_judged_against_the_slo_etag(cluster, base):
    whole, etag = _slo(cluster, base)
    status, _h, body = cluster.request("GET", base + "/slo", {"Range": "bytes=0-3",
                                                              "If-Range": etag})
    assert (status, body) == (206, whole[:4])
    status, _h, body = cluster.request("GET", base + "/slo", {"Range": "bytes=0-3",
                                                              "If-Range": '"other"'})
    assert (status, body) == (200, whole)
