"""ListObjectVersions from the bucket's listing and its ``+versions`` archive.

Pure: what an archive name and a listing row mean as S3 versions, and the
``ListVersionsResult`` document; ``version_walk.py`` reads the listings in
S3's order (keys ascending, each key's versions newest first, the first
one ``IsLatest``) a page at a time.

Archive names are ``<len of key as 3 hex digits><key>/<timestamp>`` (see
``objstore.middleware.versioned_writes``); the version id of an archived
object is its ``s3_vid`` content-type parameter (``null`` without one),
and that of a delete marker the timestamp in its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple, Union

from objstore.middleware.s3api.context import iso8601, parse_swift_time
from objstore.middleware.s3api.listing import ListParams, _enc, _owner
from objstore.middleware.s3api.manifest import VERSION_PARAM
from objstore.middleware.s3api.xml import Node, render

NULL_VERSION = "null"


@dataclass
class Version:
    """One row of ListObjectVersions."""

    key: str
    version_id: str
    is_marker: bool
    last_modified: str  # Swift listing time
    etag: str = '""'
    size: int = 0
    is_latest: bool = False
    storage_class: str = "STANDARD"


def version_param(content_type: str) -> Optional[str]:
    """The ``s3_vid`` parameter of a content type, or ``None``."""
    for part in content_type.split(";")[1:]:
        name, sep, value = part.strip().partition("=")
        if sep and name == VERSION_PARAM:
            return value
    return None


def stored_version_id(headers: Dict[str, str]) -> Optional[str]:
    """The version id an object answer (lower-case ``headers``) carries:
    its ``s3_vid`` parameter (a bucket versioned with ``+versions``), or
    ``object_versioning``'s id (shown, or its sysmeta on a bypassing read);
    ``None`` for a ``null`` version."""
    vid = version_param(headers.get("content-type") or "") or \
        headers.get("x-object-sysmeta-versions-id") or headers.get("x-object-version-id")
    return vid if vid and vid != NULL_VERSION else None


def is_marker(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip() == "application/x-deleted"


def split_archive_name(name: str) -> Optional[Tuple[str, str]]:
    """``(key, timestamp)`` of an archive object name, ``None`` if it is not one."""
    raw = name.encode("utf-8")
    try:
        length = int(raw[:3], 16)
    except ValueError:
        return None
    key, rest = raw[3:3 + length], raw[3 + length:]
    if len(key) != length or not rest.startswith(b"/"):
        return None
    try:
        return key.decode("utf-8"), rest[1:].decode("utf-8")
    except UnicodeDecodeError:
        return None


def archive_version_id(entry: Dict[str, Any]) -> str:
    """The S3 version id of an archive listing entry."""
    ctype = entry.get("content_type", "")
    vid = version_param(ctype)
    if is_marker(ctype) and vid is None:
        # A marker's id is its archive timestamp, unless it is the null
        # marker a suspended bucket leaves (``s3_vid=null``).
        parts = split_archive_name(entry["name"])
        return parts[1] if parts else NULL_VERSION
    return vid or NULL_VERSION


def current_version_id(content_type: str) -> str:
    return version_param(content_type) or NULL_VERSION


Row = Union[Version, str]  # a version, or a common prefix


def render_versions(bucket: str, params: ListParams, query: Dict[str, str],
                    rows: List[Row], truncated: bool, owner: str) -> bytes:
    """The ``ListVersionsResult`` document."""
    children: List[Optional[Node]] = [
        ("Name", bucket), ("Prefix", _enc(params.prefix, params)),
        ("KeyMarker", _enc(query.get("key-marker", ""), params)),
        ("VersionIdMarker", query.get("version-id-marker", "")),
        ("MaxKeys", params.max_keys)]
    if "delimiter" in query:  # echoed whenever sent, even empty (ListObjects omits an empty one)
        children.append(("Delimiter", _enc(params.delimiter, params)))
    if params.url_encode:
        children.append(("EncodingType", "url"))
    children.append(("IsTruncated", truncated))
    if truncated and rows:
        last = rows[-1]
        if isinstance(last, Version):
            children.append(("NextKeyMarker", _enc(last.key, params)))
            children.append(("NextVersionIdMarker", last.version_id))
        else:
            children.append(("NextKeyMarker", _enc(last, params)))
    for row in rows:
        if isinstance(row, str):
            children.append(("CommonPrefixes", [("Prefix", _enc(row, params))]))
            continue
        modified = iso8601(parse_swift_time(row.last_modified))
        if row.is_marker:
            children.append(("DeleteMarker", [
                ("Key", _enc(row.key, params)), ("VersionId", row.version_id),
                ("IsLatest", row.is_latest), ("LastModified", modified), _owner(owner)]))
        else:
            children.append(("Version", [
                ("Key", _enc(row.key, params)), ("VersionId", row.version_id),
                ("IsLatest", row.is_latest), ("LastModified", modified),
                ("ETag", row.etag), ("Size", row.size), _owner(owner),
                ("StorageClass", row.storage_class)]))
    return render("ListVersionsResult", children)
