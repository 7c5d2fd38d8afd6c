"""Ranged S3 GETs go through the one Range parser but keep S3's answers:
one range is served, several are ignored (the whole object, 200), and
whitespace is tolerated as for the Swift API."""

import pytest

from tests.functional.s3.test_s3_clients import bucket, code_of, s3  # noqa: F401

BODY = b"0123456789"


@pytest.mark.parametrize("key", ["plain", "multipart"])
def test_several_ranges_get_the_whole_object(s3, bucket, key):
    _put(s3, bucket, key)
    got = s3.get_object(Bucket=bucket, Key=key, Range="bytes=0-1,4-5")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert got["Body"].read() == BODY
    assert "ContentRange" not in got


@pytest.mark.parametrize("key", ["plain", "multipart"])
@pytest.mark.parametrize("byte_range,body,content_range", [
    ("bytes=2-4", b"234", "bytes 2-4/10"),
    ("bytes = 2 - 4", b"234", "bytes 2-4/10"),
    ("bytes=-3", b"789", "bytes 7-9/10"),
    ("bytes=8-", b"89", "bytes 8-9/10"),
])
def test_one_range_is_served_with_its_content_range(s3, bucket, key, byte_range, body,
                                                    content_range):
    _put(s3, bucket, key)
    got = s3.get_object(Bucket=bucket, Key=key, Range=byte_range)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert (got["Body"].read(), got["ContentRange"]) == (body, content_range)


@pytest.mark.parametrize("key", ["plain", "multipart"])
def test_a_range_past_the_end_is_invalid_range(s3, bucket, key):
    _put(s3, bucket, key)
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key=key, Range="bytes=10-")) \
        == ("InvalidRange", 416)


@pytest.mark.parametrize("key", ["plain", "multipart"])
def test_a_head_with_one_range_answers_206_with_the_range_length(s3, bucket, key):
    _put(s3, bucket, key)
    got = s3.head_object(Bucket=bucket, Key=key, Range="bytes=1-5")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert (got["ContentLength"], got["ContentRange"]) == (5, "bytes 1-5/10")
    whole = s3.head_object(Bucket=bucket, Key=key, Range="bytes=0-1,4-5")
    assert (whole["ResponseMetadata"]["HTTPStatusCode"], whole["ContentLength"]) == (200, 10)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key=key, Range="bytes=10-"))[1] == 416


def _put(s3, bucket, key):
    if key == "plain":
        s3.put_object(Bucket=bucket, Key=key, Body=BODY)
        return
    up = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=1, Body=BODY)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": etag}]})
