"""Checks and rewrites of object request headers, as pure functions.

``X-Copy-From`` / ``Destination`` parsing and ``X-Delete-At`` /
``X-Delete-After`` validation: each returns the clean value or raises
``HeaderError`` with the status and a message telling the client the fix.
"""

from __future__ import annotations

import mimetypes
import time
from typing import Dict, Mapping, Optional, Tuple

from objstore.common import constraints
from objstore.common.http import errors
from objstore.common.http.wsgi_str import InvalidName, unquote_to_str

DEFAULT_CONTENT_TYPE = "application/octet-stream"
# Expiring objects are queued in containers of this many seconds each.
EXPIRING_OBJECTS_ACCOUNT = ".expiring_objects"
EXPIRING_OBJECTS_DIVISOR = 86400
#: The latest X-Delete-At Swift stores (ten digits); later ones are clamped.
MAX_DELETE_AT = 9999999999


class HeaderError(ValueError):
    """A request header is malformed; ``status`` is what to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _header_text(value: str, header: str) -> str:
    """A copy header's value as text: percent-quoted or raw UTF-8 (both
    are sent by clients), as WSGI hands it over."""
    try:
        return unquote_to_str(value.strip())
    except InvalidName:
        raise HeaderError(412, "%s header must be valid UTF-8" % header) from None


def split_container_object(value: str, header: str) -> Tuple[str, str]:
    """``[/]container/object`` (URL-quoted or raw UTF-8) from a copy header."""
    text = _header_text(value, header) if value else ""
    if text.startswith("/"):
        text = text[1:]
    container, _sep, obj = text.partition("/")
    if not container or not obj:
        raise HeaderError(412, "%s header must be of the form <container name>/<object "
                               "name>" % header)
    return container, obj


def copy_source(headers: Mapping[str, str], account: str) -> Optional[Tuple[str, str, str]]:
    """``(account, container, object)`` named by ``X-Copy-From[-Account]``."""
    value = headers.get("X-Copy-From")
    if value is None:
        return None
    container, obj = split_container_object(value, "X-Copy-From")
    src_account = headers.get("X-Copy-From-Account") or account
    src_account = _header_text(src_account, "X-Copy-From-Account")
    if not src_account or "/" in src_account:
        raise HeaderError(412, "X-Copy-From-Account must be an account name")
    return src_account, container, obj


def copy_destination(headers: Mapping[str, str], account: str) -> Tuple[str, str, str]:
    """``(account, container, object)`` named by ``Destination[-Account]``."""
    value = headers.get("Destination")
    if not value:
        raise HeaderError(412, "COPY needs a Destination header: <container>/<object>")
    container, obj = split_container_object(value, "Destination")
    dest_account = headers.get("Destination-Account") or account
    dest_account = _header_text(dest_account, "Destination-Account")
    if not dest_account or "/" in dest_account:
        raise HeaderError(412, "Destination-Account must be an account name")
    return dest_account, container, obj


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


def content_type_for(headers: Mapping[str, str], obj_name: str) -> str:
    """The Content-Type to store: the client's, or guessed from the name
    (also when ``X-Detect-Content-Type: true``)."""
    given = headers.get("Content-Type")
    detect = str(headers.get("X-Detect-Content-Type", "")).lower() in ("true", "1", "yes")
    if given and not detect:
        return given
    guessed = mimetypes.guess_type(obj_name)[0]
    return guessed or given or DEFAULT_CONTENT_TYPE


def check_put_headers(headers: Mapping[str, str], obj_name: str) -> None:
    """Everything about an object PUT that can be judged before any I/O."""
    te = headers.get("Transfer-Encoding", "")
    if te and te.lower() != "chunked":
        raise HeaderError(400, errors.INVALID_TRANSFER_ENCODING)
    message = constraints.check_object_creation(headers, obj_name)
    if message:
        if message.startswith("Your request is too large"):
            raise HeaderError(413, message)
        if message.startswith("Missing Content-Length"):
            raise HeaderError(411, errors.MISSING_LENGTH)
        raise HeaderError(400, message)
    inm = headers.get("If-None-Match")
    if inm is not None and inm.strip() != "*":
        raise HeaderError(400, "If-None-Match only supports *")
    etag = headers.get("ETag")
    if etag is not None and etag.strip('"').strip() and len(etag.strip('"').strip()) != 32:
        raise HeaderError(422, "Unprocessable Entity: ETag %r is not an MD5 hex digest"
                          % etag)


def metadata_from_source(source: Mapping[str, str], fresh: bool) -> Dict[str, str]:
    """What a copy carries over from its source object's headers."""
    carried: Dict[str, str] = {}
    for key, value in source.items():
        lower = key.lower()
        if lower.startswith("x-object-sysmeta-"):
            carried[key] = value
        elif not fresh and (lower.startswith("x-object-meta-") or lower in (
                "content-encoding", "content-disposition", "content-language",
                "cache-control", "expires", "x-robots-tag")):
            carried[key] = value
        elif lower == "content-type":
            carried[key] = value
    return carried
