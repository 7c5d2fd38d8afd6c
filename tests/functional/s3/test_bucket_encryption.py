"""Put/Get/DeleteBucketEncryption against the live SAIO (encryption at
rest on): S3's default SSE-S3 rule, KMS refused, bad documents refused and
nothing changed; boto3 and the aws CLI."""

import json

from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_s3_clients import aws, bucket, code_of, s3  # noqa: F401


def _rule(s3, bucket):
    return s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
        "Rules"]


def _config(algorithm="AES256", bucket_key=None, **default):
    rule = {"ApplyServerSideEncryptionByDefault": dict(SSEAlgorithm=algorithm, **default)}
    if bucket_key is not None:
        rule["BucketKeyEnabled"] = bucket_key
    return {"Rules": [rule]}


def test_a_new_bucket_answers_s3s_default_rule(s3, bucket):
    assert _rule(s3, bucket) == [{"ApplyServerSideEncryptionByDefault":
                                  {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]


def test_put_get_delete_and_new_objects_say_aes256(s3, bucket):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=_config(
        bucket_key=True))
    assert _rule(s3, bucket)[0]["BucketKeyEnabled"] is True
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert put["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    up = s3.create_multipart_upload(Bucket=bucket, Key="m")
    assert up["ServerSideEncryption"] == "AES256"
    s3.abort_multipart_upload(Bucket=bucket, Key="m", UploadId=up["UploadId"])
    s3.delete_bucket_encryption(Bucket=bucket)
    assert _rule(s3, bucket)[0]["BucketKeyEnabled"] is False


def test_kms_rules_are_refused_and_the_rule_stays(s3, bucket):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=_config(
        bucket_key=True))
    for algorithm in ("aws:kms", "aws:kms:dsse"):
        assert code_of(lambda: s3.put_bucket_encryption(
            Bucket=bucket, ServerSideEncryptionConfiguration=_config(
                algorithm, KMSMasterKeyID="arn:aws:kms:us-east-1:1:key/x"))) == \
            ("NotImplemented", 501)
    assert code_of(lambda: s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration=_config(
            KMSMasterKeyID="arn:aws:kms:us-east-1:1:key/x"))) == ("InvalidArgument", 400)
    assert _rule(s3, bucket)[0]["BucketKeyEnabled"] is True


def test_malformed_documents_change_nothing(s3, bucket):
    bad = [b"<ServerSideEncryptionConfiguration/>",
           b"not xml",
           b"<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
           b"<SSEAlgorithm>ROT13</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"
           b"</ServerSideEncryptionConfiguration>",
           b"<ServerSideEncryptionConfiguration><Rule><BucketKeyEnabled>maybe"
           b"</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>"]
    for body in bad:
        resp = s3_raw("PUT", "/%s" % bucket, query={"encryption": ""}, body=body)
        assert resp.status == 400 and b"<Code>MalformedXML</Code>" in resp.body, resp.body
    blocked = (b"<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
               b"<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
               b"<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType>"
               b"</BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>")
    resp = s3_raw("PUT", "/%s" % bucket, query={"encryption": ""}, body=blocked)
    assert resp.status == 501 and b"BlockedEncryptionTypes" in resp.body
    assert _rule(s3, bucket)[0]["BucketKeyEnabled"] is False


def test_a_missing_bucket_is_no_such_bucket(s3):
    missing = "s3fn-no-such-bucket-x"
    assert code_of(lambda: s3.get_bucket_encryption(Bucket=missing)) == ("NoSuchBucket", 404)
    assert code_of(lambda: s3.put_bucket_encryption(
        Bucket=missing, ServerSideEncryptionConfiguration=_config())) == ("NoSuchBucket", 404)
    assert code_of(lambda: s3.delete_bucket_encryption(Bucket=missing)) == ("NoSuchBucket", 404)
    assert code_of(lambda: s3.head_bucket(Bucket=missing))[1] == 404


def test_the_aws_cli_puts_and_gets_bucket_encryption(saio, bucket):
    config = json.dumps(_config(bucket_key=True))
    res = aws("s3api", "put-bucket-encryption", "--bucket", bucket,
              "--server-side-encryption-configuration", config)
    assert res.returncode == 0, res.stderr
    res = aws("s3api", "get-bucket-encryption", "--bucket", bucket)
    assert res.returncode == 0, res.stderr
    rule = json.loads(res.stdout)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert rule["BucketKeyEnabled"] is True
    res = aws("s3api", "put-bucket-encryption", "--bucket", bucket,
              "--server-side-encryption-configuration", json.dumps(_config("aws:kms")))
    assert res.returncode != 0 and "NotImplemented" in res.stderr and "KMS" in res.stderr
    assert aws("s3api", "delete-bucket-encryption", "--bucket", bucket).returncode == 0


def test_bucket_key_on_writes_is_stored_and_echoed(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="AES256",
                        BucketKeyEnabled=True)
    assert put["BucketKeyEnabled"] is True and put["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="k")["BucketKeyEnabled"] is True
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["BucketKeyEnabled"] is True and got["Body"].read() == b"x"
    plain = s3.put_object(Bucket=bucket, Key="plain", Body=b"y", BucketKeyEnabled=False)
    assert "BucketKeyEnabled" not in plain
    assert "BucketKeyEnabled" not in s3.head_object(Bucket=bucket, Key="plain")
    copy = s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"})
    assert "BucketKeyEnabled" not in copy  # the copy's is the request's, not the source's
    copy = s3.copy_object(Bucket=bucket, Key="copy", BucketKeyEnabled=True,
                          CopySource={"Bucket": bucket, "Key": "plain"})
    assert copy["BucketKeyEnabled"] is True
    assert s3.head_object(Bucket=bucket, Key="copy")["BucketKeyEnabled"] is True


def test_bucket_key_of_a_multipart_upload_reaches_the_object(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="m", BucketKeyEnabled=True)
    assert up["BucketKeyEnabled"] is True
    part = s3.upload_part(Bucket=bucket, Key="m", UploadId=up["UploadId"], PartNumber=1,
                          Body=b"z" * 10)
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="m", UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert done["BucketKeyEnabled"] is True
    assert s3.head_object(Bucket=bucket, Key="m")["BucketKeyEnabled"] is True


def test_the_bucket_rules_bucket_key_is_the_default_for_new_objects(s3, bucket):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=_config(
        bucket_key=True))
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"x")["BucketKeyEnabled"] is True
    assert s3.head_object(Bucket=bucket, Key="k")["BucketKeyEnabled"] is True
    # The request's header wins over the bucket's rule.
    assert "BucketKeyEnabled" not in s3.put_object(Bucket=bucket, Key="off", Body=b"x",
                                                   BucketKeyEnabled=False)
    assert "BucketKeyEnabled" not in s3.head_object(Bucket=bucket, Key="off")


def test_a_bad_bucket_key_value_is_refused_and_stores_nothing(bucket):
    resp = s3_raw("PUT", "/%s/k" % bucket, body=b"x", headers={
        "x-amz-server-side-encryption-bucket-key-enabled": "maybe"})
    assert resp.status == 400 and b"<Code>InvalidArgument</Code>" in resp.body
    assert s3_raw("HEAD", "/%s/k" % bucket).status == 404
