"""The database files on one device, as the daemons see them.

Servers reach a database by name (``paths.db_path``); daemons go the other
way and walk ``<devices>/<device>/<datadir>/<part>/<suffix>/<hash>/`` to
find every database a device holds, whatever its name. Removing a
database (a handoff moved home, a deleted one reclaimed) and setting a
corrupt one aside (quarantine) are here too, so the layout rules stay in
one place: a database directory goes away whole, with its WAL and SHM
files, and empty parent directories are tidied after it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from typing import Iterator

from objstore.common.utils import fsync_dir, mkdirs
from objstore.db.paths import valid_hash

QUARANTINE_DIR = "quarantined"


@dataclass(frozen=True)
class LocalDB:
    """One database file found on a device."""
    device: str
    partition: int
    hash: str
    path: str

    @property
    def dir(self) -> str:
        return os.path.dirname(self.path)


def iter_local_dbs(devices: str, device: str, datadir: str) -> Iterator[LocalDB]:
    """Every ``<hash>.db`` under ``<devices>/<device>/<datadir>``.

    Anything that does not fit the layout (a stray file, a partition
    directory that is not a number, a hash directory without its
    database) is skipped rather than trusted.
    """
    base = os.path.join(devices, device, datadir)
    for part in _listdir(base):
        if not part.isdigit():
            continue
        part_dir = os.path.join(base, part)
        for suffix in _listdir(part_dir):
            suffix_dir = os.path.join(part_dir, suffix)
            for hash_ in _listdir(suffix_dir):
                if not valid_hash(hash_) or not hash_.endswith(suffix):
                    continue
                path = os.path.join(suffix_dir, hash_, hash_ + ".db")
                if os.path.isfile(path):
                    yield LocalDB(device, int(part), hash_, path)


def _listdir(path: str) -> list:
    try:
        return sorted(os.listdir(path))
    except (NotADirectoryError, FileNotFoundError):
        return []


def remove_db(db: LocalDB) -> None:
    """Delete the database directory, then its suffix and partition
    directories if that left them empty."""
    shutil.rmtree(db.dir, ignore_errors=True)
    suffix_dir = os.path.dirname(db.dir)
    for directory in (suffix_dir, os.path.dirname(suffix_dir)):
        try:
            os.rmdir(directory)
        except OSError:
            break  # not empty (or already gone): leave it


def quarantine_db(devices: str, db: LocalDB, datadir: str) -> str:
    """Move a corrupt database's directory to
    ``<device>/quarantined/<datadir>/<hash>`` and return the new path.

    The files are kept for an operator to inspect; the replicators will
    bring a good copy from another replica. A second quarantine of the
    same hash gets a unique name instead of overwriting the first.
    """
    target_parent = os.path.join(devices, db.device, QUARANTINE_DIR, datadir)
    mkdirs(target_parent)
    target = os.path.join(target_parent, db.hash)
    if os.path.exists(target):
        target = "%s-%s" % (target, uuid.uuid4().hex)
    os.rename(db.dir, target)
    fsync_dir(target_parent)
    suffix_dir = os.path.dirname(db.dir)
    for directory in (suffix_dir, os.path.dirname(suffix_dir)):
        try:
            os.rmdir(directory)
        except OSError:
            break
    return target
