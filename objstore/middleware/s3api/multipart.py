"""Multipart uploads, kept in the hidden ``<bucket>+segments`` container
(the layout and the two listings are in ``uploads.py``).

Completing writes a manifest at ``bucket/key`` (``manifest.py``) whose ETag
is the MD5 of the parts' binary MD5s followed by ``-<count>``, then drops
the marker and any part that was not used.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any, Dict, List, Optional, Tuple

from webob import Response

from objstore.middleware.s3api import (bucket_encryption, checksums, conditions, locking,
                                       manifest, sse, versioning)
from objstore.middleware.s3api import multipart_checksums as mpc
from objstore.middleware.s3api.buckets import check_bucket, xml_response
from objstore.middleware.s3api.context import S3Context, iso8601
from objstore.middleware.s3api.errors import S3Error
from objstore.common.subrequest import IterReader
from objstore.middleware import slo_s3
from objstore.middleware.slo_get import SLO_HEADER
from objstore.middleware.s3api.copying import copy_source
from objstore.middleware.s3api.objects import (
    CHECKSUM_SYSMETA, CHECKSUM_TRANSIENT, current_etag, drop_parts,
    mark_manifests, metadata_headers, open_object, replaced_parts, store,
    written_expiration)
from objstore.middleware.s3api.deletes import remove
from objstore.middleware.s3api.request import check_key
from objstore.middleware.s3api.uploads import (  # noqa: F401 (list_* are routed from here)
    iter_parts, list_parts, list_uploads, marker_name, new_upload_id, part_name,
    read_marker, segments_container, upload_id_of)
from objstore.middleware.s3api.version_listing import stored_version_id
from objstore.middleware.s3api.xml import complete_body_limit, parse, render, text_of

UPLOAD_SYSMETA = "X-Object-Sysmeta-S3api-Upload"
_COPY_RANGE_RE = re.compile(r"^bytes=(\d+)-(\d+)$")


def _part_number(ctx: S3Context) -> int:
    text = ctx.query.get("partNumber", "")
    if not text.isdigit() or not 1 <= int(text) <= ctx.conf.max_upload_part_num:
        raise S3Error("InvalidArgument", "Part number must be an integer between 1 and %d."
                      % ctx.conf.max_upload_part_num, ArgumentName="partNumber",
                      ArgumentValue=text)
    return int(text)


def create_upload(ctx: S3Context) -> Response:
    """CreateMultipartUpload: make the segments container and the marker."""
    check_bucket(ctx)
    check_key(ctx.key)
    headers = metadata_headers(ctx.headers)
    headers.update(mpc.upload_settings(ctx.headers))
    headers.update(locking.upload_headers(ctx))
    bucket_encryption.object_bucket_key(ctx, headers)
    ctx.container_head()
    resp = ctx.swift.request("PUT", segments_container(ctx),
                             headers=locking.segments_headers(ctx))
    resp.close()
    ctx.raise_for(resp, "NoSuchBucket")
    upload_id = new_upload_id()
    headers[UPLOAD_SYSMETA] = "1"
    resp = ctx.swift.request("PUT", segments_container(ctx), marker_name(ctx.key, upload_id),
                             headers=headers, body=b"", extra_env=sse.write_env(ctx, headers))
    resp.close()
    ctx.raise_for(resp, "NoSuchBucket")
    out = xml_response(render("InitiateMultipartUploadResult", [
        ("Bucket", ctx.bucket), ("Key", ctx.key), ("UploadId", upload_id)]))
    out.headers.update(mpc.response_headers({k.lower(): v for k, v in headers.items()}))
    out.headers.update(sse.bucket_key_headers(headers))
    return out


def upload_part(ctx: S3Context) -> Response:
    """UploadPart: the verified body becomes ``<key>/<upload>/<part>``."""
    number = _part_number(ctx)
    upload_id = upload_id_of(ctx)
    marker = read_marker(ctx, upload_id)
    sse.check_key(marker.get(sse.SYSMETA), sse.request_key(ctx), upload=True)
    reader = ctx.body_reader(mpc.default_part_algorithm(marker), length_required=True)
    up_front = None
    if reader.algorithm and not getattr(reader, "trailer_checksum", False):
        up_front = reader._expected_checksum() or ""
    headers = {"Content-Type": mpc.part_content_type(marker, reader.algorithm, up_front)}
    if up_front is not None and reader.algorithm:
        headers[CHECKSUM_SYSMETA + reader.algorithm.lower()] = up_front
    resp = store(ctx, segments_container(ctx), part_name(ctx.key, upload_id, number), headers,
                 reader, sse.write_env(ctx, headers), late_headers=lambda algorithm, value: {
                     "Content-Type": mpc.part_content_type(marker, algorithm, value)})
    out = Response(status=200)
    out.headers["ETag"] = '"%s"' % (resp.header("etag") or reader.etag).strip('"')
    if reader.checksum_value and reader.algorithm:
        out.headers[checksums.header_name(reader.algorithm)] = reader.checksum_value
    return out


def upload_part_copy(ctx: S3Context) -> Response:
    """UploadPartCopy, with ``x-amz-copy-source-range``."""
    number = _part_number(ctx)
    upload_id = upload_id_of(ctx)
    marker = read_marker(ctx, upload_id)
    sse.check_key(marker.get(sse.SYSMETA), sse.request_key(ctx), upload=True)
    src_bucket, src_key, src_vid = copy_source(ctx)
    range_header, match = None, None
    if "x-amz-copy-source-range" in ctx.headers:
        match = _COPY_RANGE_RE.match(ctx.headers["x-amz-copy-source-range"].strip())
        if not match or int(match.group(1)) > int(match.group(2)):
            raise S3Error("InvalidArgument", "x-amz-copy-source-range must be "
                          "bytes=<first>-<last>.", ArgumentName="x-amz-copy-source-range")
        range_header = ctx.headers["x-amz-copy-source-range"].strip()
    try:
        status, headers, body, _ = open_object(ctx, src_bucket, src_key, range_header,
                                               customer=sse.source_key(ctx))
    except S3Error as err:
        if err.code == "InvalidRange":
            raise _bad_copy_range(ctx, err.extra.get("ActualObjectSize")) from None
        raise
    from objstore.middleware.s3api import conditions
    try:
        conditions.check(ctx.headers, headers.get("ETag", "").strip('"'),
                         headers.get("Last-Modified"), prefix="x-amz-copy-source-")
        if range_header:
            size = headers.get("Content-Range", "").rpartition("/")[2]
            if status != 206 or (match is not None and size.isdigit()
                                 and int(match.group(2)) >= int(size)):
                raise _bad_copy_range(ctx, size)
    except S3Error:
        getattr(body, "close", lambda: None)()
        raise
    length = int(headers.get("Content-Length", "0"))
    body, computed = mpc.running(marker, body)
    name = part_name(ctx.key, upload_id, number)
    part_headers = {"Content-Type": mpc.PART_TYPE}
    resp = ctx.swift.request("PUT", segments_container(ctx), name, headers=part_headers,
                             body=IterReader(body), content_length=length,
                             extra_env=sse.write_env(ctx, part_headers))
    resp.close()
    ctx.raise_for(resp, "NoSuchUpload")
    nodes = []
    for algorithm, value in computed().items():
        ctx.swift.request("POST", segments_container(ctx), name, headers={
            "Content-Type": mpc.part_content_type(marker, algorithm, value),
            CHECKSUM_TRANSIENT + algorithm.lower(): value}).close()
        nodes.append(("Checksum" + algorithm, value))
    etag = (resp.header("etag") or "").strip('"')
    from datetime import datetime, timezone
    out = xml_response(render("CopyPartResult", [
        ("LastModified", iso8601(datetime.now(timezone.utc))), ("ETag", '"%s"' % etag)]
        + nodes))
    if src_vid:
        out.headers["x-amz-copy-source-version-id"] = src_vid
    return out


def _bad_copy_range(ctx: S3Context, size: Optional[str]) -> S3Error:
    """S3's answer to a copy range outside the source: 400, not GET's 416."""
    return S3Error("InvalidArgument", "Range specified is not valid for source object of "
                   "size: %s" % (size or "unknown"), ArgumentName="x-amz-copy-source-range",
                   ArgumentValue=ctx.headers.get("x-amz-copy-source-range", ""))


def _requested_parts(body: bytes) -> List[Tuple[int, str, Dict[str, str]]]:
    """``[(part number, ETag, {checksum algorithm: value})]`` of a Complete document."""
    doc = parse(body, "CompleteMultipartUpload")
    parts = []
    for part in doc.findall("Part"):
        number_text = text_of(part, "PartNumber", "") or ""
        if not number_text.isdigit():
            raise S3Error("MalformedXML", "Each Part needs a numeric PartNumber.")
        listed = {alg: (text_of(part, "Checksum" + alg) or "").strip()
                  for alg in checksums.ALGORITHMS if part.find("Checksum" + alg) is not None}
        if part.find("ETag") is None:
            raise S3Error("MalformedXML")  # S3 demands the ETag of every part
        parts.append((int(number_text), (text_of(part, "ETag", "") or "").strip().strip('"'),
                      listed))
    if not parts:
        raise S3Error("MalformedXML", "The CompleteMultipartUpload document lists no parts.")
    numbers = [n for n, _, _ in parts]
    if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
        raise S3Error("InvalidPartOrder")
    return parts


def complete_upload(ctx: S3Context) -> Response:
    """CompleteMultipartUpload: check the parts, write the manifest, clean up."""
    upload_id = upload_id_of(ctx)
    # x-amz-checksum-* on Complete describe the object, not this XML body.
    body_ctx = dataclasses.replace(ctx, headers={
        k: v for k, v in ctx.headers.items() if not checksums.algorithm_of_header(k)})
    try:
        marker = read_marker(ctx, upload_id)
    except S3Error as err:
        if err.code != "NoSuchUpload":
            raise
        try:
            again = _requested_parts(body_ctx.read_small_body(
                complete_body_limit(ctx.conf.max_upload_part_num)))
        except S3Error:
            raise err from None
        done = _completed(ctx, upload_id, [etag for _, etag, _ in again])
        if done is None:
            raise
        return done
    sse.check_key(marker.get(sse.SYSMETA), sse.request_key(ctx), upload=True,
                  required=False)
    requested = _requested_parts(body_ctx.read_small_body(
        complete_body_limit(ctx.conf.max_upload_part_num)))
    stored = {p["part_number"]: p for p in iter_parts(ctx, upload_id)}
    segments: List[manifest.Segment] = []
    chosen: List[Tuple[Dict[str, Any], Dict[str, str]]] = []
    for index, (number, etag, listed) in enumerate(requested):
        part = stored.get(number)
        if part is None or etag != part.get("hash"):
            raise S3Error("InvalidPart", UploadId=upload_id, PartNumber=str(number),
                          ETag=etag)
        size = int(part.get("bytes", 0))
        if index < len(requested) - 1 and size < ctx.conf.min_segment_size:
            raise S3Error("EntityTooSmall", "Part %d is %d bytes; all parts but the last must "
                          "be at least %d bytes." % (number, size, ctx.conf.min_segment_size),
                          ProposedSize=str(size), MinSizeAllowed=str(ctx.conf.min_segment_size),
                          PartNumber=str(number))
        segments.append(manifest.Segment("%s/%s" % (segments_container(ctx), part["name"]),
                                         part["hash"], size))
        chosen.append((part, listed))
    checksum_sysmeta, checksum_nodes, part_checksums = mpc.object_checksum(
        ctx, marker, segments_container(ctx), chosen)
    for segment, part_checksum in zip(segments, part_checksums):
        segment.checksum = part_checksum
    etag = manifest.multipart_etag([s.etag for s in segments])
    total = sum(s.size for s in segments)
    declared = ctx.headers.get("x-amz-mp-object-size")
    if declared is not None and declared.strip() != str(total):
        raise S3Error("InvalidRequest", "x-amz-mp-object-size is %s but the parts add up to "
                      "%d bytes." % (declared, total))
    headers = {name: value for name, value in marker.items()
               if name.startswith(("x-object-meta-", "x-object-sysmeta-s3api-",
                                   "x-object-transient-sysmeta-s3api-"))
               and name not in (UPLOAD_SYSMETA.lower(), mpc.ALGORITHM_SYSMETA.lower(),
                                mpc.TYPE_SYSMETA.lower())}
    headers.update(checksum_sysmeta)
    locking.completed_headers(ctx, headers)
    for name in ("content-disposition", "content-encoding", "content-language",
                 "cache-control", "expires"):
        if marker.get(name):
            headers[name] = marker[name]
    # A static large object, as Swift's s3api stores it (slo_s3 explains how).
    headers["Content-Type"] = marker.get("content-type") or "application/octet-stream"
    headers[SLO_HEADER] = "True"
    headers[manifest.MANIFEST_SYSMETA] = "1"
    headers[manifest.UPLOAD_ID_SYSMETA] = upload_id
    headers[manifest.ETAG_SYSMETA] = etag
    headers[manifest.SIZE_SYSMETA] = str(total)
    # the size the listing will show: what the bucket's quota judges (the
    # quota middlewares see this PUT before slo does)
    headers["X-Object-Sysmeta-Container-Update-Override-Size"] = str(total)
    body = slo_s3.stored_manifest([part for part, _listed in chosen], segments_container(ctx))
    with conditions.guarded_write(ctx, headers, lambda: current_etag(
            ctx, ctx.bucket, ctx.key)):
        vid, extra_env = versioning.prepare_write(ctx, ctx.key, headers)
        # In a versioned bucket the old parts belong to the archived version.
        old = replaced_parts(ctx, extra_env, known_manifests=False)
        locking.lock_parts(ctx, segments, headers)  # before the manifest that needs them
        resp = ctx.swift.request("PUT", ctx.bucket, ctx.key, headers=headers, body=body,
                                 extra_env=dict(extra_env, **{slo_s3.S3_WRITE_ENV: True}))
        resp.close()
        ctx.raise_for(resp, "NoSuchBucket")
    versioning.finish_write(ctx, ctx.key)
    used = {s.obj for s in segments}
    for number, part in stored.items():
        if part["name"] not in used:
            ctx.swift.request("DELETE", segments_container(ctx), part["name"]).close()
    ctx.swift.request("DELETE", segments_container(ctx),
                      marker_name(ctx.key, upload_id)).close()
    drop_parts(ctx, old, keep=used)
    if not ctx.extra.get("has_manifests"):
        mark_manifests(ctx)
    out = _complete_result(ctx, etag, versioning.written_id(vid, resp), checksum_nodes,
                           marker)
    expiration = written_expiration(ctx, ctx.key, total, headers, resp)
    if expiration:
        out.headers["x-amz-expiration"] = expiration
    return out


def _complete_result(ctx: S3Context, etag: str, vid: Optional[str],
                     checksum_nodes: List[Tuple[str, str]], stored: Any) -> Response:
    out = xml_response(render("CompleteMultipartUploadResult", [
        ("Location", "/%s/%s" % (ctx.bucket, ctx.key)), ("Bucket", ctx.bucket),
        ("Key", ctx.key), ("ETag", '"%s"' % etag)] + list(checksum_nodes)))
    out.headers.update(sse.bucket_key_headers(stored))
    if vid:
        out.headers["x-amz-version-id"] = vid
    return out


def _completed(ctx: S3Context, upload_id: str, part_etags: List[str]
               ) -> Optional[Response]:
    """The answer to a repeated Complete of ``upload_id``, if it made the current
    object from the same parts (``part_etags``).

    Clients retry Complete when the first answer was lost; S3 answers the
    retry with the same result, so this is the loss-free path. Once the
    object was overwritten or deleted, or when the retry lists other parts,
    the upload is simply gone (NoSuchUpload).
    """
    head = ctx.swift.request("HEAD", ctx.bucket, ctx.key)
    head.close()
    if not head.ok or head.header(manifest.UPLOAD_ID_SYSMETA) != upload_id:
        return None
    try:
        wanted = manifest.multipart_etag(part_etags)
    except ValueError:
        return None  # an ETag that is not an MD5 names no part
    if (head.header(manifest.ETAG_SYSMETA) or "").strip('"') != wanted:
        return None
    nodes = []
    kind = head.header(mpc.TYPE_SYSMETA.lower())
    for algorithm in checksums.ALGORITHMS:
        value = head.header("x-object-sysmeta-s3api-checksum-" + algorithm.lower())
        if value and kind:
            nodes = [("Checksum" + algorithm, value), ("ChecksumType", kind)]
    return _complete_result(ctx, head.header(manifest.ETAG_SYSMETA) or "",
                            stored_version_id(head.headers), nodes,
                            head.headers)


def abort_upload(ctx: S3Context) -> Response:
    """AbortMultipartUpload: drop the parts and the marker."""
    upload_id = upload_id_of(ctx)
    read_marker(ctx, upload_id)
    for part in list(iter_parts(ctx, upload_id)):
        ctx.swift.request("DELETE", segments_container(ctx), part["name"]).close()
    ctx.swift.request("DELETE", segments_container(ctx),
                      marker_name(ctx.key, upload_id)).close()
    return Response(status=204)


__all__ = ["create_upload", "upload_part", "upload_part_copy", "list_parts", "list_uploads",
           "complete_upload", "abort_upload", "remove", "json"]
