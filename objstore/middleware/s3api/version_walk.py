"""ListObjectVersions as a walk over the bucket and its archive, page by page.

The current versions are the bucket's listing, in key order. The archive
(``<bucket>+versions``) names a version ``<len(key) as 3 hex digits><key>/
<timestamp>``, so it sorts by key length first: within one length group
keys are in order, and each key's versions are together, oldest first.
The walk therefore keeps one cursor on the bucket listing and one per
length group present in the archive (found with one ``limit=1`` listing
per group), always takes the smallest key among their heads, emits its
current version and then its archived ones newest first, and moves every
cursor past it. A key's archived versions are reversed in a buffer of at
most ``KEY_BUFFER`` rows; a key with more is read with a reverse listing
of its own. Folded common prefixes are jumped over, not read. Memory is
bounded by the page sizes, whatever the bucket holds; the cost grows with
what is answered plus one or two listings per length group.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional

from objstore.middleware.s3api import version_listing as vl
from objstore.middleware.s3api import version_ops as ops
from objstore.middleware.s3api import versioning
from objstore.middleware.s3api.context import S3Context
from objstore.middleware.s3api.listing import ListParams, entry_facts
from objstore.middleware.s3api.manifest import storage_class_param
from objstore.middleware.s3api.paging import Cursor, list_page, prefix_end

KEY_BUFFER = 100
ARCHIVE_ROWS = 5000  # rows buffered over all length groups
MIN_GROUP_PAGE = 16


def _group_hex(length: int) -> str:
    return "%03x" % length


def _lengths(ctx: S3Context, container: str, shortest: int) -> List[int]:
    """The key lengths (in UTF-8 bytes) present in the archive, from ``shortest`` on."""
    found: List[int] = []
    marker = _group_hex(shortest) if shortest else ""
    while True:
        rows = list_page(ctx, container, marker=marker, limit=1)
        if not rows:
            return found
        head = rows[0].get("name", "")[:3]
        try:
            found.append(int(head, 16))
        except ValueError:
            pass
        marker = prefix_end(head) if head else marker + "\x00"


def _version(entry: Dict[str, Any], key: str, archived: bool) -> vl.Version:
    etag, size, _ = entry_facts(entry)
    ctype = entry.get("content_type", "")
    klass = storage_class_param(ctype)
    if archived:
        return vl.Version(key, vl.archive_version_id(entry), vl.is_marker(ctype),
                          entry.get("last_modified", ""), etag, size, storage_class=klass)
    return vl.Version(key, vl.current_version_id(ctype), False,
                      entry.get("last_modified", ""), etag, size, storage_class=klass)


class _Walk:
    def __init__(self, ctx: S3Context, params: ListParams, key_marker: str) -> None:
        self.ctx, self.params, self.key_marker = ctx, params, key_marker
        self.archive = versioning.versions_container(ctx.bucket)
        prefix = params.prefix
        self.current = Cursor(ctx, ctx.bucket, prefix, key_marker, params.max_keys + 1)
        lengths = _lengths(ctx, self.archive, len(prefix.encode("utf-8")))
        page = max(MIN_GROUP_PAGE, min(1000, ARCHIVE_ROWS // max(len(lengths), 1)))
        self.groups: Dict[int, Cursor] = {}
        for length in lengths:
            start = ""
            if key_marker:
                start = _group_hex(length) + key_marker
                if len(key_marker.encode("utf-8")) == length:
                    start += "0"  # past every version of key_marker ("/" < "0")
            self.groups[length] = Cursor(ctx, self.archive, _group_hex(length) + prefix,
                                         start, page)

    def _group_head(self, cursor: Cursor) -> Optional[str]:
        """The next key of a length group after ``key_marker``."""
        while True:
            row = cursor.peek()
            if row is None:
                return None
            parts = vl.split_archive_name(row.get("name", ""))
            if parts is not None and parts[0] > self.key_marker:
                return parts[0]
            cursor.pop()

    def _next_key(self) -> Optional[str]:
        heads = [self._group_head(c) for c in self.groups.values()]
        row = self.current.peek()
        if row is not None:
            heads.append(row.get("name", ""))
        heads = [h for h in heads if h is not None]
        return min(heads) if heads else None

    def _skip_past(self, key: str, folded: Optional[str] = None) -> None:
        """Move every cursor past ``key`` (or past every key under ``folded``)."""
        if folded is not None:
            self.current.jump(prefix_end(folded))
            for length, cursor in self.groups.items():
                cursor.jump(_group_hex(length) + prefix_end(folded))
            return
        self.current.jump(key)
        cursor = self.groups.get(len(key.encode("utf-8")))
        if cursor is not None:
            cursor.jump(_group_hex(len(key.encode("utf-8"))) + key + "0")

    def _archived(self, key: str) -> Iterator[vl.Version]:
        """``key``'s archived versions, newest first."""
        cursor = self.groups.get(len(key.encode("utf-8")))
        if cursor is None:
            return
        buffered: List[Dict[str, Any]] = []
        while len(buffered) <= KEY_BUFFER:
            row = cursor.peek()
            parts = vl.split_archive_name(row.get("name", "")) if row else None
            if parts is None or parts[0] != key:
                for entry in reversed(buffered):
                    yield _version(entry, key, True)
                return
            buffered.append(row)
            cursor.pop()
        # Too many to reverse in memory: read them newest first instead.
        buffered.clear()
        cursor.jump(_group_hex(len(key.encode("utf-8"))) + key + "0")
        for entry in versioning.key_versions(self.ctx, key):
            yield _version(entry, key, True)

    def rows(self) -> Iterator[vl.Row]:
        params = self.params
        while True:
            key = self._next_key()
            if key is None:
                return
            if params.delimiter:
                cut = key.find(params.delimiter, len(params.prefix))
                if cut >= 0:
                    common = key[:cut + len(params.delimiter)]
                    if common > self.key_marker:
                        yield common
                    self._skip_past(key, folded=common)
                    continue
            head = self.current.peek()
            latest = True
            if head is not None and head.get("name") == key:
                self.current.pop()
                version = _version(head, key, False)
                version.is_latest, latest = True, False
                yield version
            for version in self._archived(key):
                version.is_latest, latest = latest, False
                yield version
            self._skip_past(key)


def _rest_of_key(ctx: S3Context, key: str, version_marker: str) -> Iterator[vl.Row]:
    """The versions of ``key`` older than ``version_marker`` (a resumed page)."""
    if versioning.current_id(ctx, key) == version_marker:
        rows = versioning.key_versions(ctx, key)
    else:
        row = ops.archived_row(ctx, versioning.LEGACY, key, version_marker)
        if row is None:
            return
        rows = versioning.key_versions(ctx, key, marker=row["name"])
    for entry in rows:
        yield _version(entry, key, True)


def walk(ctx: S3Context, params: ListParams, key_marker: str,
         version_marker: str) -> Iterator[vl.Row]:
    """Every row of ListObjectVersions after the markers, in S3's order."""
    if key_marker and version_marker and key_marker.startswith(params.prefix):
        yield from _rest_of_key(ctx, key_marker, version_marker)
    yield from _Walk(ctx, params, key_marker).rows()
