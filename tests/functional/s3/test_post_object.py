"""POST Object (browser form uploads) against the live SAIO: boto3's
generate_presigned_post (SigV4 and V2) sent with requests, a real HTML form
submitted by headless Chromium, anonymous forms where the bucket policy
allows them, and every refusal S3 documents (nothing stored)."""

import base64
import hashlib
import http.client
import json
import urllib.parse
import uuid

import boto3
import pytest
import requests
from botocore.config import Config

from tests.functional.browser import PageServer, dump_dom
from tests.functional.conftest import PROXY
from tests.functional.s3.test_s3_clients import client, code_of
from tests.functional.test_formpost import DONE_PAGE

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def s3(saio):
    return client(signature_version="s3v4")


@pytest.fixture(scope="module")
def s3v2(saio):
    return client(signature_version="s3")


@pytest.fixture
def bucket(s3):
    name = "s3post-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    yield name
    s3.delete_bucket_policy(Bucket=name)
    for obj in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=obj["Key"])
    s3.delete_bucket(Bucket=name)


def post(form, data=b"hello form", filename="hello.txt", extra_after=None):
    files = [("file", (filename, data))]
    fields = list(form["fields"].items()) if isinstance(form, dict) and "fields" in form \
        else list(form.items())
    url = form["url"] if isinstance(form, dict) and "url" in form else PROXY
    return requests.post(url, data=fields, files=files + list(extra_after or []), timeout=60)


def error_of(resp):
    body = resp.text
    code = body.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in body else None
    message = body.split("<Message>", 1)[1].split("</Message>", 1)[0] \
        if "<Message>" in body else None
    return resp.status_code, code, message


def missing(s3, bucket, key):
    return code_of(lambda: s3.head_object(Bucket=bucket, Key=key))[1] == 404


def test_a_sigv4_form_stores_the_file_with_its_fields(s3, bucket):
    form = s3.generate_presigned_post(
        bucket, "uploads/${filename}",
        Fields={"Content-Type": "text/plain", "x-amz-meta-color": "blue",
                "Cache-Control": "max-age=60", "success_action_status": "201"},
        Conditions=[{"Content-Type": "text/plain"}, {"x-amz-meta-color": "blue"},
                    {"Cache-Control": "max-age=60"}, {"success_action_status": "201"},
                    ["content-length-range", 1, 1024]], ExpiresIn=300)
    assert "x-amz-signature" in form["fields"]
    resp = post(form)
    assert resp.status_code == 201, resp.text
    etag = '"%s"' % hashlib.md5(b"hello form").hexdigest()
    assert resp.headers["ETag"] == etag
    assert resp.headers["Location"].endswith("/%s/uploads/hello.txt" % bucket)
    assert "<Key>uploads/hello.txt</Key>" in resp.text and \
        "<Bucket>%s</Bucket>" % bucket in resp.text
    got = s3.get_object(Bucket=bucket, Key="uploads/hello.txt")
    assert got["Body"].read() == b"hello form"
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"color": "blue"}
    assert got["CacheControl"] == "max-age=60"


def test_a_v2_form_stores_the_file_and_answers_204_by_default(s3, s3v2, bucket):
    form = s3v2.generate_presigned_post(bucket, "v2.bin", ExpiresIn=300)
    assert "AWSAccessKeyId" in form["fields"] and "signature" in form["fields"]
    resp = post(form, data=b"\x00\x01 binary")
    assert resp.status_code == 204 and resp.content == b""
    got = s3.get_object(Bucket=bucket, Key="v2.bin")
    assert got["Body"].read() == b"\x00\x01 binary"
    assert got["ContentType"] == "binary/octet-stream"


def test_success_action_status_200_and_redirect(s3, bucket):
    form = s3.generate_presigned_post(bucket, "k200", Fields={"success_action_status": "200"},
                                      Conditions=[{"success_action_status": "200"}])
    resp = post(form)
    assert resp.status_code == 200 and resp.content == b""
    target = "https://example.com/done?from=form"
    form = s3.generate_presigned_post(bucket, "kredirect",
                                      Fields={"success_action_redirect": target},
                                      Conditions=[{"success_action_redirect": target}])
    resp = requests.post(form["url"], data=form["fields"], files={"file": ("f", b"r")},
                         allow_redirects=False, timeout=60)
    assert resp.status_code == 303
    location = urllib.parse.urlsplit(resp.headers["Location"])
    query = dict(urllib.parse.parse_qsl(location.query))
    assert (location.netloc, location.path) == ("example.com", "/done")
    assert query == {"from": "form", "bucket": bucket, "key": "kredirect",
                     "etag": '"%s"' % hashlib.md5(b"r").hexdigest()}


def test_acl_and_tagging_fields_are_applied(s3, bucket):
    tagging = ("<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag></TagSet>"
               "</Tagging>")
    form = s3.generate_presigned_post(bucket, "public.txt",
                                      Fields={"acl": "public-read", "tagging": tagging},
                                      Conditions=[{"acl": "public-read"},
                                                  {"tagging": tagging}])
    assert post(form).status_code == 204
    assert s3.get_object_tagging(Bucket=bucket, Key="public.txt")["TagSet"] == [
        {"Key": "team", "Value": "web"}]
    assert requests.get("%s/%s/public.txt" % (PROXY, bucket), timeout=30).content == \
        b"hello form"


def test_a_checksum_field_is_verified(s3, bucket):
    good = base64.b64encode(hashlib.sha256(b"hello form").digest()).decode()
    for value, expected in ((good, 204), (base64.b64encode(b"x" * 32).decode(), 400)):
        form = s3.generate_presigned_post(bucket, "sum", Fields={"x-amz-checksum-sha256": value},
                                          Conditions=[{"x-amz-checksum-sha256": value}])
        resp = post(form)
        assert resp.status_code == expected, resp.text
    assert error_of(resp)[1] == "BadDigest"
    head = s3.head_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == good


def test_the_policy_judges_the_key_with_the_file_name_put_in_for_filename(s3, bucket):
    form = s3.generate_presigned_post(bucket, "${filename}",
                                      Conditions=[["starts-with", "$key", "foo"]], ExpiresIn=300)
    resp = post(form, filename="foo.txt")
    assert resp.status_code == 204, resp.text
    assert s3.get_object(Bucket=bucket, Key="foo.txt")["Body"].read() == b"hello form"
    resp = post(form, filename="bar.txt")
    assert resp.status_code == 403 and error_of(resp)[1] == "AccessDenied", resp.text
    assert missing(s3, bucket, "bar.txt")


def test_an_expired_policy_is_access_denied_and_stores_nothing(s3, bucket):
    # A policy that expired a minute ago: no sleep, no clock edge.
    form = s3.generate_presigned_post(bucket, "late", ExpiresIn=-60)
    assert error_of(post(form)) == (403, "AccessDenied",
                                    "Invalid according to Policy: Policy expired.")
    assert missing(s3, bucket, "late")


def test_unmet_conditions_answer_s3s_messages_and_store_nothing(s3, bucket):
    form = s3.generate_presigned_post(
        bucket, "only/${filename}", Fields={"Content-Type": "image/png"},
        Conditions=[["starts-with", "$Content-Type", "image/"], ["content-length-range", 5, 20]])
    fields = dict(form["fields"])
    wrong_key = dict(fields, key="elsewhere/x")
    assert error_of(post({"url": form["url"], "fields": wrong_key})) == (
        403, "AccessDenied",
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "only/"]')
    wrong_type = dict(fields, **{"Content-Type": "text/html"})
    status, code, message = error_of(post({"url": form["url"], "fields": wrong_type}))
    assert (status, code) == (403, "AccessDenied") and "$content-type" in message.lower()
    extra = dict(fields, **{"x-amz-meta-sneaky": "1"})
    assert error_of(post({"url": form["url"], "fields": extra})) == (
        403, "AccessDenied", "Invalid according to Policy: Extra input fields: x-amz-meta-sneaky")
    assert error_of(post(form, data=b"x" * 21))[:2] == (400, "EntityTooLarge")
    assert error_of(post(form, data=b"x" * 4))[:2] == (400, "EntityTooSmall")
    other = s3.generate_presigned_post("s3post-someone-else", "k")
    assert error_of(post({"url": "%s/%s" % (PROXY, bucket), "fields": other["fields"]}))[:2] \
        == (403, "AccessDenied")
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    ignored = dict(fields, **{"x-ignore-tracking": "abc"})
    assert post({"url": form["url"], "fields": ignored}, data=b"12345").status_code == 204


def test_a_forged_signature_or_unknown_key_is_refused(s3, bucket):
    form = s3.generate_presigned_post(bucket, "forged")
    fields = dict(form["fields"])
    policy = json.loads(base64.b64decode(fields["policy"]))
    policy["conditions"] = [c for c in policy["conditions"]
                            if not (isinstance(c, dict) and "key" in c)]
    policy["conditions"].append(["starts-with", "$key", ""])
    forged = dict(fields, policy=base64.b64encode(json.dumps(policy).encode()).decode(),
                  key="anything")
    assert error_of(post({"url": form["url"], "fields": forged}))[:2] == \
        (403, "SignatureDoesNotMatch")
    stranger = boto3.client("s3", endpoint_url=PROXY, aws_access_key_id="nobody:nouser",
                            aws_secret_access_key="x", region_name="us-east-1",
                            config=Config(signature_version="s3v4"))
    assert error_of(post(stranger.generate_presigned_post(bucket, "k")))[:2] == \
        (403, "InvalidAccessKeyId")
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_malformed_forms_are_refused(s3, bucket):
    form = s3.generate_presigned_post(bucket, "k")
    no_key = {k: v for k, v in form["fields"].items() if k != "key"}
    status, code, message = error_of(post({"url": form["url"], "fields": no_key}))
    assert (status, code) == (400, "InvalidArgument") and "'key'" in message
    no_policy = {k: v for k, v in form["fields"].items() if k != "policy"}
    assert error_of(post({"url": form["url"], "fields": no_policy}))[:2] == \
        (400, "InvalidArgument")
    resp = requests.post(form["url"], files=[(k, (None, v)) for k, v in form["fields"].items()],
                         timeout=60)
    assert error_of(resp)[:2] == (400, "InvalidArgument")  # no file part at all
    bad_policy = dict(form["fields"], policy=base64.b64encode(b"not json").decode())
    # The signature covers the policy, so a changed one fails it first.
    assert error_of(post({"url": form["url"], "fields": bad_policy}))[:2] == \
        (403, "SignatureDoesNotMatch")
    truncated = requests.post(form["url"], data=b"--xyz\r\nContent-Disposition: form-data; "
                              b'name="key"\r\n\r\nk', timeout=60,
                              headers={"Content-Type": "multipart/form-data; boundary=xyz"})
    assert error_of(truncated)[:2] == (400, "MalformedPOSTRequest")
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_an_anonymous_form_writes_only_where_the_bucket_policy_allows(s3, bucket):
    url = "%s/%s" % (PROXY, bucket)
    assert error_of(post({"url": url, "fields": {"key": "drop/a.txt"}}))[:2] == \
        (403, "AccessDenied")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::%s/drop/*" % bucket}]}))
    resp = post({"url": url, "fields": {"key": "drop/${filename}",
                                        "Content-Type": "text/plain"}}, filename="a.txt")
    assert resp.status_code == 204, resp.text
    got = s3.get_object(Bucket=bucket, Key="drop/a.txt")
    assert got["Body"].read() == b"hello form" and got["ContentType"] == "text/plain"
    assert error_of(post({"url": url, "fields": {"key": "elsewhere/a.txt"}}))[:2] == \
        (403, "AccessDenied")
    assert missing(s3, bucket, "elsewhere/a.txt")


def test_an_anonymous_form_writes_to_a_public_read_write_bucket_unless_acls_are_ignored(
        s3, bucket):
    url = "%s/%s" % (PROXY, bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    try:
        assert post({"url": url, "fields": {"key": "open.txt"}}).status_code == 204
        assert s3.get_object(Bucket=bucket, Key="open.txt")["Body"].read() == b"hello form"
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
            "IgnorePublicAcls": True})
        assert error_of(post({"url": url, "fields": {"key": "closed.txt"}}))[:2] == \
            (403, "AccessDenied")
        assert missing(s3, bucket, "closed.txt")
    finally:
        s3.delete_public_access_block(Bucket=bucket)
        s3.put_bucket_acl(Bucket=bucket, ACL="private")


def test_a_deny_in_the_bucket_policy_beats_a_signed_form(s3, bucket):
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::%s/*" % bucket,
            "Condition": {"StringEquals": {"s3:authType": "POST"}}}]}))
    assert error_of(post(s3.generate_presigned_post(bucket, "k")))[:2] == (403, "AccessDenied")
    s3.put_object(Bucket=bucket, Key="k", Body=b"a PUT is not a POST")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"a PUT is not a POST"


FORM_PAGE = """<!doctype html><html><body>
<form id="f" method="POST" enctype="multipart/form-data" action="%(action)s">
%(inputs)s
<input type="file" name="file" id="file">
</form>
<script>
const dt = new DataTransfer();
dt.items.add(new File(["uploaded by chromium\\n"], "from-browser.txt", {type: "text/plain"}));
document.getElementById("file").files = dt.files;
document.getElementById("f").submit();
</script></body></html>"""

def test_chromium_submits_a_real_html_form_and_follows_the_redirect(s3, bucket):
    with PageServer({"/done.html": DONE_PAGE}) as site:
        redirect = site.origin + "/done.html"
        form = s3.generate_presigned_post(
            bucket, "browser/${filename}",
            Fields={"success_action_redirect": redirect, "Content-Type": "text/plain"},
            Conditions=[{"success_action_redirect": redirect},
                        ["starts-with", "$Content-Type", "text/"]], ExpiresIn=300)
        inputs = "\n".join('<input type="hidden" name="%s" value="%s">' % (name, value)
                           for name, value in form["fields"].items())
        page = FORM_PAGE % {"action": form["url"], "inputs": inputs}
        with PageServer({"/form.html": page}) as form_site:
            dom = dump_dom(form_site.origin + "/form.html")
    assert "done:?bucket=%s&amp;key=browser%%2Ffrom-browser.txt&amp;etag=" % bucket in dom, dom
    got = s3.get_object(Bucket=bucket, Key="browser/from-browser.txt")
    assert got["Body"].read() == b"uploaded by chromium\n"
    assert got["ContentType"] == "text/plain"


def test_a_large_form_upload_streams_through_the_proxy_in_bounded_memory(s3, bucket):
    """128 MiB in one form: the proxy's RSS stays flat (the file is never held)."""
    from tests.functional.memory import RssSampler

    size = 128 * MIB
    form = s3.generate_presigned_post(bucket, "big.bin", ExpiresIn=600,
                                      Conditions=[["content-length-range", 0, size]])
    boundary = "objstore-" + uuid.uuid4().hex
    head = b"".join(b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                    % (boundary.encode(), k.encode(), v.encode())
                    for k, v in form["fields"].items())
    head += (b'--%s\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
             b"Content-Type: application/octet-stream\r\n\r\n" % boundary.encode())
    tail = b"\r\n--%s--\r\n" % boundary.encode()
    block = hashlib.md5(b"seed").digest() * (MIB // 16)
    digest = hashlib.md5()

    def body():
        yield head
        for _ in range(size // MIB):
            digest.update(block)
            yield block
        yield tail
    url = urllib.parse.urlsplit(form["url"])
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    with RssSampler(["proxy"]) as sampler:
        connection.request("POST", url.path, body=body(), headers={
            "Content-Type": "multipart/form-data; boundary=%s" % boundary,
            "Content-Length": str(len(head) + size + len(tail))})
        resp = connection.getresponse()
        answer = resp.read()
    connection.close()
    assert resp.status == 204, answer
    assert s3.head_object(Bucket=bucket, Key="big.bin")["ETag"] == '"%s"' % digest.hexdigest()
    assert 0 < sampler.peak["proxy"] < 200 * 1024, "proxy reached %d MB" % (
        sampler.peak["proxy"] // 1024)


def _session_client(**config):
    """boto3 with temporary credentials (a session token), as an STS user has."""
    return boto3.client("s3", endpoint_url=PROXY, region_name="us-east-1",
                        aws_access_key_id="test:tester", aws_secret_access_key="testing",
                        aws_session_token="FwoGZXIvYXdzEXAMPLETOKEN",
                        config=Config(retries={"max_attempts": 1}, **config))


def test_a_form_with_temporary_credentials_is_invalid_token_and_stores_nothing(s3, bucket):
    form = _session_client(signature_version="s3v4").generate_presigned_post(
        bucket, "temp.txt", ExpiresIn=300)
    assert "x-amz-security-token" in form["fields"]
    status, code, message = error_of(post(form))
    assert (status, code) == (400, "InvalidToken")
    assert "no temporary credentials" in message
    assert missing(s3, bucket, "temp.txt")


def test_requests_with_a_session_token_are_invalid_token(s3, bucket):
    temp = _session_client(signature_version="s3v4")
    assert code_of(lambda: temp.put_object(Bucket=bucket, Key="t", Body=b"x")) == \
        ("InvalidToken", 400)
    assert missing(s3, bucket, "t")
    url = temp.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "t"})
    assert "X-Amz-Security-Token" in url
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 400 and "<Code>InvalidToken</Code>" in resp.text
