"""The object expirer: delete objects whose X-Delete-At has passed.

An expired object is hidden from GET at once (``DiskFile.open`` says it
is not there), but its bytes and its listing row stay until someone
deletes it. The object server queues every X-Delete-At as a row of the
hidden ``.expiring_objects`` account, in the container named for its day
(``updates.expirer_container``), row name ``<delete_at>-<a>/<c>/<o>``.

Each pass lists the queue containers of the last ``lookback_days`` days
(and any the account server lists, should the account know them) on the
container servers, and for every due row sends ``DELETE`` to the
object's primaries with ``X-If-Delete-At`` (so an object overwritten or
given a new X-Delete-At since is left alone: 412) and with the container
update headers, so the listing row goes too. The tombstone's timestamp is
the X-Delete-At itself, so a PUT made after expiry still wins. When every
primary answered (deleted, already gone, newer, or not due any more), the
queue row is removed; a failure leaves it for the next pass.

Several expirers share the queue with ``processes`` / ``process``: each
takes the rows whose name hashes to its number.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import time
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple
from urllib.parse import quote

from objstore.common.config import config_float, config_int, swift_dir
from objstore.common.daemon import Daemon, run_daemon
from objstore.common.http_client import http_connect
from objstore.common.storage_policy import load_policies
from objstore.common.timestamp import Timestamp
from objstore.obj import updates
from objstore.obj.updates import EXPIRING_OBJECTS_ACCOUNT, EXPIRING_OBJECTS_DIVISOR
from ring import Ring

Node = Dict[str, Any]
STAT_KEYS = ("containers", "due", "objects", "errors", "not_due", "removed_containers",
             "skipped_other_process")
#: Answers after which the object needs nothing more from the expirer.
DONE_STATUSES = (204, 404, 409, 412)


class ObjectExpirer(Daemon):
    """Works the ``.expiring_objects`` queue: deletes due objects."""

    name = "object-expirer"
    server_type = "object"
    default_interval = 300.0

    def __init__(self, conf: Dict[str, str], logger: Optional[logging.Logger] = None) -> None:
        super().__init__(conf, logger)
        self.swift_dir = swift_dir(conf)
        self.policies = load_policies(self.swift_dir)
        self.container_ring = Ring(self.swift_dir, ring_name="container")
        self.account_ring: Optional[Ring] = None
        if os.path.exists(os.path.join(self.swift_dir, "account.ring.gz")):
            self.account_ring = Ring(self.swift_dir, ring_name="account")
        self.object_rings: Dict[int, Ring] = {}
        self.node_timeout = config_float(conf, "node_timeout", 10.0)
        self.conn_timeout = config_float(conf, "conn_timeout", 0.5)
        self.lookback_days = config_int(conf, "lookback_days", 30, minimum=1)
        self.processes = config_int(conf, "processes", 0, minimum=0)
        self.process = config_int(conf, "process", 0, minimum=0)
        if self.processes and self.process >= self.processes:
            raise ValueError("process must be less than processes (%d >= %d)"
                             % (self.process, self.processes))

    def object_ring(self, policy_index: int) -> Ring:
        if policy_index not in self.object_rings:
            policy = self.policies.get_by_index(policy_index)
            name = policy.ring_name if policy else "object"
            self.object_rings[policy_index] = Ring(self.swift_dir, ring_name=name)
        return self.object_rings[policy_index]

    # --------------------------------------------------------------- a pass

    def run_pass(self) -> Dict[str, Any]:
        stats = {k: 0 for k in STAT_KEYS}
        now = time.time()
        for queue in self.queue_containers(now):
            stats["containers"] += 1
            rows = self.list_queue(queue)
            if rows is None:
                stats["errors"] += 1
                continue
            for name, content_type in rows:
                self.handle_row(queue, name, content_type, now, stats)
                self.progress(stats)
            if not rows and int(queue) + EXPIRING_OBJECTS_DIVISOR < now:
                if self.delete_queue_container(queue):
                    stats["removed_containers"] += 1
        return stats

    def summary(self, stats: Dict[str, Any], elapsed: float) -> str:
        return ("%s pass completed in %.2fs: %d queue containers, %d objects due, %d expired, "
                "%d errors" % (self.name, elapsed, stats["containers"], stats["due"],
                               stats["objects"], stats["errors"]))

    def queue_containers(self, now: float) -> List[str]:
        """Queue containers that may hold due rows, oldest first."""
        today = int(now) // EXPIRING_OBJECTS_DIVISOR * EXPIRING_OBJECTS_DIVISOR
        names: Set[int] = {today - d * EXPIRING_OBJECTS_DIVISOR
                           for d in range(self.lookback_days + 1)}
        for name in self.list_account():
            if name.isdigit() and int(name) <= now:
                names.add(int(name))
        return [str(n) for n in sorted(names)]

    def handle_row(self, queue: str, name: str, content_type: str, now: float,
                   stats: Dict[str, int]) -> None:
        try:
            delete_at, account, container, obj = updates.parse_expirer_entry(name)
        except ValueError:
            self.logger.error("ERROR malformed expirer queue row %r in %s; removing it",
                              name, queue)
            self.delete_queue_row(queue, name)
            stats["errors"] += 1
            return
        if delete_at > now:
            stats["not_due"] += 1
            return
        if not self.mine(name):
            stats["skipped_other_process"] += 1
            return
        stats["due"] += 1
        policy_index = updates.policy_from_content_type(content_type)
        if self.delete_object(account, container, obj, delete_at, policy_index):
            if self.delete_queue_row(queue, name):
                stats["objects"] += 1
                return
        stats["errors"] += 1

    def mine(self, name: str) -> bool:
        if not self.processes:
            return True
        digest = hashlib.md5(name.encode("utf-8"), usedforsecurity=False).hexdigest()
        return int(digest, 16) % self.processes == self.process

    # ---------------------------------------------------------- the queue

    def _request(self, node: Node, part: int, method: str, path: str,
                 headers: Optional[Dict[str, str]] = None,
                 query: Optional[str] = None) -> Tuple[int, bytes]:
        """One backend request; status 0 if the node could not be reached."""
        hdrs = {"User-Agent": "%s %d" % (self.name, os.getpid())}
        hdrs.update(headers or {})
        try:
            conn = http_connect(node["ip"], node["port"], node["device"], part, method, path,
                                hdrs, query_string=query, timeout=self.node_timeout)
            try:
                resp = conn.getresponse()
                return resp.status, resp.read()
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as err:
            self.logger.warning("%s %s on %s:%s/%s failed: %s", method, path, node["ip"],
                                node["port"], node["device"], err)
            return 0, b""

    def list_account(self) -> List[str]:
        """Queue containers the account servers know (often none: queue
        containers are made on demand by the container servers)."""
        if self.account_ring is None:
            return []
        part, nodes = self.account_ring.get_nodes(EXPIRING_OBJECTS_ACCOUNT)
        for node in nodes:
            status, body = self._request(node, part, "GET", "/" + EXPIRING_OBJECTS_ACCOUNT,
                                         query="format=json")
            if status == 200:
                try:
                    return [c["name"] for c in json.loads(body)]
                except (ValueError, KeyError, TypeError):
                    continue
        return []

    def list_queue(self, queue: str) -> Optional[List[Tuple[str, str]]]:
        """``(row name, content type)`` of a queue container, merged over
        its replicas (a row one replica missed is still worked); None if
        no replica answered."""
        part, nodes = self.container_ring.get_nodes(EXPIRING_OBJECTS_ACCOUNT, queue)
        rows: Dict[str, str] = {}
        answered = False
        for node in nodes:
            for chunk in self._iter_listing(node, part, queue):
                if chunk is None:
                    break
                answered = True
                for entry in chunk:
                    rows.setdefault(entry["name"], entry.get("content_type", ""))
        return sorted(rows.items()) if answered else None

    def _iter_listing(self, node: Node, part: int, queue: str
                      ) -> Iterator[Optional[List[Dict[str, Any]]]]:
        marker = ""
        while True:
            query = "format=json&limit=10000"
            if marker:
                query += "&marker=" + quote(marker)
            status, body = self._request(node, part, "GET", "/%s/%s" % (
                EXPIRING_OBJECTS_ACCOUNT, queue), query=query)
            if status == 404:
                yield []
                return
            if status != 200:
                yield None
                return
            try:
                entries = json.loads(body)
            except ValueError:
                yield None
                return
            yield entries
            if len(entries) < 10000:
                return
            marker = entries[-1]["name"]

    def delete_queue_row(self, queue: str, name: str) -> bool:
        """Remove a row from every queue replica (True if a quorum did)."""
        part, nodes = self.container_ring.get_nodes(EXPIRING_OBJECTS_ACCOUNT, queue)
        headers = {"X-Timestamp": Timestamp.now().internal,
                   "X-Backend-Storage-Policy-Index": "0"}
        path = "/%s/%s/%s" % (EXPIRING_OBJECTS_ACCOUNT, queue, name)
        ok = sum(1 for node in nodes
                 if self._request(node, part, "DELETE", path, headers)[0] // 100 == 2)
        return ok * 2 > len(nodes)

    def delete_queue_container(self, queue: str) -> bool:
        part, nodes = self.container_ring.get_nodes(EXPIRING_OBJECTS_ACCOUNT, queue)
        headers = {"X-Timestamp": Timestamp.now().internal}
        path = "/%s/%s" % (EXPIRING_OBJECTS_ACCOUNT, queue)
        return all(self._request(node, part, "DELETE", path, headers)[0] in (204, 404, 409)
                   for node in nodes)

    # ------------------------------------------------------------ objects

    def delete_object(self, account: str, container: str, obj: str, delete_at: int,
                      policy_index: int) -> bool:
        """DELETE an expired object on its primaries; True when all are done
        with it (deleted, already gone, or changed since it was queued)."""
        ring = self.object_ring(policy_index)
        part, nodes = ring.get_nodes(account, container, obj)
        cpart, cnodes = self.container_ring.get_nodes(account, container)
        path = "/%s/%s/%s" % (account, container, obj)
        done = 0
        for i, node in enumerate(nodes):
            cnode = cnodes[i % len(cnodes)] if cnodes else None
            headers = {"X-Timestamp": Timestamp(delete_at).internal,
                       "X-If-Delete-At": str(delete_at),
                       updates.CLEAN_EXPIRER_QUEUE: "no",
                       "X-Backend-Storage-Policy-Index": str(policy_index)}
            if cnode is not None:
                headers.update({"X-Container-Host": "%s:%s" % (cnode["ip"], cnode["port"]),
                                "X-Container-Partition": str(cpart),
                                "X-Container-Device": cnode["device"]})
            status, _body = self._request(node, part, "DELETE", path, headers)
            if status in DONE_STATUSES:
                done += 1
            else:
                self.logger.warning("expiring %s: %s:%s/%s answered %s", path, node["ip"],
                                    node["port"], node["device"], status or "nothing")
        return done == len(nodes)


def main(argv: Optional[List[str]] = None) -> int:
    """``objstore-object-expirer <conf> [--once] [-v]``."""
    return run_daemon(ObjectExpirer, argv)


if __name__ == "__main__":
    raise SystemExit(main())
