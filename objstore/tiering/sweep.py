"""The tierer's sweep of orphaned bodies in ``.tiers``.

A moved object's body is referenced by exactly one pointer. When a client
overwrites or deletes the object, the pointer goes and its body is left
behind (as Swift leaves a deleted SLO manifest's segments). Each pass the
sweep lists a bounded number of bodies (resuming from a marker), and
deletes each whose origin object (``X-Object-Sysmeta-Tier-Origin``) no
longer points at it, unless a move of that object is open (its copy may be
waiting for its switch).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote

from objstore.common.tiering import config as tconf
from objstore.common.tiering.queue import TierQueue
from objstore.common.utils import close_if_possible
from objstore.tiering.client import InternalClient

MARK = "sweep"


class OrphanSweep:
    def __init__(self, client: InternalClient, db: TierQueue, logger: logging.Logger,
                 max_bodies: int = 1000) -> None:
        self.client, self.db, self.logger = client, db, logger
        self.max_bodies = max_bodies

    def _list(self, path: str, marker: str, limit: int) -> Optional[List[Dict[str, Any]]]:
        resp = self.client.request("GET", path, query="format=json&limit=%d&marker=%s"
                                   % (limit, quote(marker)))
        if resp.status_int in (204, 404):
            return []
        if resp.status_int != 200:
            self.logger.warning("tierer sweep: GET %s: %s", path, resp.status)
            return None
        return json.loads(resp.body or b"[]")

    def run(self, stats: Dict[str, Any]) -> None:
        budget = self.max_bodies
        container, marker = _split(self.db.mark(MARK))
        containers = self._list("/v1/" + tconf.TIERS_ACCOUNT, "", 1000)
        if not containers:
            return
        names = [c["name"] for c in containers if c["name"] >= container]
        for name in names:
            while budget > 0:
                rows = self._list("/v1/%s/%s" % (tconf.TIERS_ACCOUNT, name),
                                  marker if name == container else "", min(budget, 1000))
                if rows is None:
                    return
                if not rows:
                    break
                for row in rows:
                    budget -= 1
                    if self._orphan(name, row["name"]):
                        stats["orphans"] = stats.get("orphans", 0) + 1
                self.db.set_mark(MARK, "%s\n%s" % (name, rows[-1]["name"]))
                container, marker = name, rows[-1]["name"]
            if budget <= 0:
                return
        self.db.set_mark(MARK, "")  # a whole round: start over next time

    def _orphan(self, container: str, name: str) -> bool:
        """Delete the body if nothing points at it; True if it was."""
        location = "%s/%s" % (container, name)
        body_path = "/v1/%s/%s" % (tconf.TIERS_ACCOUNT, location)
        body = self.client.request("HEAD", body_path)
        close_if_possible(body.app_iter)
        origin = body.headers.get(tconf.TIER_ORIGIN)
        if body.status_int != 200 or not origin or self.db.open_move(origin) is not None:
            return False
        head = self.client.request("HEAD", origin, raw=True)
        close_if_possible(head.app_iter)
        if head.status_int // 100 == 2 and head.headers.get(tconf.TIER_LOCATION) == location:
            return False
        if head.status_int // 100 != 2 and head.status_int != 404:
            return False  # cannot tell: leave it for a later pass
        resp = self.client.request("DELETE", body_path)
        close_if_possible(resp.app_iter)
        self.logger.info("tierer sweep: deleted %s, no longer the body of %s", location, origin)
        return resp.status_int in (204, 404)


def _split(mark: str) -> Tuple[str, str]:
    container, _sep, name = mark.partition("\n")
    return container, name
