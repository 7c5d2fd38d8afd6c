"""Listing parameters, negotiation and renderings, shaped as Swift 2.38.3
sends them (each expectation measured against a real Swift)."""

import json
from xml.etree import ElementTree

import pytest
from hypothesis import given, strategies as st

from objstore.common.http.listing import (ListingParamError, container_item, items_from_json,
                                          listed_type_after_post, listing_headers,
                                          listing_media_type, object_item,
                                          parse_limit, parse_listing_params, query_params,
                                          render_listing, split_content_type, subdir_item)

TS = "1700000000.12345"
ISO = "2023-11-14T22:13:20.123450"


# ------------------------------------------------------------ parameters

def test_params_default_to_the_maximum_limit():
    assert parse_listing_params({}, 10000).limit == 10000


@pytest.mark.parametrize("limit", ["-1", "ten", "1.5", "5000.0", "", " "])
def test_a_limit_that_is_not_a_non_negative_integer_is_ignored(limit):
    assert parse_listing_params({"limit": limit}, 10000).limit == 10000
    assert parse_limit(limit, 10000) is None


def test_a_limit_above_the_maximum_is_a_412_with_swifts_text():
    with pytest.raises(ListingParamError) as err:
        parse_listing_params({"limit": "10001"}, 10000)
    assert (err.value.status, str(err.value)) == (412, "Maximum limit is 10000")
    assert parse_listing_params({"limit": "0"}, 10000).limit == 0
    assert parse_listing_params({"limit": "10000"}, 10000).limit == 10000


def test_a_delimiter_of_any_length_is_accepted():
    assert parse_listing_params({"delimiter": "/b"}, 10000).delimiter == "/b"


@pytest.mark.parametrize("key", ["prefix", "marker", "end_marker", "delimiter", "path"])
def test_parameters_that_are_not_utf8_are_a_400_naming_the_parameter(key):
    with pytest.raises(ListingParamError) as err:
        parse_listing_params(query_params("%s=a%%FF" % key), 10000)
    assert (err.value.status, str(err.value)) == (400, '"%s" parameter not valid UTF-8' % key)
    assert parse_listing_params({key: "a\x00"}, 10000)  # Swift accepts NUL here


def test_query_params_keep_the_last_value_and_blank_values():
    assert query_params("a=1&a=2&b=&c=%C3%A9") == {"a": "2", "b": "", "c": "\u00e9"}


def test_reverse_accepts_the_usual_spellings_of_true():
    assert parse_listing_params({"reverse": "true"}, 10).reverse
    assert parse_listing_params({"reverse": "on"}, 10).reverse
    assert not parse_listing_params({"reverse": "no"}, 10).reverse


def test_path_is_ignored_for_account_listings():
    assert parse_listing_params({"path": "x"}, 10, allow_path=False).path is None


# ----------------------------------------------------- content negotiation

@pytest.mark.parametrize("fmt,accept,expected", [
    ("json", None, "application/json"),
    ("JSON", None, "application/json"),
    ("XML", None, "application/xml"),
    ("xml", "application/json", "application/xml"),
    ("plain", "application/json", "text/plain"),
    ("bogus", "image/png", "text/plain"),
    (None, None, "text/plain"),
    ("", "application/json", "application/json"),
    (None, "application/json", "application/json"),
    (None, "text/xml", "text/xml"),
    (None, "application/*", "application/json"),
    (None, "application/xml;q=0.9, application/json", "application/json"),
    (None, "application/json;q=0.5, text/plain;q=0.4", "application/json"),
    (None, "*/*", "text/plain"),
    (None, "image/png", None),
])
def test_format_parameter_wins_over_accept_header(fmt, accept, expected):
    assert listing_media_type(fmt, accept) == expected


def test_the_answer_varies_on_accept_only_without_a_format():
    assert listing_headers("text/plain", None) == {
        "Content-Type": "text/plain; charset=utf-8", "Vary": "Accept"}
    assert listing_headers("application/json", "json") == {
        "Content-Type": "application/json; charset=utf-8"}
    assert "Vary" not in listing_headers("text/plain", "")


# ------------------------------------------------------------------ items

def test_object_items_have_swifts_keys_in_swifts_order():
    item = object_item("o", TS, 5, "text/plain", "abc")
    assert list(item.items()) == [("bytes", 5), ("hash", "abc"), ("name", "o"),
                                  ("content_type", "text/plain"), ("last_modified", ISO)]


def test_large_object_parameters_of_the_content_type_become_fields():
    item = object_item("m", TS, 0, "application/x; a=b;swift_bytes=1234;slo_etag=ff", "e")
    # what is left is joined without spaces, as Swift lists it
    assert item["bytes"] == 1234 and item["content_type"] == "application/x;a=b"
    assert item["slo_etag"] == '"ff"'
    assert split_content_type("text/plain") == ("text/plain", {})


def test_a_completed_uploads_s3_etag_is_listed_after_the_slo_etag_as_swift():
    item = object_item("m", TS, 9, "text/x;s3_etag=ab-2;swift_bytes=12;slo_etag=ff", "e")
    assert list(item.items())[-2:] == [("slo_etag", '"ff"'), ("s3_etag", '"ab-2"')]
    assert (item["bytes"], item["content_type"], item["hash"]) == (12, "text/x", "e")


def test_account_items_have_count_bytes_last_modified_and_the_policy():
    assert list(container_item("c", 3, 10, TS, "gold").items()) == [
        ("name", "c"), ("count", 3), ("bytes", 10), ("last_modified", ISO),
        ("storage_policy", "gold")]
    assert "storage_policy" not in container_item("c", 3, 10, TS)


# ----------------------------------------------------------------- render

def test_container_xml_is_one_line_with_five_fields_per_object():
    items = [object_item("a<b", TS, 1, "t/p", "h"), dict(object_item("s", TS, 1, "t/p", "h"),
                                                         slo_etag='"x"'), subdir_item('x"/')]
    body = render_listing(items, "application/xml", "container", "c&d").decode()
    assert body == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<container name="c&amp;d">'
        "<object><name>a&lt;b</name><hash>h</hash><bytes>1</bytes>"
        "<content_type>t/p</content_type><last_modified>%s</last_modified></object>"
        "<object><name>s</name><hash>h</hash><bytes>1</bytes>"
        "<content_type>t/p</content_type><last_modified>%s</last_modified></object>"
        '<subdir name="x&quot;/"><name>x"/</name></subdir></container>' % (ISO, ISO))


def test_an_empty_container_xml_is_an_empty_element():
    assert render_listing([], "application/xml", "container", "c") == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<container name="c" />')


def test_account_xml_puts_each_element_on_its_own_line():
    items = [container_item("c", 3, 10, TS, "gold"), subdir_item("d-")]
    body = render_listing(items, "text/xml", "account", "AUTH_t").decode()
    assert body == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<account name="AUTH_t">\n'
        "<container><name>c</name><count>3</count><bytes>10</bytes>"
        "<last_modified>%s</last_modified><storage_policy>gold</storage_policy></container>\n"
        '<subdir name="d-" />\n</account>' % ISO)
    assert render_listing([], "application/xml", "account", "A") == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<account name="A">\n</account>')


def test_plain_listing_is_one_name_per_line_and_json_keeps_extra_fields():
    items = [subdir_item("d/"), dict(object_item("\u00e9", TS, 1, "t", "h"),
                                     symlink_path="/v1/a/c/o")]
    assert render_listing(items, "text/plain", "container", "c") == "d/\n\u00e9\n".encode()
    assert json.loads(render_listing(items, "application/json", "container", "c")) == items
    assert render_listing([], "application/json", "container", "c") == b"[]"


def test_a_backend_listing_must_be_a_json_list_of_objects():
    assert items_from_json(b'[{"name": "a"}]') == [{"name": "a"}]
    assert items_from_json(b"") == []
    for bad in (b"{}", b"[1]", b"nope"):
        with pytest.raises(ValueError):
            items_from_json(bad)


_names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)


@given(st.lists(_names, max_size=6), _names)
def test_every_rendering_lists_every_name_in_order(names, container):
    items = [object_item(n, TS, 1, "t/p", "h") for n in names]
    assert [i["name"] for i in json.loads(render_listing(items, "application/json",
                                                          "container", container))] == names
    root = ElementTree.fromstring(render_listing(items, "application/xml", "container",
                                                 container))
    assert root.get("name") == container
    assert [o.findtext("name") for o in root.findall("object")] == names


def test_listed_content_type_parameters_are_joined_without_spaces_as_swift():
    cases = {"image/png; charset=foo": "image/png;charset=foo",
             "a/b ;x=1 ; y=2": "a/b ;x=1;y=2", "a/b;  x=1": "a/b;x=1",
             'a/b; x="1; 2"': 'a/b;x="1; 2"', "text/plain": "text/plain",
             "a/b; x": "a/b;x=", "a/b; =1": "a/b", "a/b; x = 1": "a/b;x=1",
             "a/b;x=1 2": "a/b;x=1", "a/b;;x=1": "a/b;x=1"}
    for stored, listed in cases.items():
        assert object_item("o", TS, 1, stored, "e")["content_type"] == listed, stored


@pytest.mark.parametrize("new,data,listed", [
    # a client's swift_bytes never changes a listed size
    ("a/b; swift_bytes=3; x=1", "application/octet-stream", "a/b;x=1"),
    # a large object keeps the size and ETag its PUT listed
    ("c/d", "text/plain;swift_bytes=5;slo_etag=abc", "c/d;swift_bytes=5;slo_etag=abc"),
    ("a/b; swift_bytes=3", "x/y;swift_bytes=5", "a/b;swift_bytes=5"),
    ("text/html; charset=utf-8", "text/plain", "text/html;charset=utf-8"),
])
def test_listed_type_after_post(new, data, listed):
    assert listed_type_after_post(new, data) == listed


def test_a_listed_version_id_is_a_row_field_and_survives_a_post():
    item = object_item("o", "1700000000.00000", 3,
                               "text/plain;swift_versions_id=1700000000.00000", "etag")
    assert item["content_type"] == "text/plain"
    assert item["version_id"] == "1700000000.00000"
    after = listed_type_after_post("text/html", "text/plain;swift_versions_id=1700000000.00000")
    assert after == "text/html;swift_versions_id=1700000000.00000"
    assert "version_id" not in object_item("o", "1700000000.00000", 3, "text/plain", "e")
