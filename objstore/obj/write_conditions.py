"""Conditional object writes: ``If-None-Match: *`` and ``X-Backend-If-Match`` on PUT
(and ``X-Backend-If-Match`` on DELETE, S3's conditional delete).

A conditional PUT is judged twice on each object server. When it arrives
(before any of the body is read) against what the node holds then: a
failed condition is a 412, and the proxy sends no body anywhere. Then at
the moment the new file is published, under the hash directory's lock that
every write of the object takes for its rename (``DiskFileWriter.put``),
against what the node holds at that instant: a write that landed meanwhile
makes the condition fail there, answered 409 with ``X-Backend-Conditional-
Conflict`` (the proxy's 409; S3's ``ConditionalRequestConflict``). So no
write can slip in between a node's check and its rename.

``If-None-Match: *`` is Swift's and any client may send it.
``X-Backend-If-Match`` (a list of ETags as in ``If-Match``) exists only
behind the proxy (the gatekeeper strips ``X-Backend-*`` from clients); s3api
sets it for S3's ``If-Match``. Swift ignores ``If-Match`` on PUT, so the
client header itself is left alone. The ETag compared is the one named by
``X-Backend-Etag-Is-At`` when the object has it (a multipart object's S3
ETag, the MAC of an encrypted object's plaintext ETag), else ``ETag``.
"""

from __future__ import annotations

from typing import Callable, Mapping, Optional

from objstore.common.http.conditional import (ETAG_IS_AT, WRITE_IF_MATCH, etag_matches,
                                              resolve_etag)
from objstore.common.storage_server import HTTPError
from objstore.common.tiering.config import IF_TIMESTAMP
from objstore.common.timestamp import Timestamp

IF_MATCH = WRITE_IF_MATCH
CONFLICT = "X-Backend-Conditional-Conflict"


def is_conditional(headers: Mapping[str, str]) -> bool:
    """Whether a PUT carries a condition on what it replaces."""
    return headers.get("If-None-Match", "").strip() == "*" or headers.get(IF_MATCH) is not None


def failure(headers: Mapping[str, str], current: Optional[Mapping[str, str]]) -> Optional[str]:
    """Why the PUT's condition fails against ``current`` (the object's
    metadata, ``None`` when there is no object), or ``None`` if it holds."""
    if headers.get("If-None-Match", "").strip() == "*" and current is not None:
        return "the object exists and If-None-Match: * was sent"
    if_match = headers.get(IF_MATCH)
    if if_match is not None:
        if current is None:
            return "there is no object and %s was sent" % IF_MATCH
        if not etag_matches(if_match, resolve_etag(current, headers.get(ETAG_IS_AT))):
            return "the object's ETag is not one of %s" % IF_MATCH
    return None


def delete_failure(headers: Mapping[str, str], current: Optional[Mapping[str, str]]
                   ) -> Optional[str]:
    """Why a DELETE's ``X-Backend-If-Match`` (S3's conditional delete) fails
    against ``current`` (``None`` when the node holds no object), or
    ``None``. Only the backend header counts: Swift's DELETE ignores a
    client's ``If-Match`` and ``If-None-Match``."""
    if headers.get(IF_MATCH) is None:
        return None
    return failure({IF_MATCH: headers[IF_MATCH], ETAG_IS_AT: headers.get(ETAG_IS_AT, "")},
                   current)


def at_publish(headers: Mapping[str, str], load: Callable[[], Optional[Mapping[str, str]]]
               ) -> Optional[Callable[[], None]]:
    """The check ``DiskFileWriter.put`` runs under the lock, right before its
    rename (``None`` for an unconditional PUT). ``load`` reads the object's
    metadata as it is on disk at that moment (``None`` if there is none)."""
    if not is_conditional(headers):
        return None

    def check() -> None:
        reason = failure(headers, load())
        if reason:
            raise HTTPError(409, "A concurrent write changed the object: " + reason,
                            {CONFLICT: "true"})
    return check


def refuse_if_newer_than(headers: Mapping[str, str], newest: Optional[Timestamp]) -> None:
    """A tier move's write (``X-Backend-If-Timestamp: T``) loses (409, with
    ``X-Backend-Timestamp``) to anything on this node newer than the version
    ``T`` the mover read, so a client's write always wins over a move
    (docs/tiering.md). A node holding ``T`` or older, or nothing, takes it."""
    raw = headers.get(IF_TIMESTAMP)
    if raw is None or newest is None:
        return
    try:
        if_ts = Timestamp(raw)
    except ValueError:
        raise HTTPError(400, "Invalid %s %r" % (IF_TIMESTAMP, raw)) from None
    if newest > if_ts:
        raise HTTPError(409, "A newer version than %s exists (X-Backend-Timestamp)"
                        % IF_TIMESTAMP, {"X-Backend-Timestamp": newest.internal})
