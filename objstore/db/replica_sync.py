"""What replication reads from and records in a database: rows changed
since a point, sync points per remote database, a consistent copy, the
file's identity and its timestamps. Mixed into ``DatabaseBroker``, which
gives ``item_table``, ``_read``, ``_write`` and ``_info_row``.
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any, Callable, ContextManager, Dict, List, Sequence

from objstore.common.timestamp import Timestamp


class ReplicaQueries:
    """Replication's reads and writes of a broker."""

    item_table: str
    _read: Callable[..., ContextManager[sqlite3.Connection]]
    _write: Callable[[], ContextManager[sqlite3.Connection]]
    _info_row: Callable[[sqlite3.Connection], Dict[str, Any]]

    def get_max_row(self) -> int:
        with self._read() as conn:
            row = conn.execute("SELECT MAX(row_id) FROM %s" % self.item_table).fetchone()
            return int(row[0] or 0)

    def get_items_since(self, start: int, count: int) -> List[Dict[str, Any]]:
        """Rows changed after ``row_id`` ``start``, oldest change first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT * FROM %s WHERE row_id > ? ORDER BY row_id LIMIT ?" % self.item_table,
                (int(start), int(count))).fetchall()
            return [dict(r) for r in rows]

    def _merge_sync(self, conn: sqlite3.Connection, table: str, remote_id: str, point: int) -> None:
        conn.execute(
            "INSERT INTO %s (remote_id, sync_point, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(remote_id) DO UPDATE SET sync_point = excluded.sync_point, "
            "updated_at = excluded.updated_at WHERE excluded.sync_point > sync_point" % table,
            (remote_id, int(point), Timestamp.now().internal))

    def get_sync(self, remote_id: str, incoming: bool = True) -> int:
        """The last ``row_id`` of ``remote_id`` we hold (incoming) or have
        sent it (outgoing); -1 if never synced."""
        table = "incoming_sync" if incoming else "outgoing_sync"
        with self._read(merge=False) as conn:
            row = conn.execute("SELECT sync_point FROM %s WHERE remote_id = ?" % table,
                               (remote_id,)).fetchone()
            return int(row[0]) if row else -1

    def get_syncs(self, incoming: bool = True) -> List[Dict[str, Any]]:
        table = "incoming_sync" if incoming else "outgoing_sync"
        with self._read(merge=False) as conn:
            rows = conn.execute("SELECT remote_id, sync_point FROM %s" % table).fetchall()
            return [dict(r) for r in rows]

    def merge_syncs(self, syncs: Sequence[Dict[str, Any]], incoming: bool = True) -> None:
        """Record sync points; a point only ever moves forward."""
        table = "incoming_sync" if incoming else "outgoing_sync"
        with self._write() as conn:
            for sync in syncs:
                self._merge_sync(conn, table, str(sync["remote_id"]), int(sync["sync_point"]))

    def backup_to(self, path: str) -> None:
        """Write a consistent copy of the database to the single file ``path``.

        In WAL mode committed rows may still sit in the ``-wal`` file, so
        copying the main file alone (as a whole-file rsync would) can lose
        them or tear a page; SQLite's backup reads one committed state.
        """
        with self._read() as conn:
            dest = sqlite3.connect(path)
            try:
                conn.backup(dest)
            finally:
                dest.close()

    def check_integrity(self) -> List[str]:
        """SQLite's own consistency check: ``[]`` when sound, else what is
        wrong. A file that is not a database at all raises
        ``sqlite3.DatabaseError`` (see ``is_corruption``)."""
        with self._read() as conn:
            messages = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
            self._info_row(conn)  # the schema we rely on is there
        return [] if messages == ["ok"] else messages

    def new_id(self) -> str:
        """Give this file a fresh identity (after it was copied whole from
        a replica, which would otherwise share the replica's id)."""
        new = uuid.uuid4().hex
        with self._write() as conn:
            conn.execute("UPDATE info SET id = ?", (new,))
        return new

    def merge_timestamps(self, created_at: str, put_timestamp: str, delete_timestamp: str) -> None:
        """Take the newer put/delete (and older creation) from a replica."""
        with self._write() as conn:
            info = self._info_row(conn)
            old_deleted = Timestamp(info["delete_timestamp"]) > Timestamp(info["put_timestamp"])
            created = min(Timestamp(info["created_at"]), Timestamp(created_at))
            put = max(Timestamp(info["put_timestamp"]), Timestamp(put_timestamp))
            delete = max(Timestamp(info["delete_timestamp"]), Timestamp(delete_timestamp))
            conn.execute("UPDATE info SET created_at = ?, put_timestamp = ?, delete_timestamp = ?",
                         (created.internal, put.internal, delete.internal))
            if (delete > put) != old_deleted:
                conn.execute("UPDATE info SET status_changed_at = ?", (max(put, delete).internal,))
