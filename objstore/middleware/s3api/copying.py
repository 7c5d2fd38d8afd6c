"""CopyObject, and reading the copy source of CopyObject and UploadPartCopy.

``x-amz-copy-source`` names ``[/]<bucket>/<key>[?versionId=<id>]``; a
version id is looked up like a GET's (current object or the archive). The
copy streams the source (a multipart source is read part by part) into a
new object: metadata copied or replaced (``x-amz-metadata-directive``),
``x-amz-copy-source-if-*`` checked against the source.

As S3 does, the copy keeps the source's tags unless
``x-amz-tagging-directive: REPLACE`` gives new ones (``x-amz-tagging``),
and keeps the source's checksum (value and type, a multipart source's
composite one included) unless ``x-amz-checksum-algorithm`` asks for
another, which is then computed over the copied bytes; a source without
one gets S3's default CRC64NVME the same way.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple
from urllib.parse import parse_qsl, unquote

from webob import Response

from objstore.common.subrequest import IterReader
from objstore.middleware.s3api import (acl, bucket_encryption, checksums, conditions, locking,
                                       manifest, sse, versioning)
from objstore.middleware.s3api.context import S3Context, from_timestamp, iso8601
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.objects import (
    CHECKSUM_SYSMETA, CHECKSUM_TRANSIENT, PASS_HEADERS, STORAGE_CLASS_SYSMETA, SWIFT_META,
    TAGGING_SYSMETA, current_etag, etag_of, drop_parts, metadata_headers, open_object,
    replaced_parts, written_expiration)
from objstore.middleware.s3api.version_listing import stored_version_id
from objstore.middleware.s3api.request import check_key
from objstore.middleware.s3api.subrequest import SwiftResponse
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
    asked = _asked_algorithm(ctx)
    same = (src_bucket, src_key) == (ctx.bucket, ctx.key)
    if same and directive == "COPY" and not any(
            h in ctx.headers for h in ("x-amz-storage-class", "x-amz-tagging",
                                       sse.SSE_HEADER, sse.ALGORITHM_HEADER)):
        raise S3Error("InvalidRequest", "This copy request is illegal because it is trying "
                      "to copy an object to itself without changing the object's metadata, "
                      "storage class or encryption attributes.")
    status, src_headers, body, src_resp = open_object(ctx, src_bucket, src_key, None,
                                                      customer=sse.source_key(ctx))
    if src_vid is None:
        # S3 names the version it copied, the current one when none was asked
        src_vid = stored_version_id(src_resp.headers)
    try:
        conditions.check(ctx.headers, etag_of(src_headers), src_headers.get("Last-Modified"),
                         prefix="x-amz-copy-source-")
    except S3Error:
        getattr(body, "close", lambda: None)()
        raise
    if directive == "REPLACE":
        headers = metadata_headers(ctx.headers)
    else:
        # The copy's class is the one the request asks for, else STANDARD
        # (as AWS), never the source's.
        skip = (manifest.MANIFEST_SYSMETA, manifest.ETAG_SYSMETA, manifest.SIZE_SYSMETA,
                manifest.UPLOAD_ID_SYSMETA, STORAGE_CLASS_SYSMETA)
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
    # The copy's ACL is the request's (private by default), never the source's.
    headers[acl.OBJECT_SYSMETA] = acl.from_headers(ctx.headers, "").encode()
    headers.update(locking.write_headers(ctx))  # the copy's lock is the request's
    bucket_encryption.object_bucket_key(ctx, headers)  # and its Bucket Key
    _copy_tags(ctx, headers, src_resp)
    wanted = _checksum_of_copy(asked, headers, src_resp)
    source, (body, computed) = body, checksums.computing(wanted, body)
    length = int(src_headers.get("Content-Length", "0"))
    headers["Content-Type"] = manifest.with_storage_class(manifest.split_content_type(
        headers.get("Content-Type", "application/octet-stream"))[0],
        headers.get(STORAGE_CLASS_SYSMETA))
    try:
        # If-Match / If-None-Match judge the destination, as on PutObject.
        with conditions.guarded_write(ctx, headers, lambda: current_etag(
                ctx, ctx.bucket, ctx.key)):
            vid, extra_env = versioning.prepare_write(ctx, ctx.key, headers)
            old = replaced_parts(ctx, extra_env)
            resp = ctx.swift.request("PUT", ctx.bucket, ctx.key, headers=headers,
                                     body=IterReader(body), content_length=length,
                                     extra_env=dict(extra_env, **sse.write_env(ctx, headers)))
            resp.close()
            if resp.status == 404:
                raise S3Error("NoSuchBucket", BucketName=ctx.bucket)
            ctx.raise_for(resp, "NoSuchBucket")
    finally:
        getattr(source, "close", lambda: None)()
    versioning.finish_write(ctx, ctx.key)
    drop_parts(ctx, old)
    nodes = [("Checksum" + alg, value) for alg, value in _stored_checksum(headers).items()]
    if computed():
        post = {k: v for k, v in headers.items() if k.lower() not in (
            "x-timestamp", "if-none-match", conditions.BACKEND_IF_MATCH.lower(),
            conditions.ETAG_IS_AT.lower())}
        post.update({CHECKSUM_TRANSIENT + alg.lower(): value
                     for alg, value in computed().items()})
        ctx.swift.request("POST", ctx.bucket, ctx.key, headers=post).close()
        nodes = [("Checksum" + alg, value) for alg, value in computed().items()]
    if nodes:
        nodes.append(("ChecksumType", headers.get(CHECKSUM_SYSMETA + "type",
                                                  checksums.FULL_OBJECT)))
    etag = (resp.header("etag") or "").strip('"')
    modified = from_timestamp(resp.header("x-timestamp") or "")
    if not resp.header("x-timestamp"):
        from datetime import datetime, timezone
        modified = datetime.now(timezone.utc)
    out = Response(status=200, content_type="application/xml", charset=None,
                   body=render("CopyObjectResult", [("LastModified", iso8601(modified)),
                                                    ("ETag", '"%s"' % etag)] + nodes))
    out.headers.update(sse.bucket_key_headers(headers))
    expiration = written_expiration(ctx, ctx.key, length, headers, resp)
    if expiration:
        out.headers["x-amz-expiration"] = expiration
    vid = versioning.written_id(vid, resp)
    if vid:
        out.headers["x-amz-version-id"] = vid
    if src_vid:
        out.headers["x-amz-copy-source-version-id"] = src_vid
    return out



def _copy_tags(ctx: S3Context, headers: Dict[str, str], src_resp: SwiftResponse) -> None:
    """The copy's tags: the source's (``x-amz-tagging-directive: COPY``, the
    default) or the request's ``x-amz-tagging`` (``REPLACE``)."""
    for name in [n for n in headers if n.lower() == TAGGING_SYSMETA]:
        headers.pop(name)
    if ctx.headers.get("x-amz-tagging-directive", "COPY").strip().upper() == "REPLACE":
        if "x-amz-tagging" in ctx.headers:
            from objstore.middleware.s3api.tagging import parse_query_tags
            headers[TAGGING_SYSMETA] = parse_query_tags(ctx.headers["x-amz-tagging"])
    elif src_resp.header(TAGGING_SYSMETA):
        headers[TAGGING_SYSMETA] = src_resp.header(TAGGING_SYSMETA) or ""


def _source_checksums(src_resp: SwiftResponse) -> Dict[str, str]:
    """``{name: value}`` of the source's checksum sysmeta (the algorithm's
    value, under the sysmeta name, and its type)."""
    found = {}
    for name, value in src_resp.headers.items():
        for prefix in (CHECKSUM_SYSMETA, CHECKSUM_TRANSIENT):
            rest = name[len(prefix):] if name.startswith(prefix) else ""
            if rest.upper() in checksums.ALGORITHMS or rest == "type":
                found[CHECKSUM_SYSMETA + rest] = value
    return found


def _asked_algorithm(ctx: S3Context) -> str:
    """The copy's ``x-amz-checksum-algorithm`` (empty if none); ``InvalidRequest``
    for one S3 does not have."""
    asked = ctx.headers.get("x-amz-checksum-algorithm", "").strip().upper()
    if asked and asked not in checksums.ALGORITHMS:
        raise S3Error("InvalidRequest", "Checksum algorithm %r is not supported; use one of "
                      "%s." % (asked, ", ".join(checksums.ALGORITHMS)))
    return asked


def _checksum_of_copy(asked: str, headers: Dict[str, str], src_resp: SwiftResponse
                      ) -> Optional[str]:
    """Put the source's checksum into ``headers`` when the copy keeps it;
    else the algorithm to compute over the copied bytes."""
    for name in [n for n in headers if n.lower().startswith(
            (CHECKSUM_SYSMETA, CHECKSUM_TRANSIENT))]:
        headers.pop(name)
    kept = _source_checksums(src_resp)
    if asked or not any(n != CHECKSUM_SYSMETA + "type" for n in kept):
        return asked or checksums.DEFAULT_ALGORITHM
    headers.update(kept)
    return None


def _stored_checksum(headers: Dict[str, str]) -> Dict[str, str]:
    """``{algorithm: value}`` of the checksum ``headers`` store."""
    return {name[len(CHECKSUM_SYSMETA):].upper(): value for name, value in headers.items()
            if name.startswith(CHECKSUM_SYSMETA)
            and name[len(CHECKSUM_SYSMETA):].upper() in checksums.ALGORITHMS}
