"""The limits a user can see, in one place; ``/info`` reports them.

Defaults follow the OpenStack Swift API reference; ``[objstore-constraints]``
in ``objstore.conf`` may override any of them.
"""

from __future__ import annotations

import os
from typing import Dict, Mapping, Optional

from objstore.common.config import read_conf

DEFAULTS: Dict[str, int] = {
    "max_file_size": 5368709122,  # 5 GiB + 2 bytes, as Swift
    "max_meta_name_length": 128,
    "max_meta_value_length": 256,
    "max_meta_count": 90,
    "max_meta_overall_size": 4096,
    "max_header_size": 8192,
    "max_object_name_length": 1024,
    "container_listing_limit": 10000,
    "account_listing_limit": 10000,
    "max_account_name_length": 256,
    "max_container_name_length": 256,
    "extra_header_count": 0,
}

LIMITS: Dict[str, int] = dict(DEFAULTS)
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
    data: Dict[str, object] = dict(LIMITS)
    data["valid_api_versions"] = list(VALID_API_VERSIONS)
    return data


def valid_utf8(value: object) -> bool:
    """True if ``value`` is valid UTF-8 without NUL (names must be)."""
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


def _meta_prefix(target: str) -> str:
    return "x-%s-meta-" % target


def check_metadata(headers: Mapping[str, str], target: str) -> Optional[str]:
    """An error message if the user metadata in ``headers`` breaks a limit.

    ``target`` is ``account``, ``container`` or ``object``. Only user
    metadata (``X-<target>-Meta-*``) counts toward the limits.
    """
    prefix = _meta_prefix(target)
    count = 0
    size = 0
    for key, value in headers.items():
        lower = key.lower()
        if not lower.startswith(prefix):
            continue
        name = key[len(prefix):]
        if not name:
            return "Metadata name cannot be empty"
        if isinstance(value, str) and not valid_utf8(value):
            return "Metadata must be valid UTF-8"
        count += 1
        size += len(name.encode("utf-8", "surrogateescape")) + len(
            value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value)
        if len(name.encode("utf-8", "surrogateescape")) > LIMITS["max_meta_name_length"]:
            return "Metadata name too long: %s%s; max %d" % (
                prefix, name, LIMITS["max_meta_name_length"])
        vlen = len(value.encode("utf-8", "surrogateescape")) if isinstance(value, str) else len(value)
        if vlen > LIMITS["max_meta_value_length"]:
            return "Metadata value longer than %d: %s%s" % (
                LIMITS["max_meta_value_length"], prefix, name)
        if count > LIMITS["max_meta_count"]:
            return "Too many metadata items; max %d" % LIMITS["max_meta_count"]
        if size > LIMITS["max_meta_overall_size"]:
            return "Total metadata too large; max %d" % LIMITS["max_meta_overall_size"]
    return None


def check_object_creation(headers: Mapping[str, str], obj_name: str) -> Optional[str]:
    """An error message if an object PUT's headers or name are not allowed.

    Returns ``None`` when the request may go on. Size problems are reported
    with the same words Swift uses so clients that match on them still work.
    """
    length = headers.get("Content-Length")
    if length is not None:
        try:
            if int(length) > LIMITS["max_file_size"]:
                return "Your request is too large."
            if int(length) < 0:
                return "Invalid Content-Length"
        except ValueError:
            return "Invalid Content-Length"
    elif headers.get("Transfer-Encoding", "").lower() != "chunked":
        return "Missing Content-Length or Transfer-Encoding: chunked"
    if len(obj_name.encode("utf-8", "surrogateescape")) > LIMITS["max_object_name_length"]:
        return "Object name length of %d longer than %d" % (
            len(obj_name.encode("utf-8", "surrogateescape")), LIMITS["max_object_name_length"])
    return check_metadata(headers, "object")
