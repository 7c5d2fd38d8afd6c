"""The aws CLI against the live SAIO for the S3 behaviours clients lean on:
its multipart copy gets a CRC32 composite checksum, conditional puts, a
version listing it pages itself."""

import json
import os
import zlib
import base64

from tests.functional.s3.test_s3_clients import aws, bucket, s3  # noqa: F401 (fixtures)
from tests.functional.s3.test_versioning import vbucket  # noqa: F401

MIB = 1024 * 1024


def _json(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_aws_s3_cp_multipart_reports_the_composite_crc32(bucket, tmp_path):
    data = os.urandom(9 * MIB)
    path = tmp_path / "big"
    path.write_bytes(data)
    assert aws("s3", "cp", str(path), "s3://%s/big" % bucket).returncode == 0
    head = _json(aws("s3api", "head-object", "--bucket", bucket, "--key", "big",
                     "--checksum-mode", "ENABLED"))
    chunk = 8 * MIB  # the CLI's default multipart chunk size
    parts = [data[i:i + chunk] for i in range(0, len(data), chunk)]
    digest = b"".join(zlib.crc32(p).to_bytes(4, "big") for p in parts)
    assert head["ChecksumCRC32"] == "%s-%d" % (
        base64.b64encode(zlib.crc32(digest).to_bytes(4, "big")).decode(), len(parts))
    assert head["ChecksumType"] == "COMPOSITE"
    back = tmp_path / "back"
    assert aws("s3", "cp", "s3://%s/big" % bucket, str(back)).returncode == 0
    assert back.read_bytes() == data


def test_aws_s3api_put_object_if_none_match(bucket, tmp_path):
    body = tmp_path / "body"
    body.write_bytes(b"first")
    args = ("s3api", "put-object", "--bucket", bucket, "--key", "k", "--body", str(body),
            "--if-none-match", "*")
    assert aws(*args).returncode == 0
    again = aws(*args)
    assert again.returncode != 0 and "PreconditionFailed" in again.stderr


def test_aws_s3api_list_object_versions_pages_itself(s3, vbucket):
    ids = [s3.put_object(Bucket=vbucket, Key=key, Body=b"x")["VersionId"]
           for key in ("a", "b", "a", "c", "b")]
    listed = _json(aws("s3api", "list-object-versions", "--bucket", vbucket,
                       "--page-size", "1"))
    assert [(v["Key"], v["VersionId"]) for v in listed["Versions"]] == [
        ("a", ids[2]), ("a", ids[0]), ("b", ids[4]), ("b", ids[1]), ("c", ids[3])]
