"""backend_ratelimit: a storage server caps the requests each of its devices
takes per second, so one busy tenant (or a replication storm) cannot starve
a disk for everyone.

Options, in the server's app section (or ``[DEFAULT]``), requests per second
per device and worker process (0 = no limit, the default):

* ``requests_per_device_per_second``: every method;
* ``<method>_requests_per_device_per_second`` (``get_``, ``head_``,
  ``put_``, ``post_``, ``delete_``, ``replicate_``, ``ssync_``, ``update_``):
  one method, overriding the above for it;
* ``requests_per_device_rate_buffer`` (seconds, default 1): how much unused
  rate a quiet device may spend at once.

A request past its device's rate is answered ``529 Too Many Backend
Requests`` at once (never queued: the proxy tries another node and the
daemons retry later). Only ``/<device>/<partition>/...`` requests count;
``/healthcheck`` and ``/recon`` never do. Counting is per worker process,
with the same counter as the proxy's ``ratelimit``
(``objstore.common.ratelimit``) over an in-process cache.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable

from objstore.common.config import config_float
from objstore.common.http.errors import swift_error
from objstore.common.memcached import LocalCache
from objstore.common.ratelimit import RateLimited, wait_for_slot

METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE", "REPLICATE", "SSYNC", "UPDATE")
WsgiApp = Callable[..., Any]


class BackendRateLimit:
    """Answer 529 for requests past their device's per-method rate."""

    def __init__(self, app: WsgiApp, conf: Dict[str, str]) -> None:
        self.app = app
        default = config_float(conf, "requests_per_device_per_second", 0.0)
        self.rates = {method: config_float(conf, "%s_requests_per_device_per_second"
                                           % method.lower(), default) for method in METHODS}
        self.buffer = config_float(conf, "requests_per_device_rate_buffer", 1.0)
        self.counters = LocalCache(max_entries=100000)
        # Tells callers (and tests) which servers limit anything.
        self.enabled = any(rate > 0 for rate in self.rates.values())

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = env.get("REQUEST_METHOD", "")
        rate = self.rates.get(method, 0.0)
        if rate > 0:
            device = env.get("PATH_INFO", "").lstrip("/").split("/", 1)[0]
            if device and device not in ("healthcheck", "recon"):
                try:
                    wait_for_slot(self.counters, "%s/%s" % (device, method), rate,
                                  max_sleep=0, rate_buffer=self.buffer)
                except RateLimited:
                    return swift_error(529)(env, start_response)
        return self.app(env, start_response)


def wrap(app: WsgiApp, conf: Dict[str, str]) -> WsgiApp:
    """``app`` behind a ``BackendRateLimit`` when ``conf`` sets any rate,
    else ``app`` itself (nothing on the request path)."""
    limited = BackendRateLimit(app, conf)
    return limited if limited.enabled else app
