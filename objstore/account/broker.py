"""The database of one account: a row per container with its last report.

Container servers report each container's timestamps and stats; replicas
of the account exchange those rows. To make replicas converge whatever
order reports and replication happen in, a row merges field by field:
the newer put and the newer delete timestamps are kept, and the stats come
from the report with the newer ``stats_timestamp`` (ties broken by the
values themselves, so both sides pick the same row).
"""

from __future__ import annotations

import sqlite3
from typing import Any, Dict, List, Optional, Tuple

from objstore.common.timestamp import Timestamp
from objstore.db.broker import ZERO, DatabaseBroker
from objstore.common.http.listing import ListingParams
from objstore.db.listing import Bounds, ContainerEntry, Entry

CONTAINER_COLUMNS = ("name", "put_timestamp", "delete_timestamp", "object_count",
                     "bytes_used", "deleted", "storage_policy_index", "stats_timestamp")
DELETED_STATUS = "DELETED"


class AccountBroker(DatabaseBroker):
    """SQLite access for one account database."""

    db_type = "account"
    item_table = "container"
    item_columns = CONTAINER_COLUMNS
    meta_prefix = "x-account-meta-"
    _reclaim_column = "delete_timestamp"

    def _info_extra_columns(self) -> str:
        return ""

    def _create_item_tables(self, conn: sqlite3.Connection) -> None:
        conn.executescript("""
            CREATE TABLE container (
                row_id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE,
                put_timestamp TEXT NOT NULL DEFAULT '0',
                delete_timestamp TEXT NOT NULL DEFAULT '0',
                object_count INTEGER NOT NULL DEFAULT 0,
                bytes_used INTEGER NOT NULL DEFAULT 0,
                deleted INTEGER NOT NULL DEFAULT 0,
                storage_policy_index INTEGER NOT NULL DEFAULT 0,
                stats_timestamp TEXT NOT NULL DEFAULT '0'
            );
            CREATE INDEX container_deleted_name ON container (deleted, name);
            CREATE TABLE policy_stat (
                storage_policy_index INTEGER PRIMARY KEY,
                container_count INTEGER NOT NULL DEFAULT 0,
                object_count INTEGER NOT NULL DEFAULT 0,
                bytes_used INTEGER NOT NULL DEFAULT 0
            );
            CREATE TRIGGER container_insert AFTER INSERT ON container WHEN new.deleted = 0
            BEGIN
                INSERT OR IGNORE INTO policy_stat (storage_policy_index)
                    VALUES (new.storage_policy_index);
                UPDATE policy_stat
                    SET container_count = container_count + 1,
                        object_count = object_count + new.object_count,
                        bytes_used = bytes_used + new.bytes_used
                    WHERE storage_policy_index = new.storage_policy_index;
            END;
            CREATE TRIGGER container_delete AFTER DELETE ON container WHEN old.deleted = 0
            BEGIN
                UPDATE policy_stat
                    SET container_count = container_count - 1,
                        object_count = object_count - old.object_count,
                        bytes_used = bytes_used - old.bytes_used
                    WHERE storage_policy_index = old.storage_policy_index;
            END;
        """)

    # ------------------------------------------------------- containers

    def put_container(self, name: str, put_timestamp: str, delete_timestamp: str,
                      object_count: int, bytes_used: int, storage_policy_index: int = 0,
                      stats_timestamp: str = "", pending: bool = False) -> bool:
        """Record a container server's report; False if it changed nothing.

        With ``pending`` the report only goes to the pending file (durably,
        see ``queue_items``) and True is returned.
        """
        row = {"name": str(name), "put_timestamp": str(put_timestamp or ZERO),
               "delete_timestamp": str(delete_timestamp or ZERO),
               "object_count": int(object_count), "bytes_used": int(bytes_used),
               "storage_policy_index": int(storage_policy_index),
               "stats_timestamp": str(stats_timestamp or Timestamp.now().internal)}
        if pending:
            self.queue_items([row])
            return True
        return self.merge_items([row]) == 1

    def _merge_one(self, conn: sqlite3.Connection, item: Dict[str, Any]) -> bool:
        new = _normal_row(item)
        old = self._get_item(conn, new["name"])
        if old is not None:
            old = _normal_row(old)
            merged = dict(new if _stats_key(new) > _stats_key(old) else old)
            merged["put_timestamp"] = max(Timestamp(old["put_timestamp"]),
                                          Timestamp(new["put_timestamp"])).internal
            merged["delete_timestamp"] = max(Timestamp(old["delete_timestamp"]),
                                             Timestamp(new["delete_timestamp"])).internal
            new = merged
        new["deleted"] = 1 if Timestamp(new["delete_timestamp"]) > Timestamp(new["put_timestamp"]) else 0
        if new["deleted"]:
            new["object_count"] = new["bytes_used"] = 0
        if old is not None and all(old[c] == new[c] for c in CONTAINER_COLUMNS):
            return False
        self._replace_item(conn, new)
        return True

    # ----------------------------------------------------------- reading

    def get_info(self) -> Dict[str, Any]:
        """The account's info row with totals over every policy."""
        with self._read() as conn:
            info = self._info_row(conn)
            row = conn.execute(
                "SELECT COALESCE(SUM(container_count), 0), COALESCE(SUM(object_count), 0), "
                "COALESCE(SUM(bytes_used), 0) FROM policy_stat").fetchone()
            info["container_count"], info["object_count"], info["bytes_used"] = (
                int(row[0]), int(row[1]), int(row[2]))
            return info

    def get_policy_stats(self) -> Dict[int, Dict[str, int]]:
        """``{policy index: {container_count, object_count, bytes_used}}``."""
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM policy_stat").fetchall()
            return {int(r["storage_policy_index"]): {
                "container_count": int(r["container_count"]),
                "object_count": int(r["object_count"]),
                "bytes_used": int(r["bytes_used"])} for r in rows}

    def is_status_deleted(self) -> bool:
        """True once the account was DELETEd (the reaper empties it later)."""
        return self.get_raw_info()["status"] == DELETED_STATUS

    def mark_deleted(self, timestamp: str, status: Optional[str] = DELETED_STATUS) -> None:
        """Mark the whole account deleted, even with containers left: the
        reaper deletes them afterwards."""
        super().mark_deleted(timestamp, status=status)

    def is_deleted(self) -> bool:
        """An account is gone once marked deleted (empty or not)."""
        return self.is_deleted_at(self.get_raw_info())

    def is_deleted_at(self, info: Dict[str, Any]) -> bool:
        """``is_deleted`` from an info row the caller read already (a GET or
        HEAD reads it with the totals): its rows are looked at only when a
        delete is newer than the last put."""
        if info["status"] == DELETED_STATUS:
            return True
        if Timestamp(info["delete_timestamp"]) <= Timestamp(info["put_timestamp"]):
            return False
        return self.empty()

    listing_columns = "name, object_count, bytes_used, put_timestamp, storage_policy_index"

    def _listing_entry(self, row: Tuple[Any, ...]) -> ContainerEntry:
        name, count, used, put_timestamp, policy = row
        return ContainerEntry(name, count, used, put_timestamp, policy or 0)

    def fetch_containers(self, bounds: Bounds) -> List[ContainerEntry]:
        """One run of live container rows within ``bounds``."""
        return self.fetch_live(bounds)

    def list_containers(self, params: ListingParams) -> List[Entry]:
        """An account listing (see ``DatabaseBroker.list_live``)."""
        return self.list_live(params)

    def get_replication_info(self) -> Dict[str, Any]:
        """What a replicator compares with a peer before sending rows."""
        info = self.get_info()
        info["max_row"] = self.get_max_row()
        info["count"] = info["container_count"]
        return info


def _normal_row(item: Dict[str, Any]) -> Dict[str, Any]:
    row = {c: item.get(c) for c in CONTAINER_COLUMNS}
    row["put_timestamp"] = Timestamp(row["put_timestamp"] or 0).internal
    row["delete_timestamp"] = Timestamp(row["delete_timestamp"] or 0).internal
    row["stats_timestamp"] = Timestamp(row["stats_timestamp"] or 0).internal
    for col in ("object_count", "bytes_used", "storage_policy_index", "deleted"):
        row[col] = int(row[col] or 0)
    return row


def _stats_key(row: Dict[str, Any]) -> tuple:
    return (Timestamp(row["stats_timestamp"]), Timestamp(row["put_timestamp"]),
            row["object_count"], row["bytes_used"], row["storage_policy_index"])
