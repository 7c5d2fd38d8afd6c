"""Conditional request headers evaluated against S3's ETag and Last-Modified.

The store's own ETag of a multipart object is that of its manifest, so
conditions are evaluated here, against the ETag S3 shows, rather than
forwarded. Pure functions following RFC 7232's order of evaluation, which
is also what S3 documents for ``x-amz-copy-source-if-*``.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Dict, Optional

from objstore.middleware.s3api.errors import S3Error


def _date(value: Optional[str]) -> Optional[datetime]:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip().strip('"') for t in header.split(",")]
    return "*" in tags or etag.strip('"') in tags


def evaluate(headers: Dict[str, str], etag: str, last_modified: Optional[str],
             prefix: str = "") -> Optional[int]:
    """``None`` to go on, 304 (not modified) or 412 (precondition failed).

    ``prefix`` is ``"x-amz-copy-source-"`` for a copy's source, where every
    failure is 412.
    """
    modified = _date(last_modified)
    if_match = headers.get(prefix + "if-match")
    if_none_match = headers.get(prefix + "if-none-match")
    if_unmodified = _date(headers.get(prefix + "if-unmodified-since"))
    if_modified = _date(headers.get(prefix + "if-modified-since"))
    not_modified = 412 if prefix else 304
    if if_match is not None:
        if not _matches(if_match, etag):
            return 412
    elif if_unmodified is not None and modified is not None and modified > if_unmodified:
        return 412
    if if_none_match is not None:
        if _matches(if_none_match, etag):
            return not_modified
    elif if_modified is not None and modified is not None and modified <= if_modified:
        return not_modified
    return None


def check(headers: Dict[str, str], etag: str, last_modified: Optional[str],
          prefix: str = "") -> Optional[int]:
    """Like ``evaluate`` but raises ``PreconditionFailed`` for 412."""
    result = evaluate(headers, etag, last_modified, prefix)
    if result == 412:
        raise S3Error("PreconditionFailed", Condition="If-Match" if not prefix
                      else prefix + "if-match")
    return result
