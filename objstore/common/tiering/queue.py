"""The tierer's durable state, one SQLite database (WAL, synchronous=FULL):

* ``objects``: every object the tierer tracks (written or read through a
  proxy, or counted from outside), with the tier it was last seen in and
  since when; ``pinned`` objects (placed by a lifecycle rule or a write's
  storage class, or never movable) are left out of count-based decisions.
* ``counts``: reads per object and counting bucket; buckets older than the
  window are pruned.
* ``moves``: the work queue and the move history in one table. A row goes
  ``queued -> moving -> done | abandoned | failed``; at most one row per
  object is queued or moving (a partial unique index). A worker takes a
  row with a *lease* (``lease_owner``/``lease_until`` set in one
  transaction where the lease is free or expired), so two workers, or two
  tierers, never move one object at once; a worker killed mid-move leaves
  its row ``moving`` with a lease that expires, and the next taker resumes.
* ``collected``: journal files already folded in (see ``journal.collect``).
* ``marks``: resumable markers (the lifecycle walk).

All SQL of tiering is in this module.
"""

from __future__ import annotations

import os
import sqlite3

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple

QUEUED, MOVING, DONE, ABANDONED, FAILED = "queued", "moving", "done", "abandoned", "failed"
OPEN_STATES = (QUEUED, MOVING)
#: the reason of a move a write asked for by naming its storage class
PLACEMENT_REASON = "storage class"
#: moves whose object then stays where it was put (read counts leave it)
PINNING_REASONS = ("lifecycle", PLACEMENT_REASON)
#: ``objects.pinned``: moved by read counts / kept where a rule or a write
#: put it / never moved (a large object manifest or a symlink)
FREE, PINNED, NOT_MOVABLE = 0, 1, 2
DB_NAME = "queue.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    path TEXT PRIMARY KEY, tier TEXT, since REAL NOT NULL, pinned INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS counts (
    path TEXT NOT NULL, bucket INTEGER NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (path, bucket));
CREATE TABLE IF NOT EXISTS moves (
    id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL, object_timestamp TEXT,
    from_tier TEXT, to_tier TEXT NOT NULL, reason TEXT NOT NULL, state TEXT NOT NULL,
    lease_owner TEXT, lease_until REAL, attempts INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, started REAL, finished REAL, detail TEXT, old_location TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS moves_open ON moves (path)
    WHERE state IN ('queued', 'moving');
CREATE INDEX IF NOT EXISTS moves_state ON moves (state, id);
CREATE INDEX IF NOT EXISTS moves_finished ON moves (finished);
CREATE TABLE IF NOT EXISTS collected (name TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS marks (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class Move:
    id: int
    path: str
    from_tier: Optional[str]
    to_tier: str
    reason: str
    state: str
    attempts: int
    object_timestamp: Optional[str] = None
    created: float = 0.0
    started: Optional[float] = None
    finished: Optional[float] = None
    detail: Optional[str] = None
    lease_owner: Optional[str] = None
    lease_until: Optional[float] = None
    #: the .tiers body the object had when the move started (deleted once
    #: the switch is done, also by a retry after a kill)
    old_location: Optional[str] = None

    def as_dict(self) -> Dict[str, Any]:
        return dict(self.__dict__)


_MOVE_COLUMNS = ("id, path, from_tier, to_tier, reason, state, attempts, object_timestamp, "
                 "created, started, finished, detail, lease_owner, lease_until, old_location")


class TierQueue:
    """The tierer's database at ``<state_dir>/queue.db``."""

    def __init__(self, state_dir: str, readonly: bool = False) -> None:
        self.path = os.path.join(state_dir, DB_NAME)
        if readonly:
            self.conn = sqlite3.connect("file:%s?mode=ro" % self.path, uri=True, timeout=30,
                                        isolation_level=None, check_same_thread=False)
            return
        os.makedirs(state_dir, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                    check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.executescript(_SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def _txn(self) -> "_Txn":
        return _Txn(self.conn)

    # ------------------------------------------------------------- counts
    def was_collected(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM collected WHERE name = ?",
                                 (name,)).fetchone() is not None

    def add_counts(self, name: str, rows: Iterable[Tuple], now: float) -> None:
        """Fold one journal's rows in and record it as collected, at once;
        a row naming a tier (a write's storage class) queues that move."""
        with self._txn() as cur:
            for row in rows:
                path, bucket, count = row[:3]
                cur.execute("INSERT OR IGNORE INTO objects (path, tier, since) "
                            "VALUES (?, NULL, ?)", (path, now))
                if len(row) > 3:
                    cur.execute("INSERT OR IGNORE INTO moves (path, to_tier, reason, state, "
                                "created) VALUES (?, ?, ?, ?, ?)",
                                (path, row[3], PLACEMENT_REASON, QUEUED, now))
                if count > 0:
                    cur.execute("INSERT INTO counts (path, bucket, count) VALUES (?, ?, ?) "
                                "ON CONFLICT (path, bucket) DO UPDATE SET "
                                "count = count + excluded.count", (path, bucket, count))
            cur.execute("INSERT OR REPLACE INTO collected (name, at) VALUES (?, ?)", (name, now))

    def prune(self, oldest_bucket: int, history_before: float) -> None:
        with self._txn() as cur:
            cur.execute("DELETE FROM counts WHERE bucket < ?", (oldest_bucket,))
            cur.execute("DELETE FROM moves WHERE finished IS NOT NULL AND finished < ?",
                        (history_before,))
            cur.execute("DELETE FROM collected WHERE at < ?", (history_before,))

    def count(self, path: str, oldest_bucket: int) -> int:
        row = self.conn.execute("SELECT COALESCE(SUM(count), 0) FROM counts "
                                "WHERE path = ? AND bucket >= ?",
                                (path, oldest_bucket)).fetchone()
        return int(row[0])

    def tracked(self, after: str, limit: int, oldest_bucket: int
                ) -> List[Tuple[str, Optional[str], float, int, int]]:
        """``(path, tier, since, pinned, windowed count)`` of tracked objects
        after ``after`` (path order), at most ``limit``."""
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in self.conn.execute(
            "SELECT o.path, o.tier, o.since, o.pinned, COALESCE(("
            "  SELECT SUM(c.count) FROM counts c WHERE c.path = o.path AND c.bucket >= ?), 0) "
            "FROM objects o WHERE o.path > ? ORDER BY o.path LIMIT ?",
            (oldest_bucket, after, limit))]

    # ------------------------------------------------------------ objects
    def set_tier(self, path: str, tier: Optional[str], now: float,
                 pinned: Optional[int] = None) -> None:
        with self._txn() as cur:
            cur.execute("INSERT INTO objects (path, tier, since) VALUES (?, ?, ?) "
                        "ON CONFLICT (path) DO UPDATE SET tier = excluded.tier, "
                        "since = CASE WHEN objects.tier IS excluded.tier THEN objects.since "
                        "ELSE excluded.since END", (path, tier, now))
            if pinned is not None:
                cur.execute("UPDATE objects SET pinned = ? WHERE path = ?", (int(pinned), path))

    def forget(self, path: str) -> None:
        """The object is gone: stop tracking it."""
        with self._txn() as cur:
            cur.execute("DELETE FROM objects WHERE path = ?", (path,))
            cur.execute("DELETE FROM counts WHERE path = ?", (path,))

    def object_row(self, path: str) -> Optional[Tuple[Optional[str], float, int]]:
        row = self.conn.execute("SELECT tier, since, pinned FROM objects WHERE path = ?",
                                (path,)).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def tier_counts(self) -> Dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute(
            "SELECT tier, COUNT(*) FROM objects WHERE tier IS NOT NULL GROUP BY tier")}

    # -------------------------------------------------------------- moves
    def enqueue(self, path: str, from_tier: Optional[str], to_tier: str, reason: str,
                now: float) -> bool:
        """Queue a move unless one of the object is already open."""
        with self._txn() as cur:
            cur.execute("INSERT OR IGNORE INTO moves (path, from_tier, to_tier, reason, state, "
                        "created) VALUES (?, ?, ?, ?, ?, ?)",
                        (path, from_tier, to_tier, reason, QUEUED, now))
            return cur.rowcount == 1

    def lease(self, owner: str, now: float, seconds: float) -> Optional[Move]:
        """Take the oldest queued row, or a moving row whose lease expired."""
        with self._txn() as cur:
            row = cur.execute(
                "SELECT id FROM moves WHERE state = ? OR (state = ? AND lease_until < ?) "
                "ORDER BY id LIMIT 1", (QUEUED, MOVING, now)).fetchone()
            if row is None:
                return None
            cur.execute("UPDATE moves SET state = ?, lease_owner = ?, lease_until = ?, "
                        "attempts = attempts + 1, started = COALESCE(started, ?) "
                        "WHERE id = ?", (MOVING, owner, now + seconds, now, row[0]))
            return self._move(cur, row[0])

    def renew(self, move_id: int, owner: str, until: float) -> bool:
        with self._txn() as cur:
            cur.execute("UPDATE moves SET lease_until = ? WHERE id = ? AND lease_owner = ? "
                        "AND state = ?", (until, move_id, owner, MOVING))
            return cur.rowcount == 1

    def note(self, move_id: int, owner: str, object_timestamp: str,
             old_location: Optional[str]) -> None:
        """Record, before anything is written, the version being moved and
        where its body was (a retry after a kill still knows what to delete)."""
        with self._txn() as cur:
            cur.execute("UPDATE moves SET object_timestamp = ?, old_location = COALESCE("
                        "old_location, ?) WHERE id = ? AND lease_owner = ?",
                        (object_timestamp, old_location, move_id, owner))

    def finish(self, move_id: int, owner: str, state: str, now: float,
               detail: Optional[str] = None) -> bool:
        """End a move the caller still holds; False if its lease was lost."""
        with self._txn() as cur:
            cur.execute("UPDATE moves SET state = ?, finished = ?, detail = ?, lease_until = NULL "
                        "WHERE id = ? AND lease_owner = ? AND state = ?",
                        (state, now, detail, move_id, owner, MOVING))
            return cur.rowcount == 1

    def release(self, move_id: int, owner: str, detail: str) -> bool:
        """Give a move back to the queue after a failed attempt (``detail``
        says why)."""
        with self._txn() as cur:
            cur.execute("UPDATE moves SET state = ?, detail = ?, lease_owner = NULL, "
                        "lease_until = NULL WHERE id = ? AND lease_owner = ? AND state = ?",
                        (QUEUED, detail, move_id, owner, MOVING))
            return cur.rowcount == 1

    def open_move(self, path: str) -> Optional[Move]:
        row = self.conn.execute("SELECT id FROM moves WHERE path = ? AND state IN (?, ?)",
                                (path, QUEUED, MOVING)).fetchone()
        return None if row is None else self._move(self.conn.cursor(), row[0])

    def history(self, since: float = 0.0, limit: int = 1000, path: Optional[str] = None
                ) -> List[Move]:
        sql = "SELECT %s FROM moves WHERE created >= ?" % _MOVE_COLUMNS
        args: List[Any] = [since]
        if path is not None:
            sql += " AND path = ?"
            args.append(path)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        return [Move(*r) for r in self.conn.execute(sql, args)]

    def queue(self, limit: int = 1000) -> List[Move]:
        return [Move(*r) for r in self.conn.execute(
            "SELECT %s FROM moves WHERE state IN (?, ?) ORDER BY id LIMIT ?" % _MOVE_COLUMNS,
            (QUEUED, MOVING, limit))]

    def state_counts(self) -> Dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute(
            "SELECT state, COUNT(*) FROM moves GROUP BY state")}

    # -------------------------------------------------------------- marks
    def mark(self, name: str) -> str:
        row = self.conn.execute("SELECT value FROM marks WHERE name = ?", (name,)).fetchone()
        return row[0] if row else ""

    def forget_mark(self, name: str) -> None:
        with self._txn() as cur:
            cur.execute("DELETE FROM marks WHERE name = ?", (name,))

    def set_mark(self, name: str, value: str) -> None:
        with self._txn() as cur:
            cur.execute("INSERT OR REPLACE INTO marks (name, value) VALUES (?, ?)", (name, value))

    @staticmethod
    def _move(cur: sqlite3.Cursor, move_id: int) -> Move:
        row = cur.execute("SELECT %s FROM moves WHERE id = ?" % _MOVE_COLUMNS,
                          (move_id,)).fetchone()
        return Move(*row)


class _Txn:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (rolled back on error): a writer
    takes the database's write lock before reading, so two leases can never
    both see one row free."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Cursor:
        self.cur = self.conn.cursor()
        self.cur.execute("BEGIN IMMEDIATE")
        return self.cur

    def __exit__(self, exc_type: Any, *_rest: Any) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


