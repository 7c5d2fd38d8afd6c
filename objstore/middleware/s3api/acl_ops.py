"""GetBucketAcl, PutBucketAcl, GetObjectAcl, PutObjectAcl.

An ACL is set by a canned ``x-amz-acl``, ``x-amz-grant-*`` headers or an
``AccessControlPolicy`` body (``acl.py``), by the owner or a grantee of
WRITE_ACP; it is read by the owner or a grantee of READ_ACP
(``acl_checks.check_acp``). In a BucketOwnerEnforced bucket ACLs cannot be set
and read back as the owner's FULL_CONTROL only (``ownership.py``).
"""

from __future__ import annotations

from webob import Response

from objstore.middleware.s3api import acl, acl_checks, ownership
from objstore.middleware.s3api.buckets import check_bucket, owner_id, xml_response
from objstore.middleware.s3api.context import TRUSTED_ENV, S3Context
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.subresources import _post_object


def _requested_acl(ctx: S3Context, bucket: bool) -> acl.Acl:
    """The ACL a PutBucketAcl/PutObjectAcl asks for: ``x-amz-acl``,
    ``x-amz-grant-*`` headers, or an ``AccessControlPolicy`` body."""
    body = ctx.read_small_body() if _has_body(ctx) else b""
    if not body.strip():
        return acl.from_headers(ctx.headers, owner_id(ctx), bucket)
    if acl.has_acl_headers(ctx.headers):
        raise S3Error("UnexpectedContent", "This request does not support content when "
                      "x-amz-acl or x-amz-grant-* headers are given.")
    return acl.from_grants(acl.grants_from_policy(body), owner_id(ctx))


def _checked(ctx: S3Context, bucket: bool) -> acl.Acl:
    """``_requested_acl``, refused when a PublicAccessBlock (BlockPublicAcls,
    ``access.py``) forbids a public one."""
    new = _requested_acl(ctx, bucket)
    if ctx.extra.get("block_public_acls") and new.is_public:
        raise S3Error("AccessDenied", "This bucket's PublicAccessBlock (BlockPublicAcls) "
                      "refuses public ACLs.")
    return new


def _has_body(ctx: S3Context) -> bool:
    return ctx.env.get("CONTENT_LENGTH") not in (None, "", "0") or \
        "x-amz-decoded-content-length" in ctx.headers or \
        ctx.env.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"


def _shown(ctx: S3Context, stored: "acl.Acl | None") -> bytes:
    if ownership.acls_disabled(ctx):
        stored = None
    return acl.grants_xml(owner_id(ctx), stored)


def get_bucket_acl(ctx: S3Context) -> Response:
    check_bucket(ctx)
    who = acl_checks.requester(ctx)
    head = ctx.container_head() if who.owner else acl_checks.trusted_head(ctx)
    stored = acl.decode(head.header(acl.CONTAINER_SYSMETA.lower()))
    acl_checks.check_acp(ctx, who, stored, "READ_ACP")
    return xml_response(_shown(ctx, stored))


def put_bucket_acl(ctx: S3Context) -> Response:
    """PutBucketAcl: the bucket's ACL and the container ACLs it maps to."""
    check_bucket(ctx)
    who = acl_checks.requester(ctx)
    head = ctx.container_head() if who.owner else acl_checks.trusted_head(ctx)
    acl_checks.check_acp(ctx, who, acl.decode(head.header(acl.CONTAINER_SYSMETA.lower())),
                     "WRITE_ACP")
    ownership.refuse_acl_change(ctx)
    new = _checked(ctx, bucket=True)
    # A grantee of WRITE_ACP changes the container ACLs on the owner's behalf
    # (the proxy takes ACL headers from owners only).
    extra = None if who.owner else dict(TRUSTED_ENV, swift_owner=True)
    resp = ctx.swift.request("POST", ctx.bucket, headers=acl.container_headers(new),
                             extra_env=extra)
    resp.close()
    ctx.raise_for(resp, "NoSuchBucket")
    return Response(status=200)


def get_object_acl(ctx: S3Context) -> Response:
    who = acl_checks.requester(ctx)
    if who.owner:
        from objstore.middleware.s3api.objects import _get
        head = _get(ctx, ctx.bucket, ctx.key, "HEAD")
        head.close()
        ctx.raise_for(head, "NoSuchKey")
    else:
        head = acl_checks.trusted_head(ctx, ctx.key)
    stored = acl.decode(head.header(acl.OBJECT_SYSMETA.lower()))
    acl_checks.check_acp(ctx, who, stored, "READ_ACP")
    return xml_response(_shown(ctx, stored))


def put_object_acl(ctx: S3Context) -> Response:
    """PutObjectAcl: a canned ACL, grant headers, or an AccessControlPolicy."""
    who = acl_checks.requester(ctx)
    if not who.owner:
        head = acl_checks.trusted_head(ctx, ctx.key)
        acl_checks.check_acp(ctx, who, acl.decode(head.header(acl.OBJECT_SYSMETA.lower())),
                         "WRITE_ACP")
    ownership.refuse_acl_change(ctx)
    new = _checked(ctx, bucket=False)
    if not who.owner:
        ctx.swift.identity = dict(TRUSTED_ENV)
    _post_object(ctx, {acl.OBJECT_SYSMETA: new.encode()})
    return Response(status=200)
