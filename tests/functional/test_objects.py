"""Object requests against the live cluster, as the Swift API reference documents them.

Statuses and headers are checked on the wire (``http_api``), because the
reference pins them down exactly: 201 on PUT, 202 on POST, 204 on DELETE,
206/416 for ranges, 304/412 for conditional requests, 422 for a bad ETag.
"""

import email.utils
import hashlib
import json
import re
import time

import pytest

TRANS_ID = re.compile(r"^tx[0-9a-f]{21}-[0-9a-f]{10}$")
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@pytest.fixture
def obj(http_api, container):
    """``obj(name, body=b..., headers=...)`` PUTs an object and returns its path."""
    def put(name="o", body=b"0123456789", headers=None):
        path = http_api.path(container, name)
        resp = http_api.request("PUT", path, headers=headers or {}, body=body)
        assert resp.status == 201, (resp.status, resp.body)
        return path
    return put


@pytest.mark.parametrize("size", [100, 200 * 1024])  # a whole-body PUT and a streamed one
def test_a_client_cannot_hand_the_nodes_a_forged_md5_through_the_proxys_body_trailer(
        http_api, container, size):
    """The proxy's MD5+CRC trailer (common/body_sums) is a backend header the
    gatekeeper strips: a client sending it, with a trailer whose MD5 is
    forged and whose CRC is right, stores its whole body under its real MD5."""
    from objstore.common import body_sums, footers
    data = b"x" * size
    crc = body_sums.new_body_crc()
    crc.update(data)
    body = data + ("0" * 32 + crc.hexdigest()).encode()
    path = http_api.path(container, "trailer")
    put = http_api.request("PUT", path, body=body, headers={
        body_sums.TRAILER: body_sums.TRAILER_KIND, footers.OBJ_CONTENT_LENGTH: str(size)})
    assert put.status == 201
    assert put.headers["ETag"] == md5(body)
    got = http_api.request("GET", path)
    assert (got.status, got.body, got.headers["ETag"]) == (200, body, md5(body))


# --- PUT / GET / HEAD / POST / DELETE ----------------------------------------

def test_put_returns_201_with_unquoted_md5_etag_and_get_returns_the_same_bytes(http_api, container):
    body = b"hello swift\n" * 100
    path = http_api.path(container, "greeting.txt")
    put = http_api.request("PUT", path, body=body, headers={"Content-Type": "text/plain"})
    assert put.status == 201
    assert put.headers["ETag"] == md5(body)  # Swift returns the bare hex digest
    assert put.headers.get("Last-Modified")
    got = http_api.request("GET", path)
    assert got.status == 200
    assert got.body == body
    assert got.headers["ETag"] == md5(body)
    assert int(got.headers["Content-Length"]) == len(body)
    assert got.headers["Content-Type"].startswith("text/plain")
    assert got.headers["Accept-Ranges"] == "bytes"


def test_head_returns_metadata_and_length_but_no_body(http_api, obj):
    path = obj("h", b"abcdef", {"X-Object-Meta-Color": "blue"})
    resp = http_api.request("HEAD", path)
    assert resp.status == 200
    assert resp.body == b""
    assert resp.headers["Content-Length"] == "6"
    assert resp.headers["ETag"] == md5(b"abcdef")
    assert resp.headers["X-Object-Meta-Color"] == "blue"


def test_put_with_bad_etag_returns_422_and_keeps_old_data(http_api, obj):
    path = obj("e", b"original")
    resp = http_api.request("PUT", path, body=b"replacement", headers={"ETag": md5(b"something else")})
    assert resp.status == 422
    assert http_api.request("GET", path).body == b"original"


def test_put_with_matching_etag_succeeds(http_api, container):
    path = http_api.path(container, "good-etag")
    resp = http_api.request("PUT", path, body=b"data", headers={"ETag": md5(b"data")})
    assert resp.status == 201
    assert resp.headers["ETag"] == md5(b"data")


def test_post_returns_202_and_replaces_all_user_metadata(http_api, obj):
    path = obj("p", b"x", {"X-Object-Meta-Old": "1", "Content-Type": "text/css"})
    resp = http_api.request("POST", path, headers={"X-Object-Meta-New": "2"})
    assert resp.status == 202
    head = http_api.request("HEAD", path)
    assert head.headers["X-Object-Meta-New"] == "2"
    assert head.headers.get("X-Object-Meta-Old") is None
    assert head.headers["Content-Type"].startswith("text/css")  # system metadata kept
    assert head.headers["ETag"] == md5(b"x")


def _listed(http_api, container, name):
    resp = http_api.request("GET", http_api.path(container) + "?format=json")
    assert resp.status == 200
    return {row["name"]: row for row in json.loads(resp.body)}[name]


def _iso(x_timestamp: str) -> str:
    """A listing's last_modified for an X-Timestamp (UTC, microseconds)."""
    secs = float(x_timestamp)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(secs))) + \
        ".%06d" % round((secs - int(secs)) * 1e6)


def test_post_moves_the_listed_last_modified_and_type_and_a_later_put_resets_them(
        http_api, container, obj):
    path = obj("listed", b"hello", {"Content-Type": "text/plain"})
    put_ts = http_api.request("HEAD", path).headers["X-Timestamp"]
    assert _listed(http_api, container, "listed")["last_modified"] == _iso(put_ts)
    time.sleep(0.01)
    assert http_api.request("POST", path, headers={"X-Object-Meta-A": "1"}).status == 202
    post_ts = http_api.request("HEAD", path).headers["X-Timestamp"]
    assert float(post_ts) > float(put_ts)
    row = _listed(http_api, container, "listed")
    assert row["last_modified"] == _iso(post_ts)
    assert (row["bytes"], row["hash"], row["content_type"]) == (5, md5(b"hello"), "text/plain")
    assert http_api.request("POST", path, headers={"Content-Type": "image/png"}).status == 202
    assert _listed(http_api, container, "listed")["content_type"] == "image/png"
    obj("listed", b"newer body", {"Content-Type": "text/x-new"})
    new_ts = http_api.request("HEAD", path).headers["X-Timestamp"]
    row = _listed(http_api, container, "listed")
    assert (row["last_modified"], row["bytes"], row["content_type"]) == \
        (_iso(new_ts), 10, "text/x-new")


def test_post_to_missing_object_returns_404(http_api, container):
    assert http_api.request("POST", http_api.path(container, "nope"),
                            headers={"X-Object-Meta-A": "b"}).status == 404


def test_delete_returns_204_then_the_object_is_gone(http_api, obj):
    path = obj("d")
    assert http_api.request("DELETE", path).status == 204
    assert http_api.request("GET", path).status == 404
    assert http_api.request("HEAD", path).status == 404
    assert http_api.request("DELETE", path).status == 404


def test_object_requests_in_a_missing_container_return_404(http_api):
    path = http_api.path("no-such-container-fn", "o")
    assert http_api.request("PUT", path, body=b"x").status == 404
    assert http_api.request("GET", path).status == 404


def test_put_without_length_or_chunked_encoding_returns_411(http_api, container):
    conn = http_api.connection()
    try:
        conn.putrequest("PUT", http_api.path(container, "nolength"))
        conn.putheader("X-Auth-Token", http_api.auth()[1])
        conn.endheaders()
        assert conn.getresponse().status == 411
    finally:
        conn.close()


def test_put_larger_than_max_file_size_returns_413_before_reading_the_body(http_api, container):
    conn = http_api.connection(timeout=30)
    try:
        conn.putrequest("PUT", http_api.path(container, "huge"))
        conn.putheader("X-Auth-Token", http_api.auth()[1])
        conn.putheader("Content-Length", str(5368709122 + 1))
        conn.endheaders()
        assert conn.getresponse().status == 413
    finally:
        conn.close()


def test_empty_object_round_trips_with_the_md5_of_nothing(http_api, container):
    path = http_api.path(container, "empty")
    put = http_api.request("PUT", path, body=b"")
    assert put.status == 201
    assert put.headers["ETag"] == EMPTY_MD5
    got = http_api.request("GET", path)
    assert got.status == 200
    assert got.body == b""
    assert got.headers["Content-Length"] == "0"


def test_unicode_object_name_round_trips_and_is_listed(conn, container):
    name = "ünïcødé/日本語 ☃.txt"
    conn.put_object(container, name, b"snow")
    assert conn.get_object(container, name)[1] == b"snow"
    assert [o["name"] for o in conn.get_container(container)[1]] == [name]


@pytest.mark.parametrize("name,status", [
    ("a" * 1024, 201), ("a" * 1025, 400),
    # the limit counts characters, as Swift 2.38.3 does (measured: 513 "é" are stored)
    ("é" * 513, 201), ("é" * 1024, 201), ("é" * 1025, 400),
])
def test_object_name_up_to_1024_characters_is_accepted_and_longer_is_400(http_api, container,
                                                                         name, status):
    resp = http_api.request("PUT", http_api.path(container, name), body=b"x")
    assert resp.status == status, resp.body


# --- Content-Type ----------------------------------------------------------

@pytest.mark.parametrize("name,expected", [
    ("page.html", "text/html"), ("pic.png", "image/png"), ("blob.zzqq", "application/octet-stream"),
])
def test_missing_content_type_is_guessed_from_the_name(http_api, container, name, expected):
    path = http_api.path(container, name)
    assert http_api.request("PUT", path, body=b"x").status == 201
    assert http_api.request("HEAD", path).headers["Content-Type"].split(";")[0] == expected


def test_form_content_type_is_stored_as_is_and_the_body_is_not_parsed(http_api, container):
    # curl --data-binary sends this type by default; the body is still just bytes
    path = http_api.path(container, "form")
    body = b"a=1&b=2"
    resp = http_api.request("PUT", path, body=body,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 201, resp.body
    got = http_api.request("GET", path)
    assert got.body == body
    assert got.headers["Content-Type"].startswith("application/x-www-form-urlencoded")


def test_given_content_type_is_kept_unless_detection_is_requested(http_api, container):
    kept = http_api.path(container, "a.html")
    http_api.request("PUT", kept, body=b"x", headers={"Content-Type": "application/x-custom"})
    assert http_api.request("HEAD", kept).headers["Content-Type"].startswith("application/x-custom")
    detected = http_api.path(container, "b.html")
    http_api.request("PUT", detected, body=b"x", headers={"Content-Type": "application/x-custom",
                                                           "X-Detect-Content-Type": "true"})
    assert http_api.request("HEAD", detected).headers["Content-Type"].startswith("text/html")


# --- Range -------------------------------------------------------------------

@pytest.mark.parametrize("rng,part,content_range", [
    ("bytes=2-5", b"2345", "bytes 2-5/10"),
    ("bytes=7-", b"789", "bytes 7-9/10"),
    ("bytes=-3", b"789", "bytes 7-9/10"),
    ("bytes=8-100", b"89", "bytes 8-9/10"),
])
def test_single_range_returns_206_with_content_range(http_api, obj, rng, part, content_range):
    resp = http_api.request("GET", obj("r"), headers={"Range": rng})
    assert resp.status == 206
    assert resp.body == part
    assert resp.headers["Content-Range"] == content_range
    assert resp.headers["Content-Length"] == str(len(part))


def test_multiple_ranges_return_multipart_byteranges(http_api, obj):
    resp = http_api.request("GET", obj("mr"), headers={"Range": "bytes=0-1,5-6"})
    assert resp.status == 206
    ctype = resp.headers["Content-Type"]
    assert ctype.startswith("multipart/byteranges")
    boundary = re.search(r"boundary=\"?([^\";]+)", ctype).group(1).encode()
    parts = [p for p in resp.body.split(b"--" + boundary) if p.strip() not in (b"", b"--")]
    assert len(parts) == 2
    found = []
    for part in parts:
        head, _, payload = part.strip(b"\r\n").partition(b"\r\n\r\n")
        crange = re.search(rb"(?im)^content-range:\s*(.+?)\s*$", head).group(1)
        found.append((crange, payload))
    assert found == [(b"bytes 0-1/10", b"01"), (b"bytes 5-6/10", b"56")]


def test_unsatisfiable_range_returns_416_with_the_length(http_api, obj):
    resp = http_api.request("GET", obj("r416"), headers={"Range": "bytes=10-20"})
    assert resp.status == 416
    assert resp.headers["Content-Range"] == "bytes */10"


# --- Conditional requests ----------------------------------------------------

def test_if_match_and_if_none_match_on_get(http_api, obj):
    path = obj("c")
    etag = md5(b"0123456789")
    assert http_api.request("GET", path, headers={"If-Match": etag}).status == 200
    assert http_api.request("GET", path, headers={"If-Match": '"%s"' % etag}).status == 200
    assert http_api.request("GET", path, headers={"If-Match": "*"}).status == 200
    assert http_api.request("GET", path, headers={"If-Match": md5(b"no")}).status == 412
    not_modified = http_api.request("GET", path, headers={"If-None-Match": etag})
    assert not_modified.status == 304
    assert not_modified.body == b""
    assert not_modified.headers["ETag"] == etag
    assert http_api.request("GET", path, headers={"If-None-Match": md5(b"no")}).status == 200


def test_if_modified_since_and_if_unmodified_since_on_get(http_api, obj):
    path = obj("t")
    last_modified = http_api.request("HEAD", path).headers["Last-Modified"]
    long_ago = "Thu, 01 Jan 1998 00:00:00 GMT"
    assert http_api.request("GET", path, headers={"If-Modified-Since": last_modified}).status == 304
    assert http_api.request("GET", path, headers={"If-Modified-Since": long_ago}).status == 200
    assert http_api.request("GET", path, headers={"If-Unmodified-Since": long_ago}).status == 412
    assert http_api.request("GET", path, headers={"If-Unmodified-Since": last_modified}).status == 200


def test_conditional_head_uses_the_same_rules(http_api, obj):
    path = obj("ch")
    assert http_api.request("HEAD", path, headers={"If-None-Match": md5(b"0123456789")}).status == 304
    assert http_api.request("HEAD", path, headers={"If-Match": md5(b"no")}).status == 412


def test_put_with_if_none_match_star_creates_once_then_returns_412(http_api, container):
    path = http_api.path(container, "once")
    assert http_api.request("PUT", path, body=b"1", headers={"If-None-Match": "*"}).status == 201
    assert http_api.request("PUT", path, body=b"2", headers={"If-None-Match": "*"}).status == 412
    assert http_api.request("GET", path).body == b"1"


def test_put_with_if_none_match_other_than_star_returns_400(http_api, container):
    path = http_api.path(container, "inm")
    assert http_api.request("PUT", path, body=b"1", headers={"If-None-Match": "abc"}).status == 400


# --- Copy ----------------------------------------------------------------------

def test_copy_verb_with_destination_copies_data_and_metadata(http_api, container, obj):
    src = obj("src", b"copy me", {"X-Object-Meta-Keep": "k", "X-Object-Meta-Over": "old",
                                  "Content-Type": "text/plain"})
    resp = http_api.request("COPY", src, headers={"Destination": "%s/dst" % container,
                                                  "X-Object-Meta-Over": "new"})
    assert resp.status == 201
    assert resp.headers["X-Copied-From"] == "%s/src" % container
    assert resp.headers.get("X-Copied-From-Last-Modified")
    assert resp.headers["ETag"] == md5(b"copy me")
    dst = http_api.request("GET", http_api.path(container, "dst"))
    assert dst.body == b"copy me"
    assert dst.headers["X-Object-Meta-Keep"] == "k"
    assert dst.headers["X-Object-Meta-Over"] == "new"
    assert dst.headers["Content-Type"].startswith("text/plain")


def test_put_with_x_copy_from_copies_the_source(http_api, container, obj):
    obj("src2", b"source bytes", {"X-Object-Meta-A": "1"})
    resp = http_api.request("PUT", http_api.path(container, "dst2"), body=b"",
                            headers={"X-Copy-From": "/%s/src2" % container})
    assert resp.status == 201
    assert resp.headers["X-Copied-From"] == "%s/src2" % container
    got = http_api.request("GET", http_api.path(container, "dst2"))
    assert got.body == b"source bytes"
    assert got.headers["X-Object-Meta-A"] == "1"


def test_copy_with_fresh_metadata_drops_the_old_metadata(http_api, container, obj):
    src = obj("src3", b"data", {"X-Object-Meta-Old": "1"})
    resp = http_api.request("COPY", src, headers={"Destination": "/%s/dst3" % container,
                                                  "X-Fresh-Metadata": "true",
                                                  "X-Object-Meta-New": "2"})
    assert resp.status == 201
    head = http_api.request("HEAD", http_api.path(container, "dst3"))
    assert head.headers.get("X-Object-Meta-Old") is None
    assert head.headers["X-Object-Meta-New"] == "2"


def test_copy_without_destination_returns_412(http_api, obj):
    assert http_api.request("COPY", obj("nodest")).status == 412


def test_copy_of_a_missing_source_returns_404(http_api, container):
    resp = http_api.request("PUT", http_api.path(container, "dst4"), body=b"",
                            headers={"X-Copy-From": "/%s/missing" % container})
    assert resp.status == 404


# --- Expiry ---------------------------------------------------------------------

def test_x_delete_after_sets_x_delete_at_and_the_object_disappears(http_api, obj):
    before = int(time.time())
    path = obj("exp", b"short-lived", {"X-Delete-After": "2"})
    delete_at = int(http_api.request("HEAD", path).headers["X-Delete-At"])
    assert before + 1 <= delete_at <= int(time.time()) + 3
    deadline = time.time() + 20
    while http_api.request("GET", path).status != 404:
        assert time.time() < deadline, "object with X-Delete-After: 2 still readable after 20 s"
        time.sleep(0.25)
    assert http_api.request("HEAD", path).status == 404


def test_x_delete_at_can_be_set_with_post(http_api, obj):
    path = obj("exp-post")
    at = int(time.time()) + 3600
    assert http_api.request("POST", path, headers={"X-Delete-At": str(at)}).status == 202
    assert http_api.request("HEAD", path).headers["X-Delete-At"] == str(at)


@pytest.mark.parametrize("header,value", [
    ("X-Delete-At", "1000000000"),      # in the past
    ("X-Delete-At", "tomorrow"),        # not an integer
    ("X-Delete-After", "-5"),           # in the past
    ("X-Delete-After", "soon"),         # not an integer
])
def test_bad_expiry_headers_return_400_naming_the_header(http_api, container, header, value):
    resp = http_api.request("PUT", http_api.path(container, "bad-exp"), body=b"x",
                            headers={header: value})
    assert resp.status == 400
    assert b"x-delete-a" in resp.body.lower(), resp.body


# --- Metadata limits (max_meta_* in /info) ------------------------------------------

def _meta_cases():
    ok_overall = {"X-Object-Meta-n%02d" % i: "v" * 253 for i in range(16)}  # 16 * 256 = 4096
    over_overall = dict(ok_overall, **{"X-Object-Meta-n00": "v" * 254})
    return [
        ("name128", {"X-Object-Meta-" + "n" * 128: "v"}, 201, None),
        ("name129", {"X-Object-Meta-" + "n" * 129: "v"}, 400, b"name"),
        ("value256", {"X-Object-Meta-V": "v" * 256}, 201, None),
        ("value257", {"X-Object-Meta-V": "v" * 257}, 400, b"value"),
        ("count90", {"X-Object-Meta-c%02d" % i: "v" for i in range(90)}, 201, None),
        ("count91", {"X-Object-Meta-c%02d" % i: "v" for i in range(91)}, 400, b"90"),
        ("overall4096", ok_overall, 201, None),
        ("overall4097", over_overall, 400, b"4096"),
    ]


@pytest.mark.parametrize("case,headers,status,message", _meta_cases(), ids=[c[0] for c in _meta_cases()])
def test_object_metadata_at_the_limit_is_accepted_and_one_over_is_400(
        http_api, container, case, headers, status, message):
    resp = http_api.request("PUT", http_api.path(container, case), body=b"x", headers=headers)
    assert resp.status == status, resp.body
    if message:
        assert message in resp.body.lower(), resp.body


def test_post_metadata_over_the_limit_returns_400(http_api, obj):
    path = obj("pm")
    resp = http_api.request("POST", path, headers={"X-Object-Meta-V": "v" * 257})
    assert resp.status == 400


# --- Transfer and headers ----------------------------------------------------------

def test_chunked_upload_stores_all_chunks(http_api, container):
    chunks = [b"a" * 1000, b"b" * 65536, b"c" * 7]
    path = http_api.path(container, "chunked")
    conn = http_api.connection()
    try:
        conn.request("PUT", path, body=iter(chunks), encode_chunked=True,
                     headers={"X-Auth-Token": http_api.auth()[1], "Transfer-Encoding": "chunked"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 201
        assert resp.headers["ETag"] == md5(b"".join(chunks))
    finally:
        conn.close()
    got = http_api.request("GET", path)
    assert got.body == b"".join(chunks)
    assert got.headers["Content-Length"] == str(sum(map(len, chunks)))


def test_last_modified_is_rfc1123_and_x_timestamp_is_epoch_with_5_decimals(http_api, obj):
    path = obj("ts")
    head = http_api.request("HEAD", path)
    last_modified = head.headers["Last-Modified"]
    assert re.match(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$", last_modified)
    x_timestamp = head.headers["X-Timestamp"]
    assert re.match(r"^\d{10}\.\d{5}$", x_timestamp)
    lm = email.utils.parsedate_to_datetime(last_modified).timestamp()
    assert 0 <= lm - float(x_timestamp) < 1  # Last-Modified is X-Timestamp rounded up
    assert abs(float(x_timestamp) - time.time()) < 120


def test_every_response_carries_a_transaction_id_even_errors(http_api, container):
    path = http_api.path(container, "tx")
    responses = [
        http_api.request("PUT", path, body=b"x"),                      # 201
        http_api.request("GET", path),                                 # 200
        http_api.request("HEAD", path),                                # 200
        http_api.request("GET", http_api.path(container, "missing")),  # 404
        http_api.request("GET", path, user=None),                      # 401
        http_api.request("GET", path, headers={"X-Auth-Token": "AUTH_tkbogus"}),  # 401
        http_api.request("PUT", http_api.path(container, "a" * 1025), body=b"x"),  # 400
        http_api.request("GET", "/v1"),                                # 412
        http_api.request("DELETE", path),                              # 204
    ]
    for resp in responses:
        trans_id = resp.headers.get("X-Trans-Id")
        assert trans_id and TRANS_ID.match(trans_id), (resp.status, trans_id)
        assert resp.headers.get("X-Openstack-Request-Id") == trans_id, resp.status
    ids = [r.headers["X-Trans-Id"] for r in responses]
    assert len(set(ids)) == len(ids)
