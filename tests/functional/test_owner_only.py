"""Who may set and see ACLs and sync keys (Swift's rule, checked against a
real Swift 2.38.3 with the same users): only the account's owner, a user
named ``admin`` in the account ACL, or a reseller admin.

A ``read-write`` account ACL lets test:tester3 create containers and write
their metadata, but X-Container-Read/-Write and X-Container-Sync-Key/-To
in its requests are ignored (the request still succeeds, as in Swift) and
are not shown to it; it cannot change the account (403). ``read-only``
cannot write at all.
"""

import uuid

import pytest

RW_USER = "test:tester3"


@pytest.fixture
def granted(http_api):
    """test2's account with container ``c`` (ACLs and sync key set by the
    owner) and a function granting test:tester3 a role in the account ACL;
    everything is removed afterwards."""
    account = http_api.path(user="other").rsplit("/", 1)[1]
    cont = "fn-owner-" + uuid.uuid4().hex[:8]
    owner_headers = {"X-Container-Read": ".r:*", "X-Container-Write": "test5",
                     "X-Container-Sync-Key": "sek",
                     "X-Container-Sync-To": "http://127.0.0.1/v1/AUTH_x/y"}
    assert http_api.request("PUT", http_api.path(cont, user="other"), headers=owner_headers,
                            user="other").status == 201

    def grant(role):
        acl = '{"%s":["%s"]}' % (role, RW_USER)
        assert http_api.request("POST", http_api.path(user="other"), user="other", headers={
            "X-Account-Access-Control": acl}).status == 204
        probe = lambda: http_api.request("HEAD", http_api.path(account=account),  # noqa: E731
                                         user="nonadmin")
        assert http_api.eventually(probe, 204).status == 204

    try:
        yield account, cont, grant
    finally:
        http_api.request("POST", http_api.path(user="other"), user="other",
                         headers={"X-Account-Access-Control": "{}"})
        for name in (cont, cont + "-2"):
            http_api.request("DELETE", http_api.path(name, user="other"), user="other")


def _owner_view(http_api, cont):
    head = http_api.request("HEAD", http_api.path(cont, user="other"), user="other")
    return {k: head.headers.get(k) for k in ("X-Container-Read", "X-Container-Write",
                                             "X-Container-Sync-Key", "X-Container-Sync-To")}


ORIGINAL = {"X-Container-Read": ".r:*", "X-Container-Write": "test5",
            "X-Container-Sync-Key": "sek", "X-Container-Sync-To": "http://127.0.0.1/v1/AUTH_x/y"}


def test_read_write_users_cannot_set_or_see_acls_and_sync_keys(http_api, granted):
    account, cont, grant = granted
    grant("read-write")
    path = http_api.path(cont, account=account)
    head = http_api.request("HEAD", path, user="nonadmin")
    assert head.status == 204
    assert [k for k in ORIGINAL if head.headers.get(k) is not None] == []
    resp = http_api.request("POST", path, user="nonadmin", headers={
        "X-Container-Read": RW_USER, "X-Container-Sync-Key": "mine",
        "X-Remove-Container-Write": "x", "X-Container-Meta-Color": "red"})
    assert resp.status == 204  # accepted, as Swift does; the owner-only part ignored
    # (Swift 2.38.3 applies the X-Remove-: see docs/swift-differences.md)
    assert _owner_view(http_api, cont) == ORIGINAL
    owner_head = http_api.request("HEAD", http_api.path(cont, user="other"), user="other")
    assert owner_head.headers["X-Container-Meta-Color"] == "red"
    created = http_api.request("PUT", http_api.path(cont + "-2", account=account),
                               user="nonadmin", headers={"X-Container-Read": ".r:*"})
    assert created.status == 201
    new_head = http_api.request("HEAD", http_api.path(cont + "-2", user="other"), user="other")
    assert new_head.status == 204 and new_head.headers.get("X-Container-Read") is None


def test_read_write_users_cannot_change_or_see_the_account_acl(http_api, granted):
    account, _cont, grant = granted
    grant("read-write")
    head = http_api.request("HEAD", http_api.path(account=account), user="nonadmin")
    assert head.status == 204 and head.headers.get("X-Account-Access-Control") is None
    resp = http_api.request("POST", http_api.path(account=account), user="nonadmin", headers={
        "X-Account-Access-Control": '{"admin":["%s"]}' % RW_USER})
    assert resp.status == 403
    owner = http_api.request("HEAD", http_api.path(user="other"), user="other")
    assert owner.headers["X-Account-Access-Control"] == '{"read-write":["%s"]}' % RW_USER


def test_account_acl_admins_may_set_and_see_everything_the_owner_may(http_api, granted):
    account, cont, grant = granted
    grant("admin")
    path = http_api.path(cont, account=account)
    head = http_api.request("HEAD", path, user="nonadmin")
    assert {k: head.headers.get(k) for k in ORIGINAL} == ORIGINAL
    assert http_api.request("POST", path, user="nonadmin",
                            headers={"X-Container-Read": "test2"}).status == 204
    assert _owner_view(http_api, cont)["X-Container-Read"] == "test2"
    acct_head = http_api.request("HEAD", http_api.path(account=account), user="nonadmin")
    assert acct_head.headers["X-Account-Access-Control"] == '{"admin":["%s"]}' % RW_USER


def test_read_only_users_cannot_write_containers(http_api, granted):
    account, cont, grant = granted
    grant("read-only")
    path = http_api.path(cont, account=account)
    assert http_api.request("POST", path, user="nonadmin",
                            headers={"X-Container-Read": RW_USER}).status == 403
    assert _owner_view(http_api, cont) == ORIGINAL


@pytest.mark.parametrize("acl, reason", [
    ("{bad", "Syntax error in input ('{bad')"),
    ('["x"]', "Syntax error in input ('[\"x\"]')"),
    ('{"foo":["x"]}', 'Key "foo" not recognized'),
    ('{"admin":"x"}', 'Value for key "admin" must be a list'),
    ('{"admin":[1]}', 'Elements of "admin" list must be strings')])
def test_an_invalid_account_acl_is_400_with_swifts_text(http_api, acl, reason):
    resp = http_api.request("POST", http_api.path(), headers={"X-Account-Access-Control": acl})
    assert resp.status == 400
    assert resp.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert resp.body.decode() == "X-Account-Access-Control invalid: %s\n\nInput: %s\n" % (
        reason, acl)
    head = http_api.request("HEAD", http_api.path())
    assert head.headers.get("X-Account-Access-Control") is None
