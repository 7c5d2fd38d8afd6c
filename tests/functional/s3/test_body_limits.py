"""Every S3 request body is bounded, and the bounds let every valid request in:
a 1,000-key DeleteObjects (the S3 maximum) works however long its keys,
1,001 keys are MalformedXML as in S3, an oversized configuration document
is MaxMessageLengthExceeded, and an aws-chunked trailer cannot grow without
bound. Stored data is checked after each refusal."""

import base64
import hashlib
import uuid
import zlib

import pytest

from tests.functional.s3.test_s3_clients import client
from tests.functional.s3.test_signing_security import code, send, sigv4_headers


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture
def bucket(s3):
    name = "s3lim-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    yield name
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=name, Key=obj["Key"])
    s3.delete_bucket(Bucket=name)


def keys(s3, bucket):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_delete_objects_with_1000_long_keys_works(s3, bucket):
    # '&' is written '&amp;' in the XML: a body of about 1.5 MB.
    real = ["&" * 300 + "-real-%d" % i for i in range(3)]
    for key in real:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    s3.put_object(Bucket=bucket, Key="kept", Body=b"kept bytes")
    names = real + ["&" * 300 + "-absent-%04d" % i for i in range(997)]
    resp = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in names]})
    assert resp.get("Errors", []) == []
    assert sorted(d["Key"] for d in resp["Deleted"]) == sorted(names)
    assert keys(s3, bucket) == ["kept"]
    assert s3.get_object(Bucket=bucket, Key="kept")["Body"].read() == b"kept bytes"


def test_delete_objects_with_1001_keys_is_malformed_xml_and_deletes_nothing(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k-0000", Body=b"x")
    names = ["k-%04d" % i for i in range(1001)]
    with pytest.raises(s3.exceptions.ClientError) as err:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in names]})
    assert err.value.response["Error"]["Code"] == "MalformedXML"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert keys(s3, bucket) == ["k-0000"]


def test_an_oversized_configuration_document_is_max_message_length_exceeded(s3, bucket):
    body = (b'<VersioningConfiguration><Status>Enabled</Status><!--'
            + b"x" * (64 * 1024) + b"--></VersioningConfiguration>")
    path = "/%s?versioning" % bucket
    status, _h, resp = send("PUT", path, sigv4_headers("PUT", path, body=body), body)
    assert (status, code(resp)) == (400, "MaxMessageLengthExceeded")
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)


def test_a_configuration_document_under_the_limit_is_read(s3, bucket):
    body = (b'<VersioningConfiguration><Status>Suspended</Status><!--'
            + b"x" * (60 * 1024) + b"--></VersioningConfiguration>")
    path = "/%s?versioning" % bucket
    status, _h, resp = send("PUT", path, sigv4_headers("PUT", path, body=body), body)
    assert status == 200, resp
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def _trailer_upload(bucket, key, data, trailer_lines):
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    body = (b"%x\r\n" % len(data) + data + b"\r\n0\r\n"
            + b"".join(line + b"\r\n" for line in trailer_lines)
            + b"x-amz-checksum-crc32:" + crc.encode() + b"\r\n\r\n")
    path = "/%s/%s" % (bucket, key)
    headers = sigv4_headers("PUT", path, {
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-trailer": "x-amz-checksum-crc32", "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(data))})
    return send("PUT", path, headers, body)


def test_an_oversized_aws_chunked_trailer_is_refused_and_nothing_is_stored(s3, bucket):
    padding = [b"x-amz-pad-%03d:%s" % (i, b"p" * 1000) for i in range(20)]
    status, _h, resp = _trailer_upload(bucket, "big-trailer", b"payload", padding)
    assert (status, code(resp)) == (400, "MalformedTrailerError")
    assert keys(s3, bucket) == []


def test_a_normal_aws_chunked_trailer_still_works(s3, bucket):
    status, _h, resp = _trailer_upload(bucket, "ok", b"payload", [])
    assert status == 200, resp
    got = s3.get_object(Bucket=bucket, Key="ok", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"payload"
    assert got["ChecksumCRC32"] == base64.b64encode(
        zlib.crc32(b"payload").to_bytes(4, "big")).decode()
    assert hashlib.md5(b"payload").hexdigest() in got["ETag"]
