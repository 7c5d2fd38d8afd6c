"""Requests S3 refuses before looking at what they ask: a HEAD of the
service (405) and a DeleteObjects whose key list carries no integrity check
(400), checked with raw signed requests against the live SAIO."""

from __future__ import annotations

from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_s3_clients import bucket, s3  # noqa: F401

DELETE_BODY = b"<Delete><Object><Key>k</Key></Object></Delete>"


def test_head_of_the_service_is_method_not_allowed():
    resp = s3_raw("HEAD", "/")
    assert resp.status == 405 and resp.body == b""


def test_head_of_the_service_with_a_wrong_secret_is_still_forbidden():
    assert s3_raw("HEAD", "/", secret="wrong").status == 403


def test_get_of_the_service_still_lists_buckets(bucket):
    resp = s3_raw("GET", "/")
    assert resp.status == 200 and bucket.encode() in resp.body


def test_delete_objects_without_content_md5_or_checksum_is_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"kept")
    resp = s3_raw("POST", "/%s" % bucket, query={"delete": ""}, body=DELETE_BODY)
    assert resp.status == 400
    assert b"<Code>InvalidRequest</Code>" in resp.body
    assert b"<Message>Missing required header for this request: Content-MD5 OR " \
        b"x-amz-checksum-*</Message>" in resp.body
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"kept"


def test_delete_objects_with_a_crc32_is_done(s3, bucket):
    import base64
    import struct
    import zlib
    s3.put_object(Bucket=bucket, Key="k", Body=b"gone")
    crc = base64.b64encode(struct.pack("!I", zlib.crc32(DELETE_BODY))).decode()
    resp = s3_raw("POST", "/%s" % bucket, query={"delete": ""}, body=DELETE_BODY,
                  headers={"x-amz-checksum-crc32": crc})
    assert resp.status == 200 and b"<Deleted>" in resp.body
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_a_wrong_secret_shows_the_string_to_sign_and_canonical_request():
    resp = s3_raw("GET", "/", secret="wrong")
    assert resp.status == 403
    for element in (b"<Code>SignatureDoesNotMatch</Code>", b"<AWSAccessKeyId>test:tester<",
                    b"<StringToSign>AWS4-HMAC-SHA256\n", b"<SignatureProvided>",
                    b"<StringToSignBytes>41 57 53 34", b"<CanonicalRequest>GET\n/\n",
                    b"<CanonicalRequestBytes>"):
        assert element in resp.body
    assert b"wrong" not in resp.body


def test_create_bucket_answers_the_bucket_path_as_location(s3):
    import uuid
    name = "s3fn-" + uuid.uuid4().hex[:12]
    resp = s3_raw("PUT", "/" + name)
    try:
        assert resp.status == 200 and resp.headers["location"] == "/" + name
    finally:
        s3.delete_bucket(Bucket=name)
