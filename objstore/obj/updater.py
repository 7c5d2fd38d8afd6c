"""The object updater: deliver the container updates the object server
could not, so listings catch up with the objects.

When a container server is down or slow during an object PUT or DELETE,
the object server still answers the client (the object is safe) and
leaves an *async pending* (format in ``obj.updates``). This daemon walks
them, looks the container's replicas up in the container ring (the ring
may have changed since), and sends the update to every replica that has
not acknowledged it yet. The file is removed once all have; until then
the acknowledgements are recorded in it, so a replica is not asked twice.

Only the newest pending of an object matters: container rows are merged
by timestamp, so an older update is dropped as soon as a newer one for
the same object is seen.

A replica that answers 404 has no such container (deleted since, or never
made): as in Swift, that replica is done with -- there is no listing to
update, and retrying would keep the pending forever. Rows for a container
that is created again later come from its replicas, or not at all, as in
Swift.

A pending that keeps failing is retried with exponential backoff
(``retry_interval`` doubling per failed attempt up to
``max_retry_interval``), so one dead container server does not make
every pass hammer it; ``--once`` ignores the backoff, because an operator
asking for a pass means now.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any, Dict, List, Optional

from objstore.common.config import config_float, swift_dir
from objstore.common.daemon import Daemon, run_daemon
from objstore.common.storage_policy import load_policies
from objstore.obj import updates
from objstore.obj.diskfile import DiskFileDeviceUnavailable, DiskFileManager
from ring import Ring

STAT_KEYS = ("found", "successes", "failures", "unlinked", "obsolete", "deferred", "errors",
             "no_container")
NOT_FOUND = 404


class ObjectUpdater(Daemon):
    """Sends async pending container updates until every replica has them."""

    name = "object-updater"
    server_type = "object"
    default_interval = 300.0

    def __init__(self, conf: Dict[str, str], logger: Optional[logging.Logger] = None,
                 container_ring: Optional[Ring] = None) -> None:
        super().__init__(conf, logger)
        self.swift_dir = swift_dir(conf)
        self.policies = load_policies(self.swift_dir)
        self.container_ring = container_ring or Ring(self.swift_dir, ring_name="container")
        self.mgr = DiskFileManager(conf, self.logger)
        self.node_timeout = config_float(conf, "node_timeout", 10.0)
        self.conn_timeout = config_float(conf, "conn_timeout", 0.5)
        self.retry_interval = config_float(conf, "retry_interval", 60.0)
        self.max_retry_interval = config_float(conf, "max_retry_interval", 3600.0)
        self.slowdown = config_float(conf, "slowdown", 0.0)
        self.honor_backoff = False  # only passes of run_forever wait for backoff

    def run_forever(self) -> None:
        self.honor_backoff = True
        super().run_forever()

    def run_pass(self) -> Dict[str, Any]:
        stats = {k: 0 for k in STAT_KEYS}
        for device in self.local_device_dirs():
            for policy in self.policies:
                try:
                    self._device_pass(device, policy.index, stats)
                except DiskFileDeviceUnavailable:
                    continue
        return stats

    def summary(self, stats: Dict[str, Any], elapsed: float) -> str:
        return ("%s pass completed in %.2fs: %d async pendings, %d updates sent ok, %d failed, "
                "%d to containers that do not exist, %d removed, %d obsolete, "
                "%d waiting for backoff, %d unreadable"
                % (self.name, elapsed, stats["found"], stats["successes"], stats["failures"],
                   stats["no_container"], stats["unlinked"], stats["obsolete"],
                   stats["deferred"], stats["errors"]))

    def _device_pass(self, device: str, policy_index: int, stats: Dict[str, int]) -> None:
        newest: Dict[str, str] = {}
        entries = list(self.mgr.yield_async_pendings(device, policy_index))
        # newest first per object: later (older) ones are obsolete
        for path, object_hash, _ts in sorted(entries, key=lambda e: e[2], reverse=True):
            stats["found"] += 1
            if object_hash in newest:
                _unlink(path)
                stats["obsolete"] += 1
                continue
            newest[object_hash] = path
            self.process(path, device, stats)
            if self.slowdown:
                time.sleep(self.slowdown)

    def process(self, path: str, device: str, stats: Dict[str, int]) -> None:
        """Send one async pending to the replicas still missing it."""
        try:
            with open(path, "rb") as fp:
                record = json.loads(fp.read().decode("utf-8"))
            op, account, container, obj = (record["op"], record["account"],
                                           record["container"], record["obj"])
            headers = dict(record["headers"])
        except FileNotFoundError:
            return  # another updater process took it
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as err:
            stats["errors"] += 1
            self.logger.error("ERROR unreadable async pending %s (%s); removing it", path, err)
            _unlink(path)
            return
        now = time.time()
        if self.honor_backoff and float(record.get("next_attempt", 0)) > now:
            stats["deferred"] += 1
            return
        part, nodes = self.container_ring.get_nodes(account, container)
        done = set(record.get("successes", []))
        obj_path = "/%s/%s/%s" % (account, container, obj)
        headers.setdefault("X-Backend-Storage-Policy-Index", "0")
        headers["User-Agent"] = "%s %d" % (self.name, os.getpid())
        failed = []
        gone_before = stats["no_container"]
        for node in nodes:
            if node["id"] in done:
                continue
            target = updates.UpdateTarget(node["ip"], int(node["port"]), node["device"],
                                          str(part))
            status = updates.update_status(target, op, obj_path, headers, self.conn_timeout,
                                           self.node_timeout)
            if 200 <= status < 300:
                done.add(node["id"])
                stats["successes"] += 1
            elif status == NOT_FOUND:
                done.add(node["id"])
                stats["no_container"] += 1
            else:
                failed.append(target.label)
                stats["failures"] += 1
        if not failed:
            _unlink(path)
            stats["unlinked"] += 1
            if stats["no_container"] > gone_before:
                self.logger.info("container update %s %s dropped where the container does "
                                 "not exist", op, obj_path)
            return
        attempts = int(record.get("attempts", 0)) + 1
        record.update({"successes": sorted(done), "attempts": attempts, "failed": failed,
                       "next_attempt": now + min(self.retry_interval * 2 ** (attempts - 1),
                                                 self.max_retry_interval)})
        self.logger.warning("container update %s %s failed on %s (attempt %d); will retry",
                            op, obj_path, ", ".join(failed), attempts)
        try:
            dev_path = self.mgr.get_dev_path(device)
            if dev_path is not None and os.path.exists(path):
                updates.write_async_pending(path, self.mgr.tmp_dir(dev_path), record)
        except OSError as err:
            self.logger.error("ERROR cannot record progress in %s: %s", path, err)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def main(argv: Optional[List[str]] = None) -> int:
    """``objstore-object-updater <conf> [--once] [-v]``."""
    return run_daemon(ObjectUpdater, argv)


if __name__ == "__main__":
    raise SystemExit(main())
