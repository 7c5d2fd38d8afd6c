"""Conditional request headers evaluated against S3's ETag and Last-Modified.

The store's own ETag of a multipart object is that of its manifest, so
conditions are evaluated here, against the ETag S3 shows, rather than
forwarded. The evaluation itself is the common one in RFC 7232's order,
which is also what S3 documents for GET, HEAD and
``x-amz-copy-source-if-*`` (objstore.common.http.conditional).

Conditional writes (``If-Match`` / ``If-None-Match: *`` on PutObject and
CompleteMultipartUpload, ``guarded_write``) are judged three times:

1. here, against a HEAD, for S3's error of the plain case (``NoSuchKey``
   for ``If-Match`` on a missing key, ``PreconditionFailed``);
2. by every object server when the write arrives (412, nothing sent), and
   again under the object's lock at the instant it publishes the new data
   (``objstore/obj/write_conditions.py``): a write that landed while the
   body was streaming makes it 409 ``ConditionalRequestConflict``, as S3
   answers a write that raced a concurrent one;
3. so that two conditional writes of one key never reach the replicas at
   once (each replica would keep the one that arrived first there, and
   the one refused by a quorum could still be stored on a minority), a
   conditional write holds a lock in the proxies' shared memcached for as
   long as it runs; a second one meanwhile is 409
   ``ConditionalRequestConflict`` at once, without touching storage.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Dict, Iterator, Optional

from objstore.common.http.conditional import (ETAG_IS_AT, WRITE_IF_MATCH, Preconditions,
                                              etag_matches, http_date, rfc_verdict)
from objstore.common.key_lock import KeyLock, RefreshingReader, lock_name  # noqa: F401
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


# What the object servers judge a conditional write by (see
# objstore/obj/write_conditions.py); the S3 ETag of a multipart object is in
# its sysmeta, an encrypted object's plaintext ETag is matched by the
# encryption middleware adding its MAC location.
BACKEND_IF_MATCH = WRITE_IF_MATCH
S3_ETAG_SYSMETA = "x-object-sysmeta-s3api-etag"
# The shared lock of a conditional write (``common/key_lock.py``): a running
# write refreshes it while its body streams, so only a write whose proxy
# died keeps others out, and only for ``key_lock.TTL`` seconds.
_WriteLock = KeyLock


def _lock_key(account: str, bucket: str, key: str) -> str:
    return lock_name("s3api/conditional-write", account, bucket, key)


def _acquire(ctx: Any, key: str) -> Optional[_WriteLock]:
    """The shared lock of a conditional write or delete of ``key`` (``None``
    without memcached); ``ConditionalRequestConflict`` while another holds it."""
    cache = ctx.env.get("swift.cache")
    if cache is None:
        return None
    lock = _WriteLock(cache, _lock_key(ctx.swift.account or "", ctx.bucket, key))
    held = lock.acquire()
    if held is False:
        raise S3Error("ConditionalRequestConflict", "Another conditional write of this "
                      "key is in progress; retry.", Key=key)
    return lock if held else None


@contextmanager
def guarded_write(ctx: Any, headers: Dict[str, str],
                  current_etag: Callable[[], Optional[str]]
                  ) -> Iterator[Optional[_WriteLock]]:
    """Around the write of ``ctx.key`` with ``headers`` (the Swift PUT's,
    completed here): S3's conditional write, or nothing for a plain one.

    Yields the shared lock (``None`` without memcached or a condition) for
    ``RefreshingReader``. Backend answers become S3's: a 412 from the
    object servers is ``PreconditionFailed``, a 409 (a write that landed
    during this one) is ``ConditionalRequestConflict``.
    """
    if not is_conditional_write(ctx.headers):
        yield None
        return
    check_write(ctx.headers, current_etag())  # also learns the account
    lock = _acquire(ctx, ctx.key)
    try:
        if "if-none-match" in ctx.headers:
            headers["If-None-Match"] = "*"
        if "if-match" in ctx.headers:
            headers[BACKEND_IF_MATCH] = ctx.headers["if-match"]
            headers[ETAG_IS_AT] = S3_ETAG_SYSMETA
        try:
            yield lock
        except S3Error as err:
            if err.status == 409:
                raise S3Error("ConditionalRequestConflict", Key=ctx.key) from None
            if err.status == 412:
                raise S3Error("PreconditionFailed", "The key changed before the write: "
                              "%s no longer holds." % ("If-None-Match" if "if-none-match"
                                                      in ctx.headers else "If-Match"),
                              Condition="If-None-Match" if "if-none-match" in ctx.headers
                              else "If-Match") from None
            raise
    finally:
        if lock is not None:
            lock.release()


# -- conditional deletes -------------------------------------------------------

DELETE_CONDITIONS = ("if-match", "x-amz-if-match-last-modified-time", "x-amz-if-match-size")


@dataclass(frozen=True)
class Current:
    """What a conditional delete is judged against: the S3 ETag,
    Last-Modified (an HTTP date) and size of the object or version."""

    etag: str
    last_modified: Optional[str]
    size: int


def is_conditional_delete(wanted: Dict[str, str]) -> bool:
    return any(name in wanted for name in DELETE_CONDITIONS)


def _seconds(text: str) -> Optional[int]:
    """An HTTP date (the header, as SDKs send it) or ISO 8601 date-time
    (DeleteObjects' ``LastModifiedTime``), in whole seconds."""
    when = http_date(text)
    if when is None:
        try:
            when = datetime.fromisoformat(text.strip().replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return int(when)


def check_delete(wanted: Dict[str, str], current: Optional[Current]) -> None:
    """S3's conditional DeleteObject: ``If-Match`` (``*`` matches any
    object), ``x-amz-if-match-last-modified-time`` and
    ``x-amz-if-match-size`` (lower-case names in ``wanted``) against
    ``current`` (``None``: no object, or a delete marker on top). A missing
    object is 404 ``NoSuchKey`` with ``If-Match`` and deleted as usual
    (nothing) with the other two; a mismatch is 412 ``PreconditionFailed``."""
    stamp, size = (wanted.get("x-amz-if-match-last-modified-time"),
                   wanted.get("x-amz-if-match-size"))
    seconds = _seconds(stamp) if stamp is not None else None
    if stamp is not None and seconds is None:
        raise S3Error("InvalidArgument", "x-amz-if-match-last-modified-time is not a date.",
                      ArgumentName="x-amz-if-match-last-modified-time", ArgumentValue=stamp)
    if size is not None and not size.strip().isdigit():
        raise S3Error("InvalidArgument", "x-amz-if-match-size must be a number of bytes.",
                      ArgumentName="x-amz-if-match-size", ArgumentValue=size)
    if current is None:
        if "if-match" in wanted:
            raise S3Error("NoSuchKey", "If-Match was given but the key has no current "
                          "object.")
        return
    failed = None
    if "if-match" in wanted and not etag_matches(wanted["if-match"], current.etag):
        failed = "If-Match"
    elif seconds is not None and _seconds(current.last_modified or "") != seconds:
        failed = "x-amz-if-match-last-modified-time"
    elif size is not None and int(size) != current.size:
        failed = "x-amz-if-match-size"
    if failed:
        raise S3Error("PreconditionFailed", "At least one of the pre-conditions you "
                      "specified did not hold", Condition=failed)


@contextmanager
def guarded_delete(ctx: Any, key: str, wanted: Dict[str, str],
                   current: Callable[[], Optional[Current]]) -> Iterator[Dict[str, str]]:
    """Around the delete of ``key``: S3's conditional delete, judged against
    ``current()`` under the same shared lock as conditional writes, or
    nothing for a plain delete. Yields the headers the Swift DELETE carries
    so that each object server judges ``If-Match`` again when the delete
    arrives (a write that landed since is not deleted)."""
    if not is_conditional_delete(wanted):
        yield {}
        return
    check_delete(wanted, current())  # also learns the account
    lock = _acquire(ctx, key)
    try:
        yield {BACKEND_IF_MATCH: wanted["if-match"], ETAG_IS_AT: S3_ETAG_SYSMETA} \
            if "if-match" in wanted else {}
    finally:
        if lock is not None:
            lock.release()
