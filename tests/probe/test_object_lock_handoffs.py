"""Probe: an S3 DELETE of a locked version while every primary of its copy
is down writes no tombstone anywhere (s3api finds no version to delete; the
proxy's lock guard, tests/unit/proxy/test_lock_guard.py, refuses such a
DELETE with 503 before any tombstone), so replication cannot carry one home
over the locked data; the version is whole once the primaries are back."""

import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_helpers import (PROXY, account_of, copies_home, diskfile, object_nodes,  # noqa: E402
                           on_disk, stop_server)
from targeted import replicate, restart  # noqa: E402

import boto3  # noqa: E402
import botocore  # noqa: E402
import pytest  # noqa: E402
from objstore.common.versions import reserved_versions_container  # noqa: E402
from objstore.common.versions_listing import version_name  # noqa: E402


def _s3():
    return boto3.client("s3", endpoint_url=PROXY, region_name="us-east-1",
                        aws_access_key_id="test:tester", aws_secret_access_key="testing",
                        config=botocore.config.Config(retries={"max_attempts": 1}))


def test_a_delete_reaching_only_handoffs_is_refused_and_the_locked_version_survives(
        conn):
    s3, bucket = _s3(), "s3lockprobe-" + uuid.uuid4().hex[:10]
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    try:
        old = s3.put_object(Bucket=bucket, Key="k", Body=b"locked version",
                            ObjectLockLegalHoldStatus="ON")["VersionId"]
        s3.put_object(Bucket=bucket, Key="k", Body=b"newer")  # archives the locked one
        # the locked version is kept in the bucket's reserved versions container
        archive = reserved_versions_container(bucket)
        name = version_name("k", old)
        account = account_of(conn)
        part, primaries, handoffs = object_nodes(account, archive, name)
        copies_home(account, archive, name, b"locked version")  # each primary holds it
        for node in primaries:
            stop_server("object-%d" % node)
        try:
            # s3api finds no such version where it can look (every primary
            # is down, the handoffs have none) and answers as S3 does for a
            # missing version: 204, deleting nothing.
            resp = s3.delete_object(Bucket=bucket, Key="k", VersionId=old)
            assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
            # Nothing written where a DELETE could have gone.
            for node in handoffs:
                assert not os.path.exists(diskfile(node, part, account, archive, name).datadir)
        finally:
            restart(["object-%d" % node for node in primaries])
        replicate([part])
        for node in primaries:
            assert on_disk(node, part, account, archive, name) == b"locked version"
        assert s3.get_object(Bucket=bucket, Key="k", VersionId=old)["Body"].read() == \
            b"locked version"
        # With every node up, the lock itself answers.
        with pytest.raises(botocore.exceptions.ClientError) as err:
            s3.delete_object(Bucket=bucket, Key="k", VersionId=old)
        assert err.value.response["Error"]["Code"] == "AccessDenied"
    finally:
        _empty(s3, bucket)


def _empty(s3, bucket):
    """Every hold off first (deleting the current version surfaces the one
    below, which must be free to move), then every version, then the bucket."""
    versions = s3.list_object_versions(Bucket=bucket)
    for item in versions.get("Versions", []):
        s3.put_object_legal_hold(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"],
                                 LegalHold={"Status": "OFF"})
    for item in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
        s3.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])
    s3.delete_bucket(Bucket=bucket)
