"""Container database: object rows merge by timestamp; stats stay exact."""

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from objstore.common.timestamp import Timestamp
from objstore.container.broker import ContainerBroker
from objstore.db.listing import Bounds, ListingParams, ObjectEntry, Subdir, build_listing
from tests.unit.db.row_counting import counting


@pytest.fixture
def broker(tmp_path):
    b = ContainerBroker(str(tmp_path / "c" / "c.db"), "a", "c")
    b.initialize("1000", 0)
    return b


def names(entries):
    return [("dir:" + e.name) if isinstance(e, Subdir) else e.name for e in entries]


def test_a_newer_put_replaces_the_row_and_an_older_one_is_ignored(broker):
    assert broker.put_object("o", "1002", 10, "text/plain", "new")
    assert not broker.put_object("o", "1001", 99, "text/plain", "old")
    assert not broker.put_object("o", "1002", 10, "text/plain", "new")
    row = broker.get_item("o")
    assert (row["size"], row["etag"]) == (10, "new")


def test_rows_with_equal_timestamps_tie_break_the_same_way_on_every_replica(broker):
    broker.put_object("o", "1002", 10, "text/plain", "e")
    assert broker.delete_object("o", "1002")  # at a tie, the delete wins
    assert not broker.put_object("o", "1002", 10, "text/plain", "e")
    assert broker.get_item("o")["deleted"] == 1


def test_a_delete_leaves_a_tombstone_that_an_older_put_cannot_override(broker):
    broker.put_object("o", "1001", 10, "t", "e")
    assert broker.delete_object("o", "1002")
    assert broker.get_item("o")["deleted"] == 1
    assert not broker.put_object("o", "1001.5", 10, "t", "e")
    assert broker.get_info()["object_count"] == 0
    assert broker.put_object("o", "1003", 7, "t", "e")
    assert broker.get_info()["object_count"] == 1


def test_counts_and_bytes_follow_puts_overwrites_and_deletes(broker):
    broker.put_object("a", "1001", 10, "t", "e")
    broker.put_object("b", "1001", 5, "t", "e")
    broker.put_object("a", "1002", 1, "t", "e")
    info = broker.get_info()
    assert (info["object_count"], info["bytes_used"]) == (2, 6)
    broker.delete_object("b", "1003")
    info = broker.get_info()
    assert (info["object_count"], info["bytes_used"]) == (1, 1)


def test_per_policy_stats_are_kept_separately(broker):
    broker.put_object("a", "1001", 10, "t", "e", storage_policy_index=0)
    broker.put_object("b", "1001", 5, "t", "e", storage_policy_index=1)
    broker.put_object("a", "1002", 3, "t", "e", storage_policy_index=1)
    assert broker.get_policy_stats() == {0: {"object_count": 0, "bytes_used": 0},
                                         1: {"object_count": 2, "bytes_used": 8}}
    # the container's own policy (0) is what HEAD reports
    assert broker.get_info()["object_count"] == 0


def test_a_container_is_deleted_only_when_empty_and_delete_is_newest(broker):
    broker.put_object("o", "1001", 1, "t", "e")
    broker.mark_deleted("1002")
    assert not broker.is_deleted()
    broker.delete_object("o", "1003")
    assert broker.is_deleted()


def test_the_policy_of_a_container_can_change_when_it_is_recreated(broker):
    broker.mark_deleted("1001")
    broker.set_storage_policy_index(1)
    assert broker.get_info()["storage_policy_index"] == 1


def test_reported_stats_tell_whether_the_account_is_current(broker):
    assert not broker.is_reported_current()
    info = broker.get_info()
    broker.reported(info["put_timestamp"], info["delete_timestamp"], 0, 0)
    assert broker.is_reported_current()
    broker.put_object("o", "1001", 1, "t", "e")
    assert not broker.is_reported_current()


def test_listing_orders_by_code_point_like_python(broker):
    for n in ["b", "\u00e9", "a", "B", "\U0001f600", "a/b"]:
        broker.put_object(n, "1001", 1, "t", "e")
    assert names(broker.list_objects(ListingParams())) == sorted(
        ["b", "\u00e9", "a", "B", "\U0001f600", "a/b"])


def test_listing_hides_tombstones(broker):
    broker.put_object("a", "1001", 1, "t", "e")
    broker.delete_object("b", "1001")
    assert names(broker.list_objects(ListingParams())) == ["a"]


def test_delimiter_listing_with_prefix_marker_and_reverse(broker):
    for n in ["photos/2023/a", "photos/2023/b", "photos/2024/a", "photos/cover",
              "photosx", "zebra"]:
        broker.put_object(n, "1001", 1, "t", "e")
    def fetch(params):
        # The server's path (one connection, lazy cursors) and the daemons'
        # (a list per fetch) must agree.
        assert names(build_listing(broker.fetch_objects, params)) == names(
            broker.list_objects(params))
        return broker.list_objects(params)

    assert names(fetch(ListingParams(prefix="photos/", delimiter="/"))) == [
        "dir:photos/2023/", "dir:photos/2024/", "photos/cover"]
    assert names(fetch(ListingParams(prefix="photos/", delimiter="/",
                                     marker="photos/2023/"))) == [
        "dir:photos/2024/", "photos/cover"]
    assert names(fetch(ListingParams(prefix="photos/", delimiter="/", reverse=True))) == [
        "photos/cover", "dir:photos/2024/", "dir:photos/2023/"]
    assert names(fetch(ListingParams(end_marker="photos/2024", delimiter="/"))) == [
        "dir:photos/"]
    assert names(fetch(ListingParams(path="photos"))) == ["photos/cover"]


# Names made of pieces around what the skip query's bound steps over: a
# surrogate gap (U+D7FF then U+E000), the last code point, a two-byte and
# an astral one; many share a start, so delimiter listings meet runs of
# pseudo-directories (the walk from group to group) and objects between.
_pieces = ["a", "b", "/", "/", "b/", "\u00e9", "\ud7ff", "\ue000", "\U0010ffff",
           "\U0001f600"]
_levels = ["a", "b", "ab", "\u00e9", "\ud7ff", "\ue000", "\U0010ffff", "\U0001f600", ""]
_flat = st.lists(st.sampled_from(_pieces), min_size=1, max_size=4).map("".join)
_nested = st.lists(st.sampled_from(_levels), min_size=2, max_size=3).map("/".join)
_names = st.one_of(_flat, _nested)


def _agrees_with_memory(path, data, params):
    b = ContainerBroker(path, "a", "c")
    b.initialize("1000", 0)
    b.merge_items([dict(name=n, created_at="1001", size=1, content_type="t", etag="e",
                        deleted=0, storage_policy_index=0) for n in data])

    def memory(bounds):
        rows = sorted((n for n in data if bounds.admits(n)), reverse=bounds.reverse)
        return [ObjectEntry(n, "1001", 1, "t", "e") for n in rows[:bounds.limit]]

    assert names(b.list_objects(params)) == names(build_listing(memory, params))
    assert names(build_listing(b.fetch_objects, params)) == names(build_listing(memory, params))


@settings(max_examples=120, deadline=None)
@given(data=st.lists(_names, unique=True, min_size=3, max_size=40),
       prefix=st.sampled_from(["", "", "a", "a/", "/", "\u00e9"]),
       delimiter=st.sampled_from(["", "/", "/", "b/", "\u00e9", "\ud7ff", "\U0010ffff",
                                  "/\U0001f600"]),
       marker=st.text(st.sampled_from("ab/"), max_size=2),
       end_marker=st.text(st.sampled_from("ab/\U0010ffff"), max_size=3),
       limit=st.integers(1, 30), reverse=st.booleans())
def test_sqlite_listing_agrees_with_an_in_memory_listing(tmp_path_factory, data, prefix,
                                                          delimiter, marker, end_marker, limit,
                                                          reverse):
    _agrees_with_memory(str(tmp_path_factory.mktemp("h") / "c.db"), data, ListingParams(
        prefix=prefix, delimiter=delimiter, marker=marker, end_marker=end_marker,
        limit=limit, reverse=reverse))


@settings(max_examples=120, deadline=None)
@given(data=st.lists(st.one_of(_nested, _nested, _nested, _flat), unique=True, min_size=3,
                     max_size=40),
       prefix=st.sampled_from(["", "", "", "a/", "b", "/"]),
       delimiter=st.sampled_from(["/", "/", "b/", "\u00e9", "\ud7ff", "/\U0001f600"]),
       marker=st.sampled_from(["", "", "", "a", "a/", "b/"]),
       end_marker=st.sampled_from(["", "", "", "b/", "\ue000", "\U0010ffff"]),
       limit=st.integers(1, 30))
def test_a_walk_from_group_to_group_agrees_with_an_in_memory_listing(
        tmp_path_factory, data, prefix, delimiter, marker, end_marker, limit):
    """As above, where the walk from group to group (``Bounds.skip``, one
    statement) is taken most: forward delimiter listings."""
    _agrees_with_memory(str(tmp_path_factory.mktemp("h") / "c.db"), data, ListingParams(
        prefix=prefix, delimiter=delimiter, marker=marker, end_marker=end_marker,
        limit=limit))


CountingBroker = counting(ContainerBroker)


@pytest.fixture
def tree(tmp_path):
    """100 pseudo-directories of 100 objects each, and 5 objects at the root."""
    b = CountingBroker(str(tmp_path / "t.db"), "a", "c")
    b.initialize("1000", 0)
    rows = ["d%03d/o%03d" % (d, o) for d in range(100) for o in range(100)]
    rows += ["top%d" % i for i in range(5)]
    b.merge_items([dict(name=n, created_at="1001", size=1, content_type="t", etag="e",
                        deleted=0, storage_policy_index=0) for n in rows])
    return b


@pytest.mark.parametrize("reverse", [False, True])
def test_a_delimiter_listing_reads_about_as_many_rows_as_it_returns(tree, reverse):
    tree.rows_read = 0
    out = tree.list_objects(ListingParams(delimiter="/", reverse=reverse))
    assert len(out) == 105
    # One row per pseudo-directory (then a seek past it) and one per object:
    # not a page of rows per pseudo-directory (was 100 x 10,000 asked).
    assert tree.rows_read == 105


def test_a_run_of_pseudo_directories_is_skipped_in_one_query(tree):
    tree.queries = 0
    out = tree.list_objects(ListingParams(delimiter="/"))
    assert names(out) == ["dir:d%03d/" % d for d in range(100)] + ["top%d" % i for i in range(5)]
    # d000/ and d001/ one plain query each, then d002/ .. d099/ and top0
    # in one walk from group to group, then top1 .. top4 stepped (was 101)
    assert tree.queries == 4
    tree.queries = 0
    out = tree.list_objects(ListingParams(delimiter="/", marker="d010/", end_marker="d020/o5"))
    assert names(out) == ["dir:d%03d/" % d for d in range(11, 21)]
    assert tree.queries == 3


@pytest.mark.parametrize("prefix,delimiter", [("", "~"), ("p/", "~"), ("p/", "~~"),
                                              ("", "\u00e9")])
def test_the_walk_from_group_to_group_cuts_groups_as_python_does(broker, prefix, delimiter):
    # groups that start right after the prefix, multi-byte and repeated
    # delimiters, and objects after the last group
    d = delimiter
    rest = ["a%s1" % d, "b%s1" % d, "c%s1" % d, "c%s2" % d, "%sx" % d, "%s%sy" % (d, d),
            "\u00ff", "\u00ff%s" % d, "\U0001f600%s%s" % (d, d), "\U0001f600z"]
    for n in rest:
        broker.put_object(prefix + n, "1001", 1, "t", "e")
        if prefix:
            broker.put_object("q" + n, "1001", 1, "t", "e")  # outside the prefix
    counted = CountingBroker(broker.db_file, "a", "c")
    got = names(counted.list_objects(ListingParams(prefix=prefix, delimiter=d)))
    assert got == names(build_listing(broker.fetch_objects, ListingParams(
        prefix=prefix, delimiter=d)))  # a plain cursor per group
    expected = sorted({prefix + (n[:n.index(d) + len(d)] if d in n else n) for n in rest})
    assert [g[4:] if g.startswith("dir:") else g for g in got] == expected


def test_objects_between_pseudo_directories_keep_the_plain_cursor(broker):
    # where a group and an object alternate, a walk from group to group
    # would answer one row a query: the listing steps as before
    for i in range(20):
        for n in ("k%02d/x" % i, "k%02d/y" % i, "k%02dz" % i):
            broker.put_object(n, "1001", 1, "t", "e")
    counted = CountingBroker(broker.db_file, "a", "c")
    out = counted.list_objects(ListingParams(delimiter="/"))
    assert names(out) == [n for i in range(20) for n in ("dir:k%02d/" % i, "k%02dz" % i)]
    assert counted.queries == 21  # one to start, one past each group


@pytest.mark.parametrize("upper", [False, None, True])
def test_the_skip_query_seeks_the_index_and_sorts_nothing(broker, upper):
    bounds = Bounds("a", True, None if upper is False else "q", bool(upper), False, 100,
                    (1, "/", "0"))
    sql, args = broker.live_query(bounds)
    assert "WITH RECURSIVE" in sql
    conn = sqlite3.connect(broker.db_file)
    try:
        plan = " | ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))
    finally:
        conn.close()
    assert "INDEX object_deleted_name" in plan, plan
    assert "TEMP B-TREE" not in plan and "SCAN object" not in plan, plan


def test_a_page_reads_only_the_rows_it_returns(tree):
    tree.rows_read = 0
    out = tree.list_objects(ListingParams(limit=10, marker="d050/"))
    assert names(out)[0] == "d050/o000" and len(out) == 10
    assert tree.rows_read == 10
    tree.rows_read = 0
    out = tree.list_objects(ListingParams(prefix="d007/", delimiter="/", limit=3))
    assert names(out) == ["d007/o000", "d007/o001", "d007/o002"]
    assert tree.rows_read == 3


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
    assert "INDEX object_deleted_name" in plan, plan
    assert "TEMP B-TREE" not in plan and "SCAN" not in plan, plan


def test_sync_points_start_at_minus_one_and_are_kept(broker):
    assert broker.get_sync_points() == (-1, -1)
    broker.set_sync_points(point2=7)
    broker.set_sync_points(point1=3)
    assert broker.get_sync_points() == (3, 7)
    assert ContainerBroker(broker.db_file).get_sync_points() == (3, 7)


def test_a_database_made_before_container_sync_gains_its_sync_points(broker):
    with broker._write() as conn:  # as an older schema had it
        conn.execute("ALTER TABLE info DROP COLUMN x_container_sync_point1")
        conn.execute("ALTER TABLE info DROP COLUMN x_container_sync_point2")
    assert broker.get_sync_points() == (-1, -1)
    broker.set_sync_points(5, 6)
    assert broker.get_sync_points() == (5, 6)


def test_rows_after_a_point_are_counted(broker):
    for i in range(3):
        broker.put_object("o%d" % i, Timestamp(1 + i).internal, 1, "text/plain", "e")
    assert broker.count_rows_after(-1) == 3
    assert broker.count_rows_after(broker.get_max_row() - 1) == 1
    broker.delete_object("o0", Timestamp(10).internal)  # the row moves past the others
    assert broker.count_rows_after(broker.get_max_row() - 1) == 1
    assert broker.count_rows_after(-1) == 3


# ----------------------------------------------------- object POST rows

PUT_ROW = dict(name="o", created_at="1002", size=5, content_type="text/plain", etag="e1",
               deleted=0, storage_policy_index=0)
POST_ROW = dict(PUT_ROW, content_type="image/png", ctype_timestamp="1004",
                meta_timestamp="1005")
NEWER_PUT = dict(PUT_ROW, created_at="1003", size=7, etag="e2", content_type="text/x")
LATER_PUT = dict(PUT_ROW, created_at="1006", size=9, etag="e3", content_type="text/y")


def listed(broker):
    [entry] = broker.list_objects(ListingParams(limit=10))
    return entry


def test_a_post_row_moves_last_modified_and_the_type_but_keeps_the_data(broker):
    broker.merge_items([PUT_ROW])
    assert broker.merge_items([POST_ROW]) == 1
    entry = listed(broker)
    assert entry.created_at == Timestamp("1005").internal
    assert (entry.size, entry.etag, entry.content_type) == (5, "e1", "image/png")
    assert broker.merge_items([POST_ROW]) == 0  # a replayed POST changes nothing


def test_an_older_post_never_undoes_a_newer_put_whatever_the_order(tmp_path):
    # the POST (1004/1005) was made on the data of 1002; a PUT of 1003 came
    # in between on other replicas, and a PUT of 1006 after everything
    for case in ([PUT_ROW, POST_ROW, NEWER_PUT], [NEWER_PUT, POST_ROW, PUT_ROW],
                 [POST_ROW, NEWER_PUT], [LATER_PUT, POST_ROW, PUT_ROW],
                 [POST_ROW, LATER_PUT], [PUT_ROW, POST_ROW, LATER_PUT]):
        b = ContainerBroker(str(tmp_path / str(len(list(tmp_path.iterdir()))) / "c.db"), "a", "c")
        b.initialize("1000", 0)
        for row in case:
            b.merge_items([row])
        entry = listed(b)
        if LATER_PUT in case:  # the PUT after the POST resets it all
            assert (entry.created_at, entry.size, entry.content_type) == \
                (Timestamp("1006").internal, 9, "text/y")
        else:  # the newer data; the POST's type and time, which are newer still
            assert (entry.created_at, entry.size, entry.etag, entry.content_type) == \
                (Timestamp("1005").internal, 7, "e2", "image/png")


@settings(max_examples=40, deadline=None)
@given(st.permutations([PUT_ROW, POST_ROW, NEWER_PUT, LATER_PUT,
                        dict(PUT_ROW, deleted=1, created_at="1007", size=0,
                             content_type="application/deleted", etag="noetag")]),
       st.integers(min_value=1, max_value=5))
def test_replicas_converge_whatever_the_arrival_order(tmp_path_factory, order, cut):
    """Two replicas each get part of the rows, then exchange what they
    have (as the replicator ships rows): both end with the same row."""
    first = ContainerBroker(str(tmp_path_factory.mktemp("r") / "a.db"), "a", "c")
    second = ContainerBroker(str(tmp_path_factory.mktemp("r") / "b.db"), "a", "c")
    for b in (first, second):
        b.initialize("1000", 0)
    first.merge_items(order[:cut])
    second.merge_items(order[cut:])
    first.merge_items(second.get_items_since(-1, 10))
    second.merge_items(first.get_items_since(-1, 10))
    keep = ("created_at", "size", "etag", "content_type", "deleted", "ctype_timestamp",
            "meta_timestamp")
    rows = [{k: b.get_item("o")[k] for k in keep} for b in (first, second)]
    assert rows[0] == rows[1]
    assert rows[0]["deleted"] == 1 and rows[0]["created_at"] == Timestamp("1007").internal


@pytest.mark.parametrize("held", [False, True], ids=["own-connection", "request-reads"])
def test_a_database_from_before_the_time_columns_gets_them_and_lists(tmp_path, held):
    path = str(tmp_path / "old.db")
    b = ContainerBroker(path, "a", "c")
    b.initialize("1000", 0)
    b.merge_items([PUT_ROW])
    conn = sqlite3.connect(path)  # as an older objstore made it
    conn.executescript("""
        CREATE TABLE o2 AS SELECT row_id, name, created_at, size, content_type, etag,
            deleted, storage_policy_index FROM object;
        DROP TABLE object; ALTER TABLE o2 RENAME TO object;""")
    conn.close()
    old = ContainerBroker(path, "a", "c")
    if held:  # the server's GET: the listing's query fails on the kept connection first
        with old.request_reads():
            assert listed(old).created_at == Timestamp("1002").internal
    else:
        assert listed(old).created_at == Timestamp("1002").internal
    old.merge_items([POST_ROW])
    assert listed(old).created_at == Timestamp("1005").internal
