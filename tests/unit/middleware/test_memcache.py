from webob import Request, Response

from objstore.common import registry
from objstore.common.memcached import LocalCache, MemcacheRing
from objstore.middleware.memcache import filter_factory


def _seen_cache(app):
    seen = {}

    def inner(env, start_response):
        seen["cache"] = env.get("swift.cache")
        return Response(body=b"ok")(env, start_response)
    mw = filter_factory({})(inner) if app is None else app(inner)
    Request.blank("/v1/AUTH_test").get_response(mw)
    return mw, seen["cache"]


def test_no_servers_gives_every_request_the_same_local_cache():
    registry.reset_info()
    mw, cache = _seen_cache(filter_factory({}, memcache_servers=""))
    assert isinstance(cache, LocalCache)
    assert mw.cache is cache
    assert registry.get_info() == {}


def test_configured_servers_give_a_memcache_ring():
    _mw, cache = _seen_cache(filter_factory({}, memcache_servers="127.0.0.1:11211",
                                            io_timeout="0.5"))
    assert isinstance(cache, MemcacheRing)
    assert cache.io_timeout == 0.5
