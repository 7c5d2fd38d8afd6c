"""Relinking objects for a partition power increase, and cleaning up after.

Under partition power P+1 the object of partition ``p`` lives in ``2p`` or
``2p+1`` (its hash decides). Before the ring's power goes up, every object
must already be reachable there, so every file of a hash dir is *hard
linked* into the hash dir of its next partition (``relink``): no byte is
copied, nothing moves, and a proxy still on the old ring keeps finding
everything where it was. Once every proxy has the new ring, ``cleanup``
removes the old names, relinking first anything a late write left behind.

Hard links need the next partition on the same filesystem, which it is:
both live under the same ``<device>/objects[-N]/``. Paths come from the
``DiskFileManager`` (the one owner of the layout).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Any, Dict, List

from objstore.common.part_power import partition_for_hash
from objstore.common.utils import mkdirs


@dataclass
class RelinkStats:
    """What one pass over a device did."""

    hash_dirs: int = 0
    files_linked: int = 0
    hash_dirs_removed: int = 0
    partitions_removed: int = 0
    errors: int = 0

    def as_dict(self) -> Dict[str, int]:
        return dict(self.__dict__)


def relink_hash_dir(mgr: Any, device_path: str, policy_index: int, partition: str,
                    object_hash: str, part_power: int) -> int:
    """Hard-link every file of one hash dir into its partition under
    ``part_power``; returns the number of new links (0 when the hash dir
    is already where that power puts it)."""
    new_part = str(partition_for_hash(object_hash, part_power))
    if new_part == str(partition):
        return 0
    src = mgr.hash_dir(device_path, partition, object_hash, policy_index)
    dst = mgr.hash_dir(device_path, new_part, object_hash, policy_index)
    try:
        names = os.listdir(src)
    except FileNotFoundError:
        return 0
    mkdirs(dst)
    linked = 0
    for name in names:
        try:
            os.link(os.path.join(src, name), os.path.join(dst, name))
            linked += 1
        except FileExistsError:
            pass  # linked before (a write, or an earlier relink pass)
        except FileNotFoundError:
            pass  # made obsolete and cleaned up meanwhile
    if linked:
        mgr.cleanup_ondisk_files(dst)
        mgr.invalidate_hash(dst)
    return linked


def _hash_dirs(mgr: Any, device: str, partition: str, policy_index: int) -> List[str]:
    out = []
    for suffix_path, _suffix in mgr.yield_suffixes(device, partition, policy_index):
        try:
            out += [name for name in os.listdir(suffix_path) if len(name) == 32]
        except OSError:
            continue
    return out


def relink_device(mgr: Any, device: str, policy_index: int, next_part_power: int,
                  logger: Any = None) -> RelinkStats:
    """``relink``: link every object of ``device`` into its next partition."""
    stats = RelinkStats()
    device_path = mgr.get_dev_path(device)
    for partition in mgr.list_partitions(device, policy_index):
        for object_hash in _hash_dirs(mgr, device, partition, policy_index):
            stats.hash_dirs += 1
            try:
                stats.files_linked += relink_hash_dir(mgr, device_path, policy_index,
                                                      partition, object_hash, next_part_power)
            except OSError as err:
                stats.errors += 1
                if logger:
                    logger.error("ERROR relinking %s in partition %s of %s: %s",
                                 object_hash, partition, device, err)
    return stats


def cleanup_device(mgr: Any, device: str, policy_index: int, part_power: int,
                   logger: Any = None) -> RelinkStats:
    """``cleanup`` (the ring is at ``part_power`` now): every hash dir not in
    its partition under that power is relinked if a file is missing there
    (a late write), then removed once every file is linked (a link that
    fails keeps it); partitions left empty go too."""
    stats = RelinkStats()
    device_path = mgr.get_dev_path(device)
    for partition in mgr.list_partitions(device, policy_index):
        for object_hash in _hash_dirs(mgr, device, partition, policy_index):
            if str(partition_for_hash(object_hash, part_power)) == partition:
                continue
            stats.hash_dirs += 1
            src = mgr.hash_dir(device_path, partition, object_hash, policy_index)
            try:
                stats.files_linked += relink_hash_dir(mgr, device_path, policy_index,
                                                      partition, object_hash, part_power)
                shutil.rmtree(src)
                stats.hash_dirs_removed += 1
                mgr.invalidate_hash(src)
            except OSError as err:
                stats.errors += 1
                if logger:
                    logger.error("ERROR cleaning up %s in partition %s of %s: %s",
                                 object_hash, partition, device, err)
        if _remove_if_empty(mgr, device, partition, policy_index):
            stats.partitions_removed += 1
    return stats


def _remove_if_empty(mgr: Any, device: str, partition: str, policy_index: int) -> bool:
    """Remove a partition dir holding no object (empty suffix dirs and the
    suffix hash cache go with it)."""
    for suffix_path, _suffix in list(mgr.yield_suffixes(device, partition, policy_index)):
        try:
            os.rmdir(suffix_path)
        except OSError:
            return False  # still holds objects
    shutil.rmtree(mgr.partition_path(device, partition, policy_index), ignore_errors=True)
    return True
