"""Read counts on their way from the proxies to the tierer: a journal.

A proxy worker never writes anything on a GET's path: ``Counter.add`` bumps
a number in memory. Every ``flush_interval`` seconds a green thread of the
worker appends the counts to ``<journal_dir>/<host>-<pid>.journal``, one JSON line per
object and counting bucket, under an exclusive ``flock`` and fsynced. A
proxy crash loses at most one interval of counts: they only delay a move.

Counts from outside (a CDN's log pipeline) are appended the same way by the
admin API (``append``), so the tierer has one source.

The tierer collects a journal by renaming it aside (``.collecting``), taking
the same lock (so a writer that opened the file before the rename finishes
first; a writer that finds its file renamed writes a new one), reading it,
and deleting it once its counts are committed. Its name is recorded in the
same transaction, so a tierer killed between commit and delete never
counts a file twice.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple

SUFFIX = ".journal"
COLLECTING = ".collecting"
#: (path, bucket start in unix seconds, count), or with a fourth item, the
#: tier a write asked for (an S3 PutObject's storage class): a placement
CountRow = Tuple  # (str, int, int) or (str, int, int, str)


def bucket_of(when: float, width: int) -> int:
    """The start of the counting bucket ``when`` falls in."""
    return int(when // width * width)


def append(journal_dir: str, rows: Iterable[CountRow], name: Optional[str] = None) -> int:
    """Append ``rows`` to this process's journal; returns the rows written.

    Raises ``OSError`` when the journal cannot be written (the caller logs
    it; counts are advisory)."""
    lines = [json.dumps(dict({"p": row[0], "b": int(row[1]), "n": int(row[2])},
                             **({"t": row[3]} if len(row) > 3 else {})), separators=(",", ":"))
             for row in rows if row[2] >= 0]
    if not lines:
        return 0
    data = ("\n".join(lines) + "\n").encode("utf-8")
    os.makedirs(journal_dir, exist_ok=True)
    path = os.path.join(journal_dir, (name or "%s-%d" % (socket.gethostname(), os.getpid()))
                        + SUFFIX)
    for _attempt in range(3):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_nlink == 0:
                continue  # collected (renamed and deleted) while we waited: write anew
            os.write(fd, data)
            os.fsync(fd)
            return len(lines)
        finally:
            os.close(fd)
    raise OSError("journal %s kept being collected under the writer" % path)


class Counter:
    """One proxy worker's counts in memory; a green thread of its own
    appends them to the journal every ``flush_interval`` seconds, so
    ``add`` never touches the disk."""

    def __init__(self, journal_dir: str, bucket_width: int, flush_interval: float,
                 spawn: Callable[..., object], sleep: Callable[[float], None],
                 run_in_thread: Callable[..., object],
                 on_error: Callable[[Exception], None],
                 write: Optional[Callable[[List[CountRow]], int]] = None,
                 retry: Optional[Callable[[], object]] = None) -> None:
        """``write``: where a flush sends its rows instead of the journal
        (``memcached_counts``; called in the flusher's green thread, not a
        thread of its own: it does network I/O, not disk I/O). ``retry``:
        called at each interval with nothing new to flush (what memcached
        lost of the batches sent is sent again)."""
        self.journal_dir = journal_dir
        self._write = write
        self._retry = retry
        self.bucket_width = bucket_width
        self.flush_interval = flush_interval
        self._spawn = spawn
        self._sleep = sleep
        self._run_in_thread = run_in_thread
        self._on_error = on_error
        self._counts: Dict[Tuple[str, int], int] = {}
        self._placements: Dict[str, Tuple[int, str]] = {}
        self._flusher_pid = 0

    def add(self, path: str, count: int = 1, now: Optional[float] = None) -> None:
        now = time.time() if now is None else now
        key = (path, bucket_of(now, self.bucket_width))
        self._counts[key] = self._counts.get(key, 0) + count
        self.watch()

    def place(self, path: str, tier: str, now: Optional[float] = None) -> None:
        """Ask the tierer to move ``path`` to ``tier`` (a write that named
        its storage class), with the next flush."""
        now = time.time() if now is None else now
        self._placements[path] = (bucket_of(now, self.bucket_width), tier)
        self.add(path, 0, now)

    def watch(self) -> None:
        """Have this worker's flusher run (it starts with the first count)."""
        if self._flusher_pid != os.getpid():  # first count of this (forked) worker
            self._flusher_pid = os.getpid()
            self._spawn(self._flush_forever)

    def pending(self) -> int:
        return len(self._counts)

    def _flush_forever(self) -> None:
        while True:
            self._sleep(self.flush_interval)
            if self._counts or self._placements:
                self.flush_now()
            elif self._retry is not None:
                try:
                    self._retry()
                except Exception as err:  # advisory, as a flush
                    self._on_error(err)

    def flush_now(self) -> None:
        """Append what is counted (the flusher, tests, a worker stopping)."""
        counts, self._counts = self._counts, {}
        placements, self._placements = self._placements, {}
        try:
            rows: List[CountRow] = [(p, b, n) for (p, b), n in counts.items()]
            rows += [(p, b, 0, tier) for p, (b, tier) in placements.items()]
            if self._write is not None:
                self._write(rows)
            else:
                self._run_in_thread(append, self.journal_dir, rows)
        except Exception as err:  # counts are advisory: log, never fail a read
            self._on_error(err)


def collect(journal_dir: str, already: Callable[[str], bool],
            commit: Callable[[str, List[CountRow]], None]) -> int:
    """Fold every journal of ``journal_dir`` into the tierer through
    ``commit(name, rows)`` (one transaction that also records ``name``);
    ``already(name)`` says a file was committed before a crash. Returns
    the rows collected. Malformed lines are skipped (a torn last line of a
    writer killed mid-write)."""
    try:
        names = sorted(os.listdir(journal_dir))
    except FileNotFoundError:
        return 0
    total = 0
    stamp = "%d.%d" % (int(time.time() * 1e6), os.getpid())
    for name in names:
        src = os.path.join(journal_dir, name)
        if name.endswith(SUFFIX):
            aside = "%s.%s%s" % (src, stamp, COLLECTING)
            try:
                os.rename(src, aside)
            except FileNotFoundError:
                continue
        elif name.endswith(COLLECTING):
            aside = src  # left by a collector killed before it finished
        else:
            continue
        key = os.path.basename(aside)
        if not already(key):
            rows = list(_read(aside))
            commit(key, rows)
            total += len(rows)
        try:
            os.unlink(aside)
        except FileNotFoundError:
            pass
    return total


def _read(path: str) -> Iterator[CountRow]:
    with open(path, "rb") as fp:
        fcntl.flock(fp.fileno(), fcntl.LOCK_EX)  # a writer mid-append finishes first
        for line in fp:
            try:
                row = json.loads(line)
                if "t" in row:
                    yield str(row["p"]), int(row["b"]), int(row["n"]), str(row["t"])
                else:
                    yield str(row["p"]), int(row["b"]), int(row["n"])
            except (ValueError, KeyError, TypeError):
                continue
