"""S3 against the live SAIO with real clients: boto3 (default config, checksums on),
the aws CLI and rclone, including the bad paths a user meets."""

import datetime
import hashlib
import io
import os
import shutil
import subprocess
import uuid

import boto3
import botocore
import pytest
from botocore.config import Config

from tests.functional.conftest import PROXY, REPO
from tests.support.s3_cleanup import delete_bucket

ACCESS, SECRET = "test:tester", "testing"


def client(secret=SECRET, **config):
    return boto3.client("s3", endpoint_url=PROXY, aws_access_key_id=ACCESS,
                        aws_secret_access_key=secret, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}, **config))


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture
def bucket(s3):
    name = "s3fn-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    yield name
    delete_bucket_and_contents(s3, name)


def delete_bucket_and_contents(s3, name):
    """Delete the bucket's objects, open uploads and the bucket, for good
    (tests/support/s3_cleanup.py: a bucket that stays is an error)."""
    delete_bucket(s3, name)


def code_of(call):
    with pytest.raises(botocore.exceptions.ClientError) as err:
        call()
    return err.value.response["Error"]["Code"], err.value.response["ResponseMetadata"][
        "HTTPStatusCode"]


def test_put_get_head_list_and_delete_an_object_with_metadata(s3, bucket):
    s3.put_object(Bucket=bucket, Key="dir/a.txt", Body=b"hello", Metadata={"color": "blue"},
                  ContentType="text/plain")
    got = s3.get_object(Bucket=bucket, Key="dir/a.txt")
    assert got["Body"].read() == b"hello"
    assert {k.lower(): v for k, v in got["Metadata"].items()} == {"color": "blue"}
    assert got["ETag"] == '"%s"' % hashlib.md5(b"hello").hexdigest()
    assert s3.head_object(Bucket=bucket, Key="dir/a.txt")["ContentLength"] == 5
    listing = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert listing["CommonPrefixes"] == [{"Prefix": "dir/"}] and listing["KeyCount"] == 1
    s3.delete_object(Bucket=bucket, Key="dir/a.txt")
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="dir/a.txt"))[1] == 404


def test_user_metadata_keys_come_back_lower_case(s3, bucket):
    s3.put_object(Bucket=bucket, Key="m", Body=b"x", Metadata={"color": "blue"})
    assert s3.head_object(Bucket=bucket, Key="m")["Metadata"] == {"color": "blue"}


def test_checksums_are_verified_stored_and_returned_when_asked(s3, bucket):
    s3.put_object(Bucket=bucket, Key="c", Body=b"data", ChecksumAlgorithm="SHA256")
    got = s3.get_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] and got["Body"].read() == b"data"


def test_a_wrong_checksum_is_bad_digest_and_stores_nothing(s3, bucket):
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="bad", Body=b"data",
                                         ChecksumCRC32="AAAAAA=="))[0] == "BadDigest"
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="bad"))[1] == 404


def test_a_wrong_content_md5_is_bad_digest(s3, bucket):
    import base64
    md5 = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="m", Body=b"data",
                                         ContentMD5=md5))[0] == "BadDigest"


def test_a_wrong_secret_is_signature_does_not_match(saio):
    assert code_of(lambda: client("wrong").list_buckets()) == ("SignatureDoesNotMatch", 403)


def test_an_unknown_access_key_is_invalid_access_key_id(saio):
    c = boto3.client("s3", endpoint_url=PROXY, aws_access_key_id="nobody:none",
                     aws_secret_access_key="x", region_name="us-east-1")
    assert code_of(lambda: c.list_buckets())[0] == "InvalidAccessKeyId"


def test_a_skewed_clock_is_request_time_too_skewed(saio):
    from unittest import mock
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=30)
    # botocore signs with awscrt's signer when awscrt is installed (objstore needs it).
    with mock.patch("botocore.auth.get_current_datetime", return_value=past), \
            mock.patch("botocore.crt.auth.get_current_datetime", return_value=past):
        assert code_of(lambda: client().list_buckets()) == ("RequestTimeTooSkewed", 403)


def test_presigned_urls_work_and_expire(s3, bucket):
    import urllib.error
    import urllib.request
    s3.put_object(Bucket=bucket, Key="p", Body=b"shared")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "p"})
    assert urllib.request.urlopen(url).read() == b"shared"
    from tests.unit.middleware.s3api.botocore_requests import signed_request
    past = datetime.datetime.utcnow() - datetime.timedelta(hours=2)
    old = signed_request("GET", "%s/%s/p" % (PROXY, bucket), auth="v4-query", when=past,
                         expires=60).url
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(old)
    assert err.value.code == 403 and b"AccessDenied" in err.value.read()


def test_missing_bucket_and_key_and_bad_names_are_named(s3, bucket):
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="nope")) == ("NoSuchKey", 404)
    assert code_of(lambda: s3.list_objects_v2(Bucket="s3fn-missing-" + uuid.uuid4().hex[:8])
                   ) == ("NoSuchBucket", 404)
    for name in ("Bad_Name", "ab", "192.168.0.1"):
        assert code_of(lambda: s3.create_bucket(Bucket=name))[0] == "InvalidBucketName"
    assert code_of(lambda: s3.create_bucket(Bucket=bucket))[0] == "BucketAlreadyOwnedByYou"


def test_a_bucket_with_objects_is_not_deleted(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert code_of(lambda: s3.delete_bucket(Bucket=bucket)) == ("BucketNotEmpty", 409)


def test_unsupported_operations_answer_not_implemented(s3, bucket):
    assert code_of(lambda: s3.get_bucket_logging(Bucket=bucket)) == ("NotImplemented", 501)


def test_copy_ranges_conditionals_and_delete_objects(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"0123456789", Metadata={"a": "1"})
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert s3.get_object(Bucket=bucket, Key="dst")["Metadata"] in ({"a": "1"}, {"A": "1"})
    s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"},
                   Metadata={"b": "2"}, MetadataDirective="REPLACE")
    assert s3.head_object(Bucket=bucket, Key="src")["Metadata"] in ({"b": "2"}, {"B": "2"})
    assert code_of(lambda: s3.copy_object(Bucket=bucket, Key="src", CopySource={
        "Bucket": bucket, "Key": "src"}))[0] == "InvalidRequest"
    assert s3.get_object(Bucket=bucket, Key="src", Range="bytes=2-4")["Body"].read() == b"234"
    etag = s3.head_object(Bucket=bucket, Key="src")["ETag"]
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="src", IfMatch='"nope"'))[1] == 412
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="src", IfNoneMatch=etag))[1] == 304
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "src"}, {"Key": "dst"}]})
    assert sorted(d["Key"] for d in out["Deleted"]) == ["dst", "src"]


def test_multipart_upload_lists_completes_and_reads_back_with_ranges(s3, bucket):
    part = 5 * 1024 * 1024
    data = os.urandom(2 * part + 100)
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    assert s3.list_multipart_uploads(Bucket=bucket)["Uploads"][0]["UploadId"] == up
    etags = [s3.upload_part(Bucket=bucket, Key="mp", UploadId=up, PartNumber=i + 1,
                            Body=data[i * part:(i + 1) * part])["ETag"] for i in range(3)]
    assert len(s3.list_parts(Bucket=bucket, Key="mp", UploadId=up)["Parts"]) == 3
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=up, MultipartUpload={"Parts": [
            {"PartNumber": 2, "ETag": etags[1]}, {"PartNumber": 1, "ETag": etags[0]}]})
    )[0] == "InvalidPartOrder"
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=up, MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": '"%s"' % ("0" * 32)}]}))[0] == "InvalidPart"
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
    assert done["ETag"].endswith('-3"')
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == data
    got = s3.get_object(Bucket=bucket, Key="mp", Range="bytes=%d-%d" % (part - 2, part + 2))
    assert got["Body"].read() == data[part - 2:part + 3]
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert listed["Size"] == len(data) and listed["ETag"] == done["ETag"]


def test_small_parts_are_entity_too_small_and_abort_forgets_the_upload(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="x")["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key="x", UploadId=up, PartNumber=n,
                            Body=b"a" * 10)["ETag"] for n in (1, 2)]
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="x", UploadId=up, MultipartUpload={"Parts": [
            {"PartNumber": n, "ETag": e} for n, e in zip((1, 2), etags)]}))[0] == "EntityTooSmall"
    s3.abort_multipart_upload(Bucket=bucket, Key="x", UploadId=up)
    assert code_of(lambda: s3.list_parts(Bucket=bucket, Key="x", UploadId=up))[0] == \
        "NoSuchUpload"


def test_tagging_and_canned_acls_round_trip(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Metadata={"keep": "me"})
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [
        {"Key": "k", "Value": "v"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [{"Key": "k", "Value": "v"}]
    assert s3.head_object(Bucket=bucket, Key="t")["Metadata"] in ({"keep": "me"},
                                                                  {"Keep": "me"})
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert any(g["Permission"] == "READ" for g in grants)


def aws(*args, **kw):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET,
               AWS_DEFAULT_REGION="us-east-1")
    return subprocess.run([os.path.join(REPO, ".venv", "bin", "aws"), "--endpoint-url", PROXY,
                           *args], capture_output=True, text=True, env=env, timeout=600, **kw)


def test_the_aws_cli_copies_syncs_lists_and_removes(saio, bucket, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "one.txt").write_text("one")
    (src / "two.bin").write_bytes(os.urandom(9 * 1024 * 1024))  # multipart in aws s3 cp
    assert aws("s3", "sync", str(src), "s3://%s/sync" % bucket).returncode == 0
    listed = aws("s3", "ls", "s3://%s/sync/" % bucket)
    assert "one.txt" in listed.stdout and "two.bin" in listed.stdout
    dst = tmp_path / "dst"
    assert aws("s3", "cp", "--recursive", "s3://%s/sync" % bucket, str(dst)).returncode == 0
    assert (dst / "two.bin").read_bytes() == (src / "two.bin").read_bytes()
    assert aws("s3", "rm", "--recursive", "s3://%s/sync" % bucket).returncode == 0
    head = aws("s3api", "head-object", "--bucket", bucket, "--key", "sync/one.txt")
    assert head.returncode != 0 and "404" in head.stderr


@pytest.mark.skipif(shutil.which("rclone") is None, reason="rclone is not installed")
def test_rclone_copies_and_lists(saio, bucket, tmp_path):
    conf = tmp_path / "rclone.conf"
    conf.write_text("[os]\ntype = s3\nprovider = Other\naccess_key_id = %s\n"
                    "secret_access_key = %s\nendpoint = %s\nregion = us-east-1\n"
                    % (ACCESS, SECRET, PROXY))
    src = tmp_path / "src"
    src.mkdir()
    (src / "f.txt").write_text("rclone data")
    (src / "big.bin").write_bytes(os.urandom(6 * 1024 * 1024))

    def rclone(*args):
        env = {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}
        return subprocess.run(["rclone", "--config", str(conf), *args], capture_output=True,
                              text=True, timeout=300, env=env)
    assert rclone("copy", str(src), "os:%s/r" % bucket).returncode == 0
    assert sorted(rclone("lsf", "os:%s/r" % bucket).stdout.split()) == ["big.bin", "f.txt"]
    assert rclone("check", str(src), "os:%s/r" % bucket).returncode == 0
    assert rclone("delete", "os:%s/r" % bucket).returncode == 0
