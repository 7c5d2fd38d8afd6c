"""Per-container status of the container sync daemon, for recon.

Kept in the node's ``container.recon`` under ``container-sync-status``
(beside the daemon's pass stats under ``container-sync``), rewritten after
each container a pass works on, so ``/recon/container_sync`` (which
answers both) and ``objstore-recon --sync`` show progress while a long
pass runs::

    {"updated": 1796486307.6,
     "containers": {
       "AUTH_test/photos": {
         "sync_to": "//saio/west/AUTH_test/photos",
         "replica": 0, "replicas": 3,
         "max_row": 1200, "point1": 1100, "point2": 1180,
         "rows_behind": 100,            # rows not yet confirmed by the remote
         "last_pass": 1796486307.1,     # when a pass last worked on it
         "last_success": 1796486307.1,  # last pass that ended without an error
         "last_error": "", "last_error_at": 0,
         "synced": 80, "failed": 0}}}   # rows sent (or found current) / failed, last pass

``rows_behind`` counts rows after ``point1``, the point up to which every
row -- this replica's share and the others' -- is confirmed. The fields
survive a restart of the daemon (they are read back at start).
"""

from __future__ import annotations

import os
import time
from typing import Any, Dict, Optional

from objstore.common.daemon import dump_recon_cache, read_recon_cache
from objstore.common.recon import SYNC_STATUS_KEY as STATUS_KEY
RECON_FILE = "container.recon"


class SyncStatus:
    """The status table of one node, as the daemon updates it."""

    def __init__(self, recon_cache_path: str) -> None:
        self.path = os.path.join(recon_cache_path, RECON_FILE)
        stored = read_recon_cache(self.path).get(STATUS_KEY) or {}
        self.containers: Dict[str, Dict[str, Any]] = dict(stored.get("containers") or {})

    def entry(self, name: str) -> Dict[str, Any]:
        return self.containers.setdefault(name, {
            "sync_to": "", "replica": -1, "replicas": 0, "max_row": -1, "point1": -1,
            "point2": -1, "rows_behind": 0, "last_pass": 0.0, "last_success": 0.0,
            "last_error": "", "last_error_at": 0.0, "synced": 0, "failed": 0})

    def record(self, name: str, error: Optional[str] = None, **fields: Any) -> None:
        """Update one container's entry; an error keeps the last success."""
        entry = self.entry(name)
        entry.update(fields)
        now = time.time()
        entry["last_pass"] = now
        if error:
            entry["last_error"], entry["last_error_at"] = error[:500], now
        else:
            entry["last_success"] = now

    def forget(self, name: str) -> None:
        self.containers.pop(name, None)

    def keep_only(self, names: set) -> None:
        """Drop containers no longer synced from this node (after a pass
        that saw every database)."""
        for name in [n for n in self.containers if n not in names]:
            del self.containers[name]

    def dump(self) -> None:
        dump_recon_cache(self.path, STATUS_KEY, {"updated": time.time(),
                                                 "containers": self.containers})


def read_status(recon_cache_path: str) -> Dict[str, Any]:
    """The stored status table of a node (empty if none yet)."""
    return read_recon_cache(os.path.join(recon_cache_path, RECON_FILE)).get(STATUS_KEY) or {}
