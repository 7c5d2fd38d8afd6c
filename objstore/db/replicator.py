"""The database replicator shared by containers and accounts.

Each pass walks every database on this node's devices and brings the other
primaries of its partition up to date, over the ``REPLICATE`` verb (see
``db.replication`` for the receiving end):

1. ``sync``: send our info; the peer merges our timestamps and metadata and
   answers with the last of our rows it holds (its sync point for us).
2. Peer has everything: nothing to do. Peer has no copy (404): push a
   consistent snapshot of the whole file with rsync into the peer's
   ``<device>/tmp/`` and ask it to ``complete_rsync``. Peer is far behind
   (it holds less than half as many rows and misses more than one batch):
   push the file the same way and ask it to ``rsync_then_merge``, which
   beats thousands of small requests.
3. Otherwise send the rows it lacks in batches of ``per_diff`` (at most
   ``max_diffs`` batches per pass; the rest next pass), then our own
   incoming sync points so rows we got from a third replica are not sent
   around again.

A database on a device that is not one of its partition's primaries (a
handoff, left there while a primary was down or after a rebalance) is
pushed to every primary and removed locally once all of them have it.
A primary answering 507 (unmounted disk) is replaced by the next handoff
node. Deleted rows older than ``reclaim_age`` are dropped, and a deleted
database older than that is removed altogether.

rsync goes to ``rsync_module`` formatted with the peer's ring device
(``{replication_ip}``, ``{replication_port}``, ``{ip}``, ``{port}``,
``{device}``, ``{region}``, ``{zone}``): with ``::`` it names an rsync
daemon module (on ``rsync_port``), otherwise a local or ``host:path``
destination that rsync reaches directly (or over ssh).
"""

from __future__ import annotations

import http.client
import json
import logging
import math
import os
import shutil
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

from objstore.common.config import config_float, config_int, config_true_value, swift_dir
from objstore.common import rsync
from objstore.common.daemon import Daemon, is_local_device, my_ips
from objstore.common.http_client import http_connect
from objstore.common.timestamp import Timestamp
from objstore.common.utils import check_drive, mkdirs
from objstore.db import replication
from objstore.db.broker import DatabaseBroker, DatabaseNotFound, is_corruption
from objstore.db.ondisk import LocalDB, iter_local_dbs, remove_db
from objstore.db.paths import device_tmp_dir
from ring import Ring

Node = Dict[str, Any]
Reply = Tuple[int, Optional[Dict[str, Any]]]

DEFAULT_RECLAIM_AGE = 7 * 24 * 3600
# Outcomes of syncing one database with one peer.
OK_OUTCOMES = ("no_change", "rows", "diff_capped", "rsync", "remote_merge")
STAT_KEYS = ("attempted", "success", "failure", "no_change", "rows", "diff_capped", "rsync",
             "remote_merge", "remove", "reclaimed_dbs", "handoffs", "unmounted", "corrupt")


class DBReplicator(Daemon):
    """Replicates one kind of database; subclasses say which."""

    name = "db-replicator"
    server_type = "container"
    datadir = "containers"
    default_port = 6201
    default_interval = 30.0
    broker_class: Callable[..., DatabaseBroker] = DatabaseBroker

    def __init__(self, conf: Dict[str, str], logger: Optional[logging.Logger] = None,
                 ring: Optional[Ring] = None) -> None:
        super().__init__(conf, logger)
        self.swift_dir = swift_dir(conf)
        self.ring = ring or Ring(self.swift_dir, ring_name=self.server_type)
        self.bind_ip = conf.get("bind_ip", "0.0.0.0")
        self.bind_port = config_int(conf, "bind_port", self.default_port)
        self.per_diff = config_int(conf, "per_diff", 1000, minimum=1)
        self.max_diffs = config_int(conf, "max_diffs", 100, minimum=1)
        self.node_timeout = config_float(conf, "node_timeout", 10.0)
        self.conn_timeout = config_float(conf, "conn_timeout", 0.5)
        self.reclaim_age = config_float(conf, "reclaim_age", DEFAULT_RECLAIM_AGE)
        self.rsync_module = conf.get("rsync_module",
                                     "{replication_ip}::%s" % self.server_type).rstrip("/")
        self.rsync_port = config_int(conf, "rsync_port", 873)
        self.rsync_timeout = config_float(conf, "rsync_timeout", 900.0)
        self.rsync_compress = config_true_value(conf.get("rsync_compress", "no"))
        self.rsync_bwlimit = conf.get("rsync_bwlimit", "0")
        self.db_synchronous = conf.get("db_synchronous", "full")
        self.db_busy_timeout = config_float(conf, "db_busy_timeout", 25.0)
        self.broker_class(os.devnull, synchronous=self.db_synchronous)  # bad option: fail now
        self.stats: Dict[str, int] = {}

    # ------------------------------------------------------------- a pass

    def run_pass(self) -> Dict[str, Any]:
        self.stats = {k: 0 for k in STAT_KEYS}
        for dev in self.local_ring_devices():
            for db in iter_local_dbs(self.devices, dev["device"], self.datadir):
                self.replicate_db(dev, db)
                self.progress(self.stats)
        return dict(self.stats)

    def summary(self, stats: Dict[str, Any], elapsed: float) -> str:
        return ("%s pass completed in %.2fs: %d databases, %d syncs ok, %d failed "
                "(%d no change, %d with rows, %d capped, %d rsynced, %d merged by rsync), "
                "%d handoffs, %d removed, %d reclaimed"
                % (self.name, elapsed, stats["attempted"], stats["success"], stats["failure"],
                   stats["no_change"], stats["rows"], stats["diff_capped"], stats["rsync"],
                   stats["remote_merge"], stats["handoffs"], stats["remove"],
                   stats["reclaimed_dbs"]))

    def local_ring_devices(self) -> List[Node]:
        """This node's devices in the ring that are present (and mounted)."""
        ips = my_ips(self.bind_ip)
        devs = []
        for dev in self.ring.devs:
            if not is_local_device(dev, ips, self.bind_port):
                continue
            if check_drive(self.devices, dev["device"], self.mount_check) is None:
                self.logger.warning("Skipping %s: not mounted (or missing under %s)",
                                    dev["device"], self.devices)
                continue
            devs.append(dev)
        return devs

    def _broker(self, db: LocalDB) -> DatabaseBroker:
        return self.broker_class(db.path, busy_timeout=self.db_busy_timeout,
                                 synchronous=self.db_synchronous, logger=self.logger)

    def replicate_db(self, dev: Node, db: LocalDB) -> None:
        """Bring every other primary up to date with one local database."""
        self.stats["attempted"] += 1
        broker = self._broker(db)
        try:
            broker.merge_pending()  # peers get every acknowledged update
            if self._reclaim(broker, db):
                return
            info = replication.replication_info(broker)
        except DatabaseNotFound:
            return  # removed under us (a server's DELETE race); nothing to send
        except Exception as err:
            if is_corruption(err):
                self.stats["corrupt"] += 1
                self.logger.error("ERROR %s is corrupt (%s); the auditor will quarantine it",
                                  db.path, err)
            else:
                self.logger.exception("ERROR reading %s", db.path)
            self.stats["failure"] += 1
            return
        nodes = self.ring.get_part_nodes(db.partition)
        is_primary = any(n["id"] == dev["id"] for n in nodes)
        if not is_primary:
            self.stats["handoffs"] += 1
        more = (n for n in self.ring.get_more_nodes(db.partition) if n["id"] != dev["id"])
        all_ok = True
        for node in (n for n in nodes if n["id"] != dev["id"]):
            outcome = self._sync_with(broker, info, db, node)
            while outcome == "unmounted":
                self.stats["unmounted"] += 1
                node = next(more, None)
                if node is None:
                    break
                outcome = self._sync_with(broker, info, db, node)
            if outcome in OK_OUTCOMES:
                self.stats["success"] += 1
                self.stats[outcome] += 1
            else:
                self.stats["failure"] += 1
            all_ok = all_ok and outcome in OK_OUTCOMES and outcome != "diff_capped"
        if not is_primary and all_ok and not broker.has_pending():
            # (updates that arrived during the sync wait for the next pass)
            broker.close()
            remove_db(db)
            self.stats["remove"] += 1
            self.logger.debug("Removed handoff %s: every primary has it", db.path)

    # ------------------------------------------------------------ reclaim

    def _reclaim(self, broker: DatabaseBroker, db: LocalDB) -> bool:
        """Drop old tombstones; remove the database if it is deleted and
        old enough that every replica has seen the deletion. True if gone."""
        cutoff = Timestamp(time.time() - self.reclaim_age)
        broker.reclaim(cutoff.internal)
        broker.reclaim_metadata(cutoff.internal)
        if self.reclaimable(broker, cutoff):
            broker.close()
            remove_db(db)
            self.stats["reclaimed_dbs"] += 1
            return True
        return False

    def reclaimable(self, broker: DatabaseBroker, cutoff: Timestamp) -> bool:
        """True if the whole database may go (subclasses refine it)."""
        info = broker.get_raw_info()
        return broker.is_deleted() and Timestamp(info["delete_timestamp"]) < cutoff

    # -------------------------------------------------------- one peer

    def _sync_with(self, broker: DatabaseBroker, info: Dict[str, Any], db: LocalDB,
                   node: Node) -> str:
        """Sync ``broker`` to one peer; returns the outcome name."""
        def call(op: str, *args: Any) -> Reply:
            return self.call_peer(node, db.partition, db.hash, op, *args)

        status, remote = call("sync", info)
        if status == 404:
            return "rsync" if self._push_whole(broker, info, db, node, "complete_rsync") \
                else "error"
        if status == 507:
            return "unmounted"
        if status != 200 or remote is None:
            return "error"
        point = int(remote.get("point", -1))
        if max(point, 0) >= info["max_row"]:
            return "no_change"
        remote_rows = int(remote.get("max_row", 0))
        if remote_rows < info["max_row"] / 2 and info["max_row"] - point > self.per_diff:
            return "remote_merge" if self._push_whole(broker, info, db, node,
                                                      "rsync_then_merge") else "error"
        return self._send_rows(broker, info, remote, point, call)

    def _send_rows(self, broker: DatabaseBroker, info: Dict[str, Any], remote: Dict[str, Any],
                   point: int, call: Callable[..., Reply]) -> str:
        for _ in range(self.max_diffs):
            rows = broker.get_items_since(point, self.per_diff)
            if not rows:
                break
            status, _ = call("merge_items", rows, info["id"])
            if status // 100 != 2:
                return "unmounted" if status == 507 else "error"
            point = rows[-1]["row_id"]
        else:
            if broker.get_items_since(point, 1):
                return "diff_capped"  # the peer moved its sync point; more next pass
        status, _ = call("merge_syncs", broker.get_syncs(incoming=True))
        if status // 100 != 2:
            return "error"
        broker.merge_syncs([{"remote_id": remote["id"], "sync_point": point}], incoming=False)
        return "rows"

    def _push_whole(self, broker: DatabaseBroker, info: Dict[str, Any], db: LocalDB,
                    node: Node, op: str) -> bool:
        """rsync a snapshot of the database to the peer's tmp dir, then ask
        it to take it in with ``op``."""
        scratch = os.path.join(device_tmp_dir(self.devices, db.device),
                               "replicator-%s" % uuid.uuid4().hex)
        mkdirs(scratch)
        try:
            snapshot = os.path.join(scratch, info["id"])
            broker.backup_to(snapshot)
            if not self.rsync_file(snapshot, node):
                return False
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        status, _ = self.call_peer(node, db.partition, db.hash, op, info["id"])
        if status // 100 != 2:
            self.logger.error("ERROR %s of %s on %s returned %s", op, db.hash,
                              _node_name(node), status or "no answer")
            return False
        return True

    # ------------------------------------------------------------ transport

    def rsync_destination(self, node: Node) -> str:
        """Where the peer's ``<device>/tmp/`` is, as rsync names it."""
        return "%s/%s/tmp/" % (rsync.module_for(self.rsync_module, node), node["device"])

    def rsync_file(self, path: str, node: Node) -> bool:
        """Copy one file into the peer's tmp dir; False (logged) on failure."""
        dest = self.rsync_destination(node)
        cmd = ["rsync", "--quiet", "--whole-file", "--no-motd",
               "--timeout=%d" % max(1, math.ceil(self.node_timeout))]
        cmd += rsync.transport_options(dest, self.rsync_port, self.conn_timeout,
                                       self.rsync_compress, self.rsync_bwlimit)
        cmd += [path, dest]
        return rsync.run_rsync(cmd, "%s to %s" % (path, dest), self.rsync_timeout,
                               self.logger) is not None

    def call_peer(self, node: Node, partition: int, hash_: str, op: str, *args: Any) -> Reply:
        """One ``REPLICATE`` op on a peer: ``(status, json body or None)``;
        status 0 when the peer could not be reached."""
        body = json.dumps([op] + list(args)).encode("utf-8")
        ip = node.get("replication_ip") or node["ip"]
        port = node.get("replication_port") or node["port"]
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body)),
                   "User-Agent": "%s %d" % (self.name, os.getpid())}
        try:
            conn = http_connect(ip, port, node["device"], partition, "REPLICATE", "/" + hash_,
                                headers=headers, timeout=self.node_timeout)
            try:
                conn.send(body)
                resp = conn.getresponse()
                data = resp.read()
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as err:
            self.logger.error("ERROR REPLICATE %s to %s failed: %s", op, _node_name(node), err)
            return 0, None
        if resp.status == 200 and data:
            try:
                return 200, json.loads(data)
            except ValueError:
                self.logger.error("ERROR %s answered REPLICATE %s with bad JSON",
                                  _node_name(node), op)
                return 0, None
        return resp.status, None


def _node_name(node: Node) -> str:
    return "%s:%s/%s" % (node.get("replication_ip") or node["ip"],
                         node.get("replication_port") or node["port"], node["device"])

