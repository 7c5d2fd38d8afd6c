"""object_versioning: version names, and the middleware in a real proxy in
front of real storage servers (tests/unit/proxy/cluster.py)."""

import json
import os
import sys
import uuid

import pytest

from objstore.middleware.object_versioning import (
    invert, valid_version_id, versions_container)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "proxy"))
from cluster import Cluster  # noqa: E402

ACCOUNT = "AUTH_test"
PIPELINE = ("catch_errors gatekeeper copy slo dlo object_versioning versioned_writes "
            "proxy-server")
FILTERS = "".join("[filter:%s]\nuse = egg:objstore#%s\n" % (name, name) for name in (
    "gatekeeper", "copy", "slo", "dlo", "object_versioning", "versioned_writes"))


def test_version_ids_are_timestamps_or_null():
    assert valid_version_id("1700000000.12345") and valid_version_id("null")
    assert not valid_version_id("abc") and not valid_version_id("")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("objver")), pipeline=PIPELINE, filters=FILTERS)
    try:
        yield c
    finally:
        c.stop()


def _empty(cluster, path, versions=False):
    """Delete every object (every version, with ``versions``) and ``path``."""
    status, _h, body = cluster.request("GET", path + ("?versions&format=json" if versions
                                                      else "?format=json"))
    for row in json.loads(body) if status == 200 else []:
        suffix = "?version-id=" + row["version_id"] if versions else ""
        cluster.request("DELETE", "%s/%s%s" % (path, row["name"], suffix))
    cluster.request("DELETE", path)


@pytest.fixture
def base(cluster):
    """A fresh versioned container; it and its versions container are
    emptied and deleted afterwards."""
    name = "ov-" + uuid.uuid4().hex[:8]
    status, _h, _b = cluster.request("PUT", "/v1/%s/%s" % (ACCOUNT, name),
                                     {"X-Versions-Enabled": "true"})
    assert status == 201
    yield "/v1/%s/%s" % (ACCOUNT, name)
    _empty(cluster, "/v1/%s/%s" % (ACCOUNT, name), versions=True)
    assert cluster.request("HEAD", "/v1/%s/%s" % (ACCOUNT, name))[0] == 404


def test_enabling_shows_the_flag_and_hides_the_sysmeta(cluster, base):
    status, headers, _b = cluster.request("HEAD", base)
    assert status == 204 and headers["X-Versions-Enabled"] == "True"
    assert not [h for h in headers if "sysmeta" in h.lower()]
    assert cluster.request("POST", base, {"X-Versions-Enabled": "false"})[0] == 204
    assert cluster.request("HEAD", base)[1]["X-Versions-Enabled"] == "False"


def test_overwrites_keep_every_version_readable_by_id(cluster, base):
    ids = []
    for body in (b"one", b"two", b"three"):
        status, headers, _b = cluster.request("PUT", base + "/obj", body=body)
        assert status == 201
        ids.append(headers["X-Object-Version-Id"])
    status, headers, body = cluster.request("GET", base + "/obj")
    assert body == b"three" and headers["X-Object-Version-Id"] == ids[2]
    assert headers["Content-Location"] == "%s/obj?version-id=%s" % (base, ids[2])
    for version_id, want in zip(ids, (b"one", b"two", b"three")):
        status, headers, body = cluster.request("GET", "%s/obj?version-id=%s" % (
            base, version_id))
        assert (status, body) == (200, want)
        assert headers["X-Object-Version-Id"] == version_id
        # an archived version keeps its own write time
        assert headers["X-Timestamp"] == version_id
    assert cluster.request("HEAD", "%s/obj?version-id=%s" % (base, ids[0]))[0] == 200
    assert cluster.request("GET", base + "/obj?version-id=1000000000.00000")[0] == 404
    status, _h, body = cluster.request("GET", base + "/obj?version-id=abc")
    assert (status, body) == (400, b"Invalid version parameter")
    # the container itself lists only the current version
    _s, _h, body = cluster.request("GET", base + "?format=json")
    assert [row["name"] for row in json.loads(body)] == ["obj"]


def test_versions_listing_merges_current_and_archived_newest_first(cluster, base):
    ids = {}
    for name, body in (("b", b"1"), ("a", b"1"), ("b", b"2"), ("a/x", b"1"), ("b", b"3")):
        ids.setdefault(name, []).append(
            cluster.request("PUT", "%s/%s" % (base, name), body=body)[1]
            ["X-Object-Version-Id"])
    status, headers, body = cluster.request("GET", base + "?versions&format=json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    rows = json.loads(body)
    assert [(r["name"], r["version_id"], r["is_latest"]) for r in rows] == [
        ("a", ids["a"][0], True), ("a/x", ids["a/x"][0], True),
        ("b", ids["b"][2], True), ("b", ids["b"][1], False), ("b", ids["b"][0], False)]
    assert [r["bytes"] for r in rows] == [1, 1, 1, 1, 1]
    _s, _h, body = cluster.request("GET", base + "?versions&format=json&prefix=b&limit=2")
    assert [r["version_id"] for r in json.loads(body)] == ids["b"][:0:-1]


def test_version_ids_need_a_versioned_container(cluster):
    path = "/v1/%s/plain-%s" % (ACCOUNT, uuid.uuid4().hex[:8])
    assert cluster.request("PUT", path)[0] == 201
    try:
        assert cluster.request("PUT", path + "/o", body=b"x")[0] == 201
        status, headers, body = cluster.request("GET", path + "/o?version-id=1700000000.1")
        assert (status, body) == (400, b"version-aware operations require that the "
                                        b"container is versioned")
        assert "X-Object-Version-Id" not in cluster.request("GET", path + "/o")[1]
    finally:
        _empty(cluster, path)


def test_client_sent_version_sysmeta_is_not_trusted(cluster, base):
    status, headers, _b = cluster.request("PUT", base + "/o", {
        "X-Object-Sysmeta-Versions-Id": "1000000000.00000"}, body=b"x")
    assert status == 201 and headers["X-Object-Version-Id"] != "1000000000.00000"
    assert cluster.request("GET", base + "/o")[1]["X-Object-Version-Id"] == \
        headers["X-Object-Version-Id"]


def _versions(cluster, base, prefix=""):
    _s, _h, body = cluster.request("GET", base + "?versions&format=json&prefix=" + prefix)
    return [(r["name"], r["version_id"], r["is_latest"], r["content_type"])
            for r in json.loads(body)]


MARKER = "application/x-deleted;swift_versions_deleted=1"


def test_delete_keeps_the_version_and_lists_a_delete_marker_as_latest(cluster, base):
    put = cluster.request("PUT", base + "/o", {"Content-Type": "text/plain"}, body=b"x")
    status, headers, _b = cluster.request("DELETE", base + "/o")
    marker = headers["X-Object-Version-Id"]
    assert status == 204 and marker != put[1]["X-Object-Version-Id"]
    status, headers, _b = cluster.request("GET", base + "/o")
    assert status == 404 and headers["X-Object-Version-Id"] == "null"
    assert _versions(cluster, base) == [
        ("o", marker, True, MARKER), ("o", put[1]["X-Object-Version-Id"], False, "text/plain")]
    status, headers, _b = cluster.request("HEAD", "%s/o?version-id=%s" % (base, marker))
    assert status == 404 and headers["X-Object-Version-Id"] == marker
    # deleting what never existed still leaves a marker, answered 404
    status, headers, _b = cluster.request("DELETE", base + "/never")
    assert status == 404 and _versions(cluster, base, "never") == [
        ("never", headers["X-Object-Version-Id"], True, MARKER)]
    # a new PUT makes the marker an old version
    cluster.request("PUT", base + "/o", {"Content-Type": "text/plain"}, body=b"y")
    assert [row[2] for row in _versions(cluster, base, "o")] == [True, False, False]


def test_delete_by_version_id(cluster, base):
    first = cluster.request("PUT", base + "/o", body=b"1")[1]["X-Object-Version-Id"]
    second = cluster.request("PUT", base + "/o", body=b"2")[1]["X-Object-Version-Id"]
    status, headers, _b = cluster.request("DELETE", "%s/o?version-id=%s" % (base, first))
    assert status == 204 and headers["X-Object-Version-Id"] == first
    assert headers["X-Object-Current-Version-Id"] == second
    assert cluster.request("GET", base + "/o")[2] == b"2"
    # the current version itself: no current version is left
    status, headers, _b = cluster.request("DELETE", "%s/o?version-id=%s" % (base, second))
    assert (status, headers["X-Object-Current-Version-Id"]) == (204, "null")
    assert cluster.request("GET", base + "/o")[0] == 404
    status, headers, _b = cluster.request("DELETE", base + "/o?version-id=1000000000.00000")
    assert status == 404 and headers["X-Object-Version-Id"] == "1000000000.00000"
    assert _versions(cluster, base) == []


def test_a_container_with_versions_is_not_deleted(cluster, base):
    cluster.request("PUT", base + "/o", body=b"1")
    cluster.request("PUT", base + "/o", body=b"2")
    status, _h, body = cluster.request("DELETE", base + "/o")
    assert status == 204
    status, _h, body = cluster.request("DELETE", base)
    assert (status, body) == (409, b"Delete all versions before deleting container.")
    for _name, version_id, _l, _t in _versions(cluster, base):
        assert cluster.request("DELETE", "%s/o?version-id=%s" % (base, version_id))[0] == 204
    count = _container_count(cluster)
    assert cluster.request("DELETE", base)[0] == 204
    assert _container_count(cluster) == count - 2  # its versions container went too


def _container_count(cluster):
    return int(cluster.request("HEAD", "/v1/" + ACCOUNT)[1]["X-Account-Container-Count"])


def test_a_kept_version_is_restored_by_copy(cluster, base):
    first = cluster.request("PUT", base + "/o", body=b"old")[1]["X-Object-Version-Id"]
    cluster.request("PUT", base + "/o", body=b"new")
    container = base.rsplit("/", 1)[1]
    status, headers, _b = cluster.request("COPY", "%s/o?version-id=%s" % (base, first),
                                          {"Destination": container + "/o"})
    assert status == 201 and headers["X-Copied-From-Version-Id"] == first
    restored = headers["X-Object-Version-Id"]
    assert restored != first
    status, headers, body = cluster.request("GET", base + "/o")
    assert body == b"old" and headers["X-Object-Version-Id"] == restored
    # PUT + X-Copy-From: the PUT's ?version-id names the source's version
    status, headers, _b = cluster.request("PUT", "%s/copy?version-id=%s" % (base, first), {
        "X-Copy-From": container + "/o", "Content-Length": "0"})
    assert status == 201 and headers["X-Copied-From-Version-Id"] == first
    assert cluster.request("GET", base + "/copy")[2] == b"old"
    assert [r[1] for r in _versions(cluster, base, "o")][0] == restored


def test_writes_to_one_version_are_refused(cluster, base):
    first = cluster.request("PUT", base + "/o", body=b"x")[1]["X-Object-Version-Id"]
    status, _h, body = cluster.request("POST", "%s/o?version-id=%s" % (base, first),
                                       {"X-Object-Meta-A": "b"})
    assert status == 400 and b"POST to a specific version is not allowed" in body
    status, _h, body = cluster.request("PUT", "%s/o?version-id=%s" % (base, first),
                                       body=b"overwrite")
    assert (status, body) == (400, b"PUT version-id requests require a zero byte body")
    assert cluster.request("GET", "%s/o?version-id=%s" % (base, first))[2] == b"x"


def test_a_large_objects_version_stays_a_working_large_object(cluster, base):
    segs = "/v1/%s/segs-%s" % (ACCOUNT, uuid.uuid4().hex[:8])
    assert cluster.request("PUT", segs)[0] == 201
    try:
        manifest = []
        for i, chunk in enumerate((b"a" * 10, b"b" * 10)):
            etag = cluster.request("PUT", "%s/%d" % (segs, i), body=chunk)[1]["Etag"]
            manifest.append({"path": "%s/%d" % (segs[len("/v1/%s" % ACCOUNT):], i),
                             "etag": etag, "size_bytes": 10})
        status, headers, _b = cluster.request("PUT", base + "/big?multipart-manifest=put",
                                              body=json.dumps(manifest).encode())
        assert status == 201
        big = headers["X-Object-Version-Id"]
        cluster.request("PUT", base + "/big", body=b"small")
        status, headers, body = cluster.request("GET", "%s/big?version-id=%s" % (base, big))
        assert (status, body) == (200, b"a" * 10 + b"b" * 10)
        assert headers["X-Static-Large-Object"] == "True"
        assert cluster.request("GET", base + "/big")[2] == b"small"
    finally:
        _empty(cluster, segs)


def test_versions_listing_pages_with_marker_and_version_marker(cluster, base):
    ids = {}
    for name in ("p", "p", "p", "q", "q"):
        ids.setdefault(name, []).append(
            cluster.request("PUT", "%s/%s" % (base, name), body=b"x")[1]
            ["X-Object-Version-Id"])
    p_new_first = ids["p"][::-1]
    q_new_first = ids["q"][::-1]
    listed = [(r[0], r[1]) for r in _versions(cluster, base)]
    assert listed == [("p", i) for i in p_new_first] + [("q", i) for i in q_new_first]
    _s, _h, body = cluster.request("GET", base + "?versions&marker=p")
    assert [(r["name"], r["version_id"]) for r in json.loads(body)] == [
        ("q", i) for i in q_new_first]
    _s, _h, body = cluster.request("GET", "%s?versions&marker=p&version_marker=%s"
                                   % (base, p_new_first[1]))
    assert [(r["name"], r["version_id"]) for r in json.loads(body)] == [
        ("p", p_new_first[2])] + [("q", i) for i in q_new_first]
    # null: every version of the marker's object, its current one not latest (as Swift)
    _s, _h, body = cluster.request("GET", base + "?versions&marker=p&version_marker=null")
    assert [(r["version_id"], r["is_latest"]) for r in json.loads(body)][:3] == [
        (p_new_first[0], False), (p_new_first[1], False), (p_new_first[2], False)]
    # in reverse: the marker object's versions newer than the id (the current
    # one not latest), none after null (as Swift 2.38.3)
    _s, _h, body = cluster.request("GET", "%s?versions&marker=q&reverse=true&version_marker=%s"
                                   % (base, q_new_first[1]))
    assert [(r["name"], r["version_id"], r["is_latest"]) for r in json.loads(body)] == [
        ("q", q_new_first[0], False)] + [("p", i, False) for i in p_new_first[:0:-1]] + [
        ("p", p_new_first[0], True)]
    _s, _h, body = cluster.request(
        "GET", base + "?versions&marker=q&reverse=true&version_marker=null")
    assert [r["name"] for r in json.loads(body)] == ["p"] * 3
    status, _h, body = cluster.request("GET", base + "?versions&version_marker=" + ids["p"][0])
    assert (status, body) == (400, b"version_marker param requires marker")
    status, _h, body = cluster.request("GET", base + "?versions&marker=p&version_marker=abc")
    assert (status, body) == (400, b"invalid version_marker param")
    for bad in ("?versions&format=plain", "?versions&format=xml"):
        assert cluster.request("GET", base + bad)[0] == 406
    assert cluster.request("GET", base + "?versions", {"Accept": "text/plain"})[0] == 406
    assert cluster.request("GET", base + "?versions", {"Accept": "*/*"})[0] == 200


def test_legacy_versioning_and_the_new_one_do_not_mix(cluster):
    path = "/v1/%s/legacy-%s" % (ACCOUNT, uuid.uuid4().hex[:8])
    assert cluster.request("PUT", path, {"X-Versions-Location": "elsewhere"})[0] == 201
    try:
        status, _h, body = cluster.request("POST", path, {"X-Versions-Enabled": "true"})
        assert status == 400 and body.startswith(b"Cannot enable object versioning")
        assert "X-Versions-Enabled" not in cluster.request("HEAD", path)[1]
    finally:
        _empty(cluster, path)


def test_suspended_versioning_keeps_old_versions_and_writes_null_ones(cluster, base):
    first = cluster.request("PUT", base + "/s", body=b"A")[1]["X-Object-Version-Id"]
    assert cluster.request("POST", base, {"X-Versions-Enabled": "false"})[0] == 204
    for body in (b"B", b"C"):
        status, headers, _b = cluster.request("PUT", base + "/s", body=body)
        assert status == 201 and "X-Object-Version-Id" not in headers
    status, headers, body = cluster.request("GET", base + "/s")
    assert (body, headers["X-Object-Version-Id"]) == (b"C", "null")
    assert [(r[1], r[2]) for r in _versions(cluster, base)] == [("null", True), (first, False)]
    assert cluster.request("DELETE", base + "/s")[0] == 204
    assert [(r[1], r[2]) for r in _versions(cluster, base)] == [(first, False)]
    assert cluster.request("GET", "%s/s?version-id=%s" % (base, first))[2] == b"A"


def test_a_post_keeps_the_version_id(cluster, base):
    put = cluster.request("PUT", base + "/o", body=b"x")[1]["X-Object-Version-Id"]
    assert cluster.request("POST", base + "/o", {"X-Object-Meta-Color": "red"})[0] == 202
    status, headers, _b = cluster.request("HEAD", base + "/o")
    assert (headers["X-Object-Version-Id"], headers["X-Object-Meta-Color"]) == (put, "red")
    assert [r[1] for r in _versions(cluster, base)] == [put]


def test_a_name_too_long_for_its_versions_container_is_not_versioned(cluster):
    path = "/v1/%s/%s" % (ACCOUNT, "L" * (256 - len(versions_container("").encode()) + 1))
    status, _h, body = cluster.request("PUT", path, {"X-Versions-Enabled": "true"})
    assert status == 400 and body.startswith(b"Container name too long to be versioned")
    assert cluster.request("HEAD", path)[0] == 404


#: ``?versions`` answers of Swift 2.38.3 for one container (measured on the
#: reference): obj and c were deleted (a delete marker on top), a and b/2
#: written twice. Rows are (name, is_latest, marker?) or a subdir.
_D = "marker"
SWIFT_VERSIONS = {
    "": [("a", True, 0), ("a", False, 0), ("b/1", True, 0), ("b/2", True, 0), ("b/2", False, 0),
         ("c", True, _D), ("c", False, 0), ("d", True, 0), ("obj", True, _D), ("obj", False, 0),
         ("obj", False, 0)],
    "delimiter=/": [("a", True, 0), ("a", False, 0), "b/", ("c", True, _D), ("c", False, 0),
                    ("d", True, 0), ("obj", True, _D), ("obj", False, 0), ("obj", False, 0)],
    "delimiter=b": [("a", True, 0), ("a", False, 0), "b", ("c", True, _D), ("c", False, 0),
                    ("d", True, 0), "ob"],
    "prefix=b&delimiter=/": ["b/"],
    "marker=b/1&delimiter=/": ["b/", ("c", True, _D), ("c", False, 0), ("d", True, 0),
                               ("obj", True, _D), ("obj", False, 0), ("obj", False, 0)],
    "prefix=b/&limit=2": [("b/1", True, 0), ("b/2", True, 0)],
    "marker=b/2": [("c", True, _D), ("c", False, 0), ("d", True, 0), ("obj", True, _D),
                   ("obj", False, 0), ("obj", False, 0)],
    # the markers bound only which current versions are latest
    "end_marker=b/2": [("a", True, 0), ("a", False, 0), ("b/1", True, 0), ("b/2", False, 0),
                       ("b/2", False, 0), ("c", True, _D), ("c", False, 0), ("d", False, 0),
                       ("obj", True, _D), ("obj", False, 0), ("obj", False, 0)],
    "marker=b/2&version_marker=null": [("b/2", False, 0), ("b/2", False, 0), ("c", True, _D),
                                       ("c", False, 0), ("d", True, 0), ("obj", True, _D),
                                       ("obj", False, 0), ("obj", False, 0)],
    "reverse=true&delimiter=/": [("obj", False, 0), ("obj", False, 0), ("obj", True, _D),
                                 ("d", True, 0), ("c", False, 0), ("c", True, _D), "b/",
                                 ("a", False, 0), ("a", True, 0)],
    "reverse=true&marker=c": [("c", False, 0), ("c", True, _D), ("b/2", False, 0),
                              ("b/2", True, 0), ("b/1", True, 0), ("a", False, 0),
                              ("a", True, 0)],
    "reverse=true&marker=obj&end_marker=b/1": [
        ("obj", False, 0), ("obj", False, 0), ("obj", True, _D), ("d", True, 0), ("c", False, 0),
        ("c", True, _D), ("b/2", False, 0), ("b/2", True, 0), ("b/1", False, 0),
        ("a", False, 0), ("a", False, 0)],
}


def test_versions_listing_parameters_answer_as_swift(cluster, base):
    for name in ("obj", "obj", "a", "a", "b/1", "b/2", "b/2", "c", "d"):
        assert cluster.request("PUT", "%s/%s" % (base, name), body=b"x")[0] == 201
    for name in ("c", "obj"):
        assert cluster.request("DELETE", "%s/%s" % (base, name))[0] == 204
    for query, expected in sorted(SWIFT_VERSIONS.items()):
        status, _h, body = cluster.request("GET", "%s?versions&%s" % (base, query))
        assert status == 200, query
        got = [r["subdir"] if "subdir" in r else
               (r["name"], r["is_latest"], _D if r["content_type"] == MARKER else 0)
               for r in json.loads(body)]
        assert got == expected, query
    status, _h, body = cluster.request("GET", base + "?versions&limit=10001")
    assert (status, body) == (412, b"Maximum limit is 10000")
    status, headers, body = cluster.request("GET", base + "?versions&prefix=%FF")
    assert (status, body) == (400, b'"prefix" parameter not valid UTF-8')
    assert headers["Content-Type"] == "text/plain"


def test_the_versions_container_has_a_reserved_name_no_client_can_use(cluster, base):
    """The versions container is \\x00versions\\x00<container>: counted in
    the account, in none of its listings, and every request a client makes
    for it is 412 "Invalid UTF8 or contains NULL", as Swift answers, the
    header that would allow it included (gatekeeper strips it)."""
    name = base.rsplit("/", 1)[1]
    assert cluster.request("PUT", base + "/o", body=b"1")[0] == 201
    assert cluster.request("PUT", base + "/o", body=b"2")[0] == 201
    assert versions_container(name) == "\x00versions\x00" + name
    hidden = "/v1/%s/%s" % (ACCOUNT, versions_container(name))
    for method in ("PUT", "HEAD", "GET", "POST", "DELETE"):
        for headers in ({}, {"X-Backend-Allow-Reserved-Names": "true"}):
            status, _h, body = cluster.request(method, hidden, headers)
            assert status == 412, (method, headers)
            if method != "HEAD":
                assert body == b"Invalid UTF8 or contains NULL"
        assert cluster.request(method, hidden + "/o%01x", {})[0] == 412
    _s, _h, body = cluster.request("GET", "/v1/%s?format=json&limit=10000" % ACCOUNT)
    names = [r["name"] for r in json.loads(body)]
    assert name in names and not [n for n in names if "\x00" in n]
    assert _container_count(cluster) == len(names) + 1  # counted, as Swift's
    for query in ("reverse=true", "limit=1", "prefix=%00", "marker=%00", "end_marker=%01",
                  "reverse=true&end_marker=%00"):
        _s, _h, body = cluster.request("GET", "/v1/%s?format=json&%s" % (ACCOUNT, query))
        assert not [r for r in json.loads(body) if "\x00" in r["name"]], query
    status, _h, body = cluster.request("GET", "/v1/%s?prefix=%%00" % ACCOUNT)
    assert status == 204 and body == b""
    # the version itself is kept there and readable through the middleware
    assert [r[2] for r in _versions(cluster, base)] == [True, False]

def test_version_ids_are_listed_not_shown_to_clients_and_survive_a_post(cluster, base):
    """A versioned write lists its id (``?versions`` reads it from the row);
    the id parameter is in no GET/HEAD Content-Type and no plain listing;
    a POST that changes the type keeps the listed id; the type is still
    guessed from the name when the client sends none."""
    first = cluster.request("PUT", base + "/page.html", body=b"<p>1")[1]["X-Object-Version-Id"]
    second = cluster.request("PUT", base + "/page.html", {"Content-Type": "text/x-a; q=1"},
                             body=b"<p>2")[1]["X-Object-Version-Id"]
    for method in ("GET", "HEAD"):
        headers = cluster.request(method, base + "/page.html")[1]
        assert headers["Content-Type"] == "text/x-a; q=1"
        headers = cluster.request(method, base + "/page.html?version-id=" + first)[1]
        assert headers["Content-Type"] == "text/html"
    _s, _h, body = cluster.request("GET", base + "?format=json")
    assert [(r["name"], r["content_type"]) for r in json.loads(body)] == [
        ("page.html", "text/x-a;q=1")]
    # as Swift lists its version symlinks
    assert "version_id" not in json.loads(body)[0]
    assert json.loads(body)[0]["symlink_path"] == "%s/page.html?version-id=%s" % (base, second)
    assert json.loads(body)[0]["version_symlink"] is True
    assert b"swift_versions_id" not in cluster.request("GET", base + "?format=xml")[2]
    assert cluster.request("POST", base + "/page.html", {"Content-Type": "text/x-b"})[0] == 202
    assert _versions(cluster, base) == [("page.html", second, True, "text/x-b"),
                                        ("page.html", first, False, "text/html")]


def test_a_client_cannot_set_the_listed_version_id(cluster, base):
    status, _h, body = cluster.request("PUT", base + "/o", {
        "Content-Type": "text/plain;swift_versions_id=1000000000.00000"}, body=b"x")
    assert (status, body) == (400, b"Invalid Content-Type, swift_* is not a valid parameter "
                                   b"name.")
    assert cluster.request("HEAD", base + "/o")[0] == 404


def test_suspended_writes_list_no_id_and_read_as_null(cluster, base):
    kept = cluster.request("PUT", base + "/o", body=b"1")[1]["X-Object-Version-Id"]
    assert cluster.request("POST", base, {"X-Versions-Enabled": "false"})[0] == 204
    assert cluster.request("PUT", base + "/o", {"Content-Type": "text/plain"},
                           body=b"2")[0] == 201
    assert _versions(cluster, base) == [("o", "null", True, "text/plain"),
                                        ("o", kept, False, "application/octet-stream")]
    assert cluster.request("POST", base, {"X-Versions-Enabled": "true"})[0] == 204


def test_delete_null_takes_a_versioned_object_off_its_name_and_keeps_it(cluster, base):
    """As Swift: ``null`` names what is at the object's name; a current
    version with an id stays kept (listed, not latest); no version headers."""
    kept = cluster.request("PUT", base + "/d", body=b"1")[1]["X-Object-Version-Id"]
    status, headers, _b = cluster.request("DELETE", base + "/d?version-id=null")
    assert status == 204 and "X-Object-Version-Id" not in headers
    assert cluster.request("GET", base + "/d")[0] == 404
    assert _versions(cluster, base) == [("d", kept, False, "application/octet-stream")]
    assert cluster.request("GET", base + "/d?version-id=" + kept)[2] == b"1"
    assert cluster.request("DELETE", base + "/d?version-id=null")[0] == 404
    assert cluster.request("DELETE", base + "/nothing?version-id=null")[0] == 404


def test_versions_listing_of_a_container_whose_ids_are_listed_makes_no_head(monkeypatch):
    """One listing per container per page, whatever the page holds: no
    request per object (containers versioned before ids were listed still
    HEAD each current object without a listed id)."""
    from webob import Request, Response

    from objstore.middleware.object_versioning import ObjectVersioning
    seen = []
    rows = [{"name": "o%d" % i, "bytes": 1, "hash": "x", "content_type": "text/plain",
             "last_modified": "2026-01-01T00:00:00.000000", "version_id": "1700000000.0000%d" % i}
            for i in range(5)] + [{"name": "p", "bytes": 1, "hash": "x",
                                   "content_type": "text/plain",
                                   "last_modified": "2026-01-01T00:00:00.000000"}]

    def app(env, start_response):
        seen.append((env["REQUEST_METHOD"], env["PATH_INFO"]))
        if env["REQUEST_METHOD"] == "HEAD" and env["PATH_INFO"] == "/v1/AUTH_a/c":
            return Response(status=204, headers={
                "X-Container-Sysmeta-Versions-Container": ".versions-c",
                "X-Container-Sysmeta-Versions-Enabled": "True",
                "X-Container-Sysmeta-Versions-Ids-Listed": "1"})(env, start_response)
        if env["REQUEST_METHOD"] == "GET" and env["PATH_INFO"] == "/v1/AUTH_a/c":
            return Response(json_body=rows)(env, start_response)
        if env["REQUEST_METHOD"] == "GET":
            return Response(json_body=[])(env, start_response)
        return Response(status=204)(env, start_response)

    resp = Request.blank("/v1/AUTH_a/c?versions&format=json").get_response(
        ObjectVersioning(app, {}))
    assert resp.status_int == 200
    assert [(r["name"], r["version_id"]) for r in resp.json] == [
        ("o%d" % i, "1700000000.0000%d" % i) for i in range(5)] + [("p", "null")]
    assert not [s for s in seen if s[0] == "HEAD" and s[1].count("/") > 3]


def test_a_middleware_below_the_gatekeeper_chooses_the_version_id_a_client_cannot(
        cluster, base):
    """s3api picks its version ids with X-Timestamp; a client's X-Timestamp
    never reaches object_versioning (gatekeeper strips it)."""
    from webob import Request, Response

    from objstore.middleware.object_versioning import ObjectVersioning
    seen = []

    def app(env, start_response):
        seen.append(dict(env))
        if env["REQUEST_METHOD"] == "HEAD" and env["PATH_INFO"] == "/v1/AUTH_a/c":
            return Response(status=204, headers={
                "X-Container-Sysmeta-Versions-Container": "\x00versions\x00c",
                "X-Container-Sysmeta-Versions-Enabled": "True"})(env, start_response)
        if env["REQUEST_METHOD"] == "HEAD":
            return Response(status=404)(env, start_response)
        return Response(status=201 if env["REQUEST_METHOD"] == "PUT" else 204)(
            env, start_response)

    mw = ObjectVersioning(app, {})
    resp = Request.blank("/v1/AUTH_a/c/o", method="PUT", body=b"x", headers={
        "X-Timestamp": "1700000000.12345", "Content-Type": "text/plain"}).get_response(mw)
    assert resp.status_int == 201 and resp.headers["X-Object-Version-Id"] == "1700000000.12345"
    put = seen[-1]
    assert put["HTTP_X_OBJECT_SYSMETA_VERSIONS_ID"] == "1700000000.12345"
    assert put["CONTENT_TYPE"] == "text/plain;swift_versions_id=1700000000.12345"
    resp = Request.blank("/v1/AUTH_a/c/o", method="DELETE", headers={
        "X-Timestamp": "1700000001.00000"}).get_response(mw)
    assert resp.headers["X-Object-Version-Id"] == "1700000001.00000"
    marker = [e for e in seen if e["REQUEST_METHOD"] == "PUT"][-1]
    assert marker["PATH_INFO"].endswith("o\x01" + invert("1700000001.00000"))
    # through the gatekeeper a client's X-Timestamp chooses nothing
    status, headers, _b = cluster.request("PUT", base + "/o", {"X-Timestamp": "1500000000.00000"},
                                          body=b"x")
    assert status == 201 and headers["X-Object-Version-Id"] != "1500000000.00000"


def test_an_account_listing_hides_legacy_versions_containers_and_passes_others_through(
        monkeypatch):
    """Only a page naming a ``.versions-`` container is parsed (one that
    names none passes through as the account server wrote it, no container
    info asked); a versions container its container points to is hidden."""
    from webob import Request, Response

    from objstore.middleware.object_versioning import ObjectVersioning
    seen = []
    plain = b'[{"name": "a", "count": 0}, {"name": "c", "count": 0}]'
    legacy = [{"name": ".versions-c", "count": 1}, {"name": ".versions-d", "count": 0},
              {"name": "c", "count": 0}]

    def app(env, start_response):
        seen.append((env["REQUEST_METHOD"], env["PATH_INFO"]))
        if env["REQUEST_METHOD"] == "HEAD":
            sysmeta = {"X-Container-Sysmeta-Versions-Container": ".versions-c"} \
                if env["PATH_INFO"] == "/v1/AUTH_a/c" else {}
            return Response(status=204, headers=sysmeta)(env, start_response)
        if env["PATH_INFO"] == "/v1/AUTH_p":
            return Response(body=plain, content_type="application/json")(env, start_response)
        return Response(json_body=legacy)(env, start_response)

    from objstore.middleware import object_versioning_container as containers
    parsed = []
    monkeypatch.setattr(containers, "json", type("Json", (), {
        "loads": staticmethod(lambda text: parsed.append(text) or json.loads(text)),
        "dumps": staticmethod(json.dumps)}))
    resp = Request.blank("/v1/AUTH_p?format=json").get_response(ObjectVersioning(app, {}))
    assert resp.body == plain and seen == [("GET", "/v1/AUTH_p")] and parsed == []
    resp = Request.blank("/v1/AUTH_a?format=json").get_response(ObjectVersioning(app, {}))
    assert [r["name"] for r in resp.json] == [".versions-d", "c"]
