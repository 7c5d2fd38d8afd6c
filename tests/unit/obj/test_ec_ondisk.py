"""EC fragment archives on disk: only durable fragments are served, and an
older durable version stays served until the newer one is committed."""

import os
import time

import pytest

from objstore.common.timestamp import Timestamp
from objstore.common.utils import md5_hex
from objstore.obj.diskfile import DiskFileManager, DiskFileNotExist
from objstore.obj.hashes import hash_suffix
from objstore.obj.ondisk import (gather_ondisk_files, make_frag_name, parse_data_name,
                                 parse_filename)

T1, T2, T3 = Timestamp(1000.0), Timestamp(2000.0), Timestamp(3000.0)


def test_fragment_names_parse_with_index_and_durability():
    assert parse_data_name("0000001000.00000#3.data") == (T1, 3, False)
    assert parse_data_name("0000001000.00000#3#d.data") == (T1, 3, True)
    assert parse_data_name("0000001000.00000.data") == (T1, None, True)
    assert parse_data_name("0000001000.00000#x.data") is None
    assert parse_data_name("0000001000.00000#1#q.data") is None
    assert parse_filename("0000001000.00000#1#d.data") == (T1, ".data")
    assert make_frag_name(T1, 2, True) == "0000001000.00000#2#d.data"


def test_a_non_durable_fragment_alone_is_not_served():
    files = gather_ondisk_files([make_frag_name(T1, 0, False)])
    assert files.data_file is None and files.non_durable == [make_frag_name(T1, 0, False)]
    assert files.obsolete == []


def test_a_newer_non_durable_fragment_never_hides_the_older_durable_one():
    names = [make_frag_name(T1, 2, True), make_frag_name(T2, 2, False)]
    files = gather_ondisk_files(names)
    assert files.data_file == names[0] and files.non_durable == [names[1]]
    assert files.obsolete == [] and sorted(files.kept) == sorted(names)


def test_once_committed_the_newer_fragment_makes_the_older_obsolete():
    names = [make_frag_name(T1, 2, True), make_frag_name(T2, 2, True)]
    files = gather_ondisk_files(names)
    assert files.data_file == names[1] and files.obsolete == [names[0]]


def test_durability_is_per_timestamp_across_fragment_indexes():
    names = [make_frag_name(T2, 1, True), make_frag_name(T2, 4, False)]
    files = gather_ondisk_files(names)
    assert files.frag_files == names and files.data_file == names[0]


def test_stale_non_durable_fragments_go_after_reclaim_age_or_behind_a_tombstone():
    old = make_frag_name(T1, 0, False)
    assert gather_ondisk_files([old], now=T1.raw / 1e5 + 100,
                               reclaim_age=10).obsolete == [old]
    files = gather_ondisk_files([old, T2.internal + ".ts"])
    assert files.ts_file and files.obsolete == [old]


def test_suffix_hash_ignores_fragment_index_but_not_durability(tmp_path):
    def suffix(names):
        d = tmp_path / str(len(list(tmp_path.iterdir()))) / "abc" / ("f" * 29 + "abc")
        d.mkdir(parents=True)
        for n in names:
            (d / n).write_bytes(b"")
        return hash_suffix(str(d.parent), None)
    a = suffix([make_frag_name(T1, 0, True)])
    b = suffix([make_frag_name(T1, 3, True)])
    c = suffix([make_frag_name(T1, 3, True), make_frag_name(T2, 3, False)])
    d = suffix([make_frag_name(T2, 3, True)])
    assert a == b == c != d


@pytest.fixture
def mgr(obj_conf):
    return DiskFileManager(obj_conf)


# recent: a non-durable fragment older than reclaim_age is cleaned at once
N1, N2 = Timestamp(time.time() - 10), Timestamp(time.time() - 5)


def _put_frag(mgr, frag, ts, body=b"fragment", policy=1):
    df = mgr.get_diskfile("sda1", "3", "a", "c", "o", policy_index=policy)
    meta = {"name": "/a/c/o", "X-Timestamp": ts.internal, "Content-Length": str(len(body)),
            "ETag": md5_hex(body), "Content-Type": "text/plain",
            "X-Object-Sysmeta-Ec-Frag-Index": str(frag)}
    with df.create(len(body)) as writer:
        writer.write(body)
        writer.put(meta, "#%d.data" % frag)
    return df


def _read(mgr, frag=None):
    df = mgr.get_diskfile("sda1", "3", "a", "c", "o", policy_index=1)
    df.wanted_frag = frag
    df.open()
    return b"".join(df.reader()), df.get_metadata()


def test_diskfile_serves_a_fragment_only_after_its_commit(mgr):
    df = _put_frag(mgr, 2, N1, b"v1")
    with pytest.raises(DiskFileNotExist):
        _read(mgr)
    assert df.commit(N1, {"X-Object-Sysmeta-Ec-Etag": "abc"})["X-Object-Sysmeta-Ec-Etag"] == "abc"
    body, meta = _read(mgr)
    assert body == b"v1" and meta["X-Object-Sysmeta-Ec-Etag"] == "abc"
    _put_frag(mgr, 2, N2, b"v2")
    assert _read(mgr)[0] == b"v1"  # the older durable one until v2 commits
    assert df.commit(N2) is not None
    assert _read(mgr)[0] == b"v2"
    assert sorted(os.listdir(df.datadir)) == [make_frag_name(N2, 2, True)]


def test_commit_of_an_unknown_timestamp_finds_nothing(mgr):
    df = _put_frag(mgr, 0, N1)
    assert df.commit(N2) is None


def test_a_node_holding_two_indexes_opens_the_one_asked_for(mgr):
    _put_frag(mgr, 1, N1, b"one")
    df = _put_frag(mgr, 4, N1, b"four")
    df.commit(N1)
    assert _read(mgr)[0] == b"one" and _read(mgr, 4)[0] == b"four"
    assert df.fragments() == [1, 4]
    with pytest.raises(DiskFileNotExist):
        _read(mgr, 3)


def test_metadata_spilled_to_a_sidecar_survives_the_commit(mgr):
    df = mgr.get_diskfile("sda1", "3", "a", "c", "o", policy_index=1)
    meta = {"name": "/a/c/o", "X-Timestamp": N1.internal, "Content-Length": "1",
            "ETag": md5_hex(b"x"), "Content-Type": "text/plain",
            "X-Object-Meta-Big": "v" * 8000}
    with df.create(1) as writer:
        writer.write(b"x")
        writer.put(meta, "#0.data")
    df.commit(N1, {"X-Object-Sysmeta-Ec-Etag": "e" * 32})
    mgr.cleanup_ondisk_files(df.datadir)
    assert _read(mgr)[1]["X-Object-Meta-Big"] == "v" * 8000
