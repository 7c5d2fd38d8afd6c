"""The pending file: item updates acknowledged before they reach SQLite.

Object servers send one container update per object PUT or DELETE, and
container servers one account update per container change. Committing
each of those as its own SQLite transaction (``synchronous = FULL``: a
WAL fsync, plus a checkpoint when the connection closes) made the
container server the bottleneck of small PUTs. Instead an update is
appended as one line to ``<db file>.pending`` and fsynced: one small
append and one fsync, after which the update is as durable as a commit.
The broker folds the file into the database in one transaction later.

Format: one record per line, ``<crc32 of the JSON, 8 hex digits> <JSON
object>\\n``. The JSON is ASCII (``ensure_ascii``), so a name holding a
newline or any other byte cannot break a line, and the checksum tells a
torn write (power lost in the middle of an append that was therefore
never acknowledged) from a record: such a line is logged and skipped,
every other line is kept.

Locking: every append and every merge holds ``flock(LOCK_EX)`` on the
pending file itself, so the appends of the green threads, OS threads and
worker processes of a server, and the daemons' merges, never interleave.
An append fsyncs after unlocking, so concurrent appends share fsyncs.
``flock`` blocks the calling OS thread: servers call into this module
from a thread pool (``concurrency.run_in_thread``), never from the hub.

Crash safety of a merge: the rows are committed to SQLite first and the
file is truncated afterwards, both under the lock. A crash in between
leaves rows in the file that the database already has; the next merge
applies them again, which changes nothing because rows merge by
timestamp (newest wins, an equal row is no change).
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import zlib
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from objstore.common.utils import fsync_dir

PENDING_SUFFIX = ".pending"
# Merge once the file is this big: about 600 object rows per transaction.
DEFAULT_MAX_BYTES = 128 * 1024

Row = Dict[str, Any]


def pending_path(db_file: str) -> str:
    return db_file + PENDING_SUFFIX


def encode_record(row: Row) -> bytes:
    """One line of the pending file for ``row``."""
    payload = json.dumps(row, separators=(",", ":"), sort_keys=True).encode("ascii")
    return b"%08x %s\n" % (zlib.crc32(payload), payload)


def decode_records(data: bytes) -> Tuple[List[Row], List[Tuple[int, str]]]:
    """``(rows, problems)`` from the bytes of a pending file.

    ``problems`` lists ``(line number, what is wrong)`` for every line that
    is not a whole, intact record; those lines are left out, the others
    kept in file order. Empty lines (left by the separator an append adds
    after a torn tail) are not problems.
    """
    rows: List[Row] = []
    problems: List[Tuple[int, str]] = []
    for number, line in enumerate(data.split(b"\n"), 1):
        if not line.strip(b"\0 \t\r"):
            continue
        row = _decode_line(line)
        if isinstance(row, str):
            problems.append((number, row))
        else:
            rows.append(row)
    return rows, problems


def _decode_line(line: bytes) -> Any:
    crc, sep, payload = line.partition(b" ")
    if not sep or len(crc) != 8:
        return "not a record (torn write?)"
    try:
        expected = int(crc, 16)
    except ValueError:
        return "bad checksum field (torn write?)"
    if zlib.crc32(payload) != expected:
        return "checksum mismatch (torn write?)"
    try:
        row = json.loads(payload.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return "checksum matches but the JSON does not parse"
    if not isinstance(row, dict) or not isinstance(row.get("name"), str):
        return "record is not a row with a name"
    if not all(v is None or isinstance(v, (str, int, float)) for v in row.values()):
        return "record holds a value that is not a string or a number"
    return row


class PendingFile:
    """The pending file of one database file."""

    def __init__(self, db_file: str, logger: Optional[logging.Logger] = None) -> None:
        self.path = pending_path(db_file)
        self.logger = logger or logging.getLogger("objstore.db.pending")

    def size(self) -> int:
        """Bytes waiting (0 if there is no file)."""
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError:
            return 0

    def append(self, rows: Iterable[Row]) -> int:
        """Append ``rows`` durably; returns the file size afterwards.

        When this returns, the rows are fsynced. If the file ends in a torn
        record (a crash mid-append), a newline goes first so the new
        records are not glued to the torn one and lost with it.

        The fsync runs after the lock is released, so concurrent appenders
        share journal commits (group commit) instead of queueing one fsync
        each behind the lock. That is safe: our fsync still covers our
        bytes, and if a merge took them in meanwhile they are committed
        in SQLite before the truncate.
        """
        data = b"".join(encode_record(r) for r in rows)
        created = False
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
        except FileNotFoundError:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            created = True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data
            _write_all(fd, data)
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.fsync(fd)
            if created:
                # A new file's name must survive a crash too (once per database).
                fsync_dir(os.path.dirname(self.path))
            return size + len(data)
        finally:
            os.close(fd)

    def drain(self, apply: Callable[[List[Row]], int]) -> int:
        """Hand every waiting row to ``apply`` (which must commit them),
        then empty the file; returns what ``apply`` returned.

        If ``apply`` raises, the file is left as it was and the error goes
        to the caller: the rows stay pending for the next merge.
        """
        try:
            fd = os.open(self.path, os.O_RDWR)
        except FileNotFoundError:
            return 0
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            data = _read_all(fd)
            if not data:
                return 0
            rows, problems = decode_records(data)
            for number, problem in problems:
                self.logger.error("Skipped line %d of %s: %s", number, self.path, problem)
            changed = apply(rows) if rows else 0
            # Committed: now forget them. A crash before this line only
            # means the next merge applies the same rows again.
            os.ftruncate(fd, 0)
            return changed
        finally:
            os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except OSError as err:
            if err.errno == errno.EINTR:
                continue
            raise
        view = view[written:]


def _read_all(fd: int) -> bytes:
    chunks = []
    offset = 0
    while True:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)
