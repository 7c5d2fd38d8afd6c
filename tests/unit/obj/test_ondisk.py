import os
import time

from objstore.obj.ondisk import cleanup_ondisk_files, gather_ondisk_files, parse_filename


def test_the_newest_data_file_is_kept_and_older_ones_are_obsolete():
    files = gather_ondisk_files(["0000000001.00000.data", "0000000003.00000.data",
                                 "0000000002.00000.ts"])
    assert files.data_file == "0000000003.00000.data"
    assert sorted(files.obsolete) == ["0000000001.00000.data", "0000000002.00000.ts"]


def test_a_newer_tombstone_hides_the_data_and_its_meta():
    files = gather_ondisk_files(["0000000001.00000.data", "0000000002.00000.meta",
                                 "0000000003.00000.ts"])
    assert files.ts_file == "0000000003.00000.ts"
    assert files.data_file is None and files.meta_file is None
    assert len(files.obsolete) == 2


def test_only_the_newest_meta_newer_than_the_data_is_kept():
    files = gather_ondisk_files(["0000000002.00000.data", "0000000001.00000.meta",
                                 "0000000003.00000.meta", "0000000004.00000.meta"])
    assert files.kept == ["0000000002.00000.data", "0000000004.00000.meta"]
    assert sorted(files.obsolete) == ["0000000001.00000.meta", "0000000003.00000.meta"]


def test_a_tombstone_wins_a_tie_with_a_data_file():
    files = gather_ondisk_files(["0000000002.00000.data", "0000000002.00000.ts"])
    assert files.ts_file == "0000000002.00000.ts"


def test_offsets_order_writes_that_share_a_timestamp():
    files = gather_ondisk_files(["0000000002.00000.data", "0000000002.00000_0000000000000001.data"])
    assert files.data_file == "0000000002.00000_0000000000000001.data"


def test_old_tombstones_are_reclaimed_and_young_ones_kept():
    now = 1_000_000.0
    old = gather_ondisk_files(["0000000010.00000.ts"], now=now, reclaim_age=100)
    assert old.kept == [] and old.obsolete == ["0000000010.00000.ts"]
    young = gather_ondisk_files(["0000999950.00000.ts"], now=now, reclaim_age=100)
    assert young.kept == ["0000999950.00000.ts"]


def test_sidecars_follow_their_owner_and_in_flight_ones_are_left_alone():
    files = gather_ondisk_files([
        "0000000002.00000.data", "0000000002.00000.data.aa.xmeta",
        "0000000001.00000.data.bb.xmeta",  # owner obsolete
        "0000000009.00000.data.cc.xmeta",  # newer write still in flight
    ])
    assert files.sidecars == ["0000000002.00000.data.aa.xmeta"]
    assert files.obsolete == ["0000000001.00000.data.bb.xmeta"]
    assert files.pending_sidecars == ["0000000009.00000.data.cc.xmeta"]


def test_unknown_names_are_neither_kept_nor_removed():
    files = gather_ondisk_files(["junk", "x.data", "0000000001.00000.data"])
    assert files.kept == ["0000000001.00000.data"] and files.obsolete == []
    assert parse_filename("junk") is None and parse_filename("x.data") is None


def test_cleanup_removes_obsolete_files_and_the_empty_dir(tmp_path):
    hash_dir = tmp_path / "abc"
    hash_dir.mkdir()
    for name in ("0000000001.00000.data", "0000000002.00000.ts"):
        (hash_dir / name).write_bytes(b"")
    result = cleanup_ondisk_files(str(hash_dir), reclaim_age=60)
    assert result.kept == []
    assert not hash_dir.exists()


def test_cleanup_removes_orphan_sidecars_only_once_they_are_old(tmp_path):
    hash_dir = tmp_path / "abc"
    hash_dir.mkdir()
    orphan = hash_dir / "0000000009.00000.data.cc.xmeta"
    orphan.write_bytes(b"{}")
    cleanup_ondisk_files(str(hash_dir), reclaim_age=60)
    assert orphan.exists()
    old = time.time() - 120
    os.utime(orphan, (old, old))
    cleanup_ondisk_files(str(hash_dir), reclaim_age=60)
    assert not hash_dir.exists()


def test_cleanup_of_a_missing_dir_is_a_no_op(tmp_path):
    assert cleanup_ondisk_files(str(tmp_path / "nope")).kept == []


def test_a_lone_file_gets_the_verdict_of_the_general_sort():
    from objstore.obj import ondisk
    for name in ("1796561623.51764.data", "1796561623.51764_000000000000000a.data",
                 "1796561623.51764#2.data", "1796561623.51764#2#d.data", "1796561623.51764.ts",
                 "1796561623.51764.meta", "notatime.data", ".data", "1796561623.51764.data.x",
                 "1796561623.51764.data.abc.xmeta"):
        for reclaim in (None, 1.0):
            fast = ondisk.gather_ondisk_files([name], now=2e9, reclaim_age=reclaim)
            general = ondisk.gather_ondisk_files(iter([name]), now=2e9, reclaim_age=reclaim)
            assert fast == general, name
    assert ondisk.gather_ondisk_files(["1796561623.51764.data"]).data_file == \
        "1796561623.51764.data"
