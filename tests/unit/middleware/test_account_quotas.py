"""account_quotas in a real pipeline (tempauth copy container-quotas
account-quotas slo) in front of real storage servers."""

import json
import os
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quota_cluster import cluster, empty_container, users  # noqa: E402,F401

ACCOUNT = "/v1/AUTH_test"
QUOTA_HEADERS = ("X-Account-Quota-Bytes", "X-Account-Quota-Count", "X-Account-Meta-Quota-Bytes",
                 "X-Account-Quota-Bytes-Policy-gold", "X-Account-Quota-Bytes-Policy-silver",
                 "X-Account-Quota-Count-Policy-silver")


@pytest.fixture
def quotas(cluster, users):
    """Set account quotas as the reseller admin; all lifted afterwards."""
    _owner, admin, _other = users

    def set_quotas(**headers):
        headers = {k.replace("_", "-"): v for k, v in headers.items()}
        assert cluster.request("POST", ACCOUNT, dict(admin, **headers))[0] == 204
        time.sleep(1.1)  # the account info the proxy caches (recheck 1 s) expires
    yield set_quotas
    status = cluster.request("POST", ACCOUNT, dict(admin, **{
        "X-Remove-" + name[2:]: "x" for name in QUOTA_HEADERS}))[0]
    assert status == 204
    time.sleep(1.1)


@pytest.fixture
def container(cluster, users):
    owner = users[0]
    made = []

    def make(**headers):
        path = "%s/aq-%s" % (ACCOUNT, uuid.uuid4().hex[:8])
        assert cluster.request("PUT", path, dict(owner, **headers))[0] == 201
        made.append(path)
        return path
    yield make
    for path in made:
        empty_container(cluster, owner, path)


def test_only_a_reseller_admin_sets_or_lifts_account_quotas(cluster, users, quotas):
    owner, admin, _other = users
    for header in ("X-Account-Quota-Bytes", "X-Account-Meta-Quota-Bytes",
                   "X-Account-Quota-Count", "X-Account-Quota-Bytes-Policy-gold",
                   "X-Account-Quota-Count-Policy-gold", "X-Remove-Account-Quota-Count-Policy-gold",
                   "X-Remove-Account-Meta-Quota-Bytes", "X-Remove-Account-Quota-Bytes"):
        status, _h, body = cluster.request("POST", ACCOUNT, dict(owner, **{header: "100"}))
        assert status == 403, header
        assert body == b"<html><h1>Forbidden</h1><p>Access was denied to this resource.</p></html>"
    assert cluster.request("POST", ACCOUNT, dict(owner, **{"X-Account-Meta-Color": "red"}))[0] == 204
    quotas(X_Account_Quota_Bytes="100", X_Account_Quota_Count="7",
           X_Account_Quota_Bytes_Policy_GOLD="50")  # names match in any case
    headers = cluster.request("HEAD", ACCOUNT, owner)[1]
    assert headers["X-Account-Quota-Bytes"] == "100"
    assert headers["X-Account-Quota-Count"] == "7"
    assert headers["X-Account-Quota-Bytes-Policy-gold"] == "50"
    assert not any(name.lower().startswith("x-account-sysmeta-") for name in headers)
    assert cluster.request("POST", ACCOUNT, dict(admin, **{
        "X-Remove-Account-Quota-Count": "x", "X-Account-Quota-Bytes": ""}))[0] == 204
    headers = cluster.request("HEAD", ACCOUNT, owner)[1]
    assert "X-Account-Quota-Count" not in headers and "X-Account-Quota-Bytes" not in headers
    assert headers["X-Account-Quota-Bytes-Policy-gold"] == "50"


@pytest.mark.parametrize("header", ["X-Account-Quota-Bytes", "X-Account-Meta-Quota-Bytes",
                                    "X-Account-Quota-Count", "X-Account-Quota-Bytes-Policy-gold",
                                    "X-Account-Quota-Count-Policy-gold"])
@pytest.mark.parametrize("value", ["-1", "1.5", "lots"])
def test_a_bad_quota_value_is_400_and_nothing_is_stored(cluster, users, header, value):
    owner, admin, _other = users
    status, _h, body = cluster.request("POST", ACCOUNT, dict(admin, **{header: value}))
    assert status == 400
    assert body.startswith(b"<html><h1>Bad Request</h1>")
    assert header not in cluster.request("HEAD", ACCOUNT, owner)[1]


@pytest.mark.parametrize("user", ["admin", "owner"])
@pytest.mark.parametrize("value", ["5", "not a number"])
def test_an_unknown_policy_name_is_ignored_as_in_swift(cluster, users, user, value):
    owner, admin, _other = users
    # Whoever sends it and whatever its value (Swift 2.38.3: 204 for all four).
    assert cluster.request("POST", ACCOUNT, dict(admin if user == "admin" else owner, **{
        "X-Account-Quota-Bytes-Policy-nosuch": value}))[0] == 204
    headers = cluster.request("HEAD", ACCOUNT, owner)[1]
    assert not any("quota" in name.lower() for name in headers)


def test_an_upload_past_the_bytes_quota_is_413_and_a_reseller_is_not_held(cluster, users,
                                                                           quotas, container):
    owner, admin, _other = users
    path = container()
    quotas(X_Account_Quota_Bytes="5")
    status, headers, body = cluster.request("PUT", path + "/o", owner, b"123456")
    assert (status, body) == (413, b"Upload exceeds quota.")
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    assert cluster.request("HEAD", path + "/o", owner)[0] == 404
    assert cluster.request("PUT", path + "/o", owner, b"12345")[0] == 201
    assert cluster.request("PUT", path + "/r", admin, b"123456")[0] == 201


def test_usage_counts_once_the_account_has_heard_of_it(cluster, users, quotas, container):
    owner, _admin, _other = users
    path = container()
    assert cluster.request("PUT", path + "/a", owner, b"x" * 8)[0] == 201
    # A container PUT reports the container's usage to the account, as the
    # container updater does in a running cluster.
    assert cluster.request("PUT", path, owner)[0] == 202
    quotas(X_Account_Meta_Quota_Bytes="10")
    assert cluster.request("HEAD", ACCOUNT, owner)[1]["X-Account-Bytes-Used"] == "8"
    assert cluster.request("PUT", path + "/b", owner, b"yyy")[:3:2] == (413, b"Upload exceeds quota.")
    assert cluster.request("PUT", path + "/b", owner, b"yy")[0] == 201


def test_the_count_quota(cluster, users, quotas, container):
    owner, _admin, _other = users
    path = container()
    quotas(X_Account_Quota_Count="0")
    assert cluster.request("PUT", path + "/o", owner, b"")[:3:2] == (413, b"Upload exceeds quota.")
    quotas(X_Account_Quota_Count="1")
    assert cluster.request("PUT", path + "/o", owner, b"")[0] == 201


def test_a_policy_quota_holds_only_in_its_policy(cluster, users, quotas, container):
    owner, _admin, _other = users
    silver = container(**{"X-Storage-Policy": "silver"})
    gold = container(**{"X-Storage-Policy": "gold"})
    quotas(X_Account_Quota_Bytes_Policy_silver="5")
    status, _h, body = cluster.request("PUT", silver + "/o", owner, b"123456")
    assert (status, body) == (413, b"Upload exceeds policy quota.")
    assert cluster.request("PUT", gold + "/o", owner, b"123456")[0] == 201
    assert cluster.request("PUT", silver + "/o", owner, b"12345")[0] == 201


def test_a_policy_count_quota_holds_only_in_its_policy_and_is_shown_by_name(cluster, users,
                                                                             quotas, container):
    owner, _admin, _other = users
    silver = container(**{"X-Storage-Policy": "silver"})
    gold = container(**{"X-Storage-Policy": "gold"})
    quotas(X_Account_Quota_Count_Policy_silver="0")
    assert cluster.request("HEAD", ACCOUNT, owner)[1]["X-Account-Quota-Count-Policy-silver"] == "0"
    status, _h, body = cluster.request("PUT", silver + "/o", owner, b"1")
    assert (status, body) == (413, b"Upload exceeds policy quota.")
    assert cluster.request("PUT", gold + "/o", owner, b"1")[0] == 201
    quotas(X_Account_Quota_Count_Policy_silver="1")
    assert cluster.request("PUT", silver + "/o", owner, b"1")[0] == 201


def test_a_copy_is_judged_by_the_put_it_becomes(cluster, users, quotas, container):
    owner, _admin, _other = users
    path = container()
    assert cluster.request("PUT", path + "/src", owner, b"z" * 30)[0] == 201
    quotas(X_Account_Quota_Bytes="20")
    name = path.rsplit("/", 1)[1]
    status, _h, body = cluster.request("COPY", path + "/src", dict(owner, Destination=name + "/dst"))
    assert (status, body) == (413, b"Upload exceeds quota.")
    assert cluster.request("HEAD", path + "/dst", owner)[0] == 404


def test_info_lists_account_quotas(cluster):
    assert json.loads(cluster.request("GET", "/info")[2])["account_quotas"] == {}
