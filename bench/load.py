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
import hashlib
import http.client
import ipaddress
import itertools
import json
import os
import platform
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import disk  # noqa: E402  (bench/disk.py, beside this file)
import objstore_proxy  # noqa: E402
import server_cpu  # noqa: E402
from load_report import (MB, PhaseResult, compute_ratios, format_ratios,  # noqa: E402,F401
                         format_results, percentile, ratio, summarize)

MiB = 1024 * 1024
BLOCK = MiB
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


def check_loopback(url: str) -> None:
    """Refuse any endpoint that is not on this machine."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit("bench/load.py only sends load to loopback (127.0.0.0/8, ::1, localhost); "
                     "%r is not. Run it on the machine that serves the endpoint." % url)


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
                        "erasure code); not with --compare-swift (bench/swift_saio.py has one "
                        "policy)")
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
    if a.policy and a.compare_swift:
        p.error("--policy runs against objstore only: the comparison Swift has one policy "
                "(see bench/swift_saio.py)")
    if a.seconds <= 0 or a.max_ops < 1 or a.large_max_ops < 1:
        p.error("--seconds, --max-ops and --large-max-ops must be positive")
    if a.small_kib < 0 or a.large_mib < 1:
        p.error("--small-kib must be 0 or more and --large-mib 1 or more")
    check_loopback(a.auth)
    return a


# --- the client ------------------------------------------------------------

class HostCPU:
    """Busy fraction of all cores between start() and stop(), from /proc/stat."""

    @staticmethod
    def _read() -> Optional[Tuple[int, int]]:
        try:
            with open("/proc/stat") as fh:
                vals = [int(x) for x in fh.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
        return sum(vals) - idle, sum(vals)

    def __init__(self) -> None:
        self.t0 = self._read()

    def pct(self) -> Optional[float]:
        t1 = self._read()
        if not self.t0 or not t1 or t1[1] == self.t0[1]:
            return None
        return round(100 * (t1[0] - self.t0[0]) / (t1[1] - self.t0[1]), 1)


@dataclass
class Endpoint:
    name: str
    storage_url: str
    token: str
    auth: Tuple[str, str, str] = ("", "", "")
    host: str = ""
    port: int = 0
    path: str = ""
    containers: List[str] = field(default_factory=list)
    reauths: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        u = urllib.parse.urlsplit(self.storage_url)
        self.host, self.port, self.path = u.hostname or "", u.port or 80, u.path.rstrip("/")

    def reauth(self, stale: str) -> None:
        """Get a new token after a 401 (a restarted memcached forgets tokens);
        one thread does it, the others then see the new token."""
        with self._lock:
            if self.token == stale and self.auth[0]:
                self.token = authenticate(self.name, *self.auth).token
                self.reauths += 1

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=120)


def authenticate(name: str, auth_url: str, user: str, key: str) -> Endpoint:
    check_loopback(auth_url)
    u = urllib.parse.urlsplit(auth_url)
    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=30)
    try:
        conn.request("GET", u.path, headers={"X-Auth-User": user, "X-Auth-Key": key})
        resp = conn.getresponse()
        resp.read()
        if resp.status // 100 != 2:
            raise SystemExit("auth at %s answered %d for user %s; check --auth/--user/--key"
                             % (auth_url, resp.status, user))
        url, token = resp.getheader("X-Storage-Url"), resp.getheader("X-Auth-Token")
    finally:
        conn.close()
    if not url or not token:
        raise SystemExit("auth at %s gave no X-Storage-Url/X-Auth-Token" % auth_url)
    check_loopback(url)
    return Endpoint(name, url, token, (auth_url, user, key))


def _request(conn: http.client.HTTPConnection, method: str, path: str, headers: Dict[str, str],
             body: Any = None) -> Tuple[http.client.HTTPResponse, bytes]:
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    return resp, resp.read()


def simple(ep: Endpoint, method: str, path: str, ok: Tuple[int, ...],
           headers: Optional[Dict[str, str]] = None) -> int:
    conn = ep.connect()
    try:
        resp, _ = _request(conn, method, ep.path + path,
                           dict(headers or {}, **{"X-Auth-Token": ep.token}))
    finally:
        conn.close()
    if resp.status not in ok:
        raise RuntimeError("%s %s on %s answered %d" % (method, path, ep.name, resp.status))
    return resp.status


# An op returns the bytes it moved; it raises on a failure.
Op = Callable[[http.client.HTTPConnection, int], int]


def run_phase(ep: Endpoint, op_name: str, op: Op, concurrency: int, seconds: float,
              max_ops: int) -> PhaseResult:
    """Run ``op`` from ``concurrency`` threads until the time or op bound."""
    counter = itertools.count()
    ready = threading.Barrier(concurrency + 1)
    deadline = [0.0]
    lock = threading.Lock()
    lats: List[float] = []
    totals = {"errors": 0, "bytes": 0, "first_error": ""}

    def worker() -> None:
        conn = ep.connect()
        mine: List[float] = []
        nbytes = errors = 0
        first = ""
        try:
            conn.connect()
        except OSError as exc:
            first = "connect: %s" % exc
        ready.wait()
        try:
            while time.monotonic() < deadline[0]:
                i = next(counter)
                if i >= max_ops:
                    break
                t = time.monotonic()
                try:
                    nbytes += op(conn, i)
                except (OSError, http.client.HTTPException, RuntimeError) as exc:
                    errors += 1
                    first = first or "%s: %s" % (type(exc).__name__, exc)
                    conn.close()
                    conn = ep.connect()
                    continue
                mine.append(time.monotonic() - t)
        finally:
            conn.close()
            with lock:
                lats.extend(mine)
                totals["errors"] += errors
                totals["bytes"] += nbytes
                totals["first_error"] = totals["first_error"] or first

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for th in threads:
        th.start()
    cpu0, host = os.times(), None
    deadline[0] = time.monotonic() + seconds
    t0 = time.monotonic()
    host = HostCPU()
    ready.wait()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - t0
    cpu1 = os.times()
    client_cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    return summarize(ep.name, op_name, concurrency, lats, totals["errors"], elapsed,
                     totals["bytes"], client_cpu, host.pct(), totals["first_error"])


def _check(resp: http.client.HTTPResponse, want: Tuple[int, ...], what: str,
           ep: Optional[Endpoint] = None, sent_token: str = "") -> None:
    if resp.status not in want:
        if resp.status == 401 and ep is not None:
            ep.reauth(sent_token)
        raise RuntimeError("%s answered %d" % (what, resp.status))


def small_ops(ep: Endpoint, container: str, prefix: str, payload: bytes) -> Dict[str, Op]:
    """PUT/GET/HEAD ops on ``<container>/<prefix><i>``; GET/HEAD cycle over what PUT wrote."""
    base = "%s/%s/%s" % (ep.path, container, prefix)
    clen = str(len(payload))
    written: List[int] = []  # indices whose PUT succeeded (list.append is atomic)

    def pick(i: int) -> str:
        if not written:
            raise RuntimeError("no object was put at this concurrency, nothing to read")
        return base + str(written[i % len(written)])

    def put(conn: http.client.HTTPConnection, i: int) -> int:
        tok = ep.token
        resp, _ = _request(conn, "PUT", base + str(i), {
            "X-Auth-Token": tok, "Content-Type": "application/octet-stream",
            "Content-Length": clen}, payload)
        _check(resp, (201,), "PUT", ep, tok)
        written.append(i)
        return len(payload)

    def get(conn: http.client.HTTPConnection, i: int) -> int:
        tok = ep.token
        resp, body = _request(conn, "GET", pick(i), {"X-Auth-Token": tok})
        _check(resp, (200,), "GET", ep, tok)
        if body != payload:
            raise RuntimeError("GET returned %d bytes that differ from what was put" % len(body))
        return len(body)

    def head(conn: http.client.HTTPConnection, i: int) -> int:
        tok = ep.token
        resp, _ = _request(conn, "HEAD", pick(i), {"X-Auth-Token": tok})
        _check(resp, (200,), "HEAD", ep, tok)
        return 0

    def delete(conn: http.client.HTTPConnection, i: int) -> int:
        if i >= len(written):
            raise RuntimeError("nothing left to delete")
        tok = ep.token
        resp, _ = _request(conn, "DELETE", base + str(written[i]), {"X-Auth-Token": tok})
        _check(resp, (204,), "DELETE", ep, tok)
        return 0

    return {"PUT": put, "GET": get, "HEAD": head, "DELETE": delete}


class LargeBody:
    """A large object's bytes: ``nblocks`` copies of one random 1 MiB block.

    The body is generated as it is sent and its MD5 is computed once, before
    any clock starts, so neither memory nor hashing is charged to the PUT.
    """

    def __init__(self, nblocks: int) -> None:
        self.block = os.urandom(BLOCK)
        self.nblocks = nblocks
        self.size = nblocks * BLOCK
        md5 = hashlib.md5()
        for chunk in self.chunks():
            md5.update(chunk)
        self.etag = md5.hexdigest()

    def chunks(self) -> Iterator[bytes]:
        for _ in range(self.nblocks):
            yield self.block


def large_ops(ep: Endpoint, container: str, body: LargeBody) -> Dict[str, Op]:
    base = "%s/%s/large-" % (ep.path, container)
    written: List[int] = []

    def put(conn: http.client.HTTPConnection, i: int) -> int:
        tok = ep.token
        hdrs = {"X-Auth-Token": tok, "Content-Length": str(body.size),
                "Content-Type": "application/octet-stream", "ETag": body.etag}
        resp, _ = _request(conn, "PUT", base + str(i), hdrs, body.chunks())
        _check(resp, (201,), "large PUT", ep, tok)
        got = (resp.getheader("ETag") or "").strip('"')
        if got != body.etag:
            raise RuntimeError("large PUT ETag %r, expected %r" % (got, body.etag))
        written.append(i)
        return body.size

    def get(conn: http.client.HTTPConnection, i: int) -> int:
        if not written:
            raise RuntimeError("no large object was put, nothing to read")
        tok = ep.token
        conn.request("GET", base + str(written[i % len(written)]), headers={"X-Auth-Token": tok})
        resp = conn.getresponse()
        if resp.status != 200:
            resp.read()
            _check(resp, (200,), "large GET", ep, tok)
        got = (resp.getheader("ETag") or "").strip('"')
        total, bad = 0, False
        while True:
            chunk = resp.read(BLOCK)
            if not chunk:
                break
            bad = bad or chunk != body.block[:len(chunk)]
            total += len(chunk)
        if got != body.etag or total != body.size or bad:
            raise RuntimeError("large GET: etag %r (want %r), %d bytes (want %d), bytes %s"
                               % (got, body.etag, total, body.size, "differ" if bad else "match"))
        return total

    return {"PUT": put, "GET": get}


def cleanup(ep: Endpoint) -> None:
    """Delete every object in the run's containers, then the containers."""
    for container in ep.containers:
        names: List[str] = []
        marker = ""
        conn = ep.connect()
        try:
            while True:
                q = "?format=json&limit=10000&marker=%s" % urllib.parse.quote(marker)
                resp, body = _request(conn, "GET", "%s/%s%s" % (ep.path, container, q),
                                      {"X-Auth-Token": ep.token})
                if resp.status == 404:
                    break
                if resp.status // 100 != 2:
                    raise RuntimeError("listing %s answered %d" % (container, resp.status))
                page = [o["name"] for o in json.loads(body or b"[]")]
                if not page:
                    break
                names.extend(page)
                marker = page[-1]
        finally:
            conn.close()
        if names:
            def delete(c: http.client.HTTPConnection, i: int) -> int:
                tok = ep.token
                resp, _ = _request(c, "DELETE", "%s/%s/%s" % (ep.path, container,
                                                               urllib.parse.quote(names[i])),
                                   {"X-Auth-Token": tok})
                _check(resp, (204, 404), "DELETE", ep, tok)
                return 0
            for _ in range(3):  # a listing may lag a delete; try what is left again
                r = run_phase(ep, "DELETE", delete, min(16, len(names)), 600, len(names))
                if not r.errors:
                    break
        for _ in range(10):
            try:
                if simple(ep, "DELETE", "/" + container, (204, 404, 409)) != 409:
                    break
            except (OSError, RuntimeError):
                pass
            time.sleep(0.5)


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
            swift_saio.start(sdir, venv=a.swift_venv)
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
    report = run(a)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(report, fh, indent=2)
    return 1 if any(r["errors"] for r in report["results"]) else 0


if __name__ == "__main__":
    sys.exit(main())
