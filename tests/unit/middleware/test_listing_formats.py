"""listing_formats in front of an app that answers listings in JSON only."""
import json

from webob import Request, Response

from objstore.common import registry
from objstore.middleware import listing_formats

ROWS = [{"bytes": 1, "hash": "h", "name": "a<b", "content_type": "text/plain",
         "last_modified": "2026-01-01T00:00:00.000000"}, {"subdir": "d/"}]


def _app(rows=ROWS, status=200, ctype="application/json; charset=utf-8"):
    seen = []

    def app(env, start_response):
        seen.append((env["QUERY_STRING"], env.get("HTTP_ACCEPT")))
        body = json.dumps(rows).encode() if ctype.startswith("application/json") else b"oops"
        return Response(status=status, body=body, headers={
            "Content-Type": ctype, "X-Container-Object-Count": "1"})(env, start_response)
    return listing_formats.ListingFormats(app, {}), seen


def test_xml_and_plain_are_rendered_from_the_json_below():
    app, seen = _app()
    resp = Request.blank("/v1/AUTH_a/c?format=xml&prefix=a").get_response(app)
    assert seen == [("prefix=a&format=json", "application/json")]
    assert resp.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert "Vary" not in resp.headers
    assert resp.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<container name="c">')
    assert b"<name>a&lt;b</name>" in resp.body
    assert resp.headers["X-Container-Object-Count"] == "1"
    resp = Request.blank("/v1/AUTH_a/c").get_response(app)
    assert (resp.body, resp.headers["Vary"]) == (b"a<b\nd/\n", "Accept")
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.content_length == len(resp.body)


def test_json_passes_as_it_came_and_accept_chooses_without_format():
    app, _seen = _app()
    resp = Request.blank("/v1/AUTH_a", headers={"Accept": "application/json"}).get_response(app)
    assert json.loads(resp.body) == ROWS and resp.headers["Vary"] == "Accept"
    resp = Request.blank("/v1/AUTH_a", headers={"Accept": "text/xml"}).get_response(app)
    assert resp.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert resp.body.splitlines()[1] == b'<account name="AUTH_a">'


def test_an_empty_plain_listing_is_204_and_head_carries_the_type():
    app, _seen = _app(rows=[])
    resp = Request.blank("/v1/AUTH_a/c?format=plain").get_response(app)
    assert (resp.status_int, resp.body) == (204, b"")
    resp = Request.blank("/v1/AUTH_a/c?format=xml", method="HEAD").get_response(app)
    assert resp.status_int == 200
    assert resp.headers["Content-Type"] == "application/xml; charset=utf-8"


def test_nothing_acceptable_is_406_before_anything_below_runs():
    app, seen = _app()
    resp = Request.blank("/v1/AUTH_a/c", headers={"Accept": "image/png"}).get_response(app)
    assert resp.status_int == 406 and seen == []


def test_a_malformed_accept_goes_below_unchanged_for_the_proxy_to_refuse():
    app, seen = _app(status=400, ctype="text/plain")
    resp = Request.blank("/v1/AUTH_a/c?prefix=a", headers={"Accept": "a/b;q=x,,"}).get_response(app)
    assert seen == [("prefix=a", "a/b;q=x,,")]
    assert resp.status_int == 400


def test_errors_objects_and_other_verbs_pass_untouched():
    app, seen = _app(status=404, ctype="text/html; charset=UTF-8")
    resp = Request.blank("/v1/AUTH_a/c?format=xml").get_response(app)
    assert (resp.status_int, resp.body) == (404, b"oops")
    app, seen = _app()
    for path, method in (("/v1/AUTH_a/c/o?format=xml", "GET"), ("/v1/AUTH_a/c", "PUT"),
                         ("/info", "GET"), ("/v1", "GET")):
        resp = Request.blank(path, method=method).get_response(app)
        assert json.loads(resp.body) == ROWS, path
    assert [q for q, _a in seen] == ["format=xml", "", "", ""]


def test_a_parameter_that_is_not_utf8_reaches_the_app_as_sent():
    app, seen = _app()
    Request.blank("/v1/AUTH_a/c?marker=%FF&format=xml").get_response(app)
    assert seen[0][0] == "marker=%FF&format=json"


def test_it_registers_nothing_in_info():
    assert "listing_formats" not in registry.get_info()


def test_a_versions_listing_is_left_to_object_versioning():
    app, seen = _app()
    resp = Request.blank("/v1/AUTH_a/c?versions&format=xml").get_response(app)
    assert seen == [("versions&format=xml", None)] and json.loads(resp.body) == ROWS


def test_the_storage_class_s3api_keeps_is_no_part_of_a_swift_listing():
    """An object S3 wrote with a class keeps it as ``s3_sc`` in its type, for
    s3api's own listings (``swift.source`` S3); Swift's s3api keeps none."""
    rows = [dict(ROWS[0], content_type="text/plain;charset=utf-8;s3_sc=STANDARD_IA"),
            dict(ROWS[0], name="k/u/1", content_type="a/b;s3_checksum=CRC32:AAAA")]
    app, _seen = _app(rows)
    for fmt in ("json", "xml"):
        body = Request.blank("/v1/AUTH_a/c?format=" + fmt).get_response(app).body
        assert b"s3_sc" not in body and b"text/plain;charset=utf-8" in body
        assert b"s3_checksum" not in body and b"a/b" in body
    resp = Request.blank("/v1/AUTH_a/c?format=json", environ={
        "swift.source": "S3"}).get_response(app)
    assert json.loads(resp.body)[0]["content_type"].endswith(";s3_sc=STANDARD_IA")
