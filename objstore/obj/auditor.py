"""The object auditor: find damaged objects before a client does.

Bits rot, disks return garbage, a crash can leave a truncated file. A GET
notices too, but only after the client had the bytes; the auditor reads
every object in the background and quarantines a bad one (moves its hash
dir to ``<device>/quarantined/``), which also makes its suffix hash
change, so the replicator copies a good replica back.

Each pass has two sweeps over every object on every device:

* the *zero-byte-file* (ZBF) sweep opens each object and checks its
  metadata and its size against ``Content-Length`` without reading the
  body. It is cheap, catches truncated and metadata-less files, and runs
  at ``zero_byte_files_per_second``.
* the *full* sweep reads each body and compares its MD5 with the stored
  ETag (and its CRC with the one its writer kept), limited to ``files_per_second`` and ``bytes_per_second`` so that
  auditing never starves client requests of disk time.

``audit_type`` picks ``both`` (default), ``zbf`` or ``full``. Checking is
the DiskFile layer's (``open`` and a verifying reader), so the auditor
and the object server agree on what "damaged" means.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, Iterator, List, Optional, Tuple

from objstore.common.config import config_float, swift_dir
from objstore.common.daemon import Daemon, run_daemon
from objstore.common.storage_policy import load_policies
from objstore.obj.reader import DamagedObject
from objstore.obj.diskfile import (DiskFile, DiskFileDeleted, DiskFileDeviceUnavailable,
                                   DiskFileExpired, DiskFileManager, DiskFileNotExist,
                                   DiskFileQuarantined)

AUDIT_TYPES = ("both", "zbf", "full")
SWEEP_KEYS = ("checked", "passed", "quarantined", "errors", "bytes")


class RateLimiter:
    """Keeps a running count at or under ``rate`` per second by sleeping.

    Why a running average and not a per-second bucket: an auditor that
    fell behind while the disk was busy must not burst to catch up.
    """

    def __init__(self, rate: float, clock: Any = time.monotonic, sleep: Any = time.sleep
                 ) -> None:
        self.rate = float(rate)
        self.clock = clock
        self.sleep = sleep
        self.started = clock()
        self.count = 0.0

    def add(self, amount: float = 1.0) -> None:
        """Account ``amount`` units; sleep until the average allows them."""
        if self.rate <= 0:
            return
        self.count += amount
        ahead = self.count / self.rate - (self.clock() - self.started)
        if ahead > 0:
            self.sleep(ahead)


class ObjectAuditor(Daemon):
    """Verifies every object's metadata, size and MD5; quarantines the bad."""

    name = "object-auditor"
    server_type = "object"
    default_interval = 30.0

    def __init__(self, conf: Dict[str, str], logger: Optional[logging.Logger] = None) -> None:
        super().__init__(conf, logger)
        self.policies = load_policies(swift_dir(conf))
        self.mgr = DiskFileManager(conf, self.logger)
        self.files_per_second = config_float(conf, "files_per_second", 20.0)
        self.bytes_per_second = config_float(conf, "bytes_per_second", 10 * 1024 * 1024)
        self.zbf_per_second = config_float(conf, "zero_byte_files_per_second", 50.0)
        self.audit_type = conf.get("audit_type", "both").strip().lower()
        if self.audit_type not in AUDIT_TYPES:
            raise ValueError("audit_type must be one of %s, got %r"
                             % (", ".join(AUDIT_TYPES), self.audit_type))

    def run_pass(self) -> Dict[str, Any]:
        stats: Dict[str, Any] = {}
        if self.audit_type in ("both", "zbf"):
            stats.update({"zbf_" + k: v for k, v in self.sweep(full=False).items()})
        if self.audit_type in ("both", "full"):
            stats.update(self.sweep(full=True))
        stats["quarantined_total"] = stats.get("zbf_quarantined", 0) + stats.get(
            "quarantined", 0)
        return stats

    def summary(self, stats: Dict[str, Any], elapsed: float) -> str:
        parts = []
        if "zbf_checked" in stats:
            parts.append("ZBF sweep %d objects, %d quarantined, %d errors"
                         % (stats["zbf_checked"], stats["zbf_quarantined"], stats["zbf_errors"]))
        if "checked" in stats:
            parts.append("full sweep %d objects (%.1f MB), %d quarantined, %d errors"
                         % (stats["checked"], stats["bytes"] / 1e6, stats["quarantined"],
                            stats["errors"]))
        return "%s pass completed in %.2fs: %s" % (self.name, elapsed, "; ".join(parts))

    # --------------------------------------------------------------- sweeps

    def sweep(self, full: bool) -> Dict[str, int]:
        """Check every object once; counters for this sweep."""
        stats = {k: 0 for k in SWEEP_KEYS}
        files = RateLimiter(self.files_per_second if full else self.zbf_per_second)
        data = RateLimiter(self.bytes_per_second if full else 0)
        for device, policy_index, partition, object_hash in self.iter_objects():
            files.add()
            stats["checked"] += 1
            self.progress(stats)
            try:
                df = self.mgr.get_diskfile_from_hash(device, partition, object_hash,
                                                     policy_index)
                verdict, size = self.audit_one(df, full, data)
            except DiskFileDeviceUnavailable:
                verdict, size = "gone", 0  # unmounted mid-pass; next pass retries
            except Exception:
                self.logger.exception("ERROR auditing %s on %s", object_hash, device)
                verdict, size = "errors", 0
            stats["bytes"] += size
            if verdict in stats:
                stats[verdict] += 1
        return stats

    def audit_one(self, df: DiskFile, full: bool, limiter: RateLimiter) -> Tuple[str, int]:
        """``(verdict, bytes read)``; verdict ``passed``, ``quarantined`` or
        ``gone`` (deleted, expired, or replaced while we looked)."""
        try:
            df.open()
        except DiskFileQuarantined:
            return "quarantined", 0
        except (DiskFileDeleted, DiskFileExpired):
            return "gone", 0
        except DiskFileNotExist:
            return "gone", 0
        if not full:
            df.close()
            return "passed", 0
        reader = df.reader(verify=True, check_etag=True)
        size = 0
        try:
            for chunk in reader:
                size += len(chunk)
                limiter.add(len(chunk))
        except DamagedObject:
            pass  # quarantined by the reader; reader.damaged says why
        finally:
            reader.close()
        return ("quarantined" if reader.damaged else "passed"), size

    def iter_objects(self) -> Iterator[Tuple[str, int, str, str]]:
        """``(device, policy index, partition, hash)`` of every object."""
        for device in self.local_device_dirs():
            for policy in self.policies:
                try:
                    partitions: List[str] = self.mgr.list_partitions(device, policy.index)
                except DiskFileDeviceUnavailable:
                    continue
                for partition in partitions:
                    for object_hash, _stamps in self.mgr.yield_hashes(device, partition,
                                                                      policy.index):
                        yield device, policy.index, partition, object_hash


def main(argv: Optional[List[str]] = None) -> int:
    """``objstore-object-auditor <conf> [--once] [-v]``."""
    return run_daemon(ObjectAuditor, argv)


if __name__ == "__main__":
    raise SystemExit(main())
