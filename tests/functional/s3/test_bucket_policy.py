"""Bucket policies and PublicAccessBlock against the live SAIO, with boto3,
the aws CLI and unsigned HTTP as a browser would send it.

Unsigned requests address ``public_account`` (AUTH_test), so the buckets
here belong to test:tester; test:tester3 is a non-admin user of the same
account and test2:tester2 a user of another account (``AUTH_test2``).
"""

import json
import uuid

import botocore
import pytest
import requests

from tests.functional.conftest import PROXY
from tests.functional.s3.test_canned_acls import anonymous, s3_client
from tests.functional.s3.test_s3_clients import aws, client, code_of

OWNER_ACCOUNT = "AUTH_test"


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture(scope="module")
def member(saio):
    return s3_client("test:tester3", "testing3")


@pytest.fixture(scope="module")
def stranger(saio):
    return s3_client("test2:tester2", "testing2")


@pytest.fixture
def bucket(s3):
    name = "s3pol-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="public/a.txt", Body=b"for everyone")
    s3.put_object(Bucket=name, Key="private/b.txt", Body=b"owner only")
    yield name
    for call in (s3.delete_bucket_policy, s3.delete_public_access_block):
        call(Bucket=name)
    for obj in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=obj["Key"])
    s3.delete_bucket(Bucket=name)


def put_policy(s3, bucket, *statements, version="2012-10-17"):
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        {"Version": version, "Statement": list(statements)}))


def arn(bucket, key=None):
    return "arn:aws:s3:::%s%s" % (bucket, "" if key is None else "/" + key)


def unsigned(method, path, **kw):
    return requests.request(method, PROXY + path, timeout=30, **kw)


def test_a_policy_makes_one_prefix_public_and_nothing_else(s3, bucket):
    assert unsigned("GET", "/%s/public/a.txt" % bucket).status_code == 403
    put_policy(s3, bucket, {"Sid": "PublicPrefix", "Effect": "Allow", "Principal": "*",
                            "Action": "s3:GetObject", "Resource": arn(bucket, "public/*")})
    resp = unsigned("GET", "/%s/public/a.txt" % bucket)
    assert resp.status_code == 200 and resp.content == b"for everyone"
    assert anonymous().get_object(Bucket=bucket, Key="public/a.txt")["Body"].read() == \
        b"for everyone"
    resp = unsigned("GET", "/%s/private/b.txt" % bucket)
    assert resp.status_code == 403 and b"<Code>AccessDenied</Code>" in resp.content
    assert unsigned("GET", "/%s?list-type=2" % bucket).status_code == 403
    assert unsigned("PUT", "/%s/public/new" % bucket, data=b"x").status_code == 403
    assert unsigned("DELETE", "/%s/public/a.txt" % bucket).status_code == 403
    assert s3.get_object(Bucket=bucket, Key="public/a.txt")["Body"].read() == b"for everyone"


def test_anonymous_listing_is_allowed_only_for_the_prefix_the_condition_names(s3, bucket):
    put_policy(s3, bucket, {"Effect": "Allow", "Principal": {"AWS": "*"},
                            "Action": "s3:ListBucket", "Resource": arn(bucket),
                            "Condition": {"StringEquals": {"s3:prefix": "public/"}}})
    anon = anonymous()
    listed = anon.list_objects_v2(Bucket=bucket, Prefix="public/")
    assert [o["Key"] for o in listed["Contents"]] == ["public/a.txt"]
    assert code_of(lambda: anon.list_objects_v2(Bucket=bucket))[0] == "AccessDenied"
    assert code_of(lambda: anon.list_objects_v2(Bucket=bucket, Prefix="private/"))[0] == \
        "AccessDenied"
    assert code_of(lambda: anon.get_object(Bucket=bucket, Key="public/a.txt"))[0] == \
        "AccessDenied"


def test_an_explicit_deny_beats_the_acl_that_lets_a_user_read(s3, member, bucket):
    s3.put_bucket_acl(Bucket=bucket, ACL="authenticated-read")
    assert member.get_object(Bucket=bucket, Key="private/b.txt")["Body"].read() == b"owner only"
    put_policy(s3, bucket, {"Sid": "NoTester3", "Effect": "Deny",
                            "Principal": {"AWS": "arn:aws:iam::AUTH_test:user/tester3"},
                            "Action": "s3:*", "Resource": [arn(bucket), arn(bucket, "*")]})
    assert code_of(lambda: member.get_object(Bucket=bucket, Key="private/b.txt")) == \
        ("AccessDenied", 403)
    assert code_of(lambda: member.list_objects_v2(Bucket=bucket)) == ("AccessDenied", 403)
    assert s3.get_object(Bucket=bucket, Key="private/b.txt")["Body"].read() == b"owner only"


def test_a_deny_for_other_source_addresses_locks_out_everyone_but_the_policy_admin(s3, bucket):
    put_policy(s3, bucket, {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                            "Resource": [arn(bucket), arn(bucket, "*")],
                            "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}})
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="public/a.txt")) == \
        ("AccessDenied", 403)
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="n", Body=b"n")) == \
        ("AccessDenied", 403)
    # The owner account's admin can always read and replace the policy itself.
    assert "192.0.2.0/24" in s3.get_bucket_policy(Bucket=bucket)["Policy"]
    put_policy(s3, bucket, {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                            "Resource": [arn(bucket), arn(bucket, "*")],
                            "Condition": {"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}})
    assert s3.get_object(Bucket=bucket, Key="public/a.txt")["Body"].read() == b"for everyone"


def test_another_account_reads_what_the_policy_grants_it_and_nothing_more(s3, stranger,
                                                                         bucket):
    # Without a policy another account's requests address its own account.
    assert code_of(lambda: stranger.get_object(Bucket=bucket, Key="private/b.txt")) == \
        ("NoSuchBucket", 404)
    put_policy(s3, bucket, {"Effect": "Allow", "Principal": {"AWS": "AUTH_test2"},
                            "Action": ["s3:GetObject", "s3:ListBucket"],
                            "Resource": [arn(bucket), arn(bucket, "*")]})
    assert stranger.get_object(Bucket=bucket, Key="private/b.txt")["Body"].read() == \
        b"owner only"
    keys = [o["Key"] for o in stranger.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["private/b.txt", "public/a.txt"]
    assert code_of(lambda: stranger.put_object(Bucket=bucket, Key="x", Body=b"x")) == \
        ("AccessDenied", 403)
    assert code_of(lambda: stranger.delete_object(Bucket=bucket, Key="public/a.txt")) == \
        ("AccessDenied", 403)
    assert code_of(lambda: stranger.get_bucket_policy(Bucket=bucket)) == ("AccessDenied", 403)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == keys


def test_a_write_grant_does_not_open_a_copy_from_elsewhere_in_the_bucket(s3, stranger, bucket):
    put_policy(s3, bucket, {"Effect": "Allow", "Principal": {"AWS": "AUTH_test2"},
                            "Action": "s3:PutObject", "Resource": arn(bucket, "uploads/*")})
    stranger.put_object(Bucket=bucket, Key="uploads/mine", Body=b"dropped")
    assert s3.get_object(Bucket=bucket, Key="uploads/mine")["Body"].read() == b"dropped"
    assert code_of(lambda: stranger.put_object(Bucket=bucket, Key="other", Body=b"x")) == \
        ("AccessDenied", 403)
    copy = {"Bucket": bucket, "Key": "private/b.txt"}
    assert code_of(lambda: stranger.copy_object(Bucket=bucket, Key="uploads/stolen",
                                                CopySource=copy))[0] == "AccessDenied"
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="uploads/stolen"))[1] == 404


def test_delete_objects_is_decided_key_by_key(s3, bucket):
    s3.put_object(Bucket=bucket, Key="keep/c.txt", Body=b"c")
    put_policy(s3, bucket, {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
                            "Resource": arn(bucket, "keep/*")})
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "keep/c.txt"}, {"Key": "public/a.txt"}]})
    assert [d["Key"] for d in result["Deleted"]] == ["public/a.txt"]
    assert [(e["Key"], e["Code"]) for e in result["Errors"]] == [("keep/c.txt", "AccessDenied")]
    assert s3.get_object(Bucket=bucket, Key="keep/c.txt")["Body"].read() == b"c"
    assert code_of(lambda: s3.delete_object(Bucket=bucket, Key="keep/c.txt"))[0] == \
        "AccessDenied"
    s3.delete_bucket_policy(Bucket=bucket)
    s3.delete_object(Bucket=bucket, Key="keep/c.txt")


def test_existing_object_tags_and_request_acl_conditions(s3, bucket):
    s3.put_object(Bucket=bucket, Key="tagged", Body=b"t", Tagging="class=open")
    s3.put_object(Bucket=bucket, Key="untagged", Body=b"u")
    put_policy(s3, bucket,
               {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": arn(bucket, "*"),
                "Condition": {"StringEquals": {"s3:ExistingObjectTag/class": "open"}}},
               {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                "Resource": arn(bucket, "*"),
                "Condition": {"StringEquals": {"s3:x-amz-acl": "public-read"}}})
    assert unsigned("GET", "/%s/tagged" % bucket).status_code == 200
    assert unsigned("GET", "/%s/untagged" % bucket).status_code == 403
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="p", Body=b"p",
                                         ACL="public-read")) == ("AccessDenied", 403)
    s3.put_object(Bucket=bucket, Key="p", Body=b"p", ACL="private")
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="p", Body=b"p",
                                         ACL="public-read")) == ("AccessDenied", 403)


def test_a_policy_can_require_server_side_encryption_on_uploads(s3, bucket):
    put_policy(s3, bucket, {"Sid": "DenyUnencrypted", "Effect": "Deny", "Principal": "*",
                            "Action": "s3:PutObject", "Resource": arn(bucket, "*"),
                            "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}},
               {"Sid": "DenyOtherThanAES", "Effect": "Deny", "Principal": "*",
                "Action": "s3:PutObject", "Resource": arn(bucket, "*"),
                "Condition": {"StringNotEqualsIfExists": {
                    "s3:x-amz-server-side-encryption": "AES256"}}})
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="plain", Body=b"p")) == \
        ("AccessDenied", 403)
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="kms", Body=b"k",
                                         ServerSideEncryption="aws:kms"))[0] == "AccessDenied"
    done = s3.put_object(Bucket=bucket, Key="sealed", Body=b"s", ServerSideEncryption="AES256")
    assert done["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="sealed")["Body"].read() == b"s"
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="plain"))[1] == 404


def test_secure_transport_condition_refuses_plain_http(s3, bucket):
    put_policy(s3, bucket, {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                            "Resource": arn(bucket, "*"),
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="public/a.txt"))[0] == \
        "AccessDenied"
    s3.put_object(Bucket=bucket, Key="still-writable", Body=b"w")


def test_malformed_policies_answer_malformed_policy_and_keep_the_old_one(s3, bucket):
    good = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": arn(bucket, "public/*")}]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(good))
    stored = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    bad_statement = dict(good["Statement"][0])
    cases = {
        "{not json": "This policy contains invalid Json",
        json.dumps(dict(good, Version="2011-01-01")): "valid version",
        json.dumps(dict(good, Statement=[dict(bad_statement, Principal={"AWS": "x"})])):
            "Invalid principal in policy",
        json.dumps(dict(good, Statement=[dict(bad_statement, Resource=arn("other/*"))])):
            "Policy has invalid resource",
        json.dumps(dict(good, Statement=[dict(bad_statement, Resource=arn(bucket))])):
            "Action does not apply to any resource(s) in statement",
        json.dumps(dict(good, Statement=[dict(bad_statement, Action="s3:Teleport")])):
            "Policy has invalid action",
        json.dumps(dict(good, Statement=[dict(bad_statement, Resource=[
            arn(bucket, "k%05d" % n) for n in range(1200)])])):
            "maximum allowed document size",
    }
    for text, message in cases.items():
        with pytest.raises(botocore.exceptions.ClientError) as err:
            s3.put_bucket_policy(Bucket=bucket, Policy=text)
        error = err.value.response["Error"]
        assert error["Code"] == "MalformedPolicy", text[:80]
        assert message in error["Message"], (message, error["Message"])
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == stored


def test_get_and_delete_policy_and_its_status(s3, bucket):
    assert code_of(lambda: s3.get_bucket_policy(Bucket=bucket)) == ("NoSuchBucketPolicy", 404)
    assert code_of(lambda: s3.get_bucket_policy_status(Bucket=bucket)) == \
        ("NoSuchBucketPolicy", 404)
    put_policy(s3, bucket, {"Effect": "Allow", "Principal": {"AWS": "AUTH_test2"},
                            "Action": "s3:GetObject", "Resource": arn(bucket, "*")})
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}
    put_policy(s3, bucket, {"Effect": "Allow", "Principal": "*",
                            "Action": "s3:GetObject", "Resource": arn(bucket, "*")})
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}
    s3.delete_bucket_policy(Bucket=bucket)
    assert code_of(lambda: s3.get_bucket_policy(Bucket=bucket)) == ("NoSuchBucketPolicy", 404)
    assert code_of(lambda: s3.get_bucket_policy(Bucket="s3pol-missing-" + bucket[-8:])) == \
        ("NoSuchBucket", 404)


def test_only_the_owner_account_admin_manages_the_policy(s3, member, stranger, bucket):
    text = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*",
                                      "Action": "s3:GetObject", "Resource": arn(bucket, "*")}]})
    assert code_of(lambda: member.put_bucket_policy(Bucket=bucket, Policy=text))[0] == \
        "AccessDenied"
    assert code_of(lambda: stranger.put_bucket_policy(Bucket=bucket, Policy=text))[0] == \
        "NoSuchBucket"
    assert code_of(lambda: s3.get_bucket_policy(Bucket=bucket))[0] == "NoSuchBucketPolicy"


def test_the_aws_cli_puts_and_gets_a_policy(bucket, tmp_path):
    doc = {"Version": "2012-10-17", "Statement": [{
        "Sid": "Cli", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": arn(bucket, "public/*")}]}
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(doc, indent=2))
    done = aws("s3api", "put-bucket-policy", "--bucket", bucket, "--policy",
               "file://%s" % path)
    assert done.returncode == 0, done.stderr
    got = aws("s3api", "get-bucket-policy", "--bucket", bucket)
    assert got.returncode == 0 and json.loads(json.loads(got.stdout)["Policy"]) == doc
    status = aws("s3api", "get-bucket-policy-status", "--bucket", bucket)
    assert json.loads(status.stdout)["PolicyStatus"]["IsPublic"] is True
    assert unsigned("GET", "/%s/public/a.txt" % bucket).status_code == 200
    bad = aws("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", '{"Statement":[]}')
    assert bad.returncode != 0 and "MalformedPolicy" in bad.stderr
    assert aws("s3api", "delete-bucket-policy", "--bucket", bucket).returncode == 0
    assert unsigned("GET", "/%s/public/a.txt" % bucket).status_code == 403


# -- PublicAccessBlock --------------------------------------------------------

ALL_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
          "RestrictPublicBuckets": True}


def test_public_access_block_round_trips(s3, bucket):
    assert code_of(lambda: s3.get_public_access_block(Bucket=bucket)) == \
        ("NoSuchPublicAccessBlockConfiguration", 404)
    config = dict(ALL_ON, IgnorePublicAcls=False)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=config)
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == config
    s3.delete_public_access_block(Bucket=bucket)
    assert code_of(lambda: s3.get_public_access_block(Bucket=bucket))[0] == \
        "NoSuchPublicAccessBlockConfiguration"


def test_block_public_policy_refuses_a_public_policy_but_not_a_private_one(s3, bucket):
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicPolicy": True})
    assert code_of(lambda: put_policy(s3, bucket, {
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": arn(bucket, "*")})) == ("AccessDenied", 403)
    assert code_of(lambda: s3.get_bucket_policy(Bucket=bucket))[0] == "NoSuchBucketPolicy"
    put_policy(s3, bucket, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                            "Resource": arn(bucket, "*"),
                            "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}})


def test_block_public_acls_refuses_public_acls_and_keeps_private_ones(s3, bucket):
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True})
    assert code_of(lambda: s3.put_object(Bucket=bucket, Key="o", Body=b"o",
                                         ACL="public-read")) == ("AccessDenied", 403)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="o"))[1] == 404
    assert code_of(lambda: s3.put_bucket_acl(Bucket=bucket, ACL="public-read"))[0] == \
        "AccessDenied"
    owner = s3.get_bucket_acl(Bucket=bucket)["Owner"]
    grants = {"Owner": owner, "Grants": [
        {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
         "Permission": "READ"}]}
    assert code_of(lambda: s3.put_object_acl(Bucket=bucket, Key="public/a.txt",
                                             AccessControlPolicy=grants))[0] == "AccessDenied"
    assert unsigned("GET", "/%s" % bucket).status_code == 403
    s3.put_object(Bucket=bucket, Key="o", Body=b"o", ACL="private")
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    s3.delete_object(Bucket=bucket, Key="o")


def test_ignore_public_acls_closes_a_public_read_bucket_and_object(s3, bucket):
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    s3.put_object(Bucket=bucket, Key="pub-obj", Body=b"p", ACL="public-read")
    assert unsigned("GET", "/%s/pub-obj" % bucket).status_code == 200
    assert unsigned("GET", "/%s" % bucket).status_code == 200
    # a private object stays private in a public-read bucket (its ACL decides)
    assert unsigned("GET", "/%s/public/a.txt" % bucket).status_code == 403
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "IgnorePublicAcls": True})
    assert unsigned("GET", "/%s/pub-obj" % bucket).status_code == 403
    assert unsigned("GET", "/%s" % bucket).status_code == 403
    assert s3.get_object(Bucket=bucket, Key="pub-obj")["Body"].read() == b"p"
    s3.delete_public_access_block(Bucket=bucket)
    assert unsigned("GET", "/%s/pub-obj" % bucket).status_code == 200
    s3.put_bucket_acl(Bucket=bucket, ACL="private")


def test_ignore_public_acls_also_ignores_an_authenticated_users_grant(s3, member, bucket):
    s3.put_bucket_acl(Bucket=bucket, ACL="authenticated-read")
    assert member.get_object(Bucket=bucket, Key="private/b.txt")["Body"].read() == b"owner only"
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "IgnorePublicAcls": True})
    assert code_of(lambda: member.get_object(Bucket=bucket, Key="private/b.txt")) == \
        ("AccessDenied", 403)
    assert code_of(lambda: member.list_objects_v2(Bucket=bucket))[0] == "AccessDenied"
    assert s3.get_object(Bucket=bucket, Key="private/b.txt")["Body"].read() == b"owner only"


def test_restrict_public_buckets_keeps_a_public_policy_to_the_owner_account(s3, member,
                                                                           stranger, bucket):
    put_policy(s3, bucket, {"Effect": "Allow", "Principal": "*",
                            "Action": ["s3:GetObject"], "Resource": arn(bucket, "*")})
    assert stranger.get_object(Bucket=bucket, Key="private/b.txt")["Body"].read() == \
        b"owner only"
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "RestrictPublicBuckets": True})
    assert unsigned("GET", "/%s/public/a.txt" % bucket).status_code == 403
    assert code_of(lambda: stranger.get_object(Bucket=bucket, Key="private/b.txt"))[0] == \
        "AccessDenied"
    assert member.get_object(Bucket=bucket, Key="private/b.txt")["Body"].read() == \
        b"owner only"


def test_a_public_policy_opens_a_bucket_of_another_account_to_unsigned_reads(stranger):
    name = "s3pol-" + uuid.uuid4().hex[:12]
    stranger.create_bucket(Bucket=name)
    try:
        stranger.put_object(Bucket=name, Key="shared.txt", Body=b"from test2")
        assert unsigned("GET", "/%s/shared.txt" % name).status_code == 403
        put_policy(stranger, name, {"Effect": "Allow", "Principal": "*",
                                    "Action": "s3:GetObject", "Resource": arn(name, "*")})
        resp = unsigned("GET", "/%s/shared.txt" % name)
        assert resp.status_code == 200 and resp.content == b"from test2"
        assert unsigned("DELETE", "/%s/shared.txt" % name).status_code == 403
    finally:
        stranger.delete_bucket_policy(Bucket=name)
        stranger.delete_object(Bucket=name, Key="shared.txt")
        stranger.delete_bucket(Bucket=name)
