"""Kept read-only connections (db/readers.py) for the info row of object
updates and for every read of a GET/HEAD (``request_reads``): reused
while the path names the same file, never stale after a write, a
replacement or a removal."""

import os

import pytest

from objstore.container.broker import ContainerBroker
from objstore.db import readers
from objstore.db.broker import DatabaseNotFound
from objstore.db.listing import ListingParams


@pytest.fixture
def broker(tmp_path):
    readers.shared_pool().clear()
    b = ContainerBroker(str(tmp_path / "abc" / "abc.db"), "a", "c")
    b.initialize("1000.00000", 0)
    yield b
    readers.shared_pool().clear()


def _idle(path):
    entry = readers.shared_pool()._own().get(path)
    return list(entry[1]) if entry else []


def test_only_a_kept_read_keeps_its_connection(broker):
    broker.get_raw_info()
    broker.is_deleted()
    assert _idle(broker.db_file) == []


def test_the_info_row_is_read_on_one_kept_connection(broker):
    assert broker.get_raw_info(kept=True)["put_timestamp"] == "0000001000.00000"
    kept = _idle(broker.db_file)
    assert len(kept) == 1
    broker.get_raw_info(kept=True)
    assert _idle(broker.db_file) == kept  # the same connection, given back


def test_a_write_after_the_connection_was_kept_is_seen(broker):
    broker.get_raw_info(kept=True)
    broker.update_put_timestamp("2000.00000")
    assert broker.get_raw_info(kept=True)["put_timestamp"] == "0000002000.00000"
    broker.mark_deleted("3000.00000")
    assert broker.is_deleted(kept=True)


def test_a_replaced_file_is_read_anew_and_the_old_connections_closed(broker, tmp_path):
    broker.get_raw_info(kept=True)
    old = _idle(broker.db_file)[0]
    other = ContainerBroker(str(tmp_path / "new" / "new.db"), "a", "c")
    other.initialize("5000.00000", 1)
    other.checkpoint()
    os.rename(other.db_file, broker.db_file)  # as a replicator's push does
    info = broker.get_raw_info(kept=True)
    assert (info["put_timestamp"], info["storage_policy_index"]) == ("0000005000.00000", 1)
    with pytest.raises(Exception):
        old.execute("SELECT 1")  # closed


def test_a_removed_file_is_not_found_and_forgotten(broker):
    broker.get_raw_info(kept=True)
    os.unlink(broker.db_file)
    with pytest.raises(DatabaseNotFound):
        broker.get_raw_info(kept=True)
    assert _idle(broker.db_file) == []


def test_the_pool_keeps_a_bounded_number_of_files(tmp_path):
    pool = readers.ReaderPool(max_files=2)
    brokers = []
    for i in range(3):
        b = ContainerBroker(str(tmp_path / str(i) / "x.db"), "a", "c%d" % i)
        b.initialize("1000.00000", 0)
        brokers.append(b)
        with pool.reader(b.db_file, b._open_readonly) as conn:
            conn.execute("SELECT 1").fetchall()
    assert len(pool._own()) <= 2
    pool.clear()
    assert pool._own() == {}


class CountingBroker(ContainerBroker):
    """Counts the SQLite connections it opens."""
    opened = 0

    def _open_readonly(self):
        CountingBroker.opened += 1
        return super()._open_readonly()

    def _connect(self, readonly=False):
        CountingBroker.opened += 1
        return super()._connect(readonly)


def _request_reads(b):
    with b.request_reads():
        info = b.get_info()
        meta = b.live_metadata(info)
        names = [e.name for e in b.list_objects(ListingParams(limit=10))]
        deleted = b.is_deleted()
    return info, meta, names, deleted


def test_every_read_of_a_request_runs_on_one_kept_connection(broker):
    broker.put_object("o1", "1001.00000", 1, "text/plain", "e")
    broker.update_metadata({"X-Container-Meta-Color": ("blue", "1001.00000")})
    b = CountingBroker(broker.db_file, "a", "c")
    CountingBroker.opened = 0
    info, meta, names, deleted = _request_reads(b)
    assert (info["object_count"], meta, names, deleted) == (
        1, {"X-Container-Meta-Color": "blue"}, ["o1"], False)
    assert CountingBroker.opened == 1
    kept = _idle(broker.db_file)
    assert len(kept) == 1
    _request_reads(CountingBroker(broker.db_file, "a", "c"))
    assert CountingBroker.opened == 1  # the next request took the same one
    assert _idle(broker.db_file) == kept


def test_request_reads_see_pending_rows_and_later_writes(broker):
    _request_reads(broker)
    broker.put_object("o1", "1001.00000", 1, "text/plain", "e", pending=True)
    with broker.request_reads():  # the pending row is merged before the reads
        assert [e.name for e in broker.list_objects(ListingParams(limit=10))] == ["o1"]
        broker.put_object("o2", "1002.00000", 1, "text/plain", "e")  # own connection
        assert broker.get_info()["object_count"] == 2  # no transaction held in between


def test_request_reads_of_a_replaced_file_read_the_new_one(broker, tmp_path):
    broker.put_object("o1", "1001.00000", 1, "text/plain", "e")
    _request_reads(broker)
    old = _idle(broker.db_file)[0]
    other = ContainerBroker(str(tmp_path / "new" / "new.db"), "a", "c")
    other.initialize("5000.00000", 0)
    other.put_object("new", "5001.00000", 1, "text/plain", "e")
    other.checkpoint()
    os.rename(other.db_file, broker.db_file)  # a replicator's push
    assert _request_reads(broker)[2] == ["new"]
    with pytest.raises(Exception):
        old.execute("SELECT 1")


@pytest.mark.parametrize("how", ["unlink", "quarantine"])
def test_request_reads_of_a_removed_file_are_not_found(broker, tmp_path, how):
    _request_reads(broker)
    if how == "unlink":
        os.unlink(broker.db_file)
    else:
        os.rename(broker.db_file, str(tmp_path / "quarantined.db"))
    with pytest.raises(DatabaseNotFound):
        with broker.request_reads():
            pass
    assert _idle(broker.db_file) == []


def test_a_failed_read_inside_request_reads_drops_its_connection(broker):
    with pytest.raises(ZeroDivisionError):
        with broker.request_reads():
            broker.get_info()
            1 / 0
    assert _idle(broker.db_file) == []
    assert broker._held is None
