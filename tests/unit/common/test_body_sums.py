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


def test_sums_taken_in_a_thread_are_the_same_and_large_bodies_get_them():
    chunks = [bytes([i]) * 65536 for i in range(40)]
    inline, threaded = body_sums.BodySums(), body_sums.ThreadedBodySums(backlog=3)
    for chunk in chunks:
        inline.update(chunk)
        threaded.update(chunk)
    assert threaded.trailer() == inline.trailer()
    assert body_sums.parse_trailer(inline.trailer())[0] == \
        hashlib.md5(b"".join(chunks)).hexdigest()
    assert isinstance(body_sums.body_sums_for(body_sums.THREAD_BYTES, 1 << 20),
                      body_sums.ThreadedBodySums)
    assert type(body_sums.body_sums_for(body_sums.THREAD_BYTES - 1, 1 << 20)) is \
        body_sums.BodySums


def test_cancelled_threaded_sums_end_their_thread():
    sums = body_sums.ThreadedBodySums(backlog=2)
    sums.update(b"x" * 65536)
    sums.cancel()
    sums._feed._thread.join(5)
    assert not sums._feed._thread.is_alive()
