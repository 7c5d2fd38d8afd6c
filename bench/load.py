"""Swift-API load benchmark: small-object ops/s and large-object MB/s.

    .venv/bin/python bench/load.py                  # against the SAIO on :8080
    .venv/bin/python bench/load.py --quick          # 3 s phases, 64 MiB large objects
    .venv/bin/python bench/load.py --compare-swift  # also against a real Swift (bench/swift_saio.py)
    .venv/bin/python bench/load.py --auth URL --user A:U --key K --json out.json

Works against any Swift-API endpoint with auth v1.0, on loopback only.

Phases, each bounded by ``--seconds`` and by a count of ops:

- small objects (``--small-kib``, 4 KiB): PUT, then GET and HEAD of what was
  put, then DELETE of it, at each concurrency of ``--concurrency`` (1, 16, 64);
- medium objects (``--medium-mib``, 1 MiB): PUT and GET at
  ``--medium-concurrency`` (8);
- large objects (``--large-mib``, 256 MiB): PUT streamed from a generator
  (never held in memory) and GET, one stream, ETag checked both ways and
  every byte read back compared;
- the disk's own figures (``bench/disk.py``) on the filesystem of
  ``--disk-dir``, in the same run, so the ratios printed at the end compare
  like with like.

Client: one thread per concurrent request, each with its own keep-alive
``http.client`` connection opened before the clock starts. The client's
own CPU use is measured and printed (``cli%``, percent of one core) with
the whole machine's (``host%``, percent of all cores): on a 2-core box the
client and every server share the same cores, so when ``host%`` is near
100 the figure is CPU-bound and ``cli%`` says how much of that was ours.

With ``--compare-swift`` each phase also prints the CPU time the cluster's
servers spent per op (``srv ms``, and per kind of server below it;
``bench/server_cpu.py``): on a shared machine that figure moves far less
than ops/s. ``--minimal-proxy`` measures objstore through a second proxy
with Swift's bench pipeline instead of the SAIO's whole pipeline.

Everything is written under containers named ``bench-<run id>`` and deleted
at the end, also after an error or Ctrl-C.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
import uuid
from dataclasses import asdict
from typing import Any, Dict, List, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import disk  # noqa: E402  (bench/disk.py, beside this file)
import objstore_proxy  # noqa: E402
import server_cpu  # noqa: E402
from load_phases import (MiB, BLOCK, Endpoint, LargeBody, Op, authenticate,  # noqa: E402,F401
                         check_loopback, cleanup, large_ops, run_phase, simple, small_ops)
from load_report import (MB, PhaseResult, compute_ratios, finish, format_ratios,  # noqa: E402,F401
                         format_results, percentile, ratio, summarize)

DEFAULT_AUTH = "http://127.0.0.1:8080/auth/v1.0"
SWIFT_VENV = "/tmp/swiftvenv"


def parse_concurrency(text: str) -> List[int]:
    """"1,16,64" -> [1, 16, 64]; every level a positive integer."""
    try:
        levels = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("--concurrency takes integers separated by commas, e.g. 1,16,64")
    if not levels or any(c < 1 for c in levels):
        raise argparse.ArgumentTypeError("--concurrency levels must be 1 or more, e.g. 1,16,64")
    return levels


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bench/load.py", description="Swift-API load benchmark (loopback only).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--auth", default=DEFAULT_AUTH, help="auth v1.0 URL")
    p.add_argument("--user", default="test:tester")
    p.add_argument("--key", default="testing")
    p.add_argument("--name", default="objstore", help="label of this endpoint in the output")
    p.add_argument("--seconds", type=float, default=10.0, help="time bound of each phase")
    p.add_argument("--max-ops", type=int, default=20000, help="op bound of each small-object phase")
    p.add_argument("--concurrency", type=parse_concurrency, default=[1, 16, 64])
    p.add_argument("--small-kib", type=int, default=4)
    p.add_argument("--large-mib", type=int, default=256)
    p.add_argument("--large-max-ops", type=int, default=4, help="op bound of each large-object phase")
    p.add_argument("--medium-mib", type=int, default=1, help="size of the medium objects (0: none)")
    p.add_argument("--medium-concurrency", type=int, default=8)
    p.add_argument("--no-delete", action="store_true", help="skip the small-object DELETE phases")
    p.add_argument("--disk-dir", default=None,
                   help="where the disk figures are taken (default: the SAIO's .saio/srv, else /tmp)")
    p.add_argument("--disk-seq-mib", type=int, default=1024)
    p.add_argument("--no-disk", action="store_true", help="skip the disk figures")
    p.add_argument("--no-small", action="store_true", help="skip the small-object phases")
    p.add_argument("--no-large", action="store_true", help="skip the large-object phases")
    p.add_argument("--compare-swift", action="store_true",
                   help="start bench/swift_saio.py's Swift cluster and run every phase against it too")
    p.add_argument("--swift-venv", default=next(
        (v for v in (os.path.join(ROOT, ".swift-venv"), SWIFT_VENV) if os.path.isdir(v)),
        SWIFT_VENV))
    p.add_argument("--swift-port-base", type=int, default=None,
                   help="ports of the comparison Swift (default: bench/swift_saio.py's)")
    p.add_argument("--swift-dir", default=None, help="data of the comparison Swift")
    p.add_argument("--policy", default=None,
                   help="storage policy of the run's containers (e.g. ec21, the SAIO's 2+1 "
                        "erasure code); with --compare-swift only ec21, which bench/swift_saio.py "
                        "then adds to the Swift it starts (give it a --swift-dir of its own)")
    p.add_argument("--minimal-proxy", action="store_true",
                   help="measure objstore through a proxy of its own with Swift's bench pipeline "
                        "(on the SAIO's storage servers) instead of the SAIO's proxy")
    p.add_argument("--keep-swift", action="store_true", help="leave the Swift cluster running")
    p.add_argument("--quick", action="store_true",
                   help="3 s phases, 64 MiB large objects, 256 MiB sequential disk file")
    p.add_argument("--json", help="also write every figure to this file")
    return p


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = build_parser()
    a = p.parse_args(argv)
    if a.quick:
        a.seconds = min(a.seconds, 3.0)
        a.large_mib = min(a.large_mib, 64)
        a.disk_seq_mib = min(a.disk_seq_mib, 256)
        a.large_max_ops = min(a.large_max_ops, 2)
        a.medium_mib = min(a.medium_mib, 1)
    if a.policy and a.compare_swift and a.policy != "ec21":
        p.error("with --compare-swift, --policy can only be ec21: the comparison Swift has "
                "its default policy and that one (see bench/swift_saio.py)")
    if a.seconds <= 0 or a.max_ops < 1 or a.large_max_ops < 1:
        p.error("--seconds, --max-ops and --large-max-ops must be positive")
    if a.small_kib < 0 or a.large_mib < 1:
        p.error("--small-kib must be 0 or more and --large-mib 1 or more")
    check_loopback(a.auth)
    return a


# --- the run ---------------------------------------------------------------

def saio_pids() -> Dict[str, str]:
    """The pid files of this checkout's SAIO, "down" for a dead pid: a
    change or a "down" means a server was stopped or restarted (by someone
    else's test) while we measured."""
    run_dir = os.path.join(ROOT, ".saio", "run")
    out = {}
    try:
        for fn in sorted(os.listdir(run_dir)):
            with open(os.path.join(run_dir, fn)) as fh:
                pid = fh.read().strip()
            try:
                os.kill(int(pid), 0)
            except (OSError, ValueError):
                pid = "down"
            out[fn] = pid
    except OSError:
        pass
    return out


def _start_minimal_proxy(a: argparse.Namespace, tmp: str) -> Any:
    """``--minimal-proxy``: point ``--auth`` at a proxy with Swift's pipeline."""
    proc, port = objstore_proxy.start(tmp)
    a.auth = "http://127.0.0.1:%d/auth/v1.0" % port
    return proc


def run(a: argparse.Namespace) -> Dict[str, Any]:
    run_id = "%s-%s" % (time.strftime("%Y%m%d%H%M%S"), uuid.uuid4().hex[:6])
    import tempfile
    tmp = tempfile.mkdtemp(prefix="objstore-load-")
    minimal = _start_minimal_proxy(a, tmp) if a.minimal_proxy else None
    try:
        return _run(a, run_id, tmp)
    finally:
        if minimal is not None:
            minimal.terminate()
            minimal.wait()


def _run(a: argparse.Namespace, run_id: str, tmp: str) -> Dict[str, Any]:
    endpoints = [authenticate(a.name, a.auth, a.user, a.key)]
    markers = {a.name: [objstore_proxy.SAIO_ETC, tmp]}
    swift_started = False
    if a.compare_swift:
        if a.swift_port_base is not None:
            os.environ["SWIFT_REF_PORT_BASE"] = str(a.swift_port_base)
        import swift_saio  # reads the port base when imported
        sdir = a.swift_dir or swift_saio.DEFAULT_DIR
        if not swift_saio.status_quiet(sdir):
            print("starting Swift (bench/swift_saio.py) on :%d ..." % swift_saio.PROXY_PORT,
                  flush=True)
            swift_saio.start(sdir, venv=a.swift_venv,
                             ec=a.policy == swift_saio.EC_POLICY_NAME)
            swift_started = True
        endpoints.append(authenticate("swift", swift_saio.AUTH_URL, "test:tester", "testing"))
        markers["swift"] = [os.path.join(sdir, "etc")]
    results: List[PhaseResult] = []
    report: Dict[str, Any] = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:]),
        "host": {"cpus": os.cpu_count(), "loadavg_before": os.getloadavg(),
                 "python": platform.python_version()},
        "settings": {k: v for k, v in vars(a).items() if k not in ("key",)},
    }
    try:
        if not a.no_disk:
            ddir = a.disk_dir or (os.path.join(ROOT, ".saio", "srv")
                                  if os.path.isdir(os.path.join(ROOT, ".saio", "srv"))
                                  else "/tmp")
            print("disk figures in %s ..." % ddir, flush=True)
            report["disk"] = disk.measure(ddir, a.seconds, seq_bytes=a.disk_seq_mib * MiB,
                                          concurrency=max(a.concurrency))
            print(disk.format_table(report["disk"]), flush=True)
        payload = os.urandom(a.small_kib * 1024)
        for ep in endpoints:
            c = "bench-%s" % run_id
            simple(ep, "PUT", "/" + c, (201, 202),
                   {"X-Storage-Policy": a.policy} if a.policy else None)
            ep.containers.append(c)
        print("\n" + format_results([]).splitlines()[0], flush=True)

        watch_saio = a.auth == DEFAULT_AUTH

        def phase(ep: Endpoint, name: str, op: Op, conc: int, max_ops: int) -> PhaseResult:
            pids, reauths = saio_pids(), ep.reauths
            cpu0 = server_cpu.snapshot(markers.get(ep.name, []))
            r = run_phase(ep, name, op, conc, a.seconds, max_ops)
            cpu1 = server_cpu.snapshot(markers.get(ep.name, []))
            r.server_cpu_ms = server_cpu.per_op_ms(server_cpu.used(cpu0, cpu1), r.ops)
            r.server_peak_rss_mib = server_cpu.peak_rss_mib(cpu1)
            notes = []
            after = saio_pids()
            if ep.name == a.name and watch_saio and (after != pids or "down" in after.values()):
                notes.append("an SAIO server was down or restarted during this phase")
            if ep.reauths != reauths:
                notes.append("token lost and renewed %d time(s)" % (ep.reauths - reauths))
            r.note = "; ".join(notes)
            results.append(r)
            print(format_results([r]).split("\n", 1)[1], flush=True)
            return r

        # Interleave the targets phase by phase, so a noisy neighbour hits both alike.
        for conc in ([] if a.no_small else a.concurrency):
            ops = {ep.name: small_ops(ep, ep.containers[0], "c%d-" % conc, payload) for ep in endpoints}
            put_ok: Dict[str, int] = {}
            for op in ("PUT", "GET", "HEAD") + (() if a.no_delete else ("DELETE",)):
                for ep in endpoints:
                    bound = put_ok.get(ep.name, 0) if op == "DELETE" else a.max_ops
                    r = phase(ep, "%s %dk" % (op, a.small_kib), ops[ep.name][op], conc,
                              max(1, bound))
                    if op == "PUT":
                        put_ok[ep.name] = r.ops
        if a.medium_mib:
            medium = os.urandom(a.medium_mib * MiB)
            mops = {ep.name: small_ops(ep, ep.containers[0], "m-", medium) for ep in endpoints}
            for op in ("PUT", "GET"):
                for ep in endpoints:
                    phase(ep, "%s %dM" % (op, a.medium_mib), mops[ep.name][op],
                          a.medium_concurrency, a.max_ops)
        body = LargeBody(a.large_mib)
        lops = {ep.name: large_ops(ep, ep.containers[0], body) for ep in endpoints}
        for op in ([] if a.no_large else ("PUT", "GET")):
            for ep in endpoints:
                phase(ep, "%s large" % op, lops[ep.name][op], 1, a.large_max_ops)
    finally:
        for ep in endpoints:
            try:
                cleanup(ep)
            except Exception as exc:  # report, and still stop Swift
                print("cleanup of %s failed: %s; delete containers %s by hand"
                      % (ep.name, exc, ep.containers), file=sys.stderr)
        if swift_started and not a.keep_swift:
            swift_saio.stop(sdir)
    report["host"]["loadavg_after"] = os.getloadavg()
    report["results"] = [asdict(r) for r in results]
    report["ratios"] = compute_ratios(results, report.get("disk"))
    print("\nratios within this run:\n" + format_ratios(report["ratios"]))
    print("\nMB = 10^6 bytes; small %d KiB, large %d MiB; load average %.1f before, %.1f after"
          % (a.small_kib, a.large_mib, report["host"]["loadavg_before"][0],
             report["host"]["loadavg_after"][0]))
    return report


def main(argv: Optional[List[str]] = None) -> int:
    a = parse_args(argv)
    return finish(run(a), a.json)


if __name__ == "__main__":
    sys.exit(main())
