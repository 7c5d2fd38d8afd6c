"""Probe: deleting an account (reseller admin) and reaping it empties it."""

import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_helpers import AUTH_URL, PROXY, object_nodes, on_disk, run_daemon  # noqa: E402

import swiftclient  # noqa: E402


def test_deleted_account_is_emptied_by_the_reaper(saio):
    admin = swiftclient.Connection(AUTH_URL, "admin:admin", "admin", retries=0)
    _url, token = admin.get_auth()
    account = "AUTH_probe" + uuid.uuid4().hex[:8]
    url = "%s/v1/%s" % (PROXY, account)
    conn = swiftclient.Connection(preauthurl=url, preauthtoken=token, retries=0)
    import requests  # swiftclient depends on it
    assert requests.put(url, headers={"X-Auth-Token": token}).status_code == 201
    names = ["o%d" % i for i in range(5)]
    conn.put_container("doomed")
    for name in names:
        conn.put_object("doomed", name, name.encode())
    assert requests.delete(url, headers={"X-Auth-Token": token}).status_code == 204
    run_daemon("account-reaper")
    for name in names:
        part, primaries, _ = object_nodes(account, "doomed", name)
        assert [on_disk(n, part, account, "doomed", name) for n in primaries] == [None] * 3
