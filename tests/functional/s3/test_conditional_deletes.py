"""S3 conditional deletes (If-Match, x-amz-if-match-size and
x-amz-if-match-last-modified-time on DeleteObject; ETag, Size and
LastModifiedTime of an Object in DeleteObjects) with boto3 against the live
SAIO, on replicated and EC buckets, plain, multipart, versioned: S3's
statuses, and the object left as it was when a condition fails."""

import datetime
import uuid

import pytest

from tests.functional.conftest import connect
from tests.functional.s3.test_s3_clients import (  # noqa: F401 (fixtures)
    bucket, code_of, delete_bucket_and_contents, s3)

WRONG = '"%s"' % ("0" * 32)


@pytest.fixture(params=["replicated", "ec21"])
def any_bucket(request, s3):
    """A bucket in the replicated policy, or one made with the Swift API in EC."""
    name = "s3cd-" + uuid.uuid4().hex[:10]
    if request.param == "replicated":
        s3.create_bucket(Bucket=name)
    else:
        connect("admin").put_container(name, headers={"X-Storage-Policy": request.param})
    yield name
    delete_bucket_and_contents(s3, name)


def _exists(s3, bucket, key):
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except s3.exceptions.ClientError:
        return False


def test_if_match_deletes_only_the_named_etag(s3, any_bucket):
    etag = s3.put_object(Bucket=any_bucket, Key="k", Body=b"v1")["ETag"]
    assert code_of(lambda: s3.delete_object(Bucket=any_bucket, Key="k", IfMatch=WRONG)) == \
        ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=any_bucket, Key="k")["Body"].read() == b"v1"
    resp = s3.delete_object(Bucket=any_bucket, Key="k", IfMatch=etag)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert not _exists(s3, any_bucket, "k")


def test_if_match_star_deletes_any_object_and_a_missing_key_is_no_such_key(s3, any_bucket):
    s3.put_object(Bucket=any_bucket, Key="k", Body=b"v1")
    s3.delete_object(Bucket=any_bucket, Key="k", IfMatch="*")
    assert not _exists(s3, any_bucket, "k")
    assert code_of(lambda: s3.delete_object(Bucket=any_bucket, Key="k", IfMatch="*")) == \
        ("NoSuchKey", 404)


def test_if_match_of_a_multipart_object_is_its_s3_etag(s3, bucket):
    from tests.functional.s3.test_conditional_writes import _multipart
    up, parts = _multipart(s3, bucket, "m", b"p" * 100)
    etag = s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=up,
                                        MultipartUpload=parts)["ETag"]
    assert etag.endswith('-1"')
    part_etag = parts["Parts"][0]["ETag"]
    assert code_of(lambda: s3.delete_object(Bucket=bucket, Key="m", IfMatch=part_etag)) \
        == ("PreconditionFailed", 412)
    s3.delete_object(Bucket=bucket, Key="m", IfMatch=etag)
    assert not _exists(s3, bucket, "m")
    # Its parts went with it.
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_size_and_last_modified_time_conditions(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"12345")
    modified = s3.head_object(Bucket=bucket, Key="k")["LastModified"]
    assert code_of(lambda: s3.delete_object(Bucket=bucket, Key="k", IfMatchSize=4)) == \
        ("PreconditionFailed", 412)
    assert code_of(lambda: s3.delete_object(
        Bucket=bucket, Key="k",
        IfMatchLastModifiedTime=modified - datetime.timedelta(seconds=1))) == \
        ("PreconditionFailed", 412)
    assert _exists(s3, bucket, "k")
    s3.delete_object(Bucket=bucket, Key="k", IfMatchSize=5, IfMatchLastModifiedTime=modified)
    assert not _exists(s3, bucket, "k")
    # A missing object: deleted as usual (nothing), as S3 documents for these two.
    resp = s3.delete_object(Bucket=bucket, Key="k", IfMatchSize=5)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_conditional_delete_in_a_versioned_bucket(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")
    second = s3.put_object(Bucket=bucket, Key="k", Body=b"v2")
    # Judged against the current version: v1's ETag fails, nothing is added.
    assert code_of(lambda: s3.delete_object(Bucket=bucket, Key="k",
                                            IfMatch=first["ETag"])) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v2"
    # With a version id, against that version; a mismatch keeps it.
    assert code_of(lambda: s3.delete_object(Bucket=bucket, Key="k",
                                            VersionId=first["VersionId"],
                                            IfMatch=second["ETag"])) == ("PreconditionFailed", 412)
    s3.delete_object(Bucket=bucket, Key="k", VersionId=first["VersionId"], IfMatch=first["ETag"])
    ids = [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket).get("Versions", [])]
    assert ids == [second["VersionId"]]
    marker = s3.delete_object(Bucket=bucket, Key="k", IfMatch=second["ETag"])
    assert marker["DeleteMarker"] is True
    # Now a delete marker is on top: If-Match finds no object.
    assert code_of(lambda: s3.delete_object(Bucket=bucket, Key="k", IfMatch="*")) == \
        ("NoSuchKey", 404)
    for version in s3.list_object_versions(Bucket=bucket).get("Versions", []) + \
            s3.list_object_versions(Bucket=bucket).get("DeleteMarkers", []):
        s3.delete_object(Bucket=bucket, Key="k", VersionId=version["VersionId"])


def test_delete_objects_judges_each_objects_conditions(s3, bucket):
    etags = {key: s3.put_object(Bucket=bucket, Key=key, Body=key.encode())["ETag"]
             for key in ("a", "b", "c", "d")}
    resp = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "a", "ETag": etags["a"]},
        {"Key": "b", "ETag": WRONG},
        {"Key": "c", "Size": 99},
        {"Key": "d", "Size": 1},
        {"Key": "missing", "ETag": WRONG}]})
    assert sorted(d["Key"] for d in resp["Deleted"]) == ["a", "d"]
    assert sorted((e["Key"], e["Code"]) for e in resp["Errors"]) == [
        ("b", "PreconditionFailed"), ("c", "PreconditionFailed"), ("missing", "NoSuchKey")]
    assert [_exists(s3, bucket, k) for k in "abcd"] == [False, True, True, False]


def test_a_malformed_size_is_invalid_argument_and_deletes_nothing(s3, bucket):
    from tests.functional.s3.signed import s3_raw
    s3.put_object(Bucket=bucket, Key="k", Body=b"v1")
    resp = s3_raw("DELETE", "/%s/k" % bucket, headers={"x-amz-if-match-size": "many"})
    assert resp.status == 400 and b"<Code>InvalidArgument</Code>" in resp.body
    assert _exists(s3, bucket, "k")


def test_the_aws_cli_deletes_with_if_match(s3, bucket):
    from tests.functional.s3.test_s3_clients import aws
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["ETag"]
    failed = aws("s3api", "delete-object", "--bucket", bucket, "--key", "k",
                 "--if-match", WRONG)
    assert failed.returncode != 0 and "PreconditionFailed" in failed.stderr
    assert _exists(s3, bucket, "k")
    done = aws("s3api", "delete-object", "--bucket", bucket, "--key", "k", "--if-match", etag)
    assert done.returncode == 0, done.stderr
    assert not _exists(s3, bucket, "k")
