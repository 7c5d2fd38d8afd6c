"""The database of one container: its object rows and their statistics.

An object row holds three times: ``created_at`` (the data's: the PUT or
DELETE that made it), ``ctype_timestamp`` (when its content type was set:
by that PUT or a later POST) and ``meta_timestamp`` (its newest POST). Rows
merge part by part, each part by its own time (see ``merge_rows``), so
replicas agree whatever order the updates came in: an older POST never
undoes a newer PUT, and a newer PUT resets what a POST set. A DELETE is a
tombstone row with ``deleted = 1`` that the replicator spreads and later
reclaims. Per-policy object counts and bytes are kept exact by triggers
in the same transaction as the row change, so a HEAD never has to scan.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

from objstore.common.timestamp import Timestamp
from objstore.db.broker import DatabaseBroker
from objstore.common.http.listing import ListingParams
from objstore.db.listing import Bounds, Entry, ObjectEntry

OBJECT_COLUMNS = ("name", "created_at", "size", "content_type", "etag", "deleted",
                  "storage_policy_index", "ctype_timestamp", "meta_timestamp")
#: the two later columns; rows of databases made before them read '' (the
#: data's time)
TIME_COLUMNS = ("ctype_timestamp", "meta_timestamp")
T = TypeVar("T")


class ContainerBroker(DatabaseBroker):
    """SQLite access for one container database."""

    db_type = "container"
    item_table = "object"
    item_columns = OBJECT_COLUMNS
    meta_prefix = "x-container-meta-"

    def _info_extra_columns(self) -> str:
        return """,
            storage_policy_index INTEGER NOT NULL DEFAULT 0,
            reported_put_timestamp TEXT NOT NULL DEFAULT '0',
            reported_delete_timestamp TEXT NOT NULL DEFAULT '0',
            reported_object_count INTEGER NOT NULL DEFAULT 0,
            reported_bytes_used INTEGER NOT NULL DEFAULT 0,
            x_container_sync_point1 INTEGER NOT NULL DEFAULT -1,
            x_container_sync_point2 INTEGER NOT NULL DEFAULT -1"""

    def _create_item_tables(self, conn: sqlite3.Connection) -> None:
        conn.executescript("""
            CREATE TABLE object (
                row_id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                size INTEGER NOT NULL DEFAULT 0,
                content_type TEXT NOT NULL DEFAULT '',
                etag TEXT NOT NULL DEFAULT '',
                deleted INTEGER NOT NULL DEFAULT 0,
                storage_policy_index INTEGER NOT NULL DEFAULT 0,
                ctype_timestamp TEXT NOT NULL DEFAULT '',
                meta_timestamp TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX object_deleted_name ON object (deleted, name);
            CREATE TABLE policy_stat (
                storage_policy_index INTEGER PRIMARY KEY,
                object_count INTEGER NOT NULL DEFAULT 0,
                bytes_used INTEGER NOT NULL DEFAULT 0
            );
            CREATE TRIGGER object_insert AFTER INSERT ON object WHEN new.deleted = 0
            BEGIN
                INSERT OR IGNORE INTO policy_stat (storage_policy_index)
                    VALUES (new.storage_policy_index);
                UPDATE policy_stat
                    SET object_count = object_count + 1, bytes_used = bytes_used + new.size
                    WHERE storage_policy_index = new.storage_policy_index;
            END;
            CREATE TRIGGER object_delete AFTER DELETE ON object WHEN old.deleted = 0
            BEGIN
                UPDATE policy_stat
                    SET object_count = object_count - 1, bytes_used = bytes_used - old.size
                    WHERE storage_policy_index = old.storage_policy_index;
            END;
        """)

    def initialize(self, put_timestamp: str, storage_policy_index: int = 0,  # type: ignore[override]
                   **info: Any) -> None:
        """Create the container database with its storage policy."""
        super().initialize(put_timestamp, storage_policy_index=int(storage_policy_index), **info)

    # ---------------------------------------------------------- objects

    def put_object(self, name: str, timestamp: str, size: int, content_type: str,
                   etag: str, deleted: int = 0, storage_policy_index: int = 0,
                   pending: bool = False, ctype_timestamp: Optional[str] = None,
                   meta_timestamp: Optional[str] = None) -> bool:
        """Record an object PUT (or, with ``deleted=1``, a DELETE); an
        object POST is a PUT row of the data's ``timestamp`` with the
        POST's ``meta_timestamp`` (and ``ctype_timestamp`` if it set the
        type, else the type's own time).

        Returns False when the row changes nothing here. With
        ``pending`` the row only goes to the pending file (durably; see
        ``queue_items``) and True is returned: whether it wins is decided
        when it is merged.
        """
        row = object_row(name, timestamp, size, content_type, etag, deleted,
                         storage_policy_index, ctype_timestamp, meta_timestamp)
        if pending:
            self.queue_items([row])
            return True
        return self.merge_items([row]) == 1

    def delete_object(self, name: str, timestamp: str, storage_policy_index: int = 0,
                      pending: bool = False) -> bool:
        """Record an object DELETE as a tombstone row."""
        return self.put_object(name, timestamp, 0, "application/deleted", "noetag",
                               deleted=1, storage_policy_index=storage_policy_index,
                               pending=pending)

    def _merge_one(self, conn: sqlite3.Connection, item: Dict[str, Any]) -> bool:
        if not self._time_columns_checked:
            _ensure_time_columns(conn)
            self._time_columns_checked = True
        row = normal_row(item)
        old = self._get_item(conn, row["name"])
        if old is not None:
            old = normal_row(old)
            row = merge_rows(old, row)
            if row == old:
                return False
        self._replace_item(conn, row)
        return True

    # a merge adds the later time columns to an old database once per broker
    _time_columns_checked = False

    def _with_time_columns(self, read: Callable[[], T]) -> T:
        """``read()``, which selects the later time columns; a database
        made before them has none (``no such column``): it gets them, and
        the read runs again. Costs nothing on a current database."""
        try:
            return read()
        except sqlite3.OperationalError as err:
            if "no such column" not in str(err) or not _missing_time_columns_of(self):
                raise
        with self._write() as conn:
            _ensure_time_columns(conn)
        return read()

    # ----------------------------------------------------------- reading

    def get_info(self) -> Dict[str, Any]:
        """The container's info row plus its counts, in one read.

        The counts are those of the container's own policy; rows of other
        policies (misplaced objects) are listed but not counted, until the
        reconciler moves them.
        """
        with self._read() as conn:
            info = self._info_row(conn)
            stat = conn.execute(
                "SELECT object_count, bytes_used FROM policy_stat WHERE storage_policy_index = ?",
                (info["storage_policy_index"],)).fetchone()
            info["object_count"] = int(stat[0]) if stat else 0
            info["bytes_used"] = int(stat[1]) if stat else 0
            info["empty"] = self._is_empty(conn)
            return info

    def get_policy_stats(self) -> Dict[int, Dict[str, int]]:
        """``{policy index: {object_count, bytes_used}}`` for every policy
        that ever had a live row here."""
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM policy_stat").fetchall()
            return {int(r["storage_policy_index"]): {"object_count": int(r["object_count"]),
                                                     "bytes_used": int(r["bytes_used"])}
                    for r in rows}

    def set_storage_policy_index(self, index: int) -> None:
        """Change the policy of a deleted, empty container being re-created."""
        with self._write() as conn:
            conn.execute("UPDATE info SET storage_policy_index = ?", (int(index),))

    def reported(self, put_timestamp: str, delete_timestamp: str,
                 object_count: int, bytes_used: int) -> None:
        """Remember what the account server was last told, so the updater
        can skip containers whose stats have not changed since."""
        with self._write() as conn:
            conn.execute(
                "UPDATE info SET reported_put_timestamp = ?, reported_delete_timestamp = ?, "
                "reported_object_count = ?, reported_bytes_used = ?",
                (put_timestamp, delete_timestamp, int(object_count), int(bytes_used)))

    # ------------------------------------------------------- sync points

    def get_sync_points(self) -> Tuple[int, int]:
        """``(point1, point2)`` of the container sync daemon (see
        ``objstore.container.sync``): the last ``row_id`` up to which every
        row is confirmed by the remote, and the last one up to which this
        replica's own share is. ``-1`` before the first sync."""
        with self._write() as conn:
            self._ensure_sync_columns(conn)
            row = conn.execute("SELECT x_container_sync_point1, x_container_sync_point2 "
                               "FROM info").fetchone()
        return int(row[0]), int(row[1])

    def set_sync_points(self, point1: Optional[int] = None,
                        point2: Optional[int] = None) -> None:
        """Record sync progress durably (the commit is fsynced with
        ``db_synchronous = full``); ``None`` leaves a point as it is."""
        with self._write() as conn:
            self._ensure_sync_columns(conn)
            for column, value in (("x_container_sync_point1", point1),
                                  ("x_container_sync_point2", point2)):
                if value is not None:
                    conn.execute("UPDATE info SET %s = ?" % column, (int(value),))

    def count_rows_after(self, row_id: int) -> int:
        """How many rows changed after ``row_id`` (what a sync is behind)."""
        with self._read() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM object WHERE row_id > ?",
                                    (int(row_id),)).fetchone()[0])

    @staticmethod
    def _ensure_sync_columns(conn: sqlite3.Connection) -> None:
        """Databases made before container sync lack the two columns."""
        have = {r[1] for r in conn.execute("PRAGMA table_info(info)").fetchall()}
        for column in ("x_container_sync_point1", "x_container_sync_point2"):
            if column not in have:
                conn.execute("ALTER TABLE info ADD COLUMN %s INTEGER NOT NULL DEFAULT -1"
                             % column)

    # last_modified is the newest of the row's times (internal timestamps
    # of one width sort as text; '' is a row from before the columns)
    listing_columns = "name, MAX(created_at, meta_timestamp, ctype_timestamp), size, " \
        "content_type, etag"

    def _listing_entry(self, row: Tuple[Any, ...]) -> ObjectEntry:
        return ObjectEntry._make(row)

    def fetch_objects(self, bounds: Bounds) -> List[ObjectEntry]:
        """One run of live object rows within ``bounds``."""
        return self._with_time_columns(lambda: self.fetch_live(bounds))

    def list_objects(self, params: ListingParams) -> List[Entry]:
        """A container listing (see ``DatabaseBroker.list_live``)."""
        return self._with_time_columns(lambda: self.list_live(params))

    def is_reported_current(self) -> bool:
        """True if the account server already knows the current stats."""
        info = self.get_info()
        # The server and the updater report a live container's delete
        # timestamp as 0, in whatever spelling: compare as timestamps.
        deleted = (Timestamp(info["delete_timestamp"]) > Timestamp(info["put_timestamp"])
                   and info["empty"])
        delete = info["delete_timestamp"] if deleted else "0"
        return (Timestamp(info["reported_put_timestamp"]) == Timestamp(info["put_timestamp"])
                and Timestamp(info["reported_delete_timestamp"]) == Timestamp(delete)
                and info["reported_object_count"] == info["object_count"]
                and info["reported_bytes_used"] == info["bytes_used"])

    def get_replication_info(self) -> Dict[str, Any]:
        """What a replicator compares with a peer before sending rows."""
        info = self.get_info()
        info["max_row"] = self.get_max_row()
        info["count"] = info["object_count"]
        return info


def object_row(name: str, timestamp: str, size: int, content_type: str, etag: str,
               deleted: int = 0, storage_policy_index: int = 0,
               ctype_timestamp: Optional[str] = None,
               meta_timestamp: Optional[str] = None) -> Dict[str, Any]:
    """The row an object PUT (or, with ``deleted``, DELETE) records, as
    the pending file and ``merge_items`` take it."""
    return {"name": str(name), "created_at": Timestamp(timestamp).internal,
            "size": int(size), "content_type": str(content_type), "etag": str(etag),
            "deleted": 1 if deleted else 0,
            "storage_policy_index": int(storage_policy_index),
            "ctype_timestamp": Timestamp(ctype_timestamp or timestamp).internal,
            "meta_timestamp": Timestamp(meta_timestamp or timestamp).internal}


def normal_row(item: Dict[str, Any]) -> Dict[str, Any]:
    """An object row in canonical form; a row without the later times
    (an old database's, an old pending record's) takes the data's."""
    row = {c: item.get(c) for c in OBJECT_COLUMNS}
    row["created_at"] = Timestamp(row["created_at"]).internal
    row["size"] = int(row["size"] or 0)
    row["deleted"] = 1 if row["deleted"] else 0
    row["storage_policy_index"] = int(row["storage_policy_index"] or 0)
    row["content_type"] = row["content_type"] or ""
    row["etag"] = row["etag"] or ""
    for column in TIME_COLUMNS:
        row[column] = Timestamp(row[column] or row["created_at"]).internal
    return row


def merge_rows(old: Dict[str, Any], new: Dict[str, Any]) -> Dict[str, Any]:
    """Two canonical rows of one name as one, part by part: the data
    (size, ETag, deletion, policy) of the newer ``created_at``, the content
    type of the newer ``ctype_timestamp``, the newer ``meta_timestamp``.
    Each part takes the larger of a total order, so the result is the same
    whatever order rows arrive in, and merging a row twice changes nothing."""
    data = max(old, new, key=_data_key)
    ctype = max(old, new, key=_ctype_key)
    merged = dict(data)
    merged["content_type"] = ctype["content_type"]
    merged["ctype_timestamp"] = ctype["ctype_timestamp"]
    merged["meta_timestamp"] = max(old["meta_timestamp"], new["meta_timestamp"],
                                   key=Timestamp)
    return merged


def _ensure_time_columns(conn: sqlite3.Connection) -> None:
    """Databases made before rows kept their type and POST times lack the
    two columns: add them ('' reads as the data's time)."""
    for column in _missing_time_columns(conn):
        conn.execute("ALTER TABLE object ADD COLUMN %s TEXT NOT NULL DEFAULT ''" % column)


def _missing_time_columns_of(broker: ContainerBroker) -> List[str]:
    with broker._read(merge=False) as conn:
        return _missing_time_columns(conn)


def _missing_time_columns(conn: sqlite3.Connection) -> List[str]:
    have = {r[1] for r in conn.execute("PRAGMA table_info(object)").fetchall()}
    return [c for c in TIME_COLUMNS if c not in have]


def _data_key(row: Dict[str, Any]) -> tuple:
    """Newest data wins; at an equal timestamp a DELETE beats a PUT, and the
    row values break any remaining tie, so every replica picks the same."""
    return (Timestamp(row["created_at"]), int(row["deleted"]), int(row["size"]),
            row["etag"] or "", int(row["storage_policy_index"]))


def _ctype_key(row: Dict[str, Any]) -> tuple:
    return (Timestamp(row["ctype_timestamp"]), row["content_type"] or "")
