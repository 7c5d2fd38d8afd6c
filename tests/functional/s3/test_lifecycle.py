"""S3 lifecycle rules with boto3 on the live SAIO, applied by the tierer
run "days later" (its test-only clock_offset, never a sleep): Expiration
deletes, Transition moves to the tier of the storage class (HeadObject
shows it, bytes and ETag unchanged), rules filter by prefix, tags and size;
a PutObject naming a tier's storage class is moved to that tier."""

import ast
import calendar
import email.utils
import hashlib
import os
import time
import uuid
from urllib.parse import quote

import botocore
import pytest

from tests.functional.s3.test_s3_clients import client, code_of, delete_bucket_and_contents
from tests.functional.conftest import PROXY, connect
from tests.functional.tiering_support import LATER, admin_get, run_tierer, wait_tracked

DAYS = 86400


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture
def bucket(s3):
    name = "s3lc-" + uuid.uuid4().hex[:10]
    s3.create_bucket(Bucket=name)
    yield name
    delete_bucket_and_contents(s3, name)


def _moves(bucket, key):
    return _status(bucket, key)["moves"]


def _rules(*rules):
    return {"Rules": list(rules)}


def test_put_get_and_delete_a_configuration(s3, bucket):
    assert code_of(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket)) == \
        ("NoSuchLifecycleConfiguration", 404)
    rules = [{"ID": "old-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
              "Expiration": {"Days": 30}},
             {"ID": "cold", "Filter": {"And": {"Prefix": "data/", "Tags": [
                 {"Key": "tier", "Value": "cold"}], "ObjectSizeGreaterThan": 1024}},
              "Status": "Disabled",
              "Transitions": [{"Days": 10, "StorageClass": "STANDARD_IA"},
                              {"Days": 60, "StorageClass": "GLACIER_IR"}]}]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket,
                                          LifecycleConfiguration=_rules(*rules))
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert got[0] == rules[0]
    assert got[1]["Filter"] == rules[1]["Filter"] and got[1]["Status"] == "Disabled"
    assert got[1]["Transitions"] == rules[1]["Transitions"]
    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert code_of(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket)) == \
        ("NoSuchLifecycleConfiguration", 404)


@pytest.mark.parametrize("rule, code", [
    ({"ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled",
      "Transitions": [{"Days": 1, "StorageClass": "DEEP_ARCHIVE"}]},
     ("InvalidStorageClass", 400)),
    ({"ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled",
      "Transitions": [{"Days": 1, "StorageClass": "STANDARD"}]},
     ("InvalidStorageClass", 400)),
    ({"ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 0}},
     ("InvalidArgument", 400)),
])
def test_a_bad_configuration_is_refused_and_the_stored_one_stays(s3, bucket, rule, code):
    good = {"ID": "keep", "Filter": {"Prefix": "a/"}, "Status": "Enabled",
            "Expiration": {"Days": 5}}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=_rules(good))
    assert code_of(lambda: s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration=_rules(rule))) == code
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == [good]


def test_expiration_and_transition_are_applied_when_their_days_have_passed(s3, bucket):
    body = b"cold bytes " * 1000
    for key in ("logs/old", "data/big", "data/small", "data/tagged", "keep/me"):
        s3.put_object(Bucket=bucket, Key=key, Body=body if key != "data/small" else b"tiny",
                      Tagging="tier=cold" if key == "data/tagged" else "")
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=_rules(
        {"ID": "expire", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
         "Expiration": {"Days": 7}},
        {"ID": "to-ir", "Filter": {"And": {"Prefix": "data/", "ObjectSizeGreaterThan": 100}},
         "Status": "Enabled", "Transitions": [{"Days": 3, "StorageClass": "GLACIER_IR"}]},
        {"ID": "off", "Filter": {"Prefix": "keep/"}, "Status": "Disabled",
         "Expiration": {"Days": 1}}))
    run_tierer(clock_offset=2 * DAYS)  # nothing is due yet
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]) == \
        ["data/big", "data/small", "data/tagged", "keep/me", "logs/old"]
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="data/big")
    run_tierer(clock_offset=8 * DAYS)
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]) == \
        ["data/big", "data/small", "data/tagged", "keep/me"]
    for key in ("data/big", "data/tagged"):
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head["StorageClass"] == "GLACIER_IR", key
        got = s3.get_object(Bucket=bucket, Key=key)
        assert got["StorageClass"] == "GLACIER_IR"
        data = got["Body"].read()
        assert data == body and got["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
        assert s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"] == (
            [{"Key": "tier", "Value": "cold"}] if key == "data/tagged" else [])
    # too small for the rule; the disabled rule expired nothing (read counts
    # may still have moved them: nobody read them for days)
    reasons = [m["reason"] for m in _moves(bucket, "data/small") + _moves(bucket, "keep/me")]
    assert not [r for r in reasons if r.startswith("lifecycle")], reasons
    assert [m["reason"] for m in _moves(bucket, "data/big")][0] == "lifecycle:to-ir"
    assert s3.get_object(Bucket=bucket, Key="keep/me")["Body"].read() == body
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="logs/old")


def test_put_object_with_a_tier_s_storage_class_is_placed_in_that_tier(s3, bucket):
    body = b"placed " * 1000
    s3.put_object(Bucket=bucket, Key="ir", Body=body, StorageClass="GLACIER_IR")
    s3.put_object(Bucket=bucket, Key="plain", Body=body)
    deadline = time.time() + 30
    while _status(bucket, "ir")["tier"] != "bronze":  # the proxy appends within a second
        assert time.time() < deadline, _status(bucket, "ir")
        run_tierer()
    status = _status(bucket, "ir")
    assert status["pinned"] and status["moves"][0]["reason"] == "storage class"
    got = s3.get_object(Bucket=bucket, Key="ir")
    assert got["StorageClass"] == "GLACIER_IR" and got["Body"].read() == body
    assert not [m for m in _status(bucket, "plain")["moves"]]


def _status(bucket, key):
    reseller = connect("reseller")
    return admin_get(PROXY, reseller.get_auth()[1],
                     "status?path=/v1/AUTH_test/%s/%s" % (bucket, key))


def _upload(s3, bucket, key, parts):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    for number in range(1, parts + 1):
        s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number,
                       Body=b"p" * (5 * 1024 * 1024 if number < parts else 10))
    return upload_id


def test_incomplete_multipart_uploads_are_aborted_days_after_initiation(s3, bucket):
    old = _upload(s3, bucket, "tmp/big", 2)
    kept = _upload(s3, bucket, "keep/big", 1)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=_rules(
        {"ID": "abort-tmp", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}}))
    run_tierer(clock_offset=2 * DAYS)  # not due yet
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == \
        [kept, old]
    log = run_tierer(clock_offset=4 * DAYS)
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("keep/big", kept)], log[-2000:]
    assert code_of(lambda: s3.list_parts(Bucket=bucket, Key="tmp/big", UploadId=old)) == \
        ("NoSuchUpload", 404)
    # its parts went with it, as AbortMultipartUpload deletes them
    segments = connect("admin").get_container(bucket + "+segments", prefix="tmp/")[1]
    assert segments == []
    # the upload the rule does not cover still completes
    parts = s3.list_parts(Bucket=bucket, Key="keep/big", UploadId=kept)["Parts"]
    s3.complete_multipart_upload(Bucket=bucket, Key="keep/big", UploadId=kept,
                                 MultipartUpload={"Parts": [
                                     {"PartNumber": p["PartNumber"], "ETag": p["ETag"]}
                                     for p in parts]})
    assert s3.get_object(Bucket=bucket, Key="keep/big")["Body"].read() == b"p" * 10


def test_an_expired_multipart_object_takes_its_parts_along(s3, bucket):
    upload_id = _upload(s3, bucket, "logs/mp", 2)
    parts = s3.list_parts(Bucket=bucket, Key="logs/mp", UploadId=upload_id)["Parts"]
    s3.complete_multipart_upload(Bucket=bucket, Key="logs/mp", UploadId=upload_id,
                                 MultipartUpload={"Parts": [
                                     {"PartNumber": p["PartNumber"], "ETag": p["ETag"]}
                                     for p in parts]})
    s3.put_object(Bucket=bucket, Key="keep/mp", Body=b"kept")
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=_rules(
        {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
         "Expiration": {"Days": 1}}))
    segments = bucket + "+segments"
    assert len(connect("admin").get_container(segments, prefix="logs/mp/")[1]) == 2
    run_tierer(clock_offset=2 * DAYS)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["keep/mp"]
    assert connect("admin").get_container(segments, prefix="logs/mp/")[1] == []


def _midnight_after(http_date, days):
    stamp = calendar.timegm(email.utils.parsedate(http_date)) + days * DAYS
    return email.utils.formatdate((stamp // DAYS + 1) * DAYS, usegmt=True)


def test_get_and_head_show_x_amz_expiration_for_objects_an_expiration_rule_matches(s3, bucket):
    for key in ("logs/a", "logs/tagged", "data/a"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x" * 10,
                      Tagging="keep=no" if key == "logs/tagged" else "")
    assert "Expiration" not in s3.head_object(Bucket=bucket, Key="logs/a")
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=_rules(
        {"ID": "logs-30", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
         "Expiration": {"Days": 30}},
        {"ID": "untagged-5", "Filter": {"And": {"Prefix": "logs/", "Tags": [
            {"Key": "keep", "Value": "no"}]}}, "Status": "Enabled",
         "Expiration": {"Days": 5}},
        {"ID": "off", "Filter": {"Prefix": "data/"}, "Status": "Disabled",
         "Expiration": {"Days": 1}},
        {"ID": "ir", "Filter": {"Prefix": "data/"}, "Status": "Enabled",
         "Transitions": [{"Days": 1, "StorageClass": "GLACIER_IR"}]}))
    head = s3.head_object(Bucket=bucket, Key="logs/a")
    want = 'expiry-date="%s", rule-id="logs-30"' % _midnight_after(
        head["ResponseMetadata"]["HTTPHeaders"]["last-modified"], 30)
    assert head["Expiration"] == want
    assert s3.get_object(Bucket=bucket, Key="logs/a")["Expiration"] == want
    # of two matching rules, the one that expires it first
    tagged = s3.get_object(Bucket=bucket, Key="logs/tagged")
    assert tagged["Expiration"] == 'expiry-date="%s", rule-id="untagged-5"' % \
        _midnight_after(tagged["ResponseMetadata"]["HTTPHeaders"]["last-modified"], 5)
    # a disabled rule and a transition say nothing
    assert "Expiration" not in s3.head_object(Bucket=bucket, Key="data/a")
    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert "Expiration" not in s3.head_object(Bucket=bucket, Key="logs/a")


def test_put_object_answers_x_amz_expiration_when_a_rule_matches_the_new_object(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=_rules(
        {"ID": "logs-30", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
         "Expiration": {"Days": 30}},
        {"ID": "untagged-5", "Filter": {"And": {"Prefix": "logs/", "Tags": [
            {"Key": "keep", "Value": "no"}]}}, "Status": "Enabled",
         "Expiration": {"Days": 5}}))
    put = s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x")
    head = s3.head_object(Bucket=bucket, Key="logs/a")
    assert put["Expiration"] == head["Expiration"] == 'expiry-date="%s", rule-id="logs-30"' \
        % _midnight_after(head["ResponseMetadata"]["HTTPHeaders"]["last-modified"], 30)
    tagged = s3.put_object(Bucket=bucket, Key="logs/t", Body=b"x", Tagging="keep=no")
    assert tagged["Expiration"].endswith('rule-id="untagged-5"')
    assert "Expiration" not in s3.put_object(Bucket=bucket, Key="data/a", Body=b"x")
    # a copy and a completed upload are writes too
    copied = s3.copy_object(Bucket=bucket, Key="logs/copy", CopySource={
        "Bucket": bucket, "Key": "data/a"})
    assert copied["Expiration"].endswith('rule-id="logs-30"')
    upload = s3.create_multipart_upload(Bucket=bucket, Key="logs/mp")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="logs/mp", UploadId=upload, PartNumber=1,
                          Body=b"p")["ETag"]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="logs/mp", UploadId=upload,
                                        MultipartUpload={"Parts": [{"ETag": part,
                                                                    "PartNumber": 1}]})
    assert done["Expiration"].endswith('rule-id="logs-30"')


def _versions(s3, bucket):
    got = s3.list_object_versions(Bucket=bucket)
    return sorted([(v["Key"], v["VersionId"], "v") for v in got.get("Versions", [])] +
                  [(m["Key"], m["VersionId"], "dm") for m in got.get("DeleteMarkers", [])])


def test_in_a_versioned_bucket_expiration_writes_delete_markers_and_old_versions_go(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    logs = [s3.put_object(Bucket=bucket, Key="logs/a", Body=b"v%d" % n)["VersionId"]
            for n in range(3)]
    expiring = s3.put_object(Bucket=bucket, Key="exp/b", Body=b"b")["VersionId"]
    gone = s3.put_object(Bucket=bucket, Key="dm/c", Body=b"c")["VersionId"]
    lone = s3.delete_object(Bucket=bucket, Key="dm/c")["VersionId"]
    s3.delete_object(Bucket=bucket, Key="dm/c", VersionId=gone)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=_rules(
        {"ID": "nc", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
         "NoncurrentVersionExpiration": {"NoncurrentDays": 2, "NewerNoncurrentVersions": 1}},
        {"ID": "exp", "Filter": {"Prefix": "exp/"}, "Status": "Enabled",
         "Expiration": {"Days": 2}},
        {"ID": "dm", "Filter": {"Prefix": "dm/"}, "Status": "Enabled",
         "Expiration": {"ExpiredObjectDeleteMarker": True}}))
    before = _versions(s3, bucket)
    run_tierer(clock_offset=DAYS)  # nothing due yet (a lone marker is, at once)
    assert _versions(s3, bucket) == sorted(v for v in before if v[1] != lone)
    log = run_tierer(clock_offset=3 * DAYS)
    after = _versions(s3, bucket)
    markers = [v for v in after if v[0] == "exp/b" and v[2] == "dm"]
    assert len(markers) == 1, (after, log[-2000:])
    # the newest noncurrent version is kept (NewerNoncurrentVersions 1), the
    # older one deleted by its id; the expired object is hidden, not removed
    assert after == sorted([("logs/a", logs[2], "v"), ("logs/a", logs[1], "v"),
                            ("exp/b", expiring, "v"), markers[0]])
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="exp/b")) == ("404", 404)
    assert s3.get_object(Bucket=bucket, Key="exp/b", VersionId=expiring)["Body"].read() == b"b"
    assert s3.get_object(Bucket=bucket, Key="logs/a")["Body"].read() == b"v2"


def test_lifecycle_never_removes_a_locked_version(s3):
    name = "s3lc-lock-" + uuid.uuid4().hex[:8]
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    held = []
    try:
        for key in ("logs/locked", "exp/locked"):
            held.append((key, s3.put_object(Bucket=name, Key=key, Body=b"locked",
                                            ObjectLockLegalHoldStatus="ON")["VersionId"]))
        current = s3.put_object(Bucket=name, Key="logs/locked", Body=b"newer")["VersionId"]
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration=_rules(
            {"ID": "nc", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
             "NoncurrentVersionExpiration": {"NoncurrentDays": 1}},
            {"ID": "exp", "Filter": {"Prefix": "exp/"}, "Status": "Enabled",
             "Expiration": {"Days": 1}}))
        run_tierer(clock_offset=9 * DAYS)
        after = _versions(s3, name)
        # the noncurrent locked version stays; the expired one is hidden by a
        # delete marker (as S3 does) but its bytes stay
        assert [v for v in after if v[2] == "v"] == sorted(
            [("exp/locked", held[1][1], "v"), ("logs/locked", held[0][1], "v"),
             ("logs/locked", current, "v")])
        assert [v[0] for v in after if v[2] == "dm"] == ["exp/locked"]
        for key, vid in held:
            assert s3.get_object(Bucket=name, Key=key, VersionId=vid)["Body"].read() == \
                b"locked"
    finally:
        for key, vid in held:
            s3.put_object_legal_hold(Bucket=name, Key=key, VersionId=vid,
                                     LegalHold={"Status": "OFF"})
        delete_bucket_and_contents(s3, name)


def test_noncurrent_expiration_and_upload_aborts_round_trip_and_tags_refused(s3, bucket):
    rules = [{"ID": "old-versions", "Filter": {"Prefix": "v/"}, "Status": "Enabled",
              "NoncurrentVersionExpiration": {"NoncurrentDays": 30,
                                              "NewerNoncurrentVersions": 2}},
             {"ID": "uploads", "Filter": {"Prefix": ""}, "Status": "Enabled",
              "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=_rules(*rules))
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules
    tagged = {"ID": "t", "Filter": {"Tag": {"Key": "k", "Value": "v"}}, "Status": "Enabled",
              "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}
    assert code_of(lambda: s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration=_rules(tagged))) == ("InvalidRequest", 400)
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules


def test_rules_by_date_act_on_that_date_in_bounded_passes_that_resume(s3, bucket):
    """Transition and Expiration by Date (midnight UTC, three days on)
    act once the tierer's clock passes it; a pass walks at most
    max_lifecycle_objects_per_pass objects and the next resumes where it
    stopped (transitioned objects stay listed: a walk that started over
    would never reach the last ones)."""
    date = (int(time.time()) // DAYS + 3) * DAYS  # 2 to 3 days from now
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(date))
    body = b"dated " * 100
    moving = ["t/%d" % n for n in range(5)]
    for key in moving + ["x/0", "x/1"]:
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=_rules(
        {"ID": "dated-ia", "Filter": {"And": {"Prefix": "t/", "ObjectSizeGreaterThan": 1}},
         "Status": "Enabled", "Transitions": [{"Date": when, "StorageClass": "STANDARD_IA"}]},
        {"ID": "dated-x", "Filter": {"Prefix": "x/"}, "Status": "Enabled",
         "Expiration": {"Date": when}}))
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0][
        "Transitions"][0]["Date"].timestamp() == date
    run_tierer(clock_offset=1 * DAYS, max_lifecycle_objects_per_pass=3)  # before the date
    assert not [m for k in moving for m in _moves(bucket, k)
                if m["reason"].startswith("lifecycle")]
    assert len(s3.list_objects_v2(Bucket=bucket)["Contents"]) == 7
    passes = []
    for _pass in range(12):
        stats = ast.literal_eval(run_tierer(clock_offset=4 * DAYS,
                                            max_lifecycle_objects_per_pass=3))
        passes.append(stats.get("transitioned", 0) + stats.get("expired", 0))
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        if keys == moving and all(_status(bucket, k)["tier"] == "silver" for k in moving):
            break
    assert keys == moving, passes
    assert max(passes) <= 3 and sum(passes) >= 7, passes  # bounded; each object acted on
    for key in moving:
        # (read counts may have moved them first: "days later" nobody read them)
        assert [m["reason"] for m in _moves(bucket, key)
                if m["reason"].startswith("lifecycle")] == ["lifecycle:dated-ia"]
        got = s3.get_object(Bucket=bucket, Key=key)
        assert (got["StorageClass"], got["Body"].read()) == ("STANDARD_IA", body)


def test_a_multipart_object_moves_part_by_part_and_reads_whole(s3, bucket):
    """An S3 multipart object is a manifest and its parts (objects of the
    bucket's +segments container): nobody reading it, its parts sink to
    bronze; GETs through the manifest read the parts, which count and bring
    them back; a Transition moves the parts with the manifest. Bytes,
    ETag, ranges and the listing row stay."""
    parts_body = [os.urandom(5 * 1024 * 1024), os.urandom(1000)]
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=n + 1,
                            Body=body)["ETag"] for n, body in enumerate(parts_body)]
    etag = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload_id, MultipartUpload={"Parts": [
            {"PartNumber": n + 1, "ETag": e} for n, e in enumerate(etags)]})["ETag"]
    whole = b"".join(parts_body)
    segments = bucket + "+segments"
    parts = ["/v1/AUTH_test/%s/%s" % (segments, r["name"])
             for r in connect("admin").get_container(segments)[1]]
    assert len(parts) == 2
    token = connect("reseller").get_auth()[1]
    for path in parts:
        wait_tracked(PROXY, token, quote(path))
    run_tierer(clock_offset=LATER)  # unread for a window: the parts sink
    assert [_status_of(p)["tier"] for p in parts] == ["bronze", "bronze"]
    got = s3.get_object(Bucket=bucket, Key="mp")
    assert (got["Body"].read(), got["ETag"]) == (whole, etag)
    cut = len(parts_body[0])
    ranged = s3.get_object(Bucket=bucket, Key="mp", Range="bytes=%d-%d" % (cut - 5, cut + 5))
    assert ranged["Body"].read() == whole[cut - 5:cut + 6]
    for _read in range(3):  # with the two above, 5 reads of each part: gold's
        assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == whole
    deadline = time.time() + 30
    while [_status_of(p)["tier"] for p in parts] != ["gold", "gold"]:
        assert time.time() < deadline, [_status_of(p) for p in parts]
        time.sleep(0.3)  # the proxy appends its counts every second
        run_tierer()
    got = s3.get_object(Bucket=bucket, Key="mp")
    assert (got["Body"].read(), got["ETag"]) == (whole, etag)
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [(o["Key"], o["Size"], o["ETag"]) for o in listed] == [("mp", len(whole), etag)]
    # a Transition moves the parts with the manifest, and pins them there
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=_rules(
        {"ID": "mp-ia", "Filter": {"Prefix": "mp"}, "Status": "Enabled",
         "Transitions": [{"Days": 1, "StorageClass": "STANDARD_IA"}]}))
    run_tierer(clock_offset=2 * DAYS)
    for path in parts + ["/v1/AUTH_test/%s/mp" % bucket]:
        status = _status_of(path)
        assert (status["tier"], status["pinned"]) == ("silver", True), status
        assert status["moves"][0]["reason"] == "lifecycle:mp-ia"
    got = s3.get_object(Bucket=bucket, Key="mp")
    assert (got["Body"].read(), got["ETag"], got["StorageClass"]) == (whole, etag,
                                                                     "STANDARD_IA")
    assert s3.get_object(Bucket=bucket, Key="mp", Range="bytes=%d-%d" % (
        cut - 5, cut + 5))["Body"].read() == whole[cut - 5:cut + 6]
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [(o["Key"], o["Size"], o["ETag"]) for o in listed] == [("mp", len(whole), etag)]


def _status_of(path):
    return admin_get(PROXY, connect("reseller").get_auth()[1], "status?path=" + quote(path))
