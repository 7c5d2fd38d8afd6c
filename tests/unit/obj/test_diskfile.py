import json
import os
import time

import pytest

from objstore.obj.reader import DamagedObject

from objstore.common import body_sums
from objstore.common.timestamp import Timestamp
from objstore.common.utils import md5_hex
from objstore.obj import diskfile as dfmod
from objstore.obj import reader as reader_mod
from objstore.obj.diskfile import DiskFileManager
from objstore.obj.metadata import read_metadata, write_metadata
from ring.utils import hash_path
from tests.support.diskfiles import put_object as _put, read_object as _read


@pytest.fixture
def mgr(obj_conf):
    return DiskFileManager(obj_conf)


def test_objects_live_under_partition_suffix_and_salted_hash(mgr, obj_conf):
    df, ts = _put(mgr)
    expected = hash_path("a", "c", "o", prefix=b"pre", suffix=b"suf")
    path = os.path.join(obj_conf["devices"], "sda1", "objects", "7", expected[-3:], expected,
                        ts.internal + ".data")
    assert os.path.isfile(path)
    assert df.datadir == os.path.dirname(path)


def test_policy_n_objects_live_under_objects_n(mgr, obj_conf):
    _put(mgr, policy=1)
    assert os.path.isdir(os.path.join(obj_conf["devices"], "sda1", "objects-1", "7"))
    with pytest.raises(dfmod.DiskFileNotExist):
        mgr.get_diskfile("sda1", "7", "a", "c", "o", policy_index=0).open()


def test_a_written_object_reads_back_with_its_metadata(mgr):
    _put(mgr, b"x" * 200000, extra={"X-Object-Meta-Color": "red"})
    df, body = _read(mgr)
    assert body == b"x" * 200000
    assert df.get_metadata()["X-Object-Meta-Color"] == "red"


def test_a_writer_closed_without_put_leaves_nothing_behind(mgr, obj_conf):
    df = mgr.get_diskfile("sda1", "7", "a", "c", "o")
    with df.create(5) as writer:
        writer.write(b"hel")
    assert os.listdir(os.path.join(obj_conf["devices"], "sda1", "tmp")) == []
    with pytest.raises(dfmod.DiskFileNotExist):
        df.open()


def test_a_newer_put_removes_the_older_data_file(mgr):
    df, _ = _put(mgr, b"one")
    _put(mgr, b"two")
    assert len([n for n in os.listdir(df.datadir) if n.endswith(".data")]) == 1
    assert _read(mgr)[1] == b"two"


def test_a_meta_file_replaces_user_metadata_but_keeps_content_metadata(mgr):
    df, ts = _put(mgr, extra={"X-Object-Meta-Old": "1", "X-Object-Sysmeta-Keep": "s"})
    post_ts = Timestamp(float(ts) + 1)
    df.write_metadata({"X-Timestamp": post_ts.internal, "X-Object-Meta-New": "2"})
    df, _ = _read(mgr)
    meta = df.get_metadata()
    assert "X-Object-Meta-Old" not in meta and meta["X-Object-Meta-New"] == "2"
    assert meta["X-Object-Sysmeta-Keep"] == "s" and meta["Content-Length"] == "5"
    assert df.timestamp == post_ts and df.data_timestamp == ts


def test_a_tombstone_reports_its_timestamp(mgr):
    df, ts = _put(mgr)
    del_ts = Timestamp(float(ts) + 1)
    df.delete(del_ts)
    with pytest.raises(dfmod.DiskFileDeleted) as info:
        mgr.get_diskfile("sda1", "7", "a", "c", "o").open()
    assert info.value.timestamp == del_ts
    assert [n for n in os.listdir(df.datadir)] == [del_ts.internal + ".ts"]


def test_an_expired_object_is_not_found_but_its_metadata_is_available(mgr):
    _put(mgr, extra={"X-Delete-At": str(int(time.time()) + 100)})
    df = mgr.get_diskfile("sda1", "7", "a", "c", "o")
    df.open()
    df.close()
    with pytest.raises(dfmod.DiskFileExpired) as info:
        df.open(now=time.time() + 200)
    assert info.value.metadata["name"] == "/a/c/o"


def test_a_size_mismatch_quarantines_the_object_at_open(mgr, obj_conf):
    df, ts = _put(mgr, b"hello")
    with open(os.path.join(df.datadir, ts.internal + ".data"), "ab") as fp:
        fp.write(b"junk")
    with pytest.raises(dfmod.DiskFileQuarantined):
        mgr.get_diskfile("sda1", "7", "a", "c", "o").open()
    qdir = os.path.join(obj_conf["devices"], "sda1", "quarantined", "objects", df.object_hash)
    assert os.path.isdir(qdir) and not os.path.exists(df.datadir)


def test_unreadable_metadata_quarantines_the_object(mgr):
    df, ts = _put(mgr)
    os.removexattr(os.path.join(df.datadir, ts.internal + ".data"), "user.objstore.metadata")
    with pytest.raises(dfmod.DiskFileQuarantined):
        mgr.get_diskfile("sda1", "7", "a", "c", "o").open()


def test_a_full_read_with_the_wrong_md5_quarantines_the_object(mgr):
    df, ts = _put(mgr, b"hello")
    with open(os.path.join(df.datadir, ts.internal + ".data"), "r+b") as fp:
        fp.write(b"J")  # same size, different bytes: only the MD5 can tell
    df = mgr.get_diskfile("sda1", "7", "a", "c", "o").open()
    reader = df.reader()
    with pytest.raises(DamagedObject):
        b"".join(reader)  # the damaged last chunk is never handed out
    assert not os.path.exists(df.datadir)
    with pytest.raises(dfmod.DiskFileNotExist):
        mgr.get_diskfile("sda1", "7", "a", "c", "o").open()


def test_a_partial_read_does_not_judge_the_md5(mgr):
    df, ts = _put(mgr, b"hello")
    with open(os.path.join(df.datadir, ts.internal + ".data"), "r+b") as fp:
        fp.write(b"J")
    df = mgr.get_diskfile("sda1", "7", "a", "c", "o").open()
    reader = df.reader()
    assert b"".join(reader.read_range(1, 3)) == b"el"
    reader.close()
    assert os.path.exists(df.datadir)


def _rewrite_metadata(df, ts, **changes):
    path = os.path.join(df.datadir, ts.internal + ".data")
    meta = read_metadata(path, df.datadir)
    meta.update(changes)
    write_metadata(path, {k: v for k, v in meta.items() if v is not None}, path + ".side")
    return path


def test_a_data_file_keeps_the_crc_of_its_own_bytes_whatever_the_caller_says(mgr):
    df, ts = _put(mgr, b"123456789", extra={body_sums.METADATA_KEY: "0" * 16})
    meta = read_metadata(os.path.join(df.datadir, ts.internal + ".data"), df.datadir)
    assert meta[body_sums.METADATA_KEY] == "ae8b14860a799888"  # CRC-64/NVME's check value
    df = mgr.get_diskfile("sda1", "7", "a", "c", "o").open()
    df.write_metadata({"X-Timestamp": Timestamp.now().internal, "name": "/a/c/o",
                       body_sums.METADATA_KEY: "1" * 16})  # a .meta cannot replace it
    df = mgr.get_diskfile("sda1", "7", "a", "c", "o").open()
    assert df.get_metadata()[body_sums.METADATA_KEY] == "ae8b14860a799888"
    assert b"".join(df.reader()) == b"123456789"


def _damaged_read_quarantines(mgr, df, path: str, judged_by: str) -> None:
    """Its first byte changed, a full read of the object fails naming what
    judged it, and the object is quarantined."""
    with open(path, "r+b") as fp:
        fp.write(b"J")
    reader = mgr.get_diskfile("sda1", "7", "a", "c", "o").open().reader()
    with pytest.raises(DamagedObject, match=judged_by):
        b"".join(reader)
    assert not os.path.exists(df.datadir)


def test_a_full_read_judges_the_bytes_by_their_crc_where_there_is_one(mgr):
    df, ts = _put(mgr, b"hello")
    path = _rewrite_metadata(df, ts, ETag=md5_hex(b"Jello"))  # the MD5 would pass these
    _damaged_read_quarantines(mgr, df, path, "CRC-64/NVME")


def test_a_data_file_without_a_crc_is_judged_by_its_md5(mgr):
    df, ts = _put(mgr, b"hello")
    path = _rewrite_metadata(df, ts, **{body_sums.METADATA_KEY: None})
    assert body_sums.METADATA_KEY not in read_metadata(path, df.datadir)
    assert _read(mgr)[1] == b"hello"
    _damaged_read_quarantines(mgr, df, path, "MD5")


def test_check_etag_judges_the_md5_too(mgr):
    df, ts = _put(mgr, b"hello")
    _rewrite_metadata(df, ts, ETag=md5_hex(b"other"))
    assert _read(mgr)[1] == b"hello"  # the bytes are the ones written
    reader = mgr.get_diskfile("sda1", "7", "a", "c", "o").open().reader(check_etag=True)
    with pytest.raises(DamagedObject, match="MD5"):
        b"".join(reader)


def _count_reads(monkeypatch):
    """``(size, offset)`` of every read, in the thread pool or not."""
    reads = []
    real_pread, real_preadv = os.pread, os.preadv
    monkeypatch.setattr(reader_mod.os, "pread",
                        lambda fd, n, off: reads.append((n, off)) or real_pread(fd, n, off))
    monkeypatch.setattr(reader_mod.os, "preadv", lambda fd, bufs, off, flags=0: (
        reads.append((len(bufs[0]), off)) or real_preadv(fd, bufs, off, flags)))
    return reads


def test_an_object_of_one_chunk_checked_first_is_read_from_disk_once(mgr, monkeypatch):
    _put(mgr, b"x" * 5000)
    reads = _count_reads(monkeypatch)
    reader = mgr.get_diskfile("sda1", "7", "a", "c", "o").open().reader()
    reader.verify_whole()
    assert b"".join(reader) == b"x" * 5000
    assert [off for _n, off in reads] == [0, 5000]  # the body, then the end of the file
    assert reader.fd == -1


def _no_thread_pool(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("handed to the thread pool")
    monkeypatch.setattr(reader_mod.concurrency, "run_in_thread", refuse)
    monkeypatch.setattr(reader_mod.concurrency, "start_in_thread", refuse)


def test_a_small_object_the_page_cache_holds_is_read_without_the_thread_pool(mgr, monkeypatch):
    body = os.urandom(5000)
    _put(mgr, body)
    _read(mgr)  # its pages are cached now (they were just written, too)
    _no_thread_pool(monkeypatch)
    reader = mgr.get_diskfile("sda1", "7", "a", "c", "o").open().reader()
    reader.verify_whole()
    assert b"".join(reader) == body
    ranged = mgr.get_diskfile("sda1", "7", "a", "c", "o").open().reader()
    assert b"".join(ranged.read_range(10, 4000)) == body[10:4000]
    ranged.close()


def test_a_read_that_would_wait_for_the_disk_goes_to_the_thread_pool(mgr, monkeypatch):
    body = os.urandom(5000)
    _put(mgr, body)
    pooled = []
    real = reader_mod.concurrency.run_in_thread
    monkeypatch.setattr(reader_mod.concurrency, "run_in_thread",
                        lambda fn, *args: pooled.append(fn) or real(fn, *args))

    def would_block(fd, bufs, off, flags=0):
        assert flags == os.RWF_NOWAIT
        raise BlockingIOError(11, "would block")
    monkeypatch.setattr(reader_mod.os, "preadv", would_block)
    reader = mgr.get_diskfile("sda1", "7", "a", "c", "o").open().reader()
    reader.verify_whole()
    assert b"".join(reader) == body
    assert pooled == [reader_mod._pread_into] * 2  # the body, then the end of the file
    assert reader_mod._nowait  # still tried first next time


def test_a_read_partly_cached_continues_where_it_stopped_and_is_judged_whole(mgr, monkeypatch):
    body = os.urandom(5000)
    _put(mgr, body)
    _put(mgr, os.urandom(5000), name=("a", "c", "bad"), extra={"ETag": md5_hex(b"other")})
    real = os.preadv

    def first_page_only(fd, bufs, off, flags=0):
        short = bytearray(min(len(bufs[0]), 4096 - off % 4096))
        got = real(fd, [short], off, flags)
        bufs[0][:got] = short[:got]
        return got
    monkeypatch.setattr(reader_mod.os, "preadv", first_page_only)
    _no_thread_pool(monkeypatch)
    assert _read(mgr)[1] == body
    df = mgr.get_diskfile("sda1", "7", "a", "c", "bad")
    reader = df.open().reader(verify=False)
    reader.body_crc = None  # judged by the MD5 alone, which is wrong
    with pytest.raises(DamagedObject, match="MD5"):
        reader.verify_whole()


def test_a_file_system_without_nowait_reads_is_read_in_the_thread_pool(mgr, monkeypatch):
    body = os.urandom(5000)
    _put(mgr, body)
    monkeypatch.setattr(reader_mod, "_nowait", True)

    def refused(fd, bufs, off, flags=0):
        raise OSError(95, "Operation not supported")
    monkeypatch.setattr(reader_mod.os, "preadv", refused)
    assert _read(mgr)[1] == body
    assert reader_mod._nowait is False  # not asked again


def test_a_large_body_is_handed_to_the_disk_as_it_is_written(mgr, monkeypatch):
    from objstore.obj import writer as writer_mod
    started = []
    monkeypatch.setattr(writer_mod, "_sync_file_range",
                        lambda fd, offset, length, flags: started.append((offset, length, flags)))
    step = writer_mod.WRITEBACK_BYTES
    chunk = b"w" * (1 << 20)
    count = 2 * step // len(chunk) + 1
    df = mgr.get_diskfile("sda1", "7", "a", "c", "o")
    with df.create() as writer:
        for _ in range(count):
            writer.write(chunk)
        writer.put({"name": "/a/c/o", "X-Timestamp": Timestamp.now().internal,
                    "Content-Length": str(len(chunk) * count), "ETag": md5_hex(chunk * count),
                    "Content-Type": "text/plain"})
    assert started == [(0, step, 2), (step, step, 2)]  # SYNC_FILE_RANGE_WRITE: no waiting
    assert _read(mgr)[1] == chunk * count


def test_a_hash_dir_holding_another_name_is_a_collision(mgr):
    df, _ = _put(mgr)
    other = mgr.get_diskfile("sda1", "7", "a", "c", "o")
    other.name = "/a/c/other"
    with pytest.raises(dfmod.DiskFileCollision):
        other.open()


def test_get_diskfile_from_hash_learns_the_name_on_open(mgr):
    df, _ = _put(mgr)
    by_hash = mgr.get_diskfile_from_hash("sda1", "7", df.object_hash).open()
    assert by_hash.name == "/a/c/o"
    with pytest.raises(dfmod.DiskFileNotExist):
        mgr.get_diskfile_from_hash("sda1", "7", "nothex")


def test_an_unmounted_device_is_unavailable(obj_conf):
    mgr = DiskFileManager(dict(obj_conf, mount_check="true"))
    with pytest.raises(dfmod.DiskFileDeviceUnavailable):
        mgr.get_diskfile("sda1", "7", "a", "c", "o")
    with pytest.raises(dfmod.DiskFileDeviceUnavailable):
        DiskFileManager(obj_conf).get_diskfile("../etc", "7", "a", "c", "o")


def test_a_device_below_its_reserve_refuses_writes(obj_conf):
    mgr = DiskFileManager(dict(obj_conf, fallocate_reserve="100%"))
    with pytest.raises(dfmod.DiskFileNoSpace):
        mgr.get_diskfile("sda1", "7", "a", "c", "o").create(10)
    mgr = DiskFileManager(dict(obj_conf, fallocate_reserve=str(2 ** 62)))
    with pytest.raises(dfmod.DiskFileNoSpace):
        mgr.get_diskfile("sda1", "7", "a", "c", "o").create(10)


def test_the_reserve_accepts_percent_or_bytes():
    assert dfmod.parse_reserve("1%") == (0, 1.0)
    assert dfmod.parse_reserve("10485760") == (10485760, 0.0)


def test_every_write_invalidates_its_suffix_and_get_hashes_recomputes(mgr):
    df, ts = _put(mgr)
    suffix = df.object_hash[-3:]
    first = mgr.get_hashes("sda1", "7", [])
    assert list(first) == [suffix]
    part = os.path.dirname(os.path.dirname(df.datadir))
    assert open(os.path.join(part, "hashes.invalid")).read() == ""
    cached = json.load(open(os.path.join(part, "hashes.json")))
    assert {k: v for k, v in cached.items() if k != "generation"} == first
    df.delete(Timestamp(float(ts) + 1))
    assert open(os.path.join(part, "hashes.invalid")).read() == suffix + "\n"
    second = mgr.get_hashes("sda1", "7", [])
    assert second[suffix] != first[suffix]


def test_get_hashes_uses_the_cache_until_told_to_recalculate(mgr):
    df, _ = _put(mgr)
    suffix = df.object_hash[-3:]
    cached = mgr.get_hashes("sda1", "7", [])
    # a change made behind the manager's back (no invalidation) stays unseen...
    os.rename(df.datadir, df.datadir + "x")
    assert mgr.get_hashes("sda1", "7", []) == cached
    # ...until the suffix is named
    assert mgr.get_hashes("sda1", "7", [suffix])[suffix] != cached[suffix]


def test_replicas_with_the_same_files_agree_on_suffix_hashes(mgr):
    ts = Timestamp.now()
    _put(mgr, ts=ts, part="1")
    _put(mgr, ts=ts, part="2")
    assert mgr.get_hashes("sda1", "1", []) == mgr.get_hashes("sda1", "2", [])


def test_a_damaged_hash_cache_is_rebuilt(mgr):
    df, _ = _put(mgr)
    good = mgr.get_hashes("sda1", "7", [])
    part = os.path.dirname(os.path.dirname(df.datadir))
    with open(os.path.join(part, "hashes.json"), "w") as fp:
        fp.write("{not json")
    assert mgr.get_hashes("sda1", "7", []) == good


def test_reclaimed_tombstones_drop_their_suffix_from_the_hashes(obj_conf):
    mgr = DiskFileManager(dict(obj_conf, reclaim_age="100"))
    df, _ = _put(mgr, ts=Timestamp(time.time() - 1000))
    df.delete(Timestamp(time.time() - 900))
    assert mgr.get_hashes("sda1", "7", []) == {}
    assert not os.path.exists(os.path.dirname(df.datadir))


def test_get_hashes_of_a_missing_partition_is_empty(mgr):
    assert mgr.get_hashes("sda1", "999", []) == {}


def test_yield_hashes_lists_every_object_with_its_timestamps(mgr):
    df1, ts1 = _put(mgr, name=("a", "c", "o1"))
    df2, ts2 = _put(mgr, name=("a", "c", "o2"))
    meta_ts = Timestamp(float(ts2) + 1)
    df2.write_metadata({"X-Timestamp": meta_ts.internal})
    found = dict(mgr.yield_hashes("sda1", "7"))
    assert found[df1.object_hash] == {"ts_data": ts1}
    assert found[df2.object_hash] == {"ts_data": ts2, "ts_meta": meta_ts}
    only = dict(mgr.yield_hashes("sda1", "7", suffixes=[df1.object_hash[-3:]]))
    assert df1.object_hash in only
    assert [s for _p, s in mgr.yield_suffixes("sda1", "7")] == sorted(
        {df1.object_hash[-3:], df2.object_hash[-3:]})


def test_a_spilled_object_publishes_its_sidecar_and_cleanup_removes_it_later(mgr):
    big = {"X-Object-Meta-" + "k%03d" % i + "n" * 124: "v" * 128 for i in range(16)}
    df, ts = _put(mgr, extra=big)
    names = os.listdir(df.datadir)
    assert any(n.endswith(".xmeta") for n in names)
    assert _read(mgr)[0].get_metadata()["X-Object-Meta-" + "k000" + "n" * 124] == "v" * 128
    _put(mgr, b"newer")
    assert not any(n.endswith(".xmeta") for n in os.listdir(df.datadir))


def test_async_pending_paths_are_per_policy_and_suffix(mgr, obj_conf):
    ts = Timestamp(5)
    path = mgr.async_pending_path("sda1", 1, "0" * 29 + "abc", ts)
    assert path == os.path.join(obj_conf["devices"], "sda1", "async_pending-1", "abc",
                                "0" * 29 + "abc-" + ts.internal)


def test_a_reader_racing_an_overwrite_reads_the_new_object_and_quarantines_nothing(
        mgr, monkeypatch):
    big = {"X-Object-Meta-" + "k%03d" % i + "n" * 124: "v" * 128 for i in range(16)}
    old_df, old_ts = _put(mgr, b"old", extra=big)  # spilled: has a sidecar
    old_path = os.path.join(old_df.datadir, old_ts.internal + ".data")
    keep = old_path + ".keep"
    os.link(old_path, keep)
    stale = dfmod.gather_ondisk_files(os.listdir(old_df.datadir))
    _put(mgr, b"new")  # removes the old .data and its sidecar
    os.rename(keep, old_path)  # the old file, as a slow reader still sees it
    real = dfmod.gather_ondisk_files
    calls = []

    def first_listing_is_stale(names, *args, **kwargs):
        calls.append(1)
        return stale if len(calls) == 1 else real(names, *args, **kwargs)

    monkeypatch.setattr(dfmod, "gather_ondisk_files", first_listing_is_stale)
    df, body = _read(mgr)
    assert body == b"new"
    assert not os.path.exists(os.path.join(mgr.devices, "sda1", "quarantined"))


def test_a_multi_chunk_object_reads_whole_and_a_damaged_one_ends_short(obj_conf):
    small = dfmod.DiskFileManager(dict(obj_conf, disk_chunk_size="4"), None)
    body = b"0123456789abcdefghij"  # five chunks: each next one is read ahead
    df, ts = _put(small, body)
    assert b"".join(small.get_diskfile("sda1", "7", "a", "c", "o").open().reader()) == body
    with open(os.path.join(df.datadir, ts.internal + ".data"), "r+b") as fp:
        fp.seek(9)
        fp.write(b"J")
    got = []
    reader = small.get_diskfile("sda1", "7", "a", "c", "o").open().reader()
    with pytest.raises(DamagedObject):
        for chunk in reader:
            got.append(chunk)
    assert b"".join(got) == b"012345678Jabcdef" and reader.fd == -1  # all but the last


def test_a_read_stopped_half_way_closes_the_file(obj_conf):
    small = dfmod.DiskFileManager(dict(obj_conf, disk_chunk_size="4"), None)
    _put(small, b"0123456789abcdefghij")
    reader = small.get_diskfile("sda1", "7", "a", "c", "o").open().reader()
    chunks = iter(reader)
    assert next(chunks) == b"0123"
    chunks.close()  # the client went away
    assert reader.fd == -1


def test_what_was_learnt_from_the_body_outlives_a_post_that_does_not_repeat_it():
    from objstore.common import footers
    data = {"X-Timestamp": "1.00000", "ETag": "e", footers.CRYPTO_ETAG: "enc-etag",
            footers.LISTING_ETAG: "listed", "X-Object-Meta-A": "1",
            "X-Object-Transient-Sysmeta-Other": "old"}
    meta = {"X-Timestamp": "2.00000", "X-Object-Meta-B": "2"}
    merged = dfmod.merge_metadata(data, meta)
    assert merged[footers.CRYPTO_ETAG] == "enc-etag" and merged[footers.LISTING_ETAG] == "listed"
    # the POST still replaces everything else it owns
    assert "X-Object-Meta-A" not in merged and "X-Object-Transient-Sysmeta-Other" not in merged
    # a .meta that carries them (an older POST that repeated them) is what counts
    again = dfmod.merge_metadata(data, dict(meta, **{footers.CRYPTO_ETAG.lower(): "from-meta"}))
    assert again[footers.CRYPTO_ETAG.lower()] == "from-meta" and footers.CRYPTO_ETAG not in again
