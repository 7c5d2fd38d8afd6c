"""Versioning the way S3 answers it, with boto3 and raw signed requests
against the live SAIO: delete-marker headers, suspended buckets' single
``null`` version, CopyObject / UploadPartCopy from a version."""

import pytest

from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_s3_clients import code_of
from tests.functional.s3.test_versioning import _empty, s3, vbucket  # noqa: F401 (fixtures)


def _versions(s3, bucket):
    listing = s3.list_object_versions(Bucket=bucket)
    rows = [(v["Key"], v["VersionId"], v["IsLatest"], "v") for v in listing.get("Versions", [])]
    rows += [(m["Key"], m["VersionId"], m["IsLatest"], "m")
             for m in listing.get("DeleteMarkers", [])]
    return sorted(rows)


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_reading_a_key_whose_latest_version_is_a_delete_marker(s3, vbucket, method):
    s3.put_object(Bucket=vbucket, Key="k", Body=b"data")
    marker = s3.delete_object(Bucket=vbucket, Key="k")["VersionId"]
    plain = s3_raw(method, "/%s/k" % vbucket)
    assert plain.status == 404
    assert plain.headers.get("x-amz-delete-marker") == "true"
    assert plain.headers.get("x-amz-version-id") == marker
    if method == "GET":
        assert b"<Code>NoSuchKey</Code>" in plain.body
    by_id = s3_raw(method, "/%s/k" % vbucket, query={"versionId": marker})
    assert by_id.status == 405 and by_id.headers.get("x-amz-delete-marker") == "true"
    assert by_id.headers.get("x-amz-version-id") == marker


def test_a_missing_key_in_a_versioned_bucket_has_no_delete_marker_header(s3, vbucket):
    resp = s3_raw("HEAD", "/%s/never" % vbucket)
    assert resp.status == 404 and "x-amz-delete-marker" not in resp.headers


def test_suspended_put_replaces_the_archived_null_version(s3, vbucket):
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=vbucket, Key="k", Body=b"null-1")
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Enabled"})
    real = s3.put_object(Bucket=vbucket, Key="k", Body=b"real")["VersionId"]
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=vbucket, Key="k", Body=b"null-2")
    assert _versions(s3, vbucket) == sorted([("k", real, False, "v"), ("k", "null", True, "v")])
    assert s3.get_object(Bucket=vbucket, Key="k", VersionId="null")["Body"].read() == b"null-2"
    assert s3.get_object(Bucket=vbucket, Key="k", VersionId=real)["Body"].read() == b"real"


def test_suspended_delete_removes_the_null_version_and_leaves_a_null_marker(s3, vbucket):
    real = s3.put_object(Bucket=vbucket, Key="k", Body=b"real")["VersionId"]
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=vbucket, Key="k", Body=b"null")
    deleted = s3.delete_object(Bucket=vbucket, Key="k")
    assert deleted["DeleteMarker"] is True and deleted["VersionId"] == "null"
    assert _versions(s3, vbucket) == sorted([("k", "null", True, "m"), ("k", real, False, "v")])
    head = s3_raw("HEAD", "/%s/k" % vbucket)
    assert head.status == 404 and head.headers.get("x-amz-version-id") == "null"
    # A real current version is archived, not lost, under the null marker.
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Enabled"})
    newer = s3.put_object(Bucket=vbucket, Key="j", Body=b"j")["VersionId"]
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.delete_object(Bucket=vbucket, Key="j")["VersionId"] == "null"
    assert s3.get_object(Bucket=vbucket, Key="j", VersionId=newer)["Body"].read() == b"j"
    # Deleting the null marker by id brings the newest real version back.
    s3.delete_object(Bucket=vbucket, Key="k", VersionId="null")
    assert s3.get_object(Bucket=vbucket, Key="k")["Body"].read() == b"real"


def test_copy_object_from_a_version_id(s3, vbucket):
    old = s3.put_object(Bucket=vbucket, Key="src", Body=b"old")["VersionId"]
    s3.put_object(Bucket=vbucket, Key="src", Body=b"new")
    copied = s3.copy_object(Bucket=vbucket, Key="dst",
                            CopySource={"Bucket": vbucket, "Key": "src", "VersionId": old})
    assert copied["CopySourceVersionId"] == old and copied["VersionId"] not in (old, "null")
    assert s3.get_object(Bucket=vbucket, Key="dst")["Body"].read() == b"old"
    marker = s3.delete_object(Bucket=vbucket, Key="src")["VersionId"]
    assert code_of(lambda: s3.copy_object(
        Bucket=vbucket, Key="dst2",
        CopySource={"Bucket": vbucket, "Key": "src", "VersionId": marker})) \
        == ("InvalidRequest", 400)
    assert code_of(lambda: s3.copy_object(
        Bucket=vbucket, Key="dst2",
        CopySource={"Bucket": vbucket, "Key": "src", "VersionId": "1.00000"})) \
        == ("NoSuchVersion", 404)
    assert code_of(lambda: s3.copy_object(
        Bucket=vbucket, Key="dst2", CopySource={"Bucket": vbucket, "Key": "src"}))[1] == 404


def test_upload_part_copy_from_a_version_id(s3, vbucket):
    old = s3.put_object(Bucket=vbucket, Key="src", Body=b"o" * 10)["VersionId"]
    s3.put_object(Bucket=vbucket, Key="src", Body=b"n" * 10)
    up = s3.create_multipart_upload(Bucket=vbucket, Key="mp")["UploadId"]
    part = s3.upload_part_copy(Bucket=vbucket, Key="mp", UploadId=up, PartNumber=1,
                               CopySource={"Bucket": vbucket, "Key": "src", "VersionId": old},
                               CopySourceRange="bytes=2-5")
    assert part["CopySourceVersionId"] == old
    s3.complete_multipart_upload(Bucket=vbucket, Key="mp", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=vbucket, Key="mp")["Body"].read() == b"oooo"
