"""What an S3 PutObject and DeleteObject cost the proxy in Swift
subrequests, read from the SAIO proxy's access log by transaction id: what
Swift's s3api sends (a PUT; a HEAD that finds a multipart object's parts,
then the DELETE), and no subrequest that only learns who signed."""

from __future__ import annotations

import os
import time
import uuid

from tests.functional.conftest import REPO
from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_s3_clients import bucket, s3  # noqa: F401

PROXY_LOG = os.path.join(os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio")), "log",
                         "proxy.log")


def _subrequests(txn: str, client_line: str) -> list:
    """``METHOD path`` of the Swift subrequests transaction ``txn`` logged,
    once the client's own line (``client_line``, e.g. ``"PUT /b/k "``) is
    there too (a line is written when its request ends)."""
    deadline = time.time() + 20
    while True:
        with open(PROXY_LOG, errors="replace") as fp:
            lines = [line for line in fp if txn in line and "proxy-access" in line]
        if any(client_line in line for line in lines) or time.time() > deadline:
            break
        time.sleep(0.05)
    out = []
    for line in lines:
        if " objstore-s3api " in line:  # the user agent of s3api's subrequests
            words = line.split()
            at = next(i for i, w in enumerate(words) if w in ("GET", "HEAD", "PUT", "POST",
                                                                "DELETE", "OPTIONS"))
            out.append("%s %s" % (words[at], words[at + 1]))
    return out


def test_put_and_delete_object_send_only_what_swifts_s3api_sends(bucket):
    key = "k-" + uuid.uuid4().hex[:8]
    put = s3_raw("PUT", "/%s/%s" % (bucket, key), body=b"four")
    assert put.status == 200
    assert _subrequests(put.headers["x-amz-request-id"], "PUT /%s/%s " % (bucket, key)) == [
        "PUT /v1/AUTH_test/%s/%s" % (bucket, key)]
    delete = s3_raw("DELETE", "/%s/%s" % (bucket, key))
    assert delete.status == 204
    assert _subrequests(delete.headers["x-amz-request-id"],
                        "DELETE /%s/%s " % (bucket, key)) == [
        "HEAD /v1/AUTH_test/%s/%s" % (bucket, key),
        "DELETE /v1/AUTH_test/%s/%s" % (bucket, key)]
    assert s3_raw("GET", "/%s/%s" % (bucket, key)).status == 404


def test_delete_of_a_missing_key_is_204_and_of_a_missing_bucket_no_such_bucket(bucket):
    assert s3_raw("DELETE", "/%s/never-there" % bucket).status == 204
    missing = s3_raw("DELETE", "/%s-gone/k" % bucket)
    assert missing.status == 404 and b"<Code>NoSuchBucket</Code>" in missing.body


def test_delete_of_a_multipart_object_still_takes_its_parts(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=1,
                          Body=b"p" * 1024)
    s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    delete = s3_raw("DELETE", "/%s/big" % bucket)
    assert delete.status == 204
    methods = _subrequests(delete.headers["x-amz-request-id"], "DELETE /%s/big " % bucket)
    assert methods[0] == "HEAD /v1/AUTH_test/%s/big" % bucket  # finds the parts
    assert sum(1 for m in methods if m.startswith("DELETE ")) == 2  # the object, its part


def test_put_object_in_a_container_made_through_swift_heads_no_object():
    """No manifests mark (the Swift API made the container) and no parts
    container: nothing the PUT could replace has parts, so no HEAD of it."""
    from tests.functional.conftest import connect
    conn, name = connect("admin"), "s3sub-" + uuid.uuid4().hex[:10]
    conn.put_container(name)
    try:
        for _ in range(2):
            put = s3_raw("PUT", "/%s/k" % name, body=b"four")
            assert put.status == 200
            assert _subrequests(put.headers["x-amz-request-id"], "PUT /%s/k " % name) == [
                "PUT /v1/AUTH_test/%s/k" % name]
    finally:
        conn.delete_object(name, "k")
        conn.delete_container(name)
