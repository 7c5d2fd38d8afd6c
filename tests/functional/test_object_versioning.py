"""New-style object versioning (X-Versions-Enabled) with python-swiftclient
and raw HTTP against the live SAIO."""

import http.client
import os
import threading
import time
import uuid
from urllib.parse import urlparse

import pytest
import swiftclient

from objstore.common import key_lock
from objstore.common.memcached import MemcacheRing


def _container_count(conn):
    return int(conn.head_account()["x-account-container-count"])


@pytest.fixture
def versioned(conn):
    """A fresh versioned container; it and its versions container are
    removed afterwards."""
    name = "fn-ov-" + uuid.uuid4().hex[:10]
    conn.put_container(name, headers={"X-Versions-Enabled": "true"})
    try:
        yield name
    finally:
        _h, rows = conn.get_container(name, query_string="versions")
        for row in rows:
            conn.delete_object(name, row["name"],
                               query_string="version-id=" + row["version_id"])
        count = _container_count(conn)
        conn.delete_container(name)
        assert _container_count(conn) == count - 2  # its versions container went too


def _raw(conn, method, path, headers=None, body=None):
    url, token = conn.get_auth()
    parsed = urlparse(url)
    http_conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        http_conn.request(method, parsed.path + path, body=body,
                          headers=dict(headers or {}, **{"X-Auth-Token": token}))
        resp = http_conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        http_conn.close()


def test_info_lists_object_versioning(conn):
    assert conn.get_capabilities()["object_versioning"] == {}


def test_versions_enabled_round_trips(conn, versioned):
    assert conn.head_container(versioned)["x-versions-enabled"] == "True"
    conn.post_container(versioned, {"X-Versions-Enabled": "false"})
    assert conn.head_container(versioned)["x-versions-enabled"] == "False"


def test_every_overwrite_is_kept_and_listed_newest_first(conn, versioned):
    ids = []
    for body in (b"v1", b"v2", b"v3"):
        answer = {}
        conn.put_object(versioned, "doc", body, response_dict=answer)
        ids.append(answer["headers"]["x-object-version-id"])
    headers, body = conn.get_object(versioned, "doc")
    assert body == b"v3" and headers["x-object-version-id"] == ids[2]
    headers, body = conn.get_object(versioned, "doc", query_string="version-id=" + ids[0])
    assert body == b"v1" and headers["x-object-version-id"] == ids[0]
    _h, rows = conn.get_container(versioned, query_string="versions")
    assert [(r["name"], r["version_id"], r["is_latest"]) for r in rows] == [
        ("doc", ids[2], True), ("doc", ids[1], False), ("doc", ids[0], False)]
    assert [r["name"] for r in conn.get_container(versioned)[1]] == ["doc"]


def test_hostile_version_ids_are_refused_and_nothing_changes(conn, versioned):
    conn.put_object(versioned, "doc", b"keep")
    for bad in ("abc", "-1", "1e99", "%00"):
        status, _h, body = _raw(conn, "GET", "/%s/doc?version-id=%s" % (versioned, bad))
        assert (status, body) == (400, b"Invalid version parameter"), bad
    status, _h, _b = _raw(conn, "GET", "/%s/doc?version-id=1000000000.00000" % versioned)
    assert status == 404
    assert conn.get_object(versioned, "doc")[1] == b"keep"


def test_version_ids_on_an_unversioned_container_are_refused(conn, container):
    conn.put_object(container, "o", b"x")
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(container, "o", query_string="version-id=1700000000.00000")
    assert err.value.http_status == 400
    assert "x-object-version-id" not in conn.head_object(container, "o")


def test_delete_leaves_a_marker_and_versions_block_the_container_delete(conn, versioned):
    conn.put_object(versioned, "doc", b"v1")
    answer = {}
    conn.delete_object(versioned, "doc", response_dict=answer)
    marker = answer["headers"]["x-object-version-id"]
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(versioned, "doc")
    assert err.value.http_status == 404
    _h, rows = conn.get_container(versioned, query_string="versions")
    assert [(r["version_id"], r["is_latest"], r["content_type"]) for r in rows][0] == (
        marker, True, "application/x-deleted;swift_versions_deleted=1")
    status, _h, body = _raw(conn, "DELETE", "/" + versioned)
    assert (status, body) == (409, b"Delete all versions before deleting container.")
    # the kept version is still readable by id
    kept = rows[1]["version_id"]
    assert conn.get_object(versioned, "doc", query_string="version-id=" + kept)[1] == b"v1"


def test_restore_by_copy_and_by_x_copy_from(conn, versioned):
    first = {}
    conn.put_object(versioned, "doc", b"old", response_dict=first)
    first = first["headers"]["x-object-version-id"]
    conn.put_object(versioned, "doc", b"new")
    status, headers, _b = _raw(conn, "COPY", "/%s/doc?version-id=%s" % (versioned, first),
                               {"Destination": versioned + "/doc"})
    assert status == 201 and headers["X-Copied-From-Version-Id"] == first
    assert conn.get_object(versioned, "doc")[1] == b"old"
    answer = {}
    conn.put_object(versioned, "again", b"", headers={"X-Copy-From": versioned + "/doc"},
                    query_string="version-id=" + first, response_dict=answer)
    assert answer["headers"]["x-copied-from-version-id"] == first
    assert conn.get_object(versioned, "again")[1] == b"old"
    status, _h, body = _raw(conn, "POST", "/%s/doc?version-id=%s" % (versioned, first))
    assert status == 400 and b"POST to a specific version is not allowed" in body


def test_other_users_see_no_versions_and_cannot_enable_versioning(
        conn, conn_nonadmin, versioned):
    first = {}
    conn.put_object(versioned, "doc", b"secret-1", response_dict=first)
    first = first["headers"]["x-object-version-id"]
    conn.put_object(versioned, "doc", b"secret-2")
    url, _t = conn.get_auth()
    _u, token = conn_nonadmin.get_auth()
    for path in ("/%s?versions&format=json" % versioned,
                 "/%s/doc?version-id=%s" % (versioned, first)):
        parsed = urlparse(url)
        http_conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        http_conn.request("GET", parsed.path + path, headers={"X-Auth-Token": token})
        resp = http_conn.getresponse()
        body = resp.read()
        http_conn.close()
        assert resp.status == 403 and b"secret" not in body, path
    # a non-admin's refused container write creates no versions container
    name = "fn-ov-denied-" + uuid.uuid4().hex[:8]
    count = _container_count(conn)
    with pytest.raises(swiftclient.ClientException) as err:
        conn_nonadmin.put_container(name, headers={"X-Versions-Enabled": "true"})
    assert err.value.http_status == 403
    with pytest.raises(swiftclient.ClientException) as err:
        conn.head_container(name)
    assert err.value.http_status == 404
    assert _container_count(conn) == count


def test_the_versions_container_is_reserved_no_client_can_name_or_list_it(conn, versioned):
    """The versions container is \\x00versions\\x00<container>: ``swift
    list`` (listing_formats' plain text) and JSON listings leave it out,
    and every request for it answers 412 "Invalid UTF8 or contains NULL",
    the header that would allow it included (gatekeeper strips it)."""
    import os
    import subprocess
    import sys
    from tests.functional.conftest import AUTH_URL
    conn.put_object(versioned, "o", b"1")
    conn.put_object(versioned, "o", b"2")
    hidden = "/%s%s" % ("%00versions%00", versioned)
    for method in ("PUT", "GET", "POST", "DELETE", "HEAD"):
        for headers in ({}, {"X-Backend-Allow-Reserved-Names": "true"}):
            status, _h, body = _raw(conn, method, hidden, headers)
            assert status == 412, (method, headers)
            assert body == (b"" if method == "HEAD" else b"Invalid UTF8 or contains NULL")
        assert _raw(conn, method, hidden + "/o")[0] == 412
    swift = os.path.join(os.path.dirname(sys.executable), "swift")
    out = subprocess.run([swift, "-A", AUTH_URL, "-U", "test:tester", "-K", "testing", "list"],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    assert versioned in out and not [n for n in out if "\x00" in n]
    _h, rows = conn.get_account(full_listing=True)
    assert not [r for r in rows if r["name"].startswith("\x00")]
    for query in ("reverse=true", "prefix=%00", "marker=%00", "reverse=true&end_marker=%00"):
        status, _h, body = _raw(conn, "GET", "?format=json&" + query)
        assert b"\\u0000" not in body, query
    # what is kept there is reached through the middleware only
    _h, rows = conn.get_container(versioned, query_string="versions")
    assert [(r["name"], r["is_latest"]) for r in rows] == [("o", True), ("o", False)]


def test_put_with_a_version_id_restores_that_version_and_writes_nothing_else(conn, versioned):
    ids = []
    for body, ctype in ((b"aaaaa", "text/j1"), (b"bbbbbb", "text/j2"), (b"ccccccc", "text/j3")):
        answer = {}
        conn.put_object(versioned, "o", body, content_type=ctype, response_dict=answer)
        ids.append(answer["headers"]["x-object-version-id"])
    path = "/%s/o?version-id=%s" % (versioned, ids[1])
    status, headers, _body = _raw(conn, "PUT", path, body=b"")
    assert (status, headers["X-Object-Version-Id"]) == (201, ids[1])
    got, body = conn.get_object(versioned, "o")
    assert (body, got["content-type"], got["x-object-version-id"]) == (b"bbbbbb", "text/j2", ids[1])
    _h, rows = conn.get_container(versioned, query_string="versions")
    # listed by id, newest first, as Swift lists them: the restored one amid the rest
    assert [(r["version_id"], r["bytes"], r["is_latest"]) for r in rows] == [
        (ids[2], 7, False), (ids[1], 6, True), (ids[0], 5, False)]
    _h, rows = conn.get_container(versioned, query_string="versions&reverse=true")
    assert [r["version_id"] for r in rows] == ids
    # restoring the current version again changes nothing
    assert _raw(conn, "PUT", path, body=b"")[0] == 201
    assert len(conn.get_container(versioned, query_string="versions")[1]) == 3


def test_a_restore_waits_for_another_writer_of_the_name(conn, versioned):
    """PUT ?version-id= takes the name's versioning lock as other writes do:
    while a writer holds it, the restore waits, then goes on."""
    ids = []
    for body in (b"v1", b"v2"):
        answer = {}
        conn.put_object(versioned, "o", body, response_dict=answer)
        ids.append(answer["headers"]["x-object-version-id"])
    cache = MemcacheRing(["127.0.0.1:%s" % os.environ.get("SAIO_MEMCACHED_PORT", "11211")])
    account = urlparse(conn.get_auth()[0]).path.rstrip("/").rsplit("/", 1)[1]
    lock = key_lock.hold(cache, key_lock.VERSIONED_NAME, account, versioned, "o")
    assert lock is not None
    done = []
    restore = threading.Thread(target=lambda: done.append(_raw(
        conn, "PUT", "/%s/o?version-id=%s" % (versioned, ids[0]), body=b"")[0]))
    try:
        restore.start()
        time.sleep(0.6)
        assert done == []
    finally:
        lock.release()
        restore.join(30)
        cache.close()
    assert done == [201]
    assert conn.get_object(versioned, "o")[1] == b"v1"


def test_a_delete_marker_read_by_its_id_is_a_404_typed_as_a_marker(conn, versioned):
    conn.put_object(versioned, "o", b"v1")
    answer = {}
    conn.delete_object(versioned, "o", response_dict=answer)
    marker = answer["headers"]["x-object-version-id"]
    for method in ("GET", "HEAD"):
        status, headers, _body = _raw(conn, method, "/%s/o?version-id=%s" % (versioned, marker))
        assert (status, headers["Content-Type"], headers["X-Object-Version-Id"]) == (
            404, "application/x-deleted;swift_versions_deleted=1", marker)


def test_a_link_version_reads_as_its_target_or_with_symlink_get_as_the_link(conn, versioned):
    conn.put_object(versioned, "t", b"target data", content_type="text/j1")
    answer = {}
    conn.put_object(versioned, "l", b"", content_type="application/symlink",
                    headers={"X-Symlink-Target": "%s/t" % versioned}, response_dict=answer)
    link_id = answer["headers"]["x-object-version-id"]
    for kept in (False, True):  # the current version, then an archived one
        if kept:
            conn.put_object(versioned, "l", b"not a link")
        path = "/%s/l?version-id=%s" % (versioned, link_id)
        status, headers, body = _raw(conn, "GET", path)
        assert (status, body, headers["Content-Type"]) == (200, b"target data", "text/j1")
        status, headers, body = _raw(conn, "GET", path + "&symlink=get")
        assert (status, body, headers["Content-Type"], headers["X-Symlink-Target"]) == (
            200, b"", "application/symlink", "%s/t" % versioned)


def _wait_gone(conn, container, name, deadline=10.0):
    import time
    end = time.time() + deadline
    while time.time() < end:
        try:
            conn.head_object(container, name)
        except swiftclient.ClientException as err:
            if err.http_status == 404:
                return
            raise
        time.sleep(0.2)
    raise AssertionError("%s/%s never expired" % (container, name))


def test_an_expiring_version_outlives_its_expiry_as_a_kept_version(conn, versioned):
    """As in Swift, where only the link at the name expires: the version's
    data stays readable by its id, with the metadata a POST gave it."""
    put, posted = {}, {}
    conn.put_object(versioned, "put", b"aaaaa", content_type="text/blah",
                    headers={"X-Delete-After": "1", "X-Object-Meta-Color": "blue"},
                    response_dict=put)
    conn.put_object(versioned, "post", b"bbbbb", response_dict=posted)
    conn.post_object(versioned, "post", {"X-Delete-After": "1", "X-Object-Meta-Color": "red"})
    _h, rows = conn.get_container(versioned, query_string="versions")
    assert [(r["name"], r["is_latest"]) for r in rows] == [("post", True), ("put", True)]
    for name, answer, ctype, color in (("put", put, "text/blah", "blue"),
                                       ("post", posted, "application/octet-stream", "red")):
        _wait_gone(conn, versioned, name)
        version_id = answer["headers"]["x-object-version-id"]
        got, body = conn.get_object(versioned, name,
                                    query_string="version-id=" + version_id)
        assert (body, got["content-type"], got["x-object-meta-color"]) == (
            answer is put and b"aaaaa" or b"bbbbb", ctype, color)
        assert "x-delete-at" not in got
    _h, rows = conn.get_container(versioned, query_string="versions")
    assert sorted(r["name"] for r in rows) == ["post", "put"]
    for name in ("post", "put"):  # the expired rows go before the expirer comes
        assert _raw(conn, "DELETE", "/%s/%s" % (versioned, name))[0] == 404


def test_deleting_an_expiring_current_version_by_id_removes_it_for_good(conn, versioned):
    answer = {}
    conn.put_object(versioned, "o", b"x", headers={"X-Delete-After": "600"},
                    response_dict=answer)
    version_id = answer["headers"]["x-object-version-id"]
    conn.delete_object(versioned, "o", query_string="version-id=" + version_id)
    assert conn.get_container(versioned, query_string="versions")[1] == []


def test_a_manifest_version_deleted_with_its_segments_leaves_the_current_one(conn, versioned):
    """``?multipart-manifest=delete&version-id=`` deletes that version and
    its segments, as Swift: not the current manifest at the name."""
    import json
    segs = versioned + "-segs"
    conn.put_container(segs)
    try:
        ids = []
        for seg in ("a", "b"):
            conn.put_object(segs, seg, seg.encode() * 5)
            answer = {}
            conn.put_object(versioned, "m", json.dumps([{"path": "/%s/%s" % (segs, seg)}]),
                            query_string="multipart-manifest=put", response_dict=answer)
            ids.append(answer["headers"]["x-object-version-id"])
        status, _h, body = _raw(conn, "DELETE", "/%s/m?multipart-manifest=delete&version-id=%s"
                                % (versioned, ids[0]), headers={"Accept": "application/json"})
        assert (status, json.loads(body)["Number Deleted"]) == (200, 2)
        _h, rows = conn.get_container(versioned, query_string="versions")
        assert [(r["version_id"], r["is_latest"]) for r in rows] == [(ids[1], True)]
        assert conn.get_object(versioned, "m")[1] == b"bbbbb"
        assert [r["name"] for r in conn.get_container(segs)[1]] == ["b"]
    finally:
        for row in conn.get_container(segs)[1]:
            conn.delete_object(segs, row["name"])
        conn.delete_container(segs)
