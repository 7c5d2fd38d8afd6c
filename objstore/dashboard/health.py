"""Server health for the dashboard: up/down and response time of every
server the rings name plus the proxy, and each storage server's recon
answers (disk use, async pendings, quarantined files, last replication).

Every server is asked in parallel with a short timeout, so one dead or
slow node makes the page late by one timeout, not by one per node.
"""

from __future__ import annotations

import http.client
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from objstore.common.recon import fetch_recon
from objstore.common.storage_policy import load_policies
from ring.ring import Ring

#: The recon questions each kind of storage server is asked.
RECON_QUESTIONS: Dict[str, Tuple[str, ...]] = {
    "object": ("diskusage", "async", "quarantined", "replication", "auditor", "expirer"),
    "container": ("diskusage", "quarantined", "replication", "auditor"),
    "account": ("diskusage", "quarantined", "replication", "auditor"),
}
#: Daemons whose last pass (when, how long) the page shows.
PASS_DAEMONS = ("replication", "auditor", "expirer")


def storage_servers(swift_dir: str) -> List[Tuple[str, str, int]]:
    """``(kind, ip, port)`` of every storage server any ring names, once."""
    rings = ["account", "container"] + [p.ring_name for p in load_policies(swift_dir)]
    seen = set()
    out = []
    for name in rings:
        kind = name.split("-")[0]
        try:
            devs = Ring(swift_dir, ring_name=name).devs
        except (OSError, ValueError):
            continue  # a broken ring shows up in the ring view
        for dev in devs:
            if dev and (kind, dev["ip"], int(dev["port"])) not in seen:
                seen.add((kind, dev["ip"], int(dev["port"])))
                out.append((kind, dev["ip"], int(dev["port"])))
    return sorted(out, key=lambda s: (s[1], s[2]))


def healthcheck(ip: str, port: int, timeout: float) -> Dict[str, Any]:
    """``{"up": bool, "ms": response time, "error": why not up}``."""
    start = time.monotonic()
    try:
        conn = http.client.HTTPConnection(ip, port, timeout=timeout)
        conn.request("GET", "/healthcheck")
        resp = conn.getresponse()
        body = resp.read(64)
        conn.close()
    except (OSError, http.client.HTTPException) as err:
        return {"up": False, "ms": None, "error": str(err) or type(err).__name__}
    ms = round((time.monotonic() - start) * 1000.0, 1)
    if resp.status != 200:
        return {"up": False, "ms": ms, "error": "healthcheck answered %d %s"
                % (resp.status, body.decode("latin-1", "replace").strip())}
    return {"up": True, "ms": ms, "error": None}


def last_pass(answer: Any) -> Optional[Dict[str, Any]]:
    """``{"last_pass": epoch, "pass_time": seconds}`` of a daemon's recon
    answer; None when the daemon has not finished a pass yet."""
    if not isinstance(answer, dict) or not answer.get("last_pass"):
        return None
    return {"last_pass": answer.get("last_pass"), "pass_time": answer.get("pass_time")}


def server_health(kind: str, ip: str, port: int, timeout: float) -> Dict[str, Any]:
    """One storage server: healthcheck, then (if up) its recon answers."""
    out: Dict[str, Any] = {"kind": kind, "ip": ip, "port": port}
    out.update(healthcheck(ip, port, timeout))
    if not out["up"]:
        return out
    for what in RECON_QUESTIONS.get(kind, ()):
        status, answer = fetch_recon(ip, port, what, timeout)
        if what == "diskusage":
            out["devices"] = [{"device": d.get("device"), "size": d.get("size"),
                               "used": d.get("used"), "avail": d.get("avail")}
                              for d in (answer if isinstance(answer, list) else [])]
        elif what == "async":
            out["async_pending"] = (answer or {}).get("async_pending") \
                if isinstance(answer, dict) else None
        elif what == "quarantined":
            out["quarantined"] = sum(v for v in answer.values() if isinstance(v, int)) \
                if isinstance(answer, dict) else None
        elif what in PASS_DAEMONS:
            out[what] = last_pass(answer) if status == 200 else None
    return out


def proxy_health(proxy_url: str, timeout: float) -> Dict[str, Any]:
    """The proxy's healthcheck, shaped like a storage server's row."""
    parts = urlsplit(proxy_url)
    ip, port = parts.hostname or "127.0.0.1", parts.port or 80
    out: Dict[str, Any] = {"kind": "proxy", "ip": ip, "port": port}
    out.update(healthcheck(ip, port, timeout))
    return out


def cluster_health(swift_dir: str, proxy_url: str, timeout: float = 2.0
                   ) -> Dict[str, Any]:
    """Every server's row, the proxy first, and when it was measured."""
    servers = storage_servers(swift_dir)
    with ThreadPoolExecutor(max_workers=max(1, min(32, len(servers) + 1))) as pool:
        proxy = pool.submit(proxy_health, proxy_url, timeout)
        rows = list(pool.map(lambda s: server_health(s[0], s[1], s[2], timeout), servers))
    return {"time": time.time(), "servers": [proxy.result()] + rows}
