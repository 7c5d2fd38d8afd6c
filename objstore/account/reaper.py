"""The account reaper: ``objstore-account-reaper <conf> [--once]``.

Deleting an account only marks its database ``DELETED``: removing
possibly millions of objects inside the client's request is impossible.
The reaper finds deleted accounts on this node and empties them through
the storage servers, using the rings as the proxy would: it lists each
container on a container server, deletes every object on all of its
object servers (each told to update one container replica, so the
listings empty as it goes), then deletes the container on every container
server (each told to report to one account replica). When the account
has no containers left the account replicator may reclaim it, once
``reclaim_age`` has passed.

Every primary of the account reaps it; the deletes are idempotent, so
this only costs some duplicate requests and no account waits on one
node. ``delay_reaping`` leaves an operator time to undo a mistaken
account deletion before anything is removed.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import time
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlencode

from objstore.account.broker import AccountBroker
from objstore.common.config import config_float, config_int, swift_dir
from objstore.common.daemon import Daemon, is_local_device, my_ips, run_daemon
from objstore.common.http_client import http_connect
from objstore.common.storage_policy import load_policies
from objstore.common.timestamp import Timestamp
from objstore.common.utils import check_drive
from objstore.db.listing import Bounds
from objstore.db.ondisk import iter_local_dbs
from objstore.db.paths import ACCOUNT_DATADIR
from ring import Ring

Node = Dict[str, Any]
POLICY_HEADER = "X-Backend-Storage-Policy-Index"
LISTING_LIMIT = 1000
STAT_KEYS = ("accounts", "containers_deleted", "containers_remaining", "objects_deleted",
             "objects_failed", "errors")


class AccountReaper(Daemon):
    """Empties accounts marked deleted."""

    name = "account-reaper"
    server_type = "account"
    default_interval = 3600.0

    def __init__(self, conf: Dict[str, str], logger: Optional[logging.Logger] = None) -> None:
        super().__init__(conf, logger)
        self.swift_dir = swift_dir(conf)
        self.account_ring = Ring(self.swift_dir, ring_name="account")
        self.container_ring = Ring(self.swift_dir, ring_name="container")
        self.policies = load_policies(self.swift_dir)
        self._object_rings: Dict[int, Ring] = {}
        self.bind_ip = conf.get("bind_ip", "0.0.0.0")
        self.bind_port = config_int(conf, "bind_port", 6202)
        self.node_timeout = config_float(conf, "node_timeout", 10.0)
        self.delay_reaping = config_float(conf, "delay_reaping", 0.0)
        self.db_busy_timeout = config_float(conf, "db_busy_timeout", 25.0)
        self.stats: Dict[str, int] = {}

    def object_ring(self, policy_index: int) -> Ring:
        if policy_index not in self._object_rings:
            policy = self.policies.get_by_index(policy_index)
            ring_name = policy.ring_name if policy is not None else "object"
            self._object_rings[policy_index] = Ring(self.swift_dir, ring_name=ring_name)
        return self._object_rings[policy_index]

    # ------------------------------------------------------------- a pass

    def run_pass(self) -> Dict[str, Any]:
        self.stats = {k: 0 for k in STAT_KEYS}
        ips = my_ips(self.bind_ip)
        for dev in self.account_ring.devs:
            if not is_local_device(dev, ips, self.bind_port):
                continue
            if check_drive(self.devices, dev["device"], self.mount_check) is None:
                continue
            for db in iter_local_dbs(self.devices, dev["device"], ACCOUNT_DATADIR):
                part_nodes = self.account_ring.get_part_nodes(db.partition)
                if not any(n["id"] == dev["id"] for n in part_nodes):
                    continue  # a handoff copy: its primaries reap it
                broker = AccountBroker(db.path, busy_timeout=self.db_busy_timeout)
                try:
                    if not broker.is_status_deleted():
                        continue
                    info = broker.get_info()
                except Exception as err:
                    self.stats["errors"] += 1
                    self.logger.error("ERROR cannot read %s: %s", db.path, err)
                    continue
                if Timestamp(info["delete_timestamp"]).timestamp > \
                        time.time() - self.delay_reaping:
                    continue
                self.reap_account(broker, info, db.partition, part_nodes)
        return dict(self.stats)

    def summary(self, stats: Dict[str, Any], elapsed: float) -> str:
        return ("%s pass completed in %.2fs: %d accounts reaped, %d containers deleted "
                "(%d remaining), %d objects deleted, %d object deletes failed, %d errors"
                % (self.name, elapsed, stats["accounts"], stats["containers_deleted"],
                   stats["containers_remaining"], stats["objects_deleted"],
                   stats["objects_failed"], stats["errors"]))

    def reap_account(self, broker: AccountBroker, info: Dict[str, Any], part: int,
                     account_nodes: List[Node]) -> None:
        """Delete every container of the account (and their objects)."""
        account = info["account"]
        self.stats["accounts"] += 1
        started = time.time()
        before = dict(self.stats)
        marker: Optional[str] = None
        while True:
            batch = broker.fetch_containers(Bounds(lower=marker, limit=LISTING_LIMIT))
            if not batch:
                break
            for entry in batch:
                if self.reap_container(account, entry.name, part, account_nodes):
                    self.stats["containers_deleted"] += 1
                else:
                    self.stats["containers_remaining"] += 1
            marker = batch[-1].name
        self.logger.info(
            "Reaped account %s in %.2fs: %d containers deleted, %d remaining, "
            "%d objects deleted, %d object deletes failed", account, time.time() - started,
            self.stats["containers_deleted"] - before["containers_deleted"],
            self.stats["containers_remaining"] - before["containers_remaining"],
            self.stats["objects_deleted"] - before["objects_deleted"],
            self.stats["objects_failed"] - before["objects_failed"])

    def reap_container(self, account: str, container: str, account_part: int,
                       account_nodes: List[Node]) -> bool:
        """Delete a container's objects, then the container; True when the
        container is gone from every replica that answered."""
        part, nodes = self.container_ring.get_nodes(account, container)
        marker = ""
        failed = 0
        while True:
            listing = self._list_objects(account, container, part, nodes, marker)
            if listing is None:
                return False  # no container server answered: next pass
            objects, policy_index = listing
            if not objects:
                break
            for obj in objects:
                if self.reap_object(account, container, obj["name"], policy_index, part, nodes):
                    self.stats["objects_deleted"] += 1
                else:
                    self.stats["objects_failed"] += 1
                    failed += 1
            marker = objects[-1]["name"]
        if failed:
            return False
        headers = {"X-Timestamp": Timestamp.now().internal, "X-Account-Override-Deleted": "yes",
                   "X-Account-Partition": str(account_part)}
        ok = 0
        for i, node in enumerate(nodes):
            anode = account_nodes[i % len(account_nodes)]
            h = dict(headers, **{"X-Account-Host": "%s:%s" % (anode["ip"], anode["port"]),
                                 "X-Account-Device": anode["device"]})
            status = self._request(node, part, "DELETE", "/%s/%s" % (account, container), h)
            ok += status in (204, 404)
        return ok == len(nodes)

    def reap_object(self, account: str, container: str, obj: str, policy_index: int,
                    container_part: int, container_nodes: List[Node]) -> bool:
        """DELETE one object on all its primaries; True if any took it."""
        ring = self.object_ring(policy_index)
        part, nodes = ring.get_nodes(account, container, obj)
        timestamp = Timestamp.now().internal
        ok = 0
        for i, node in enumerate(nodes):
            cnode = container_nodes[i % len(container_nodes)]
            headers = {"X-Timestamp": timestamp, POLICY_HEADER: str(policy_index),
                       "X-Container-Host": "%s:%s" % (cnode["ip"], cnode["port"]),
                       "X-Container-Partition": str(container_part),
                       "X-Container-Device": cnode["device"]}
            status = self._request(node, part, "DELETE", "/%s/%s/%s" % (account, container, obj),
                                   headers)
            ok += status in (204, 404)
        return ok > 0

    # ----------------------------------------------------------- requests

    def _list_objects(self, account: str, container: str, part: int, nodes: List[Node],
                      marker: str) -> Optional[Tuple[List[Dict[str, Any]], int]]:
        query = urlencode({"format": "json", "marker": marker, "limit": LISTING_LIMIT})
        missing = 0
        for node in nodes:
            try:
                conn = http_connect(node["ip"], node["port"], node["device"], part, "GET",
                                    "/%s/%s" % (account, container), query_string=query,
                                    timeout=self.node_timeout)
                try:
                    resp = conn.getresponse()
                    body = resp.read()
                finally:
                    conn.close()
            except (OSError, http.client.HTTPException) as err:
                self.logger.warning("Listing %s/%s on %s:%s failed: %s", account, container,
                                    node["ip"], node["port"], err)
                continue
            if resp.status == 404:
                missing += 1  # not (or no longer) here: ask the next replica
                continue
            if resp.status == 200:
                policy = int(resp.getheader(POLICY_HEADER) or 0)
                return json.loads(body), policy
        if missing == len(nodes):
            return [], 0  # gone everywhere: nothing of it left to delete
        return None

    def _request(self, node: Node, part: int, method: str, path: str,
                 headers: Dict[str, str]) -> int:
        headers = dict(headers, **{"User-Agent": "account-reaper %d" % os.getpid()})
        try:
            conn = http_connect(node["ip"], node["port"], node["device"], part, method, path,
                                headers=headers, timeout=self.node_timeout)
            try:
                resp = conn.getresponse()
                resp.read()
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as err:
            self.logger.warning("%s %s on %s:%s/%s failed: %s", method, path, node["ip"],
                                node["port"], node["device"], err)
            return 0
        return resp.status


def main(argv: Optional[List[str]] = None) -> int:
    """Console script entry point."""
    return run_daemon(AccountReaper, argv)


if __name__ == "__main__":
    raise SystemExit(main())
