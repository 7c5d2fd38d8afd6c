"""S3 bucket versioning with boto3 against the live SAIO: version ids, delete
markers, reads and deletes by version id, ListObjectVersions."""

import uuid

import pytest

from tests.functional.s3.test_s3_clients import client, code_of
from tests.support.s3_cleanup import delete_bucket, versioned_bucket


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture
def vbucket(s3):
    with versioned_bucket(s3, "s3ver-") as name:
        yield name


def test_versioning_status_is_reported_and_hidden_containers_are_not_buckets(s3, vbucket):
    assert s3.get_bucket_versioning(Bucket=vbucket)["Status"] == "Enabled"
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert vbucket in names and vbucket + "+versions" not in names
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=vbucket)["Status"] == "Suspended"


def test_every_put_is_a_version_readable_by_id(s3, vbucket):
    ids = [s3.put_object(Bucket=vbucket, Key="k", Body=body)["VersionId"]
           for body in (b"one", b"two", b"three")]
    assert len(set(ids)) == 3 and "null" not in ids
    got = s3.get_object(Bucket=vbucket, Key="k")
    assert got["Body"].read() == b"three" and got["VersionId"] == ids[2]
    for vid, body in zip(ids, (b"one", b"two", b"three")):
        one = s3.get_object(Bucket=vbucket, Key="k", VersionId=vid)
        assert one["Body"].read() == body and one["VersionId"] == vid
        assert s3.head_object(Bucket=vbucket, Key="k", VersionId=vid)["ContentLength"] \
            == len(body)
    listing = s3.list_object_versions(Bucket=vbucket)
    assert [(v["VersionId"], v["IsLatest"]) for v in listing["Versions"]] == \
        [(ids[2], True), (ids[1], False), (ids[0], False)]
    assert code_of(lambda: s3.get_object(Bucket=vbucket, Key="k",
                                         VersionId="1.00000"))[0] == "NoSuchVersion"


def test_delete_leaves_a_marker_and_deleting_the_marker_brings_the_object_back(
        s3, vbucket):
    vid = s3.put_object(Bucket=vbucket, Key="doc", Body=b"data")["VersionId"]
    deleted = s3.delete_object(Bucket=vbucket, Key="doc")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    assert code_of(lambda: s3.get_object(Bucket=vbucket, Key="doc"))[1] == 404
    assert s3.list_objects_v2(Bucket=vbucket)["KeyCount"] == 0
    listing = s3.list_object_versions(Bucket=vbucket)
    assert [(m["VersionId"], m["IsLatest"]) for m in listing["DeleteMarkers"]] == \
        [(marker, True)]
    assert [(v["VersionId"], v["IsLatest"]) for v in listing["Versions"]] == [(vid, False)]
    assert code_of(lambda: s3.get_object(Bucket=vbucket, Key="doc",
                                         VersionId=marker))[1] == 405

    s3.delete_object(Bucket=vbucket, Key="doc", VersionId=marker)
    got = s3.get_object(Bucket=vbucket, Key="doc")
    assert got["Body"].read() == b"data" and got["VersionId"] == vid


def test_deleting_the_latest_version_by_id_makes_the_previous_one_current(s3, vbucket):
    first = s3.put_object(Bucket=vbucket, Key="k", Body=b"v1")["VersionId"]
    second = s3.put_object(Bucket=vbucket, Key="k", Body=b"v2")["VersionId"]
    assert s3.delete_object(Bucket=vbucket, Key="k", VersionId=second)["VersionId"] == second
    got = s3.get_object(Bucket=vbucket, Key="k")
    assert got["Body"].read() == b"v1" and got["VersionId"] == first
    assert [v["VersionId"] for v in s3.list_object_versions(Bucket=vbucket)["Versions"]] \
        == [first]


def test_objects_from_before_versioning_are_the_null_version(s3):
    name = "s3ver-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    try:
        s3.put_object(Bucket=name, Key="old", Body=b"before")
        listing = s3.list_object_versions(Bucket=name)
        assert [(v["Key"], v["VersionId"]) for v in listing["Versions"]] == [("old", "null")]
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        new = s3.put_object(Bucket=name, Key="old", Body=b"after")["VersionId"]
        assert s3.get_object(Bucket=name, Key="old", VersionId="null")["Body"].read() \
            == b"before"
        ids = [v["VersionId"] for v in s3.list_object_versions(Bucket=name)["Versions"]]
        assert ids == [new, "null"]
        assert code_of(lambda: s3.delete_bucket(Bucket=name))[0] == "BucketNotEmpty"
    finally:
        delete_bucket(s3, name)


def test_suspended_writes_replace_the_null_version_and_keep_older_ones(s3, vbucket):
    kept = s3.put_object(Bucket=vbucket, Key="k", Body=b"versioned")["VersionId"]
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Suspended"})
    assert "VersionId" not in s3.put_object(Bucket=vbucket, Key="k", Body=b"n1")
    s3.put_object(Bucket=vbucket, Key="k", Body=b"n2")
    ids = [v["VersionId"] for v in s3.list_object_versions(Bucket=vbucket)["Versions"]]
    assert ids == ["null", kept]
    assert s3.get_object(Bucket=vbucket, Key="k")["Body"].read() == b"n2"


def test_list_object_versions_pages_with_markers_and_folds_prefixes(s3, vbucket):
    for key in ("a", "b", "dir/x"):
        s3.put_object(Bucket=vbucket, Key=key, Body=b"1")
        s3.put_object(Bucket=vbucket, Key=key, Body=b"2")
    seen = []
    for page in s3.get_paginator("list_object_versions").paginate(
            Bucket=vbucket, PaginationConfig={"PageSize": 2}):
        seen.extend((v["Key"], v["IsLatest"]) for v in page.get("Versions", []))
    assert seen == [("a", True), ("a", False), ("b", True), ("b", False),
                    ("dir/x", True), ("dir/x", False)]
    folded = s3.list_object_versions(Bucket=vbucket, Delimiter="/")
    assert folded["CommonPrefixes"] == [{"Prefix": "dir/"}]
    assert {v["Key"] for v in folded["Versions"]} == {"a", "b"}


def test_a_multipart_object_survives_as_a_version_when_overwritten(s3, vbucket):
    up = s3.create_multipart_upload(Bucket=vbucket, Key="mp")
    part = s3.upload_part(Bucket=vbucket, Key="mp", UploadId=up["UploadId"], PartNumber=1,
                          Body=b"p" * 1000)
    done = s3.complete_multipart_upload(
        Bucket=vbucket, Key="mp", UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    s3.put_object(Bucket=vbucket, Key="mp", Body=b"small")
    old = s3.get_object(Bucket=vbucket, Key="mp", VersionId=done["VersionId"])
    assert old["Body"].read() == b"p" * 1000


def test_delete_objects_with_version_ids(s3, vbucket):
    a = s3.put_object(Bucket=vbucket, Key="a", Body=b"1")["VersionId"]
    res = s3.delete_objects(Bucket=vbucket, Delete={"Objects": [
        {"Key": "a", "VersionId": a}, {"Key": "b"}]})
    by_key = {d["Key"]: d for d in res["Deleted"]}
    assert by_key["a"]["VersionId"] == a
    assert by_key["b"]["DeleteMarker"] is True and by_key["b"]["DeleteMarkerVersionId"]
    assert "Versions" not in s3.list_object_versions(Bucket=vbucket)


def test_concurrent_writes_of_one_key_each_keep_their_version(s3, vbucket):
    """Writers of the same key at once: every write is a version, listed
    under the id its answer gave, and the newest listed is current."""
    import threading
    answers, bodies = {}, {}

    def put(i):
        body = b"writer %d" % i
        answers[i] = s3.put_object(Bucket=vbucket, Key="k", Body=body)["VersionId"]
        bodies[answers[i]] = body

    threads = [threading.Thread(target=put, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    listed = s3.list_object_versions(Bucket=vbucket)["Versions"]
    assert sorted(v["VersionId"] for v in listed) == sorted(answers.values())
    assert [v["IsLatest"] for v in listed].count(True) == 1
    latest = next(v["VersionId"] for v in listed if v["IsLatest"])
    assert latest == max(answers.values(), key=float)
    assert s3.get_object(Bucket=vbucket, Key="k")["Body"].read() == bodies[latest]
    for vid, body in bodies.items():
        assert s3.get_object(Bucket=vbucket, Key="k", VersionId=vid)["Body"].read() == body


def test_concurrent_deletes_of_every_version_by_id_leave_none(s3, vbucket):
    """Deleting the current version by id brings the newest kept one back;
    deleting that one at the same moment must not leave it standing."""
    import threading
    for _round in range(3):
        ids = [s3.put_object(Bucket=vbucket, Key="k", Body=b"v%d" % i)["VersionId"]
               for i in range(5)]
        threads = [threading.Thread(target=s3.delete_object,
                                    kwargs={"Bucket": vbucket, "Key": "k", "VersionId": vid})
                   for vid in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        listed = s3.list_object_versions(Bucket=vbucket)
        assert "Versions" not in listed and "DeleteMarkers" not in listed
        assert code_of(lambda: s3.head_object(Bucket=vbucket, Key="k"))[1] == 404
