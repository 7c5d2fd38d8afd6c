"""Container sync on one cluster: the headers (set with ``swift post -t -k``,
validated, owner-only), /info, and the receiving side of a sync -- a request
signed as another cluster's sync daemon signs it (docs/container-sync.md).
Syncing between two clusters is in tests/probe/test_container_sync.py."""

import configparser
import os
import time
import uuid

import pytest
import swiftclient

from objstore.common import sync_realms
from tests.functional.conftest import REPO

SAIO_ETC = os.path.join(os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio")), "etc")


def realm_key() -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(SAIO_ETC, sync_realms.REALMS_CONF))
    return parser["saio"]["key"]


def stat_fields(output: str) -> dict:
    return {k.strip(): v.strip() for k, _s, v in (line.partition(":")
                                                 for line in output.splitlines())}


@pytest.fixture
def synced(conn, delete_container):
    """A container with a sync key (as the receiving end of a sync)."""
    name = "sync-" + uuid.uuid4().hex[:12]
    conn.put_container(name, headers={"X-Container-Sync-Key": "sek"})
    yield name
    delete_container(conn, name)


def signed_request(http_api, method, container, obj, ts, body=b"", key=None, user_key="sek",
                   headers=None):
    account_path = http_api.path(user="admin")  # /v1/AUTH_test
    path = "%s/%s/%s" % (account_path, container, obj)
    nonce = uuid.uuid4().hex
    sig = sync_realms.sign(method, path, ts, nonce, key or realm_key(), user_key)
    send = {"X-Timestamp": ts, sync_realms.SYNC_AUTH_HEADER: "saio %s %s" % (nonce, sig)}
    send.update(headers or {})
    return http_api.request(method, path, headers=send, body=body, user=None)


def test_swift_post_sets_a_realm_target_and_key_that_only_the_owner_sees(cli, container,
                                                                          conn_nonadmin):
    result = cli("post", "-t", "//saio/west/AUTH_test/%s" % container, "-k", "sek", container)
    assert result.returncode == 0, result.stderr
    fields = stat_fields(cli("stat", container).stdout)
    assert fields["Sync To"] == "//saio/west/AUTH_test/%s" % container
    assert fields["Sync Key"] == "sek"
    with pytest.raises(swiftclient.ClientException):  # not even readable by a non-admin
        conn_nonadmin.head_container(container)


@pytest.mark.parametrize("value,text", [
    ("http://evil.example.com/v1/a/c", "Invalid host 'evil.example.com' in X-Container-Sync-To"),
    ("//nope/west/a/c", "No realm key for 'nope'"),
    ("//saio/north/a/c", "No cluster endpoint for 'saio' 'north'"),
    ("//saio/west/a", "Invalid X-Container-Sync-To format '//saio/west/a'"),
    ("ftp://127.0.0.1/v1/a/c",
     "Invalid scheme 'ftp' in X-Container-Sync-To, must be \"//\", \"http\", or \"https\"."),
])
def test_an_unusable_sync_to_is_400_with_swifts_text_and_changes_nothing(conn, container,
                                                                         value, text):
    for method in (conn.post_container, conn.put_container):
        with pytest.raises(swiftclient.ClientException) as err:
            method(container, headers={"X-Container-Sync-To": value})
        assert err.value.http_status == 400
        assert err.value.http_response_content.decode() == text
    assert "x-container-sync-to" not in conn.head_container(container)


def test_info_lists_the_realm_and_marks_this_cluster(http_api):
    info = http_api.request("GET", "/info", user=None).json()
    assert info["container_sync"] == {"realms": {"SAIO": {"clusters": {
        "EAST": {"current": True}, "WEST": {}}}}}


def test_a_signed_put_keeps_its_timestamp_and_a_replay_changes_nothing(http_api, conn, synced):
    ts = "%.5f" % (time.time() - 3600)
    resp = signed_request(http_api, "PUT", synced, "o", ts, b"first")
    assert resp.status == 201, resp.body
    headers, body = conn.get_object(synced, "o")
    assert (headers["x-timestamp"], body) == (ts, b"first")
    # the same PUT again (a response that was lost): accepted, nothing changes
    resp = signed_request(http_api, "PUT", synced, "o", ts, b"other")
    assert resp.status == 202
    # an older one loses to what is there
    older = "%.5f" % (float(ts) - 10)
    assert signed_request(http_api, "PUT", synced, "o", older, b"older").status == 202
    assert conn.get_object(synced, "o") [1] == b"first"
    assert [o["name"] for o in conn.get_container(synced)[1]] == ["o"]


def test_an_older_signed_delete_cannot_remove_a_newer_object(http_api, conn, synced):
    conn.put_object(synced, "o", b"data")
    old = "%.5f" % (time.time() - 3600)
    assert signed_request(http_api, "DELETE", synced, "o", old).status == 409
    assert conn.get_object(synced, "o")[1] == b"data"
    newer = "%.5f" % (time.time() + 1)
    assert signed_request(http_api, "DELETE", synced, "o", newer).status == 204
    with pytest.raises(swiftclient.ClientException) as err:
        conn.head_object(synced, "o")
    assert err.value.http_status == 404


@pytest.mark.parametrize("case", ["bad realm key", "other container key", "garbled header"])
def test_a_bad_signature_is_401_and_stores_nothing(http_api, conn, synced, case):
    ts = "%.5f" % time.time()
    if case == "garbled header":
        path = "%s/%s/o" % (http_api.path(user="admin"), synced)
        resp = http_api.request("PUT", path, body=b"x", user=None, headers={
            "X-Timestamp": ts, sync_realms.SYNC_AUTH_HEADER: "saio"})
    else:
        resp = signed_request(http_api, "PUT", synced, "o", ts, b"x",
                              key="wrong" if case == "bad realm key" else None,
                              user_key="other" if case == "other container key" else "sek")
    assert resp.status == 401
    assert b"X-Container-Sync-Auth header not valid" in resp.body
    assert conn.get_container(synced)[1] == []


def test_a_container_without_a_sync_key_takes_no_signed_request(http_api, conn, container):
    resp = signed_request(http_api, "PUT", container, "o", "%.5f" % time.time(), b"x")
    assert resp.status == 401
    assert conn.get_container(container)[1] == []


def test_a_clients_own_x_timestamp_is_still_ignored(http_api, conn, container):
    path = "%s/%s/o" % (http_api.path(user="admin"), container)
    resp = http_api.request("PUT", path, body=b"x", headers={"X-Timestamp": "1000.00000"})
    assert resp.status == 201
    assert float(conn.head_object(container, "o")["x-timestamp"]) > time.time() - 600


@pytest.mark.parametrize("method,obj", [("DELETE", None), ("POST", None), ("GET", "o")])
def test_a_signature_opens_no_container_request_and_no_object_read(http_api, conn, synced,
                                                                   method, obj):
    conn.put_object(synced, "o", b"kept")
    ts = "%.5f" % time.time()
    path = "%s/%s" % (http_api.path(user="admin"), synced) + ("/" + obj if obj else "")
    nonce = uuid.uuid4().hex
    sig = sync_realms.sign(method, path, ts, nonce, realm_key(), "sek")
    resp = http_api.request(method, path, user=None, headers={
        "X-Timestamp": ts, sync_realms.SYNC_AUTH_HEADER: "saio %s %s" % (nonce, sig),
        "X-Container-Read": ".r:*"})
    assert resp.status == 401  # tempauth's answer to a request without a token
    assert conn.get_object(synced, "o")[1] == b"kept"
    assert "x-container-read" not in conn.head_container(synced)


def test_a_signed_static_link_is_kept_as_sent_and_a_clients_is_still_checked(http_api, conn,
                                                                              synced):
    link = {"X-Symlink-Target": synced + "/later", "X-Symlink-Target-Etag": "0" * 32,
            "X-Symlink-Target-Bytes": "13"}
    path = "%s/%s/mine" % (http_api.path(user="admin"), synced)
    resp = http_api.request("PUT", path, body=b"", headers=link)  # a client's, with a token
    assert resp.status == 409 and b"X-Symlink-Target does not exist" in resp.body
    ts = "%.5f" % (time.time() - 60)
    resp = signed_request(http_api, "PUT", synced, "synced", ts, headers=link)
    assert resp.status == 201, resp.body
    head = conn.head_object(synced, "synced", query_string="symlink=get")
    assert (head["x-symlink-target-etag"], head["x-symlink-target-bytes"]) == ("0" * 32, "13")
    assert [o["name"] for o in conn.get_container(synced)[1]] == ["synced"]
