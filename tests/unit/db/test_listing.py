"""Listing logic against a reference model, and the three renderings."""

import json
from typing import List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from objstore.db.listing import (Bounds, ContainerEntry, ListingParamError, ListingParams,
                                 ObjectEntry, Subdir, build_listing, choose_content_type,
                                 container_item, object_item, parse_listing_params,
                                 prefix_upper_bound, render_listing, split_swift_bytes)

TS = "1700000000.12345"


def entry(name: str) -> ObjectEntry:
    return ObjectEntry(name, TS, 1, "text/plain", "etag")


class MemoryFetcher:
    """The broker contract, over a Python list; counts its calls."""

    def __init__(self, names):
        self.names = sorted(set(names))
        self.calls = 0

    def __call__(self, bounds: Bounds):
        self.calls += 1
        rows = [n for n in self.names if bounds.admits(n)]
        if bounds.reverse:
            rows.reverse()
        return [entry(n) for n in rows[:bounds.limit]]


def flat(entries) -> List[str]:
    return [("dir:" + e.name) if isinstance(e, Subdir) else e.name for e in entries]


def model(names, p: ListingParams) -> List[str]:
    """The documented behaviour, written the slow obvious way."""
    prefix, delim = p.prefix, p.delimiter
    if p.path is not None:
        prefix = p.path.rstrip("/") + "/" if p.path.rstrip("/") else ""
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


# ------------------------------------------------------------ parameters

def test_params_default_to_the_maximum_limit():
    assert parse_listing_params({}, 10000).limit == 10000


@pytest.mark.parametrize("limit", ["10001", "-1", "ten", "1.5"])
def test_a_limit_that_cannot_be_honoured_is_a_412(limit):
    with pytest.raises(ListingParamError) as err:
        parse_listing_params({"limit": limit}, 10000)
    assert err.value.status == 412


def test_a_multi_character_delimiter_is_a_412():
    with pytest.raises(ListingParamError) as err:
        parse_listing_params({"delimiter": "//"}, 10000)
    assert err.value.status == 412


@pytest.mark.parametrize("key", ["prefix", "marker", "end_marker", "delimiter", "path"])
def test_parameters_that_are_not_utf8_are_a_400(key):
    with pytest.raises(ListingParamError) as err:
        parse_listing_params({key: "a\udcff"}, 10000)
    assert err.value.status == 400
    with pytest.raises(ListingParamError):
        parse_listing_params({key: "a\x00"}, 10000)


def test_reverse_accepts_the_usual_spellings_of_true():
    assert parse_listing_params({"reverse": "true"}, 10).reverse
    assert parse_listing_params({"reverse": "on"}, 10).reverse
    assert not parse_listing_params({"reverse": "no"}, 10).reverse


def test_path_is_ignored_for_account_listings():
    assert parse_listing_params({"path": "x"}, 10, allow_path=False).path is None


# ----------------------------------------------------- content negotiation

@pytest.mark.parametrize("fmt,accept,expected", [
    ("json", None, "application/json"),
    ("XML", None, "application/xml"),
    ("plain", "application/json", "text/plain"),
    ("bogus", None, "text/plain"),
    (None, None, "text/plain"),
    (None, "application/json", "application/json"),
    (None, "text/xml", "text/xml"),
    (None, "application/xml;q=0.9, application/json", "application/json"),
    (None, "*/*", "text/plain"),
    (None, "image/png", None),
])
def test_format_parameter_wins_over_accept_header(fmt, accept, expected):
    assert choose_content_type(fmt, accept) == expected


# --------------------------------------------------------------- render

def test_json_object_items_have_the_documented_keys():
    item = object_item(ObjectEntry("o", TS, 5, "text/plain", "abc"))
    assert item == {"hash": "abc", "last_modified": "2023-11-14T22:13:20.123450",
                    "bytes": 5, "name": "o", "content_type": "text/plain"}


def test_swift_bytes_in_a_content_type_becomes_the_listed_size():
    item = object_item(ObjectEntry("m", TS, 0, "application/x; a=b;swift_bytes=1234", "e"))
    assert item["bytes"] == 1234 and item["content_type"] == "application/x; a=b"
    assert split_swift_bytes("text/plain") == ("text/plain", None)


def test_account_items_have_count_bytes_and_last_modified():
    assert container_item(ContainerEntry("c", 3, 10, TS)) == {
        "name": "c", "count": 3, "bytes": 10, "last_modified": "2023-11-14T22:13:20.123450"}


def test_container_xml_matches_the_api_reference_shape():
    items = [object_item(ObjectEntry("a<b", TS, 1, "t/p", "h")), {"subdir": 'x"/'}]
    body = render_listing(items, "application/xml", "container", "c&d").decode()
    assert body == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<container name="c&amp;d">'
        "<object><name>a&lt;b</name><hash>h</hash><bytes>1</bytes>"
        "<content_type>t/p</content_type><last_modified>2023-11-14T22:13:20.123450"
        "</last_modified></object>"
        '<subdir name="x&quot;/"><name>x"/</name></subdir></container>')


def test_account_xml_lists_containers():
    items = [container_item(ContainerEntry("c", 3, 10, TS))]
    body = render_listing(items, "text/xml", "account", "AUTH_t").decode()
    assert body.endswith('<account name="AUTH_t"><container><name>c</name><count>3</count>'
                         "<bytes>10</bytes><last_modified>2023-11-14T22:13:20.123450"
                         "</last_modified></container></account>")


def test_plain_listing_is_one_name_per_line_and_json_round_trips():
    items = [{"subdir": "d/"}, object_item(entry("\u00e9"))]
    assert render_listing(items, "text/plain", "container", "c") == "d/\n\u00e9\n".encode()
    assert json.loads(render_listing(items, "application/json", "container", "c")) == items
    assert render_listing([], "application/json", "container", "c") == b"[]"
