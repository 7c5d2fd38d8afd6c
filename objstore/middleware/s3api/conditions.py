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


def check_write(headers: Dict[str, str], current_etag: Optional[str]) -> None:
    """S3's conditional writes (PutObject, CompleteMultipartUpload).

    ``current_etag`` is the S3 ETag of the key's current object, ``None``
    when there is none (never written, deleted, or a delete marker on
    top). ``If-None-Match`` takes only ``*`` and fails with 412 when the
    key exists; ``If-Match`` fails with 404 ``NoSuchKey`` when it does not
    and 412 when the ETag differs. The two together, or another
    ``If-None-Match`` value, are ``NotImplemented``, as S3 answers.
    """
    if_match = headers.get("if-match")
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None and (if_none_match.strip() != "*" or if_match is not None):
        raise S3Error("NotImplemented", "A header you provided implies functionality that "
                      "is not implemented: If-None-Match takes only * on a write, and not "
                      "together with If-Match.", Header="If-None-Match")
    if if_none_match is not None and current_etag is not None:
        raise S3Error("PreconditionFailed", "The key exists and If-None-Match: * was given.",
                      Condition="If-None-Match")
    if if_match is not None:
        if current_etag is None:
            raise S3Error("NoSuchKey", "If-Match was given but the key has no current "
                          "object.")
        if not _matches(if_match, current_etag):
            raise S3Error("PreconditionFailed", "The object's ETag is not the one given in "
                          "If-Match.", Condition="If-Match")


def is_conditional_write(headers: Dict[str, str]) -> bool:
    return "if-match" in headers or "if-none-match" in headers
