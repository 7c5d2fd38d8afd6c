"""The container sync daemon's progress points: they move only past rows
the remote confirmed, never past a failed row, and a pass resumes there.
(Rows are sent for real to a second cluster in tests/probe/test_container_sync.py.)"""

import pytest

from objstore.common.timestamp import Timestamp
from objstore.container.broker import ContainerBroker
from objstore.container.sync import ContainerSync, replica_share
from objstore.container.sync_row import RowOutcome


class Ring:
    devs = []


@pytest.fixture
def daemon(tmp_path):
    conf = {"recon_cache_path": str(tmp_path / "cache"), "devices": str(tmp_path / "srv"),
            "swift_dir": str(tmp_path), "batch_size": "3", "concurrency": "2"}
    return ContainerSync(conf, ring=Ring(), client=object())


@pytest.fixture
def broker(tmp_path):
    b = ContainerBroker(str(tmp_path / "c.db"), "AUTH_a", "c")
    b.initialize(Timestamp(1).internal, 0)
    for i in range(8):
        b.put_object("o%d" % i, Timestamp(10 + i).internal, 1, "text/plain", "e")
    return b


def run(daemon, broker, fail=(), replicas=1, replica=0):
    sent, checks = [], []

    def syncer(row, client, account, container, remote, check_first):
        sent.append(row["name"])
        checks.append(check_first)
        if row["name"] in fail:
            return RowOutcome(False, "put", "refused")
        return RowOutcome(True, "put")
    daemon.row_syncer = syncer
    info = broker.get_info()
    error, counts = daemon.sync_container(broker, info, replica, replicas, remote=None)
    daemon.checks = checks
    return sent, error, counts


def test_all_rows_confirmed_moves_both_points_to_the_last_row(daemon, broker):
    sent, error, counts = run(daemon, broker)
    assert sorted(sent) == ["o%d" % i for i in range(8)] and error == ""
    assert counts == {"synced": 8, "failed": 0}
    assert broker.get_sync_points() == (8, 8)
    assert run(daemon, broker)[0] == []  # nothing new: nothing sent


def test_a_failed_row_stops_the_points_before_it_and_the_next_pass_starts_there(daemon, broker):
    sent, error, counts = run(daemon, broker, fail={"o4"})
    assert "row 5 (o4): refused" in error
    assert broker.get_sync_points() == (-1, 4)  # o0..o3 are rows 1..4
    assert "o6" not in sent and "o7" not in sent  # no batch after the failed one
    sent, error, _counts = run(daemon, broker)
    assert sent[0] == "o4" and error == ""
    assert broker.get_sync_points() == (8, 8)


def test_the_other_replicas_rows_are_checked_one_pass_later(daemon, broker):
    replicas = 3
    mine = [n for n in ("o%d" % i for i in range(8)) if replica_share(n, replicas) == 0]
    sent, error, _counts = run(daemon, broker, replicas=replicas)
    assert sorted(sent) == sorted(mine) and error == ""
    assert broker.get_sync_points() == (-1, 8)
    assert daemon.checks == [False] * len(mine)  # sent straight: a replay's 202 says enough
    sent, error, _counts = run(daemon, broker, replicas=replicas)
    assert sorted(sent) == sorted(set("o%d" % i for i in range(8)) - set(mine))
    assert all(daemon.checks)  # the others' rows are probably there: HEAD first
    assert broker.get_sync_points() == (8, 8)


def test_a_newer_change_of_a_synced_name_is_sent_again(daemon, broker):
    run(daemon, broker)
    broker.delete_object("o2", Timestamp(100).internal)
    sent, error, _counts = run(daemon, broker)
    assert sent == ["o2"] and error == ""
    assert broker.get_sync_points() == (9, 9)


def test_a_pass_goes_on_past_a_database_it_cannot_read(daemon, tmp_path):
    from objstore.db.ondisk import LocalDB
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database" * 100)
    assert daemon.process(LocalDB("sda", 1, "abc", str(bad))) is None
    assert daemon.stats["errors"] == 1
