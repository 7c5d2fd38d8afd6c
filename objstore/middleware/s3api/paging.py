"""Container listings read page by page, as iterators.

Every S3 listing objstore serves from a Swift container (versions, parts,
uploads, archived versions of one key) reads it through here, a page of
``page`` rows at a time, so memory stays bounded whatever the container
holds; callers stop iterating once they have what they need.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Tuple

from objstore.middleware.s3api.context import S3Context

PAGE = 1000


def iter_listing(ctx: S3Context, container: str, prefix: str = "", marker: str = "",
                 end_marker: str = "", reverse: bool = False, page: int = PAGE,
                 delimiter: str = "") -> Iterator[Dict[str, Any]]:
    """The rows of ``container``'s listing after ``marker`` (before it when
    ``reverse``), fetched lazily; a missing container lists nothing."""
    while True:
        query: List[Tuple[str, str]] = [("format", "json"), ("limit", str(page))]
        for name, value in (("prefix", prefix), ("marker", marker),
                            ("end_marker", end_marker), ("delimiter", delimiter)):
            if value:
                query.append((name, value))
        if reverse:
            query.append(("reverse", "true"))
        resp = ctx.swift.request("GET", container, query=query)
        if resp.status in (404, 204):
            resp.close()
            return
        ctx.raise_for(resp, "NoSuchBucket")
        rows = json.loads(resp.body or b"[]")
        yield from rows
        if len(rows) < page:
            return
        marker = rows[-1].get("name") or rows[-1].get("subdir") or ""
