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
logged. Without a cache in the environment nothing is limited.

Per account, as Swift: the account's system metadata
``X-Account-Sysmeta-Global-Write-Ratelimit`` (hidden from users by the
gatekeeper; an operator sets it on the account servers with a direct or
internal client, never through the public API) is either

* ``WHITELIST``: the account is never limited;
* ``BLACKLIST``: every request to the account answers ``497 Blacklisted``;
* a number > 0: every write (PUT, POST, DELETE, COPY) to the account, its
  containers and objects together, is limited to that many per second,
  on top of the limits above.

The ``account_whitelist`` / ``account_blacklist`` options (comma-separated
account names) do the same from the config; Swift deprecates them in
favour of the sysmeta, and so do we (a warning at start when set).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from objstore.common import concurrency, logs, registry
from objstore.common.config import config_float
from objstore.common.http.errors import swift_error
from objstore.common.info import get_account_info, get_container_info
from objstore.common.ratelimit import RateLimited, parse_size_rates, rate_for_size, wait_for_slot
from objstore.common.http.paths import split_swift_path

StartResponse = Callable[..., Any]
WRITE_METHODS = ("PUT", "POST", "DELETE", "COPY")
SLOW_DOWN = "Slow down"
#: account sysmeta (after ``X-Account-Sysmeta-``), as Swift names it
GLOBAL_WRITE_SYSMETA = "global-write-ratelimit"
WHITELIST, BLACKLIST_WORD = "WHITELIST", "BLACKLIST"
BLACKLISTED = "Your account has been blacklisted"


def _names(value: str) -> frozenset:
    return frozenset(name.strip() for name in (value or "").split(",") if name.strip())


class RateLimitMiddleware:
    """Sleep or refuse requests past the configured rates."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str],
                 clock: Callable[[], float] = time.time) -> None:
        """``clock`` (seconds since the epoch) is what the counters are
        measured against: every proxy's clock must agree, and tests may
        stop it."""
        self.app = app
        self.clock = clock
        self.logger = logs.get_logger(conf, "ratelimit")
        self.account_rate = config_float(conf, "account_ratelimit", 0.0)
        self.max_sleep = config_float(conf, "max_sleep_time_seconds", 60.0)
        self.log_sleep = config_float(conf, "log_sleep_time_seconds", 0.0)
        self.rate_buffer = config_float(conf, "rate_buffer_seconds", 5.0)
        self.whitelist = _names(conf.get("account_whitelist", ""))
        self.blacklist = _names(conf.get("account_blacklist", ""))
        self.container_rates = parse_size_rates(conf, "container_ratelimit_")
        self.listing_rates = parse_size_rates(conf, "container_listing_ratelimit_")
        for option, word in (("account_whitelist", "WHITELIST"),
                             ("account_blacklist", "BLACKLIST")):
            if conf.get(option, "").strip():
                self.logger.warning("ratelimit: option %s is deprecated; set X-Account-Sysmeta-"
                                    "Global-Write-Ratelimit: %s on the accounts instead "
                                    "(docs/ratelimit.md)", option, word)
        registry.register_info(
            "ratelimit", account_ratelimit=self.account_rate,
            max_sleep_time_seconds=self.max_sleep,
            container_ratelimits=[list(pair) for pair in self.container_rates],
            container_listing_ratelimits=[list(pair) for pair in self.listing_rates])

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        target = split_swift_path(env)
        cache = env.get("swift.cache")
        if target is None or cache is None:
            return self.app(env, start_response)
        account = target[0]
        global_rate = self._global_write_rate(env, account)
        if account in self.whitelist or global_rate == WHITELIST:
            return self.app(env, start_response)
        if account in self.blacklist or global_rate == BLACKLIST_WORD:
            self.logger.error("Returning 497 because of blacklisting: %s", account)
            return swift_error(497, BLACKLISTED)(env, start_response)
        limits = self._limits(env, *target)
        rate = _positive_float(global_rate)
        if rate and env.get("REQUEST_METHOD") in WRITE_METHODS:
            limits.append(("ratelimit/global-write/%s" % account, rate))
        for key, rate in limits:
            try:
                wait = wait_for_slot(cache, key, rate, self.max_sleep, self.rate_buffer,
                                     now=self.clock())
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

    def _global_write_rate(self, env: Dict[str, Any], account: str) -> str:
        """The account's ``Global-Write-Ratelimit`` sysmeta ('' if none or
        the account cannot be read: then only the config's limits apply)."""
        try:
            info = get_account_info(env, self.app, account)
        except Exception as err:  # never fail a request for want of it
            self.logger.warning("ratelimit: cannot read account %s: %s", account, err)
            return ""
        return str((info.get("sysmeta") or {}).get(GLOBAL_WRITE_SYSMETA, "")).strip()

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


def _positive_float(value: str) -> Optional[float]:
    try:
        rate = float(value)
    except ValueError:
        return None
    return rate if rate > 0 and rate != float("inf") else None


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: RateLimitMiddleware(app, conf)
