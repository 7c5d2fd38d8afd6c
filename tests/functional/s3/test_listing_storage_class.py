"""Listings show the storage class an object was written with (boto3 on the
live SAIO; found with `aws s3 cp --storage-class` then `list-objects-v2`,
which showed STANDARD): PutObject, a multipart upload, a copy asking for a
class and one not asking, ListObjects v1/v2 and ListObjectVersions; HEAD
keeps showing the class and the Content-Type without our parameter."""

from __future__ import annotations

from tests.functional.s3.test_s3_clients import bucket, s3  # noqa: F401

PART = b"p" * (5 * 1024 * 1024)


def _classes(listing, field="Contents"):
    return {o["Key"]: o["StorageClass"] for o in listing.get(field, [])}


def test_listings_show_the_class_each_write_asked_for(s3, bucket):
    s3.put_object(Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA",
                  ContentType="text/plain")
    s3.put_object(Bucket=bucket, Key="std", Body=b"x")
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", StorageClass="STANDARD_IA")
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1,
                          Body=PART)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    s3.copy_object(Bucket=bucket, Key="copy-ia", CopySource={"Bucket": bucket, "Key": "std"},
                   StorageClass="STANDARD_IA")
    s3.copy_object(Bucket=bucket, Key="copy-std", CopySource={"Bucket": bucket, "Key": "ia"})
    want = {"ia": "STANDARD_IA", "std": "STANDARD", "mp": "STANDARD_IA",
            "copy-ia": "STANDARD_IA", "copy-std": "STANDARD"}
    assert _classes(s3.list_objects_v2(Bucket=bucket)) == want
    assert _classes(s3.list_objects(Bucket=bucket)) == want
    head = s3.head_object(Bucket=bucket, Key="ia")
    assert head["StorageClass"] == "STANDARD_IA" and head["ContentType"] == "text/plain"
    assert "s3_sc" not in s3.head_object(Bucket=bucket, Key="copy-ia")["ContentType"]


def test_version_listings_show_the_class_too(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="v", Body=b"1", StorageClass="STANDARD_IA")
    s3.put_object(Bucket=bucket, Key="v", Body=b"2")
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    by_latest = {v["IsLatest"]: v["StorageClass"] for v in versions}
    assert by_latest == {True: "STANDARD", False: "STANDARD_IA"}


def test_the_swift_api_shows_the_content_type_without_the_class(s3, bucket):
    """The class is kept for S3 listings; a Swift API client reads the
    object's own Content-Type, as from Swift (HEAD, GET, a multipart one)."""
    from tests.functional.conftest import connect
    s3.put_object(Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA",
                  ContentType="text/plain; charset=utf-8")
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", StorageClass="STANDARD_IA",
                                    ContentType="text/x-mp")
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1,
                          Body=b"p")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    conn = connect("admin")
    assert conn.head_object(bucket, "ia")["content-type"] == "text/plain; charset=utf-8"
    assert conn.get_object(bucket, "ia")[0]["content-type"] == "text/plain; charset=utf-8"
    assert conn.head_object(bucket, "mp")["content-type"] == "text/x-mp"
    assert _classes(s3.list_objects_v2(Bucket=bucket)) == {"ia": "STANDARD_IA",
                                                           "mp": "STANDARD_IA"}
