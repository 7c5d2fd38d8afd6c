"""The proxy's object-lock guard on DELETE (proxy/lock_guard.py), on the
unit cluster with its fault-injecting relays: a DELETE that could reach
only handoffs is 503 and writes nothing in a guarded container, and a
locked copy is refused before any node is asked to delete."""

import os
import uuid

import pytest

from objstore.common import object_lock

ACCOUNT = "AUTH_test"


def _object(cluster, guarded=True, body=b"kept"):
    c = "lg-" + uuid.uuid4().hex[:8]
    headers = {object_lock.CONTAINER_GUARD: "on"} if guarded else {}
    assert cluster.request("PUT", "/v1/%s/%s" % (ACCOUNT, c), headers)[0] == 201
    name = "o-" + uuid.uuid4().hex[:8]
    path = "/v1/%s/%s/%s" % (ACCOUNT, c, name)
    assert cluster.request("PUT", path, {}, body)[0] == 201
    return c, name, path


def test_a_delete_reaching_only_handoffs_in_a_guarded_container_is_503_and_writes_nothing(
        cluster):
    c, name, path = _object(cluster)
    primaries = cluster.object_relays(ACCOUNT, c, name)
    for relay in primaries:
        relay.mode = "down"
    try:
        assert cluster.request("DELETE", path)[0] == 503
    finally:
        for relay in primaries:
            relay.reset()
    assert cluster.request("GET", path)[2] == b"kept"


def test_a_guarded_delete_goes_out_when_a_primary_answers(cluster):
    c, name, path = _object(cluster)
    primaries = cluster.object_relays(ACCOUNT, c, name)
    primaries[0].mode = "down"
    try:
        assert cluster.request("DELETE", path)[0] == 204
        assert cluster.request("GET", path)[0] == 404
    finally:
        primaries[0].reset()


def _drop_copy(cluster, relay, account, container, obj):
    """Remove one node's copy from its disk (the state of a primary that was
    down when the object was written)."""
    import shutil
    from objstore.obj.diskfile import DiskFileManager
    from ring import Ring
    i = cluster.relays.index(relay) + 1
    mgr = DiskFileManager({"devices": os.path.join(cluster.root, "obj%d" % i),
                           "mount_check": "false", "swift_dir": cluster.swift_dir})
    part = Ring(cluster.swift_dir, ring_name="object").get_part(account, container, obj)
    shutil.rmtree(mgr.get_diskfile("sdb%d" % i, str(part), account, container, obj).datadir)


def test_a_locked_copy_only_on_a_handoff_is_found_while_the_primaries_answer_404(cluster):
    c = "lg-" + uuid.uuid4().hex[:8]
    assert cluster.request("PUT", "/v1/%s/%s" % (ACCOUNT, c),
                           {object_lock.CONTAINER_GUARD: "on"})[0] == 201
    name = "o-" + uuid.uuid4().hex[:8]
    path = "/v1/%s/%s/%s" % (ACCOUNT, c, name)
    primaries = cluster.object_relays(ACCOUNT, c, name)
    for relay in primaries[:2]:
        relay.mode = "down"
    try:
        # Written during an outage: the third primary and a handoff hold it, locked.
        assert cluster.request("PUT", path, {object_lock.HOLD: "ON"}, b"held")[0] == 201
    finally:
        for relay in primaries[:2]:
            relay.reset()
    _drop_copy(cluster, primaries[2], ACCOUNT, c, name)
    assert cluster.request("GET", path)[0] == 404  # every primary answers 404
    assert cluster.request("DELETE", path)[0] == 403


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """Six object servers: with the three primaries down, three handoffs
    are enough for a write quorum."""
    from cluster import Cluster
    c = Cluster(str(tmp_path_factory.mktemp("wide")), object_servers=6)
    try:
        yield c
    finally:
        c.stop()


def _down_primaries(cluster, guarded):
    c = "lg-" + uuid.uuid4().hex[:8]
    headers = {object_lock.CONTAINER_GUARD: "on"} if guarded else {}
    assert cluster.request("PUT", "/v1/%s/%s" % (ACCOUNT, c), headers)[0] == 201
    name = "o-" + uuid.uuid4().hex[:8]
    primaries = cluster.object_relays(ACCOUNT, c, name)
    for relay in primaries:
        relay.mode = "down"
    return "/v1/%s/%s/%s" % (ACCOUNT, c, name), primaries


def test_a_put_reaching_only_handoffs_in_a_guarded_container_is_503_and_writes_nothing(wide):
    path, primaries = _down_primaries(wide, guarded=True)
    try:
        assert wide.request("PUT", path, {}, b"replacement")[0] == 503
        assert wide.request("GET", path)[0] == 404  # no handoff took it
        # A write that already archived the version (versioning's bypass) goes on.
        assert wide.request("PUT", path, {object_lock.BYPASS: object_lock.BYPASS_ARCHIVED},
                            b"new version")[0] == 201
    finally:
        for relay in primaries:
            relay.reset()


def test_without_the_guard_the_handoffs_take_the_put(wide):
    path, primaries = _down_primaries(wide, guarded=False)
    try:
        assert wide.request("PUT", path, {}, b"on handoffs")[0] == 201
    finally:
        for relay in primaries:
            relay.reset()
