"""The one conversion between WSGI native strings and real text.

PEP 3333 hands every path, query string and header value over as a
"native string" whose code points are the request's raw bytes (each byte
one latin-1 character). Swift names are UTF-8, so ``caf\\xc3\\xa9`` on the
wire arrives as ``'caf\\xc3\\xa9'`` and must become ``'café'`` before it is
compared, listed or logged, and go back the same way before it is put in
an environ or a header. Doing either step twice (or not at all) is what
produces mojibake, so every caller uses these functions and no one writes
``.encode("latin-1")`` by hand.

Names must also be valid UTF-8 without NUL: Swift answers 412 "Invalid
UTF8 or contains NULL" otherwise, at the proxy and on every storage server
alike (:func:`decode_name`).
"""

from __future__ import annotations

from typing import Union
from urllib.parse import quote, unquote

#: Characters left as they are when a path is percent-quoted for the wire.
PATH_SAFE = "/:@!$&'()*+,;=~"
#: The blanks HTTP allows around a header value (SP, HTAB): the only ones to
#: strip from a WSGI string, since ``str.strip()`` also takes the bytes 0x85
#: and 0xA0, which end UTF-8 characters such as U+5605 (E5 98 85).
HTTP_BLANKS = " \t"


class InvalidName(ValueError):
    """A name (path, container, object) that is not UTF-8 or holds NUL."""


def wsgi_to_bytes(value: str) -> bytes:
    """The raw bytes a WSGI native string stands for."""
    return value.encode("latin-1")


def bytes_to_wsgi(raw: bytes) -> str:
    """Raw bytes as a WSGI native string."""
    return raw.decode("latin-1")


def wsgi_to_str(value: str, errors: str = "strict") -> str:
    """A WSGI native string as the UTF-8 text it encodes.

    ``errors="surrogateescape"`` keeps undecodable bytes (as lone
    surrogates) for callers that reject them later with their own status;
    the default raises ``UnicodeDecodeError``. A value that is already text
    (a code point above U+00FF, so it never came off the wire) is returned
    unchanged instead of failing: middlewares may set text headers.
    """
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        return value
    return raw.decode("utf-8", errors)


def str_to_wsgi(text: str) -> str:
    """Text as the WSGI native string of its UTF-8 bytes (the inverse of
    :func:`wsgi_to_str`; lone surrogates from ``surrogateescape`` go back to
    the bytes they came from)."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def to_wsgi(value: Union[str, bytes]) -> str:
    """A header value or path from text or bytes to a WSGI native string."""
    if isinstance(value, bytes):
        return bytes_to_wsgi(value)
    return str_to_wsgi(value)


def valid_utf8(value: object) -> bool:
    """True if ``value`` (bytes or text) is valid UTF-8 without NUL."""
    if isinstance(value, bytes):
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            return False
    elif isinstance(value, str):
        text = value
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates
            return False
    else:
        return False
    return "\x00" not in text


def decode_name(value: str, allow_reserved: bool = False) -> str:
    """A WSGI path or name as text; :class:`InvalidName` if it is not valid
    UTF-8 or contains NUL (the caller answers 412).

    ``allow_reserved``: a path segment that *starts* with NUL is a reserved
    name (``common/reserved.py``: hidden containers a middleware keeps,
    which no client can name; NUL also separates its parts), and is let
    through; NUL in any other segment is still refused."""
    try:
        text = wsgi_to_str(value)
    except UnicodeDecodeError:
        raise InvalidName("Invalid UTF8 or contains NULL") from None
    checked = text
    if allow_reserved and "\x00" in text:
        checked = "/".join(seg.replace("\x00", "") if seg.startswith("\x00") else seg
                           for seg in text.split("/"))
    if not valid_utf8(checked):
        raise InvalidName("Invalid UTF8 or contains NULL")
    return text


def quote_path(text: str, safe: str = PATH_SAFE) -> str:
    """A text path percent-quoted (as UTF-8) for a request line."""
    return quote(text.encode("utf-8", "surrogateescape"), safe=safe)


def unquote_to_str(value: str) -> str:
    """A percent-quoted value (text or WSGI) decoded to text: the form
    ``X-Copy-From`` and ``X-Object-Manifest`` may arrive in, quoted or not.
    Raises :class:`InvalidName` for invalid UTF-8 or NUL."""
    raw = unquote(wsgi_to_str(value, "surrogateescape"), encoding="utf-8",
                  errors="surrogateescape")
    if not valid_utf8(raw):
        raise InvalidName("Invalid UTF8 or contains NULL")
    return raw
