"""CORS preflights and anonymous reads of public buckets over S3 (boto3 to set
up, plain unsigned HTTP as a browser would send it)."""

import http.client
import json
import urllib.parse
import uuid

import boto3
import pytest
from botocore.config import Config

from tests.functional.conftest import PROXY
from tests.functional.s3.test_s3_clients import client, code_of
from tests.support.s3_cleanup import delete_bucket

RULES = {"CORSRules": [
    {"AllowedOrigins": ["https://*.example.com"], "AllowedMethods": ["GET", "PUT"],
     "AllowedHeaders": ["x-amz-*", "content-type"], "ExposeHeaders": ["ETag"],
     "MaxAgeSeconds": 600},
    {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture
def bucket(s3):
    name = "s3cors-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    yield name
    delete_bucket(s3, name)


def unsigned(method, path, headers=None):
    url = urllib.parse.urlsplit(PROXY)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_preflight_is_answered_from_the_first_matching_rule(s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    status, headers, _ = unsigned("OPTIONS", "/%s/photo.jpg" % bucket, {
        "Origin": "https://www.example.com", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "Content-Type, X-Amz-Meta-Tag"})
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://www.example.com"
    assert headers["access-control-allow-methods"] == "GET, PUT"
    assert headers["access-control-allow-headers"] == "content-type, x-amz-meta-tag"
    assert headers["access-control-expose-headers"] == "ETag"
    assert headers["access-control-max-age"] == "600"
    status, headers, _ = unsigned("OPTIONS", "/%s/photo.jpg" % bucket, {
        "Origin": "https://elsewhere.org", "Access-Control-Request-Method": "GET"})
    assert status == 200 and headers["access-control-allow-origin"] == "*"


def test_a_preflight_no_rule_allows_is_403_cors_response(s3, bucket):
    status, _, body = unsigned("OPTIONS", "/%s/k" % bucket, {
        "Origin": "https://a.example.com", "Access-Control-Request-Method": "GET"})
    assert status == 403 and b"<Code>CORSResponse</Code>" in body
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    for origin, method, hdrs in (("https://elsewhere.org", "PUT", ""),
                                 ("https://a.example.com", "DELETE", ""),
                                 ("https://a.example.com", "PUT", "authorization")):
        status, _, body = unsigned("OPTIONS", "/%s/k" % bucket, {
            "Origin": origin, "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": hdrs})
        assert status == 403 and b"CORSResponse" in body, (origin, method, hdrs)
    status, _, body = unsigned("OPTIONS", "/%s/k" % bucket,
                               {"Access-Control-Request-Method": "GET"})
    assert status == 400


def test_actual_requests_with_an_origin_get_access_control_headers(s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    seen = {}

    def grab(http_response, **_):
        seen.update({k.lower(): v for k, v in http_response.headers.items()})
    c = client()
    c.meta.events.register("before-parse.s3.GetObject", lambda **kw: None)
    c.meta.events.register("after-call.s3.GetObject", lambda http_response, **kw:
                           grab(http_response))
    c.meta.events.register("before-sign.s3.GetObject", lambda request, **kw:
                           request.headers.__setitem__("Origin", "https://x.example.com"))
    c.get_object(Bucket=bucket, Key="k")["Body"].read()
    assert seen["access-control-allow-origin"] == "https://x.example.com"
    assert seen["access-control-expose-headers"] == "ETag"


def test_anonymous_reads_follow_the_object_acl_and_listing_the_bucket_acl(s3, bucket):
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"public words", ACL="public-read")
    s3.put_object(Bucket=bucket, Key="secret.txt", Body=b"owner only")
    status, _, body = unsigned("GET", "/%s?list-type=2" % bucket)
    assert status == 403 and b"AccessDenied" in body
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    status, headers, body = unsigned("GET", "/%s/doc.txt" % bucket)
    assert status == 200 and body == b"public words"
    assert unsigned("HEAD", "/%s/doc.txt" % bucket)[0] == 200
    status, _, body = unsigned("GET", "/%s?list-type=2" % bucket)
    assert status == 200 and b"<Key>doc.txt</Key>" in body
    assert unsigned("GET", "/%s/missing" % bucket)[0] == 404
    # the object's own ACL decides its reads, whatever the bucket's says
    status, _, body = unsigned("GET", "/%s/secret.txt" % bucket)
    assert status == 403 and b"AccessDenied" in body
    assert unsigned("HEAD", "/%s/secret.txt" % bucket)[0] == 403
    s3.put_bucket_acl(Bucket=bucket, ACL="authenticated-read")
    assert unsigned("GET", "/%s?list-type=2" % bucket)[0] == 403
    assert unsigned("GET", "/%s/doc.txt" % bucket)[0] == 200
    assert unsigned("GET", "/%s/secret.txt" % bucket)[0] == 403
    assert s3.get_object(Bucket=bucket, Key="secret.txt")["Body"].read() == b"owner only"


def test_anonymous_requests_cannot_write_and_swift_paths_stay_swift(s3, bucket):
    # public-read-write buckets do take anonymous writes: see test_canned_acls.py
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert unsigned("PUT", "/%s/new" % bucket)[0] == 403
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="new"))[1] == 404
    status, _, body = unsigned("GET", "/info")
    assert status == 200 and b"swift" in body


def test_another_accounts_bucket_is_found_once_created_and_forgotten_once_deleted(saio):
    """The bucket name index's owner lookups are cached (60 s): DeleteBucket
    (and CreateBucket) drop the entry, so an unsigned request right after a
    delete gets the answer for a name nobody holds, not the deleted bucket's
    account's (403)."""
    other = boto3.client("s3", endpoint_url=PROXY, aws_access_key_id="test2:tester2",
                         aws_secret_access_key="testing2", region_name="us-east-1",
                         config=Config(retries={"max_attempts": 1}))
    name = "s3own-" + uuid.uuid4().hex[:12]
    path = "/%s/doc.txt" % name
    assert unsigned("GET", path)[0] == 400  # no such bucket: the Swift API's answer
    other.create_bucket(Bucket=name)
    try:
        # unsigned requests reach another account's bucket where its policy opens it
        other.put_bucket_policy(Bucket=name, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::%s/*" % name}]}))
        other.put_object(Bucket=name, Key="doc.txt", Body=b"open")
        status, _, body = unsigned("GET", path)
        assert status == 200 and body == b"open"
        other.delete_object(Bucket=name, Key="doc.txt")
        other.delete_bucket_policy(Bucket=name)
        assert unsigned("GET", path)[0] == 403  # closed again (its owner is looked up)
    finally:
        delete_bucket(other, name)
    assert unsigned("GET", path)[0] == 400  # gone: as before it was made


# -- presigned URLs, as a browser uses them ------------------------------------

def _path_of(url):
    parts = urllib.parse.urlsplit(url)
    return parts.path + "?" + parts.query


def test_presigned_get_and_put_with_an_origin_get_cors_answers(s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    s3.put_object(Bucket=bucket, Key="pic", Body=b"pixels")
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "pic"},
                                        ExpiresIn=300)
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "up"},
                                        ExpiresIn=300)
    origin = {"Origin": "https://app.example.com"}
    # the browser's preflight goes to the presigned URL itself, query and all
    status, headers, _ = unsigned("OPTIONS", _path_of(put_url), dict(
        origin, **{"Access-Control-Request-Method": "PUT",
                   "Access-Control-Request-Headers": "content-type"}))
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://app.example.com"
    assert headers["access-control-allow-methods"] == "GET, PUT"
    status, headers, _ = unsigned("OPTIONS", _path_of(put_url), {
        "Origin": "https://evil.org", "Access-Control-Request-Method": "PUT"})
    assert status == 403
    status, headers, body = unsigned("GET", _path_of(get_url), origin)
    assert (status, body) == (200, b"pixels")
    assert headers["access-control-allow-origin"] == "https://app.example.com"
    assert headers["access-control-expose-headers"] == "ETag"
    status, headers, _ = unsigned("PUT", _path_of(put_url), origin)
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://app.example.com"
    # another origin matches only the second rule (any origin, GET only)
    status, headers, _ = unsigned("GET", _path_of(get_url), {"Origin": "https://evil.org"})
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    status, headers, _ = unsigned("PUT", _path_of(put_url), {"Origin": "https://evil.org"})
    assert status == 200 and "access-control-allow-origin" not in headers
    assert s3.get_object(Bucket=bucket, Key="up")["Body"].read() == b""


def test_presigned_errors_carry_cors_headers_for_an_allowed_origin(s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "absent"},
                                    ExpiresIn=300)
    status, headers, body = unsigned("GET", _path_of(url), {"Origin": "https://a.example.com"})
    assert status == 404 and b"NoSuchKey" in body
    assert headers["access-control-allow-origin"] == "https://a.example.com"
