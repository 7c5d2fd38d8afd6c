"""Server health for the dashboard: up/down and response time of every
server the rings name plus the proxy, and each storage server's recon
answers (disk use, async pendings, quarantined files, last replication).

Every server is asked in parallel with a short timeout, so one dead or
slow node makes the page late by one timeout, not by one per node.
"""

from __future__ import annotations

import http.client
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from objstore.common.daemon import PROGRESS_SUFFIX
from objstore.common.recon import fetch_recon
from objstore.common.storage_policy import load_policies
from objstore.dashboard import panels
from ring.ring import Ring

#: The recon questions each kind of storage server is asked.
RECON_QUESTIONS: Dict[str, Tuple[str, ...]] = {
    "object": ("diskusage", "async", "quarantined", "daemons"),
    "container": ("diskusage", "quarantined", "daemons"),
    "account": ("diskusage", "quarantined", "daemons"),
}
#: Per kind: the daemons whose last pass the health table shows, as
#: (column, daemon's recon name); a daemon yet to run shows "no pass yet".
PASS_DAEMONS: Dict[str, Tuple[Tuple[str, str], ...]] = {
    "object": (("replication", "object-replicator"), ("auditor", "object-auditor"),
               ("expirer", "object-expirer"), ("reconstruction", "object-reconstructor")),
    "container": (("replication", "container-replicator"), ("auditor", "container-auditor")),
    "account": (("replication", "account-replicator"), ("auditor", "account-auditor")),
}
#: Stats values kept per daemon: numbers, and small lists/dicts as JSON text
MAX_STATS = 40
MAX_STAT_TEXT = 400


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
    """``{"last_pass": epoch, "pass_time": seconds, "stats": {...}}`` of a
    daemon's recon answer; None when it has not finished a pass yet."""
    if not isinstance(answer, dict) or not answer.get("last_pass"):
        return None
    return {"last_pass": answer.get("last_pass"), "pass_time": answer.get("pass_time"),
            "stats": _small_stats(answer.get("stats"))}


def _small_stats(stats: Any) -> Dict[str, Any]:
    """The stats a page can show: numbers as they are, anything else as
    short JSON text (a daemon may record lists of recent moves)."""
    out: Dict[str, Any] = {}
    if not isinstance(stats, dict):
        return out
    for key in sorted(stats)[:MAX_STATS]:
        value = stats[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[str(key)] = value
        else:
            out[str(key)] = json.dumps(value, sort_keys=True, default=str)[:MAX_STAT_TEXT]
    return out


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
        elif what == "daemons":
            daemons = answer if status == 200 and isinstance(answer, dict) else {}
            out["daemons"] = {name: last_pass(value) for name, value in sorted(daemons.items())
                              if isinstance(value, dict) and "last_pass" in value}
            out["panels"] = panels.server_panels(daemons)
            out["running"] = {}
            for column, name in PASS_DAEMONS.get(kind, ()):
                out[column] = out["daemons"].get(name)
                running = daemons.get(name + PROGRESS_SUFFIX)
                if isinstance(running, dict):
                    out["running"][column] = {"started": running.get("started"),
                                              "updated": running.get("updated"),
                                              "stats": _small_stats(running.get("stats"))}
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
    return {"time": time.time(), "servers": [proxy.result()] + rows,
            "panels": panels.gather(rows)}
