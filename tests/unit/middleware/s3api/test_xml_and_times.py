"""S3 XML documents are the bytes ElementTree's UTF-8 writer makes, and Swift
listing times read as ``strptime`` reads them, through their faster paths."""

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest

from objstore.middleware.s3api import xml as s3xml
from objstore.middleware.s3api.context import iso8601, parse_swift_time


def _build(parent, nodes):
    for node in nodes:
        if node is None:
            continue
        tag, value = node
        child = ET.SubElement(parent, tag)
        if isinstance(value, list):
            _build(child, value)
        elif value is not None:
            child.text = value if isinstance(value, str) else s3xml._text(value)


def _old_render(root, children, namespace=True):
    """How ``render`` serialized before: an ElementTree tree, its UTF-8 writer."""
    elem = ET.Element(root, {"xmlns": s3xml.S3_NS} if namespace else {})
    _build(elem, children)
    body = ET.tostring(elem, encoding="utf-8")
    if s3xml._CONTROL.search(body):
        body = s3xml._CONTROL.sub(s3xml._reference, body)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


@pytest.mark.parametrize("key", [
    "plain", "caf\u00e9/\u2603 \U0001f600", "a&b<c>d\"e'f", "tab\there\nlf", "cr\rand\x01ctl",
    "lone \udcff surrogate", "", "]]>", "  spaced  "])
def test_documents_are_the_bytes_elementtree_writes_in_utf8(key):
    children = [("Name", "bucket"), ("Prefix", key), ("KeyCount", 2), ("IsTruncated", False),
                ("Contents", [("Key", key), ("Size", 4096), ("ETag", '"abc"'),
                              ("Owner", [("ID", key), ("DisplayName", None)])]),
                None, ("Empty", [])]
    assert s3xml.render("ListBucketResult", children) == _old_render("ListBucketResult",
                                                                      children)
    assert s3xml.render("Error", children, namespace=False) == \
        _old_render("Error", children, namespace=False)


@pytest.mark.parametrize("children", [[], [None], [("A", [])], [("A", [None, None])],
                                      [("A", "")], [("A", 0)], [("A", True)],
                                      [("A", [("B", [("C", "x>y")])])]])
def test_empty_and_nested_elements_are_written_as_elementtree_writes_them(children):
    for namespace in (True, False):
        assert s3xml.render("R", children, namespace) == _old_render("R", children, namespace)


def test_a_rendered_document_parses_back_with_its_text():
    body = s3xml.render("Tagging", [("TagSet", [("Tag", [("Key", "k\u00e9"),
                                                         ("Value", "<v&>")])])])
    doc = s3xml.parse(body, "Tagging")
    assert doc.find("TagSet/Tag/Key").text == "k\u00e9"
    assert doc.find("TagSet/Tag/Value").text == "<v&>"


def _strptime_reading(text):
    text = text.rstrip("Z")
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return datetime.fromtimestamp(0, timezone.utc)


@pytest.mark.parametrize("text", [
    "2024-01-02T03:04:05.123456", "2024-01-02T03:04:05.1", "2024-01-02T03:04:05.000100",
    "2024-01-02T03:04:05", "2024-01-02T03:04:05.123456Z", "2024-02-30T00:00:00.000000",
    "2024-13-01T00:00:00", "2024-01-02T24:00:00", "2024-01-02T03:04:60",
    "2024-01-02T03:04:05.1234567", "2024-1-2T3:4:5", "2024-01-02 03:04:05",
    "２０24-01-02T03:04:05", "", "garbage", "1970-01-01T00:00:00.000000"])
def test_listing_times_read_exactly_as_strptime_reads_them(text):
    assert parse_swift_time(text) == _strptime_reading(text)


def test_a_listing_time_rounds_up_to_the_second_as_last_modified_does():
    assert iso8601(parse_swift_time("2024-01-02T03:04:05.000001")) == \
        "2024-01-02T03:04:06.000Z"
    assert iso8601(parse_swift_time("2024-01-02T03:04:05.000000")) == \
        "2024-01-02T03:04:05.000Z"


def test_a_tag_set_is_answered_sorted_by_key_whatever_order_it_was_stored_in():
    from objstore.middleware.s3api import tagging
    stored = tagging.parse_query_tags("foo=bar&bar&Zed=1")
    doc = s3xml.parse(tagging.render_xml(stored), "Tagging")
    assert [t.find("Key").text for t in doc.findall("TagSet/Tag")] == ["Zed", "bar", "foo"]
