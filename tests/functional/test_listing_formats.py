"""Container and account listings on the SAIO in the shapes Swift 2.38.3
sends (each expectation measured against a real Swift first)."""

import json
import uuid

import pytest

NAMES = ["a/b", "a/c/d", "ab", "b", "x/y/z", "\u00fc"]


@pytest.fixture
def listed(http_api):
    """A container holding ``NAMES``; removed with its objects afterwards."""
    name = "fn-lst-" + uuid.uuid4().hex[:10]
    cont = http_api.path(name)
    assert http_api.request("PUT", cont).status == 201
    made = []
    try:
        for obj in NAMES:
            path = cont + "/" + http_api.path(obj).rsplit("/", 1)[1]
            assert http_api.request("PUT", path, {"Content-Type": "text/plain"}, b"x").status \
                == 201
            made.append(path)
        yield name, cont
    finally:
        for path in made:
            http_api.request("DELETE", path)
        assert http_api.request("DELETE", cont).status == 204


def lines(resp):
    return resp.body.decode("utf-8").splitlines()


def test_a_multi_character_delimiter_groups_names(http_api, listed):
    _name, cont = listed
    resp = http_api.request("GET", cont + "?delimiter=/b&format=json")
    assert resp.status == 200
    assert [i.get("subdir") or i["name"] for i in resp.json()] == ["a/b", "a/c/d", "ab", "b",
                                                                   "x/y/z", "\u00fc"]
    assert {"subdir": "a/b"} in resp.json()


@pytest.mark.parametrize("limit", ["5000.0", "2.5", "-1", "abc", ""])
def test_a_limit_that_is_not_an_integer_is_ignored(http_api, listed, limit):
    resp = http_api.request("GET", listed[1] + "?limit=" + limit)
    assert (resp.status, lines(resp)) == (200, NAMES)


def test_a_limit_above_the_maximum_is_412_in_swifts_words(http_api, listed):
    resp = http_api.request("GET", listed[1] + "?limit=10001")
    assert (resp.status, resp.body) == (412, b"Maximum limit is 10000")
    assert resp.headers["Content-Type"] == "text/html; charset=UTF-8"


def test_json_items_have_swifts_key_order_and_microseconds(http_api, listed):
    resp = http_api.request("GET", listed[1] + "?format=json&limit=1")
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "Vary" not in resp.headers
    item = resp.json()[0]
    assert list(item) == ["bytes", "hash", "name", "content_type", "last_modified"]
    assert len(item["last_modified"].split(".")[1]) == 6


def test_plain_listing_varies_on_accept_and_shows_subdirs(http_api, listed):
    resp = http_api.request("GET", listed[1] + "?delimiter=/")
    assert lines(resp) == ["a/", "ab", "b", "x/", "\u00fc"]
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.headers["Vary"] == "Accept"
    assert resp.headers["Accept-Ranges"] == "bytes"
    assert "X-Put-Timestamp" not in resp.headers


def test_reverse_with_end_marker_and_path(http_api, listed):
    resp = http_api.request("GET", listed[1] + "?reverse=on&end_marker=ab")
    assert lines(resp) == ["\u00fc", "x/y/z", "b"]
    assert lines(http_api.request("GET", listed[1] + "?path=a")) == ["a/b"]


def test_format_beats_accept_and_xml_is_swifts_shape(http_api, listed):
    name, cont = listed
    resp = http_api.request("GET", cont + "?format=xml&limit=2&delimiter=/",
                            {"Accept": "application/json"})
    assert resp.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert resp.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<container name="%s">'
                                b'<subdir name="a/"><name>a/</name></subdir><object><name>ab'
                                b'</name>' % name.encode())
    empty = http_api.request("GET", cont + "?format=xml&prefix=zz")
    assert empty.body == (b'<?xml version="1.0" encoding="UTF-8"?>\n<container name="%s" />'
                          % name.encode())
    assert http_api.request("GET", cont, {"Accept": "text/xml"}).headers["Content-Type"] == \
        "text/xml; charset=utf-8"


def test_an_unacceptable_accept_is_406_with_swifts_body(http_api, listed):
    resp = http_api.request("GET", listed[1], {"Accept": "image/png"})
    assert resp.status == 406
    assert resp.body.startswith(b"<html><h1>Not Acceptable</h1>")


@pytest.mark.parametrize("param", ["marker", "delimiter", "prefix"])
def test_a_parameter_that_is_not_utf8_is_400_naming_it(http_api, listed, param):
    resp = http_api.request("GET", listed[1] + "?%s=%%FF" % param)
    assert (resp.status, resp.body) == (400, b'"%s" parameter not valid UTF-8' % param.encode())


def test_account_listing_xml_and_json_carry_the_storage_policy(http_api, listed):
    name, _cont = listed
    account = http_api.path()
    items = http_api.request("GET", account + "?format=json&prefix=" + name).json()
    assert [list(i) for i in items] == [["name", "count", "bytes", "last_modified",
                                         "storage_policy"]]
    assert items[0]["storage_policy"] == "gold"
    body = http_api.request("GET", account + "?format=xml&prefix=" + name).body.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<account name="')
    assert "\n<container><name>%s</name>" % name in body and body.endswith("\n</account>")
    body = http_api.request("GET", account + "?format=xml&delimiter=-&prefix=fn-lst").body
    assert b'\n<subdir name="fn-lst-" />\n' in body
    assert json.loads(http_api.request("GET", account + "?format=json&prefix=" + name + "zz")
                      .body) == []


def test_a_repeated_parameter_takes_its_last_value(http_api, listed):
    assert lines(http_api.request("GET", listed[1] + "?limit=1&limit=2")) == NAMES[:2]
    resp = http_api.request("GET", listed[1] + "?format=json&format=xml&prefix=b")
    assert resp.headers["Content-Type"] == "application/xml; charset=utf-8"


def test_nul_in_marker_or_prefix_is_accepted(http_api, listed):
    assert lines(http_api.request("GET", listed[1] + "?marker=%00")) == NAMES
    assert http_api.request("GET", listed[1] + "?prefix=%00").status == 204


def test_an_empty_format_lets_accept_decide_without_vary(http_api, listed):
    resp = http_api.request("GET", listed[1] + "?format=", {"Accept": "application/json"})
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "Vary" not in resp.headers
