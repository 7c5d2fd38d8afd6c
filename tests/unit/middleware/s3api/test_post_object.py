"""POST Object's pure parts: the policy document's conditions, the signature
over it (botocore's generate_presigned_post is the oracle), and reading the
form as a stream."""

import base64
import io
import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.config import Config

from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.post_object import check_policy, read_form

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)


def encoded(conditions, expiration="2026-12-05T13:00:00Z"):
    doc = {"conditions": conditions}
    if expiration is not None:
        doc["expiration"] = expiration
    return base64.b64encode(json.dumps(doc).encode()).decode()


def failure(policy, fields, bucket="b1"):
    with pytest.raises(S3Error) as err:
        check_policy(policy, fields, bucket, NOW)
    return err.value.code, err.value.status, err.value.message


def test_exact_starts_with_and_length_range_conditions_pass():
    policy = encoded([{"bucket": "b1"}, ["starts-with", "$key", "user/"],
                      ["eq", "$Content-Type", "text/plain"], ["content-length-range", 2, 10],
                      ["starts-with", "$x-amz-meta-tag", ""]])
    fields = {"key": "user/a", "content-type": "text/plain", "x-amz-meta-tag": "x",
              "policy": policy, "x-amz-signature": "s", "x-ignore-me": "1"}
    assert check_policy(policy, fields, "b1", NOW) == (2, 10)


def test_each_failure_answers_s3s_error():
    assert failure(encoded([], expiration="2026-12-05T11:59:59Z"), {}) == (
        "AccessDenied", 403, "Invalid according to Policy: Policy expired.")
    assert failure(encoded([{"bucket": "other"}]), {})[2] == (
        'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "other"]')
    assert failure(encoded([["starts-with", "$key", "a/"]]), {"key": "b/x"})[:2] == \
        ("AccessDenied", 403)
    assert failure(encoded([]), {"key": "k"})[2] == \
        "Invalid according to Policy: Extra input fields: key"
    assert failure(encoded([], expiration=None), {})[:2] == ("InvalidPolicyDocument", 400)
    assert failure(base64.b64encode(b'{"expiration": "2030-01-01T00:00:00Z"}').decode(),
                   {})[2] == "Invalid Policy: Policy missing conditions."
    assert failure("%%%", {})[:2] == ("InvalidPolicyDocument", 400)
    assert failure(encoded([["ends-with", "$key", "x"]]), {})[:2] == \
        ("InvalidPolicyDocument", 400)
    assert failure(encoded([["content-length-range", "a", 3]]), {})[:2] == \
        ("InvalidPolicyDocument", 400)


def form_body(fields, file_data=b"data", after=()):
    boundary = "b0undary"
    out = b""
    for name, value in list(fields.items()):
        out += b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (
            boundary.encode(), name.encode(), value.encode())
    out += (b'--%s\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\n%s\r\n" % (boundary.encode(), file_data))
    for name, value in after:
        out += b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (
            boundary.encode(), name.encode(), value.encode())
    out += b"--%s--\r\n" % boundary.encode()
    return {"CONTENT_TYPE": "multipart/form-data; boundary=" + boundary,
            "wsgi.input": io.BytesIO(out)}


@pytest.mark.parametrize("version", ["s3v4", "s3"])
def test_botocore_post_signatures_verify_with_the_right_secret_only(version):
    client = boto3.client("s3", endpoint_url="http://127.0.0.1:1", region_name="us-east-1",
                          aws_access_key_id="test:tester", aws_secret_access_key="testing",
                          config=Config(signature_version=version))
    post = client.generate_presigned_post("b1", "k")
    form = read_form(form_body(post["fields"]))
    assert form.signature.access_key == "test:tester"
    assert form.signature.check("testing")
    assert not form.signature.check("testing2")
    assert form.file.filename == "f.txt" and form.file.read() == b"data"


def test_field_names_are_case_insensitive_and_fields_after_the_file_are_ignored():
    form = read_form(form_body({"Key": "k", "Content-Type": "text/plain"},
                               after=[("acl", "public-read")]))
    assert form.fields == {"key": "k", "content-type": "text/plain"}
    assert form.signature is None


def test_a_form_missing_pieces_is_refused():
    with pytest.raises(S3Error) as err:
        read_form(form_body({"policy": encoded([]), "key": "k"}))
    assert err.value.code == "InvalidArgument" and "AWSAccessKeyId" in err.value.message
    with pytest.raises(S3Error) as err:
        read_form(form_body({"x-amz-algorithm": "AWS4-HMAC-SHA1", "x-amz-signature": "s"}))
    assert err.value.code == "InvalidArgument"
    with pytest.raises(S3Error) as err:
        read_form(form_body({"key": "x" * 70000}))
    assert err.value.code == "MaxPostPreDataLengthExceededError"


def test_expiration_in_the_future_by_a_second_is_accepted():
    soon = (NOW + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert check_policy(encoded([], expiration=soon), {}, "b1", NOW) == (0, None)


def test_expiration_must_be_an_iso_8601_date_and_time_as_s3_takes_it():
    for good in ("2026-12-05T13:00:00Z", "2026-12-05T13:00:00.000Z", "2026-12-05T14:00:00+01:00",
                 "2026-12-05T13:00:00.123456789Z"):
        assert check_policy(encoded([], expiration=good), {}, "b1", NOW) == (0, None)
    # str() of a Python datetime (a space for the T), a date alone, no date at all
    for bad in ("2026-12-05 13:00:00.123456+00:00", "2026-12-05", "tomorrow", 1796552760):
        assert failure(encoded([], expiration=bad), {}) == (
            "InvalidPolicyDocument", 400, "Invalid Policy: Invalid 'expiration' value: '%s'" % bad)


def test_content_type_starts_with_holds_for_each_type_of_a_list():
    policy = encoded([["starts-with", "$Content-Type", "image/"]])
    check_policy(policy, {"content-type": "image/png, image/jpeg"}, "b1", NOW)
    assert failure(policy, {"content-type": "image/png, text/html"})[:2] == \
        ("AccessDenied", 403)
