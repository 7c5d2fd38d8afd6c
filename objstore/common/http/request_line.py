"""The request line, read as Swift 2.38.3's server reads it: raw UTF-8
quoted, words split on single spaces, the version word judged, an
absolute-form target reduced to its path. Shared by the lean path and
eventlet's (objstore/common/http_server.py)."""

from __future__ import annotations

import re
from typing import Optional, Tuple


def origin_form(target: str) -> str:
    """The path (and query) of a request target in absolute form
    (``GET http://host/v1/a/c/o``, as proxies send it; RFC 7230 5.3.2
    says servers must accept it); any other target unchanged."""
    lower = target[:8].lower()
    if not (lower.startswith("http://") or lower.startswith("https://")):
        return target
    rest = target.split("://", 1)[1]
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"


def quote_high_bytes(request_line: bytes) -> bytes:
    """The request line with every byte above 0x7F percent-quoted.

    Some clients send names as raw UTF-8 instead of quoting them. The
    stdlib parser decodes the line as latin-1 and splits it on *any*
    whitespace, and bytes such as 0x85 and 0xA0 (inside ``à`` or ``…``)
    are whitespace in latin-1, so the line falls apart into a 400 "Bad
    request syntax". Quoting those bytes first keeps the line in three
    words; ``PATH_INFO`` is unquoted afterwards, so the app sees the same
    bytes either way.
    """
    if request_line.isascii():
        return request_line
    return b"".join(b"%%%02X" % b if b > 0x7F else bytes((b,)) for b in request_line)


#: the whitespace besides SP that the stdlib's request-line parser splits
#: on (``str.split()``; bytes above 0x7F are quoted by then)
_OTHER_BLANKS = re.compile(rb"[\t\x0b\x0c\r\x1c-\x1f]")


def split_on_spaces(raw: bytes) -> Tuple[bytes, Optional[Tuple[int, str]]]:
    """A request line (high bytes quoted) as the stdlib must read it to
    find the words HTTP's grammar (and Swift 2.38.3's parser) finds: they
    are separated by single SP only, the stdlib splits on runs of any
    whitespace. The line with other whitespace percent-quoted, when the SP
    words are two or three; else the refusal ``(status, message)`` a
    parser splitting on SP gives (``GET  /a HTTP/1.1`` is 400, not
    ``/a``): the version judged first when there are more than three."""
    text = raw.decode("latin-1").rstrip("\r\n")
    words = text.split(" ")
    if words == text.split():
        return raw, None
    if len(words) == 2 and words[0] != "GET":
        return raw, (400, "Bad HTTP/0.9 request type (%r)" % words[0])
    if 2 <= len(words) <= 3:
        # method and path: other whitespace quoted
        cut = len(text) - len(words[-1]) if len(words) == 3 else len(text)
        quoted = _OTHER_BLANKS.sub(lambda found: b"%%%02X" % found.group()[0], raw[:cut])
        if len(words) == 2 or words[-1].split() == [words[-1]]:
            return quoted + raw[cut:], None
        # a version with whitespace in it: judged as Swift does, and
        # given to the stdlib as the version it then acts as
        number, refusal = _version_number(words[-1])
        if refusal is not None:
            return raw, refusal
        return quoted + (b"HTTP/1.1\r\n" if number >= (1, 1) else b"HTTP/1.0\r\n"), None
    if len(words) > 3:
        refusal = _version_number(words[-1])[1]
        if refusal is not None:
            return raw, refusal
    return raw, (400, "Bad request syntax (%r)" % text)


def _version_number(version: str) -> Tuple[Tuple[int, int], Optional[Tuple[int, str]]]:
    """The number of a request line's last word, or the refusal Swift
    2.38.3 gives it: ``HTTP/`` then two numbers as ``int()`` reads them
    (blanks around each are taken: ``HTTP/1\\x0c.1`` is 1.1), below 2.0."""
    try:
        if not version.startswith("HTTP/"):
            raise ValueError(version)
        major, minor = version[5:].split(".")
        number = int(major), int(minor)
    except ValueError:
        return (0, 0), (400, "Bad request version (%r)" % version)
    if number >= (2, 0):
        return number, (505, "Invalid HTTP version (%s)" % version[5:])
    return number, None
