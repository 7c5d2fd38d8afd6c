"""S3 conditional writes (If-Match / If-None-Match on PutObject and
CompleteMultipartUpload) with boto3 against the live SAIO: S3's statuses,
and the stored object left as it was when a condition fails."""

import hashlib

import pytest

from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_s3_clients import bucket, code_of, s3  # noqa: F401 (fixtures)


def _body(s3, bucket, key):
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_if_none_match_star_creates_once_then_is_412_and_keeps_the_first(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first", IfNoneMatch="*")
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"second",
                                         IfNoneMatch="*")) == ("PreconditionFailed", 412)
    assert _body(s3, bucket, "k") == b"first"


def test_if_match_overwrites_only_the_named_etag(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["ETag"]
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"v2",
                                         IfMatch='"%s"' % hashlib.md5(b"x").hexdigest())) \
        == ("PreconditionFailed", 412)
    assert _body(s3, bucket, "k") == b"v1"
    s3.put_object(Bucket=bucket, Key="k", Body=b"v2", IfMatch=etag)
    assert _body(s3, bucket, "k") == b"v2"


def test_if_match_on_a_missing_key_is_no_such_key_and_writes_nothing(s3, bucket):
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="absent", Body=b"x",
                                         IfMatch='"%s"' % hashlib.md5(b"x").hexdigest())) \
        == ("NoSuchKey", 404)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="absent"))[1] == 404


@pytest.mark.parametrize("headers", [{"If-None-Match": '"abc"'},
                                     {"If-None-Match": "*", "If-Match": '"abc"'}])
def test_other_if_none_match_forms_are_not_implemented(bucket, headers):
    resp = s3_raw("PUT", "/%s/k" % bucket, headers=headers, body=b"x")
    assert resp.status == 501 and b"<Code>NotImplemented</Code>" in resp.body


def _multipart(s3, bucket, key, data):
    up = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=1, Body=data)
    return up, {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}


def test_complete_with_if_none_match_refuses_an_existing_key_and_keeps_the_upload(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"there")
    up, parts = _multipart(s3, bucket, "k", b"m" * 100)
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=up, MultipartUpload=parts, IfNoneMatch="*")) \
        == ("PreconditionFailed", 412)
    assert _body(s3, bucket, "k") == b"there"
    s3.delete_object(Bucket=bucket, Key="k")
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up, MultipartUpload=parts,
                                 IfNoneMatch="*")
    assert _body(s3, bucket, "k") == b"m" * 100


def test_complete_with_if_match(s3, bucket):
    up, parts = _multipart(s3, bucket, "k", b"m" * 100)
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=up, MultipartUpload=parts,
        IfMatch='"%s"' % hashlib.md5(b"x").hexdigest())) == ("NoSuchKey", 404)
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"old")["ETag"]
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=up, MultipartUpload=parts,
        IfMatch='"%s"' % hashlib.md5(b"x").hexdigest())) == ("PreconditionFailed", 412)
    assert _body(s3, bucket, "k") == b"old"
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up, MultipartUpload=parts,
                                 IfMatch=etag)
    assert _body(s3, bucket, "k") == b"m" * 100
