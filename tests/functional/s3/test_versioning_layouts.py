"""The two layouts of a versioned bucket, against the live SAIO: a bucket
versioned for the first time now uses object_versioning (its versions in a
reserved container no client can name, the same versions a Swift client
lists with ?versions); a bucket versioned before keeps its <bucket>+versions
archive and keeps working (no migration)."""

import http.client
import os
import time
import urllib.parse
import uuid

import pytest
import swiftclient

from tests.functional.s3.test_bucket_policy import member  # noqa: F401
from tests.functional.s3.test_s3_clients import client, code_of
from tests.support.s3_cleanup import delete_bucket

ACCOUNT = "AUTH_test"


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture(scope="module")
def conn(saio):
    return swiftclient.Connection("%s/auth/v1.0" % os.environ.get(
        "OBJSTORE_PROXY", "http://127.0.0.1:%s" % os.environ.get("SAIO_PROXY_PORT", "8080")),
        "test:tester", "testing", retries=0)


@pytest.fixture
def bucket(s3, conn):
    name = "s3lay-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    yield name
    try:
        delete_bucket(s3, name)
    finally:
        for leftover in (name + "+versions",):
            try:
                for obj in conn.get_container(leftover, full_listing=True)[1]:
                    conn.delete_object(leftover, obj["name"])
                conn.delete_container(leftover)
            except swiftclient.ClientException as err:
                assert err.http_status == 404


def test_a_new_versioned_bucket_is_object_versioning_seen_alike_by_swift(s3, conn, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"before")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert conn.head_container(bucket)["x-versions-enabled"] == "True"
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=body)["VersionId"]
           for body in (b"one", b"two")]
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    listed = s3.list_object_versions(Bucket=bucket)
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == \
        [(ids[1], False), (ids[0], False), ("null", False)]
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == \
        [(marker, True)]
    # A Swift client lists the same versions (the version written before
    # versioning under its write time: S3 calls it null, as AWS does).
    rows = conn.get_container(bucket, query_string="versions")[1]
    swift_ids = [r["version_id"] for r in rows]
    assert swift_ids[:3] == [marker, ids[1], ids[0]] and len(swift_ids) == 4
    assert rows[0]["content_type"] == "application/x-deleted;swift_versions_deleted=1"
    assert conn.get_object(bucket, "k", query_string="version-id=" + ids[0])[1] == b"one"
    # No archive container anywhere a client looks.
    names = [c["name"] for c in conn.get_account(full_listing=True)[1]]
    assert bucket in names and not [n for n in names if bucket + "+" in n or "\x00" in n]
    assert bucket + "+versions" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    # Undelete: deleting the marker brings the newest version back, with its id.
    s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
    got = s3.get_object(Bucket=bucket, Key="k")
    assert (got["Body"].read(), got["VersionId"]) == (b"two", ids[1])
    assert [(v["VersionId"], v["IsLatest"]) for v in
            s3.list_object_versions(Bucket=bucket)["Versions"]] == \
        [(ids[1], True), (ids[0], False), ("null", False)]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"before"
    assert code_of(lambda: s3.delete_bucket(Bucket=bucket)) == ("BucketNotEmpty", 409)


def _container_servers(method, container, headers):
    """One request to each of the container's servers (below the proxy),
    once each holds the container (a PUT promises a quorum only)."""
    from tests.probe.probe_helpers import container_dbs_home
    part, nodes = container_dbs_home(ACCOUNT, container)
    statuses = []
    for node in nodes:
        http_conn = http.client.HTTPConnection(node["ip"], node["port"], timeout=10)
        http_conn.request(method, "/%s/%d/%s/%s" % (node["device"], part, ACCOUNT,
                                                    urllib.parse.quote(container)),
                          headers=headers)
        resp = http_conn.getresponse()
        resp.read()
        statuses.append(resp.status)
        http_conn.close()
    return statuses


def _versioned_before(conn, bucket):
    """The bucket as PutBucketVersioning left one before the move (no
    request can make one now): an archive container, X-History-Location on
    the bucket, the S3 status in sysmeta."""
    conn.put_container(bucket + "+versions")
    conn.post_container(bucket, {"X-History-Location": bucket + "+versions"})
    assert _container_servers("POST", bucket, {
        "X-Timestamp": "%.5f" % time.time(),
        "X-Container-Sysmeta-S3api-Versioning": "Enabled"}) == [204] * 3


def test_a_bucket_versioned_before_keeps_its_archive(s3, conn, bucket):
    _versioned_before(conn, bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=body)["VersionId"]
           for body in (b"one", b"two")]
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    archived = [o["name"] for o in conn.get_container(bucket + "+versions")[1]]
    assert len(archived) == 3  # two versions and the marker, where they always were
    listed = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in listed["Versions"]] == [ids[1], ids[0]]
    assert [m["VersionId"] for m in listed["DeleteMarkers"]] == [marker]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=ids[0])["Body"].read() == b"one"
    # Suspending and enabling again stays on the same layout.
    for status in ("Suspended", "Enabled"):
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})
        assert "x-versions-enabled" not in conn.head_container(bucket)
    s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
    got = s3.get_object(Bucket=bucket, Key="k")
    assert (got["Body"].read(), got["VersionId"]) == (b"two", ids[1])


def test_kept_versions_are_judged_by_the_bucket_acls(s3, conn, bucket, member):
    """The reserved versions container has no ACL of its own: a caller the
    bucket lets read reads kept versions, only one it lets write deletes
    them."""
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=bucket, Key="k", Body=b"old")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"new")
    assert code_of(lambda: member.get_object(Bucket=bucket, Key="k", VersionId=old))[1] == 403
    conn.post_container(bucket, {"X-Container-Read": "test:tester3"})
    assert member.get_object(Bucket=bucket, Key="k", VersionId=old)["Body"].read() == b"old"
    assert code_of(lambda: member.delete_object(Bucket=bucket, Key="k", VersionId=old)) == \
        ("AccessDenied", 403)
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=old)["Body"].read() == b"old"
    conn.post_container(bucket, {"X-Container-Write": "test:tester3"})
    member.delete_object(Bucket=bucket, Key="k", VersionId=old)
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="k", VersionId=old)) == \
        ("NoSuchVersion", 404)


def test_a_locked_version_brought_back_in_a_bucket_versioned_before_is_there_once(
        s3, conn, bucket):
    """Deleting the current version brings the one below back out of the
    +versions archive; when that one is locked, its archived copy still
    leaves (the version, lock and all, lives on as the current object): it
    was refused and the version was listed twice."""
    _versioned_before(conn, bucket)
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled"})
    older = s3.put_object(Bucket=bucket, Key="k", Body=b"older")["VersionId"]
    newer = s3.put_object(Bucket=bucket, Key="k", Body=b"newer")["VersionId"]
    s3.put_object_legal_hold(Bucket=bucket, Key="k", VersionId=older,
                             LegalHold={"Status": "ON"})
    try:
        s3.delete_object(Bucket=bucket, Key="k", VersionId=newer)
        listed = s3.list_object_versions(Bucket=bucket)
        assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == \
            [(older, True)]
        assert conn.get_container(bucket + "+versions")[1] == []
        got = s3.get_object(Bucket=bucket, Key="k")
        assert (got["Body"].read(), got["VersionId"]) == (b"older", older)
        # still locked where it is now: neither the version nor the key goes
        assert s3.get_object_legal_hold(Bucket=bucket, Key="k", VersionId=older)[
            "LegalHold"]["Status"] == "ON"
        assert code_of(lambda: s3.delete_object(Bucket=bucket, Key="k", VersionId=older)) \
            == ("AccessDenied", 403)
        assert s3.get_object(Bucket=bucket, Key="k", VersionId=older)["Body"].read() == \
            b"older"
    finally:
        s3.put_object_legal_hold(Bucket=bucket, Key="k", VersionId=older,
                                 LegalHold={"Status": "OFF"})
