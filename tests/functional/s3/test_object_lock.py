"""S3 Object Lock with boto3 and the aws CLI against the live SAIO, and the
lock holding through the Swift API and the expirer (locking.py,
common/object_lock.py). COMPLIANCE retentions here last seconds, so every
bucket can be emptied at teardown."""

import datetime
import json
import os
import time
import urllib.parse
import uuid

import botocore
import pytest
import swiftclient

from tests.functional.conftest import run_expirers
from tests.functional.s3.test_bucket_policy import member, s3  # noqa: F401
from tests.functional.s3.test_s3_clients import aws, code_of
from tests.functional.s3.test_s3_clients import bucket as plain  # noqa: F401

ACCOUNT = "AUTH_test"


def _soon(seconds):
    return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)


def _all_versions(s3, name):
    out = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        out += page.get("Versions", []) + page.get("DeleteMarkers", [])
    return out


def _empty(s3, name):
    """Lift holds, bypass GOVERNANCE, wait out the short COMPLIANCE ones."""
    deadline = time.time() + 30
    while True:
        left = []
        for item in _all_versions(s3, name):
            key, vid = item["Key"], item["VersionId"]
            try:
                if "Size" in item:
                    s3.put_object_legal_hold(Bucket=name, Key=key, VersionId=vid,
                                             LegalHold={"Status": "OFF"})
                s3.delete_object(Bucket=name, Key=key, VersionId=vid,
                                 BypassGovernanceRetention=True)
            except botocore.exceptions.ClientError:
                left.append(item)
        if not left or time.time() > deadline:
            break
        time.sleep(1)
    s3.delete_bucket(Bucket=name)


@pytest.fixture
def locked(s3):
    name = "s3lock-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    yield name
    _empty(s3, name)


def test_a_lock_enabled_bucket_is_versioned_for_good(s3, locked):
    assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == \
        {"ObjectLockEnabled": "Enabled"}
    assert code_of(lambda: s3.put_bucket_versioning(
        Bucket=locked, VersioningConfiguration={"Status": "Suspended"})) == \
        ("InvalidBucketState", 409)
    assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"


def test_default_retention_is_stored_applied_and_validated(s3, locked):
    config = {"ObjectLockEnabled": "Enabled",
              "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}}
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=config)
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == config
    vid = s3.put_object(Bucket=locked, Key="k", Body=b"one")["VersionId"]
    head = s3.head_object(Bucket=locked, Key="k")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    left = head["ObjectLockRetainUntilDate"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(days=1, hours=23) < left <= datetime.timedelta(days=2)
    got = s3.get_object_retention(Bucket=locked, Key="k", VersionId=vid)["Retention"]
    assert got["Mode"] == "GOVERNANCE"
    for bad, code in (
            ({"Mode": "GOVERNANCE", "Days": 0}, ("InvalidArgument", 400)),
            ({"Mode": "GOVERNANCE", "Days": 1, "Years": 1}, ("MalformedXML", 400)),
            ({"Mode": "FOREVER", "Days": 1}, ("MalformedXML", 400))):
        assert code_of(lambda: s3.put_object_lock_configuration(
            Bucket=locked, ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": bad}})) == code
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == config


def test_lock_configuration_needs_versioning_and_reads_404_without(s3, plain):
    assert code_of(lambda: s3.get_object_lock_configuration(Bucket=plain)) == \
        ("ObjectLockConfigurationNotFoundError", 404)
    config = {"ObjectLockEnabled": "Enabled"}
    assert code_of(lambda: s3.put_object_lock_configuration(
        Bucket=plain, ObjectLockConfiguration=config)) == ("InvalidBucketState", 409)
    assert code_of(lambda: s3.put_object_retention(
        Bucket=plain, Key="k", Retention={"Mode": "GOVERNANCE",
                                          "RetainUntilDate": _soon(60)})) == \
        ("InvalidRequest", 400)
    # Enabling it on an existing versioned bucket, as AWS now allows.
    s3.put_bucket_versioning(Bucket=plain, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket=plain, ObjectLockConfiguration=config)
    assert s3.get_object_lock_configuration(Bucket=plain)["ObjectLockConfiguration"] == config


def test_bad_lock_headers_store_nothing(s3, locked):
    for kwargs, code in (
            ({"ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": _soon(-60)},
             ("InvalidArgument", 400)),
            ({"ObjectLockMode": "FOREVER", "ObjectLockRetainUntilDate": _soon(60)},
             ("InvalidArgument", 400)),
            ({"ObjectLockMode": "GOVERNANCE"}, ("InvalidArgument", 400)),
            ({"ObjectLockLegalHoldStatus": "MAYBE"}, ("InvalidArgument", 400))):
        assert code_of(lambda: s3.put_object(Bucket=locked, Key="bad", Body=b"x",
                                             **kwargs)) == code, kwargs
    assert _all_versions(s3, locked) == []
    assert code_of(lambda: s3.put_object_retention(
        Bucket=locked, Key="nope", Retention={"Mode": "GOVERNANCE",
                                              "RetainUntilDate": _soon(60)})) == \
        ("NoSuchKey", 404)


def test_governance_blocks_deletion_unless_an_allowed_caller_bypasses(s3, member, locked):
    vid = s3.put_object(Bucket=locked, Key="g", Body=b"kept", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=_soon(3600))["VersionId"]
    assert code_of(lambda: s3.delete_object(Bucket=locked, Key="g", VersionId=vid)) == \
        ("AccessDenied", 403)
    # Shortening or removing needs the bypass too.
    assert code_of(lambda: s3.put_object_retention(
        Bucket=locked, Key="g", VersionId=vid,
        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _soon(60)})) == \
        ("AccessDenied", 403)
    # A delete marker is fine; the version stays readable by id.
    marker = s3.delete_object(Bucket=locked, Key="g")
    assert marker["DeleteMarker"] is True
    assert s3.get_object(Bucket=locked, Key="g", VersionId=vid)["Body"].read() == b"kept"
    # A non-admin user with write access may not bypass.
    conn = swiftclient.Connection("%s/auth/v1.0" % os.environ.get(
        "OBJSTORE_PROXY", "http://127.0.0.1:%s" % os.environ.get("SAIO_PROXY_PORT", "8080")),
        "test:tester", "testing", retries=0)
    conn.post_container(locked, {"X-Container-Write": "test:tester3",
                                 "X-Container-Read": "test:tester3"})
    # (the bucket's ACLs decide for its versions too: they live in a
    # reserved container, judged as the bucket)
    assert code_of(lambda: member.delete_object(Bucket=locked, Key="g", VersionId=vid,
                                                BypassGovernanceRetention=True)) == \
        ("AccessDenied", 403)
    assert s3.head_object(Bucket=locked, Key="g", VersionId=vid)["ContentLength"] == 4
    # ... until a bucket policy allows it s3:BypassGovernanceRetention.
    s3.put_bucket_policy(Bucket=locked, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:user/tester3" % ACCOUNT},
            "Action": ["s3:BypassGovernanceRetention", "s3:DeleteObjectVersion"],
            "Resource": "arn:aws:s3:::%s/*" % locked}]}))
    assert member.delete_object(Bucket=locked, Key="g", VersionId=vid,
                                BypassGovernanceRetention=True)["VersionId"] == vid
    assert code_of(lambda: s3.head_object(Bucket=locked, Key="g", VersionId=vid))[1] == 404


def _answer(call):
    """(error code, status) of a call, or ("OK", 200) if it succeeded."""
    try:
        call()
    except botocore.exceptions.ClientError as err:
        return err.response["Error"]["Code"], err.response["ResponseMetadata"]["HTTPStatusCode"]
    return "OK", 200


def _compliance_refusals(s3, locked, seconds):
    """PUT a version under a COMPLIANCE retention of ``seconds``; every
    attempt to shorten, weaken or remove it, or to delete the version, must
    be AccessDenied. Returns (version id, its retain-until), or None when
    the retention ran out before the attempts were done (a loaded machine):
    an answer given after it ended proves nothing either way."""
    until = _soon(seconds)
    vid = s3.put_object(Bucket=locked, Key="c", Body=b"kept", ObjectLockMode="COMPLIANCE",
                        ObjectLockRetainUntilDate=until)["VersionId"]
    head = s3.head_object(Bucket=locked, Key="c")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert abs((head["ObjectLockRetainUntilDate"] - until).total_seconds()) < 1
    answers = [_answer(lambda: s3.put_object_retention(
        Bucket=locked, Key="c", VersionId=vid, Retention=retention,
        BypassGovernanceRetention=True))
        for retention in ({"Mode": "COMPLIANCE", "RetainUntilDate": _soon(1)},
                          {"Mode": "GOVERNANCE", "RetainUntilDate": _soon(60)}, {})]
    answers.append(_answer(lambda: s3.delete_object(Bucket=locked, Key="c", VersionId=vid,
                                                    BypassGovernanceRetention=True)))
    if datetime.datetime.now(datetime.timezone.utc) >= until - datetime.timedelta(seconds=0.5):
        return None
    assert answers == [("AccessDenied", 403)] * 4
    return vid, until


def test_compliance_cannot_be_shortened_removed_or_bypassed(s3, locked):
    # a short retention keeps the test quick; a longer one if the machine
    # was too slow to finish the attempts inside it
    for seconds in (4, 12, 25):
        done = _compliance_refusals(s3, locked, seconds)
        if done is not None:
            break
    assert done is not None, "every retention ran out before its refusals were checked"
    vid, until = done
    # Extending is allowed.
    longer = until + datetime.timedelta(seconds=2)
    s3.put_object_retention(Bucket=locked, Key="c", VersionId=vid,
                            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": longer})
    got = s3.get_object_retention(Bucket=locked, Key="c", VersionId=vid)["Retention"]
    assert abs((got["RetainUntilDate"] - longer).total_seconds()) < 0.01
    # An overwrite makes a new version; the locked one stays.
    s3.put_object(Bucket=locked, Key="c", Body=b"newer")
    assert s3.get_object(Bucket=locked, Key="c", VersionId=vid)["Body"].read() == b"kept"
    time.sleep(max(0.0, (longer - datetime.datetime.now(datetime.timezone.utc))
                   .total_seconds()) + 0.5)
    s3.delete_object(Bucket=locked, Key="c", VersionId=vid)
    assert code_of(lambda: s3.head_object(Bucket=locked, Key="c", VersionId=vid))[1] == 404


def test_legal_hold_blocks_deletion_even_with_bypass(s3, locked):
    vid = s3.put_object(Bucket=locked, Key="h", Body=b"kept",
                        ObjectLockLegalHoldStatus="ON")["VersionId"]
    assert s3.get_object(Bucket=locked, Key="h")["ObjectLockLegalHoldStatus"] == "ON"
    assert code_of(lambda: s3.get_object_retention(Bucket=locked, Key="h")) == \
        ("NoSuchObjectLockConfiguration", 404)
    assert code_of(lambda: s3.delete_object(Bucket=locked, Key="h", VersionId=vid,
                                            BypassGovernanceRetention=True)) == \
        ("AccessDenied", 403)
    bulk = s3.delete_objects(Bucket=locked, Delete={"Objects": [{"Key": "h", "VersionId": vid}]})
    assert [(e["Key"], e["Code"]) for e in bulk["Errors"]] == [("h", "AccessDenied")]
    assert "Deleted" not in bulk
    assert code_of(lambda: s3.put_object_legal_hold(
        Bucket=locked, Key="h", LegalHold={"Status": "MAYBE"})) == ("MalformedXML", 400)
    s3.put_object_legal_hold(Bucket=locked, Key="h", VersionId=vid,
                             LegalHold={"Status": "OFF"})
    assert s3.get_object_legal_hold(Bucket=locked, Key="h")["LegalHold"] == {"Status": "OFF"}
    s3.delete_object(Bucket=locked, Key="h", VersionId=vid)


def test_copy_and_multipart_take_the_lock_headers(s3, locked):
    s3.put_object(Bucket=locked, Key="src", Body=b"data")
    s3.copy_object(Bucket=locked, Key="dst", CopySource={"Bucket": locked, "Key": "src"},
                   ObjectLockLegalHoldStatus="ON")
    assert s3.head_object(Bucket=locked, Key="dst")["ObjectLockLegalHoldStatus"] == "ON"
    assert "ObjectLockLegalHoldStatus" not in s3.head_object(Bucket=locked, Key="src")
    upload = s3.create_multipart_upload(Bucket=locked, Key="mp", ObjectLockMode="GOVERNANCE",
                                        ObjectLockRetainUntilDate=_soon(3600))
    part = s3.upload_part(Bucket=locked, Key="mp", UploadId=upload["UploadId"], PartNumber=1,
                          Body=b"p" * 10)
    done = s3.complete_multipart_upload(
        Bucket=locked, Key="mp", UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert s3.head_object(Bucket=locked, Key="mp")["ObjectLockMode"] == "GOVERNANCE"
    assert code_of(lambda: s3.delete_object(Bucket=locked, Key="mp",
                                            VersionId=done["VersionId"])) == \
        ("AccessDenied", 403)


def test_the_aws_cli_sets_configuration_and_retention(s3, locked):
    config = {"ObjectLockEnabled": "Enabled",
              "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Years": 1}}}
    run = aws("s3api", "put-object-lock-configuration", "--bucket", locked,
              "--object-lock-configuration", json.dumps(config))
    assert run.returncode == 0, run.stderr
    got = aws("s3api", "get-object-lock-configuration", "--bucket", locked)
    assert json.loads(got.stdout)["ObjectLockConfiguration"] == config
    vid = s3.put_object(Bucket=locked, Key="cli", Body=b"x")["VersionId"]
    # The default gave it a year; shortening that needs the bypass.
    short = aws("s3api", "put-object-retention", "--bucket", locked, "--key", "cli",
                "--version-id", vid, "--retention", json.dumps(
                    {"Mode": "GOVERNANCE", "RetainUntilDate": _soon(7200).strftime(
                        "%Y-%m-%dT%H:%M:%SZ")}))
    assert short.returncode != 0 and "AccessDenied" in short.stderr
    until = _soon(400 * 86400).strftime("%Y-%m-%dT%H:%M:%SZ")
    run = aws("s3api", "put-object-retention", "--bucket", locked, "--key", "cli",
              "--version-id", vid, "--retention",
              json.dumps({"Mode": "GOVERNANCE", "RetainUntilDate": until}))
    assert run.returncode == 0, run.stderr
    got = json.loads(aws("s3api", "get-object-retention", "--bucket", locked, "--key",
                         "cli").stdout)["Retention"]
    assert got["Mode"] == "GOVERNANCE" and got["RetainUntilDate"].startswith(until[:19])
    past = aws("s3api", "put-object-retention", "--bucket", locked, "--key", "cli",
               "--retention", json.dumps({"Mode": "GOVERNANCE",
                                          "RetainUntilDate": "2020-01-01T00:00:00Z"}))
    assert past.returncode != 0 and "InvalidArgument" in past.stderr


def _run_expirers():
    run_expirers()


def test_the_lock_holds_through_the_swift_api_and_the_expirer(s3, locked, conn):
    vid = s3.put_object(Bucket=locked, Key="sw", Body=b"kept", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=_soon(3600))["VersionId"]
    # The kept copy once a new version is on top: object_versioning keeps it
    # in a reserved container no client can name, addressed by version id.
    s3.put_object(Bucket=locked, Key="sw", Body=b"newer")
    kept = [v for v in conn.get_container(locked, query_string="versions&format=json")[1]
            if v["name"] == "sw" and not v["is_latest"]]
    assert len(kept) == 1
    swift_vid = kept[0]["version_id"]
    assert swift_vid == vid
    reserved = "\x00versions\x00" + locked
    # The bypass is a backend header: a client's is stripped; the versions
    # container cannot be named at all.
    for call, status in (
            (lambda: conn.delete_object(locked, "sw", query_string="version-id=" + vid), 403),
            (lambda: conn.delete_object(locked, "sw", query_string="version-id=" + vid,
                                        headers={"X-Backend-Lock-Bypass": "archived"}), 403),
            (lambda: conn.delete_object(reserved, "sw"), 412)):
        with pytest.raises(swiftclient.ClientException) as err:
            call()
        assert err.value.http_status == status
    assert conn.get_object(locked, "sw", query_string="version-id=" + vid)[1] == b"kept"
    # A POST keeps the lock; the X-Delete-At it sets must not remove a
    # locked current version.
    s3.put_object(Bucket=locked, Key="sw2", Body=b"kept2", ObjectLockMode="GOVERNANCE",
                  ObjectLockRetainUntilDate=_soon(3600))
    # X-Delete-After: the proxy picks the second, so no clock edge between
    # this test and the proxy can make it "in past".
    conn.post_object(locked, "sw2", {"X-Delete-After": "1"})
    time.sleep(2)
    _run_expirers()
    assert conn.get_object(locked, "sw2")[1] == b"kept2"
    assert s3.get_object(Bucket=locked, Key="sw", VersionId=vid)["Body"].read() == b"kept"
    assert s3.head_object(Bucket=locked, Key="sw", VersionId=vid)["ObjectLockMode"] == \
        "GOVERNANCE"
    # A Swift DELETE of the current object archives it first (a delete
    # marker, as S3 without a version id); the version stays.
    conn.delete_object(locked, "sw")
    assert s3.get_object(Bucket=locked, Key="sw", VersionId=vid)["Body"].read() == b"kept"


def test_a_swift_client_cannot_set_the_lock_keys(conn, plain):
    conn.put_object(plain, "k", b"x", headers={"X-Object-Sysmeta-Lock-Hold": "ON",
                                               "X-Object-Sysmeta-Lock-Mode": "COMPLIANCE",
                                               "X-Object-Sysmeta-Lock-Until":
                                                   "2099-01-01T00:00:00.000Z"})
    conn.delete_object(plain, "k")
    with pytest.raises(swiftclient.ClientException) as err:
        conn.head_object(plain, "k")
    assert err.value.http_status == 404


def _complete(s3, bucket, key, **lock):
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, **lock)
    parts = []
    for number, size in ((1, 5 * 1024 * 1024), (2, 10)):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload["UploadId"],
                              PartNumber=number, Body=b"p" * size)["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    return s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": parts})


def _segments(conn, bucket):
    return [o["name"] for o in conn.get_container(bucket + "+segments")[1]]


def test_a_multipart_objects_parts_are_locked_with_it(s3, locked, conn):
    config = {"ObjectLockEnabled": "Enabled",
              "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=config)
    vid = _complete(s3, locked, "mp")["VersionId"]
    head = s3.head_object(Bucket=locked, Key="mp")
    assert head["ObjectLockMode"] == "GOVERNANCE"  # the default retention, from the upload
    parts = _segments(conn, locked)
    assert len(parts) == 2
    for name in parts:
        # A Swift client cannot delete or overwrite a part while the object is locked.
        for call in (lambda: conn.delete_object(locked + "+segments", name),
                     lambda: conn.put_object(locked + "+segments", name, b"swapped")):
            with pytest.raises(swiftclient.ClientException) as err:
                call()
            assert err.value.http_status == 403
    assert s3.get_object(Bucket=locked, Key="mp")["ContentLength"] == 5 * 1024 * 1024 + 10
    # A legal hold goes to the parts too, and comes off them with the version's.
    s3.put_object_legal_hold(Bucket=locked, Key="mp", VersionId=vid,
                             LegalHold={"Status": "ON"})
    for name in parts:
        assert conn.head_object(locked + "+segments", name) is not None
    # Deleting the version with the bypass is refused for the hold, then
    # (hold off) takes the parts along.
    assert code_of(lambda: s3.delete_object(Bucket=locked, Key="mp", VersionId=vid,
                                            BypassGovernanceRetention=True)) == \
        ("AccessDenied", 403)
    assert _segments(conn, locked) == parts
    s3.put_object_legal_hold(Bucket=locked, Key="mp", VersionId=vid,
                             LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket=locked, Key="mp", VersionId=vid, BypassGovernanceRetention=True)
    assert _segments(conn, locked) == []


def test_a_shorter_governance_retention_reaches_the_parts_only_with_bypass(s3, locked, conn):
    done = _complete(s3, locked, "mp", ObjectLockMode="GOVERNANCE",
                     ObjectLockRetainUntilDate=_soon(3600))
    vid = done["VersionId"]
    assert len(_segments(conn, locked)) == 2
    # Extending reaches the parts (their lock outlasts a shorter one).
    s3.put_object_retention(Bucket=locked, Key="mp", VersionId=vid, Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": _soon(7200)})
    # Removing it needs the bypass, on the version and its parts alike.
    assert code_of(lambda: s3.put_object_retention(
        Bucket=locked, Key="mp", VersionId=vid, Retention={})) == ("AccessDenied", 403)
    s3.put_object_retention(Bucket=locked, Key="mp", VersionId=vid, Retention={},
                            BypassGovernanceRetention=True)
    for name in _segments(conn, locked):
        conn.delete_object(locked + "+segments", name)  # unlocked now: a Swift delete works
    assert _segments(conn, locked) == []


def test_an_aborted_upload_in_a_locked_bucket_leaves_nothing(s3, locked, conn):
    config = {"ObjectLockEnabled": "Enabled",
              "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}}}
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=config)
    upload = s3.create_multipart_upload(Bucket=locked, Key="mp")
    s3.upload_part(Bucket=locked, Key="mp", UploadId=upload["UploadId"], PartNumber=1,
                   Body=b"p" * 10)
    # Parts of an upload not completed carry no lock: abort removes them.
    s3.abort_multipart_upload(Bucket=locked, Key="mp", UploadId=upload["UploadId"])
    assert _segments(conn, locked) == []


def test_a_policy_caps_the_retention_period_with_remaining_retention_days(s3, locked):
    """AWS's way to cap retention: Deny PutObjectRetention (and PutObject with
    lock headers) above N remaining days; the owner's admin is refused too."""
    s3.put_bucket_policy(Bucket=locked, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*",
            "Action": ["s3:PutObjectRetention", "s3:PutObject"],
            "Resource": "arn:aws:s3:::%s/*" % locked,
            "Condition": {"NumericGreaterThan": {
                "s3:object-lock-remaining-retention-days": "10"}}}]}))
    try:
        vid = s3.put_object(Bucket=locked, Key="k", Body=b"x")["VersionId"]  # no retention
        assert code_of(lambda: s3.put_object_retention(
            Bucket=locked, Key="k", VersionId=vid, Retention={
                "Mode": "GOVERNANCE", "RetainUntilDate": _soon(30 * 86400)})) == \
            ("AccessDenied", 403)
        assert "ObjectLockMode" not in s3.head_object(Bucket=locked, Key="k", VersionId=vid)
        s3.put_object_retention(Bucket=locked, Key="k", VersionId=vid, Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": _soon(5 * 86400)})
        assert s3.get_object_retention(Bucket=locked, Key="k", VersionId=vid)[
            "Retention"]["Mode"] == "GOVERNANCE"
        assert code_of(lambda: s3.put_object(
            Bucket=locked, Key="long", Body=b"x", ObjectLockMode="GOVERNANCE",
            ObjectLockRetainUntilDate=_soon(400 * 86400))) == ("AccessDenied", 403)
        assert [v["Key"] for v in _all_versions(s3, locked)] == ["k"]
    finally:
        s3.delete_bucket_policy(Bucket=locked)


def _container_server(method, container, headers=None):
    """One request to each of the container's servers (below the proxy),
    once each holds the container (a PUT promises a quorum only)."""
    import http.client
    from tests.probe.probe_helpers import container_dbs_home
    part, nodes = container_dbs_home(ACCOUNT, container)
    answers = []
    for node in nodes:
        conn = http.client.HTTPConnection(node["ip"], node["port"], timeout=10)
        conn.request(method, "/%s/%d/%s/%s" % (node["device"], part, ACCOUNT,
                                                urllib.parse.quote(container)),
                     headers=headers or {})
        resp = conn.getresponse()
        resp.read()
        answers.append((resp.status, {k.lower(): v for k, v in resp.getheaders()}))
        conn.close()
    return answers


def test_a_lock_enabled_bucket_without_the_guard_mark_gets_it_on_its_next_write(
        s3, locked, conn):
    """Buckets made lock-enabled before the proxy's lock guard existed carry
    no X-Container-Sysmeta-Lock-Guard; the next write that reads the lock
    configuration marks the bucket and its versions and segments containers."""
    from objstore.common import object_lock
    upload = s3.create_multipart_upload(Bucket=locked, Key="mp")  # makes +segments
    containers = (locked, "\x00versions\x00" + locked, locked + "+segments")
    for container in containers:
        # As a bucket from before has it: no mark.
        assert [status for status, _h in _container_server("POST", container, {
            "X-Timestamp": "%.5f" % time.time(), object_lock.CONTAINER_GUARD: ""})] == \
            [204] * 3
        assert all(object_lock.CONTAINER_GUARD.lower() not in headers
                   for _s, headers in _container_server("HEAD", container))
    # s3api reads the lock configuration from the proxy's cached container
    # info, which still shows the mark removed behind the proxy's back: an
    # empty POST through the proxy drops it (a bucket from before was never
    # cached with a mark)
    conn.post_container(locked, {})
    s3.put_object(Bucket=locked, Key="k", Body=b"x")
    for container in containers:
        assert all(headers.get(object_lock.CONTAINER_GUARD.lower()) == "on"
                   for _s, headers in _container_server("HEAD", container)), container
    s3.abort_multipart_upload(Bucket=locked, Key="mp", UploadId=upload["UploadId"])


def test_delete_objects_names_the_locked_version_it_refused(s3, locked):
    held = s3.put_object(Bucket=locked, Key="held", Body=b"x", ObjectLockMode="GOVERNANCE",
                         ObjectLockRetainUntilDate=_soon(3600))["VersionId"]
    free = s3.put_object(Bucket=locked, Key="free", Body=b"y")["VersionId"]
    resp = s3.delete_objects(Bucket=locked, Delete={"Objects": [
        {"Key": "held", "VersionId": held}, {"Key": "free", "VersionId": free}]})
    assert [(e["Key"], e.get("VersionId"), e["Code"]) for e in resp["Errors"]] == \
        [("held", held, "AccessDenied")]
    assert [(d["Key"], d["VersionId"]) for d in resp["Deleted"]] == [("free", free)]


def test_a_retention_or_hold_body_off_the_schema_is_malformed_xml(s3, locked):
    vid = s3.put_object(Bucket=locked, Key="m", Body=b"x")["VersionId"]
    for mode in ("governance", "abc"):
        assert code_of(lambda: s3.put_object_retention(
            Bucket=locked, Key="m", VersionId=vid,
            Retention={"Mode": mode, "RetainUntilDate": _soon(60)})) == ("MalformedXML", 400)
    assert code_of(lambda: s3.put_object_legal_hold(
        Bucket=locked, Key="m", VersionId=vid, LegalHold={"Status": "on"})) == \
        ("MalformedXML", 400)
    assert code_of(lambda: s3.get_object_retention(Bucket=locked, Key="m")) == \
        ("NoSuchObjectLockConfiguration", 404)


def test_turning_governance_into_compliance_needs_the_bypass(s3, locked):
    until = _soon(4)  # COMPLIANCE at the end: short, so the bucket empties soon
    vid = s3.put_object(Bucket=locked, Key="g2c", Body=b"x", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=until)["VersionId"]
    retention = {"Mode": "COMPLIANCE", "RetainUntilDate": until}
    assert code_of(lambda: s3.put_object_retention(
        Bucket=locked, Key="g2c", VersionId=vid, Retention=retention)) == ("AccessDenied", 403)
    assert s3.get_object_retention(Bucket=locked, Key="g2c")["Retention"]["Mode"] == \
        "GOVERNANCE"
    s3.put_object_retention(Bucket=locked, Key="g2c", VersionId=vid, Retention=retention,
                            BypassGovernanceRetention=True)
    assert s3.get_object_retention(Bucket=locked, Key="g2c")["Retention"]["Mode"] == \
        "COMPLIANCE"
