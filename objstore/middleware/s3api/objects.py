"""Object operations: PutObject, GetObject, HeadObject (CopyObject is in
``copying.py``, DeleteObject and DeleteObjects in ``deletes.py``).

An S3 object is a Swift object; user metadata ``x-amz-meta-*`` is
``X-Object-Meta-*``; what Swift has no header for (the checksum, canned
ACL, tags, storage class) is object sysmeta. Multipart objects are
manifests (``manifest.py``) resolved here on GET.
"""

from __future__ import annotations

import email.utils
import time

from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from webob import Response

from objstore.common import footers, s3_layout
from objstore.common.info import get_container_info
from objstore.common.s3_layout import TAGGING_SYSMETA  # noqa: F401 (s3api's name for it)
from objstore.common.tiering.config import TIER_STORAGE_CLASS
from objstore.middleware.s3api import (acl, bucket_encryption, checksums, conditions,
                                       manifest, metadata, sse, versioning)
from objstore.middleware.s3api.body import VerifyingReader
from objstore.middleware.s3api.context import SEGMENTS_SUFFIX, S3Context
from objstore.middleware.s3api import errors
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.request import check_key
from objstore.middleware.s3api.subrequest import SwiftResponse
from objstore.middleware.s3api import expiry, lifecycle, locking, version_listing

META_PREFIX = "x-amz-meta-"
SWIFT_META = "x-object-meta-"
CHECKSUM_SYSMETA = "x-object-sysmeta-s3api-checksum-"
CHECKSUM_TRANSIENT = "x-object-transient-sysmeta-s3api-checksum-"
STORAGE_CLASS_SYSMETA = "x-object-sysmeta-s3api-storage-class"
STORAGE_CLASSES = ("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
                   "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR")
# Stored with the object and answered back; X-Robots-Tag is Swift's (its s3api
# keeps it too), the rest S3's.
PASS_HEADERS = ("content-disposition", "content-encoding", "content-language",
                "cache-control", "expires", "x-robots-tag")
# ctx.extra key of a check ``acl_checks.read_object`` sets: called with the
# object's Swift response before anything of it is answered.
READ_CHECK = "object_read_check"
RESPONSE_OVERRIDES = {"response-content-type": "Content-Type",
                      "response-content-language": "Content-Language",
                      "response-expires": "Expires",
                      "response-cache-control": "Cache-Control",
                      "response-content-disposition": "Content-Disposition",
                      "response-content-encoding": "Content-Encoding"}


def metadata_headers(headers: Dict[str, str], body_aws_chunked: bool = True
                     ) -> Dict[str, str]:
    """Swift headers for the object's content type, user metadata and sysmeta.

    ``aws-chunked`` in ``Content-Encoding`` names the upload's framing and is
    not stored, unless the body was not in that framing
    (``body_aws_chunked``): then S3 keeps it as the client's encoding."""
    metadata.check_size(headers)
    out = {"Content-Type": headers.get("content-type") or "application/octet-stream"}
    for name, value in headers.items():
        if name.startswith(META_PREFIX):
            if metadata.kept_name(name):
                out[metadata.swift_name(name[len(META_PREFIX):])] = metadata.stored_value(value)
        elif name in expiry.HEADERS:
            out[name.title()] = value
        elif name in PASS_HEADERS:
            if name == "content-encoding" and body_aws_chunked:
                value = ", ".join(v for v in (x.strip() for x in value.split(","))
                                 if v and v != "aws-chunked")
                if not value:
                    continue
            out[name.title()] = value
    storage_class = headers.get("x-amz-storage-class")
    if storage_class:
        if storage_class not in STORAGE_CLASSES:
            raise S3Error("InvalidStorageClass", StorageClassRequested=storage_class)
        out[STORAGE_CLASS_SYSMETA] = storage_class
        out["Content-Type"] = manifest.with_storage_class(out["Content-Type"], storage_class)
    if "x-amz-tagging" in headers:
        from objstore.middleware.s3api.tagging import parse_query_tags
        out[TAGGING_SYSMETA] = parse_query_tags(headers["x-amz-tagging"])
    out[acl.OBJECT_SYSMETA] = acl.from_headers(headers, "").encode()
    return out


def storage_class_of(resp: SwiftResponse) -> str:
    """An object's storage class: the tiering filter's word for the tier it
    is in (docs/tiering.md), else the class its PUT asked for."""
    return resp.header(TIER_STORAGE_CLASS) or resp.header(STORAGE_CLASS_SYSMETA) or "STANDARD"


def response_headers(resp: SwiftResponse) -> Tuple[Dict[str, str], bool]:
    """S3 headers for a Swift object response, and whether it is a manifest."""
    is_manifest = bool(resp.header(manifest.MANIFEST_SYSMETA))
    out: Dict[str, str] = {}
    ctype, _ = manifest.split_content_type(resp.header("content-type") or "")
    out["Content-Type"] = ctype or "application/octet-stream"
    etag = resp.header(manifest.ETAG_SYSMETA) if is_manifest else \
        (resp.header("etag") or "").strip('"')
    out["ETag"] = '"%s"' % etag
    if resp.header("last-modified"):
        out["Last-Modified"] = resp.header("last-modified") or ""
    for name, value in resp.headers.items():
        if name.startswith(SWIFT_META):
            out[metadata.s3_name(name[len(SWIFT_META):])] = metadata.response_value(value)
        elif name in PASS_HEADERS:
            out[name.title()] = value
    if storage_class_of(resp) != "STANDARD":  # AWS shows every class but STANDARD
        out["x-amz-storage-class"] = storage_class_of(resp)
    tags = resp.header(TAGGING_SYSMETA)
    if tags:
        out["x-amz-tagging-count"] = str(len([t for t in tags.split("&") if t]))
    vid = version_listing.stored_version_id(resp.headers)
    if vid:
        out["x-amz-version-id"] = vid
    out.update(locking.response_headers(resp.headers))
    out["Accept-Ranges"] = "bytes"
    return out, is_manifest


def stored_checksums(resp: SwiftResponse) -> Dict[str, str]:
    """``{header name: value}`` of the checksums kept with the object, and its
    ``x-amz-checksum-type`` (``FULL_OBJECT`` unless a multipart upload made
    it ``COMPOSITE``)."""
    found = {}
    for name, value in resp.headers.items():
        for prefix in (CHECKSUM_SYSMETA, CHECKSUM_TRANSIENT):
            rest = name[len(prefix):].upper()
            if name.startswith(prefix) and rest in checksums.ALGORITHMS:
                found[checksums.header_name(rest)] = value
    if found:
        found["x-amz-checksum-type"] = resp.header(CHECKSUM_SYSMETA + "type") or \
            checksums.FULL_OBJECT
    return found


def etag_of(headers: Dict[str, str]) -> str:
    return headers.get("ETag", "").strip('"')


def put_object(ctx: S3Context) -> Response:
    """PutObject: stream the verified body into a Swift PUT."""
    check_key(ctx.key)
    headers = metadata_headers(ctx.headers, ctx.aws_chunked())
    headers.update(locking.write_headers(ctx))
    bucket_encryption.object_bucket_key(ctx, headers)
    reader = ctx.body_reader(checksums.DEFAULT_ALGORITHM, length_required=True)
    if reader.algorithm and not getattr(reader, "trailer_checksum", False):
        headers[CHECKSUM_SYSMETA + reader.algorithm.lower()] = reader._expected_checksum() or ""
    with conditions.guarded_write(ctx, headers, lambda: current_etag(
            ctx, ctx.bucket, ctx.key)) as lock:
        vid, extra_env = versioning.prepare_write(ctx, ctx.key, headers)
        old = replaced_parts(ctx, extra_env)
        resp = store(ctx, ctx.bucket, ctx.key, headers,
                     conditions.RefreshingReader(reader, lock) if lock else reader,
                     dict(extra_env, **sse.write_env(ctx, headers)))
    versioning.finish_write(ctx, ctx.key)
    drop_parts(ctx, old)
    out = Response(status=200, headers=sse.bucket_key_headers(headers))
    expiration = written_expiration(ctx, ctx.key, reader.bytes_read, headers, resp)
    if expiration:
        out.headers["x-amz-expiration"] = expiration
    vid = versioning.written_id(vid, resp)
    if vid:
        out.headers["x-amz-version-id"] = vid
    out.headers["ETag"] = '"%s"' % ((resp.header("etag") or reader.etag).strip('"'))
    if reader.checksum_value and reader.algorithm:
        out.headers[checksums.header_name(reader.algorithm)] = reader.checksum_value
        out.headers["x-amz-checksum-type"] = checksums.FULL_OBJECT
    return out


def store(ctx: S3Context, container: str, obj: str, headers: Dict[str, str],
          reader: VerifyingReader, extra_env: Optional[Dict[str, Any]] = None,
          late_headers: Optional[Callable[[str, str], Dict[str, str]]] = None
          ) -> SwiftResponse:
    """PUT ``reader`` as ``container/obj``; S3 errors for verification failures.

    An empty body is verified before the PUT (nothing would be held back).
    A checksum that arrives in the trailer (or S3's default one, computed
    here) is only known after the body: it travels as a metadata footer
    after the body in the same PUT (``common/footers.py``). When the write
    must change more than system metadata (``late_headers(algorithm,
    value)``: a part's listed content type), it is added afterwards with a
    POST instead (which must repeat the metadata).
    """
    if reader.expected_length == 0:
        reader.drain()
    late = bool(reader.algorithm) and getattr(reader, "trailer_checksum", False)
    if late and late_headers is None:
        extra_env = dict(extra_env or {})
        footer = CHECKSUM_TRANSIENT + (reader.algorithm or "").lower()
        footers.add_footer_callback(extra_env, lambda out: out.update(
            {footer: reader.checksum_value} if reader.checksum_value else {}))
    try:
        resp = ctx.swift.request("PUT", container, obj, headers=headers, body=reader,
                                 content_length=reader.expected_length,
                                 extra_env=extra_env)
        expiry.raise_for_refusal(resp, headers)
        resp.close()
    except S3Error:
        raise
    except Exception:
        if reader.error is not None:
            raise reader.error from None
        raise
    if reader.error is not None:
        raise reader.error
    if resp.status == 404:
        raise S3Error("NoSuchBucket", BucketName=ctx.bucket)
    ctx.raise_for(resp, "NoSuchBucket")
    if late and late_headers is not None and reader.checksum_value:
        post_headers = {k: v for k, v in headers.items() if k.lower() not in (
            "x-timestamp", "if-none-match", "x-backend-if-match", "x-backend-etag-is-at")}
        post_headers[CHECKSUM_TRANSIENT + reader.algorithm.lower()] = reader.checksum_value
        post_headers.update(late_headers(reader.algorithm or "", reader.checksum_value))
        ctx.swift.request("POST", container, obj, headers=post_headers).close()
    return resp


def _get(ctx: S3Context, bucket: str, key: str, method: str = "GET",
         headers: Optional[Dict[str, str]] = None,
         customer: Optional[sse.CustomerKey] = None) -> SwiftResponse:
    resp = ctx.swift.request(method, bucket, key, headers=headers,
                             extra_env=customer.env() if customer else None)
    if resp.status == 404:
        resp.close()
        # Tell a missing bucket from a missing key, as S3 does.
        head = ctx.swift.request("HEAD", bucket)
        head.close()
        if head.status == 404:
            raise S3Error("NoSuchBucket", BucketName=bucket)
        raise S3Error("NoSuchKey", Key=key)
    return resp


def open_object(ctx: S3Context, bucket: str, key: str, range_header: Optional[str],
                part_number: Optional[int] = None, method: str = "GET",
                customer: Optional[sse.CustomerKey] = None
                ) -> Tuple[int, Dict[str, str], Iterator[bytes], SwiftResponse]:
    """``(status, S3 headers, body iterator, swift response)`` for a GET/HEAD,
    resolving manifests and ranges (conditions are the caller's);
    ``customer``: the SSE-C key the request gave for this object."""
    range_header = manifest.single_range_header(range_header)
    fwd = {"Range": range_header} if range_header and not part_number else None
    resp = _get(ctx, bucket, key, method, fwd, customer)
    try:
        sse.check_read(resp.headers, resp.status, customer)
    except S3Error:
        resp.close()
        raise
    if resp.status == 416:
        # The range may be past the end of a manifest, not of the object.
        resp.close()
        resp = _get(ctx, bucket, key, "HEAD")
        resp.close()
        _check_read(ctx, resp)
        if not resp.header(manifest.MANIFEST_SYSMETA):
            raise S3Error("InvalidRange", RangeRequested=range_header or "")
    ctx.raise_for(resp, "NoSuchKey")
    _check_read(ctx, resp)
    headers, is_manifest = response_headers(resp)
    headers.update(sse.read_headers(resp.headers))
    if not is_manifest and range_header and not part_number and resp.status == 200 \
            and resp.header("content-length") == "0":
        # S3 refuses every well-formed range of an empty object (Swift ignores it).
        try:
            manifest.parse_range(range_header, 0)
        except S3Error:
            resp.close()
            raise
    if not is_manifest:
        if part_number is not None and part_number != 1:
            resp.close()
            raise S3Error("InvalidPartNumber")  # the object has one part
        for name in ("content-length", "content-range"):
            if resp.header(name) is not None:
                headers[name.title()] = resp.header(name) or ""
        length = int(resp.header("content-length") or 0)
        if part_number == 1 and resp.status == 200 and length:
            # the whole object is its one part, served as the range it is
            headers["Content-Range"] = "bytes 0-%d/%d" % (length - 1, length)
            return 206, headers, iter(resp), resp
        if method == "HEAD" and range_header and not part_number and resp.status == 200:
            try:
                return manifest.head_range(range_header, headers), headers, iter(resp), resp
            except S3Error:
                resp.close()
                raise
        return resp.status, headers, iter(resp), resp
    resp.close()
    size = int(resp.header(manifest.SIZE_SYSMETA) or 0)
    if method == "HEAD" and not range_header and not part_number:
        headers["Content-Length"] = str(size)
        return 200, headers, iter([]), resp
    body_resp = _get(ctx, bucket, key, "GET")
    ctx.raise_for(body_resp, "NoSuchKey")
    segments = manifest_segments(ctx, body_resp)
    status = 200
    if part_number is not None:
        if part_number < 1 or part_number > len(segments):
            raise S3Error("InvalidPartNumber")
        first = sum(s.size for s in segments[:part_number - 1])
        rng: Optional[Tuple[int, int]] = (first, first + segments[part_number - 1].size - 1)
        headers["x-amz-mp-parts-count"] = str(len(segments))
        if ctx.headers.get("x-amz-checksum-mode", "").upper() == "ENABLED":
            headers.update(_part_checksum(ctx, resp, segments[part_number - 1]))
    else:
        rng = manifest.parse_range(range_header, size)
    if rng is None:
        first, last = 0, size - 1
    else:
        first, last = rng
        status = 206
        headers["Content-Range"] = "bytes %d-%d/%d" % (first, last, size)
    headers["Content-Length"] = str(max(last - first + 1, 0))
    pieces = manifest.plan(segments, first, last) if size else []
    if method == "HEAD":
        return status, headers, iter([]), resp
    return status, headers, _stream_segments(ctx, pieces, customer), resp


def _check_read(ctx: S3Context, resp: SwiftResponse) -> None:
    check = ctx.extra.get(READ_CHECK)
    if check is not None and resp.ok:
        check(resp)


def replaced_parts(ctx: S3Context, extra_env: Dict[str, Any],
                   known_manifests: bool = True) -> List[manifest.Segment]:
    """The parts of the multipart object that a write of ``ctx.key`` replaces
    for good (to delete once the write succeeded).

    Nothing when the old object will be archived (versioning); with
    ``known_manifests``, nothing either in a bucket whose mark says no upload
    ever completed in it (no HEAD then: ``prepare_write`` already read the
    bucket), or, in an unmarked bucket, when it has no parts container.
    """
    if versioning.bucket_status(ctx) is not None and \
            not versioning.replaces_in_place(extra_env):
        return []
    if known_manifests and not manifests_possible(ctx):
        return []
    head = ctx.swift.request("HEAD", ctx.bucket, ctx.key)
    head.close()
    return parts_of(ctx, ctx.bucket, ctx.key, head)


def manifests_possible(ctx: S3Context) -> bool:
    """Whether the bucket may hold multipart objects (read by
    ``versioning.bucket_status``).

    Its mark (``BUCKET_MANIFESTS_SYSMETA``) says ``1`` once an upload
    completed in it and ``0`` from CreateBucket on. A bucket without one
    (made before the mark, or through the Swift API) may hold objects
    completed before it: they may when its parts container exists (cached
    container info, no storage request once cached), and the bucket is then
    marked so that later writes know without asking.
    """
    marked = ctx.extra.get("has_manifests")
    if marked is not None:
        return bool(marked)
    info = get_container_info(ctx.env, ctx.swift.app, ctx.swift.account or "",
                              ctx.bucket + SEGMENTS_SUFFIX)
    if info.get("status") == 404:
        return False
    if 200 <= info.get("status", 0) < 300:
        mark_manifests(ctx)
    return True


def mark_manifests(ctx: S3Context) -> None:
    """Mark the bucket as one that may hold multipart objects."""
    ctx.swift.request("POST", ctx.bucket,
                      headers={manifest.BUCKET_MANIFESTS_SYSMETA: "1"}).close()
    ctx.extra["has_manifests"] = True


def drop_parts(ctx: S3Context, segments: List[manifest.Segment],
               keep: Iterable[str] = (), headers: Optional[Dict[str, str]] = None) -> None:
    """Delete the parts of a replaced multipart object (but those in ``keep``)."""
    kept = set(keep)
    for seg in segments:
        if seg.obj not in kept:
            ctx.swift.request("DELETE", seg.container, seg.obj, headers=headers).close()


def current_etag(ctx: S3Context, bucket: str, key: str) -> Optional[str]:
    """The S3 ETag of ``bucket/key``'s current object, ``None`` if there is none."""
    resp = ctx.swift.request("HEAD", bucket, key)
    resp.close()
    if resp.status == 404:
        ctx.container_head(bucket)
        return None
    ctx.raise_for(resp, "NoSuchKey")
    return etag_of(response_headers(resp)[0])


def _part_checksum(ctx: S3Context, resp: SwiftResponse, segment: manifest.Segment
                   ) -> Dict[str, str]:
    """S3's checksum header for one part of a multipart object, if it was kept."""
    from objstore.middleware.s3api.multipart_checksums import fill_part_checksums
    for name in stored_checksums(resp):
        algorithm = checksums.algorithm_of_header(name)
        if algorithm:
            fill_part_checksums(ctx, [segment], algorithm)
            return {name: segment.checksum} if segment.checksum else {}
    return {}


def _stream_segments(ctx: S3Context, pieces: List[Tuple[manifest.Segment, int, int]],
                     customer: Optional[sse.CustomerKey] = None) -> Iterator[bytes]:
    for seg, first, last in pieces:
        resp = ctx.swift.request("GET", seg.container, seg.obj,
                                 headers={"Range": "bytes=%d-%d" % (first, last)},
                                 extra_env=customer.env() if customer else None)
        if not resp.ok:
            resp.close()
            raise S3Error("InternalError", "A part of the multipart object is missing.")
        yield from resp


def open_version(ctx: S3Context, range_header: Optional[str] = None,
                 part_number: Optional[int] = None, method: str = "GET"
                 ) -> Tuple[int, Dict[str, str], Iterator[bytes], SwiftResponse]:
    """``open_object`` of the version of ``ctx.key`` the request names
    (``versionId``, else the current one), with S3's version headers: the
    version id (``null`` in a bucket with versioning) and the delete-marker
    headers of a 404 whose latest version is a delete marker."""
    container, obj = ctx.bucket, ctx.key
    vid = ctx.query.get("versionId")
    if vid is not None and not (vid == "null" and versioning.bucket_status(ctx) is None):
        container, obj = versioning.locate(ctx, ctx.key, vid)
    try:
        status, headers, body, swift_resp = open_object(ctx, container, obj, range_header,
                                                        part_number, method,
                                                        sse.request_key(ctx))
    except S3Error as err:
        if err.code == "NoSuchKey" and vid is None:
            err.headers.update(versioning.delete_marker_headers(ctx, ctx.key))
        raise
    if vid is not None:
        headers["x-amz-version-id"] = vid
    elif "x-amz-version-id" not in headers:
        null = versioning.read_version_id(ctx)
        if null:
            headers["x-amz-version-id"] = null
    return status, headers, body, swift_resp


def _read_object(ctx: S3Context, method: str) -> Response:
    check_key(ctx.key)
    part = ctx.query.get("partNumber")
    part_number = None
    if part is not None and ctx.headers.get("range") is not None:
        raise S3Error("InvalidRequest", errors.PART_NUMBER_AND_RANGE)
    if part is not None:
        if not part.isdigit() or not 1 <= int(part) <= ctx.conf.max_upload_part_num:
            raise S3Error("InvalidArgument", errors.PART_NUMBER_RANGE
                          % ctx.conf.max_upload_part_num,
                          ArgumentName="partNumber", ArgumentValue=part)
        part_number = int(part)
    status, headers, body, swift_resp = open_version(ctx, ctx.headers.get("range"),
                                                     part_number, method)
    cond = conditions.check(ctx.headers, etag_of(headers), headers.get("Last-Modified"))
    if cond == 304:
        getattr(body, "close", lambda: None)()
        out = Response(status=304)
        for name in ("ETag", "Last-Modified", "Accept-Ranges"):
            if name in headers:
                out.headers[name] = headers[name]
        return out
    if ctx.headers.get("x-amz-checksum-mode", "").upper() == "ENABLED" and status == 200:
        headers.update(stored_checksums(swift_resp))
    if "versionId" not in ctx.query and status in (200, 206):
        _expiration(ctx, headers, swift_resp)
    for param, header in RESPONSE_OVERRIDES.items():
        if param in ctx.query:
            headers[header] = ctx.query[param]
    out = Response(status=status, headers=headers, app_iter=body if method == "GET" else [])
    out.headers["Content-Length"] = headers.get("Content-Length", "0")
    return out


def _expiration(ctx: S3Context, headers: Dict[str, str], swift_resp: SwiftResponse) -> None:
    """``x-amz-expiration`` when a lifecycle Expiration rule matches the object
    or it has a Swift ``X-Delete-At``."""
    modified = swift_resp.header("x-timestamp") or ""
    try:
        when = float(modified) if modified else \
            email.utils.parsedate_to_datetime(headers.get("Last-Modified", "")).timestamp()
    except (TypeError, ValueError):
        return
    value = lifecycle.expiration_header(ctx, ctx.key, _object_size(headers),
                                        swift_resp.header(TAGGING_SYSMETA), when) \
        or expiry.expiration_header(swift_resp)
    if value:
        headers["x-amz-expiration"] = value


def written_expiration(ctx: S3Context, key: str, size: int, headers: Dict[str, str],
                       resp: SwiftResponse) -> Optional[str]:
    """``x-amz-expiration`` of an object just written with ``headers`` (the
    Swift PUT's), as S3 answers a write a lifecycle Expiration rule matches."""
    modified = resp.header("x-timestamp") or headers.get("X-Timestamp")
    try:
        when = float(modified) if modified else time.time()
    except ValueError:
        when = time.time()
    return lifecycle.expiration_header(ctx, key, size, headers.get(TAGGING_SYSMETA), when)


def _object_size(headers: Dict[str, str]) -> int:
    """The whole object's size: Content-Range's total, else Content-Length."""
    total = headers.get("Content-Range", "").rpartition("/")[2]
    return int(total) if total.isdigit() else int(headers.get("Content-Length") or 0)


def get_object(ctx: S3Context) -> Response:
    return _read_object(ctx, "GET")


def head_object(ctx: S3Context) -> Response:
    return _read_object(ctx, "HEAD")


def manifest_segments(ctx: S3Context, resp: SwiftResponse) -> List[manifest.Segment]:
    """The parts of the manifest a GET answered; ``InternalError`` when
    its body is none (see ``manifest.read_segments``)."""
    segments = manifest.read_segments(resp, ctx.conf.max_upload_part_num)
    if segments is None:
        raise S3Error("InternalError", "A multipart object's manifest is damaged.")
    return segments


def parts_of(ctx: S3Context, bucket: str, key: str, head: SwiftResponse,
             owner: Optional[Tuple[str, str]] = None) -> List[manifest.Segment]:
    """The parts of ``bucket/key`` if its HEAD says it is a multipart object,
    but only those an upload of ``owner`` (bucket, key; default the object
    itself, else the key a version of it is kept for) made: the parts a
    manifest copied from another key names are the source's."""
    if not head.ok or not head.header(manifest.MANIFEST_SYSMETA):
        return []
    body = ctx.swift.request("GET", bucket, key)
    if not body.ok:
        body.close()
        return []
    segments = manifest.read_segments(body, ctx.conf.max_upload_part_num)
    if segments is None:
        return []  # no manifest s3api wrote: what it is not is not deleted with it
    owned = set(s3_layout.parts_owned_by((owner or (bucket, key))[1],
                                         [seg.path for seg in segments],
                                         (owner or (bucket, key))[0]))
    return [seg for seg in segments if seg.path in owned]
