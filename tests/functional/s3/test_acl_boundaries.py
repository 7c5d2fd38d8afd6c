"""S3 requests from a user who is not the owner get exactly the rights the
container ACLs give them: an S3 operation is several Swift subrequests, and
an allowed first one must not let later ones through."""

import uuid

import boto3
import botocore
import pytest
from botocore.config import Config

from tests.functional.conftest import PROXY, connect


def s3_client(access, secret):
    return boto3.client("s3", endpoint_url=PROXY, aws_access_key_id=access,
                        aws_secret_access_key=secret, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def shared_read_only(saio):
    """A bucket of test:tester that test:tester3 may read but not write."""
    owner = connect("admin")
    name = "s3acl-" + uuid.uuid4().hex[:12]
    owner.put_container(name, headers={"X-Container-Read": "test:tester3"})
    owner.put_object(name, "existing", b"owner's bytes")
    yield owner, name
    _, objs = owner.get_container(name, full_listing=True)
    for obj in objs:
        owner.delete_object(name, obj["name"])
    owner.delete_container(name)


def test_reader_can_get_but_not_put_or_delete_through_s3(shared_read_only):
    owner, name = shared_read_only
    reader = s3_client("test:tester3", "testing3")
    assert reader.get_object(Bucket=name, Key="existing")["Body"].read() == b"owner's bytes"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        reader.put_object(Bucket=name, Key="intruder", Body=b"x")
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        reader.delete_object(Bucket=name, Key="existing")
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        # the source read is allowed; the write that follows must not ride on it
        reader.copy_object(Bucket=name, Key="intruder-copy",
                           CopySource={"Bucket": name, "Key": "existing"})
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    result = reader.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "existing"}]})
    assert [e["Code"] for e in result.get("Errors", [])] == ["AccessDenied"]
    names = [o["name"] for o in owner.get_container(name)[1]]
    assert names == ["existing"]
    assert owner.get_object(name, "existing")[1] == b"owner's bytes"


def test_user_of_another_account_cannot_read_or_write_through_s3(shared_read_only):
    _owner, name = shared_read_only
    stranger = s3_client("test2:tester2", "testing2")
    with pytest.raises(botocore.exceptions.ClientError):
        stranger.get_object(Bucket=name, Key="existing")
