"""Container (bucket) and account quotas seen through the S3 API with boto3
against the live SAIO: PutObject and CompleteMultipartUpload past a quota
answer EntityTooLarge (docs/s3.md) and store nothing."""

import time
import uuid

import botocore
import pytest

from tests.functional.s3.test_s3_clients import client
from tests.functional.test_quotas import account_quota  # noqa: F401
from tests.support.s3_cleanup import delete_bucket

PART = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture
def bucket(s3, conn):
    name = "s3quota-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    yield name
    delete_bucket(s3, name)


def test_put_object_past_the_bucket_quota_is_entity_too_large(s3, conn, bucket):
    conn.post_container(bucket, {"X-Container-Meta-Quota-Bytes": "10"})
    s3.put_object(Bucket=bucket, Key="fits", Body=b"0123456789")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        s3.put_object(Bucket=bucket, Key="over", Body=b"x" * 11)
    assert err.value.response["Error"]["Code"] == "EntityTooLarge"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["fits"]


def test_complete_multipart_upload_past_the_bucket_quota_is_entity_too_large(s3, conn, bucket):
    conn.post_container(bucket, {"X-Container-Meta-Quota-Bytes": str(PART)})
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mpu")["UploadId"]
    parts = []
    for number, body in ((1, b"a" * PART), (2, b"b")):
        etag = s3.upload_part(Bucket=bucket, Key="mpu", UploadId=upload, PartNumber=number,
                              Body=body)["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    with pytest.raises(botocore.exceptions.ClientError) as err:
        s3.complete_multipart_upload(Bucket=bucket, Key="mpu", UploadId=upload,
                                     MultipartUpload={"Parts": parts})
    assert err.value.response["Error"]["Code"] == "EntityTooLarge"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    # The upload is still open: lifting the quota lets the same parts complete.
    conn.post_container(bucket, {"X-Container-Meta-Quota-Bytes": ""})
    s3.complete_multipart_upload(Bucket=bucket, Key="mpu", UploadId=upload,
                                 MultipartUpload={"Parts": parts})
    assert s3.head_object(Bucket=bucket, Key="mpu")["ContentLength"] == PART + 1


def test_put_object_past_the_account_quota_is_entity_too_large(s3, bucket, http_api,
                                                                account_quota):  # noqa: F811
    used = int(http_api.request("HEAD", http_api.path(user="admin")).headers[
        "X-Account-Bytes-Used"])
    account_quota("X-Account-Quota-Bytes", str(used + 4))
    time.sleep(0.5)  # as in tests/functional/test_quotas.py: the POST reaches every worker
    with pytest.raises(botocore.exceptions.ClientError) as err:
        s3.put_object(Bucket=bucket, Key="over", Body=b"12345")
    assert err.value.response["Error"]["Code"] == "EntityTooLarge"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="fits", Body=b"1234")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["fits"]
