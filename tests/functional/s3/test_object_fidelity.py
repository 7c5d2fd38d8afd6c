"""Object reads and copies the way S3 answers them, with boto3 and raw
signed requests against the live SAIO."""

import uuid

import pytest
import swiftclient

from tests.functional.conftest import connect
from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_s3_clients import bucket, code_of, s3  # noqa: F401


@pytest.mark.parametrize("byte_range", ["bytes=0-10", "bytes=0-", "bytes=-5", "bytes=0-0"])
def test_a_ranged_get_of_an_empty_object_is_invalid_range(s3, bucket, byte_range):
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="empty", Range=byte_range)) \
        == ("InvalidRange", 416)
    assert s3.get_object(Bucket=bucket, Key="empty")["Body"].read() == b""


def test_a_malformed_range_of_an_empty_object_is_ignored(s3, bucket):
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="empty", Range="bytes=5-2")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200 and got["Body"].read() == b""


def test_a_ranged_get_of_an_empty_multipart_object_is_invalid_range(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up, PartNumber=1,
                          Body=b"")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="mp", Range="bytes=-5")) \
        == ("InvalidRange", 416)


def test_copy_from_a_bucket_the_user_cannot_read_is_access_denied(s3, bucket):
    """tester3 may write into ``dest`` but not read ``bucket``: 403, never 404,
    whether or not the source key exists."""
    s3.put_object(Bucket=bucket, Key="secret", Body=b"s")
    dest = "s3fn-" + uuid.uuid4().hex[:12]
    conn = connect("admin")
    conn.put_container(dest, headers={"X-Container-Write": "test:tester3",
                                      "X-Container-Read": "test:tester3"})
    try:
        for key in ("secret", "absent"):
            resp = s3_raw("PUT", "/%s/copy" % dest,
                          headers={"x-amz-copy-source": "/%s/%s" % (bucket, key)},
                          access_key="test:tester3", secret="testing3")
            assert resp.status == 403 and resp.texts("Code") == [] and \
                b"<Code>AccessDenied</Code>" in resp.body
        assert conn.get_container(dest)[1] == []
    finally:
        for obj in conn.get_container(dest)[1]:
            conn.delete_object(dest, obj["name"])
        conn.delete_container(dest)


def _listing(bucket, **query):
    resp = s3_raw("GET", "/" + bucket, query=query)
    assert resp.status == 200, resp.body
    return resp


@pytest.mark.parametrize("v2", [False, True])
def test_encoding_type_url_encodes_keys_prefixes_and_markers(s3, bucket, v2):
    for key in ("a b/c+d", "a b/e&f", "a b/x y/z", "q\u00e9"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"1")
    query = {"encoding-type": "url", "prefix": "a b/", "delimiter": "/", "max-keys": "1"}
    if v2:
        query.update({"list-type": "2", "start-after": "a b/"})
    else:
        query["marker"] = "a b/"
    page = _listing(bucket, **query)
    # S3's URL encoding leaves "/" as it is, in the prefix and the delimiter alike
    assert (page.texts("Prefix"), page.texts("Delimiter")) == (["a%20b/"], ["/"])
    assert page.texts("Contents/Key") == ["a%20b/c%2Bd"]
    assert page.texts("EncodingType") == ["url"]
    if v2:
        assert page.texts("StartAfter") == ["a%20b/"]
    else:
        assert page.texts("Marker") == ["a%20b/"]
        assert page.texts("NextMarker") == ["a%20b/c%2Bd"]
    rest = _listing(bucket, **{"encoding-type": "url", "prefix": "a b/", "delimiter": "/"})
    assert rest.texts("Contents/Key") == ["a%20b/c%2Bd", "a%20b/e%26f"]
    assert rest.texts("CommonPrefixes/Prefix") == ["a%20b/x%20y/"]
    assert _listing(bucket, **{"encoding-type": "url", "prefix": "q"}).texts("Contents/Key") \
        == ["q%C3%A9"]


def test_control_characters_in_listed_keys_are_character_references(s3, bucket):
    """Without encoding-type a CR in a key is sent as ``&#xd;`` (a bare CR
    would be read back as LF, another key) and other control characters as
    S3 sends them, ``&#x1;``; TAB and LF pass as they are."""
    for key in ("a\rb", "c\x01d", "e\tf\ng"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"1")
    page = s3_raw("GET", "/" + bucket, query={"prefix": "a"})
    assert page.status == 200 and b"<Key>a&#xd;b</Key>" in page.body
    assert page.texts("Contents/Key") == ["a\rb"]
    assert b"<Key>c&#x1;d</Key>" in s3_raw("GET", "/" + bucket, query={"prefix": "c"}).body
    assert b"<Key>e\tf\ng</Key>" in s3_raw("GET", "/" + bucket, query={"prefix": "e"}).body
    assert [c["Key"] for c in s3.list_objects_v2(Bucket=bucket)["Contents"]] \
        == ["a\rb", "c\x01d", "e\tf\ng"]


def test_a_listed_last_modified_is_the_heads_and_passes_if_unmodified_since(s3, bucket):
    """The listing rounds the time up to the second as Last-Modified does, so
    the listed time sent back as If-Unmodified-Since is not a 412. Several
    objects: one with a whole-second timestamp would pass either way."""
    for n in range(3):
        s3.put_object(Bucket=bucket, Key="k%d" % n, Body=b"x")
    for entry in s3.list_objects_v2(Bucket=bucket)["Contents"]:
        head = s3.head_object(Bucket=bucket, Key=entry["Key"])
        assert head["LastModified"] == entry["LastModified"]
        got = s3.get_object(Bucket=bucket, Key=entry["Key"],
                            IfUnmodifiedSince=entry["LastModified"])
        assert got["Body"].read() == b"x"


def test_an_empty_answer_declares_content_length_zero(s3, bucket):
    """PutObject's answer has no body: ``Content-Length: 0``, not a chunked reply."""
    got = s3_raw("PUT", "/%s/k" % bucket, body=b"abc")
    assert got.status == 200
    assert got.headers.get("content-length") == "0"
    assert "transfer-encoding" not in got.headers


def test_a_head_error_declares_content_length_zero(s3, bucket):
    """A HEAD's error has no body and says so (``Content-Length: 0``)."""
    got = s3_raw("HEAD", "/%s/missing" % bucket)
    assert (got.status, got.headers.get("content-length"), got.body) == (404, "0", b"")


def test_an_empty_start_after_is_echoed_and_an_absent_one_is_not(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    sent = s3.list_objects_v2(Bucket=bucket, StartAfter="", Prefix="", Delimiter="")
    assert sent["StartAfter"] == "" and [o["Key"] for o in sent["Contents"]] == ["k"]
    assert "Delimiter" not in sent
    assert "StartAfter" not in s3.list_objects_v2(Bucket=bucket)


def test_metadata_names_with_separators_but_paren_are_dropped_and_the_object_stays_readable(
        s3, bucket):
    """S3 ignores x-amz-meta-* names holding a separator other than ``(``;
    ``(`` is kept and sent back (a header name no token, as S3's)."""
    weird = {"x-amz-meta-" + c: c for c in '!"#$%&()/<=>?@[]{}~'}
    got = s3_raw("PUT", "/%s/k" % bucket, headers=weird, body=b"abc")
    assert got.status == 200
    head = s3_raw("HEAD", "/%s/k" % bucket)
    assert head.status == 200
    kept = {name[len("x-amz-meta-"):] for name in head.headers if name.startswith("x-amz-meta-")}
    assert kept == set("!#$%&(~")


def test_metadata_names_with_underscore_and_dash_are_kept_apart(s3, bucket):
    """eventlet drops request headers whose name holds ``_``; s3api reads
    them from the raw header lines, and stores ``_`` as ``=5F`` (as Swift's
    s3api, so the Swift API shows the same names)."""
    got = s3_raw("PUT", "/%s/k" % bucket, body=b"abc", headers={
        "x-amz-meta-foo-bar": "dash", "x-amz-meta-foo_bar": "underscore"})
    assert got.status == 200
    meta = s3.head_object(Bucket=bucket, Key="k")["Metadata"]
    assert meta == {"foo-bar": "dash", "foo_bar": "underscore"}
    swift = connect("admin").head_object(bucket, "k")
    assert swift["x-object-meta-foo=5fbar"] == "underscore"
    assert swift["x-object-meta-foo-bar"] == "dash"


def test_delete_objects_with_an_empty_key_is_user_key_must_be_specified_and_deletes_nothing(
        s3, bucket):
    import base64
    import hashlib
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    body = b"<Delete><Object><Key>k</Key></Object><Object><Key></Key></Object></Delete>"
    got = s3_raw("POST", "/%s" % bucket, query={"delete": ""}, body=body, headers={
        "Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()})
    assert (got.status, got.xml().findtext("Code")) == (400, "UserKeyMustBeSpecified")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]


def test_swift_expiry_headers_pass_through_and_show_as_x_amz_expiration(s3, bucket):
    """As with Swift's s3api: X-Delete-At / X-Delete-After reach Swift, a bad
    value is InvalidArgument in the proxy's words, a stored one is shown."""
    import email.utils
    import time
    for name, value, message in [("X-Delete-At", "soon", "Non-integer X-Delete-At"),
                                 ("X-Delete-At", str(int(time.time()) - 60),
                                  "X-Delete-At in past"),
                                 ("X-Delete-After", "-5", "X-Delete-After in past")]:
        got = s3_raw("PUT", "/%s/k" % bucket, headers={name: value}, body=b"x")
        assert (got.status, got.xml().findtext("Code"), got.xml().findtext("Message")) \
            == (400, "InvalidArgument", message)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    when = int(time.time()) + 3600
    assert s3_raw("PUT", "/%s/k" % bucket, headers={"X-Delete-At": str(when)},
                  body=b"x").status == 200
    expected = 'expiry-date="%s", rule-id="swift-object-expiration"' % \
        email.utils.formatdate(when, usegmt=True)
    assert s3.head_object(Bucket=bucket, Key="k")["Expiration"] == expected
    got = s3_raw("PUT", "/%s/k" % bucket, headers={"X-Delete-After": "60"}, body=b"x")
    assert got.status == 200 and "Expiration" in s3.head_object(Bucket=bucket, Key="k")


def test_list_object_versions_echoes_a_delimiter_it_was_sent_even_empty(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    sent = s3.list_object_versions(Bucket=bucket, Delimiter="", KeyMarker="", Prefix="")
    assert (sent["Delimiter"], sent["KeyMarker"], sent["Prefix"]) == ("", "", "")
    assert "Delimiter" not in s3.list_object_versions(Bucket=bucket)


def test_a_304_says_accept_ranges_as_the_200_would(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    etag = s3.head_object(Bucket=bucket, Key="k")["ETag"]
    got = s3_raw("GET", "/%s/k" % bucket, headers={"If-None-Match": etag})
    assert (got.status, got.headers.get("accept-ranges")) == (304, "bytes")


def test_x_robots_tag_is_kept_and_copied_as_swift_keeps_it(s3, bucket):
    assert s3_raw("PUT", "/%s/k" % bucket, headers={"X-Robots-Tag": "noindex"},
                  body=b"x").status == 200
    assert s3_raw("HEAD", "/%s/k" % bucket).headers.get("x-robots-tag") == "noindex"
    s3.copy_object(Bucket=bucket, Key="c", CopySource={"Bucket": bucket, "Key": "k"})
    assert s3_raw("HEAD", "/%s/c" % bucket).headers.get("x-robots-tag") == "noindex"


def test_a_metadata_value_that_is_not_utf8_goes_out_as_its_bytes(s3, bucket, http_api):
    """Only the Swift API stores such a value; Swift's s3api sends its bytes
    (no text to RFC 2047-encode), a UTF-8 value is encoded as S3 does."""
    path = http_api.path(bucket, "k")
    resp = http_api.request("PUT", path, body=b"abc", headers={
        "X-Object-Meta-Color": "\xff\xfe", "X-Object-Meta-Word": "caf\xc3\xa9"})
    assert resp.status == 201
    for method in ("HEAD", "GET"):
        got = s3_raw(method, "/%s/k" % bucket)
        assert got.status == 200, method
        assert got.headers["x-amz-meta-color"] == "\xff\xfe", method  # latin-1 of the bytes
        assert got.headers["x-amz-meta-word"] == "=?UTF-8?B?Y2Fmw6k=?=", method
