"""The container sync daemon: ``objstore-container-sync <conf> [--once]``.

Keeps a container in step with a container on another cluster (its
``X-Container-Sync-To``, signed with its ``X-Container-Sync-Key``). Each
node walks the container databases it holds as a *primary*; for each one
with both headers set it sends the rows that changed since the last
confirmed point to the other cluster (``sync_row``).

Durable progress, never from scratch, never skipping a row
-----------------------------------------------------------
Two points live in the container database itself (``info`` columns
``x_container_sync_point1/2``, written in an fsynced SQLite commit):

* ``point2``: every row up to it that is *this replica's share* (the rows
  whose name hashes to this replica's index) is confirmed by the remote;
* ``point1``: every row up to it, of any share, is confirmed.

A pass first sends this replica's share of the rows after ``point2``, in
batches of ``batch_size`` rows sent ``concurrency`` at a time (straight
PUTs and DELETEs); then it checks the other replicas' share of the rows
between ``point1`` and the ``point2`` the pass started with (a row the
other replica already sent costs one HEAD). A point moves only past rows the remote confirmed (2xx,
or an answer meaning the remote is as new or newer), and only up to the
first row that failed: the next pass starts again at that row. So a crash
or ``kill -9`` at any moment loses nothing -- rows sent but not yet
recorded are sent again, and since each carries the object's own
``X-Timestamp`` the remote refuses the replay as not newer (no second
copy, no resurrection of a deleted object).

Objects are read through the proxy's own code in this process
(``[pipeline:container-sync]`` of the proxy config, loaded as the tierer
loads its pipeline), so replication, EC and encryption at rest read as
they do for a client.

Rows of one name are never in flight at once: a name appears once in a
container database (a newer change moves the row to a new ``row_id``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from typing import Any, Dict, List, Optional, Tuple

from objstore.common import concurrency, sync_realms
from objstore.common.config import config_float, config_int, swift_dir
from objstore.common.daemon import Daemon, is_local_device, my_ips, run_daemon
from objstore.container.broker import ContainerBroker
from objstore.container.sync_remote import SyncRemote
from objstore.container.sync_row import RowOutcome, sync_row
from objstore.container.sync_status import SyncStatus
from objstore.db.broker import DatabaseNotFound
from objstore.db.ondisk import LocalDB, iter_local_dbs
from objstore.db.paths import CONTAINER_DATADIR
from objstore.common.internal_client import InternalClient
from ring import Ring

STAT_KEYS = ("containers", "skipped", "rows_synced", "rows_failed", "deletes", "puts",
             "posts", "current", "errors")
SYNC_TO = "X-Container-Sync-To"
SYNC_KEY = "X-Container-Sync-Key"


def replica_share(name: str, replicas: int) -> int:
    """Which replica's daemon sends a row first (the others check it a pass
    later): the object name's hash modulo the replica count."""
    return int(hashlib.md5(name.encode("utf-8")).hexdigest(), 16) % max(1, replicas)


class ContainerSync(Daemon):
    """Sends container changes to the other cluster."""

    name = "container-sync"
    server_type = "container"
    default_interval = 300.0

    def __init__(self, conf: Dict[str, str], logger: Optional[logging.Logger] = None,
                 ring: Optional[Ring] = None, client: Optional[InternalClient] = None) -> None:
        super().__init__(conf, logger)
        self.swift_dir = swift_dir(conf)
        self.ring = ring or Ring(self.swift_dir, ring_name="container")
        self.bind_ip = conf.get("bind_ip", "0.0.0.0")
        self.bind_port = config_int(conf, "bind_port", 6201)
        self.realms = sync_realms.SyncRealms.in_dir(self.swift_dir)
        self.allowed_sync_hosts = sync_realms.split_list(
            conf.get("allowed_sync_hosts", "127.0.0.1"))
        self.container_time = config_float(conf, "container_time", 60.0)
        self.batch_size = config_int(conf, "batch_size", 100, minimum=1)
        self.concurrency = config_int(conf, "concurrency", 8, minimum=1)
        self.request_tries = config_int(conf, "request_tries", 3, minimum=1)
        self.retry_backoff = config_float(conf, "retry_backoff", 1.0)
        self.conn_timeout = config_float(conf, "conn_timeout", 5.0)
        self.node_timeout = config_float(conf, "node_timeout", 20.0)
        self.db_synchronous = conf.get("db_synchronous", "full")
        self.db_busy_timeout = config_float(conf, "db_busy_timeout", 25.0)
        self.proxy_conf = conf.get("proxy_conf",
                                   os.path.join(self.swift_dir, "proxy-server.conf"))
        self.pipeline = conf.get("pipeline", "container-sync")
        self._client = client
        #: how one row is sent (``sync_row``; tests of the point logic swap it)
        self.row_syncer = sync_row
        self.status = SyncStatus(self.recon_cache_path)
        self.stats: Dict[str, int] = {k: 0 for k in STAT_KEYS}

    @property
    def client(self) -> InternalClient:
        if self._client is None:
            self._client = InternalClient(self.proxy_conf, self.pipeline)
        return self._client

    # ------------------------------------------------------------- a pass

    def run_pass(self) -> Dict[str, Any]:
        self.stats = {k: 0 for k in STAT_KEYS}
        seen: set = set()
        ips = my_ips(self.bind_ip)
        for dev in self.ring.devs:
            if not is_local_device(dev, ips, self.bind_port) or self._stopping:
                continue
            for db in iter_local_dbs(self.devices, dev["device"], CONTAINER_DATADIR):
                name = self.process(db)
                if name:
                    seen.add(name)
        if not self._stopping:  # a whole pass saw every database: forget the rest
            self.status.keep_only(seen)
        self.status.dump()
        return dict(self.stats)

    def summary(self, stats: Dict[str, Any], elapsed: float) -> str:
        return ("%s pass completed in %.2fs: %d containers synced (%d skipped), %d rows "
                "confirmed (%d PUTs, %d POSTs, %d DELETEs, %d already current), %d rows failed, "
                "%d errors" % (self.name, elapsed, stats["containers"], stats["skipped"],
                               stats["rows_synced"], stats["puts"], stats["posts"], stats["deletes"],
                               stats["current"], stats["rows_failed"], stats["errors"]))

    def process(self, db: LocalDB) -> Optional[str]:
        """Sync one database if it is a primary replica of a container with
        both sync headers; the container's ``account/container`` name when
        it is one to sync, else None."""
        broker = ContainerBroker(db.path, busy_timeout=self.db_busy_timeout,
                                 synchronous=self.db_synchronous, logger=self.logger)
        try:
            info = broker.get_info()
            if broker.is_deleted():
                return None
            meta = broker.metadata
        except DatabaseNotFound:
            return None
        except Exception as err:  # corrupt: the auditor quarantines it; go on
            self.stats["errors"] += 1
            self.logger.error("ERROR cannot read %s (%s); skipped", db.path, err)
            return None
        sync_to = (meta.get(SYNC_TO) or [""])[0]
        key = (meta.get(SYNC_KEY) or [""])[0]
        if not sync_to or not key or not info.get("container"):
            return None
        name = "%s/%s" % (info["account"], info["container"])
        replica, replicas = self._replica_index(db)
        if replica < 0:
            self.stats["skipped"] += 1  # a handoff: its primaries sync it
            return None
        error, target = sync_realms.validate_sync_to(sync_to, self.allowed_sync_hosts,
                                                     self.realms)
        if error or target is None:
            self.stats["errors"] += 1
            self.status.record(name, error=error or "no target", sync_to=sync_to)
            self.status.dump()
            return name
        remote = SyncRemote(target, key, self.conn_timeout, self.node_timeout,
                            self.request_tries, self.retry_backoff,
                            "objstore-container-sync %d" % os.getpid(), concurrency.sleep)
        self.stats["containers"] += 1
        try:
            error, counts = self.sync_container(broker, info, replica, replicas, remote)
        except DatabaseNotFound:
            return None
        except Exception as err:  # one broken container must not stop the pass
            self.logger.exception("ERROR container sync of %s failed", name)
            error, counts = "%s: %s" % (type(err).__name__, err), {"synced": 0, "failed": 0}
        if error:
            self.stats["errors"] += 1
            self.logger.warning("container sync %s -> %s: %s", name, sync_to, error)
        point1, point2 = broker.get_sync_points()
        max_row = broker.get_max_row()
        self.status.record(name, error=error, sync_to=sync_to, replica=replica,
                           replicas=replicas, max_row=max_row, point1=point1, point2=point2,
                           rows_behind=broker.count_rows_after(point1), **counts)
        self.status.dump()
        return name

    def _replica_index(self, db: LocalDB) -> Tuple[int, int]:
        """(index of this device among the partition's primaries or -1,
        replica count)."""
        nodes = self.ring.get_part_nodes(db.partition)
        ips = my_ips(self.bind_ip)
        for index, node in enumerate(nodes):
            if node["device"] == db.device and is_local_device(node, ips, self.bind_port):
                return index, len(nodes)
        return -1, len(nodes)

    # ------------------------------------------------------- one container

    def sync_container(self, broker: ContainerBroker, info: Dict[str, Any], replica: int,
                       replicas: int, remote: SyncRemote) -> Tuple[str, Dict[str, int]]:
        """Send what changed, for at most ``container_time`` seconds.
        Returns ``(first error or "", {"synced": n, "failed": n})``."""
        deadline = time.time() + self.container_time
        account, container = info["account"], info["container"]
        counts = {"synced": 0, "failed": 0}
        point1, point2 = broker.get_sync_points()
        checked_until = point2  # the others' rows get one pass of grace
        error = ""
        # 1: this replica's share after point2
        while not error and time.time() < deadline and not self._stopping:
            rows = broker.get_items_since(point2, self.batch_size)
            if not rows:
                break
            point2, error = self._batch(rows, lambda r: replica_share(r["name"], replicas)
                                        == replica, account, container, remote, counts,
                                        check_first=False)
            broker.set_sync_points(point2=point2)
        if replicas == 1:  # no other share: every row up to point2 is confirmed
            checked_until = point2
        # 2: the other replicas' share up to where point2 was
        while not error and point1 < checked_until and time.time() < deadline \
                and not self._stopping:
            rows = [r for r in broker.get_items_since(point1, self.batch_size)
                    if r["row_id"] <= checked_until]
            if not rows:
                point1 = checked_until
            else:
                point1, error = self._batch(rows, lambda r: replica_share(r["name"], replicas)
                                            != replica, account, container, remote, counts,
                                            check_first=True)
            broker.set_sync_points(point1=point1)
        return error, counts

    def _batch(self, rows: List[Dict[str, Any]], wanted: Any, account: str, container: str,
               remote: SyncRemote, counts: Dict[str, int],
               check_first: bool) -> Tuple[int, str]:
        """Sync the ``wanted`` rows of one batch at once; the point the batch
        reached (the last row before the first failure) and that failure."""
        todo = [r for r in rows if wanted(r)]
        pool = concurrency.GreenPool(self.concurrency)
        outcomes = dict(zip((r["row_id"] for r in todo), pool.imap(
            lambda r: self.row_syncer(r, self.client, account, container, remote, check_first),
            todo)))
        point, error = rows[0]["row_id"] - 1, ""
        for row in rows:
            outcome: Optional[RowOutcome] = outcomes.get(row["row_id"])
            if outcome is not None and not outcome.ok:
                error = error or "row %d (%s): %s" % (row["row_id"], row["name"], outcome.error)
                counts["failed"] += 1
                self.stats["rows_failed"] += 1
                continue
            if outcome is not None:
                counts["synced"] += 1
                self.stats["rows_synced"] += 1
                key = {"put": "puts", "post": "posts", "delete": "deletes"}.get(outcome.action, "current")
                self.stats[key] += 1
            if not error:
                point = row["row_id"]
        return point, error


def main(argv: Optional[List[str]] = None) -> int:
    """Console script entry point."""
    concurrency.monkey_patch()
    return run_daemon(ContainerSync, argv)


if __name__ == "__main__":
    raise SystemExit(main())
