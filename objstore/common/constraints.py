"""The limits a user can see, in one place; ``/info`` reports them.

Defaults follow the OpenStack Swift API reference; ``[objstore-constraints]``
in ``objstore.conf`` may override any of them.
"""

from __future__ import annotations

import mimetypes
import os
from typing import Dict, Mapping, Optional, Tuple, Union

from objstore.common.config import read_conf
from objstore.common.http import errors, wsgi_str

DEFAULTS: Dict[str, int] = {
    "max_file_size": 5368709122,  # 5 GiB + 2 bytes, as Swift
    "max_meta_name_length": 128,
    "max_meta_value_length": 256,
    "max_meta_count": 90,
    "max_meta_overall_size": 4096,
    "max_header_size": 8192,
    "max_request_line": 8192,
    "max_object_name_length": 1024,
    "container_listing_limit": 10000,
    "account_listing_limit": 10000,
    "max_account_name_length": 256,
    "max_container_name_length": 256,
    "extra_header_count": 0,
}

LIMITS: Dict[str, int] = dict(DEFAULTS)
#: Headers an object keeps from its PUT (and a POST replaces) besides
#: Content-Type and metadata; a copy carries them over.
OBJECT_STORED_HEADERS = ("Content-Disposition", "Content-Encoding", "X-Delete-At",
                         "X-Object-Manifest", "X-Static-Large-Object", "Cache-Control",
                         "Content-Language", "Expires", "X-Robots-Tag")
#: Prefixes of the object metadata headers (user, system, transient system).
OBJECT_META_PREFIXES = ("x-object-meta-", "x-object-sysmeta-", "x-object-transient-sysmeta-")
VALID_API_VERSIONS = ["v1", "v1.0"]

# Module-level names for the common limits (updated by load_constraints).
MAX_FILE_SIZE = LIMITS["max_file_size"]
MAX_META_NAME_LENGTH = LIMITS["max_meta_name_length"]
MAX_META_VALUE_LENGTH = LIMITS["max_meta_value_length"]
MAX_META_COUNT = LIMITS["max_meta_count"]
MAX_META_OVERALL_SIZE = LIMITS["max_meta_overall_size"]
MAX_OBJECT_NAME_LENGTH = LIMITS["max_object_name_length"]
MAX_CONTAINER_NAME_LENGTH = LIMITS["max_container_name_length"]
MAX_ACCOUNT_NAME_LENGTH = LIMITS["max_account_name_length"]
CONTAINER_LISTING_LIMIT = LIMITS["container_listing_limit"]
ACCOUNT_LISTING_LIMIT = LIMITS["account_listing_limit"]


def load_constraints(directory: str) -> Dict[str, int]:
    """Apply ``[objstore-constraints]`` from ``<directory>/objstore.conf``."""
    path = os.path.join(directory, "objstore.conf")
    overrides = read_conf(path).get("objstore-constraints", {}) if os.path.exists(path) else {}
    for key in DEFAULTS:
        if key in overrides:
            LIMITS[key] = int(overrides[key])
    g = globals()
    for key, value in LIMITS.items():
        g[key.upper()] = value
    return dict(LIMITS)


def info() -> Dict[str, object]:
    """The ``swift`` section of ``/info``."""
    return dict(LIMITS)


def valid_utf8(value: object) -> bool:
    """True if ``value`` (text or bytes) is valid UTF-8 without NUL (names
    must be). The rule lives in ``common.http.wsgi_str``."""
    return wsgi_str.valid_utf8(value)


def _wire_bytes(value: Union[str, bytes]) -> bytes:
    """A header value's bytes: WSGI strings are bytes-as-latin-1; text a
    middleware set (code points above U+00FF) is UTF-8."""
    if isinstance(value, bytes):
        return value
    try:
        return wsgi_str.wsgi_to_bytes(value)
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")


def _meta_prefix(target: str) -> str:
    return "x-%s-meta-" % target


def check_metadata(headers: Mapping[str, str], target: str) -> Optional[str]:
    """An error message if the user metadata in ``headers`` breaks a limit.

    ``headers`` are as WSGI gives them (webob's ``req.headers``: each value
    the raw bytes as latin-1), so lengths are the byte counts on the wire.
    ``target`` is ``account``, ``container`` or ``object``. Only user
    metadata (``X-<target>-Meta-*``) counts toward the limits. A name or
    value that is not valid UTF-8 is refused on accounts and containers (their
    databases hold text); an object keeps the bytes it was sent, as Swift's do.
    """
    prefix = _meta_prefix(target)
    count = 0
    size = 0
    for key, value in headers.items():
        lower = key.lower()
        if not lower.startswith(prefix):
            continue
        name = _wire_bytes(key[len(prefix):])
        raw = _wire_bytes(value)
        if not name:
            return "Metadata name cannot be empty"
        if target != "object" and not (valid_utf8(name) and valid_utf8(raw)):
            return errors.METADATA_NOT_UTF8
        count += 1
        size += len(name) + len(raw)
        if len(name) > LIMITS["max_meta_name_length"]:
            return "Metadata name too long: %s%s" % (prefix, key[len(prefix):])
        if len(raw) > LIMITS["max_meta_value_length"]:
            return "Metadata value longer than %d: %s%s" % (
                LIMITS["max_meta_value_length"], prefix, key[len(prefix):])
        if count > LIMITS["max_meta_count"]:
            return "Too many metadata items; max %d" % LIMITS["max_meta_count"]
        if size > LIMITS["max_meta_overall_size"]:
            return "Total metadata too large; max %d" % LIMITS["max_meta_overall_size"]
    return None


#: set in a request's environ by a middleware that stores its own ``swift_*``
#: Content-Type parameters (slo's manifest PUT, copy carrying a source's
#: Content-Type, s3api's subrequests): the proxy lets those through
CONTENT_TYPE_PARAMS_ENV = "objstore.content_type_params"
INVALID_CONTENT_TYPE = "Invalid Content-Type, swift_* is not a valid parameter name."


def check_content_type_params(content_type: Optional[str]) -> Optional[str]:
    """Swift's refusal of a client's Content-Type with a parameter named
    ``swift_*`` (middlewares keep the object's real size and ETag there)."""
    for param in (content_type or "").split(";")[1:]:
        if param.strip().startswith("swift_"):
            return INVALID_CONTENT_TYPE
    return None


DEFAULT_CONTENT_TYPE = "application/octet-stream"


def content_type_for(headers: Mapping[str, str], obj_name: str) -> str:
    """The Content-Type to store: the client's, or guessed from the name
    (also when ``X-Detect-Content-Type: true``).

    A type of parameters only (``;swift_versions_id=...``: a middleware
    listing something about a write whose client named no type) is still
    to be chosen: the guess, with those parameters after it."""
    given = headers.get("Content-Type")
    base, params = split_type_params(given or "")
    detect = str(headers.get("X-Detect-Content-Type", "")).lower() in ("true", "1", "yes")
    if base and not detect:
        return given or ""
    guessed = mimetypes.guess_type(obj_name)[0]
    return (guessed or base or DEFAULT_CONTENT_TYPE) + params


def split_type_params(content_type: str) -> Tuple[str, str]:
    """``(type, ";params")`` of a Content-Type; the type is empty when only
    parameters were set (see ``content_type_for``)."""
    base, sep, params = content_type.partition(";")
    return base.strip(), sep + params


def check_object_creation(headers: Mapping[str, str], obj_name: str) -> Optional[str]:
    """An error message if an object PUT's headers or name are not allowed.

    Returns ``None`` when the request may go on. Size problems are reported
    with the same words Swift uses so clients that match on them still work.
    """
    length = headers.get("Content-Length")
    if length is not None:
        try:
            if int(length) > LIMITS["max_file_size"]:
                return errors.TOO_LARGE
            if int(length) < 0:
                return "Invalid Content-Length"
        except ValueError:
            return "Invalid Content-Length"
    elif headers.get("Transfer-Encoding", "").lower() != "chunked":
        return "Missing Content-Length or Transfer-Encoding: chunked"
    # in characters, as Swift 2.38.3 counts (1025 "é" are 1025, not 2050)
    if len(obj_name) > LIMITS["max_object_name_length"]:
        return "Object name length of %d longer than %d" % (
            len(obj_name), LIMITS["max_object_name_length"])
    return check_metadata(headers, "object")
