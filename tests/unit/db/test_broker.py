"""The shared broker: files, durability settings, metadata, sync points."""

import os
import sqlite3
import threading

import pytest

from objstore.container.broker import ContainerBroker
from objstore.db.broker import (DatabaseAlreadyExists, DatabaseNotFound, MetadataError,
                                merge_metadata)


@pytest.fixture
def broker(tmp_path):
    b = ContainerBroker(str(tmp_path / "abc" / "abc.db"), "a", "c")
    b.initialize("1000.00000", 0)
    return b


def test_initialize_creates_a_wal_database_and_leaves_no_temp_files(broker):
    conn = sqlite3.connect(broker.db_file)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert os.listdir(os.path.dirname(broker.db_file)) == ["abc.db"]
    info = broker.get_info()
    assert info["put_timestamp"] == info["created_at"] == "0000001000.00000"
    assert len(info["id"]) == 32


def test_initialize_twice_raises_already_exists_and_keeps_the_first(broker):
    with pytest.raises(DatabaseAlreadyExists):
        broker.initialize("2000", 1)
    assert broker.get_info()["storage_policy_index"] == 0


def test_racing_creators_produce_exactly_one_database(tmp_path):
    path = str(tmp_path / "x" / "x.db")
    results = []

    def create(index):
        try:
            ContainerBroker(path, "a", "c").initialize("1000", index)
            results.append("created")
        except DatabaseAlreadyExists:
            results.append("lost")

    threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("created") == 1
    assert sorted(os.listdir(tmp_path / "x")) == ["x.db"]


def test_a_missing_database_raises_not_found(tmp_path):
    b = ContainerBroker(str(tmp_path / "nope.db"))
    assert not b.exists()
    with pytest.raises(DatabaseNotFound):
        b.get_info()


def test_an_unknown_synchronous_mode_is_refused_up_front(tmp_path):
    with pytest.raises(ValueError, match="db_synchronous"):
        ContainerBroker(str(tmp_path / "x.db"), synchronous="sometimes")


def test_commits_use_the_configured_synchronous_mode(broker):
    with broker._connect() as conn:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_put_timestamp_only_moves_forward(broker):
    assert broker.update_put_timestamp("999") is False
    broker.update_put_timestamp("1001")
    assert broker.get_info()["put_timestamp"] == "0000001001.00000"


def test_delete_newer_than_put_marks_an_empty_database_deleted(broker):
    broker.mark_deleted("1001")
    assert broker.is_deleted()
    assert broker.get_info()["status_changed_at"] == "0000001001.00000"


def test_a_newer_put_revives_a_deleted_database(broker):
    broker.mark_deleted("1001")
    assert broker.update_put_timestamp("1002") is True
    assert not broker.is_deleted()
    assert broker.get_info()["status_changed_at"] == "0000001002.00000"


def test_an_older_delete_does_not_delete(broker):
    broker.update_put_timestamp("1005")
    broker.mark_deleted("1001")
    assert not broker.is_deleted()


def test_metadata_merges_per_key_by_timestamp(broker):
    broker.update_metadata({"X-Container-Meta-A": ("1", "1001"),
                            "X-Container-Meta-B": ("2", "1001")})
    broker.update_metadata({"X-Container-Meta-A": ("old", "1000"),
                            "X-Container-Meta-B": ("", "1002")})
    assert broker.live_metadata() == {"X-Container-Meta-A": "1"}
    # a server's HEAD/GET takes it from the info row it already read
    assert broker.live_metadata(broker.get_info()) == {"X-Container-Meta-A": "1"}
    # the deletion is remembered so it can replicate
    assert broker.metadata["X-Container-Meta-B"] == ["", "0000001002.00000"]


def test_reclaim_metadata_forgets_old_deletions_only(broker):
    broker.update_metadata({"X-Container-Meta-Old": ("", "1001"),
                            "X-Container-Meta-New": ("", "3000"),
                            "X-Container-Meta-Live": ("v", "1001")})
    broker.reclaim_metadata("2000")
    assert set(broker.metadata) == {"X-Container-Meta-New", "X-Container-Meta-Live"}


def test_metadata_over_the_count_limit_is_refused_and_nothing_changes(broker):
    broker.update_metadata({"X-Container-Meta-K%d" % i: ("v", "1001") for i in range(90)})
    with pytest.raises(MetadataError, match="Too many"):
        broker.update_metadata({"X-Container-Meta-One-More": ("v", "1002")})
    assert len(broker.live_metadata()) == 90
    # sysmeta does not count toward the user limits
    broker.update_metadata({"X-Container-Sysmeta-Internal": ("v", "1002")})


def test_metadata_over_the_size_limits_is_refused(broker):
    with pytest.raises(MetadataError, match="value longer"):
        broker.update_metadata({"X-Container-Meta-Big": ("v" * 257, "1001")})
    with pytest.raises(MetadataError, match="name too long"):
        broker.update_metadata({"X-Container-Meta-" + "n" * 129: ("v", "1001")})
    many = {"X-Container-Meta-K%02d" % i: ("v" * 250, "1001") for i in range(17)}
    with pytest.raises(MetadataError, match="Total metadata"):
        broker.update_metadata(many)


def test_metadata_at_exactly_the_limits_is_accepted(broker):
    meta = {"X-Container-Meta-" + "n" * 128: ("v" * 256, "1001")}
    broker.update_metadata(meta)
    assert len(broker.live_metadata()) == 1


def test_merge_metadata_reports_whether_anything_changed():
    current = {"a": ["1", "0000001000.00000"]}
    assert not merge_metadata(current, {"a": ["2", "1000"]})
    assert merge_metadata(current, {"a": ["2", "1001"]})
    assert current["a"] == ["2", "0000001001.00000"]


def test_sync_points_only_move_forward(broker):
    assert broker.get_sync("peer") == -1
    broker.merge_syncs([{"remote_id": "peer", "sync_point": 5}])
    broker.merge_syncs([{"remote_id": "peer", "sync_point": 3}])
    assert broker.get_sync("peer") == 5
    assert broker.get_sync("peer", incoming=False) == -1
    broker.merge_syncs([{"remote_id": "peer", "sync_point": 7}], incoming=False)
    assert broker.get_syncs(incoming=False) == [{"remote_id": "peer", "sync_point": 7}]


def test_merging_rows_from_a_source_records_its_sync_point(broker):
    rows = [dict(name="o%d" % i, created_at="1001", size=1, content_type="t", etag="e",
                 deleted=0, storage_policy_index=0, row_id=10 + i) for i in range(3)]
    assert broker.merge_items(rows, source="remote") == 3
    assert broker.get_sync("remote") == 12


def test_items_since_lists_changes_in_order_and_a_change_moves_a_row_to_the_end(broker):
    broker.put_object("a", "1001", 1, "t", "e")
    broker.put_object("b", "1001", 1, "t", "e")
    broker.put_object("a", "1002", 2, "t", "e")
    rows = broker.get_items_since(-1, 10)
    assert [r["name"] for r in rows] == ["b", "a"]
    assert broker.get_max_row() == rows[-1]["row_id"]
    assert [r["name"] for r in broker.get_items_since(rows[0]["row_id"], 10)] == ["a"]


def test_reclaim_removes_only_old_tombstones(broker):
    broker.delete_object("old", "1001")
    broker.delete_object("new", "3000")
    broker.put_object("live", "1001", 1, "t", "e")
    assert broker.reclaim("2000") == 1
    assert broker.get_item("old") is None
    assert broker.get_item("new")["deleted"] == 1


def test_new_id_gives_a_copied_database_its_own_identity(broker):
    old = broker.get_info()["id"]
    assert broker.new_id() != old


def test_a_database_replaced_under_the_same_path_is_reopened(tmp_path, broker):
    broker.put_object("old", "1001", 1, "t", "e")
    other = ContainerBroker(str(tmp_path / "other" / "other.db"), "a", "c")
    other.initialize("1000", 0)
    other.put_object("new", "1001", 1, "t", "e")
    other.checkpoint()
    other.close()
    os.rename(other.db_file, broker.db_file)
    assert broker.get_item("new") is not None and broker.get_item("old") is None


def test_a_removed_database_is_not_found_even_with_a_cached_connection(broker):
    broker.get_info()
    broker.close()
    os.unlink(broker.db_file)
    with pytest.raises(DatabaseNotFound):
        broker.get_info()


def test_checkpoint_puts_every_commit_in_the_main_file(tmp_path, broker):
    broker.put_object("o", "1001", 1, "t", "e")
    broker.checkpoint()
    copy = tmp_path / "copy.db"
    copy.write_bytes(open(broker.db_file, "rb").read())
    assert ContainerBroker(str(copy)).get_item("o") is not None


def test_many_threads_can_write_one_database_at_once(broker):
    def writer(n):
        for i in range(20):
            broker.put_object("t%d-%d" % (n, i), "1001", 1, "t", "e")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert broker.get_info()["object_count"] == 80
