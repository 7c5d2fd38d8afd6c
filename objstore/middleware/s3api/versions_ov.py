"""S3 versioning of a bucket versioned with ``object_versioning``.

A bucket versioned for the first time is versioned the way Swift 2.38.3's
s3api does it: ``X-Versions-Enabled`` on the bucket, so
``object_versioning`` keeps every replaced version in the reserved
container ``\\x00versions\\x00<bucket>`` (no client can name it; s3api's
subrequests can, see ``subrequest.py``) as ``<key>\\x01<inverted id>``, and
a Swift client's ``?versions`` listing shows the same versions an S3
client sees. ``versioning.py`` keeps buckets versioned before this (their
``<bucket>+versions`` archive) on its own code and dispatches here for the
others.

Ids: s3api still picks a version's id (``X-Timestamp``, which
``object_versioning`` takes as the version id); S3 shows its normal form.
The S3 rules ``object_versioning`` does not have are kept here:

* an object written before versioning was enabled is S3's ``null``
  version, also once archived (``object_versioning`` archives it under its
  write time, without a listed id: its row has no ``version_id``);
* a suspended bucket keeps a single ``null`` version: a write or a delete
  drops an archived ``null`` one, and a delete leaves a ``null`` delete
  marker (content type parameter ``s3_vid=null``);
* deleting the current version (or the marker on top) brings the newest
  kept real version back, keeping its id (S3's "undelete").
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from webob import Response

from objstore.common.timestamp import Timestamp
from objstore.common.versions import DELETE_MARKER_TYPE, reserved_versions_container
from objstore.common.versions_listing import (SEPARATOR, VersionsListing, split_version_name,
                                              version_name)
from objstore.middleware.s3api import version_listing as vl
from objstore.middleware.s3api import version_ops as ops
from objstore.middleware.s3api.context import S3Context
from objstore.middleware.s3api.manifest import storage_class_param
from objstore.middleware.s3api.paging import iter_listing, list_page

CLIENT_HEADER = "X-Versions-Enabled"
VERSION_ID_HEADER = "x-object-version-id"
BYPASS = ops.BYPASS
NULL_MARKER_TYPE = ops.NULL_MARKER_TYPE
#: a version marker before every kept version (sorts first, inverted)
_NEWEST = "9999999999.99999"
#: past every name that starts with a given prefix
_PAST = "\U0010ffff"
#: a listing row's S3 version id, set by ``_s3_row``
_S3_ID = "_s3_version_id"


versions_container = reserved_versions_container


def new_id() -> Timestamp:
    return Timestamp.now()


def _s3_row(row: Dict[str, Any]) -> Dict[str, Any]:
    """A versions container row with its S3 id: a delete marker's is its
    name's (``null`` for a suspended bucket's marker), an object's the
    listed one (none: a version written before versioning, S3's ``null``)."""
    ctype = row.get("content_type", "")
    if vl.is_marker(ctype):
        row[_S3_ID] = vl.NULL_VERSION if vl.version_param(ctype) == vl.NULL_VERSION \
            else split_version_name(row["name"])[1]
        row["content_type"] = DELETE_MARKER_TYPE
    else:
        row[_S3_ID] = row.get("version_id") or vl.NULL_VERSION
    return row


def _listed_id(row: Dict[str, Any]) -> str:
    """The id of a bucket listing row: a versioned container's plain
    listing names it in ``symlink_path`` (``?version-id=<id>``)."""
    if row.get("version_id"):
        return row["version_id"]
    _, sep, vid = row.get("symlink_path", "").rpartition("?version-id=")
    return vid if sep and vid else vl.NULL_VERSION


def key_versions(ctx: S3Context, key: str, bucket: Optional[str] = None,
                 page: int = 1000) -> Iterator[Dict[str, Any]]:
    """The kept versions of ``key``, newest first, read page by page."""
    for row in iter_listing(ctx, versions_container(bucket or ctx.bucket), key + SEPARATOR,
                            page=page):
        if "name" in row and split_version_name(row["name"])[0] == key:
            yield _s3_row(row)


def current_id(ctx: S3Context, key: str, bucket: Optional[str] = None) -> Optional[str]:
    """The current version's id, or ``None`` when the key has no current object."""
    return ops.current_id(ctx, LAYOUT, key, bucket)


def _named_row(ctx: S3Context, key: str, vid: str, bucket: str) -> Optional[Dict[str, Any]]:
    """The kept row of version ``vid`` (one listing of its name)."""
    try:
        name = version_name(key, vid)
    except ValueError:
        return None
    rows = list_page(ctx, versions_container(bucket), prefix=name, limit=1)
    if rows and rows[0].get("name") == name and _s3_row(rows[0])[_S3_ID] == \
            Timestamp(vid).normal:
        return rows[0]
    return None


def prepare_write(ctx: S3Context, key: str, headers: Dict[str, str], enabled: bool
                  ) -> Tuple[Optional[str], Dict[str, Any]]:
    """See ``versioning.prepare_write``: enabled, the id is ours
    (``object_versioning`` archives the current version); suspended,
    ``object_versioning`` writes a ``null`` version (archiving a current
    one that has an id) and an archived ``null`` one goes afterwards."""
    if enabled:
        vid = new_id()
        headers["X-Timestamp"] = vid.internal
        return vid.normal, {}
    if current_id(ctx, key) == vl.NULL_VERSION:
        return None, dict(BYPASS)  # the null version replaced in place
    ctx.extra["drop_archived_null"] = key
    return None, {}


LAYOUT = ops.Layout(
    container=versions_container, named_row=_named_row, renames_kept=False,
    head_id=lambda head: head.header(VERSION_ID_HEADER) or vl.NULL_VERSION,
    key_versions=key_versions, row_id=lambda row: row[_S3_ID],
    kept_name=lambda key, when: version_name(key, when.normal),
    shown_id=lambda when: when.normal, keeps_promoted=True, marks_absent_key=False)


def delete(ctx: S3Context, key: str, vid: Optional[str], suspended: bool,
           lock: Dict[str, str]) -> Response:
    """DeleteObject (see ``versioning.delete``); ``lock`` the object lock
    bypass headers of a delete by id."""
    if vid is not None:
        return ops.delete_version(ctx, LAYOUT, key, vid, lock)
    if not suspended:
        return ops.delete_marker(ctx, LAYOUT, key)
    # object_versioning keeps a current version with an id and drops a
    # null one; the archived null version and the marker are S3's
    resp = ctx.swift.request("DELETE", ctx.bucket, key)
    resp.close()
    if resp.status != 404:
        ctx.raise_for(resp, "NoSuchKey")
    return ops.null_marker(ctx, LAYOUT, key)


def _version_marker(ctx: S3Context, key: str, vid: str) -> Optional[str]:
    """The ``version_marker`` of ``versions_listing`` resuming after S3
    version ``vid`` of ``key``: its kept name's id, one before every kept
    version after the current version, or ``None`` for an id that is not
    one of the key's (S3 then resumes past the whole key)."""
    if current_id(ctx, key) == vid:
        return _NEWEST  # every kept version follows the current one
    row = ops.archived_row(ctx, LAYOUT, key, vid)
    return split_version_name(row["name"])[1] if row is not None else None


def walk(ctx: S3Context, params: Any, key_marker: str, version_marker: str
         ) -> Iterator[vl.Row]:
    """ListObjectVersions rows in S3's order, merged from the bucket and
    its versions container by ``common/versions_listing.py`` a page at a
    time (each page one listing of each container)."""
    from objstore.middleware.s3api.listing import entry_facts
    query = {"prefix": params.prefix}
    if params.delimiter:
        query["delimiter"] = params.delimiter
    if key_marker:
        query["marker"] = key_marker
        folded = params.delimiter and key_marker.startswith(params.prefix) and \
            key_marker.find(params.delimiter, len(params.prefix)) == \
            len(key_marker) - len(params.delimiter)
        if folded:  # a common prefix: resume past every key it folds
            query["marker"] = key_marker + _PAST
        elif version_marker:
            resume = _version_marker(ctx, key_marker, version_marker)
            if resume is not None:
                query["version_marker"] = resume

    def fetch(kind: str, page_query: Dict[str, str]) -> Optional[List[Dict[str, Any]]]:
        container = ctx.bucket if kind == "current" else versions_container(ctx.bucket)
        # the bucket's rows as stored (each with its listed id): through
        # object_versioning each listing would HEAD the versions container
        # for the bucket's headers, which a listing read here never shows
        rows = list_page(ctx, container, prefix=page_query.get("prefix", ""),
                         marker=page_query.get("marker", ""),
                         limit=int(page_query.get("limit", "1000")),
                         reverse=bool(page_query.get("reverse")),
                         delimiter=page_query.get("delimiter", ""),
                         extra_env=BYPASS if kind == "current" else None)
        if kind == "current":
            for row in rows:
                if "name" in row:
                    row[_S3_ID] = _listed_id(row)
            return rows
        return [_s3_row(row) for row in rows if "name" in row]

    merged = VersionsListing(fetch, lambda row: row.get(_S3_ID, vl.NULL_VERSION), query,
                             True, params.max_keys + 1)
    for row in merged:
        if "subdir" in row:
            yield row["subdir"]
            continue
        etag, size, _ = entry_facts(row)
        # resumed inside the marker's key: its newest version came before
        latest = bool(row.get("is_latest")) and not (
            "version_marker" in query and row["name"] == key_marker)
        yield vl.Version(row["name"], row.get(_S3_ID) or vl.NULL_VERSION, ops.is_marker(row),
                         row.get("last_modified", ""), etag, size, is_latest=latest,
                         storage_class=storage_class_param(row.get("content_type", "")))
