import json
import time

import pytest
from webob import Request, Response

from objstore.common import registry
from objstore.common.config import ConfigError
from objstore.common.memcached import LocalCache
from objstore.middleware.tempauth import TempAuth, filter_factory, parse_users

SAIO_USERS = {
    "reseller_prefix": "AUTH",
    "token_life": "86400",
    "user_admin_admin": "admin .admin .reseller_admin",
    "user_test_tester": "testing .admin",
    "user_test2_tester2": "testing2 .admin",
    "user_test_tester3": "testing3",
    "user_test5_tester5": "testing5 service",
}


class FakeProxy:
    """Stands in for the proxy app: sets req.acl like the proxy does (from
    the request's test.acl env key) and asks swift.authorize."""

    def __call__(self, env, start_response):
        req = Request(env)
        req.acl = env.get("test.acl")
        authorize = env.get("swift.authorize")
        if authorize:
            denied = authorize(req)
            if denied is not None:
                return denied(env, start_response)
        body = json.dumps({"owner": bool(env.get("swift.owner")),
                           "remote_user": env.get("REMOTE_USER")}).encode()
        return Response(body=body, content_type="application/json")(env, start_response)


@pytest.fixture
def cache():
    return LocalCache()


@pytest.fixture
def auth(cache):
    mw = filter_factory({}, **SAIO_USERS)(FakeProxy())

    def app(env, start_response):
        env["swift.cache"] = cache
        return mw(env, start_response)
    app.mw = mw
    return app


def get_token(app, user="test:tester", key="testing", **headers):
    headers.update({"X-Auth-User": user, "X-Auth-Key": key})
    return Request.blank("/auth/v1.0", headers=headers).get_response(app)


def token_for(app, user, key):
    resp = get_token(app, user, key)
    assert resp.status_int == 200, resp.body
    return resp.headers["X-Auth-Token"]


def call(app, path, method="GET", token=None, acl=None, **headers):
    if token:
        headers["X-Auth-Token"] = token
    req = Request.blank(path, method=method, headers=headers)
    if acl is not None:
        req.environ["test.acl"] = acl
    return req.get_response(app)


# -- getting a token --------------------------------------------------------

def test_good_credentials_get_a_token_and_storage_url(auth):
    resp = get_token(auth)
    assert resp.status_int == 200
    token = resp.headers["X-Auth-Token"]
    assert token.startswith("AUTH_tk") and len(token) == len("AUTH_tk") + 32
    assert resp.headers["X-Storage-Token"] == token
    assert resp.headers["X-Storage-Url"] == "http://localhost:80/v1/AUTH_test"
    assert 86390 < int(resp.headers["X-Auth-Token-Expires"]) <= 86400
    # as Swift: all in the headers, an empty text/html body
    assert (resp.body, resp.headers["Content-Type"]) == (b"", "text/html; charset=UTF-8")


def test_only_get_hands_out_tokens_as_in_swift(auth):
    for method in ("HEAD", "POST"):
        resp = Request.blank("/auth/v1.0", method=method, headers={
            "X-Auth-User": "test:tester", "X-Auth-Key": "testing"}).get_response(auth)
        assert resp.status_int == 405 and "X-Auth-Token" not in resp.headers


def test_a_failed_login_names_the_account_as_realm_or_unknown(auth):
    for user, realm in (("test:tester", "test"), ("tester", "unknown"), ("nobody:x", "nobody")):
        resp = Request.blank("/auth/v1.0", headers={"X-Auth-User": user,
                                                    "X-Auth-Key": "wrong"}).get_response(auth)
        assert (resp.status_int, resp.headers["WWW-Authenticate"]) == (
            401, 'Swift realm="%s"' % realm)


@pytest.mark.parametrize("path", ["/auth/v1.0", "/auth/v1.0/", "/auth/auth", "/auth/v1.0/x/y"])
def test_every_v1_auth_path_and_the_storage_header_spelling_work(auth, path):
    resp = Request.blank(path, headers={"X-Storage-User": "test:tester",
                                        "X-Storage-Pass": "testing",
                                        "Host": "proxy.example.com:8080"}).get_response(auth)
    assert resp.status_int == 200
    assert resp.headers["X-Storage-Url"] == "http://proxy.example.com:8080/v1/AUTH_test"


@pytest.mark.parametrize("user, key, status", [
    ("test:tester", "testing", 200), ("tester", "testing", 401),
    ("test2:tester2", "testing2", 401), ("", "testing", 401)])
def test_the_path_form_takes_a_user_of_its_own_account(auth, user, key, status):
    # each key is its user's own: a 401 is the account in the path refusing
    resp = Request.blank("/auth/v1/test/auth", headers={
        "X-Auth-User": user, "X-Auth-Key": key}).get_response(auth)
    assert resp.status_int == status
    if status == 401:
        assert resp.headers["Www-Authenticate"] == 'Swift realm="test"'


@pytest.mark.parametrize("path, status", [
    ("/auth/", 404), ("/auth//v1.0", 404), ("/auth/v1/test/auth/", 400), ("/auth/foo", 400)])
def test_auth_paths_swift_does_not_know(auth, path, status):
    resp = Request.blank(path, headers={"X-Auth-User": "test:tester",
                                        "X-Auth-Key": "testing"}).get_response(auth)
    assert resp.status_int == status


def test_v1_0_alone_is_no_auth_path(auth):
    resp = Request.blank("/v1.0", headers={"X-Auth-User": "test:tester",
                                           "X-Auth-Key": "testing"}).get_response(auth)
    assert "X-Auth-Token" not in resp.headers


@pytest.mark.parametrize("user, key", [
    ("test:tester", "wrong"), ("test:nobody", "testing"), ("tester", "testing"),
    ("test:tester", ""), ("", "testing")])
def test_bad_credentials_get_401(auth, user, key):
    resp = get_token(auth, user, key)
    assert resp.status_int == 401
    assert "X-Auth-Token" not in resp.headers
    assert resp.headers["Www-Authenticate"].startswith("Swift realm=")


def test_auth_paths_reject_other_methods_and_unknown_subpaths(auth):
    assert Request.blank("/auth/v1.0", method="PUT").get_response(auth).status_int == 405
    assert Request.blank("/auth/v2/tokens").get_response(auth).status_int == 400


def test_a_second_login_reuses_the_token_unless_a_new_one_is_asked_for(auth):
    first = token_for(auth, "test:tester", "testing")
    assert token_for(auth, "test:tester", "testing") == first
    fresh = get_token(auth, **{"X-Auth-New-Token": "true"}).headers["X-Auth-Token"]
    assert fresh != first
    assert call(auth, "/v1/AUTH_test", token=first).status_int == 200


def test_storage_url_scheme_and_a_configured_url_are_honoured(cache):
    conf = dict(SAIO_USERS, storage_url_scheme="https",
                user_other_u="k http://elsewhere:9000/v1/AUTH_other")
    mw = filter_factory({}, **conf)(FakeProxy())
    resp = Request.blank("/auth/v1.0", headers={"X-Auth-User": "test:tester",
                                                "X-Auth-Key": "testing"}).get_response(mw)
    assert resp.headers["X-Storage-Url"] == "https://localhost:80/v1/AUTH_test"
    resp = Request.blank("/auth/v1.0", headers={"X-Auth-User": "other:u",
                                                "X-Auth-Key": "k"}).get_response(mw)
    assert resp.headers["X-Storage-Url"] == "http://elsewhere:9000/v1/AUTH_other"


def test_a_token_from_one_worker_is_accepted_by_another_sharing_the_cache(auth, cache):
    token = token_for(auth, "test:tester", "testing")
    other_worker = filter_factory({}, **SAIO_USERS)(FakeProxy())
    req = Request.blank("/v1/AUTH_test", headers={"X-Auth-Token": token})
    req.environ["swift.cache"] = cache
    assert req.get_response(other_worker).status_int == 200


class _CountingCache(LocalCache):
    """A shared cache that counts the token look-ups it is asked."""

    def __init__(self):
        super().__init__()
        self.token_gets = 0

    def get(self, key, raise_on_error=False):
        self.token_gets += "/token/" in key
        return super().get(key, raise_on_error)


def test_a_worker_answers_a_token_it_knows_without_asking_the_cache():
    shared = _CountingCache()
    issuer, other = (filter_factory({}, **SAIO_USERS)(FakeProxy()) for _ in range(2))

    def ask(worker, token):
        req = Request.blank("/v1/AUTH_test", headers={"X-Auth-Token": token})
        req.environ["swift.cache"] = shared
        return req.get_response(worker).status_int
    req = Request.blank("/auth/v1.0", headers={"X-Auth-User": "test:tester",
                                               "X-Auth-Key": "testing"})
    req.environ["swift.cache"] = shared
    token = req.get_response(issuer).headers["X-Auth-Token"]
    shared.token_gets = 0
    assert [ask(issuer, token) for _ in range(3)] == [200] * 3
    assert shared.token_gets == 0  # it issued the token
    assert [ask(other, token) for _ in range(3)] == [200] * 3
    assert shared.token_gets == 1  # the cache vouched for it once
    assert ask(other, "AUTH_tk" + "0" * 32) == 401  # an unknown token is still asked for
    assert shared.token_gets == 2


def test_an_expired_token_gets_401(auth, cache, monkeypatch):
    token = token_for(auth, "test:tester", "testing")
    later = time.time() + 86401
    monkeypatch.setattr("objstore.middleware.tempauth.time.time", lambda: later)
    resp = call(auth, "/v1/AUTH_test", token=token)
    assert resp.status_int == 401
    assert resp.headers["Www-Authenticate"] == 'Swift realm="AUTH_test"'
    # and a new login gets a new token rather than the expired one
    assert token_for(auth, "test:tester", "testing") != token


def test_the_realm_of_an_account_from_the_path_is_quoted_as_the_path_is(auth):
    hax = 'AUTH_haxx"\nContent-Length: 14\n\n<b>Hello World'
    req = Request.blank("/v1/x")
    req.environ["PATH_INFO"] = "/v1/" + hax
    resp = req.get_response(auth)
    assert resp.status_int == 401
    assert resp.headers["Www-Authenticate"] == (
        'Swift realm="AUTH_haxx%22%0AContent-Length%3A%2014%0A%0A%3Cb%3EHello%20World"')
    req = Request.blank("/v1/x")
    req.environ["PATH_INFO"] = "/v1/AUTH_\xc3\xa9/c"  # UTF-8 as a WSGI string
    assert req.get_response(auth).headers["Www-Authenticate"] == 'Swift realm="AUTH_%C3%A9"'
    # an unknown token of ours: the account as received (as Swift names it there)
    req = Request.blank("/v1/x", headers={"X-Auth-Token": "AUTH_tkdeadbeef"})
    req.environ["PATH_INFO"] = "/v1/AUTH_\xc3\xa9/c"
    assert req.get_response(auth).headers["Www-Authenticate"] == 'Swift realm="AUTH_\xc3\xa9"'
    req.environ["PATH_INFO"] = "/v1/" + hax
    assert "%0A" in req.get_response(auth).headers["Www-Authenticate"]  # never a raw LF


def test_an_unknown_token_with_our_prefix_gets_401_before_reaching_the_proxy(cache):
    reached = []
    mw = filter_factory({}, **SAIO_USERS)(lambda env, sr: reached.append(1))
    req = Request.blank("/v1/AUTH_test/c", headers={"X-Auth-Token": "AUTH_tkdeadbeef"})
    req.environ["swift.cache"] = cache
    assert req.get_response(mw).status_int == 401
    assert reached == []


# -- who the caller is ------------------------------------------------------

def test_groups_of_an_admin_include_the_account_id(auth):
    token = token_for(auth, "test:tester", "testing")
    body = call(auth, "/v1/AUTH_test", token=token).json
    assert body == {"owner": True, "remote_user": "test:tester,test,AUTH_test"}


def test_a_service_token_adds_the_service_users_groups(auth):
    user = token_for(auth, "test:tester3", "testing3")
    service = token_for(auth, "test5:tester5", "testing5")
    body = call(auth, "/v1/AUTH_test/c/o", token=user, acl="test:tester3",
                **{"X-Service-Token": service}).json
    assert body["remote_user"] == "test:tester3,test,test5:tester5,test5,service"


def test_a_required_group_guards_a_service_prefix(cache):
    conf = dict(SAIO_USERS, reseller_prefix="AUTH, SERVICE", SERVICE_require_group="service")
    mw = filter_factory({}, **conf)(FakeProxy())

    def run(path, **headers):
        req = Request.blank(path, headers=headers)
        req.environ["swift.cache"] = cache
        return req.get_response(mw)
    user = run("/auth/v1.0", **{"X-Auth-User": "test:tester",
                                "X-Auth-Key": "testing"}).headers["X-Auth-Token"]
    service = run("/auth/v1.0", **{"X-Auth-User": "test5:tester5",
                                   "X-Auth-Key": "testing5"}).headers["X-Auth-Token"]
    assert run("/v1/AUTH_test", **{"X-Auth-Token": user}).status_int == 200
    assert run("/v1/SERVICE_test", **{"X-Auth-Token": user}).status_int == 403
    assert run("/v1/SERVICE_test", **{"X-Auth-Token": user,
                                      "X-Service-Token": service}).status_int == 200
    # the service group alone does not make tester5 the owner of test's account
    assert run("/v1/SERVICE_test", **{"X-Auth-Token": service}).status_int == 403


def test_a_required_group_does_not_stop_a_cors_preflight(cache):
    """OPTIONS passes to the proxy (which judges CORS rules) on a prefix
    that requires a group, with or without a token, as on any other."""
    conf = dict(SAIO_USERS, reseller_prefix="AUTH, SERVICE", SERVICE_require_group="service")
    mw = filter_factory({}, **conf)(FakeProxy())

    def run(path, method="GET", **headers):
        req = Request.blank(path, environ={"REQUEST_METHOD": method}, headers=headers)
        req.environ["swift.cache"] = cache
        return req.get_response(mw)
    user = run("/auth/v1.0", **{"X-Auth-User": "test:tester",
                                "X-Auth-Key": "testing"}).headers["X-Auth-Token"]
    for path in ("/v1/SERVICE_test", "/v1/SERVICE_test/c", "/v1/SERVICE_test/c/o"):
        assert run(path, "OPTIONS", **{"X-Auth-Token": user}).status_int == 200
        assert run(path, "OPTIONS").status_int == 200
        assert run(path, **{"X-Auth-Token": user}).status_int == 403
        assert run(path).status_int == 401


def test_auth_registers_its_info_section():
    registry.reset_info()
    filter_factory({}, **SAIO_USERS)(FakeProxy())
    assert registry.get_info()["tempauth"] == {"account_acls": True}


# -- the ACL matrix ---------------------------------------------------------

@pytest.fixture
def tokens(auth):
    return {name: token_for(auth, user, key) for name, user, key in [
        ("admin", "test:tester", "testing"), ("other_admin", "test2:tester2", "testing2"),
        ("tester3", "test:tester3", "testing3"), ("reseller", "admin:admin", "admin")]}


@pytest.mark.parametrize("who, method, path, acl, status", [
    # account admins own their account, but cannot create or delete it
    ("admin", "GET", "/v1/AUTH_test", None, 200),
    ("admin", "PUT", "/v1/AUTH_test/c", None, 200),
    ("admin", "DELETE", "/v1/AUTH_test/c/o", None, 200),
    ("admin", "PUT", "/v1/AUTH_test", None, 403),
    ("admin", "DELETE", "/v1/AUTH_test", None, 403),
    ("admin", "GET", "/v1/AUTH_test2", None, 403),
    ("other_admin", "GET", "/v1/AUTH_test/c/o", None, 403),
    # a non-admin needs the container ACL
    ("tester3", "GET", "/v1/AUTH_test", None, 403),
    ("tester3", "GET", "/v1/AUTH_test/c/o", None, 403),
    ("tester3", "GET", "/v1/AUTH_test/c/o", "test:tester3", 200),
    ("tester3", "PUT", "/v1/AUTH_test/c/o", "test:tester3", 200),
    ("tester3", "GET", "/v1/AUTH_test/c", "test", 200),
    ("tester3", "GET", "/v1/AUTH_test/c/o", "test:someone_else,test2", 403),
    ("tester3", "GET", "/v1/AUTH_test/c/o", ".r:*", 200),
    ("tester3", "GET", "/v1/AUTH_test/c", ".r:*", 403),
    ("tester3", "GET", "/v1/AUTH_test/c", ".r:*,.rlistings", 200),
    # *:* admits any authenticated user, of any account, but never anonymous ones
    ("tester3", "GET", "/v1/AUTH_test/c/o", "*:*", 200),
    ("tester3", "GET", "/v1/AUTH_test/c", "*:*", 200),
    ("other_admin", "GET", "/v1/AUTH_test/c/o", "*:*", 200),
    ("other_admin", "GET", "/v1/AUTH_test/c", "*:*", 200),
    ("other_admin", "GET", "/v1/AUTH_test/c/o", "test:*", 403),
    (None, "GET", "/v1/AUTH_test/c/o", "*:*", 401),
    (None, "GET", "/v1/AUTH_test/c", "*:*", 401),
    # anonymous: only public reads; 401 otherwise
    (None, "GET", "/v1/AUTH_test/c/o", None, 401),
    (None, "GET", "/v1/AUTH_test/c/o", ".r:*", 200),
    (None, "HEAD", "/v1/AUTH_test/c/o", ".r:*", 200),
    (None, "GET", "/v1/AUTH_test/c", ".r:*", 401),
    (None, "GET", "/v1/AUTH_test/c", ".r:*,.rlistings", 200),
    (None, "GET", "/v1/AUTH_test/c/o", "test:tester3", 401),
    (None, "PUT", "/v1/AUTH_test/c/o", "test", 401),
    (None, "GET", "/v1/AUTH_test", None, 401),
    (None, "OPTIONS", "/v1/AUTH_test/c/o", None, 200),
    # the reseller admin may do anything in the reseller namespace
    ("reseller", "PUT", "/v1/AUTH_newaccount", None, 200),
    ("reseller", "DELETE", "/v1/AUTH_test", None, 200),
    ("reseller", "GET", "/v1/AUTH_test/c/o", None, 200),
    ("reseller", "GET", "/v1/OTHER_test", None, 403),
])
def test_acl_matrix(auth, tokens, who, method, path, acl, status):
    resp = call(auth, path, method=method, token=tokens.get(who), acl=acl)
    assert resp.status_int == status, resp.body
    if status == 401:
        assert "Www-Authenticate" in resp.headers


def test_owners_are_marked_swift_owner_and_acl_users_are_not(auth, tokens):
    assert call(auth, "/v1/AUTH_test/c", token=tokens["admin"]).json["owner"] is True
    assert call(auth, "/v1/AUTH_test/c", token=tokens["reseller"]).json["owner"] is True
    assert call(auth, "/v1/AUTH_test/c", token=tokens["tester3"],
                acl="test:tester3").json["owner"] is False


@pytest.mark.parametrize("referer, status", [
    ("http://www.example.com/page", 200),
    ("https://img.example.com/x", 200),
    ("http://thief.example.com/", 401),
    ("http://example.org/", 401),
    (None, 401),
])
def test_referrer_rules_allow_a_domain_but_deny_one_host(auth, referer, status):
    headers = {"Referer": referer} if referer else {}
    resp = call(auth, "/v1/AUTH_test/c/o", acl=".r:.example.com,.r:-thief.example.com",
                **headers)
    assert resp.status_int == status


def test_a_valid_token_denied_by_referrer_gets_403_not_401(auth, tokens):
    resp = call(auth, "/v1/AUTH_test/c/o", token=tokens["tester3"], acl=".r:-.example.com",
                Referer="http://a.example.com/")
    assert resp.status_int == 403


def test_requests_for_other_namespaces_are_denied_unless_someone_else_authorizes(cache):
    mw = filter_factory({}, **SAIO_USERS)(FakeProxy())
    assert Request.blank("/v1/OTHER_x/c/o").get_response(mw).status_int == 401
    env_before = {"swift.authorize": lambda req: None}
    req = Request.blank("/v1/OTHER_x/c/o", environ=env_before)
    assert req.get_response(mw).status_int == 200


def test_an_authorize_override_skips_tempauth(cache):
    mw = filter_factory({}, **SAIO_USERS)(FakeProxy())
    req = Request.blank("/v1/AUTH_test/c/o", environ={
        "swift.authorize_override": True, "swift.authorize": lambda req: None})
    assert req.get_response(mw).status_int == 200


def test_the_proxy_gets_clean_acl_to_validate_acl_headers(auth, tokens):
    seen = {}

    def proxy(env, start_response):
        seen["clean"] = env.get("swift.clean_acl")
        return Response()(env, start_response)
    mw = TempAuth(proxy, SAIO_USERS)
    Request.blank("/v1/AUTH_test/c").get_response(mw)
    assert seen["clean"]("X-Container-Read", ".ref:*") == ".r:*"


# -- configuration ----------------------------------------------------------

def test_users_parse_groups_storage_urls_and_base64_names():
    users = parse_users({"user_a_b": "key .admin g1 http://h/v1/AUTH_a",
                         "user64_dXNlcl93aXRoX3VuZGVyc2NvcmU_Ym9i": "k2",
                         "unrelated": "x"})
    assert users["a:b"].groups == [".admin", "g1"]
    assert users["a:b"].storage_url == "http://h/v1/AUTH_a"
    assert users["user_with_underscore:bob"].key == "k2"


@pytest.mark.parametrize("conf", [
    {"user_onlyaccount": "k"}, {"user_a_b": ""}, {"storage_url_scheme": "gopher"},
    {"token_life": "soon"}, {"user64_!!!_x": "k"}])
def test_bad_tempauth_config_raises_config_error(conf):
    with pytest.raises(ConfigError):
        filter_factory({}, **conf)(FakeProxy())


# -- account ACLs -----------------------------------------------------------

class AccountStoreProxy(FakeProxy):
    """A fake proxy that keeps account sysmeta, as the real one stores it."""

    def __init__(self):
        self.sysmeta = {}
        self.heads = 0

    def __call__(self, env, start_response):
        req = Request(env)
        parts = req.path_info.split("/")
        if len(parts) == 3 and req.method in ("POST", "HEAD", "GET"):
            if req.method == "HEAD":
                self.heads += 1
            denied = env["swift.authorize"](req)
            if denied is not None:
                return denied(env, start_response)
            if req.method == "POST":
                for key, value in req.headers.items():
                    if key.lower().startswith("x-account-sysmeta-"):
                        self.sysmeta[key.title()] = value
                return Response(status=204)(env, start_response)
            return Response(status=204, headers=self.sysmeta)(env, start_response)
        return super().__call__(env, start_response)


@pytest.fixture
def acct(cache):
    store = AccountStoreProxy()
    mw = filter_factory({}, **SAIO_USERS)(store)

    def app(env, start_response):
        env["swift.cache"] = cache
        return mw(env, start_response)
    app.store = store
    return app


def _set_account_acl(app, token, acl_json):
    return call(app, "/v1/AUTH_test", method="POST", token=token,
                **{"X-Account-Access-Control": acl_json})


def test_the_owner_sets_an_account_acl_and_it_is_kept_as_sysmeta(acct):
    """(The proxy shows it back to owners: tests/unit/common/test_owner_headers.)"""
    owner = token_for(acct, "test:tester", "testing")
    assert _set_account_acl(acct, owner, '{"read-only": ["test:tester3"]}').status_int == 204
    assert acct.store.sysmeta == {
        "X-Account-Sysmeta-Core-Access-Control": '{"read-only":["test:tester3"]}'}


def test_a_malformed_account_acl_is_refused_with_400(acct):
    owner = token_for(acct, "test:tester", "testing")
    resp = _set_account_acl(acct, owner, '{"read-only": "test:tester3"}')
    assert resp.status_int == 400
    assert resp.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert resp.body == (b'X-Account-Access-Control invalid: Value for key "read-only" must '
                         b'be a list\n\nInput: {"read-only": "test:tester3"}\n')
    assert acct.store.sysmeta == {}


def test_a_non_owner_cannot_set_an_account_acl(acct):
    tester3 = token_for(acct, "test:tester3", "testing3")
    assert _set_account_acl(acct, tester3, '{"admin": ["test:tester3"]}').status_int == 403
    assert acct.store.sysmeta == {}


@pytest.mark.parametrize("level, method, path, status", [
    ("read-only", "GET", "/v1/AUTH_test", 204),
    ("read-only", "GET", "/v1/AUTH_test/c/o", 200),
    ("read-only", "PUT", "/v1/AUTH_test/c/o", 403),
    ("read-write", "PUT", "/v1/AUTH_test/c/o", 200),
    ("read-write", "DELETE", "/v1/AUTH_test/c", 200),
    ("read-write", "POST", "/v1/AUTH_test", 403),
    ("admin", "POST", "/v1/AUTH_test", 204),
    ("admin", "DELETE", "/v1/AUTH_test/c", 200),
])
def test_account_acl_levels_grant_what_they_name(acct, level, method, path, status):
    owner = token_for(acct, "test:tester", "testing")
    _set_account_acl(acct, owner, json.dumps({level: ["test:tester3"]}))
    tester3 = token_for(acct, "test:tester3", "testing3")
    assert call(acct, path, method=method, token=tester3).status_int == status


def test_account_acl_admins_are_owners_and_read_only_users_do_not_see_the_acl(acct):
    owner = token_for(acct, "test:tester", "testing")
    _set_account_acl(acct, owner, '{"admin": ["test:tester3"], "read-only": ["test2"]}')
    tester3 = token_for(acct, "test:tester3", "testing3")
    assert call(acct, "/v1/AUTH_test/c", token=tester3).json["owner"] is True
    reader = token_for(acct, "test2:tester2", "testing2")
    resp = call(acct, "/v1/AUTH_test", method="HEAD", token=reader)
    assert resp.status_int == 204
    assert "X-Account-Access-Control" not in resp.headers


def test_the_account_acl_is_read_once_per_request_and_not_for_owners(acct):
    owner = token_for(acct, "test:tester", "testing")
    call(acct, "/v1/AUTH_test/c/o", token=owner)
    assert acct.store.heads == 0
    tester3 = token_for(acct, "test:tester3", "testing3")
    req = Request.blank("/v1/AUTH_test/c/o", headers={"X-Auth-Token": tester3})
    assert req.get_response(acct).status_int == 403
    assert acct.store.heads == 1
    again = Request(req.environ)
    assert req.environ["swift.authorize"](again).status_int == 403  # the proxy asks twice
    assert acct.store.heads == 1


def test_anonymous_users_are_not_granted_anything_by_account_acls(acct):
    owner = token_for(acct, "test:tester", "testing")
    _set_account_acl(acct, owner, '{"read-only": ["test", "*"]}')
    assert call(acct, "/v1/AUTH_test/c/o").status_int == 401


def test_a_reserved_name_passes_the_anonymous_path_check_only_for_a_middleware(auth):
    """A reserved container (NUL first, common/reserved.py) in an anonymous
    request is not a bad name when a middleware's subrequest allows reserved
    names (s3api's, for a bucket's versions container; the ACLs decide
    then); without the header it is 401 like any name holding NUL."""
    path = "/v1/AUTH_test/%00versions%00bucket/obj"
    refused = Request.blank(path).get_response(auth)
    assert refused.status_int == 401
    allowed = Request.blank(path, headers={"X-Backend-Allow-Reserved-Names": "true",
                                           "Referer": "http://x"},
                            environ={"test.acl": ".r:*"}).get_response(auth)
    assert allowed.status_int == 200
    # NUL inside a name is refused even so
    inner = Request.blank("/v1/AUTH_test/bu%00cket/obj",
                          headers={"X-Backend-Allow-Reserved-Names": "true"},
                          environ={"test.acl": ".r:*"}).get_response(auth)
    assert inner.status_int == 401
