"""common/http/message: the header block read without ``email`` gives the
stdlib's message for every block, plain or hostile, with the header lines
``email`` would have dropped after a line it cannot read (as Swift reads
them)."""

from __future__ import annotations

import email.parser
import http.client
import io
import random

import pytest

from objstore.common.http import message


def _stdlib(block: bytes) -> http.client.HTTPMessage:
    """What ``http.client.parse_headers`` gives, whether or not it was
    replaced in this process."""
    lines = message.read_header_lines(io.BytesIO(block))
    text = b"".join(lines).decode("iso-8859-1")
    return email.parser.Parser(_class=http.client.HTTPMessage).parsestr(text)


def _same(block: bytes) -> None:
    """The stdlib's message, and where ``email`` took the block's tail for a
    body, the header lines at its head added back (see the tests below)."""
    ours = message.parse_headers(io.BytesIO(block))
    theirs = _stdlib(block)
    tail = theirs.get_payload()
    if tail:
        for line in tail.rstrip("\r\n").split("\n"):
            if ":" not in line or line[:1] in " \t":
                break
            name, value = line.split(":", 1)
            theirs[name] = value.strip(" \t\r\n")
    assert type(ours) is type(theirs)
    assert ours.items() == theirs.items()
    assert ours.get_payload() == ""
    for name, _value in theirs.items():
        assert ours.get(name.lower()) == theirs.get(name.lower())
        assert ours.get_all(name.upper()) == theirs.get_all(name.upper())


PLAIN = (b"Content-Length: 4096\r\nEtag: abc\r\nX-Object-Meta-Color:  blue \r\n"
         b"X-Empty:\r\nX-Tab:\t tabbed\r\nx-lower: v\r\nX-Empty: again\r\n\r\nBODY")


@pytest.mark.parametrize("block", [
    PLAIN,
    b"\r\n",
    b"",
    b"A: b\n\n",                                     # bare LF line ends
    b"A: b\r\nB: c",                                 # cut off, no empty line
    b"A: b\r\nC: d\rE: f\r\n\r\n",                   # a bare CR splits the line for email
    b"A: b\r\nC: d\r\r\n\r\n",
    b"A: b\r\n folded\r\n\tagain\r\nB: c\r\n\r\n",   # obsolete folding
    b" leading: fold\r\nA: b\r\n\r\n",
    b"A: b\r\nnot a header\r\nB: c\r\n\r\n",         # the rest becomes the body
    b"A: b\r\nBad Name: x\r\nB: c\r\n\r\n",
    b"A: b\r\n: no name\r\nB: c\r\n\r\n",
    b"From someone\r\nA: b\r\n\r\n",
    b"A:b:c\r\nLatin: \xe9t\xe9\r\nNul: a\x00b\r\nCtl: \x01\x7f\r\n\r\n",
    b"A: trailing   \t\r\nB:    \r\n\r\n",
    b"Header\x7f: x\r\n\r\n",
])
def test_the_same_message_as_the_stdlib(block: bytes) -> None:
    _same(block)


def test_random_blocks_give_the_stdlib_message() -> None:
    rnd = random.Random(16)
    pieces = [b"A", b"b-c", b":", b" ", b"\t", b"\r", b"\n", b"\r\n", b"x", b"\xff",
              b"From ", b"\x00", b";", b"v"]
    for _ in range(3000):
        block = b"".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 24))) + b"\r\n\r\n"
        _same(block)


def test_the_limits_of_http_client_hold() -> None:
    with pytest.raises(http.client.LineTooLong):
        message.parse_headers(io.BytesIO(b"A: " + b"x" * 70000 + b"\r\n\r\n"))
    many = b"".join(b"H%d: v\r\n" % i for i in range(http.client._MAXHEADERS + 1))
    with pytest.raises(http.client.HTTPException):
        message.parse_headers(io.BytesIO(many + b"\r\n"))


def test_the_body_after_the_block_is_left_to_read() -> None:
    fp = io.BytesIO(PLAIN)
    message.parse_headers(fp)
    assert fp.read() == b"BODY"


def test_installed_it_reads_answers_and_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    import http.server

    monkeypatch.setattr(http.client, "parse_headers", http.client.parse_headers)
    message.install()
    assert http.client.parse_headers is message.parse_headers

    class _Sock:
        def makefile(self, _mode: str) -> io.BytesIO:
            return io.BytesIO(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n\r\nok")

    resp = http.client.HTTPResponse(_Sock())  # type: ignore[arg-type]
    resp.begin()
    assert (resp.status, resp.getheader("x-a"), resp.read()) == (200, "b", b"ok")

    class _Handler(http.server.BaseHTTPRequestHandler):
        def __init__(self) -> None:  # no socket: parse_request only
            self.rfile = io.BytesIO(b"X-B: c\r\nContent-Length: 0\r\n\r\n")
            self.raw_requestline = b"GET /a HTTP/1.1\r\n"
            self.request_version = "HTTP/0.9"
            self.wfile = io.BytesIO()

    handler = _Handler()
    assert handler.parse_request()
    assert handler.headers["x-b"] == "c"


def test_a_plain_block_is_read_without_email() -> None:
    lines = message.read_header_lines(io.BytesIO(PLAIN))
    assert message._plain_headers(lines) == [
        ("Content-Length", "4096"), ("Etag", "abc"), ("X-Object-Meta-Color", "blue "),
        ("X-Empty", ""), ("X-Tab", "tabbed"), ("x-lower", "v"), ("X-Empty", "again")]


def test_headers_after_a_line_email_stops_at_are_kept() -> None:
    """A space before a colon ends ``email``'s headers: without them a
    request's Content-Length and Connection would be lost and its body
    read as the next request."""
    msg = message.parse_headers(io.BytesIO(
        b"Host: x\r\nX-Foo : bar\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"))
    assert msg.items() == [("Host", "x"), ("X-Foo ", "bar"), ("Content-Length", "5"),
                           ("Connection", "close")]
    assert msg.get("content-length") == "5" and msg.get_payload() == ""


def test_recovery_stops_at_a_line_without_a_colon_or_a_folded_one() -> None:
    msg = message.parse_headers(io.BytesIO(b"A: b\r\nBad Name: x\r\nnot a header\r\nC: d\r\n\r\n"))
    assert msg.items() == [("A", "b"), ("Bad Name", "x")]
    msg = message.parse_headers(io.BytesIO(b"A: b\r\nX Y: 1\r\n folded\r\nC: d\r\n\r\n"))
    assert msg.items() == [("A", "b"), ("X Y", "1")]
