"""The tierer's sweep of orphaned bodies in ``.tiers``.

A moved object's body is referenced by exactly one pointer. When a client
overwrites or deletes the object, the pointer goes and its body is left
behind (as Swift leaves a deleted SLO manifest's segments). Each pass the
sweep lists a bounded number of bodies (resuming from a marker), and
deletes each whose origin object (``X-Object-Sysmeta-Tier-Origin``) no
longer points at it, unless a move of that object is open (its copy may be
waiting for its switch).

In a container versioned by object_versioning the pointer travels: keeping
a version copies the object as stored (the pointer, ``middleware/tiering``)
to ``\x00versions\x00<container>/<object>\x01<inverted id>``, and
restoring one copies it back. So a body is kept while the object's name or
the kept version of its id (``X-Object-Sysmeta-Versions-Id``, carried on
the body) points at it, whichever of the two it was moved from. Keeping a
version takes a moment (its pointer is read, then written), so such a body
found named by nothing is deleted only when a pass at least ``GRACE``
seconds later still finds it so; the mover leaves the old bodies of those
objects to the sweep too.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import quote

from objstore.common.reserved import RESERVED
from objstore.common.tiering import config as tconf
from objstore.common.timestamp import Timestamp
from objstore.common.versions import VERSION_ID_SYSMETA, reserved_versions_container
from objstore.common.versions_listing import SEPARATOR, split_version_name, version_name
from objstore.common.tiering.queue import TierQueue
from objstore.common.utils import close_if_possible
from objstore.common.internal_client import InternalClient

MARK = "sweep"
#: seconds an unnamed body of a versioned container stays (a copy of its
#: pointer may be on its way to the versions container)
GRACE = 60.0
#: the mark holding when the sweep first found a body named by nothing
ORPHAN_MARK = "orphan:"


class OrphanSweep:
    def __init__(self, client: InternalClient, db: TierQueue, logger: logging.Logger,
                 max_bodies: int = 1000,
                 keeps_versions: Callable[[str], bool] = lambda _path: False) -> None:
        """``keeps_versions(origin)``: whether versions of it may be kept
        as copies of its pointer (``Mover.keeps_versions``)."""
        self.client, self.db, self.logger = client, db, logger
        self.max_bodies = max_bodies
        self.keeps_versions = keeps_versions

    def _list(self, path: str, marker: str, limit: int) -> Optional[List[Dict[str, Any]]]:
        resp = self.client.request("GET", path, query="format=json&limit=%d&marker=%s"
                                   % (limit, quote(marker)))
        if resp.status_int in (204, 404):
            return []
        if resp.status_int != 200:
            self.logger.warning("tierer sweep: GET %s: %s", path, resp.status)
            return None
        return json.loads(resp.body or b"[]")

    def run(self, stats: Dict[str, Any], now: float) -> None:
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
                    if self._orphan(name, row["name"], now):
                        stats["orphans"] = stats.get("orphans", 0) + 1
                self.db.set_mark(MARK, "%s\n%s" % (name, rows[-1]["name"]))
                container, marker = name, rows[-1]["name"]
            if budget <= 0:
                return
        self.db.set_mark(MARK, "")  # a whole round: start over next time

    def _orphan(self, container: str, name: str, now: float) -> bool:
        """Delete the body if nothing points at it; True if it was."""
        location = "%s/%s" % (container, name)
        body_path = "/v1/%s/%s" % (tconf.TIERS_ACCOUNT, location)
        # straight to the proxy app: a body moved before origins were quoted
        # holds a raw NUL, which catch_errors refuses to send on
        body = self.client.request("HEAD", body_path, raw=True)
        close_if_possible(body.app_iter)
        origin = body.headers.get(tconf.TIER_ORIGIN)
        if origin:
            origin = tconf.stored_origin(origin, name.partition("/")[0])
        if body.status_int != 200 or not origin or self.db.open_move(origin) is not None:
            return False
        version_id = body.headers.get(VERSION_ID_SYSMETA) or \
            Timestamp(body.headers.get("X-Timestamp") or "0").normal
        for name in referents(origin, version_id):
            head = self.client.request("HEAD", name, raw=True)
            close_if_possible(head.app_iter)
            if head.status_int // 100 == 2 and \
                    head.headers.get(tconf.TIER_LOCATION) == location:
                if self.db.mark(ORPHAN_MARK + location):
                    self.db.forget_mark(ORPHAN_MARK + location)
                return False
            if head.status_int // 100 != 2 and head.status_int != 404:
                return False  # cannot tell: leave it for a later pass
        if self.keeps_versions(origin):
            first = self.db.mark(ORPHAN_MARK + location)
            if not first:
                self.db.set_mark(ORPHAN_MARK + location, repr(now))
                return False
            if now - float(first) < GRACE:
                return False
            self.db.forget_mark(ORPHAN_MARK + location)
        resp = self.client.request("DELETE", body_path)
        close_if_possible(resp.app_iter)
        self.logger.info("tierer sweep: deleted %s, no longer the body of %s", location, origin)
        return resp.status_int in (204, 404)


def referents(origin: str, version_id: str) -> List[str]:
    """The names that may point at a body moved from ``origin``: the name
    itself, and under object_versioning's layout the same version at the
    object's name and kept in its versions container."""
    _v1, account, container, obj = origin.split("/", 4)[1:]
    versions_prefix = reserved_versions_container("")
    if container.startswith(versions_prefix) and SEPARATOR in obj:
        current, _kept_id = split_version_name(obj)
        return [origin, "/v1/%s/%s/%s" % (account, container[len(versions_prefix):], current)]
    if container.startswith(RESERVED):
        return [origin]
    try:
        kept = version_name(obj, version_id)
    except ValueError:
        return [origin]
    return [origin, "/v1/%s/%s/%s" % (account, reserved_versions_container(container), kept)]


def _split(mark: str) -> Tuple[str, str]:
    container, _sep, name = mark.partition("\n")
    return container, name
