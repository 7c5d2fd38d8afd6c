"""The phases of bench/load.py: the load-generating client and the ops it
runs (small, medium and large objects), apart from the command line.

``run_phase`` runs one op from N threads, each with its own keep-alive
``http.client`` connection opened before the clock starts, until a time or
op bound, and summarizes it (``load_report.PhaseResult``). ``small_ops``
and ``large_ops`` build the ops of one endpoint; ``cleanup`` deletes what a
run wrote. Only loopback endpoints are accepted (``check_loopback``).
"""
from __future__ import annotations

import hashlib
import http.client
import ipaddress
import itertools
import json
import os
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from load_report import PhaseResult, summarize

MiB = 1024 * 1024
BLOCK = MiB

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
