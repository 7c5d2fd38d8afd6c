"""Small helpers shared by servers and daemons: paths, files, ids."""

from __future__ import annotations

import errno
import hashlib
import os
import time
import uuid
from typing import Any, Iterable, List, Optional, Tuple
from urllib.parse import unquote


def split_path(path: str, minsegs: int = 1, maxsegs: Optional[int] = None,
               rest_with_last: bool = False) -> List[Optional[str]]:
    """Split ``/a/b/c`` into segments, checking how many there are.

    With ``rest_with_last`` the last segment keeps any further slashes
    (object names may contain ``/``). Missing optional segments are
    ``None``. Raises ``ValueError`` naming the path when it does not fit.
    """
    maxsegs = maxsegs or minsegs
    if minsegs > maxsegs:
        raise ValueError("minsegs > maxsegs: %d > %d" % (minsegs, maxsegs))
    if not path.startswith("/"):
        raise ValueError("Invalid path: %s" % path)
    if rest_with_last:
        segs = path[1:].split("/", maxsegs - 1)
    else:
        segs = path[1:].split("/")
        if len(segs) > 1 and segs[-1] == "":
            segs.pop()  # one trailing slash is allowed
        if len(segs) > maxsegs:
            raise ValueError("Invalid path: %s" % path)
    while len(segs) > minsegs and segs[-1] == "":
        segs.pop()
    if len(segs) < minsegs or "" in segs:
        raise ValueError("Invalid path: %s" % path)
    result: List[Optional[str]] = list(segs)
    result.extend([None] * (maxsegs - len(result)))
    return result


def unquote_path(path: str) -> str:
    """Percent-decode a request path as UTF-8 (``ValueError`` if invalid)."""
    raw = unquote(path, encoding="utf-8", errors="strict")
    return raw


def mkdirs(path: str) -> None:
    """``os.makedirs`` that tolerates a racing creator."""
    try:
        os.makedirs(path)
    except OSError as err:
        if err.errno != errno.EEXIST or not os.path.isdir(path):
            raise


def fsync(fd: int) -> None:
    os.fsync(fd)


def fsync_dir(path: str) -> None:
    """fsync a directory so a rename or create in it survives power loss."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def renamer(src: str, dst: str, fsync_parent: bool = True) -> None:
    """Atomically move ``src`` to ``dst``, creating ``dst``'s directory.

    With ``fsync_parent`` the new directory entry is made durable.
    """
    parent = os.path.dirname(dst)
    mkdirs(parent)
    os.rename(src, dst)
    if fsync_parent:
        fsync_dir(parent)


def file_version(path: str) -> Optional[Tuple[int, int, int]]:
    """What tells one version of a file a server re-reads (rates, realms,
    the fault lab's state) from the next: ``(inode, size, mtime in ns)``,
    ``None`` when it is missing; other ``OSError`` s are raised.

    The mtime alone is not enough: filesystems stamp it from a coarse clock
    (a few ms), so a file replaced twice within one tick keeps its mtime,
    and a server that read it in between would keep the first version. A
    replacement by rename brings a new inode, an edit in place most often a
    new size."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def write_file_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` via temp file + fsync + rename."""
    parent = os.path.dirname(path) or "."
    mkdirs(parent)
    tmp = "%s.%s.tmp" % (path, uuid.uuid4().hex)
    with open(tmp, "wb") as fp:
        fp.write(data)
        fp.flush()
        os.fsync(fp.fileno())
    os.rename(tmp, path)
    fsync_dir(parent)


def ismount(path: str) -> bool:
    """True if ``path`` is a mount point (device or filesystem differs)."""
    try:
        st = os.lstat(path)
        parent = os.lstat(os.path.join(path, ".."))
    except OSError:
        return False
    if not os.path.isdir(path) or os.path.islink(path):
        return False
    return st.st_dev != parent.st_dev or st.st_ino == parent.st_ino


def check_drive(root: str, device: str, mount_check: bool) -> Optional[str]:
    """Full path of ``device`` under ``root`` if usable, else ``None``.

    With ``mount_check`` the device must be a mount point; without it the
    directory must exist. The device name must be a single path segment.
    """
    if not device or "/" in device or device in (".", ".."):
        return None
    path = os.path.join(root, device)
    if mount_check:
        return path if ismount(path) else None
    return path if os.path.isdir(path) else None


def fs_has_free_space(path: str, reserve_bytes: int, reserve_percent: float = 0.0) -> bool:
    """False when the filesystem at ``path`` is below the reserve."""
    try:
        st = os.statvfs(path)
    except OSError:
        return False
    free = st.f_bavail * st.f_frsize
    total = st.f_blocks * st.f_frsize
    if free < reserve_bytes:
        return False
    if total and reserve_percent and (100.0 * free / total) < reserve_percent:
        return False
    return True


def generate_trans_id(suffix: str = "") -> str:
    """A transaction id: random part, time part, optional operator suffix."""
    return "tx%s-%010x%s" % (uuid.uuid4().hex[:21], int(time.time()), suffix)


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def new_md5():  # type: ignore[no-untyped-def]
    """An MD5 hasher (used for ETags, not for security)."""
    return hashlib.md5(usedforsecurity=False)


def close_if_possible(obj: Any) -> None:
    """Call ``obj.close()`` if it has one: the WSGI rule for a response body
    (an app_iter may be a list, a generator, or an object with ``close``)."""
    close = getattr(obj, "close", None)
    if close is not None:
        close()


def drain_and_close(chunks: Iterable[bytes]) -> None:
    """Read a response body to its end, discarding it, then close it: a
    subrequest whose answer is only its status still lets the app below
    finish (and release its connections)."""
    try:
        for _chunk in chunks:
            pass
    finally:
        close_if_possible(chunks)
