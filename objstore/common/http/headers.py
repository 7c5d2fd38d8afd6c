"""Which response headers may go on the wire: no CR, LF or other control byte.

A header value that holds ``\\r\\n`` ends the header early, and whatever
follows becomes a header (or a whole response) of the attacker's choosing:
response splitting. Values reach responses from many places (S3's
``response-*`` query parameters, stored metadata, redirects, listings
rendered into headers), so instead of trusting each of them, the outermost
middleware (``catch_errors``) checks every header of every response here
and answers an error rather than emitting one that fails.

Allowed: a name that is an RFC 9110 token, and a value of visible
characters, spaces and horizontal tabs (``field-value``; obs-text bytes
0x80-0xFF, which WSGI carries as Latin-1 characters, are allowed too
since stored UTF-8 metadata travels that way). Refused: CR, LF, NUL, the
other C0 controls and DEL, and anything outside Latin-1, which could not
be written as one byte per character.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Tuple

_TOKEN = re.compile(r"\A[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]|[^\x00-\xff]")


class UnsafeHeader(ValueError):
    """A header that must not be emitted; the message names it and why."""


def header_problem(name: str, value: str) -> Optional[str]:
    """Why ``name: value`` cannot be sent, or ``None`` when it is safe."""
    if not isinstance(name, str) or not _TOKEN.match(name):
        return "the header name %r is not an HTTP token" % (name,)
    if not isinstance(value, str):
        return "the value of %s is not a string" % name
    bad = _BAD_VALUE.search(value)
    if bad is not None:
        return "the value of %s holds the character %r at offset %d" % (
            name, bad.group(), bad.start())
    return None


def check_headers(headers: Iterable[Tuple[str, str]]) -> None:
    """Raise ``UnsafeHeader`` for the first header that cannot be sent."""
    for name, value in headers:
        problem = header_problem(name, value)
        if problem is not None:
            raise UnsafeHeader(problem)


def is_safe_value(value: str) -> bool:
    """Whether ``value`` may be a header value (for checks at the source)."""
    return _BAD_VALUE.search(value) is None
