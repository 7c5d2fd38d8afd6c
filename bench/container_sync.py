"""Container sync throughput and lag between the two SAIO clusters.

    export SAIO_PORT_BASE=... SAIO_PROXY_PORT=... SAIO2_PORT_BASE=... SAIO2_PROXY_PORT=...
    .venv/bin/python bench/container_sync.py [--small 400] [--large 40] [--lag-seconds 60]

Needs east (saio/start) and west (saio/remote start); docs/container-sync.md.

- **throughput**: ``--small`` objects of 4 KiB, then ``--large`` of 1 MiB,
  are written to a container on east that syncs to west; then the sync
  daemon's ``--once`` passes run on east's four nodes at once (as
  ``saio/daemons once`` does) until west lists every object. Objects per
  second = objects / time of those passes (the daemon's start-up and its
  pipeline load included, as an operator would see them), beside the rate
  at which a client PUT the same objects (8 at a time), for the load of
  the moment.
- **lag under a steady write load**: the daemons run as in production (a
  pass every ``interval`` seconds, 10 in the SAIO), a writer PUTs
  ``--rate`` 4 KiB objects per second on east for ``--lag-seconds``, and a
  poller lists west every 0.5 s; the lag of an object is the time from its
  PUT's answer to the first listing of west that shows it.

Everything made is deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from typing import Dict, List

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# bench/ring.py must not hide the ring package
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.join(REPO, "bench")]
sys.path.insert(0, os.path.join(REPO, "tests", "probe"))
sys.path.insert(0, os.path.join(REPO, "tests", "support"))
from swift_cleanup import delete_container  # noqa: E402
from sync_clusters import EAST, WEST, ensure_both, listing_names, put_many, unique  # noqa: E402

KEY = "bench-sync-key"


def make_pair() -> str:
    name = unique("bench-sync")
    WEST.conn().put_container(name, headers={"X-Container-Sync-Key": KEY})
    EAST.conn().put_container(name, headers={
        "X-Container-Sync-To": "//saio/west/AUTH_test/%s" % name,
        "X-Container-Sync-Key": KEY})
    return name


def drop_pair(name: str) -> None:
    for cluster in (EAST, WEST):
        conn = cluster.conn()
        conn.post_container(name, headers={"X-Container-Sync-To": ""})
        delete_container(conn, name)


def throughput(count: int, size: int) -> float:
    name = make_pair()
    try:
        started = time.time()
        put_many(EAST, name, ["o%06d" % i for i in range(count)], size)
        print("  (the same objects PUT by a client, 8 at a time: %.1f objects/s)"
              % (count / (time.time() - started)))
        started = time.time()
        passes = 0
        while len(listing_names(WEST, name)) < count:
            EAST.sync_once()
            passes += 1
            assert passes <= 5, "west never got every object"
        elapsed = time.time() - started
        print("  %d objects of %d KiB: %.1f s in %d pass(es): %.1f objects/s, %.2f MiB/s"
              % (count, size // 1024, elapsed, passes, count / elapsed,
                 count * size / elapsed / 1048576))
        return count / elapsed
    finally:
        drop_pair(name)


def lag(seconds: float, rate: float) -> List[float]:
    name = make_pair()
    put_at: Dict[str, float] = {}
    seen_at: Dict[str, float] = {}
    done = threading.Event()

    def poll() -> None:
        conn = WEST.conn()
        while not done.is_set() or len(seen_at) < len(put_at):
            now = time.time()
            for row in conn.get_container(name, full_listing=True)[1]:
                seen_at.setdefault(row["name"], now)
            if done.is_set() and time.time() - max(put_at.values(), default=now) > 120:
                break
            time.sleep(0.5)
    EAST.start_daemons()
    poller = threading.Thread(target=poll)
    poller.start()
    try:
        conn = EAST.conn()
        i, start = 0, time.time()
        while time.time() - start < seconds:
            target = start + i / rate
            time.sleep(max(0.0, target - time.time()))
            obj = "l%06d" % i
            conn.put_object(name, obj, b"x" * 4096)
            put_at[obj] = time.time()
            i += 1
        done.set()
        poller.join()
    finally:
        done.set()
        EAST.kill_daemons()
        drop_pair(name)
    lags = sorted(seen_at[n] - put_at[n] for n in put_at if n in seen_at)
    missing = len(put_at) - len(lags)
    q = statistics.quantiles(lags, n=20) if len(lags) >= 2 else lags
    print("  %d objects at %.1f/s for %.0f s: lag median %.1f s, p95 %.1f s, max %.1f s"
          "%s" % (len(put_at), rate, seconds, statistics.median(lags), q[-1], lags[-1],
                  ", %d never seen" % missing if missing else ""))
    return lags


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=400, help="4 KiB objects")
    parser.add_argument("--large", type=int, default=40, help="1 MiB objects")
    parser.add_argument("--lag-seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=5.0, help="PUTs/s during the lag run")
    args = parser.parse_args()
    ensure_both()
    print("container sync, east -> west (load average %.1f)" % os.getloadavg()[0])
    if args.small:
        throughput(args.small, 4096)
    if args.large:
        throughput(args.large, 1048576)
    if args.lag_seconds:
        lag(args.lag_seconds, args.rate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
