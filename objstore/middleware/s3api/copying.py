"""CopyObject, and reading the copy source of CopyObject and UploadPartCopy.

``x-amz-copy-source`` names ``[/]<bucket>/<key>[?versionId=<id>]``; a
version id is looked up like a GET's (current object or the archive). The
copy streams the source (a multipart source is read part by part) into a
new object: metadata copied or replaced (``x-amz-metadata-directive``),
``x-amz-copy-source-if-*`` checked against the source.
"""

from __future__ import annotations

from typing import Optional, Tuple
from urllib.parse import parse_qsl, unquote

from webob import Response

from objstore.common.subrequest import IterReader
from objstore.middleware.s3api import conditions, manifest, versioning
from objstore.middleware.s3api.context import S3Context, from_timestamp, iso8601
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.objects import (
    CHECKSUM_SYSMETA, CHECKSUM_TRANSIENT, PASS_HEADERS, STORAGE_CLASS_SYSMETA, SWIFT_META,
    etag_of, drop_parts, metadata_headers, open_object, replaced_parts)
from objstore.middleware.s3api.request import check_key
from objstore.middleware.s3api.xml import render


def parse_copy_source(value: str) -> Tuple[str, str, Optional[str]]:
    """``(bucket, key, version id or None)`` of ``x-amz-copy-source``
    (``[/]<bucket>/<key>[?versionId=<id>]``, URL-encoded)."""
    path, _, query = value.partition("?")
    vid = None
    for name, param in parse_qsl(query, keep_blank_values=True):
        if name != "versionId" or not param:
            raise S3Error("InvalidArgument", "x-amz-copy-source takes only a versionId "
                          "parameter.", ArgumentName="x-amz-copy-source", ArgumentValue=value)
        vid = param
    bucket, sep, key = unquote(path).lstrip("/").partition("/")
    if not sep or not bucket or not key:
        raise S3Error("InvalidArgument", "x-amz-copy-source must be <bucket>/<key>.",
                      ArgumentName="x-amz-copy-source", ArgumentValue=value)
    return bucket, key, vid


def copy_source(ctx: S3Context) -> Tuple[str, str, Optional[str]]:
    """``(container, object, version id or None)`` to read for a copy.

    A ``versionId`` names the current object or an archived version; one
    naming a delete marker is ``InvalidRequest``, as S3 answers.
    """
    bucket, key, vid = parse_copy_source(ctx.headers["x-amz-copy-source"])
    if vid is None:
        return bucket, key, None
    try:
        container, obj = versioning.locate(ctx, key, vid, bucket)
    except S3Error as err:
        if err.code == "MethodNotAllowed":
            raise S3Error("InvalidRequest", "The source of a copy request may not "
                          "specifically refer to a delete marker by version id.") from None
        raise
    return container, obj, vid


def copy_object(ctx: S3Context) -> Response:
    """CopyObject with metadata directive and ``x-amz-copy-source-if-*``."""
    check_key(ctx.key)
    src_bucket, src_key, src_vid = copy_source(ctx)
    directive = ctx.headers.get("x-amz-metadata-directive", "COPY").upper()
    if directive not in ("COPY", "REPLACE"):
        raise S3Error("InvalidArgument", "x-amz-metadata-directive must be COPY or REPLACE.",
                      ArgumentName="x-amz-metadata-directive")
    same = (src_bucket, src_key) == (ctx.bucket, ctx.key)
    if same and directive == "COPY" and not any(
            h in ctx.headers for h in ("x-amz-storage-class", "x-amz-tagging")):
        raise S3Error("InvalidRequest", "This copy request is illegal because it is trying "
                      "to copy an object to itself without changing the object's metadata, "
                      "storage class or encryption attributes.")
    status, src_headers, body, src_resp = open_object(ctx, src_bucket, src_key, None)
    try:
        conditions.check(ctx.headers, etag_of(src_headers), src_headers.get("Last-Modified"),
                         prefix="x-amz-copy-source-")
    except S3Error:
        getattr(body, "close", lambda: None)()
        raise
    if directive == "REPLACE":
        headers = metadata_headers(ctx.headers)
    else:
        skip = (manifest.MANIFEST_SYSMETA, manifest.ETAG_SYSMETA, manifest.SIZE_SYSMETA,
                manifest.UPLOAD_ID_SYSMETA)
        headers = {name: value for name, value in src_resp.headers.items()
                   if name.startswith((SWIFT_META, CHECKSUM_TRANSIENT))
                   or (name.startswith("x-object-sysmeta-s3api-") and name not in skip)}
        headers["Content-Type"] = src_headers.get("Content-Type", "application/octet-stream")
        for name in PASS_HEADERS:
            if name.title() in src_headers:
                headers[name.title()] = src_headers[name.title()]
        if "x-amz-storage-class" in ctx.headers:
            headers.update({k: v for k, v in metadata_headers(ctx.headers).items()
                            if k == STORAGE_CLASS_SYSMETA})
    for name in list(headers):
        if name.lower().startswith(CHECKSUM_TRANSIENT):
            headers[CHECKSUM_SYSMETA + name[len(CHECKSUM_TRANSIENT):]] = headers.pop(name)
    for name in list(headers):
        # The copy is one object: a multipart object's checksum of its
        # parts' checksums does not describe it.
        if name.lower() == CHECKSUM_SYSMETA + "type" or (
                name.lower().startswith(CHECKSUM_SYSMETA) and "-" in headers[name]):
            headers.pop(name)
    length = int(src_headers.get("Content-Length", "0"))
    headers["Content-Type"] = manifest.split_content_type(
        headers.get("Content-Type", "application/octet-stream"))[0]
    vid, extra_env = versioning.prepare_write(ctx, ctx.key, headers)
    old = replaced_parts(ctx, extra_env)
    resp = ctx.swift.request("PUT", ctx.bucket, ctx.key, headers=headers,
                             body=IterReader(body), content_length=length,
                             extra_env=extra_env)
    resp.close()
    if resp.status == 404:
        raise S3Error("NoSuchBucket", BucketName=ctx.bucket)
    ctx.raise_for(resp, "NoSuchBucket")
    versioning.finish_write(ctx, ctx.key)
    drop_parts(ctx, old)
    etag = (resp.header("etag") or "").strip('"')
    modified = from_timestamp(resp.header("x-timestamp") or "")
    if not resp.header("x-timestamp"):
        from datetime import datetime, timezone
        modified = datetime.now(timezone.utc)
    out = Response(status=200, content_type="application/xml", charset=None,
                   body=render("CopyObjectResult", [("LastModified", iso8601(modified)),
                                                    ("ETag", '"%s"' % etag)]))
    if vid:
        out.headers["x-amz-version-id"] = vid
    if src_vid:
        out.headers["x-amz-copy-source-version-id"] = src_vid
    return out

