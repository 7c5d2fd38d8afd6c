"""What the disk itself can do, measured the way an object server uses it.

    .venv/bin/python bench/disk.py [--dir DIR] [--seconds N] [--quick] [--json FILE]

``bench/load.py`` runs these in the same run as the HTTP load, so its
ratios (objstore PUT ops/s against disk fsync ops/s, large PUT MB/s
against sequential write MB/s) compare figures taken under the same
conditions. Each measurement is bounded by time and by count, and works
in a scratch directory that is removed afterwards.

What is measured, exactly:

- ``fsync 4k``: append 4 KiB to a file and ``fsync`` it, per op; with
  concurrency N, N threads each append to a file of their own (the
  filesystem journal can then commit several in one flush, as it does for
  an object server's concurrent PUTs).
- ``create 4k``: one replica's PUT on disk, less the xattr: create a temp
  file, write 4 KiB, ``fsync``, rename it into place, ``fsync`` the
  directory.
- ``seq write``: 1 MiB buffered writes to one file, one ``fsync`` at the
  end; the time includes that fsync (which is how an object server ends a
  large PUT).
- ``seq read``: the same file read back in 1 MiB blocks with ``O_DIRECT``
  so the page cache is not read; where ``O_DIRECT`` is refused, the file's
  clean pages are dropped with ``posix_fadvise(DONTNEED)`` first and the
  read is buffered (the JSON says which).

No cache is dropped system-wide: that needs root and would disturb the
other users of a shared machine. On a virtual machine the "disk" is the
hypervisor's, whose own cache may make these figures kinder than a real
disk's.
"""
from __future__ import annotations

import argparse
import errno
import json
import mmap
import os
import shutil
import sys
import tempfile
import threading
import time
from typing import Any, Dict, List

BLOCK = 1024 * 1024
SMALL = 4096
MB = 1000 * 1000


def _ops_result(ops: int, elapsed: float, lats: List[float]) -> Dict[str, Any]:
    lats.sort()
    return {"ops": ops, "seconds": round(elapsed, 3),
            "ops_per_s": round(ops / elapsed, 1) if elapsed > 0 else 0.0,
            "p50_ms": round(lats[len(lats) // 2] * 1000, 2) if lats else None}


def fsync_rate(path: str, seconds: float, max_ops: int, concurrency: int = 1) -> Dict[str, Any]:
    """Ops/s of "append 4 KiB + fsync" with ``concurrency`` threads, one file each."""
    data = os.urandom(SMALL)
    deadline_holder: List[float] = []
    start = threading.Barrier(concurrency + 1)
    counter = iter(range(max_ops))
    lock = threading.Lock()
    lats: List[float] = []

    def worker(i: int) -> None:
        fd = os.open(os.path.join(path, "fsync-%d" % i), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        mine = []
        try:
            start.wait()
            while time.monotonic() < deadline_holder[0]:
                with lock:
                    if next(counter, None) is None:
                        break
                t = time.monotonic()
                os.write(fd, data)
                os.fsync(fd)
                mine.append(time.monotonic() - t)
        finally:
            os.close(fd)
            with lock:
                lats.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for th in threads:
        th.start()
    t0 = time.monotonic()
    deadline_holder.append(t0 + seconds)
    start.wait()
    for th in threads:
        th.join()
    res = _ops_result(len(lats), time.monotonic() - t0, lats)
    res["concurrency"] = concurrency
    return res


def create_rate(path: str, seconds: float, max_ops: int) -> Dict[str, Any]:
    """Ops/s of create temp + write 4 KiB + fsync + rename + fsync dir."""
    data = os.urandom(SMALL)
    dirfd = os.open(path, os.O_RDONLY)
    lats = []
    t0 = time.monotonic()
    try:
        for i in range(max_ops):
            if time.monotonic() - t0 >= seconds:
                break
            t = time.monotonic()
            tmp = os.path.join(path, ".tmp-%d" % i)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(tmp, os.path.join(path, "obj-%d.data" % i))
            os.fsync(dirfd)
            lats.append(time.monotonic() - t)
    finally:
        os.close(dirfd)
    return _ops_result(len(lats), time.monotonic() - t0, lats)


def seq_write(file_path: str, nbytes: int, seconds: float) -> Dict[str, Any]:
    """MB/s of 1 MiB buffered writes then one fsync (included in the time)."""
    buf = os.urandom(BLOCK)
    written = 0
    t0 = time.monotonic()
    fd = os.open(file_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while written < nbytes and time.monotonic() - t0 < seconds:
            written += os.write(fd, buf)
        os.fsync(fd)
    finally:
        os.close(fd)
    elapsed = time.monotonic() - t0
    return {"bytes": written, "seconds": round(elapsed, 3),
            "mb_per_s": round(written / MB / elapsed, 1)}


def seq_read(file_path: str, seconds: float) -> Dict[str, Any]:
    """MB/s reading ``file_path`` in 1 MiB blocks without the page cache."""
    method = "O_DIRECT"
    try:
        fd = os.open(file_path, os.O_RDONLY | getattr(os, "O_DIRECT", 0))
        if not hasattr(os, "O_DIRECT"):
            raise OSError(errno.EINVAL, "no O_DIRECT")
    except OSError:
        fd = os.open(file_path, os.O_RDONLY)
        method = "fadvise-dontneed"
    buf = mmap.mmap(-1, BLOCK)  # page-aligned, as O_DIRECT needs
    total = 0
    try:
        if method != "O_DIRECT":
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds:
            try:
                n = os.readv(fd, [buf])
            except OSError as exc:
                if exc.errno != errno.EINVAL or method != "O_DIRECT" or total:
                    raise
                # The filesystem took O_DIRECT at open but refuses the read.
                os.close(fd)
                fd = os.open(file_path, os.O_RDONLY)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                method = "fadvise-dontneed"
                t0 = time.monotonic()
                continue
            if n <= 0:
                break
            total += n
        elapsed = time.monotonic() - t0
    finally:
        os.close(fd)
        buf.close()
    return {"bytes": total, "seconds": round(elapsed, 3),
            "mb_per_s": round(total / MB / elapsed, 1) if elapsed > 0 else 0.0,
            "method": method}


def measure(directory: str, seconds: float = 10.0, max_ops: int = 100000,
            seq_bytes: int = 1024 * BLOCK, concurrency: int = 16) -> Dict[str, Any]:
    """Every disk figure, in a scratch dir under ``directory`` (removed after)."""
    os.makedirs(directory, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="bench-disk-", dir=directory)
    try:
        out: Dict[str, Any] = {"dir": directory, "st_dev": os.stat(scratch).st_dev}
        out["fsync_4k_c1"] = fsync_rate(scratch, seconds, max_ops, 1)
        out["fsync_4k_cN"] = fsync_rate(scratch, seconds, max_ops, concurrency)
        out["create_4k"] = create_rate(scratch, seconds, max_ops)
        big = os.path.join(scratch, "seq")
        out["seq_write"] = seq_write(big, seq_bytes, seconds)
        out["seq_read"] = seq_read(big, seconds)
        return out
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def format_table(d: Dict[str, Any]) -> str:
    rows = [
        ("fsync 4k, 1 thread", "%.0f ops/s" % d["fsync_4k_c1"]["ops_per_s"], d["fsync_4k_c1"]["p50_ms"]),
        ("fsync 4k, %d threads" % d["fsync_4k_cN"]["concurrency"],
         "%.0f ops/s" % d["fsync_4k_cN"]["ops_per_s"], d["fsync_4k_cN"]["p50_ms"]),
        ("create+fsync+rename+dirfsync", "%.0f ops/s" % d["create_4k"]["ops_per_s"], d["create_4k"]["p50_ms"]),
        ("seq write 1 MiB + fsync", "%.1f MB/s" % d["seq_write"]["mb_per_s"], None),
        ("seq read (%s)" % d["seq_read"]["method"], "%.1f MB/s" % d["seq_read"]["mb_per_s"], None),
    ]
    lines = ["disk (%s)" % d["dir"], "  %-32s %14s %9s" % ("what", "rate", "p50 ms")]
    for what, rate, p50 in rows:
        lines.append("  %-32s %14s %9s" % (what, rate, "-" if p50 is None else "%.2f" % p50))
    return "\n".join(lines)


def main(argv: List[str] = None) -> int:
    p = argparse.ArgumentParser(description="Disk fsync and sequential throughput.")
    p.add_argument("--dir", default=tempfile.gettempdir())
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--seq-mib", type=int, default=1024)
    p.add_argument("--quick", action="store_true", help="3 s per figure, 256 MiB sequential")
    p.add_argument("--json")
    a = p.parse_args(argv)
    if a.quick:
        a.seconds, a.seq_mib = 3.0, 256
    d = measure(a.dir, a.seconds, seq_bytes=a.seq_mib * BLOCK)
    print(format_table(d))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(d, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
