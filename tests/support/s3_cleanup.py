"""Delete a test's S3 bucket for good, whatever the test left in it.

A bucket may hold objects, versions and delete markers, open multipart
uploads, or sit on a cluster that answers 503 for a moment (a probe or a
backend rate limit test elsewhere). So: delete every version its version
listing names (current objects included), delete it through S3 (its open
uploads go with it, and its name leaves the bucket index), and retry until
a deadline; a bucket that cannot be
deleted is an error, not something to pass over: every user of the account
would see it, and its name stays taken for everyone.
"""
from __future__ import annotations

import contextlib
import time
import uuid
from typing import Iterator

import botocore.exceptions


def empty_bucket(s3, name: str) -> None:
    """Delete every object version and delete marker (an unversioned
    bucket lists its objects there too, as version ``null``): one listing
    request for a bucket holding none. Open uploads go with the bucket:
    DeleteBucket removes its uploads' parts and markers (the session's
    leftover check would name a segments container that stayed)."""
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
            s3.delete_object(Bucket=name, Key=item["Key"], VersionId=item["VersionId"])


def delete_bucket(s3, name: str, timeout: float = 60.0) -> None:
    """Empty and delete ``name`` with the client that owns it; already
    gone is fine, failing past ``timeout`` is an AssertionError."""
    deadline = time.time() + timeout
    while True:
        try:
            empty_bucket(s3, name)
            s3.delete_bucket(Bucket=name)
            return
        except botocore.exceptions.ClientError as err:
            if err.response["Error"]["Code"] == "NoSuchBucket":
                return
            if time.time() > deadline:
                raise AssertionError("test bucket %s could not be deleted: %s" % (name, err))
        except botocore.exceptions.BotoCoreError as err:  # a server restarting
            if time.time() > deadline:
                raise AssertionError("test bucket %s could not be deleted: %s" % (name, err))
        time.sleep(0.5)


@contextlib.contextmanager
def versioned_bucket(s3, prefix: str) -> Iterator[str]:
    """A new bucket named ``prefix`` + a unique suffix, versioning enabled;
    deleted for good (every version) when the block ends."""
    name = prefix + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    try:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        yield name
    finally:
        delete_bucket(s3, name)
