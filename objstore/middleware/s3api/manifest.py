"""Completed multipart uploads: their manifests as s3api reads them.

The object at ``bucket/key`` is a static large object, as Swift's s3api
stores it (``slo_s3``; one completed before is s3api's own older manifest,
``common/s3_layout.py``), whose parts live in the hidden
``<bucket>+segments`` container; the S3 GET/HEAD path resolves it by
streaming the parts in order, honouring a byte range (with the request's
SSE-C key). Pure: planning which bytes of which segment to read is done
here; the handlers send the GETs.

The manifest's Content-Type carries ``s3_etag=<md5-N>`` (listed as the
row's ``s3_etag``) and slo's ``swift_bytes`` and ``slo_etag``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from objstore.common.http import ranges
# object_versioning's listed version id (shown by a version read from its versions container)
from objstore.common.http.listing import VERSION_ID_PARAM
from objstore.common import s3_layout
from objstore.common.s3_layout import MANIFEST_SYSMETA  # noqa: F401 (s3api's name for it)
from objstore.middleware.s3api.errors import S3Error

ETAG_SYSMETA = "x-object-sysmeta-s3api-etag"
SIZE_SYSMETA = "x-object-sysmeta-s3api-size"
# Set on a bucket once a multipart upload completed in it, so plain writes
# know whether the object they replace may be a manifest whose parts must go.
BUCKET_MANIFESTS_SYSMETA = "X-Container-Sysmeta-S3api-Manifests"
# The upload a completed object came from: a repeated Complete of that
# upload answers success again while the object is current.
UPLOAD_ID_SYSMETA = "x-object-sysmeta-s3api-upload-id"
ETAG_PARAM = s3_layout.ETAG_PARAM
SIZE_PARAM = s3_layout.SIZE_PARAM
# The S3 version id of an object in a versioned bucket (see versioning.py):
# a content-type parameter so that copies and listings carry it.
VERSION_PARAM = s3_layout.VERSION_PARAM
# The storage class a write asked for, when not STANDARD: a content-type
# parameter so that listings show the class the object was written with
# (HEAD and GET read the object's sysmeta, or its tier's class).
STORAGE_CLASS_PARAM = s3_layout.STORAGE_CLASS_PARAM


#: the most a part's entry in a manifest takes (slo's stored form: its
#: name, a 1024-byte key JSON-escaped, and the other fields)
MAX_ENTRY_BYTES = 4096


@dataclass
class Segment:
    """One part: where it is stored, its MD5 and size."""

    path: str  # "<container>/<object>"
    etag: str
    size: int
    # The part's checksum in the upload's algorithm (the object's checksum
    # sysmeta names the algorithm), for GET ?partNumber and
    # GetObjectAttributes; absent in manifests of uploads without one.
    checksum: Optional[str] = None

    @property
    def container(self) -> str:
        return self.path.split("/", 1)[0]

    @property
    def obj(self) -> str:
        return self.path.split("/", 1)[1]


def with_storage_class(content_type: str, storage_class: Optional[str]) -> str:
    """``content_type`` carrying the class a write asked for (none for STANDARD)."""
    if not storage_class or storage_class == "STANDARD":
        return content_type
    return "%s;%s=%s" % (content_type, STORAGE_CLASS_PARAM, storage_class)


def storage_class_param(content_type: str) -> str:
    """The class a listing shows for an object of this content type."""
    if STORAGE_CLASS_PARAM in content_type:
        for part in content_type.split(";")[1:]:
            name, sep, value = part.strip().partition("=")
            if sep and name == STORAGE_CLASS_PARAM and value:
                return value
    return "STANDARD"


#: the parameters a stored Content-Type may carry that S3 never shows
#: (``slo_etag``: slo's, on a completed upload's manifest)
_HIDDEN_PARAMS = (SIZE_PARAM, VERSION_PARAM, VERSION_ID_PARAM, STORAGE_CLASS_PARAM, "slo_etag")


def split_content_type(content_type: str) -> Tuple[str, Optional[str]]:
    """``(user content type, s3 etag or None)`` with our parameters removed."""
    if ";" not in content_type or not any(
            name in content_type for name in (ETAG_PARAM,) + _HIDDEN_PARAMS):
        return content_type, None
    kept, etag = [], None
    for part in content_type.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name == ETAG_PARAM:
            etag = value
        elif sep and name in _HIDDEN_PARAMS:
            continue
        else:
            kept.append(part)
    return ";".join(kept).strip(), etag


def decode(body: bytes) -> List[Segment]:
    try:
        return [Segment(i["path"], i["etag"], i["size_bytes"],
                        str(i["checksum"]) if i.get("checksum") else None)
                for i in s3_layout.manifest_parts(body)]
    except ValueError:
        raise S3Error("InternalError", "A multipart object's manifest is damaged.") from None


def read_segments(resp: Any, max_parts: int) -> Optional[List[Segment]]:
    """The parts named by the manifest a GET answered (``resp``, a
    subrequest's answer: closed here), or ``None`` when its body is no
    manifest s3api wrote: longer than one of ``max_parts`` parts can be
    (read no further than that), or not one (a Swift copy of an old
    multipart object's bytes kept its marker). Every reader of a manifest
    comes here, so none holds more than that bound in memory."""
    limit = MAX_ENTRY_BYTES * max_parts
    chunks: List[bytes] = []
    size = 0
    try:
        if int(resp.header("content-length") or 0) > limit:
            return None
        for chunk in resp.app_iter:
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
    finally:
        resp.close()
    try:
        return decode(b"".join(chunks))
    except S3Error:
        return None


def multipart_etag(part_md5s: List[str]) -> str:
    """``<md5 of the concatenated binary part MD5s>-<number of parts>``."""
    import hashlib
    digest = hashlib.md5(b"".join(bytes.fromhex(m) for m in part_md5s)).hexdigest()
    return "%s-%d" % (digest, len(part_md5s))


def single_range_header(header: Optional[str]) -> Optional[str]:
    """``header`` if it asks for exactly one range, else None: S3 does not
    serve several ranges in one GET and answers the whole object."""
    specs = ranges.parse_range_specs(header)
    return header if specs is not None and len(specs) == 1 else None


def parse_range(header: Optional[str], size: int) -> Optional[Tuple[int, int]]:
    """``(first, last)`` inclusive for a single ``bytes=`` range, ``None`` to send
    the whole object (no header, or a form S3 ignores such as several
    ranges), ``InvalidRange`` (416) when it cannot be satisfied (S3 refuses
    every range of an empty object)."""
    if single_range_header(header) is None:
        return None
    try:
        spans = ranges.resolve_spans(ranges.parse_range_specs(header), size) if size else None
    except ranges.Unsatisfiable:
        spans = None
    if not spans:
        raise S3Error("InvalidRange", ActualObjectSize=str(size), RangeRequested=header or "")
    return spans[0][0], spans[0][1] - 1


def head_range(range_header: str, headers: Dict[str, str]) -> int:
    """The status of a HEAD of a plain object with ``range_header``, setting
    ``headers`` as the GET would: 206 with the range's ``Content-Length``
    and ``Content-Range``, 200 for a form S3 ignores, ``InvalidRange`` (416)
    when it cannot be satisfied. A Swift HEAD ignores ``Range``, so it is
    judged here against the object's length (``Content-Length``)."""
    size = int(headers.get("Content-Length") or 0)
    rng = parse_range(range_header, size)
    if rng is None:
        return 200
    first, last = rng
    headers["Content-Range"] = "bytes %d-%d/%d" % (first, last, size)
    headers["Content-Length"] = str(last - first + 1)
    return 206


def plan(segments: List[Segment], first: int, last: int) -> List[Tuple[Segment, int, int]]:
    """Which inclusive byte range of which segment makes up ``first..last``."""
    pieces = []
    offset = 0
    for seg in segments:
        seg_first, seg_last = offset, offset + seg.size - 1
        offset += seg.size
        if seg.size == 0 or seg_last < first or seg_first > last:
            continue
        pieces.append((seg, max(first, seg_first) - seg_first, min(last, seg_last) - seg_first))
    return pieces
