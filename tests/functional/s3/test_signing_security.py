"""Hostile S3 requests against the live SAIO: what a signature covers, what
an unsigned or tampered request gets, and that stored data stays intact.

Requests are signed by botocore (the real client's signer); the tampering
happens after signing, on the wire, as an attacker holding a signed request
or a presigned URL would do it.
"""

import base64
import datetime
import email.header
import email.utils
import hashlib
import hmac
import http.client
import unittest.mock
import urllib.parse
import uuid

import boto3
import botocore.auth
import botocore.handlers
import pytest
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from tests.functional.conftest import PROXY
from tests.functional.s3.test_s3_clients import ACCESS, SECRET, client
from tests.support.s3_cleanup import delete_bucket

HOST = urllib.parse.urlsplit(PROXY).netloc


@pytest.fixture(scope="module")
def s3(saio):
    return client()


@pytest.fixture(scope="module")
def s3v4(saio):
    return client(signature_version="s3v4")


@pytest.fixture
def bucket(s3):
    name = "s3sec-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="secret", Body=b"the signer's secret bytes")
    yield name
    delete_bucket(s3, name)


def send(method, path_and_query, headers=None, body=b""):
    """One raw request; ``headers`` values may be bytes (sent as they are)."""
    conn = http.client.HTTPConnection(HOST, timeout=30)
    try:
        conn.putrequest(method, path_and_query, skip_accept_encoding=True, skip_host=True)
        headers = dict(headers or {})
        headers.setdefault("Host", HOST)
        if body or method in ("PUT", "POST"):
            headers.setdefault("Content-Length", str(len(body)))
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders(body or None)
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def code(body):
    text = body.decode("utf-8", "replace")
    return text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in text else text


def sigv4_headers(method, path, headers=None, body=b""):
    """Headers botocore's SigV4 signer produces for this request."""
    headers = dict(headers or {})
    headers.setdefault("x-amz-content-sha256", hashlib.sha256(body).hexdigest())
    request = AWSRequest(method=method, url=PROXY + path, data=body, headers=headers)
    # the generic signer keeps the x-amz-content-sha256 it is given
    botocore.auth.SigV4Auth(Credentials(ACCESS, SECRET), "s3", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def path_of(url):
    parts = urllib.parse.urlsplit(url)
    return parts.path + "?" + parts.query


def keys(s3, bucket):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


# -- response splitting (response-* overrides) -------------------------------

def test_anonymous_get_with_response_overrides_is_refused(s3, saio):
    name = "s3sec-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name, ACL="public-read")
    try:
        s3.put_object(Bucket=name, Key="page", Body=b"public bytes", ACL="public-read")
        status, headers, body = send(
            "GET", "/%s/page?response-content-type=text/html%%0D%%0AX-Injected:%%20yes" % name)
        assert (status, code(body)) == (400, "InvalidRequest")
        assert "X-Injected" not in dict(headers)
        status, _h, body = send("GET", "/%s/page?response-cache-control=no-cache" % name)
        assert (status, code(body)) == (400, "InvalidRequest")
        status, _h, body = send("GET", "/%s/page" % name)
        assert (status, body) == (200, b"public bytes")
    finally:
        s3.delete_object(Bucket=name, Key="page")
        s3.delete_bucket(Bucket=name)


@pytest.mark.parametrize("param", ["ResponseContentType", "ResponseContentDisposition",
                                   "ResponseCacheControl", "ResponseContentLanguage"])
def test_signed_override_with_crlf_never_reaches_the_wire(s3v4, bucket, param):
    url = s3v4.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": "secret", param: "x\r\nX-Injected: yes\r\n\r\n<html>"})
    status, headers, body = send("GET", path_of(url))
    assert (status, code(body)) == (400, "InvalidArgument")
    assert "X-Injected" not in dict(headers)
    assert b"<html>" not in body


def test_signed_override_is_honoured(s3v4, bucket):
    got = s3v4.get_object(Bucket=bucket, Key="secret", ResponseContentType="text/plain",
                          ResponseContentDisposition='attachment; filename="s.txt"')
    assert got["ContentType"] == "text/plain"
    assert got["ContentDisposition"] == 'attachment; filename="s.txt"'
    assert got["Body"].read() == b"the signer's secret bytes"


# -- SigV4: every x-amz-* header must be signed ----------------------------

def test_header_auth_with_an_unsigned_amz_header_is_refused(bucket, s3):
    headers = sigv4_headers("PUT", "/%s/new" % bucket, body=b"data")
    headers["x-amz-meta-added"] = "by an attacker"
    status, _h, body = send("PUT", "/%s/new" % bucket, headers, b"data")
    assert (status, code(body)) == (403, "AccessDenied")
    assert b"There were headers present in the request which were not signed" in body
    assert b"x-amz-meta-added" in body
    assert keys(s3, bucket) == ["secret"]


def test_header_auth_cannot_gain_a_copy_source(bucket, s3):
    headers = sigv4_headers("PUT", "/%s/copy" % bucket)
    headers["x-amz-copy-source"] = "/%s/secret" % bucket
    status, _h, body = send("PUT", "/%s/copy" % bucket, headers)
    assert (status, code(body)) == (403, "AccessDenied")
    assert keys(s3, bucket) == ["secret"]


@pytest.mark.parametrize("extra", [
    {"x-amz-copy-source": "/{bucket}/secret"},
    {"x-amz-tagging": "owner=attacker"},
    {"x-amz-meta-owner": "attacker"},
    {"x-amz-acl": "public-read"},
])
def test_presigned_put_url_cannot_be_extended_with_amz_headers(s3v4, s3, bucket, extra):
    url = s3v4.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "dst"})
    headers = {k: v.format(bucket=bucket) for k, v in extra.items()}
    status, _h, body = send("PUT", path_of(url), headers, b"")
    assert (status, code(body)) == (403, "AccessDenied")
    assert b"HeadersNotSigned" in body
    assert keys(s3, bucket) == ["secret"]
    # the URL still does what it was signed for
    status, _h, body = send("PUT", path_of(url), {}, b"signed upload")
    assert status == 200, body
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"signed upload"
    assert "TagSet" in s3.get_object_tagging(Bucket=bucket, Key="dst")
    assert s3.get_object_tagging(Bucket=bucket, Key="dst")["TagSet"] == []


def test_presigned_upload_part_url_cannot_become_upload_part_copy(s3v4, s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    url = s3v4.generate_presigned_url("upload_part", Params={
        "Bucket": bucket, "Key": "mp", "UploadId": upload, "PartNumber": 1})
    status, _h, body = send("PUT", path_of(url),
                            {"x-amz-copy-source": "/%s/secret" % bucket}, b"")
    assert (status, code(body)) == (403, "AccessDenied")
    assert s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload).get("Parts", []) == []


# -- presigned URL lifetime ----------------------------------------------------

def test_expired_presigned_url_is_access_denied(s3v4, bucket):
    past = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) \
        - datetime.timedelta(hours=2)
    aware = past.replace(tzinfo=datetime.timezone.utc)
    # botocore presigns with awscrt's signer when awscrt is installed (objstore needs it).
    with unittest.mock.patch.object(botocore.auth, "get_current_datetime", lambda: past), \
            unittest.mock.patch("botocore.crt.auth.get_current_datetime",
                                lambda *a, **k: aware):
        url = s3v4.generate_presigned_url("get_object", Params={
            "Bucket": bucket, "Key": "secret"}, ExpiresIn=60)
    assert "X-Amz-Date=" + past.strftime("%Y%m%dT%H") in url  # really signed two hours ago
    status, _h, body = send("GET", path_of(url))
    assert (status, code(body)) == (403, "AccessDenied")
    assert b"Request has expired" in body


@pytest.mark.parametrize("expires", [604801, 10 ** 9])
def test_presigned_expiry_beyond_a_week_is_a_query_error(s3v4, bucket, expires):
    url = s3v4.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": "secret"}, ExpiresIn=expires)
    status, _h, body = send("GET", path_of(url))
    assert (status, code(body)) == (400, "AuthorizationQueryParametersError")


def test_a_negative_presigned_expiry_is_a_query_error(s3v4, bucket):
    url = s3v4.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": "secret"}, ExpiresIn=60)
    assert "X-Amz-Expires=60&" in url
    status, _h, body = send("GET", path_of(url.replace("X-Amz-Expires=60&", "X-Amz-Expires=-1&")))
    assert (status, code(body)) == (400, "AuthorizationQueryParametersError")
    assert b"X-Amz-Expires must be non-negative" in body


@pytest.mark.parametrize("expires", ["2", "9223372036854775808", "soon"])
def test_a_presigned_expiry_that_is_no_64_bit_number_says_so(s3v4, bucket, expires):
    url = s3v4.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": "secret"}, ExpiresIn=60)
    status, _h, body = send("GET", path_of(url.replace("X-Amz-Expires=60&",
                                                       "X-Amz-Expires=%s&" % expires)))
    if expires == "2":  # a number: the signature (made for 60) no longer matches
        assert (status, code(body)) == (403, "SignatureDoesNotMatch")
    else:
        assert (status, code(body)) == (400, "AuthorizationQueryParametersError")
        assert b"<Message>X-Amz-Expires should be a number</Message>" in body


def test_a_v2_presigned_expiry_from_2038_on_is_no_date(bucket):
    url = client(signature_version="s3").generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": "secret"}, ExpiresIn=2 ** 32)
    status, _h, body = send("GET", path_of(url))
    assert (status, code(body)) == (403, "AccessDenied")
    assert b"Invalid date (should be seconds since epoch)" in body


def test_presigned_expiry_of_a_week_works(s3v4, bucket):
    url = s3v4.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": "secret"}, ExpiresIn=604800)
    assert send("GET", path_of(url))[2] == b"the signer's secret bytes"


# -- SigV2 dates -------------------------------------------------------------

def sigv2_headers(method, path, date):
    sts = "%s\n\n\n%s\n%s" % (method, date, path)
    sig = base64.b64encode(hmac.new(SECRET.encode(), sts.encode("latin-1"),
                                    hashlib.sha1).digest()).decode()
    return {"Date": date, "Authorization": "AWS %s:%s" % (ACCESS, sig)}


@pytest.mark.parametrize("date", ["", " ", "Wed, 31 Dec 1969 23:59:59 GMT",
                                  "Mon, 01 Jan 1900 00:00:00 GMT", "yesterday"])
def test_sigv2_with_an_empty_or_pre_epoch_date_is_access_denied(bucket, date):
    path = "/%s/secret" % bucket
    status, _h, body = send("GET", path, sigv2_headers("GET", path, date))
    assert (status, code(body)) == (403, "AccessDenied")


def test_sigv2_with_a_current_date_works(bucket):
    path = "/%s/secret" % bucket
    status, _h, body = send("GET", path, sigv2_headers(
        "GET", path, email.utils.formatdate(usegmt=True)))
    assert (status, body) == (200, b"the signer's secret bytes")


@pytest.mark.parametrize("amz_date", ["", "not a date"])
def test_sigv2_x_amz_date_sent_is_the_date_even_beside_a_good_date(bucket, amz_date):
    """A signed ``x-amz-date`` replaces ``Date`` (its line in the string to
    sign is empty): sent empty or unparsable, the request is AccessDenied
    (as Swift 2.38.3's s3api and S3), whatever ``Date`` says."""
    path = "/%s/secret" % bucket
    date = email.utils.formatdate(usegmt=True)
    sts = "GET\n\n\n\nx-amz-date:%s\n%s" % (amz_date, path)
    sig = base64.b64encode(hmac.new(SECRET.encode(), sts.encode(), hashlib.sha1).digest()).decode()
    headers = {"Date": date, "x-amz-date": amz_date, "Authorization": "AWS %s:%s" % (ACCESS, sig)}
    status, _h, body = send("GET", path, headers)
    assert (status, code(body)) == (403, "AccessDenied")


def test_sigv2_signs_the_path_as_sent_with_its_trailing_slash(bucket):
    """boto2 asks for ``/bucket/`` and signs that; the slash is part of the
    signed resource, so dropping it server-side would reject the request."""
    date = email.utils.formatdate(usegmt=True)
    status, _h, body = send("GET", "/%s/" % bucket, sigv2_headers("GET", "/%s/" % bucket, date))
    assert status == 200 and b"<Key>secret</Key>" in body
    status, _h, body = send("GET", "/%s/" % bucket, sigv2_headers("GET", "/%s" % bucket, date))
    assert (status, code(body)) == (403, "SignatureDoesNotMatch")


# -- non-ASCII signatures ----------------------------------------------------

def test_non_ascii_v4_header_signature_is_403(bucket, s3):
    headers = sigv4_headers("GET", "/%s/secret" % bucket)
    auth = headers["Authorization"]
    headers["Authorization"] = (auth[:auth.index("Signature=") + 10] + "\u00e9" * 64
                                ).encode("utf-8")
    status, _h, body = send("GET", "/%s/secret" % bucket, headers)
    assert (status, code(body)) == (403, "SignatureDoesNotMatch")


def test_non_ascii_v2_signature_is_403(bucket):
    path = "/%s/secret" % bucket
    headers = sigv2_headers("GET", path, email.utils.formatdate(usegmt=True))
    headers["Authorization"] = ("AWS %s:caf\u00e9\u2603" % ACCESS).encode("utf-8")
    status, _h, body = send("GET", path, headers)
    assert (status, code(body)) == (403, "SignatureDoesNotMatch")


def test_non_ascii_presigned_signature_is_403(s3v4, bucket):
    url = s3v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "secret"})
    head, _, _sig = path_of(url).rpartition("X-Amz-Signature=")
    status, _h, body = send("GET", head + "X-Amz-Signature=" + "%C3%A9" * 64)
    assert (status, code(body)) == (403, "SignatureDoesNotMatch")


def test_non_ascii_chunk_signature_is_403_and_nothing_is_stored(bucket, s3):
    chunk = b"payload"
    body = (b"%x;chunk-signature=" % len(chunk) + "\u00e9".encode("utf-8") * 32 + b"\r\n"
            + chunk + b"\r\n0;chunk-signature=" + b"0" * 64 + b"\r\n\r\n")
    headers = sigv4_headers("PUT", "/%s/chunked" % bucket, {
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "x-amz-decoded-content-length": str(len(chunk)), "Content-Encoding": "aws-chunked"})
    status, _h, resp = send("PUT", "/%s/chunked" % bucket, headers, body)
    assert (status, code(resp)) == (403, "SignatureDoesNotMatch")
    assert keys(s3, bucket) == ["secret"]


# -- Unicode metadata ----------------------------------------------------------

def test_unicode_metadata_values_sign_and_round_trip_with_boto3(bucket):
    s3 = boto3.client("s3", endpoint_url=PROXY, aws_access_key_id=ACCESS,
                      aws_secret_access_key=SECRET, region_name="us-east-1",
                      config=Config(retries={"max_attempts": 1}))
    # boto3 refuses non-ASCII metadata by default; without that guard it
    # sends the UTF-8 bytes, signed as the text they encode.
    s3.meta.events.unregister("before-parameter-build.s3.PutObject",
                              botocore.handlers.validate_ascii_metadata)
    value = "caf\u00e9 \u2603 \u65e5\u672c"
    s3.put_object(Bucket=bucket, Key="unicode", Body=b"x", Metadata={"name": value,
                                                                     "plain": "ascii"})
    got = s3.head_object(Bucket=bucket, Key="unicode")["Metadata"]
    # As S3 does: non-ASCII values come back RFC 2047 encoded, ASCII as is.
    assert got["plain"] == "ascii"
    decoded = email.header.decode_header(got["name"])
    assert b"".join(part for part, _cs in decoded).decode("utf-8") == value
    # an RFC 2047 value (what S3 returned) stored again reads back the same
    s3.copy_object(Bucket=bucket, Key="again", CopySource={"Bucket": bucket, "Key": "unicode"},
                   MetadataDirective="REPLACE", Metadata={"name": got["name"]})
    assert s3.head_object(Bucket=bucket, Key="again")["Metadata"]["name"] == got["name"]


# -- x-amz-* headers hoisted into a presigned URL's query ----------------------

def presign_with_query(method, path_and_query, expires=300):
    """A SigV4 presigned URL whose query carries extra parameters (as the JS
    and Go SDKs hoist x-amz-* headers there), signed by botocore."""
    request = AWSRequest(method=method, url=PROXY + path_and_query)
    botocore.auth.S3SigV4QueryAuth(Credentials(ACCESS, SECRET), "s3", "us-east-1",
                                   expires=expires).add_auth(request)
    return path_of(request.url)


def test_hoisted_amz_parameters_of_a_presigned_url_apply_as_headers(s3, bucket):
    url = presign_with_query(
        "PUT", "/%s/hoisted?x-amz-acl=public-read&x-amz-meta-color=blue" % bucket)
    status, _h, body = send("PUT", url, {}, b"hoisted bytes")
    assert status == 200, body
    head = s3.head_object(Bucket=bucket, Key="hoisted")
    assert head["Metadata"] == {"color": "blue"}
    grants = s3.get_object_acl(Bucket=bucket, Key="hoisted")["Grants"]
    assert [g["Permission"] for g in grants if g["Grantee"].get("URI", "").endswith(
        "AllUsers")] == ["READ"]
    # the hoisted parameters are signed: changing one breaks the URL
    tampered = url.replace("x-amz-meta-color=blue", "x-amz-meta-color=red")
    status, _h, body = send("PUT", tampered, {}, b"other bytes")
    assert (status, code(body)) == (403, "SignatureDoesNotMatch")
    assert s3.get_object(Bucket=bucket, Key="hoisted")["Body"].read() == b"hoisted bytes"
