"""S3 conditional writes (If-Match / If-None-Match on PutObject and
CompleteMultipartUpload) with boto3 against the live SAIO: S3's statuses,
and the stored object left as it was when a condition fails."""

import hashlib
import os
import threading
import time

import botocore
import pytest

from objstore.common.memcached import MemcacheRing
from objstore.middleware.s3api.conditions import _lock_key
from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_s3_clients import (  # noqa: F401 (fixtures)
    bucket, client, code_of, s3)


def _body(s3, bucket, key):
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_if_none_match_star_creates_once_then_is_412_and_keeps_the_first(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first", IfNoneMatch="*")
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"second",
                                         IfNoneMatch="*")) == ("PreconditionFailed", 412)
    assert _body(s3, bucket, "k") == b"first"


def test_if_match_overwrites_only_the_named_etag(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["ETag"]
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"v2",
                                         IfMatch='"%s"' % hashlib.md5(b"x").hexdigest())) \
        == ("PreconditionFailed", 412)
    assert _body(s3, bucket, "k") == b"v1"
    s3.put_object(Bucket=bucket, Key="k", Body=b"v2", IfMatch=etag)
    assert _body(s3, bucket, "k") == b"v2"


def test_if_match_on_a_missing_key_is_no_such_key_and_writes_nothing(s3, bucket):
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="absent", Body=b"x",
                                         IfMatch='"%s"' % hashlib.md5(b"x").hexdigest())) \
        == ("NoSuchKey", 404)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="absent"))[1] == 404


@pytest.mark.parametrize("headers", [{"If-None-Match": '"abc"'},
                                     {"If-None-Match": "*", "If-Match": '"abc"'}])
def test_other_if_none_match_forms_are_not_implemented(bucket, headers):
    resp = s3_raw("PUT", "/%s/k" % bucket, headers=headers, body=b"x")
    assert resp.status == 501 and b"<Code>NotImplemented</Code>" in resp.body


def _multipart(s3, bucket, key, data):
    up = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=1, Body=data)
    return up, {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}


def test_complete_with_if_none_match_refuses_an_existing_key_and_keeps_the_upload(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"there")
    up, parts = _multipart(s3, bucket, "k", b"m" * 100)
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=up, MultipartUpload=parts, IfNoneMatch="*")) \
        == ("PreconditionFailed", 412)
    assert _body(s3, bucket, "k") == b"there"
    s3.delete_object(Bucket=bucket, Key="k")
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up, MultipartUpload=parts,
                                 IfNoneMatch="*")
    assert _body(s3, bucket, "k") == b"m" * 100


def test_complete_with_if_match(s3, bucket):
    up, parts = _multipart(s3, bucket, "k", b"m" * 100)
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=up, MultipartUpload=parts,
        IfMatch='"%s"' % hashlib.md5(b"x").hexdigest())) == ("NoSuchKey", 404)
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"old")["ETag"]
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=up, MultipartUpload=parts,
        IfMatch='"%s"' % hashlib.md5(b"x").hexdigest())) == ("PreconditionFailed", 412)
    assert _body(s3, bucket, "k") == b"old"
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=up, MultipartUpload=parts,
                                 IfMatch=etag)
    assert _body(s3, bucket, "k") == b"m" * 100


# -- concurrent writers: what is stored is what the answers said ------------------

class _SlowBody:
    """A request body boto3 holds back: botocore reads it once to sign it
    (fast), rewinds, then sends it; in that second pass the first piece goes
    at once (``started`` is set) and the rest only once ``release`` is set,
    so the write stays in progress for as long as the test needs, however
    slow the machine."""

    def __init__(self, data, pieces=8):
        self.data, self.pos = data, 0
        self.piece = max(1, len(data) // pieces)
        self.passes = 0
        self.started = threading.Event()
        self.release = threading.Event()

    def read(self, size=-1):
        if self.pos >= len(self.data):
            return b""
        if self.passes:
            if self.started.is_set():
                self.release.wait(60)
            self.started.set()
            size = self.piece
        size = len(self.data) if size is None or size < 0 else size
        chunk = self.data[self.pos:self.pos + size]
        self.pos += len(chunk)
        return chunk

    def tell(self):
        return self.pos

    def seek(self, pos, whence=0):
        if self.pos >= len(self.data) and pos == 0 and whence == 0:
            self.passes += 1
        self.pos = pos if whence == 0 else len(self.data) if whence == 2 else self.pos + pos
        return self.pos


def _until_it_holds_the_lock(bucket, key, timeout=30.0):
    """Until the held-back conditional write holds the proxies' shared lock
    of ``key`` (in the SAIO's memcached): what the test does next lands
    during the write, not before it."""
    cache = MemcacheRing(["127.0.0.1:%s" % os.environ.get("SAIO_MEMCACHED_PORT", "11211")])
    name = _lock_key("AUTH_test", bucket, key)
    deadline = time.time() + timeout
    while cache.get(name) is None:
        assert time.time() < deadline, "the held-back write never took the lock"
        time.sleep(0.02)


def _slow_client():
    """A boto3 client that streams the body as it sends it (no checksum read first)."""
    return client(request_checksum_calculation="when_required")


def _in_thread(call):
    box = {}

    def run():
        try:
            box["result"] = call()
        except botocore.exceptions.ClientError as err:
            box["error"] = (err.response["Error"]["Code"],
                            err.response["ResponseMetadata"]["HTTPStatusCode"])
    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def test_concurrent_if_none_match_writers_store_exactly_the_one_that_succeeded(bucket):
    bodies = [("writer-%d " % i).encode() * 2000 for i in range(6)]
    clients = [client() for _ in bodies]
    barrier = threading.Barrier(len(bodies))

    def write(s3, body):
        barrier.wait()
        return s3.put_object(Bucket=bucket, Key="once", Body=body, IfNoneMatch="*")
    runs = [_in_thread(lambda s3=s3, body=body: write(s3, body))
            for s3, body in zip(clients, bodies)]
    for thread, _ in runs:
        thread.join()
    won = [body for (_, box), body in zip(runs, bodies) if "result" in box]
    lost = [box["error"] for _, box in runs if "error" in box]
    assert len(won) == 1, lost
    assert set(lost) <= {("PreconditionFailed", 412), ("ConditionalRequestConflict", 409)}
    assert len(lost) == len(bodies) - 1
    assert clients[0].get_object(Bucket=bucket, Key="once")["Body"].read() == won[0]


def test_if_match_compare_and_swap_loses_no_increment(bucket):
    """Four boto3 writers each add 1 to a counter object five times with
    If-Match (retrying on 412 and 409): every increment is kept."""
    seed = client()
    seed.put_object(Bucket=bucket, Key="counter", Body=b"0")

    def increment(s3):
        done = 0
        while done < 5:
            got = s3.get_object(Bucket=bucket, Key="counter")
            value = int(got["Body"].read())
            try:
                s3.put_object(Bucket=bucket, Key="counter", Body=str(value + 1).encode(),
                              IfMatch=got["ETag"])
                done += 1
            except botocore.exceptions.ClientError as err:
                assert err.response["Error"]["Code"] in ("PreconditionFailed",
                                                         "ConditionalRequestConflict")
    runs = [_in_thread(lambda s3=client(): increment(s3)) for _ in range(4)]
    for thread, box in runs:
        thread.join()
    assert all("error" not in box for _, box in runs)
    assert seed.get_object(Bucket=bucket, Key="counter")["Body"].read() == b"20"


def test_a_second_conditional_write_during_one_in_progress_is_409_conflict(s3, bucket):
    slow = _SlowBody(b"s" * 64 * 1024)
    thread, box = _in_thread(lambda: _slow_client().put_object(
        Bucket=bucket, Key="k", Body=slow, ContentLength=len(slow.data), IfNoneMatch="*"))
    try:
        _until_it_holds_the_lock(bucket, "k")
        assert code_of(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"other",
                                             IfNoneMatch="*")) == (
            "ConditionalRequestConflict", 409)
    finally:
        slow.release.set()
        thread.join()
    assert "result" in box, box
    assert _body(s3, bucket, "k") == slow.data
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"other",
                                         IfNoneMatch="*")) == ("PreconditionFailed", 412)


def test_a_plain_write_landing_during_an_if_match_write_makes_it_409_conflict(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["ETag"]
    slow = _SlowBody(b"c" * 64 * 1024)
    thread, box = _in_thread(lambda: _slow_client().put_object(
        Bucket=bucket, Key="k", Body=slow, ContentLength=len(slow.data), IfMatch=etag))
    try:
        _until_it_holds_the_lock(bucket, "k")
        s3.put_object(Bucket=bucket, Key="k", Body=b"changed meanwhile")
    finally:
        slow.release.set()
        thread.join()
    assert box.get("error") == ("ConditionalRequestConflict", 409), box
    assert _body(s3, bucket, "k") == b"changed meanwhile"
