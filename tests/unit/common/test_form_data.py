"""The streaming multipart/form-data reader."""
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from objstore.common.form_data import FormDataError, FormDataReader, boundary_of


def body(parts, boundary="XyZ", preamble=b""):
    out = preamble
    for headers, data in parts:
        out += b"--" + boundary.encode() + b"\r\n" + headers + b"\r\n\r\n" + data + b"\r\n"
    return out + b"--" + boundary.encode() + b"--\r\n"


def field(name, value):
    return (b'Content-Disposition: form-data; name="%s"' % name.encode(), value)


def upload(name, filename, data, ctype=b"text/plain"):
    return (b'Content-Disposition: form-data; name="%s"; filename="%s"\r\nContent-Type: %s'
            % (name.encode(), filename.encode(), ctype), data)


class Counting(io.BytesIO):
    """Remembers the largest read asked for (memory stays bounded)."""

    def __init__(self, data):
        super().__init__(data)
        self.largest = 0

    def read(self, size=-1):
        assert size is not None and size > 0, "the reader must never read everything"
        self.largest = max(self.largest, size)
        return super().read(size)


def collect(data, boundary="XyZ", chunk=7):
    out = []
    for part in FormDataReader(Counting(data), boundary, chunk_size=chunk).parts():
        got = b""
        while True:
            piece = part.read(5)
            if not piece:
                break
            got += piece
        out.append((part.name, part.filename, part.content_type, got))
    return out


def test_boundary_is_found_only_for_form_data():
    assert boundary_of("multipart/form-data; boundary=abc") == "abc"
    assert boundary_of('Multipart/Form-Data; charset=x; boundary="a b"') == "a b"
    assert boundary_of("multipart/form-data") is None
    assert boundary_of("application/x-www-form-urlencoded") is None


def test_fields_and_files_come_out_in_order_with_their_bytes():
    data = body([field("redirect", b""), field("expires", b"123"),
                 upload("f1", "a.txt", b"hello\r\n--Xy\r\n-world"),
                 upload("f2", "", b"", b"application/octet-stream")],
                preamble=b"ignored preamble\r\n")
    assert collect(data) == [
        ("redirect", None, "", b""), ("expires", None, "", b"123"),
        ("f1", "a.txt", "text/plain", b"hello\r\n--Xy\r\n-world"),
        ("f2", "", "application/octet-stream", b"")]


def test_unread_parts_are_skipped():
    data = body([upload("f1", "a", b"x" * 1000), field("b", b"2")])
    names = [p.name for p in FormDataReader(io.BytesIO(data), "XyZ", 16).parts()]
    assert names == ["f1", "b"]


def test_read_all_cuts_long_fields_and_reaches_the_next_part():
    data = body([field("a", b"y" * 100), field("b", b"2")])
    parts = FormDataReader(io.BytesIO(data), "XyZ", 16).parts()
    assert next(parts).read_all(10) == b"y" * 10
    assert next(parts).read_all(10) == b"2"


@pytest.mark.parametrize("data", [
    b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
    b"no boundary at all",
    b"--XyZ\r\n" + b"H" * 10000,
])
def test_truncated_or_garbage_bodies_raise(data):
    with pytest.raises(FormDataError):
        collect(data)


@settings(max_examples=60, deadline=None)
@given(payload=st.binary(max_size=300), chunk=st.integers(min_value=1, max_value=40))
def test_any_file_bytes_round_trip_whatever_the_chunk_size(payload, chunk):
    data = body([upload("f", "x.bin", payload)])
    stream = Counting(data)
    parts = list(FormDataReader(stream, "XyZ", chunk_size=chunk).parts())
    assert len(parts) == 1
    reader = FormDataReader(Counting(data), "XyZ", chunk_size=chunk)
    got = [p.read_all(10 ** 6) for p in reader.parts()]
    assert got == [payload]
    assert stream.largest <= max(chunk, len(b"\r\n--XyZ") + 4)


def test_a_form_that_must_start_with_its_boundary_refuses_anything_else_first():
    from objstore.common.form_data import FormDataStartError
    good = body([field("a", b"1")])

    def names(data, **kw):
        return [p.name for p in FormDataReader(io.BytesIO(data), "XyZ", **kw).parts()]
    assert names(b"preamble\r\n" + good) == ["a"]  # RFC 2046 allows it
    assert names(b"\r\n\r\n" + good, require_start=True) == ["a"]
    for bad in (b"preamble\r\n" + good, b"", b"--XyZ--\r\n", good.replace(b"XyZ", b"Other")):
        with pytest.raises(FormDataStartError):
            names(bad, require_start=True)
    with pytest.raises(FormDataError) as err:
        names(good[:-len(b"--XyZ--\r\n")], require_start=True)
    assert not isinstance(err.value, FormDataStartError)
