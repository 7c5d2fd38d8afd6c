"""Checks and rewrites of object request headers, as pure functions.

``X-Delete-At`` / ``X-Delete-After`` validation and the checks of a PUT:
each returns the clean value or raises
``HeaderError`` with the status and a message telling the client the fix.
"""

from __future__ import annotations

import time
from typing import Mapping, Optional

from webob import Response

from objstore.common import constraints
from objstore.common.http import errors

# one rule for the stored Content-Type, shared with middlewares that set it
content_type_for = constraints.content_type_for

# Expiring objects are queued in containers of this many seconds each.
EXPIRING_OBJECTS_ACCOUNT = ".expiring_objects"
EXPIRING_OBJECTS_DIVISOR = 86400
#: The latest X-Delete-At Swift stores (ten digits); later ones are clamped.
MAX_DELETE_AT = 9999999999


class HeaderError(ValueError):
    """A request header is malformed; ``status`` is what to answer and the
    message Swift's text for it (``text/plain``), or empty for the status's
    default page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status

    def response(self) -> Response:
        """The answer to send for this error."""
        if not str(self):
            return errors.swift_error(self.status)
        return errors.plain_error(self.status, str(self))


def delete_at(headers: Mapping[str, str], now: Optional[float] = None) -> Optional[int]:
    """The ``X-Delete-At`` to store, from ``X-Delete-At`` or
    ``X-Delete-After`` (seconds from now); ``None`` if neither is set.

    As Swift: both must be integers (no fraction, no exponent), a moment
    not after now is "in past", and a time beyond :data:`MAX_DELETE_AT`
    (ten digits) is clamped to it rather than refused.
    """
    now = time.time() if now is None else now
    after = headers.get("X-Delete-After")
    if after is not None:
        try:
            seconds = int(after)
        except ValueError:
            raise HeaderError(400, "Non-integer X-Delete-After") from None
        if seconds <= 0:
            raise HeaderError(400, "X-Delete-After in past")
        return min(int(now + seconds), MAX_DELETE_AT)
    at = headers.get("X-Delete-At")
    if at is None:
        return None
    try:
        when = int(at)
    except ValueError:
        raise HeaderError(400, "Non-integer X-Delete-At") from None
    if when <= now:
        raise HeaderError(400, "X-Delete-At in past")
    return min(when, MAX_DELETE_AT)


def expirer_container(when: int) -> str:
    """The ``.expiring_objects`` container that queues an expiry."""
    return str(when // EXPIRING_OBJECTS_DIVISOR * EXPIRING_OBJECTS_DIVISOR)


def check_put_headers(headers: Mapping[str, str], obj_name: str) -> None:
    """Everything about an object PUT that can be judged before any I/O."""
    te = headers.get("Transfer-Encoding", "")
    if "," in te:  # codings stacked on chunked (gzip, chunked): none is supported
        raise HeaderError(501, errors.UNSUPPORTED_TRANSFER_CODING)
    if te and te.strip().lower() != "chunked":
        raise HeaderError(400, errors.INVALID_TRANSFER_ENCODING)
    message = constraints.check_object_creation(headers, obj_name)
    if message:
        if message == errors.TOO_LARGE:
            raise HeaderError(413, message)
        if message.startswith("Missing Content-Length"):
            raise HeaderError(411, errors.MISSING_LENGTH)
        raise HeaderError(400, message)
    inm = headers.get("If-None-Match")
    if inm is not None and inm.strip() != "*":
        raise HeaderError(400, "If-None-Match only supports *")
    etag = headers.get("ETag")
    if etag is not None and etag.strip('"').strip() and len(etag.strip('"').strip()) != 32:
        raise HeaderError(422, "")  # Swift's page: the ETag is not an MD5 hex digest
