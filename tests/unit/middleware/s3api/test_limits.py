"""Bounds on what an S3 request may make the proxy hold."""

import pytest

from objstore.middleware.s3api import chunked, sigv4, xml
from objstore.middleware.s3api.chunked import ChunkedDecoder
from objstore.middleware.s3api.errors import S3Error


def decode(body):
    pos = [0]

    def read(size):
        out = body[pos[0]:pos[0] + size]
        pos[0] += len(out)
        return out
    dec = ChunkedDecoder(read)
    return b"".join(dec), dec.trailers


def test_a_trailer_within_the_limit_is_read():
    data, trailers = decode(b"3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n")
    assert data == b"abc" and trailers == {"x-amz-checksum-crc32": "AAAAAA=="}


@pytest.mark.parametrize("lines", [
    [b"x-pad-%d:%s" % (i, b"p" * 2000) for i in range(10)],     # too many bytes
    [b"x-pad-%d:p" % i for i in range(chunked.MAX_TRAILERS + 1)],  # too many headers
    [b"no colon here"]])
def test_oversized_or_malformed_trailers_are_refused(lines):
    body = b"3\r\nabc\r\n0\r\n" + b"".join(line + b"\r\n" for line in lines) + b"\r\n"
    with pytest.raises(S3Error) as err:
        decode(body)
    assert err.value.code == "MalformedTrailerError"


def test_a_1000_key_delete_with_the_longest_escaped_keys_fits():
    key = "&quot;" * (1024 // 1)  # every key byte written as six bytes
    obj = "<Object><Key>%s</Key><VersionId>%s</VersionId></Object>" % (key[:6 * 1024], "v" * 32)
    body = "<Delete><Quiet>true</Quiet>%s</Delete>" % (obj * 1000)
    assert len(body) <= xml.delete_body_limit(1000)


def test_every_amz_header_must_be_signed_but_the_payload_hash():
    sigv4.check_all_amz_signed({"host": "h", "x-amz-date": "d", "x-amz-content-sha256": "x"},
                               ["host", "x-amz-date"])
    with pytest.raises(S3Error) as err:
        sigv4.check_all_amz_signed({"x-amz-copy-source": "/b/k", "x-amz-meta-a": "1"}, ["host"])
    assert err.value.code == "AccessDenied"
    assert err.value.extra["HeadersNotSigned"] == "x-amz-copy-source, x-amz-meta-a"


def test_a_non_ascii_signature_compares_unequal_instead_of_raising():
    assert not sigv4.same_signature("ab" * 32, "\u00e9" * 64)
    assert sigv4.same_signature("ab" * 32, "ab" * 32)
