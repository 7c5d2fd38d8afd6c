"""Multipart checksum math: CRC combination and composite checksums, checked
against zlib/hashlib and against computing the CRC of the whole object."""

import base64
import hashlib
import os
import zlib

import pytest
from hypothesis import given, settings, strategies as st

from objstore.middleware.s3api import checksums


def _digest(algorithm, data):
    running = checksums.new_checksum(algorithm)
    running.update(data)
    return running.digest()


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=300),
       st.sampled_from(["CRC32", "CRC32C", "CRC64NVME"]))
def test_combining_two_crcs_is_the_crc_of_the_concatenation(first, second, algorithm):
    assert checksums.combine_crc(algorithm, _digest(algorithm, first),
                                 _digest(algorithm, second), len(second)) \
        == _digest(algorithm, first + second)


def test_crc32_combination_agrees_with_zlib():
    a, b = os.urandom(5000), os.urandom(123)
    combined = checksums.combine_crc("CRC32", zlib.crc32(a).to_bytes(4, "big"),
                                     zlib.crc32(b).to_bytes(4, "big"), len(b))
    assert combined == zlib.crc32(a + b).to_bytes(4, "big")


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME"])
def test_a_full_object_checksum_from_parts_is_the_whole_objects(algorithm):
    parts = [os.urandom(1000), b"", os.urandom(17), os.urandom(4096)]
    listed = [(checksums.b64(_digest(algorithm, p)), len(p)) for p in parts]
    assert checksums.multipart_checksum(algorithm, checksums.FULL_OBJECT, listed) \
        == checksums.b64(_digest(algorithm, b"".join(parts)))


def test_a_composite_checksum_is_the_checksum_of_the_part_checksums_with_the_count():
    parts = [b"one", b"two", b"three"]
    raw = [hashlib.sha256(p).digest() for p in parts]
    listed = [(base64.b64encode(d).decode(), 0) for d in raw]
    assert checksums.multipart_checksum("SHA256", checksums.COMPOSITE, listed) == "%s-3" % (
        base64.b64encode(hashlib.sha256(b"".join(raw)).digest()).decode())


def test_which_types_each_algorithm_has():
    assert checksums.default_type("CRC64NVME") == checksums.FULL_OBJECT
    assert checksums.default_type("crc32") == checksums.COMPOSITE
    assert checksums.TYPES["SHA1"] == (checksums.COMPOSITE,)
