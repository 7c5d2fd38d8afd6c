"""Canned ACLs grant what they say: ``authenticated-read`` lets any
authenticated user read (S3 credentials of a non-owner user, a Swift token
of another account) but not write; ``public-read-write`` lets unsigned
clients PUT and DELETE objects; ``public-read`` and ``private`` do not.

Unsigned S3 requests address the buckets of ``public_account``
(AUTH_test), so the buckets here belong to test:tester."""

import uuid

import boto3
import botocore
import pytest
import swiftclient
from botocore.config import Config

from tests.functional.conftest import PROXY, connect
from tests.functional.s3.test_s3_clients import client, code_of
from tests.support.s3_cleanup import delete_bucket


def s3_client(access, secret, **config):
    return boto3.client("s3", endpoint_url=PROXY, aws_access_key_id=access,
                        aws_secret_access_key=secret, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}, **config))


def anonymous():
    return boto3.client("s3", endpoint_url=PROXY, region_name="us-east-1",
                        config=Config(signature_version=botocore.UNSIGNED,
                                      retries={"max_attempts": 1}))


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture
def make_bucket(s3):
    made = []

    def make(acl):
        name = "s3canned-" + uuid.uuid4().hex[:12]
        s3.create_bucket(Bucket=name, ACL=acl)
        s3.put_object(Bucket=name, Key="existing", Body=b"owner's bytes")
        made.append(name)
        return name

    yield make
    for name in made:
        delete_bucket(s3, name)


def keys(s3, name):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=name).get("Contents", []))


# -- authenticated-read ------------------------------------------------------

def test_authenticated_read_lets_another_user_read_and_list_through_s3(s3, make_bucket):
    name = make_bucket("authenticated-read")
    reader = s3_client("test:tester3", "testing3")
    assert reader.get_object(Bucket=name, Key="existing")["Body"].read() == b"owner's bytes"
    assert reader.head_object(Bucket=name, Key="existing")["ContentLength"] == 13
    assert keys(reader, name) == ["existing"]
    reader.head_bucket(Bucket=name)


def test_authenticated_read_does_not_let_others_write(s3, make_bucket):
    name = make_bucket("authenticated-read")
    reader = s3_client("test:tester3", "testing3")
    assert code_of(lambda: reader.put_object(Bucket=name, Key="intruder", Body=b"x"))[0] \
        == "AccessDenied"
    assert code_of(lambda: reader.delete_object(Bucket=name, Key="existing"))[0] \
        == "AccessDenied"
    assert code_of(lambda: reader.put_bucket_acl(Bucket=name, ACL="public-read-write"))[0] \
        == "AccessDenied"
    assert keys(s3, name) == ["existing"]
    # the owner keeps full control
    s3.put_object(Bucket=name, Key="mine", Body=b"y")
    assert keys(s3, name) == ["existing", "mine"]


def test_authenticated_read_admits_a_swift_token_of_another_account(make_bucket):
    name = make_bucket("authenticated-read")
    other = connect("other")
    url = connect("admin").get_auth()[0]
    token = other.get_auth()[1]
    _, body = swiftclient.get_object(url, token, name, "existing")
    assert body == b"owner's bytes"
    _, listing = swiftclient.get_container(url, token, name)
    assert [o["name"] for o in listing] == ["existing"]
    with pytest.raises(swiftclient.ClientException) as err:
        swiftclient.put_object(url, token, name, "intruder", b"x")
    assert err.value.http_status == 403


def test_authenticated_read_denies_anonymous_clients(make_bucket):
    name = make_bucket("authenticated-read")
    anon = anonymous()
    assert code_of(lambda: anon.get_object(Bucket=name, Key="existing"))[0] == "AccessDenied"
    assert code_of(lambda: anon.list_objects_v2(Bucket=name))[0] == "AccessDenied"
    assert code_of(lambda: anon.put_object(Bucket=name, Key="x", Body=b"x"))[0] \
        == "AccessDenied"


def test_private_bucket_stays_private(s3, make_bucket):
    name = make_bucket("private")
    reader = s3_client("test:tester3", "testing3")
    assert code_of(lambda: reader.get_object(Bucket=name, Key="existing"))[0] == "AccessDenied"
    assert code_of(lambda: reader.list_objects_v2(Bucket=name))[0] == "AccessDenied"
    anon = anonymous()
    assert code_of(lambda: anon.get_object(Bucket=name, Key="existing"))[0] == "AccessDenied"
    assert code_of(lambda: anon.put_object(Bucket=name, Key="x", Body=b"x"))[0] \
        == "AccessDenied"
    assert code_of(lambda: anon.delete_object(Bucket=name, Key="existing"))[0] \
        == "AccessDenied"
    with pytest.raises(swiftclient.ClientException) as err:
        swiftclient.get_object(connect("admin").get_auth()[0], connect("other").get_auth()[1],
                               name, "existing")
    assert err.value.http_status == 403
    assert keys(s3, name) == ["existing"]


def test_switching_authenticated_read_back_to_private_revokes_reads(s3, make_bucket):
    name = make_bucket("authenticated-read")
    reader = s3_client("test:tester3", "testing3")
    reader.head_object(Bucket=name, Key="existing")
    s3.put_bucket_acl(Bucket=name, ACL="private")
    assert code_of(lambda: reader.get_object(Bucket=name, Key="existing"))[0] == "AccessDenied"


# -- public-read-write -------------------------------------------------------

def test_public_read_write_lets_anonymous_clients_put_read_and_delete(s3, make_bucket):
    name = make_bucket("public-read-write")
    anon = anonymous()
    anon.put_object(Bucket=name, Key="anon/new.txt", Body=b"from nobody",
                    Metadata={"who": "anon"}, ACL="public-read")
    got = anon.get_object(Bucket=name, Key="anon/new.txt")
    assert got["Body"].read() == b"from nobody"
    assert got["Metadata"] == {"who": "anon"}
    assert keys(anon, name) == ["anon/new.txt", "existing"]
    assert s3.get_object(Bucket=name, Key="anon/new.txt")["Body"].read() == b"from nobody"
    # an object written without an ACL is private: the bucket owner's alone
    anon.put_object(Bucket=name, Key="anon/private.txt", Body=b"dropped off")
    assert code_of(lambda: anon.get_object(Bucket=name, Key="anon/private.txt")) \
        == ("AccessDenied", 403)
    assert s3.get_object(Bucket=name, Key="anon/private.txt")["Body"].read() \
        == b"dropped off"
    anon.delete_object(Bucket=name, Key="existing")
    anon.delete_object(Bucket=name, Key="anon/private.txt")
    anon.delete_object(Bucket=name, Key="never-there")  # 204 like S3
    assert keys(s3, name) == ["anon/new.txt"]


def test_public_read_write_does_not_give_anonymous_clients_bucket_control(s3, make_bucket):
    name = make_bucket("public-read-write")
    anon = anonymous()
    assert code_of(lambda: anon.delete_bucket(Bucket=name))[0] == "AccessDenied"
    assert code_of(lambda: anon.put_bucket_acl(Bucket=name, ACL="private"))[0] \
        == "AccessDenied"
    assert code_of(lambda: anon.copy_object(
        Bucket=name, Key="copy", CopySource={"Bucket": name, "Key": "existing"}))[0] \
        == "AccessDenied"
    assert s3.get_bucket_acl(Bucket=name)["Grants"][-1]["Permission"] == "WRITE"
    assert keys(s3, name) == ["existing"]


def test_anonymous_write_to_a_public_read_bucket_is_denied(s3, make_bucket):
    name = make_bucket("public-read")
    anon = anonymous()
    assert keys(anon, name) == ["existing"]
    assert code_of(lambda: anon.put_object(Bucket=name, Key="x", Body=b"x")) \
        == ("AccessDenied", 403)
    assert code_of(lambda: anon.delete_object(Bucket=name, Key="existing")) \
        == ("AccessDenied", 403)
    assert keys(s3, name) == ["existing"]


def test_anonymous_write_to_a_missing_bucket_is_no_such_bucket(saio):
    anon = anonymous()
    assert code_of(lambda: anon.put_object(
        Bucket="s3canned-missing-" + uuid.uuid4().hex[:8], Key="x", Body=b"x"))[0] \
        == "NoSuchBucket"
