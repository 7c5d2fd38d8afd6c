"""Account database: container reports merge field by field."""

import sqlite3

import pytest

from objstore.account.broker import AccountBroker
from objstore.db.listing import Bounds, ListingParams, Subdir, build_listing
from tests.unit.db.row_counting import counting


@pytest.fixture
def broker(tmp_path):
    b = AccountBroker(str(tmp_path / "a" / "a.db"), "AUTH_test")
    b.initialize("1000")
    return b


def test_a_report_adds_a_container_and_its_stats(broker):
    assert broker.put_container("c", "1001", "0", 3, 30, 0, "2000")
    info = broker.get_info()
    assert (info["container_count"], info["object_count"], info["bytes_used"]) == (1, 3, 30)


def test_a_newer_report_replaces_stats_and_an_older_one_does_not(broker):
    broker.put_container("c", "1001", "0", 3, 30, 0, "2001")
    broker.put_container("c", "1001", "0", 9, 90, 0, "2000")
    assert broker.get_info()["object_count"] == 3
    broker.put_container("c", "1001", "0", 4, 40, 0, "2002")
    assert broker.get_info()["object_count"] == 4


def test_an_identical_report_changes_nothing(broker):
    broker.put_container("c", "1001", "0", 3, 30, 0, "2001")
    max_row = broker.get_max_row()
    assert not broker.put_container("c", "1001", "0", 3, 30, 0, "2001")
    assert broker.get_max_row() == max_row


def test_a_delete_report_removes_the_container_from_counts_and_listing(broker):
    broker.put_container("c", "1001", "0", 0, 0, 0, "2001")
    broker.put_container("c", "1001", "1002", 0, 0, 0, "2002")
    assert broker.get_info()["container_count"] == 0
    assert broker.get_item("c")["deleted"] == 1
    assert broker.list_containers(ListingParams()) == []
    assert build_listing(broker.fetch_containers, ListingParams()) == []


def test_a_stale_put_report_cannot_undo_a_newer_delete(broker):
    broker.put_container("c", "1001", "1005", 0, 0, 0, "2005")
    broker.put_container("c", "1003", "0", 2, 2, 0, "2006")
    row = broker.get_item("c")
    assert row["deleted"] == 1 and row["put_timestamp"] == "0000001003.00000"


def test_per_policy_stats_count_containers_objects_and_bytes(broker):
    broker.put_container("gold", "1001", "0", 3, 30, 0, "2000")
    broker.put_container("silver", "1001", "0", 2, 20, 1, "2000")
    broker.put_container("silver2", "1001", "0", 1, 10, 1, "2000")
    assert broker.get_policy_stats() == {
        0: {"container_count": 1, "object_count": 3, "bytes_used": 30},
        1: {"container_count": 2, "object_count": 3, "bytes_used": 30}}


def test_account_delete_marks_it_deleted_even_with_containers_left(broker):
    broker.put_container("c", "1001", "0", 3, 30, 0, "2000")
    broker.mark_deleted("3000")
    assert broker.is_status_deleted() and broker.is_deleted()


def test_listing_shows_counts_bytes_and_put_timestamp(broker):
    broker.put_container("c", "1001.5", "0", 3, 30, 0, "2000")
    [entry] = broker.list_containers(ListingParams())
    assert (entry.name, entry.object_count, entry.bytes_used, entry.put_timestamp) == (
        "c", 3, 30, "0000001001.50000")


def test_reclaim_drops_old_deleted_container_rows(broker):
    broker.put_container("c", "1001", "1002", 0, 0, 0, "2000")
    assert broker.reclaim("1500") == 1
    assert broker.get_item("c") is None


CountingBroker = counting(AccountBroker)


def test_a_delimiter_account_listing_reads_one_row_per_entry(tmp_path):
    b = CountingBroker(str(tmp_path / "a.db"), "AUTH_test")
    b.initialize("1000")
    b.merge_items([dict(name="team%02d-c%03d" % (t, c), put_timestamp="1001",
                        delete_timestamp="0", object_count=1, bytes_used=1, deleted=0,
                        storage_policy_index=0, stats_timestamp="2000")
                   for t in range(30) for c in range(100)])
    out = b.list_containers(ListingParams(delimiter="-"))
    assert [e.name for e in out] == ["team%02d-" % t for t in range(30)]
    assert all(isinstance(e, Subdir) for e in out)
    assert b.rows_read == 30
    assert b.queries == 3  # two groups one query each, then one walk past the rest
    assert [e.name for e in b.list_containers(ListingParams(delimiter="-", marker="team03-",
                                                           end_marker="team09"))] == [
        "team%02d-" % t for t in range(4, 9)]
    b.rows_read = 0
    out = b.list_containers(ListingParams(prefix="team07-", limit=5, reverse=True))
    assert [e.name for e in out] == ["team07-c%03d" % c for c in range(99, 94, -1)]
    assert b.rows_read == 5


@pytest.mark.parametrize("lower,upper,reverse", [
    (None, None, False), ("a", "b", False), ("a", None, True), (None, "z", True)])
def test_the_listing_query_seeks_the_deleted_name_index_without_sorting(
        broker, lower, upper, reverse):
    sql, args = broker.live_query(Bounds(lower, True, upper, False, reverse, 100))
    conn = sqlite3.connect(broker.db_file)
    try:
        plan = " | ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))
    finally:
        conn.close()
    assert "INDEX container_deleted_name" in plan, plan
    assert "TEMP B-TREE" not in plan and "SCAN" not in plan, plan


def test_deleted_from_an_info_row_read_already_agrees_with_is_deleted(broker):
    def both():
        at = broker.is_deleted_at(broker.get_info())
        assert at == broker.is_deleted()
        return at
    assert not both()
    broker.put_container("c", "1001", "0", 3, 30, 0, "2000")
    broker.mark_deleted("3000", status=None)  # a newer delete, containers left
    assert not both()
    broker.put_container("c", "1001", "4000", 0, 0, 0, "4000")  # the last one goes
    assert both()
    broker.mark_deleted("5000")  # marked: gone whatever it holds
    broker.put_container("d", "6000", "0", 1, 1, 0, "6000")
    assert both()
