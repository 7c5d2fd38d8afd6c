"""The on-disk layout of objects: the one module that builds their paths.

``<devices>/<device>/objects[-N]/<partition>/<suffix>/<hash>/<ts>.data``
(``.ts`` tombstones, ``.meta`` POSTs), where ``hash`` is the placement MD5
of ``/account/container/object`` and ``suffix`` its last three hex digits.
Temp files live in ``<device>/tmp`` (same filesystem, so the publishing
rename is atomic), quarantined objects in ``<device>/quarantined/objects[-N]
/<hash>``, async pendings in ``<device>/async_pending[-N]/<suffix>/``.

The object server, replicator, auditor and reconstructor all go through
``DiskFileManager`` so they agree on the layout and on what is obsolete.
"""

from __future__ import annotations

import errno
import os
import time
import uuid
from typing import Any, Dict, Iterator, List, Optional, Tuple

from objstore.common import body_sums, concurrency, footers, object_lock
from objstore.common.config import config_float, config_int, config_true_value
from objstore.common.config import load_hash_settings, swift_dir
from objstore.common.storage_policy import data_dir
from objstore.common.timestamp import Timestamp
from objstore.common.utils import check_drive, fsync_dir, mkdirs
from objstore.obj import hashes as suffix_hashes
from objstore.obj.exceptions import (DiskFileCollision, DiskFileDeleted,  # noqa: F401
                                     DiskFileDeviceUnavailable, DiskFileError,
                                     DiskFileExpired, DiskFileNoSpace, DiskFileNotExist,
                                     DiskFileQuarantined)
from objstore.obj.metadata import Metadata, MetadataError, read_metadata, write_metadata
from objstore.obj.ondisk import (META_EXT, TS_EXT, OnDiskFiles, cleanup_ondisk_files,
                                 gather_ondisk_files, make_frag_name, make_sidecar_name,
                                 parse_data_name, parse_filename)
from objstore.obj.lab_faults import DeviceFaults
from objstore.obj.reader import DiskFileReader
from objstore.obj.relink import relink_hash_dir
from objstore.obj.writer import DiskFileWriter
from ring.utils import hash_path

OBJECTS = "objects"
ASYNC_PENDING = "async_pending"
TMP = "tmp"
QUARANTINED = "quarantined"
DEFAULT_RECLAIM_AGE = 604800


def parse_reserve(value: str) -> Tuple[int, float]:
    """``fallocate_reserve`` as (bytes, percent): ``1%`` or ``10485760``."""
    text = str(value).strip()
    if text.endswith("%"):
        return 0, float(text[:-1])
    return int(float(text)), 0.0


class DiskFileManager:
    """Factory and per-partition services for one server's devices."""

    def __init__(self, conf: Dict[str, str], logger: Any = None) -> None:
        self.devices = conf.get("devices", "/srv/node")
        self.mount_check = config_true_value(conf.get("mount_check", "true"))
        self.reclaim_age = config_float(conf, "reclaim_age", DEFAULT_RECLAIM_AGE)
        self.disk_chunk_size = config_int(conf, "disk_chunk_size", 1048576, 1)
        self.keep_cache_size = config_int(conf, "keep_cache_size", 5242880, 0)
        self.direct_write_size = config_int(conf, "direct_write_size", 262144, 0)
        self.reserve_bytes, self.reserve_percent = parse_reserve(
            conf.get("fallocate_reserve", "1%"))
        self.hash_prefix, self.hash_suffix = load_hash_settings(swift_dir(conf))
        self.logger = logger
        lab_state = conf.get("fault_lab_state", "").strip()
        self.lab_faults = DeviceFaults(lab_state) if lab_state else None

    # -- paths -------------------------------------------------------------
    def get_dev_path(self, device: str, mount_check: Optional[bool] = None) -> Optional[str]:
        """Path of a usable device, or None (unmounted, missing, bad name)."""
        check = self.mount_check if mount_check is None else mount_check
        path = check_drive(self.devices, device, check)
        if path is not None and self.lab_faults is not None:
            self.lab_faults.slow_down(path)
        return path

    def _dev_path(self, device: str) -> str:
        path = self.get_dev_path(device)
        if path is None:
            raise DiskFileDeviceUnavailable("device %s is not mounted" % device)
        return path

    def object_hash(self, account: str, container: str, obj: str) -> str:
        return hash_path(account, container, obj, prefix=self.hash_prefix,  # type: ignore[return-value]
                         suffix=self.hash_suffix)

    def partition_path(self, device: str, partition: str, policy_index: int = 0) -> str:
        return os.path.join(self._dev_path(device), data_dir(OBJECTS, policy_index), str(partition))

    def hash_dir(self, device_path: str, partition: str, object_hash: str, policy_index: int) -> str:
        return os.path.join(device_path, data_dir(OBJECTS, policy_index), str(partition),
                            object_hash[-3:], object_hash)

    def tmp_dir(self, device_path: str) -> str:
        return os.path.join(device_path, TMP)

    def async_pending_path(self, device: str, policy_index: int, object_hash: str,
                           timestamp: Timestamp) -> str:
        """Where the async pending of one failed container update goes."""
        return os.path.join(self._dev_path(device), data_dir(ASYNC_PENDING, policy_index),
                            object_hash[-3:], "%s-%s" % (object_hash, timestamp.internal))

    def yield_async_pendings(self, device: str, policy_index: int = 0
                             ) -> Iterator[Tuple[str, str, Timestamp]]:
        """``(path, object hash, timestamp)`` of every async pending of a
        device and policy, oldest suffix first (what the updater walks)."""
        base = os.path.join(self._dev_path(device), data_dir(ASYNC_PENDING, policy_index))
        try:
            suffixes = sorted(os.listdir(base))
        except OSError:
            return
        for suffix in suffixes:
            suffix_dir = os.path.join(base, suffix)
            try:
                names = sorted(os.listdir(suffix_dir))
            except OSError:
                continue
            for name in names:
                object_hash, dash, stamp = name.partition("-")
                try:
                    ts = Timestamp(stamp)
                except ValueError:
                    continue
                if dash and len(object_hash) == 32:
                    yield os.path.join(suffix_dir, name), object_hash, ts
            try:
                os.rmdir(suffix_dir)  # only succeeds once the updater emptied it
            except OSError:
                pass

    # -- diskfiles ---------------------------------------------------------
    def get_diskfile(self, device: str, partition: str, account: str, container: str,
                     obj: str, policy_index: int = 0) -> "DiskFile":
        dev_path = self._dev_path(device)
        object_hash = self.object_hash(account, container, obj)
        return DiskFile(self, dev_path, device, str(partition), object_hash, policy_index,
                        name="/%s/%s/%s" % (account, container, obj))

    def get_diskfile_from_hash(self, device: str, partition: str, object_hash: str,
                               policy_index: int = 0) -> "DiskFile":
        """A DiskFile for daemons that know only the hash; the name is read
        from the metadata on ``open``."""
        if len(object_hash) != 32 or not suffix_hashes.is_suffix(object_hash[-3:]):
            raise DiskFileNotExist("bad object hash %r" % object_hash)
        return DiskFile(self, self._dev_path(device), device, str(partition), object_hash,
                        policy_index)

    # -- partitions --------------------------------------------------------
    def get_hashes(self, device: str, partition: str, recalculate_suffixes: List[str],
                   policy_index: int = 0) -> Dict[str, str]:
        """``{suffix: md5}`` for replication; named suffixes recomputed."""
        return suffix_hashes.get_hashes(self.partition_path(device, partition, policy_index),
                                        recalculate_suffixes, self.reclaim_age)

    def list_partitions(self, device: str, policy_index: int = 0) -> List[str]:
        """The partition dirs present on ``device`` for a policy (daemons
        walk these; a device without any yet has none)."""
        objects_dir = os.path.join(self._dev_path(device), data_dir(OBJECTS, policy_index))
        try:
            names = os.listdir(objects_dir)
        except OSError:
            return []
        return sorted((n for n in names if n.isdigit()), key=int)

    def yield_suffixes(self, device: str, partition: str,
                       policy_index: int = 0) -> Iterator[Tuple[str, str]]:
        """``(suffix_path, suffix)`` for every suffix dir of a partition."""
        part_path = self.partition_path(device, partition, policy_index)
        try:
            names = sorted(os.listdir(part_path))
        except OSError:
            return
        for name in names:
            path = os.path.join(part_path, name)
            if suffix_hashes.is_suffix(name) and os.path.isdir(path):
                yield path, name

    def yield_hashes(self, device: str, partition: str, policy_index: int = 0,
                     suffixes: Optional[List[str]] = None
                     ) -> Iterator[Tuple[str, Dict[str, Timestamp]]]:
        """``(hash, {'ts_data': ..., 'ts_meta': ...})`` for every object in
        the partition (or the named suffixes); ``ts_data`` is the .data or
        .ts timestamp. Read-only: nothing is cleaned up here."""
        part_path = self.partition_path(device, partition, policy_index)
        if suffixes is None:
            suffix_paths = [p for p, _s in self.yield_suffixes(device, partition, policy_index)]
        else:
            suffix_paths = [os.path.join(part_path, s) for s in suffixes]
        for suffix_path in suffix_paths:
            try:
                hash_names = sorted(os.listdir(suffix_path))
            except OSError:
                continue
            for object_hash in hash_names:
                try:
                    names = os.listdir(os.path.join(suffix_path, object_hash))
                except OSError:
                    continue
                files = gather_ondisk_files(names, reclaim_age=None)
                stamps: Dict[str, Timestamp] = {}
                if files.base_timestamp is not None:
                    stamps["ts_data"] = files.base_timestamp
                if files.meta_file:
                    stamps["ts_meta"] = Timestamp(files.meta_file[:-len(META_EXT)])
                if stamps:
                    yield object_hash, stamps

    def cleanup_ondisk_files(self, hash_dir: str, reclaim_age: Optional[float] = None) -> OnDiskFiles:
        return cleanup_ondisk_files(hash_dir, self.reclaim_age if reclaim_age is None else reclaim_age)

    def invalidate_hash(self, hash_dir: str, blocking: bool = False) -> None:
        suffix_hashes.invalidate_hash(os.path.dirname(hash_dir), blocking)

    def quarantine(self, device_path: str, hash_dir: str, policy_index: int = 0,
                   reason: str = "") -> Optional[str]:
        """Move a damaged object aside so replication restores a good copy.

        Returns the quarantine path (None if the object was gone already)."""
        object_hash = os.path.basename(hash_dir)
        target = os.path.join(device_path, QUARANTINED, data_dir(OBJECTS, policy_index),
                              object_hash)
        mkdirs(os.path.dirname(target))
        if os.path.exists(target):
            target = "%s-%s" % (target, uuid.uuid4().hex)
        try:
            os.rename(hash_dir, target)
        except OSError as err:
            if err.errno == errno.ENOENT:
                return None
            raise
        fsync_dir(os.path.dirname(target))
        self.invalidate_hash(hash_dir)
        if self.logger:
            self.logger.error("quarantined %s to %s: %s", hash_dir, target, reason)
        return target

    def has_space(self, device_path: str, size: int = 0) -> bool:
        """False when writing ``size`` bytes would dip into the reserve."""
        if self.lab_faults is not None and self.lab_faults.full(device_path):
            return False
        try:
            st = os.statvfs(device_path)
        except OSError:
            return False
        free = st.f_bavail * st.f_frsize - max(size, 0)
        total = st.f_blocks * st.f_frsize
        if free < self.reserve_bytes:
            return False
        if self.reserve_percent and total and 100.0 * free / total < self.reserve_percent:
            return False
        return True


_OPEN_ATTEMPTS = 5


class _Superseded(Exception):
    """A file vanished while being opened: a newer write won; look again."""


class DiskFile:
    """One object (by name or hash) on one device: open it to read, create
    a writer to put a new version, or add a ``.meta``/``.ts``."""

    def __init__(self, mgr: DiskFileManager, device_path: str, device: str, partition: str,
                 object_hash: str, policy_index: int, name: Optional[str] = None) -> None:
        self.mgr = mgr
        self.device_path = device_path
        self.device = device
        self.partition = partition
        self.object_hash = object_hash
        self.policy_index = int(policy_index)
        self.name = name
        self.datadir = mgr.hash_dir(device_path, partition, object_hash, policy_index)
        self._metadata: Optional[Metadata] = None
        self._data_metadata: Optional[Metadata] = None
        self._fd: Optional[int] = None
        self._data_file: Optional[str] = None
        #: EC: open this fragment index (a node may hold several); None = any
        self.wanted_frag: Optional[int] = None
        #: a partition power increase is under way: link every write into
        #: the object's partition under this power too (obj/relink.py)
        self.next_part_power: Optional[int] = None

    # -- reading -----------------------------------------------------------
    def open(self, now: Optional[float] = None) -> "DiskFile":
        """Load the newest state; raise ``DiskFileNotExist`` (or a subclass).

        The data file stays open, so a concurrent overwrite or cleanup does
        not pull the bytes from under a reader. Damaged objects are
        quarantined here and reported as ``DiskFileQuarantined``; a file
        that a concurrent write made obsolete while we looked is not damage,
        we just look again.
        """
        for _attempt in range(_OPEN_ATTEMPTS):
            try:
                return self._open_once(now)
            except _Superseded:
                continue
        raise DiskFileNotExist("%s kept changing while being opened" % self.datadir)

    def _open_once(self, now: Optional[float]) -> "DiskFile":
        try:
            names = os.listdir(self.datadir)
        except OSError as err:
            if err.errno in (errno.ENOENT, errno.ENOTDIR):
                raise DiskFileNotExist(self.datadir) from None
            raise
        files = gather_ondisk_files(names, reclaim_age=None)
        if files.ts_file:
            raise DiskFileDeleted(Timestamp(files.ts_file[:-len(TS_EXT)]))
        if not files.data_file:
            raise DiskFileNotExist(self.datadir)
        data_file = files.data_file
        if self.wanted_frag is not None and files.frag_files:
            data_file = next((n for n in files.frag_files
                              if parse_data_name(n)[1] == self.wanted_frag), "")  # type: ignore[index]
            if not data_file:
                raise DiskFileNotExist("%s has no fragment %d" % (self.datadir,
                                                                  self.wanted_frag))
            files.data_file = data_file
        path = os.path.join(self.datadir, data_file)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            raise _Superseded() from None
        try:
            metadata = self._load(fd, path, files)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._data_file = path
        self._metadata = metadata
        delete_at = metadata.get("X-Delete-At")
        if delete_at:
            try:
                expired = int(delete_at) <= (time.time() if now is None else now)
            except ValueError:
                expired = False
            if expired and not object_lock.is_locked(metadata):  # a lock outlasts X-Delete-At
                self.close()
                raise DiskFileExpired(metadata)
        return self

    def _unchanged(self, files: OnDiskFiles) -> bool:
        try:
            current = gather_ondisk_files(os.listdir(self.datadir))
        except OSError:
            return False
        return (current.data_file, current.meta_file) == (files.data_file, files.meta_file)

    def _load(self, fd: int, path: str, files: OnDiskFiles) -> Metadata:
        try:
            data_meta = read_metadata(fd, self.datadir)
            named = parse_filename(files.data_file)[0].internal  # type: ignore[arg-type,index]
            if str(data_meta.get("X-Timestamp", "")) != named:
                raise MetadataError("timestamp in metadata does not match file name")
            size = os.fstat(fd).st_size
            if str(size) != str(data_meta.get("Content-Length")):
                raise MetadataError("file is %d bytes, metadata says %s"
                                    % (size, data_meta.get("Content-Length")))
            meta_meta: Metadata = {}
            if files.meta_file:
                meta_meta = read_metadata(os.path.join(self.datadir, files.meta_file),
                                          self.datadir)
        except MetadataError as err:
            if not self._unchanged(files):
                raise _Superseded() from None  # its sidecar went with it
            self.quarantine(str(err))
            raise DiskFileQuarantined(str(err)) from None
        except FileNotFoundError:
            raise _Superseded() from None
        if self.name is not None and data_meta.get("name") != self.name:
            raise DiskFileCollision("hash dir %s holds %r, not %r"
                                    % (self.datadir, data_meta.get("name"), self.name))
        self.name = data_meta.get("name")
        self._data_metadata = data_meta
        return merge_metadata(data_meta, meta_meta)

    def tombstone_metadata(self) -> Optional[Metadata]:
        """The newest tombstone's metadata (``name``, ``X-Timestamp``), or
        None if the object is not deleted: replication (ssync) sends a
        deletion by name, and only a tombstone still knows the name."""
        try:
            files = gather_ondisk_files(os.listdir(self.datadir), reclaim_age=None)
            if not files.ts_file:
                return None
            return read_metadata(os.path.join(self.datadir, files.ts_file), self.datadir)
        except (OSError, MetadataError):
            return None

    def get_metadata(self) -> Metadata:
        if self._metadata is None:
            raise DiskFileNotExist("open() first")
        return self._metadata

    def get_datafile_metadata(self) -> Metadata:
        if self._data_metadata is None:
            raise DiskFileNotExist("open() first")
        return self._data_metadata

    @property
    def data_timestamp(self) -> Timestamp:
        return Timestamp(self.get_datafile_metadata()["X-Timestamp"])

    @property
    def timestamp(self) -> Timestamp:
        """Newest of data and meta: what a conflict is decided against."""
        return Timestamp(self.get_metadata()["X-Timestamp"])

    def reader(self, verify: bool = True, check_etag: bool = False) -> DiskFileReader:
        """Chunks of the open object; takes over the open file. A full read
        checks the ``.data``'s own CRC (``check_etag``: and the MD5)."""
        if self._fd is None:
            raise DiskFileNotExist("open() first")
        fd, self._fd = self._fd, None
        return DiskFileReader(fd, self.get_metadata(), self.mgr.disk_chunk_size,
                              on_damage=self._quarantine_if_current if verify else None,
                              body_crc=self.get_datafile_metadata().get(body_sums.METADATA_KEY),
                              check_etag=check_etag,
                              keep_cache=self.mgr.keep_cache_size)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def quarantine(self, reason: str) -> Optional[str]:
        return self.mgr.quarantine(self.device_path, self.datadir, self.policy_index, reason)

    def _quarantine_if_current(self, reason: str) -> Optional[str]:
        """Quarantine after a bad full read, unless a newer write replaced
        the file meanwhile (then the damaged copy is obsolete anyway)."""
        try:
            files = gather_ondisk_files(os.listdir(self.datadir))
        except OSError:
            return None
        if files.data_file and os.path.join(self.datadir, files.data_file) == self._data_file:
            return self.quarantine(reason)
        return None

    # -- writing -----------------------------------------------------------
    def create(self, size: Optional[int] = None) -> DiskFileWriter:
        """A writer for a new version; raises ``DiskFileNoSpace`` if the
        device is below its reserve or cannot preallocate ``size``."""
        if not self.mgr.has_space(self.device_path, size or 0):
            raise DiskFileNoSpace("device %s below fallocate_reserve" % self.device)
        try:
            return DiskFileWriter(self.mgr.tmp_dir(self.device_path), self.datadir, size,
                                  self._relink, keep_cache=self.mgr.keep_cache_size,
                                  direct_size=self.mgr.direct_write_size, tidy=self._tidy)
        except OSError as err:
            if err.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFileNoSpace(str(err)) from None
            raise

    def fragments(self) -> List[int]:
        """EC: the durable fragment indexes held for the served timestamp."""
        try:
            files = gather_ondisk_files(os.listdir(self.datadir))
        except OSError:
            return []
        return [parse_data_name(n)[1] for n in files.frag_files]  # type: ignore[index,misc]

    def commit(self, timestamp: Timestamp,
               extra: Optional[Metadata] = None) -> Optional[Metadata]:
        """EC phase two: add ``extra`` (sysmeta known only once the whole
        body was read) to every fragment of ``timestamp`` here and make it
        durable (rename to ``#d``), so it is served from now on.

        Returns the committed metadata; None when no fragment of that
        timestamp is here (never written, or superseded and cleaned)."""
        metadata = concurrency.run_in_thread(self._commit, timestamp, dict(extra or {}))
        if metadata is not None:
            self._relink()
        return metadata

    def _commit(self, timestamp: Timestamp, extra: Metadata) -> Optional[Metadata]:
        try:
            names = os.listdir(self.datadir)
        except OSError:
            return None
        committed: Optional[Metadata] = None
        for name in sorted(names):
            info = parse_data_name(name)
            if info is None or info[1] is None or info[0] != timestamp:
                continue
            path = os.path.join(self.datadir, name)
            try:
                metadata = read_metadata(path, self.datadir)
                if not info[2]:
                    if extra and any(metadata.get(k) != v for k, v in extra.items()):
                        metadata.update(extra)
                        sidecar = os.path.join(self.datadir, make_sidecar_name(
                            name, uuid.uuid4().hex[:8]))
                        write_metadata(path, metadata, sidecar)
                        fd = os.open(path, os.O_RDONLY)
                        try:
                            os.fsync(fd)
                        finally:
                            os.close(fd)
                    os.rename(path, os.path.join(self.datadir,
                                                 make_frag_name(timestamp, info[1], True)))
            except (FileNotFoundError, MetadataError):
                continue  # cleaned up under us, or damaged: the auditor's business
            committed = metadata
        if committed is not None:
            fsync_dir(self.datadir)
            self._tidy()
        return committed

    def purge_fragment(self, timestamp: Timestamp, frag_index: int) -> None:
        """Remove one fragment archive, once the reconstructor reverted it
        to its primary (this device was only standing in)."""
        for durable in (True, False):
            try:
                os.unlink(os.path.join(self.datadir, make_frag_name(timestamp, frag_index,
                                                                    durable)))
            except FileNotFoundError:
                pass
        self._after_write()

    def _after_write(self) -> None:
        self.mgr.cleanup_ondisk_files(self.datadir)
        self.mgr.invalidate_hash(self.datadir)
        self._relink()

    def _tidy(self) -> None:
        """After a publish, in the write's own thread-pool call (a real
        thread: system calls only, the partition lock waited for by
        blocking): remove what the new file obsoletes and log its suffix
        as changed, so the hub does not wait for those unlinks and opens."""
        self.mgr.cleanup_ondisk_files(self.datadir)
        self.mgr.invalidate_hash(self.datadir, blocking=True)

    def _relink(self) -> None:
        """During a partition power increase, link the hash dir's files
        (cleaned already) into the next part power's partition too."""
        if self.next_part_power:
            relink_hash_dir(self.mgr, self.device_path, self.policy_index, self.partition,
                            self.object_hash, self.next_part_power)

    def write_metadata(self, metadata: Metadata) -> None:
        """Publish a ``.meta`` (a fast POST) at ``metadata['X-Timestamp']``."""
        self._write_empty(metadata, META_EXT)

    def delete(self, timestamp: Timestamp) -> None:
        """Publish a tombstone at ``timestamp``."""
        self._write_empty({"X-Timestamp": timestamp.internal, "name": self.name or ""}, TS_EXT)

    def _write_empty(self, metadata: Metadata, ext: str) -> None:
        with self.create(0) as writer:
            writer.put(metadata, ext)


#: In a ``.meta``: when a POST set the Content-Type it carries (newer than
#: the ``.data``'s, it is what readers see).
CONTENT_TYPE_TIMESTAMP = "Content-Type-Timestamp"
_DATAFILE_ONLY = frozenset(("name", "x-timestamp", "content-length", "content-type", "etag",
                            "deleted", "x-static-large-object",
                            body_sums.METADATA_KEY.lower()))


def merge_metadata(data_meta: Metadata, meta_meta: Metadata) -> Metadata:
    """What a reader sees: content and sysmeta from the ``.data``, and
    everything else (user metadata, X-Delete-At, ...) from the ``.meta`` if
    there is one, since a POST replaces those; the Content-Type too when a
    POST newer than the data set it."""
    if not meta_meta:
        return dict(data_meta)
    merged = {k: v for k, v in meta_meta.items()}
    # The lock keys are the one sysmeta a POST may change (common/object_lock.py).
    lock_in_meta = any(k.lower().startswith(object_lock.PREFIX) for k in meta_meta)
    for key, value in data_meta.items():
        lower = key.lower()
        if lower in _DATAFILE_ONLY or lower.startswith("x-object-sysmeta-") and not (
                lower.startswith(object_lock.PREFIX) and lock_in_meta):
            merged[key] = value
    given = {k.lower() for k in meta_meta}
    for key in footers.KEPT_BY_POST:  # learnt from the body, which a POST keeps
        if key.lower() not in given and key in data_meta:
            merged[key] = data_meta[key]
    ctype_ts = meta_meta.get(CONTENT_TYPE_TIMESTAMP)
    if ctype_ts and "Content-Type" in meta_meta and \
            Timestamp(ctype_ts) > Timestamp(data_meta.get("X-Timestamp") or 0):
        merged["Content-Type"] = meta_meta["Content-Type"]  # a POST changed the type
    merged["X-Timestamp"] = meta_meta.get("X-Timestamp", data_meta.get("X-Timestamp", ""))
    merged["X-Data-Timestamp"] = data_meta.get("X-Timestamp", "")
    return merged
