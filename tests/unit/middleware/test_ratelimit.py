"""ratelimit in a real pipeline (cache ratelimit proxy-server) in front of
real storage servers; rates low enough that a handful of requests show
each rule. Sleeps are observed in the log, never timed."""

import json
import os
from concurrent.futures import ThreadPoolExecutor
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "proxy"))
from cluster import Cluster  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from extra_proxy import Proxy  # noqa: E402

FILTERS = ("[filter:cache]\nuse = egg:objstore#memcache\nmemcache_servers =\n"
           "[filter:ratelimit]\nuse = egg:objstore#ratelimit\n"
           "log_level = INFO\n"
           "account_ratelimit = 1\n"
           "container_ratelimit_0 = 4\n"
           "container_ratelimit_10 = 100\n"
           "container_listing_ratelimit_2 = 1\n"
           "max_sleep_time_seconds = 0.5\n"
           "log_sleep_time_seconds = 0.01\n"
           "rate_buffer_seconds = 0\n"
           "account_whitelist = AUTH_free\n"
           "account_blacklist = AUTH_bad, AUTH_worse\n")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("ratelimit")),
                pipeline="catch_errors cache ratelimit proxy-server", filters=FILTERS,
                proxy_options="allow_account_management = true\n")
    try:
        # The same limits with the clock stopped (frozen_ratelimit.py): what
        # is slept or refused no longer depends on how long requests take.
        old_path = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (HERE, old_path)))
        try:
            c.frozen = Proxy(c, "frozen", "catch_errors cache ratelimit proxy-server",
                             FILTERS.replace("use = egg:objstore#ratelimit",
                                             "use = python:frozen_ratelimit:filter_factory"))
        finally:
            if old_path is None:
                del os.environ["PYTHONPATH"]
            else:
                os.environ["PYTHONPATH"] = old_path
        yield c
    finally:
        c.stop()


def _name(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def test_container_puts_past_the_account_rate_are_498_slow_down(cluster):
    # Clock stopped: the second container PUT's slot is 1 s away (1/s),
    # past the 0.5 s max sleep, however long the first one took.
    frozen = cluster.frozen
    account = "/v1/AUTH_" + uuid.uuid4().hex[:8]
    a, b = _name("a"), _name("b")
    assert frozen.request("PUT", "%s/%s" % (account, a))[0] == 201
    status, headers, body = frozen.request("PUT", "%s/%s" % (account, b))
    assert (status, body) == (498, b"Slow down")
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    assert frozen.request("HEAD", "%s/%s" % (account, b))[0] == 404
    assert "Returning 498 for ratelimit/%s" % account[4:] in frozen.log()
    # Reads and object writes do not count against the account's rate.
    assert frozen.request("HEAD", "%s/%s" % (account, a))[0] == 204
    assert frozen.request("PUT", "%s/%s/o" % (account, a), body=b"x")[0] == 201


def _account_with_sysmeta(cluster, value):
    """A new account whose Global-Write-Ratelimit sysmeta is ``value``, set
    as an operator does (this proxy has no gatekeeper, like an internal
    client)."""
    account = "/v1/AUTH_" + uuid.uuid4().hex[:8]
    assert cluster.request("PUT", account)[0] in (201, 202)
    assert cluster.request("POST", account, {
        "X-Account-Sysmeta-Global-Write-Ratelimit": value})[0] == 204
    if value != "BLACKLIST":  # (that one this proxy refuses at once)
        assert cluster.request("HEAD", account)[1][
            "X-Account-Sysmeta-Global-Write-Ratelimit"] == value
    return account


def test_an_account_whitelisted_by_sysmeta_is_never_limited(cluster):
    account = _account_with_sysmeta(cluster, "WHITELIST")
    statuses = [cluster.frozen.request("PUT", "%s/%s" % (account, _name("w")))[0]
                for _ in range(3)]
    assert statuses == [201] * 3  # 1/s with the clock stopped: the 2nd would be 498


def test_an_account_blacklisted_by_sysmeta_gets_497_for_everything(cluster):
    account = _account_with_sysmeta(cluster, "BLACKLIST")
    for method, path in (("GET", account), ("HEAD", account + "/c"), ("PUT", account + "/c"),
                         ("DELETE", account + "/c/o")):
        status, _h, body = cluster.frozen.request(method, path)
        assert status == 497, (method, path)
    assert cluster.frozen.request("GET", account)[2] == b"Your account has been blacklisted"
    assert "Returning 497 because of blacklisting: %s" % account[4:] in cluster.frozen.log()


def test_a_global_write_rate_in_sysmeta_limits_all_of_the_accounts_writes(cluster):
    account = _account_with_sysmeta(cluster, "0.5")  # one write per 2 s, account-wide
    c1, c2 = _name("g1"), _name("g2")
    frozen = cluster.frozen
    assert frozen.request("PUT", "%s/%s" % (account, c1))[0] == 201
    # The account's next write, in any container, must wait 2 s > 0.5 s.
    status, _h, body = frozen.request("PUT", "%s/%s/o" % (account, c1), body=b"x")
    assert (status, body) == (498, b"Slow down")
    assert frozen.request("POST", "%s/%s" % (account, c1))[0] == 498
    assert "Returning 498 for ratelimit/global-write/%s" % account[4:] in frozen.log()
    # Reads are not writes.
    assert frozen.request("GET", "%s/%s" % (account, c1))[0] == 204
    assert frozen.request("HEAD", "%s/%s" % (account, c2))[0] == 404


@pytest.mark.parametrize("value", ["0", "-3", "fast", "inf"])
def test_a_global_write_rate_that_is_not_a_positive_number_limits_nothing(cluster, value):
    account = _account_with_sysmeta(cluster, value)
    frozen = cluster.frozen
    container = "%s/%s" % (account, _name("n"))
    assert frozen.request("PUT", container)[0] == 201
    # Object writes: only the container's own limit (4/s: 0.25 s sleeps).
    assert [frozen.request("PUT", "%s/o%d" % (container, i), body=b"x")[0]
            for i in range(2)] == [201, 201]


def test_object_writes_at_once_past_the_max_sleep_are_refused(cluster):
    # Clock stopped: of 6 writes sent together to an empty container (4/s,
    # at most 0.5 s of sleep) the slots 0, 0.25 and 0.5 s away are taken and
    # the ones 0.75 s and more away refused, however slowly they arrive.
    frozen = cluster.frozen
    account = "/v1/AUTH_" + uuid.uuid4().hex[:8]
    container = _name("c")
    assert frozen.request("PUT", "%s/%s" % (account, container))[0] == 201
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(
            lambda i: frozen.request("PUT", "%s/%s/o%d" % (account, container, i), body=b"x")[0],
            range(6)))
    assert sorted(statuses) == [201] * 3 + [498] * 3, statuses


def test_writes_one_after_another_wait_their_turn_and_the_wait_is_logged(cluster):
    # Clock stopped: the 2nd and 3rd writes wait 0.25 s and 0.5 s (the max
    # sleep) for their slots, so both waits are logged even on a machine
    # slow enough that a real clock would have moved past them.
    frozen = cluster.frozen
    account = "AUTH_" + uuid.uuid4().hex[:8]
    container = _name("s")
    frozen.request("PUT", "/v1/%s/%s" % (account, container))
    statuses = [frozen.request("PUT", "/v1/%s/%s/o%d" % (account, container, i), body=b"x")[0]
                for i in range(3)]
    assert statuses == [201] * 3
    log = frozen.log()
    assert "Ratelimit sleep log: 0.250 s for ratelimit/%s/%s (PUT)" % (account, container) in log
    assert "Ratelimit sleep log: 0.500 s for ratelimit/%s/%s (PUT)" % (account, container) in log


def test_listings_are_limited_by_container_size(cluster):
    small = "/v1/AUTH_%s/%s" % (uuid.uuid4().hex[:8], _name("small"))
    big = "/v1/AUTH_%s/%s" % (uuid.uuid4().hex[:8], _name("big"))
    for path in (small, big):
        assert cluster.request("PUT", path)[0] == 201
    for i in range(2):
        assert cluster.request("PUT", "%s/o%d" % (big, i), body=b"")[0] == 201
    deadline = time.time() + 30
    while cluster.request("HEAD", big)[1].get("X-Container-Object-Count") != "2":
        assert time.time() < deadline
        time.sleep(0.1)
    # Below 2 objects no listing limit; from 2 on, 1 listing/s. The frozen
    # proxy has not cached either container yet, and with its clock stopped
    # the 2nd listing's slot is 1 s away (past the 0.5 s max sleep) however
    # long the first took.
    assert [cluster.frozen.request("GET", small)[0] for _ in range(3)] == [204] * 3
    assert [cluster.frozen.request("GET", big)[0] for _ in range(3)] == [200, 498, 498]


def test_blacklisted_accounts_get_497_for_everything(cluster):
    for method in ("GET", "HEAD", "PUT"):
        status, _h, body = cluster.request(method, "/v1/AUTH_worse/c")
        assert status == 497
    assert cluster.request("GET", "/v1/AUTH_bad")[2] == b"Your account has been blacklisted"


def test_whitelisted_accounts_are_never_limited(cluster):
    names = [_name("w") for _ in range(4)]
    statuses = [cluster.request("PUT", "/v1/AUTH_free/" + n)[0] for n in names]
    assert statuses == [201] * 4
    for n in names:
        cluster.request("DELETE", "/v1/AUTH_free/" + n)


def test_info_shows_the_limits(cluster):
    info = json.loads(cluster.request("GET", "/info")[2])["ratelimit"]
    assert info == {"account_ratelimit": 1.0, "max_sleep_time_seconds": 0.5,
                    "container_ratelimits": [[0, 4.0], [10, 100.0]],
                    "container_listing_ratelimits": [[2, 1.0]]}
