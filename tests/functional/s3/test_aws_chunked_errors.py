"""How S3 reads an unsigned aws-chunked body with a trailer (what SDKs send
by default): what ``x-amz-trailer`` may announce, what the trailer section
may hold, and how the answer reads when it does not (raw SigV4 requests
with ``STREAMING-UNSIGNED-PAYLOAD-TRAILER`` against the live SAIO)."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest

from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_s3_clients import bucket, s3  # noqa: F401

BODY = b"framed body " * 4


def _crc32(data: bytes) -> str:
    return base64.b64encode(struct.pack("!I", zlib.crc32(data))).decode()


def put(bucket: str, trailer_lines: bytes, announced: str, **headers: str):
    """PUT ``BODY`` in one chunk, then ``trailer_lines`` (each ending in CRLF),
    and no empty line after them (as some SDKs end the body)."""
    body = b"%x\r\n%s\r\n0\r\n" % (len(BODY), BODY) + trailer_lines
    return s3_raw("PUT", "/%s/o" % bucket, trailer=True, body=body,
                  headers=dict({"Content-Encoding": "aws-chunked",
                                "x-amz-decoded-content-length": str(len(BODY)),
                                "x-amz-trailer": announced}, **headers))


def crc_line(data: bytes = BODY) -> bytes:
    return b"x-amz-checksum-crc32: %s\r\n" % _crc32(data).encode()


@pytest.mark.parametrize("announced", ["x-amz-checksum-crc32", "x-amz-checksum-crc32,",
                                       "x-amz-checksum-crc32,,", "x-amz-checksum-crc32, "])
def test_a_trailer_that_ends_the_body_without_an_empty_line_is_accepted(s3, bucket, announced):
    resp = put(bucket, crc_line(), announced)
    assert resp.status == 200, resp.body
    assert s3.get_object(Bucket=bucket, Key="o")["Body"].read() == BODY


@pytest.mark.parametrize("announced", [", x-amz-checksum-crc32", "x-amz-checksum-crc32, ,",
                                       "x-amz-checksum-crc32, x-amz-foo"])
def test_an_empty_or_unknown_announced_trailer_is_not_supported(bucket, announced):
    resp = put(bucket, crc_line(), announced)
    assert resp.status == 400
    assert b"<Message>The value specified in the x-amz-trailer header is not supported" \
        b"</Message>" in resp.body


@pytest.mark.parametrize("lines", [crc_line() + b"bonus: trailer\r\n",
                                   b"x-amz-checksum-crc32c: %s\r\n" % _crc32(BODY).encode()])
def test_a_trailer_other_than_the_announced_one_is_malformed(bucket, lines):
    resp = put(bucket, lines, "x-amz-checksum-crc32")
    assert resp.status == 400 and b"<Code>MalformedTrailerError</Code>" in resp.body


def test_the_last_of_repeated_trailers_counts(s3, bucket):
    assert put(bucket, crc_line(b"other") + crc_line(), "x-amz-checksum-crc32").status == 200
    resp = put(bucket, crc_line() + crc_line(b"other"), "x-amz-checksum-crc32")
    assert resp.status == 400 and b"<Message>The CRC32 you specified did not match the " \
        b"calculated checksum.</Message>" in resp.body


def test_a_malformed_trailer_value_is_named_as_a_trailing_header(bucket):
    resp = put(bucket, b"x-amz-checksum-crc32: not-base-64\r\n", "x-amz-checksum-crc32")
    assert resp.status == 400
    assert b"<Message>Value for x-amz-checksum-crc32 trailing header is invalid.</Message>" \
        in resp.body and b"not-base-64" not in resp.body


def test_other_content_encodings_are_kept_without_aws_chunked(s3, bucket):
    resp = put(bucket, crc_line(), "x-amz-checksum-crc32",
               **{"Content-Encoding": "foo, aws-chunked, bar"})
    assert resp.status == 200, resp.body
    assert s3.head_object(Bucket=bucket, Key="o")["ContentEncoding"] == "foo, bar"


def test_more_decoded_bytes_than_declared_is_incomplete_body(bucket):
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(BODY), BODY)
    resp = s3_raw("PUT", "/%s/o" % bucket, trailer=True, body=body,
                  headers={"Content-Encoding": "aws-chunked",
                           "x-amz-decoded-content-length": str(len(BODY) - 4)})
    assert resp.status == 400 and b"<Code>IncompleteBody</Code>" in resp.body
    assert b"<NumberBytesExpected>%d</NumberBytesExpected>" % (len(BODY) - 4) in resp.body


def test_a_checksum_type_on_a_single_upload_is_tolerated(bucket):
    resp = put(bucket, crc_line(), "x-amz-checksum-crc32",
               **{"x-amz-checksum-type": "COMPOSITE"})
    assert resp.status == 200, resp.body
