"""slo / slo_manifest / dlo / segments: pure parts, and the middlewares
around a tiny in-test object store (a dict behind a WSGI app)."""

import base64
import hashlib
import json

import pytest
from webob import Request, Response

from objstore.middleware import dlo, slo
from objstore.middleware import slo_manifest as sm


# -- pure parts -------------------------------------------------------------

def test_parse_put_body_accepts_segments_and_data_items():
    specs = sm.parse_put_body(json.dumps([
        {"path": "/c/o", "etag": '"abc"', "size_bytes": 5, "range": "1-2"},
        {"data": base64.b64encode(b"hi").decode()}]).encode())
    assert specs[0].path == "c/o" and specs[0].etag == "abc" and specs[0].size == 5
    assert specs[0].range == "1-2"
    assert specs[1].data == b"hi"


@pytest.mark.parametrize("body", [b"nope", b"{}", b'[{"path": "noslash"}]',
                                  b'[{"path": "c/o", "extra": 1}]',
                                  b'[{"path": "c/o", "size_bytes": -1}]',
                                  b'[{"data": "!!"}]'])
def test_parse_put_body_refuses_malformed_manifests(body):
    with pytest.raises(sm.ManifestError):
        sm.parse_put_body(body)


def test_an_empty_manifest_is_an_empty_slo_as_swift():
    assert sm.parse_put_body(b"[]") == []
    assert sm.slo_etag([]) == hashlib.md5(b"").hexdigest() and sm.total_size([]) == 0


def test_parse_put_body_answers_with_swifts_texts():
    for body, text in [(b"{}", "Manifest must be a list."),
                       (b'[{"path": "noslash"}]', "Index 0: path does not refer to an object. "
                                                  "Path must be of the form /container/object."),
                       (b'[{"path": "c/o", "zz": 1, "aa": 2}]',
                        'Index 0: extraneous keys "aa", "zz"')]:
        with pytest.raises(sm.ManifestError) as err:
            sm.parse_put_body(body)
        assert str(err.value) == text


def test_parse_put_body_refuses_too_many_object_backed_segments_with_413():
    body = json.dumps([{"path": "c/o%d" % i} for i in range(3)]).encode()
    with pytest.raises(sm.ManifestError) as err:
        sm.parse_put_body(body, max_segments=2)
    assert (err.value.status, err.value.body) == (
        413, "Number of object-backed segments must be <= 2")
    assert err.value.content_type == "text/html; charset=UTF-8"
    # inline data segments do not count
    items = [{"path": "c/o1"}, {"data": "aGVsbG8="}, {"path": "c/o2"}, {"data": "aGVsbG8="}]
    assert len(sm.parse_put_body(json.dumps(items).encode(), max_segments=2)) == 4


def test_parse_put_body_refuses_only_inline_data():
    with pytest.raises(sm.ManifestError) as err:
        sm.parse_put_body(json.dumps([{"data": "aGVsbG8="}]).encode())
    assert (err.value.status, err.value.content_type, err.value.body) == (
        400, "text/plain",
        "Inline data segments require at least one object-backed segment.\n")
    assert sm.parse_put_body(b"[]") == []


def test_parse_put_body_keeps_the_path_as_given():
    (spec,) = sm.parse_put_body(b'[{"path": "/c/o"}]')
    assert (spec.path, spec.given) == ("c/o", "/c/o")


@pytest.mark.parametrize("spec,size,expected", [("0-9", 10, None), ("2-4", 10, (2, 4)),
                                                ("-3", 10, (7, 9)), ("5-", 10, (5, 9)),
                                                ("3-100", 10, (3, 9))])
def test_segment_range_selects_the_span(spec, size, expected):
    assert sm.segment_range(spec, size) == expected


@pytest.mark.parametrize("spec", ["10-12", "5-2", "x-1", ""])
def test_segment_range_refuses_spans_selecting_nothing(spec):
    with pytest.raises(ValueError):
        sm.segment_range(spec, 10)


def test_slo_etag_is_md5_of_segment_etags_with_ranges_marked():
    entries = [sm.Entry("/c/a", "aa", 10), sm.Entry("/c/b", "bb", 10, range=(1, 3))]
    assert sm.slo_etag(entries) == hashlib.md5(b"aabb:1-3;").hexdigest()
    assert sm.total_size(entries) == 13


def test_plan_maps_a_range_onto_segments_across_boundaries():
    entries = [sm.Entry("/c/a", "", 10), sm.Entry("/c/b", "", 10, range=(5, 9)),
               sm.Entry("/c/c", "", 10)]
    pieces = [(e.name, a, b) for e, a, b in sm.plan(entries, 8, 17)]
    assert pieces == [("/c/a", 8, 9), ("/c/b", 5, 9), ("/c/c", 0, 2)]


def test_stored_manifest_round_trips_and_renders_raw():
    entries = [sm.Entry("/c/a", "aa", 10, "text/plain", "2020-01-01T00:00:00.000000",
                        (1, 2), True),
               sm.Entry("", hashlib.md5(b"x").hexdigest(), 1, data=b"x")]
    back = sm.decode_stored(sm.encode_stored(entries))
    assert back[0] == entries[0] and back[1].data == b"x"
    raw = json.loads(sm.encode_raw(back))
    assert raw[0] == {"path": "/c/a", "etag": "aa", "size_bytes": 10, "range": "1-2"}


def test_content_type_carries_and_sheds_swift_bytes_and_slo_etag():
    ctype = sm.content_type_with_size("text/plain;charset=utf-8", 42, "ab" * 16)
    assert ctype == "text/plain;charset=utf-8;swift_bytes=42;slo_etag=" + "ab" * 16
    assert sm.strip_swift_bytes(ctype) == "text/plain;charset=utf-8"


def test_a_completed_uploads_type_keeps_its_class_and_lists_its_s3_etag():
    """s3api's manifest: the storage class stays in what is stored (S3
    listings show it), no answer to a client shows it or the s3_etag."""
    ctype = sm.content_type_with_size("text/x;s3_sc=STANDARD_IA", 7, "ab", "cd-2")
    assert ctype == "text/x;s3_sc=STANDARD_IA;s3_etag=cd-2;swift_bytes=7;slo_etag=ab"
    assert sm.content_type_with_size(ctype, 7, "ef", "cd-2") == ctype.replace("=ab", "=ef")
    assert sm.strip_swift_bytes(ctype) == "text/x"


def test_dlo_header_and_etag():
    assert dlo.parse_manifest_header("seg%20s/pre/fix") == ("seg s", "pre/fix")
    # raw UTF-8 as WSGI hands it over, and quoted: the same text (was mojibake)
    assert dlo.parse_manifest_header("s\xc3\xa9g/caf\xc3\xa9/") == ("s\u00e9g", "caf\u00e9/")
    assert dlo.parse_manifest_header("s%C3%A9g/caf%C3%A9/") == ("s\u00e9g", "caf\u00e9/")
    with pytest.raises(ValueError):
        dlo.parse_manifest_header("noslash")


# -- the middlewares around a tiny store -------------------------------------

class TinyStore:
    """Objects in a dict: PUT/GET/HEAD/DELETE with single ranges, and
    container listings (format=json, prefix). Enough to be a proxy."""

    def __init__(self):
        self.objects = {}  # path -> (body, headers)

    def __call__(self, env, start_response):
        req = Request(env)
        parts = req.path_info.split("/", 4)
        if len(parts) == 4:
            return self._listing(req, parts[3])(env, start_response)
        path = req.path_info
        if req.method == "PUT":
            body = req.body
            headers = {k: v for k, v in req.headers.items()
                       if k.lower().startswith(("x-object-", "x-static")) or k == "Content-Type"}
            headers["ETag"] = hashlib.md5(body).hexdigest()
            self.objects[path] = (body, headers)
            return Response(status=201, headers={"ETag": headers["ETag"]})(env, start_response)
        if path not in self.objects:
            return Response(status=404)(env, start_response)
        if req.method == "DELETE":
            del self.objects[path]
            return Response(status=204)(env, start_response)
        body, headers = self.objects[path]
        resp = Response(body=body, headerlist=list(headers.items()))
        if "Content-Type" not in headers:
            resp.headers["Content-Type"] = "application/octet-stream"
        if req.range and len(body):
            span = req.range.range_for_length(len(body))
            if span is None:
                return Response(status=416)(env, start_response)
            resp.status = 206
            resp.body = body[span[0]:span[1]]
            resp.headers["Content-Range"] = "bytes %d-%d/%d" % (span[0], span[1] - 1, len(body))
        resp.headers["ETag"] = headers["ETag"]
        return resp(env, start_response)

    def _listing(self, req, container):
        prefix = "/" + "/".join(req.path_info.split("/")[1:4]) + "/"
        want = prefix + req.params.get("prefix", "")
        rows = [{"name": p[len(prefix):], "bytes": len(b), "hash": h["ETag"]}
                for p, (b, h) in sorted(self.objects.items()) if p.startswith(want)]
        if req.params.get("marker"):
            rows = [r for r in rows if r["name"] > req.params["marker"]]
        return Response(json_body=rows)


@pytest.fixture
def store():
    return TinyStore()


@pytest.fixture
def app(store):
    return slo.filter_factory({})(dlo.filter_factory({})(store))


def call(app, method, path, body=b"", **headers):
    req = Request.blank(path, method=method, body=body, headers=headers)
    return req.get_response(app)


def _segments(app, n=3, size=10, prefix=""):
    etags = []
    for i in range(n):
        body = bytes([97 + i]) * size
        assert call(app, "PUT", "/v1/a/s/%s%d" % (prefix, i), body).status_int == 201
        etags.append(hashlib.md5(body).hexdigest())
    return etags


def test_slo_put_get_head_and_range(app, store):
    etags = _segments(app)
    manifest = [{"path": "s/%d" % i, "etag": e, "size_bytes": 10} for i, e in enumerate(etags)]
    resp = call(app, "PUT", "/v1/a/c/m?multipart-manifest=put", json.dumps(manifest).encode())
    slo_etag = hashlib.md5("".join(etags).encode()).hexdigest()
    assert resp.status_int == 201 and resp.headers["ETag"] == '"%s"' % slo_etag
    stored = store.objects["/v1/a/c/m"][1]
    assert stored["Content-Type"].endswith(";swift_bytes=30;slo_etag=%s" % slo_etag)
    assert call(app, "GET", "/v1/a/c/m").body == b"a" * 10 + b"b" * 10 + b"c" * 10
    head = call(app, "HEAD", "/v1/a/c/m")
    assert head.headers["Content-Length"] == "30" and head.headers["ETag"] == '"%s"' % slo_etag
    assert "swift_bytes" not in head.headers["Content-Type"]
    ranged = call(app, "GET", "/v1/a/c/m", Range="bytes=8-21")
    assert ranged.status_int == 206 and ranged.body == b"aabbbbbbbbbbcc"
    assert ranged.headers["Content-Range"] == "bytes 8-21/30"


def test_slo_put_with_bad_segments_lists_each_error(app):
    etags = _segments(app, 2)
    manifest = [{"path": "s/0", "etag": "0" * 32, "size_bytes": 10},
                {"path": "s/1", "etag": etags[1], "size_bytes": 11},
                {"path": "s/9", "etag": None, "size_bytes": None}]
    resp = call(app, "PUT", "/v1/a/c/m?multipart-manifest=put", json.dumps(manifest).encode())
    assert resp.status_int == 400
    # each path as the manifest wrote it (with or without the leading slash)
    assert resp.text == ("Errors:\ns/0, Etag Mismatch\ns/1, Size Mismatch\n"
                         "s/9, 404 Not Found\n")
    manifest[0]["path"] = "/s/0"
    resp = call(app, "PUT", "/v1/a/c/m?multipart-manifest=put", json.dumps(manifest).encode(),
                Accept="text/xml")
    assert resp.headers["Content-Type"] == "text/xml"
    assert resp.body.startswith(b"<upload>\n<errors>\n<object><name>/s/0</name>")


def test_slo_put_with_heartbeat_answers_202_then_a_report(app):
    _segments(app, 2)
    manifest = json.dumps([{"path": "s/0"}, {"path": "s/1"}]).encode()
    resp = call(app, "PUT", "/v1/a/c/m?multipart-manifest=put&heartbeat=on", manifest,
                Accept="application/json")
    assert resp.status_int == 202 and resp.headers["Content-Type"] == "application/json"
    assert "Content-Length" not in resp.headers and "ETag" not in resp.headers
    body = resp.body
    assert body.startswith(b" \r\n\r\n")
    report = json.loads(body[5:])
    assert report["Response Status"] == "201 Created" and report["Errors"] == []
    assert report["Etag"] == call(app, "HEAD", "/v1/a/c/m").headers["ETag"]
    assert call(app, "GET", "/v1/a/c/m").body == b"a" * 10 + b"b" * 10


def test_slo_put_with_heartbeat_reports_bad_segments_and_an_etag_mismatch(app):
    _segments(app, 1)
    bad = json.dumps([{"path": "s/0", "range": "50-60"}, {"path": "/s/9"}]).encode()
    resp = call(app, "PUT", "/v1/a/c/m?multipart-manifest=put&heartbeat=yes", bad)
    assert resp.status_int == 202 and resp.headers["Content-Type"] == "text/plain"
    assert resp.body == (b" \r\n\r\nResponse Body: Bad Request\nThe server could not comply "
                         b"with the request since it is either malformed or otherwise "
                         b"incorrect.\nResponse Status: 400 Bad Request\nErrors:\n"
                         b"s/0, Unsatisfiable Range\n/s/9, 404 Not Found\n")
    good = json.dumps([{"path": "s/0"}]).encode()
    resp = call(app, "PUT", "/v1/a/c/m?multipart-manifest=put&heartbeat=on", good,
                ETag="0" * 32, Accept="application/xml")
    assert resp.body == (b" \r\n\r\n<upload>\n<response_body>Unprocessable Entity\nUnable to "
                         b"process the contained instructions</response_body>\n<response_status>"
                         b"422 Unprocessable Entity</response_status>\n<errors>\n</errors>\n"
                         b"</upload>\n")
    assert call(app, "HEAD", "/v1/a/c/m").status_int == 404
    # a manifest that is not even JSON is refused before the 202
    resp = call(app, "PUT", "/v1/a/c/m?multipart-manifest=put&heartbeat=on", b"nope")
    assert resp.status_int == 400 and resp.body == b"Manifest must be valid JSON.\n"


def test_slo_put_heartbeat_sends_spaces_every_yield_frequency(store, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(slo.time, "time", lambda: clock[0])
    app = slo.filter_factory({"yield_frequency": "5"})(store)
    _segments(app, 3)

    class Slow:  # every segment HEAD takes 3 s
        def __init__(self, app):
            self.app = app

        def __call__(self, env, start_response):
            if env["REQUEST_METHOD"] == "HEAD":
                clock[0] += 3
            return self.app(env, start_response)
    app.app = Slow(store)
    manifest = json.dumps([{"path": "s/%d" % i} for i in range(3)]).encode()
    req = Request.blank("/v1/a/c/m?multipart-manifest=put&heartbeat=on", method="PUT",
                        body=manifest)
    chunks = list(req.get_response(app).app_iter)
    # one at once, one after 6 s (two HEADs), none after the third (3 s later)
    assert chunks[:2] == [b" ", b" "] and chunks[2].startswith(b"\r\n\r\nEtag: ")
    assert len(chunks) == 3


def test_slo_stream_stops_short_when_a_later_segment_is_gone(app, store):
    _segments(app)
    manifest = [{"path": "s/%d" % i} for i in range(3)]
    assert call(app, "PUT", "/v1/a/c/m?multipart-manifest=put",
                json.dumps(manifest).encode()).status_int == 201
    del store.objects["/v1/a/s/2"]
    req = Request.blank("/v1/a/c/m")
    resp = req.get_response(app)
    assert resp.headers["Content-Length"] == "30"
    assert b"".join(resp.app_iter) == b"a" * 10 + b"b" * 10
    del store.objects["/v1/a/s/0"]
    assert call(app, "GET", "/v1/a/c/m").status_int == 409


def test_slo_manifest_get_and_delete(app, store):
    _segments(app, 2)
    manifest = [{"path": "/s/%d" % i} for i in range(2)]
    call(app, "PUT", "/v1/a/c/m?multipart-manifest=put", json.dumps(manifest).encode())
    got = call(app, "GET", "/v1/a/c/m?multipart-manifest=get").json
    assert [g["name"] for g in got] == ["/s/0", "/s/1"]
    raw = call(app, "GET", "/v1/a/c/m?multipart-manifest=get&format=raw").json
    assert raw[0]["path"] == "/s/0" and raw[0]["size_bytes"] == 10
    resp = call(app, "DELETE", "/v1/a/c/m?multipart-manifest=delete")
    assert resp.status_int == 200 and "Number Deleted: 3" in resp.text
    assert store.objects == {}


def test_dlo_get_concatenates_prefix_listing_with_range_and_etag(app):
    etags = _segments(app, prefix="p")
    dlo_etag = '"%s"' % hashlib.md5("".join(etags).encode()).hexdigest()
    assert call(app, "PUT", "/v1/a/c/d", X_Object_Manifest="s/p").status_int == 201
    assert call(app, "GET", "/v1/a/c/d").body == b"a" * 10 + b"b" * 10 + b"c" * 10
    head = call(app, "HEAD", "/v1/a/c/d")
    assert head.headers["Content-Length"] == "30"
    assert head.headers["ETag"] == dlo_etag
    assert call(app, "GET", "/v1/a/c/d", Range="bytes=-12").body == b"bb" + b"c" * 10
    assert call(app, "GET", "/v1/a/c/d", If_None_Match=dlo_etag).status_int == 304
    assert call(app, "GET", "/v1/a/c/d?multipart-manifest=get").body == b""
    for bad in ("nocontainer", "s/", "/s/p", "s//p", "s/p?x", " s/ "):
        resp = call(app, "PUT", "/v1/a/c/e", X_Object_Manifest=bad)
        assert resp.status_int == 400, bad
        assert resp.body == b"X-Object-Manifest must be in the format container/prefix"


@pytest.mark.parametrize("item, text", [
    ({"path": "c/o", "range": "1-2,4-5"}, "Index 0: multiple ranges (only one allowed)"),
    ({"path": "c/o", "range": "bytes=1-2"}, "Index 0: invalid range"),
    ({"path": "c/o", "range": "5-2"}, "Index 0: invalid range"),
    ({"path": "c/o", "range": 5}, "Index 0: invalid range"),
    ({"path": "c/o", "range": "-"}, "Index 0: invalid range"),
    # against the size the client declares, before any HEAD
    ({"path": "c/o", "size_bytes": 10, "range": "50-60"}, "Index 0: unsatisfiable range"),
])
def test_a_segment_range_is_judged_when_the_manifest_is_read(item, text):
    with pytest.raises(sm.ManifestError) as err:
        sm.parse_put_body(json.dumps([item]).encode())
    assert str(err.value) == text and err.value.content_type == "text/plain"
    # without a declared size it waits for the segment's HEAD
    assert sm.parse_put_body(b'[{"path": "c/o", "range": "50-60"}]')[0].range == "50-60"


def test_slo_delete_for_an_accept_naming_no_report_format_deletes_nothing(app, store):
    _segments(app, 2)
    assert call(app, "PUT", "/v1/a/c/m?multipart-manifest=put",
                json.dumps([{"path": "s/0"}, {"path": "s/1"}]).encode()).status_int == 201
    resp = call(app, "DELETE", "/v1/a/c/m?multipart-manifest=delete", Accept="text/html")
    assert resp.status_int == 200 and resp.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert resp.body == (b"Number Deleted: 0\nNumber Not Found: 0\nResponse Body: \n"
                         b"Response Status: 406 Not Acceptable\nErrors:\n")
    assert "/v1/a/c/m" in store.objects and "/v1/a/s/0" in store.objects


def test_only_the_parameters_slo_appended_are_shed():
    stored = sm.content_type_with_size("text/x; swift_bytes=99", 5, "ab" * 16)
    assert stored == "text/x; swift_bytes=99;swift_bytes=5;slo_etag=" + "ab" * 16
    assert sm.strip_swift_bytes(stored) == "text/x; swift_bytes=99"
    # a copied manifest's type gets our parameters once
    again = sm.content_type_with_size(stored, 5, "cd" * 16)
    assert again == "text/x; swift_bytes=99;swift_bytes=5;slo_etag=" + "cd" * 16


@pytest.mark.parametrize("spec,size", [("-0", 10), ("0-", 0), ("-5", 0), ("1-2,3-4", 10)])
def test_segment_range_refuses_what_selects_no_single_span(spec, size):
    with pytest.raises(ValueError):
        sm.segment_range(spec, size)


def test_a_suffix_longer_than_the_segment_is_the_whole_segment():
    assert sm.segment_range("-20", 10) is None
