"""The proxy's last step of a listing: the storage server's JSON answer
becomes the client's answer."""

import json

from webob import Request, Response

from objstore.common.http import listing
from objstore.proxy.controllers.listings import finish_listing

ITEMS = [{"bytes": 3, "hash": "e", "name": "a\u00e9<", "content_type": "text/plain",
          "last_modified": "2023-11-14T22:13:20.123450"}, {"subdir": "d/"}]


def backend(items=ITEMS, body=None):
    raw = listing.render_listing(items, listing.JSON_TYPE, "container", "c") \
        if body is None else body
    return Response(status=200, body=raw, headers={"X-Put-Timestamp": "1", "X-Container-Object-Count": "1"})


def test_a_json_listing_is_passed_on_as_the_server_rendered_it():
    resp = finish_listing(Request.blank("/v1/a/c?format=json"), backend(), "container", "c")
    assert resp.status_int == 200
    assert resp.body == listing.render_listing(ITEMS, listing.JSON_TYPE, "container", "c")
    assert json.loads(resp.body) == ITEMS
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "X-Put-Timestamp" not in resp.headers
    assert resp.headers["X-Container-Object-Count"] == "1"


def test_xml_and_plain_are_rendered_from_the_parsed_rows():
    xml = finish_listing(Request.blank("/v1/a/c?format=xml"), backend(), "container", "c")
    assert xml.body == listing.render_listing(ITEMS, "application/xml", "container", "c")
    assert b"<name>a\xc3\xa9&lt;</name>" in xml.body
    plain = finish_listing(Request.blank("/v1/a/c"), backend(), "container", "c")
    assert plain.body == "a\u00e9<\nd/\n".encode("utf-8")


def test_a_body_that_is_not_a_json_list_is_a_503():
    for body in (b"<html>oops</html>", b"{}", b"[1, 2"):
        resp = finish_listing(Request.blank("/v1/a/c?format=json"), backend(body=body),
                              "container", "c")
        assert resp.status_int == 503, body
