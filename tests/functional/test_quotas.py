"""Account and container quotas against the live SAIO, with the swift CLI
and raw HTTP (the CLI hides the 413 body)."""

import time
import uuid

import pytest

ACCOUNT_QUOTAS = ("X-Account-Quota-Bytes", "X-Account-Quota-Count",
                  "X-Account-Meta-Quota-Bytes", "X-Account-Quota-Bytes-Policy-gold")


@pytest.fixture
def account_quota(http_api):
    """Set quotas on AUTH_test as the reseller admin; lifted afterwards."""
    account = http_api.path(user="admin")

    def set_quota(header, value):
        resp = http_api.request("POST", account, {header: value}, user="reseller")
        assert resp.status == 204, resp.body
    yield set_quota
    resp = http_api.request("POST", account, {"X-Remove-" + h[2:]: "x" for h in ACCOUNT_QUOTAS},
                            user="reseller")
    assert resp.status == 204


def test_swift_cli_sets_a_container_quota_and_an_upload_past_it_fails(cli, container, tmp_path):
    assert cli("post", "-m", "Quota-Bytes:10", container).returncode == 0
    stat = cli("stat", container).stdout
    assert "Meta Quota-Bytes: 10" in stat
    small, big = tmp_path / "small", tmp_path / "big"
    small.write_bytes(b"0123456789")
    big.write_bytes(b"x" * 11)
    ok = cli("upload", container, "small", cwd=str(tmp_path))
    assert ok.returncode == 0, ok.stderr
    failed = cli("upload", container, "big", cwd=str(tmp_path))
    assert failed.returncode != 0
    assert "413" in failed.stderr
    assert cli("list", container).stdout.split() == ["small"]


@pytest.mark.parametrize("header, value, text", [
    ("X-Container-Meta-Quota-Count", "-3", b"Invalid count quota."),
    ("X-Container-Meta-Quota-Count", "many", b"Invalid count quota."),
    ("X-Container-Meta-Quota-Bytes", "1.5", b"Invalid bytes quota."),
    ("X-Container-Meta-Quota-Bytes", "-1", b"Invalid bytes quota.")])
def test_a_bad_container_quota_is_400_with_swifts_text(http_api, container, header, value,
                                                       text):
    resp = http_api.request("POST", http_api.path(container), {header: value})
    assert (resp.status, resp.body) == (400, text)
    assert header not in http_api.request("HEAD", http_api.path(container)).headers


def test_an_upload_past_the_container_bytes_quota_is_413_with_swifts_body(http_api, container):
    http_api.request("POST", http_api.path(container), {"X-Container-Meta-Quota-Bytes": "4"})
    resp = http_api.request("PUT", http_api.path(container, "o"), body=b"12345")
    assert (resp.status, resp.body) == (413, b"Upload exceeds quota.")
    assert resp.headers["Content-Type"] == "text/html; charset=UTF-8"


def test_only_the_reseller_admin_sets_account_quotas(http_api, account_quota):
    account = http_api.path(user="admin")
    resp = http_api.request("POST", account, {"X-Account-Quota-Bytes": "1"}, user="admin")
    assert resp.status == 403
    for bad in ("-1", "1.5", "lots"):
        resp = http_api.request("POST", account, {"X-Account-Quota-Bytes": bad},
                                user="reseller")
        assert resp.status == 400, bad
    account_quota("X-Account-Quota-Bytes-Policy-gold", "123")
    resp = http_api.request("HEAD", account, user="admin")
    assert resp.headers["X-Account-Quota-Bytes-Policy-gold"] == "123"


def test_an_upload_past_the_account_quota_is_413_but_the_reseller_may(http_api, cli, container,
                                                                      account_quota, tmp_path):
    used = int(http_api.request("HEAD", http_api.path(user="admin")).headers[
        "X-Account-Bytes-Used"])
    account_quota("X-Account-Quota-Bytes", str(used + 4))
    time.sleep(0.5)
    resp = http_api.request("PUT", http_api.path(container, "o"), body=b"12345")
    assert (resp.status, resp.body) == (413, b"Upload exceeds quota.")
    (tmp_path / "f").write_bytes(b"12345")
    assert "413" in cli("upload", container, "f", cwd=str(tmp_path)).stderr
    resp = http_api.request("PUT", http_api.path(container, "r", user="admin"), body=b"12345",
                            user="reseller")
    assert resp.status == 201


def test_a_copy_past_the_quota_is_413(cli, http_api, container, conn):
    other = "fn-" + uuid.uuid4().hex[:12]
    conn.put_container(other, headers={"X-Container-Meta-Quota-Bytes": "3"})
    try:
        conn.put_object(container, "src", b"source bytes")
        result = cli("copy", "-d", "/%s/dst" % other, container, "src")
        assert result.returncode != 0
        assert "413" in result.stderr
        assert conn.get_container(other)[1] == []
    finally:
        conn.delete_container(other)
