from objstore.common.http.paths import split_swift_path


def test_a_v1_path_names_account_container_and_object_as_text():
    assert split_swift_path({"PATH_INFO": "/v1/AUTH_a"}) == ("AUTH_a", None, None)
    assert split_swift_path({"PATH_INFO": "/v1/AUTH_a/"}) == ("AUTH_a", None, None)
    assert split_swift_path({"PATH_INFO": "/v1/AUTH_a/c/"}) == ("AUTH_a", "c", None)
    assert split_swift_path({"PATH_INFO": "/v1/AUTH_a/c/o/p"}) == ("AUTH_a", "c", "o/p")
    # WSGI hands the path over as latin-1 code points of its UTF-8 bytes
    assert split_swift_path({"PATH_INFO": "/v1/AUTH_a/caf\xc3\xa9"}) == ("AUTH_a", "caf\u00e9", None)


def test_anything_else_is_none():
    for path in ("/auth/v1.0", "/info", "/v1", "/v1/", "/v2/AUTH_a/c", "/v1/AUTH_a/\xff", ""):
        assert split_swift_path({"PATH_INFO": path}) is None
    assert split_swift_path({}) is None
