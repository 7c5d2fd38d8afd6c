"""Who may do what over S3: the checks that read an ACL (``acl.py``).

The model (docs/s3.md, "ACLs"; docs/security.md):

- The bucket's account is the owner of the bucket and of every object in
  it. Users of that account act under Swift's ACLs, as IAM users act under
  their account's policies: the account's admins (tempauth ``.admin``,
  whose groups hold the account id) and reseller admins are the owner;
  other users of the account reach what the container ACLs give them.
- Everyone else (today: anonymous requests, which address
  ``public_account``) is judged by S3's rules: the bucket's ACL (kept as
  Swift container ACLs, so Swift decides) governs listing and writes; an
  object's own ACL decides reads of that object, both ways: a ``private``
  object in a ``public-read`` bucket is ``AccessDenied``, a ``public-read``
  object in a ``private`` bucket is served. An object without an S3 ACL
  (written with the Swift API) is judged by the container's ACL alone.
- An object ACL can also give a user of the owner's account a read the
  container ACLs refuse (``authenticated-read``, ``id=`` grants).

Reads are checked on the object response itself (before a byte of it or
of a precondition's answer goes out, see ``objects.READ_CHECK``), so an
overwrite racing the check cannot serve a private object under an older
public ACL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Tuple

from webob import Response

from objstore.middleware.s3api import acl, objects, ownership
from objstore.middleware.s3api.context import TRUSTED_ENV, S3Context
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.subrequest import SwiftResponse

_DENIED = "object_acl_denied"


@dataclass(frozen=True)
class Requester:
    """The caller as ACL grants see it."""

    groups: Tuple[str, ...]  # tempauth groups: ``test:tester3``, ``test``, ``AUTH_test``
    signed: bool
    owner: bool  # an admin of the bucket's account, or a reseller admin
    member: bool  # a user of the bucket's account (the owner included)


def requester(ctx: S3Context) -> Requester:
    """The caller of this request (a signed one is authenticated first)."""
    signed = ctx.signature is not None
    if signed:
        ctx.swift.authenticate()
    identity = ctx.swift.identity
    groups = tuple(g for g in str(identity.get("REMOTE_USER", "")).split(",") if g)
    account = ctx.swift.account or ""
    owner = signed and (account in groups or bool(identity.get("reseller_request")))
    # tempauth gives every user of ``AUTH_test`` the group ``test``.
    member = owner or (signed and account.partition("_")[2] in groups)
    return Requester(groups, signed, owner, member)


def _deny(ctx: S3Context, resp: SwiftResponse) -> None:
    resp.close()
    ctx.extra[_DENIED] = True
    raise S3Error("AccessDenied")


def _object_read_check(ctx: S3Context, who: Requester, trusted: bool
                       ) -> Callable[[SwiftResponse], None]:
    """The check ``objects.open_object`` runs on the object's response.

    ``trusted``: the read bypassed the container ACL (which refused it), so
    only the object's ACL can allow it; otherwise the container ACL let the
    caller in and the object's ACL, if it has one, must agree."""
    def check(resp: SwiftResponse) -> None:
        stored = acl.decode(resp.header(acl.OBJECT_SYSMETA.lower()))
        if stored is None:
            if trusted:
                _deny(ctx, resp)
            return
        public = not ctx.extra.get("ignore_public_acls")  # PublicAccessBlock (access.py)
        if not stored.allows("READ", who.groups, who.signed, public) or \
                ownership.acls_disabled(ctx):
            _deny(ctx, resp)
    return check


def read_object(ctx: S3Context, handler: Callable[[S3Context], Response]) -> Response:
    """GetObject/HeadObject under the model above.

    For a user of the bucket's account the container ACL decides, and only
    when it refuses is the object's ACL read (without the caller's rights)
    to see whether it grants the caller READ. Anyone else (anonymous, or
    another account's user the bucket policy brought here) needs the
    object's ACL to grant them READ whichever way the container ACL
    answered. A ``versionId`` read is never opened past the container ACL.
    """
    signed = ctx.signature is not None
    # A signed caller addresses its own account's buckets unless the bucket
    # policy gate (access.py) moved it to the bucket's owner account.
    if not signed or ctx.swift.account is not None:
        who = requester(ctx)
        if not who.member:
            ctx.extra[objects.READ_CHECK] = _object_read_check(ctx, who, False)
    try:
        return handler(ctx)
    except S3Error as err:
        if err.code != "AccessDenied" or ctx.extra.get(_DENIED) or "versionId" in ctx.query:
            raise
        refused = err
    who = requester(ctx)
    ctx.swift.identity = dict(TRUSTED_ENV)
    ctx.extra[objects.READ_CHECK] = _object_read_check(ctx, who, True)
    try:
        return handler(ctx)
    except S3Error as err:
        if err.code in ("NoSuchKey", "NoSuchBucket"):
            raise refused from None  # the caller may not learn what exists
        raise


def allow_anonymous_write(ctx: S3Context) -> None:
    """Let this unsigned request write objects if the bucket's ACL grants
    AllUsers WRITE (``public-read-write``), else raise ``AccessDenied``
    (``NoSuchBucket`` if there is no bucket). No Swift write ACL can say
    "anyone", so the write then runs with the authorization check bypassed."""
    head = ctx.swift.request("HEAD", ctx.bucket, extra_env=dict(TRUSTED_ENV))
    head.close()
    if head.status == 404:
        raise S3Error("NoSuchBucket", BucketName=ctx.bucket)
    stored = acl.decode(head.header(acl.CONTAINER_SYSMETA.lower())) if head.ok else None
    if stored is None or not stored.allows("WRITE", (), False) or \
            ctx.extra.get("ignore_public_acls") or \
            head.header(ownership.OWNERSHIP_SYSMETA.lower()) == ownership.BUCKET_OWNER_ENFORCED:
        raise S3Error("AccessDenied", "Anonymous writes need a bucket whose ACL grants "
                      "AllUsers WRITE (public-read-write); sign the request.")
    ctx.swift.identity = dict(TRUSTED_ENV)


def check_acp(ctx: S3Context, who: Requester, stored: "acl.Acl | None",
              permission: str) -> None:
    """Reading (READ_ACP) or changing (WRITE_ACP) an ACL: the owner, or a
    grantee of ``permission`` in the ACL itself."""
    if who.owner:
        return
    if stored is None or not stored.allows(permission, who.groups, who.signed):
        raise S3Error("AccessDenied", "Only the owner, or a grantee of %s, may %s this "
                      "ACL." % (permission, "read" if permission == "READ_ACP" else "change"))


def trusted_head(ctx: S3Context, key: "str | None" = None) -> SwiftResponse:
    """HEAD the bucket (or ``key`` in it) without the caller's rights, for a
    decision the ACL stored there makes; a missing one is ``NoSuchBucket`` /
    ``NoSuchKey``."""
    resp = ctx.swift.request("HEAD", ctx.bucket, key, extra_env=dict(TRUSTED_ENV))
    resp.close()
    if resp.status == 404 and key is not None:
        ctx.container_head()
    ctx.raise_for(resp, "NoSuchKey" if key is not None else "NoSuchBucket")
    return resp
