"""Object metadata in extended attributes, with a sidecar when they are full.

Metadata is a flat ``{str: str}`` dict stored as JSON (never pickle: a
pickle read back from a disk is code execution). It goes into xattrs
``user.objstore.metadata``, ``user.objstore.metadata1``, ... in pieces of
``XATTR_CHUNK`` bytes, because some filesystems limit the size of one value.

ext4 keeps all xattrs of a file in the inode plus one 4 KiB block, so an
object with the full 4096 bytes of user metadata plus system metadata does
not fit and ``setxattr`` fails with ``ENOSPC`` (or ``E2BIG``). Then the
whole dict is written to a *sidecar* file next to the object (the caller
chooses its path, in the hash dir) and fsynced, and the xattrs keep only the
core keys plus a pointer naming the sidecar and its MD5. The caller
publishes the object with a rename *after* this returns, so a published
object never points at a missing or half-written sidecar.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from typing import Callable, Dict, Optional, Union

XATTR_KEY = "user.objstore.metadata"
XATTR_CHUNK = 2048
SPILL_KEY = "X-Objstore-Spill"
#: Keys kept in the xattrs even when the rest spills: enough for an auditor
#: to check name and size without opening the sidecar.
CORE_KEYS = ("name", "X-Timestamp", "Content-Length", "ETag", "Content-Type")
_FULL_ERRNOS = (errno.ENOSPC, errno.E2BIG, errno.ERANGE)
_MAX_CHUNKS = 1024

Metadata = Dict[str, str]
FileRef = Union[int, str]


class MetadataError(Exception):
    """Metadata is missing, not JSON, or its sidecar is gone or damaged.

    The object it belongs to cannot be trusted; callers quarantine it.
    """


def _key(index: int) -> str:
    return XATTR_KEY if index == 0 else "%s%d" % (XATTR_KEY, index)


def _clear(ref: FileRef) -> None:
    for index in range(_MAX_CHUNKS):
        try:
            os.removexattr(ref, _key(index))
        except OSError as err:
            if err.errno == errno.ENODATA:
                return
            raise


def _set_chunks(ref: FileRef, blob: bytes) -> None:
    index = 0
    for start in range(0, max(len(blob), 1), XATTR_CHUNK):
        os.setxattr(ref, _key(index), blob[start:start + XATTR_CHUNK])
        index += 1


def _encode(metadata: Metadata) -> bytes:
    return json.dumps(metadata, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _decode(blob: bytes, where: str) -> Metadata:
    try:
        value = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MetadataError("metadata of %s is not valid JSON" % where) from None
    if not isinstance(value, dict):
        raise MetadataError("metadata of %s is not a JSON object" % where)
    return value


def write_metadata(ref: FileRef, metadata: Metadata,
                   sidecar_path: Union[str, Callable[[], str]],
                   fresh: bool = False) -> Optional[str]:
    """Store ``metadata`` on the open file (fd) or path ``ref``.

    Returns the sidecar's path if the metadata had to spill there, else
    None (``sidecar_path`` may be a function making the path, called only
    then). The sidecar is fsynced; the caller fsyncs ``ref`` and renames it.
    ``fresh``: ``ref`` is a new file with no metadata to clear yet.
    """
    blob = _encode(metadata)
    if not fresh:
        _clear(ref)
    try:
        _set_chunks(ref, blob)
        return None
    except OSError as err:
        if err.errno not in _FULL_ERRNOS:
            raise
    _clear(ref)
    if callable(sidecar_path):
        sidecar_path = sidecar_path()
    fd = os.open(sidecar_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(blob)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    pointer = {SPILL_KEY: json.dumps({
        "file": os.path.basename(sidecar_path),
        "md5": hashlib.md5(blob, usedforsecurity=False).hexdigest(),
        "size": len(blob)})}
    core = {k: metadata[k] for k in CORE_KEYS if k in metadata}
    core.update(pointer)
    for attempt in (core, pointer):
        try:
            _set_chunks(ref, _encode(attempt))
            return sidecar_path
        except OSError as err:
            if err.errno not in _FULL_ERRNOS:
                raise
            _clear(ref)
    raise OSError(errno.ENOSPC, "no room for even the metadata pointer")


def _read_xattr_blob(ref: FileRef, where: str) -> bytes:
    """The chunks joined. ``_set_chunks`` fills every chunk but the last,
    so a short one is the last: no look-up of a next key that is not there
    (one failing system call per read, GET, HEAD and DELETE alike)."""
    pieces = []
    for index in range(_MAX_CHUNKS):
        try:
            piece = os.getxattr(ref, _key(index))
        except OSError as err:
            if err.errno == errno.ENODATA:
                break
            if err.errno == errno.ENOENT:
                raise
            raise MetadataError("cannot read metadata of %s: %s" % (where, err.strerror)) from None
        pieces.append(piece)
        if len(piece) < XATTR_CHUNK:
            break
    if not pieces:
        raise MetadataError("%s carries no metadata" % where)
    return b"".join(pieces)


def read_metadata(ref: FileRef, directory: str) -> Metadata:
    """The metadata of ``ref`` (fd or path); a sidecar is looked for in
    ``directory``. Raises ``MetadataError`` if it cannot be trusted, and
    ``FileNotFoundError`` if the file itself vanished."""
    where = ref if isinstance(ref, str) else "fd %d in %s" % (ref, directory)
    metadata = _decode(_read_xattr_blob(ref, str(where)), str(where))
    if SPILL_KEY not in metadata:
        return metadata
    pointer = _decode(str(metadata[SPILL_KEY]).encode("utf-8"), str(where))
    name = str(pointer.get("file", ""))
    if not name or "/" in name:
        raise MetadataError("bad sidecar pointer in %s" % where)
    try:
        with open(os.path.join(directory, name), "rb") as fp:
            blob = fp.read(int(pointer.get("size", 0)) + 1)
    except OSError as err:
        raise MetadataError("sidecar %s of %s unreadable: %s" % (name, where, err.strerror)) from None
    if hashlib.md5(blob, usedforsecurity=False).hexdigest() != pointer.get("md5"):
        raise MetadataError("sidecar %s of %s is damaged (MD5 mismatch)" % (name, where))
    return _decode(blob, name)


def sidecar_name(ref: FileRef) -> Optional[str]:
    """Basename of the sidecar ``ref`` points at, or None (cleanup keeps it)."""
    try:
        metadata = _decode(_read_xattr_blob(ref, str(ref)), str(ref))
        if SPILL_KEY in metadata:
            return str(json.loads(metadata[SPILL_KEY]).get("file")) or None
    except (OSError, MetadataError, ValueError, AttributeError):
        pass
    return None
