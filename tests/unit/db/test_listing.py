"""Listing logic against a reference model, and the three renderings."""

import json
from typing import List

from hypothesis import given, settings
from hypothesis import strategies as st

from objstore.db.listing import (Bounds, ContainerEntry, ListingParams, ObjectEntry, Subdir,
                                 build_listing, container_item, container_json, json_listing,
                                 object_item, object_json, prefix_upper_bound)

TS = "1700000000.12345"


def entry(name: str) -> ObjectEntry:
    return ObjectEntry(name, TS, 1, "text/plain", "etag")


class MemoryFetcher:
    """The broker contract, over a Python list; counts its calls, the rows
    handed out and the runs closed. Answers lazily, as the broker's cursor
    does, unless ``lists``."""

    def __init__(self, names, lists=False):
        self.names = sorted(set(names))
        self.lists = lists
        self.calls = self.rows_read = self.closed = 0

    def __call__(self, bounds: Bounds):
        self.calls += 1
        rows = [n for n in self.names if bounds.admits(n)]
        if bounds.reverse:
            rows.reverse()
        if self.lists:
            self.rows_read += len(rows[:bounds.limit])
            return [entry(n) for n in rows[:bounds.limit]]
        return self._lazy(rows[:bounds.limit])

    def _lazy(self, rows):
        try:
            for n in rows:
                self.rows_read += 1
                yield entry(n)
        finally:
            self.closed += 1


def flat(entries) -> List[str]:
    return [("dir:" + e.name) if isinstance(e, Subdir) else e.name for e in entries]


def model(names, p: ListingParams) -> List[str]:
    """The documented behaviour, written the slow obvious way."""
    prefix, delim = p.prefix, p.delimiter
    if p.path is not None:
        # Swift's rule: any non-empty path ends in one "/" (path=/ lists the
        # names under "/"), an empty path lists the root
        prefix = p.path.rstrip("/") + "/" if p.path else ""
    out: List[str] = []
    for n in sorted(set(names), reverse=p.reverse):
        if not n.startswith(prefix):
            continue
        lo, hi = (p.end_marker, p.marker) if p.reverse else (p.marker, p.end_marker)
        if lo and n <= lo or hi and n >= hi:
            continue
        if p.path is not None:
            rest = n[len(prefix):]
            if n == prefix or "/" in rest[:-1]:
                continue
            out.append(n)
            continue
        cut = n.find(delim, len(prefix)) if delim else -1
        if cut >= 0:
            sub = "dir:" + n[:cut + 1]
            if sub == "dir:" + p.marker or (out and out[-1] == sub):
                continue
            out.append(sub)
            continue
        out.append(n)
    return out[:p.limit]


NAME_CHARS = st.sampled_from(["a", "b", "/", "\u00e9", "\U0010ffff", "-"])
NAMES = st.lists(st.text(NAME_CHARS, min_size=1, max_size=5), max_size=30)
SHORT = st.text(NAME_CHARS, max_size=3)


@settings(max_examples=400, deadline=None)
@given(names=NAMES, prefix=SHORT, delimiter=st.sampled_from(["", "/", "b"]),
       marker=SHORT, end_marker=SHORT, limit=st.integers(0, 12), reverse=st.booleans())
def test_listing_matches_the_reference_model(names, prefix, delimiter, marker, end_marker,
                                             limit, reverse):
    params = ListingParams(prefix=prefix, delimiter=delimiter, marker=marker,
                           end_marker=end_marker, limit=limit, reverse=reverse)
    assert flat(build_listing(MemoryFetcher(names), params)) == model(names, params)


@settings(max_examples=200, deadline=None)
@given(names=NAMES, path=SHORT, marker=SHORT, limit=st.integers(1, 12), reverse=st.booleans())
def test_path_listing_matches_the_reference_model(names, path, marker, limit, reverse):
    params = ListingParams(path=path, marker=marker, limit=limit, reverse=reverse)
    assert flat(build_listing(MemoryFetcher(names), params)) == model(names, params)


def test_path_slash_lists_the_names_under_a_leading_slash():
    # as Swift's TestContainerPaths lays them out
    names = ["/file1", "/file A", "/dir1/", "/dir1/file2", "/dir2/", "/dir2/subdir/",
             "file1", "dir1/", "dir1/x"]
    listed = lambda path: flat(build_listing(MemoryFetcher(names), ListingParams(path=path)))
    assert listed("/") == listed("//") == ["/dir1/", "/dir2/", "/file A", "/file1"]
    assert listed("") == ["dir1/", "file1"]
    assert listed("/dir2") == listed("/dir2/") == ["/dir2/subdir/"]


@settings(max_examples=100, deadline=None)
@given(names=NAMES, delimiter=st.sampled_from(["", "/"]), page=st.integers(1, 4))
def test_paging_with_the_last_name_as_marker_visits_every_entry_once(names, delimiter, page):
    full = model(names, ListingParams(delimiter=delimiter, limit=10000))
    seen: List[str] = []
    marker = ""
    fetch = MemoryFetcher(names)
    for _ in range(100):
        got = flat(build_listing(fetch, ListingParams(delimiter=delimiter, marker=marker,
                                                      limit=page)))
        if not got:
            break
        seen.extend(got)
        marker = got[-1][4:] if got[-1].startswith("dir:") else got[-1]
    assert seen == full


def test_a_delimiter_skips_a_whole_pseudo_directory_in_one_fetch():
    names = ["photos/%05d" % i for i in range(1000)] + ["readme"]
    fetch = MemoryFetcher(names)
    out = build_listing(fetch, ListingParams(delimiter="/", limit=100))
    assert flat(out) == ["dir:photos/", "readme"]
    assert fetch.calls <= 3


def test_a_delimiter_listing_reads_one_row_per_entry_and_closes_every_run():
    names = ["d%02d/o%03d" % (d, o) for d in range(40) for o in range(200)] + ["z"]
    fetch = MemoryFetcher(names)
    out = build_listing(fetch, ListingParams(delimiter="/"))
    assert len(out) == 41
    assert fetch.rows_read == 41
    assert fetch.closed == fetch.calls == 41


def test_a_fetcher_answering_lists_gives_the_same_listing():
    names = ["d%02d/o%03d" % (d, o) for d in range(5) for o in range(20)] + ["a", "z"]
    for params in (ListingParams(delimiter="/"), ListingParams(limit=7, marker="d03/"),
                   ListingParams(prefix="d01/", reverse=True), ListingParams(path="d02")):
        assert build_listing(MemoryFetcher(names, lists=True), params) == build_listing(
            MemoryFetcher(names), params)


def test_limit_zero_lists_nothing_and_asks_nothing():
    fetch = MemoryFetcher(["a"])
    assert build_listing(fetch, ListingParams(limit=0)) == []
    assert fetch.calls == 0


def test_prefix_upper_bound_skips_surrogates_and_handles_the_last_code_point():
    assert prefix_upper_bound("ab") == "ac"
    assert prefix_upper_bound("a\ud7ff") == "a\ue000"
    assert prefix_upper_bound("a\U0010ffff") == "b"
    assert prefix_upper_bound("\U0010ffff") is None
    assert prefix_upper_bound("") is None


def test_reverse_swaps_the_roles_of_marker_and_end_marker():
    fetch = MemoryFetcher(["a", "b", "c", "d"])
    out = build_listing(fetch, ListingParams(marker="d", end_marker="a", reverse=True))
    assert flat(out) == ["c", "b"]


def test_items_come_from_the_one_listing_module():
    item = object_item(ObjectEntry("m", TS, 0, "application/x;swift_bytes=1234", "e"))
    assert list(item) == ["bytes", "hash", "name", "content_type", "last_modified"]
    assert item["bytes"] == 1234
    assert object_item(Subdir("d/")) == {"subdir": "d/"}
    names = {0: "gold"}
    assert container_item(ContainerEntry("c", 3, 10, TS, 0), names.get) == {
        "name": "c", "count": 3, "bytes": 10, "last_modified": "2023-11-14T22:13:20.123450",
        "storage_policy": "gold"}


# Names and types with what JSON must escape: quotes, backslashes, control
# characters, non-ASCII, astral code points and lone surrogates.
_text = st.text(st.characters(blacklist_categories=()), max_size=12)
_entries = st.one_of(
    st.builds(Subdir, _text),
    st.builds(ObjectEntry, _text,
              st.one_of(st.from_regex(r"\A[0-9]{10}\.[0-9]{5}(_[0-9a-f]{16})?\Z"),
                        st.sampled_from(["1700000000", "1700000000.5", "0000001000.00000"])),
              st.one_of(st.integers(0, 2 ** 63), st.just("12")),
              st.one_of(_text, st.sampled_from([
                  "application/x;swift_bytes=1234", "a/b; slo_etag=\"e\"; x=1 2",
                  "text/plain;swift_versions_id=v1", "a/b;swift_bytes=x"])),
              st.one_of(_text, st.none())))


@settings(max_examples=120, deadline=None)
@given(entries=st.lists(_entries, max_size=6))
def test_the_json_written_straight_is_what_json_dumps_gives(entries):
    """The container server writes JSON rows without building dicts; the
    bytes must be those of ``json.dumps`` over the items, whatever a row
    holds (Swift's listing, byte for byte, is pinned by the functional
    tests against that rendering)."""
    assert json_listing(entries, object_json) == json.dumps(
        [object_item(e) for e in entries]).encode("utf-8")


_timestamps = st.one_of(st.from_regex(r"\A[0-9]{10}\.[0-9]{5}(_[0-9a-f]{16})?\Z"),
                        st.sampled_from(["1700000000", "1700000000.5", "0000001000.00000"]))
_account_entries = st.one_of(
    st.builds(Subdir, _text),
    st.builds(ContainerEntry, _text, st.one_of(st.integers(0, 2 ** 63), st.just("12")),
              st.one_of(st.integers(0, 2 ** 63), st.just(True)), _timestamps,
              st.integers(0, 3)))


@settings(max_examples=120, deadline=None)
@given(entries=st.lists(_account_entries, max_size=6),
       names=st.sampled_from([{}, {0: "gold", 1: 'q"\u00e9\U0001f600', 3: None}]))
def test_account_json_written_straight_is_what_json_dumps_gives(entries, names):
    """As above, for the account server's rows (with and without a
    storage policy name, which may be unknown)."""
    lookup = names.get if names else None
    assert json_listing(entries, lambda e: container_json(e, lookup)) == json.dumps(
        [container_item(e, lookup) for e in entries]).encode("utf-8")
