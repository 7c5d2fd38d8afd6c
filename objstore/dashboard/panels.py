"""The tiering and container-sync panels: what those daemons put in their
node's recon cache, cut to what a page shows.

Both come from the one ``/recon/daemons`` answer each server gives the
health view: the tierer's record (``object-tierer``: objects per tier, moves
by state, the last moves; docs/tiering.md) on the object server beside which
it runs, and the container sync daemon's pass (``container-sync``) and
per-container status table (``container-sync-status``) on container servers.
A panel with no such record on any server is "not configured".
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from objstore.common.recon import SYNC_STATUS_KEY

TIERER = "object-tierer"
SYNC = "container-sync"
#: rows a panel shows at most per server (the page polls every 5 s)
MAX_MOVES = 10
MAX_CONTAINERS = 50
MOVE_FIELDS = ("path", "from_tier", "to_tier", "state", "reason", "finished", "detail")
SYNC_FIELDS = ("sync_to", "rows_behind", "last_success", "last_error", "last_error_at",
               "synced", "failed")


def _counts(value: Any) -> Dict[str, int]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, int)}


def tiering(record: Any) -> Optional[Dict[str, Any]]:
    """The tierer's recon record -> ``{"last_pass", "objects_per_tier",
    "moves", "recent_moves", "stats"}``; None without one."""
    if not isinstance(record, dict):
        return None
    moves = record.get("recent_moves") if isinstance(record.get("recent_moves"), list) else []
    return {"last_pass": record.get("last_pass"),
            "objects_per_tier": _counts(record.get("objects_per_tier")),
            "moves": _counts(record.get("moves")),
            "recent_moves": [{k: m.get(k) for k in MOVE_FIELDS}
                             for m in moves[:MAX_MOVES] if isinstance(m, dict)],
            "stats": _counts(record.get("stats"))}


def sync(passed: Any, status: Any) -> Optional[Dict[str, Any]]:
    """The sync daemon's pass and status table -> ``{"last_pass",
    "pass_time", "stats", "containers": [{"container", "sync_to",
    "rows_behind", ...}]}`` (most rows behind first); None without either."""
    if not isinstance(passed, dict) and not isinstance(status, dict):
        return None
    passed = passed if isinstance(passed, dict) else {}
    table = (status or {}).get("containers") if isinstance(status, dict) else None
    rows = [dict({k: entry.get(k) for k in SYNC_FIELDS}, container=name)
            for name, entry in (table.items() if isinstance(table, dict) else [])
            if isinstance(entry, dict)]
    rows.sort(key=lambda r: (-(r["rows_behind"] or 0), r["container"]))
    return {"last_pass": passed.get("last_pass"), "pass_time": passed.get("pass_time"),
            "stats": _counts(passed.get("stats")), "containers": rows[:MAX_CONTAINERS],
            "containers_total": len(rows)}


def server_panels(records: Dict[str, Any]) -> Dict[str, Any]:
    """The panel parts one server's ``/recon/daemons`` answer holds."""
    out: Dict[str, Any] = {}
    tiers = tiering(records.get(TIERER))
    if tiers is not None:
        out["tiering"] = tiers
    synced = sync(records.get(SYNC), records.get(SYNC_STATUS_KEY))
    if synced is not None:
        out["sync"] = synced
    return out


def gather(servers: List[Dict[str, Any]]) -> Dict[str, List[Dict[str, Any]]]:
    """Per panel, each server's part: ``{"tiering": [{"server": "ip:port",
    ...}], "sync": [...]}``; an empty list is a panel not configured."""
    out: Dict[str, List[Dict[str, Any]]] = {"tiering": [], "sync": []}
    for server in servers:
        for panel, part in (server.get("panels") or {}).items():
            out[panel].append(dict(part, server="%s:%s" % (server["ip"], server["port"])))
    return out
