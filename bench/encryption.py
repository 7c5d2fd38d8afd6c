"""Encryption at rest: 4 KiB and 64 MiB PUT/GET with encryption on and off,
in one run, against the running SAIO.

The SAIO's proxy has keymaster + encryption in its pipeline; this script
starts a second proxy on the same storage servers from the same config
without them, then times both alternately (same cluster, same moment).

    SAIO_PROXY_PORT=... .venv/bin/python bench/encryption.py [--small N] [--large N]

Prints a markdown table for docs/performance.md. For whole-process A/B
timings (each side a process of its own, run in turn by an outside timer):
``--serve-plain SECONDS`` starts only the plain proxy and prints its port;
``--side on`` / ``--side off --plain-port P`` (``--sizes 4k|64m``,
``--count N``) PUT, GET and DELETE through one side and exit.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Dict, List, Tuple

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
import objstore_proxy  # noqa: E402  (bench/objstore_proxy.py, beside this file)
SAIO_ETC = os.path.join(os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio")), "etc")
PORT = int(os.environ.get("SAIO_PROXY_PORT", "8080"))


def start_plain_proxy(tmp: str, drop: str = " keymaster encryption ") -> Tuple[subprocess.Popen, int]:
    """A second proxy on the SAIO's storage servers whose pipeline lacks
    ``drop`` (bench/tiering.py drops " tiering ")."""
    return objstore_proxy.start(tmp, pipeline=None, drop=drop, name="proxy-plain")


def request(port: int, method: str, path: str, headers: Dict[str, str] = None,
            body: bytes = None) -> Tuple[int, Dict[str, str], int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    size = 0
    while True:
        chunk = resp.read(1 << 20)
        if not chunk:
            break
        size += len(chunk)
    conn.close()
    return resp.status, dict(resp.getheaders()), size


def token(port: int) -> Tuple[str, str]:
    _s, headers, _n = request(port, "GET", "/auth/v1.0", {"X-Auth-User": "test:tester",
                                                          "X-Auth-Key": "testing"})
    return headers["X-Auth-Token"], "/" + headers["X-Storage-Url"].split("/", 3)[3]


def timed(port: int, method: str, path: str, headers: Dict[str, str], body: bytes = None,
          expect: int = 201, size: int = 0) -> float:
    start = time.perf_counter()
    status, _h, got = request(port, method, path, headers, body)
    elapsed = time.perf_counter() - start
    if status != expect or (method == "GET" and got != size):
        sys.exit("%s %s answered %d (%d bytes)" % (method, path, status, got))
    return elapsed


SIZES = {"4k": ("4 KiB", 4096), "64m": ("64 MiB", 64 << 20)}


def serve_plain(seconds: float) -> None:
    """Start the plain proxy, print its port, keep it up for ``seconds``
    (so whole-process timings can target both proxies, A/B)."""
    tmp = tempfile.mkdtemp(prefix="bench-encryption-")
    proc, port = start_plain_proxy(tmp)
    print(port, flush=True)
    try:
        time.sleep(seconds)
    finally:
        proc.terminate()
        proc.wait(10)


def one_side(port: int, sizes: List[str], count: int) -> None:
    """PUT then GET ``count`` objects of each size through one proxy (a
    whole process per side, to be timed from outside)."""
    tok, base = token(PORT)
    headers = {"X-Auth-Token": tok}
    container = "%s/bench-enc-%s" % (base, uuid.uuid4().hex[:8])
    request(PORT, "PUT", container, headers)
    for key in sizes:
        _label, size = SIZES[key]
        body = os.urandom(size)
        for i in range(count):
            name = "%s/%s-%d" % (container, key, i)
            timed(port, "PUT", name, headers, body)
            timed(port, "GET", name, headers, expect=200, size=size)
            timed(PORT, "DELETE", name, headers, expect=204)
    request(PORT, "DELETE", container, headers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=200, help="4 KiB PUTs and GETs per side")
    parser.add_argument("--large", type=int, default=3, help="64 MiB PUTs and GETs per side")
    parser.add_argument("--serve-plain", type=float, metavar="SECONDS",
                        help="only start the plain proxy, print its port, wait")
    parser.add_argument("--side", choices=("on", "off"),
                        help="only PUT+GET through one side (with --plain-port for off)")
    parser.add_argument("--plain-port", type=int)
    parser.add_argument("--sizes", default="4k", help="with --side: 4k, 64m or 4k,64m")
    parser.add_argument("--count", type=int, default=50, help="with --side: objects per size")
    args = parser.parse_args()
    if args.serve_plain:
        return serve_plain(args.serve_plain)
    if args.side:
        port = PORT if args.side == "on" else args.plain_port
        if port is None:
            sys.exit("--side off needs --plain-port (from --serve-plain)")
        return one_side(port, args.sizes.split(","), args.count)
    tmp = tempfile.mkdtemp(prefix="bench-encryption-")
    proc, plain_port = start_plain_proxy(tmp)
    sides = {"encryption on": PORT, "encryption off": plain_port}
    try:
        tok, base = token(PORT)
        headers = {"X-Auth-Token": tok}
        container = "%s/bench-enc-%s" % (base, uuid.uuid4().hex[:8])
        request(PORT, "PUT", container, headers)
        results: Dict[Tuple[str, str], List[float]] = {}
        for label, size, count in (("4 KiB", 4096, args.small), ("64 MiB", 64 << 20, args.large)):
            body = os.urandom(size)
            for i in range(count):
                for side, port in sides.items():  # alternate: same load on both
                    name = "%s/%s-%s-%d" % (container, side[11:], label.replace(" ", ""), i)
                    results.setdefault((label + " PUT", side), []).append(
                        timed(port, "PUT", name, headers, body))
                    results.setdefault((label + " GET", side), []).append(
                        timed(port, "GET", name, headers, expect=200, size=size))
        print("| operation | encryption off | encryption on | on/off |")
        print("| --- | --- | --- | --- |")
        for op in ("4 KiB PUT", "4 KiB GET", "64 MiB PUT", "64 MiB GET"):
            off = statistics.median(results[(op, "encryption off")])
            on = statistics.median(results[(op, "encryption on")])
            size = 4096 if op.startswith("4") else 64 << 20

            def show(seconds: float) -> str:
                if size == 4096:
                    return "%.1f ms (%.0f/s)" % (seconds * 1000, 1 / seconds)
                return "%.2f s (%.0f MiB/s)" % (seconds, 64 / seconds)
            print("| %s | %s | %s | %.2fx |" % (op, show(off), show(on), on / off))
        subprocess.run([os.path.join(REPO, ".venv", "bin", "swift"), "-A",
                        "http://127.0.0.1:%d/auth/v1.0" % PORT, "-U", "test:tester",
                        "-K", "testing", "delete", container.rsplit("/", 1)[1]],
                       capture_output=True)
    finally:
        proc.terminate()
        proc.wait(10)
    print("\nmedian of %d (4 KiB) and %d (64 MiB) requests per cell, one client, "
          "sequential" % (args.small, args.large))


if __name__ == "__main__":
    main()
