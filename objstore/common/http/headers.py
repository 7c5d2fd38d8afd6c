"""Which response headers may go on the wire: no CR, LF or NUL in any of them.

A header value that holds ``\\r\\n`` ends the header early, and whatever
follows becomes a header (or a whole response) of the attacker's choosing:
response splitting. Values reach responses from many places (S3's
``response-*`` query parameters, stored metadata, redirects, listings
rendered into headers), so instead of trusting each of them, the outermost
middleware (``catch_errors``) checks every header of every response here
and answers an error rather than emitting one that fails.

Refused: a name that no request could have carried (empty, or holding a
blank, ``:``, a control character or one outside Latin-1: what ends or
splits a header line, or cannot be one byte), and a value holding CR,
LF or NUL (what ends or truncates a header line) or a character outside
Latin-1 (which WSGI cannot put on the wire as one byte). Other control
characters (``\x01``-``\x1f`` but tab, DEL) cannot split a response, and
Swift stores and returns them in metadata as sent; refusing them here would
make such objects unreadable, so they pass. Sources that build headers from
request parameters (S3's ``response-*``) refuse every control character
themselves (``is_safe_value``).

A name need not be an RFC 9110 token: metadata names are stored as the
request's header lines gave them, and those may hold separators a token
may not (``X-Object-Meta-(``, s3api's ``=5F`` for ``_``); Swift returns
them as stored, and refusing them here would make such objects unreadable.
Nor need it be ASCII: a metadata name may be UTF-8 (``X-Object-Meta-👍``,
its bytes as latin-1 in WSGI), stored and returned byte for byte as Swift
does.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Tuple

_TOKEN = re.compile(r"\A[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
#: the characters a header name may have in a request's header line: visible
#: ASCII but ``:``, and any byte above 0x7F (a UTF-8 metadata name)
_NAME = re.compile(r"\A[\x21-\x39\x3b-\x7e\x80-\xff]+\Z")
_SPLITTING = re.compile(r"[\r\n\x00]|[^\x00-\xff]")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]|[^\x00-\xff]")


class UnsafeHeader(ValueError):
    """A header that must not be emitted; the message names it and why."""


def is_token(name: str) -> bool:
    """Whether ``name`` is an RFC 9110 token, i.e. may be a header name."""
    return bool(_TOKEN.match(name))


def header_problem(name: str, value: str) -> Optional[str]:
    """Why ``name: value`` cannot be sent, or ``None`` when it is safe."""
    if not isinstance(name, str) or not _NAME.match(name):
        return "the header name %r is not visible ASCII or Latin-1 without ':'" % (name,)
    if not isinstance(value, str):
        return "the value of %s is not a string" % name
    bad = _SPLITTING.search(value)
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
    """Whether ``value`` holds no control character at all (tab aside): the
    stricter check for values taken from a request into a response."""
    return _CONTROL.search(value) is None
