"""Puts the shared cache client in ``env['swift.cache']``.

Everything to the right of this middleware (tempauth's tokens, the proxy's
account/container existence cache, rate limits) finds the cache there.
With ``memcache_servers`` empty each worker gets an in-process cache
instead, so a single-process proxy works with no memcached at all.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable

from objstore.common.memcached import cache_from_conf

CACHE_ENV_KEY = "swift.cache"


class MemcacheMiddleware:
    """Share one cache client (and its connection pools) for all requests."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.cache = cache_from_conf(conf)

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        env[CACHE_ENV_KEY] = self.cache
        return self.app(env, start_response)


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: MemcacheMiddleware(app, conf)
