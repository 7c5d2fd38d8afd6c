"""How the disk layer's reads and writes reach the disk: large objects
past the page cache, the read-ahead thread, the thread-pool hand-offs of
a write (split from test_diskfile.py)."""
import os

import pytest

from objstore.obj import diskfile as dfmod
from objstore.obj.diskfile import DiskFileManager
from objstore.obj.reader import DamagedObject
from objstore.common.timestamp import Timestamp
from tests.support.diskfiles import put_object as _put, read_object as _read


@pytest.fixture
def mgr(obj_conf):
    return DiskFileManager(obj_conf)


def _resident_bytes(path: str) -> int:
    """Bytes of ``path`` in the page cache (util-linux ``fincore``)."""
    import subprocess
    out = subprocess.run(["fincore", "-b", "-n", "-r", "-o", "RES", path], check=True,
                         capture_output=True, text=True).stdout
    return int(out.split()[0])


@pytest.mark.skipif(not os.path.exists("/usr/bin/fincore"), reason="needs util-linux fincore")
def test_a_large_object_leaves_the_page_cache_once_written_and_once_read(obj_conf):
    mgr = dfmod.DiskFileManager(dict(obj_conf, keep_cache_size="65536",
                                     disk_chunk_size="65536"), None)
    big = os.urandom(1 << 20)
    df, ts = _put(mgr, big)
    path = os.path.join(df.datadir, ts.internal + ".data")
    assert _resident_bytes(path) == 0  # dropped once fsynced
    assert _read(mgr)[1] == big
    assert _resident_bytes(path) == 0  # each chunk dropped once read
    reader = mgr.get_diskfile("sda1", "7", "a", "c", "o").open().reader()
    assert b"".join(reader.read_range(4096, 200000)) == big[4096:200000]
    reader.close()  # (the kernel's read-ahead past the range may still be landing)
    small, small_ts = _put(mgr, b"s" * 4096, name=("a", "c", "small"))
    small_path = os.path.join(small.datadir, small_ts.internal + ".data")
    assert _read(mgr, name=("a", "c", "small"))[1] == b"s" * 4096
    assert _resident_bytes(small_path) == 4096  # a small one stays cached
    with open(path, "r+b") as fp:  # damage under a dropping read is still caught
        fp.seek(300000)
        fp.write(b"X")
    with pytest.raises(DamagedObject):
        b"".join(mgr.get_diskfile("sda1", "7", "a", "c", "o").open().reader())


def test_a_large_object_read_whole_goes_past_the_page_cache_and_is_still_judged(obj_conf):
    """Past ``keep_cache`` a whole read is made with ``O_DIRECT`` into an
    aligned buffer: an odd length reads back whole, damage in its last,
    partial block is caught, and a chunk size that is not a block's
    multiple keeps the cache."""
    mgr = dfmod.DiskFileManager(dict(obj_conf, keep_cache_size="65536",
                                     disk_chunk_size="65536"), None)
    big = os.urandom(3 * 65536 + 4096 + 123)
    df, ts = _put(mgr, big)
    reader = mgr.get_diskfile("sda1", "7", "a", "c", "o").open().reader()
    got = b"".join(reader)
    if not reader.direct:
        pytest.skip("the test's file system refuses O_DIRECT")
    assert got == big
    with open(os.path.join(df.datadir, ts.internal + ".data"), "r+b") as fp:
        fp.seek(len(big) - 5)  # in the last, partial block
        fp.write(b"X" if big[-5:-4] != b"X" else b"Y")
    with pytest.raises(DamagedObject):
        b"".join(mgr.get_diskfile("sda1", "7", "a", "c", "o").open().reader())
    odd = dfmod.DiskFileManager(dict(obj_conf, keep_cache_size="65536",
                                     disk_chunk_size="65537"), None)
    df, ts = _put(odd, big, name=("a", "c", "odd"))
    reader = odd.get_diskfile("sda1", "7", "a", "c", "odd").open().reader()
    assert (b"".join(reader), reader.direct) == (big, False)


def test_a_large_read_stopped_half_way_ends_its_read_ahead_thread_then_closes(obj_conf):
    """The read-ahead of a read past the cache runs in an OS thread of the
    read's own: a client gone mid-body ends it before the file is closed."""
    from objstore.common import concurrency
    threading = concurrency._os_threading  # where the feed's threads are counted
    mgr = dfmod.DiskFileManager(dict(obj_conf, keep_cache_size="65536",
                                     disk_chunk_size="65536"), None)
    big = os.urandom(8 * 65536)
    _put(mgr, big)
    before = set(threading.enumerate())
    reader = mgr.get_diskfile("sda1", "7", "a", "c", "o").open().reader()
    chunks = iter(reader)
    assert next(chunks) == big[:65536]
    if not reader.direct:
        pytest.skip("the test's file system refuses O_DIRECT")
    assert [t for t in set(threading.enumerate()) - before if t.name == "objstore-feed"]
    chunks.close()  # the client went away
    assert reader.fd == -1
    assert not [t for t in set(threading.enumerate()) - before if t.is_alive()]


def _record_thread_calls(monkeypatch, hub_calls=None):
    """What each thread-pool hand-off of a write ran: the system calls
    made inside it, by name; with ``hub_calls``, the unlinks and listings
    made outside every hand-off (on the hub, in a server) go there."""
    from objstore.obj import writer as writer_mod
    handoffs = []
    real = writer_mod.concurrency.run_in_thread
    names = ("fsync", "rename", "mkdir", "open", "close", "setxattr", "ftruncate", "listdir",
             "unlink")
    calls_of = {name: getattr(os, name) for name in names}

    def recorder(into, name):
        return lambda *a, **k: (into.append(name), calls_of[name](*a, **k))[1]

    def on_hub():
        for name in ("unlink", "listdir"):
            monkeypatch.setattr(os, name, recorder(hub_calls, name))

    def traced(func, *args, **kwargs):
        calls = []
        for name in names:
            monkeypatch.setattr(os, name, recorder(calls, name))
        try:
            return real(func, *args, **kwargs)
        finally:
            for name in names:
                monkeypatch.setattr(os, name, calls_of[name])
            if hub_calls is not None:
                on_hub()
            handoffs.append(calls)
    if hub_calls is not None:
        on_hub()
    monkeypatch.setattr(writer_mod.concurrency, "run_in_thread", traced)
    return handoffs


def test_a_new_objects_one_hand_off_only_syncs_locks_and_renames(mgr, monkeypatch):
    """The dirs and the metadata are made before the hand-off; the thread
    syncs the data, renames it in and syncs the hash dir and the parents
    of the three dirs the write created (partition, suffix, hash dir)."""
    _put(mgr, b"first", name=("a", "c", "first"), part="8")  # the device's objects dir
    handoffs = _record_thread_calls(monkeypatch)
    df, ts = _put(mgr, b"hello", part="9")
    # then, in the same hand-off: the hash dir listed for obsolete files
    # (none), the partition's lock and invalidation log opened and closed
    tidy = ["listdir", "open", "open", "close", "close"]
    assert handoffs == [["fsync", "rename", "fsync", "fsync", "fsync", "fsync"] + tidy]
    assert _read(mgr, part="9")[1] == b"hello"
    monkeypatch.undo()
    handoffs = _record_thread_calls(monkeypatch)
    df.delete(Timestamp.now())  # a tombstone in the dir that is there: one fsync of it
    assert handoffs == [["fsync", "rename", "fsync", "listdir", "unlink", "open", "open",
                         "close", "close"]]
    with pytest.raises(dfmod.DiskFileDeleted):
        mgr.get_diskfile("sda1", "9", "a", "c", "o", policy_index=0).open()


def test_the_files_a_write_obsoletes_go_in_its_hand_off_not_on_the_hub(mgr, monkeypatch):
    """The replaced ``.data`` is unlinked and the suffix logged as changed
    after the rename and the dir's fsync, inside the write's one hand-off:
    by the time the write returns the old file is gone, the replicator
    will rehash the suffix, and the hub made no listing or unlink."""
    df, first = _put(mgr, b"first", part="9")
    suffix_dir = os.path.dirname(df.datadir)
    invalid = os.path.join(os.path.dirname(suffix_dir), "hashes.invalid")
    os.unlink(invalid)
    hub_calls = []
    handoffs = _record_thread_calls(monkeypatch, hub_calls)
    df.delete(Timestamp.now())
    monkeypatch.undo()
    assert len(handoffs) == 1 and handoffs[0].index("unlink") > handoffs[0].index("rename")
    assert hub_calls == []
    names = os.listdir(df.datadir)
    assert len(names) == 1 and names[0].endswith(".ts")
    with open(invalid) as fp:
        assert fp.read().split() == [os.path.basename(suffix_dir)]


def test_metadata_that_spills_is_written_whole_in_the_thread_pool(mgr, monkeypatch):
    """The sidecar's write fsyncs, so it never happens on the hub: the
    parents of the dirs made for it are synced first, then the whole
    publication (sidecar, data, rename, hash dir) runs in the thread."""
    _put(mgr, b"first", name=("a", "c", "first"), part="8")  # the device's objects dir
    handoffs = _record_thread_calls(monkeypatch)
    big = {"X-Object-Meta-" + "k%03d" % i + "n" * 124: "v" * 128 for i in range(16)}
    df, _ts = _put(mgr, extra=big, part="11")
    assert [h.count("fsync") for h in handoffs] == [3, 3]  # 3 new dirs; sidecar, data, dir
    assert "rename" in handoffs[1]
    assert any(n.endswith(".xmeta") for n in os.listdir(df.datadir))
