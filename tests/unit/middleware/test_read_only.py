"""read_only: per account (set by a reseller admin) and cluster-wide, in
front of real storage servers."""

import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from extra_proxy import Proxy  # noqa: E402
from quota_cluster import login  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "proxy"))
from cluster import Cluster  # noqa: E402

FILTERS = ("[filter:gatekeeper]\nuse = egg:objstore#gatekeeper\n"
           "[filter:tempauth]\nuse = egg:objstore#tempauth\nreseller_prefix = AUTH\n"
           "user_test_tester = testing .admin\n"
           "user_admin_admin = admin .admin .reseller_admin\n"
           "[filter:copy]\nuse = egg:objstore#copy\n"
           "[filter:read_only]\nuse = egg:objstore#read_only\n")
PIPELINE = "catch_errors gatekeeper tempauth read_only copy proxy-server"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("readonly")), pipeline=PIPELINE, filters=FILTERS,
                proxy_options="allow_account_management = true\n")
    try:
        c.frozen = Proxy(c, "frozen", PIPELINE, FILTERS + "read_only = true\n")
        c.deletes = Proxy(c, "deletes", PIPELINE,
                          FILTERS + "read_only = true\nallow_deletes = true\n")
        yield c
    finally:
        c.stop()


@pytest.fixture(scope="module")
def owner(cluster):
    return login(cluster, "test:tester", "testing")


@pytest.fixture(scope="module")
def admin(cluster):
    return login(cluster, "admin:admin", "admin")


@pytest.fixture
def container(cluster, owner, admin):
    path = "/v1/AUTH_test/ro-" + uuid.uuid4().hex[:8]
    for target, body in ((path, None), (path + "/o", b"kept")):
        status, headers, answer = cluster.request("PUT", target, owner, body)
        assert status == 201, (target, status, dict(headers), answer)
    yield path
    cluster.request("POST", "/v1/AUTH_test", dict(admin, **{"X-Account-Read-Only": "false"}))
    cluster.request("DELETE", path + "/o", owner)
    cluster.request("DELETE", path + "/copy", owner)
    cluster.request("DELETE", path, owner)


def test_a_read_only_account_refuses_writes_and_serves_reads(cluster, owner, admin, container):
    assert cluster.request("POST", "/v1/AUTH_test", dict(admin, **{
        "X-Account-Read-Only": "true"}))[0] == 204
    headers = cluster.request("HEAD", "/v1/AUTH_test", owner)[1]
    assert headers["X-Account-Read-Only"] == "true"
    # The proxy's account info cache (recheck 1 s) may still say writable.
    import time
    time.sleep(1.1)
    for method, path, extra in (("PUT", "/o2", {}), ("POST", "/o", {}), ("DELETE", "/o", {}),
                                ("COPY", "/o", {"Destination": container.rsplit("/", 1)[1]
                                                + "/copy"}), ("PUT", "", {})):
        status, _h, body = cluster.request(method, container + path, dict(owner, **extra),
                                           b"x" if method == "PUT" and path else None)
        assert status == 405, (method, path)
        assert body.startswith(b"<html><h1>Method Not Allowed</h1>")
    assert cluster.request("GET", container + "/o", owner)[2] == b"kept"
    assert cluster.request("POST", "/v1/AUTH_test", dict(admin, **{
        "X-Account-Read-Only": "false"}))[0] == 204
    time.sleep(1.1)
    assert cluster.request("PUT", container + "/o2", owner, b"new")[0] == 201
    cluster.request("DELETE", container + "/o2", owner)


def test_only_a_reseller_admin_sets_read_only_and_only_to_true_or_false(cluster, owner, admin):
    status = cluster.request("POST", "/v1/AUTH_test", dict(owner, **{
        "X-Account-Read-Only": "true"}))[0]
    assert status == 403
    status, _h, body = cluster.request("POST", "/v1/AUTH_test", dict(admin, **{
        "X-Account-Read-Only": "sometimes"}))
    assert (status, body) == (400, b"X-Account-Read-Only must be true or false")
    assert "X-Account-Read-Only" not in cluster.request("HEAD", "/v1/AUTH_test", owner)[1]


def test_a_read_only_cluster_refuses_writes_and_may_allow_deletes(cluster, owner, container):
    frozen_owner = login(cluster.frozen, "test:tester", "testing")
    assert cluster.frozen.request("GET", container + "/o", frozen_owner)[2] == b"kept"
    assert cluster.frozen.request("PUT", container + "/new", frozen_owner, b"x")[0] == 405
    assert cluster.frozen.request("DELETE", container + "/o", frozen_owner)[0] == 405
    deleter = login(cluster.deletes, "test:tester", "testing")
    assert cluster.deletes.request("PUT", container + "/new", deleter, b"x")[0] == 405
    assert cluster.deletes.request("DELETE", container + "/o", deleter)[0] == 204
