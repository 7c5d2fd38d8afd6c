"""S3 Object Ownership: Put/Get/DeleteBucketOwnershipControls and what
``BucketOwnerEnforced`` does.

The setting is kept in bucket sysmeta (``OWNERSHIP_SYSMETA``), also when
CreateBucket sets it with ``x-amz-object-ownership``. A bucket without one
behaves as S3's ``ObjectWriter`` with ACLs enabled (S3's default for
buckets made before April 2023; objstore does not turn ACLs off for new
buckets, since the canned ACLs and ``s3cmd setacl`` users rely on them).

Objects here always belong to the bucket's account, so ``ObjectWriter``
and ``BucketOwnerPreferred`` are stored and returned and change nothing
else. ``BucketOwnerEnforced`` disables ACLs as S3 does: setting an ACL
(PutBucketAcl, PutObjectAcl, or a write whose ``x-amz-acl`` /
``x-amz-grant-*`` is more than the bucket owner's full control) is 400
``AccessControlListNotSupported``; GetBucketAcl/GetObjectAcl show only the
owner's FULL_CONTROL; object ACLs no longer grant anything. It can only be
set on a bucket whose ACL grants nobody else
(``InvalidBucketAclWithObjectOwnership``).
"""

from __future__ import annotations

from typing import Dict, Optional

from webob import Response

from objstore.common.info import get_container_info
from objstore.middleware.s3api import acl
from objstore.middleware.s3api.buckets import check_bucket, owner_id, xml_response
from objstore.middleware.s3api.context import S3Context
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.xml import parse, render

OWNERSHIP_SYSMETA = "X-Container-Sysmeta-S3api-Ownership"
OBJECT_WRITER = "ObjectWriter"
BUCKET_OWNER_PREFERRED = "BucketOwnerPreferred"
BUCKET_OWNER_ENFORCED = "BucketOwnerEnforced"
SETTINGS = (BUCKET_OWNER_ENFORCED, BUCKET_OWNER_PREFERRED, OBJECT_WRITER)
# Canned ACLs a write may still name in a BucketOwnerEnforced bucket.
_ENFORCED_CANNED = ("bucket-owner-full-control",)
_CACHE = "ownership"
_SYSMETA_KEY = OWNERSHIP_SYSMETA[len("X-Container-Sysmeta-"):].lower()


def setting(ctx: S3Context) -> Optional[str]:
    """The bucket's ObjectOwnership, ``None`` if never set. Read without the
    caller's rights (it is part of deciding them) from the container info
    the proxy caches, so an anonymous read of a public object costs no
    backend request for it while memcached holds the info."""
    if _CACHE not in ctx.extra:
        ctx.swift.authenticate()  # the account must be known first
        info = get_container_info(ctx.env, ctx.swift.app, ctx.swift.account or "", ctx.bucket)
        ok = 200 <= info.get("status", 0) < 300
        sysmeta = (info.get("sysmeta") or {}) if ok else {}
        ctx.extra[_CACHE] = sysmeta.get(_SYSMETA_KEY) or None
    return ctx.extra[_CACHE]


def acls_disabled(ctx: S3Context) -> bool:
    return setting(ctx) == BUCKET_OWNER_ENFORCED


def _owner_full_control_only(headers: Dict[str, str], owner: str) -> bool:
    """Whether a write's ACL headers grant only the bucket owner's full control."""
    if "x-amz-acl" in headers:
        return headers["x-amz-acl"].strip() in _ENFORCED_CANNED and \
            not any(h in headers for h in acl.GRANT_HEADERS)
    grants = acl.grants_from_headers(headers)
    return all(g == ("id", owner, "FULL_CONTROL") for g in grants)


def check_write_acl(ctx: S3Context) -> None:
    """A write that names an ACL (PutObject, CopyObject, CreateMultipartUpload)
    into a BucketOwnerEnforced bucket: only the owner's full control."""
    if not acl.has_acl_headers(ctx.headers) or not acls_disabled(ctx):
        return
    if not _owner_full_control_only(ctx.headers, owner_id(ctx)):
        raise S3Error("AccessControlListNotSupported")


def refuse_acl_change(ctx: S3Context) -> None:
    """Put*Acl in a BucketOwnerEnforced bucket."""
    if acls_disabled(ctx):
        raise S3Error("AccessControlListNotSupported")


def create_headers(ctx: S3Context, bucket_acl: acl.Acl) -> Dict[str, str]:
    """Container headers for CreateBucket's ``x-amz-object-ownership``."""
    if "x-amz-object-ownership" not in ctx.headers:
        return {}
    value = ctx.headers["x-amz-object-ownership"].strip()
    if value not in SETTINGS:
        raise S3Error("InvalidArgument", "x-amz-object-ownership must be one of %s."
                      % ", ".join(SETTINGS), ArgumentName="x-amz-object-ownership",
                      ArgumentValue=value)
    if value == BUCKET_OWNER_ENFORCED and not bucket_acl.owner_only:
        raise S3Error("InvalidBucketAclWithObjectOwnership")
    return {OWNERSHIP_SYSMETA: value}


def _require_owner(ctx: S3Context) -> None:
    from objstore.middleware.s3api.acl_checks import requester
    if not requester(ctx).owner:
        raise S3Error("AccessDenied", "Only the bucket owner may change its ownership "
                      "controls.")


def get_ownership_controls(ctx: S3Context) -> Response:
    """GetBucketOwnershipControls."""
    check_bucket(ctx)
    head = ctx.container_head()
    value = head.header(OWNERSHIP_SYSMETA.lower())
    if not value:
        raise S3Error("OwnershipControlsNotFoundError", BucketName=ctx.bucket)
    return xml_response(render("OwnershipControls", [
        ("Rule", [("ObjectOwnership", value)])]))


def put_ownership_controls(ctx: S3Context) -> Response:
    """PutBucketOwnershipControls: one Rule with one ObjectOwnership."""
    check_bucket(ctx)
    doc = parse(ctx.read_small_body(), "OwnershipControls")
    rules = doc.findall("Rule")
    values = [(r.findtext("ObjectOwnership") or "").strip() for r in rules]
    if len(values) != 1 or values[0] not in SETTINGS:
        raise S3Error("MalformedXML", "Give one Rule whose ObjectOwnership is one of %s."
                      % ", ".join(SETTINGS))
    head = ctx.container_head()
    _require_owner(ctx)
    current = acl.decode(head.header(acl.CONTAINER_SYSMETA.lower()))
    if values[0] == BUCKET_OWNER_ENFORCED and current is not None and not current.owner_only:
        raise S3Error("InvalidBucketAclWithObjectOwnership", "The bucket's ACL grants "
                      "access to others; set it to private before disabling ACLs.")
    _post(ctx, values[0])
    return Response(status=200)


def delete_ownership_controls(ctx: S3Context) -> Response:
    """DeleteBucketOwnershipControls: back to no setting (ACLs enabled)."""
    check_bucket(ctx)
    ctx.container_head()
    _require_owner(ctx)
    _post(ctx, "")
    return Response(status=204)


def _post(ctx: S3Context, value: str) -> None:
    resp = ctx.swift.request("POST", ctx.bucket, headers={OWNERSHIP_SYSMETA: value})
    resp.close()
    ctx.raise_for(resp, "NoSuchBucket")
    ctx.extra[_CACHE] = value or None
