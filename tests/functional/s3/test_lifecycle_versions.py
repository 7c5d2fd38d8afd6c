"""Transitions in versioned buckets with boto3 (the bucket versioned the
new way, object_versioning), applied by the tierer run "days later" (its
test-only clock_offset): Transition moves the current version,
NoncurrentVersionTransition (NoncurrentDays, NewerNoncurrentVersions) the
kept ones; every version keeps its id, ETag, Last-Modified and
ListObjectVersions entry, and reads whole by id after its move."""

import hashlib
import os
import uuid
from urllib.parse import quote

import pytest

from objstore.common.versions import reserved_versions_container
from objstore.common.versions_listing import version_name
from tests.functional.conftest import connect
from tests.functional.s3.test_s3_clients import client
from tests.functional.tiering_support import (  # noqa: F401 (fixtures)
    PROXY, admin_get, internal, pass_with, run_tierer, tiers_bodies)
from tests.support.s3_cleanup import delete_bucket, versioned_bucket

DAYS = 86400
BODIES = [os.urandom(130 * 1024) for _ in range(4)]


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture
def bucket(s3):
    with versioned_bucket(s3, "s3lcv-") as name:
        yield name
    run_tierer()  # the sweep takes the moved bodies no version names now


def _listing(s3, bucket):
    got = s3.list_object_versions(Bucket=bucket)
    return [(v["Key"], v["VersionId"], v["ETag"], v["Size"], v["LastModified"], v["IsLatest"])
            for v in got.get("Versions", [])]


def _read(s3, bucket, key, version_id):
    got = s3.get_object(Bucket=bucket, Key=key, VersionId=version_id)
    return got["Body"].read(), got["ETag"], got.get("StorageClass", "STANDARD")


def _moves(bucket, key, version_id=None):
    """The moves of an object, or of one of its kept versions."""
    path = "/v1/AUTH_test/%s/%s" % (bucket, key)
    if version_id is not None:
        path = "/v1/AUTH_test/%s/%s" % (reserved_versions_container(bucket),
                                        version_name(key, version_id))
    reseller = connect("reseller")
    return admin_get(PROXY, reseller.get_auth()[1], "status?path=" + quote(path))["moves"]


def _lifecycle_moves(bucket, key, version_id):
    return [m["reason"] for m in _moves(bucket, key, version_id)
            if m["reason"].startswith("lifecycle") and m["state"] == "done"]


def test_noncurrent_versions_transition_by_days_keeping_the_newest_ones(s3, bucket):
    ids = [s3.put_object(Bucket=bucket, Key="v/o", Body=b)["VersionId"] for b in BODIES]
    s3.put_object(Bucket=bucket, Key="cur/o", Body=BODIES[0])
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "nc", "Filter": {"Prefix": "v/"}, "Status": "Enabled",
         "NoncurrentVersionTransitions": [{"NoncurrentDays": 5, "StorageClass": "GLACIER_IR",
                                           "NewerNoncurrentVersions": 1}]},
        {"ID": "cur", "Filter": {"Prefix": "cur/"}, "Status": "Enabled",
         "Transitions": [{"Days": 5, "StorageClass": "STANDARD_IA"}]}]})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert got["NoncurrentVersionTransitions"] == [
        {"NoncurrentDays": 5, "StorageClass": "GLACIER_IR", "NewerNoncurrentVersions": 1}]
    before = _listing(s3, bucket)
    run_tierer(clock_offset=4 * DAYS)  # not due yet
    assert [_lifecycle_moves(bucket, "v/o", i) for i in ids] == [[], [], [], []]
    run_tierer(clock_offset=6 * DAYS)  # queued by the lifecycle walk, moved in that pass
    # the newest noncurrent version stays (NewerNoncurrentVersions 1), the two
    # older ones move, the current one is no noncurrent version; read counts
    # may move any of them too ("days later" nobody read them): not the rule's
    assert [_lifecycle_moves(bucket, "v/o", i) for i in ids] == \
        [["lifecycle:nc"], ["lifecycle:nc"], [], []]
    assert [_read(s3, bucket, "v/o", i)[2] for i in ids[:2]] == ["GLACIER_IR"] * 2
    for version_id, body in zip(ids, BODIES):
        data, etag, _class = _read(s3, bucket, "v/o", version_id)
        assert data == body and etag == '"%s"' % hashlib.md5(body).hexdigest()
    assert s3.head_object(Bucket=bucket, Key="cur/o")["StorageClass"] == "STANDARD_IA"
    assert _listing(s3, bucket) == before
    run_tierer(clock_offset=7 * DAYS)  # done once: nothing queued again
    assert [_lifecycle_moves(bucket, "v/o", i) for i in ids[:2]] == [["lifecycle:nc"]] * 2
    assert [m["reason"] for m in _moves(bucket, "cur/o")] == ["lifecycle:cur"]


def test_a_client_overwrite_during_a_current_version_s_move_wins(s3, bucket):
    first = s3.put_object(Bucket=bucket, Key="race", Body=BODIES[0])["VersionId"]
    newer = []
    # a move down (the bucket's policy is the top tier's)
    _stats, fired = pass_with("copied", lambda: newer.append(
        s3.put_object(Bucket=bucket, Key="race", Body=BODIES[1])["VersionId"]),
        enqueue=[("/v1/AUTH_test/%s/race" % bucket, "bronze")])
    assert fired and newer
    got = s3.get_object(Bucket=bucket, Key="race")
    assert got["Body"].read() == BODIES[1] and got["VersionId"] == newer[0]
    assert _read(s3, bucket, "race", first)[:2] == (
        BODIES[0], '"%s"' % hashlib.md5(BODIES[0]).hexdigest())
    assert [(v[1], v[5]) for v in _listing(s3, bucket)] == [(newer[0], True), (first, False)]
    assert _moves(bucket, "race")[0]["state"] == "abandoned"


def _null_moves(bucket):
    """The rule's moves of objects of the bucket's versions container."""
    history = admin_get(PROXY, connect("reseller").get_auth()[1], "history?limit=500")
    return [m for m in history if m["reason"] == "lifecycle:nc" and
            m["path"].startswith("/v1/AUTH_test/%s/" % reserved_versions_container(bucket))]


def test_a_null_version_written_before_versioning_transitions_as_a_noncurrent_version(
        s3, internal):
    """An object written before versioning was enabled is S3's ``null``
    version; overwritten, it is kept under its write time with no listed
    id. NoncurrentVersionTransition moves it as any noncurrent version (and
    NewerNoncurrentVersions keeps the newer one with an id where it is): its
    id, bytes, ETag and ListObjectVersions entry stay, it shows its class.
    NoncurrentVersionExpiration then deletes it, and the sweep its body."""
    name = "s3lcn-" + uuid.uuid4().hex[:10]
    s3.create_bucket(Bucket=name)
    try:
        assert "VersionId" not in s3.put_object(Bucket=name, Key="n/o", Body=BODIES[0])
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        ids = [s3.put_object(Bucket=name, Key="n/o", Body=b)["VersionId"] for b in BODIES[1:3]]
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [
            {"ID": "nc", "Filter": {"Prefix": "n/"}, "Status": "Enabled",
             "NoncurrentVersionTransitions": [{"NoncurrentDays": 5, "NewerNoncurrentVersions": 1,
                                               "StorageClass": "STANDARD_IA"}]}]})
        before = _listing(s3, name)
        assert [(v[1], v[5]) for v in before] == [(ids[1], True), (ids[0], False),
                                                  ("null", False)]
        run_tierer(clock_offset=6 * DAYS)
        kept = s3.list_object_versions(Bucket=name)["Versions"]
        assert [(v["VersionId"], v["StorageClass"]) for v in kept] == [
            (ids[1], "STANDARD"), (ids[0], "STANDARD"),
            ("null", "STANDARD")]  # listings keep the written class
        assert _listing(s3, name) == before
        data, etag, storage_class = _read(s3, name, "n/o", "null")
        assert (data, etag, storage_class) == (
            BODIES[0], '"%s"' % hashlib.md5(BODIES[0]).hexdigest(), "STANDARD_IA")
        head = s3.head_object(Bucket=name, Key="n/o", VersionId="null")
        assert head["StorageClass"] == "STANDARD_IA" and head["VersionId"] == "null"
        # one move, of the object the null version is kept as; the newer
        # noncurrent version (with an id) stays
        moved = _null_moves(name)
        assert [(m["to_tier"], m["state"]) for m in moved] == [("silver", "done")]
        assert _lifecycle_moves(name, "n/o", ids[0]) == []
        for version_id, body in zip(ids, BODIES[1:3]):
            assert _read(s3, name, "n/o", version_id) == (
                body, '"%s"' % hashlib.md5(body).hexdigest(), "STANDARD")
        run_tierer(clock_offset=7 * DAYS)  # done once: pinned, not queued again
        assert len(_null_moves(name)) == 1
        assert tiers_bodies(internal, "silver", moved[0]["path"]) != []
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [
            {"ID": "gone", "Filter": {"Prefix": "n/"}, "Status": "Enabled",
             "NoncurrentVersionExpiration": {"NoncurrentDays": 10}}]})
        run_tierer(clock_offset=11 * DAYS)
        assert [v[1] for v in _listing(s3, name)] == [ids[1]]
        run_tierer(clock_offset=11 * DAYS + 120)  # a sweep past its grace
        assert tiers_bodies(internal, "silver", moved[0]["path"]) == []
    finally:
        delete_bucket(s3, name)
        run_tierer()
