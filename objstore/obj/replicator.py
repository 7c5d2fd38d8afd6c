"""The object replicator: keep every partition's replicas identical.

Replicas find out what differs cheaply through suffix hashes (one MD5
per suffix dir, see ``obj.hashes``). For each local partition the
replicator asks each other primary for its hashes (``REPLICATE
/<dev>/<part>``), pushes the suffix dirs whose hashes differ with rsync
to the peer's rsync daemon, then asks the peer to rehash exactly those
suffixes (``REPLICATE /<dev>/<part>/<suf>-<suf>``) so its cache tells
the truth the next time anyone asks. rsync runs with
``--ignore-existing``: object files are named by timestamp and never
change, so an existing name is the same file, and the peer's own cleanup
on rehash keeps only the newest.

Why push and not pull: every node pushes what it has, so a wiped or
replaced disk is refilled by its peers without it having to know what it
lost.

A partition on a device that is not one of its primaries (a *handoff*:
written while a primary was down, or left behind by a rebalance) is
pushed to every primary; the suffixes every primary took are removed
locally, and the partition dir once empty. If any primary could not take
it the copy stays, because it may be the only one.

A primary answering 507 (unmounted disk) is stood in for by the next
handoff node, so a dead disk does not leave a partition one replica
short. Tombstones older than ``reclaim_age`` are dropped when a suffix is
rehashed; every ``full_rehash_every`` passes (and on every ``--once``
pass) all suffixes are rehashed, so old tombstones go even in partitions
nobody writes to.

rsync destinations come from ``rsync_module`` formatted with the peer's
ring entry (``{ip}``, ``{port}``, ``{replication_ip}``,
``{replication_port}``, ``{device}``, ``{region}``, ``{zone}``), then
``/<device>/``; a ``::`` module is reached on ``rsync_port``.

As Swift's, a ``--once`` pass can be limited to some devices, partitions
or policy indices (``-d``/``--devices``, ``-p``/``--partitions``,
``-i``/``--policies``, each comma-separated): an operator repairs one
partition without a pass over the whole node.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

from objstore.common.config import config_float, config_int, config_true_value, swift_dir
from objstore.common import rsync
from objstore.common.daemon import Daemon, is_local_device, my_ips, run_daemon
from objstore.common.http_client import http_connect
from objstore.common.storage_policy import StoragePolicy, load_policies
from objstore.obj.diskfile import DiskFileDeviceUnavailable, DiskFileManager
from objstore.obj.hashes import LockTimeout
from ring import Ring

Node = Dict[str, Any]
STAT_KEYS = ("partitions", "success", "failure", "hashmatch", "suffixes_synced",
             "files_pushed", "rsync_calls", "handoffs", "handoff_suffixes_removed",
             "partitions_removed", "unmounted_peers", "skipped_devices")
#: rsync's temp files while it receives (``.<name>.XXXXXX``): never push them.
RSYNC_TEMP_PATTERN = ".*.??????"


@dataclass
class PartitionJob:
    """One local partition and who should hold it."""

    policy: StoragePolicy
    device: Node
    partition: str
    primaries: List[Node]
    is_primary: bool
    handoffs: Iterator[Node] = field(default_factory=lambda: iter(()))


class ObjectReplicator(Daemon):
    """Pushes differing suffixes to peers with rsync; moves handoffs home."""

    name = "object-replicator"
    server_type = "object"
    default_interval = 30.0
    once_limits = ("devices", "partitions", "policies")

    def __init__(self, conf: Dict[str, str], logger: Optional[logging.Logger] = None,
                 rings: Optional[Dict[int, Ring]] = None) -> None:
        super().__init__(conf, logger)
        self.swift_dir = swift_dir(conf)
        self.policies = load_policies(self.swift_dir)
        self.rings = rings if rings is not None else self._load_rings()
        self.mgr = DiskFileManager(conf, self.logger)
        self.bind_ip = conf.get("bind_ip", "0.0.0.0")
        self.bind_port = config_int(conf, "bind_port", 6200)
        self.node_timeout = config_float(conf, "node_timeout", 10.0)
        self.conn_timeout = config_float(conf, "conn_timeout", 0.5)
        self.http_timeout = config_float(conf, "http_timeout", 60.0)
        self.rsync_module = conf.get("rsync_module", "{replication_ip}::object").rstrip("/")
        self.rsync_port = config_int(conf, "rsync_port", 873)
        self.rsync_timeout = config_float(conf, "rsync_timeout", 900.0)
        self.rsync_io_timeout = config_int(conf, "rsync_io_timeout", 30, minimum=1)
        self.rsync_compress = config_true_value(conf.get("rsync_compress", "no"))
        self.rsync_bwlimit = conf.get("rsync_bwlimit", "0")
        self.full_rehash_every = config_int(conf, "full_rehash_every", 10, minimum=1)
        self.handoff_delete = config_true_value(conf.get("handoff_delete", "yes"))
        self.sync_method = conf.get("sync_method", "rsync").strip().lower()
        if self.sync_method not in ("rsync", "ssync"):
            raise ValueError("sync_method must be rsync or ssync, got %r" % self.sync_method)
        self.concurrency = config_int(conf, "concurrency", 4, minimum=1)
        self.pass_count = 0
        self.stats: Dict[str, int] = {}
        self._stats_lock = threading.Lock()

    def count(self, key: str, amount: int = 1) -> None:
        """Add to a pass counter (jobs run in ``concurrency`` threads)."""
        with self._stats_lock:
            self.stats[key] += amount

    def _load_rings(self) -> Dict[int, Ring]:
        rings = {}
        for policy in self.policies:
            path = os.path.join(self.swift_dir, "%s.ring.gz" % policy.ring_name)
            if os.path.exists(path):
                rings[policy.index] = Ring(path)
            else:
                self.logger.warning("No ring %s for policy %s; its objects are not replicated",
                                    path, policy.name)
        return rings

    # ------------------------------------------------------------- a pass

    def run_pass(self) -> Dict[str, Any]:
        self.stats = {k: 0 for k in STAT_KEYS}
        full = self.pass_count % self.full_rehash_every == 0
        self.pass_count += 1
        jobs = self.collect_jobs()
        # Why threads: a pass mostly waits on peers and rsync, not on CPU.
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            list(pool.map(lambda job: self._run_job(job, full), jobs))
        return dict(self.stats)

    def _run_job(self, job: PartitionJob, full: bool) -> None:
        try:
            self.replicate_partition(job, full_rehash=full)
        except (DiskFileDeviceUnavailable, LockTimeout) as err:
            self.count("failure")
            self.logger.error("ERROR partition %s on %s skipped: %s", job.partition,
                              job.device["device"], err)
        except Exception:
            self.count("failure")
            self.logger.exception("ERROR replicating partition %s on %s", job.partition,
                                  job.device["device"])
        # a snapshot under the lock: other jobs' threads count meanwhile
        with self._stats_lock:
            self.progress(dict(self.stats))

    def summary(self, stats: Dict[str, Any], elapsed: float) -> str:
        return ("%s pass completed in %.2fs: %d partitions, %d peer syncs ok, %d failed, "
                "%d in sync, %d suffixes pushed (%d files, %d rsyncs), %d handoff partitions "
                "(%d suffixes, %d partitions removed)"
                % (self.name, elapsed, stats["partitions"], stats["success"], stats["failure"],
                   stats["hashmatch"], stats["suffixes_synced"], stats["files_pushed"],
                   stats["rsync_calls"], stats["handoffs"], stats["handoff_suffixes_removed"],
                   stats["partitions_removed"]))

    def collect_jobs(self) -> List[PartitionJob]:
        """Every local partition of every policy, handoffs first: moving
        misplaced data home matters more than re-checking settled data."""
        ips = my_ips(self.bind_ip)
        jobs: List[PartitionJob] = []
        only = self.only
        for policy in self.policies:
            ring = self.rings.get(policy.index)
            if ring is None or policy.is_ec:
                continue  # EC archives differ per node: the reconstructor's job
            if "policies" in only and str(policy.index) not in only["policies"]:
                continue
            if getattr(ring, "next_part_power", None):
                # objects are linked in two partitions until cleanup: pushing
                # either would spread doubles (as Swift, replication waits)
                self.logger.warning("Skipping policy %s: a partition power increase is "
                                    "under way", policy.name)
                continue
            for dev in ring.devs:
                if not is_local_device(dev, ips, self.bind_port):
                    continue
                if "devices" in only and dev["device"] not in only["devices"]:
                    continue
                if self.mgr.get_dev_path(dev["device"]) is None:
                    self.count("skipped_devices")
                    self.logger.warning("Skipping %s: not mounted (or missing under %s)",
                                        dev["device"], self.devices)
                    continue
                for part in self.mgr.list_partitions(dev["device"], policy.index):
                    if int(part) >= ring.partition_count:
                        continue  # left from a ring with more partitions; not ours to judge
                    if "partitions" in only and part not in only["partitions"]:
                        continue
                    nodes = ring.get_part_nodes(int(part))
                    primary = any(n["id"] == dev["id"] for n in nodes)
                    more = (n for n in ring.get_more_nodes(int(part)) if n["id"] != dev["id"])
                    jobs.append(PartitionJob(policy, dev, part,
                                             [n for n in nodes if n["id"] != dev["id"]],
                                             primary, more))
        jobs.sort(key=lambda j: j.is_primary)
        return jobs

    # ------------------------------------------------------- one partition

    def replicate_partition(self, job: PartitionJob, full_rehash: bool = False) -> None:
        """Bring every peer of ``job`` up to date; move a handoff home."""
        self.count("partitions")
        device, pidx = job.device["device"], job.policy.index
        recalc = [s for _p, s in self.mgr.yield_suffixes(device, job.partition, pidx)] \
            if full_rehash else []
        local = self.mgr.get_hashes(device, job.partition, recalc, pidx)
        if not job.is_primary:
            self.count("handoffs")
            self._revert(job, local)
            return
        for node in job.primaries:
            outcome = self.sync_to_peer(job, node, local)
            while outcome == "unmounted":
                self.count("unmounted_peers")
                node = next(job.handoffs, None)  # type: ignore[assignment]
                if node is None:
                    break
                outcome = self.sync_to_peer(job, node, local)
            self.count("success" if outcome in ("in_sync", "synced") else "failure")

    def _revert(self, job: PartitionJob, local: Dict[str, str]) -> None:
        """Push a handoff partition to all primaries; drop what all took."""
        device, pidx = job.device["device"], job.policy.index
        if not local:
            self._remove_if_empty(job)
            return
        pushed_everywhere = set(local)
        for node in job.primaries:
            outcome = self.sync_to_peer(job, node, local)
            self.count("success" if outcome in ("in_sync", "synced") else "failure")
            if outcome not in ("in_sync", "synced"):
                pushed_everywhere = set()
        if not self.handoff_delete or not pushed_everywhere:
            return
        # A write may have landed here meanwhile: only what is unchanged since
        # the push is known to be on every primary.
        now = self.mgr.get_hashes(device, job.partition, sorted(pushed_everywhere), pidx)
        for suffix_path, suffix in list(self.mgr.yield_suffixes(device, job.partition, pidx)):
            if suffix in pushed_everywhere and now.get(suffix) == local.get(suffix):
                shutil.rmtree(suffix_path, ignore_errors=True)
                self.count("handoff_suffixes_removed")
        self._remove_if_empty(job)

    def _remove_if_empty(self, job: PartitionJob) -> None:
        device, pidx = job.device["device"], job.policy.index
        if any(True for _ in self.mgr.yield_suffixes(device, job.partition, pidx)):
            return
        shutil.rmtree(self.mgr.partition_path(device, job.partition, pidx), ignore_errors=True)
        self.count("partitions_removed")
        self.logger.debug("Removed handoff partition %s of %s: every primary has it",
                          job.partition, device)

    def sync_to_peer(self, job: PartitionJob, node: Node, local: Dict[str, str]) -> str:
        """Make ``node`` hold what we hold of the partition.

        Returns ``in_sync``, ``synced``, ``unmounted`` (507) or ``error``.
        """
        status, remote = self.replicate_call(node, job, [])
        if status == 507:
            return "unmounted"
        if status != 200 or remote is None:
            return "error"
        differ = sorted(s for s, h in local.items() if remote.get(s) != h)
        if not differ:
            self.count("hashmatch")
            return "in_sync"
        if self.sync_method == "ssync":
            from objstore.obj import ssync  # only loaded when configured

            ok = ssync.send_suffixes(self, job, node, differ)
        else:
            ok = self.rsync_suffixes(job, node, differ)
        if not ok:
            return "error"
        self.count("suffixes_synced", len(differ))
        status, _ = self.replicate_call(node, job, differ)
        return "synced" if status == 200 else "error"

    # ------------------------------------------------------------ transport

    def rsync_destination(self, node: Node) -> str:
        """The peer's device root as rsync names it (``module/<device>/``)."""
        return "%s/%s/" % (rsync.module_for(self.rsync_module, node), node["device"])

    def rsync_suffixes(self, job: PartitionJob, node: Node, suffixes: List[str]) -> bool:
        """Push suffix dirs; ``--relative`` recreates ``objects/<part>/``
        on a peer whose whole objects tree is gone."""
        device, pidx = job.device["device"], job.policy.index
        dev_path = self.mgr.get_dev_path(device)
        if dev_path is None:
            raise DiskFileDeviceUnavailable("device %s is not mounted" % device)
        sources = []
        for suffix_path, suffix in self.mgr.yield_suffixes(device, job.partition, pidx):
            if suffix in suffixes:
                sources.append(os.path.join(dev_path, ".", os.path.relpath(suffix_path, dev_path)))
        if not sources:
            return True  # the suffixes went away meanwhile (reclaimed): nothing to send
        dest = self.rsync_destination(node)
        cmd = ["rsync", "--recursive", "--relative", "--whole-file", "--xattrs",
               "--ignore-existing", "--itemize-changes", "--no-motd",
               "--timeout=%d" % self.rsync_io_timeout,
               "--exclude=%s" % RSYNC_TEMP_PATTERN]
        cmd += rsync.transport_options(dest, self.rsync_port, self.conn_timeout,
                                       self.rsync_compress, self.rsync_bwlimit)
        cmd += sources + [dest]
        self.count("rsync_calls")
        proc = rsync.run_rsync(cmd, "partition %s to %s" % (job.partition, dest),
                               self.rsync_timeout, self.logger)
        if proc is None:
            return False
        self.count("files_pushed", sum(
            1 for line in proc.stdout.decode("utf-8", "replace").splitlines()
            if line[:2] in ("<f", ">f")))
        return True

    def replicate_call(self, node: Node, job: PartitionJob,
                       suffixes: List[str]) -> Tuple[int, Optional[Dict[str, str]]]:
        """``REPLICATE`` on a peer: ``(status, {suffix: hash})``; status 0
        when the peer could not be reached or answered nonsense."""
        path = "/" + "-".join(suffixes) if suffixes else ""
        ip = node.get("replication_ip") or node["ip"]
        port = node.get("replication_port") or node["port"]
        headers = {"X-Backend-Storage-Policy-Index": str(job.policy.index),
                   "Content-Length": "0", "User-Agent": "%s %d" % (self.name, os.getpid())}
        try:
            conn = http_connect(ip, port, node["device"], job.partition, "REPLICATE", path,
                                headers=headers, timeout=self.http_timeout)
            try:
                resp = conn.getresponse()
                body = resp.read()
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as err:
            self.logger.error("ERROR REPLICATE partition %s to %s failed: %s", job.partition,
                              node_name(node), err)
            return 0, None
        if resp.status != 200:
            if resp.status != 507:
                self.logger.error("ERROR %s answered REPLICATE of partition %s with %d",
                                  node_name(node), job.partition, resp.status)
            return resp.status, None
        try:
            hashes = json.loads(body)
        except ValueError:
            hashes = None
        if not isinstance(hashes, dict):
            self.logger.error("ERROR %s answered REPLICATE with bad JSON", node_name(node))
            return 0, None
        return 200, hashes


def node_name(node: Node) -> str:
    """``ip:port/device`` of a ring device, for log lines."""
    return "%s:%s/%s" % (node.get("replication_ip") or node["ip"],
                         node.get("replication_port") or node["port"], node["device"])


def main(argv: Optional[List[str]] = None) -> int:
    """``objstore-object-replicator <conf> [--once [-d DEVS] [-p PARTS] [-i POLICIES]] [-v]``."""
    return run_daemon(ObjectReplicator, argv)


if __name__ == "__main__":
    raise SystemExit(main())
