"""The frame every background daemon runs in: one pass, or passes forever.

A daemon (replicator, auditor, updater, reaper, ...) is a ``Daemon``
subclass that implements ``run_pass()``: walk the local devices once, do
the work, return a dict of counters. The frame times the pass, writes the
one summary line operators grep for, and records the counters in the
recon cache so ``/recon`` and ``objstore-recon`` can tell whether the
daemon is alive and making progress without reading logs.

Recon cache: ``<recon_cache_path>/<server_type>.recon``, one JSON object
per server kind (``account``, ``container``, ``object``) shared by all the
daemons of that kind. Each daemon owns one key, its config section name
(``"container-replicator"``), holding ``{"last_pass": <unix time the pass
ended>, "pass_time": <seconds>, "stats": {...}}``. Writers take an
exclusive lock and replace the file atomically, so two daemons finishing
at once never lose each other's key and a reader never sees half a file.
"""

from __future__ import annotations

import abc

import argparse
import fcntl
import ipaddress
import json
import logging
import os
import signal
import socket
import sys
import time
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple, Type

from objstore.common.config import (ConfigError, config_float, config_true_value,
                                    read_conf)
from objstore.common.http import message
from objstore.common.logs import get_logger
from objstore.common.utils import check_drive, mkdirs

DEFAULT_RECON_CACHE_PATH = "/var/cache/objstore"
DEFAULT_INTERVAL = 30.0
#: at most one in-pass progress record per this many seconds
PROGRESS_INTERVAL = 5.0
#: the recon key of a running pass's progress: "<daemon name><suffix>"
PROGRESS_SUFFIX = "-progress"
#: what a ``--once`` pass may be limited to on the command line (Swift's
#: object replicator flags): name -> (short flag, what it limits)
ONCE_LIMITS = {"devices": ("-d", "devices (by name)"),
               "partitions": ("-p", "partitions"),
               "policies": ("-i", "storage policy indices")}


class Daemon(abc.ABC):
    """Base of every daemon: config, logger, the pass loop, recon.

    Subclasses set ``name`` (their config section, also the recon key and
    log name), ``server_type`` (which recon file) and
    ``default_interval``, and implement ``run_pass``.
    """

    name = "daemon"
    server_type = "object"
    default_interval = DEFAULT_INTERVAL
    #: which of ``ONCE_LIMITS`` the command line offers for ``--once``
    once_limits: Tuple[str, ...] = ()

    def __init__(self, conf: Dict[str, str], logger: Optional[logging.Logger] = None) -> None:
        self.conf = conf
        self.logger = logger or get_logger(conf, self.name)
        self.interval = config_float(conf, "interval", self.default_interval)
        self.recon_cache_path = conf.get("recon_cache_path", DEFAULT_RECON_CACHE_PATH)
        self.devices = conf.get("devices", "/srv/node")
        self.mount_check = config_true_value(conf.get("mount_check", "true"))
        self._stopping = False
        self._pass_started = 0.0
        self._progress_at = 0.0
        #: this ``--once`` pass's limits (``once_limits`` name -> values);
        #: empty: the whole node
        self.only: Dict[str, Set[str]] = {}

    # -------------------------------------------------------------- passes

    @abc.abstractmethod
    def run_pass(self) -> Dict[str, Any]:
        """Do one full pass of work; return counters for the summary."""

    def summary(self, stats: Dict[str, Any], elapsed: float) -> str:
        """The one log line of a pass; subclasses may say it better."""
        parts = ["%s=%s" % (k, stats[k]) for k in sorted(stats)
                 if isinstance(stats[k], (int, float))]
        return "%s pass completed in %.2fs: %s" % (self.name, elapsed, " ".join(parts))

    def run_once(self) -> Dict[str, Any]:
        """One pass: do it, log its summary, record it for recon."""
        started = self._pass_started = self._progress_at = time.time()
        try:
            stats = self.run_pass()
        finally:
            self._pass_started = 0.0
            self._dump_recon_key(self.name + PROGRESS_SUFFIX, None)  # no pass running
        elapsed = time.time() - started
        self.logger.info(self.summary(stats, elapsed))
        self.dump_recon({"last_pass": time.time(), "pass_time": round(elapsed, 4),
                         "stats": stats})
        return stats

    def progress(self, stats: Dict[str, Any]) -> None:
        """Record how far the running pass got (``{"started", "updated",
        "stats"}`` under ``<name>-progress`` in the recon cache), at most
        every ``PROGRESS_INTERVAL`` seconds: a long pass (an auditor over
        full disks) shows it is moving. Cheap enough to call per object."""
        now = time.time()
        if not self._pass_started or now - self._progress_at < PROGRESS_INTERVAL:
            return
        self._progress_at = now
        self._dump_recon_key(self.name + PROGRESS_SUFFIX, {
            "started": self._pass_started, "updated": now,
            "stats": {k: v for k, v in stats.items() if isinstance(v, (int, float))}})

    def run_forever(self) -> None:
        """Passes every ``interval`` seconds until told to stop.

        A pass that raises is logged and the loop goes on: one bad
        database or unreachable peer must not stop a node's repairs.
        """
        while not self._stopping:
            started = time.time()
            try:
                self.run_once()
            except Exception:
                self.logger.exception("ERROR %s pass failed; will retry next interval",
                                      self.name)
            remaining = self.interval - (time.time() - started)
            while remaining > 0 and not self._stopping:
                time.sleep(min(remaining, 1.0))
                remaining = self.interval - (time.time() - started)

    def stop(self) -> None:
        """Ask ``run_forever`` to return after the current pass."""
        self._stopping = True

    # --------------------------------------------------------------- recon

    def dump_recon(self, value: Dict[str, Any]) -> None:
        """Store ``value`` under this daemon's key of the recon cache.

        A recon failure (read-only cache dir, full disk) is logged, never
        raised: the pass itself was done and must count.
        """
        self._dump_recon_key(self.name, value)

    def _dump_recon_key(self, key: str, value: Any) -> None:
        path = os.path.join(self.recon_cache_path, "%s.recon" % self.server_type)
        try:
            dump_recon_cache(path, key, value)
        except OSError as err:
            self.logger.error("ERROR cannot write recon cache %s: %s", path, err)

    # ------------------------------------------------------------- devices

    def local_device_dirs(self) -> List[str]:
        """Device names under ``devices`` that are usable now (mounted, when
        ``mount_check`` is on); an unmounted one is logged and skipped."""
        try:
            names = sorted(os.listdir(self.devices))
        except OSError as err:
            self.logger.error("ERROR cannot list devices dir %s: %s", self.devices, err)
            return []
        usable = []
        for name in names:
            if check_drive(self.devices, name, self.mount_check) is None:
                if self.mount_check:
                    self.logger.warning("Skipping %s: not mounted", name)
                continue
            usable.append(name)
        return usable


def read_recon_cache(path: str) -> Dict[str, Any]:
    """The whole recon file (empty if missing or unreadable)."""
    try:
        with open(path, encoding="utf-8") as fp:
            data = json.load(fp)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def dump_recon_cache(path: str, key: str, value: Any) -> None:
    """Set ``key`` in the JSON file at ``path``, keeping the other keys."""
    mkdirs(os.path.dirname(path) or ".")
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = read_recon_cache(path)
        data[key] = value
        tmp = "%s.%d.tmp" % (path, os.getpid())
        with open(tmp, "w", encoding="utf-8") as fp:
            json.dump(data, fp, sort_keys=True)
        os.replace(tmp, path)


# ------------------------------------------------------------ node identity

def my_ips(bind_ip: str = "") -> Set[str]:
    """The addresses this node answers on, to find its devices in a ring.

    A specific ``bind_ip`` is the answer; a wildcard (or none) means every
    address of the host, which we learn from the resolver and loopback.
    """
    if bind_ip and bind_ip not in ("0.0.0.0", "::"):
        return {bind_ip.strip("[]")}
    ips = {"127.0.0.1", "::1"} | interface_addresses()
    for host in (socket.gethostname(), socket.getfqdn()):
        try:
            for info in socket.getaddrinfo(host, None):
                ips.add(str(info[4][0]))
        except OSError:
            pass
    return ips


def interface_addresses() -> Set[str]:
    """Every address of this host's interfaces (in this network namespace),
    read from /proc: a resolver alone may only know 127.0.1.1 for the host
    name (Debian's /etc/hosts), and then a node bound to 0.0.0.0 would
    find none of its devices in the ring. Empty where /proc lacks them."""
    ips: Set[str] = set()
    try:
        with open("/proc/net/fib_trie") as fp:
            last = None
            for line in fp:
                text = line.strip()
                if text.startswith("|-- "):
                    last = text[4:]
                elif text.startswith("/32 host LOCAL") and last:
                    ips.add(last)
    except OSError:
        pass
    try:
        with open("/proc/net/if_inet6") as fp:
            for line in fp:
                raw = line.split()[0] if line.split() else ""
                if len(raw) == 32:
                    ips.add(str(ipaddress.IPv6Address(int(raw, 16))))
    except (OSError, ValueError):
        pass
    return ips


def is_local_device(dev: Optional[Dict[str, Any]], ips: Iterable[str], port: int) -> bool:
    """True for a ring device served by this node (replication address)."""
    if not dev:
        return False
    ip = dev.get("replication_ip") or dev.get("ip")
    dev_port = dev.get("replication_port") or dev.get("port")
    return ip in set(ips) and int(dev_port) == int(port)


# ------------------------------------------------------------ command line

def parse_args(argv: List[str], prog: str,
               limits: Iterable[str] = ()) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=prog, description="Run the %s daemon: one pass with --once, else a pass "
                               "every `interval` seconds." % prog)
    parser.add_argument("conf", help="the server's config file (e.g. container-server.conf)")
    parser.add_argument("--once", action="store_true", help="run one pass and exit")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log at DEBUG and also to the console")
    for limit in limits:
        short, what = ONCE_LIMITS[limit]
        parser.add_argument(short, "--" + limit, default="",
                            help="only these %s, comma-separated; only with --once" % what)
    return parser.parse_args(argv)


def once_only(args: argparse.Namespace, limits: Iterable[str]) -> Dict[str, Set[str]]:
    """The ``--once`` limits given on the command line (none without
    ``--once``, as with Swift): name -> the comma-separated values."""
    if not args.once:
        return {}
    only = {}
    for limit in limits:
        values = {v.strip() for v in getattr(args, limit).split(",") if v.strip()}
        if values:
            only[limit] = values
    return only


def load_daemon_conf(path: str, section: str) -> Dict[str, str]:
    """``[section]`` merged with DEFAULT; DEFAULT alone if the section is
    absent (a daemon with every option at its default needs no section)."""
    sections = read_conf(path)
    return dict(sections.get(section, sections["DEFAULT"]))


def run_daemon(daemon_class: Type[Daemon], argv: Optional[List[str]] = None) -> int:
    """What each daemon's console script does: ``<conf> [--once] [-v]``.

    Returns the exit status: 0 after a clean run, 1 if the one pass of
    ``--once`` raised, 2 for a bad command line or config.
    """
    prog = "objstore-%s" % daemon_class.name
    message.install()  # backend answers' headers read as the servers read them
    args = parse_args(list(sys.argv[1:] if argv is None else argv), prog,
                      daemon_class.once_limits)
    try:
        conf = load_daemon_conf(args.conf, daemon_class.name)
        if args.verbose:
            conf["log_level"] = "DEBUG"
        daemon = daemon_class(conf)
        daemon.only = once_only(args, daemon_class.once_limits)
    except (ConfigError, ValueError) as err:
        sys.stderr.write("%s: %s\n" % (prog, err))
        return 2
    if args.verbose and conf.get("log_file"):
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(daemon.logger.handlers[0].formatter if daemon.logger.handlers
                             else None)
        daemon.logger.addHandler(console)
    if args.once:
        try:
            daemon.run_once()
        except Exception:
            daemon.logger.exception("ERROR %s pass failed", daemon_class.name)
            return 1
        return 0

    def _on_term(signum: int, frame: Any) -> None:
        daemon.stop()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _on_term)
    try:
        daemon.run_forever()
    except KeyboardInterrupt:
        pass
    return 0
