import email.parser

import pytest
from hypothesis import given, strategies as st

from objstore.obj import ranges


@pytest.mark.parametrize("header,spans", [
    ("bytes=0-4", [(0, 5)]),
    ("bytes=5-", [(5, 10)]),
    ("bytes=-3", [(7, 10)]),
    ("bytes=-30", [(0, 10)]),
    ("bytes=8-100", [(8, 10)]),
    ("bytes=0-0,-1", [(0, 1), (9, 10)]),
    ("BYTES = 1-2 , 4-5", [(1, 3), (4, 6)]),
    ("bytes=20-30,2-3", [(2, 4)]),  # the unsatisfiable one is dropped
])
def test_satisfiable_ranges_select_the_right_bytes(header, spans):
    assert ranges.parse_range(header, 10) == spans


@pytest.mark.parametrize("header", [
    None, "", "bytes", "items=0-1", "bytes=5-2", "bytes=a-b", "bytes=-", "bytes=1-2-3",
    "bytes=" + ",".join(["0-0"] * (ranges.MAX_RANGES + 1)),
])
def test_bad_or_foreign_range_headers_are_ignored(header):
    assert ranges.parse_range(header, 10) is None


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=10-20", "bytes=-0", "bytes=11-,20-30"])
def test_ranges_entirely_past_the_end_are_unsatisfiable(header):
    with pytest.raises(ranges.Unsatisfiable):
        ranges.parse_range(header, 10)


def test_an_empty_object_ignores_ranges():
    assert ranges.parse_range("bytes=0-0", 0) is None


def test_content_range_headers():
    assert ranges.content_range((0, 5), 10) == "bytes 0-4/10"
    assert ranges.unsatisfiable_content_range(10) == "bytes */10"


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
    assert all(p["Content-Type"] == "text/plain" for p in parts)


@given(st.integers(1, 1000), st.lists(st.tuples(st.integers(0, 1200), st.integers(0, 1200)),
                                      min_size=1, max_size=5))
def test_every_selected_span_lies_inside_the_object(length, pairs):
    header = "bytes=" + ",".join("%d-%d" % (min(a, b), max(a, b)) for a, b in pairs)
    try:
        spans = ranges.parse_range(header, length)
    except ranges.Unsatisfiable:
        assert all(min(a, b) >= length for a, b in pairs)
        return
    assert spans
    for start, stop in spans:
        assert 0 <= start < stop <= length
