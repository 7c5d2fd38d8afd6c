"""Container listings against OpenStack Swift 2.38.3, in one run.

    SAIO_PROXY_PORT=... .venv/bin/python bench/listing.py                  # 10,000 objects
    SAIO_PROXY_PORT=... .venv/bin/python bench/listing.py --objects 1000000 --fill db

Three endpoints, measured phase by phase in turn (so a burst of load from
someone else hits them alike):

- ``swift``: a reference Swift of our own (``bench/swift_saio.py``, on
  ``--swift-port-base``, data in ``--swift-dir``), minimal pipeline
  (catch_errors gatekeeper healthcheck proxy-logging cache tempauth
  proxy-logging proxy-server; Swift adds listing_formats itself);
- ``objstore``: a second objstore proxy on the running SAIO's storage
  servers, from the SAIO's config with that same minimal pipeline;
- ``objstore-saio`` (unless ``--no-saio-proxy``): the SAIO's own proxy,
  its whole pipeline (encryption included), to show what the middlewares
  add.

The container holds ``--objects`` empty objects named ``dNNN/oNNNNNNN``
under ``--dirs`` pseudo-directories (100). ``--fill http`` PUTs them
through each endpoint (16 at a time) and prints the PUT rate per tenth of
the fill, so a rate that falls as the container grows shows; ``--fill db``
inserts the rows straight into every replica of the container database
(SQLite, one transaction per replica: both servers keep the object rows in
a table named ``object`` with the same core columns), for containers too
big to PUT in a session; then ``--put-after`` objects are PUT through the
API into the full container and into an empty one, to compare the PUT
rate at both sizes.

Phases, each timed ``--reps`` times per endpoint (median and best shown;
the walk fewer times for big containers), every answer checked: the first
page (``?format=json``, 10,000 entries), a prefix + delimiter page
(``prefix=d042/&delimiter=/``), a delimiter at the root (``delimiter=/``:
the ``--dirs`` pseudo-directories), and the full walk (pages of 10,000 by
marker). Names returned are compared between endpoints.

Account listings (``--containers``, 10,000 by default; 0 skips them): the
test account gets that many container rows named ``gNNN-cNNNNNNN`` under
``--dirs`` groups, inserted straight into every replica of the account
database (both servers keep them in a table named ``container``; the
containers themselves are not made: an account listing reads only the
account's rows). Phases: the account's first page, a prefix page
(``prefix=g042-``), a delimiter at the root (``delimiter=-``: the groups,
and the bench's own containers' ``listing-``), and the walk by marker.
The rows are inserted anew each run (a second) and taken out at the end,
with ``--keep`` too.

At the end everything made is removed: objstore's rows (deleted from the
databases after a db fill, by DELETE requests after an http fill) and its
container; the reference Swift is stopped and its directory wiped unless
``--keep-swift``.
"""
from __future__ import annotations

import argparse
import configparser
import glob
import http.client
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
# bench/ goes last: its ring.py must not hide the ``ring`` package objstore imports.
sys.path[:] = [ROOT] + [p for p in sys.path if os.path.abspath(p or ".") != BENCH] + [BENCH]

from objstore.common.config import load_hash_settings  # noqa: E402
from objstore.common.timestamp import Timestamp  # noqa: E402
from objstore.db.paths import name_hash  # noqa: E402  (before load, which puts bench/ first)
from objstore_proxy import MINIMAL_PIPELINE  # noqa: E402
import objstore_proxy  # noqa: E402
import server_cpu  # noqa: E402
from load_phases import (Endpoint, _request, authenticate, cleanup, run_phase,  # noqa: E402
                  simple)

SAIO_ETC = os.path.join(os.environ.get("SAIO_DIR", os.path.join(ROOT, ".saio")), "etc")
SAIO_SRV = os.path.join(os.path.dirname(SAIO_ETC), "srv")
PROXY_PORT = int(os.environ.get("SAIO_PROXY_PORT", "8080"))
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
PAGE = 10000


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--objects", type=int, default=10000)
    p.add_argument("--dirs", type=int, default=100)
    p.add_argument("--containers", type=int, default=10000,
                   help="containers in the account for the account listing phases (0: none)")
    p.add_argument("--fill", choices=["http", "db"], default="http")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--no-walk", action="store_true",
                   help="leave out the full walks (minutes per side at 1,000,000 objects)")
    p.add_argument("--walk-reps", type=int, default=None,
                   help="full walks per endpoint (default: --reps up to 100,000 objects, else 1)")
    p.add_argument("--put-after", type=int, default=2000,
                   help="with --fill db: objects PUT into the full and into an empty container")
    p.add_argument("--no-saio-proxy", action="store_true")
    p.add_argument("--swift-port-base", type=int, default=27900)
    p.add_argument("--swift-dir", default="/tmp/objstore-bench-swift-listing")
    p.add_argument("--swift-venv", default=next(
        (v for v in (os.path.join(ROOT, ".swift-venv"), "/work/main/.swift-venv",
                     "/tmp/swiftvenv") if os.path.isdir(v)), "/tmp/swiftvenv"))
    p.add_argument("--keep-swift", action="store_true")
    p.add_argument("--keep", action="store_true",
                   help="keep the filled containers and the reference Swift for the next "
                        "run with --keep, which lists them again instead of filling (a 1M "
                        "fill takes minutes per side); remove them with a last run without it")
    p.add_argument("--json", help="write every figure to this file")
    return p.parse_args(argv)


# --- endpoints -------------------------------------------------------------

def start_minimal_proxy(tmp: str) -> Tuple[subprocess.Popen, int]:
    """An objstore proxy on the SAIO's storage servers with Swift's minimal
    bench pipeline."""
    return objstore_proxy.start(tmp, MINIMAL_PIPELINE)


def start_swift(a: argparse.Namespace) -> Any:
    os.environ["SWIFT_REF_PORT_BASE"] = str(a.swift_port_base)
    import swift_saio  # reads the port base when imported
    if not swift_saio.status_quiet(a.swift_dir):
        print("starting Swift on :%d (%s) ..." % (swift_saio.PROXY_PORT, a.swift_dir), flush=True)
        swift_saio.start(a.swift_dir, a.swift_venv)
    return swift_saio


def object_name(i: int, objects: int, dirs: int) -> str:
    per_dir = max(1, -(-objects // dirs))
    return "d%03d/o%07d" % (i // per_dir, i)


# --- filling ---------------------------------------------------------------

def fill_http(ep: Endpoint, container: str, a: argparse.Namespace) -> List[float]:
    """PUT every object, 16 at a time; the PUT rate of each tenth of the fill."""
    rates = []
    step = max(1, a.objects // 10)
    for start in range(0, a.objects, step):
        count = min(step, a.objects - start)

        def put(conn: Any, i: int, start: int = start) -> int:
            path = "%s/%s/%s" % (ep.path, container, object_name(start + i, a.objects, a.dirs))
            resp, _ = _request(conn, "PUT", path, {"X-Auth-Token": ep.token,
                                                   "Content-Length": "0"})
            if resp.status != 201:
                raise RuntimeError("PUT answered %d" % resp.status)
            return 0
        r = run_phase(ep, "PUT", put, 16, 3600, count)
        if r.errors or r.ops != count:
            raise RuntimeError("fill of %s: %d errors (%s)" % (ep.name, r.errors, r.first_error))
        rates.append(r.ops_per_s)
    return rates


def hash_settings(etc: str) -> Tuple[bytes, bytes]:
    """The cluster's hash prefix and suffix: objstore.conf, or Swift's swift.conf."""
    if os.path.exists(os.path.join(etc, "objstore.conf")):
        return load_hash_settings(etc)
    conf = configparser.ConfigParser()
    conf.read(os.path.join(etc, "swift.conf"))
    return (conf.get("swift-hash", "swift_hash_path_prefix", fallback="").encode(),
            conf.get("swift-hash", "swift_hash_path_suffix", fallback="").encode())


def container_dbs(srv: str, etc: str, account: str, container: str) -> List[str]:
    """Every replica of the container's database under ``srv`` (both keep
    it at ``<device>/containers/<part>/<suffix>/<hash>/<hash>.db``)."""
    digest = name_hash(account, container, *hash_settings(etc))
    found = glob.glob(os.path.join(srv, "**", "containers", "*", "*", digest, digest + ".db"),
                      recursive=True)
    if len(found) < 3:
        raise RuntimeError("found %d replicas of %s/%s under %s" % (len(found), account,
                                                                   container, srv))
    return found


def _open_db(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=60, isolation_level=None)
    # Swift's row triggers fold each row into a replication hash through a
    # SQL function its broker registers. The bench Swift runs no replicator
    # (nothing compares that hash), so the function keeps the hash as is.
    conn.create_function("chexor", 3, lambda old, name, timestamp: old)
    return conn


def fill_db(dbs: List[str], a: argparse.Namespace) -> float:
    """Insert the rows into each replica; seconds taken."""
    created = Timestamp(time.time()).internal
    t0 = time.monotonic()
    for db in dbs:
        conn = _open_db(db)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO object (name, created_at, size, content_type, etag, deleted, "
                "storage_policy_index) VALUES (?, ?, 0, 'application/octet-stream', ?, 0, 0)",
                ((object_name(i, a.objects, a.dirs), created, EMPTY_MD5)
                 for i in range(a.objects)))
            conn.execute("COMMIT")
        finally:
            conn.close()
    return time.monotonic() - t0


def object_count(ep: Endpoint, container: str) -> int:
    conn = ep.connect()
    try:
        resp, _ = _request(conn, "HEAD", "%s/%s" % (ep.path, container),
                           {"X-Auth-Token": ep.token})
    finally:
        conn.close()
    return int(resp.getheader("X-Container-Object-Count") or 0)


def empty_dbs(dbs: List[str], a: argparse.Namespace) -> None:
    for db in dbs:
        conn = _open_db(db)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("DELETE FROM object WHERE name = ?",
                             ((object_name(i, a.objects, a.dirs),) for i in range(a.objects)))
            conn.execute("COMMIT")
        finally:
            conn.close()


def container_name(i: int, containers: int, dirs: int) -> str:
    per_group = max(1, -(-containers // dirs))
    return "g%03d-c%07d" % (i // per_group, i)


def account_dbs(srv: str, etc: str, account: str) -> List[str]:
    """Every replica of the account's database under ``srv``."""
    digest = name_hash(account, None, *hash_settings(etc))
    found = glob.glob(os.path.join(srv, "**", "accounts", "*", "*", digest, digest + ".db"),
                      recursive=True)
    if len(found) < 3:
        raise RuntimeError("found %d replicas of %s under %s" % (len(found), account, srv))
    return found


# every name container_name makes, and none of the bench's own containers
_ACCOUNT_ROWS = "name >= 'g' AND name < 'h'"


def fill_account_dbs(dbs: List[str], a: argparse.Namespace) -> float:
    """The account's container rows, anew in each replica; seconds taken."""
    put = Timestamp(time.time()).internal
    t0 = time.monotonic()
    for db in dbs:
        conn = _open_db(db)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM container WHERE " + _ACCOUNT_ROWS)
            conn.executemany(
                "INSERT INTO container (name, put_timestamp, delete_timestamp, object_count, "
                "bytes_used, deleted, storage_policy_index) VALUES (?, ?, '0', ?, ?, 0, 0)",
                ((container_name(i, a.containers, a.dirs), put, i % 7, 1024 * (i % 7))
                 for i in range(a.containers)))
            conn.execute("COMMIT")
        finally:
            conn.close()
    return time.monotonic() - t0


def empty_account_dbs(dbs: List[str]) -> None:
    for db in dbs:
        conn = _open_db(db)
        try:
            conn.execute("DELETE FROM container WHERE " + _ACCOUNT_ROWS)
        finally:
            conn.close()


def put_rate(ep: Endpoint, container: str, count: int, tag: str) -> float:
    def put(conn: Any, i: int) -> int:
        resp, _ = _request(conn, "PUT", "%s/%s/zz-%s-%07d" % (ep.path, container, tag, i),
                           {"X-Auth-Token": ep.token, "Content-Length": "0"})
        if resp.status != 201:
            raise RuntimeError("PUT answered %d" % resp.status)
        return 0
    r = run_phase(ep, "PUT", put, 16, 600, count)
    return r.ops_per_s


def delete_puts(ep: Endpoint, container: str, count: int, tag: str) -> None:
    def delete(conn: Any, i: int) -> int:
        resp, _ = _request(conn, "DELETE", "%s/%s/zz-%s-%07d" % (ep.path, container, tag, i),
                           {"X-Auth-Token": ep.token})
        if resp.status not in (204, 404):
            raise RuntimeError("DELETE answered %d" % resp.status)
        return 0
    run_phase(ep, "DELETE", delete, 16, 600, count)


# --- listing phases --------------------------------------------------------

def get_listing(ep: Endpoint, conn: Any, container: str, query: Dict[str, str]) -> List[str]:
    """A listing of ``container`` (of the account when it is ``""``)."""
    q = urllib.parse.urlencode(dict(query, format="json"))
    path = "%s%s?%s" % (ep.path, "/" + container if container else "", q)
    try:
        resp, body = _request(conn, "GET", path, {"X-Auth-Token": ep.token})
    except (http.client.RemoteDisconnected, ConnectionError):
        # The server closed the keep-alive connection while it sat idle
        # (another endpoint's walk of a big container takes minutes): the
        # same connection object reconnects.
        conn.close()
        resp, body = _request(conn, "GET", path, {"X-Auth-Token": ep.token})
    if resp.status != 200:
        raise RuntimeError("%s listing %s answered %d" % (ep.name, q, resp.status))
    return [e.get("name", e.get("subdir")) for e in json.loads(body)]


def walk(ep: Endpoint, conn: Any, container: str) -> List[str]:
    names: List[str] = []
    while True:
        page = get_listing(ep, conn, container, {"marker": names[-1]} if names else {})
        names.extend(page)
        if len(page) < PAGE:
            return names


def phases(a: argparse.Namespace) -> List[Tuple[str, Callable[[Endpoint, Any, str], List[str]]]]:
    mid = "d%03d/" % (a.dirs * 42 // 100)
    return [
        ("first page", lambda ep, c, n: get_listing(ep, c, n, {})),
        ("prefix+delimiter page", lambda ep, c, n: get_listing(
            ep, c, n, {"prefix": mid, "delimiter": "/"})),
        ("delimiter at root", lambda ep, c, n: get_listing(ep, c, n, {"delimiter": "/"})),
        ("full walk", walk),
    ]


def account_phases(a: argparse.Namespace
                   ) -> List[Tuple[str, Callable[[Endpoint, Any, str], List[str]]]]:
    """The account's listings (``container`` is ``""`` for them)."""
    group = "g%03d-" % (a.dirs * 42 // 100)
    return [
        ("account first page", lambda ep, c, n: get_listing(ep, c, n, {})),
        ("account prefix page", lambda ep, c, n: get_listing(ep, c, n, {"prefix": group})),
        ("account delimiter at root", lambda ep, c, n: get_listing(
            ep, c, n, {"delimiter": "-"})),
        ("account full walk", walk),
    ]


def measure(endpoints: List[Endpoint], containers: Dict[str, str],
            a: argparse.Namespace,
            todo: List[Tuple[str, Callable[[Endpoint, Any, str], List[str]]]],
            markers: Dict[str, List[str]]) -> List[Dict[str, Any]]:
    """Each phase's median and best client time per endpoint, and the CPU
    its servers spent per request (``server_cpu``: all of them, storage
    servers included; the two objstore endpoints share the storage
    servers, and background work there counts for whichever is timed)."""
    rows = []
    walk_reps = a.walk_reps or (a.reps if a.objects <= 100000 else 1)
    conns = {ep.name: ep.connect() for ep in endpoints}
    for title, fn in todo:
        if a.no_walk and title.endswith("full walk"):
            continue
        reps = walk_reps if title == "full walk" else a.reps
        times: Dict[str, List[float]] = {ep.name: [] for ep in endpoints}
        cpu: Dict[str, float] = {ep.name: 0.0 for ep in endpoints}
        answers: Dict[str, List[str]] = {}
        for _ in range(reps):
            for ep in endpoints:
                cpu0 = server_cpu.snapshot(markers[ep.name])
                t = time.monotonic()
                answers[ep.name] = fn(ep, conns[ep.name], containers[ep.name])
                times[ep.name].append(time.monotonic() - t)
                cpu[ep.name] += server_cpu.used(cpu0, server_cpu.snapshot(
                    markers[ep.name]))["total"]
        first = answers[endpoints[0].name]
        for name, got in answers.items():
            if title.startswith("account"):
                # the bench's rows only: a kept container of another run may
                # be in one account and not in the other
                got = [n for n in got if n.startswith("g")]
                first = [n for n in first if n.startswith("g")]
            if got != first:
                raise RuntimeError("%s: %s answered %d names, %s %d (or other names)"
                                   % (title, name, len(got), endpoints[0].name, len(first)))
        row = {"phase": title, "entries": len(answers[endpoints[0].name]), "reps": reps,
               "ms": {n: round(1000 * statistics.median(t), 1) for n, t in times.items()},
               "best_ms": {n: round(1000 * min(t), 1) for n, t in times.items()},
               "cpu_ms": {n: round(1000 * c / reps, 2) for n, c in cpu.items()}}
        rows.append(row)
        print(format_row(row, [ep.name for ep in endpoints]), flush=True)
    for c in conns.values():
        c.close()
    return rows


def format_header(names: List[str]) -> str:
    cols = ["phase", "entries"] + ["%s ms (best)" % n for n in names] + [
        "Swift / %s" % n for n in names if n != "swift"] + [
        "server CPU ms/req " + " / ".join(names)] + [
        "CPU Swift / %s" % n for n in names if n != "swift"]
    return "| %s |\n|%s" % (" | ".join(cols), " --- |" * len(cols))


def format_row(row: Dict[str, Any], names: List[str]) -> str:
    cells = [row["phase"], "{:,}".format(row["entries"])]
    cells += ["%.1f (%.1f)" % (row["ms"][n], row["best_ms"][n]) for n in names]
    swift = row["ms"].get("swift")
    cells += ["%.2fx" % (swift / row["ms"][n]) if swift else "-" for n in names if n != "swift"]
    cpu = row["cpu_ms"]
    cells.append(" / ".join("%.1f" % cpu[n] for n in names))
    cells += ["%.2fx" % (cpu["swift"] / cpu[n]) if cpu.get("swift") and cpu[n] else "-"
              for n in names if n != "swift"]
    return "| %s |" % " | ".join(cells)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


# --- the run ---------------------------------------------------------------

def run(a: argparse.Namespace) -> Dict[str, Any]:
    report: Dict[str, Any] = {"objects": a.objects, "dirs": a.dirs, "fill": a.fill,
                              "uptime_before": uptime()}
    print(report["uptime_before"], flush=True)
    tmp = tempfile.mkdtemp(prefix="bench-listing-")
    proxy, port = start_minimal_proxy(tmp)
    swift = start_swift(a)
    cname = "listing-%d-%s" % (a.objects, "kept" if a.keep else uuid.uuid4().hex[:6])
    endpoints: List[Endpoint] = []
    account_filled: List[List[str]] = []
    try:
        endpoints.append(authenticate("swift", swift.AUTH_URL, "test:tester", "testing"))
        endpoints.append(authenticate("objstore", "http://127.0.0.1:%d/auth/v1.0" % port,
                                      "test:tester", "testing"))
        if not a.no_saio_proxy:
            endpoints.append(authenticate("objstore-saio", "http://127.0.0.1:%d/auth/v1.0"
                                          % PROXY_PORT, "test:tester", "testing"))
        # The two objstore proxies share one cluster, so one container.
        stores = [endpoints[0], endpoints[1]]
        reused = []
        for ep in stores:
            ep.containers.append(cname)
            if simple(ep, "PUT", "/" + cname, (201, 202)) == 202 and \
                    object_count(ep, cname) == a.objects:
                reused.append(ep.name)
        where = {"swift": (os.path.join(a.swift_dir, "srv"), os.path.join(a.swift_dir, "etc")),
                 "objstore": (SAIO_SRV, SAIO_ETC)}
        stores = [ep for ep in stores if ep.name not in reused]
        if reused:
            print("listing the %d objects kept in %s by %s" % (a.objects, cname,
                                                              " and ".join(reused)), flush=True)
        if a.fill == "http":
            for ep in stores:
                t = time.monotonic()
                report.setdefault("put_rates", {})[ep.name] = fill_http(ep, cname, a)
                print("filled %s in %.1f s; PUT/s per tenth: %s" % (
                    ep.name, time.monotonic() - t,
                    " ".join("%.0f" % r for r in report["put_rates"][ep.name])), flush=True)
        else:
            for ep in stores:
                dbs = container_dbs(*where[ep.name], ep.path.rsplit("/", 1)[-1], cname)
                if object_count(ep, cname):
                    empty_dbs(dbs, a)  # a kept container of another size
                print("filled %s (%d replicas) in %.1f s" % (ep.name, len(dbs),
                                                             fill_db(dbs, a)), flush=True)
        names = [ep.name for ep in endpoints]
        # whose servers' CPU counts for each endpoint (the storage servers
        # of the two objstore endpoints are the SAIO's)
        markers = {"swift": [os.path.join(a.swift_dir, "etc")],
                   "objstore": [tmp, SAIO_ETC], "objstore-saio": [SAIO_ETC]}
        print("\n" + format_header(names), flush=True)
        report["phases"] = measure(endpoints, {n: cname for n in names}, a, phases(a), markers)
        if a.containers:
            for ep in endpoints[:2]:
                dbs = account_dbs(*where[ep.name], ep.path.rsplit("/", 1)[-1])
                account_filled.append(dbs)
                print("filled %s's account with %d containers (%d replicas) in %.1f s" % (
                    ep.name, a.containers, len(dbs), fill_account_dbs(dbs, a)), flush=True)
            report["phases"] += measure(endpoints, {n: "" for n in names}, a,
                                        account_phases(a), markers)
        if a.fill == "db" and a.put_after:
            rates = report["put_after"] = {}
            for ep in endpoints[:2]:
                empty = cname + "-empty"
                simple(ep, "PUT", "/" + empty, (201, 202))
                ep.containers.append(empty)
                rates[ep.name] = {"full": put_rate(ep, cname, a.put_after, "full"),
                                  "empty": put_rate(ep, empty, a.put_after, "empty")}
                if a.keep:
                    delete_puts(ep, cname, a.put_after, "full")  # the kept count stays
                print("%s PUT/s into the %d-object container %.0f, into an empty one %.0f"
                      % (ep.name, a.objects, rates[ep.name]["full"], rates[ep.name]["empty"]),
                      flush=True)
    finally:
        report["uptime_after"] = uptime()
        for dbs in account_filled:
            try:
                empty_account_dbs(dbs)
            except sqlite3.Error as exc:
                print("could not take the account rows out of %s: %s" % (dbs, exc))
        for ep in endpoints[:2]:
            try:
                if a.keep:
                    ep.containers.remove(cname)  # the rest (the PUT-rate containers) go
                elif ep.name == "objstore" and a.fill == "db":
                    empty_dbs(container_dbs(SAIO_SRV, SAIO_ETC, ep.path.rsplit("/", 1)[-1],
                                            cname), a)  # Swift's directory is wiped whole
                if ep.name == "objstore" or a.keep_swift or a.keep:
                    cleanup(ep)
            except Exception as exc:
                print("cleanup of %s failed: %s; delete %s by hand" % (ep.name, exc,
                                                                       ep.containers))
        proxy.terminate()
        proxy.wait()
        shutil.rmtree(tmp, ignore_errors=True)  # the minimal proxy's config
        if not (a.keep_swift or a.keep):
            swift.stop(a.swift_dir)
    print(report["uptime_after"])
    return report


def main(argv: Optional[List[str]] = None) -> int:
    a = parse_args(argv)
    report = run(a)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(report, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
