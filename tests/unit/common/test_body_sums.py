"""The body checksums: CRC-64/NVME as AWS and NVMe define it, the
proxy's trailer and its parsing."""

import hashlib

from objstore.common import body_sums


def test_the_crc_is_crc64_nvme_fed_in_pieces():
    crc = body_sums.new_body_crc()
    crc.update(b"1234")
    crc.update(memoryview(b"56789"))
    assert crc.hexdigest() == "ae8b14860a799888"  # the algorithm's check value
    assert body_sums.new_body_crc().hexdigest() == "0" * 16


def test_a_trailer_is_the_md5_then_the_crc_and_parses_back():
    sums = body_sums.BodySums()
    sums.update(b"12345")
    sums.update(b"6789")
    trailer = sums.trailer()
    assert len(trailer) == body_sums.TRAILER_BYTES
    assert body_sums.parse_trailer(trailer) == (hashlib.md5(b"123456789").hexdigest(),
                                                "ae8b14860a799888")


def test_what_is_not_a_trailer_parses_to_none():
    good = b"0" * body_sums.TRAILER_BYTES
    assert body_sums.parse_trailer(good) == ("0" * 32, "0" * 16)
    for bad in (good[:-1], good + b"0", b"G" + good[1:], b"A" + good[1:], b" " + good[1:]):
        assert body_sums.parse_trailer(bad) is None
