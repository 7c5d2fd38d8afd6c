"""x-amz-storage-class of objects at home, with boto3 on the live SAIO
(docs/tiering.md): an object shows the class of the tier its bucket's
policy is (AWS omits STANDARD, gold's), or the class its PutObject asked
for until the tierer places it; a copy does not inherit the class of its
source's tier; one moved home shows its home tier's class. (Objects moved
by lifecycle rules: tests/functional/s3/test_lifecycle.py.)

S3 creates buckets in the default policy (gold): the silver and bronze
buckets here are made with the Swift API, as an operator would."""

import uuid

import pytest

from tests.functional.s3.test_s3_clients import client, delete_bucket_and_contents
from tests.functional.tiering_support import pass_with

BODY = b"tiered bytes " * 100


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture(scope="module")
def buckets(s3, conn):
    """One bucket per tier: ``{tier: bucket}``."""
    names = {}
    try:
        for tier, policy in (("gold", "gold"), ("silver", "silver"), ("bronze", "ec21")):
            names[tier] = "s3tier%s-%s" % (tier[0], uuid.uuid4().hex[:10])
            conn.put_container(names[tier], headers={"X-Storage-Policy": policy})
        yield names
    finally:
        for name in names.values():
            delete_bucket_and_contents(s3, name)


@pytest.mark.parametrize("tier,storage_class", [
    ("gold", None), ("silver", "STANDARD_IA"), ("bronze", "GLACIER_IR")])
def test_an_object_shows_the_class_of_its_bucket_s_tier(s3, buckets, tier, storage_class):
    bucket = buckets[tier]
    s3.put_object(Bucket=bucket, Key="o", Body=BODY)
    head = s3.head_object(Bucket=bucket, Key="o")
    got = s3.get_object(Bucket=bucket, Key="o")
    assert got["Body"].read() == BODY
    sent = head["ResponseMetadata"]["HTTPHeaders"]
    assert sent.get("x-amz-storage-class") == storage_class  # absent for STANDARD
    assert head.get("StorageClass") == storage_class
    assert got.get("StorageClass") == storage_class
    attrs = s3.get_object_attributes(Bucket=bucket, Key="o", ObjectAttributes=["StorageClass"])
    assert attrs["StorageClass"] == (storage_class or "STANDARD")
    # neither the Swift header nor the filter's internal one reaches S3 clients
    assert not [h for h in sent if "tier" in h], sent


def test_the_class_a_put_asked_for_shows_before_the_object_is_placed(s3, buckets):
    s3.put_object(Bucket=buckets["gold"], Key="ia", Body=BODY, StorageClass="STANDARD_IA")
    assert s3.head_object(Bucket=buckets["gold"], Key="ia")["StorageClass"] == "STANDARD_IA"
    s3.put_object(Bucket=buckets["silver"], Key="std", Body=BODY, StorageClass="STANDARD")
    assert "StorageClass" not in s3.head_object(Bucket=buckets["silver"], Key="std")


def test_a_copy_shows_the_class_of_its_own_bucket_not_its_source_s(s3, buckets):
    s3.put_object(Bucket=buckets["bronze"], Key="src", Body=BODY)
    s3.copy_object(Bucket=buckets["gold"], Key="copy",
                   CopySource={"Bucket": buckets["bronze"], "Key": "src"})
    assert "StorageClass" not in s3.head_object(Bucket=buckets["gold"], Key="copy")
    s3.copy_object(Bucket=buckets["silver"], Key="copy",
                   CopySource={"Bucket": buckets["bronze"], "Key": "src"})
    assert s3.head_object(Bucket=buckets["silver"], Key="copy")["StorageClass"] == "STANDARD_IA"


def test_a_copy_takes_the_class_it_asks_for_else_standard_not_the_source_s_asked_one(
        s3, buckets):
    s3.put_object(Bucket=buckets["gold"], Key="asked", Body=BODY, StorageClass="STANDARD_IA")
    s3.copy_object(Bucket=buckets["gold"], Key="plain-copy",
                   CopySource={"Bucket": buckets["gold"], "Key": "asked"})
    assert "StorageClass" not in s3.head_object(Bucket=buckets["gold"], Key="plain-copy")
    s3.copy_object(Bucket=buckets["gold"], Key="ia-copy", StorageClass="STANDARD_IA",
                   CopySource={"Bucket": buckets["gold"], "Key": "asked"})
    assert s3.head_object(Bucket=buckets["gold"], Key="ia-copy")["StorageClass"] == "STANDARD_IA"
    # Copying an object onto itself is how a client changes its class.
    s3.copy_object(Bucket=buckets["gold"], Key="asked", StorageClass="STANDARD",
                   CopySource={"Bucket": buckets["gold"], "Key": "asked"})
    assert "StorageClass" not in s3.head_object(Bucket=buckets["gold"], Key="asked")


def test_an_object_moved_home_shows_its_home_tier_s_class_not_the_one_asked(s3, buckets):
    """A PutObject asking GLACIER_IR in a silver bucket, placed in bronze,
    then brought home by its reads: its class is silver's again."""
    bucket = buckets["silver"]
    s3.put_object(Bucket=bucket, Key="asked", Body=BODY, StorageClass="GLACIER_IR")
    path = "/v1/AUTH_test/%s/asked" % bucket
    for to_tier, storage_class in (("bronze", "GLACIER_IR"), ("silver", "STANDARD_IA")):
        stats, _fired = pass_with(None, lambda: None, enqueue=[(path, to_tier)])
        head = s3.head_object(Bucket=bucket, Key="asked")
        assert head["StorageClass"] == storage_class, stats
    assert s3.get_object(Bucket=bucket, Key="asked")["Body"].read() == BODY
