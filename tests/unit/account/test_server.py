"""The account server over real HTTP."""

import itertools
import json
import time
import uuid

import pytest

from objstore.account.server import AccountServer, main

_clock = itertools.count()


def ts() -> str:
    return "%016.5f" % (time.time() + next(_clock) * 0.001)


def new_account(server, extra=None):
    name = "AUTH_" + uuid.uuid4().hex[:8]
    headers = {"X-Timestamp": ts()}
    headers.update(extra or {})
    assert server.request("PUT", "/sda/0/%s" % name, headers)[0] == 201
    return name


def report(server, account, container, put=None, delete="0", count=0, used=0, policy=0,
           stamp=None):
    headers = {"X-Put-Timestamp": put or ts(), "X-Delete-Timestamp": delete,
               "X-Object-Count": str(count), "X-Bytes-Used": str(used),
               "X-Backend-Storage-Policy-Index": str(policy), "X-Timestamp": stamp or ts()}
    return server.request("PUT", "/sda/0/%s/%s" % (account, container), headers)


def test_account_put_is_201_then_202(account_server):
    name = new_account(account_server)
    assert account_server.request("PUT", "/sda/0/%s" % name, {"X-Timestamp": ts()})[0] == 202


def test_head_reports_totals_timestamps_and_metadata(account_server):
    name = new_account(account_server, {"X-Account-Meta-Owner": "me"})
    report(account_server, name, "c1", count=3, used=30)
    report(account_server, name, "c2", count=1, used=5, policy=1)
    status, headers, body = account_server.request("HEAD", "/sda/0/%s" % name)
    assert status == 204 and body == b""
    assert headers["x-account-container-count"] == "2"
    assert headers["x-account-object-count"] == "4"
    assert headers["x-account-bytes-used"] == "35"
    assert headers["x-account-storage-policy-gold-container-count"] == "1"
    assert headers["x-account-storage-policy-gold-bytes-used"] == "30"
    assert headers["x-account-storage-policy-silver-object-count"] == "1"
    assert headers["x-account-meta-owner"] == "me"
    assert headers["x-timestamp"] == headers["x-put-timestamp"]
    for key in ("x-backend-put-timestamp", "x-backend-delete-timestamp",
                "x-backend-status-changed-at"):
        assert key in headers


def test_container_reports_for_a_missing_account_are_a_404(account_server):
    assert report(account_server, "AUTH_ghost", "c")[0] == 404


def test_container_reports_for_system_accounts_create_the_account(account_server):
    name = ".expiring_objects_" + uuid.uuid4().hex[:6]
    assert report(account_server, name, "1700000000")[0] == 201
    assert account_server.request("HEAD", "/sda/0/%s" % name)[0] == 204


def test_a_delete_report_is_a_204_and_drops_the_container(account_server):
    name = new_account(account_server)
    put = ts()
    report(account_server, name, "c", put=put)
    assert report(account_server, name, "c", put=put, delete=ts())[0] == 204
    body = account_server.request("GET", "/sda/0/%s?format=json" % name)[2]
    assert json.loads(body) == []


@pytest.mark.parametrize("header,value", [
    ("X-Put-Timestamp", "soon"), ("X-Delete-Timestamp", None), ("X-Object-Count", "-1"),
    ("X-Bytes-Used", "lots"), ("X-Timestamp", "later")])
def test_malformed_container_reports_are_a_400(account_server, header, value):
    name = new_account(account_server)
    headers = {"X-Put-Timestamp": ts(), "X-Delete-Timestamp": "0", "X-Object-Count": "0",
               "X-Bytes-Used": "0"}
    if value is None:
        del headers[header]
    else:
        headers[header] = value
    assert account_server.request("PUT", "/sda/0/%s/c" % name, headers)[0] == 400


def test_listing_in_every_format(account_server):
    name = new_account(account_server)
    for c, n in (("a", 1), ("b-1", 2), ("b-2", 3), ("c", 4)):
        report(account_server, name, c, count=n, used=n * 10)
    status, headers, body = account_server.request("GET", "/sda/0/%s" % name)
    assert status == 200 and body.decode().splitlines() == ["a", "b-1", "b-2", "c"]
    assert headers["x-account-container-count"] == "4"
    items = json.loads(account_server.request("GET", "/sda/0/%s?format=json" % name)[2])
    assert set(items[0]) == {"name", "count", "bytes", "last_modified", "storage_policy"}
    assert (items[0]["count"], items[0]["bytes"]) == (1, 10)
    body = account_server.request("GET", "/sda/0/%s?format=xml&delimiter=-" % name)[2]
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<account name="%s">'
                           % name.encode())
    assert b"<container><name>a</name><count>1</count><bytes>10</bytes><last_modified>" in body
    assert b'\n<subdir name="b-" />\n' in body
    plain = account_server.request("GET", "/sda/0/%s?prefix=b-&reverse=on&limit=1" % name)[2]
    assert plain == b"b-2\n"
    assert account_server.request("GET", "/sda/0/%s?limit=10001" % name)[0] == 412


def test_an_empty_account_lists_as_204_plain_and_empty_json(account_server):
    name = new_account(account_server)
    assert account_server.request("GET", "/sda/0/%s" % name)[0] == 204
    status, _, body = account_server.request("GET", "/sda/0/%s?format=json" % name)
    assert (status, body) == (200, b"[]")


def test_post_sets_and_removes_metadata(account_server):
    name = new_account(account_server, {"X-Account-Meta-A": "1"})
    assert account_server.request("POST", "/sda/0/%s" % name, {
        "X-Timestamp": ts(), "X-Account-Meta-A": "", "X-Account-Meta-B": "2"})[0] == 204
    headers = account_server.request("HEAD", "/sda/0/%s" % name)[1]
    assert "x-account-meta-a" not in headers and headers["x-account-meta-b"] == "2"
    status, _, body = account_server.request("POST", "/sda/0/%s" % name, {
        "X-Timestamp": ts(), "X-Account-Meta-" + "n" * 129: "v"})
    assert status == 400 and b"too long" in body


def test_delete_marks_the_account_deleted_and_it_answers_404(account_server):
    name = new_account(account_server)
    report(account_server, name, "c", count=1)
    assert account_server.request("DELETE", "/sda/0/%s" % name, {"X-Timestamp": ts()})[0] == 204
    status, headers, _ = account_server.request("HEAD", "/sda/0/%s" % name)
    assert status == 404 and headers["x-account-status"] == "Deleted"
    assert account_server.request("GET", "/sda/0/%s" % name)[0] == 404
    assert account_server.request("POST", "/sda/0/%s" % name, {"X-Timestamp": ts()})[0] == 404
    assert account_server.request("DELETE", "/sda/0/%s" % name, {"X-Timestamp": ts()})[0] == 404
    assert report(account_server, name, "c2")[0] == 404
    status, _, body = account_server.request("PUT", "/sda/0/%s" % name, {"X-Timestamp": ts()})
    assert status == 403 and b"Recently deleted" in body


def test_a_deleted_account_accepts_reports_when_told_to_override(account_server):
    name = new_account(account_server)
    account_server.request("DELETE", "/sda/0/%s" % name, {"X-Timestamp": ts()})
    headers = {"X-Put-Timestamp": ts(), "X-Delete-Timestamp": "0", "X-Object-Count": "0",
               "X-Bytes-Used": "0", "X-Account-Override-Deleted": "yes"}
    assert account_server.request("PUT", "/sda/0/%s/c" % name, headers)[0] == 201


def test_missing_accounts_are_a_404_for_every_verb(account_server):
    for method, headers in (("HEAD", {}), ("GET", {}), ("POST", {"X-Timestamp": ts()}),
                            ("DELETE", {"X-Timestamp": ts()})):
        assert account_server.request(method, "/sda/0/AUTH_none", headers)[0] == 404, method


def test_bad_requests(account_server):
    assert account_server.request("PUT", "/sda/0/AUTH_x", {})[0] == 400
    assert account_server.request("PUT", "/sda/zero/AUTH_x", {"X-Timestamp": ts()})[0] == 400
    assert account_server.request("PUT", "/sda/0/%FF", {"X-Timestamp": ts()},
                                  quoted=True)[:3:2] == (412, b"Invalid UTF8 or contains NULL")
    assert account_server.request("DELETE", "/sda/0/AUTH_x/c", {"X-Timestamp": ts()})[0] == 400
    assert account_server.request("GET", "/sda/0/AUTH_x/c/o")[0] == 400
    assert account_server.request("HEAD", "/sdz/0/AUTH_x")[0] == 507


def test_replicate_sync_reports_the_account_info(account_server):
    from objstore.db.paths import name_hash
    name = new_account(account_server)
    report(account_server, name, "c", count=2)
    hash_ = name_hash(name, None, b"pre", b"suf")
    status, _, body = account_server.request("REPLICATE", "/sda/0/%s" % hash_, {}, json.dumps(
        ["sync", {"id": "x", "created_at": "1", "put_timestamp": "1", "delete_timestamp": "0",
                  "metadata": {}}]).encode())
    assert status == 200
    info = json.loads(body)
    assert info["container_count"] == 1 and info["point"] == -1 and info["max_row"] == 1


def test_healthcheck(account_server):
    assert account_server.request("GET", "/healthcheck")[0] == 200


def test_app_factory_and_main_usage(tmp_path, capsys):
    app = AccountServer({"devices": str(tmp_path), "swift_dir": str(tmp_path)})
    assert app.mount_check is True and app.devices == str(tmp_path)
    assert main(["a", "b"]) == 2
    assert "usage" in capsys.readouterr().err
