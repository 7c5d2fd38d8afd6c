"""The object reconstructor: keep every EC object's archives where they belong.

Erasure-coded partitions cannot be replicated by copying files: node
``i`` must hold archive ``i``, which no other node has. So for each local
EC partition this daemon:

- on a *primary* (holding archive ``i``), compares suffix hashes with its
  two ring neighbours (``REPLICATE``; the hashes leave fragment indexes
  out, so equal hashes mean "same objects, same durable timestamps").
  For every local object in a differing suffix it asks the neighbour
  (``HEAD`` with ``X-Backend-Ec-Frag-Index``) whether it holds its own
  archive at that timestamp; if not, it *rebuilds* that archive from
  ``k`` others (its own plus archives fetched from the other primaries),
  segment by segment (``Codec.reconstruct``), and pushes it with a PUT
  and the commit POST. A wiped disk is thus refilled by its neighbours
  without having to know what it lost. Tombstones are pushed as DELETEs.
- on a *handoff* (a device not among the partition's primaries, written
  while a primary was down), *reverts*: pushes each archive ``f`` as is to
  primary ``f`` and removes it locally once that primary holds it.

Non-durable fragments are never pushed (nobody may serve them); they are
removed by the suffix rehash once older than ``reclaim_age``.

As Swift's, a ``--once`` pass can be limited to some devices or partitions
(``-d``/``--devices``, ``-p``/``--partitions``, each comma-separated).
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional

from objstore.common.config import config_float, config_int, swift_dir
from objstore.common.daemon import Daemon, is_local_device, my_ips, run_daemon
from objstore.common.ec import CorruptFragment, ECError, codec_for
from objstore.common.http_client import http_connect
from objstore.common.storage_policy import StoragePolicy, load_policies
from objstore.common.timestamp import Timestamp
from objstore.common.utils import close_if_possible
from objstore.obj.diskfile import (DiskFileDeleted, DiskFileDeviceUnavailable,
                                   DiskFileManager, DiskFileNotExist)
from ring import Ring

Node = Dict[str, Any]
STAT_KEYS = ("partitions", "handoff_partitions", "suffixes_compared", "rebuilt",
             "reverted", "deletes_pushed", "failures")
FRAG_INDEX = "X-Object-Sysmeta-Ec-Frag-Index"
_CARRIED = ("content-type", "content-encoding", "content-disposition", "x-delete-at",
            "x-object-manifest", "x-static-large-object", "cache-control",
            "content-language", "expires", "x-robots-tag")


@dataclass
class Job:
    policy: StoragePolicy
    device: Node
    partition: int
    primaries: List[Node]
    my_index: Optional[int]  # None: this device is a handoff for the partition


class _Stream:
    """Exact-size reads from a source of chunks (a local file or a backend
    response), so one fragment per segment can be taken at a time."""

    def __init__(self, read: Any) -> None:
        self._read = read

    def take(self, size: int) -> bytes:
        parts, got = [], 0
        while got < size:
            chunk = self._read(size - got)
            if not chunk:
                raise ECError("archive ended %d bytes early" % (size - got))
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)


class ObjectReconstructor(Daemon):
    """Rebuilds missing fragment archives and moves handoff ones home."""

    name = "object-reconstructor"
    server_type = "object"
    default_interval = 30.0
    once_limits = ("devices", "partitions")

    def __init__(self, conf: Dict[str, str], logger: Optional[logging.Logger] = None,
                 rings: Optional[Dict[int, Ring]] = None) -> None:
        super().__init__(conf, logger)
        self.swift_dir = swift_dir(conf)
        self.policies = load_policies(self.swift_dir)
        self.mgr = DiskFileManager(conf, self.logger)
        self.bind_ip = conf.get("bind_ip", "0.0.0.0")
        self.bind_port = config_int(conf, "bind_port", 6200)
        self.node_timeout = config_float(conf, "node_timeout", 10.0)
        self.rings = rings if rings is not None else self._load_rings()
        self.stats: Dict[str, int] = {}

    def _load_rings(self) -> Dict[int, Ring]:
        rings = {}
        for policy in self.policies:
            path = os.path.join(self.swift_dir, "%s.ring.gz" % policy.ring_name)
            if policy.is_ec and os.path.exists(path):
                rings[policy.index] = Ring(path)
        return rings

    def summary(self, stats: Dict[str, Any], elapsed: float) -> str:
        return ("%s pass completed in %.2fs: %d partitions (%d handoff), %d suffixes "
                "compared, %d archives rebuilt, %d reverted, %d deletes pushed, %d failures"
                % (self.name, elapsed, stats["partitions"], stats["handoff_partitions"],
                   stats["suffixes_compared"], stats["rebuilt"], stats["reverted"],
                   stats["deletes_pushed"], stats["failures"]))

    # ----------------------------------------------------------------- pass
    def run_pass(self) -> Dict[str, Any]:
        self.stats = {k: 0 for k in STAT_KEYS}
        for job in self.collect_jobs():
            self.progress(self.stats)
            try:
                if job.my_index is None:
                    self.revert(job)
                else:
                    self.sync_partition(job)
            except (DiskFileDeviceUnavailable, OSError, ECError) as err:
                self.stats["failures"] += 1
                self.logger.error("ERROR partition %s on %s: %s", job.partition,
                                  job.device["device"], err)
        return dict(self.stats)

    def collect_jobs(self) -> List[Job]:
        """Local EC partitions, handoffs first (moving data home matters
        more than re-checking settled data)."""
        ips = my_ips(self.bind_ip)
        jobs = []
        for policy in self.policies:
            ring = self.rings.get(policy.index)
            if ring is None:
                continue
            if getattr(ring, "next_part_power", None):
                # fragments are linked in two partitions until cleanup
                self.logger.warning("Skipping policy %s: a partition power increase is "
                                    "under way", policy.name)
                continue
            for dev in ring.devs:
                if not is_local_device(dev, ips, self.bind_port) or \
                        self.mgr.get_dev_path(dev["device"]) is None:
                    continue
                if "devices" in self.only and dev["device"] not in self.only["devices"]:
                    continue
                for part in self.mgr.list_partitions(dev["device"], policy.index):
                    if int(part) >= ring.partition_count:
                        continue
                    if "partitions" in self.only and part not in self.only["partitions"]:
                        continue
                    primaries = ring.get_part_nodes(int(part))
                    mine = [i for i, n in enumerate(primaries) if n["id"] == dev["id"]]
                    jobs.append(Job(policy, dev, int(part), primaries,
                                    mine[0] if mine else None))
        jobs.sort(key=lambda j: j.my_index is not None)
        return jobs

    # ------------------------------------------------------------ primaries
    def sync_partition(self, job: Job) -> None:
        self.stats["partitions"] += 1
        device, pidx = job.device["device"], job.policy.index
        local = self.mgr.get_hashes(device, str(job.partition), [], pidx)
        count = len(job.primaries)
        assert job.my_index is not None
        partners = sorted({(job.my_index - 1) % count, (job.my_index + 1) % count}
                          - {job.my_index})
        for index in partners:
            node = job.primaries[index]
            remote = self._replicate(node, job, [])
            if remote is None:
                self.stats["failures"] += 1
                continue
            differing = sorted(s for s in local if remote.get(s) != local[s])
            self.stats["suffixes_compared"] += len(local)
            if not differing:
                continue
            for object_hash, stamps in self.mgr.yield_hashes(device, str(job.partition), pidx,
                                                             differing):
                self._sync_object(job, object_hash, index, node)
            self._replicate(node, job, differing)

    def _sync_object(self, job: Job, object_hash: str, index: int, node: Node) -> None:
        df = self.mgr.get_diskfile_from_hash(job.device["device"], str(job.partition),
                                             object_hash, job.policy.index)
        try:
            df.open()
        except DiskFileDeleted as err:
            self._push_delete(job, node, df.name, err.timestamp)
            return
        except DiskFileNotExist:
            return  # only non-durable fragments here: nothing to share yet
        metadata, ts, name = df.get_metadata(), df.data_timestamp, df.name
        df.close()
        there = self._head(node, job, name or "", index)
        if there is not None and there >= ts:
            return
        try:
            self.rebuild(job, name or "", metadata, ts, index, node)
            self.stats["rebuilt"] += 1
        except (ECError, OSError, http.client.HTTPException) as err:
            self.stats["failures"] += 1
            self.logger.error("ERROR rebuilding archive %d of %s: %s", index, name, err)

    def rebuild(self, job: Job, name: str, metadata: Dict[str, str], ts: Timestamp,
                target: int, node: Node) -> None:
        """Rebuild archive ``target`` of ``name`` from ``k`` others and
        push it to ``node``; memory is one segment's fragments."""
        ec = job.policy.ec
        assert ec is not None
        length = int(metadata["X-Object-Sysmeta-Ec-Content-Length"])
        seg = int(metadata.get("X-Object-Sysmeta-Ec-Segment-Size") or ec.segment_size)
        codec = codec_for(dataclasses.replace(ec, segment_size=seg))
        layout = codec.layout(length)
        sources = self._sources(job, name, ts, target, ec.ndata)
        try:
            headers = self._put_headers(job, metadata, ts, target, layout.archive_length)

            def body() -> Iterator[bytes]:
                for segment in range(layout.segments):
                    size = layout.fragment_length(segment)
                    fragments = []
                    for index, stream in sources.items():
                        fragment = stream.take(size)
                        if codec.check(fragment) != index:
                            raise CorruptFragment("archive %d of %s" % (index, name))
                        fragments.append(fragment)
                    yield codec.reconstruct(fragments, target)
            self._push(node, job, name, headers, body(), ts)
        finally:
            for stream in sources.values():
                close_if_possible(stream)

    def _sources(self, job: Job, name: str, ts: Timestamp, target: int,
                 need: int) -> Dict[int, Any]:
        """``need`` archive streams of version ``ts``, none of them ``target``."""
        sources: Dict[int, Any] = {}
        for index, node in enumerate(job.primaries):
            if len(sources) >= need:
                break
            if index == target:
                continue
            headers = self._headers(job, {"X-Backend-Ec-Frag-Index": str(index)})
            try:
                conn = http_connect(node["ip"], node["port"], node["device"], job.partition,
                                    "GET", name, headers=headers, timeout=self.node_timeout)
                resp = conn.getresponse()
            except (OSError, http.client.HTTPException):
                continue
            stamp = resp.getheader("X-Backend-Data-Timestamp") or ""
            if resp.status != 200 or stamp != ts.internal or \
                    resp.getheader(FRAG_INDEX) != str(index):
                conn.close()
                continue
            stream = _Stream(resp.read)
            stream.close = conn.close  # type: ignore[attr-defined]
            sources[index] = stream
        if len(sources) < need:
            for stream in sources.values():
                stream.close()
            raise ECError("only %d of %d archives of %s readable" % (len(sources), need, name))
        return sources

    # -------------------------------------------------------------- handoffs
    def revert(self, job: Job) -> None:
        """Push each archive held here to the primary of its index; remove
        it here once that primary holds it."""
        self.stats["handoff_partitions"] += 1
        device, pidx = job.device["device"], job.policy.index
        for object_hash, _stamps in self.mgr.yield_hashes(device, str(job.partition), pidx):
            df = self.mgr.get_diskfile_from_hash(device, str(job.partition), object_hash, pidx)
            try:
                df.open()
            except DiskFileDeleted as err:
                for node in job.primaries:
                    self._push_delete(job, node, df.name, err.timestamp)
                continue
            except DiskFileNotExist:
                continue
            ts, name, held = df.data_timestamp, df.name or "", df.fragments()
            df.close()
            for index in held:
                if index >= len(job.primaries):
                    continue
                node = job.primaries[index]
                there = self._head(node, job, name, index)
                try:
                    if there is None or there < ts:
                        self._revert_one(job, object_hash, index, node, ts, name)
                    df.purge_fragment(ts, index)
                    self.stats["reverted"] += 1
                except (ECError, OSError, http.client.HTTPException) as err:
                    self.stats["failures"] += 1
                    self.logger.error("ERROR reverting archive %d of %s: %s", index, name, err)

    def _revert_one(self, job: Job, object_hash: str, index: int, node: Node, ts: Timestamp,
                    name: str) -> None:
        df = self.mgr.get_diskfile_from_hash(job.device["device"], str(job.partition),
                                             object_hash, job.policy.index)
        df.wanted_frag = index
        df.open()
        metadata = df.get_metadata()
        reader = df.reader(verify=False)
        size = int(metadata.get("Content-Length", 0))
        try:
            headers = self._put_headers(job, metadata, ts, index, size)
            self._push(node, job, name, headers, reader.read_range(0, size), ts)
        finally:
            reader.close()

    # ---------------------------------------------------------------- wire
    def _headers(self, job: Job, extra: Dict[str, str]) -> Dict[str, str]:
        headers = {"X-Backend-Storage-Policy-Index": str(job.policy.index),
                   "User-Agent": "%s %d" % (self.name, os.getpid())}
        headers.update(extra)
        return headers

    def _put_headers(self, job: Job, metadata: Dict[str, str], ts: Timestamp, index: int,
                     length: int) -> Dict[str, str]:
        carried = {k: v for k, v in metadata.items()
                   if k.lower() in _CARRIED or k.lower().startswith(
                       ("x-object-meta-", "x-object-sysmeta-", "x-object-transient-sysmeta-"))}
        carried.update({"X-Timestamp": ts.internal, FRAG_INDEX: str(index),
                        "Content-Length": str(length)})
        return self._headers(job, carried)

    def _push(self, node: Node, job: Job, name: str, headers: Dict[str, str],
              body: Iterator[bytes], ts: Timestamp) -> None:
        """PUT an archive then commit it (no container update: the listing
        already has the object)."""
        conn = http_connect(node["ip"], node["port"], node["device"], job.partition, "PUT",
                            name, headers=headers, timeout=self.node_timeout)
        try:
            for chunk in body:
                conn.send(chunk)
            resp = conn.getresponse()
            resp.read()
        finally:
            conn.close()
        if resp.status not in (201, 409):
            raise ECError("PUT to %s answered %d" % (node["device"], resp.status))
        status = self._simple(node, job, "POST", name, {"X-Backend-Ec-Commit": ts.internal})
        if status != 202:
            raise ECError("commit on %s answered %s" % (node["device"], status))

    def _push_delete(self, job: Job, node: Node, name: Optional[str], ts: Timestamp) -> None:
        if not name:
            return
        if self._simple(node, job, "DELETE", name, {"X-Timestamp": ts.internal}) in (204, 404):
            self.stats["deletes_pushed"] += 1

    def _head(self, node: Node, job: Job, name: str, index: int) -> Optional[Timestamp]:
        """The durable data timestamp of archive ``index`` on ``node``; None
        if it has none (or could not be asked)."""
        try:
            conn = http_connect(node["ip"], node["port"], node["device"], job.partition,
                                "HEAD", name, timeout=self.node_timeout,
                                headers=self._headers(job, {"X-Backend-Ec-Frag-Index":
                                                            str(index)}))
            resp = conn.getresponse()
            resp.read()
            conn.close()
        except (OSError, http.client.HTTPException):
            return None
        if resp.status != 200:
            return None
        try:
            return Timestamp(resp.getheader("X-Backend-Data-Timestamp") or "")
        except ValueError:
            return None

    def _simple(self, node: Node, job: Job, method: str, name: str,
                extra: Dict[str, str]) -> Optional[int]:
        try:
            conn = http_connect(node["ip"], node["port"], node["device"], job.partition,
                                method, name, headers=self._headers(job, extra),
                                timeout=self.node_timeout)
            resp = conn.getresponse()
            resp.read()
            conn.close()
            return resp.status
        except (OSError, http.client.HTTPException):
            return None

    def _replicate(self, node: Node, job: Job, suffixes: List[str]) -> Optional[Dict[str, str]]:
        path = "/" + "-".join(suffixes) if suffixes else ""
        try:
            conn = http_connect(node.get("replication_ip") or node["ip"],
                                node.get("replication_port") or node["port"], node["device"],
                                job.partition, "REPLICATE", path,
                                headers=self._headers(job, {"Content-Length": "0"}),
                                timeout=self.node_timeout)
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
        except (OSError, http.client.HTTPException) as err:
            self.logger.error("ERROR REPLICATE %s: %s", node["device"], err)
            return None
        if resp.status != 200:
            return None
        try:
            hashes = json.loads(body)
        except ValueError:
            return None
        return hashes if isinstance(hashes, dict) else None


def main(argv: Optional[List[str]] = None) -> int:
    """``objstore-object-reconstructor <conf> [--once] [-v]``."""
    return run_daemon(ObjectReconstructor, argv)


if __name__ == "__main__":
    raise SystemExit(main())
