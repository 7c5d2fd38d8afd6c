"""Meaning-changing request headers objstore does not implement are refused
before anything is stored (header_audit.py), with boto3 and the aws CLI
against the live SAIO; the expected bucket owner is checked."""

import hashlib
import uuid

import botocore
import pytest

from tests.functional.s3.signed import s3_raw
from tests.functional.test_encryption import MARK, _files_of
from tests.functional.s3.test_s3_clients import bucket, code_of, s3  # noqa: F401

OWNER = "AUTH_test"  # the account of test:tester is the buckets' owner


def _absent(s3, bucket, key):
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key=key))[1] == 404


def test_sse_kms_is_refused(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as err:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                      SSEKMSKeyId="my-key")
    assert (err.value.response["Error"]["Code"],
            err.value.response["ResponseMetadata"]["HTTPStatusCode"]) == ("NotImplemented", 501)
    assert "KMS" in err.value.response["Error"]["Message"]
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x",
                                         ServerSideEncryption="rot13")) == \
        ("InvalidArgument", 400)
    _absent(s3, bucket, "k")


def test_sse_s3_is_honoured_by_encryption_at_rest(s3, bucket):
    """The SAIO runs keymaster + encryption after s3api: AES256 is what it
    does to every object, so the header is accepted and echoed."""
    key = "sse-" + uuid.uuid4().hex[:8]
    body = MARK * 1000
    put = s3.put_object(Bucket=bucket, Key=key, Body=body, ServerSideEncryption="AES256")
    assert put["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
    on_disk = _files_of(key)
    assert on_disk and not any(MARK in data for data in on_disk)
    copy = s3.copy_object(Bucket=bucket, Key=key + "-copy", ServerSideEncryption="AES256",
                          CopySource={"Bucket": bucket, "Key": key})
    assert copy["ServerSideEncryption"] == "AES256"
    up = s3.create_multipart_upload(Bucket=bucket, Key=key + "-mpu",
                                    ServerSideEncryption="AES256")
    assert up["ServerSideEncryption"] == "AES256"
    s3.abort_multipart_upload(Bucket=bucket, Key=key + "-mpu", UploadId=up["UploadId"])
    # Every object is encrypted at rest: S3's default encryption, reported as such.
    assert s3.put_object(Bucket=bucket, Key="plain", Body=b"x")["ServerSideEncryption"] == \
        "AES256"
    assert s3.head_object(Bucket=bucket, Key="plain")["ServerSideEncryption"] == "AES256"


def test_object_lock_headers_are_refused_without_object_lock(s3, bucket):
    # Implemented (test_object_lock.py), but this bucket has no object lock.
    assert code_of(lambda: s3.put_object(
        Bucket=bucket, Key="locked", Body=b"x", ObjectLockMode="COMPLIANCE",
        ObjectLockRetainUntilDate="2030-01-01T00:00:00Z")) == ("InvalidRequest", 400)
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="locked", Body=b"x",
                                         ObjectLockLegalHoldStatus="ON")) == \
        ("InvalidRequest", 400)
    _absent(s3, bucket, "locked")


def test_website_redirect_is_refused(s3, bucket):
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="r", Body=b"x",
                                         WebsiteRedirectLocation="/elsewhere")) == \
        ("NotImplemented", 501)
    _absent(s3, bucket, "r")


def test_expected_bucket_owner(s3, bucket):
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="o", Body=b"x",
                                         ExpectedBucketOwner="123456789012")) == \
        ("AccessDenied", 403)
    _absent(s3, bucket, "o")
    s3.put_object(Bucket=bucket, Key="o", Body=b"x", ExpectedBucketOwner=OWNER)
    assert s3.get_object(Bucket=bucket, Key="o", ExpectedBucketOwner=OWNER)["Body"].read() \
        == b"x"
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="o",
                                         ExpectedBucketOwner="AUTH_other")) == \
        ("AccessDenied", 403)
    assert code_of(lambda: s3.copy_object(
        Bucket=bucket, Key="o2", CopySource={"Bucket": bucket, "Key": "o"},
        ExpectedSourceBucketOwner="AUTH_other")) == ("AccessDenied", 403)
    _absent(s3, bucket, "o2")


def test_an_unknown_tagging_directive_is_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Tagging="a=1")
    assert code_of(lambda: s3.copy_object(
        Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
        TaggingDirective="BOGUS")) == ("InvalidArgument", 400)
    _absent(s3, bucket, "dst")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", TaggingDirective="REPLACE", Tagging="b=2")
    assert s3.get_object_tagging(Bucket=bucket, Key="dst")["TagSet"] == \
        [{"Key": "b", "Value": "2"}]


@pytest.mark.parametrize("method,path,query", [
    ("PUT", "/{b}/k", {"renameObject": ""}), ("PUT", "/{b}", {"metadataTable": ""}),
    ("GET", "/{b}", {"session": ""})])
def test_sub_resources_we_lack_are_not_implemented_not_another_operation(s3, bucket, method,
                                                                          path, query):
    s3.put_object(Bucket=bucket, Key="k", Body=b"kept")
    resp = s3_raw(method, path.format(b=bucket), query=query,
                  headers={"x-amz-rename-source": "/%s/other" % bucket})
    assert resp.status == 501 and b"<Code>NotImplemented</Code>" in resp.body
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"kept"


def test_default_calls_and_benign_headers_keep_working(s3, bucket):
    body = b"benign" * 100
    put = s3.put_object(Bucket=bucket, Key="b", Body=body, StorageClass="STANDARD",
                        RequestPayer="requester", ChecksumAlgorithm="SHA256",
                        Metadata={"m": "v"}, Tagging="t=1")
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    # Tags are transient sysmeta, stored with the encrypted object.
    assert s3.get_object_tagging(Bucket=bucket, Key="b")["TagSet"] == \
        [{"Key": "t", "Value": "1"}]
    got = s3.get_object(Bucket=bucket, Key="b", RequestPayer="requester")
    assert got["Body"].read() == body
    s3.copy_object(Bucket=bucket, Key="c", CopySource={"Bucket": bucket, "Key": "b"})
    assert s3.head_object(Bucket=bucket, Key="c")["ContentLength"] == len(body)
    s3.delete_object(Bucket=bucket, Key="b", BypassGovernanceRetention=True)
    _absent(s3, bucket, "b")


def test_if_none_match_on_delete_is_refused_and_changes_nothing(s3, bucket):
    # S3's conditional deletes (If-Match, ...) are implemented:
    # test_conditional_deletes.py; If-None-Match is not one of them.
    from tests.functional.s3.signed import s3_raw
    s3.put_object(Bucket=bucket, Key="k", Body=b"kept")
    resp = s3_raw("DELETE", "/%s/k" % bucket, headers={"If-None-Match": "*"})
    assert resp.status == 501 and b"<Code>NotImplemented</Code>" in resp.body
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"kept"
