#!/usr/bin/env python3
"""A/B of large (or medium) object PUTs and GETs through two objstore
proxies on the same SAIO storage servers, taking turns.

Proxy A runs the code of ``--base`` (a checkout of another commit, put
first on its ``PYTHONPATH``) or this tree's; proxy B this tree's. Each may
get its own proxy options (``--a-set client_chunk_size=1048576``). Both
run Swift's minimal bench pipeline. Each round does one op on A, then
the same on B (the order flips every round), and prints per op: MB/s, the
CPU milliseconds of that proxy's processes and of the SAIO's object
servers. An object-server change is judged by restarting the SAIO between
two runs of this, or by its option on both sides.

    SAIO_PROXY_PORT=... .venv/bin/python bench/ab_large.py --base /tmp/base \\
        --mib 256 --rounds 3
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from typing import Any, Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load_phases  # noqa: E402
import objstore_proxy  # noqa: E402
import server_cpu  # noqa: E402


def _settings(pairs: List[str]) -> Dict[str, str]:
    return dict(p.split("=", 1) for p in pairs)


def _start(tmp: str, name: str, base: Optional[str], settings: Dict[str, str]) -> Any:
    env = dict(os.environ)
    if base:
        env["PYTHONPATH"] = base
    proc, port = objstore_proxy.start(tmp, name=name, settings=settings, env=env)
    ep = load_phases.authenticate(name, "http://127.0.0.1:%d/auth/v1.0" % port,
                                  "test:tester", "testing")
    return proc, ep, os.path.join(tmp, name + ".conf")


def _one(ep: Any, op: Any, i: int, proxy_marker: str) -> Dict[str, float]:
    conn = ep.connect()
    before = server_cpu.snapshot([proxy_marker, objstore_proxy.SAIO_ETC])
    t0 = time.time()
    try:
        moved = op(conn, i)
    finally:
        conn.close()
    wall = time.time() - t0
    used = server_cpu.used(before, server_cpu.snapshot([proxy_marker, objstore_proxy.SAIO_ETC]))
    return {"MB/s": moved / wall / 1e6, "proxy ms": 1000 * used["proxy"],
            "object ms": 1000 * used["object"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--base", help="tree whose code proxy A runs (default: this one)")
    p.add_argument("--a-set", nargs="*", default=[], help="proxy A options, key=value")
    p.add_argument("--b-set", nargs="*", default=[], help="proxy B options, key=value")
    p.add_argument("--mib", type=int, default=256)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--ops", default="PUT,GET")
    p.add_argument("--policy", help="storage policy of the containers (e.g. ec21)")
    a = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="objstore-ab-")
    procs = []
    try:
        sides = []
        for name, base, sets in (("A", a.base, a.a_set), ("B", None, a.b_set)):
            proc, ep, conf = _start(tmp, "proxy-" + name, base, _settings(sets))
            procs.append(proc)
            container = "ab-%s" % uuid.uuid4().hex[:8]
            load_phases.simple(ep, "PUT", "/" + container, (201, 202),
                               {"X-Storage-Policy": a.policy} if a.policy else None)
            ep.containers.append(container)
            sides.append((name, ep, conf, container))
        body = load_phases.LargeBody(a.mib)
        ops = {name: load_phases.large_ops(ep, container, body)
               for name, ep, _conf, container in sides}
        results: Dict[str, List[Dict[str, float]]] = {}
        for op_name in a.ops.split(","):
            for r in range(a.rounds):
                order = sides if r % 2 == 0 else sides[::-1]
                for name, ep, conf, _c in order:
                    got = _one(ep, ops[name][op_name], r, conf)
                    results.setdefault("%s %s" % (op_name, name), []).append(got)
                    print("%s %s round %d: %s" % (op_name, name, r, {
                        k: round(v, 1) for k, v in got.items()}), flush=True)
        print("\n%d MiB, %d rounds, load %s" % (a.mib, a.rounds, os.getloadavg()[0]))
        for key, runs in results.items():
            print("%-8s " % key + "  ".join(
                "%s %s (%s-%s)" % (k, round(statistics.median(x[k] for x in runs), 1),
                                   round(min(x[k] for x in runs), 1),
                                   round(max(x[k] for x in runs), 1))
                for k in runs[0]))
        for _name, ep, _conf, _c in sides:
            load_phases.cleanup(ep)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
