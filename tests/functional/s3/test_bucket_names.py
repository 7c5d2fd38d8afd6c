"""Bucket names are global, as in S3: CreateBucket of a name another account
holds is BucketAlreadyExists, of one's own bucket BucketAlreadyOwnedByYou
with nothing changed; a deleted bucket's name is free again. The index
behind this lives in a hidden account no user can reach."""

import uuid

import pytest
import swiftclient

from tests.functional.conftest import connect
from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_canned_acls import anonymous, s3_client
from tests.functional.s3.test_s3_clients import client, code_of
from tests.support.s3_cleanup import delete_bucket

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture(scope="module")
def other(saio):
    return s3_client("test2:tester2", "testing2")


@pytest.fixture
def name(s3, other):
    name = "s3name-" + uuid.uuid4().hex[:10]
    yield name
    for cli in (s3, other):  # whichever account made it
        if name in [b["Name"] for b in cli.list_buckets()["Buckets"]]:
            delete_bucket(cli, name)


def grants(s3, bucket):
    return sorted(g["Permission"] for g in s3.get_bucket_acl(Bucket=bucket)["Grants"]
                  if g["Grantee"].get("URI") == ALL_USERS)


def test_creating_your_own_bucket_again_changes_nothing(s3, name):
    s3.create_bucket(Bucket=name, ACL="public-read")
    s3.put_object(Bucket=name, Key="k", Body=b"kept")
    assert code_of(lambda: s3.create_bucket(Bucket=name)) == ("BucketAlreadyOwnedByYou", 409)
    assert code_of(lambda: s3.create_bucket(Bucket=name, ACL="private")) \
        == ("BucketAlreadyOwnedByYou", 409)
    assert grants(s3, name) == ["READ"]
    assert [o["Key"] for o in anonymous().list_objects_v2(Bucket=name)["Contents"]] == ["k"]
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"kept"


def test_a_name_held_by_another_account_is_bucket_already_exists(s3, other, name):
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"first owner's")
    assert code_of(lambda: other.create_bucket(Bucket=name)) == ("BucketAlreadyExists", 409)
    # nothing was made in the other account, nothing changed in the first
    with pytest.raises(swiftclient.ClientException) as err:
        connect("other").head_container(name)
    assert err.value.http_status == 404
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"first owner's"
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert name not in [b["Name"] for b in other.list_buckets()["Buckets"]]


def test_a_deleted_buckets_name_is_free_for_anyone(s3, other, name):
    s3.create_bucket(Bucket=name)
    s3.delete_bucket(Bucket=name)
    other.create_bucket(Bucket=name)
    other.put_object(Bucket=name, Key="k", Body=b"second owner's")
    assert code_of(lambda: s3.create_bucket(Bucket=name)) == ("BucketAlreadyExists", 409)
    assert other.get_object(Bucket=name, Key="k")["Body"].read() == b"second owner's"


def test_a_failed_delete_keeps_the_name(s3, other, name):
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    assert code_of(lambda: s3.delete_bucket(Bucket=name)) == ("BucketNotEmpty", 409)
    assert code_of(lambda: other.create_bucket(Bucket=name)) == ("BucketAlreadyExists", 409)


@pytest.mark.parametrize("user", ["admin", "other", "reseller"])
def test_the_index_account_is_out_of_every_users_reach(saio, user, s3, name):
    s3.create_bucket(Bucket=name)
    conn = connect(user)
    url, token = conn.get_auth()
    index_url = url.rsplit("/", 1)[0] + "/.s3_bucket_index"
    for call in (lambda: swiftclient.get_container(index_url, token, "buckets"),
                 lambda: swiftclient.get_object(index_url, token, "buckets", name),
                 lambda: swiftclient.delete_object(index_url, token, "buckets", name),
                 lambda: swiftclient.put_object(index_url, token, "buckets", name, b"AUTH_x")):
        with pytest.raises(swiftclient.ClientException) as err:
            call()
        assert err.value.http_status == 403
    assert code_of(lambda: s3_client("test2:tester2", "testing2").create_bucket(
        Bucket=name)) == ("BucketAlreadyExists", 409)


@pytest.mark.parametrize("method", ["GET", "HEAD", "DELETE", "PUT"])
def test_a_name_no_bucket_could_have_is_invalid_bucket_name_on_every_request(saio, method):
    """``bucket+invalid`` (the ``+`` of objstore's hidden containers) is 400
    InvalidBucketName, not NoSuchBucket, whatever the request; a HEAD's 400
    has no body."""
    got = s3_raw(method, "/bucket+invalid")
    assert got.status == 400
    if method == "HEAD":
        assert got.headers.get("content-length") == "0" and got.body == b""
    else:
        assert b"<Code>InvalidBucketName</Code>" in got.body


def test_a_legacy_style_container_name_is_still_reachable(saio, s3):
    """Upper case and ``_`` are legacy S3 names a Swift container may have:
    a missing one is NoSuchBucket, not InvalidBucketName."""
    got = s3_raw("GET", "/No_Such_Legacy_Bucket")
    assert got.status == 404 and b"<Code>NoSuchBucket</Code>" in got.body


@pytest.mark.parametrize("path", ["/", "/some-bucket", "/some-bucket/key"])
def test_a_method_s3_does_not_have_is_method_not_allowed(saio, path):
    got = s3_raw("GETPUT", path)
    assert got.status == 405 and b"<Code>MethodNotAllowed</Code>" in got.body
    assert b"<Method>GETPUT</Method>" in got.body
