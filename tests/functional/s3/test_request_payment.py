"""Requester Pays with boto3 on the live SAIO: every bucket's payer is its
owner (s3cmd's `info` shows it, its `payer` sets it back); asking for
Requester is 501, not stored."""

from __future__ import annotations

import botocore
import pytest

from tests.functional.s3.test_s3_clients import bucket, code_of, s3  # noqa: F401


def test_a_bucket_is_paid_by_its_owner(s3, bucket):
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"


def test_setting_the_owner_as_payer_succeeds(s3, bucket):
    s3.put_bucket_request_payment(Bucket=bucket,
                                  RequestPaymentConfiguration={"Payer": "BucketOwner"})
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"


def test_requester_pays_is_not_implemented_and_not_kept(s3, bucket):
    assert code_of(lambda: s3.put_bucket_request_payment(
        Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})) == \
        ("NotImplemented", 501)
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"


def test_a_missing_bucket_is_no_such_bucket(s3):
    with pytest.raises(botocore.exceptions.ClientError) as err:
        s3.get_bucket_request_payment(Bucket="s3fn-no-such-bucket-rp")
    assert err.value.response["Error"]["Code"] == "NoSuchBucket"
