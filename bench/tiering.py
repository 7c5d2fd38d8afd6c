"""Tiering figures against the running SAIO (docs/performance.md):

* moves/s of the tierer for 4 KiB and 64 MiB objects (silver -> gold: a
  copy into .tiers/gold, the pointer switch, as ``objstore-tierer --once``
  runs them, 4 workers);
* the same for 4 KiB objects of a container keeping versions
  (object_versioning: the current version of objects written twice);
* what handing counts over costs, in process: a flush of N counts to the
  journal (append, fsync) against memcached (one batch), and the tierer
  taking them;
* 4 KiB GET ops/s with read counting on (the SAIO's proxy) against off (a
  second proxy on the same storage servers without the tiering filter),
  alternating rounds in one run.

The SAIO's continuous tierer is held back while it runs.

    SAIO_PROXY_PORT=... .venv/bin/python bench/tiering.py [--small N] [--large N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from typing import Dict, List, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from encryption import PORT, REPO, SAIO_ETC, request, start_plain_proxy, token  # noqa: E402
sys.path.insert(0, os.path.join(REPO, "tests", "support"))
from tierer_pause import tierer_paused  # noqa: E402

TIERER = os.path.join(REPO, ".venv", "bin", "objstore-tierer")
SUMMARY = re.compile(r"pass completed in ([\d.]+)s: .*moved=(\d+)")


def reseller_token() -> str:
    _s, headers, _n = request(PORT, "GET", "/auth/v1.0", {"X-Auth-User": "admin:admin",
                                                          "X-Auth-Key": "admin"})
    return headers["X-Auth-Token"]


def get_json(port: int, path: str, headers: Dict[str, str]):  # type: ignore[no-untyped-def]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return json.loads(body)


def tierer_pass(max_moves: int = 100000) -> Tuple[float, int]:
    """One ``objstore-tierer --once``: (seconds of the pass, objects moved)."""
    conf = os.path.join(tempfile.mkdtemp(prefix="bench-tier-"), "tierer.conf")
    with open(os.path.join(SAIO_ETC, "tierer.conf")) as fp:
        text = fp.read()
    with open(conf, "w") as fp:
        fp.write(text + "max_moves_per_pass = %d\n" % max_moves)
    done = subprocess.run([TIERER, conf, "--once"], capture_output=True, text=True)
    found = SUMMARY.findall(done.stderr)
    if done.returncode != 0 or not found:
        sys.exit("the tierer failed: %s" % done.stderr[-2000:])
    seconds, moved = found[-1]
    return float(seconds), int(moved)


def moves(size: int, count: int, headers: Dict[str, str], base: str,
          versioned: bool = False) -> Tuple[float, float]:
    """Seconds of the pass that moved ``count`` objects of ``size`` bytes
    (and of a pass with nothing to move, the fixed cost). ``versioned``: in
    a container keeping versions, each object written twice."""
    container = "%s/bench-tier-%s" % (base, uuid.uuid4().hex[:8])
    request(PORT, "PUT", container, dict(headers, **{"X-Storage-Policy": "silver"},
                                         **({"X-Versions-Enabled": "true"} if versioned
                                            else {})))
    body = os.urandom(size)
    paths = []
    for i in range(count):
        path = "%s/o%d" % (container, i)
        for _write in range(2 if versioned else 1):
            status = request(PORT, "PUT", path, headers, body)[0]
            assert status == 201, status
        paths.append("/v1" + path[3:] if path.startswith("/v1") else path)
    tierer_pass()  # tracked, and whatever else was pending is done
    idle, _moved = tierer_pass()
    batch = json.dumps([{"path": p, "count": 100} for p in paths]).encode()
    status = request(PORT, "POST", "/tiering/counts", {"X-Auth-Token": reseller_token()},
                     batch)[0]
    assert status == 202, status
    seconds, moved = tierer_pass()
    if moved != count:
        sys.exit("moved %d of %d" % (moved, count))
    if versioned:
        for row in get_json(PORT, container + "?versions&format=json", headers):
            request(PORT, "DELETE", "%s/%s?version-id=%s" % (container, row["name"],
                                                              row["version_id"]), headers)
    else:
        for path in paths:
            request(PORT, "DELETE", path, headers)
    request(PORT, "DELETE", container, headers)
    tierer_pass()  # sweeps the bodies of the deleted objects
    return seconds, idle


def get_rate(port: int, paths: List[str], headers: Dict[str, str], threads: int) -> float:
    """GETs/s of ``paths`` (each once) by ``threads`` clients."""
    todo = list(paths)
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not todo:
                    return
                path = todo.pop()
            status = request(port, "GET", path, headers)[0]
            assert status == 200, status
    start = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return len(paths) / (time.perf_counter() - start)


def middleware_cost(calls: int) -> Tuple[float, float]:
    """Microseconds one object GET spends in the tiering middleware, and in
    the same call without it, in process, over a WSGI app that answers at
    once (the cost the filter adds to a GET, free of the box's noise)."""
    from objstore.common import concurrency
    from objstore.common.tiering.config import Tier, TieringConfig
    from objstore.middleware.tiering import Tiering

    def app(env, start_response):  # type: ignore[no-untyped-def]
        start_response("200 OK", [("Content-Length", "4"), ("ETag", "x")])
        return [b"data"]
    conf = TieringConfig([Tier("bronze", "ec21", 1, 0, "GLACIER_IR"),
                          Tier("gold", "gold", 0, 5, "STANDARD")],
                         journal_dir=tempfile.mkdtemp(prefix="bench-tier-journal-"))
    mw = Tiering(app, {}, conf)
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/v1/AUTH_test/c/o"}

    def run(target) -> float:  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        for i in range(calls):
            env["PATH_INFO"] = "/v1/AUTH_test/c/o%d" % (i % 1000)
            b"".join(target(dict(env), lambda s, h, e=None: None))
        return (time.perf_counter() - start) / calls * 1e6
    bare, counted = [], []
    for _ in range(5):
        bare.append(run(app))
        counted.append(run(mw))
        concurrency.sleep(0)
    return statistics.median(counted), statistics.median(bare)


def handover_cost(rows: int, memcached: str) -> Dict[str, float]:
    """Milliseconds to flush ``rows`` counts (distinct objects) to the
    journal and to memcached, and for the tierer to take them (median of 5)."""
    from objstore.common.memcached import MemcacheRing
    from objstore.common.tiering import journal
    from objstore.common.tiering.memcached_counts import MemcachedCounts
    from objstore.common.tiering.queue import TierQueue
    batch = [("/v1/AUTH_bench/c/o%d" % i, 1000, 1) for i in range(rows)]
    batches = MemcachedCounts(MemcacheRing([memcached]))
    times: Dict[str, List[float]] = {k: [] for k in ("journal flush", "journal collect",
                                                      "memcached flush", "memcached collect")}
    for _round in range(5):
        tmp = tempfile.mkdtemp(prefix="bench-tier-counts-")
        db = TierQueue(os.path.join(tmp, "state"))
        commit = lambda name, got: db.add_counts(name, got, time.time())  # noqa: E731
        start = time.perf_counter()
        journal.append(os.path.join(tmp, "journal"), batch)
        times["journal flush"].append(time.perf_counter() - start)
        start = time.perf_counter()
        journal.collect(os.path.join(tmp, "journal"), db.was_collected, commit)
        times["journal collect"].append(time.perf_counter() - start)
        start = time.perf_counter()
        batches.write(batch)
        times["memcached flush"].append(time.perf_counter() - start)
        mark = ["{}"]
        start = time.perf_counter()
        batches.collect(lambda: mark[0], lambda v: mark.__setitem__(0, v), db.was_collected,
                        commit, time.time())
        times["memcached collect"].append(time.perf_counter() - start)
        db.close()
    return {k: statistics.median(v) * 1000 for k, v in times.items()}


def main() -> None:
    with tierer_paused(os.path.dirname(SAIO_ETC)):
        run()


def run() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=200, help="4 KiB objects moved")
    parser.add_argument("--large", type=int, default=4, help="64 MiB objects moved")
    parser.add_argument("--gets", type=int, default=600, help="GETs per side per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=50000,
                        help="in-process GETs through the middleware")
    parser.add_argument("--versioned", type=int, default=100,
                        help="4 KiB objects of a versioned container moved")
    parser.add_argument("--counts", type=int, default=1000, help="counts in one flush")
    args = parser.parse_args()
    memcached = "127.0.0.1:%s" % os.environ.get("SAIO_MEMCACHED_PORT", "11211")
    cost = handover_cost(args.counts, memcached)
    print("| %d counts (distinct objects) | flush | tierer takes them |" % args.counts)
    print("| --- | --- | --- |")
    for way in ("journal", "memcached"):
        print("| %s | %.1f ms | %.1f ms |" % (way, cost[way + " flush"],
                                            cost[way + " collect"]))
    print()
    counted, bare = middleware_cost(args.calls)
    print("| in process, %d GETs | app alone | through tiering | added |" % args.calls)
    print("| --- | --- | --- | --- |")
    print("| per GET | %.1f us | %.1f us | %.1f us |\n" % (bare, counted, counted - bare))
    tok, base = token(PORT)
    headers = {"X-Auth-Token": tok}
    print("| objects | moved | tierer pass | idle pass | moves/s | MiB/s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, size, count, versioned in (
            ("4 KiB", 4096, args.small, False), ("64 MiB", 64 << 20, args.large, False),
            ("4 KiB, versioned", 4096, args.versioned, True)):
        if not count:
            continue
        seconds, idle = moves(size, count, headers, base, versioned)
        print("| %s | %d | %.2f s | %.2f s | %.1f | %.1f |" % (
            label, count, seconds, idle, count / seconds, count * size / seconds / (1 << 20)))
    tmp = tempfile.mkdtemp(prefix="bench-tiering-")
    proc, plain = start_plain_proxy(tmp, drop=" tiering ")
    container = "%s/bench-tierget-%s" % (base, uuid.uuid4().hex[:8])
    try:
        request(PORT, "PUT", container, headers)
        paths = ["%s/o%d" % (container, i) for i in range(100)]
        body = os.urandom(4096)
        for path in paths:
            request(PORT, "PUT", path, headers, body)
        rates: Dict[str, List[float]] = {"on": [], "off": []}
        for _round in range(args.rounds):
            for side, port in (("on", PORT), ("off", plain)):  # alternate
                rates[side].append(get_rate(port, (paths * (args.gets // len(paths) + 1))
                                            [:args.gets], headers, 4))
        on, off = statistics.median(rates["on"]), statistics.median(rates["off"])
        print("\n| 4 KiB GET, 4 clients | counting off | counting on | on/off |")
        print("| --- | --- | --- | --- |")
        print("| median of %d rounds of %d | %.0f/s | %.0f/s | %.3f |" % (
            args.rounds, args.gets, off, on, on / off))
        print("\nrounds on: %s" % ", ".join("%.0f" % r for r in rates["on"]))
        print("rounds off: %s" % ", ".join("%.0f" % r for r in rates["off"]))
        for path in paths:
            request(PORT, "DELETE", path, headers)
        request(PORT, "DELETE", container, headers)
    finally:
        proc.terminate()
        proc.wait(10)
    with open("/proc/loadavg") as fp:
        print("load average: %s" % " ".join(fp.read().split()[:3]))


if __name__ == "__main__":
    main()
