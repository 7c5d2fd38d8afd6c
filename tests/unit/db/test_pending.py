"""The pending file: durable appends, batched merges, crash safety."""

import logging
import multiprocessing
import os
import sqlite3

import pytest

from objstore.account.broker import AccountBroker
from objstore.common import concurrency
from objstore.container.broker import ContainerBroker
from objstore.db import pending as pending_mod
from objstore.db import replication
from objstore.db.listing import ListingParams, build_listing
from objstore.db.pending import decode_records, encode_record


def make(tmp_path, name="c", **kwargs):
    b = ContainerBroker(str(tmp_path / name / (name + ".db")), "a", name, **kwargs)
    b.initialize("1000", 0)
    return b


@pytest.fixture
def broker(tmp_path):
    return make(tmp_path)


def rows_in_sqlite(broker):
    """Rows already merged, read without merging the pending file."""
    with broker._read(merge=False) as conn:
        return {r["name"]: dict(r) for r in conn.execute("SELECT * FROM object")}


def put(broker, name, ts, size=1, **kwargs):
    broker.put_object(name, ts, size, "text/plain", "etag", pending=True, **kwargs)


def test_a_queued_row_is_fsynced_to_the_pending_file_and_not_yet_in_sqlite(broker):
    put(broker, "o", "1001")
    assert broker.has_pending()
    rows, problems = decode_records(open(broker.pending.path, "rb").read())
    assert [r["name"] for r in rows] == ["o"] and problems == []
    assert rows_in_sqlite(broker) == {}


def test_reads_of_rows_and_stats_see_pending_rows_and_empty_the_file(broker):
    put(broker, "a", "1001", size=5)
    put(broker, "b", "1001", size=7)
    info = broker.get_info()
    assert (info["object_count"], info["bytes_used"], info["empty"]) == (2, 12, False)
    assert not broker.has_pending()
    assert os.path.getsize(broker.pending.path) == 0
    put(broker, "c", "1002")
    listing = build_listing(broker.fetch_objects, ListingParams(limit=100))
    assert [e.name for e in listing] == ["a", "b", "c"]
    broker.delete_object("a", "1003", pending=True)
    assert broker.get_item("a")["deleted"] == 1


def test_info_row_reads_do_not_merge_so_object_updates_stay_cheap(broker):
    put(broker, "o", "1001")
    assert broker.is_deleted() is False
    broker.get_raw_info()
    assert broker.has_pending()


def test_a_deleted_container_counts_its_pending_rows_before_saying_deleted(broker):
    broker.mark_deleted("1002")
    put(broker, "o", "1003")
    assert broker.is_deleted() is False  # the pending row makes it non-empty


def test_the_file_is_merged_by_itself_once_it_passes_the_size_limit(tmp_path):
    broker = make(tmp_path, pending_max_bytes=1000)
    for i in range(20):
        put(broker, "o%02d" % i, "1001")
    assert broker.pending.size() < 1000
    assert len(rows_in_sqlite(broker)) >= 10


def test_within_one_batch_the_newest_update_of_a_name_wins_whatever_the_order(broker):
    put(broker, "o", "1003", size=3)
    put(broker, "o", "1001", size=1)
    broker.delete_object("o", "1002", pending=True)
    broker.merge_pending()
    row = broker.get_item("o")
    assert (row["deleted"], row["size"]) == (0, 3)


def test_a_crash_between_commit_and_truncate_merges_the_same_rows_again_harmlessly(
        broker, monkeypatch):
    put(broker, "a", "1001", size=5)
    put(broker, "b", "1001", size=7)
    broker.delete_object("c", "1001", pending=True)

    def crash(fd, length):
        raise SystemExit("power lost before the truncate")

    monkeypatch.setattr(pending_mod.os, "ftruncate", crash)
    with pytest.raises(SystemExit):
        broker.merge_pending()
    monkeypatch.undo()
    committed = rows_in_sqlite(broker)
    assert sorted(committed) == ["a", "b", "c"]
    assert broker.has_pending()  # the file still holds the merged rows
    # Meanwhile a replica sends a newer delete of "a".
    broker.merge_items([{"name": "a", "created_at": "1005", "size": 0, "content_type": "",
                         "etag": "", "deleted": 1, "storage_policy_index": 0}])
    assert broker.merge_pending() == 0  # nothing changed by merging again
    assert not broker.has_pending()
    after = rows_in_sqlite(broker)
    assert after["a"]["deleted"] == 1  # the old PUT did not come back
    assert after["b"]["row_id"] == committed["b"]["row_id"]  # no needless row churn
    info = broker.get_info()
    assert (info["object_count"], info["bytes_used"]) == (1, 7)


def test_a_failed_merge_leaves_the_rows_pending(broker, monkeypatch):
    put(broker, "a", "1001")

    def boom(conn, item):
        raise RuntimeError("disk went away")

    monkeypatch.setattr(broker, "_merge_one", boom)
    with pytest.raises(RuntimeError):
        broker.merge_pending()
    monkeypatch.undo()
    assert broker.has_pending()
    assert rows_in_sqlite(broker) == {}
    assert broker.get_item("a") is not None


def test_an_append_is_acknowledged_even_if_the_merge_it_triggers_fails(tmp_path, monkeypatch,
                                                                        caplog):
    broker = make(tmp_path, pending_max_bytes=1)

    def locked(conn, rows):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(broker, "_merge_pending_rows", locked)
    with caplog.at_level(logging.ERROR, logger="objstore.db"):
        put(broker, "o", "1001")
    assert "rows stay pending" in caplog.text
    monkeypatch.undo()
    assert broker.get_item("o") is not None


def test_a_torn_last_line_is_skipped_with_a_log_line_and_earlier_lines_are_kept(
        broker, caplog):
    put(broker, "a", "1001")
    put(broker, "b", "1001")
    whole = encode_record({"name": "torn", "created_at": "1001", "size": 1,
                           "content_type": "t", "etag": "e", "deleted": 0,
                           "storage_policy_index": 0})
    with open(broker.pending.path, "ab") as fp:
        fp.write(whole[:len(whole) // 2])  # power lost mid-append: never acknowledged
    with caplog.at_level(logging.ERROR, logger="objstore.db"):
        broker.merge_pending()
    assert sorted(rows_in_sqlite(broker)) == ["a", "b"]
    assert "Skipped line 3" in caplog.text and "torn write" in caplog.text


def test_an_append_after_a_torn_tail_is_not_glued_to_it_and_lost(broker, caplog):
    put(broker, "a", "1001")
    with open(broker.pending.path, "ab") as fp:
        fp.write(b"1234abcd {\"name\": \"tor")
    put(broker, "b", "1002")  # acknowledged after the crash: must survive
    with caplog.at_level(logging.ERROR, logger="objstore.db"):
        broker.merge_pending()
    assert sorted(rows_in_sqlite(broker)) == ["a", "b"]
    assert caplog.text.count("Skipped line") == 1


def test_a_damaged_line_in_the_middle_is_skipped_and_the_rest_kept(broker, caplog):
    put(broker, "a", "1001")
    with open(broker.pending.path, "ab") as fp:
        fp.write(b"\0" * 20 + b"\n")  # zeros where a page never reached the disk
        fp.write(b"00000000 {\"name\":\"bad crc\"}\n")
    put(broker, "b", "1001")
    with caplog.at_level(logging.ERROR, logger="objstore.db"):
        broker.merge_pending()
    assert sorted(rows_in_sqlite(broker)) == ["a", "b"]
    assert "checksum mismatch" in caplog.text


def test_names_with_newlines_and_any_unicode_stay_one_record(broker):
    names = ["line\nbreak", "tab\tand space ", "snow\u2603man", "\U0001f600", "{\"json\"}"]
    for name in names:
        put(broker, name, "1001")
    assert open(broker.pending.path, "rb").read().count(b"\n") == len(names)
    listing = build_listing(broker.fetch_objects, ListingParams(limit=100))
    assert sorted(e.name for e in listing) == sorted(names)


def test_concurrent_appends_from_green_threads_in_worker_threads_all_land(tmp_path):
    broker = make(tmp_path, pending_max_bytes=4096)  # merges race with appends
    pool = concurrency.GreenPool(16)
    for i in range(200):
        pool.spawn(concurrency.run_in_thread, put, broker, "o%03d" % i, "1001")
    pool.waitall()
    info = broker.get_info()
    assert info["object_count"] == 200
    assert not broker.has_pending()


def _append_many(db_file, worker, count):
    b = ContainerBroker(db_file, pending_max_bytes=4096)
    for i in range(count):
        b.put_object("w%d-%03d" % (worker, i), "1001", 1, "t", "e", pending=True)
    if worker == 0:
        b.merge_pending()


def test_concurrent_appends_and_merges_from_several_processes_all_land(broker):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_append_many, args=(broker.db_file, w, 60)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert broker.get_info()["object_count"] == 240


def test_replication_info_and_rows_include_pending_rows(tmp_path):
    source = make(tmp_path, "src")
    target = make(tmp_path, "dst")
    put(source, "a", "1001")
    put(source, "b", "1002")
    assert replication.replication_info(source)["max_row"] == 2
    assert [r["name"] for r in source.get_items_since(-1, 10)] == ["a", "b"]
    put(source, "c", "1003")

    def call(op, *args):
        return replication.handle(op, list(args), target, str(tmp_path), ContainerBroker)

    assert replication.replicate_to(source, call) == "rows"
    assert sorted(rows_in_sqlite(target)) == ["a", "b", "c"]


def test_a_backup_for_a_whole_file_push_holds_the_pending_rows(broker, tmp_path):
    put(broker, "a", "1001")
    broker.checkpoint()
    copy = str(tmp_path / "copy.db")
    broker.backup_to(copy)
    assert ContainerBroker(copy).get_item("a") is not None


def test_reclaim_sees_pending_tombstones(broker):
    broker.delete_object("gone", "1001", pending=True)
    assert broker.reclaim("2000") == 1
    assert broker.get_item("gone") is None


def test_account_reports_go_through_the_pending_file_too(tmp_path):
    b = AccountBroker(str(tmp_path / "a" / "a.db"), "a")
    b.initialize("1000")
    b.put_container("c1", "1001", "0", 3, 30, 0, "1001", pending=True)
    b.put_container("c1", "1001", "0", 2, 20, 0, "1000.5", pending=True)  # older report
    b.put_container("c2", "1002", "0", 1, 10, 0, "1002", pending=True)
    assert b.has_pending()
    info = b.get_info()
    assert (info["container_count"], info["object_count"], info["bytes_used"]) == (2, 4, 40)


def test_queueing_to_a_missing_database_raises_not_found(tmp_path):
    from objstore.db.broker import DatabaseNotFound
    b = ContainerBroker(str(tmp_path / "nope" / "nope.db"))
    with pytest.raises(DatabaseNotFound):
        b.put_object("o", "1001", 1, "t", "e", pending=True)
    assert not os.path.exists(b.pending.path)


def test_a_read_only_connection_never_removes_the_wal_of_a_replaced_file(tmp_path):
    """Why reads use read-only connections: closing one never checkpoints
    or unlinks a ``-wal`` by path, so a connection left open across a
    replicator's remove-and-recreate cannot take the new file's WAL."""
    broker = make(tmp_path)
    with broker._connect(readonly=True) as stale:
        stale.execute("SELECT * FROM info").fetchall()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(broker.db_file + suffix):
                os.unlink(broker.db_file + suffix)
        os.rmdir(os.path.dirname(broker.db_file))
        fresh = make(tmp_path)
        writer = fresh._connect()
        conn = writer.__enter__()
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        fresh.put_object("kept", "1001", 1, "t", "e")
        wal = fresh.db_file + "-wal"
        assert os.path.getsize(wal) > 0
    assert os.path.exists(wal)  # the stale close left the new WAL alone
    writer.__exit__(None, None, None)
    assert fresh.get_item("kept") is not None
