"""An object an S3 multipart upload completed, read through the Swift API
(python-swiftclient) as Swift serves it, a static large object: its bytes,
the SLO ETag, the plain Content-Type, ranges and conditions judged on the
whole object. S3 reads of it are unchanged."""

import hashlib

import pytest
import swiftclient

from tests.functional.conftest import connect
from tests.functional.s3.test_s3_clients import bucket, code_of, s3  # noqa: F401

FIRST = b"a" * 5 * 1024 * 1024
LAST = b"bcd"


@pytest.fixture
def completed(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", ContentType="text/x-mp")["UploadId"]
    parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key="mp", UploadId=up,
                                                      PartNumber=n, Body=data)["ETag"]}
             for n, data in ((1, FIRST), (2, LAST))]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up,
                                        MultipartUpload={"Parts": parts})
    slo_etag = hashlib.md5((hashlib.md5(FIRST).hexdigest()
                            + hashlib.md5(LAST).hexdigest()).encode()).hexdigest()
    return done["ETag"], slo_etag


def test_the_swift_api_reads_the_whole_object_with_the_slo_etag(s3, bucket, completed):
    s3_etag, slo_etag = completed
    conn = connect("admin")
    head = conn.head_object(bucket, "mp")
    assert (head["etag"], head["content-type"], head["content-length"],
            head["x-static-large-object"]) == ('"%s"' % slo_etag, "text/x-mp",
                                               str(len(FIRST) + 3), "True")
    got, body = conn.get_object(bucket, "mp")
    assert body == FIRST + LAST and got["etag"] == '"%s"' % slo_etag
    got, body = conn.get_object(bucket, "mp", headers={"Range": "bytes=%d-" % (len(FIRST) - 2)})
    assert body == b"aabcd" and got["content-range"] == "bytes %d-%d/%d" % (
        len(FIRST) - 2, len(FIRST) + 2, len(FIRST) + 3)
    # the stored manifest is still there for who asks for it
    _h, raw = conn.get_object(bucket, "mp", query_string="multipart-manifest=get")
    assert b"size_bytes" in raw and len(raw) < 1000
    # and S3 reads it as before
    assert s3.get_object(Bucket=bucket, Key="mp")["ETag"] == s3_etag


def test_conditions_are_judged_against_the_slo_etag(s3, bucket, completed):
    _s3_etag, slo_etag = completed
    conn = connect("admin")
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(bucket, "mp", headers={"If-None-Match": '"%s"' % slo_etag})
    assert err.value.http_status == 304
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(bucket, "mp", headers={"If-Match": '"%s"' % ("0" * 32)})
    assert err.value.http_status == 412
    _h, body = conn.get_object(bucket, "mp", headers={"If-Match": slo_etag})
    assert body == FIRST + LAST
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(bucket, "mp", headers={"Range": "bytes=%d-" % (len(FIRST) + 3)})
    assert err.value.http_status == 416
