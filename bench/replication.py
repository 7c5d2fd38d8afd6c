#!/usr/bin/env python3
"""Replication refill and auditor throughput on the all-in-one cluster.

1. PUT ``--objects`` (10,000) small objects through the proxy, at most
   ``--concurrency`` in flight.
2. Wipe node 1's device ``objects/`` tree (rename aside, then delete, as
   an operator replacing a disk would) and time one replicator pass of the
   other nodes (``--once``, run in parallel) that refills it: objects/s and
   MB/s of what came back. With ``--sync-method rsync,ssync`` it wipes and
   refills once per method.
3. PUT ``--large`` (20) objects of ``--large-mb`` (64) MiB, drop the page
   cache if we may, and time node 1's object auditor (``--once``, rates
   unlimited as the SAIO configures them): audited MB/s, beside the disk's
   own sequential read rate of a file as big as what node 1 holds, read
   with ``O_DIRECT`` and, after a cache drop, with plain reads.
4. Delete everything it created (also after an error or Ctrl-C).

Prints a table and writes ``--json``. Figures go to docs/performance.md.
Needs the SAIO up (``saio/start``); the background daemons should be
stopped (``saio/daemons stop``) or they refill the device too.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import quote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import disk  # noqa: E402  (bench/disk.py)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MiB = 1024 * 1024


class Client:
    """Keep-alive connections, one per thread, to the proxy."""

    def __init__(self, auth_url: str, user: str, key: str) -> None:
        u = urlsplit(auth_url)
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=30)
        conn.request("GET", u.path, headers={"X-Auth-User": user, "X-Auth-Key": key})
        resp = conn.getresponse()
        resp.read()
        if resp.status // 100 != 2:
            raise SystemExit("auth as %s failed (%d); is the SAIO up?" % (user, resp.status))
        storage = urlsplit(resp.getheader("X-Storage-Url"))
        self.token = resp.getheader("X-Auth-Token")
        self.host, self.port, self.base = storage.hostname, storage.port, storage.path
        self.local = threading.local()

    def request(self, method: str, path: str, body: Any = None,
                headers: Optional[Dict[str, str]] = None) -> Tuple[int, bytes]:
        hdrs = dict(headers or {}, **{"X-Auth-Token": self.token})
        if not isinstance(body, (bytes, type(None))):
            self.local.conn = None  # a streamed body cannot be resent: no stale keep-alive
        for attempt in range(3):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(self.host, self.port,
                                                                    timeout=120)
            try:
                conn.request(method, self.base + quote(path), body=body, headers=hdrs)
                resp = conn.getresponse()
                return resp.status, resp.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                if attempt == 2 or not isinstance(body, (bytes, type(None))):
                    raise
        raise AssertionError("unreachable")


def saio_dir() -> str:
    return os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio"))


def count_data(tree: str) -> Tuple[int, int]:
    """(.data files, their bytes) under ``tree``."""
    files = size = 0
    for dirpath, _dirs, names in os.walk(tree):
        for name in names:
            if name.endswith(".data"):
                files += 1
                size += os.path.getsize(os.path.join(dirpath, name))
    return files, size


def drop_caches() -> bool:
    """True if the page cache was dropped (root, writable /proc/sys)."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as fp:
            fp.write("3\n")
        return True
    except OSError:
        return False


def cached_mb() -> float:
    with open("/proc/meminfo") as fp:
        for line in fp:
            if line.startswith("Cached:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def run_daemon(daemon: str, conf: str) -> subprocess.Popen:
    exe = os.path.join(os.path.dirname(sys.executable), "objstore-%s" % daemon)
    return subprocess.Popen([exe, conf, "--once"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def ssync_conf(conf: str, tmpdir: str) -> str:
    """A copy of a node's config whose replicator uses ssync."""
    with open(conf) as fp:
        text = fp.read()
    text = text.replace("[object-replicator]\n", "[object-replicator]\nsync_method = ssync\n")
    path = os.path.join(tmpdir, "ssync-" + os.path.basename(conf))
    with open(path, "w") as fp:
        fp.write(text)
    return path


def refill(method: str, victim_objects: str, tmpdir: str) -> Dict[str, Any]:
    before = count_data(victim_objects)
    aside = "%s.wiped-%d" % (victim_objects, time.time())
    os.rename(victim_objects, aside)
    shutil.rmtree(aside)
    etc = os.path.join(saio_dir(), "etc", "object-server")
    confs = [os.path.join(etc, "%d.conf" % n) for n in (2, 3, 4)]
    if method == "ssync":
        confs = [ssync_conf(c, tmpdir) for c in confs]
    started = time.time()
    procs = [run_daemon("object-replicator", c) for c in confs]
    logs = [p.communicate()[1].decode("utf-8", "replace") for p in procs]
    elapsed = time.time() - started
    errors = [line for log in logs for line in log.splitlines() if " ERROR " in line]
    after = count_data(victim_objects)
    return {"method": method, "before_files": before[0], "before_bytes": before[1],
            "refilled_files": after[0], "refilled_bytes": after[1],
            "seconds": round(elapsed, 2), "objects_per_s": round(after[0] / elapsed, 1),
            "mb_per_s": round(after[1] / MiB / elapsed, 2), "error_lines": len(errors),
            "errors": errors[:5], "exit_codes": [p.returncode for p in procs]}


def large_body(block: bytes, total: int) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        chunk = block[:total - sent]
        sent += len(chunk)
        yield chunk


def audit(victim_dev: str, tmpdir: str) -> Dict[str, Any]:
    conf = os.path.join(saio_dir(), "etc", "object-server", "1.conf")
    node_bytes = count_data(os.path.join(victim_dev, "objects"))[1]
    dropped = drop_caches()
    cache_after_drop = cached_mb()
    started = time.time()
    proc = run_daemon("object-auditor", conf)
    err = proc.communicate()[1]
    elapsed = time.time() - started
    recon = json.load(open(os.path.join(saio_dir(), "cache", "1", "object.recon")))
    stats = recon["object-auditor"]["stats"]
    # The disk's own rate on a file as big as what node 1 holds (cap 2 GiB).
    big = os.path.join(victim_dev, "tmp", "bench-seqread-%s" % uuid.uuid4().hex[:8])
    os.makedirs(os.path.dirname(big), exist_ok=True)
    try:
        size = min(max(node_bytes, 256 * MiB), 2048 * MiB)
        disk.seq_write(big, size, 120)
        direct = disk.seq_read(big, 120)
        plain = None
        if drop_caches():
            t0, got = time.time(), 0
            with open(big, "rb", buffering=0) as fp:
                while True:
                    chunk = fp.read(MiB)
                    if not chunk:
                        break
                    got += len(chunk)
            plain = round(got / MiB / (time.time() - t0), 1)
    finally:
        os.unlink(big)
    return {"auditor_exit": proc.returncode, "auditor_stderr": err.decode()[-300:],
            "cache_dropped": dropped, "cached_mb_after_drop": round(cache_after_drop),
            "seconds": round(elapsed, 2), "bytes_audited": stats.get("bytes"),
            "files_audited": stats.get("checked"),
            "auditor_mb_per_s": round(stats.get("bytes", 0) / MiB / elapsed, 1),
            "disk_read_file_mb": round(size / MiB), "disk_odirect_mb_per_s": direct,
            "disk_plain_read_after_drop_mb_per_s": plain}


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--auth", default="http://127.0.0.1:8080/auth/v1.0")
    p.add_argument("--user", default="test:tester")
    p.add_argument("--key", default="testing")
    p.add_argument("--objects", type=int, default=10000)
    p.add_argument("--size", type=int, default=4096, help="bytes per small object")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--sync-method", default="rsync,ssync")
    p.add_argument("--large", type=int, default=20)
    p.add_argument("--large-mb", type=int, default=64)
    p.add_argument("--json", default="")
    a = p.parse_args(argv)
    client = Client(a.auth, a.user, a.key)
    container = "bench-repl-%s" % uuid.uuid4().hex[:8]
    victim = os.path.join(saio_dir(), "srv", "1", "node", "sdb1")
    tmpdir = os.path.join(saio_dir(), "tmp-bench-%s" % container)
    os.makedirs(tmpdir, exist_ok=True)
    names: List[str] = []
    out: Dict[str, Any] = {"date": datetime.date.today().isoformat(), "objects": a.objects,
                           "size": a.size, "concurrency": a.concurrency}
    pool = ThreadPoolExecutor(max_workers=a.concurrency)
    try:
        assert client.request("PUT", "/" + container)[0] in (201, 202)
        payload = os.urandom(a.size)
        names = ["o%06d" % i for i in range(a.objects)]
        t0 = time.time()
        bad = sum(1 for s in pool.map(lambda n: client.request(
            "PUT", "/%s/%s" % (container, n), payload)[0], names) if s != 201)
        out["put_small_ops_per_s"] = round(a.objects / (time.time() - t0), 1)
        out["put_errors"] = bad
        print("PUT %d x %d B: %.0f ops/s, %d errors" % (a.objects, a.size,
                                                        out["put_small_ops_per_s"], bad))
        out["refill"] = []
        for method in [m for m in a.sync_method.split(",") if m]:
            r = refill(method, os.path.join(victim, "objects"), tmpdir)
            out["refill"].append(r)
            print("refill over %s: %d of %d files (%.1f MB) in %.1fs: %.0f objects/s, "
                  "%.2f MB/s%s" % (method, r["refilled_files"], r["before_files"],
                                   r["refilled_bytes"] / MiB, r["seconds"],
                                   r["objects_per_s"], r["mb_per_s"],
                                   "; %d ERROR log lines, e.g. %s" % (r["error_lines"],
                                                                      r["errors"][:2])
                                   if r["error_lines"] else ""))
        block = os.urandom(MiB)
        total = a.large_mb * MiB
        md5 = hashlib.md5()
        for chunk in large_body(block, total):
            md5.update(chunk)
        large = ["large%02d" % i for i in range(a.large)]
        for name in large:
            status, _b = client.request("PUT", "/%s/%s" % (container, name),
                                        large_body(block, total), {
                                            "Content-Length": str(total),
                                            "ETag": md5.hexdigest()})
            assert status == 201, status
        names += large
        out["audit"] = audit(victim, tmpdir)
        au = out["audit"]
        print("auditor node 1: %s files, %.0f MB in %.1fs = %.1f MB/s (cache dropped: %s); "
              "disk: O_DIRECT %s, plain read after drop %s MB/s on a %d MiB file"
              % (au["files_audited"], (au["bytes_audited"] or 0) / MiB, au["seconds"],
                 au["auditor_mb_per_s"], au["cache_dropped"],
                 au["disk_odirect_mb_per_s"]["mb_per_s"],
                 au["disk_plain_read_after_drop_mb_per_s"], au["disk_read_file_mb"]))
    finally:
        t0 = time.time()
        list(pool.map(lambda n: client.request("DELETE", "/%s/%s" % (container, n)), names))
        status = client.request("DELETE", "/" + container)[0]
        pool.shutdown()
        shutil.rmtree(tmpdir, ignore_errors=True)
        print("cleanup: %d objects and the container deleted (%d) in %.1fs"
              % (len(names), status, time.time() - t0))
    if a.json:
        with open(a.json, "w") as fp:
            json.dump(out, fp, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
