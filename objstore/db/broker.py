"""The SQLite broker under every container and account database.

One database file per container (or account), in WAL mode. Durability:
``PRAGMA synchronous=FULL`` by default, so the WAL is fsynced at every
commit and a 201 really means the row is on disk; ``NORMAL`` would only
fsync at checkpoints and can lose the last commits on power loss, so it
is only offered as an explicit ``db_synchronous = normal`` trade.

Item updates from other servers (object rows, container reports) do not
need a transaction each: ``queue_items`` appends them to the pending file
(``objstore/db/pending.py``: one line and one fsync per update) and the
rows are merged into the database in one transaction when the file grows
past ``pending_max_bytes``, before any read that needs rows (``_read``),
before ``reclaim``/``checkpoint``, and by the daemons' passes.

A connection is opened per operation (the info row an object update reads
and the reads of a server's GET/HEAD excepted: ``readers.py``). Keeping read-write connections open would be
about 8x faster per commit (closing the last connection to a WAL database
checkpoints it, several fsyncs), but is unsafe here: when a replicator
removes or replaces a database file, a stale cached connection closing
later deletes the ``-wal`` file *by path*, i.e. the new database's WAL.
Python 3.12's ``SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE`` would make a cache safe;
3.11 has no way to set it (SQLite 3.40 itself skips the close checkpoint
when the path no longer names the opened inode, but nothing here relies on
that internal). Reads use read-only connections (``mode=ro``): they cost
about a third of a read-write open and their close never checkpoints nor
deletes a WAL (they cannot take the lock that needs), so they are safe even
against a replaced file. Transactions never yield to other green threads;
``busy_timeout`` covers the other worker processes of the same server. Call
``checkpoint()`` before copying a file whole.

All SQL of the container and account databases lives here, in
``listing_sql.py`` (inherited listing queries), ``replica_sync.py``
(inherited replication queries) and the two subclasses.
"""

from __future__ import annotations

import abc
import contextlib
import errno
import json
import logging
import os
import sqlite3
import uuid
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple
from urllib.parse import quote

from objstore.common import constraints
from objstore.common.timestamp import Timestamp
from objstore.common.utils import fsync_dir, mkdirs
from objstore.db import readers
from objstore.db.listing_sql import ListingQueries
from objstore.db.pending import DEFAULT_MAX_BYTES, PendingFile
from objstore.db.replica_sync import ReplicaQueries

DEFAULT_BUSY_TIMEOUT = 25.0
SYNC_MODES = ("FULL", "NORMAL", "EXTRA")
ZERO = Timestamp(0).internal

# Metadata names that are system metadata: not counted toward user limits.
_SYSMETA_MARK = "-sysmeta-"


class DatabaseError(Exception):
    """Base of broker errors."""


class DatabaseNotFound(DatabaseError):
    """The database file does not exist (never created, or removed)."""


class DatabaseAlreadyExists(DatabaseError):
    """``initialize`` lost a race: someone else created the file first."""


class MetadataError(DatabaseError):
    """Merged metadata would break a limit; the message says which."""


def _metadata_problem(metadata: Dict[str, List[str]], meta_prefix: str) -> Optional[str]:
    """Check the live user metadata against the cluster limits."""
    live = {k: v[0] for k, v in metadata.items()
            if v[0] != "" and k.lower().startswith(meta_prefix)}
    return constraints.check_metadata(live, meta_prefix.split("-")[1])


class DatabaseBroker(ListingQueries, ReplicaQueries, abc.ABC):
    """What container and account databases share.

    Subclasses set the class attributes and provide the item schema and
    the per-row merge rule; everything about files, transactions, the info
    row and metadata is here (listing reads in ``ListingQueries``, what
    replication reads and records in ``ReplicaQueries``).
    """

    db_type = "container"          # also the name of the info's own-name column
    item_table = "object"           # rows this database lists
    item_columns: Tuple[str, ...] = ()
    meta_prefix = "x-container-meta-"

    def __init__(self, db_file: str, account: Optional[str] = None,
                 container: Optional[str] = None,
                 busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
                 synchronous: str = "FULL", logger: Optional[logging.Logger] = None,
                 pending_max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.db_file = db_file
        self.account = account
        self.container = container
        self.busy_timeout = float(busy_timeout)
        synchronous = synchronous.upper()
        if synchronous not in SYNC_MODES:
            raise ValueError("db_synchronous must be one of %s, not %r"
                             % (", ".join(SYNC_MODES), synchronous))
        self.synchronous = synchronous
        self.logger = logger or logging.getLogger("objstore.db")
        self.pending = PendingFile(db_file, self.logger)
        self.pending_max_bytes = int(pending_max_bytes)

    # ------------------------------------------------------------- files

    def exists(self) -> bool:
        return os.path.exists(self.db_file)

    @contextlib.contextmanager
    def _connect(self, readonly: bool = False) -> Iterator[sqlite3.Connection]:
        if not os.path.exists(self.db_file):
            raise DatabaseNotFound(self.db_file)
        if readonly:
            conn = self._open_readonly()
        else:
            conn = sqlite3.connect(self.db_file, timeout=self.busy_timeout,
                                   isolation_level=None, check_same_thread=False)
        try:
            conn.row_factory = sqlite3.Row
            if not readonly:
                conn.execute("PRAGMA synchronous = %s" % self.synchronous)
            yield conn
        finally:
            conn.close()

    def _open_readonly(self) -> sqlite3.Connection:
        # Never creates a file, never checkpoints or unlinks a WAL on close.
        conn = sqlite3.connect("file:%s?mode=ro" % quote(self.db_file), uri=True,
                               timeout=self.busy_timeout, isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        return conn

    def close(self) -> None:
        """Close the kept read-only connections (``readers``) to this file."""
        readers.shared_pool().forget(self.db_file)

    def checkpoint(self) -> None:
        """Fold pending rows and the WAL into the main file, so copying just
        the ``.db`` (rsync to a peer) copies every acknowledged change."""
        self.merge_pending()
        with self._connect() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextlib.contextmanager
    def _read(self, merge: bool = True) -> Iterator[sqlite3.Connection]:
        """A read-only connection; with ``merge`` (any read of rows or
        their stats) pending rows are merged first, so a read sees every
        update acknowledged before it started. Only the info row, the
        metadata and the sync points may be read without. Inside
        ``request_reads`` it is that block's connection (merged already)."""
        if self._held is not None:
            yield self._held
            return
        if merge:
            self.merge_pending()
        with self._connect(readonly=True) as conn:
            yield conn

    _held: Optional[sqlite3.Connection] = None

    @contextlib.contextmanager
    def request_reads(self, merge: bool = True) -> Iterator[None]:
        """Run every read of this broker inside the block (info row,
        counts, metadata, policy stats, the listing) on one read-only
        connection kept open between requests (``readers.py``), instead
        of opening the file for each: a listing or a HEAD costs one
        ``stat`` and its queries. ``DatabaseNotFound`` if there is no
        file. Pending rows are merged first unless the caller just did.
        Each statement reads the newest commit (no transaction is held
        across the block); writes still open their own connection."""
        if merge:
            self.merge_pending()
        with contextlib.ExitStack() as stack:
            try:
                conn = stack.enter_context(
                    readers.shared_pool().reader(self.db_file, self._open_readonly))
            except FileNotFoundError:
                raise DatabaseNotFound(self.db_file) from None
            self._held = conn
            try:
                yield
            finally:
                self._held = None

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock up front so two
        read-modify-write sequences never interleave."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def initialize(self, put_timestamp: str, **info: Any) -> None:
        """Create the database file, atomically and durably.

        It is built under a temporary name and hard-linked into place, so
        no reader ever opens a half-made schema and a racing creator gets
        ``DatabaseAlreadyExists`` instead of a clobbered file.
        """
        if self.exists():
            raise DatabaseAlreadyExists(self.db_file)
        put = Timestamp(put_timestamp).internal
        parent = os.path.dirname(self.db_file)
        mkdirs(parent)
        tmp = "%s.%s.tmp" % (self.db_file, uuid.uuid4().hex)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            # Private file: no fsync per statement; the whole file is
            # fsynced below before it gets its real name.
            conn.execute("PRAGMA synchronous = OFF")
            self._create_common_tables(conn)
            self._create_item_tables(conn)
            row = {"account": self.account, "id": uuid.uuid4().hex, "created_at": put,
                   "put_timestamp": put, "delete_timestamp": ZERO,
                   "status_changed_at": put, "status": "", "metadata": "{}"}
            if self.db_type == "container":
                row["container"] = self.container
            row.update(info)
            cols = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            conn.execute("INSERT INTO info (%s) VALUES (%s)" % (cols, marks), list(row.values()))
        except BaseException:
            conn.close()
            _unlink_quietly(tmp)
            raise
        conn.close()
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, self.db_file)
        except OSError as err:
            if err.errno == errno.EEXIST:
                raise DatabaseAlreadyExists(self.db_file) from None
            raise
        finally:
            _unlink_quietly(tmp)
        fsync_dir(parent)

    def _create_common_tables(self, conn: sqlite3.Connection) -> None:
        conn.execute("""
            CREATE TABLE info (
                account TEXT,
                %s
                id TEXT,
                created_at TEXT,
                put_timestamp TEXT NOT NULL DEFAULT '0',
                delete_timestamp TEXT NOT NULL DEFAULT '0',
                status TEXT NOT NULL DEFAULT '',
                status_changed_at TEXT NOT NULL DEFAULT '0',
                metadata TEXT NOT NULL DEFAULT '{}'
                %s
            )""" % ("container TEXT," if self.db_type == "container" else "",
                    self._info_extra_columns()))
        for table in ("incoming_sync", "outgoing_sync"):
            conn.execute("""
                CREATE TABLE %s (
                    remote_id TEXT PRIMARY KEY,
                    sync_point INTEGER NOT NULL,
                    updated_at TEXT NOT NULL DEFAULT '0'
                )""" % table)

    @abc.abstractmethod
    def _info_extra_columns(self) -> str:
        """SQL column definitions the info table of this kind adds."""

    @abc.abstractmethod
    def _create_item_tables(self, conn: sqlite3.Connection) -> None:
        """Create the row tables (objects or containers) of this kind."""

    # -------------------------------------------------------------- info

    def _info_row(self, conn: sqlite3.Connection) -> Dict[str, Any]:
        row = conn.execute("SELECT * FROM info").fetchone()
        return dict(row)

    def get_raw_info(self, kept: bool = False) -> Dict[str, Any]:
        """The info row as stored (metadata still JSON text); ``kept``: on a
        read-only connection kept open for the next read (``readers.py``)."""
        if not kept or self._held is not None:
            with self._read(merge=False) as conn:
                return self._info_row(conn)
        try:
            with readers.shared_pool().reader(self.db_file, self._open_readonly) as conn:
                rows = conn.execute("SELECT * FROM info").fetchall()  # all: no read left open
            return dict(rows[0])
        except FileNotFoundError:
            raise DatabaseNotFound(self.db_file) from None

    def is_deleted(self, kept: bool = False) -> bool:
        """Deleted: a delete newer than the last put, and nothing left.

        Only a database with a newer delete needs its rows counted, so the
        common case (every object update asks) merges no pending rows.
        """
        info = self.get_raw_info(kept)
        if Timestamp(info["delete_timestamp"]) <= Timestamp(info["put_timestamp"]):
            return False
        with self._read() as conn:
            return self._is_empty(conn)

    def empty(self) -> bool:
        with self._read() as conn:
            return self._is_empty(conn)

    def _is_empty(self, conn: sqlite3.Connection) -> bool:
        row = conn.execute("SELECT 1 FROM %s WHERE deleted = 0 LIMIT 1" % self.item_table).fetchone()
        return row is None

    def update_put_timestamp(self, timestamp: str) -> bool:
        """Record a newer PUT; True if the database was deleted and is now
        alive again (a re-create), which changes ``status_changed_at``."""
        ts = Timestamp(timestamp)
        with self._write() as conn:
            info = self._info_row(conn)
            if ts <= Timestamp(info["put_timestamp"]):
                return False
            was_deleted = (Timestamp(info["delete_timestamp"]) > Timestamp(info["put_timestamp"])
                           and self._is_empty(conn))
            conn.execute("UPDATE info SET put_timestamp = ?", (ts.internal,))
            revived = was_deleted and ts > Timestamp(info["delete_timestamp"])
            if revived:
                conn.execute("UPDATE info SET status_changed_at = ?, status = ''", (ts.internal,))
            return revived

    def mark_deleted(self, timestamp: str, status: Optional[str] = None) -> None:
        """Record a DELETE; the database stays for replication to spread
        the deletion, and is reclaimed later by the replicator."""
        ts = Timestamp(timestamp)
        with self._write() as conn:
            info = self._info_row(conn)
            if status is not None:
                conn.execute("UPDATE info SET status = ?", (status,))
            if ts > Timestamp(info["delete_timestamp"]):
                conn.execute("UPDATE info SET delete_timestamp = ?", (ts.internal,))
                if ts > Timestamp(info["put_timestamp"]):
                    conn.execute("UPDATE info SET status_changed_at = ?", (ts.internal,))

    # ---------------------------------------------------------- metadata

    @property
    def metadata(self) -> Dict[str, List[str]]:
        """``{header name: [value, timestamp]}``, empty values included
        (they are deletions waiting to replicate)."""
        with self._read(merge=False) as conn:
            return json.loads(self._info_row(conn)["metadata"])

    def live_metadata(self, info: Optional[Dict[str, Any]] = None) -> Dict[str, str]:
        """The metadata a HEAD or GET shows; from ``info`` (a ``get_info``
        answer, which read the metadata with the rest of its row) without
        opening the database again."""
        stored = json.loads(info["metadata"]) if info and "metadata" in info else self.metadata
        return {k: v[0] for k, v in stored.items() if v[0] != ""}

    def update_metadata(self, updates: Dict[str, Tuple[str, str]], validate: bool = True) -> None:
        """Merge ``{name: (value, timestamp)}``; per key the newer one wins.

        With ``validate`` the merged user metadata must fit the limits,
        otherwise ``MetadataError`` and nothing changes.
        """
        if not updates:
            return
        with self._write() as conn:
            current = json.loads(self._info_row(conn)["metadata"])
            changed = merge_metadata(current, updates)
            if not changed:
                return
            if validate:
                problem = _metadata_problem(current, self.meta_prefix)
                if problem:
                    raise MetadataError(problem)
            conn.execute("UPDATE info SET metadata = ?", (json.dumps(current),))

    def reclaim_metadata(self, before: str) -> None:
        """Forget metadata deletions older than ``before``."""
        cutoff = Timestamp(before)
        with self._write() as conn:
            current = json.loads(self._info_row(conn)["metadata"])
            kept = {k: v for k, v in current.items() if v[0] != "" or Timestamp(v[1]) >= cutoff}
            if kept != current:
                conn.execute("UPDATE info SET metadata = ?", (json.dumps(kept),))

    # ------------------------------------------------------------- items

    def merge_items(self, items: Sequence[Dict[str, Any]], source: Optional[str] = None) -> int:
        """Merge rows (from a server request or a replica); newest wins.

        With ``source`` (the remote database id) the incoming sync point
        for it moves to the highest ``row_id`` seen, so the replicator
        never sends those rows again. Returns how many rows changed.
        """
        changed = 0
        with self._write() as conn:
            for item in items:
                if self._merge_one(conn, item):
                    changed += 1
            if source:
                points = [int(i["row_id"]) for i in items if i.get("row_id") is not None]
                if points:
                    self._merge_sync(conn, "incoming_sync", source, max(points))
        return changed

    @abc.abstractmethod
    def _merge_one(self, conn: sqlite3.Connection, item: Dict[str, Any]) -> bool:
        """Merge one replicated row by timestamp; True if anything changed."""

    # ---------------------------------------------------------- pending

    def queue_items(self, items: Sequence[Dict[str, Any]]) -> None:
        """Record rows durably without a transaction: append them to the
        pending file (fsynced before this returns) and merge the file into
        the database once it is over ``pending_max_bytes``.

        Blocks on ``flock`` and ``fsync``: servers call it in a thread.
        """
        if not self.exists():
            raise DatabaseNotFound(self.db_file)
        if self.pending.append(items) < self.pending_max_bytes:
            return
        try:
            self.merge_pending()
        except (sqlite3.Error, DatabaseError, OSError) as err:
            # The rows are durable in the pending file already: answer for
            # them, and let the next read or daemon pass merge.
            self.logger.error("ERROR merging %s (rows stay pending): %s",
                              self.pending.path, err)

    def has_pending(self) -> bool:
        return self.pending.size() > 0

    def merge_pending(self) -> int:
        """Merge every pending row in one transaction, then empty the
        pending file; returns how many rows changed. Idempotent: rows
        merged again (after a crash between commit and truncate) change
        nothing."""
        if not self.has_pending():
            return 0
        with self._connect() as conn:
            return self.pending.drain(lambda rows: self._merge_pending_rows(conn, rows))

    def _merge_pending_rows(self, conn: sqlite3.Connection, rows: List[Dict[str, Any]]) -> int:
        changed = 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            for row in rows:
                try:
                    changed += 1 if self._merge_one(conn, row) else 0
                except (KeyError, TypeError, ValueError) as err:
                    # A row we cannot read must not block every later one.
                    self.logger.error("Skipped a pending row of %s (%s): %r",
                                      self.db_file, err, row)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return changed

    def _replace_item(self, conn: sqlite3.Connection, row: Dict[str, Any]) -> None:
        """Delete then insert, so the row gets a new ``row_id`` and the
        replicator ships the change; triggers keep the stats exact."""
        conn.execute("DELETE FROM %s WHERE name = ?" % self.item_table, (row["name"],))
        cols = ", ".join(self.item_columns)
        marks = ", ".join("?" for _ in self.item_columns)
        conn.execute("INSERT INTO %s (%s) VALUES (%s)" % (self.item_table, cols, marks),
                     [row[c] for c in self.item_columns])

    def _get_item(self, conn: sqlite3.Connection, name: str) -> Optional[Dict[str, Any]]:
        row = conn.execute("SELECT * FROM %s WHERE name = ?" % self.item_table, (name,)).fetchone()
        return dict(row) if row else None

    def get_item(self, name: str) -> Optional[Dict[str, Any]]:
        """One row by name, tombstones included (for tests and daemons)."""
        with self._read() as conn:
            return self._get_item(conn, name)

    def reclaim(self, before: str) -> int:
        """Drop tombstone rows older than ``before``; returns how many."""
        self.merge_pending()
        with self._write() as conn:
            cur = conn.execute(
                "DELETE FROM %s WHERE deleted = 1 AND %s < ?" % (self.item_table, self._reclaim_column),
                (Timestamp(before).internal,))
            return cur.rowcount

    _reclaim_column = "created_at"

def merge_metadata(current: Dict[str, List[str]], updates: Dict[str, Any]) -> bool:
    """Merge ``updates`` into ``current`` in place, per key by timestamp."""
    changed = False
    for key, pair in updates.items():
        value, ts = pair[0], Timestamp(pair[1]).internal
        old = current.get(key)
        if old is None or Timestamp(ts) > Timestamp(old[1]):
            current[key] = [value, ts]
            changed = True
    return changed


def is_corruption(err: BaseException) -> bool:
    """True if a sqlite error means the file is damaged (quarantine it),
    False for passing trouble such as a lock timeout (try again later)."""
    if not isinstance(err, sqlite3.DatabaseError):
        return False
    name = getattr(err, "sqlite_errorname", "")
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
        return True
    text = str(err).lower()
    if "malformed" in text or "not a database" in text or "no such table" in text:
        return True
    return not isinstance(err, sqlite3.OperationalError) and not name


def _unlink_quietly(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass
