"""Pure pieces of s3api: signatures (botocore is the oracle), checksums, aws-chunked,
body verification, listings, manifests, conditions, request targets."""

import base64
import datetime
import hashlib
import io
import zlib

import pytest
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

from objstore.middleware.s3api import auth, checksums, conditions, listing, manifest, sigv4
from objstore.middleware.s3api.body import VerifyingReader, plain_source
from objstore.middleware.s3api.chunked import ChunkedDecoder, ChunkSigner
from objstore.middleware.s3api.errors import S3Error, error_body
from objstore.middleware.s3api.request import parse_target, valid_bucket_name
from tests.unit.middleware.s3api.botocore_requests import environ_of, signed_request

URL = "http://127.0.0.1:8080/bucket/some%20dir/k%C3%A9y~1?tagging&x-id=PutObject"


# -- signatures --------------------------------------------------------------

@pytest.mark.parametrize("kind", ["v4", "v4-query", "v2", "v2-query"])
def test_botocore_signatures_verify_with_the_right_secret_only(kind):
    body = b"" if "query" in kind else b"hello"
    req = signed_request("PUT", URL, {"Content-Type": "text/plain", "x-amz-meta-a": "b  c"},
                         body, auth=kind)
    sig = auth.parse_signature(environ_of(req), "/bucket/some%20dir/k%C3%A9y~1")
    assert sig.access_key == "test:tester"
    assert sig.check("testing")
    assert not sig.check("testing2")


@pytest.mark.parametrize("kind", ["v2", "v2-query"])
def test_v2_signs_amz_headers_sorted_by_name_not_by_line(kind):
    # "x-amz-meta-a:" sorts after "x-amz-meta-a2:" as text, but the name
    # x-amz-meta-a comes first; likewise x-amz-copy-source and its -if-match.
    # A value's ", " (a date's) is signed as sent.
    req = signed_request("PUT", "http://h/bucket/k",
                         {"x-amz-meta-a": "1", "x-amz-meta-a2": "2",
                          "x-amz-copy-source": "/b/o", "x-amz-copy-source-if-match": "e",
                          "x-amz-copy-source-if-modified-since":
                              "Sat, 05 Dec 2026 08:13:37 GMT"},
                         auth=kind)
    assert auth.parse_signature(environ_of(req), "/bucket/k").check("testing")


@pytest.mark.parametrize("amz_date", ["", ",20261206T081307Z"])
def test_a_v4_request_without_a_valid_amz_date_names_the_header_it_needs(amz_date):
    req = signed_request("GET", "http://h/bucket")
    env = environ_of(req)
    env["HTTP_X_AMZ_DATE"] = amz_date
    with pytest.raises(S3Error) as err:
        auth.parse_signature(env, "/bucket")
    assert err.value.code == "AccessDenied"
    assert "AWS authentication requires a valid Date or x-amz-date header" in str(
        err.value.message)


def test_a_v4_request_signed_20_minutes_ago_is_too_skewed():
    when = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
    req = signed_request("GET", "http://h/bucket", when=when)
    with pytest.raises(S3Error) as err:
        auth.parse_signature(environ_of(req), "/bucket")
    assert err.value.code == "RequestTimeTooSkewed" and err.value.status == 403


def test_a_v2_request_signed_20_minutes_in_the_future_is_too_skewed():
    when = datetime.datetime.utcnow() + datetime.timedelta(minutes=20)
    req = signed_request("GET", "http://h/bucket", auth="v2", when=when)
    with pytest.raises(S3Error) as err:
        auth.parse_signature(environ_of(req), "/bucket")
    assert err.value.code == "RequestTimeTooSkewed"


def test_a_v4_request_within_the_skew_window_is_accepted():
    when = datetime.datetime.utcnow() - datetime.timedelta(minutes=10)
    req = signed_request("GET", "http://h/bucket", when=when)
    assert auth.parse_signature(environ_of(req), "/bucket").check("testing")


@pytest.mark.parametrize("kind", ["v4-query", "v2-query"])
def test_an_expired_presigned_url_is_access_denied(kind):
    when = datetime.datetime.utcnow() - datetime.timedelta(hours=2)
    req = signed_request("GET", "http://h/bucket/key", auth=kind, when=when, expires=60)
    with pytest.raises(S3Error) as err:
        auth.parse_signature(environ_of(req), "/bucket/key")
    assert err.value.code == "AccessDenied" and err.value.status == 403


def test_a_tampered_query_breaks_a_presigned_v4_url():
    req = signed_request("GET", "http://h/bucket/key", auth="v4-query")
    env = environ_of(req)
    env["PATH_INFO"] = env["RAW_PATH_INFO"] = "/bucket/other"
    assert not auth.parse_signature(env, "/bucket/other").check("testing")


def test_a_changed_body_hash_header_breaks_a_v4_signature():
    req = signed_request("PUT", "http://h/bucket/key", body=b"x")
    env = environ_of(req)
    env["HTTP_X_AMZ_CONTENT_SHA256"] = hashlib.sha256(b"y").hexdigest()
    assert not auth.parse_signature(env, "/bucket/key").check("testing")


def test_unsigned_payload_is_accepted_as_the_payload_hash():
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method="PUT", url="http://h/bucket/key", data=b"x",
                     headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(Credentials("test:tester", "testing"), "s3", "us-east-1").add_auth(req)
    sig = auth.parse_signature(environ_of(req), "/bucket/key")
    assert sig.payload_hash == "UNSIGNED-PAYLOAD" and sig.check("testing")


@pytest.mark.parametrize("header, code", [
    ("AWS4-HMAC-SHA256 Credential=x", "AuthorizationHeaderMalformed"),
    ("AWS4-HMAC-SHA256 Credential=a/2024/us/s3/aws4_request, SignedHeaders=host, "
     "Signature=00", "AuthorizationHeaderMalformed"),
])
def test_malformed_v4_headers_are_named_as_such(header, code):
    env = environ_of(signed_request("GET", "http://h/bucket"))
    env["HTTP_AUTHORIZATION"] = header
    with pytest.raises(S3Error) as err:
        auth.parse_signature(env, "/bucket")
    assert err.value.code == code


def test_a_v4_request_without_a_content_sha256_header_is_invalid():
    env = environ_of(signed_request("GET", "http://h/bucket"))
    del env["HTTP_X_AMZ_CONTENT_SHA256"]
    with pytest.raises(S3Error) as err:
        auth.parse_signature(env, "/bucket")
    assert err.value.code == "InvalidRequest"


def test_auth_details_report_whether_the_secret_was_checked_and_accepted():
    sig = auth.parse_signature(environ_of(signed_request("GET", "http://h/b")), "/b")
    details, state = auth.make_auth_details(sig)
    assert details["access_key"] == "test:tester" and not state.called
    assert details["check_signature"]("bad") is False and state.called
    assert details["check_signature"]("testing") is True and state.verified


def test_plain_swift_requests_are_not_s3_requests():
    assert not auth.is_s3_request({"HTTP_X_AUTH_TOKEN": "AUTH_tk1", "QUERY_STRING": ""})
    assert auth.is_s3_request({"HTTP_AUTHORIZATION": "AWS a:b"})
    assert auth.is_s3_request({"QUERY_STRING": "X-Amz-Algorithm=AWS4-HMAC-SHA256"})


# -- checksums ---------------------------------------------------------------

@pytest.mark.parametrize("algorithm, check", [
    ("CRC32", "cbf43926"), ("CRC32C", "e3069283"), ("CRC64NVME", "ae8b14860a799888"),
    ("SHA1", hashlib.sha1(b"123456789").hexdigest()),
    ("SHA256", hashlib.sha256(b"123456789").hexdigest())])
def test_each_checksum_matches_its_published_check_value(algorithm, check):
    running = checksums.new_checksum(algorithm)
    running.update(b"1234")
    running.update(b"56789")
    assert running.digest().hex() == check


def test_an_unknown_checksum_algorithm_is_refused():
    with pytest.raises(ValueError):
        checksums.new_checksum("MD4")


def test_checksum_values_must_be_base64_of_the_right_size():
    assert checksums.well_formed("CRC32", checksums.b64(b"1234"))
    assert not checksums.well_formed("CRC32", checksums.b64(b"12345678"))
    assert not checksums.well_formed("SHA1", "not base64!")


# -- aws-chunked -------------------------------------------------------------

KEY = sigv4.signing_key("testing", "20240101", "us-east-1", "s3")
SCOPE = "20240101/us-east-1/s3/aws4_request"
DATE = "20240101T000000Z"
SEED = "a" * 64


def signed_chunked(chunks, trailer=None, tamper_index=None):
    signer = ChunkSigner(KEY, DATE, SCOPE, SEED)
    out = b""
    for i, data in enumerate(list(chunks) + [b""]):
        sig = signer.expected_chunk(hashlib.sha256(data).hexdigest())
        signer.previous = sig
        if i == tamper_index:
            sig = "0" * 64
        out += b"%x;chunk-signature=%s\r\n" % (len(data), sig.encode())
        if data:
            out += data + b"\r\n"
    if trailer:
        text = "".join("%s:%s\n" % kv for kv in trailer)
        tsig = sigv4.sign(KEY, sigv4.trailer_string_to_sign(DATE, SCOPE, signer.previous, text))
        for name, value in trailer:
            out += ("%s:%s\r\n" % (name, value)).encode()
        out += ("x-amz-trailer-signature:%s\r\n" % tsig).encode()
    return out + b"\r\n"


def decode(body, signer=None, signed_trailer=False, read_size=7):
    source = io.BytesIO(body)
    dec = ChunkedDecoder(lambda n: source.read(min(n, read_size)), signer, signed_trailer)
    return b"".join(dec), dec


def test_signed_chunks_decode_and_verify_in_small_reads():
    body = signed_chunked([b"hello " * 2000, b"world" * 100])
    data, _ = decode(body, ChunkSigner(KEY, DATE, SCOPE, SEED))
    assert data == b"hello " * 2000 + b"world" * 100


def test_a_tampered_chunk_signature_is_signature_does_not_match():
    body = signed_chunked([b"hello " * 2000, b"world"], tamper_index=1)
    with pytest.raises(S3Error) as err:
        decode(body, ChunkSigner(KEY, DATE, SCOPE, SEED))
    assert err.value.code == "SignatureDoesNotMatch"


def test_altered_chunk_data_is_signature_does_not_match():
    body = signed_chunked([b"hello " * 2000, b"world"]).replace(b"world", b"w0rld")
    with pytest.raises(S3Error) as err:
        decode(body, ChunkSigner(KEY, DATE, SCOPE, SEED))
    assert err.value.code == "SignatureDoesNotMatch"


def test_a_chunk_chain_seeded_with_another_signature_fails():
    body = signed_chunked([b"data"])
    with pytest.raises(S3Error):
        decode(body, ChunkSigner(KEY, DATE, SCOPE, "b" * 64))


def test_a_signed_trailer_is_verified_and_returned():
    crc = checksums.b64(zlib.crc32(b"abc").to_bytes(4, "big"))
    body = signed_chunked([b"abc"], trailer=[("x-amz-checksum-crc32", crc)])
    data, dec = decode(body, ChunkSigner(KEY, DATE, SCOPE, SEED), signed_trailer=True)
    assert data == b"abc" and dec.trailers == {"x-amz-checksum-crc32": crc}


def test_a_tampered_signed_trailer_fails():
    crc = checksums.b64(zlib.crc32(b"abc").to_bytes(4, "big"))
    body = signed_chunked([b"abc"], trailer=[("x-amz-checksum-crc32", crc)])
    body = body.replace(crc.encode(), checksums.b64(b"\0\0\0\0").encode())
    with pytest.raises(S3Error) as err:
        decode(body, ChunkSigner(KEY, DATE, SCOPE, SEED), signed_trailer=True)
    assert err.value.code == "SignatureDoesNotMatch"


def test_botocore_unsigned_trailer_bodies_decode_with_their_checksum():
    payload = b"x" * 3000 + b"tail"
    wrapped = AwsChunkedWrapper(io.BytesIO(payload), Crc32Checksum, "x-amz-checksum-crc32",
                                chunk_size=1024).read()
    data, dec = decode(wrapped)
    assert data == payload
    assert dec.trailers["x-amz-checksum-crc32"] == checksums.b64(
        zlib.crc32(payload).to_bytes(4, "big"))


@pytest.mark.parametrize("body", [b"5\r\nabc", b"zz\r\nabc\r\n0\r\n\r\n", b"3\r\nabc\r\n"])
def test_truncated_or_malformed_chunked_bodies_are_incomplete(body):
    with pytest.raises(S3Error) as err:
        decode(body)
    assert err.value.code == "IncompleteBody"


def test_a_signed_stream_with_an_unsigned_chunk_is_incomplete_body():
    """A missing chunk-signature breaks the framing (S3: IncompleteBody); a
    wrong one is SignatureDoesNotMatch."""
    with pytest.raises(S3Error) as err:
        decode(b"3\r\nabc\r\n0\r\n\r\n", ChunkSigner(KEY, DATE, SCOPE, SEED))
    assert err.value.code == "IncompleteBody"


def test_a_small_signed_chunk_before_the_last_is_invalid_chunk_size():
    body = signed_chunked([b"a" * 1024, b"b" * 9000, b"c"])
    with pytest.raises(S3Error) as err:
        decode(body, ChunkSigner(KEY, DATE, SCOPE, SEED))
    assert (err.value.code, err.value.status) == ("InvalidChunkSizeError", 403)
    assert err.value.extra == {"Chunk": "2", "BadChunkSize": "1024"}


def test_a_small_last_signed_chunk_is_accepted():
    body = signed_chunked([b"a" * 8192, b"b"])
    assert decode(body, ChunkSigner(KEY, DATE, SCOPE, SEED))[0] == b"a" * 8192 + b"b"


# -- verifying body ------------------------------------------------------------

def reader(data, **kw):
    return VerifyingReader(plain_source(io.BytesIO(data).read, len(data), 4), len(data), **kw)


def test_a_matching_content_md5_passes_and_the_etag_is_the_md5():
    md5 = base64.b64encode(hashlib.md5(b"hello").digest()).decode()
    r = reader(b"hello", content_md5=md5)
    assert r.read() == b"hello" and r.etag == hashlib.md5(b"hello").hexdigest()


def test_a_wrong_content_md5_is_bad_digest_before_the_last_byte_is_released():
    r = reader(b"hello", content_md5=base64.b64encode(b"0" * 16).decode())
    assert r.read(4) == b"hell"
    with pytest.raises(S3Error) as err:
        r.read(4)
    assert err.value.code == "BadDigest" and r.error is err.value


def test_a_wrong_flexible_checksum_is_bad_digest():
    r = reader(b"hello", algorithm="CRC32", expected_checksum=lambda: "AAAAAA==")
    with pytest.raises(S3Error) as err:
        r.read()
    assert err.value.code == "BadDigest"


def test_a_right_flexible_checksum_is_kept():
    value = checksums.b64(zlib.crc32(b"hello").to_bytes(4, "big"))
    r = reader(b"hello", algorithm="CRC32", expected_checksum=lambda: value)
    assert r.read() == b"hello" and r.checksum_value == value


def test_a_wrong_payload_sha256_is_a_mismatch():
    r = reader(b"hello", sha256_hex="0" * 64)
    with pytest.raises(S3Error) as err:
        r.read()
    assert err.value.code == "XAmzContentSHA256Mismatch"


def test_a_short_body_is_incomplete():
    r = VerifyingReader(iter([b"abc"]), 5)
    with pytest.raises(S3Error) as err:
        r.read()
    assert err.value.code == "IncompleteBody"


# -- listings, manifests, conditions, targets --------------------------------

def test_listing_v2_reports_truncation_key_count_and_a_token_that_resumes():
    params = listing.parse_params({"list-type": "2", "max-keys": "2"}, 1000)
    entries = [{"name": n, "hash": "h", "bytes": 1, "last_modified": "2024-01-01T00:00:00.0",
                "content_type": "x"} for n in ("a", "b", "c")]
    body = listing.render_objects("bkt", params, entries, "AUTH_test").decode()
    assert "<KeyCount>2</KeyCount>" in body and "<IsTruncated>true</IsTruncated>" in body
    token = body.split("<NextContinuationToken>")[1].split("<")[0]
    again = listing.parse_params({"list-type": "2", "continuation-token": token}, 1000)
    assert again.marker == "b"


def test_listing_v1_shows_common_prefixes_and_url_encodes_keys():
    params = listing.parse_params({"delimiter": "/", "encoding-type": "url"}, 1000)
    body = listing.render_objects("bkt", params, [
        {"subdir": "a b/"}, {"name": "c d", "hash": "h", "bytes": 3,
                             "last_modified": "2024-01-01T00:00:00", "content_type": "x"}],
        "AUTH_test").decode()
    assert "<Prefix>a%20b/</Prefix>" in body and "<Key>c%20d</Key>" in body


def test_a_negative_max_keys_is_invalid_argument():
    with pytest.raises(S3Error) as err:
        listing.parse_params({"max-keys": "-1"}, 1000)
    assert err.value.code == "InvalidArgument"


def test_listing_shows_the_multipart_etag_and_size_of_a_manifest():
    # a completed upload's row: the container lists its s3_etag (an SLO) ...
    etag, size, plain = listing.entry_facts({"name": "k", "hash": "m", "bytes": 10,
                                             "content_type": "text/plain",
                                             "slo_etag": '"s"', "s3_etag": '"abc-2"'})
    assert (etag, size, plain) == ('"abc-2"', 10, "text/plain")
    # ... or a row whose type kept it as a parameter
    etag, size, plain = listing.entry_facts({"name": "k", "hash": "m", "bytes": 10,
                                             "content_type": "text/plain;s3_etag=abc-2"})
    assert (etag, size, plain) == ('"abc-2"', 10, "text/plain")


def test_the_multipart_etag_is_the_md5_of_binary_md5s_and_the_count():
    md5s = [hashlib.md5(b"a").hexdigest(), hashlib.md5(b"b").hexdigest()]
    expected = hashlib.md5(hashlib.md5(b"a").digest() + hashlib.md5(b"b").digest()).hexdigest()
    assert manifest.multipart_etag(md5s) == expected + "-2"


def test_a_range_across_segments_reads_the_right_bytes_of_each():
    segs = [manifest.Segment("c/a", "x", 5), manifest.Segment("c/b", "y", 5),
            manifest.Segment("c/c", "z", 5)]
    plan = manifest.plan(segs, 3, 11)
    assert [(s.obj, a, b) for s, a, b in plan] == [("a", 3, 4), ("b", 0, 4), ("c", 0, 1)]


@pytest.mark.parametrize("header, expected", [
    ("bytes=0-4", (0, 4)), ("bytes=5-", (5, 9)), ("bytes=-3", (7, 9)), ("bytes=8-100", (8, 9)),
    (None, None), ("bytes=0-1,3-4", None)])
def test_ranges_are_parsed_like_s3(header, expected):
    assert manifest.parse_range(header, 10) == expected


def test_a_range_past_the_end_is_invalid_range():
    with pytest.raises(S3Error) as err:
        manifest.parse_range("bytes=10-", 10)
    assert err.value.status == 416


def test_conditions_follow_rfc_7232_order():
    lm = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert conditions.evaluate({"if-match": '"abc"'}, "abc", lm) is None
    assert conditions.evaluate({"if-match": '"x"'}, "abc", lm) == 412
    assert conditions.evaluate({"if-none-match": '"abc"'}, "abc", lm) == 304
    assert conditions.evaluate({"if-modified-since": lm}, "abc", lm) == 304
    assert conditions.evaluate({"if-unmodified-since": "Sun, 31 Dec 2023 00:00:00 GMT"},
                               "abc", lm) == 412
    assert conditions.evaluate({"x-amz-copy-source-if-none-match": "abc"}, "abc", lm,
                               prefix="x-amz-copy-source-") == 412


@pytest.mark.parametrize("name", ["ab", "Bad", "a_b", "192.168.1.1", "a..b", "-ab", "a" * 64,
                                  "ab-", "x+segments"])
def test_bucket_names_s3_rejects_are_invalid(name):
    assert not valid_bucket_name(name)


@pytest.mark.parametrize("name", ["abc", "my.bucket-1", "a" * 63])
def test_bucket_names_s3_accepts_are_valid(name):
    assert valid_bucket_name(name)


def test_virtual_hosted_and_path_style_name_the_same_object():
    vhost = parse_target({"PATH_INFO": "/k/e", "HTTP_HOST": "bkt.s3.local:8080"}, ["s3.local"])
    path = parse_target({"PATH_INFO": "/bkt/k/e", "HTTP_HOST": "127.0.0.1"}, ["s3.local"])
    assert (vhost.bucket, vhost.key) == (path.bucket, path.key) == ("bkt", "k/e")
    assert vhost.auth_path == path.auth_path == "/bkt/k/e"


def test_error_bodies_name_code_message_resource_and_request_id():
    body = error_body(S3Error("NoSuchKey", Key="a<b"), "/b/a<b", "tx1").decode()
    for part in ("<Code>NoSuchKey</Code>", "<Resource>/b/a&lt;b</Resource>",
                 "<RequestId>tx1</RequestId>", "<Key>a&lt;b</Key>", "<Message>"):
        assert part in body


def test_a_session_token_anywhere_is_invalid_token():
    from objstore.middleware.s3api.errors import S3Error
    auth.refuse_session_token(["x-amz-date", "authorization"])
    for names in (["X-Amz-Security-Token"], ["x-amz-security-token", "key"]):
        with pytest.raises(S3Error) as err:
            auth.refuse_session_token(names)
        assert (err.value.status, err.value.code) == (400, "InvalidToken")


def test_a_wrong_chunk_signature_shows_what_was_signed():
    body = signed_chunked([b"hello " * 2000, b"world"], tamper_index=1)
    with pytest.raises(S3Error) as err:
        decode(body, ChunkSigner(KEY, DATE, SCOPE, SEED, "test:tester", "PUT\n/b/k"))
    extra = err.value.extra
    assert extra["AWSAccessKeyId"] == "test:tester"
    assert extra["StringToSign"].startswith("AWS4-HMAC-SHA256-PAYLOAD\n%s\n" % DATE)
    assert extra["StringToSignBytes"].startswith("41 57 53 34")
    assert extra["CanonicalRequest"] == "PUT\n/b/k" and "SignatureProvided" in extra


def test_a_signed_trailer_section_without_a_trailer_is_incomplete_body():
    body = signed_chunked([b"abc"])[:-2] + b"x-amz-trailer-signature:%s\r\n\r\n" % (
        b"0" * 64)
    with pytest.raises(S3Error) as err:
        decode(body, ChunkSigner(KEY, DATE, SCOPE, SEED), signed_trailer=True)
    assert err.value.code == "IncompleteBody"


class _Answer:
    """A subrequest's answer: its body in chunks, the chunks it handed out."""

    def __init__(self, chunks, length=None):
        self.chunks, self.length, self.read, self.closed = chunks, length, 0, False

    def header(self, name, default=None):
        return self.length if name == "content-length" else default

    @property
    def app_iter(self):
        for chunk in self.chunks:
            self.read += 1
            yield chunk

    def close(self):
        self.closed = True


def test_a_manifest_is_read_only_up_to_the_largest_one_can_be():
    """Every reader of a completed upload's manifest (GET, HEAD with a
    range, GetObjectAttributes, a lock change, a delete) goes through
    ``read_segments``: a body longer than a manifest of that many parts is
    not read (by its length, or as it comes when none is given), and a
    body that is no manifest is none; the answer is closed either way."""
    entry = b'{"name": "/b+segments/k/u/000001", "hash": "e", "bytes": 5}'
    good = _Answer([b"[", entry, b"]"], str(len(entry) + 2))
    assert [(s.path, s.size) for s in manifest.read_segments(good, 1)] == \
        [("b+segments/k/u/000001", 5)]
    assert good.closed
    limit = manifest.MAX_ENTRY_BYTES * 2
    long_by_length = _Answer([b"x" * 100], str(limit + 1))
    assert manifest.read_segments(long_by_length, 2) is None
    assert long_by_length.read == 0 and long_by_length.closed
    endless = _Answer(iter(lambda: b"x" * 1000, None))
    assert manifest.read_segments(endless, 2) is None
    assert endless.read == limit // 1000 + 1 and endless.closed
    for body in (b"not json", b'{"a": 1}', b"5", b'[{"name": 1}]'):
        damaged = _Answer([body], str(len(body)))
        assert manifest.read_segments(damaged, 2) is None and damaged.closed
