"""Container ACLs (X-Container-Read / X-Container-Write) under TempAuth.

Per the Swift ACL overview: a read ACL naming a user lets that user GET/HEAD
objects and list the container; ``.r:<referrer>`` lets anonymous requests
GET objects, and ``.rlistings`` adds anonymous listing; a write ACL lets the
user PUT/POST/DELETE objects but not read them nor change the container.
Anonymous requests that are denied get 401, authenticated ones 403.
"""

import pytest


def set_acl(http_api, container, **acls):
    headers = {"X-Container-%s" % k.title(): v for k, v in acls.items()}
    resp = http_api.request("POST", http_api.path(container), headers=headers)
    assert resp.status == 204, (resp.status, resp.body)


@pytest.fixture
def shared(http_api, container):
    """A container of test:tester's account holding object ``o`` (b"secret")."""
    assert http_api.request("PUT", http_api.path(container, "o"), body=b"secret").status == 201
    return container


def as_user(http_api, user, method, *parts, **kw):
    account = http_api.path().rsplit("/", 1)[1]  # AUTH_test, whoever asks
    return http_api.request(method, http_api.path(*parts, account=account), user=user, **kw)


def test_non_admin_gets_403_without_an_acl(http_api, shared):
    assert as_user(http_api, "nonadmin", "GET", shared, "o").status == 403
    assert as_user(http_api, "nonadmin", "HEAD", shared, "o").status == 403
    assert as_user(http_api, "nonadmin", "GET", shared).status == 403
    assert as_user(http_api, "nonadmin", "PUT", shared, "new", body=b"x").status == 403
    assert as_user(http_api, "nonadmin", "DELETE", shared, "o").status == 403


def test_read_acl_for_a_user_allows_object_reads_and_listing(http_api, shared):
    set_acl(http_api, shared, read="test:tester3")
    got = http_api.eventually(lambda: as_user(http_api, "nonadmin", "GET", shared, "o"), 200)
    assert got.status == 200
    assert got.body == b"secret"
    assert as_user(http_api, "nonadmin", "HEAD", shared, "o").status == 200
    listing = as_user(http_api, "nonadmin", "GET", shared)
    assert listing.status == 200
    assert listing.body == b"o\n"


def test_read_acl_does_not_allow_writes(http_api, shared):
    set_acl(http_api, shared, read="test:tester3")
    http_api.eventually(lambda: as_user(http_api, "nonadmin", "GET", shared, "o"), 200)
    assert as_user(http_api, "nonadmin", "PUT", shared, "new", body=b"x").status == 403
    assert as_user(http_api, "nonadmin", "DELETE", shared, "o").status == 403
    assert as_user(http_api, "nonadmin", "POST", shared, "o",
                   headers={"X-Object-Meta-A": "b"}).status == 403


def test_read_acl_holders_do_not_see_the_acls(http_api, shared):
    set_acl(http_api, shared, read="test:tester3", write="test:tester3")
    head = http_api.eventually(lambda: as_user(http_api, "nonadmin", "HEAD", shared), 204)
    assert head.status == 204
    assert head.headers.get("X-Container-Read") is None
    assert head.headers.get("X-Container-Write") is None
    owner = http_api.request("HEAD", http_api.path(shared))
    assert owner.headers["X-Container-Read"] == "test:tester3"
    assert owner.headers["X-Container-Write"] == "test:tester3"


def test_write_acl_allows_object_put_and_delete_but_not_reads(http_api, shared):
    set_acl(http_api, shared, write="test:tester3")
    put = http_api.eventually(lambda: as_user(http_api, "nonadmin", "PUT", shared, "w", body=b"w"), 201)
    assert put.status == 201
    assert http_api.request("GET", http_api.path(shared, "w")).body == b"w"
    assert as_user(http_api, "nonadmin", "GET", shared, "w").status == 403
    assert as_user(http_api, "nonadmin", "GET", shared).status == 403
    assert as_user(http_api, "nonadmin", "DELETE", shared, "w").status == 204


def test_write_acl_does_not_allow_changing_the_container(http_api, shared):
    set_acl(http_api, shared, write="test:tester3")
    http_api.eventually(lambda: as_user(http_api, "nonadmin", "PUT", shared, "w", body=b"w"), 201)
    assert as_user(http_api, "nonadmin", "POST", shared,
                   headers={"X-Container-Read": "test:tester3"}).status == 403
    assert as_user(http_api, "nonadmin", "DELETE", shared).status == 403


def test_read_acl_can_name_a_user_of_another_account(http_api, shared):
    assert as_user(http_api, "other", "GET", shared, "o").status == 403
    set_acl(http_api, shared, read="test2:tester2")
    got = http_api.eventually(lambda: as_user(http_api, "other", "GET", shared, "o"), 200)
    assert got.status == 200
    assert got.body == b"secret"


def test_any_referrer_acl_allows_anonymous_object_get_but_not_listing(http_api, shared):
    assert as_user(http_api, None, "GET", shared, "o").status == 401
    set_acl(http_api, shared, read=".r:*")
    got = http_api.eventually(lambda: as_user(http_api, None, "GET", shared, "o"), 200)
    assert got.status == 200
    assert got.body == b"secret"
    assert as_user(http_api, None, "GET", shared).status == 401
    assert as_user(http_api, None, "PUT", shared, "anon", body=b"x").status == 401


def test_rlistings_allows_anonymous_listing(http_api, shared):
    set_acl(http_api, shared, read=".r:*,.rlistings")
    listing = http_api.eventually(lambda: as_user(http_api, None, "GET", shared), 200)
    assert listing.status == 200
    assert listing.body == b"o\n"
    assert as_user(http_api, None, "GET", shared, "o").body == b"secret"


def test_referrer_acl_checks_the_referer_header(http_api, shared):
    set_acl(http_api, shared, read=".r:.example.com")
    allowed = http_api.eventually(lambda: as_user(http_api, None, "GET", shared, "o",
                                                headers={"Referer": "http://www.example.com/page"}), 200)
    assert allowed.status == 200
    assert as_user(http_api, None, "GET", shared, "o",
                   headers={"Referer": "http://www.example.org/page"}).status == 401
    assert as_user(http_api, None, "GET", shared, "o").status == 401


def test_removing_the_acl_revokes_access(http_api, shared):
    set_acl(http_api, shared, read="test:tester3")
    http_api.eventually(lambda: as_user(http_api, "nonadmin", "GET", shared, "o"), 200)
    set_acl(http_api, shared, read="")
    assert http_api.eventually(lambda: as_user(http_api, "nonadmin", "GET", shared, "o"), 403).status == 403


@pytest.mark.parametrize("header,value", [
    ("X-Container-Read", ".r:"),            # no referrer after the designator
    ("X-Container-Read", ".unknown:thing"),  # unknown designator
    ("X-Container-Write", ".r:*"),          # referrers are not allowed in write ACLs
])
def test_bad_acl_syntax_returns_400_with_a_message(http_api, container, header, value):
    resp = http_api.request("POST", http_api.path(container), headers={header: value})
    assert resp.status == 400
    assert b"acl" in resp.body.lower(), resp.body
    resp = http_api.request("PUT", http_api.path(container), headers={header: value})
    assert resp.status == 400
