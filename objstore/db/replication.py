"""The REPLICATE verb for container and account databases, both ends.

A replicator brings a peer's copy of a database up to date by sending the
rows the peer has not seen. Every row carries its own ``row_id`` (which
grows with each change) and rows merge by timestamp, so sending a row
twice, or in any order, is harmless: replicas converge.

The wire format is a JSON list ``[op, arg...]`` in the body of
``REPLICATE /<device>/<partition>/<hash>``; the answer is JSON:

``["sync", info]``
    ``info`` is the sender's replication info (``id``, ``max_row``,
    timestamps, ``metadata``). The receiver merges the timestamps and
    metadata and answers 200 with its own info plus ``point``: the last
    sender row it holds (-1 if none). 404 if it has no such database: the
    sender then pushes the whole file.
``["merge_items", rows, sender_id]``
    rows from ``get_items_since``; 202.
``["merge_syncs", [{"remote_id", "sync_point"}...]]``
    the sender's incoming sync points, so rows that reached the sender
    from a third replica are not sent around again; 202.
``["complete_rsync", tmp_name]``
    the sender checkpointed (``broker.checkpoint()``) and copied its whole database to ``<device>/tmp/<tmp_name>``
    (rsync) and the receiver has none: move it into place; 204.
``["rsync_then_merge", tmp_name]``
    the receiver has the database but is far behind: merge every row of
    the pushed copy, then drop it; 204.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

from objstore.common.utils import fsync_dir, mkdirs
from objstore.db.broker import DatabaseBroker

ITEM_BATCH = 1000
Reply = Tuple[int, Optional[Dict[str, Any]]]
# A way to send one op to a peer: ``call(op, *args) -> (status, body)``.
PeerCall = Callable[..., Reply]


class ReplicationRequestError(ValueError):
    """The REPLICATE body is malformed; the message says how."""


def parse_body(body: bytes) -> Tuple[str, List[Any]]:
    """``(op, args)`` from a REPLICATE body."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ReplicationRequestError("REPLICATE body must be a JSON list [op, args...]") from None
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        raise ReplicationRequestError("REPLICATE body must be a JSON list [op, args...]")
    return data[0], data[1:]


def replication_info(broker: DatabaseBroker) -> Dict[str, Any]:
    """JSON-able info a peer needs to decide what to send."""
    info = broker.get_replication_info()  # type: ignore[attr-defined]
    info["metadata"] = json.loads(info["metadata"])
    return info


def handle(op: str, args: List[Any], broker: DatabaseBroker, tmp_dir: str,
           broker_factory: Callable[[str], DatabaseBroker]) -> Reply:
    """Answer one REPLICATE op for ``broker`` (whose file may not exist).

    ``tmp_dir`` is where pushed whole databases arrive; ``broker_factory``
    opens one of those files. Raises ``ReplicationRequestError`` for a
    malformed request.
    """
    try:
        if op == "sync":
            return _sync(broker, _arg(args, 0, dict))
        if op == "merge_items":
            rows = _arg(args, 0, list)
            source = args[1] if len(args) > 1 else None
            if not broker.exists():
                return 404, None
            broker.merge_items(rows, source=str(source) if source else None)
            return 202, None
        if op == "merge_syncs":
            if not broker.exists():
                return 404, None
            broker.merge_syncs(_arg(args, 0, list), incoming=True)
            return 202, None
        if op in ("complete_rsync", "rsync_then_merge"):
            tmp_path = os.path.join(tmp_dir, _tmp_name(_arg(args, 0, str)))
            if not os.path.exists(tmp_path):
                return 404, None
            if op == "complete_rsync":
                return _complete_rsync(broker, broker_factory(tmp_path))
            return _rsync_then_merge(broker, broker_factory(tmp_path))
    except (KeyError, TypeError, ValueError) as err:
        raise ReplicationRequestError("bad arguments for %s: %s" % (op, err)) from None
    raise ReplicationRequestError("unknown REPLICATE op %r" % op)


def _arg(args: List[Any], index: int, kind: Type) -> Any:
    if len(args) <= index or not isinstance(args[index], kind):
        raise ReplicationRequestError("argument %d must be a %s" % (index + 1, kind.__name__))
    return args[index]


def _tmp_name(name: str) -> str:
    if not name or "/" in name or name in (".", ".."):
        raise ReplicationRequestError("tmp name must be a plain file name")
    return name


def _sync(broker: DatabaseBroker, remote: Dict[str, Any]) -> Reply:
    if not broker.exists():
        return 404, None
    broker.merge_timestamps(remote["created_at"], remote["put_timestamp"],
                            remote["delete_timestamp"])
    if remote.get("metadata"):
        broker.update_metadata(remote["metadata"], validate=False)
    info = replication_info(broker)
    info["point"] = broker.get_sync(str(remote["id"]), incoming=True)
    return 200, info


def _complete_rsync(broker: DatabaseBroker, pushed: DatabaseBroker) -> Reply:
    if broker.exists():
        return 409, None
    old_id = pushed.get_raw_info()["id"]
    max_row = pushed.get_max_row()
    pushed.new_id()
    # The copy already holds every row of the sender up to max_row.
    pushed.merge_syncs([{"remote_id": old_id, "sync_point": max_row}], incoming=True)
    pushed.close()
    parent = os.path.dirname(broker.db_file)
    mkdirs(parent)
    try:
        os.link(pushed.db_file, broker.db_file)  # never clobbers a racing creator
    except FileExistsError:
        return 409, None
    os.unlink(pushed.db_file)
    fsync_dir(parent)
    return 204, None


def _rsync_then_merge(broker: DatabaseBroker, pushed: DatabaseBroker) -> Reply:
    if not broker.exists():
        return 404, None
    info = pushed.get_raw_info()
    point = -1
    while True:
        rows = pushed.get_items_since(point, ITEM_BATCH)
        if not rows:
            break
        broker.merge_items(rows, source=info["id"])
        point = rows[-1]["row_id"]
    broker.merge_timestamps(info["created_at"], info["put_timestamp"], info["delete_timestamp"])
    broker.update_metadata(json.loads(info["metadata"]), validate=False)
    broker.merge_syncs(pushed.get_syncs(incoming=True), incoming=True)
    pushed.close()
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(pushed.db_file + suffix)
        except FileNotFoundError:
            pass
    return 204, None


def replicate_to(broker: DatabaseBroker, call: PeerCall, batch: int = ITEM_BATCH) -> str:
    """Bring a peer up to date with ``broker``, using ``call`` to talk.

    Returns what happened: ``in_sync``, ``rows`` (rows were sent),
    ``missing`` (the peer has no copy: push the whole file and send
    ``complete_rsync``) or ``error``. The sender's outgoing sync point
    moves only after the peer accepted every batch.
    """
    local = replication_info(broker)
    status, remote = call("sync", local)
    if status == 404:
        return "missing"
    if status != 200 or remote is None:
        return "error"
    point = int(remote["point"])
    if max(point, 0) >= local["max_row"]:
        return "in_sync"
    while True:
        rows = broker.get_items_since(point, batch)
        if not rows:
            break
        status, _ = call("merge_items", rows, local["id"])
        if status // 100 != 2:
            return "error"
        point = rows[-1]["row_id"]
    status, _ = call("merge_syncs", broker.get_syncs(incoming=True))
    if status // 100 != 2:
        return "error"
    broker.merge_syncs([{"remote_id": remote["id"], "sync_point": point}], incoming=False)
    return "rows"
