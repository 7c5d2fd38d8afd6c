#!/usr/bin/env python3
"""Replication between hosts, on a saio/multihost cluster (network namespaces).

    .venv/bin/python bench/multihost.py [--objects 2000] [--size 65536]
                                        [--large 24] [--large-mb 8] [--json FILE]

1. Start a multi-host cluster of its own (a temp dir, names ``osmb-*``,
   10.233.0.0/24, no background daemons, so every pass is one we time).
2. **A host returns.** Cut host 4 off (link down), PUT ``--objects``
   objects of ``--size`` bytes through proxy 1 (the replicas meant for host
   4 land on handoffs, its container updates become async pendings),
   restore the link, then run passes (object updaters, object replicators,
   container replicators, all hosts in parallel) until every object sits
   exactly where the ring says and every container replica lists them all:
   the wall time, the passes, and what went to host 4.
3. **Replication throughput between hosts.** Add ``--large`` objects of
   ``--large-mb`` MiB, wipe host 4's ``objects/`` trees (a replaced pair of
   disks), and time one object replicator pass of hosts 1-3 in parallel:
   MB/s and objects/s of what came back to host 4 over the bridge.
4. Stop the cluster: every namespace, link, process and file goes.

Needs root (namespaces). Prints a table and writes ``--json``; figures go
to docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# bench/ring.py (the ring benchmark) must not hide the ring package
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.join(REPO, "bench")]
_TMP = tempfile.mkdtemp(prefix="objstore-bench-multihost-")
os.environ["MULTIHOST_DIR"] = os.path.join(_TMP, "cluster")
os.environ["MULTIHOST_PREFIX"] = "osmb"
os.environ["MULTIHOST_NET"] = "10.233.0"
sys.path.insert(0, os.path.join(REPO, "saio"))

import multihost  # noqa: E402
import swiftclient  # noqa: E402

ACCOUNT = "AUTH_test"
RETURNING = 4


def _conn() -> swiftclient.Connection:
    return swiftclient.Connection(multihost.Host(1).proxy_url + "/auth/v1.0", "test:tester",
                                  "testing", retries=3, timeout=60)


def _put_all(container: str, names: List[str], size: int, concurrency: int = 16) -> float:
    body = os.urandom(size)
    started = time.time()

    def one(chunk: List[str]) -> None:
        conn = _conn()
        for name in chunk:
            conn.put_object(container, name, body)
    chunks = [names[i::concurrency] for i in range(concurrency)]
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, chunks))
    return time.time() - started


def _on_host(n: int) -> Dict[str, int]:
    """.data files and their bytes on one host's disks."""
    files = size = 0
    for root, _dirs, names in os.walk(multihost.Host(n).devices):
        for name in names:
            if name.endswith(".data"):
                files += 1
                size += os.path.getsize(os.path.join(root, name))
    return {"files": files, "bytes": size}


def _left(container: str, names: List[str]) -> Dict[str, int]:
    """What is not converged yet: objects not exactly where the ring says,
    container replicas not listing every object."""
    import urllib.request
    from ring import Ring
    misplaced = sum(1 for n in names if not multihost.placed_as_ring_says(ACCOUNT, container, n))
    ring = Ring(multihost.COMMON_ETC, ring_name="container")
    part, nodes = ring.get_nodes(ACCOUNT, container)
    short = 0
    for node in nodes:
        url = "http://%s:%d/%s/%d/%s/%s?format=json" % (node["ip"], node["port"],
                                                         node["device"], part, ACCOUNT,
                                                         container)
        with urllib.request.urlopen(url, timeout=30) as resp:
            short += len(json.loads(resp.read() or b"[]")) != len(names)
    return {"misplaced_objects": misplaced, "short_container_replicas": short}


def host_returns(objects: int, size: int) -> Dict[str, Any]:
    container = "bench-" + uuid.uuid4().hex[:8]
    _conn().put_container(container)
    names = ["o%06d" % i for i in range(objects)]
    host = multihost.Host(RETURNING)
    before = _on_host(RETURNING)
    multihost.cut(host)
    try:
        put_seconds = _put_all(container, names, size)
    finally:
        multihost.restore(host)
    meant = sum(1 for n in names if RETURNING in {
        int(d["ip"].rsplit(".", 1)[1]) - 10
        for d in multihost.object_ring().get_nodes(ACCOUNT, container, n)[1]})
    passes = 0
    phases: Dict[str, float] = {}
    left = [_left(container, names)]
    while any(left[-1].values()):
        passes += 1
        if passes > 10:
            raise SystemExit("not converged after 10 passes: %s" % left)
        for daemon in ("object-updater", "object-replicator", "container-replicator"):
            began = time.time()
            multihost.run_once(daemon)
            phases[daemon] = round(phases.get(daemon, 0.0) + time.time() - began, 1)
        left.append(_left(container, names))
    seconds = sum(phases.values())  # the passes only, not this script's checks
    after = _on_host(RETURNING)
    return {"objects": objects, "size": size, "put_seconds": round(put_seconds, 1),
            "put_per_s": round(objects / put_seconds, 1),
            "objects_for_returning_host": meant, "passes": passes,
            "converge_seconds": round(seconds, 1), "phase_seconds": phases,
            "left_after_each_pass": left,
            "files_to_host": after["files"] - before["files"],
            "mb_to_host": round((after["bytes"] - before["bytes"]) / 1e6, 1),
            "container": container}


def refill(large: int, large_mb: int) -> Dict[str, Any]:
    container = "bench-large-" + uuid.uuid4().hex[:8]
    _conn().put_container(container)
    _put_all(container, ["big%03d" % i for i in range(large)], large_mb << 20, concurrency=4)
    host = multihost.Host(RETURNING)
    for dev in multihost.DEVICES:
        shutil.rmtree(os.path.join(host.devices, dev, "objects"), ignore_errors=True)
    assert _on_host(RETURNING)["files"] == 0
    started = time.time()
    multihost.run_once("object-replicator", [multihost.Host(n) for n in (1, 2, 3)])
    seconds = time.time() - started
    back = _on_host(RETURNING)
    return {"large": large, "large_mb": large_mb, "seconds": round(seconds, 1),
            "files_back": back["files"], "mb_back": round(back["bytes"] / 1e6, 1),
            "mb_per_s": round(back["bytes"] / 1e6 / seconds, 1),
            "objects_per_s": round(back["files"] / seconds, 1), "container": container}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--size", type=int, default=65536)
    parser.add_argument("--large", type=int, default=24)
    parser.add_argument("--large-mb", type=int, default=8)
    parser.add_argument("--json")
    args = parser.parse_args()
    result: Dict[str, Any] = {"date": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"),
                              "load_before": os.getloadavg()[0]}
    try:
        multihost.start(multihost.DEFAULT_HOSTS, daemons=False)
        result["host_returns"] = host_returns(args.objects, args.size)
        result["refill"] = refill(args.large, args.large_mb)
        result["load_after"] = os.getloadavg()[0]
    finally:
        multihost.stop()
        shutil.rmtree(_TMP, ignore_errors=True)
    r, f = result["host_returns"], result["refill"]
    print("host 4 cut off while %d x %d B objects were PUT (%.1f PUT/s), %d of them meant "
          "for it" % (r["objects"], r["size"], r["put_per_s"], r["objects_for_returning_host"]))
    print("  converged after it returned: %d pass(es), %.1f s (%s); %d files, %.1f MB went "
          "to it" % (r["passes"], r["converge_seconds"], ", ".join(
              "%s %.1f s" % kv for kv in r["phase_seconds"].items()), r["files_to_host"],
              r["mb_to_host"]))
    print("  not converged before each pass: %s" % r["left_after_each_pass"])
    print("host 4's disks wiped; one replicator pass of hosts 1-3 refilled %d files, %.1f MB "
          "in %.1f s: %.1f MB/s, %.1f objects/s" % (f["files_back"], f["mb_back"], f["seconds"],
                                                    f["mb_per_s"], f["objects_per_s"]))
    print("load average %.1f before, %.1f after" % (result["load_before"],
                                                     result["load_after"]))
    if args.json:
        with open(args.json, "w") as fp:
            json.dump(result, fp, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
