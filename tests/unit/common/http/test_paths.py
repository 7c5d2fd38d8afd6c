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


def test_a_path_is_split_once_per_environ_until_it_changes():
    from types import MappingProxyType
    from objstore.common.http import paths
    calls = []
    real = paths._split

    def counting(raw):
        calls.append(raw)
        return real(raw)
    paths._split = counting
    try:
        env = {"PATH_INFO": "/v1/AUTH_a/c/o"}
        assert [split_swift_path(env) for _ in range(3)] == [("AUTH_a", "c", "o")] * 3
        assert calls == ["/v1/AUTH_a/c/o"]
        env["PATH_INFO"] = "/v1/AUTH_a/c2"  # a middleware rewrote it
        assert split_swift_path(env) == ("AUTH_a", "c2", None)
        env["PATH_INFO"] = "/v2/AUTH_a"
        assert split_swift_path(env) is None and split_swift_path(env) is None
        assert len(calls) == 3
        frozen = MappingProxyType({"PATH_INFO": "/v1/AUTH_b"})  # nothing can be kept in it
        assert split_swift_path(frozen) == ("AUTH_b", None, None)
    finally:
        paths._split = real
