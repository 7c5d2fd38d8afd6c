"""Container requests and listings, as the Swift API reference documents them."""

import hashlib
import json
import re
import uuid
import xml.etree.ElementTree as ET

import pytest

from tests.functional.conftest import poll

ISO_LISTING_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$")
OBJECT_KEYS = {"hash", "last_modified", "bytes", "name", "content_type"}
NAMES = ["a", "b/1", "b/2", "b/sub/3", "c", "d.txt"]


def _new_name() -> str:
    return "fn-" + uuid.uuid4().hex[:12]


@pytest.fixture
def fresh(http_api):
    """Names of containers a test creates itself; deleted afterwards."""
    names = []
    yield names
    for name in names:
        http_api.request("DELETE", http_api.path(name))


@pytest.fixture
def filled(http_api, container):
    """A container holding NAMES (body = name bytes, type text/plain)."""
    for name in NAMES:
        resp = http_api.request("PUT", http_api.path(container, name), body=name.encode(),
                                headers={"Content-Type": "text/plain"})
        assert resp.status == 201
    return container


def listing(http_api, container, **params):
    query = "&".join("%s=%s" % kv for kv in params.items())
    return http_api.request("GET", http_api.path(container) + ("?" + query if query else ""))


def names_of(resp):
    return [o.get("name", o.get("subdir")) for o in resp.json()]


# --- PUT / HEAD / POST / DELETE ----------------------------------------------

def test_put_creates_with_201_and_an_existing_container_answers_202(http_api, fresh):
    name = _new_name()
    fresh.append(name)
    assert http_api.request("PUT", http_api.path(name)).status == 201
    assert http_api.request("PUT", http_api.path(name)).status == 202


def test_head_reports_counts_bytes_timestamp_and_policy(http_api, container, saio):
    for name, body in (("x", b"12345"), ("y", b"123")):
        http_api.request("PUT", http_api.path(container, name), body=body)
    head = poll(lambda: http_api.request("HEAD", http_api.path(container)),
                lambda r: r.headers.get("X-Container-Object-Count") == "2")
    assert head.status == 204
    assert head.body == b""
    assert head.headers["X-Container-Object-Count"] == "2"
    assert head.headers["X-Container-Bytes-Used"] == "8"
    assert re.match(r"^\d{10}\.\d{5}$", head.headers["X-Timestamp"])
    info = http_api.request("GET", "/info", user=None).json()
    default = [p["name"] for p in info["swift"]["policies"] if p.get("default")][0]
    assert head.headers["X-Storage-Policy"] == default


def test_head_and_get_of_a_missing_container_return_404(http_api):
    assert http_api.request("HEAD", http_api.path("fn-missing-" + uuid.uuid4().hex)).status == 404
    assert http_api.request("GET", http_api.path("fn-missing-" + uuid.uuid4().hex)).status == 404


def test_put_with_an_unknown_storage_policy_returns_400(http_api, fresh):
    name = _new_name()
    fresh.append(name)
    resp = http_api.request("PUT", http_api.path(name), headers={"X-Storage-Policy": "no-such-policy"})
    assert resp.status == 400


def test_post_sets_metadata_with_204_and_empty_or_remove_header_deletes_it(http_api, container):
    path = http_api.path(container)
    resp = http_api.request("POST", path, headers={"X-Container-Meta-Book": "TomSawyer",
                                                   "X-Container-Meta-Author": "Twain",
                                                   "X-Container-Meta-Year": "1876"})
    assert resp.status == 204
    head = http_api.request("HEAD", path)
    assert head.headers["X-Container-Meta-Book"] == "TomSawyer"
    assert head.headers["X-Container-Meta-Author"] == "Twain"
    assert http_api.request("POST", path, headers={"X-Container-Meta-Book": ""}).status == 204
    assert http_api.request("POST", path, headers={"X-Remove-Container-Meta-Year": "x"}).status == 204
    head = http_api.request("HEAD", path)
    assert head.headers.get("X-Container-Meta-Book") is None
    assert head.headers.get("X-Container-Meta-Year") is None
    assert head.headers["X-Container-Meta-Author"] == "Twain"  # untouched keys stay


def test_put_with_metadata_stores_it(http_api, fresh):
    name = _new_name()
    fresh.append(name)
    http_api.request("PUT", http_api.path(name), headers={"X-Container-Meta-Color": "red"})
    assert http_api.request("HEAD", http_api.path(name)).headers["X-Container-Meta-Color"] == "red"


def test_container_metadata_name_over_128_returns_400(http_api, container):
    resp = http_api.request("POST", http_api.path(container),
                            headers={"X-Container-Meta-" + "n" * 129: "v"})
    assert resp.status == 400


def test_delete_returns_204_then_404_and_409_when_not_empty(http_api, fresh):
    name = _new_name()
    fresh.append(name)
    http_api.request("PUT", http_api.path(name))
    http_api.request("PUT", http_api.path(name, "o"), body=b"x")
    assert http_api.request("DELETE", http_api.path(name)).status == 409
    assert http_api.request("DELETE", http_api.path(name, "o")).status == 204
    assert http_api.request("DELETE", http_api.path(name)).status == 204
    assert http_api.request("DELETE", http_api.path(name)).status == 404
    assert http_api.request("HEAD", http_api.path(name)).status == 404


def test_container_name_of_256_bytes_is_accepted_and_257_returns_400(http_api, fresh):
    ok, too_long = "c" * 256, "c" * 257
    fresh.append(ok)
    assert http_api.request("PUT", http_api.path(ok)).status == 201
    assert http_api.request("PUT", http_api.path(too_long)).status == 400


def test_a_slash_ends_the_container_name(http_api, container):
    # "/v1/acct/<c>/x" names object "x" in container "<c>": a container name
    # cannot hold a slash, even percent-encoded.
    missing = _new_name()
    resp = http_api.request("PUT", http_api.path() + "/%s/x" % missing, body=b"")
    assert resp.status == 404  # container <missing> does not exist
    resp = http_api.request("PUT", http_api.path() + "/%s%%2Fx" % container, body=b"data")
    assert resp.status == 201
    assert http_api.request("GET", http_api.path(container, "x")).body == b"data"
    assert http_api.request("HEAD", http_api.path(missing)).status == 404


# --- Listings: formats ----------------------------------------------------------

def test_plain_listing_is_names_one_per_line(http_api, filled):
    resp = listing(http_api, filled)
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    assert resp.body.decode() == "".join(n + "\n" for n in NAMES)
    assert resp.headers["X-Container-Object-Count"] == str(len(NAMES))


def test_json_listing_has_exactly_the_documented_keys(http_api, filled):
    resp = listing(http_api, filled, format="json")
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("application/json")
    entries = resp.json()
    assert [e["name"] for e in entries] == NAMES
    for entry in entries:
        assert set(entry) == OBJECT_KEYS
        assert entry["bytes"] == len(entry["name"].encode())
        assert entry["hash"] == hashlib.md5(entry["name"].encode()).hexdigest()
        assert entry["content_type"] == "text/plain"
        assert ISO_LISTING_TIME.match(entry["last_modified"]), entry["last_modified"]


def test_xml_listing_has_the_documented_shape(http_api, filled):
    resp = listing(http_api, filled, format="xml", delimiter="/")
    assert resp.status == 200
    assert resp.headers["Content-Type"].split(";")[0] in ("application/xml", "text/xml")
    assert resp.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(resp.body)
    assert root.tag == "container"
    assert root.get("name") == filled
    assert [child.tag for child in root] == ["object", "subdir", "object", "object"]
    first = root[0]
    assert {c.tag for c in first} == OBJECT_KEYS
    assert first.find("name").text == "a"
    assert first.find("bytes").text == "1"
    subdir = root[1]
    assert subdir.get("name") == "b/"
    assert subdir.find("name").text == "b/"


@pytest.mark.parametrize("accept,ctype", [
    ("application/json", "application/json"),
    ("application/xml", "application/xml"),
    ("text/xml", "text/xml"),
    ("text/plain", "text/plain"),
])
def test_accept_header_selects_the_listing_format(http_api, filled, accept, ctype):
    resp = http_api.request("GET", http_api.path(filled), headers={"Accept": accept})
    assert resp.status == 200
    assert resp.headers["Content-Type"].split(";")[0] == ctype


def test_format_query_overrides_the_accept_header(http_api, filled):
    resp = http_api.request("GET", http_api.path(filled) + "?format=json",
                            headers={"Accept": "application/xml"})
    assert resp.headers["Content-Type"].startswith("application/json")
    json.loads(resp.body)


def test_empty_plain_listing_returns_204(http_api, container):
    resp = listing(http_api, container)
    assert resp.status == 204
    assert resp.body == b""


def test_empty_json_listing_is_200_with_an_empty_list(http_api, container):
    resp = listing(http_api, container, format="json")
    assert resp.status == 200
    assert resp.json() == []


# --- Listings: parameters ----------------------------------------------------------

def test_prefix_limits_names(http_api, filled):
    assert names_of(listing(http_api, filled, format="json", prefix="b/")) == ["b/1", "b/2", "b/sub/3"]


def test_delimiter_rolls_up_subdirs_with_only_a_subdir_key(http_api, filled):
    entries = listing(http_api, filled, format="json", delimiter="/").json()
    assert [e.get("name", e.get("subdir")) for e in entries] == ["a", "b/", "c", "d.txt"]
    assert entries[1] == {"subdir": "b/"}
    nested = listing(http_api, filled, format="json", delimiter="/", prefix="b/").json()
    assert nested[:2] == [e for e in nested if "name" in e]
    assert [e.get("name", e.get("subdir")) for e in nested] == ["b/1", "b/2", "b/sub/"]


def test_marker_end_marker_and_limit_page_through_the_listing(http_api, filled):
    assert names_of(listing(http_api, filled, format="json", limit=2)) == ["a", "b/1"]
    assert names_of(listing(http_api, filled, format="json", limit=2, marker="b/1")) == ["b/2", "b/sub/3"]
    assert names_of(listing(http_api, filled, format="json", end_marker="b/2")) == ["a", "b/1"]
    assert names_of(listing(http_api, filled, format="json", marker="a", end_marker="c")) == \
        ["b/1", "b/2", "b/sub/3"]
    past_end = listing(http_api, filled, marker="zzz")
    assert past_end.status == 204


def test_reverse_lists_names_backwards(http_api, filled):
    assert names_of(listing(http_api, filled, format="json", reverse="true")) == NAMES[::-1]
    assert names_of(listing(http_api, filled, format="json", reverse="true", marker="c")) == \
        ["b/sub/3", "b/2", "b/1", "a"]


def test_path_lists_only_the_objects_directly_under_it(http_api, filled):
    assert names_of(listing(http_api, filled, format="json", path="b")) == ["b/1", "b/2"]


def test_limit_of_10000_is_allowed_and_10001_returns_412(http_api, filled):
    assert listing(http_api, filled, limit=10000).status == 200
    assert listing(http_api, filled, limit=10001).status == 412


def test_non_ascii_names_in_xml_and_json_listings(http_api, container):
    name = "日本/ü ☃"
    put = http_api.request("PUT", http_api.path(container, name), body=b"x")
    assert put.status == 201, (put.status, put.body)
    assert names_of(listing(http_api, container, format="json")) == [name]
    root = ET.fromstring(listing(http_api, container, format="xml").body)
    assert root.find("object/name").text == name
    assert listing(http_api, container).body.decode("utf-8") == name + "\n"
