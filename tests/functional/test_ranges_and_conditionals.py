"""Ranged and conditional GET/HEAD on the SAIO, replicated and erasure-coded
alike: statuses, headers and bodies as Swift 2.38.3 answers them (each
expectation was first measured against a real Swift)."""

import email.parser
import hashlib
import os
import uuid

import pytest

POLICIES = ["gold", "ec21"]  # the SAIO's replicated default and its EC policy
FIVE = b"abcde"
FIVE_ETAG = hashlib.md5(FIVE).hexdigest()
SWIFT_416_BODY = (b"<html><h1>Requested Range Not Satisfiable</h1>"
                  b"<p>The Range requested is not available.</p></html>")
# Three EC segments and a bit (the SAIO's ec21 uses 1 MiB segments).
BIG = os.urandom(3 * 1024 * 1024 + 1234)


@pytest.fixture(params=POLICIES)
def objects(request, http_api):
    """A container of the policy with ``five`` (5 bytes, metadata), ``empty``
    and ``big``; deleted with its objects afterwards."""
    name = "fn-rng-" + uuid.uuid4().hex[:10]
    cont = http_api.path(name)
    assert http_api.request("PUT", cont, {"X-Storage-Policy": request.param}).status == 201
    made = []
    try:
        for obj, body, headers in (
                ("five", FIVE, {"Content-Type": "text/plain", "X-Object-Meta-Color": "red"}),
                ("empty", b"", {"Content-Type": "application/x-empty"}),
                ("big", BIG, {"Content-Type": "application/octet-stream"})):
            assert http_api.request("PUT", cont + "/" + obj, headers, body).status == 201
            made.append(obj)
        yield cont
    finally:
        for obj in made:
            http_api.request("DELETE", cont + "/" + obj)
        assert http_api.request("DELETE", cont).status == 204


def get(http_api, cont, obj, method="GET", **headers):
    return http_api.request(method, cont + "/" + obj, {k.replace("_", "-"): v
                                                       for k, v in headers.items()})


def test_bytes_5_dash_on_a_5_byte_object_is_416_with_the_objects_headers(http_api, objects):
    resp = get(http_api, objects, "five", Range="bytes=5-")
    assert resp.status == 416
    assert resp.headers["Content-Range"] == "bytes */5"
    assert resp.headers["ETag"] == FIVE_ETAG
    assert resp.headers["Content-Type"] == "text/plain"
    assert resp.headers["X-Object-Meta-Color"] == "red"
    assert resp.headers["Accept-Ranges"] == "bytes"
    assert resp.body == SWIFT_416_BODY


@pytest.mark.parametrize("header,status,body,content_range", [
    ("bytes=1 - 2", 206, b"bc", "bytes 1-2/5"),
    (" BYTES = -2 ", 206, b"de", "bytes 3-4/5"),
    ("bytes=1-", 206, b"bcde", "bytes 1-4/5"),
    ("bytes=-9", 206, b"abcde", "bytes 0-4/5"),
    ("bytes=1-2,", 200, b"abcde", None),
    ("bytes=2-1", 200, b"abcde", None),
    ("bits=1-2", 200, b"abcde", None),
    ("bytes=9-10,1-2", 206, b"bc", "bytes 1-2/5"),  # one satisfiable range: not multipart
])
def test_range_syntax_is_read_as_swift_reads_it(http_api, objects, header, status, body,
                                                content_range):
    resp = get(http_api, objects, "five", Range=header)
    assert (resp.status, resp.body, resp.headers.get("Content-Range")) == (
        status, body, content_range)
    assert resp.headers["ETag"] == FIVE_ETAG


def test_ranges_on_an_empty_object(http_api, objects):
    resp = get(http_api, objects, "empty", Range="bytes=0-")
    assert (resp.status, resp.headers["Content-Range"]) == (416, "bytes */0")
    resp = get(http_api, objects, "empty", Range="bytes=-1")
    assert (resp.status, resp.body, resp.headers["Content-Length"]) == (200, b"", "0")


def _parts(resp):
    ctype = resp.headers["Content-Type"]
    assert ctype.startswith("multipart/byteranges;boundary=")
    assert int(resp.headers["Content-Length"]) == len(resp.body)
    msg = email.parser.BytesParser().parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + resp.body)
    return [(p["Content-Range"], p["Content-Type"], p.get_payload(decode=True))
            for p in msg.get_payload()]


def test_multi_range_answers_multipart_byteranges_across_ec_segments(http_api, objects):
    mib = 1024 * 1024
    header = "bytes=0-9,%d-%d,-5" % (mib - 3, 2 * mib + 2)  # the middle one spans 3 segments
    resp = get(http_api, objects, "big", Range=header)
    assert resp.status == 206
    assert resp.headers["ETag"] == hashlib.md5(BIG).hexdigest()
    total = len(BIG)
    assert _parts(resp) == [
        ("bytes 0-9/%d" % total, "application/octet-stream", BIG[:10]),
        ("bytes %d-%d/%d" % (mib - 3, 2 * mib + 2, total), "application/octet-stream",
         BIG[mib - 3:2 * mib + 3]),
        ("bytes %d-%d/%d" % (total - 5, total - 1, total), "application/octet-stream",
         BIG[-5:]),
    ]


def test_a_hundred_copies_of_the_object_are_refused_and_it_stays_intact(http_api, objects):
    resp = get(http_api, objects, "big", Range="bytes=" + ",".join(["0-"] * 100))
    assert resp.status == 416
    assert resp.headers["Content-Range"] == "bytes */%d" % len(BIG)
    assert len(resp.body) == len(SWIFT_416_BODY)
    assert get(http_api, objects, "big").body == BIG


@pytest.mark.parametrize("header,status", [
    ("bytes=0-10,5-15,8-20", 416),  # three overlapping pairs
    ("bytes=0-10,5-15,100-110", 206),
    ("bytes=" + ",".join("%d-%d" % (i * 10, i * 10 + 4) for i in range(51)), 416),
    ("bytes=" + ",".join("%d-%d" % (i * 10, i * 10 + 4) for i in range(50)), 206),
    ("bytes=" + ",".join("%d-%d" % (i * 10, i * 10 + 4) for i in reversed(range(8))), 416),
    ("bytes=" + ",".join("%d-%d" % (i * 10, i * 10 + 4) for i in reversed(range(7))), 206),
])
def test_egregious_range_sets_are_refused_as_swift_refuses_them(http_api, objects, header,
                                                                status):
    resp = get(http_api, objects, "big", Range=header)
    assert resp.status == status
    if status == 206:
        assert len(_parts(resp)) == header.count(",") + 1


def _object_headers(resp):
    return {k: resp.headers.get(k) for k in ("ETag", "Last-Modified", "X-Timestamp",
                                             "X-Object-Meta-Color")}


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_304_and_412_carry_the_objects_headers(http_api, objects, method):
    plain = get(http_api, objects, "five", "HEAD")
    expected = _object_headers(plain)
    assert expected["ETag"] == FIVE_ETAG and expected["X-Object-Meta-Color"] == "red"

    resp = get(http_api, objects, "five", method, If_None_Match='"%s"' % FIVE_ETAG)
    assert resp.status == 304 and resp.body == b""
    assert _object_headers(resp) == expected
    assert resp.headers["Content-Type"] == "text/plain"
    assert resp.headers["Content-Length"] == "0"

    resp = get(http_api, objects, "five", method, If_Match='"nope"')
    assert resp.status == 412 and resp.body == b""
    assert _object_headers(resp) == expected
    assert resp.headers["Content-Type"] == "text/html; charset=UTF-8"

    resp = get(http_api, objects, "five", method, If_Modified_Since=plain.headers["Last-Modified"])
    assert (resp.status, _object_headers(resp)) == (304, expected)
    resp = get(http_api, objects, "five", method,
               If_Unmodified_Since="Sat, 01 Jan 2000 00:00:00 GMT")
    assert (resp.status, _object_headers(resp)) == (412, expected)


def test_conditions_are_evaluated_in_swifts_order(http_api, objects):
    # a matching If-None-Match answers 304 before If-Match is looked at
    resp = get(http_api, objects, "five", If_Match='"nope"', If_None_Match=FIVE_ETAG)
    assert resp.status == 304
    # If-Modified-Since counts even beside a non-matching If-None-Match
    resp = get(http_api, objects, "five", If_None_Match='"nope"',
               If_Modified_Since="Fri, 01 Jan 2100 00:00:00 GMT")
    assert resp.status == 304
    # a conditional that passes serves the range, with the ETag
    resp = get(http_api, objects, "five", If_Match=FIVE_ETAG, Range="bytes=0-1")
    assert (resp.status, resp.body, resp.headers["ETag"]) == (206, b"ab", FIVE_ETAG)


def test_if_range_with_another_etag_sends_the_whole_object(http_api, objects):
    resp = get(http_api, objects, "five", Range="bytes=0-1", If_Range='"other"')
    assert (resp.status, resp.body) == (200, FIVE)
    resp = get(http_api, objects, "five", Range="bytes=0-1", If_Range='"%s"' % FIVE_ETAG)
    assert (resp.status, resp.body) == (206, b"ab")


def test_head_ignores_the_range(http_api, objects):
    resp = get(http_api, objects, "five", "HEAD", Range="bytes=9-")
    assert (resp.status, resp.headers["Content-Length"]) == (200, "5")


@pytest.mark.parametrize("headers,status", [
    ({"If-Match": "*"}, 412), ({"If-Match": '"x"'}, 404), ({"If-None-Match": "*"}, 404),
    ({"Range": "bytes=0-1"}, 404)])
def test_conditions_on_a_missing_object(http_api, objects, headers, status):
    resp = http_api.request("GET", objects + "/missing", headers)
    assert resp.status == status
    if status == 412:
        assert (resp.body, resp.headers["Content-Type"]) == (b"", "text/html; charset=UTF-8")
