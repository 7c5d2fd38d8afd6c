"""Replicas converge: rows exchanged both ways, in any order, agree."""

import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from objstore.account.broker import AccountBroker
from objstore.container.broker import ContainerBroker
from objstore.db import replication
from objstore.db.replication import ReplicationRequestError, handle, parse_body, replicate_to


def make(tmp_path, name, cls=ContainerBroker):
    # NORMAL: durability is not what these tests check, and fsyncs are slow
    b = cls(str(tmp_path / name / (name + ".db")), "a", "c" if cls is ContainerBroker else None,
            synchronous="NORMAL")
    b.initialize("1000")
    return b


def peer(broker, tmp_dir):
    """A PeerCall that answers in-process, through the JSON wire format."""
    def call(op, *args):
        op2, args2 = parse_body(json.dumps([op] + list(args)).encode())
        status, body = handle(op2, args2, broker, str(tmp_dir), lambda p: type(broker)(p))
        return status, json.loads(json.dumps(body)) if body is not None else None
    return call


def live_rows(broker, cols):
    return sorted(tuple(r[c] for c in cols) for r in broker.get_items_since(-1, 10 ** 6))


OBJ_COLS = ("name", "created_at", "size", "etag", "deleted")
OPS = st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from(["o1", "o2", "o3"]),
                         st.integers(1001, 1010), st.booleans()), max_size=25)


@settings(max_examples=25, deadline=None)
@given(ops=OPS)
def test_two_container_replicas_converge_after_replicating_both_ways(tmp_path_factory, ops):
    tmp = tmp_path_factory.mktemp("conv")
    a, b = make(tmp, "a"), make(tmp, "b")
    for side, name, ts, deleted in ops:
        target = a if side == "a" else b
        if deleted:
            target.delete_object(name, str(ts))
        else:
            target.put_object(name, str(ts), ts - 1000, "t", "e%d" % ts)
    replicate_to(a, peer(b, tmp))
    replicate_to(b, peer(a, tmp))
    assert live_rows(a, OBJ_COLS) == live_rows(b, OBJ_COLS)
    assert a.get_info()["object_count"] == b.get_info()["object_count"]
    assert a.get_info()["bytes_used"] == b.get_info()["bytes_used"]
    # rows a took from b go back once (b ignores them); then nothing is left
    replicate_to(a, peer(b, tmp))
    assert replicate_to(a, peer(b, tmp)) == "in_sync"
    assert replicate_to(b, peer(a, tmp)) == "in_sync"


ACC_COLS = ("name", "put_timestamp", "delete_timestamp", "object_count", "bytes_used", "deleted")
REPORTS = st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from(["c1", "c2"]),
                             st.integers(1001, 1005), st.integers(0, 1006),
                             st.integers(0, 5), st.integers(2000, 2010)), max_size=20)


@settings(max_examples=25, deadline=None)
@given(reports=REPORTS)
def test_two_account_replicas_converge_whatever_order_reports_arrive(tmp_path_factory, reports):
    tmp = tmp_path_factory.mktemp("acc")
    a, b = make(tmp, "a", AccountBroker), make(tmp, "b", AccountBroker)
    for side, name, put, delete, count, stats_ts in reports:
        (a if side == "a" else b).put_container(name, str(put), str(delete), count, count * 10,
                                                0, str(stats_ts))
    replicate_to(a, peer(b, tmp))
    replicate_to(b, peer(a, tmp))
    assert live_rows(a, ACC_COLS) == live_rows(b, ACC_COLS)
    assert a.get_info()["container_count"] == b.get_info()["container_count"]


def test_rows_already_sent_are_not_sent_again(tmp_path):
    a, b = make(tmp_path, "a"), make(tmp_path, "b")
    a.put_object("o", "1001", 1, "t", "e")
    sent = []

    def counting(op, *args):
        if op == "merge_items":
            sent.extend(args[0])
        return peer(b, tmp_path)(op, *args)

    assert replicate_to(a, counting) == "rows"
    assert replicate_to(a, counting) == "in_sync"
    a.put_object("p", "1002", 1, "t", "e")
    replicate_to(a, counting)
    assert [r["name"] for r in sent] == ["o", "p"]
    assert a.get_sync(b.get_info()["id"], incoming=False) == a.get_max_row()


def test_rows_learned_from_a_third_replica_are_not_sent_back_to_it(tmp_path):
    a, b, c = make(tmp_path, "a"), make(tmp_path, "b"), make(tmp_path, "c")
    a.put_object("o", "1001", 1, "t", "e")
    replicate_to(a, peer(b, tmp_path))  # b learns a's rows and a's sync points
    replicate_to(b, peer(c, tmp_path))  # c learns b's rows and that b has a's
    # c now knows it holds a's rows up to a's max row
    assert c.get_sync(a.get_info()["id"]) == a.get_max_row()


def test_sync_against_a_missing_database_asks_for_the_whole_file(tmp_path):
    a = make(tmp_path, "a")
    missing = ContainerBroker(str(tmp_path / "m" / "m.db"))
    assert replicate_to(a, peer(missing, tmp_path)) == "missing"


def test_complete_rsync_moves_a_pushed_copy_into_place_with_a_new_id(tmp_path):
    a = make(tmp_path, "a")
    a.put_object("o", "1001", 1, "t", "e")
    tmp_dir = tmp_path / "tmp"
    tmp_dir.mkdir()
    a.checkpoint()
    shutil.copy(a.db_file, tmp_dir / "pushed.db")
    target = ContainerBroker(str(tmp_path / "t" / "t.db"))
    status, _ = handle("complete_rsync", ["pushed.db"], target, str(tmp_dir), ContainerBroker)
    assert status == 204
    assert not (tmp_dir / "pushed.db").exists()
    assert target.get_item("o")["size"] == 1
    assert target.get_info()["id"] != a.get_info()["id"]
    assert target.get_sync(a.get_info()["id"]) == a.get_max_row()
    # the sender sees it in sync now
    assert replicate_to(a, peer(target, tmp_dir)) == "in_sync"


def test_complete_rsync_refuses_to_replace_an_existing_database(tmp_path):
    a, b = make(tmp_path, "a"), make(tmp_path, "b")
    (tmp_path / "tmp").mkdir()
    a.checkpoint()
    shutil.copy(a.db_file, tmp_path / "tmp" / "p.db")
    assert handle("complete_rsync", ["p.db"], b, str(tmp_path / "tmp"), ContainerBroker)[0] == 409


def test_rsync_then_merge_merges_every_row_of_the_pushed_copy(tmp_path):
    a, b = make(tmp_path, "a"), make(tmp_path, "b")
    for i in range(5):
        a.put_object("o%d" % i, "1001", i, "t", "e")
    b.put_object("o0", "1002", 99, "t", "newer")
    a.update_metadata({"X-Container-Meta-K": ("v", "1001")})
    (tmp_path / "tmp").mkdir()
    a.checkpoint()
    shutil.copy(a.db_file, tmp_path / "tmp" / "p.db")
    status, _ = handle("rsync_then_merge", ["p.db"], b, str(tmp_path / "tmp"), ContainerBroker)
    assert status == 204
    assert b.get_item("o0")["etag"] == "newer"
    assert b.get_info()["object_count"] == 5
    assert b.live_metadata() == {"X-Container-Meta-K": "v"}
    assert not (tmp_path / "tmp" / "p.db").exists()


def test_missing_pushed_file_is_a_404_and_a_bad_tmp_name_is_refused(tmp_path):
    b = make(tmp_path, "b")
    assert handle("rsync_then_merge", ["none.db"], b, str(tmp_path), ContainerBroker)[0] == 404
    with pytest.raises(ReplicationRequestError):
        handle("complete_rsync", ["../b/b.db"], b, str(tmp_path), ContainerBroker)


def test_sync_merges_newer_timestamps_and_metadata_from_the_sender(tmp_path):
    a, b = make(tmp_path, "a"), make(tmp_path, "b")
    a.mark_deleted("1005")
    a.update_metadata({"X-Container-Meta-K": ("v", "1003")})
    replicate_to(a, peer(b, tmp_path))
    assert b.is_deleted()
    assert b.live_metadata() == {"X-Container-Meta-K": "v"}


@pytest.mark.parametrize("body", [b"", b"{}", b"[]", b"[1]", b"\xff", b'["sync"]',
                                  b'["merge_items", "x"]', b'["fly"]', b'["sync", {}]'])
def test_malformed_requests_raise_a_request_error(tmp_path, body):
    b = make(tmp_path, "b")
    with pytest.raises(ReplicationRequestError):
        op, args = parse_body(body)
        handle(op, args, b, str(tmp_path), ContainerBroker)


def test_replication_info_is_json_ready(tmp_path):
    info = replication.replication_info(make(tmp_path, "a"))
    assert json.loads(json.dumps(info))["max_row"] == 0
