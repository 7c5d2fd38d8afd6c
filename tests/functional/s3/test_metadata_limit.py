"""S3's 2 KB limit on user metadata (x-amz-meta-* keys and values, summed in
UTF-8 bytes) on PutObject, CopyObject with REPLACE and CreateMultipartUpload,
with boto3 against the live SAIO: 2048 bytes are stored, 2049 are
MetadataTooLarge and store nothing."""

import base64
import uuid

import pytest

from tests.functional.s3.test_s3_clients import client, code_of
from tests.support.s3_cleanup import delete_bucket


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture
def bucket(s3):
    name = "s3meta-" + uuid.uuid4().hex[:10]
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="source", Body=b"source bytes", Metadata={"a": "b"})
    yield name
    delete_bucket(s3, name)


def metadata(total, items=10):
    """``items`` entries (keys 'k00'...) whose keys and values hold ``total``
    bytes (each value within the cluster's 256-byte item limit)."""
    per = (total - 3 * items) // items
    out = {"k%02d" % i: "v" * per for i in range(items)}
    out["k00"] += "v" * (total - 3 * items - per * items)
    return out


def test_put_object_at_the_limit_is_stored_and_one_byte_more_is_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="fits", Body=b"x", Metadata=metadata(2048))
    assert s3.head_object(Bucket=bucket, Key="fits")["Metadata"] == metadata(2048)
    err = code_of(lambda: s3.put_object(Bucket=bucket, Key="too-big", Body=b"x",
                                        Metadata=metadata(2049)))
    assert err == ("MetadataTooLarge", 400)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="too-big"))[1] == 404
    # overwriting keeps the old object when the new metadata is refused
    err = code_of(lambda: s3.put_object(Bucket=bucket, Key="fits", Body=b"new",
                                        Metadata=metadata(4000)))
    assert err == ("MetadataTooLarge", 400)
    assert s3.get_object(Bucket=bucket, Key="fits")["Body"].read() == b"x"


def encoded(text):
    return "=?UTF-8?B?%s?=" % base64.b64encode(text.encode("utf-8")).decode("ascii")


def test_encoded_values_count_their_utf8_bytes(s3, bucket):
    # RFC 2047 words are measured decoded: ten values of 101 'é' (2 bytes
    # each) and their keys are 2040 bytes, though the encoded words are longer
    fits = {"k%d" % i: encoded("\u00e9" * 101) for i in range(10)}
    s3.put_object(Bucket=bucket, Key="accents", Body=b"x", Metadata=fits)
    assert s3.head_object(Bucket=bucket, Key="accents")["Metadata"] == fits
    over = {"k%d" % i: encoded("\u00e9" * 102) for i in range(10)}
    err = code_of(lambda: s3.put_object(Bucket=bucket, Key="accents2", Body=b"x",
                                        Metadata=over))
    assert err == ("MetadataTooLarge", 400)


def test_the_clusters_per_item_limits_answer_metadata_too_large(s3, bucket):
    err = code_of(lambda: s3.put_object(Bucket=bucket, Key="long", Body=b"x",
                                        Metadata={"k": "v" * 257}))
    assert err == ("MetadataTooLarge", 400)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="long"))[1] == 404


def test_copy_object_replace_is_limited_and_copy_keeps_the_source(s3, bucket):
    err = code_of(lambda: s3.copy_object(Bucket=bucket, Key="copy", MetadataDirective="REPLACE",
                                         CopySource={"Bucket": bucket, "Key": "source"},
                                         Metadata=metadata(2049)))
    assert err == ("MetadataTooLarge", 400)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="copy"))[1] == 404
    s3.copy_object(Bucket=bucket, Key="copy", MetadataDirective="REPLACE",
                   CopySource={"Bucket": bucket, "Key": "source"}, Metadata=metadata(2048))
    assert s3.head_object(Bucket=bucket, Key="copy")["Metadata"] == metadata(2048)


def test_create_multipart_upload_is_limited(s3, bucket):
    err = code_of(lambda: s3.create_multipart_upload(Bucket=bucket, Key="mpu",
                                                     Metadata=metadata(2049)))
    assert err == ("MetadataTooLarge", 400)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mpu", Metadata=metadata(2048))
    s3.abort_multipart_upload(Bucket=bucket, Key="mpu", UploadId=upload["UploadId"])
