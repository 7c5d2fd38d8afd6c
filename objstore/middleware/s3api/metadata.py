"""User metadata (``x-amz-meta-*``) the way S3 handles it: non-ASCII values
(RFC 2047) and the 2 KB limit.

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
from typing import Dict

from objstore.common.constraints import LIMITS
from objstore.common.http.wsgi_str import str_to_wsgi, wsgi_to_bytes
from objstore.middleware.s3api.errors import S3Error

_ENCODED_WORD = re.compile(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=")


#: what a user metadata name may hold: an HTTP token's characters, and ``(``,
#: which S3 (and Swift's s3api) keep although it is a separator; a name with
#: any other separator (``"``, ``/``, ``<``, ``@`` ...) is silently ignored
_KEPT_NAME = re.compile(r"\A[!#$%&'(*+\-.^_`|~0-9A-Za-z]+\Z")
#: a ``_`` of a user metadata name as stored: the Swift API's, and every
#: WSGI server's, header names cannot tell ``_`` from ``-`` (eventlet drops
#: a request header whose name holds ``_``), and ``=`` never is in a kept
#: name, so ``=5F`` (quoted-printable) reads back unambiguously (Swift's
#: s3api stores it the same way)
_UNDERSCORE = "=5F"


def kept_name(name: str) -> bool:
    """Whether an ``x-amz-meta-*`` header is stored: S3 silently ignores
    user metadata whose name holds a separator other than ``(`` (``"``,
    ``/``, ``<``, ``@`` ...); the write itself succeeds."""
    return bool(_KEPT_NAME.match(name))


def swift_name(suffix: str) -> str:
    """The Swift header that stores ``x-amz-meta-<suffix>``."""
    return "X-Object-Meta-" + suffix.replace("_", _UNDERSCORE)


def s3_name(suffix: str) -> str:
    """The ``x-amz-meta-*`` name of the Swift ``X-Object-Meta-<suffix>``."""
    return "x-amz-meta-" + re.sub(_UNDERSCORE, "_", suffix, flags=re.IGNORECASE)


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
    """What to send for a stored value (WSGI text): ASCII as is, UTF-8 text
    as one RFC 2047 ``B`` encoded word of it.

    A value that is not UTF-8 (only the Swift API can store one) names no
    text to encode: its bytes go out as stored, as Swift's s3api sends them.
    """
    if stored.isascii():
        return stored
    try:
        raw = wsgi_to_bytes(stored)
    except UnicodeEncodeError:  # already text, not WSGI's bytes
        raw = stored.encode("utf-8")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return stored
    return "=?UTF-8?B?%s?=" % base64.b64encode(raw).decode("ascii")


# S3's limit on user-defined metadata: the UTF-8 bytes of every key (the
# part after ``x-amz-meta-``) and value, summed.
MAX_USER_METADATA = 2048
_PREFIX = "x-amz-meta-"


def check_size(headers: Dict[str, str]) -> None:
    """``MetadataTooLarge`` when a write's ``x-amz-meta-*`` headers hold more
    than S3's 2 KB: keys and values as stored, i.e. in UTF-8 after RFC 2047
    decoding (WSGI text has one character per byte)."""
    size = count = 0
    for name, value in headers.items():
        if name.startswith(_PREFIX):
            size += len(name) - len(_PREFIX) + len(stored_value(value))
            count += 1
            _check_swift_limits(name[len(_PREFIX):], stored_value(value), count)
    if size > MAX_USER_METADATA:
        raise S3Error("MetadataTooLarge", "Your metadata headers exceed the maximum allowed "
                      "metadata size: the x-amz-meta-* keys and values hold %d bytes, at "
                      "most %d are allowed." % (size, MAX_USER_METADATA),
                      Size=str(size), MaxSizeAllowed=str(MAX_USER_METADATA))


def _check_swift_limits(name: str, value: str, count: int) -> None:
    """The cluster's per-item metadata limits (``/info``: 128-byte names,
    256-byte values, 90 items by default), which S3 does not have, answered
    as S3's metadata error before anything is sent (the proxy would refuse
    the PUT)."""
    name_max = LIMITS["max_meta_name_length"]
    value_max = LIMITS["max_meta_value_length"]
    if len(name) > name_max or len(value) > value_max or count > LIMITS["max_meta_count"]:
        raise S3Error("MetadataTooLarge", "x-amz-meta-%s: this store keeps metadata names "
                      "to %d bytes, values to %d bytes and at most %d items (its Swift "
                      "constraints, see /info)." % (name, name_max, value_max,
                                                    LIMITS["max_meta_count"]))
