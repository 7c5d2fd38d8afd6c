"""The texts and codes S3 gives for a missing key and a part number it
cannot serve (boto3 against the live SAIO); clients and their users match
on them."""

from __future__ import annotations

import pytest

from tests.functional.s3.test_s3_clients import bucket, s3  # noqa: F401


def _error(call):
    with pytest.raises(Exception) as err:
        call()
    resp = err.value.response
    return resp["ResponseMetadata"]["HTTPStatusCode"], resp["Error"]


def test_a_missing_key_is_the_specified_key_does_not_exist(s3, bucket):
    status, error = _error(lambda: s3.get_object(Bucket=bucket, Key="absent"))
    assert (status, error["Code"], error["Message"]) == \
        (404, "NoSuchKey", "The specified key does not exist.")


@pytest.mark.parametrize("number", [0, 10001])
def test_a_part_number_outside_1_to_10000_is_invalid_argument(s3, bucket, number):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    status, error = _error(lambda: s3.get_object(Bucket=bucket, Key="k", PartNumber=number))
    assert (status, error["Code"], error["Message"]) == (
        400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
    assert (error["ArgumentName"], error["ArgumentValue"]) == ("partNumber", str(number))


def test_a_part_number_past_the_object_s_parts_is_invalid_part_number(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    status, error = _error(lambda: s3.get_object(Bucket=bucket, Key="k", PartNumber=2))
    assert (status, error["Code"], error["Message"]) == (
        416, "InvalidPartNumber", "The requested partnumber is not satisfiable")


def test_part_one_of_a_simple_object_is_the_whole_object_as_a_206(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"simple")
    got = s3.get_object(Bucket=bucket, Key="k", PartNumber=1)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["ContentRange"] == "bytes 0-5/6" and got["Body"].read() == b"simple"
    head = s3.head_object(Bucket=bucket, Key="k", PartNumber=1)
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 206 and head["ContentLength"] == 6


def test_a_part_number_with_a_range_is_invalid_request(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"simple")
    status, error = _error(lambda: s3.get_object(Bucket=bucket, Key="k", PartNumber=0,
                                                 Range="bytes=1-2"))
    assert (status, error["Code"], error["Message"]) == (
        400, "InvalidRequest", "Cannot specify both Range header and partNumber query parameter")


def test_a_version_id_marker_needs_a_key_marker_and_a_version_id(s3, bucket):
    status, error = _error(lambda: s3.list_object_versions(Bucket=bucket,
                                                           VersionIdMarker="a" * 32))
    assert (status, error["Code"], error["Message"]) == (
        400, "InvalidArgument", "A version-id marker cannot be specified without a key marker.")
    status, error = _error(lambda: s3.list_object_versions(Bucket=bucket, KeyMarker="",
                                                           VersionIdMarker="bogus"))
    assert (status, error["Code"], error["Message"]) == (
        400, "InvalidArgument", "Invalid version id specified")
    assert s3.list_object_versions(Bucket=bucket, KeyMarker="k",
                                   VersionIdMarker="null")["ResponseMetadata"][
        "HTTPStatusCode"] == 200


def test_a_versioning_status_other_than_enabled_or_suspended_is_malformed_xml(s3, bucket):
    status, error = _error(lambda: s3.put_bucket_versioning(
        Bucket=bucket, VersioningConfiguration={"Status": "Disabled"}))
    assert (status, error["Code"], error["Message"]) == (
        400, "MalformedXML", "The XML you provided was not well-formed or did not validate "
        "against our published schema")
