"""TempAuth (v1.0 auth) as Swift documents it: tokens, storage URLs, 401 vs 403."""

import uuid
from urllib.parse import urlsplit

import pytest

AUTH = "/auth/v1.0"


def get_token(http_api, user, key, header_style="Auth"):
    if header_style == "Auth":
        headers = {"X-Auth-User": user, "X-Auth-Key": key}
    else:
        headers = {"X-Storage-User": user, "X-Storage-Pass": key}
    return http_api.request("GET", AUTH, headers=headers, user=None)


def test_good_credentials_return_200_token_and_storage_url(http_api, saio):
    resp = get_token(http_api, "test:tester", "testing")
    assert resp.status == 200
    token = resp.headers["X-Auth-Token"]
    assert token.startswith("AUTH_tk")
    assert resp.headers["X-Storage-Token"] == token
    assert resp.headers["X-Storage-Url"] == saio + "/v1/AUTH_test"
    expires = int(resp.headers["X-Auth-Token-Expires"])
    assert 0 < expires <= 86400


def test_storage_url_names_each_users_account(http_api, saio):
    assert get_token(http_api, "test2:tester2", "testing2").headers["X-Storage-Url"] == \
        saio + "/v1/AUTH_test2"
    assert get_token(http_api, "test:tester3", "testing3").headers["X-Storage-Url"] == \
        saio + "/v1/AUTH_test"


def test_x_storage_user_and_pass_are_accepted_too(http_api, saio):
    resp = get_token(http_api, "test:tester", "testing", header_style="Storage")
    assert resp.status == 200
    assert resp.headers["X-Storage-Url"] == saio + "/v1/AUTH_test"
    assert resp.headers["X-Auth-Token"].startswith("AUTH_tk")


@pytest.mark.parametrize("user,key", [
    ("test:tester", "wrong"),
    ("test:nobody", "testing"),
    ("nosuchaccount:tester", "testing"),
    ("tester", "testing"),  # no account part
])
def test_bad_credentials_return_401(http_api, user, key):
    resp = get_token(http_api, user, key)
    assert resp.status == 401
    assert "X-Auth-Token" not in resp.headers


def test_missing_credentials_return_401(http_api):
    assert http_api.request("GET", AUTH, user=None).status == 401


def test_the_token_works_in_either_token_header(http_api):
    token = http_api.auth("admin")[1]
    assert http_api.request("HEAD", http_api.path(), headers={"X-Auth-Token": token}).status == 204
    assert http_api.request("HEAD", http_api.path(), headers={"X-Storage-Token": token}).status == 204


def test_unknown_token_returns_401(http_api):
    resp = http_api.request("HEAD", http_api.path(), headers={"X-Auth-Token": "AUTH_tk" + "0" * 32})
    assert resp.status == 401


def test_no_token_returns_401(http_api):
    assert http_api.request("GET", http_api.path(), user=None).status == 401
    assert http_api.request("HEAD", http_api.path(), user=None).status == 401


def test_401_challenges_with_www_authenticate(http_api):
    resp = http_api.request("GET", http_api.path(), user=None)
    assert resp.status == 401
    assert resp.headers.get("Www-Authenticate", "").startswith("Swift realm=")


def test_user_of_another_account_gets_403(http_api, container):
    account = http_api.path().rsplit("/", 1)[1]
    assert http_api.request("GET", http_api.path(account=account), user="other").status == 403
    assert http_api.request("GET", http_api.path(container, account=account), user="other").status == 403
    assert http_api.request("PUT", http_api.path(container, "o", account=account), body=b"x",
                            user="other").status == 403


def test_non_admin_user_cannot_use_the_account(http_api):
    assert http_api.request("GET", http_api.path(user="nonadmin"), user="nonadmin").status == 403
    assert http_api.request("PUT", http_api.path("fn-nonadmin-tries", user="nonadmin"),
                            user="nonadmin").status == 403


def test_reseller_admin_can_read_and_write_another_account(http_api, container):
    account = urlsplit(http_api.auth("admin")[0]).path.rsplit("/", 1)[1]
    assert http_api.request("HEAD", http_api.path(account=account), user="reseller").status == 204
    put = http_api.request("PUT", http_api.path(container, "by-reseller", account=account),
                           body=b"r", user="reseller")
    assert put.status == 201
    listing = http_api.request("GET", http_api.path(container, account=account), user="reseller")
    assert listing.status == 200
    assert b"by-reseller" in listing.body


def test_admin_user_gets_its_own_account(http_api):
    # A container of its own: the account then exists (a HEAD of an account
    # nobody wrote yet is autocreate's 200, as Swift answers it)
    name = "own-%s" % uuid.uuid4().hex[:8]
    assert http_api.request("PUT", http_api.path(name, user="other"), user="other").status == 201
    try:
        assert http_api.request("HEAD", http_api.path(user="other"), user="other").status == 204
    finally:
        assert http_api.request("DELETE", http_api.path(name, user="other"),
                                user="other").status == 204
