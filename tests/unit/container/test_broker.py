"""Container database: object rows merge by timestamp; stats stay exact."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from objstore.container.broker import ContainerBroker
from objstore.db.listing import ListingParams, Subdir, build_listing


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
    assert names(build_listing(broker.fetch_objects, ListingParams())) == sorted(
        ["b", "\u00e9", "a", "B", "\U0001f600", "a/b"])


def test_listing_hides_tombstones(broker):
    broker.put_object("a", "1001", 1, "t", "e")
    broker.delete_object("b", "1001")
    assert names(build_listing(broker.fetch_objects, ListingParams())) == ["a"]


def test_delimiter_listing_with_prefix_marker_and_reverse(broker):
    for n in ["photos/2023/a", "photos/2023/b", "photos/2024/a", "photos/cover",
              "photosx", "zebra"]:
        broker.put_object(n, "1001", 1, "t", "e")
    fetch = broker.fetch_objects
    assert names(build_listing(fetch, ListingParams(prefix="photos/", delimiter="/"))) == [
        "dir:photos/2023/", "dir:photos/2024/", "photos/cover"]
    assert names(build_listing(fetch, ListingParams(prefix="photos/", delimiter="/",
                                                    marker="photos/2023/"))) == [
        "dir:photos/2024/", "photos/cover"]
    assert names(build_listing(fetch, ListingParams(prefix="photos/", delimiter="/",
                                                    reverse=True))) == [
        "photos/cover", "dir:photos/2024/", "dir:photos/2023/"]
    assert names(build_listing(fetch, ListingParams(end_marker="photos/2024",
                                                    delimiter="/"))) == ["dir:photos/"]
    assert names(build_listing(fetch, ListingParams(path="photos"))) == ["photos/cover"]


@settings(max_examples=40, deadline=None)
@given(data=st.lists(st.text(st.sampled_from("ab/\u00e9"), min_size=1, max_size=4),
                     unique=True, max_size=15),
       prefix=st.text(st.sampled_from("ab/"), max_size=2),
       delimiter=st.sampled_from(["", "/"]), marker=st.text(st.sampled_from("ab/"), max_size=2),
       limit=st.integers(1, 6), reverse=st.booleans())
def test_sqlite_listing_agrees_with_an_in_memory_listing(tmp_path_factory, data, prefix,
                                                          delimiter, marker, limit, reverse):
    b = ContainerBroker(str(tmp_path_factory.mktemp("h") / "c.db"), "a", "c")
    b.initialize("1000", 0)
    b.merge_items([dict(name=n, created_at="1001", size=1, content_type="t", etag="e",
                        deleted=0, storage_policy_index=0) for n in data])
    params = ListingParams(prefix=prefix, delimiter=delimiter, marker=marker, limit=limit,
                           reverse=reverse)

    def memory(bounds):
        rows = sorted((n for n in data if bounds.admits(n)), reverse=bounds.reverse)
        return [type("R", (), {"name": n})() for n in rows[:bounds.limit]]

    assert names(build_listing(b.fetch_objects, params)) == names(build_listing(memory, params))
