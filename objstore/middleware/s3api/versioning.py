"""S3 bucket versioning on top of Swift's history-mode object versioning.

The mapping (see docs/s3.md):

* ``PutBucketVersioning Enabled`` creates the hidden container
  ``<bucket>+versions`` and sets ``X-History-Location`` on the bucket, so
  ``versioned_writes`` archives every overwritten or deleted object there
  and leaves a delete marker on DELETE. The status is kept in container
  sysmeta. ``Suspended`` keeps the archive (old versions stay readable).
* A version id is the object's timestamp, chosen by s3api for the PUT
  (``X-Timestamp``) and kept in the ``s3_vid`` content-type parameter, so
  server-side copies into and out of the archive and container listings
  all carry it. Objects written while versioning was off have none: they
  are S3's ``null`` version. A delete marker's id is the timestamp in its
  archive name.
* The current version is the Swift object; older ones are archived. When
  the current version is deleted by id (or a delete marker on top is), the
  newest archived real version is copied back, keeping its id.

Subrequests that must not archive again (deleting or restoring a
particular version) set ``versioned_writes``' bypass flag.
"""

from __future__ import annotations

from email.utils import format_datetime
from typing import Any, Dict, Iterator, List, Optional, Tuple

from webob import Response

from objstore.common.info import get_container_info
from objstore.common.subrequest import IterReader, stored_metadata
from objstore.common.timestamp import Timestamp
from objstore.common.versions import (BYPASS_ENV, DELETE_MARKER_TYPE, RAW_ENV, archive_name,
                                      archive_prefix)
from objstore.middleware.s3api import version_listing as vl
from objstore.middleware.s3api import versions_ov as ov
from objstore.middleware.s3api.context import VERSIONS_SUFFIX, S3Context, parse_swift_time
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.manifest import BUCKET_MANIFESTS_SYSMETA, VERSION_PARAM
from objstore.middleware.s3api.paging import PAGE, iter_listing

STATUS_SYSMETA = "X-Container-Sysmeta-S3api-Versioning"
HISTORY_HEADER = "X-History-Location"
BYPASS = {BYPASS_ENV: True}
ENABLED, SUSPENDED = "Enabled", "Suspended"


def versions_container(bucket: str) -> str:
    """The ``+versions`` archive of a bucket versioned before the move."""
    return bucket + VERSIONS_SUFFIX


def uses_object_versioning(ctx: S3Context, bucket: Optional[str] = None) -> bool:
    """Whether ``bucket`` (the request's by default) is (or would be)
    versioned with ``object_versioning`` (``versions_ov.py``): it shows
    ``X-Versions-Enabled``, or has never been versioned. A bucket with an S3
    status and no ``X-Versions-Enabled`` keeps its ``+versions`` archive for
    good (read as before, no migration)."""
    bucket = bucket or ctx.bucket
    cache = "versioning_ov:" + bucket
    if cache not in ctx.extra:
        _note_layout(ctx, bucket, ctx.container_head(bucket))
    return bool(ctx.extra[cache])


def _note_layout(ctx: S3Context, bucket: str, head: Any) -> None:
    ctx.extra["versioning_ov:" + bucket] = head.header(ov.CLIENT_HEADER.lower()) is not None \
        or not head.header(STATUS_SYSMETA.lower())


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
    head = ctx.container_head()
    status = head.header(STATUS_SYSMETA.lower()) or ""
    ctx.extra["versioning"] = status
    _note_layout(ctx, ctx.bucket, head)
    ctx.extra["has_manifests"] = bool(head.header(BUCKET_MANIFESTS_SYSMETA.lower()))
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
    status = (info.get("sysmeta") or {}).get(STATUS_SYSMETA.lower()[len(
        "x-container-sysmeta-"):])
    return vl.NULL_VERSION if status else None


def finish_write(ctx: S3Context, key: str) -> None:
    """After a successful suspended-mode write: drop the archived ``null`` version."""
    if ctx.extra.pop("drop_archived_null", None) == key:
        if uses_object_versioning(ctx):
            ov.drop_archived_null(ctx, key)
        else:
            _drop_archived_null(ctx, key)


def _drop_archived_null(ctx: S3Context, key: str) -> None:
    doomed = [row["name"] for row in key_versions(ctx, key)
              if vl.archive_version_id(row) == vl.NULL_VERSION]
    for name in doomed:
        ctx.swift.request("DELETE", versions_container(ctx.bucket), name,
                          extra_env=BYPASS).close()


def key_versions(ctx: S3Context, key: str, bucket: Optional[str] = None,
                 marker: str = "", page: int = PAGE) -> Iterator[Dict[str, Any]]:
    """The archive's rows for ``key``, newest first, read page by page."""
    for row in iter_listing(ctx, versions_container(bucket or ctx.bucket), archive_prefix(key),
                            marker=marker, reverse=True, page=page):
        if "name" in row and vl.split_archive_name(row["name"]):
            yield row


def current_id(ctx: S3Context, key: str, bucket: Optional[str] = None) -> Optional[str]:
    """The current version's id, or ``None`` when the key has no current object."""
    if uses_object_versioning(ctx, bucket):
        return ov.current_id(ctx, key, bucket)
    head = ctx.swift.request("HEAD", bucket or ctx.bucket, key)
    head.close()
    if head.status == 404:
        return None
    ctx.raise_for(head, "NoSuchKey")
    return vl.current_version_id(head.header("content-type") or "")


def archived_row(ctx: S3Context, key: str, vid: str, bucket: Optional[str] = None
                 ) -> Optional[Dict[str, Any]]:
    """The archive row of version ``vid`` of ``key``, or ``None``.

    A version is normally archived under its own id (its timestamp), so
    one HEAD finds it; a version that was brought back and archived again
    (or the ``null`` version) needs a walk down the key's archive.
    """
    bucket = bucket or ctx.bucket
    if vid != vl.NULL_VERSION:
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
    for row in key_versions(ctx, key, bucket):
        if vl.archive_version_id(row) == vid:
            return row
    return None


def locate(ctx: S3Context, key: str, vid: str, bucket: Optional[str] = None
           ) -> Tuple[str, str]:
    """``(container, object)`` holding version ``vid`` of ``key`` in ``bucket``.

    ``NoSuchVersion`` when there is none; a delete marker is
    ``MethodNotAllowed`` (405) with ``x-amz-delete-marker: true``, as S3 answers.
    """
    if uses_object_versioning(ctx, bucket):
        return ov.locate(ctx, key, vid, bucket)
    bucket = bucket or ctx.bucket
    if current_id(ctx, key, bucket) == vid:
        return bucket, key
    row = archived_row(ctx, key, vid, bucket)
    if row is None:
        raise S3Error("NoSuchVersion", "The version %s of %s does not exist." % (vid, key),
                      Key=key, VersionId=vid)
    if vl.is_marker(row.get("content_type", "")):
        err = S3Error("MethodNotAllowed", "The version is a delete marker; it has no "
                      "data.", Method=ctx.method, ResourceType="DeleteMarker")
        err.headers = {"x-amz-delete-marker": "true", "x-amz-version-id": vid}
        raise err
    return versions_container(bucket), row["name"]


def delete_marker_headers(ctx: S3Context, key: str) -> Dict[str, str]:
    """For a GET/HEAD that found no current object: S3's delete-marker headers
    when the key's latest version is a delete marker, else nothing."""
    if bucket_status(ctx) is None:
        return {}
    if uses_object_versioning(ctx):
        return ov.marker_headers(ctx, key)
    row = next(key_versions(ctx, key, page=1), None)
    if row is None or not vl.is_marker(row.get("content_type", "")):
        return {}
    out = {"x-amz-delete-marker": "true", "x-amz-version-id": vl.archive_version_id(row)}
    if row.get("last_modified"):
        out["Last-Modified"] = format_datetime(parse_swift_time(row["last_modified"]),
                                               usegmt=True)
    return out


def copy_stored(ctx: S3Context, src: Tuple[str, str], dst: Tuple[str, str]) -> Any:
    """Copy the object ``src`` to ``dst`` (``(container, key)`` each) as it is
    stored, never archived itself: an encrypted object's ciphertext and
    crypto metadata move untouched (``common.versions.RAW_ENV``), so an
    SSE-C version is kept or brought back without its key. The answer of
    the PUT (or of the GET when the source cannot be read)."""
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


def _promote(ctx: S3Context, key: str) -> None:
    """With no current object, bring the newest archived real version back."""
    if current_id(ctx, key) is not None:
        return
    row = next(key_versions(ctx, key, page=1), None)
    if row is None or vl.is_marker(row.get("content_type", "")):
        return
    name = row["name"]
    resp = copy_stored(ctx, (versions_container(ctx.bucket), name), (ctx.bucket, key))
    if resp.ok:
        ctx.swift.request("DELETE", versions_container(ctx.bucket), name,
                          extra_env=BYPASS).close()


def _delete_suspended(ctx: S3Context, key: str) -> Response:
    """DELETE without a version id in a suspended bucket: the ``null`` version
    goes for good, a real current version is archived, and a ``null`` delete
    marker goes on top (S3's rules for versioning-suspended buckets)."""
    head = ctx.swift.request("HEAD", ctx.bucket, key)
    head.close()
    if head.ok:
        if vl.version_param(head.header("content-type") or "") is not None:
            stamp = head.header("x-timestamp") or Timestamp.now().internal
            put = copy_stored(ctx, (ctx.bucket, key),
                              (versions_container(ctx.bucket), archive_name(key, stamp)))
            ctx.raise_for(put, "NoSuchBucket")
        resp = ctx.swift.request("DELETE", ctx.bucket, key, extra_env=BYPASS)
        resp.close()
        if resp.status != 404:
            ctx.raise_for(resp, "NoSuchKey")
    elif head.status != 404:
        ctx.raise_for(head, "NoSuchKey")
    _drop_archived_null(ctx, key)
    put = ctx.swift.request(
        "PUT", versions_container(ctx.bucket), archive_name(key, Timestamp.now().internal),
        extra_env=BYPASS, headers={"Content-Type": "%s;%s=%s" % (
            DELETE_MARKER_TYPE, VERSION_PARAM, vl.NULL_VERSION)})
    put.close()
    ctx.raise_for(put, "NoSuchBucket")
    out = Response(status=204)
    out.headers["x-amz-delete-marker"] = "true"
    out.headers["x-amz-version-id"] = vl.NULL_VERSION
    return out


def delete(ctx: S3Context, key: str, vid: Optional[str]) -> Response:
    """DeleteObject in a bucket that has (had) versioning.

    Without ``vid``: a delete marker on top (the current version is
    archived by ``versioned_writes``). With ``vid``: that version goes for
    good, and the one below surfaces if it was the latest.
    """
    from objstore.middleware.s3api.locking import bypass_headers, refused
    if uses_object_versioning(ctx):
        return ov.delete(ctx, key, vid, bucket_status(ctx) == SUSPENDED,
                         bypass_headers(ctx) if vid is not None else {})
    out = Response(status=204)
    if vid is None:
        if bucket_status(ctx) == SUSPENDED:
            return _delete_suspended(ctx, key)
        marker = Timestamp.now().internal
        resp = ctx.swift.request("DELETE", ctx.bucket, key, headers={"X-Timestamp": marker})
        resp.close()
        if resp.status == 404:
            put = ctx.swift.request(
                "PUT", versions_container(ctx.bucket), archive_name(key, marker),
                extra_env=BYPASS, headers={"Content-Type": DELETE_MARKER_TYPE})
            put.close()
            ctx.raise_for(put, "NoSuchBucket")
        else:
            ctx.raise_for(resp, "NoSuchKey")
        out.headers["x-amz-delete-marker"] = "true"
        out.headers["x-amz-version-id"] = marker
        return out
    out.headers["x-amz-version-id"] = vid
    lock = bypass_headers(ctx)  # a locked version answers 403 (common/object_lock.py)
    if current_id(ctx, key) == vid:
        resp = ctx.swift.request("DELETE", ctx.bucket, key, extra_env=BYPASS, headers=lock)
        resp.close()
        refused(resp)
        if resp.status != 404:
            ctx.raise_for(resp, "NoSuchKey")
    else:
        row = archived_row(ctx, key, vid, ctx.bucket)
        if row is None:
            return out  # no such version: nothing to do, as S3
        if vl.is_marker(row.get("content_type", "")):
            out.headers["x-amz-delete-marker"] = "true"
        resp = ctx.swift.request("DELETE", versions_container(ctx.bucket), row["name"],
                                 extra_env=BYPASS, headers=lock)
        resp.close()
        refused(resp)
    _promote(ctx, key)
    return out


def list_versions(ctx: S3Context, params: Any, query: Dict[str, str]) -> bytes:
    """The ``ListVersionsResult`` for the bucket (versioned or not), read page
    by page (``version_walk.py``)."""
    from objstore.middleware.s3api.buckets import owner_id
    from objstore.middleware.s3api.version_walk import walk
    ctx.container_head()
    rows: List[vl.Row] = []
    truncated = False
    if uses_object_versioning(ctx):
        walk = ov.walk
    for row in walk(ctx, params, query.get("key-marker", ""),
                    query.get("version-id-marker", "")):
        if len(rows) == params.max_keys:
            truncated = True
            break
        rows.append(row)
    return vl.render_versions(ctx.bucket, params, query, rows, truncated, owner_id(ctx))
