"""The one Range parser: the cases were measured against Swift 2.38.3."""

import email.parser
import re

import pytest
from hypothesis import given, strategies as st

from objstore.common.http import ranges


@pytest.mark.parametrize("header,spans", [
    ("bytes=0-4", [(0, 5)]),
    ("bytes=5-", [(5, 10)]),
    ("bytes=-3", [(7, 10)]),
    ("bytes=-30", [(0, 10)]),
    ("bytes=8-100", [(8, 10)]),
    ("bytes=0-0,-1", [(0, 1), (9, 10)]),
    ("BYTES = 1-2 , 4-5", [(1, 3), (4, 6)]),
    ("bytes=1 - 2", [(1, 3)]),
    (" bytes=\t1-2 ", [(1, 3)]),
    ("bytes=1-2 3", [(1, 10)]),  # whitespace is removed, not a separator
    ("bytes=01-02", [(1, 3)]),
    ("bytes=+1-2", [(1, 3)]),
    ("bytes=1_0-", []),  # 10 >= 10: see the unsatisfiable test below
    ("bytes=20-30,2-3", [(2, 4)]),  # the unsatisfiable one is dropped
    ("bytes=1-2,-0", [(1, 3)]),
    ("bytes=0-1,1-2", [(0, 2), (1, 3)]),  # overlapping, answered as asked
    ("bytes=3-4,0-1", [(3, 5), (0, 2)]),  # request order is kept
    ("bytes=1-99999999999999999999", [(1, 10)]),
])
def test_satisfiable_ranges_select_the_right_bytes(header, spans):
    if not spans:
        with pytest.raises(ranges.Unsatisfiable):
            ranges.ranges_for_length(header, 10)
        return
    assert ranges.ranges_for_length(header, 10) == spans


@pytest.mark.parametrize("header", [
    None, "", "bytes", "bytes=", "items=0-1", "byte=1-2", "bytes1-2", "bytes==1-2",
    "bytes=5-2", "bytes=a-b", "bytes=-", "bytes=1-2-3", "bytes=1--2", "bytes=--2",
    "bytes=1-2,", "bytes=,1-2", "bytes=1-2,,3-4", "bytes=1-2;x", "bytes=1-2=3",
    "bytes=0x1-2", "bytes=1.0-2", "bytes=1-+2", "bytes=-+5", "bytes=1-1_0",
    "bytes=1-2,bits", "bytes=1-2, 2-1", "bytes=\u0661-2",
])
def test_bad_or_foreign_range_headers_are_ignored(header):
    assert ranges.ranges_for_length(header, 10) is None


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=10-20", "bytes=-0", "bytes=11-,20-30",
                                    "bytes=-0,-0", "bytes=99999999999999999999999-"])
def test_ranges_entirely_past_the_end_are_unsatisfiable(header):
    with pytest.raises(ranges.Unsatisfiable):
        ranges.ranges_for_length(header, 10)


def test_bytes_5_dash_on_a_5_byte_object_is_unsatisfiable():
    with pytest.raises(ranges.Unsatisfiable):
        ranges.ranges_for_length("bytes=5-", 5)


@pytest.mark.parametrize("header", ["bytes=-1", "bytes=-1,-2", "bytes=-1,0-", "bytes=-0,-1",
                                    "bytes=2-1"])
def test_a_suffix_range_on_an_empty_object_sends_the_empty_body(header):
    assert ranges.ranges_for_length(header, 0) is None


@pytest.mark.parametrize("header", ["bytes=0-", "bytes=0-0", "bytes=-0", "bytes=1-",
                                    "bytes=0-0,1-1"])
def test_other_ranges_on_an_empty_object_are_unsatisfiable(header):
    with pytest.raises(ranges.Unsatisfiable):
        ranges.ranges_for_length(header, 0)


def _header(pairs):
    return "bytes=" + ",".join("%d-%d" % pair for pair in pairs)


def test_at_most_fifty_satisfiable_ranges():
    fifty = [(i * 10, i * 10 + 4) for i in range(50)]
    assert len(ranges.ranges_for_length(_header(fifty), 10240)) == 50
    with pytest.raises(ranges.Unsatisfiable):
        ranges.ranges_for_length(_header(fifty + [(600, 604)]), 10240)
    # unsatisfiable ranges do not count
    assert len(ranges.ranges_for_length(_header(fifty + [(20000, 20001)]), 10240)) == 50


def test_a_hundred_copies_of_the_whole_object_are_refused():
    with pytest.raises(ranges.Unsatisfiable):
        ranges.ranges_for_length("bytes=" + ",".join(["0-"] * 100), 10240)


@pytest.mark.parametrize("pairs,refused", [
    ([(0, 10), (5, 15), (8, 20)], True),  # three overlapping pairs
    ([(0, 10), (5, 15), (100, 110)], False),
    ([(0, 10), (5, 15), (12, 20)], False),  # exactly two
    ([(0, 10), (10, 20), (20, 30)], False),  # touching shares a byte: two
    ([(0, 10), (10, 20), (20, 30), (30, 40)], True),
    ([(0, 10)] * 10, False),  # identical spans are not counted
])
def test_more_than_two_overlapping_pairs_are_refused(pairs, refused):
    if refused:
        with pytest.raises(ranges.Unsatisfiable):
            ranges.ranges_for_length(_header(pairs), 10240)
    else:
        assert len(ranges.ranges_for_length(_header(pairs), 10240)) == len(pairs)


def test_eight_or_more_ranges_must_be_in_ascending_order():
    seven_down = [(i * 10, i * 10 + 4) for i in reversed(range(7))]
    assert len(ranges.ranges_for_length(_header(seven_down), 10240)) == 7
    eight_down = [(i * 10, i * 10 + 4) for i in reversed(range(8))]
    with pytest.raises(ranges.Unsatisfiable):
        ranges.ranges_for_length(_header(eight_down), 10240)
    eight_up = list(reversed(eight_down))
    assert len(ranges.ranges_for_length(_header(eight_up), 10240)) == 8
    # the same start with a smaller end is out of order too
    with pytest.raises(ranges.Unsatisfiable):
        ranges.ranges_for_length(_header([(0, 100), (0, 50)] + [(200 + i * 10, 204 + i * 10)
                                                                for i in range(6)]), 10240)


def test_single_span_is_for_servers_that_serve_one_span():
    assert ranges.single_span("bytes=1-2", 10) == (1, 2)
    assert ranges.single_span("bytes=-3", 10) == (7, 9)
    assert ranges.single_span("bytes=1-2,4-5", 10) is None
    assert ranges.single_span("bytes=20-30,4-5", 10) == (4, 5)
    assert ranges.single_span("bytes=x", 10) is None
    with pytest.raises(ValueError):  # Unsatisfiable is a ValueError
        ranges.single_span("bytes=10-", 10)


def test_content_range_headers():
    assert ranges.content_range((0, 5), 10) == "bytes 0-4/10"
    assert ranges.unsatisfiable_content_range(10) == "bytes */10"
    assert ranges.parse_content_range("bytes 0-4/10") == (0, 4, 10)
    assert ranges.parse_content_range(" bytes 3-4/* ") == (3, 4, None)
    assert ranges.parse_content_range("bytes */10") is None
    assert ranges.parse_content_range(None) is None


def test_boundaries_look_like_swifts():
    boundary = ranges.new_boundary()
    assert re.fullmatch(r"[0-9a-f]{32}", boundary), boundary
    assert ranges.multipart_content_type("b") == "multipart/byteranges;boundary=b"


def test_multipart_body_is_byte_for_byte_what_swift_sends():
    body = b"".join(ranges.multipart_body(lambda a, b: [b"abcde"[a:b]], [(1, 3), (3, 5)], 5,
                                          "text/plain", "B"))
    assert body == (b"--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 1-2/5\r\n\r\nbc"
                    b"\r\n--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 3-4/5\r\n\r\nde"
                    b"\r\n--B--")


def test_multipart_body_parses_as_byteranges_and_has_the_announced_length():
    data = bytes(range(100))
    spans = [(0, 10), (50, 60), (95, 100)]
    body = b"".join(ranges.multipart_body(lambda a, b: [data[a:b]], spans, 100,
                                          "text/plain", "BOUND"))
    assert len(body) == ranges.multipart_length(spans, 100, "text/plain", "BOUND")
    msg = email.parser.BytesParser().parsebytes(
        b"Content-Type: multipart/byteranges; boundary=BOUND\r\n\r\n" + body)
    parts = msg.get_payload()
    assert [p["Content-Range"] for p in parts] == [
        "bytes 0-9/100", "bytes 50-59/100", "bytes 95-99/100"]
    assert [p.get_payload(decode=True) for p in parts] == [data[0:10], data[50:60], data[95:100]]


_pair = st.tuples(st.integers(0, 1200), st.integers(0, 1200))


@given(st.integers(0, 1000), st.lists(_pair, min_size=1, max_size=60))
def test_every_selected_span_lies_inside_the_object_and_is_bounded(length, pairs):
    header = "bytes=" + ",".join("%d-%d" % (min(a, b), max(a, b)) for a, b in pairs)
    try:
        spans = ranges.ranges_for_length(header, length)
    except ranges.Unsatisfiable:
        return
    assert spans
    assert len(spans) <= ranges.MAX_RANGES
    for start, stop in spans:
        assert 0 <= start < stop <= length
    overlapping = sum(1 for i, a in enumerate(spans) for b in spans[i + 1:]
                      if a != b and max(a[0], b[0]) < min(a[1], b[1]))
    assert overlapping <= ranges.MAX_OVERLAPS


@given(st.integers(1, 1000), st.lists(_pair, min_size=1, max_size=8))
def test_spans_are_exactly_the_requested_bytes_clipped(length, pairs):
    pairs = [(min(a, b), max(a, b)) for a, b in pairs]
    try:
        spans = ranges.ranges_for_length(_header(pairs), length)
    except ranges.Unsatisfiable:
        assert all(a >= length for a, _b in pairs) or len(pairs) >= 3
        return
    assert spans == [(a, min(b + 1, length)) for a, b in pairs if a < length]


@given(st.text(max_size=40))
def test_any_header_text_is_ignored_served_or_refused_never_an_error(text):
    try:
        spans = ranges.ranges_for_length(text, 100)
    except ranges.Unsatisfiable:
        return
    assert spans is None or all(0 <= a < b <= 100 for a, b in spans)


@given(st.integers(0, 300), st.integers(0, 300), st.integers(1, 300))
def test_whitespace_anywhere_does_not_change_the_answer(first, last, length):
    first, last = min(first, last), max(first, last)
    plain = "bytes=%d-%d" % (first, last)
    spaced = " bytes = %d - %d " % (first, last)
    try:
        expected = ranges.ranges_for_length(plain, length)
    except ranges.Unsatisfiable:
        with pytest.raises(ranges.Unsatisfiable):
            ranges.ranges_for_length(spaced, length)
        return
    assert ranges.ranges_for_length(spaced, length) == expected
