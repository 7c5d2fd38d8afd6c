"""Container listings read page by page, as iterators.

Every S3 listing objstore serves from a Swift container (versions, parts,
uploads, archived versions of one key) reads it through here, a page of
``page`` rows at a time, so memory stays bounded whatever the container
holds; callers stop iterating once they have what they need.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any, Deque, Dict, Iterator, List, Optional, Tuple

from objstore.middleware.s3api.context import S3Context

PAGE = 1000


def list_page(ctx: S3Context, container: str, prefix: str = "", marker: str = "",
              limit: int = PAGE, reverse: bool = False, end_marker: str = "",
              delimiter: str = "", extra_env: Optional[Dict[str, Any]] = None
              ) -> List[Dict[str, Any]]:
    """One page of ``container``'s listing; a missing container lists nothing.
    ``extra_env``: the subrequest's own environ keys."""
    query: List[Tuple[str, str]] = [("format", "json"), ("limit", str(limit))]
    for name, value in (("prefix", prefix), ("marker", marker),
                        ("end_marker", end_marker), ("delimiter", delimiter)):
        if value:
            query.append((name, value))
    if reverse:
        query.append(("reverse", "true"))
    resp = ctx.swift.request("GET", container, query=query, extra_env=extra_env)
    if resp.status in (404, 204):
        resp.close()
        return []
    ctx.raise_for(resp, "NoSuchBucket")
    return json.loads(resp.body or b"[]")


def iter_listing(ctx: S3Context, container: str, prefix: str = "", marker: str = "",
                 end_marker: str = "", reverse: bool = False, page: int = PAGE,
                 delimiter: str = "") -> Iterator[Dict[str, Any]]:
    """The rows of ``container``'s listing after ``marker`` (before it when
    ``reverse``), fetched lazily a page at a time."""
    while True:
        rows = list_page(ctx, container, prefix, marker, page, reverse, end_marker, delimiter)
        yield from rows
        if len(rows) < page:
            return
        marker = rows[-1].get("name") or rows[-1].get("subdir") or ""


def prefix_end(prefix: str) -> str:
    """A listing marker past every name that starts with ``prefix`` (non-empty)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class Cursor:
    """A listing read a page at a time that can also jump ahead: the head row
    (``peek``), ``pop`` it, or ``jump`` past a marker without reading the
    rows in between when they are not fetched yet."""

    def __init__(self, ctx: S3Context, container: str, prefix: str, marker: str,
                 page: int) -> None:
        self._ctx, self._container, self._prefix = ctx, container, prefix
        self._marker, self._page = marker, page
        self._rows: Deque[Dict[str, Any]] = deque()
        self._done = False

    def peek(self) -> Optional[Dict[str, Any]]:
        if not self._rows and not self._done:
            rows = list_page(self._ctx, self._container, self._prefix, self._marker,
                             self._page)
            self._rows.extend(rows)
            self._done = len(rows) < self._page
            if rows:
                self._marker = rows[-1].get("name", "")
        return self._rows[0] if self._rows else None

    def pop(self) -> Optional[Dict[str, Any]]:
        row = self.peek()
        if row is not None:
            self._rows.popleft()
        return row

    def jump(self, marker: str) -> None:
        """Forget every row whose name is ``<= marker``."""
        while self._rows and self._rows[0].get("name", "") <= marker:
            self._rows.popleft()
        if not self._rows and marker > self._marker:
            self._marker = marker
