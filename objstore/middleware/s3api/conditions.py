"""Conditional request headers evaluated against S3's ETag and Last-Modified.

The store's own ETag of a multipart object is that of its manifest, so
conditions are evaluated here, against the ETag S3 shows, rather than
forwarded. The evaluation itself is the common one in RFC 7232's order,
which is also what S3 documents for GET, HEAD and
``x-amz-copy-source-if-*`` (objstore.common.http.conditional).
"""

from __future__ import annotations

from typing import Dict, Optional

from objstore.common.http.conditional import Preconditions, etag_matches, http_date, rfc_verdict
from objstore.middleware.s3api.errors import S3Error


def evaluate(headers: Dict[str, str], etag: str, last_modified: Optional[str],
             prefix: str = "") -> Optional[int]:
    """``None`` to go on, 304 (not modified) or 412 (precondition failed).

    ``prefix`` is ``"x-amz-copy-source-"`` for a copy's source, where every
    failure is 412.
    """
    return rfc_verdict(Preconditions.from_headers(headers, prefix), etag,
                       http_date(last_modified), not_modified=412 if prefix else 304)


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
        if not etag_matches(if_match, current_etag):
            raise S3Error("PreconditionFailed", "The object's ETag is not the one given in "
                          "If-Match.", Condition="If-Match")


def is_conditional_write(headers: Dict[str, str]) -> bool:
    return "if-match" in headers or "if-none-match" in headers
