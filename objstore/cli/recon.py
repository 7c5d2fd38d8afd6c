"""``objstore-recon [what ...]``: ask every storage node its recon stats.

Thin: finds the nodes in the rings, GETs ``/recon/<what>`` from each, and
prints one JSON line per node and question, so ``grep``/``jq`` can find
the node that is behind.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
from typing import Any, List, Optional, Tuple

from objstore.common.config import DEFAULT_SWIFT_DIR
from ring import Ring

WHATS = ("replication", "auditor", "updater", "expirer", "async", "quarantined",
         "diskusage", "ringmd5", "load")


def fetch(ip: str, port: int, what: str, timeout: float) -> Tuple[int, Any]:
    """``(status, JSON answer)``; status 0 if the node did not answer."""
    try:
        conn = http.client.HTTPConnection(ip, port, timeout=timeout)
        conn.request("GET", "/recon/%s" % what)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
    except (OSError, http.client.HTTPException):
        return 0, None
    try:
        return resp.status, json.loads(body) if resp.status == 200 else None
    except ValueError:
        return 0, None


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="objstore-recon", description=__doc__)
    parser.add_argument("what", nargs="*", default=list(WHATS),
                        help="questions to ask (default: all of %s)" % ", ".join(WHATS))
    parser.add_argument("--swift-dir", default=DEFAULT_SWIFT_DIR)
    parser.add_argument("--server-type", default="object",
                        choices=("object", "container", "account"))
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    ring = Ring(args.swift_dir, ring_name=args.server_type)
    hosts = sorted({(d["ip"], int(d["port"])) for d in ring.devs if d})
    rc = 0
    for ip, port in hosts:
        for what in args.what:
            status, answer = fetch(ip, port, what, args.timeout)
            if status != 200:
                rc = 1
            print(json.dumps({"host": "%s:%d" % (ip, port), "what": what, "status": status,
                              "answer": answer}, sort_keys=True))
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
