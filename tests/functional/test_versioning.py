"""Object versioning on the Swift API (X-Versions-Location / X-History-Location)
with python-swiftclient against the live SAIO."""

import json
import uuid

import pytest
import swiftclient


def _archive(name: str) -> str:
    return "%03x%s/" % (len(name.encode("utf-8")), name)


def _fresh_container(conn, prefix):
    """A new container named ``<prefix><random>``, emptied and removed after."""
    name = prefix + uuid.uuid4().hex[:10]
    conn.put_container(name)
    yield name
    try:
        for obj in conn.get_container(name, full_listing=True)[1]:
            conn.delete_object(name, obj["name"])
        conn.delete_container(name)
    except swiftclient.ClientException:
        pass


@pytest.fixture
def archive(conn):
    yield from _fresh_container(conn, "fn-arch-")


@pytest.fixture
def segments(conn):
    yield from _fresh_container(conn, "fn-segs-")


def _versions(conn, archive, name):
    return [o for o in conn.get_container(archive, prefix=_archive(name),
                                          full_listing=True)[1]]


def test_info_lists_versioned_writes(conn):
    assert "versioned_writes" in conn.get_capabilities()


def test_stack_mode_archives_overwrites_and_delete_pops_the_previous_version(
        conn, container, archive):
    conn.post_container(container, {"X-Versions-Location": archive})
    assert conn.head_container(container)["x-versions-location"] == archive
    for body in (b"v1", b"v2", b"v3"):
        conn.put_object(container, "obj", body)
    archived = _versions(conn, archive, "obj")
    assert [conn.get_object(archive, o["name"])[1] for o in archived] == [b"v1", b"v2"]
    assert all(o["name"].startswith("003obj/") for o in archived)
    assert conn.get_object(container, "obj")[1] == b"v3"

    conn.delete_object(container, "obj")
    assert conn.get_object(container, "obj")[1] == b"v2"
    assert len(_versions(conn, archive, "obj")) == 1
    conn.delete_object(container, "obj")
    assert conn.get_object(container, "obj")[1] == b"v1"
    assert _versions(conn, archive, "obj") == []
    conn.delete_object(container, "obj")
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(container, "obj")
    assert err.value.http_status == 404


def test_archived_versions_keep_their_metadata_and_a_name_prefix_sets_them_apart(
        conn, container, archive):
    conn.post_container(container, {"X-Versions-Location": archive})
    conn.put_object(container, "a", b"first", headers={"X-Object-Meta-Color": "red"})
    conn.put_object(container, "a", b"second")
    conn.put_object(container, "ab", b"other")
    conn.put_object(container, "ab", b"other2")
    (only,) = _versions(conn, archive, "a")
    headers, body = conn.get_object(archive, only["name"])
    assert body == b"first" and headers["x-object-meta-color"] == "red"
    assert len(_versions(conn, archive, "ab")) == 1


def test_history_mode_keeps_every_version_and_a_delete_marker(conn, container, archive):
    conn.post_container(container, {"X-History-Location": archive})
    conn.put_object(container, "doc", b"one")
    conn.put_object(container, "doc", b"two")
    conn.delete_object(container, "doc")
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(container, "doc")
    assert err.value.http_status == 404
    archived = _versions(conn, archive, "doc")
    assert len(archived) == 3
    assert [conn.get_object(archive, o["name"])[1] for o in archived[:2]] == [b"one", b"two"]
    assert archived[2]["content_type"].startswith("application/x-deleted")
    assert archived[2]["bytes"] == 0


def test_a_container_takes_one_mode_at_a_time(conn, container, archive):
    with pytest.raises(swiftclient.ClientException) as err:
        conn.post_container(container, {"X-Versions-Location": archive,
                                        "X-History-Location": archive})
    assert err.value.http_status == 400
    conn.post_container(container, {"X-Versions-Location": archive})
    conn.post_container(container, {"X-History-Location": archive})
    headers = conn.head_container(container)
    assert headers["x-history-location"] == archive
    assert "x-versions-location" not in headers
    conn.post_container(container, {"X-Remove-History-Location": "x"})
    assert "x-history-location" not in conn.head_container(container)
    conn.put_object(container, "o", b"1")
    conn.put_object(container, "o", b"2")
    assert _versions(conn, archive, "o") == []


def test_overwriting_needs_the_versions_container_to_exist(conn, container):
    conn.post_container(container, {"X-Versions-Location": "fn-missing-" + uuid.uuid4().hex})
    conn.put_object(container, "o", b"1")
    with pytest.raises(swiftclient.ClientException) as err:
        conn.put_object(container, "o", b"2")
    assert err.value.http_status == 412
    assert conn.get_object(container, "o")[1] == b"1"


def test_write_access_to_the_container_is_enough_to_archive_as_swift(
        conn, conn_other, container, archive):
    """As Swift: the client's write is authorized against the versioned
    container; the archive copy is the middleware's own, so a user with a
    write ACL on the container needs none on the archive container."""
    conn.post_container(container, {"X-Versions-Location": archive,
                                    "X-Container-Write": "test2:tester2",
                                    "X-Container-Read": "test2:tester2"})
    conn.put_object(container, "o", b"1")
    url = conn.url
    other_token = conn_other.get_auth()[1]
    swiftclient.put_object(url, other_token, container, "o", b"2")
    (archived,) = _versions(conn, archive, "o")
    assert conn.get_object(archive, archived["name"])[1] == b"1"
    swiftclient.delete_object(url, other_token, container, "o")
    assert conn.get_object(container, "o")[1] == b"1"
    assert _versions(conn, archive, "o") == []


def test_a_user_who_may_not_write_the_container_gets_403_and_nothing_is_archived(
        conn, conn_other, container, archive):
    conn.post_container(container, {"X-Versions-Location": archive,
                                    "X-Container-Read": "test2:tester2"})
    conn.put_object(container, "o", b"1")
    url = conn.url
    other_token = conn_other.get_auth()[1]
    for method in (swiftclient.put_object, swiftclient.delete_object):
        with pytest.raises(swiftclient.ClientException) as err:
            if method is swiftclient.put_object:
                method(url, other_token, container, "o", b"2")
            else:
                method(url, other_token, container, "o")
        assert err.value.http_status == 403
    assert conn.get_object(container, "o")[1] == b"1"
    assert _versions(conn, archive, "o") == []


def _slo(conn, segments, container, name):
    data = b""
    manifest = []
    for i in range(3):
        chunk = (b"%d" % i) * 1000
        conn.put_object(segments, "%s/%d" % (name, i), chunk)
        manifest.append({"path": "/%s/%s/%d" % (segments, name, i)})
        data += chunk
    conn.put_object(container, name, json.dumps(manifest),
                    query_string="multipart-manifest=put")
    return data


def test_an_overwritten_slo_is_archived_as_a_working_slo_and_restored(
        conn, container, archive, segments):
    conn.post_container(container, {"X-Versions-Location": archive})
    data = _slo(conn, segments, container, "big")
    conn.put_object(container, "big", b"small now")
    (archived,) = _versions(conn, archive, "big")
    assert archived["bytes"] == len(data)  # the listing shows the SLO's size
    headers, body = conn.get_object(archive, archived["name"])
    assert body == data and headers["x-static-large-object"] == "True"
    conn.delete_object(container, "big")
    headers, body = conn.get_object(container, "big")
    assert body == data and headers["x-static-large-object"] == "True"
    assert _versions(conn, archive, "big") == []


def test_an_overwritten_dlo_is_archived_as_its_manifest(conn, container, archive, segments):
    conn.post_container(container, {"X-Versions-Location": archive})
    for i in range(3):
        conn.put_object(segments, "d/%d" % i, b"%d" % i * 10)
    conn.put_object(container, "dlo", b"", headers={"X-Object-Manifest": "%s/d/" % segments})
    conn.put_object(container, "dlo", b"plain")
    (archived,) = _versions(conn, archive, "dlo")
    headers, body = conn.get_object(archive, archived["name"])
    assert headers["x-object-manifest"] == "%s/d/" % segments
    assert body == b"0" * 10 + b"1" * 10 + b"2" * 10


def test_stack_mode_stops_at_a_delete_marker_left_by_history_mode(conn, container, archive):
    """As Swift: the newest archived entry being a deletion means there is
    nothing to bring back; the DELETE just deletes."""
    conn.post_container(container, {"X-History-Location": archive})
    conn.put_object(container, "o", b"1")
    conn.delete_object(container, "o")  # archives 1 and a delete marker
    conn.post_container(container, {"X-Versions-Location": archive})
    conn.put_object(container, "o", b"2")
    conn.delete_object(container, "o")
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(container, "o")
    assert err.value.http_status == 404
    assert len(_versions(conn, archive, "o")) == 2
