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
#: on (``str.split()``; bytes above 0x7F are quoted with them)
_OTHER_BLANKS = re.compile(rb"[\t\x0b\x0c\r\x1c-\x1f]")


def split_on_spaces(raw: bytes) -> Tuple[bytes, Optional[str], Optional[Tuple[int, str]]]:
    """A request line as sent (raw UTF-8 and all), judged as Swift 2.38.3
    judges it, and made into the line the stdlib's parser must be given
    to find the same words.

    Swift reads the line as latin-1 and splits it on single SP only; the
    stdlib splits on runs of any whitespace (and latin-1 has some above
    0x7F: 0x85, 0xA0). So the words are found and the version word judged
    here, on the line as sent, and every refusal's message shows the line
    as sent (``GET /a HTTP/1.\\xff1`` is 400 ``Bad request version``
    naming the byte 0xFF itself, not a quoted ``%FF``). Returns ``(line, version,
    refusal)``: ``line`` has the method and path with bytes above 0x7F
    and other whitespace percent-quoted (``PATH_INFO`` is unquoted later,
    so the app sees the bytes sent); a version word that is not plain
    ASCII without blanks (``HTTP/1\\x0c.1``, ``HTTP/1.1\\xa0``: ``int()``
    takes blanks around each number) is replaced in ``line`` by the one it
    acts as and returned as ``version``, as sent, so that only ``HTTP/1.1``
    itself keeps a connection open. ``refusal`` is ``(status, message)``.
    """
    text = raw.decode("latin-1").rstrip("\r\n")
    words = text.split(" ")
    number = (0, 9)
    if len(words) >= 3:
        # judged first, as Swift does, however many words there are
        number, refusal = _version_number(words[-1])
        if refusal is not None:
            return raw, None, refusal
    if not 2 <= len(words) <= 3:
        return raw, None, (400, "Bad request syntax (%r)" % text)
    if len(words) == 2 and words[0] != "GET":
        return raw, None, (400, "Bad HTTP/0.9 request type (%r)" % words[0])
    if text.isascii() and words == text.split():
        return raw, None, None
    if len(words) == 2:
        return _quoted(raw.rstrip(b"\r\n")) + b"\r\n", None, None
    version = words[-1]
    cut = len(text) - len(version)
    if version.isascii() and version.split() == [version]:
        return _quoted(raw[:cut]) + raw[cut:], None, None
    acts_as = b"HTTP/1.1\r\n" if number >= (1, 1) else b"HTTP/1.0\r\n"
    return _quoted(raw[:cut]) + acts_as, version, None


def _quoted(method_and_path: bytes) -> bytes:
    """Bytes above 0x7F and whitespace other than SP percent-quoted."""
    return _OTHER_BLANKS.sub(lambda found: b"%%%02X" % found.group()[0],
                             quote_high_bytes(method_and_path))


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
