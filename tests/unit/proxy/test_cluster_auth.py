"""The proxy's authorization contract with tempauth: ACLs from container
info in ``req.acl``, owners see ACL headers, copies authorize both ends."""

import uuid

import pytest

from cluster import Cluster

FILTERS = ("[filter:gatekeeper]\nuse = egg:objstore#gatekeeper\n"
           "[filter:cache]\nuse = egg:objstore#memcache\nmemcache_servers =\n"
           "[filter:tempauth]\nuse = egg:objstore#tempauth\nreseller_prefix = AUTH\n"
           "user_test_tester = testing .admin\nuser_test_tester3 = testing3\n"
           "user_test2_tester2 = testing2 .admin\n"
           "user_fresh_user = fresh .admin\n"
           "[filter:copy]\nuse = egg:objstore#copy\n")


@pytest.fixture(scope="module")
def authed(tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("authcluster")),
                pipeline="catch_errors gatekeeper cache tempauth copy proxy-server",
                filters=FILTERS)
    try:
        yield c
    finally:
        c.stop()


def _login(cluster, user, key):
    status, headers, _ = cluster.request("GET", "/auth/v1.0", {"X-Auth-User": user,
                                                               "X-Auth-Key": key})
    assert status == 200
    return {"X-Auth-Token": headers["X-Auth-Token"]}, headers["X-Storage-Url"]


def test_owner_works_others_need_acls(authed):
    owner, _url = _login(authed, "test:tester", "testing")
    reader, _ = _login(authed, "test:tester3", "testing3")
    c = "acl-" + uuid.uuid4().hex[:6]
    base = "/v1/AUTH_test/" + c
    assert authed.request("PUT", base, owner)[0] == 201
    assert authed.request("PUT", base + "/o", owner, b"secret")[0] == 201
    assert authed.request("GET", base + "/o", reader)[0] == 403
    assert authed.request("GET", base + "/o")[0] == 401
    assert authed.request("POST", base, dict(owner, **{"X-Container-Read": "test:tester3"}))[0] == 204
    assert authed.request("GET", base + "/o", reader)[2] == b"secret"
    assert authed.request("PUT", base + "/o2", reader, b"no")[0] == 403
    headers = authed.request("HEAD", base, owner)[1]
    assert headers["X-Container-Read"] == "test:tester3"


def test_public_read_acl_lets_anonymous_clients_read_objects(authed):
    owner, _url = _login(authed, "test:tester", "testing")
    c = "pub-" + uuid.uuid4().hex[:6]
    base = "/v1/AUTH_test/" + c
    assert authed.request("PUT", base, dict(owner, **{"X-Container-Read": ".r:*"}))[0] == 201
    assert authed.request("PUT", base + "/o", owner, b"public")[0] == 201
    assert authed.request("GET", base + "/o")[2] == b"public"
    assert authed.request("GET", base)[0] == 401  # no .rlistings


def test_bad_acl_is_400(authed):
    owner, _url = _login(authed, "test:tester", "testing")
    status, _h, _b = authed.request("PUT", "/v1/AUTH_test/bad-" + uuid.uuid4().hex[:6],
                                    dict(owner, **{"X-Container-Read": ".r:"}))
    assert status == 400


def test_copy_into_another_account_needs_write_access_there(authed):
    owner, _url = _login(authed, "test:tester", "testing")
    other, _ = _login(authed, "test2:tester2", "testing2")
    c = "cp-" + uuid.uuid4().hex[:6]
    assert authed.request("PUT", "/v1/AUTH_test/" + c, owner)[0] == 201
    assert authed.request("PUT", "/v1/AUTH_test/%s/o" % c, owner, b"mine")[0] == 201
    assert authed.request("PUT", "/v1/AUTH_test2/" + c, other)[0] == 201
    status, _h, _b = authed.request("COPY", "/v1/AUTH_test/%s/o" % c, dict(
        owner, **{"Destination": "%s/o" % c, "Destination-Account": "AUTH_test2"}))
    assert status == 403
    status, _h, _b = authed.request("PUT", "/v1/AUTH_test2/%s/o" % c, dict(
        other, **{"X-Copy-From": "%s/o" % c, "X-Copy-From-Account": "AUTH_test",
                  "Content-Length": "0"}))
    assert status == 403


def test_account_of_a_new_user_is_created_on_first_container_put(authed):
    owner, _url = _login(authed, "fresh:user", "fresh")  # no other test uses it
    status, headers, _ = authed.request("HEAD", "/v1/AUTH_fresh", owner)
    assert status == 200  # not stored yet: answered as autocreated, as Swift does
    assert authed.request("PUT", "/v1/AUTH_fresh/first", owner)[0] == 201
    status, headers, _ = authed.request("HEAD", "/v1/AUTH_fresh", owner)
    assert status == 204 and headers["X-Account-Container-Count"] == "1"
    assert authed.request("DELETE", "/v1/AUTH_fresh/first", owner)[0] == 204