"""Static large object manifests as pure functions: parse what a client
PUTs, store and render it, and map a byte range onto segments.

A client PUTs (``?multipart-manifest=put``) a JSON list whose items are
either a segment, ``{"path": "<container>/<object>", "etag": <md5 or
null>, "size_bytes": <int or null>, "range": "<first>-<last>"
(optional)}``, or inline data, ``{"data": "<base64>"}``. The middleware
checks each segment (HEAD) and stores the manifest as the list of
``Entry``: ``name`` (``/<container>/<object>``), ``hash``, ``bytes``,
``content_type``, ``last_modified``, plus ``range`` and ``sub_slo`` when
they apply; ``?multipart-manifest=get`` returns that stored list, and
``&format=raw`` the PUT form again.

The SLO's ETag is the MD5 of the segments' ETags concatenated (a segment
used only in part contributes ``<etag>:<first>-<last>;``), so it is known
without reading any segment bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from objstore.common.http import ranges

DEFAULT_MAX_MANIFEST_SEGMENTS = 1000
DEFAULT_MAX_MANIFEST_SIZE = 8 * 1024 * 1024
DEFAULT_MIN_SEGMENT_SIZE = 1
_PUT_KEYS = frozenset(("path", "etag", "size_bytes", "range"))
#: a segment's ``range``: one span, ``first-last``, ``first-`` or ``-suffix``
_RANGE_ITEM = re.compile(r"^(\d*)-(\d*)$")


class ManifestError(ValueError):
    """The manifest itself is malformed: answer ``status`` with ``body``
    (the message and a newline) as ``content_type``, as Swift words it."""

    def __init__(self, message: str, status: int = 400, plain: bool = False,
                 newline: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.content_type = "text/plain" if plain else "text/html; charset=UTF-8"
        self.body = message + ("\n" if newline else "")


def _index_error(index: int, message: str) -> ManifestError:
    """A problem of one item: ``Index N: ...`` as text/plain."""
    return ManifestError("Index %d: %s" % (index, message), plain=True)


@dataclass
class SegmentSpec:
    """One item of a manifest PUT body."""

    path: Optional[str] = None  # "<container>/<object>" without the leading "/"
    given: str = ""  # the path as the client wrote it (error reports echo it)
    etag: Optional[str] = None
    size: Optional[int] = None
    range: Optional[str] = None
    data: Optional[bytes] = None


@dataclass
class Entry:
    """One stored segment (or inline data) of a manifest."""

    name: str  # "/<container>/<object>"; "" for inline data
    hash: str
    bytes: int  # the whole segment object's size (an SLO's total for a sub-SLO)
    content_type: str = ""
    last_modified: str = ""
    range: Optional[Tuple[int, int]] = None  # inclusive, within the segment
    sub_slo: bool = False
    data: Optional[bytes] = None

    @property
    def path(self) -> str:
        return self.name.lstrip("/")

    @property
    def first(self) -> int:
        return self.range[0] if self.range else 0

    @property
    def last(self) -> int:
        return self.range[1] if self.range else self.bytes - 1

    @property
    def length(self) -> int:
        """Bytes this entry adds to the large object."""
        return self.last - self.first + 1 if self.bytes else 0

    def to_json(self) -> Dict[str, Any]:
        if self.data is not None:
            return {"data": base64.b64encode(self.data).decode("ascii")}
        item: Dict[str, Any] = {"name": self.name, "bytes": self.bytes, "hash": self.hash,
                                "content_type": self.content_type,
                                "last_modified": self.last_modified}
        if self.range is not None:
            item["range"] = "%d-%d" % self.range
        if self.sub_slo:
            item["sub_slo"] = True
        return item

    def to_raw(self) -> Dict[str, Any]:
        if self.data is not None:
            return {"data": base64.b64encode(self.data).decode("ascii")}
        item: Dict[str, Any] = {"path": self.name, "etag": self.hash, "size_bytes": self.bytes}
        if self.range is not None:
            item["range"] = "%d-%d" % self.range
        return item


def parse_put_body(body: bytes, max_segments: int = DEFAULT_MAX_MANIFEST_SEGMENTS
                   ) -> List[SegmentSpec]:
    """The items of a manifest PUT body, or ``ManifestError`` saying what
    is wrong with the JSON itself (per-segment checks come later)."""
    try:
        items = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ManifestError("Manifest must be valid JSON.") from None
    if not isinstance(items, list):
        raise ManifestError("Manifest must be a list.")
    specs = [_parse_item(index, item) for index, item in enumerate(items)]
    backed = sum(1 for spec in specs if spec.data is None)
    if backed > max_segments:
        raise ManifestError("Number of object-backed segments must be <= %d" % max_segments,
                            status=413, newline=False)
    if specs and not backed:
        raise ManifestError("Inline data segments require at least one object-backed "
                            "segment.", plain=True)
    return specs


def _parse_item(index: int, item: Any) -> SegmentSpec:
    if not isinstance(item, dict):
        raise _index_error(index, "each segment must be a JSON object.")
    if "data" in item:
        if set(item) != {"data"}:
            raise _index_error(index, "a data segment has only the key \"data\".")
        try:
            data = base64.b64decode(str(item["data"]), validate=True)
        except (binascii.Error, ValueError):
            raise _index_error(index, "\"data\" must be base64.") from None
        if not data:
            raise _index_error(index, "a data segment must not be empty.")
        return SegmentSpec(data=data)
    extra = set(item) - _PUT_KEYS
    if extra:
        raise _index_error(index, "extraneous keys %s"
                           % ", ".join('"%s"' % key for key in sorted(extra)))
    path = item.get("path")
    if not isinstance(path, str) or "/" not in path.lstrip("/") \
            or path.lstrip("/").startswith("/") or path.endswith("/"):
        raise _index_error(index, "path does not refer to an object. Path must be of the "
                                  "form /container/object.")
    etag = item.get("etag")
    if etag is not None and not isinstance(etag, str):
        raise _index_error(index, "\"etag\" must be a string or null.")
    size = item.get("size_bytes")
    if size is not None:
        if isinstance(size, bool) or not isinstance(size, (int, str)):
            raise _index_error(index, "\"size_bytes\" must be an integer or null.")
        try:
            size = int(size)
        except ValueError:
            raise _index_error(index, "\"size_bytes\" must be an integer or null.") from None
        if size < 0:
            raise _index_error(index, "\"size_bytes\" must not be negative.")
    rng = item.get("range")
    if rng is not None:
        if isinstance(rng, str) and "," in rng:
            raise _index_error(index, "multiple ranges (only one allowed)")
        span = _RANGE_ITEM.match(rng) if isinstance(rng, str) else None
        if not span or not any(span.groups()) or (
                all(span.groups()) and int(span.group(1)) > int(span.group(2))):
            raise _index_error(index, "invalid range")
        if size is not None:  # judged against the size the client declares
            try:
                segment_range(rng, size)
            except ValueError:
                raise _index_error(index, "unsatisfiable range") from None
    return SegmentSpec(path=path.lstrip("/"), given=path,
                       etag=etag.strip('"') if etag else None, size=size, range=rng)


def segment_range(spec: str, size: int) -> Optional[Tuple[int, int]]:
    """The inclusive span of a ``range`` item within a segment of ``size``
    bytes, by the Range rules of ``common/http/ranges``; ``None`` when it is
    the whole segment. ``ValueError`` if it is not one range or selects
    nothing."""
    specs = ranges.parse_range_specs("bytes=" + spec.replace("bytes=", "").strip())
    if not specs or len(specs) != 1:
        raise ValueError("bad range")
    try:
        spans = ranges.resolve_spans(specs, size)
    except ranges.Unsatisfiable:
        raise ValueError("unsatisfiable range") from None
    if spans is None:  # a suffix of an empty segment
        raise ValueError("unsatisfiable range")
    first, stop = spans[0]
    return None if (first, stop) == (0, size) else (first, stop - 1)


def decode_stored(body: bytes) -> List[Entry]:
    """The entries of a stored manifest; ``ManifestError`` if damaged."""
    try:
        items = json.loads(body.decode("utf-8"))
        entries = []
        for item in items:
            if "data" in item:
                data = base64.b64decode(item["data"])
                entries.append(Entry("", hashlib.md5(data).hexdigest(), len(data), data=data))
                continue
            rng = None
            if item.get("range"):
                first, _dash, last = str(item["range"]).partition("-")
                rng = (int(first), int(last))
            entries.append(Entry(str(item["name"]), str(item["hash"]), int(item["bytes"]),
                                 str(item.get("content_type", "")),
                                 str(item.get("last_modified", "")), rng,
                                 bool(item.get("sub_slo"))))
        return entries
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise ManifestError("The stored manifest is damaged.") from None


def encode_stored(entries: List[Entry]) -> bytes:
    return json.dumps([e.to_json() for e in entries]).encode("utf-8")


def encode_raw(entries: List[Entry]) -> bytes:
    """The PUT form, keys in Swift's (sorted) order."""
    return json.dumps([e.to_raw() for e in entries], sort_keys=True).encode("utf-8")


def slo_etag(entries: List[Entry]) -> str:
    """MD5 of the segments' ETags (ranged ones as ``etag:first-last;``)."""
    digest = hashlib.md5()
    for entry in entries:
        if entry.range is not None:
            digest.update(("%s:%d-%d;" % (entry.hash, entry.range[0], entry.range[1]))
                          .encode("ascii"))
        else:
            digest.update(entry.hash.encode("ascii"))
    return digest.hexdigest()


def total_size(entries: List[Entry]) -> int:
    return sum(entry.length for entry in entries)


def plan(entries: List[Entry], first: int, last: int) -> List[Tuple[Entry, int, int]]:
    """``(entry, seg_first, seg_last)`` for the bytes ``first..last`` of the
    large object; positions are inclusive and within each segment object
    (a ranged entry's offset already added)."""
    pieces = []
    offset = 0
    for entry in entries:
        start, end = offset, offset + entry.length - 1
        offset += entry.length
        if entry.length == 0 or end < first or start > last:
            continue
        pieces.append((entry, entry.first + max(first, start) - start,
                       entry.first + min(last, end) - start))
    return pieces


def content_type_with_size(content_type: str, size: int, etag: str,
                           s3_etag: Optional[str] = None) -> str:
    """The manifest's stored Content-Type: container listings show ``size``
    as the object's bytes, ``etag`` as its ``slo_etag`` and ``s3_etag`` (a
    completed S3 upload's ETag) as its ``s3_etag``."""
    listed = ";s3_etag=%s" % s3_etag if s3_etag else ""
    return "%s%s;swift_bytes=%d;slo_etag=%s" % (_strip(content_type, _OWN), listed,
                                                 size, etag)


#: parameters appended to a stored Content-Type that no answer shows: the
#: manifest's (``_OWN``: this middleware's, and a completed upload's ETag),
#: and the storage class s3api keeps (slo_s3)
_OWN = ("swift_bytes=", "slo_etag=", "s3_etag=")
_APPENDED = _OWN + ("s3_sc=",)


def strip_swift_bytes(content_type: str) -> str:
    """A stored Content-Type without the parameters appended to it
    (``;s3_sc=C;s3_etag=S;swift_bytes=N;slo_etag=E``, no spaces), as clients
    are shown it: the client's own text, spaces and all (even a
    ``; swift_bytes`` it sent itself, as Swift)."""
    return _strip(content_type, _APPENDED)


def _strip(content_type: str, names: Tuple[str, ...]) -> str:
    while ";" in content_type:
        head, _sep, last = content_type.rpartition(";")
        if not last.startswith(names):
            break
        content_type = head
    return content_type
