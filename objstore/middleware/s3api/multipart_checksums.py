"""Checksums of multipart uploads: the upload's algorithm and type, each
part's checksum, and the object's checksum computed at Complete.

S3's rules (``CreateMultipartUpload`` ``x-amz-checksum-algorithm`` and
``x-amz-checksum-type``): an upload with an algorithm needs every part to
carry a checksum of that algorithm; at Complete the object gets either a
``COMPOSITE`` checksum (the checksum of the parts' checksums, ``-N``;
CRC32, CRC32C, SHA1, SHA256; the default but for CRC64NVME) or a
``FULL_OBJECT`` one (the CRC of the whole object, computed from the
parts' CRCs and sizes; CRC32, CRC32C, CRC64NVME). Part checksums listed in
the Complete document must match the stored ones (``InvalidPart``); an
``x-amz-checksum-<alg>`` header on Complete must match the result
(``BadDigest``).

A part's checksum sent in a header is known before its body, so it rides
in the part's content type (``s3_checksum=<ALG>:<value>``) and comes back
with the segments listing at no cost; one that arrived in a trailer (or
was computed during UploadPartCopy) is in the part's sysmeta, read with a
HEAD at Complete.
"""

from __future__ import annotations

from typing import Callable, Dict, Iterator, List, Optional, Tuple

from objstore.common import s3_layout
from objstore.middleware.s3api import checksums
from objstore.middleware.s3api.context import S3Context
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.manifest import Segment
from objstore.middleware.s3api.paging import iter_listing

ALGORITHM_SYSMETA = "X-Object-Sysmeta-S3api-Checksum-Algorithm"
TYPE_SYSMETA = "X-Object-Sysmeta-S3api-Checksum-Type"
PART_PARAM = s3_layout.PART_CHECKSUM_PARAM
TYPE_HEADER = "x-amz-checksum-type"
PART_TYPE = "application/octet-stream"


def upload_settings(headers: Dict[str, str]) -> Dict[str, str]:
    """The marker's sysmeta for CreateMultipartUpload's checksum headers
    (empty without an algorithm); ``InvalidRequest`` for what S3 refuses."""
    algorithm = headers.get("x-amz-checksum-algorithm", "").strip().upper()
    kind = headers.get(TYPE_HEADER, "").strip().upper()
    if not algorithm:
        if kind:
            raise S3Error("InvalidRequest", "x-amz-checksum-type needs "
                          "x-amz-checksum-algorithm.")
        return {}
    if algorithm not in checksums.ALGORITHMS:
        raise S3Error("InvalidRequest", "Checksum algorithm %r is not supported; use one of "
                      "%s." % (algorithm, ", ".join(checksums.ALGORITHMS)))
    kind = kind or checksums.default_type(algorithm)
    if kind not in checksums.TYPES[algorithm]:
        raise S3Error("InvalidRequest", "The %s checksum type is not supported with %s (it "
                      "is %s)." % (kind, algorithm, " or ".join(checksums.TYPES[algorithm])))
    return {ALGORITHM_SYSMETA: algorithm, TYPE_SYSMETA: kind}


def response_headers(marker: Dict[str, str]) -> Dict[str, str]:
    """``x-amz-checksum-algorithm`` / ``-type`` of an upload, from its marker."""
    algorithm = marker.get(ALGORITHM_SYSMETA.lower())
    if not algorithm:
        return {}
    return {"x-amz-checksum-algorithm": algorithm,
            TYPE_HEADER: marker.get(TYPE_SYSMETA.lower()) or checksums.default_type(algorithm)}


def part_content_type(marker: Dict[str, str], algorithm: Optional[str],
                      value: Optional[str]) -> str:
    """The content type of a part: carries its checksum when known up front.

    ``InvalidRequest`` when the upload has an algorithm and the part does
    not carry a checksum of it.
    """
    wanted = marker.get(ALGORITHM_SYSMETA.lower())
    if wanted and algorithm != wanted:
        raise S3Error("InvalidRequest", "Checksum Type mismatch occurred, expected checksum "
                      "Type: %s, actual checksum Type: %s" % (wanted.lower(),
                                                              (algorithm or "null").lower()))
    if algorithm and value:
        return "%s;%s=%s:%s" % (PART_TYPE, PART_PARAM, algorithm, value)
    return PART_TYPE


def default_part_algorithm(marker: Dict[str, str]) -> Optional[str]:
    """The checksum a part gets when it carries none: S3's default CRC64NVME
    in an upload created without an algorithm (whose object then gets the
    FULL_OBJECT CRC64NVME of its parts), nothing in one with an algorithm
    (where a part without its checksum is refused)."""
    return None if marker.get(ALGORITHM_SYSMETA.lower()) else checksums.DEFAULT_ALGORITHM


def running(marker: Dict[str, str], chunks: Iterator[bytes]
            ) -> Tuple[Iterator[bytes], Callable[[], Dict[str, str]]]:
    """``chunks`` passed through while computing the upload's checksum
    (UploadPartCopy), and a function giving ``{algorithm: value}`` once the
    copy was stored (empty when the upload has no algorithm)."""
    return checksums.computing(marker.get(ALGORITHM_SYSMETA.lower())
                               or default_part_algorithm(marker), chunks)


def listed_checksum(row: Dict[str, str], algorithm: str) -> Optional[str]:
    """A part's checksum as its segments listing row carries it, if it does."""
    for part in row.get("content_type", "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        alg, _, digest = value.partition(":")
        if name == PART_PARAM and alg == algorithm:
            return digest
    return None


def fill_part_checksums(ctx: S3Context, segments: List[Segment], algorithm: Optional[str]
                        ) -> None:
    """Give ``segments`` (parts of a completed upload) their checksums in
    ``algorithm``, the object's. A manifest written as an SLO lists each
    part's type as Swift shows it, without its checksum: the parts' rows
    of the segments container carry it (one listing per upload, not a HEAD
    per part; a HEAD only for a part whose row has none)."""
    missing = [seg for seg in segments if seg.checksum is None]
    if not missing or not algorithm:
        return
    groups: Dict[Tuple[str, str], Dict[str, Segment]] = {}
    for seg in missing:
        prefix = seg.obj.rpartition("/")[0] + "/"
        groups.setdefault((seg.container, prefix), {})[seg.obj] = seg
    for (container, prefix), wanted in groups.items():
        last = max(wanted)
        for row in iter_listing(ctx, container, prefix):
            name = row.get("name", "")
            if name > last:
                break
            if name in wanted:
                wanted[name].checksum = _stored(ctx, container, row, algorithm)


def _stored(ctx: S3Context, container: str, row: Dict[str, str], algorithm: str
            ) -> Optional[str]:
    value = listed_checksum(row, algorithm)
    if value is not None:
        return value
    head = ctx.swift.request("HEAD", container, row["name"])
    head.close()
    if not head.ok:
        return None
    for prefix in ("x-object-sysmeta-s3api-checksum-",
                   "x-object-transient-sysmeta-s3api-checksum-"):
        value = head.header(prefix + algorithm.lower())
        if value:
            return value
    return None


def object_checksum(ctx: S3Context, marker: Dict[str, str], container: str,
                    parts: List[Tuple[Dict[str, str], Dict[str, str]]]
                    ) -> Tuple[Dict[str, str], List[Tuple[str, str]], List[str]]:
    """``(sysmeta for the object, XML elements for the Complete answer, each
    part's checksum)``.

    ``parts``: ``(segments listing row, checksums the client listed for
    that part as {algorithm: value})`` in order. Nothing when the upload
    has no algorithm.
    """
    algorithm = marker.get(ALGORITHM_SYSMETA.lower())
    # An upload without an algorithm has S3's default: a FULL_OBJECT CRC64NVME.
    kind = marker.get(TYPE_SYSMETA.lower()) or (checksums.default_type(algorithm)
                                                if algorithm else checksums.FULL_OBJECT)
    asked_type = ctx.headers.get(TYPE_HEADER, "").strip().upper()
    if asked_type and asked_type != kind:
        raise S3Error("InvalidRequest", "The upload's checksum type is %s, not %s."
                      % (kind or "none", asked_type))
    if not algorithm:
        return _default_checksum(ctx, parts)
    values: List[Tuple[str, int]] = []
    for row, listed in parts:
        stored = _stored(ctx, container, row, algorithm)
        given = listed.get(algorithm)
        if stored is None or (given is not None and given != stored):
            number = row["name"].rsplit("/", 1)[-1].lstrip("0")
            raise S3Error("InvalidPart", "The %s checksum of part %s %s." % (
                algorithm, number, "is not known" if stored is None
                else "does not match the one listed"), PartNumber=number)
        values.append((stored, int(row.get("bytes", 0))))
    return _result(ctx, algorithm, kind, values)


def _result(ctx: S3Context, algorithm: str, kind: str, values: List[Tuple[str, int]]
            ) -> Tuple[Dict[str, str], List[Tuple[str, str]], List[str]]:
    value = checksums.multipart_checksum(algorithm, kind, values)
    expected = ctx.headers.get(checksums.header_name(algorithm))
    if expected is not None and expected.strip() != value:
        raise S3Error("BadDigest", "The %s you specified (%s) did not match the calculated "
                      "checksum (%s)." % (checksums.header_name(algorithm), expected, value))
    sysmeta = {"X-Object-Sysmeta-S3api-Checksum-" + algorithm.lower(): value,
               TYPE_SYSMETA: kind}
    return (sysmeta, [("Checksum" + algorithm, value), ("ChecksumType", kind)],
            [part_value for part_value, _size in values])


def _default_checksum(ctx: S3Context, parts: List[Tuple[Dict[str, str], Dict[str, str]]]
                      ) -> Tuple[Dict[str, str], List[Tuple[str, str]], List[str]]:
    """An upload without an algorithm: the FULL_OBJECT CRC64NVME of its parts,
    when every part has one in the listing (a part that carried a checksum
    of another algorithm, or was stored before parts got the default, has
    none: then the object has no checksum, and nothing is read to find one)."""
    algorithm = checksums.DEFAULT_ALGORITHM
    values: List[Tuple[str, int]] = []
    for row, _listed in parts:
        value = listed_checksum(row, algorithm)
        if value is None:
            return {}, [], []
        values.append((value, int(row.get("bytes", 0))))
    return _result(ctx, algorithm, checksums.FULL_OBJECT, values)
