"""The proxy's object-lock guard on DELETE (proxy/lock_guard.py), on the
unit cluster with its fault-injecting relays: a DELETE that could reach
only handoffs is 503 and writes nothing in a guarded container, and a
locked copy is refused before any node is asked to delete."""

import uuid

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
