"""S3 bucket versioning: the bucket's status, and which layout keeps its versions.

A bucket versioned for the first time is versioned the way Swift's s3api
does it, with ``object_versioning`` (``versions_ov.py``). A bucket versioned
before that keeps its own layout for good (no migration; nothing makes a
new one of this kind, see docs/s3.md, Versioning), kept here:

* ``PutBucketVersioning Enabled`` created the hidden container
  ``<bucket>+versions`` and set ``X-History-Location`` on the bucket, so
  ``versioned_writes`` archives every overwritten or deleted object there
  and leaves a delete marker on DELETE. The status is kept in container
  sysmeta (for both layouts). ``Suspended`` keeps the archive.
* A version id is the object's timestamp, chosen by s3api for the PUT
  (``X-Timestamp``) and kept in the ``s3_vid`` content-type parameter, so
  server-side copies into and out of the archive and container listings
  all carry it. Objects written while versioning was off have none: they
  are S3's ``null`` version. A delete marker's id is the timestamp in its
  archive name.
* The current version is the Swift object; older ones are archived. When
  the current version is deleted by id (or a delete marker on top is), the
  newest archived real version is moved back, keeping its id.

S3's rules over either layout are written once, in ``version_ops.py``;
each layout is a ``version_ops.Layout`` (``LEGACY`` here, ``versions_ov.LAYOUT``).
Subrequests that must not archive again (deleting or restoring a
particular version) set the versioning middlewares' bypass flag.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from webob import Response

from objstore.common.info import get_container_info
from objstore.common.timestamp import Timestamp
from objstore.common.versions import BYPASS_ENV, archive_name, archive_prefix
from objstore.middleware.s3api import version_listing as vl
from objstore.middleware.s3api import version_ops as ops
from objstore.middleware.s3api import versions_ov as ov
from objstore.middleware.s3api.context import VERSIONS_SUFFIX, S3Context
from objstore.middleware.s3api import errors
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.manifest import BUCKET_MANIFESTS_SYSMETA, VERSION_PARAM
from objstore.middleware.s3api.paging import PAGE, iter_listing

STATUS_SYSMETA = "X-Container-Sysmeta-S3api-Versioning"
HISTORY_HEADER = "X-History-Location"
BYPASS = ops.BYPASS
ENABLED, SUSPENDED = "Enabled", "Suspended"
#: the keys of the S3 status, object_versioning's flag and the bucket's
#: manifests flag in a container info's sysmeta
_SYSMETA = "x-container-sysmeta-"
_INFO_STATUS = STATUS_SYSMETA.lower()[len(_SYSMETA):]
_INFO_ENABLED = "versions-enabled"
_INFO_MANIFESTS = BUCKET_MANIFESTS_SYSMETA.lower()[len(_SYSMETA):]


def versions_container(bucket: str) -> str:
    """The ``+versions`` archive of a bucket versioned before the move."""
    return bucket + VERSIONS_SUFFIX


def uses_object_versioning(ctx: S3Context, bucket: Optional[str] = None) -> bool:
    """Whether ``bucket`` (the request's by default) is (or would be)
    versioned with ``object_versioning`` (``versions_ov.py``): it has
    ``X-Versions-Enabled``, or has never been versioned. A bucket with an S3
    status and no ``X-Versions-Enabled`` keeps its ``+versions`` archive for
    good (read as before, no migration)."""
    bucket = bucket or ctx.bucket
    cache = "versioning_ov:" + bucket
    if cache not in ctx.extra:
        sysmeta = bucket_sysmeta(ctx, bucket)
        ctx.extra[cache] = _INFO_ENABLED in sysmeta or not sysmeta.get(_INFO_STATUS)
    return bool(ctx.extra[cache])


def bucket_sysmeta(ctx: S3Context, bucket: str) -> Dict[str, str]:
    """The bucket's container sysmeta (names lower-case, without
    ``x-container-sysmeta-``) from the proxy's cached container info: no
    storage request once it is cached (the caller's account is learnt first,
    with an OPTIONS the proxy answers itself). When the info does not show
    the bucket, a HEAD of it: ``NoSuchBucket``, or whatever it finds."""
    ctx.swift.authenticate()
    info = get_container_info(ctx.env, ctx.swift.app, ctx.swift.account or "", bucket)
    if 200 <= info.get("status", 0) < 300:
        return info.get("sysmeta") or {}
    head = ctx.container_head(bucket)
    out = {name[len(_SYSMETA):]: value for name, value in head.headers.items()
           if name.startswith(_SYSMETA)}
    if head.header(ov.CLIENT_HEADER.lower()) is not None:  # object_versioning shows it so
        out[_INFO_ENABLED] = head.header(ov.CLIENT_HEADER.lower())
    return out


def history_container(ctx: S3Context) -> str:
    """Where the bucket keeps its older versions, whichever the layout."""
    if uses_object_versioning(ctx):
        return ov.versions_container(ctx.bucket)
    return versions_container(ctx.bucket)


def bucket_status(ctx: S3Context) -> Optional[str]:
    """``Enabled``, ``Suspended`` or ``None`` (never enabled); ``NoSuchBucket``."""
    cached = ctx.extra.get("versioning")
    if cached is not None:
        return cached or None
    sysmeta = bucket_sysmeta(ctx, ctx.bucket)
    status = sysmeta.get(_INFO_STATUS) or ""
    ctx.extra["versioning"] = status
    ctx.extra["versioning_ov:" + ctx.bucket] = _INFO_ENABLED in sysmeta or not status
    marked = sysmeta.get(_INFO_MANIFESTS)  # None: a bucket from before the mark
    ctx.extra["has_manifests"] = marked != "0" if marked else None
    return status or None


def set_status(ctx: S3Context, status: str) -> None:
    """PutBucketVersioning: ``Enabled`` turns archiving on, ``Suspended`` keeps
    what was archived and makes new writes ``null`` versions."""
    previous = bucket_status(ctx)
    headers = {STATUS_SYSMETA: status}
    if uses_object_versioning(ctx):
        if previous is None and status == SUSPENDED:
            # the versions container exists from the first status on, so a
            # suspended bucket's null delete marker has somewhere to go
            _post_status(ctx, {ov.CLIENT_HEADER: "true"})
        headers[ov.CLIENT_HEADER] = "true" if status == ENABLED else "false"
        _post_status(ctx, headers)
        ctx.extra["versioning"] = status
        return
    if status == ENABLED:
        resp = ctx.swift.request("PUT", versions_container(ctx.bucket))
        resp.close()
        ctx.raise_for(resp, "NoSuchBucket")
        headers[HISTORY_HEADER] = versions_container(ctx.bucket)
    elif previous is None:
        pass  # never enabled: nothing to archive, no history location to keep
    resp = ctx.swift.request("POST", ctx.bucket, headers=headers)
    resp.close()
    ctx.raise_for(resp, "NoSuchBucket")
    ctx.extra["versioning"] = status


def _post_status(ctx: S3Context, headers: Dict[str, str]) -> None:
    resp = ctx.swift.request("POST", ctx.bucket, headers=headers)
    resp.close()
    ctx.raise_for(resp, "NoSuchBucket")


def prepare_write(ctx: S3Context, key: str, headers: Dict[str, str]
                  ) -> Tuple[Optional[str], Dict[str, Any]]:
    """Make ``headers`` (a PUT of ``key``) a new version.

    Returns ``(version id to report or None, extra environ for the PUT)``.
    Enabled: a fresh id, also the object's timestamp. Suspended: a ``null``
    version, which replaces the key's ``null`` version wherever it is (S3
    keeps one): a current ``null`` version is overwritten in place, an
    archived one is removed by ``finish_write`` once the PUT succeeded. S3
    reports no version id for it (writes in a suspended bucket answer
    without ``x-amz-version-id``; reads say ``null``).
    """
    status = bucket_status(ctx)
    if status is None:
        return None, {}
    if uses_object_versioning(ctx):
        return ov.prepare_write(ctx, key, headers, status == ENABLED)
    if status == ENABLED:
        vid = Timestamp.now().internal
        headers["Content-Type"] = "%s;%s=%s" % (
            headers.get("Content-Type") or "application/octet-stream", VERSION_PARAM, vid)
        headers["X-Timestamp"] = vid
        return vid, {}
    head = ctx.swift.request("HEAD", ctx.bucket, key)
    head.close()
    if head.ok and vl.version_param(head.header("content-type") or "") is None:
        return None, dict(BYPASS)
    ctx.extra["drop_archived_null"] = key
    return None, {}


def written_id(vid: Optional[str], resp: Any) -> Optional[str]:
    """The version id a write made: ``vid``, the one ``prepare_write``
    chose, unless ``object_versioning`` wrote it later than a version of the
    key written meanwhile by another request (its answer names the id)."""
    if vid is None:
        return None
    return resp.header("x-object-version-id") or vid


def replaces_in_place(extra_env: Dict[str, Any]) -> bool:
    """Whether a write with this environ drops the current object instead of
    archiving it (so a multipart object's old parts can go)."""
    return bool(extra_env.get(BYPASS_ENV))


def read_version_id(ctx: S3Context) -> Optional[str]:
    """``null`` for a read of an object without a version id in a bucket that
    has (had) versioning, as S3 reports it; ``None`` elsewhere. Read from
    the proxy's cached container info, so a plain GET costs no extra
    request once the bucket's info is cached."""
    if "versioning" in ctx.extra:
        return vl.NULL_VERSION if ctx.extra["versioning"] else None
    info = get_container_info(ctx.env, ctx.swift.app, ctx.swift.account or "", ctx.bucket)
    status = (info.get("sysmeta") or {}).get(_INFO_STATUS)
    return vl.NULL_VERSION if status else None


def finish_write(ctx: S3Context, key: str) -> None:
    """After a successful suspended-mode write: drop the archived ``null`` version."""
    if ctx.extra.pop("drop_archived_null", None) == key:
        ops.drop_archived_null(ctx, _layout(ctx), key)


def key_versions(ctx: S3Context, key: str, bucket: Optional[str] = None,
                 marker: str = "", page: int = PAGE) -> Iterator[Dict[str, Any]]:
    """The archive's rows for ``key``, newest first, read page by page."""
    for row in iter_listing(ctx, versions_container(bucket or ctx.bucket), archive_prefix(key),
                            marker=marker, reverse=True, page=page):
        if "name" in row and vl.split_archive_name(row["name"]):
            yield row


def current_id(ctx: S3Context, key: str, bucket: Optional[str] = None) -> Optional[str]:
    """The current version's id, or ``None`` when the key has no current object."""
    return ops.current_id(ctx, _layout(ctx, bucket), key, bucket)


def _named_row(ctx: S3Context, key: str, vid: str, bucket: str) -> Optional[Dict[str, Any]]:
    """The archive row named for version ``vid`` (one HEAD), if it is that version."""
    try:
        name = archive_name(key, vid)
    except ValueError:
        return None
    head = ctx.swift.request("HEAD", versions_container(bucket), name)
    head.close()
    if head.ok:
        row = {"name": name, "content_type": head.header("content-type") or ""}
        if vl.archive_version_id(row) == vid:
            return row
    return None


LEGACY = ops.Layout(
    container=versions_container, named_row=_named_row, renames_kept=True,
    head_id=lambda head: vl.current_version_id(head.header("content-type") or ""),
    key_versions=key_versions, row_id=vl.archive_version_id,
    kept_name=lambda key, when: archive_name(key, when.internal),
    shown_id=lambda when: when.internal, keeps_promoted=False, marks_absent_key=True)


def _layout(ctx: S3Context, bucket: Optional[str] = None) -> ops.Layout:
    return ov.LAYOUT if uses_object_versioning(ctx, bucket) else LEGACY


def locate(ctx: S3Context, key: str, vid: str, bucket: Optional[str] = None
           ) -> Tuple[str, str]:
    """``(container, object)`` holding version ``vid`` of ``key`` in ``bucket``
    (``version_ops.locate``)."""
    return ops.locate(ctx, _layout(ctx, bucket), key, vid, bucket)


def delete_marker_headers(ctx: S3Context, key: str) -> Dict[str, str]:
    """For a GET/HEAD that found no current object: S3's delete-marker headers
    when the key's latest version is a delete marker, else nothing."""
    if bucket_status(ctx) is None:
        return {}
    return ops.marker_headers(ctx, _layout(ctx), key)


def _delete_suspended(ctx: S3Context, key: str) -> Response:
    """DELETE without a version id in a suspended bucket: the ``null`` version
    goes for good, a real current version is archived, and a ``null`` delete
    marker goes on top (S3's rules for versioning-suspended buckets)."""
    head = ctx.swift.request("HEAD", ctx.bucket, key)
    head.close()
    if head.ok:
        if vl.version_param(head.header("content-type") or "") is not None:
            stamp = head.header("x-timestamp") or Timestamp.now().internal
            put = ops.copy_stored(ctx, (ctx.bucket, key),
                                  (versions_container(ctx.bucket), archive_name(key, stamp)))
            ctx.raise_for(put, "NoSuchBucket")
        resp = ctx.swift.request("DELETE", ctx.bucket, key, extra_env=BYPASS)
        resp.close()
        if resp.status != 404:
            ctx.raise_for(resp, "NoSuchKey")
    elif head.status != 404:
        ctx.raise_for(head, "NoSuchKey")
    return ops.null_marker(ctx, LEGACY, key)


def delete(ctx: S3Context, key: str, vid: Optional[str]) -> Response:
    """DeleteObject in a bucket that has (had) versioning.

    Without ``vid``: a delete marker on top (the current version is
    archived below s3api). With ``vid``: that version goes for good, and
    the one below surfaces if it was the latest.
    """
    from objstore.middleware.s3api.locking import bypass_headers
    lock = bypass_headers(ctx) if vid is not None else {}
    if uses_object_versioning(ctx):
        return ov.delete(ctx, key, vid, bucket_status(ctx) == SUSPENDED, lock)
    if vid is not None:
        return ops.delete_version(ctx, LEGACY, key, vid, lock)
    if bucket_status(ctx) == SUSPENDED:
        return _delete_suspended(ctx, key)
    return ops.delete_marker(ctx, LEGACY, key)


def check_version_marker(query: Dict[str, str]) -> None:
    """S3 refuses a ``version-id-marker`` without a ``key-marker`` parameter,
    then one that is not a version id (``null`` or one of ours, a timestamp)."""
    marker = query.get("version-id-marker")
    if marker is None:
        return
    if "key-marker" not in query:
        raise S3Error("InvalidArgument", errors.VERSION_MARKER_WITHOUT_KEY_MARKER,
                      ArgumentName="version-id-marker", ArgumentValue=marker)
    if marker and marker != vl.NULL_VERSION:
        try:
            Timestamp(marker)
        except ValueError:
            raise S3Error("InvalidArgument", errors.INVALID_VERSION_ID,
                          ArgumentName="version-id-marker", ArgumentValue=marker) from None


def list_versions(ctx: S3Context, params: Any, query: Dict[str, str]) -> bytes:
    """The ``ListVersionsResult`` for the bucket (versioned or not), read page
    by page (``version_walk.py``)."""
    from objstore.middleware.s3api.buckets import owner_id
    from objstore.middleware.s3api.version_walk import walk
    # NoSuchBucket from the cached container info: no HEAD of the bucket once cached
    rows_of = ov.walk if uses_object_versioning(ctx) else walk
    check_version_marker(query)
    rows: List[vl.Row] = []
    truncated = False
    for row in rows_of(ctx, params, query.get("key-marker", ""),
                       query.get("version-id-marker", "")):
        if len(rows) == params.max_keys:
            truncated = True
            break
        rows.append(row)
    return vl.render_versions(ctx.bucket, params, query, rows, truncated, owner_id(ctx))
