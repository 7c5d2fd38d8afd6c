"""Tiering in containers versioned the new way (X-Versions-Enabled,
python-swiftclient): a moved object keeps its version id, ETag,
Last-Modified, metadata and ``?versions`` rows; keeping it as a version
(an overwrite, a delete) keeps its moved body readable by version id, and
the body goes only when no version names it any more."""

import hashlib
import os
import uuid

import pytest

from objstore.common.versions import reserved_versions_container
from objstore.common.versions_listing import version_name
from objstore.tiering.sweep import GRACE
from tests.functional.tiering_support import (  # noqa: F401 (fixtures)
    LATER, PROXY, admin_get, hot, internal, pass_with, reseller, run_tierer, tier_of, tiers_bodies)

V1, V2, V3 = os.urandom(200 * 1024), os.urandom(150 * 1024), b"the client's newest bytes"


def _md5(data):
    return hashlib.md5(data).hexdigest()


@pytest.fixture
def versioned(conn):
    """A silver container keeping versions; every version, it and its
    versions container are removed afterwards."""
    name = "tierv-" + uuid.uuid4().hex[:10]
    conn.put_container(name, headers={"X-Storage-Policy": "silver",
                                      "X-Versions-Enabled": "true"})
    try:
        yield name
    finally:
        for row in conn.get_container(name, query_string="versions")[1]:
            conn.delete_object(name, row["name"], query_string="version-id=" + row["version_id"])
        conn.delete_container(name)
        run_tierer()  # the sweep takes the bodies no version names now


def _versions(conn, container):
    return conn.get_container(container, query_string="versions")[1]


def _by_id(conn, container, name, version_id):
    return conn.get_object(container, name, query_string="version-id=" + version_id)


def test_the_current_version_moves_and_every_version_reads_the_same(conn, versioned, reseller,
                                                                    internal):
    conn.put_object(versioned, "o", V1)
    conn.put_object(versioned, "o", V2, headers={"X-Object-Meta-Color": "blue",
                                                 "Content-Type": "image/png"})
    before, rows = conn.head_object(versioned, "o"), _versions(conn, versioned)
    second = before["x-object-version-id"]
    first = [r["version_id"] for r in rows if r["version_id"] != second][0]
    path = "/v1/AUTH_test/%s/o" % versioned
    hot(reseller, [path])
    run_tierer()
    after = conn.head_object(versioned, "o")
    assert after["x-object-storage-tier"] == "gold"
    for header in ("etag", "last-modified", "content-length", "content-type",
                   "x-object-meta-color", "x-timestamp", "x-object-version-id"):
        assert after[header] == before[header], header
    assert _versions(conn, versioned) == rows
    assert _by_id(conn, versioned, "o", second)[1] == V2
    assert _by_id(conn, versioned, "o", first)[1] == V1
    assert len(tiers_bodies(internal, "gold", path)) == 1
    # overwritten: the moved version is kept (a pointer to the same body)
    conn.put_object(versioned, "o", V3)
    run_tierer()  # its sweep keeps the body: the kept version names it
    headers, body = _by_id(conn, versioned, "o", second)
    assert body == V2 and headers["etag"] == _md5(V2)
    assert headers["x-object-storage-tier"] == "gold"
    assert headers["x-object-meta-color"] == "blue"
    assert headers["last-modified"] == before["last-modified"]
    kept = [r for r in _versions(conn, versioned) if r["version_id"] == second]
    assert kept == [dict(rows[0], is_latest=False)]
    assert conn.get_object(versioned, "o")[1] == V3
    assert tier_of(conn, versioned, "o") == "silver"
    # the kept version deleted by its id: nothing names the body any more; a
    # sweep waits GRACE for a copy of its pointer on its way, then deletes it
    conn.delete_object(versioned, "o", query_string="version-id=" + second)
    run_tierer()
    assert len(tiers_bodies(internal, "gold", path)) == 1
    run_tierer(clock_offset=GRACE + 1)
    assert tiers_bodies(internal, "gold", path) == []
    assert [r["version_id"] for r in _versions(conn, versioned)] == [
        conn.head_object(versioned, "o")["x-object-version-id"], first]


def test_a_kept_version_moves_by_itself_and_keeps_its_row(conn, versioned, internal):
    conn.put_object(versioned, "k", V1)
    old = conn.head_object(versioned, "k")["x-object-version-id"]
    conn.put_object(versioned, "k", V2)
    rows = _versions(conn, versioned)
    kept = "/v1/AUTH_test/%s/%s" % (reserved_versions_container(versioned),
                                    version_name("k", old))
    stats, _fired = pass_with(None, lambda: None, enqueue=[(kept, "bronze")])
    assert stats["moved"] == 1, stats
    headers, body = _by_id(conn, versioned, "k", old)
    assert body == V1 and headers["etag"] == _md5(V1)
    assert headers["x-object-storage-tier"] == "bronze"
    assert _versions(conn, versioned) == rows
    assert len(tiers_bodies(internal, "ec21", kept)) == 1
    assert conn.get_object(versioned, "k")[1] == V2  # the current one stayed home


@pytest.mark.parametrize("step", ["copied", "switched"])
def test_a_client_overwrite_during_a_move_wins_and_the_old_version_reads_whole(
        conn, versioned, reseller, internal, step):
    conn.put_object(versioned, "race", V1)
    moving = conn.head_object(versioned, "race")["x-object-version-id"]
    path = "/v1/AUTH_test/%s/race" % versioned
    hot(reseller, [path])
    _stats, fired = pass_with(step, lambda: conn.put_object(versioned, "race", V3))
    assert fired == [path]
    headers, body = conn.get_object(versioned, "race")
    assert body == V3 and headers["etag"] == _md5(V3)
    assert headers["x-object-version-id"] != moving
    old_headers, old = _by_id(conn, versioned, "race", moving)
    assert old == V1 and old_headers["etag"] == _md5(V1)
    assert [(r["version_id"], r["hash"], r["is_latest"]) for r in
            _versions(conn, versioned)] == [(headers["x-object-version-id"], _md5(V3), True),
                                            (moving, _md5(V1), False)]
    # switched first: the kept version names the moved body; else no body
    assert len(tiers_bodies(internal, "gold", path)) == (1 if step == "switched" else 0)
    run_tierer()  # a sweep changes nothing
    assert _by_id(conn, versioned, "race", moving)[1] == V1


def test_objects_of_a_container_keeping_versions_in_a_legacy_layout_stay(conn, reseller,
                                                                         delete_container):
    """X-History-Location (versioned_writes) keeps copies of the object as
    stored, which the sweep does not look for: such objects are not moved."""
    name, archive = "tierl-" + uuid.uuid4().hex[:10], "tierla-" + uuid.uuid4().hex[:10]
    conn.put_container(archive)
    conn.put_container(name, headers={"X-Storage-Policy": "silver",
                                      "X-History-Location": archive})
    try:
        conn.put_object(name, "o", V1)
        path = "/v1/AUTH_test/%s/o" % name
        pass_with(None, lambda: None, enqueue=[(path, "gold")])
        status = admin_get(PROXY, reseller.get_auth()[1], "status?path=" + path)
        assert [m["state"] for m in status["moves"]] == ["abandoned"]
        assert "legacy layout" in status["moves"][0]["detail"] and not status["movable"]
        headers, body = conn.get_object(name, "o")
        assert body == V1 and headers["x-object-storage-tier"] == "silver"
    finally:
        delete_container(conn, name)
        delete_container(conn, archive)


def test_a_versioned_object_moved_again_leaves_its_old_body_to_the_sweep(conn, versioned,
                                                                        reseller, internal):
    """Moved gold -> bronze, the gold body is not deleted by the move (a copy
    of the old pointer may be on its way to the versions container): the
    sweep deletes it once nothing names it GRACE seconds later."""
    conn.put_object(versioned, "again", V1)
    path = "/v1/AUTH_test/%s/again" % versioned
    hot(reseller, [path])
    run_tierer()
    assert len(tiers_bodies(internal, "gold", path)) == 1
    pass_with(None, lambda: None, enqueue=[(path, "bronze")])
    assert tier_of(conn, versioned, "again") == "bronze"
    assert len(tiers_bodies(internal, "gold", path)) == 1  # left to the sweep
    # past the grace, and past the window of the counts that made it hot
    # (else they would move it up again, to a new gold body)
    run_tierer(clock_offset=max(GRACE + 1, LATER))
    assert tiers_bodies(internal, "gold", path) == []
    assert len(tiers_bodies(internal, "ec21", path)) == 1
    headers, body = conn.get_object(versioned, "again")
    assert body == V1 and headers["x-object-storage-tier"] == "bronze"
