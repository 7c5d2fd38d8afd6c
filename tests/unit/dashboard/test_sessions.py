import time

from objstore.dashboard import sessions


def test_cookie_is_httponly_and_samesite_strict():
    value = sessions.session_cookie("abc", 60)
    assert value.startswith("objstore_dashboard=abc;")
    assert "HttpOnly" in value and "SameSite=Strict" in value and "Max-Age=60" in value


def test_session_id_is_found_among_other_cookies():
    assert sessions.cookie_session_id("a=1; objstore_dashboard=xyz; b=2") == "xyz"
    assert sessions.cookie_session_id("objstore_dashboardx=xyz") is None
    assert sessions.cookie_session_id("objstore_dashboard=") is None
    assert sessions.cookie_session_id("") is None


def test_store_knows_only_its_own_live_sessions():
    store = sessions.SessionStore(ttl=60)
    sid = store.create("test:tester", "http://127.0.0.1:8080/v1/AUTH_test")
    assert store.get(sid).user == "test:tester"
    assert store.get(sid + "x") is None and store.get(None) is None
    store.drop(sid)
    assert store.get(sid) is None


def test_expired_sessions_are_refused():
    store = sessions.SessionStore(ttl=60)
    sid = store.create("admin:admin", "http://x/v1/AUTH_admin")
    store._sessions[sid].expires = time.time() - 1
    assert store.get(sid) is None


def test_login_refuses_a_user_without_account_before_asking_anyone():
    for user, key in (("tester", "testing"), ("", "x"), ("a:b", "")):
        try:
            sessions.check_admin_login("http://127.0.0.1:1/auth/v1.0", user, key)
        except sessions.LoginRefused as err:
            assert "account:user" in str(err)
        else:
            raise AssertionError("login of %r was accepted" % user)


def test_login_names_an_auth_endpoint_that_does_not_answer():
    try:
        sessions.check_admin_login("http://127.0.0.1:1/auth/v1.0", "a:b", "c", timeout=1)
    except sessions.LoginRefused as err:
        assert "does not answer" in str(err)
    else:
        raise AssertionError("login without a proxy was accepted")
