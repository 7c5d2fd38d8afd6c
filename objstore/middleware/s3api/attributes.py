"""GetObjectAttributes: what HEAD tells, as one XML document, plus the parts.

``x-amz-object-attributes`` names what to return (``ETag``, ``Checksum``,
``ObjectParts``, ``StorageClass``, ``ObjectSize``); ``ObjectParts`` of a
multipart object pages by ``x-amz-part-number-marker`` /
``x-amz-max-parts`` over its manifest, with each part's size and, for an
upload with a checksum algorithm, its checksum.
"""

from __future__ import annotations

from typing import List, Optional

from webob import Response

from objstore.middleware.s3api import checksums, manifest
from objstore.middleware.s3api.buckets import xml_response
from objstore.middleware.s3api.context import S3Context
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.objects import (CHECKSUM_SYSMETA, manifest_segments,
                                               open_version, storage_class_of,
                                               stored_checksums)
from objstore.middleware.s3api.multipart_checksums import fill_part_checksums
from objstore.middleware.s3api.request import check_key
from objstore.middleware.s3api.subrequest import SwiftResponse
from objstore.middleware.s3api.xml import Node, render

ATTRIBUTES = ("ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize")
MAX_PARTS = 1000


def _number(ctx: S3Context, name: str, default: int) -> int:
    text = ctx.headers.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise S3Error("InvalidArgument", "%s must be a non-negative integer." % name,
                      ArgumentName=name, ArgumentValue=text)
    return int(text)


def get_object_attributes(ctx: S3Context) -> Response:
    check_key(ctx.key)
    wanted = [a.strip() for a in ctx.headers.get("x-amz-object-attributes", "").split(",")
              if a.strip()]
    unknown = [a for a in wanted if a not in ATTRIBUTES]
    if not wanted or unknown:
        raise S3Error("InvalidArgument", "x-amz-object-attributes must list some of %s."
                      % ", ".join(ATTRIBUTES), ArgumentName="x-amz-object-attributes")
    _status, headers, _body, resp = open_version(ctx, method="HEAD")
    children: List[Optional[Node]] = []
    if "ETag" in wanted:
        children.append(("ETag", headers.get("ETag", "").strip('"')))
    if "Checksum" in wanted:
        found = stored_checksums(resp)
        nodes: List[Optional[Node]] = [
            ("Checksum" + alg, found[checksums.header_name(alg)])
            for alg in checksums.ALGORITHMS if checksums.header_name(alg) in found]
        if nodes:
            children.append(("Checksum", nodes + [("ChecksumType",
                                                   found["x-amz-checksum-type"])]))
    if "ObjectParts" in wanted and resp.header(manifest.MANIFEST_SYSMETA):
        children.append(("ObjectParts", _parts(ctx, headers, resp)))
    if "StorageClass" in wanted:
        children.append(("StorageClass", storage_class_of(resp)))
    if "ObjectSize" in wanted:
        children.append(("ObjectSize", int(headers.get("Content-Length", "0"))))
    out = xml_response(render("GetObjectAttributesResponse", children))
    for name in ("Last-Modified", "x-amz-version-id"):
        if name in headers:
            out.headers[name] = headers[name]
    return out


def _parts(ctx: S3Context, headers: dict, resp: SwiftResponse) -> List[Optional[Node]]:
    after = _number(ctx, "x-amz-part-number-marker", 0)
    max_parts = min(_number(ctx, "x-amz-max-parts", MAX_PARTS), MAX_PARTS)
    container, obj = ctx.bucket, ctx.key
    if headers.get("x-amz-version-id") not in (None, "null"):
        from objstore.middleware.s3api import versioning
        container, obj = versioning.locate(ctx, ctx.key, headers["x-amz-version-id"])
    body = ctx.swift.request("GET", container, obj)
    ctx.raise_for(body, "NoSuchKey")
    segments = manifest_segments(ctx, body)
    chosen = list(enumerate(segments, 1))[after:after + max_parts]
    truncated = after + max_parts < len(segments)
    nodes: List[Optional[Node]] = [
        ("PartsCount", len(segments)), ("PartNumberMarker", after),
        ("NextPartNumberMarker", chosen[-1][0] if chosen else after),
        ("MaxParts", max_parts), ("IsTruncated", truncated)]
    algorithm = next((alg for alg in checksums.ALGORITHMS
                      if resp.header(CHECKSUM_SYSMETA + alg.lower())), None)
    fill_part_checksums(ctx, [seg for _number, seg in chosen], algorithm)
    nodes += [("Part", [("PartNumber", number), ("Size", seg.size),
                        ("Checksum" + algorithm, seg.checksum)
                        if algorithm and seg.checksum else None])
              for number, seg in chosen]
    return nodes
