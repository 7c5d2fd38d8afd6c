"""Probe: the account reaper cannot remove a locked object version
(common/object_lock.py, enforced by the object server); once the legal hold
is lifted, the next pass reaps it."""

import http.client
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_helpers import (AUTH_URL, ETC, PROXY, copies_home, object_nodes, on_disk,  # noqa: E402
                           run_daemon)

import pytest  # noqa: E402
import requests  # noqa: E402
import swiftclient  # noqa: E402

from objstore.common import object_lock  # noqa: E402
from objstore.common.timestamp import Timestamp  # noqa: E402
from ring import Ring  # noqa: E402


def _post_hold(account, container, obj, status):
    """The lock as s3api would set it, sent straight to each primary (a
    client cannot: the gatekeeper strips the lock sysmeta); the primaries'
    statuses."""
    ring = Ring(ETC, ring_name="object")
    part, nodes = ring.get_nodes(account, container, obj)
    statuses = []
    for node in nodes:
        conn = http.client.HTTPConnection(node["ip"], node["port"], timeout=10)
        try:
            conn.request("POST", "/%s/%d/%s/%s/%s" % (node["device"], part, account, container,
                                                      obj),
                         headers={"X-Timestamp": Timestamp.now().internal,
                                  object_lock.HOLD: status})
            statuses.append(conn.getresponse().status)
        finally:
            conn.close()
    return statuses


def test_the_reaper_leaves_a_locked_object(saio):
    admin = swiftclient.Connection(AUTH_URL, "admin:admin", "admin", retries=0)
    _url, token = admin.get_auth()
    account = "AUTH_probe" + uuid.uuid4().hex[:8]
    url = "%s/v1/%s" % (PROXY, account)
    conn = swiftclient.Connection(preauthurl=url, preauthtoken=token, retries=0)
    assert requests.put(url, headers={"X-Auth-Token": token}).status_code == 201
    try:
        conn.put_container("doomed")
        conn.put_object("doomed", "held", b"kept")
        conn.put_object("doomed", "free", b"gone")
        # the hold goes to each primary straight: each must hold its copy
        copies_home(account, "doomed", "held", b"kept")
        copies_home(account, "doomed", "free", b"gone")
        assert _post_hold(account, "doomed", "held", "ON") == [202] * 3
        with pytest.raises(swiftclient.ClientException) as err:
            conn.delete_object("doomed", "held")
        assert err.value.http_status == 403
        assert requests.delete(url, headers={"X-Auth-Token": token}).status_code == 204
        run_daemon("account-reaper")
        for name, expected in (("held", [b"kept"] * 3), ("free", [None] * 3)):
            part, primaries, _ = object_nodes(account, "doomed", name)
            assert [on_disk(n, part, account, "doomed", name) for n in primaries] == expected
    finally:
        # whatever failed above: no hold, no account, nothing left to reap
        _post_hold(account, "doomed", "held", "OFF")
        requests.delete(url, headers={"X-Auth-Token": token})
        run_daemon("account-reaper")
    part, primaries, _ = object_nodes(account, "doomed", "held")
    assert [on_disk(n, part, account, "doomed", "held") for n in primaries] == [None] * 3
