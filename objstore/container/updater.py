"""The container updater: ``objstore-container-updater <conf> [--once]``.

A container server tells the account servers about a container when the
container is created or deleted, but not about every object, and that
report is lost if the account servers are down. Account listings and the
account's HEAD counts would then stay wrong. The updater walks every
container database on this node and, for each one whose stats (object
count, bytes used, put and delete timestamps) differ from what it last
reported, sends them to the account's primaries with the same
``PUT /<dev>/<part>/<account>/<container>`` the container server uses.
The report counts as delivered once a majority of the account replicas
took it (the account replicator spreads it to the rest); until then the
container is tried again every pass.
"""

from __future__ import annotations

import http.client
import logging
import os
from typing import Any, Dict, List, Optional

from objstore.common.config import config_float, swift_dir
from objstore.common.daemon import Daemon, run_daemon
from objstore.common.http_client import http_connect
from objstore.common.timestamp import Timestamp
from objstore.container.broker import ContainerBroker
from objstore.db.broker import DatabaseNotFound
from objstore.db.ondisk import LocalDB, iter_local_dbs
from objstore.db.paths import CONTAINER_DATADIR
from ring import Ring

POLICY_HEADER = "X-Backend-Storage-Policy-Index"
STAT_KEYS = ("checked", "no_change", "successes", "failures", "errors")


class ContainerUpdater(Daemon):
    """Brings account stats up to date with the containers on this node."""

    name = "container-updater"
    server_type = "container"
    default_interval = 300.0

    def __init__(self, conf: Dict[str, str], logger: Optional[logging.Logger] = None,
                 account_ring: Optional[Ring] = None) -> None:
        super().__init__(conf, logger)
        self.account_ring = account_ring or Ring(swift_dir(conf), ring_name="account")
        self.node_timeout = config_float(conf, "node_timeout", 3.0)
        self.db_busy_timeout = config_float(conf, "db_busy_timeout", 25.0)
        self.db_synchronous = conf.get("db_synchronous", "full")
        self.stats: Dict[str, int] = {}

    def run_pass(self) -> Dict[str, Any]:
        self.stats = {k: 0 for k in STAT_KEYS}
        for device in self.local_device_dirs():
            for db in iter_local_dbs(self.devices, device, CONTAINER_DATADIR):
                self.process(db)
        return dict(self.stats)

    def summary(self, stats: Dict[str, Any], elapsed: float) -> str:
        return ("%s pass completed in %.2fs: %d containers, %d unchanged, %d reported, "
                "%d not accepted by the account servers, %d errors"
                % (self.name, elapsed, stats["checked"], stats["no_change"],
                   stats["successes"], stats["failures"], stats["errors"]))

    def process(self, db: LocalDB) -> bool:
        """Report one container if needed; True if the account is current."""
        self.stats["checked"] += 1
        broker = ContainerBroker(db.path, busy_timeout=self.db_busy_timeout,
                                 synchronous=self.db_synchronous, logger=self.logger)
        try:
            if broker.is_reported_current():
                self.stats["no_change"] += 1
                return True
            info = broker.get_info()
        except DatabaseNotFound:
            return True
        except Exception as err:
            self.stats["errors"] += 1
            self.logger.error("ERROR cannot read %s (%s); the auditor checks it", db.path, err)
            return False
        if not info.get("account") or not info.get("container"):
            self.stats["errors"] += 1
            self.logger.error("ERROR %s names no account/container; skipped", db.path)
            return False
        report = report_headers(info)
        part, nodes = self.account_ring.get_nodes(info["account"])
        path = "/%s/%s" % (info["account"], info["container"])
        ok = sum(1 for node in nodes if self._send(node, part, path, report))
        if ok < len(nodes) // 2 + 1:
            self.stats["failures"] += 1
            return False
        broker.reported(info["put_timestamp"], report["X-Delete-Timestamp"],
                        info["object_count"], info["bytes_used"])
        self.stats["successes"] += 1
        return True

    def _send(self, node: Dict[str, Any], part: int, path: str, report: Dict[str, str]) -> bool:
        headers = dict(report, **{"X-Timestamp": Timestamp.now().internal,
                                  "User-Agent": "container-updater %d" % os.getpid()})
        try:
            conn = http_connect(node["ip"], node["port"], node["device"], part, "PUT", path,
                                headers=headers, timeout=self.node_timeout)
            try:
                resp = conn.getresponse()
                resp.read()
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as err:
            self.logger.warning("Account update for %s to %s:%s/%s failed: %s (retry next "
                                "pass)", path, node["ip"], node["port"], node["device"], err)
            return False
        if not 200 <= resp.status < 300:
            self.logger.warning("Account update for %s to %s:%s/%s returned %d", path,
                                node["ip"], node["port"], node["device"], resp.status)
            return False
        return True


def report_headers(info: Dict[str, Any]) -> Dict[str, str]:
    """The stats headers of an account update, as the container server
    sends them: a live container's delete timestamp is reported as 0."""
    deleted = (Timestamp(info["delete_timestamp"]) > Timestamp(info["put_timestamp"])
               and info["empty"])
    return {"X-Put-Timestamp": info["put_timestamp"],
            "X-Delete-Timestamp": info["delete_timestamp"] if deleted else "0",
            "X-Object-Count": str(info["object_count"]),
            "X-Bytes-Used": str(info["bytes_used"]),
            POLICY_HEADER: str(info["storage_policy_index"])}


def main(argv: Optional[List[str]] = None) -> int:
    """Console script entry point."""
    return run_daemon(ContainerUpdater, argv)


if __name__ == "__main__":
    raise SystemExit(main())
