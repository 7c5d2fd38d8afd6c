"""CopyObject keeps what S3 keeps, with boto3 and the aws CLI against the live
SAIO: the source's checksum (a multipart source's composite one too) unless
x-amz-checksum-algorithm asks for another, and the source's tags unless
x-amz-tagging-directive is REPLACE.

Expected checksums are computed here with zlib/hashlib/awscrt."""

import base64
import hashlib
import json
import zlib

from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_multipart_checksums import PARTS, _composite, _crc32, _upload
from tests.functional.s3.test_s3_clients import (  # noqa: F401 (fixtures)
    aws, bucket, client, code_of, s3)


def _b64(raw):
    return base64.b64encode(raw).decode()


def _tags(s3, bucket, key):
    return {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket,
                                                                 Key=key)["TagSet"]}


def test_copy_of_a_multipart_object_keeps_its_composite_checksum(s3, bucket):
    up, parts = _upload(s3, bucket, "src", "CRC32")
    s3.complete_multipart_upload(Bucket=bucket, Key="src", UploadId=up,
                                 MultipartUpload={"Parts": parts})
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket,
                                                                  "Key": "src"})
    expected = _composite(_crc32, PARTS)
    assert copied["CopyObjectResult"]["ChecksumCRC32"] == expected
    head = s3.head_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == expected and head["ChecksumType"] == "COMPOSITE"
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"".join(PARTS)


def test_copy_with_a_checksum_algorithm_computes_it_over_the_copy(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"copied bytes", ChecksumAlgorithm="CRC32")
    copied = s3.copy_object(Bucket=bucket, Key="dst", ChecksumAlgorithm="SHA256",
                            CopySource={"Bucket": bucket, "Key": "src"})
    expected = _b64(hashlib.sha256(b"copied bytes").digest())
    assert copied["CopyObjectResult"]["ChecksumSHA256"] == expected
    head = s3.head_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == expected and head["ChecksumType"] == "FULL_OBJECT"
    assert "ChecksumCRC32" not in head


def test_copy_of_a_plain_object_keeps_its_checksum(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"abc", ChecksumAlgorithm="CRC32")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"a": "b"})
    head = s3.head_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == _b64(zlib.crc32(b"abc").to_bytes(4, "big"))


def test_a_bad_checksum_algorithm_on_copy_is_invalid_request_and_copies_nothing(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    resp = s3_raw("PUT", "/%s/dst" % bucket, headers={
        "x-amz-copy-source": "/%s/src" % bucket, "x-amz-checksum-algorithm": "MD5"})
    assert resp.status == 400 and b"<Code>InvalidRequest</Code>" in resp.body
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="dst"))[1] == 404


def test_copy_keeps_the_tags_unless_the_directive_replaces_them(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Tagging="team=blue&env=prod")
    s3.copy_object(Bucket=bucket, Key="kept", CopySource={"Bucket": bucket, "Key": "src"})
    assert _tags(s3, bucket, "kept") == {"team": "blue", "env": "prod"}
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource={"Bucket": bucket, "Key": "src"},
                   TaggingDirective="REPLACE", Tagging="team=red")
    assert _tags(s3, bucket, "replaced") == {"team": "red"}
    s3.copy_object(Bucket=bucket, Key="dropped", CopySource={"Bucket": bucket, "Key": "src"},
                   TaggingDirective="REPLACE")
    assert _tags(s3, bucket, "dropped") == {}
    s3.copy_object(Bucket=bucket, Key="meta", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"m": "1"})
    assert _tags(s3, bucket, "meta") == {"team": "blue", "env": "prod"}


def test_aws_cli_copy_keeps_tags_and_replaces_them(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Tagging="k=v")
    assert aws("s3api", "copy-object", "--bucket", bucket, "--key", "cli",
               "--copy-source", "%s/src" % bucket).returncode == 0
    assert _tags(s3, bucket, "cli") == {"k": "v"}
    res = aws("s3api", "copy-object", "--bucket", bucket, "--key", "cli2",
              "--copy-source", "%s/src" % bucket, "--tagging-directive", "REPLACE",
              "--tagging", "n=w")
    assert res.returncode == 0, res.stderr
    assert _tags(s3, bucket, "cli2") == {"n": "w"}
    assert json.loads(res.stdout)["CopyObjectResult"]["ETag"]


def test_conditional_copies_judge_the_destination(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"source bytes")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   IfNoneMatch="*")
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"source bytes"
    s3.put_object(Bucket=bucket, Key="src", Body=b"new source")
    assert code_of(lambda: s3.copy_object(
        Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
        IfNoneMatch="*")) == ("PreconditionFailed", 412)
    etag = s3.head_object(Bucket=bucket, Key="dst")["ETag"]
    assert code_of(lambda: s3.copy_object(
        Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
        IfMatch='"%s"' % hashlib.md5(b"other").hexdigest())) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"source bytes"
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"new source"
    assert code_of(lambda: s3.copy_object(
        Bucket=bucket, Key="absent", CopySource={"Bucket": bucket, "Key": "src"},
        IfMatch=etag)) == ("NoSuchKey", 404)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="absent"))[1] == 404
