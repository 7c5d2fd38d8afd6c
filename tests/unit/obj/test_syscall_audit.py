"""The object server's file system calls for one small PUT, overwrite,
GET, HEAD and DELETE, counted with strace (syscall_workload.py runs the
server in-process on real files under it).

Durability is the point: a write fsyncs its data, renames it into the
hash dir, fsyncs that dir and the parent of every dir it created, all
before it answers; a read syncs and writes nothing. The counts are exact,
so an extra fsync or open on the path fails here rather than showing up
only as a slower benchmark. No timing is measured.
"""

import os
import re
import shutil
import subprocess
import sys
from typing import Dict, List

import pytest

from tests.unit.obj.conftest import HASH_CONF

WORKLOAD = os.path.join(os.path.dirname(__file__), "syscall_workload.py")
CALLS = ("openat,fsync,fdatasync,sync_file_range,rename,renameat,renameat2,linkat,"
         "mkdir,mkdirat,unlink,unlinkat,rmdir,fsetxattr,setxattr,fremovexattr,removexattr,"
         "pwrite64,write,ftruncate")
_LINE = re.compile(r'^\d+ +(\w+)\((.*)\) += (-?\d+)')
_FD_PATH = re.compile(r"^\d+<([^>]*)>")


def _normalize(path: str, devices: str) -> str:
    path = path.replace(devices, "")
    path = re.sub(r"/[0-9a-f]{32}", "/<hash>", path)
    path = re.sub(r"\.obj-[^/]*\.tmp", "<tmp>", path)
    return re.sub(r"\d{10}\.\d{5}", "<ts>", path)


def _event(call: str, args: str, devices: str) -> str:
    """One call as ``name path[ -> path]``, paths relative to the devices."""
    fd_path = _FD_PATH.match(args)
    if fd_path:
        return "%s %s" % (call, _normalize(fd_path.group(1), devices))
    paths = re.findall(r'"([^"]*)"', args)
    if call == "openat" and "O_DIRECTORY" in args:
        call = "opendir"
    return "%s %s" % (call, " -> ".join(_normalize(p, devices) for p in paths))


@pytest.fixture(scope="module")
def phases(tmp_path_factory) -> Dict[str, List[str]]:
    """Successful calls on the devices between each step's markers."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    base = tmp_path_factory.mktemp("audit")
    devices, etc = base / "node", base / "etc"
    (devices / "sda1").mkdir(parents=True)
    etc.mkdir()
    (etc / "objstore.conf").write_text(HASH_CONF + "[storage-policy:0]\nname = gold\n"
                                       "default = yes\n")
    trace = base / "trace.txt"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(WORKLOAD))))
    proc = subprocess.run(["strace", "-f", "-qq", "-y", "-o", str(trace), "-e", "trace=" + CALLS,
                           sys.executable, WORKLOAD, str(devices), str(etc)],
                          capture_output=True, text=True, timeout=60, cwd=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    found: Dict[str, List[str]] = {}
    current = None
    for line in trace.read_text().splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        call, args, result = match.groups()
        marker = re.search(r'objstore-audit-([a-z-]+)-(start|end)"', args)
        if marker:
            current = marker.group(1) if marker.group(2) == "start" else None
            if current:
                found[current] = []
            continue
        if current is None or int(result) < 0 or str(devices) not in args:
            continue
        found[current].append(_event(call, args, str(devices)))
    assert set(found) == {"put-new", "put-over", "get", "head", "delete", "put-large"}, found
    return found


def _only(events: List[str], *calls: str) -> List[str]:
    return [e for e in events if e.split(" ", 1)[0] in calls]


DURABLE = ("fsync", "fdatasync", "sync_file_range", "rename", "renameat", "renameat2",
           "linkat", "unlink", "unlinkat", "rmdir")
HASH_DIR = "/sda1/objects/2/<suffix>/<hash>"


def _dirs(events: List[str]) -> List[str]:
    return [re.sub(r"/2/[0-9a-f]{3}", "/2/<suffix>", e) for e in events]


def test_put_of_a_new_object_syncs_data_then_rename_then_every_new_dir(phases):
    events = _dirs(phases["put-new"])
    assert _only(events, *DURABLE) == [
        "fsync /sda1/tmp/<tmp>",
        "rename /sda1/tmp/<tmp> -> %s/<ts>.data" % HASH_DIR,
        "fsync %s" % HASH_DIR,
        # the parents of the partition, suffix and hash dirs it created
        "fsync /sda1/objects",
        "fsync /sda1/objects/2",
        "fsync /sda1/objects/2/<suffix>",
    ]
    assert _only(events, "mkdir") == ["mkdir /sda1/objects/2", "mkdir /sda1/objects/2/<suffix>",
                                      "mkdir %s" % HASH_DIR]
    assert _only(events, "openat") == ["openat /sda1/tmp/<tmp>", "openat /sda1/objects/2/.lock",
                                       "openat /sda1/objects/2/hashes.invalid"]
    assert _only(events, "fsetxattr") == ["fsetxattr /sda1/tmp/<tmp>"]  # metadata, set once
    assert not _only(events, "fremovexattr", "removexattr", "setxattr")
    # the hash dir is opened once to write (locked for the rename and
    # fsynced through the same descriptor), once to list it after; a body
    # of the declared length needs no truncate
    assert _only(events, "opendir").count("opendir %s" % HASH_DIR) == 2
    assert _only(events, "ftruncate") == []


def test_overwrite_syncs_data_and_hash_dir_only(phases):
    events = _dirs(phases["put-over"])
    assert _only(events, *DURABLE) == [
        "fsync /sda1/tmp/<tmp>",
        "rename /sda1/tmp/<tmp> -> %s/<ts>.data" % HASH_DIR,
        "fsync %s" % HASH_DIR,
        "unlink %s/<ts>.data" % HASH_DIR,  # the older version, once the new one is durable
    ]
    assert _only(events, "mkdir") == []  # the hash dir exists: nothing created
    # listed for the conflict check, opened to write, listed to clean up
    assert _only(events, "opendir") == ["opendir %s" % HASH_DIR] * 3
    assert _only(events, "openat") == ["openat %s/<ts>.data" % HASH_DIR,  # the conflict check
                                       "openat /sda1/tmp/<tmp>", "openat /sda1/objects/2/.lock",
                                       "openat /sda1/objects/2/hashes.invalid"]


@pytest.mark.parametrize("step", ["get", "head"])
def test_reads_open_the_data_file_once_and_write_nothing(phases, step):
    events = _dirs(phases[step])
    assert _only(events, "openat") == ["openat %s/<ts>.data" % HASH_DIR]
    assert _only(events, "opendir") == ["opendir %s" % HASH_DIR]
    written = [e for e in events if not e.startswith(("openat", "opendir"))]
    assert written == []


def test_delete_syncs_the_tombstone_before_removing_the_data(phases):
    events = _dirs(phases["delete"])
    assert _only(events, *DURABLE) == [
        "fsync /sda1/tmp/<tmp>",
        "rename /sda1/tmp/<tmp> -> %s/<ts>.ts" % HASH_DIR,
        "fsync %s" % HASH_DIR,
        "unlink %s/<ts>.data" % HASH_DIR,
    ]
    assert _only(events, "openat") == ["openat %s/<ts>.data" % HASH_DIR,
                                       "openat /sda1/tmp/<tmp>", "openat /sda1/objects/2/.lock",
                                       "openat /sda1/objects/2/hashes.invalid"]




def test_a_large_body_is_written_past_the_cache_then_synced_before_its_rename(phases):
    events = _dirs(phases["put-large"])
    tmp = "/sda1/tmp/<tmp>"
    # O_DIRECT writes at offsets (pwrite) from the staging buffer: the full
    # MiB, then the rest's whole blocks, then the tail through the cache;
    # no buffered write of the body and no writeback to start
    body_writes = [e for e in _only(events, "pwrite64", "write", "sync_file_range")
                   if e.endswith(tmp)]
    assert body_writes == ["pwrite64 " + tmp] * 3
    durable = _only(events, "pwrite64", *DURABLE)
    assert durable[:6] == ["pwrite64 " + tmp] * 3 + [
        "fsync " + tmp,
        "rename %s -> %s/<ts>.data" % (tmp, HASH_DIR),
        "fsync %s" % HASH_DIR,
    ]
