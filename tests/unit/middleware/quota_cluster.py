"""One real cluster for the quota middlewares' tests: tempauth (with a
reseller admin), copy, bulk, both quota middlewares and slo, in Swift's
order, in front of real account/container/object servers."""

from __future__ import annotations

import os
import sys
from typing import Dict, Tuple

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "proxy"))
from cluster import Cluster  # noqa: E402

FILTERS = ("[filter:gatekeeper]\nuse = egg:objstore#gatekeeper\n"
           "[filter:cache]\nuse = egg:objstore#memcache\nmemcache_servers =\n"
           "[filter:bulk]\nuse = egg:objstore#bulk\n"
           "[filter:tempauth]\nuse = egg:objstore#tempauth\nreseller_prefix = AUTH\n"
           "user_test_tester = testing .admin\nuser_test_tester3 = testing3\n"
           "user_admin_admin = admin .admin .reseller_admin\n"
           "[filter:copy]\nuse = egg:objstore#copy\n"
           "[filter:container-quotas]\nuse = egg:objstore#container_quotas\n"
           "[filter:account-quotas]\nuse = egg:objstore#account_quotas\n"
           "[filter:slo]\nuse = egg:objstore#slo\n")
PIPELINE = ("catch_errors gatekeeper cache bulk tempauth copy container-quotas "
            "account-quotas slo proxy-server")


def start(root: str) -> Cluster:
    return Cluster(root, pipeline=PIPELINE, filters=FILTERS,
                   proxy_options="allow_account_management = true\n")


def login(cluster: Cluster, user: str, key: str) -> Dict[str, str]:
    status, headers, _ = cluster.request("GET", "/auth/v1.0", {"X-Auth-User": user,
                                                               "X-Auth-Key": key})
    assert status == 200
    return {"X-Auth-Token": headers["X-Auth-Token"]}


def empty_container(cluster: Cluster, token: Dict[str, str], path: str) -> None:
    """Delete every object of the container at ``path`` and the container."""
    import json

    _s, _h, body = cluster.request("GET", path + "?format=json", token)
    for row in json.loads(body or b"[]") if _s == 200 else []:
        cluster.request("DELETE", "%s/%s" % (path, row["name"]), token)
    cluster.request("DELETE", path, token)


def tokens(cluster: Cluster) -> Tuple[Dict[str, str], Dict[str, str], Dict[str, str]]:
    """(owner, reseller admin, non-admin user of the same account)."""
    return (login(cluster, "test:tester", "testing"), login(cluster, "admin:admin", "admin"),
            login(cluster, "test:tester3", "testing3"))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, request):
    """The quota cluster, one per test module (import this fixture)."""
    c = start(str(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])))
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture(scope="module")
def users(cluster):
    """(owner, reseller admin, non-admin user of the same account) tokens."""
    return tokens(cluster)
