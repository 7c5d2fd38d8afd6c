"""A shared rate counter: how long a request must wait to keep a key under
``rate`` requests per second, for every process that shares the cache.

The cache (memcached in a cluster, so every proxy worker and every proxy
sees the same counters) keeps, per key, the time in milliseconds at which
the next request may go. Each request advances it by ``1000 / rate`` with
one atomic ``incr`` and waits until the slot it took; no lock, no
read-modify-write race. A slot in the past costs no wait, but the counter
never lags more than ``rate_buffer`` seconds behind the clock: after a
quiet spell up to ``rate_buffer * rate + 1`` requests may go at once (the
buffer lets a client catch up, and forgives clock skew between proxies),
then one per ``1 / rate`` seconds. A request that would have to wait more than ``max_sleep`` gives
its slot back and is refused instead (``RateLimited``): the caller answers
498 rather than holding a connection for minutes.

Used by the proxy's ``ratelimit`` middleware (per account and container)
and by ``backend_ratelimit`` on the storage servers (per device and
method, with an in-process cache).
"""

from __future__ import annotations

import time
from typing import Any, List, Optional, Sequence, Tuple

CLOCK = 1000  # counter units per second (milliseconds)
MIN_EXPIRY = 60  # seconds a counter lives in the cache at least


class RateLimited(Exception):
    """The wait would exceed ``max_sleep``; ``wait`` says how long it was."""

    def __init__(self, wait: float) -> None:
        super().__init__("would have to wait %.3f s" % wait)
        self.wait = wait


def wait_for_slot(cache: Any, key: str, rate: float, max_sleep: float,
                  rate_buffer: float = 5.0, now: Optional[float] = None) -> float:
    """Take the next slot of ``key`` and return the seconds to wait for it.

    Raises ``RateLimited`` (with the slot given back) when the wait would be
    longer than ``max_sleep``. ``rate`` <= 0 means no limit.
    """
    if rate <= 0:
        return 0.0
    step = max(1, int(round(CLOCK / rate)))
    now_ms = int((time.time() if now is None else now) * CLOCK)
    # Long enough that a key never vanishes while it holds a slot ahead of
    # the clock; an expired key and a stale one both restart at the floor,
    # so a longer life changes nothing but memory (and keeps the counting
    # independent of how long requests take when the clock is injected).
    expiry = max(MIN_EXPIRY, int(rate_buffer + max_sleep + step / CLOCK) + 1)
    next_slot = cache.incr(key, step, time=expiry)
    mine = next_slot - step
    floor = now_ms - int(rate_buffer * CLOCK)
    if mine < floor:
        # Quiet for longer than the buffer: unused rate beyond it is lost.
        cache.set(key, floor + step, time=expiry)
        mine = floor
    wait_ms = max(mine - now_ms, 0)
    if wait_ms > max_sleep * CLOCK:
        cache.incr(key, -step, time=expiry)
        raise RateLimited(wait_ms / CLOCK)
    return wait_ms / CLOCK


def parse_size_rates(conf: dict, prefix: str) -> List[Tuple[int, float]]:
    """``[(size, rate), ...]`` sorted by size from ``<prefix><size> = <rate>``
    options (``container_ratelimit_100 = 50``); ``ValueError`` names a bad one."""
    out = []
    for key, value in conf.items():
        if not key.startswith(prefix):
            continue
        try:
            size, rate = int(key[len(prefix):]), float(value)
        except ValueError:
            raise ValueError("%s = %s: the name must end in a container size and the value "
                             "be requests per second" % (key, value)) from None
        if size < 0 or rate < 0:
            raise ValueError("%s = %s: size and rate must not be negative" % (key, value))
        out.append((size, rate))
    return sorted(out)


def rate_for_size(size_rates: Sequence[Tuple[int, float]], size: int) -> Optional[float]:
    """The rate for a container holding ``size`` objects: none below the
    smallest size given, the last rate beyond the largest, and in between
    a straight line between the two sizes around it."""
    if not size_rates or size < size_rates[0][0]:
        return None
    for (low, low_rate), (high, high_rate) in zip(size_rates, size_rates[1:]):
        if low <= size < high:
            return low_rate + (high_rate - low_rate) * (size - low) / float(high - low)
    return size_rates[-1][1]
