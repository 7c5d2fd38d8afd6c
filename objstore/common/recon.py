"""``/recon/<what>``: what a storage node's daemons and disks are doing.

Operators (and ``objstore-recon``) ask every node the same questions to
spot the one that is behind: when did replication last finish, how many
async pendings wait, how much was quarantined, how full the disks are,
whether every node has the same rings. Daemons write their pass stats to
the recon cache (``common.daemon``); this middleware reads that and the
devices, and never touches the request path of the wrapped server.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
from typing import Any, Callable, Dict, Iterable, Optional, Tuple

from objstore.common.config import config_true_value, swift_dir
from objstore.common.daemon import DEFAULT_RECON_CACHE_PATH, read_recon_cache
from objstore.common.utils import check_drive

#: ``/recon/<what>`` -> the daemon's key in the recon cache.
DAEMON_KEYS = {"replication": "replicator", "auditor": "auditor", "updater": "updater",
               "expirer": "expirer", "reaper": "reaper", "reconstruction": "reconstructor",
               # objects per tier, move states and the last moves (docs/tiering.md)
               "tiering": "tierer"}
#: The container sync daemon's per-container status table in the recon
#: cache (written by ``objstore.container.sync_status``), beside its pass
#: stats under ``container-sync``.
SYNC_STATUS_KEY = "container-sync-status"


class ReconMiddleware:
    """Answers ``GET /recon/<what>`` in front of a storage server app."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str], server_type: str) -> None:
        self.app = app
        self.server_type = server_type
        self.devices = conf.get("devices", "/srv/node")
        self.mount_check = config_true_value(conf.get("mount_check", "true"))
        self.swift_dir = swift_dir(conf)
        self.cache = os.path.join(conf.get("recon_cache_path", DEFAULT_RECON_CACHE_PATH),
                                  "%s.recon" % server_type)

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = env.get("PATH_INFO", "")
        if not path.startswith("/recon/") or env.get("REQUEST_METHOD") != "GET":
            return self.app(env, start_response)
        what = path[len("/recon/"):]
        answer = self.answer(what)
        if answer is None and what not in DAEMON_KEYS:  # a daemon yet to run answers null
            body = b"Not found: try /recon/ replication, auditor, updater, expirer, " \
                   b"reconstruction, tiering, daemons, async, quarantined, diskusage, " \
                   b"ringmd5, load or container_sync"
            start_response("404 Not Found", [("Content-Type", "text/plain"),
                                             ("Content-Length", str(len(body)))])
            return [body]
        body = json.dumps(answer, sort_keys=True).encode("utf-8")
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    def answer(self, what: str) -> Optional[Any]:
        """The JSON-able answer to ``/recon/<what>``, None if unknown."""
        if what in DAEMON_KEYS:
            return read_recon_cache(self.cache).get(
                "%s-%s" % (self.server_type, DAEMON_KEYS[what]))
        handler = {"async": self.async_pendings, "quarantined": self.quarantined,
                   "diskusage": self.disk_usage, "ringmd5": self.ring_md5s,
                   "load": self.load, "container_sync": self.container_sync,
                   "daemons": self.daemons}.get(what)
        return handler() if handler else None

    def daemons(self) -> Dict[str, Any]:
        """Every record this server's daemons keep in the recon cache, by
        its key (``object-replicator``, ``container-sync-status``, ...): one
        question for the dashboard, and daemons added later show up unasked."""
        prefix = self.server_type + "-"
        return {k: v for k, v in read_recon_cache(self.cache).items()
                if k.startswith(prefix) and isinstance(v, dict)}

    def _devices(self) -> Dict[str, str]:
        try:
            names = sorted(os.listdir(self.devices))
        except OSError:
            return {}
        return {n: p for n, p in ((n, check_drive(self.devices, n, self.mount_check))
                                  for n in names) if p}

    def _count_files(self, prefix: str) -> int:
        total = 0
        for dev_path in self._devices().values():
            for name in os.listdir(dev_path):
                if name == prefix or name.startswith(prefix + "-"):
                    for _dirpath, _dirs, files in os.walk(os.path.join(dev_path, name)):
                        total += len(files)
        return total

    def async_pendings(self) -> Dict[str, int]:
        return {"async_pending": self._count_files("async_pending")}

    def quarantined(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        for dev_path in self._devices().values():
            qdir = os.path.join(dev_path, "quarantined")
            for kind in (os.listdir(qdir) if os.path.isdir(qdir) else []):
                counts[kind] = counts.get(kind, 0) + len(os.listdir(os.path.join(qdir, kind)))
        return counts

    def disk_usage(self) -> list:
        out = []
        for name, path in self._devices().items():
            st = os.statvfs(path)
            size, avail = st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize
            out.append({"device": name, "mounted": True, "size": size, "avail": avail,
                        "used": size - st.f_bfree * st.f_frsize})
        return out

    def ring_md5s(self) -> Dict[str, str]:
        out = {}
        for name in sorted(os.listdir(self.swift_dir)):
            if name.endswith(".ring.gz"):
                with open(os.path.join(self.swift_dir, name), "rb") as fp:
                    out[name] = hashlib.md5(fp.read(), usedforsecurity=False).hexdigest()
        return out

    def container_sync(self) -> Optional[Dict[str, Any]]:
        """The container sync daemon of this node: its last pass
        (``last_pass``, ``pass_time``, ``stats``) and, under ``containers``,
        each container it syncs as a primary: ``sync_to``, ``rows_behind``,
        ``last_success``, ``last_error``, ``last_error_at``, the sync points
        (see ``objstore.container.sync_status``). None on other servers."""
        if self.server_type != "container":
            return None
        cache = read_recon_cache(self.cache)
        answer = dict(cache.get("container-sync") or {})
        status = cache.get(SYNC_STATUS_KEY) or {}
        answer["containers"] = status.get("containers") or {}
        answer["updated"] = status.get("updated")
        return answer

    def load(self) -> Dict[str, float]:
        one, five, fifteen = os.getloadavg()
        return {"1m": one, "5m": five, "15m": fifteen}


def fetch_recon(ip: str, port: int, what: str, timeout: float) -> Tuple[int, Any]:
    """Ask one server ``GET /recon/<what>``: ``(status, JSON answer)``,
    status 0 if the node did not answer (the client side of this module,
    shared by ``objstore-recon`` and the dashboard)."""
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
