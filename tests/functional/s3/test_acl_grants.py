"""Object ACLs are enforced, and ACLs can be set as grants (an
AccessControlPolicy body or x-amz-grant-* headers) when they say what a
canned ACL says: boto3 and ``s3cmd setacl`` against the live SAIO.

Unsigned requests address ``public_account`` (AUTH_test), so the buckets
here belong to test:tester."""

import json
import os
import shutil
import subprocess
import uuid

import botocore
import pytest
import swiftclient

from tests.functional.conftest import PROXY, REPO, connect
from tests.functional.s3.test_canned_acls import anonymous, s3_client
from tests.functional.s3.test_s3_clients import client, code_of
from tests.functional.s3.test_signing_security import send, sigv4_headers, code

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture
def bucket(s3):
    name = "s3grant-" + uuid.uuid4().hex[:10]
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="private", Body=b"owner only")
    yield name
    for obj in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=obj["Key"])
    s3.delete_bucket(Bucket=name)


def owner_of(s3, bucket):
    return s3.get_bucket_acl(Bucket=bucket)["Owner"]["ID"]


def policy(owner, *grants):
    me = {"Grantee": {"Type": "CanonicalUser", "ID": owner}, "Permission": "FULL_CONTROL"}
    return {"Owner": {"ID": owner}, "Grants": [me] + list(grants)}


def group(uri, permission):
    return {"Grantee": {"Type": "Group", "URI": uri}, "Permission": permission}


def permissions(acl, uri):
    return sorted(g["Permission"] for g in acl["Grants"] if g["Grantee"].get("URI") == uri)


# -- object ACLs are enforced -----------------------------------------------

def test_public_read_object_in_a_private_bucket_is_readable_anonymously(s3, bucket):
    s3.put_object(Bucket=bucket, Key="shared", Body=b"for everyone", ACL="public-read")
    anon = anonymous()
    assert anon.get_object(Bucket=bucket, Key="shared")["Body"].read() == b"for everyone"
    assert anon.head_object(Bucket=bucket, Key="shared")["ContentLength"] == 12
    # nothing else in the bucket opens up
    assert code_of(lambda: anon.get_object(Bucket=bucket, Key="private"))[0] == "AccessDenied"
    assert code_of(lambda: anon.list_objects_v2(Bucket=bucket))[0] == "AccessDenied"
    assert code_of(lambda: anon.put_object(Bucket=bucket, Key="shared", Body=b"x"))[0] \
        == "AccessDenied"
    assert code_of(lambda: anon.delete_object(Bucket=bucket, Key="shared"))[0] \
        == "AccessDenied"
    # taking the grant back closes it again
    s3.put_object_acl(Bucket=bucket, Key="shared", ACL="private")
    assert code_of(lambda: anon.get_object(Bucket=bucket, Key="shared"))[0] == "AccessDenied"
    assert s3.get_object(Bucket=bucket, Key="shared")["Body"].read() == b"for everyone"


def test_put_object_acl_public_read_opens_an_existing_object(s3, bucket):
    anon = anonymous()
    assert code_of(lambda: anon.get_object(Bucket=bucket, Key="private"))[0] == "AccessDenied"
    s3.put_object_acl(Bucket=bucket, Key="private", ACL="public-read")
    assert anon.get_object(Bucket=bucket, Key="private")["Body"].read() == b"owner only"
    assert permissions(s3.get_object_acl(Bucket=bucket, Key="private"), ALL_USERS) == ["READ"]


def test_authenticated_read_object_is_readable_by_other_users_not_anonymously(s3, bucket):
    s3.put_object(Bucket=bucket, Key="members", Body=b"members only",
                  ACL="authenticated-read")
    member = s3_client("test:tester3", "testing3")
    assert member.get_object(Bucket=bucket, Key="members")["Body"].read() == b"members only"
    assert code_of(lambda: member.get_object(Bucket=bucket, Key="private"))[0] \
        == "AccessDenied"
    assert code_of(lambda: member.put_object(Bucket=bucket, Key="members", Body=b"x"))[0] \
        == "AccessDenied"
    assert code_of(lambda: anonymous().get_object(Bucket=bucket, Key="members"))[0] \
        == "AccessDenied"
    assert s3.get_object(Bucket=bucket, Key="members")["Body"].read() == b"members only"


# -- AccessControlPolicy bodies ------------------------------------------------

def test_put_bucket_acl_with_an_all_users_read_policy_makes_it_public(s3, bucket):
    owner = owner_of(s3, bucket)
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy(owner, group(ALL_USERS,
                                                                             "READ")))
    assert permissions(s3.get_bucket_acl(Bucket=bucket), ALL_USERS) == ["READ"]
    keys = [o["Key"] for o in anonymous().list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["private"]
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy(owner))
    assert permissions(s3.get_bucket_acl(Bucket=bucket), ALL_USERS) == []
    assert code_of(lambda: anonymous().list_objects_v2(Bucket=bucket))[0] == "AccessDenied"


def test_put_object_acl_with_policies(s3, bucket):
    owner = owner_of(s3, bucket)
    s3.put_object_acl(Bucket=bucket, Key="private",
                      AccessControlPolicy=policy(owner, group(AUTH_USERS, "READ")))
    acl = s3.get_object_acl(Bucket=bucket, Key="private")
    assert permissions(acl, AUTH_USERS) == ["READ"]
    member = s3_client("test:tester3", "testing3")
    assert member.get_object(Bucket=bucket, Key="private")["Body"].read() == b"owner only"


def user(uid, permission):
    return {"Grantee": {"Type": "CanonicalUser", "ID": uid}, "Permission": permission}


@pytest.mark.parametrize("grant,expected", [
    ({"Grantee": {"Type": "AmazonCustomerByEmail", "EmailAddress": "a@example.com"},
      "Permission": "READ"}, ("UnresolvableGrantByEmailAddress", 400)),
    (user("no such id", "READ"), ("InvalidArgument", 400)),
    (user(".r:*", "READ"), ("InvalidArgument", 400)),
    (group("http://acs.amazonaws.com/groups/global/Everyone", "READ"),
     ("InvalidArgument", 400)),
])
def test_grants_that_name_nobody_here_are_refused_and_change_nothing(s3, bucket, grant,
                                                                     expected):
    owner = owner_of(s3, bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    err = code_of(lambda: s3.put_bucket_acl(Bucket=bucket,
                                            AccessControlPolicy=policy(owner, grant)))
    assert err == expected
    assert permissions(s3.get_bucket_acl(Bucket=bucket), ALL_USERS) == ["READ"]
    err = code_of(lambda: s3.put_object(Bucket=bucket, Key="refused", Body=b"x",
                                        GrantRead='emailAddress="a@example.com"'))
    assert err == ("UnresolvableGrantByEmailAddress", 400)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="refused"))[1] == 404


def test_grant_headers_are_applied(s3, bucket):
    s3.put_bucket_acl(Bucket=bucket, GrantRead='uri="%s"' % ALL_USERS)
    assert permissions(s3.get_bucket_acl(Bucket=bucket), ALL_USERS) == ["READ"]
    assert code_of(lambda: s3.put_bucket_acl(Bucket=bucket, ACL="private",
                                             GrantRead='uri="%s"' % ALL_USERS))[0] \
        == "InvalidRequest"
    assert permissions(s3.get_bucket_acl(Bucket=bucket), ALL_USERS) == ["READ"]
    s3.put_bucket_acl(Bucket=bucket, GrantRead='id="test:tester3", uri="%s"' % AUTH_USERS,
                      GrantWriteACP='id="AUTH_test2"')
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert {"Grantee": {"Type": "CanonicalUser", "ID": "test:tester3",
                        "DisplayName": "test:tester3"}, "Permission": "READ"} in grants
    assert {"Grantee": {"Type": "CanonicalUser", "ID": "AUTH_test2",
                        "DisplayName": "AUTH_test2"}, "Permission": "WRITE_ACP"} in grants
    assert permissions(s3.get_bucket_acl(Bucket=bucket), AUTH_USERS) == ["READ"]
    assert len(grants) == 4


# -- grants to users and accounts ---------------------------------------------

def test_bucket_grants_to_a_user_and_an_account_become_swift_acls(s3, bucket):
    member = s3_client("test:tester3", "testing3")
    assert code_of(lambda: member.list_objects_v2(Bucket=bucket))[0] == "AccessDenied"
    owner = owner_of(s3, bucket)
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy(
        owner, user("test:tester3", "READ"), user("AUTH_test2", "FULL_CONTROL")))
    # test:tester3 lists and reads over S3, and with a Swift token
    assert [o["Key"] for o in member.list_objects_v2(Bucket=bucket)["Contents"]] \
        == ["private"]
    assert code_of(lambda: member.put_object(Bucket=bucket, Key="x", Body=b"x"))[0] \
        == "AccessDenied"
    swift3 = connect("nonadmin")
    assert swift3.get_object(bucket, "private")[1] == b"owner only"
    # AUTH_test2's admin reads and writes with a Swift token (S3 credentials
    # reach their own account's buckets only)
    url, token = connect("other").get_auth()
    url = url.rsplit("/", 1)[0] + "/" + owner
    other2 = swiftclient.Connection(preauthurl=url, preauthtoken=token, retries=0)
    other2.put_object(bucket, "from-test2", b"hello")
    assert other2.get_object(bucket, "from-test2")[1] == b"hello"
    s3.delete_object(Bucket=bucket, Key="from-test2")
    # back to private: both lose it
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    assert code_of(lambda: member.list_objects_v2(Bucket=bucket))[0] == "AccessDenied"
    with pytest.raises(swiftclient.ClientException) as err:
        other2.get_object(bucket, "private")
    assert err.value.http_status == 403


def test_object_grant_to_a_user_lets_only_that_user_read_it(s3, bucket):
    s3.put_object(Bucket=bucket, Key="for-tester3", Body=b"just you",
                  GrantRead='id="test:tester3"')
    member = s3_client("test:tester3", "testing3")
    assert member.get_object(Bucket=bucket, Key="for-tester3")["Body"].read() == b"just you"
    assert code_of(lambda: member.get_object(Bucket=bucket, Key="private"))[0] \
        == "AccessDenied"
    assert code_of(lambda: anonymous().get_object(Bucket=bucket, Key="for-tester3"))[0] \
        == "AccessDenied"
    # READ is not READ_ACP
    assert code_of(lambda: member.get_object_acl(Bucket=bucket, Key="for-tester3"))[0] \
        == "AccessDenied"
    grants = s3.get_object_acl(Bucket=bucket, Key="for-tester3")["Grants"]
    assert grants[1] == {"Grantee": {"Type": "CanonicalUser", "ID": "test:tester3",
                                     "DisplayName": "test:tester3"}, "Permission": "READ"}


def test_read_acp_and_write_acp_grants(s3, bucket):
    member = s3_client("test:tester3", "testing3")
    assert code_of(lambda: member.get_bucket_acl(Bucket=bucket))[0] == "AccessDenied"
    assert code_of(lambda: member.put_bucket_acl(Bucket=bucket, ACL="public-read"))[0] \
        == "AccessDenied"
    s3.put_bucket_acl(Bucket=bucket, GrantReadACP='id="test:tester3"')
    assert member.get_bucket_acl(Bucket=bucket)["Owner"]["ID"] == "AUTH_test"
    assert code_of(lambda: member.put_bucket_acl(Bucket=bucket, ACL="public-read"))[0] \
        == "AccessDenied"
    s3.put_bucket_acl(Bucket=bucket, GrantWriteACP='id="test:tester3"')
    member.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert permissions(s3.get_bucket_acl(Bucket=bucket), ALL_USERS) == ["READ"]
    assert [o["Key"] for o in anonymous().list_objects_v2(Bucket=bucket)["Contents"]] \
        == ["private"]
    # the grantee replaced the ACL: its own WRITE_ACP went with it
    assert code_of(lambda: member.put_bucket_acl(Bucket=bucket, ACL="private"))[0] \
        == "AccessDenied"
    s3.put_object_acl(Bucket=bucket, Key="private", GrantWriteACP='id="test:tester3"')
    member.put_object_acl(Bucket=bucket, Key="private", ACL="public-read")
    assert anonymous().get_object(Bucket=bucket, Key="private")["Body"].read() \
        == b"owner only"


@pytest.mark.parametrize("body", [b"<AccessControlPolicy><Owner/></AccessControlPolicy>",
                                  b"<AccessControlPolicy><AccessControlList><Grant>"
                                  b"<Permission>READ</Permission></Grant>"
                                  b"</AccessControlList></AccessControlPolicy>",
                                  b"not xml", b"<Other/>"])
def test_malformed_policies_are_malformed_acl_error(s3, bucket, body):
    path = "/%s?acl" % bucket
    status, _h, resp = send("PUT", path, sigv4_headers("PUT", path, body=body), body)
    assert (status, code(resp)) == (400, "MalformedACLError")
    assert permissions(s3.get_bucket_acl(Bucket=bucket), ALL_USERS) == []


# -- s3cmd ------------------------------------------------------------------

def s3cmd(tmp_path, *args):
    host = PROXY.split("//", 1)[1]
    conf = tmp_path / "s3cfg"
    conf.write_text("[default]\naccess_key = test:tester\nsecret_key = testing\n"
                    "host_base = %s\nhost_bucket = %s\nuse_https = False\n"
                    "signature_v2 = False\n" % (host, host))
    exe = os.path.join(REPO, ".venv", "bin", "s3cmd")
    return subprocess.run([exe, "-c", str(conf), *args], capture_output=True, text=True,
                          timeout=120)


def test_s3cmd_setacl_acl_public_and_private(s3, bucket, tmp_path):
    done = s3cmd(tmp_path, "setacl", "--acl-public", "s3://%s/private" % bucket)
    assert done.returncode == 0, done.stderr
    assert anonymous().get_object(Bucket=bucket, Key="private")["Body"].read() == b"owner only"
    done = s3cmd(tmp_path, "setacl", "--acl-public", "s3://%s" % bucket)
    assert done.returncode == 0, done.stderr
    assert [o["Key"] for o in anonymous().list_objects_v2(Bucket=bucket)["Contents"]] \
        == ["private"]
    info = s3cmd(tmp_path, "info", "s3://%s/private" % bucket)
    assert info.returncode == 0, info.stderr
    assert "ACL:       *anon*: READ" in info.stdout
    assert "ACL:       AUTH_test: FULL_CONTROL" in info.stdout
    done = s3cmd(tmp_path, "setacl", "--acl-grant=read:test:tester3", "s3://%s/private" % bucket)
    assert done.returncode == 0, done.stderr
    assert "ACL:       test:tester3: READ" in s3cmd(tmp_path, "info",
                                                    "s3://%s/private" % bucket).stdout
    member = s3_client("test:tester3", "testing3")
    assert member.get_object(Bucket=bucket, Key="private")["Body"].read() == b"owner only"
    done = s3cmd(tmp_path, "setacl", "--acl-private", "s3://%s/private" % bucket)
    assert done.returncode == 0, done.stderr
    info = s3cmd(tmp_path, "info", "s3://%s/private" % bucket).stdout
    # s3cmd's --acl-private takes the public grant away and keeps the others
    assert "*anon*" not in info and "ACL:       test:tester3: READ" in info
    done = s3cmd(tmp_path, "setacl", "--acl-revoke=read:test:tester3",
                 "s3://%s/private" % bucket)
    assert done.returncode == 0, done.stderr
    assert "test:tester3" not in s3cmd(tmp_path, "info", "s3://%s/private" % bucket).stdout
    done = s3cmd(tmp_path, "setacl", "--acl-private", "s3://%s" % bucket)
    assert done.returncode == 0, done.stderr
    with pytest.raises(botocore.exceptions.ClientError):
        anonymous().get_object(Bucket=bucket, Key="private")
    assert s3.get_object(Bucket=bucket, Key="private")["Body"].read() == b"owner only"
    assert "ACL:       *anon*" not in s3cmd(tmp_path, "info", "s3://%s" % bucket).stdout


# -- rclone -----------------------------------------------------------------

@pytest.mark.skipif(shutil.which("rclone") is None, reason="rclone is not installed")
def test_rclone_round_trip_with_a_public_bucket(s3, bucket, tmp_path):
    """The owner copies with public-read objects into a public-read bucket;
    an rclone remote without credentials lists and reads them, and cannot
    write; the owner deletes. Unsigned requests address public_account."""
    conf = tmp_path / "rclone.conf"
    conf.write_text("[owner]\ntype = s3\nprovider = Other\naccess_key_id = test:tester\n"
                    "secret_access_key = testing\nendpoint = %s\nregion = us-east-1\n"
                    "acl = public-read\nbucket_acl = public-read\n\n"
                    "[anon]\ntype = s3\nprovider = Other\nendpoint = %s\n"
                    "region = us-east-1\n" % (PROXY, PROXY))

    def rclone(*args):
        env = {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}
        return subprocess.run(["rclone", "--config", str(conf), "--retries", "1", *args],
                              capture_output=True, text=True, timeout=300, env=env)
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("public words")
    (src / "b.bin").write_bytes(os.urandom(100 * 1024))
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    done = rclone("copy", str(src), "owner:%s/pub" % bucket)
    assert done.returncode == 0, done.stderr
    listed = rclone("ls", "anon:%s/pub" % bucket)
    assert listed.returncode == 0, listed.stderr
    assert sorted(line.split()[-1] for line in listed.stdout.splitlines()) == \
        ["a.txt", "b.bin"]
    assert rclone("cat", "anon:%s/pub/a.txt" % bucket).stdout == "public words"
    assert rclone("check", str(src), "anon:%s/pub" % bucket).returncode == 0
    # the object ACL decides: the owner's private object stays closed to anon
    # (rclone takes the 403 for "no such file": nothing is fetched)
    rclone("copyto", "anon:%s/private" % bucket, str(tmp_path / "got"))
    assert not (tmp_path / "got").exists()
    assert rclone("cat", "anon:%s/private" % bucket).stdout == ""
    assert code_of(lambda: anonymous().get_object(Bucket=bucket, Key="private"))[0] \
        == "AccessDenied"
    refused = rclone("copyto", str(src / "a.txt"), "anon:%s/pub/intruder.txt" % bucket)
    assert refused.returncode != 0
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="pub/intruder.txt"))[1] == 404
    done = rclone("delete", "owner:%s/pub" % bucket)
    assert done.returncode == 0, done.stderr
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["private"]


def test_another_accounts_reads_follow_the_object_acl(s3, bucket):
    """test2:tester2 reaches this account's bucket once its policy names the
    bucket (here: listing); the bucket's authenticated-read ACL admits it to
    the container, and each object's own ACL decides its reads."""
    from tests.functional.s3.test_bucket_policy import arn, put_policy
    s3.put_bucket_acl(Bucket=bucket, ACL="authenticated-read")
    s3.put_object(Bucket=bucket, Key="members", Body=b"any signed user",
                  ACL="authenticated-read")
    s3.put_object(Bucket=bucket, Key="for-test2", Body=b"test2 only",
                  GrantRead='id="AUTH_test2"')
    put_policy(s3, bucket, {"Effect": "Allow", "Principal": {"AWS": ["AUTH_test2"]},
                            "Action": "s3:ListBucket", "Resource": arn(bucket)})
    try:
        stranger = s3_client("test2:tester2", "testing2")
        listed = [o["Key"] for o in stranger.list_objects_v2(Bucket=bucket)["Contents"]]
        assert listed == ["for-test2", "members", "private"]
        assert stranger.get_object(Bucket=bucket, Key="members")["Body"].read() \
            == b"any signed user"
        assert stranger.get_object(Bucket=bucket, Key="for-test2")["Body"].read() \
            == b"test2 only"
        assert code_of(lambda: stranger.get_object(Bucket=bucket, Key="private")) \
            == ("AccessDenied", 403)
        assert code_of(lambda: stranger.head_object(Bucket=bucket, Key="private"))[1] == 403
        # the owner's own users are unaffected
        assert s3.get_object(Bucket=bucket, Key="private")["Body"].read() == b"owner only"
    finally:
        s3.delete_bucket_policy(Bucket=bucket)


# -- what Get*Acl shows for each canned ACL ---------------------------------

OWNER_GRANT = {"Grantee": {"Type": "CanonicalUser", "ID": "AUTH_test",
                           "DisplayName": "AUTH_test"}, "Permission": "FULL_CONTROL"}
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
CANNED_GRANTS = {
    "private": [],
    "public-read": [group(ALL_USERS, "READ")],
    "public-read-write": [group(ALL_USERS, "READ"), group(ALL_USERS, "WRITE")],
    "authenticated-read": [group(AUTH_USERS, "READ")],
    "bucket-owner-read": [],
    "bucket-owner-full-control": [],
    "log-delivery-write": [group(LOG_DELIVERY, "WRITE"), group(LOG_DELIVERY, "READ_ACP")],
}


@pytest.mark.parametrize("canned", sorted(CANNED_GRANTS))
def test_each_canned_acl_reads_back_with_full_grantee_fields(s3, bucket, canned):
    s3.put_bucket_acl(Bucket=bucket, ACL=canned)
    got = s3.get_bucket_acl(Bucket=bucket)
    assert got["Owner"] == {"ID": "AUTH_test", "DisplayName": "AUTH_test"}
    assert got["Grants"] == [OWNER_GRANT] + CANNED_GRANTS[canned]
    if canned == "log-delivery-write":
        assert code_of(lambda: s3.put_object_acl(Bucket=bucket, Key="private", ACL=canned)) \
            == ("InvalidArgument", 400)
        return
    s3.put_object_acl(Bucket=bucket, Key="private", ACL=canned)
    assert s3.get_object_acl(Bucket=bucket, Key="private")["Grants"] == \
        [OWNER_GRANT] + CANNED_GRANTS[canned]


def test_aws_cli_grants_on_objects_and_buckets(s3, bucket):
    from tests.functional.s3.test_s3_clients import aws
    done = aws("s3api", "put-object-acl", "--bucket", bucket, "--key", "private",
               "--grant-read", 'id="test:tester3"', "--grant-read-acp", 'uri="%s"' % AUTH_USERS)
    assert done.returncode == 0, done.stderr
    done = aws("s3api", "get-object-acl", "--bucket", bucket, "--key", "private")
    assert done.returncode == 0, done.stderr
    grants = json.loads(done.stdout)["Grants"]
    assert {"Grantee": {"Type": "CanonicalUser", "ID": "test:tester3",
                        "DisplayName": "test:tester3"}, "Permission": "READ"} in grants
    assert group(AUTH_USERS, "READ_ACP") in grants
    member = s3_client("test:tester3", "testing3")
    assert member.get_object(Bucket=bucket, Key="private")["Body"].read() == b"owner only"
    assert member.get_object_acl(Bucket=bucket, Key="private")["Owner"]["ID"] == "AUTH_test"
    done = aws("s3api", "put-bucket-acl", "--bucket", bucket,
               "--grant-read", 'emailAddress="someone@example.com"')
    assert done.returncode != 0 and "UnresolvableGrantByEmailAddress" in done.stderr
    done = aws("s3api", "put-bucket-acl", "--bucket", bucket, "--acl", "public-read")
    assert done.returncode == 0, done.stderr
    assert [o["Key"] for o in anonymous().list_objects_v2(Bucket=bucket)["Contents"]] \
        == ["private"]


def test_a_bucket_grant_to_another_account_opens_it_over_s3_without_a_policy(s3, bucket):
    """test2:tester2's signed requests reach this account's bucket by its
    global name once the bucket's ACL grants it something; the grants decide."""
    stranger = s3_client("test2:tester2", "testing2")
    owner = owner_of(s3, bucket)
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy(
        owner, user("AUTH_test2", "READ")))
    assert [o["Key"] for o in stranger.list_objects_v2(Bucket=bucket)["Contents"]] == \
        ["private"]
    # The bucket grant lists; the object's own ACL (private) still refuses its read.
    assert code_of(lambda: stranger.get_object(Bucket=bucket, Key="private")) == \
        ("AccessDenied", 403)
    s3.put_object(Bucket=bucket, Key="shared", Body=b"for test2", GrantRead='id="AUTH_test2"')
    assert stranger.get_object(Bucket=bucket, Key="shared")["Body"].read() == b"for test2"
    # READ is not WRITE: nothing is stored.
    assert code_of(lambda: stranger.put_object(Bucket=bucket, Key="w", Body=b"x")) == \
        ("AccessDenied", 403)
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy(
        owner, user("AUTH_test2", "READ"), user("AUTH_test2", "WRITE")))
    stranger.put_object(Bucket=bucket, Key="w", Body=b"from test2")
    assert s3.get_object(Bucket=bucket, Key="w")["Body"].read() == b"from test2"
    # Back to private: the other account's requests address its own account again.
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    assert code_of(lambda: stranger.list_objects_v2(Bucket=bucket))[0] in ("NoSuchBucket",)
    # The owner's users are unaffected throughout.
    assert s3.get_object(Bucket=bucket, Key="private")["Body"].read() == b"owner only"


def test_an_authenticated_read_bucket_is_readable_by_other_accounts_over_s3(s3, bucket):
    stranger = s3_client("test2:tester2", "testing2")
    s3.put_bucket_acl(Bucket=bucket, ACL="authenticated-read")
    s3.put_object(Bucket=bucket, Key="members", Body=b"signed users", ACL="authenticated-read")
    assert stranger.get_object(Bucket=bucket, Key="members")["Body"].read() == b"signed users"
    assert code_of(lambda: stranger.delete_object(Bucket=bucket, Key="members")) == \
        ("AccessDenied", 403)
    assert s3.head_object(Bucket=bucket, Key="members")["ContentLength"] == 12
