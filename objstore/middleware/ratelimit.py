"""ratelimit: keep one tenant from starving the rest, as Swift's ratelimit.

Limits, in requests per second, counted in the shared cache
(``env['swift.cache']``: memcached, so all proxy workers and proxies count
together; see ``objstore.common.ratelimit`` for the counter):

* ``account_ratelimit``: container PUTs and DELETEs per account;
* ``container_ratelimit_<size> = <rate>``: object PUT/POST/DELETE/COPY per
  container, by the container's object count (no limit below the smallest
  size given, a straight line between sizes, the last rate beyond);
* ``container_listing_ratelimit_<size> = <rate>``: container GETs (listings)
  per container, the same way.

A request over a limit sleeps until its turn (a green-thread sleep: the
worker keeps serving others); one that would sleep longer than
``max_sleep_time_seconds`` is answered ``498 Rate Limited`` / ``Slow down``
at once. Sleeps longer than ``log_sleep_time_seconds`` (0: never) are
logged. ``account_whitelist`` accounts are never limited;
``account_blacklist`` accounts get ``497 Blacklisted`` for everything.
Without a cache in the environment nothing is limited.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from objstore.common import concurrency, logs, registry
from objstore.common.config import config_float
from objstore.common.http.errors import swift_error
from objstore.common.info import get_container_info
from objstore.common.ratelimit import RateLimited, parse_size_rates, rate_for_size, wait_for_slot
from objstore.middleware.quota import split_target

StartResponse = Callable[..., Any]
WRITE_METHODS = ("PUT", "POST", "DELETE", "COPY")
SLOW_DOWN = "Slow down"
BLACKLISTED = "Your account has been blacklisted"


def _names(value: str) -> frozenset:
    return frozenset(name.strip() for name in (value or "").split(",") if name.strip())


class RateLimitMiddleware:
    """Sleep or refuse requests past the configured rates."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.logger = logs.get_logger(conf, "ratelimit")
        self.account_rate = config_float(conf, "account_ratelimit", 0.0)
        self.max_sleep = config_float(conf, "max_sleep_time_seconds", 60.0)
        self.log_sleep = config_float(conf, "log_sleep_time_seconds", 0.0)
        self.rate_buffer = config_float(conf, "rate_buffer_seconds", 5.0)
        self.whitelist = _names(conf.get("account_whitelist", ""))
        self.blacklist = _names(conf.get("account_blacklist", ""))
        self.container_rates = parse_size_rates(conf, "container_ratelimit_")
        self.listing_rates = parse_size_rates(conf, "container_listing_ratelimit_")
        registry.register_info(
            "ratelimit", account_ratelimit=self.account_rate,
            max_sleep_time_seconds=self.max_sleep,
            container_ratelimits=[list(pair) for pair in self.container_rates],
            container_listing_ratelimits=[list(pair) for pair in self.listing_rates])

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        target = split_target(env)
        cache = env.get("swift.cache")
        if target is None or cache is None:
            return self.app(env, start_response)
        account = target[0]
        if account in self.blacklist:
            self.logger.info("Returning 497 because of blacklisting: %s", account)
            return swift_error(497, BLACKLISTED)(env, start_response)
        if account in self.whitelist:
            return self.app(env, start_response)
        for key, rate in self._limits(env, *target):
            try:
                wait = wait_for_slot(cache, key, rate, self.max_sleep, self.rate_buffer)
            except RateLimited as err:
                self.logger.error("Returning 498 for %s (%s): max sleep %.1f s < %.3f s",
                                  key, env.get("REQUEST_METHOD"), self.max_sleep, err.wait)
                return swift_error(498, SLOW_DOWN)(env, start_response)
            except Exception as err:  # the cache is down: serve rather than fail
                self.logger.warning("ratelimit: cache error for %s: %s", key, err)
                continue
            if wait > 0:
                if self.log_sleep and wait > self.log_sleep:
                    self.logger.info("Ratelimit sleep log: %.3f s for %s (%s)", wait, key,
                                     env.get("REQUEST_METHOD"))
                concurrency.sleep(wait)
        return self.app(env, start_response)

    def _limits(self, env: Dict[str, Any], account: str, container: Optional[str],
                obj: Optional[str]) -> List[Tuple[str, float]]:
        """``(cache key, rate)`` of every limit this request counts against."""
        method = env.get("REQUEST_METHOD")
        limits: List[Tuple[str, float]] = []
        if container is None:
            return limits
        if obj is None and method in ("PUT", "DELETE") and self.account_rate > 0:
            limits.append(("ratelimit/%s" % account, self.account_rate))
        if obj is not None and method in WRITE_METHODS and self.container_rates:
            rate = self._rate(env, account, container, self.container_rates)
            if rate:
                limits.append(("ratelimit/%s/%s" % (account, container), rate))
        if obj is None and method == "GET" and self.listing_rates:
            rate = self._rate(env, account, container, self.listing_rates)
            if rate:
                limits.append(("ratelimit_listing/%s/%s" % (account, container), rate))
        return limits

    def _rate(self, env: Dict[str, Any], account: str, container: str,
              size_rates: List[Tuple[int, float]]) -> Optional[float]:
        info = get_container_info(env, self.app, account, container)
        if not 200 <= info["status"] < 300:
            return None
        return rate_for_size(size_rates, int(info.get("object_count") or 0))


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: RateLimitMiddleware(app, conf)
