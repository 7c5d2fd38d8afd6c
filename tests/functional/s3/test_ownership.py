"""S3 Object Ownership against the live SAIO: Put/Get/DeleteBucketOwnershipControls
with boto3 and the aws CLI, and BucketOwnerEnforced turning ACLs off as S3 does.

Unsigned requests address ``public_account`` (AUTH_test), so the buckets here
belong to test:tester."""

import json
import uuid

import pytest

from tests.functional.s3.test_canned_acls import anonymous, s3_client
from tests.functional.s3.test_s3_clients import aws, client, code_of

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture
def bucket(s3):
    made = []

    def make(**kwargs):
        name = "s3own-" + uuid.uuid4().hex[:10]
        s3.create_bucket(Bucket=name, **kwargs)
        made.append(name)
        return name

    yield make
    for name in made:
        for obj in s3.list_objects_v2(Bucket=name).get("Contents", []):
            s3.delete_object(Bucket=name, Key=obj["Key"])
        s3.delete_bucket(Bucket=name)


def controls(value):
    return {"Rules": [{"ObjectOwnership": value}]}


def only_owner(acl):
    return [(g["Grantee"]["ID"], g["Permission"]) for g in acl["Grants"]] == \
        [("AUTH_test", "FULL_CONTROL")]


def test_a_new_bucket_has_no_ownership_controls_until_set(s3, bucket):
    name = bucket()
    assert code_of(lambda: s3.get_bucket_ownership_controls(Bucket=name)) \
        == ("OwnershipControlsNotFoundError", 404)
    for value in ("ObjectWriter", "BucketOwnerPreferred", "BucketOwnerEnforced"):
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=controls(value))
        got = s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]
        assert got == controls(value)
    s3.delete_bucket_ownership_controls(Bucket=name)
    assert code_of(lambda: s3.get_bucket_ownership_controls(Bucket=name))[0] \
        == "OwnershipControlsNotFoundError"


def test_create_bucket_with_object_ownership(s3, bucket):
    name = bucket(ObjectOwnership="BucketOwnerPreferred")
    assert s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"] \
        == controls("BucketOwnerPreferred")
    refused = "s3own-" + uuid.uuid4().hex[:10]
    assert code_of(lambda: s3.create_bucket(Bucket=refused, ACL="public-read",
                                            ObjectOwnership="BucketOwnerEnforced")) \
        == ("InvalidBucketAclWithObjectOwnership", 400)
    assert code_of(lambda: s3.head_bucket(Bucket=refused))[1] == 404
    assert code_of(lambda: s3.create_bucket(Bucket=refused, ObjectOwnership="Nobody"))[0] \
        == "InvalidArgument"
    assert code_of(lambda: s3.head_bucket(Bucket=refused))[1] == 404


def test_bucket_owner_enforced_disables_acls(s3, bucket):
    name = bucket(ObjectOwnership="BucketOwnerEnforced")
    s3.put_object(Bucket=name, Key="plain", Body=b"no acl")
    s3.put_object(Bucket=name, Key="bofc", Body=b"x", ACL="bucket-owner-full-control")
    for acl in ("public-read", "private", "authenticated-read"):
        assert code_of(lambda: s3.put_object(Bucket=name, Key="refused", Body=b"x",
                                             ACL=acl)) \
            == ("AccessControlListNotSupported", 400)
    assert code_of(lambda: s3.put_object(Bucket=name, Key="refused", Body=b"x",
                                         GrantRead='uri="%s"' % ALL_USERS))[0] \
        == "AccessControlListNotSupported"
    assert code_of(lambda: s3.copy_object(Bucket=name, Key="refused", ACL="public-read",
                                          CopySource={"Bucket": name, "Key": "plain"}))[0] \
        == "AccessControlListNotSupported"
    assert code_of(lambda: s3.create_multipart_upload(Bucket=name, Key="refused",
                                                      ACL="public-read"))[0] \
        == "AccessControlListNotSupported"
    assert code_of(lambda: s3.head_object(Bucket=name, Key="refused"))[1] == 404
    assert code_of(lambda: s3.put_bucket_acl(Bucket=name, ACL="public-read")) \
        == ("AccessControlListNotSupported", 400)
    assert code_of(lambda: s3.put_bucket_acl(Bucket=name, ACL="private"))[0] \
        == "AccessControlListNotSupported"
    assert code_of(lambda: s3.put_object_acl(Bucket=name, Key="plain", ACL="public-read"))[0] \
        == "AccessControlListNotSupported"
    assert only_owner(s3.get_bucket_acl(Bucket=name))
    assert only_owner(s3.get_object_acl(Bucket=name, Key="plain"))
    assert s3.get_object(Bucket=name, Key="bofc")["Body"].read() == b"x"


def test_enforcing_needs_a_private_bucket_and_ignores_old_object_acls(s3, bucket):
    name = bucket(ACL="public-read")
    s3.put_object(Bucket=name, Key="shared", Body=b"was public", ACL="public-read")
    assert code_of(lambda: s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls=controls("BucketOwnerEnforced"))) \
        == ("InvalidBucketAclWithObjectOwnership", 400)
    assert code_of(lambda: s3.get_bucket_ownership_controls(Bucket=name))[0] \
        == "OwnershipControlsNotFoundError"
    s3.put_bucket_acl(Bucket=name, ACL="private")
    assert anonymous().get_object(Bucket=name, Key="shared")["Body"].read() == b"was public"
    s3.put_bucket_ownership_controls(Bucket=name,
                                     OwnershipControls=controls("BucketOwnerEnforced"))
    assert code_of(lambda: anonymous().get_object(Bucket=name, Key="shared")) \
        == ("AccessDenied", 403)
    assert only_owner(s3.get_object_acl(Bucket=name, Key="shared"))
    # turning ACLs back on brings the object's ACL back
    s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=controls("ObjectWriter"))
    assert anonymous().get_object(Bucket=name, Key="shared")["Body"].read() == b"was public"


def test_only_the_owner_sets_ownership_controls_and_bad_documents_change_nothing(
        s3, bucket):
    name = bucket()
    member = s3_client("test:tester3", "testing3")
    assert code_of(lambda: member.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls=controls("BucketOwnerEnforced")))[0] == "AccessDenied"
    assert code_of(lambda: s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls=controls("Everyone")))[0] == "MalformedXML"
    assert code_of(lambda: s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"},
                                                  {"ObjectOwnership": "ObjectWriter"}]}))[0] \
        == "MalformedXML"
    assert code_of(lambda: s3.get_bucket_ownership_controls(Bucket=name))[0] \
        == "OwnershipControlsNotFoundError"


def test_aws_cli_ownership_controls(s3, bucket):
    name = bucket()
    done = aws("s3api", "put-bucket-ownership-controls", "--bucket", name,
               "--ownership-controls", "Rules=[{ObjectOwnership=BucketOwnerEnforced}]")
    assert done.returncode == 0, done.stderr
    done = aws("s3api", "get-bucket-ownership-controls", "--bucket", name)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["OwnershipControls"] == controls("BucketOwnerEnforced")
    done = aws("s3api", "put-bucket-acl", "--bucket", name, "--acl", "public-read")
    assert done.returncode != 0 and "AccessControlListNotSupported" in done.stderr
    done = aws("s3api", "delete-bucket-ownership-controls", "--bucket", name)
    assert done.returncode == 0, done.stderr
    done = aws("s3api", "get-bucket-ownership-controls", "--bucket", name)
    assert done.returncode != 0 and "OwnershipControlsNotFoundError" in done.stderr
