from objstore.common import info
from objstore.common.memcached import LocalCache


class _CountingCache(LocalCache):
    def __init__(self):
        super().__init__()
        self.asked = []

    def get(self, key, raise_on_error=False):
        self.asked.append([key])
        return super().get(key, raise_on_error)

    def get_multi(self, keys):
        self.asked.append(list(keys))
        return {k: v for k, v in ((k, LocalCache.get(self, k)) for k in keys) if v is not None}


def _no_backend(env, start_response):
    raise AssertionError("asked a backend server")


def test_a_containers_account_info_comes_from_the_cache_in_the_same_round_trip():
    cache = _CountingCache()
    account = {"status": 204, "container_count": 3, "sysmeta": {}}
    container = {"status": 204, "object_count": 1, "sysmeta": {}}
    cache.set(info.cache_key("AUTH_a"), account)
    cache.set(info.cache_key("AUTH_a", "c"), container)
    env = {"swift.cache": cache}
    assert info.get_container_info(env, _no_backend, "AUTH_a", "c") == container
    assert info.get_account_info(env, _no_backend, "AUTH_a") == account
    assert info.get_container_info(env, _no_backend, "AUTH_a", "c") == container
    assert cache.asked == [["container/AUTH_a/c", "account/AUTH_a"]]


def test_an_account_the_cache_does_not_hold_is_looked_up_as_before():
    cache = _CountingCache()
    container = {"status": 204, "object_count": 1, "sysmeta": {}}
    cache.set(info.cache_key("AUTH_a", "c"), container)
    env = {"swift.cache": cache}
    assert info.get_container_info(env, _no_backend, "AUTH_a", "c") == container
    assert "account/AUTH_a" not in env[info.INFOCACHE_KEY]
    cache.set(info.cache_key("AUTH_a"), {"status": 204, "sysmeta": {}})
    assert info.get_account_info(env, _no_backend, "AUTH_a")["status"] == 204
    assert cache.asked == [["container/AUTH_a/c", "account/AUTH_a"], ["account/AUTH_a"]]


def test_an_accounts_info_asked_first_brings_the_requests_container_along():
    cache = _CountingCache()
    account = {"status": 204, "container_count": 3, "sysmeta": {}}
    container = {"status": 204, "object_count": 1, "sysmeta": {}}
    cache.set(info.cache_key("AUTH_a"), account)
    cache.set(info.cache_key("AUTH_a", "c"), container)
    env = {"swift.cache": cache, "PATH_INFO": "/v1/AUTH_a/c/o"}
    assert info.get_account_info(env, _no_backend, "AUTH_a") == account
    assert info.get_container_info(env, _no_backend, "AUTH_a", "c") == container
    assert cache.asked == [["account/AUTH_a", "container/AUTH_a/c"]]
    other = {"swift.cache": cache, "PATH_INFO": "/v1/AUTH_b/c/o"}  # not this account's
    info.get_account_info(other, _no_backend, "AUTH_a")
    assert cache.asked[-1] == ["account/AUTH_a"]
