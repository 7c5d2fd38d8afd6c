"""Kept read-only connections for the info row (db/readers.py): reused
while the path names the same file, never stale after a write, a
replacement or a removal."""

import os

import pytest

from objstore.container.broker import ContainerBroker
from objstore.db import readers
from objstore.db.broker import DatabaseNotFound


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
