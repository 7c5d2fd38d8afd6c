"""S3 API load against OpenStack Swift 2.38.3's s3api, in one run.

    .venv/bin/python bench/s3_load.py [--concurrency 16] [--seconds 6]

Both sides run the middlewares of a Swift SAIO (s3api, tempauth, slo, dlo,
copy, bulk, ...): Swift from ``bench/swift_saio.py --full``, objstore
through a proxy of its own with the same pipeline over the SAIO's storage
servers (``--saio-proxy``: the SAIO's own proxy instead, encryption and all).
Each phase (PutObject, GetObject, HeadObject, ListObjectsV2, DeleteObject
of 4 KiB objects) runs against one side then the other, from threads that
each keep one connection and sign every request with SigV4 (payload hash
signed, as the aws CLI does over plain HTTP). Figures: ops/s, latency
percentiles, server CPU per op, and objstore / Swift ratios.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import hmac
import http.client
import os
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import objstore_proxy  # noqa: E402
import server_cpu  # noqa: E402
from load_phases import Op, check_loopback, run_phase  # noqa: E402
from load_report import (PhaseResult, compute_ratios, finish, format_ratios,  # noqa: E402
                         format_results)

#: the middlewares of bench/swift_saio.py's --full Swift, by objstore's names
SWIFT_SAIO_PIPELINE = ("catch_errors gatekeeper healthcheck proxy-logging domain_remap cache "
                       "listing_formats bulk tempurl ratelimit formpost s3api tempauth "
                       "staticweb copy container-quotas account-quotas slo dlo "
                       "versioned_writes symlink proxy-logging proxy-server")
REGION = "us-east-1"
PHASES = ("PutObject", "GetObject", "HeadObject", "ListObjectsV2", "DeleteObject")
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass
class S3Endpoint:
    """One S3 endpoint on loopback and the keys that sign for it."""
    name: str
    host: str
    port: int
    access: str
    secret: str

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=120)

    def _key(self, day: str) -> bytes:
        key = ("AWS4" + self.secret).encode()
        for part in (day, REGION, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        return key

    def headers(self, method: str, path: str, query: str = "",
                payload_sha256: str = EMPTY_SHA256) -> Dict[str, str]:
        """SigV4 headers of a request for ``path`` (already URI-encoded) and
        a canonical ``query`` (sorted, encoded)."""
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        day = stamp[:8]
        host = "%s:%d" % (self.host, self.port)
        signed = "host;x-amz-content-sha256;x-amz-date"
        canonical = "\n".join([method, path, query, "host:" + host,
                               "x-amz-content-sha256:" + payload_sha256,
                               "x-amz-date:" + stamp, "", signed, payload_sha256])
        scope = "%s/%s/s3/aws4_request" % (day, REGION)
        to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope,
                             hashlib.sha256(canonical.encode()).hexdigest()])
        sig = hmac.new(self._key(day), to_sign.encode(), hashlib.sha256).hexdigest()
        return {"Host": host, "x-amz-date": stamp, "x-amz-content-sha256": payload_sha256,
                "Authorization": "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
                                 "Signature=%s" % (self.access, scope, signed, sig)}

    def call(self, conn: http.client.HTTPConnection, method: str, key: str = "",
             bucket: str = "", query: str = "", body: bytes = b"",
             payload_sha256: str = EMPTY_SHA256) -> Tuple[int, bytes]:
        path = "/" + quote(bucket, safe="-_.~") + ("/" + quote(key, safe="-_.~/") if key else "")
        headers = self.headers(method, path, query, payload_sha256)
        if body or method == "PUT":
            headers["Content-Length"] = str(len(body))
        conn.request(method, path + ("?" + query if query else ""), body=body or None,
                     headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()

    def simple(self, method: str, bucket: str, key: str = "", query: str = "") -> int:
        conn = self.connect()
        try:
            return self.call(conn, method, key, bucket, query)[0]
        finally:
            conn.close()


def s3_ops(ep: S3Endpoint, bucket: str, payload: bytes) -> Dict[str, Op]:
    digest = hashlib.sha256(payload).hexdigest()
    written: List[int] = []

    def put(conn: http.client.HTTPConnection, i: int) -> int:
        status, _ = ep.call(conn, "PUT", "o%d" % i, bucket, body=payload, payload_sha256=digest)
        if status != 200:
            raise RuntimeError("PutObject answered %d" % status)
        written.append(i)
        return len(payload)

    def pick(i: int) -> str:
        if not written:
            raise RuntimeError("nothing was put, nothing to read")
        return "o%d" % written[i % len(written)]

    def get(conn: http.client.HTTPConnection, i: int) -> int:
        status, body = ep.call(conn, "GET", pick(i), bucket)
        if status != 200 or body != payload:
            raise RuntimeError("GetObject answered %d with %d bytes" % (status, len(body)))
        return len(body)

    def head(conn: http.client.HTTPConnection, i: int) -> int:
        status, _ = ep.call(conn, "HEAD", pick(i), bucket)
        if status != 200:
            raise RuntimeError("HeadObject answered %d" % status)
        return 0

    def listing(conn: http.client.HTTPConnection, i: int) -> int:
        status, body = ep.call(conn, "GET", "", bucket, query="list-type=2&max-keys=100")
        if status != 200 or b"<Contents>" not in body:
            raise RuntimeError("ListObjectsV2 answered %d" % status)
        return 0

    def delete(conn: http.client.HTTPConnection, i: int) -> int:
        if i >= len(written):
            raise RuntimeError("nothing left to delete")
        status, _ = ep.call(conn, "DELETE", "o%d" % written[i], bucket)
        if status != 204:
            raise RuntimeError("DeleteObject answered %d" % status)
        return 0

    return {"PutObject": put, "GetObject": get, "HeadObject": head,
            "ListObjectsV2": listing, "DeleteObject": delete}


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--seconds", type=float, default=6.0, help="time bound of each phase")
    p.add_argument("--max-ops", type=int, default=20000)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--small-kib", type=int, default=4)
    p.add_argument("--access", default="test:tester")
    p.add_argument("--secret", default="testing")
    p.add_argument("--saio-proxy", action="store_true",
                   help="measure the SAIO's own proxy (its whole pipeline) instead")
    p.add_argument("--swift-port-base", type=int, default=None)
    p.add_argument("--swift-dir", default=None)
    p.add_argument("--swift-venv", default=None)
    p.add_argument("--keep-swift", action="store_true")
    p.add_argument("--no-swift", action="store_true",
                   help="measure objstore alone (no Swift started, no ratios)")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes of the bench's objstore proxy (the SAIO's by default)")
    p.add_argument("--pythonpath", default=None,
                   help="put this tree's code first in the bench proxy's PYTHONPATH (an A/B "
                        "run against an older tree from `git archive`)")
    p.add_argument("--phases", default=",".join(PHASES),
                   help="comma-separated phases to run, in this order (PutObject always runs "
                        "first when a read or DeleteObject needs objects)")
    p.add_argument("--json", default=None, help="also write every figure to this file")
    return p.parse_args(argv)


def run(a: argparse.Namespace) -> Dict[str, Any]:
    if a.swift_port_base is not None:
        os.environ["SWIFT_REF_PORT_BASE"] = str(a.swift_port_base)
    import swift_saio  # reads the port base when imported
    tmp = tempfile.mkdtemp(prefix="objstore-s3load-")
    sdir = a.swift_dir or swift_saio.DEFAULT_DIR + "-full"
    proxy = None
    if a.saio_proxy:
        port = int(os.environ.get("SAIO_PROXY_PORT", "8080"))
        markers = [objstore_proxy.SAIO_ETC]
    else:
        proxy, port = objstore_proxy.start(tmp, pipeline=SWIFT_SAIO_PIPELINE, name="proxy-s3",
                                           workers=a.workers, env=_proxy_env(a.pythonpath))
        markers = [objstore_proxy.SAIO_ETC, tmp]
    started = False
    if not a.no_swift and not swift_saio.status_quiet(sdir):
        print("starting Swift (bench/swift_saio.py --full) on :%d ..." % swift_saio.PROXY_PORT,
              flush=True)
        venv = a.swift_venv or next((v for v in (os.path.join(ROOT, ".swift-venv"),
                                                  swift_saio.DEFAULT_VENV) if os.path.isdir(v)))
        swift_saio.start(sdir, venv=venv, full=True)
        started = True
    endpoints = [(S3Endpoint("objstore", "127.0.0.1", port, a.access, a.secret), markers)]
    if not a.no_swift:
        endpoints.append((S3Endpoint("swift", "127.0.0.1", swift_saio.PROXY_PORT, a.access,
                                     a.secret), [os.path.join(sdir, "etc")]))
    phases = _phases(a.phases)
    for ep, _m in endpoints:
        check_loopback("http://%s:%d/" % (ep.host, ep.port))
    bucket = "s3bench-" + uuid.uuid4().hex[:10]
    payload = os.urandom(a.small_kib * 1024)
    results: List[PhaseResult] = []
    load_before = os.getloadavg()
    try:
        for ep, _m in endpoints:
            status = ep.simple("PUT", bucket)
            if status != 200:
                raise SystemExit("CreateBucket on %s answered %d" % (ep.name, status))
        ops = {ep.name: s3_ops(ep, bucket, payload) for ep, _m in endpoints}
        print(format_results([]).splitlines()[0], flush=True)
        put_ok: Dict[str, int] = {}
        for op in phases:
            for ep, marks in endpoints:
                bound = put_ok.get(ep.name, 0) if op == "DeleteObject" else a.max_ops
                cpu0 = server_cpu.snapshot(marks)
                r = run_phase(ep, op, ops[ep.name][op], a.concurrency, a.seconds, max(1, bound))
                cpu1 = server_cpu.snapshot(marks)
                r.server_cpu_ms = server_cpu.per_op_ms(server_cpu.used(cpu0, cpu1), r.ops)
                results.append(r)
                print(format_results([r]).split("\n", 1)[1], flush=True)
                if op == "PutObject":
                    put_ok[ep.name] = r.ops
    finally:
        for ep, _m in endpoints:
            _empty_bucket(ep, bucket)
        if proxy is not None:
            proxy.terminate()
            proxy.wait()
        if started and not a.keep_swift:
            swift_saio.stop(sdir)
    ratios = compute_ratios(results, None)
    print("\nratios within this run:\n" + format_ratios(ratios))
    print("load average %.1f before, %.1f after" % (load_before[0], os.getloadavg()[0]))
    return {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "settings": vars(a), "results": [asdict(r) for r in results], "ratios": ratios}


def _proxy_env(pythonpath: Optional[str]) -> Optional[Dict[str, str]]:
    if not pythonpath:
        return None
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        [pythonpath] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))


def _phases(text: str) -> List[str]:
    """The phases asked for, in the bench's order, PutObject added when a
    later phase reads or deletes what it writes."""
    asked = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(asked) - set(PHASES))
    if unknown:
        raise SystemExit("unknown phase(s) %s; choose from %s" % (", ".join(unknown),
                                                                  ", ".join(PHASES)))
    if asked and asked != ["PutObject"]:
        asked.append("PutObject")
    return [name for name in PHASES if name in asked]


def _empty_bucket(ep: S3Endpoint, bucket: str) -> None:
    """Delete what a run left (a phase cut short by its time bound leaves
    objects), then the bucket."""
    conn = ep.connect()
    try:
        for _ in range(1000):
            status, body = ep.call(conn, "GET", "", bucket, query="list-type=2&max-keys=1000")
            keys = [part.split(b"</Key>")[0].decode() for part in body.split(b"<Key>")[1:]]
            if status != 200 or not keys:
                break
            for key in keys:
                ep.call(conn, "DELETE", key, bucket)
        ep.call(conn, "DELETE", "", bucket)
    except (OSError, http.client.HTTPException) as exc:
        print("cleanup of %s on %s failed: %s" % (bucket, ep.name, exc), file=sys.stderr)
    finally:
        conn.close()


def main(argv: Optional[List[str]] = None) -> int:
    a = parse_args(argv)
    return finish(run(a), a.json)


if __name__ == "__main__":
    sys.exit(main())
