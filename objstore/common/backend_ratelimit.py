"""backend_ratelimit: a storage server caps the requests each of its devices
takes per second, so one busy tenant (or a replication storm) cannot starve
a disk for everyone.

Options, in the server's app section (or ``[DEFAULT]``), requests per second
per device and worker process (0 = no limit, the default):

* ``requests_per_device_per_second``: every method;
* ``<method>_requests_per_device_per_second`` (``get_``, ``head_``,
  ``put_``, ``post_``, ``delete_``, ``replicate_``, ``ssync_``, ``update_``,
  ``rows_``: a container server's batch of object rows, ``common/row_batch.py``):
  one method, overriding the above for it;
* ``requests_per_device_rate_buffer`` (seconds, default 1): how much unused
  rate a quiet device may spend at once.

A request past its device's rate is answered ``529 Too Many Backend
Requests`` at once (never queued: the proxy tries another node and the
daemons retry later). Only ``/<device>/<partition>/...`` requests count;
``/healthcheck`` and ``/recon`` never do. Counting is per worker process,
with the same counter as the proxy's ``ratelimit``
(``objstore.common.ratelimit``) over an in-process cache.

As in Swift, the rates can also live in a file of their own,
``backend_ratelimit_conf_path`` (default ``<swift_dir>/backend-ratelimit.conf``;
empty: none), a ``[backend_ratelimit]`` section with the options above,
re-read when it changes, at most every
``config_reload_interval`` seconds (default 60): an operator throttles a
busy disk, or lifts the limit, without restarting the server. While the
file exists its options replace the server config's; if it goes, the
server config's apply again; a file that cannot be read or parsed keeps
the last good rates (and says so in the log).
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Dict, Iterable, Optional, Tuple

from objstore.common import logs
from objstore.common.config import ConfigError, config_float, read_conf, swift_dir
from objstore.common.http.errors import swift_error
from objstore.common.memcached import LocalCache
from objstore.common.ratelimit import RateLimited, wait_for_slot
from objstore.common.utils import file_version

SECTION = "backend_ratelimit"
DEFAULT_FILE = "backend-ratelimit.conf"  # in swift_dir, as Swift's in /etc/swift
METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE", "REPLICATE", "SSYNC", "UPDATE", "ROWS")
WsgiApp = Callable[..., Any]


class BackendRateLimit:
    """Answer 529 for requests past their device's per-method rate."""

    def __init__(self, app: WsgiApp, conf: Dict[str, str],
                 clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.conf = conf
        self.clock = clock
        # The server's own logger (same log_name), so its lines land in its log.
        self.logger = logs.get_logger(conf, "backend_ratelimit")
        self.conf_path = conf.get("backend_ratelimit_conf_path",
                                  os.path.join(swift_dir(conf), DEFAULT_FILE)).strip()
        self.reload_interval = config_float(conf, "config_reload_interval", 60.0)
        self._apply(conf)
        self._file_version: Optional[Tuple[int, int, int]] = None
        self._next_check = 0.0
        self._check_file()

    def _apply(self, conf: Dict[str, str]) -> None:
        default = config_float(conf, "requests_per_device_per_second", 0.0)
        self.rates = {method: config_float(conf, "%s_requests_per_device_per_second"
                                           % method.lower(), default) for method in METHODS}
        self.buffer = config_float(conf, "requests_per_device_rate_buffer", 1.0)
        # Tells callers (and tests) which servers limit anything.
        self.enabled = any(rate > 0 for rate in self.rates.values())
        # New rates, new counters: a slot taken far ahead under a tiny rate
        # must not hold a device back once the rate is raised.
        self.counters = LocalCache(max_entries=100000)

    def _check_file(self) -> None:
        """Re-read ``backend_ratelimit_conf_path`` if it changed (at most
        every ``config_reload_interval`` seconds)."""
        if not self.conf_path:
            return
        now = self.clock()
        if now < self._next_check:
            return
        self._next_check = now + self.reload_interval
        try:
            version = file_version(self.conf_path)
        except OSError as err:
            self.logger.error("backend_ratelimit: cannot stat %s: %s", self.conf_path, err)
            return
        if version == self._file_version:
            return
        if version is None:
            self._apply(self.conf)
            self._file_version = None
            self.logger.info("backend_ratelimit: %s is gone; the server config's rates apply",
                             self.conf_path)
            return
        try:
            section = read_conf(self.conf_path).get(SECTION)
            if section is None:
                raise ConfigError("no [%s] section" % SECTION)
            self._apply(dict(section))
        except (ConfigError, OSError, ValueError) as err:
            self.logger.error("backend_ratelimit: keeping the last rates: %s: %s",
                              self.conf_path, err)
            return
        self._file_version = version
        self.logger.info("backend_ratelimit: rates from %s: %s", self.conf_path,
                         {m: r for m, r in self.rates.items() if r > 0} or "none")

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self._check_file()
        method = env.get("REQUEST_METHOD", "")
        rate = self.rates.get(method, 0.0)
        if rate > 0:
            device = env.get("PATH_INFO", "").lstrip("/").split("/", 1)[0]
            if device and device not in ("healthcheck", "recon"):
                try:
                    wait_for_slot(self.counters, "%s/%s" % (device, method), rate,
                                  max_sleep=0, rate_buffer=self.buffer, now=self.clock())
                except RateLimited:
                    return swift_error(529)(env, start_response)
        return self.app(env, start_response)


def wrap(app: WsgiApp, conf: Dict[str, str]) -> WsgiApp:
    """``app`` behind a ``BackendRateLimit`` when ``conf`` sets any rate or
    a rates file may set them (the default), else ``app`` itself (nothing
    on the request path)."""
    limited = BackendRateLimit(app, conf)
    return limited if limited.enabled or limited.conf_path else app
