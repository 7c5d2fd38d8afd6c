"""Telling the container servers about an object write, or leaving a note.

After a PUT or DELETE the object server sends ``PUT``/``DELETE
/<dev>/<part>/<a>/<c>/<o>`` to every container replica named in the
request (``X-Container-Host``/``-Device`` comma lists, one
``X-Container-Partition``); updates for the same container replica that
come together go as one request (``obj/update_batch.py``). If any of them fails or times out, an *async
pending* is written so the object updater retries later (it looks the
container nodes up in the ring). Format, one JSON file per object write::

    <device>/async_pending[-N]/<suffix>/<hash>-<timestamp>
    {"op": "PUT"|"DELETE", "account": a, "container": c, "obj": o,
     "headers": {X-Timestamp, X-Size, X-Content-Type, X-Etag,
                 X-Backend-Storage-Policy-Index, ...},
     "failed": ["ip:port/device", ...]}

Written to ``<device>/tmp`` first, fsynced, renamed: the updater never sees
half a file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from objstore.common import concurrency, footers, process
from objstore.common.http_client import request_status
from objstore.common.tiering.config import TIER_SIZE
from objstore.common.utils import fsync_dir, mkdirs
from objstore.obj import update_batch
from objstore.obj.writer import makedirs_durable


#: The hidden account whose containers queue objects for the expirer, one
#: container per ``EXPIRING_OBJECTS_DIVISOR`` seconds of X-Delete-At.
EXPIRING_OBJECTS_ACCOUNT = ".expiring_objects"
EXPIRING_OBJECTS_DIVISOR = 86400
#: Sent "no" by the expirer with its DELETEs, which remove their own queue
#: entry; any other DELETE of an object with an X-Delete-At removes it
#: from the queue (a client's ``X-If-Delete-At`` too).
CLEAN_EXPIRER_QUEUE = "X-Backend-Clean-Expiring-Object-Queue"
EMPTY_ETAG = "d41d8cd98f00b204e9800998ecf8427e"
_EXPIRER_CTYPE = "application/x-objstore-expiring;policy_index=%d"


def expirer_container(delete_at: int) -> str:
    """The queue container of an X-Delete-At (same rule as the proxy's)."""
    return str(int(delete_at) // EXPIRING_OBJECTS_DIVISOR * EXPIRING_OBJECTS_DIVISOR)


def expirer_entry(delete_at: object, account: str, container: str, obj: str) -> str:
    """Queue row name ``<delete_at>-<account>/<container>/<object>``:
    sorting by name is sorting by due time."""
    return "%d-%s/%s/%s" % (int(str(delete_at)), account, container, obj)


def parse_expirer_entry(name: str) -> Tuple[int, str, str, str]:
    """``(delete_at, account, container, object)``; ValueError if malformed."""
    stamp, dash, path = name.partition("-")
    account, _s1, rest = path.partition("/")
    container, _s2, obj = rest.partition("/")
    if not dash or not stamp.isdigit() or not account or not container or not obj:
        raise ValueError("bad expirer queue entry %r" % name)
    return int(stamp), account, container, obj


def expirer_content_type(policy_index: int) -> str:
    """The queue row's content type carries the object's policy."""
    return _EXPIRER_CTYPE % policy_index


def policy_from_content_type(content_type: str) -> int:
    for part in content_type.split(";"):
        key, _eq, value = part.strip().partition("=")
        if key == "policy_index" and value.isdigit():
            return int(value)
    return 0


@dataclass
class UpdateTarget:
    host: str
    port: int
    device: str
    partition: str

    @property
    def label(self) -> str:
        return "%s:%d/%s" % (self.host, self.port, self.device)


def listed_size(metadata: Mapping[str, str]) -> str:
    """The size a container lists for an object: a tier pointer's body's
    (docs/tiering.md), an EC object's whole size, else what is stored."""
    return metadata.get(TIER_SIZE) or metadata.get("X-Object-Sysmeta-Ec-Content-Length") \
        or metadata.get("Content-Length", "0")


def listed_etag(metadata: Mapping[str, str]) -> str:
    """The ETag a container lists for an object: a large object's listing
    ETag (its footer), an EC object's whole ETag, else the stored one."""
    return metadata.get(footers.LISTING_ETAG) or metadata.get(
        "X-Object-Sysmeta-Ec-Etag", metadata.get("ETag", ""))


def parse_targets(headers: Mapping[str, str], prefix: str = "X-Container"
                  ) -> Tuple[List[UpdateTarget], Optional[str]]:
    """The nodes to update, or an error message if the headers disagree.

    No ``X-Container-Host`` at all means no update is wanted (a daemon's or
    a test's write), which is not an error.
    """
    hosts = [h.strip() for h in headers.get(prefix + "-Host", "").split(",") if h.strip()]
    devices = [d.strip() for d in headers.get(prefix + "-Device", "").split(",") if d.strip()]
    partition = headers.get(prefix + "-Partition", "").strip()
    if not hosts:
        return [], None
    if len(hosts) != len(devices):
        return [], "%s-Host lists %d hosts but %s-Device %d devices" % (
            prefix, len(hosts), prefix, len(devices))
    if not partition.isdigit():
        return [], "%s-Partition must be a number" % prefix
    targets = []
    for host, device in zip(hosts, devices):
        ip, colon, port = host.rpartition(":")
        if not colon or not port.isdigit() or not ip:
            return [], "bad %s-Host %r: want ip:port" % (prefix, host)
        targets.append(UpdateTarget(ip.strip("[]"), int(port), device, partition))
    return targets, None


def update_status(target: UpdateTarget, op: str, path: str, headers: Dict[str, str],
                  conn_timeout: float, node_timeout: float) -> int:
    """One update to one container server over a kept-alive connection:
    its status, 0 if none came."""
    return request_status(target.host, target.port, target.device, target.partition, op, path,
                          headers, conn_timeout, node_timeout)


def send_update(target: UpdateTarget, op: str, path: str, headers: Dict[str, str],
                conn_timeout: float, node_timeout: float) -> bool:
    """One object write's update to one container server, sent with the
    others bound for the same container replica when they come together
    (``obj/update_batch.py``); True on a 2xx."""
    return 200 <= update_batch.BATCHER.status(
        target.host, target.port, target.device, target.partition, op, path, headers,
        conn_timeout, node_timeout) < 300


def send_updates(targets: List[UpdateTarget], op: str, path: str, headers: Dict[str, str],
                 conn_timeout: float, node_timeout: float) -> List[UpdateTarget]:
    """Update all targets in parallel; returns the ones that failed."""
    if len(targets) == 1:  # the usual case (one container replica per object replica)
        ok = send_update(targets[0], op, path, headers, conn_timeout, node_timeout)
        return [] if ok else list(targets)
    pool = concurrency.GreenPile(max(len(targets), 1))
    for target in targets:
        pool.spawn(lambda t: (t, send_update(t, op, path, headers, conn_timeout, node_timeout)),
                   target)
    return [t for t, ok in pool if not ok]


def write_async_pending(path: str, tmp_dir: str, record: Dict[str, Any]) -> None:
    """Durably store one update for the updater (see module docstring)."""
    mkdirs(tmp_dir)
    fd, tmp = process.mkstemp(tmp_dir, ".async-", ".tmp")
    try:
        blob = json.dumps(record, sort_keys=True).encode("utf-8")
        view = memoryview(blob)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        os.close(fd)
        fd = -1
        makedirs_durable(os.path.dirname(path))
        os.rename(tmp, path)
        fsync_dir(os.path.dirname(path))
    finally:
        if fd >= 0:
            os.close(fd)
        if os.path.exists(tmp):
            os.unlink(tmp)
