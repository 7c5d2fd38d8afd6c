"""SSE-C (customer-provided keys) against the live SAIO, which runs keymaster
+ encryption after s3api: boto3 and the aws CLI, what reaches the disk, and
every read or write that lacks the key or brings another one."""

import base64
import hashlib
import os
import uuid

import pytest

from tests.functional.conftest import PROXY
from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_s3_clients import aws, bucket, code_of, s3  # noqa: F401
from tests.functional.test_encryption import MARK, _files_of

KEY = bytes(range(32))
OTHER = bytes(range(100, 132))
MD5 = base64.b64encode(hashlib.md5(KEY).digest()).decode()
SSEC = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
WRONG = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": OTHER}
SOURCE = {"CopySourceSSECustomerAlgorithm": "AES256", "CopySourceSSECustomerKey": KEY}
MIB = 1024 * 1024


def _name(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def _raw_ssec(key=KEY, md5=None):
    return {"x-amz-server-side-encryption-customer-algorithm": "AES256",
            "x-amz-server-side-encryption-customer-key": base64.b64encode(key).decode(),
            "x-amz-server-side-encryption-customer-key-md5":
                md5 or base64.b64encode(hashlib.md5(key).digest()).decode()}


def test_put_get_head_echo_the_key_md5_and_the_etag_is_not_the_plaintext_md5(s3, bucket):
    body = MARK * 3000
    put = s3.put_object(Bucket=bucket, Key="k", Body=body, Metadata={"colour": "blue"}, **SSEC)
    assert (put["SSECustomerAlgorithm"], put["SSECustomerKeyMD5"]) == ("AES256", MD5)
    assert "ServerSideEncryption" not in put
    assert put["ETag"] != '"%s"' % hashlib.md5(body).hexdigest()
    got = s3.get_object(Bucket=bucket, Key="k", **SSEC)
    assert got["Body"].read() == body
    assert (got["SSECustomerAlgorithm"], got["SSECustomerKeyMD5"]) == ("AES256", MD5)
    assert got["Metadata"] == {"colour": "blue"} and got["ETag"] == put["ETag"]
    head = s3.head_object(Bucket=bucket, Key="k", **SSEC)
    assert head["ContentLength"] == len(body) and head["SSECustomerKeyMD5"] == MD5
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [(o["Key"], o["ETag"], o["Size"]) for o in listed] == [("k", put["ETag"], len(body))]


def test_ranged_gets_decrypt_exactly_the_bytes_asked(s3, bucket):
    body = os.urandom(200 * 1024 + 7)
    s3.put_object(Bucket=bucket, Key="r", Body=body, **SSEC)
    for first, last in ((0, 0), (1, 17), (15, 16), (65535, 65537), (len(body) - 5, len(body) - 1)):
        got = s3.get_object(Bucket=bucket, Key="r", Range="bytes=%d-%d" % (first, last), **SSEC)
        assert got["Body"].read() == body[first:last + 1]
        assert got["ContentRange"] == "bytes %d-%d/%d" % (first, last, len(body))
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=-10", **SSEC)["Body"].read() \
        == body[-10:]


def test_no_plaintext_reaches_the_disk(s3, bucket):
    key = _name("disk")
    body = MARK * 5000
    s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata={"note": "plaintext-marker-meta"},
                  **SSEC)
    on_disk = _files_of(key)
    assert on_disk, "the object's files were not found on the SAIO's disks"
    for data in on_disk:
        assert MARK not in data
        assert base64.b64encode(KEY) not in data and KEY not in data  # the key is not kept
        assert MD5.encode() not in data  # nor its unsalted MD5


def test_reads_without_the_key_or_with_another_fail_and_leave_the_object_intact(s3, bucket):
    body = b"only with the key " * 100
    s3.put_object(Bucket=bucket, Key="k", Body=body, **SSEC)
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="k")) == ("InvalidRequest", 400)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="k"))[1] == 400
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="k", **WRONG)) == \
        ("AccessDenied", 403)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="k", **WRONG))[1] == 403
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="k", Range="bytes=0-3")) == \
        ("InvalidRequest", 400)
    assert s3.get_object(Bucket=bucket, Key="k", **SSEC)["Body"].read() == body


def test_the_swift_api_never_serves_an_sse_c_body(s3, bucket, saio):
    import swiftclient
    s3.put_object(Bucket=bucket, Key="k", Body=MARK * 10, **SSEC)
    conn = swiftclient.Connection(PROXY + "/auth/v1.0", "test:tester", "testing", retries=0)
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(bucket, "k")
    assert err.value.http_status == 400 and MARK not in (err.value.http_response_content or b"")
    assert conn.head_object(bucket, "k")["content-length"] == str(len(MARK) * 10)


def test_a_key_for_an_object_without_one_is_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="plain", **SSEC)) == \
        ("InvalidRequest", 400)
    assert s3.get_object(Bucket=bucket, Key="plain")["Body"].read() == b"x"


@pytest.mark.parametrize("headers,code", [
    (dict(_raw_ssec(), **{"x-amz-server-side-encryption-customer-key-md5":
                          base64.b64encode(hashlib.md5(OTHER).digest()).decode()}),
     "InvalidArgument"),
    (_raw_ssec(key=KEY[:16]), "InvalidArgument"),
    ({k: v for k, v in _raw_ssec().items() if not k.endswith("-md5")}, "InvalidArgument"),
    ({k: v for k, v in _raw_ssec().items() if not k.endswith("-key")}, "InvalidArgument"),
    ({k: v for k, v in _raw_ssec().items() if not k.endswith("-algorithm")}, "InvalidArgument"),
    (dict(_raw_ssec(), **{"x-amz-server-side-encryption-customer-algorithm": "AES128"}),
     "InvalidEncryptionAlgorithmError"),
    (dict(_raw_ssec(), **{"x-amz-server-side-encryption": "AES256"}), "InvalidArgument"),
])
def test_bad_key_headers_are_refused_and_nothing_is_stored(s3, bucket, headers, code):
    resp = s3_raw("PUT", "/%s/bad" % bucket, headers=headers, body=b"secret")
    assert resp.status == 400 and ("<Code>%s</Code>" % code).encode() in resp.body, resp.body
    assert headers.get("x-amz-server-side-encryption-customer-key", "#").encode() \
        not in resp.body
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="bad"))[1] == 404


def test_copy_reads_the_source_with_its_key_and_writes_with_the_destinations(s3, bucket):
    body = MARK * 700
    s3.put_object(Bucket=bucket, Key="src", Body=body, **SSEC)
    src = {"Bucket": bucket, "Key": "src"}
    assert code_of(lambda: s3.copy_object(Bucket=bucket, Key="dst", CopySource=src)) == \
        ("InvalidRequest", 400)
    assert code_of(lambda: s3.copy_object(
        Bucket=bucket, Key="dst", CopySource=src, CopySourceSSECustomerAlgorithm="AES256",
        CopySourceSSECustomerKey=OTHER)) == ("AccessDenied", 403)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="dst"))[1] == 404
    out = s3.copy_object(Bucket=bucket, Key="dst", CopySource=src, **SOURCE, **WRONG)
    assert out["SSECustomerKeyMD5"] == base64.b64encode(hashlib.md5(OTHER).digest()).decode()
    assert s3.get_object(Bucket=bucket, Key="dst", **WRONG)["Body"].read() == body
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="dst", **SSEC))[1] == 403
    # Decrypted into a plain (SSE-S3) copy, and a plain object into an SSE-C one.
    plain = s3.copy_object(Bucket=bucket, Key="plain", CopySource=src, **SOURCE)
    assert plain["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="plain")["Body"].read() == body
    s3.copy_object(Bucket=bucket, Key="again", CopySource={"Bucket": bucket, "Key": "plain"},
                   **SSEC)
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="again"))[1] == 400
    # Re-keying in place is a change of encryption, so allowed.
    s3.copy_object(Bucket=bucket, Key="src", CopySource=src, **SOURCE, **WRONG)
    assert s3.get_object(Bucket=bucket, Key="src", **WRONG)["Body"].read() == body


def test_multipart_needs_the_key_on_every_part_and_reads_back_by_range(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"S" * MIB, **SSEC)
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", **SSEC)
    assert up["SSECustomerKeyMD5"] == MD5
    upload = dict(Bucket=bucket, Key="mp", UploadId=up["UploadId"])
    one = os.urandom(5 * MIB)
    assert code_of(lambda: s3.upload_part(PartNumber=1, Body=one, **upload)) == \
        ("InvalidRequest", 400)
    assert code_of(lambda: s3.upload_part(PartNumber=1, Body=one, **upload, **WRONG)) == \
        ("InvalidRequest", 400)
    p1 = s3.upload_part(PartNumber=1, Body=one, **upload, **SSEC)
    assert p1["SSECustomerKeyMD5"] == MD5
    assert code_of(lambda: s3.upload_part_copy(
        PartNumber=2, CopySource={"Bucket": bucket, "Key": "src"}, **upload, **SSEC)) == \
        ("InvalidRequest", 400)  # the source's key is missing
    p2 = s3.upload_part_copy(PartNumber=2, CopySource={"Bucket": bucket, "Key": "src"},
                             CopySourceRange="bytes=0-99", **upload, **SSEC, **SOURCE)
    parts = s3.list_parts(**upload)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, 5 * MIB), (2, 100)]
    assert code_of(lambda: s3.complete_multipart_upload(MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": p1["ETag"]}]}, **upload, **WRONG))[1] == 400
    s3.complete_multipart_upload(MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": p1["ETag"]},
        {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]}]}, **upload)
    whole = one + b"S" * 100
    assert s3.get_object(Bucket=bucket, Key="mp", **SSEC)["Body"].read() == whole
    got = s3.get_object(Bucket=bucket, Key="mp", Range="bytes=%d-%d" % (5 * MIB - 3, 5 * MIB + 4),
                        **SSEC)
    assert got["Body"].read() == whole[5 * MIB - 3:5 * MIB + 5]
    assert s3.head_object(Bucket=bucket, Key="mp", **SSEC)["ContentLength"] == len(whole)
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="mp"))[1] == 400
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="mp", **WRONG))[1] == 403
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="mp", PartNumber=2, **WRONG))[1] \
        == 403
    parts_on_disk = _files_of("mp/" + up["UploadId"])
    assert parts_on_disk
    assert not any(one[:64] in data for data in parts_on_disk)


def test_the_aws_cli_uploads_and_downloads_with_sse_c(saio, s3, bucket, tmp_path):
    keyfile = tmp_path / "key.bin"
    keyfile.write_bytes(KEY)
    small, big = tmp_path / "small.txt", tmp_path / "big.bin"
    small.write_bytes(MARK * 100)
    big.write_bytes(os.urandom(9 * MIB))  # multipart in aws s3 cp
    for path in (small, big):
        res = aws("s3", "cp", str(path), "s3://%s/%s" % (bucket, path.name), "--sse-c", "AES256",
                  "--sse-c-key", "fileb://%s" % keyfile)
        assert res.returncode == 0, res.stderr
        back = tmp_path / ("back-" + path.name)
        res = aws("s3", "cp", "s3://%s/%s" % (bucket, path.name), str(back), "--sse-c",
                  "AES256", "--sse-c-key", "fileb://%s" % keyfile)
        assert res.returncode == 0, res.stderr
        assert back.read_bytes() == path.read_bytes()
        res = aws("s3", "cp", "s3://%s/%s" % (bucket, path.name), str(tmp_path / "nokey"))
        assert res.returncode != 0 and not (tmp_path / "nokey").exists()
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="big.bin"))[1] == 400


def _drop_versions(s3, bucket):
    listed = s3.list_object_versions(Bucket=bucket)
    for v in listed.get("Versions", []) + listed.get("DeleteMarkers", []):
        s3.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])


def test_in_a_versioned_bucket_an_sse_c_object_is_overwritten_and_deleted_without_its_key(
        s3, bucket):
    """The archive copy moves the stored ciphertext and crypto metadata as
    they are: no key needed to keep a version, and each old version still
    reads back with its own key (and only with it)."""
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    key = _name("k")
    v1_body, v2_body = MARK * 500 + b"one", MARK * 700 + b"two"
    try:
        first = s3.put_object(Bucket=bucket, Key=key, Body=v1_body, **SSEC)
        # overwritten by a plaintext PUT without the first key: v1 is kept
        second = s3.put_object(Bucket=bucket, Key=key, Body=v2_body, **WRONG)
        marker = s3.delete_object(Bucket=bucket, Key=key)
        assert marker["DeleteMarker"] is True
        listed = s3.list_object_versions(Bucket=bucket, Prefix=key)
        assert [v["VersionId"] for v in listed["Versions"]] == [second["VersionId"],
                                                                first["VersionId"]]
        assert [m["VersionId"] for m in listed["DeleteMarkers"]] == [marker["VersionId"]]
        assert [v["ETag"] for v in listed["Versions"]] == [second["ETag"], first["ETag"]]
        got = s3.get_object(Bucket=bucket, Key=key, VersionId=first["VersionId"], **SSEC)
        assert got["Body"].read() == v1_body and got["SSECustomerKeyMD5"] == MD5
        assert got["ETag"] == first["ETag"]
        got = s3.get_object(Bucket=bucket, Key=key, VersionId=second["VersionId"], **WRONG)
        assert got["Body"].read() == v2_body
        # each version keeps its own key: not the other's, not none
        assert code_of(lambda: s3.get_object(Bucket=bucket, Key=key,
                                             VersionId=first["VersionId"], **WRONG))[1] == 403
        assert code_of(lambda: s3.get_object(Bucket=bucket, Key=key,
                                             VersionId=first["VersionId"]))[1] == 400
        # undelete: the marker goes, v2 is current again and reads with its key
        s3.delete_object(Bucket=bucket, Key=key, VersionId=marker["VersionId"])
        got = s3.get_object(Bucket=bucket, Key=key, **WRONG)
        assert got["Body"].read() == v2_body and got["VersionId"] == second["VersionId"]
        # deleting v2 by id brings v1 back as current, still its ciphertext
        s3.delete_object(Bucket=bucket, Key=key, VersionId=second["VersionId"])
        got = s3.get_object(Bucket=bucket, Key=key, **SSEC)
        assert got["Body"].read() == v1_body and got["VersionId"] == first["VersionId"]
        for blob in _files_of(key):
            assert MARK not in blob
    finally:
        _drop_versions(s3, bucket)


def test_in_a_suspended_bucket_an_sse_c_version_is_archived_without_its_key(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    key = _name("s")
    try:
        first = s3.put_object(Bucket=bucket, Key=key, Body=b"kept", **SSEC)
        s3.put_bucket_versioning(Bucket=bucket,
                                 VersioningConfiguration={"Status": "Suspended"})
        s3.delete_object(Bucket=bucket, Key=key)  # archives v1, null marker on top
        got = s3.get_object(Bucket=bucket, Key=key, VersionId=first["VersionId"], **SSEC)
        assert got["Body"].read() == b"kept"
    finally:
        _drop_versions(s3, bucket)

def test_get_object_attributes_needs_the_key_and_list_parts_accepts_it(s3, bucket):
    # boto3 does not base64 the key for these two operations: sent raw.
    s3.put_object(Bucket=bucket, Key="k", Body=b"x" * 10, **SSEC)
    wanted = {"x-amz-object-attributes": "ObjectSize"}
    attrs = s3_raw("GET", "/%s/k" % bucket, query={"attributes": ""},
                   headers=dict(wanted, **_raw_ssec()))
    assert attrs.status == 200 and b"<ObjectSize>10</ObjectSize>" in attrs.body
    assert s3_raw("GET", "/%s/k" % bucket, query={"attributes": ""}, headers=wanted).status \
        == 400
    assert s3_raw("GET", "/%s/k" % bucket, query={"attributes": ""},
                  headers=dict(wanted, **_raw_ssec(OTHER))).status == 403
    up = s3.create_multipart_upload(Bucket=bucket, Key="m", **SSEC)["UploadId"]
    parts = s3_raw("GET", "/%s/m" % bucket, query={"uploadId": up}, headers=_raw_ssec())
    assert parts.status == 200 and b"<Part>" not in parts.body
    s3.abort_multipart_upload(Bucket=bucket, Key="m", UploadId=up)
