"""DeleteObject and DeleteObjects (the other object operations are in
``objects.py``).

A delete of a multipart object takes its parts along; in a versioned
bucket it is versioning's (a delete marker, or one version for good, whose
parts go with it under the same governance bypass). Conditional deletes
(If-Match, x-amz-if-match-last-modified-time, x-amz-if-match-size, and the
same per key in DeleteObjects) are judged under ``conditions.guarded_delete``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from webob import Response

from objstore.middleware.s3api import checksums, conditions, locking, manifest, versioning
from objstore.middleware.s3api.context import S3Context
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.objects import drop_parts, etag_of, parts_of, response_headers
from objstore.middleware.s3api.request import check_key
from objstore.middleware.s3api.xml import delete_body_limit, parse, render, text_of


def remove(ctx: S3Context, bucket: str, key: str,
           headers: Optional[Dict[str, str]] = None) -> None:
    """Delete an object and, for a multipart object, its parts; absent is
    fine. ``headers``: the Swift DELETE's own (a conditional delete's)."""
    head = ctx.swift.request("HEAD", bucket, key)
    head.close()
    if head.status == 404:
        bucket_head = ctx.swift.request("HEAD", bucket)
        bucket_head.close()
        if bucket_head.status == 404:
            raise S3Error("NoSuchBucket", BucketName=bucket)
        return
    ctx.raise_for(head, "NoSuchKey")
    segments = parts_of(ctx, bucket, key, head)
    resp = ctx.swift.request("DELETE", bucket, key, headers=headers)
    resp.close()
    if resp.status != 404:
        ctx.raise_for(resp, "NoSuchKey")
    drop_parts(ctx, segments)


def _delete_target(ctx: S3Context, key: str, vid: Optional[str], versioned: bool
                   ) -> Optional[conditions.Current]:
    """The object or version a conditional delete of ``key`` judges
    (``None``: there is none, or a delete marker is on top)."""
    container, obj, env = ctx.bucket, key, None
    if versioned and vid is not None:
        try:
            (container, obj), env = versioning.locate(ctx, key, vid), versioning.BYPASS
        except S3Error as err:
            if err.code in ("NoSuchVersion", "MethodNotAllowed"):  # none, a delete marker
                return None
            raise
    head = ctx.swift.request("HEAD", container, obj, extra_env=env)
    head.close()
    if head.status == 404:
        ctx.container_head()
        return None
    ctx.raise_for(head, "NoSuchKey")
    headers, is_manifest = response_headers(head)
    size = head.header(manifest.SIZE_SYSMETA) if is_manifest else head.header("content-length")
    return conditions.Current(etag_of(headers), headers.get("Last-Modified"), int(size or 0))


def _delete_key(ctx: S3Context, key: str, vid: Optional[str], versioned: bool,
                wanted: Dict[str, str]) -> Response:
    """Delete ``key`` (version ``vid``) if the conditions ``wanted`` hold."""
    if not versioned and vid not in (None, "null"):
        raise S3Error("NoSuchVersion", "Versioning was never enabled on this bucket; the "
                      "only version is null.", Key=key, VersionId=vid)
    with conditions.guarded_delete(ctx, key, wanted, lambda: _delete_target(
            ctx, key, vid, versioned)) as backend:
        if versioned:
            # Judged above under the shared lock; versioning's own requests
            # (archive, delete marker) carry no condition.
            parts = _version_parts(ctx, key, vid)
            done = versioning.delete(ctx, key, vid)
            # A version deleted for good takes its parts along (with the
            # same governance bypass: they carry its lock, locking.lock_parts).
            drop_parts(ctx, parts, headers=locking.bypass_headers(ctx))
            return done
        remove(ctx, ctx.bucket, key, backend)
    return Response(status=204)


def _version_parts(ctx: S3Context, key: str, vid: Optional[str]) -> List[manifest.Segment]:
    """The parts of version ``vid`` of ``key`` if it is a multipart object
    (none without a version id: that delete only adds a delete marker)."""
    if vid is None:
        return []
    try:
        container, obj = versioning.locate(ctx, key, vid)
    except S3Error:
        return []  # no such version, or a delete marker: versioning.delete answers
    head = ctx.swift.request("HEAD", container, obj, extra_env=versioning.BYPASS)
    head.close()
    return parts_of(ctx, container, obj, head, owner=(ctx.bucket, key))


def delete_object(ctx: S3Context) -> Response:
    """DeleteObject: 204 whether or not the key existed; conditional with
    ``If-Match``, ``x-amz-if-match-last-modified-time``, ``x-amz-if-match-size``."""
    check_key(ctx.key)
    return _delete_key(ctx, ctx.key, ctx.query.get("versionId"),
                       versioning.bucket_status(ctx) is not None, ctx.headers)


# DeleteObjects' per-object conditions, as DeleteObject's headers.
_OBJECT_CONDITIONS = {"ETag": "if-match", "LastModifiedTime":
                      "x-amz-if-match-last-modified-time", "Size": "x-amz-if-match-size"}


def delete_objects(ctx: S3Context) -> Response:
    """DeleteObjects: up to 1000 keys, quiet or verbose. S3 demands an
    integrity check of the key list (Content-MD5 or an x-amz-checksum-*)."""
    checksums.require_integrity_header(ctx.headers)
    body = ctx.read_small_body(delete_body_limit(ctx.conf.max_multi_delete_objects))
    doc = parse(body, "Delete")
    quiet = (text_of(doc, "Quiet", "false") or "").strip().lower() == "true"
    keys = [(text_of(o, "Key", "") or "", text_of(o, "VersionId"),
             {header: (text_of(o, tag) or "").strip()
              for tag, header in _OBJECT_CONDITIONS.items() if o.find(tag) is not None})
            for o in doc.findall("Object")]
    if not keys or len(keys) > ctx.conf.max_multi_delete_objects:
        raise S3Error("MalformedXML", "Give between 1 and %d objects to delete."
                      % ctx.conf.max_multi_delete_objects)
    if any(not key for key, _v, _w in keys):
        raise S3Error("UserKeyMustBeSpecified")  # nothing is deleted
    versioned = versioning.bucket_status(ctx) is not None
    results: List[Any] = []
    authorize_key = ctx.extra.get("authorize_key")  # the bucket policy, per key (access.py)
    for key, version, wanted in keys:
        try:
            if authorize_key is not None:
                authorize_key(key, version)
            extra: List[Any] = [("VersionId", version)] if version else []
            done = _delete_key(ctx, key, version, versioned, wanted)
            if versioned and done.headers.get("x-amz-delete-marker") == "true":
                extra.append(("DeleteMarker", True))
                if version is None:
                    extra.append(("DeleteMarkerVersionId", done.headers["x-amz-version-id"]))
            if not quiet:
                results.append(("Deleted", [("Key", key)] + extra))
        except S3Error as err:
            # S3 names the version it refused to delete, as in Deleted.
            results.append(("Error", [("Key", key)] +
                            ([("VersionId", version)] if version else []) +
                            [("Code", err.code), ("Message", err.message)]))
    out = Response(status=200, body=render("DeleteResult", results),
                   content_type="application/xml", charset=None)
    return out
