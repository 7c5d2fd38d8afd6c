"""What a test session leaves behind in the all-in-one cluster.

Every functional, S3 and probe test deletes what it made: a container or
bucket left in ``AUTH_test`` is one every user of that account then sees
(``swift list``, ``aws s3 ls``), a name left in the S3 bucket index keeps
other accounts from creating that bucket, account metadata left set (a
Temp-URL key, an ACL, a quota) changes what the next test or user gets,
and a fresh account a test made and did not delete stays on the disks.

``SessionCheck`` records all of that once, when the first test of a
session needs the cluster, and compares it again when the session ends:
what is new is a leftover, named by the check's failure. Comparing with
the start (rather than with an empty cluster) keeps what a user of the
SAIO made by hand out of it.
"""
from __future__ import annotations

import glob
import http.client
import json
import os
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import swiftclient

#: the accounts of the SAIO's tempauth users, which the tests write to
TEST_ACCOUNTS = ("AUTH_test", "AUTH_test2", "AUTH_test5", "AUTH_admin")
#: the reseller admin reads every one of them, as their owner
RESELLER = ("admin:admin", "admin")
#: s3api's global bucket names: one object per bucket in this container
BUCKET_INDEX = (".s3_bucket_index", "buckets")
#: account headers a test may set and must restore
_KEPT_HEADERS = ("x-account-meta-", "x-account-access-control")


@dataclass
class ClusterState:
    containers: Dict[str, Set[str]] = field(default_factory=dict)
    account_meta: Dict[str, Dict[str, str]] = field(default_factory=dict)
    buckets: Set[str] = field(default_factory=set)
    accounts: Set[str] = field(default_factory=set)


def _account_state(conn: swiftclient.Connection,
                   account: str) -> Tuple[Set[str], Dict[str, str]]:
    url = conn.get_auth()[0].rsplit("/", 1)[0] + "/" + account
    headers, listing = swiftclient.get_account(url, conn.token, full_listing=True)
    meta = {k.lower(): v for k, v in headers.items() if k.lower().startswith(_KEPT_HEADERS)}
    return {c["name"] for c in listing}, meta


def _ring_dir(saio_dir: str) -> str:
    return os.path.join(saio_dir, "etc")


def _bucket_index(saio_dir: str) -> Set[str]:
    """The names a majority of the index container's replicas list."""
    from ring import Ring  # the cluster's own placement library

    ring = Ring(_ring_dir(saio_dir), ring_name="container")
    part, nodes = ring.get_nodes(*BUCKET_INDEX)
    path = "/%s/%d/%s/%s?format=json" % ("%s", part, urllib.parse.quote(BUCKET_INDEX[0]),
                                          BUCKET_INDEX[1])
    counts: Dict[str, int] = {}
    answered = 0
    for node in nodes:
        conn = http.client.HTTPConnection(node["ip"], int(node["port"]), timeout=10)
        try:
            conn.request("GET", path % node["device"])
            resp = conn.getresponse()
            body = resp.read()
        except OSError:
            continue
        finally:
            conn.close()
        if resp.status == 404:
            answered += 1
            continue
        if resp.status // 100 != 2:
            continue
        answered += 1
        for row in json.loads(body or b"[]"):
            counts[row["name"]] = counts.get(row["name"], 0) + 1
    return {name for name, n in counts.items() if n > answered // 2}


def _live_accounts(saio_dir: str) -> Set[str]:
    """User accounts (not ``.``-internal ones) live on most of the account
    databases found on the SAIO's devices."""
    from objstore.account.broker import AccountBroker

    live: Dict[str, int] = {}
    dead: Dict[str, int] = {}
    for db_file in glob.glob(os.path.join(saio_dir, "srv", "*", "node", "*", "accounts",
                                          "*", "*", "*", "*.db")):
        try:
            broker = AccountBroker(db_file)
            name = broker.get_info()["account"]
            deleted = broker.is_deleted()
        except Exception:  # a database being replaced right now
            continue
        if not name or name.startswith("."):
            continue
        (dead if deleted else live)[name] = (dead if deleted else live).get(name, 0) + 1
    return {name for name, n in live.items() if n > dead.get(name, 0)}


def take(proxy: str, saio_dir: str) -> ClusterState:
    state = ClusterState()
    conn = swiftclient.Connection(proxy + "/auth/v1.0", *RESELLER, retries=2)
    try:
        for account in TEST_ACCOUNTS:
            state.containers[account], state.account_meta[account] = \
                _account_state(conn, account)
    finally:
        conn.close()
    state.buckets = _bucket_index(saio_dir)
    state.accounts = _live_accounts(saio_dir)
    return state


def new_since(before: ClusterState, after: ClusterState) -> List[str]:
    """What ``after`` has that ``before`` did not, one line each."""
    out: List[str] = []
    for account, names in after.containers.items():
        out.extend("container %s/%s" % (account, c)
                   for c in sorted(names - before.containers.get(account, set())))
    for account, meta in after.account_meta.items():
        was = before.account_meta.get(account, {})
        out.extend("account header %s: %s: %r (was %r)" % (account, k, v, was.get(k))
                   for k, v in sorted(meta.items()) if was.get(k) != v)
    out.extend("bucket name %s in the S3 bucket index" % b
               for b in sorted(after.buckets - before.buckets))
    out.extend("account %s" % a for a in sorted(after.accounts - before.accounts
                                                  - set(TEST_ACCOUNTS)))
    return out


class SessionCheck:
    """One per test process: ``start`` records the cluster once (later
    calls do nothing), ``finish`` compares once and returns the leftovers."""

    _instance: Optional["SessionCheck"] = None

    def __init__(self, proxy: str, saio_dir: str) -> None:
        self.proxy, self.saio_dir = proxy, saio_dir
        self.before: Optional[ClusterState] = None
        self.done = False

    @classmethod
    def shared(cls, proxy: str, saio_dir: str) -> "SessionCheck":
        if cls._instance is None:
            cls._instance = cls(proxy, saio_dir)
        return cls._instance

    def start(self) -> None:
        if self.before is None:
            self.before = take(self.proxy, self.saio_dir)

    def finish(self, settle: float = 30.0) -> List[str]:
        """The leftovers; a deletion the account listing or the index has
        not caught up with yet (an update queued while a probe test had a
        server down) gets ``settle`` seconds."""
        if self.done or self.before is None:
            return []
        self.done = True
        deadline = time.time() + settle
        while True:
            left = new_since(self.before, take(self.proxy, self.saio_dir))
            if not left or time.time() > deadline:
                return left
            time.sleep(1.0)
