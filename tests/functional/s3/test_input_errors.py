"""S3's answers to a bad upload body or bad body headers, word for word.

Each request is signed with Signature V2 (botocore's signer), which covers
``x-amz-*`` headers as sent, so the test can send any
``x-amz-content-sha256`` or checksum header. The codes, statuses and
messages are the ones AWS S3 gives (SDKs and people compare them).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import struct
import zlib
from typing import Dict, Optional
from urllib.parse import quote, urlsplit

import botocore.exceptions
import pytest

from tests.functional.conftest import PROXY
from tests.functional.s3.signed import Raw
from tests.functional.s3.test_s3_clients import bucket, s3  # noqa: F401
from tests.unit.middleware.s3api.botocore_requests import signed_request

BODY = b"the body S3 receives"


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _crc32(data: bytes) -> str:
    return base64.b64encode(struct.pack("!I", zlib.crc32(data))).decode()


def v2_put(path: str, headers: Dict[str, str], body: Optional[bytes] = BODY,
           send_length: bool = True) -> Raw:
    """PUT ``body`` to ``path`` signed with Signature V2; without
    ``send_length`` no Content-Length (nor Transfer-Encoding) is sent."""
    url = PROXY + quote(path)
    req = signed_request("PUT", url, headers=headers, body=body or b"", auth="v2")
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.putrequest("PUT", parts.path, skip_accept_encoding=True)
        for name, value in req.headers.items():
            if name.lower() != "content-length":
                conn.putheader(name, value)
        if send_length:
            conn.putheader("Content-Length", str(len(body or b"")))
        conn.endheaders()
        if body:
            conn.send(body)
        resp = conn.getresponse()
        return Raw(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def _error(resp: Raw) -> tuple:
    """(status, [Code], Message) of an S3 error answer."""
    return resp.status, [resp.xml().findtext("Code")], resp.xml().findtext("Message")


def test_a_wrong_content_md5_is_bad_digest_with_the_expected_digest_in_hex(bucket):
    resp = v2_put("/%s/o" % bucket, {"Content-MD5": _md5(b"other")})
    assert _error(resp) == (400, ["BadDigest"],
                            "The Content-MD5 you specified did not match what we received.")
    assert resp.xml().findtext("ExpectedDigest") == hashlib.md5(b"other").hexdigest()
    assert resp.xml().findtext("CalculatedDigest") == _md5(BODY)


def test_a_malformed_content_md5_is_invalid_digest(bucket):
    resp = v2_put("/%s/o" % bucket, {"Content-MD5": "invalid"})
    assert _error(resp) == (400, ["InvalidDigest"], "The Content-MD5 you specified was invalid.")


def test_a_wrong_content_sha256_wins_over_a_wrong_content_md5(bucket):
    resp = v2_put("/%s/o" % bucket, {"Content-MD5": _md5(b"other"),
                                     "x-amz-content-sha256": _sha256(b"other")})
    assert _error(resp) == (400, ["XAmzContentSHA256Mismatch"], "The provided "
                            "'x-amz-content-sha256' header does not match what was computed.")
    assert resp.xml().findtext("ClientComputedContentSHA256") == _sha256(b"other")
    assert resp.xml().findtext("S3ComputedContentSHA256") == _sha256(BODY)


@pytest.mark.parametrize("claimed", ["invalid", "unsigned-payload",
                                     "STREAMING-UNSIGNED-PAYLOAD-TRAILER"])
def test_without_sigv4_any_content_sha256_but_unsigned_payload_is_compared(bucket, claimed):
    resp = v2_put("/%s/o" % bucket, {"x-amz-content-sha256": claimed,
                                     "x-amz-decoded-content-length": str(len(BODY))})
    assert _error(resp)[1] == ["XAmzContentSHA256Mismatch"]


def test_an_upper_case_content_sha256_that_matches_is_accepted(s3, bucket):
    resp = v2_put("/%s/o" % bucket, {"x-amz-content-sha256": _sha256(BODY).upper()})
    assert resp.status == 200
    assert s3.get_object(Bucket=bucket, Key="o")["Body"].read() == BODY


def test_a_wrong_crc32_names_the_algorithm(s3, bucket):
    resp = v2_put("/%s/o" % bucket, {"x-amz-checksum-crc32": _crc32(b"other")})
    assert _error(resp) == (400, ["BadDigest"],
                            "The CRC32 you specified did not match the calculated checksum.")
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="o")


def test_a_checksum_whose_base64_padding_bits_are_set_is_invalid(bucket):
    good = _crc32(BODY)
    raw = base64.b64decode(good)
    # The 6th character of a 4-byte value carries 4 padding bits: another
    # spelling of the same bytes that is not the canonical one.
    sloppy = next(good[:5] + char + good[6:] for char in
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                  if char != good[5] and base64.b64decode(good[:5] + char + good[6:]) == raw)
    resp = v2_put("/%s/o" % bucket, {"x-amz-checksum-crc32": sloppy})
    assert _error(resp) == (400, ["InvalidRequest"],
                            "Value for x-amz-checksum-crc32 header is invalid.")


@pytest.mark.parametrize("headers, message", [
    ({"x-amz-checksum-crc32": _crc32(BODY), "x-amz-checksum-sha1": "x"},
     "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."),
    ({"x-amz-checksum-crc32": _crc32(BODY), "x-amz-trailer": "x-amz-checksum-crc32"},
     "Expecting a single x-amz-checksum- header"),
    ({"x-amz-checksum-crc32": _crc32(BODY), "x-amz-sdk-checksum-algorithm": "CRC32C"},
     "Value for x-amz-sdk-checksum-algorithm header is invalid."),
    ({"x-amz-sdk-checksum-algorithm": "CRC32"},
     "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or "
     "x-amz-trailer headers were found."),
    ({"x-amz-checksum-bad": "x"},
     "The algorithm type you specified in x-amz-checksum- header is invalid."),
    ({"x-amz-trailer": "x-amz-foo"},
     "The value specified in the x-amz-trailer header is not supported"),
])
def test_conflicting_checksum_headers_are_invalid_request(bucket, headers, message):
    resp = v2_put("/%s/o" % bucket, headers)
    assert _error(resp) == (400, ["InvalidRequest"], message)


def test_a_trailer_announced_on_a_plain_body_is_a_malformed_trailer(bucket):
    resp = v2_put("/%s/o" % bucket, {"x-amz-trailer": "x-amz-checksum-crc32"})
    assert _error(resp)[:2] == (400, ["MalformedTrailerError"])


def test_an_upload_without_content_length_is_missing_content_length(s3, bucket):
    resp = v2_put("/%s/o" % bucket, {}, send_length=False)
    assert _error(resp) == (411, ["MissingContentLength"],
                            "You must provide the Content-Length HTTP header.")


def test_a_decoded_length_that_is_not_the_length_sent_is_incomplete_body(bucket):
    resp = v2_put("/%s/o" % bucket, {"x-amz-decoded-content-length": str(len(BODY) - 1)})
    assert _error(resp) == (400, ["IncompleteBody"], "You did not provide the number of "
                            "bytes specified by the Content-Length HTTP header")
    assert resp.xml().findtext("NumberBytesExpected") == str(len(BODY) - 1)
    assert resp.xml().findtext("NumberBytesProvided") == str(len(BODY))


def test_aws_chunked_content_encoding_on_a_plain_body_is_kept(s3, bucket):
    resp = v2_put("/%s/o" % bucket, {"Content-Encoding": "aws-chunked"})
    assert resp.status == 200
    got = s3.get_object(Bucket=bucket, Key="o")
    assert got["Body"].read() == BODY and got["ContentEncoding"] == "aws-chunked"


def test_a_streaming_payload_without_a_decoded_length_is_missing_content_length(bucket):
    resp = v2_put("/%s/o" % bucket,
                  {"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})
    assert _error(resp) == (411, ["MissingContentLength"],
                            "You must provide the Content-Length HTTP header.")
