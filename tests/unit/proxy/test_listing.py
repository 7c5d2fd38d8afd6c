import json

import pytest

from objstore.proxy.listing import (JSON, PLAIN, XML, ListingFormatError, listing_format,
                                    render_listing)

OBJECTS = [{"name": "a&b", "hash": "d41d8cd98f00b204e9800998ecf8427e", "bytes": 0,
            "content_type": "text/plain", "last_modified": "2024-01-01T00:00:00.000000"},
           {"subdir": "dir/"}]


def test_format_parameter_beats_accept_header():
    assert listing_format("json", "application/xml") == JSON


def test_accept_header_chooses_the_format_when_no_parameter():
    assert listing_format(None, "application/xml") == XML
    assert listing_format(None, "text/xml;q=0.5, application/json") == JSON
    assert listing_format(None, "*/*") == PLAIN
    assert listing_format(None, None) == PLAIN


def test_unacceptable_accept_header_is_an_error():
    with pytest.raises(ListingFormatError):
        listing_format(None, "image/png")


def test_plain_listing_is_one_name_per_line_including_subdirs():
    assert render_listing(OBJECTS, PLAIN, "container", "c") == b"a&b\ndir/\n"


def test_json_listing_is_the_backend_entries():
    assert json.loads(render_listing(OBJECTS, JSON, "container", "c")) == OBJECTS


def test_xml_listing_escapes_names_and_renders_subdirs():
    body = render_listing(OBJECTS, XML, "container", 'c"1').decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<container name=\'c"1\'>')
    assert "<object><name>a&amp;b</name><hash>" in body
    assert '<subdir name="dir/"><name>dir/</name></subdir>' in body
    assert body.endswith("</container>")


def test_account_xml_lists_containers_with_counts():
    body = render_listing([{"name": "c", "count": 2, "bytes": 5,
                            "last_modified": "x"}], XML, "account", "AUTH_t").decode()
    assert "<container><name>c</name><count>2</count><bytes>5</bytes>" in body
