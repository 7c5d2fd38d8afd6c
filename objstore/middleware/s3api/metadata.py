"""Non-ASCII ``x-amz-meta-*`` values, the way S3 handles them (RFC 2047).

HTTP headers are bytes; S3 documents that a metadata value holding
non-US-ASCII characters is decoded per RFC 2047 before it is stored and
encoded per RFC 2047 (``=?UTF-8?B?...?=``) when it is returned, while an
ASCII value is returned as is. Clients that send raw UTF-8 (boto3 without
its ASCII guard, Go and Java SDKs) thus get a mail-safe value back, and a
value a client copies from one response into the next request round-trips.

Values travel through WSGI as Latin-1 text, one character per byte; the
stored form is the UTF-8 bytes of the text (what the Swift API shows).
"""

from __future__ import annotations

import base64
import email.errors
import email.header
import re

from objstore.common.http.wsgi_str import str_to_wsgi, wsgi_to_bytes

_ENCODED_WORD = re.compile(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=")


def stored_value(wire_value: str) -> str:
    """What to store for a value received on the wire (WSGI text):
    RFC 2047 encoded words are decoded to UTF-8, anything else is kept."""
    if not _ENCODED_WORD.search(wire_value):
        return wire_value
    try:
        parts = email.header.decode_header(wire_value)
        text = "".join(part.decode(charset or "ascii") if isinstance(part, bytes) else part
                       for part, charset in parts)
    except (email.errors.HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
        return wire_value
    return str_to_wsgi(text)


def response_value(stored: str) -> str:
    """What to send for a stored value (WSGI text): ASCII as is, anything
    else as one RFC 2047 ``B`` encoded word of its UTF-8 text."""
    if stored.isascii():
        return stored
    try:
        raw = wsgi_to_bytes(stored)
        raw.decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raw = stored.encode("utf-8", "replace")  # never UTF-8: keep it readable
    return "=?UTF-8?B?%s?=" % base64.b64encode(raw).decode("ascii")
