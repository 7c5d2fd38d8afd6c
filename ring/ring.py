"""The Ring: a read-only, self-reloading view of a ``<kind>.ring.gz`` file.

Servers and daemons hold one Ring per kind for their whole life and ask it
where names live.  The file is replaced (atomically) by operators; the Ring
notices the new mtime and reloads, keeping the old table in service if the
new file turns out to be unusable.
"""
from __future__ import annotations

import os
import struct
import time
from hashlib import md5
from math import gcd
from typing import Any, Iterator, Optional

from ring.formats import RingData, RingLoadError, load_ring_file
from ring.utils import StrOrBytes, _to_bytes, load_hash_settings

_UNPACK_I = struct.Struct('>I').unpack_from


class _Snapshot:
    """Everything one loaded file gives us; swapped in whole on reload."""

    def __init__(self, data: RingData, file_md5: str, mtime: float) -> None:
        self.data = data
        self.md5 = file_md5
        self.mtime = mtime
        self.devs = data.devs
        self.rows = data.replica2part2dev
        self.part_shift = data.part_shift
        self.part_count = 1 << (32 - data.part_shift)
        self.full_rows = [r for r in self.rows if len(r) == self.part_count]
        self.short_rows = [(i, r) for i, r in enumerate(self.rows)
                           if len(r) != self.part_count]
        self.handoff_devs = [d for d in self.devs
                             if d is not None and d.get('weight', 0) > 0]
        n = len(self.handoff_devs)
        self.strides = [s for s in range(1, max(n, 2)) if gcd(s, n) == 1] or [1]


class Ring:
    """Lookups of partitions and nodes for one ring file.

    ``Ring('/etc/objstore', ring_name='object')`` or
    ``Ring('/etc/objstore/object.ring.gz')``.  When ``hash_prefix`` and
    ``hash_suffix`` are not given they are read from ``objstore.conf`` in
    the ring's directory (absent file => empty salt).
    """

    def __init__(self, path_or_swift_dir: str, ring_name: Optional[str] = None,
                 reload_time: float = 15, hash_prefix: Optional[bytes] = None,
                 hash_suffix: Optional[bytes] = None) -> None:
        if ring_name is not None or os.path.isdir(path_or_swift_dir):
            if ring_name is None:
                raise ValueError('%s is a directory; pass ring_name too'
                                 % path_or_swift_dir)
            self.path = os.path.join(path_or_swift_dir, '%s.ring.gz' % ring_name)
            swift_dir = path_or_swift_dir
        else:
            self.path = path_or_swift_dir
            swift_dir = os.path.dirname(os.path.abspath(path_or_swift_dir))
        if hash_prefix is None or hash_suffix is None:
            conf_prefix, conf_suffix = load_hash_settings(swift_dir)
            hash_prefix = conf_prefix if hash_prefix is None else hash_prefix
            hash_suffix = conf_suffix if hash_suffix is None else hash_suffix
        self.hash_prefix = _to_bytes(hash_prefix)
        self.hash_suffix = _to_bytes(hash_suffix)
        self.reload_time = reload_time
        self._snap = self._load()
        self._next_check = time.time() + reload_time

    # -------------------------------------------------------------- loading
    def _load(self) -> _Snapshot:
        try:
            mtime = os.path.getmtime(self.path)
        except OSError as err:
            raise RingLoadError(self.path, 'cannot stat ring file (%s)' % err.strerror)
        data, file_md5 = load_ring_file(self.path)
        return _Snapshot(data, file_md5, mtime)

    def _maybe_reload(self) -> None:
        now = time.time()
        if now < self._next_check:
            return
        self._next_check = now + self.reload_time
        try:
            mtime = os.path.getmtime(self.path)
        except OSError:
            return  # file being replaced; keep serving the old ring
        if mtime != self._snap.mtime:
            try:
                self._snap = self._load()
            except RingLoadError:
                # A bad push must not take the cluster down: keep the old
                # table and try again at the next check.
                pass

    def reload(self) -> None:
        """Load the file now; raises RingLoadError and keeps the old ring on failure."""
        self._snap = self._load()
        self._next_check = time.time() + self.reload_time

    def has_changed(self) -> bool:
        """True when the file on disk is not the one in memory."""
        try:
            return os.path.getmtime(self.path) != self._snap.mtime
        except OSError:
            return True

    # ----------------------------------------------------------- properties
    @property
    def md5(self) -> str:
        self._maybe_reload()
        return self._snap.md5

    @property
    def devs(self) -> list[Optional[dict[str, Any]]]:
        self._maybe_reload()
        return self._snap.devs

    @property
    def partition_count(self) -> int:
        self._maybe_reload()
        return self._snap.part_count

    @property
    def part_power(self) -> int:
        self._maybe_reload()
        return 32 - self._snap.part_shift

    @property
    def next_part_power(self) -> Optional[int]:
        """The power a partition power increase under way goes to (None
        when none is): object writes are linked into their partition under it."""
        self._maybe_reload()
        value = self._snap.data.extra.get('next_part_power')
        return int(value) if value is not None else None

    @property
    def replica_count(self) -> float:
        self._maybe_reload()
        return self._snap.data.replica_count

    @property
    def version(self) -> Optional[int]:
        return self._snap.data.version

    # -------------------------------------------------------------- lookups
    def get_part(self, account: StrOrBytes, container: Optional[StrOrBytes] = None,
                 obj: Optional[StrOrBytes] = None) -> int:
        """Partition of /account[/container[/object]] (top bits of the MD5)."""
        if time.time() >= self._next_check:
            self._maybe_reload()
        if obj and not container:
            raise ValueError('a container is required when an object is given')
        path = b'/' + _to_bytes(account)
        if container:
            path += b'/' + _to_bytes(container)
            if obj:
                path += b'/' + _to_bytes(obj)
        digest = md5(self.hash_prefix + path + self.hash_suffix).digest()
        return _UNPACK_I(digest)[0] >> self._snap.part_shift

    def _part_nodes(self, snap: _Snapshot, part: int) -> list[dict[str, Any]]:
        devs = snap.devs
        nodes = []
        seen = set()
        for index, row in enumerate(snap.rows):
            if part < len(row):
                dev_id = row[part]
                if dev_id not in seen:
                    seen.add(dev_id)
                    node = dict(devs[dev_id])
                    node['index'] = index
                    nodes.append(node)
        return nodes

    def get_part_nodes(self, part: int) -> list[dict[str, Any]]:
        """Primary nodes of ``part``; each dict carries its replica ``index``."""
        if time.time() >= self._next_check:
            self._maybe_reload()
        snap = self._snap
        if not 0 <= part < snap.part_count:
            raise ValueError('partition %d out of range 0..%d' % (part, snap.part_count - 1))
        return self._part_nodes(snap, part)

    def get_nodes(self, account: StrOrBytes, container: Optional[StrOrBytes] = None,
                  obj: Optional[StrOrBytes] = None) -> tuple[int, list[dict[str, Any]]]:
        """(partition, primary nodes) for a name."""
        part = self.get_part(account, container, obj)
        return part, self._part_nodes(self._snap, part)

    def get_more_nodes(self, part: int) -> Iterator[dict[str, Any]]:
        """Handoff nodes for ``part``, most failure-independent first.

        Devices are walked in a per-partition pseudo-random (but stable)
        order; first we yield ones in regions no primary uses, then new
        zones, then new servers, then any remaining device.  Different
        partitions thus hand off to different devices, spreading the load
        of a failure over the cluster.
        """
        self._maybe_reload()
        snap = self._snap
        if not 0 <= part < snap.part_count:
            raise ValueError('partition %d out of range' % part)
        primaries = self._part_nodes(snap, part)
        used_ids = {n['id'] for n in primaries}
        regions = {n['region'] for n in primaries}
        zones = {(n['region'], n['zone']) for n in primaries}
        servers = {(n['region'], n['zone'], n['ip']) for n in primaries}
        cands = snap.handoff_devs
        count = len(cands)
        if not count:
            return
        seed = md5(b'handoff-%d' % part).digest()
        start = _UNPACK_I(seed)[0] % count
        stride = snap.strides[_UNPACK_I(seed, 4)[0] % len(snap.strides)]
        order = [cands[(start + i * stride) % count] for i in range(count)]
        handoff_index = 0
        tests = (
            lambda d: d['region'] not in regions,
            lambda d: (d['region'], d['zone']) not in zones,
            lambda d: (d['region'], d['zone'], d['ip']) not in servers,
            lambda d: True,
        )
        for test in tests:
            for dev in order:
                if dev['id'] in used_ids or not test(dev):
                    continue
                used_ids.add(dev['id'])
                regions.add(dev['region'])
                zones.add((dev['region'], dev['zone']))
                servers.add((dev['region'], dev['zone'], dev['ip']))
                node = dict(dev)
                node['handoff_index'] = handoff_index
                handoff_index += 1
                yield node
