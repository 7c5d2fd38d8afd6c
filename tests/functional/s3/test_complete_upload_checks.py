"""What CompleteMultipartUpload demands of its part list, and how a retry
with another list is answered, as S3 does (boto3 against the live SAIO)."""

from __future__ import annotations

import botocore.exceptions
import pytest

from tests.functional.s3.test_s3_clients import bucket, s3  # noqa: F401

PART = b"p" * (5 * 1024 * 1024)


def _upload(s3, bucket, count):
    up = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key="k", UploadId=up,
                                                      PartNumber=n, Body=PART)["ETag"]}
             for n in range(1, count + 1)]
    return up, parts


def _error(call):
    with pytest.raises(botocore.exceptions.ClientError) as err:
        call()
    return err.value.response


def test_a_part_without_an_etag_is_malformed_xml(s3, bucket):
    up, parts = _upload(s3, bucket, 1)
    resp = _error(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=up, MultipartUpload={"Parts": [{"PartNumber": 1}]}))
    assert resp["Error"]["Code"] == "MalformedXML"
    assert resp["Error"]["Message"] == ("The XML you provided was not well-formed or did "
                                        "not validate against our published schema")
    s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up)


def test_an_empty_etag_is_invalid_part(s3, bucket):
    up, parts = _upload(s3, bucket, 1)
    resp = _error(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=up,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": ""}]}))
    assert resp["Error"]["Code"] == "InvalidPart"
    assert resp["Error"]["Message"].startswith("One or more of the specified parts could "
                                               "not be found.  The part may not have been")
    assert (resp["Error"]["UploadId"], resp["Error"]["PartNumber"]) == (up, "1")
    s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up)


def test_a_retried_complete_with_other_parts_is_no_such_upload(s3, bucket):
    up, parts = _upload(s3, bucket, 2)
    first = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up,
                                         MultipartUpload={"Parts": parts[:1]})
    resp = _error(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=up, MultipartUpload={"Parts": parts}))
    assert (resp["ResponseMetadata"]["HTTPStatusCode"], resp["Error"]["Code"]) == \
        (404, "NoSuchUpload")
    again = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up,
                                         MultipartUpload={"Parts": parts[:1]})
    assert again["ETag"] == first["ETag"]
