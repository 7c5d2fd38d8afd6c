"""The container server over real HTTP, with a real account server behind it."""

import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from objstore.account.broker import AccountBroker
from objstore.container.broker import ContainerBroker
from objstore.container.server import ContainerServer, main
from objstore.db.paths import CONTAINER_DATADIR, db_path, name_hash
from objstore.db.pending import decode_records

import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "support"))
from container_requests import cname, put_container, put_object, ts  # noqa: E402

@pytest.fixture
def acct(cluster):
    """A fresh account (created on the account server) and its headers for
    container PUT/DELETE account updates."""
    account, _ = cluster
    name = "AUTH_" + uuid.uuid4().hex[:8]
    assert account.request("PUT", "/sda/0/%s" % name, {"X-Timestamp": ts()})[0] == 201
    return name, {"X-Account-Host": "127.0.0.1:%d" % account.port,
                  "X-Account-Partition": "0", "X-Account-Device": "sda"}


# ----------------------------------------------------------------- PUT

def test_container_put_returns_201_then_202_and_lands_in_the_hashed_path(cluster):
    _, server = cluster
    c = cname()
    assert put_container(server, "a", c)[0] == 201
    assert put_container(server, "a", c)[0] == 202
    hash_ = name_hash("a", c, b"pre", b"suf")
    path = db_path(str(server.devices), "sda", CONTAINER_DATADIR, 1, hash_)
    assert path.endswith("/sda/containers/1/%s/%s/%s.db" % (hash_[-3:], hash_, hash_))
    assert os.path.exists(path)


def test_container_put_stores_metadata_and_acl_headers(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c, {"X-Container-Meta-Color": "blue",
                                   "X-Container-Sysmeta-Owner": "me",
                                   "X-Container-Read": ".r:*", "X-Versions-Location": "v",
                                   "X-Ignored": "x"})
    status, headers, _ = server.request("HEAD", "/sda/1/a/%s" % c)
    assert status == 204
    assert headers["x-container-meta-color"] == "blue"
    assert headers["x-container-sysmeta-owner"] == "me"
    assert headers["x-container-read"] == ".r:*"
    assert headers["x-versions-location"] == "v"
    assert "x-ignored" not in headers


def test_container_put_with_another_policy_on_a_live_container_is_a_409(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c, {"X-Backend-Storage-Policy-Index": "1"})
    status, headers, _ = put_container(server, "a", c, {"X-Backend-Storage-Policy-Index": "0"})
    assert status == 409
    assert headers["x-backend-storage-policy-index"] == "1"
    assert put_container(server, "a", c, {"X-Backend-Storage-Policy-Index": "1"})[0] == 202


def test_a_deleted_container_can_be_recreated_with_another_policy(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    assert server.request("DELETE", "/sda/1/a/%s" % c, {"X-Timestamp": ts()})[0] == 204
    assert put_container(server, "a", c, {"X-Backend-Storage-Policy-Index": "1"})[0] == 201
    headers = server.request("HEAD", "/sda/1/a/%s" % c)[1]
    assert headers["x-backend-storage-policy-index"] == "1"


def test_an_unknown_policy_index_is_a_400(cluster):
    _, server = cluster
    assert put_container(server, "a", cname(), {"X-Backend-Storage-Policy-Index": "7"})[0] == 400


@pytest.mark.parametrize("stamp", [None, "yesterday", "-5", "inf"])
def test_writes_without_a_valid_timestamp_are_a_400(cluster, stamp):
    _, server = cluster
    headers = {} if stamp is None else {"X-Timestamp": stamp}
    for method in ("PUT", "DELETE", "POST"):
        status, _, body = server.request(method, "/sda/1/a/c", headers)
        assert status == 400, method
        assert b"X-Timestamp" in body


@pytest.mark.parametrize("path", ["/sda/1/a", "/sda/x/a/c", "/sda/-1/a/c", "/sda"])
def test_bad_paths_and_partitions_are_a_400(cluster, path):
    _, server = cluster
    assert server.request("PUT", path, {"X-Timestamp": ts()})[0] == 400


def test_container_verbs_on_an_object_path_are_a_400(cluster):
    _, server = cluster
    for method in ("GET", "HEAD", "POST"):
        assert server.request(method, "/sda/1/a/c/o", {"X-Timestamp": ts()})[0] == 400, method


def test_names_that_are_not_utf8_or_contain_nul_are_a_412_as_on_the_proxy(cluster):
    _, server = cluster
    for raw in ("/sda/1/a/%FF%FE", "/sda/1/a/c%00d", "/sda/1/a/c/o%FF"):
        status, headers, body = server.request("PUT", raw, {"X-Timestamp": ts()}, quoted=True)
        assert (status, body) == (412, b"Invalid UTF8 or contains NULL"), raw
        assert headers["content-type"] == "text/html; charset=UTF-8"


def test_a_missing_device_is_a_507(cluster):
    _, server = cluster
    assert server.request("PUT", "/sdz/1/a/c", {"X-Timestamp": ts()})[0] == 507
    assert server.request("GET", "/sdz/1/a/c")[0] == 507


def test_unicode_names_round_trip(cluster):
    _, server = cluster
    c = "c-\u00e9\U0001f600-" + uuid.uuid4().hex[:6]
    assert put_container(server, "a", c)[0] == 201
    assert put_object(server, "a", c, "\u2603/obj")[0] == 201
    status, _, body = server.request("GET", "/sda/1/a/%s?format=json" % c)
    assert json.loads(body)[0]["name"] == "\u2603/obj"


def test_a_utf8_content_type_is_listed_as_sent_in_every_format(cluster):
    _, server = cluster
    c = cname()
    assert put_container(server, "a", c)[0] == 201
    sent = "text/plain;name=caf\u00e9"
    assert put_object(server, "a", c, "o", ctype=sent.encode("utf-8"))[0] == 201
    _status, _h, body = server.request("GET", "/sda/1/a/%s?format=json" % c)
    assert json.loads(body)[0]["content_type"] == sent
    _status, _h, body = server.request("GET", "/sda/1/a/%s?format=xml" % c)
    assert b"<content_type>text/plain;name=caf\xc3\xa9</content_type>" in body


# -------------------------------------------------------- object rows

def test_object_rows_update_counts_and_a_delete_leaves_a_tombstone(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    assert put_object(server, "a", c, "o1", size=10)[0] == 201
    assert put_object(server, "a", c, "o2", size=5)[0] == 201
    headers = server.request("HEAD", "/sda/1/a/%s" % c)[1]
    assert (headers["x-container-object-count"], headers["x-container-bytes-used"]) == ("2", "15")
    assert server.request("DELETE", "/sda/1/a/%s/o1" % c, {"X-Timestamp": ts()})[0] == 204
    headers = server.request("HEAD", "/sda/1/a/%s" % c)[1]
    assert (headers["x-container-object-count"], headers["x-container-bytes-used"]) == ("1", "5")


def test_object_rows_are_acknowledged_from_the_pending_file_and_listed_after_a_merge(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    path = db_path(str(server.devices), "sda", CONTAINER_DATADIR, 1,
                   name_hash("a", c, b"pre", b"suf"))
    assert put_object(server, "a", c, "o1", size=3)[0] == 201
    assert server.request("DELETE", "/sda/1/a/%s/gone" % c, {"X-Timestamp": ts()})[0] == 204
    assert os.path.getsize(path + ".pending") > 0  # acknowledged, not yet in SQLite
    with ContainerBroker(path)._read(merge=False) as conn:
        assert conn.execute("SELECT COUNT(*) FROM object").fetchone()[0] == 0
    status, _, body = server.request("GET", "/sda/1/a/%s?format=json" % c)
    assert status == 200 and [o["name"] for o in json.loads(body)] == ["o1"]
    assert os.path.getsize(path + ".pending") == 0
    assert ContainerBroker(path).get_item("gone")["deleted"] == 1


def test_object_rows_sent_together_are_each_in_the_pending_file_when_answered(cluster):
    """Rows of one container that arrive together share appends and fsyncs
    (db/group_commit.py): every row answered 201/204 is in the pending
    file, whole, each once, and a row for a missing container among them
    is still a 404."""
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    path = db_path(str(server.devices), "sda", CONTAINER_DATADIR, 1,
                   name_hash("a", c, b"pre", b"suf"))
    names = ["o%02d" % i for i in range(24)]
    with ThreadPoolExecutor(12) as pool:
        puts = list(pool.map(lambda n: put_object(server, "a", c, n, size=2)[0], names[:20]))
        deletes = list(pool.map(lambda n: server.request(
            "DELETE", "/sda/1/a/%s/%s" % (c, n), {"X-Timestamp": ts()})[0], names[20:]))
        missing = list(pool.map(lambda n: put_object(server, "a", cname(), n)[0], names[:6]))
    assert puts == [201] * 20 and deletes == [204] * 4 and missing == [404] * 6
    with open(path + ".pending", "rb") as f:
        rows, problems = decode_records(f.read())
    assert problems == []
    assert sorted(r["name"] for r in rows) == names
    assert sorted(r["name"] for r in rows if r["deleted"]) == names[20:]
    status, _, body = server.request("GET", "/sda/1/a/%s?format=json" % c)
    assert status == 200 and [o["name"] for o in json.loads(body)] == names[:20]


def test_an_older_object_row_does_not_replace_a_newer_one(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    new, old = ts(), "1000000000.00000"
    put_object(server, "a", c, "o", etag="new", timestamp=new)
    assert put_object(server, "a", c, "o", etag="old", timestamp=old)[0] == 201
    body = server.request("GET", "/sda/1/a/%s?format=json" % c)[2]
    assert json.loads(body)[0]["hash"] == "new"


def test_object_rows_for_a_missing_container_are_a_404(cluster):
    _, server = cluster
    assert put_object(server, "a", cname(), "o")[0] == 404
    assert server.request("DELETE", "/sda/1/a/%s/o" % cname(), {"X-Timestamp": ts()})[0] == 404


def test_object_rows_for_system_accounts_create_the_container(cluster):
    _, server = cluster
    c = cname()
    assert put_object(server, ".expiring_objects", c, "123-a/c/o")[0] == 201
    assert server.request("HEAD", "/sda/1/.expiring_objects/%s" % c)[0] == 204


@pytest.mark.parametrize("missing", ["X-Size", "X-Content-Type", "X-Etag"])
def test_object_rows_without_size_type_or_etag_are_a_400(cluster, missing):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    headers = {"X-Timestamp": ts(), "X-Size": "1", "X-Content-Type": "t", "X-Etag": "e"}
    del headers[missing]
    assert server.request("PUT", "/sda/1/a/%s/o" % c, headers)[0] == 400
    headers = {"X-Timestamp": ts(), "X-Size": "-3", "X-Content-Type": "t", "X-Etag": "e"}
    assert server.request("PUT", "/sda/1/a/%s/o" % c, headers)[0] == 400


# -------------------------------------------------------------- DELETE

def test_deleting_a_non_empty_container_is_a_409(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    put_object(server, "a", c, "o")
    assert server.request("DELETE", "/sda/1/a/%s" % c, {"X-Timestamp": ts()})[0] == 409
    server.request("DELETE", "/sda/1/a/%s/o" % c, {"X-Timestamp": ts()})
    assert server.request("DELETE", "/sda/1/a/%s" % c, {"X-Timestamp": ts()})[0] == 204


def test_a_deleted_container_answers_404_with_its_timestamps(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    when = ts()
    server.request("DELETE", "/sda/1/a/%s" % c, {"X-Timestamp": when})
    for method in ("HEAD", "GET"):
        status, headers, _ = server.request(method, "/sda/1/a/%s" % c)
        assert status == 404
        assert headers["x-backend-delete-timestamp"] == when
    assert server.request("DELETE", "/sda/1/a/%s" % c, {"X-Timestamp": ts()})[0] == 404
    assert server.request("POST", "/sda/1/a/%s" % c, {"X-Timestamp": ts()})[0] == 404
    assert put_object(server, "a", c, "o")[0] == 404


def test_deleting_a_missing_container_is_a_404(cluster):
    _, server = cluster
    assert server.request("DELETE", "/sda/1/a/%s" % cname(), {"X-Timestamp": ts()})[0] == 404


def test_a_delete_older_than_the_put_is_a_409(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    assert server.request("DELETE", "/sda/1/a/%s" % c,
                          {"X-Timestamp": "1000000000.00000"})[0] == 409


# ---------------------------------------------------------- HEAD / POST

def test_head_reports_every_backend_timestamp_and_the_policy(cluster):
    _, server = cluster
    c = cname()
    when = ts()
    server.request("PUT", "/sda/1/a/%s" % c, {"X-Timestamp": when})
    status, headers, body = server.request("HEAD", "/sda/1/a/%s" % c)
    assert status == 204 and body == b""
    assert headers["x-timestamp"] == headers["x-put-timestamp"] == when
    assert headers["x-backend-put-timestamp"] == when
    assert headers["x-backend-delete-timestamp"] == "0000000000.00000"
    assert headers["x-backend-status-changed-at"] == when
    assert headers["x-backend-storage-policy-index"] == "0"
    assert headers["x-container-object-count"] == "0"
    assert "last-modified" in headers and headers["x-trans-id"]


def test_head_of_a_missing_container_is_a_404(cluster):
    _, server = cluster
    assert server.request("HEAD", "/sda/1/a/%s" % cname())[0] == 404


def test_post_updates_metadata_and_an_empty_value_removes_it(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c, {"X-Container-Meta-A": "1", "X-Container-Meta-B": "2"})
    assert server.request("POST", "/sda/1/a/%s" % c, {
        "X-Timestamp": ts(), "X-Container-Meta-A": "", "X-Container-Meta-C": "3"})[0] == 204
    headers = server.request("HEAD", "/sda/1/a/%s" % c)[1]
    assert "x-container-meta-a" not in headers
    assert headers["x-container-meta-b"] == "2" and headers["x-container-meta-c"] == "3"


def test_a_post_moves_the_put_timestamp_unless_told_not_to(cluster):
    # Last-Modified follows the put timestamp: a POST changes it, as a PUT
    # does; X-Backend-No-Timestamp-Update: true keeps it
    _, server = cluster
    c = cname()
    created = ts()
    server.request("PUT", "/sda/1/a/%s" % c, {"X-Timestamp": created})
    posted = ts()
    assert server.request("POST", "/sda/1/a/%s" % c, {"X-Timestamp": posted})[0] == 204
    headers = server.request("HEAD", "/sda/1/a/%s" % c)[1]
    assert headers["x-put-timestamp"] == headers["x-backend-put-timestamp"] == posted
    assert headers["x-timestamp"] == created
    assert server.request("POST", "/sda/1/a/%s" % c, {
        "X-Timestamp": ts(), "X-Backend-No-Timestamp-Update": "true",
        "X-Container-Meta-K": "v"})[0] == 204
    headers = server.request("HEAD", "/sda/1/a/%s" % c)[1]
    assert headers["x-put-timestamp"] == posted and headers["x-container-meta-k"] == "v"
    older = "%016.5f" % (float(created) - 10)  # an older POST moves nothing back
    assert server.request("POST", "/sda/1/a/%s" % c, {"X-Timestamp": older})[0] == 204
    assert server.request("HEAD", "/sda/1/a/%s" % c)[1]["x-put-timestamp"] == posted


def test_metadata_over_the_limits_is_a_400_that_names_the_limit(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    status, _, body = server.request("POST", "/sda/1/a/%s" % c, {
        "X-Timestamp": ts(), "X-Container-Meta-Big": "v" * 257})
    assert status == 400 and b"longer than 256" in body


def test_a_put_with_too_much_metadata_is_a_400_and_creates_nothing(cluster):
    _, server = cluster
    c = cname()
    status, _, body = put_container(server, "a", c, {"X-Container-Meta-Big": "v" * 257})
    assert status == 400 and b"longer than 256" in body
    assert server.request("HEAD", "/sda/1/a/%s" % c)[0] == 404


def test_post_to_a_missing_container_is_a_404(cluster):
    _, server = cluster
    assert server.request("POST", "/sda/1/a/%s" % cname(), {"X-Timestamp": ts()})[0] == 404


# ------------------------------------------------------------ listings

def test_container_put_and_delete_are_reported_to_the_account(cluster, acct):
    account, server = cluster
    name, hdrs = acct
    c = cname()
    assert put_container(server, name, c, hdrs)[0] == 201
    body = account.request("GET", "/sda/0/%s?format=json" % name)[2]
    assert [i["name"] for i in json.loads(body)] == [c]
    put_object(server, name, c, "o")
    server.request("DELETE", "/sda/1/%s/%s/o" % (name, c), {"X-Timestamp": ts()})
    headers = dict(hdrs, **{"X-Timestamp": ts()})
    assert server.request("DELETE", "/sda/1/%s/%s" % (name, c), headers)[0] == 204
    status, headers, _ = account.request("HEAD", "/sda/0/%s" % name)
    assert headers["x-account-container-count"] == "0"
    broker = ContainerBroker(db_path(str(server.devices), "sda", CONTAINER_DATADIR, 1,
                                     name_hash(name, c, b"pre", b"suf")))
    assert broker.is_reported_current()


def test_a_delete_of_a_deleted_container_still_tells_its_account_server(cluster, acct):
    """Two DELETEs at once: the first deletes this replica and reports to
    the account server it names; the second, naming another account
    replica, answers 404 but must report too, or that replica lists the
    container for ever (no replicator runs on the request path)."""
    account, server = cluster
    name, hdrs = acct
    c = cname()
    assert put_container(server, name, c, hdrs)[0] == 201
    # the first DELETE names no account server (another replica's was told)
    assert server.request("DELETE", "/sda/1/%s/%s" % (name, c), {"X-Timestamp": ts()})[0] == 204
    body = account.request("GET", "/sda/0/%s?format=json" % name)[2]
    assert [i["name"] for i in json.loads(body)] == [c]
    headers = dict(hdrs, **{"X-Timestamp": ts()})
    assert server.request("DELETE", "/sda/1/%s/%s" % (name, c), headers)[0] == 404
    body = account.request("GET", "/sda/0/%s?format=json" % name)[2]
    assert json.loads(body) == []


def test_container_put_for_an_account_that_does_not_exist_is_a_404(cluster, acct):
    _, server = cluster
    _, hdrs = acct
    status, _, body = put_container(server, "AUTH_nobody", cname(), hdrs)
    assert status == 404 and b"account" in body


def test_an_unreachable_account_server_does_not_fail_the_container_put(cluster):
    _, server = cluster
    dead = {"X-Account-Host": "127.0.0.1:1", "X-Account-Partition": "0",
            "X-Account-Device": "sda"}
    assert put_container(server, "a", cname(), dead)[0] == 201
    assert "account update failed" in server.log.read_text()


def test_mismatched_account_hosts_and_devices_are_a_400(cluster):
    _, server = cluster
    bad = {"X-Account-Host": "127.0.0.1:1,127.0.0.1:2", "X-Account-Partition": "0",
           "X-Account-Device": "sda"}
    assert put_container(server, "a", cname(), bad)[0] == 400


# --------------------------------------------------------- the server

def test_every_request_gets_one_access_log_line_with_its_txn_id(cluster):
    _, server = cluster
    txn = "tx" + uuid.uuid4().hex
    server.request("HEAD", "/sda/1/a/%s" % cname(), {"X-Trans-Id": txn})

    def logged():
        return [line for line in server.log.read_text().splitlines() if txn in line]

    deadline = time.time() + 30
    while not logged() and time.time() < deadline:
        time.sleep(0.02)
    [line] = logged()
    assert '"HEAD /sda/1/a/' in line and " 404 " in line


def test_healthcheck_answers_200_and_unknown_verbs_405(cluster):
    _, server = cluster
    assert server.request("GET", "/healthcheck")[:1] == (200,)
    status, headers, _ = server.request("PATCH", "/sda/1/a/c")
    assert status == 405 and "REPLICATE" in headers["allow"]


def test_replicate_merges_rows_sent_over_http(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    hash_ = name_hash("a", c, b"pre", b"suf")
    row = dict(name="o", created_at=ts(), size=3, content_type="t", etag="e", deleted=0,
               storage_policy_index=0, row_id=7)
    body = json.dumps(["merge_items", [row], "remote-id"]).encode()
    assert server.request("REPLICATE", "/sda/1/%s" % hash_, {}, body)[0] == 202
    status, _, body = server.request("REPLICATE", "/sda/1/%s" % hash_, {}, json.dumps(
        ["sync", {"id": "remote-id", "created_at": "1", "put_timestamp": "1",
                  "delete_timestamp": "0", "metadata": {}}]).encode())
    assert status == 200
    info = json.loads(body)
    assert info["point"] == 7 and info["object_count"] == 1
    assert server.request("REPLICATE", "/sda/1/%s" % ("0" * 32), {},
                          json.dumps(["sync", {}]).encode())[0] == 404


def test_replicate_with_a_bad_hash_or_body_is_a_400(cluster):
    _, server = cluster
    assert server.request("REPLICATE", "/sda/1/nothash", {}, b'["sync", {}]')[0] == 400
    assert server.request("REPLICATE", "/sda/1/%s" % ("0" * 32), {}, b"nope")[0] == 400


def test_app_factory_rejects_a_bad_synchronous_option(tmp_path):
    with pytest.raises(ValueError, match="db_synchronous"):
        ContainerServer({"devices": str(tmp_path), "swift_dir": str(tmp_path),
                         "db_synchronous": "maybe"})


def test_main_without_a_config_prints_usage_and_returns_2(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_account_rows_are_per_account_not_per_container(cluster, acct):
    account, server = cluster
    name, hdrs = acct
    for _ in range(2):
        put_container(server, name, cname(), hdrs)
    broker = AccountBroker(db_path(str(account.devices), "sda", "accounts", 0,
                                   name_hash(name, None, b"pre", b"suf")))
    assert broker.get_info()["container_count"] == 2
