"""One copy of an object on one node's disk: find it, corrupt it, delete
it, and put it back.

A copy is named by the object's path and its primary's index in the ring
(``--replica 0..replicas-1``; for an EC policy that is also the fragment
index the node holds). Its files are found through the object server's own
``DiskFileManager``, with that server's config, so the lab never builds an
on-disk path itself.
"""

from __future__ import annotations

import os
import shutil
from typing import Any, Dict

from objstore.common.config import read_conf
from objstore.common.storage_policy import load_policies
from objstore.dashboard.lookup import LookupFailed, container_policy, split_object_path
from objstore.dashboard.rings import open_ring
from objstore.faultlab.processes import Server
from objstore.obj.diskfile import DiskFileManager
from objstore.obj.ondisk import parse_data_name

#: bytes of a copy the lab flips (XOR 0xff) to corrupt it
CORRUPT_BYTES = 16


class CopyError(Exception):
    """A copy that cannot be found or changed; the message says why."""


def locate(swift_dir: str, servers: Dict[str, Server], path: str, replica: int,
           timeout: float = 2.0) -> Dict[str, Any]:
    """Where copy ``replica`` of ``path`` lives: server, device, partition,
    policy and its hash dir (which may not exist)."""
    try:
        account, container, obj = split_object_path(path)
        policy_index = container_policy(swift_dir, account, container, timeout)
    except LookupFailed as err:
        raise CopyError(str(err))
    policy = load_policies(swift_dir).get_by_index(policy_index)
    if policy is None:
        raise CopyError("the container uses policy %d, which objstore.conf does not declare"
                        % policy_index)
    ring = open_ring(swift_dir, policy.ring_name)
    part = ring.get_part(account, container, obj)
    primaries = ring.get_part_nodes(part)
    if not 0 <= replica < len(primaries):
        raise CopyError("replica must be 0..%d (the %s ring keeps %d copies)"
                        % (len(primaries) - 1, policy.ring_name, len(primaries)))
    dev = primaries[replica]
    server = next((s for s in servers.values() if s.kind == "object" and
                   s.port == int(dev["port"]) and s.ip == dev["ip"]), None)
    if server is None:
        raise CopyError("no object server config here serves %s:%s"
                        % (dev["ip"], dev["port"]))
    conf = dict(read_conf(server.conf).get("DEFAULT", {}))
    conf.pop("fault_lab_state", None)  # the lab itself is never slowed down
    mgr = DiskFileManager(conf)
    try:
        df = mgr.get_diskfile(dev["device"], str(part), account, container, obj,
                              policy_index)
    except Exception as err:  # the device is unmounted (maybe by the lab)
        raise CopyError("device %s of %s is not usable: %s" % (dev["device"], server.name, err))
    return {"path": "/%s/%s/%s" % (account, container, obj), "replica": replica,
            "server": server.name, "device": dev["device"], "partition": part,
            "policy": policy_index, "hash_dir": df.datadir}


def _data_file(hash_dir: str) -> str:
    try:
        names = sorted(n for n in os.listdir(hash_dir) if parse_data_name(n) is not None)
    except FileNotFoundError:
        names = []
    if not names:
        raise CopyError("this node holds no copy of the object (%s has no .data file)"
                        % hash_dir)
    return os.path.join(hash_dir, names[-1])


def _flip(path: str, offset: int, length: int) -> bytes:
    """XOR 0xff ``length`` bytes at ``offset``; the bytes as they were."""
    with open(path, "r+b") as fp:
        fp.seek(offset)
        data = fp.read(length)
        fp.seek(offset)
        fp.write(bytes(b ^ 0xFF for b in data))
        fp.flush()
        os.fsync(fp.fileno())
    return data


def corrupt(where: Dict[str, Any]) -> Dict[str, Any]:
    """Flip the first bytes of the copy's newest ``.data`` file (metadata
    untouched, so the auditor's checksum finds it); what undo needs: the
    file (path and inode) and the bytes as the lab left them."""
    data_file = _data_file(where["hash_dir"])
    size = os.path.getsize(data_file)
    if size == 0:
        raise CopyError("the copy is empty: there are no bytes to corrupt")
    length = min(CORRUPT_BYTES, size)
    before = _flip(data_file, 0, length)
    return {"file": data_file, "inode": os.stat(data_file).st_ino, "offset": 0,
            "length": length, "corrupted": bytes(b ^ 0xFF for b in before).hex()}


def uncorrupt(undo: Dict[str, Any]) -> str:
    """Flip the bytes back, only if the very file the lab corrupted is
    still there as the lab left it: a copy the replicator put back under
    the same name is good and must not be touched."""
    try:
        same = os.stat(undo["file"]).st_ino == undo["inode"]
        with open(undo["file"], "rb") as fp:
            fp.seek(undo["offset"])
            same = same and fp.read(undo["length"]).hex() == undo["corrupted"]
    except OSError:
        same = False
    if not same:
        return "the corrupted file is gone (quarantined by the auditor, then repaired or " \
               "replaced); nothing to restore"
    _flip(undo["file"], undo["offset"], undo["length"])
    return "restored %d bytes of %s" % (undo["length"], undo["file"])


def delete(where: Dict[str, Any], hold_dir: str) -> Dict[str, Any]:
    """Move the copy's hash dir out of the device into ``hold_dir`` (kept
    for undo): to the servers and daemons the copy is gone."""
    _data_file(where["hash_dir"])  # a copy must be there to delete
    os.makedirs(os.path.dirname(hold_dir), exist_ok=True)
    shutil.move(where["hash_dir"], hold_dir)
    return {"hash_dir": where["hash_dir"], "held": hold_dir}


def undelete(undo: Dict[str, Any]) -> str:
    """Move the held copy back, unless a repair already put one there."""
    if not os.path.exists(undo["held"]):
        return "the held copy is gone; nothing to restore"
    if os.path.exists(undo["hash_dir"]):
        shutil.rmtree(undo["held"], ignore_errors=True)
        return "a copy is back already (the replicator repaired it); the held copy is dropped"
    os.makedirs(os.path.dirname(undo["hash_dir"]), exist_ok=True)
    shutil.move(undo["held"], undo["hash_dir"])
    return "moved the copy back to %s" % undo["hash_dir"]

