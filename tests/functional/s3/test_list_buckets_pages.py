"""ListBuckets with ``prefix``, ``max-buckets`` and ``continuation-token``
(the AWS CLI's ``aws s3api list-buckets --max-buckets``, boto3's paginator)
against the live SAIO: pages of the asked size, a token on each page but
the last, hidden containers never shown."""

from __future__ import annotations

import uuid

import pytest

from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_s3_clients import code_of, s3  # noqa: F401
from tests.support.s3_cleanup import delete_bucket


@pytest.fixture
def buckets(s3):
    prefix = "lbp-%s-" % uuid.uuid4().hex[:8]
    names = [prefix + c for c in "abcde"]
    for name in names:
        s3.create_bucket(Bucket=name)
    # a multipart upload makes bucket "a"'s hidden +segments container
    s3.create_multipart_upload(Bucket=names[0], Key="k")
    yield prefix, names
    for name in names:
        delete_bucket(s3, name)


def test_pages_of_max_buckets_follow_the_token(s3, buckets):
    prefix, names = buckets
    seen, token, pages = [], None, 0
    while True:
        kw = {"ContinuationToken": token} if token else {}
        page = s3.list_buckets(Prefix=prefix, MaxBuckets=2, **kw)
        pages += 1
        seen += [b["Name"] for b in page["Buckets"]]
        assert page["Prefix"] == prefix
        token = page.get("ContinuationToken")
        if not token:
            break
    assert seen == names and pages == 3


def test_the_paginator_lists_every_bucket_once(s3, buckets):
    prefix, names = buckets
    pages = s3.get_paginator("list_buckets").paginate(
        Prefix=prefix, PaginationConfig={"PageSize": 3})
    assert [b["Name"] for page in pages for b in page["Buckets"]] == names


def test_without_max_buckets_every_bucket_and_no_token(s3, buckets):
    prefix, names = buckets
    page = s3.list_buckets(Prefix=prefix)
    assert [b["Name"] for b in page["Buckets"]] == names
    assert "ContinuationToken" not in page
    everything = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert set(names) <= set(everything) and not any("+" in n for n in everything)


@pytest.mark.parametrize("value", ["0", "10001", "x"])
def test_max_buckets_out_of_range_is_invalid_argument(value):
    resp = s3_raw("GET", "/", query={"max-buckets": value})
    assert resp.status == 400 and b"<Code>InvalidArgument</Code>" in resp.body


def test_a_token_that_is_no_token_is_invalid_argument():
    resp = s3_raw("GET", "/", query={"max-buckets": "1", "continuation-token": "!!"})
    assert resp.status == 400 and b"<Code>InvalidArgument</Code>" in resp.body


def test_bucket_region_filters_and_each_bucket_shows_its_region(s3, buckets):
    prefix, names = buckets
    page = s3.list_buckets(Prefix=prefix, BucketRegion="us-east-1")
    assert [b["Name"] for b in page["Buckets"]] == names
    assert {b["BucketRegion"] for b in page["Buckets"]} == {"us-east-1"}
    assert s3.list_buckets(Prefix=prefix, BucketRegion="eu-west-1")["Buckets"] == []
    # without any parameter, S3 leaves the region out
    assert all("BucketRegion" not in b for b in s3.list_buckets()["Buckets"])
