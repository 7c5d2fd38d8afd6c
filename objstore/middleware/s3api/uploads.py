"""Where a multipart upload lives, and the two listings of uploads.

In the hidden ``<bucket>+segments`` container, ``<key>/<upload id>`` is an
upload's marker (it carries the metadata given at CreateMultipartUpload)
and ``<key>/<upload id>/<part:06d>`` its parts, so one key's uploads and
each upload's parts are neighbours in the container listing. Upload ids
start with the creation time in hex, so listing order is S3's (by key,
then by initiation time).

ListParts and ListMultipartUploads read that listing a page at a time
(``paging.py``), starting at the client's markers and stopping once the
page is full, so their cost is bounded by what they answer; the uploads
listing jumps over each upload's parts instead of reading them.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import quote

from webob import Response

from objstore.common.s3_layout import UPLOAD_ID_RE, UPLOAD_MARKER_RE
from objstore.middleware.s3api import multipart_checksums as mpc
from objstore.middleware.s3api.buckets import check_bucket, owner_id, xml_response
from objstore.middleware.s3api.context import (SEGMENTS_SUFFIX, S3Context, iso8601,
                                                parse_swift_time)
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.paging import iter_listing, prefix_end
from objstore.middleware.s3api.xml import Node, render

MARKER_READ_ATTEMPTS = 3
MAX_UPLOADS = 1000


def segments_container(ctx: S3Context) -> str:
    return ctx.bucket + SEGMENTS_SUFFIX


def marker_name(key: str, upload_id: str) -> str:
    return "%s/%s" % (key, upload_id)


def part_name(key: str, upload_id: str, number: int) -> str:
    return "%s/%s/%06d" % (key, upload_id, number)


def new_upload_id() -> str:
    """32 hex digits: nanoseconds since the epoch, then randomness."""
    return "%016x%s" % (time.time_ns(), uuid.uuid4().hex[:16])


def upload_id_of(ctx: S3Context) -> str:
    upload_id = ctx.query.get("uploadId", "")
    if not UPLOAD_ID_RE.match(upload_id):
        raise S3Error("NoSuchUpload", UploadId=upload_id)
    return upload_id


def read_marker(ctx: S3Context, upload_id: str) -> Dict[str, str]:
    """The marker's headers; ``NoSuchUpload`` if the upload is gone."""
    for _attempt in range(MARKER_READ_ATTEMPTS):
        # A read right after the marker's write can reach the one replica that
        # has not got it yet; ask again before saying the upload is gone.
        resp = ctx.swift.request("HEAD", segments_container(ctx),
                                 marker_name(ctx.key, upload_id))
        resp.close()
        if resp.status != 404:
            break
    if resp.status == 404:
        ctx.container_head()
        raise S3Error("NoSuchUpload", UploadId=upload_id)
    ctx.raise_for(resp, "NoSuchUpload")
    return resp.headers


def iter_parts(ctx: S3Context, upload_id: str, after: int = 0, page: int = 1000
               ) -> Iterator[Dict[str, Any]]:
    """The upload's parts after part ``after``, in order, with ``part_number``."""
    prefix = "%s/%s/" % (ctx.key, upload_id)
    marker = "%s%06d" % (prefix, after) if after else ""
    for entry in iter_listing(ctx, segments_container(ctx), prefix, marker=marker, page=page):
        rest = entry.get("name", "")[len(prefix):]
        if rest.isdigit():
            yield dict(entry, part_number=int(rest))


def _int_param(ctx: S3Context, name: str, default: int, limit: int) -> int:
    text = ctx.query.get(name)
    if text is None or text == "":
        return default
    if not text.lstrip("-").isdigit() or int(text) < 0:
        raise S3Error("InvalidArgument", "%s must be a non-negative integer." % name,
                      ArgumentName=name, ArgumentValue=text)
    return min(int(text), limit)


def _owner_nodes(owner: str) -> List[Node]:
    return [("Initiator", [("ID", owner), ("DisplayName", owner)]),
            ("Owner", [("ID", owner), ("DisplayName", owner)])]


def list_parts(ctx: S3Context) -> Response:
    """ListParts: ``max-parts`` parts after ``part-number-marker``, one listing page."""
    upload_id = upload_id_of(ctx)
    marker = read_marker(ctx, upload_id)
    after = _int_param(ctx, "part-number-marker", 0, 1 << 31)
    max_parts = _int_param(ctx, "max-parts", ctx.conf.max_parts_listing,
                           ctx.conf.max_parts_listing)
    parts: List[Dict[str, Any]] = []
    truncated = False
    for part in iter_parts(ctx, upload_id, after, page=max_parts + 1):
        if len(parts) == max_parts:
            truncated = True
            break
        parts.append(part)
    settings = mpc.response_headers(marker)
    algorithm = settings.get("x-amz-checksum-algorithm")
    children: List[Optional[Node]] = [
        ("Bucket", ctx.bucket), ("Key", ctx.key), ("UploadId", upload_id)]
    children += _owner_nodes(owner_id(ctx))
    children += [("StorageClass", "STANDARD"), ("PartNumberMarker", after),
                 ("NextPartNumberMarker", parts[-1]["part_number"] if parts else after),
                 ("MaxParts", max_parts), ("IsTruncated", truncated)]
    if algorithm:
        children += [("ChecksumAlgorithm", algorithm),
                     ("ChecksumType", settings[mpc.TYPE_HEADER])]
    shown = algorithm or mpc.default_part_algorithm(marker) or ""
    for part in parts:
        listed = mpc.listed_checksum(part, shown)
        children.append(("Part", [
            ("PartNumber", part["part_number"]),
            ("LastModified", iso8601(parse_swift_time(part.get("last_modified", "")))),
            ("ETag", '"%s"' % part.get("hash", "")), ("Size", int(part.get("bytes", 0))),
            ("Checksum" + shown, listed) if listed else None]))
    return xml_response(render("ListPartsResult", children))


def _uploads(ctx: S3Context, prefix: str, delimiter: str, key_marker: str,
             upload_id_marker: str) -> Iterator[Tuple[str, str, str]]:
    """``(key, upload id, initiated)`` or ``(common prefix, "", "")`` in S3's
    order, after the markers. An upload's parts (or a folded common
    prefix's names) are not read: the listing starts again past them."""
    container = segments_container(ctx)
    top = ctx.conf.max_upload_part_num
    marker = key_marker
    if key_marker and upload_id_marker:
        marker = part_name(key_marker, upload_id_marker, top)
    skip: Optional[str] = None
    while True:
        for entry in iter_listing(ctx, container, prefix, marker=marker, page=100):
            name = entry.get("name", "")
            if skip is not None and name <= skip:
                break  # wading through parts: start again past them
            match = UPLOAD_MARKER_RE.match(name)
            if not match:
                continue
            key, upload = match.group("key"), match.group("upload")
            skip = part_name(key, upload, top)
            if key < key_marker or (key == key_marker and (
                    not upload_id_marker or upload <= upload_id_marker)):
                continue
            cut = key.find(delimiter, len(prefix)) if delimiter else -1
            if cut < 0:
                yield key, upload, entry.get("last_modified", "")
                continue
            common = key[:cut + len(delimiter)]
            if common > key_marker:
                yield common, "", ""
            skip = prefix_end(common)
        else:
            return
        marker = skip or marker


def list_uploads(ctx: S3Context) -> Response:
    """ListMultipartUploads: prefix, delimiter, key-marker, upload-id-marker, max-uploads."""
    check_bucket(ctx)
    ctx.container_head()
    q = ctx.query
    prefix, delimiter = q.get("prefix", ""), q.get("delimiter", "")
    key_marker, upload_id_marker = q.get("key-marker", ""), q.get("upload-id-marker", "")
    if not key_marker:
        upload_id_marker = ""
    encoding = q.get("encoding-type")
    if encoding not in (None, "url"):
        raise S3Error("InvalidArgument", "encoding-type must be url.",
                      ArgumentName="encoding-type")

    def enc(value: str) -> str:
        return quote(value, safe="/") if encoding else value
    max_uploads = _int_param(ctx, "max-uploads", MAX_UPLOADS, MAX_UPLOADS)
    rows: List[Tuple[str, str, str]] = []
    truncated = False
    if max_uploads:
        for row in _uploads(ctx, prefix, delimiter, key_marker, upload_id_marker):
            if len(rows) == max_uploads:
                truncated = True
                break
            rows.append(row)
    owner = owner_id(ctx)
    # where a next page starts: the last row of a truncated page (a common
    # prefix too); a whole listing names its last upload as Swift 2.38.3's
    # s3api does, only when it lists more than one (docs/swift-differences.md)
    uploads = [row for row in rows if row[1]]
    last = rows[-1:] if truncated else uploads[-1:] if len(uploads) > 1 else []
    last_key, last_upload = (last[0][0], last[0][1]) if last else ("", "")
    children: List[Optional[Node]] = [
        ("Bucket", ctx.bucket), ("KeyMarker", enc(key_marker)),
        ("UploadIdMarker", upload_id_marker),
        ("NextKeyMarker", enc(last_key)), ("NextUploadIdMarker", last_upload),
        # each shown when the request named it, empty or not (as Swift's)
        ("Delimiter", enc(delimiter)) if "delimiter" in q else None,
        ("Prefix", enc(prefix)) if "prefix" in q else None, ("MaxUploads", max_uploads),
        ("EncodingType", "url") if encoding else None,
        ("IsTruncated", truncated)]
    for key, upload_id, modified in rows:
        if not upload_id:
            continue
        children.append(("Upload", [("Key", enc(key)), ("UploadId", upload_id)]
                         + _owner_nodes(owner)
                         + [("StorageClass", "STANDARD"),
                            ("Initiated", iso8601(parse_swift_time(modified)))]))
    children += [("CommonPrefixes", [("Prefix", enc(key))])
                 for key, upload_id, _ in rows if not upload_id]
    return xml_response(render("ListMultipartUploadsResult", children))
