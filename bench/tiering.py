"""Tiering figures against the running SAIO (docs/performance.md):

* moves/s of the tierer for 4 KiB and 64 MiB objects (silver -> gold: a
  copy into .tiers/gold, the pointer switch, as ``objstore-tierer --once``
  runs them, 4 workers);
* the same for 4 KiB objects of a container keeping versions
  (object_versioning: the current version of objects written twice);
* what handing counts over costs, in process: a flush of N counts to the
  journal (append, fsync) against memcached (one batch), and the tierer
  taking them;
* 4 KiB GETs with read counting on against off, end to end: two proxies
  the bench starts alike from the SAIO's config (one without the tiering
  filter) on the same storage servers; every GET is made on both, paired,
  the first side alternating, so both see the box's load at the same
  moment (``--gets-only``: this alone).

The SAIO's continuous tierer is held back while it runs.

    SAIO_PROXY_PORT=... .venv/bin/python bench/tiering.py [--small N] [--large N]
    SAIO_PROXY_PORT=... .venv/bin/python bench/tiering.py --gets-only --gets 2000 --rounds 5
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
import objstore_proxy  # noqa: E402
import server_cpu  # noqa: E402
from encryption import PORT, REPO, SAIO_ETC, request, token  # noqa: E402
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


def paired_gets(ports: Tuple[int, int], paths: List[str], headers: Dict[str, str],
                threads: int) -> Tuple[List[float], List[float]]:
    """Seconds of each GET of ``paths`` on both proxies, paired: each of
    ``threads`` clients (a keep-alive connection to each proxy) reads a
    path from one proxy and at once from the other, the first side
    alternating, so both sides see the same load at the same moment."""
    todo = list(enumerate(paths))
    lock = threading.Lock()
    seconds: Tuple[List[float], List[float]] = ([], [])

    def worker() -> None:
        conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=300) for port in ports]
        while True:
            with lock:
                if not todo:
                    break
                i, path = todo.pop()
            for side in ((0, 1) if i % 2 else (1, 0)):
                start = time.perf_counter()
                conns[side].request("GET", path, headers=headers)
                resp = conns[side].getresponse()
                resp.read()
                took = time.perf_counter() - start
                assert resp.status == 200, resp.status
                with lock:
                    seconds[side].append(took)
        for conn in conns:
            conn.close()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return seconds


def trimmed_mean(values: List[float], cut: float = 0.1) -> float:
    """The mean without the ``cut`` fastest and slowest (the box's stalls)."""
    values = sorted(values)
    drop = int(len(values) * cut)
    kept = values[drop:len(values) - drop] or values
    return sum(kept) / len(kept)


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


def end_to_end(gets: int, rounds: int, headers: Dict[str, str], base: str) -> None:
    """4 KiB GETs through two proxies this bench starts alike from the
    SAIO's config (one worker each, so no client connection lands on a
    busier worker of one side), one without the tiering filter, on the
    same storage servers: each GET made on both, paired (``paired_gets``);
    and the CPU seconds each proxy spent on them (``/proc``), which the
    box's load moves far less than latencies."""
    tmp = tempfile.mkdtemp(prefix="bench-tiering-")
    on_proc, on_port = objstore_proxy.start(tmp, pipeline=None, name="proxy-counting",
                                            workers=1)
    off_proc, off_port = objstore_proxy.start(tmp, pipeline=None, drop=" tiering ",
                                              name="proxy-plain", workers=1)
    markers = [[os.path.join(tmp, name + ".conf")] for name in ("proxy-counting",
                                                                "proxy-plain")]
    container = "%s/bench-tierget-%s" % (base, uuid.uuid4().hex[:8])
    try:
        request(PORT, "PUT", container, headers)
        paths = ["%s/o%d" % (container, i) for i in range(100)]
        body = os.urandom(4096)
        for path in paths:
            request(PORT, "PUT", path, headers, body)
        paired_gets((on_port, off_port), paths, headers, 4)  # warm
        on: List[float] = []
        off: List[float] = []
        per_round, cpu = [], [0.0, 0.0]
        for _round in range(rounds):
            before = [server_cpu.snapshot(m) for m in markers]
            got = paired_gets((on_port, off_port), (paths * (gets // len(paths) + 1))[:gets],
                              headers, 4)
            for side in (0, 1):
                cpu[side] += server_cpu.used(before[side],
                                             server_cpu.snapshot(markers[side]))["proxy"]
            on += got[0]
            off += got[1]
            per_round.append(trimmed_mean(got[1]) / trimmed_mean(got[0]))
        mean_on, mean_off = trimmed_mean(on), trimmed_mean(off)
        print("\n| 4 KiB GET, 4 clients, paired, %d a side | counting off | counting on "
              "| on/off |" % len(on))
        print("| --- | --- | --- | --- |")
        print("| latency, trimmed mean | %.2f ms | %.2f ms | %.3f |" % (
            mean_off * 1000, mean_on * 1000, mean_off / mean_on))
        print("| latency, median | %.2f ms | %.2f ms | %.3f |" % (
            statistics.median(off) * 1000, statistics.median(on) * 1000,
            statistics.median(off) / statistics.median(on)))
        print("| proxy CPU per GET | %.3f ms | %.3f ms | %.3f |" % (
            cpu[1] / len(off) * 1000, cpu[0] / len(on) * 1000, cpu[1] / cpu[0]))
        print("\nlatency on/off per round: %s" % ", ".join("%.3f" % r for r in per_round))
        for path in paths:
            request(PORT, "DELETE", path, headers)
        request(PORT, "DELETE", container, headers)
    finally:
        for proc in (on_proc, off_proc):
            proc.terminate()
            proc.wait(10)


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
    parser.add_argument("--gets-only", action="store_true",
                        help="only GETs with counting on against off")
    args = parser.parse_args()
    tok, base = token(PORT)
    headers = {"X-Auth-Token": tok}
    if args.gets_only:
        end_to_end(args.gets, args.rounds, headers, base)
        return
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
    end_to_end(args.gets, args.rounds, headers, base)
    with open("/proc/loadavg") as fp:
        print("load average: %s" % " ".join(fp.read().split()[:3]))


if __name__ == "__main__":
    main()
