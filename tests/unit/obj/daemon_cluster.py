"""A real little cluster for the object daemons' tests.

Reuses the database daemons' cluster (``tests/unit/db/dbcluster.py``):
four nodes of real server processes on loopback ports, rings, and a real
rsync daemon with one module per node and kind. This adds what the object
daemons' tests need: direct object requests and the node's DiskFile view.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Dict, List, Optional, Tuple

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "db"))
from dbcluster import DBCluster, Server  # noqa: E402

from objstore.common.config import read_conf  # noqa: E402
from objstore.common.timestamp import Timestamp  # noqa: E402
from objstore.obj.diskfile import DiskFileManager, DiskFileNotExist  # noqa: E402


class ObjCluster(DBCluster):
    """``DBCluster`` with object servers and object helpers."""

    def conf(self, kind: str, node: int, section: str) -> Dict[str, str]:
        sections = read_conf(self.conf_path(kind, node))
        return dict(sections.get(section, sections["DEFAULT"]))

    def mgr(self, srv: Server) -> DiskFileManager:
        return DiskFileManager(self.conf("object", srv.node, "DEFAULT"))

    def put(self, srv: Server, part: int, path: str, body: bytes,
            headers: Optional[Dict[str, str]] = None, ts: Optional[Timestamp] = None) -> int:
        hdrs = {"X-Timestamp": (ts or Timestamp.now()).internal,
                "Content-Type": "application/octet-stream",
                "Content-Length": str(len(body))}
        hdrs.update(headers or {})
        status, _h, _b = srv.request("PUT", "/%s/%d%s" % (srv.device, part, path), hdrs, body)
        return status

    def get(self, srv: Server, part: int, path: str) -> Tuple[int, bytes]:
        status, _h, body = srv.request("GET", "/%s/%d%s" % (srv.device, part, path))
        return status, body

    def delete(self, srv: Server, part: int, path: str, ts: Optional[Timestamp] = None,
               headers: Optional[Dict[str, str]] = None) -> int:
        hdrs = {"X-Timestamp": (ts or Timestamp.now()).internal}
        hdrs.update(headers or {})
        status, _h, _b = srv.request("DELETE", "/%s/%d%s" % (srv.device, part, path), hdrs)
        return status

    def has_object(self, srv: Server, part: int, path: str) -> bool:
        """True if the node's disk holds a readable ``.data`` of ``path``."""
        _empty, account, container, obj = path.split("/", 3)
        df = self.mgr(srv).get_diskfile(srv.device, str(part), account, container, obj)
        try:
            df.open()
        except DiskFileNotExist:
            return False
        df.close()
        return True

    def hash_dir_files(self, srv: Server, part: int, path: str) -> List[str]:
        _empty, account, container, obj = path.split("/", 3)
        df = self.mgr(srv).get_diskfile(srv.device, str(part), account, container, obj)
        try:
            return sorted(os.listdir(df.datadir))
        except FileNotFoundError:
            return []


def poll(cond, deadline: float = 30.0, interval: float = 0.05):  # type: ignore[no-untyped-def]
    end = time.time() + deadline
    while time.time() < end:
        value = cond()
        if value:
            return value
        time.sleep(interval)
    return cond()
