"""Multipart checksums as current S3 clients use them, against the live SAIO:
boto3's defaults (CRC32 on every upload, ``upload_file`` creating CRC32
composite uploads), explicit COMPOSITE and FULL_OBJECT uploads, the part
checksums Complete checks, and trailers (what SDKs send over TLS).

Expected values are computed here with zlib/hashlib, not with objstore's code.
"""

import base64
import hashlib
import zlib

import pytest
from boto3.s3.transfer import TransferConfig

from tests.functional.s3.signed import aws_chunked_with_trailer, s3_raw
from tests.functional.s3.test_s3_clients import bucket, code_of, s3  # noqa: F401

MIB = 1024 * 1024
PARTS = [b"a" * (5 * MIB), b"b" * (5 * MIB), b"tail"]


def _b64(raw):
    return base64.b64encode(raw).decode()


def _crc32(data):
    return zlib.crc32(data).to_bytes(4, "big")


def _composite(digest, parts):
    return "%s-%d" % (_b64(digest(b"".join(digest(p) for p in parts))), len(parts))


def _sha256(data):
    return hashlib.sha256(data).digest()


def _upload(s3, bucket, key, algorithm, parts=PARTS, **create):
    up = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm=algorithm,
                                    **create)["UploadId"]
    done = []
    for number, data in enumerate(parts, 1):
        resp = s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=number,
                              Body=data, ChecksumAlgorithm=algorithm)
        done.append({"PartNumber": number, "ETag": resp["ETag"],
                     "Checksum" + algorithm: resp["Checksum" + algorithm]})
    return up, done


def test_boto3_upload_file_defaults_give_a_crc32_composite_checksum(s3, bucket, tmp_path):
    path = tmp_path / "big"
    path.write_bytes(b"".join(PARTS[:2]))
    s3.upload_file(str(path), bucket, "big", Config=TransferConfig(
        multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB))
    head = s3.head_object(Bucket=bucket, Key="big", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == _composite(_crc32, PARTS[:2])
    assert head["ChecksumType"] == "COMPOSITE" and head["ETag"].endswith('-2"')
    got = s3.get_object(Bucket=bucket, Key="big", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == head["ChecksumCRC32"]
    assert hashlib.md5(got["Body"].read()).digest() == hashlib.md5(path.read_bytes()).digest()


def test_a_sha256_composite_upload_reports_its_checksum_everywhere(s3, bucket):
    up, parts = _upload(s3, bucket, "k", "SHA256")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up,
                                        MultipartUpload={"Parts": parts})
    expected = _composite(_sha256, PARTS)
    assert done["ChecksumSHA256"] == expected and done["ChecksumType"] == "COMPOSITE"
    again = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up,
                                         MultipartUpload={"Parts": parts})
    assert again["ChecksumSHA256"] == expected
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == expected and head["ChecksumType"] == "COMPOSITE"
    assert "ChecksumSHA256" not in s3.head_object(Bucket=bucket, Key="k")


def test_a_full_object_crc32_upload_is_the_crc_of_the_whole_object(s3, bucket):
    whole = _b64(_crc32(b"".join(PARTS)))
    up, parts = _upload(s3, bucket, "k", "CRC32", ChecksumType="FULL_OBJECT")
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=up, MultipartUpload={"Parts": parts},
        ChecksumCRC32=_b64(_crc32(b"wrong")), ChecksumType="FULL_OBJECT")) \
        == ("BadDigest", 400)
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up,
                                        MultipartUpload={"Parts": parts},
                                        ChecksumCRC32=whole, ChecksumType="FULL_OBJECT")
    assert done["ChecksumCRC32"] == whole and done["ChecksumType"] == "FULL_OBJECT"
    again = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up,
                                         MultipartUpload={"Parts": parts},
                                         ChecksumCRC32=whole, ChecksumType="FULL_OBJECT")
    assert again["ChecksumCRC32"] == whole and again["ETag"] == done["ETag"]
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == whole and head["ChecksumType"] == "FULL_OBJECT"
    # boto3 validates a full-object checksum of a GET against the body.
    body = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")["Body"].read()
    assert body == b"".join(PARTS)


def test_a_part_checksum_that_does_not_match_is_invalid_part(s3, bucket):
    up, parts = _upload(s3, bucket, "k", "CRC32", parts=[b"x" * 10])
    parts[0]["ChecksumCRC32"] = _b64(_crc32(b"y"))
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=up, MultipartUpload={"Parts": parts})) \
        == ("InvalidPart", 400)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="k"))[1] == 404


def test_checksum_types_an_algorithm_cannot_have_are_refused(s3, bucket):
    assert code_of(lambda: s3.create_multipart_upload(
        Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256", ChecksumType="FULL_OBJECT")) \
        == ("InvalidRequest", 400)
    resp = s3_raw("POST", "/%s/k" % bucket, query={"uploads": ""},
                  headers={"x-amz-checksum-algorithm": "CRC64NVME",
                           "x-amz-checksum-type": "COMPOSITE"})
    assert resp.status == 400 and b"<Code>InvalidRequest</Code>" in resp.body


def test_a_part_without_the_uploads_checksum_is_refused(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="k",
                                    ChecksumAlgorithm="CRC32")["UploadId"]
    try:
        resp = s3_raw("PUT", "/%s/k" % bucket, query={"uploadId": up, "partNumber": "1"},
                      body=b"no checksum")
        assert resp.status == 400 and b"<Code>InvalidRequest</Code>" in resp.body
        assert s3.list_parts(Bucket=bucket, Key="k", UploadId=up).get("Parts", []) == []
    finally:
        s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=up)


def test_parts_with_trailer_checksums_and_copied_parts_make_the_composite(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=PARTS[1])
    up = s3.create_multipart_upload(Bucket=bucket, Key="k",
                                    ChecksumAlgorithm="CRC32")["UploadId"]
    value = _b64(_crc32(PARTS[0]))
    resp = s3_raw("PUT", "/%s/k" % bucket, query={"uploadId": up, "partNumber": "1"},
                  trailer=True, body=aws_chunked_with_trailer(PARTS[0], "x-amz-checksum-crc32",
                                                              value),
                  headers={"Content-Encoding": "aws-chunked",
                           "x-amz-decoded-content-length": str(len(PARTS[0])),
                           "x-amz-trailer": "x-amz-checksum-crc32"})
    assert resp.status == 200, resp.body
    first = {"PartNumber": 1, "ETag": resp.headers["etag"], "ChecksumCRC32": value}
    copied = s3.upload_part_copy(Bucket=bucket, Key="k", UploadId=up, PartNumber=2,
                                 CopySource={"Bucket": bucket, "Key": "src"})["CopyPartResult"]
    assert copied["ChecksumCRC32"] == _b64(_crc32(PARTS[1]))
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up, MultipartUpload={
        "Parts": [first, {"PartNumber": 2, "ETag": copied["ETag"]}]})
    assert done["ChecksumCRC32"] == _composite(_crc32, PARTS[:2])


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_single_puts_report_a_full_object_checksum(s3, bucket, algorithm):
    s3.put_object(Bucket=bucket, Key="k", Body=b"data", ChecksumAlgorithm=algorithm)
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumType"] == "FULL_OBJECT" and head["Checksum" + algorithm]


def test_get_object_attributes_of_a_multipart_object(s3, bucket):
    up, parts = _upload(s3, bucket, "k", "SHA256")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up,
                                        MultipartUpload={"Parts": parts})
    attrs = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=[
        "ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"])
    assert attrs["ETag"] == done["ETag"].strip('"')
    assert attrs["Checksum"] == {"ChecksumSHA256": _composite(_sha256, PARTS),
                                 "ChecksumType": "COMPOSITE"}
    assert attrs["ObjectSize"] == sum(len(p) for p in PARTS)
    assert attrs["StorageClass"] == "STANDARD"
    assert attrs["ObjectParts"]["TotalPartsCount"] == 3
    assert [p["Size"] for p in attrs["ObjectParts"]["Parts"]] == [len(p) for p in PARTS]
    assert [p["ChecksumSHA256"] for p in attrs["ObjectParts"]["Parts"]] == \
        [_b64(_sha256(p)) for p in PARTS]
    for number, data in enumerate(PARTS, 1):
        got = s3.get_object(Bucket=bucket, Key="k", PartNumber=number, ChecksumMode="ENABLED")
        assert got["ChecksumSHA256"] == _b64(_sha256(data)) and got["PartsCount"] == 3
        assert got["Body"].read() == data  # boto3 checks the body against it too
    page = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectParts"],
                                    MaxParts=2, PartNumberMarker=1)["ObjectParts"]
    assert [p["PartNumber"] for p in page["Parts"]] == [2, 3] and page["IsTruncated"] is False
    assert code_of(lambda: s3.get_object_attributes(
        Bucket=bucket, Key="absent", ObjectAttributes=["ETag"])) == ("NoSuchKey", 404)


def test_get_object_attributes_of_a_plain_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="p", Body=b"data", ChecksumAlgorithm="CRC32")
    attrs = s3.get_object_attributes(Bucket=bucket, Key="p",
                                     ObjectAttributes=["ETag", "Checksum", "ObjectSize"])
    assert attrs["ETag"] == hashlib.md5(b"data").hexdigest()
    assert attrs["Checksum"] == {"ChecksumCRC32": _b64(_crc32(b"data")),
                                 "ChecksumType": "FULL_OBJECT"}
    assert attrs["ObjectSize"] == 4 and "ObjectParts" not in attrs


def _crc64nvme(data):
    from awscrt import checksums as crt
    return crt.crc64nvme(data).to_bytes(8, "big")


def test_an_upload_without_a_checksum_gets_s3s_default_crc64nvme(bucket):
    """A client that sends no checksum (boto3 with when_required, older
    SDKs, s3cmd) gets the CRC64NVME S3 computes: on the PUT answer, on
    HEAD/GET with checksum mode, and in GetObjectAttributes."""
    from tests.functional.s3.test_s3_clients import client
    plain = client(request_checksum_calculation="when_required")
    body = b"no checksum sent " * 1000
    put = plain.put_object(Bucket=bucket, Key="k", Body=body)
    expected = _b64(_crc64nvme(body))
    assert put["ChecksumCRC64NVME"] == expected and put["ChecksumType"] == "FULL_OBJECT"
    head = plain.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == expected and head["ChecksumType"] == "FULL_OBJECT"
    assert "ChecksumCRC64NVME" not in plain.head_object(Bucket=bucket, Key="k")
    got = plain.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["ChecksumCRC64NVME"] == expected and got["Body"].read() == body
    attrs = plain.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Checksum"])
    assert attrs["Checksum"] == {"ChecksumCRC64NVME": expected, "ChecksumType": "FULL_OBJECT"}
    empty = plain.put_object(Bucket=bucket, Key="empty", Body=b"")
    assert empty["ChecksumCRC64NVME"] == _b64(_crc64nvme(b""))


def test_a_sent_checksum_is_kept_instead_of_the_default(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"data", ChecksumAlgorithm="SHA256")
    assert put["ChecksumSHA256"] == _b64(_sha256(b"data")) and "ChecksumCRC64NVME" not in put
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert "ChecksumCRC64NVME" not in head and head["ChecksumSHA256"]


def test_a_multipart_upload_without_checksums_gets_the_full_object_crc64nvme(s3, bucket):
    """Created without an algorithm, parts sent without checksums (one of them
    copied): S3 computes each part's CRC64NVME and the object's FULL_OBJECT
    CRC64NVME, as if it had been uploaded in one piece."""
    from tests.functional.s3.test_s3_clients import client
    plain = client(request_checksum_calculation="when_required")
    s3.put_object(Bucket=bucket, Key="src", Body=PARTS[1])
    up = plain.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    first = plain.upload_part(Bucket=bucket, Key="k", UploadId=up, PartNumber=1,
                              Body=PARTS[0])
    assert first["ChecksumCRC64NVME"] == _b64(_crc64nvme(PARTS[0]))
    second = plain.upload_part_copy(Bucket=bucket, Key="k", UploadId=up, PartNumber=2,
                                    CopySource={"Bucket": bucket, "Key": "src"})
    assert second["CopyPartResult"]["ChecksumCRC64NVME"] == _b64(_crc64nvme(PARTS[1]))
    third = plain.upload_part(Bucket=bucket, Key="k", UploadId=up, PartNumber=3,
                              Body=PARTS[2])
    listed = plain.list_parts(Bucket=bucket, Key="k", UploadId=up)["Parts"]
    assert [p["ChecksumCRC64NVME"] for p in listed] == [_b64(_crc64nvme(p)) for p in PARTS]
    parts = {"Parts": [{"PartNumber": 1, "ETag": first["ETag"]},
                       {"PartNumber": 2, "ETag": second["CopyPartResult"]["ETag"]},
                       {"PartNumber": 3, "ETag": third["ETag"]}]}
    whole = _b64(_crc64nvme(b"".join(PARTS)))
    assert code_of(lambda: plain.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=up, MultipartUpload=parts,
        ChecksumCRC64NVME=_b64(_crc64nvme(b"wrong")))) == ("BadDigest", 400)
    done = plain.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up,
                                           MultipartUpload=parts, ChecksumType="FULL_OBJECT",
                                           ChecksumCRC64NVME=whole)
    assert done["ChecksumCRC64NVME"] == whole and done["ChecksumType"] == "FULL_OBJECT"
    head = plain.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == whole and head["ChecksumType"] == "FULL_OBJECT"
    attrs = plain.get_object_attributes(Bucket=bucket, Key="k",
                                        ObjectAttributes=["Checksum", "ObjectParts"])
    assert attrs["Checksum"] == {"ChecksumCRC64NVME": whole, "ChecksumType": "FULL_OBJECT"}
    assert [p["ChecksumCRC64NVME"] for p in attrs["ObjectParts"]["Parts"]] == \
        [_b64(_crc64nvme(p)) for p in PARTS]
    got = plain.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"".join(PARTS)  # botocore checks the CRC64NVME too


@pytest.mark.parametrize("headers", [
    {"x-amz-checksum-md5": _b64(hashlib.md5(b"x").digest())},
    {"x-amz-checksum-xxhash64": "AAAAAAAAAAA="},
    {"x-amz-checksum-sha512": _b64(hashlib.sha512(b"x").digest())}])
def test_checksums_s3_does_not_have_are_invalid_request_and_store_nothing(s3, bucket,
                                                                          headers):
    resp = s3_raw("PUT", "/%s/k" % bucket, headers=headers, body=b"x")
    assert resp.status == 400 and b"<Code>InvalidRequest</Code>" in resp.body
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="k"))[1] == 404


def test_a_wrong_checksum_value_is_bad_digest_and_stores_nothing(s3, bucket):
    for algorithm, digest in (("crc32", _crc32(b"other")), ("sha1", hashlib.sha1(b"o").digest()),
                              ("crc64nvme", _crc64nvme(b"other"))):
        resp = s3_raw("PUT", "/%s/k" % bucket, body=b"x",
                      headers={"x-amz-checksum-" + algorithm: _b64(digest)})
        assert resp.status == 400 and b"<Code>BadDigest</Code>" in resp.body, algorithm
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="k"))[1] == 404
    resp = s3_raw("PUT", "/%s/k" % bucket, body=b"x",
                  headers={"x-amz-checksum-type": "FULL_OBJECT",
                           "x-amz-checksum-crc32": _b64(_crc32(b"x"))})
    assert resp.status == 200


def test_get_object_attributes_of_versions_keep_each_versions_checksum(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    try:
        v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one", ChecksumAlgorithm="SHA1")
        up, parts = _upload(s3, bucket, "k", "CRC32")
        v2 = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up,
                                          MultipartUpload={"Parts": parts})
        old = s3.get_object_attributes(Bucket=bucket, Key="k", VersionId=v1["VersionId"],
                                       ObjectAttributes=["Checksum", "ObjectParts", "ETag"])
        assert old["Checksum"] == {"ChecksumSHA1": _b64(hashlib.sha1(b"one").digest()),
                                   "ChecksumType": "FULL_OBJECT"}
        assert old["VersionId"] == v1["VersionId"] and "ObjectParts" not in old
        new = s3.get_object_attributes(Bucket=bucket, Key="k", VersionId=v2["VersionId"],
                                       ObjectAttributes=["Checksum", "ObjectParts"])
        assert new["Checksum"] == {"ChecksumCRC32": _composite(_crc32, PARTS),
                                   "ChecksumType": "COMPOSITE"}
        assert [p["ChecksumCRC32"] for p in new["ObjectParts"]["Parts"]] == \
            [_b64(_crc32(p)) for p in PARTS]
    finally:
        for v in s3.list_object_versions(Bucket=bucket).get("Versions", []):
            s3.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])


def test_the_default_checksum_is_stored_with_the_data_in_one_write(bucket):
    """S3's default CRC64NVME is only known after the body; it follows the
    body as a metadata footer in the same backend PUT, so each replica holds
    one ``.data`` with it and no ``.meta`` of a second write."""
    import glob
    import os

    from objstore.common.config import load_hash_settings
    from ring.utils import hash_path
    from tests.functional.conftest import REPO
    from tests.functional.s3.test_s3_clients import client
    plain = client(request_checksum_calculation="when_required")
    body = b"one write " * 100
    put = plain.put_object(Bucket=bucket, Key="one-write", Body=body)
    assert put["ChecksumCRC64NVME"] == _b64(_crc64nvme(body))
    from tests.probe.probe_helpers import copies_home
    copies_home("AUTH_test", bucket, "one-write", body)  # a PUT promises a quorum only
    saio = os.path.join(REPO, ".saio")
    prefix, suffix = load_hash_settings(os.path.join(saio, "etc"))
    digest = hash_path("AUTH_test", bucket, "one-write", prefix=prefix, suffix=suffix)
    files = glob.glob(os.path.join(saio, "srv", "*", "node", "*", "objects*", "*", digest[-3:],
                                   digest, "*"))
    assert len(files) == 3 and all(f.endswith(".data") for f in files), files
    head = plain.head_object(Bucket=bucket, Key="one-write", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == _b64(_crc64nvme(body))
