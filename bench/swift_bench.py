"""OpenStack's own load tool, ``swift-bench``, against objstore and Swift 2.38.3.

    .venv/bin/python bench/swift_bench.py                 # SAIO :8080 against saio/reference :16080
    .venv/bin/python bench/swift_bench.py --rounds 5 --concurrency 32 --object-size 1048576

``swift-bench`` (PyPI ``swift-bench``, installed into a venv of its own on
first use) PUTs ``--num-objects`` objects, GETs ``--num-gets`` of them at
random, then DELETEs them, with ``--concurrency`` green threads, and prints
ops/s per phase. This script runs it against objstore and against a real
Swift alternately, ``--rounds`` times each, so load from elsewhere hits both
alike, and prints the median ops/s of each phase and objstore / Swift.
It is the third-party counterpart of ``bench/load.py``: same question, a
client neither side wrote.

Both endpoints must speak auth v1.0 on loopback with the SAIO's users
(``saio/start`` and ``saio/reference start`` give both). swift-bench
deletes what it wrote (``delete = yes``); a failed op is counted by it and
printed here.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from typing import Dict, List, Optional

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_VENV = os.path.join(REPO, ".swift-bench-venv")
PHASES = ("PUTS", "GETS", "DEL")
#: swift-bench's last line of a phase: ``1000 PUTS **FINAL** [0 failures], 142.9/s``
FINAL = re.compile(r"(\d+) (PUTS|GETS|DEL) \*\*FINAL\*\* \[(\d+) failures\], ([\d.]+)/s")


def ensure_swift_bench(venv: str) -> str:
    """Path of the ``swift-bench`` command, installing it with pip if needed."""
    command = os.path.join(venv, "bin", "swift-bench")
    if not os.path.exists(command):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "swift-bench"],
                       check=True)
    return command


def on_loopback(url: str) -> bool:
    return urllib.parse.urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")


def run_once(command: str, auth: str, args: argparse.Namespace) -> Dict[str, Dict[str, float]]:
    """One swift-bench run: ``{phase: {"ops": n, "failures": n, "rate": ops/s}}``."""
    conf = ("[bench]\nauth = %s\nuser = %s\nkey = %s\nauth_version = 1.0\n"
            "concurrency = %d\nobject_size = %d\nnum_objects = %d\nnum_gets = %d\n"
            "delete = yes\nlog_level = INFO\n" % (
                auth, args.user, args.key, args.concurrency, args.object_size,
                args.num_objects, args.num_gets))
    with tempfile.NamedTemporaryFile("w", suffix=".conf") as f:
        f.write(conf)
        f.flush()
        done = subprocess.run([command, f.name], capture_output=True, text=True,
                              timeout=args.timeout)
    results = {}
    for count, phase, failures, rate in FINAL.findall(done.stdout + done.stderr):
        results[phase] = {"ops": int(count), "failures": int(failures), "rate": float(rate)}
    missing = [p for p in PHASES if p not in results]
    if done.returncode or missing:
        raise RuntimeError("swift-bench against %s: exit %d, no result for %s\n%s" % (
            auth, done.returncode, missing, (done.stdout + done.stderr)[-2000:]))
    return results


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--objstore-auth", default="http://127.0.0.1:8080/auth/v1.0")
    p.add_argument("--swift-auth", default="http://127.0.0.1:16080/auth/v1.0",
                   help="a real Swift (saio/reference start: SWIFT_REF_PORT_BASE + 80)")
    p.add_argument("--user", default="test:tester")
    p.add_argument("--key", default="testing")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--object-size", type=int, default=4096)
    p.add_argument("--num-objects", type=int, default=1000)
    p.add_argument("--num-gets", type=int, default=2000)
    p.add_argument("--timeout", type=float, default=900.0, help="seconds per swift-bench run")
    p.add_argument("--venv", default=DEFAULT_VENV, help="where swift-bench is (or gets) installed")
    args = p.parse_args(argv)
    targets = {"objstore": args.objstore_auth, "swift": args.swift_auth}
    for url in targets.values():
        if not on_loopback(url):
            p.error("loopback endpoints only: %s" % url)
    command = ensure_swift_bench(args.venv)
    rates: Dict[str, Dict[str, List[float]]] = {t: {ph: [] for ph in PHASES} for t in targets}
    failures = {t: 0 for t in targets}
    for round_no in range(1, args.rounds + 1):
        for target, auth in targets.items():
            result = run_once(command, auth, args)
            for phase in PHASES:
                rates[target][phase].append(result[phase]["rate"])
                failures[target] += result[phase]["failures"]
            print("round %d %-8s %s" % (round_no, target, "  ".join(
                "%s %.1f/s" % (ph, result[ph]["rate"]) for ph in PHASES)), flush=True)
    print("\nswift-bench, concurrency %d, %d objects of %d bytes, %d GETs, %d rounds "
          "(median ops/s)" % (args.concurrency, args.num_objects, args.object_size,
                              args.num_gets, args.rounds))
    print("%-6s %12s %12s %16s" % ("phase", "objstore", "swift", "objstore/swift"))
    for phase in PHASES:
        ours = statistics.median(rates["objstore"][phase])
        theirs = statistics.median(rates["swift"][phase])
        print("%-6s %12.1f %12.1f %16.2f" % (phase, ours, theirs, ours / theirs))
    print("failed ops: objstore %d, swift %d" % (failures["objstore"], failures["swift"]))
    return 1 if any(failures.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
