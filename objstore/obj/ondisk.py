"""Which files in one object's hash dir count, and removing the rest.

A hash dir holds ``<timestamp>.data`` (an object), ``<timestamp>.ts`` (a
tombstone) and ``<timestamp>.meta`` (a later POST), plus metadata sidecars
``<owner file>.<token>.xmeta``. Only the newest ``.data``/``.ts`` matters,
with the newest ``.meta`` newer than a ``.data``; everything older is
obsolete. Deciding that is pure (``gather_ondisk_files``) so the object
server, replicator and auditor agree; ``cleanup_ondisk_files`` applies it.

Erasure-coded policies store fragment archives as ``<ts>#<frag>.data``
(written, not yet durable) and ``<ts>#<frag>#d.data`` (committed by the
proxy's second phase). A timestamp is durable once any of its fragments
is; only a durable timestamp is ever served, and a newer non-durable
fragment waits beside the older durable one (never hiding it) until it
is committed, superseded, or older than ``reclaim_age``.
"""

from __future__ import annotations

import errno
import os
import time
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Tuple

from objstore.common.timestamp import Timestamp

DATA_EXT = ".data"
TS_EXT = ".ts"
META_EXT = ".meta"
SIDECAR_EXT = ".xmeta"
DURABLE_MARK = "d"
_RANK = {DATA_EXT: 0, TS_EXT: 1}  # a tombstone wins a tie with a .data


@dataclass
class OnDiskFiles:
    """The verdict on one hash dir's listing."""

    data_file: Optional[str] = None
    ts_file: Optional[str] = None
    meta_file: Optional[str] = None
    sidecars: List[str] = field(default_factory=list)
    obsolete: List[str] = field(default_factory=list)
    #: sidecars of files not (yet) there: an in-flight write, or a crash
    pending_sidecars: List[str] = field(default_factory=list)
    #: EC: every durable fragment archive of the served timestamp (the
    #: data_file is one of them; a handoff may hold several indexes)
    frag_files: List[str] = field(default_factory=list)
    #: EC: fragments newer than what is served, awaiting their commit
    non_durable: List[str] = field(default_factory=list)

    @property
    def kept(self) -> List[str]:
        """The files that define the object, in name order (no sidecars)."""
        return sorted(set(f for f in (self.data_file, self.ts_file, self.meta_file) if f)
                      | set(self.frag_files) | set(self.non_durable))

    @property
    def signature(self) -> List[str]:
        """What replicas must agree on (suffix hashes): the served state,
        without fragment indexes, which differ from node to node by design."""
        names = set()
        for name in (self.data_file, self.ts_file, self.meta_file):
            if name:
                info = parse_data_name(name) if name.endswith(DATA_EXT) else None
                if info is not None and info[1] is not None:
                    name = "%s#%s%s" % (info[0].internal, DURABLE_MARK, DATA_EXT)
                names.add(name)
        return sorted(names)

    @property
    def base_timestamp(self) -> Optional[Timestamp]:
        name = self.data_file or self.ts_file
        return parse_filename(name)[0] if name else None  # type: ignore[index]


def parse_filename(name: str) -> Optional[Tuple[Timestamp, str]]:
    """``(Timestamp, ext)`` for ``<ts>.data|.ts|.meta`` (and EC
    ``<ts>#<frag>[#d].data``); None for others."""
    stem, dot, ext = name.rpartition(".")
    if not dot or "." + ext not in (DATA_EXT, TS_EXT, META_EXT):
        return None
    if "#" in stem:
        info = parse_data_name(name)
        return (info[0], DATA_EXT) if info else None
    try:
        return Timestamp(stem), "." + ext
    except ValueError:
        return None


def parse_data_name(name: str) -> Optional[Tuple[Timestamp, Optional[int], bool]]:
    """``(timestamp, frag index, durable)`` of a ``.data`` name.

    A replicated ``<ts>.data`` has no fragment index and is durable the
    moment it is renamed in; an EC ``<ts>#<frag>.data`` becomes durable
    when renamed to ``<ts>#<frag>#d.data``. None for anything else."""
    if not name.endswith(DATA_EXT):
        return None
    parts = name[:-len(DATA_EXT)].split("#")
    try:
        ts = Timestamp(parts[0])
    except ValueError:
        return None
    if len(parts) == 1:
        return ts, None, True
    if not parts[1].isdigit() or len(parts) > 3 or (len(parts) == 3
                                                    and parts[2] != DURABLE_MARK):
        return None
    return ts, int(parts[1]), len(parts) == 3


def _committed_name(name: str) -> str:
    """The name an EC fragment file has once committed (sidecars written
    before the commit keep the old owner name in theirs)."""
    info = parse_data_name(name)
    if info is None or info[1] is None or info[2]:
        return name
    return make_frag_name(info[0], info[1], True)


def make_frag_name(timestamp: Timestamp, frag_index: int, durable: bool) -> str:
    """The file name of one fragment archive."""
    return "%s#%d%s%s" % (timestamp.internal, int(frag_index),
                          "#" + DURABLE_MARK if durable else "", DATA_EXT)


def sidecar_owner(name: str) -> Optional[str]:
    """The file a sidecar belongs to (``<owner>.<token>.xmeta``), or None."""
    if not name.endswith(SIDECAR_EXT):
        return None
    owner, dot, _token = name[:-len(SIDECAR_EXT)].rpartition(".")
    return owner if dot and parse_filename(owner) else None


def make_sidecar_name(owner: str, token: str) -> str:
    return "%s.%s%s" % (owner, token, SIDECAR_EXT)


def _lone_data_file(name: str) -> Optional[OnDiskFiles]:
    """The verdict on a hash dir holding one replicated ``<ts>.data`` and
    nothing else (what nearly every read finds), without the general sort;
    None for any other name."""
    if not name.endswith(DATA_EXT) or "#" in name:
        return None
    try:
        Timestamp(name[:-len(DATA_EXT)])
    except ValueError:
        return None
    return OnDiskFiles(data_file=name)


def gather_ondisk_files(names: Iterable[str], now: Optional[float] = None,
                        reclaim_age: Optional[float] = None) -> OnDiskFiles:
    """Sort a hash dir's listing into kept and obsolete files.

    A tombstone older than ``reclaim_age`` is obsolete too: by then every
    replica has seen it. Unknown names are left alone (neither list).
    """
    if isinstance(names, list) and len(names) == 1:
        only = _lone_data_file(names[0])
        if only is not None:
            return only
    now = time.time() if now is None else now
    parsed = []
    sidecars = []
    for name in names:
        info = parse_filename(name)
        if info:
            parsed.append((info[0], name, info[1]))
        elif sidecar_owner(name):
            sidecars.append(name)
    result = OnDiskFiles()
    durable_stamps = set()
    for ts, name, ext in parsed:
        info = parse_data_name(name) if ext == DATA_EXT else None
        if info is not None and info[2]:
            durable_stamps.add(ts)
    waiting = [p for p in parsed if p[2] == DATA_EXT and p[0] not in durable_stamps]
    parsed = [p for p in parsed if p not in waiting]
    bases = sorted((p for p in parsed if p[2] in _RANK),
                   key=lambda p: (p[0], _RANK[p[2]], p[1]), reverse=True)
    metas = sorted((p for p in parsed if p[2] == META_EXT), reverse=True)
    base = bases[0] if bases else None
    if base:
        if base[2] == DATA_EXT:
            result.data_file = base[1]
        else:
            result.ts_file = base[1]
        same = [p for p in bases[1:] if base[2] == DATA_EXT and p[2] == DATA_EXT
                and p[0] == base[0]]
        if same:  # other fragment indexes of the served EC timestamp
            result.frag_files = sorted([base[1]] + [p[1] for p in same],
                                       key=lambda n: parse_data_name(n)[1] or 0)  # type: ignore[index]
            result.data_file = result.frag_files[0]
        elif base[2] == DATA_EXT and "#" in base[1]:
            result.frag_files = [base[1]]
        result.obsolete.extend(p[1] for p in bases[1:] if p not in same)
    for ts, name, _ext in waiting:
        too_old = reclaim_age is not None and float(ts) < now - reclaim_age
        if (base is not None and ts <= base[0]) or too_old:
            result.obsolete.append(name)
        else:
            result.non_durable.append(name)
    for ts, name, _ext in metas:
        if result.meta_file is None and (base is None or (base[2] == DATA_EXT and ts > base[0])):
            result.meta_file = name
        else:
            result.obsolete.append(name)
    if (result.ts_file and reclaim_age is not None
            and float(base[0]) < now - reclaim_age):  # type: ignore[index]
        result.obsolete.append(result.ts_file)
        result.ts_file = None
    kept = set(result.kept)
    base_ts = base[0] if base else None
    for name in sidecars:
        owner = sidecar_owner(name)
        owner_ts = parse_filename(owner)[0]  # type: ignore[arg-type,index]
        if owner in kept or _committed_name(owner) in kept:  # type: ignore[arg-type]
            result.sidecars.append(name)
        elif base_ts is not None and owner_ts <= base_ts or owner in result.obsolete:
            result.obsolete.append(name)
        else:
            result.pending_sidecars.append(name)
    return result


def cleanup_ondisk_files(hash_dir: str, reclaim_age: Optional[float] = None) -> OnDiskFiles:
    """Remove obsolete files of ``hash_dir`` (and the dir once empty).

    Sidecars whose owner never appeared are removed once older than
    ``reclaim_age`` (a write that crashed between sidecar and rename).
    """
    try:
        names = os.listdir(hash_dir)
    except OSError as err:
        if err.errno in (errno.ENOENT, errno.ENOTDIR):
            return OnDiskFiles()
        raise
    now = time.time()
    result = gather_ondisk_files(names, now, reclaim_age)
    doomed = list(result.obsolete)
    if reclaim_age is not None:
        for name in result.pending_sidecars:
            try:
                if os.stat(os.path.join(hash_dir, name)).st_mtime < now - reclaim_age:
                    doomed.append(name)
            except OSError:
                pass
    for name in doomed:
        _unlink(os.path.join(hash_dir, name))
        if name in result.pending_sidecars:
            result.pending_sidecars.remove(name)
    if not result.kept and not result.pending_sidecars:
        try:
            os.rmdir(hash_dir)
        except OSError:
            pass  # something unknown in there, or a racing writer
    return result


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError as err:
        if err.errno != errno.ENOENT:
            raise
