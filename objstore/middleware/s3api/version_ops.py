"""S3's versioning rules, written once for both layouts of a versioned bucket.

A bucket keeps its older versions either the way ``object_versioning``
does (``versions_ov.py``: buckets versioned from now on) or in the
``<bucket>+versions`` archive of ``versioned_writes``' history mode
(``versioning.py``: buckets versioned before). The rules S3 adds on top
are the same for both: which container holds a version, the headers of a
key whose newest version is a delete marker, a suspended bucket's single
``null`` version, and "undelete" (deleting the current version, or the
marker on top of it, brings the newest kept real version back). They are
written here against a :class:`Layout`, the few facts in which the two
layouts differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import format_datetime
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

from webob import Response

from objstore.common import key_lock, object_lock
from objstore.common.subrequest import IterReader, stored_metadata
from objstore.common.timestamp import Timestamp
from objstore.common.versions import BYPASS_ENV, DELETE_MARKER_TYPE, RAW_ENV
from objstore.middleware.s3api import version_listing as vl
from objstore.middleware.s3api.context import S3Context, parse_swift_time
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.manifest import VERSION_PARAM

BYPASS = {BYPASS_ENV: True}
#: a suspended bucket's delete marker: S3's ``null`` version
NULL_MARKER_TYPE = "%s;%s=%s" % (DELETE_MARKER_TYPE, VERSION_PARAM, vl.NULL_VERSION)

Row = Dict[str, Any]


@dataclass(frozen=True)
class Layout:
    """Where and how one layout keeps a bucket's older versions."""

    #: the container of a bucket's kept versions
    container: Callable[[str], str]
    #: the current version's S3 id, from the answer to a HEAD of its key
    head_id: Callable[[Any], str]
    #: ``(ctx, key, vid, bucket)``: the kept row of version ``vid`` (not
    #: ``null``) under the name it is kept by, or ``None``
    named_row: Callable[[S3Context, str, str, str], Optional[Row]]
    #: a version may also be kept under another name than its own (brought
    #: back and archived again): ``archived_row`` then walks the key's rows
    renames_kept: bool
    #: ``(ctx, key, page=N)``: the request's bucket's kept rows of a key,
    #: newest first, read ``N`` at a time
    key_versions: Callable[..., Iterator[Row]]
    #: the S3 version id of a kept row (as ``key_versions`` gives it)
    row_id: Callable[[Row], str]
    #: the kept name of a version of ``key`` written at a time
    kept_name: Callable[[str, Timestamp], str]
    #: the S3 version id of a version written at a time
    shown_id: Callable[[Timestamp], str]
    #: a version with an id brought back stays kept as well (its listings
    #: skip the kept copy of the current version); else it leaves the archive
    keeps_promoted: bool
    #: a DELETE of a key without a current object leaves no marker below
    #: s3api, which writes it itself
    marks_absent_key: bool


def is_marker(row: Row) -> bool:
    return vl.is_marker(row.get("content_type", ""))


def current_id(ctx: S3Context, layout: Layout, key: str, bucket: Optional[str] = None
               ) -> Optional[str]:
    """The current version's id, or ``None`` when the key has no current object."""
    head = ctx.swift.request("HEAD", bucket or ctx.bucket, key)
    head.close()
    if head.status == 404:
        return None
    ctx.raise_for(head, "NoSuchKey")
    return layout.head_id(head)


def archived_row(ctx: S3Context, layout: Layout, key: str, vid: str,
                 bucket: Optional[str] = None) -> Optional[Row]:
    """The kept row of version ``vid`` of ``key``, or ``None``: under its
    own name, else (the ``null`` version, or a layout that renames kept
    versions) found by a walk down the key's kept rows."""
    bucket = bucket or ctx.bucket
    if vid != vl.NULL_VERSION:
        row = layout.named_row(ctx, key, vid, bucket)
        if row is not None or not layout.renames_kept:
            return row
    for row in layout.key_versions(ctx, key, bucket):
        if layout.row_id(row) == vid:
            return row
    return None


def locate(ctx: S3Context, layout: Layout, key: str, vid: str,
           bucket: Optional[str] = None) -> Tuple[str, str]:
    """``(container, object)`` holding version ``vid`` of ``key`` in ``bucket``.

    ``NoSuchVersion`` when there is none; a delete marker is
    ``MethodNotAllowed`` (405) with ``x-amz-delete-marker: true``, as S3 answers.
    """
    bucket = bucket or ctx.bucket
    if current_id(ctx, layout, key, bucket) == vid:
        return bucket, key
    row = archived_row(ctx, layout, key, vid, bucket)
    if row is None:
        raise S3Error("NoSuchVersion", "The version %s of %s does not exist." % (vid, key),
                      Key=key, VersionId=vid)
    if is_marker(row):
        err = S3Error("MethodNotAllowed", "The version is a delete marker; it has no "
                      "data.", Method=ctx.method, ResourceType="DeleteMarker")
        err.headers = {"x-amz-delete-marker": "true", "x-amz-version-id": vid}
        raise err
    return layout.container(bucket), row["name"]


def marker_headers(ctx: S3Context, layout: Layout, key: str) -> Dict[str, str]:
    """S3's delete-marker headers when ``key``'s newest version is a marker."""
    row = next(layout.key_versions(ctx, key, page=1), None)
    if row is None or not is_marker(row):
        return {}
    out = {"x-amz-delete-marker": "true", "x-amz-version-id": layout.row_id(row)}
    if row.get("last_modified"):
        out["Last-Modified"] = format_datetime(parse_swift_time(row["last_modified"]),
                                               usegmt=True)
    return out


def drop_archived_null(ctx: S3Context, layout: Layout, key: str) -> None:
    """A suspended bucket keeps one ``null`` version: the kept one goes."""
    doomed = [row["name"] for row in layout.key_versions(ctx, key)
              if layout.row_id(row) == vl.NULL_VERSION]
    for name in doomed:
        ctx.swift.request("DELETE", layout.container(ctx.bucket), name,
                          extra_env=BYPASS).close()


def copy_stored(ctx: S3Context, src: Tuple[str, str], dst: Tuple[str, str]) -> Any:
    """Copy the object ``src`` to ``dst`` (``(container, key)`` each) as it is
    stored, never archived itself: an encrypted object's ciphertext and
    crypto metadata move untouched (``common.versions.RAW_ENV``), so an
    SSE-C version is kept or brought back without its key, and a locked
    one keeps its lock. The answer of the PUT (or of the GET when the
    source cannot be read)."""
    raw = dict(BYPASS, **{RAW_ENV: True})
    source = ctx.swift.request("GET", src[0], src[1], headers={"X-Newest": "true"},
                               extra_env=raw)
    if not source.ok:
        source.close()
        return source
    try:
        headers = stored_metadata(source.headers, manifests=True)
        etag = (source.header("etag") or "").strip('"')
        if etag:
            headers["ETag"] = etag
        length = source.header("content-length")
        put = ctx.swift.request("PUT", dst[0], dst[1], headers=headers,
                                body=IterReader(source), extra_env=raw,
                                content_length=int(length) if length else None)
        put.close()
        return put
    finally:
        source.close()


def promote(ctx: S3Context, layout: Layout, key: str) -> None:
    """With no current object, bring the newest kept real version back (as
    stored: its id, its lock).

    Its kept row then leaves the archive, unless the layout keeps it (a
    ``null`` version always leaves: it is kept again under its new write
    time). It leaves even when it is locked: the version itself, lock
    included, lives on as the current object, so removing the kept copy
    loses nothing (``object_lock.BYPASS_ARCHIVED``); a refused DELETE would
    leave it listed twice.
    """
    if current_id(ctx, layout, key) is not None:
        return
    row = next(layout.key_versions(ctx, key, page=1), None)
    if row is None or is_marker(row):
        return
    where = layout.container(ctx.bucket)
    resp = copy_stored(ctx, (where, row["name"]), (ctx.bucket, key))
    if resp.ok and (not layout.keeps_promoted or layout.row_id(row) == vl.NULL_VERSION):
        ctx.swift.request("DELETE", where, row["name"], extra_env=BYPASS, headers={
            object_lock.BYPASS: object_lock.BYPASS_ARCHIVED}).close()


def delete_marker(ctx: S3Context, layout: Layout, key: str) -> Response:
    """DeleteObject without a version id, versioning enabled: the current
    version is kept (below s3api) and a delete marker goes on top."""
    when = Timestamp.now()
    resp = ctx.swift.request("DELETE", ctx.bucket, key, headers={"X-Timestamp": when.internal})
    resp.close()
    if resp.status == 404:
        if layout.marks_absent_key:
            put = ctx.swift.request("PUT", layout.container(ctx.bucket),
                                    layout.kept_name(key, when), extra_env=BYPASS,
                                    headers={"Content-Type": DELETE_MARKER_TYPE})
            put.close()
            ctx.raise_for(put, "NoSuchBucket")
    else:
        ctx.raise_for(resp, "NoSuchKey")
    out = Response(status=204)
    out.headers["x-amz-delete-marker"] = "true"
    # object_versioning names the marker it wrote (later than ``when`` if
    # a version of the key was written meanwhile)
    out.headers["x-amz-version-id"] = resp.header("x-object-version-id") or \
        layout.shown_id(when)
    return out


def null_marker(ctx: S3Context, layout: Layout, key: str) -> Response:
    """The end of a DeleteObject without a version id in a suspended bucket
    (the current version dealt with): the kept ``null`` version goes, and
    a ``null`` delete marker goes on top."""
    drop_archived_null(ctx, layout, key)
    put = ctx.swift.request("PUT", layout.container(ctx.bucket),
                            layout.kept_name(key, Timestamp.now()), extra_env=BYPASS,
                            headers={"Content-Type": NULL_MARKER_TYPE})
    put.close()
    ctx.raise_for(put, "NoSuchBucket")
    out = Response(status=204)
    out.headers["x-amz-delete-marker"] = "true"
    out.headers["x-amz-version-id"] = vl.NULL_VERSION
    return out


def delete_version(ctx: S3Context, layout: Layout, key: str, vid: str,
                   lock: Dict[str, str]) -> Response:
    """DeleteObject with a version id: that version goes for good (a locked
    one answers ``AccessDenied`` unless ``lock`` bypasses it), and the one
    below surfaces if it was the latest."""
    # under the name's versioning lock: a version deleted meanwhile by
    # another request must not come back as the one brought up
    ctx.swift.authenticate()  # the account names the lock
    held = key_lock.hold(ctx.env.get("swift.cache"), key_lock.VERSIONED_NAME,
                         ctx.swift.account or "", ctx.bucket, key)
    try:
        return _delete_version(ctx, layout, key, vid, lock)
    finally:
        if held is not None:
            held.release()


def _delete_version(ctx: S3Context, layout: Layout, key: str, vid: str,
                    lock: Dict[str, str]) -> Response:
    from objstore.middleware.s3api.locking import refused
    out = Response(status=204)
    out.headers["x-amz-version-id"] = vid
    if current_id(ctx, layout, key) == vid:
        resp = ctx.swift.request("DELETE", ctx.bucket, key, extra_env=BYPASS, headers=lock)
        resp.close()
        refused(resp)
        if resp.status != 404:
            ctx.raise_for(resp, "NoSuchKey")
        kept = archived_row(ctx, layout, key, vid) \
            if layout.keeps_promoted and vid != vl.NULL_VERSION else None
        if kept is not None:  # the copy a restored version left kept
            ctx.swift.request("DELETE", layout.container(ctx.bucket), kept["name"],
                              extra_env=BYPASS, headers=lock).close()
    else:
        row = archived_row(ctx, layout, key, vid)
        if row is None:
            return out  # no such version: nothing to do, as S3
        if is_marker(row):
            out.headers["x-amz-delete-marker"] = "true"
        resp = ctx.swift.request("DELETE", layout.container(ctx.bucket), row["name"],
                                 extra_env=BYPASS, headers=lock)
        resp.close()
        refused(resp)
    promote(ctx, layout, key)
    return out
