from webob.headers import ResponseHeaders

from objstore.common import owner_headers

ACL = '{"admin":["test:tester3"]}'


def _account_answer():
    return ResponseHeaders([("X-Account-Sysmeta-Core-Access-Control", ACL),
                            ("X-Account-Meta-Temp-Url-Key", "secret"),
                            ("X-Account-Meta-Color", "red")])


def _auth(**more):
    return dict({"swift.authorize": lambda req: None}, **more)


def test_an_owner_sees_the_account_acl_and_the_temp_url_key():
    headers = _account_answer()
    owner_headers.show_account_headers(_auth(swift_owner=True), headers)
    assert headers["X-Account-Access-Control"] == ACL
    assert headers["X-Account-Meta-Temp-Url-Key"] == "secret"


def test_a_non_owner_sees_neither_the_account_acl_nor_the_temp_url_keys():
    headers = _account_answer()
    owner_headers.show_account_headers(_auth(), headers)
    assert "X-Account-Access-Control" not in headers
    assert "X-Account-Meta-Temp-Url-Key" not in headers
    assert headers["X-Account-Meta-Color"] == "red"


def test_the_info_lookup_keeps_the_keys_the_middlewares_read():
    headers = _account_answer()
    owner_headers.show_account_headers(_auth(**{"swift.source": "GET_INFO"}), headers)
    assert headers["X-Account-Meta-Temp-Url-Key"] == "secret"
    assert "X-Account-Access-Control" not in headers


def test_a_non_owner_sees_no_container_acl_sync_key_or_temp_url_key():
    headers = ResponseHeaders([("X-Container-Read", ".r:*"), ("X-Container-Sync-Key", "k"),
                               ("X-Container-Meta-Temp-URL-Key-2", "s"),
                               ("X-Container-Meta-Color", "red")])
    owner_headers.show_container_headers(_auth(), headers)
    assert list(headers.items()) == [("X-Container-Meta-Color", "red")]


def test_without_an_auth_middleware_everyone_is_shown_everything():
    headers = ResponseHeaders([("X-Container-Read", ".r:*")])
    owner_headers.show_container_headers({}, headers)
    assert headers["X-Container-Read"] == ".r:*"
