"""Multipart uploads as S3 clients retry and page them, with boto3 against the
live SAIO: a repeated Complete, UploadPartCopy ranges, listing pages."""

import botocore
import pytest

from tests.functional.s3.test_s3_clients import bucket, client, code_of, s3  # noqa: F401


def _upload(s3, bucket, key, parts=(b"p" * 100,)):
    up = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    done = []
    for number, data in enumerate(parts, 1):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=number,
                              Body=data)["ETag"]
        done.append({"PartNumber": number, "ETag": etag})
    return up, {"Parts": done}


def test_a_repeated_complete_answers_the_same_etag(s3, bucket):
    up, parts = _upload(s3, bucket, "mp")
    first = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up,
                                         MultipartUpload=parts)
    again = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up,
                                         MultipartUpload=parts)
    assert again["ETag"] == first["ETag"] and again["Key"] == "mp"
    assert "VersionId" not in again
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"p" * 100


def test_a_repeated_complete_after_an_overwrite_is_no_such_upload(s3, bucket):
    up, parts = _upload(s3, bucket, "mp")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up, MultipartUpload=parts)
    s3.put_object(Bucket=bucket, Key="mp", Body=b"newer")
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=up, MultipartUpload=parts)) == ("NoSuchUpload", 404)
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"newer"


def test_an_aborted_upload_is_not_completed_by_a_retry(s3, bucket):
    up, parts = _upload(s3, bucket, "mp")
    s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=up)
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=up, MultipartUpload=parts)) == ("NoSuchUpload", 404)


@pytest.mark.parametrize("copy_range", ["bytes=50-60", "bytes=0-50", "bytes=60-70"])
def test_upload_part_copy_outside_the_source_is_invalid_argument(s3, bucket, copy_range):
    s3.put_object(Bucket=bucket, Key="src", Body=b"s" * 50)
    up = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    try:
        assert code_of(lambda: s3.upload_part_copy(
            Bucket=bucket, Key="dst", UploadId=up, PartNumber=1,
            CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange=copy_range)) \
            == ("InvalidArgument", 400)
        ok = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=up, PartNumber=1,
                                 CopySource={"Bucket": bucket, "Key": "src"},
                                 CopySourceRange="bytes=10-49")
        assert ok["CopyPartResult"]["ETag"]
    finally:
        s3.abort_multipart_upload(Bucket=bucket, Key="dst", UploadId=up)


def test_non_ascii_keys_go_through_multipart_copy_and_versions(s3, bucket):
    key = "d\u00e9j\u00e0/\u65e5\u672c"
    up, parts = _upload(s3, bucket, key)
    assert s3.list_parts(Bucket=bucket, Key=key, UploadId=up)["Key"] == key
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key=key,
                                                   UploadId=up)["Parts"]] == [1]
    assert [u["Key"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [key]
    done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up,
                                        MultipartUpload=parts)
    assert done["Key"] == key
    s3.copy_object(Bucket=bucket, Key=key + "-copy", CopySource={"Bucket": bucket, "Key": key})
    assert s3.get_object(Bucket=bucket, Key=key + "-copy")["Body"].read() == b"p" * 100
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    try:
        first = s3.put_object(Bucket=bucket, Key=key, Body=b"v1")["VersionId"]
        s3.put_object(Bucket=bucket, Key=key, Body=b"v2")
        assert s3.get_object(Bucket=bucket, Key=key, VersionId=first)["Body"].read() == b"v1"
        listed = s3.list_object_versions(Bucket=bucket, Prefix=key + "-")
        assert [v["Key"] for v in listed["Versions"]] == [key + "-copy"]
    finally:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
                s3.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])


def test_complete_checks_the_declared_object_size(s3, bucket):
    up, parts = _upload(s3, bucket, "mp")
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=up, MultipartUpload=parts, MpuObjectSize=99)) \
        == ("InvalidRequest", 400)
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up, MultipartUpload=parts,
                                 MpuObjectSize=100)
    assert s3.head_object(Bucket=bucket, Key="mp")["ContentLength"] == 100


def test_deleting_a_bucket_removes_its_uploads_parts(s3):
    import uuid
    name = "s3fn-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    up, _parts = _upload(s3, name, "mp", parts=(b"1", b"2", b"3"))
    s3.delete_bucket(Bucket=name)
    assert code_of(lambda: s3.head_bucket(Bucket=name))[1] == 404
    s3.create_bucket(Bucket=name)
    try:
        assert s3.list_multipart_uploads(Bucket=name).get("Uploads", []) == []
    finally:
        s3.delete_bucket(Bucket=name)


def _segment_names(bucket):
    from tests.functional.conftest import connect
    conn = connect("admin")
    return [o["name"] for o in conn.get_container(bucket + "+segments")[1]]


@pytest.mark.parametrize("how", ["put", "copy"])
def test_overwriting_a_multipart_object_drops_its_parts(s3, bucket, how):
    for key in ("first", "mp"):  # the first Complete marks the bucket
        up, parts = _upload(s3, bucket, key)
        s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up,
                                     MultipartUpload=parts)
    assert len([n for n in _segment_names(bucket) if n.startswith("mp/")]) == 1
    if how == "put":
        s3.put_object(Bucket=bucket, Key="mp", Body=b"plain")
    else:
        s3.copy_object(Bucket=bucket, Key="mp", CopySource={"Bucket": bucket, "Key": "mp"},
                       MetadataDirective="REPLACE")
    assert [n for n in _segment_names(bucket) if n.startswith("mp/")] == []
    assert len([n for n in _segment_names(bucket) if n.startswith("first/")]) == 1
    expected = b"plain" if how == "put" else b"p" * 100
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == expected
