"""Put/Get/DeleteBucketPolicy, GetBucketPolicyStatus and the PublicAccessBlock verbs.

The policy document is validated (``policy.parse``) before anything is
written, so a malformed one answers ``MalformedPolicy`` and leaves the
bucket as it was; it is stored as given (GetBucketPolicy returns the same
text) in container sysmeta (``access.policy_headers``). Who may call these
is the Swift rule for changing a container's metadata (the account's
admin), unless the policy itself allows another principal. How the stored
settings act on requests is ``access.py``.
"""

from __future__ import annotations

from typing import Dict

from webob import Response

from objstore.middleware.s3api import access, bucket_index, public_access
from objstore.middleware.s3api.buckets import check_bucket, xml_response
from objstore.middleware.s3api.context import S3Context
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.policy import MAX_POLICY_BYTES, parse
from objstore.middleware.s3api.subrequest import SwiftResponse
from objstore.middleware.s3api.xml import render

_SYSMETA_PREFIX = "x-container-sysmeta-"
# A raw body may carry indentation the 20 KB limit does not count.
MAX_POLICY_BODY = 4 * MAX_POLICY_BYTES


def _sysmeta(head: SwiftResponse) -> Dict[str, str]:
    return {name[len(_SYSMETA_PREFIX):]: value for name, value in head.headers.items()
            if name.startswith(_SYSMETA_PREFIX)}


def _stored_block(head: SwiftResponse) -> "public_access.PublicAccessBlock | None":
    return public_access.from_stored(_sysmeta(head).get(public_access.INFO_KEY))


def _stored_policy(ctx: S3Context) -> str:
    """The bucket's policy text; ``NoSuchBucketPolicy`` when it has none."""
    check_bucket(ctx)
    text = access.stored_policy_text(_sysmeta(ctx.container_head()))
    if not text:
        raise S3Error("NoSuchBucketPolicy", BucketName=ctx.bucket)
    return text


def _post(ctx: S3Context, headers: Dict[str, str]) -> None:
    resp = ctx.swift.request("POST", ctx.bucket, headers=headers)
    resp.close()
    ctx.raise_for(resp, "NoSuchBucket")


def put_policy(ctx: S3Context) -> Response:
    """PutBucketPolicy: 204, or ``MalformedPolicy`` and nothing changed."""
    check_bucket(ctx)
    body = ctx.read_small_body(MAX_POLICY_BODY)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise S3Error("MalformedPolicy", "This policy contains invalid Json "
                      "(the body is not UTF-8)") from None
    policy = parse(text, ctx.bucket)
    block = _stored_block(ctx.container_head())
    if block is not None and block.block_public_policy and \
            public_access.policy_is_public(policy):
        raise S3Error("AccessDenied", "This bucket's PublicAccessBlock (BlockPublicPolicy) "
                      "refuses a public policy.")
    if ctx.conf.bucket_index_account and ctx.swift.account:
        # The policy is found through the name index: make sure the bucket
        # is in it (a container made with the Swift API is not).
        bucket_index.claim(ctx, ctx.bucket, ctx.swift.account)
        access.forget_owner(ctx, ctx.bucket)
    _post(ctx, access.policy_headers(text))
    return Response(status=204)


def get_policy(ctx: S3Context) -> Response:
    return Response(status=200, body=_stored_policy(ctx).encode("utf-8"),
                    content_type="application/json", charset=None)


def delete_policy(ctx: S3Context) -> Response:
    check_bucket(ctx)
    ctx.container_head()
    _post(ctx, access.policy_headers(""))
    return Response(status=204)


def get_policy_status(ctx: S3Context) -> Response:
    """GetBucketPolicyStatus: ``IsPublic`` by S3's definition of public."""
    text = _stored_policy(ctx)
    public = public_access.policy_is_public(access.parsed(text, ctx.bucket))
    return xml_response(render("PolicyStatus", [("IsPublic", public)]))


def put_public_access_block(ctx: S3Context) -> Response:
    check_bucket(ctx)
    block = public_access.from_xml(ctx.read_small_body())
    ctx.container_head()
    if ctx.conf.bucket_index_account and ctx.swift.account:
        bucket_index.claim(ctx, ctx.bucket, ctx.swift.account)
        access.forget_owner(ctx, ctx.bucket)
    _post(ctx, {public_access.SYSMETA: block.stored()})
    return Response(status=200)


def get_public_access_block(ctx: S3Context) -> Response:
    check_bucket(ctx)
    block = _stored_block(ctx.container_head())
    if block is None:
        raise S3Error("NoSuchPublicAccessBlockConfiguration", BucketName=ctx.bucket)
    return xml_response(block.xml())


def delete_public_access_block(ctx: S3Context) -> Response:
    check_bucket(ctx)
    ctx.container_head()
    _post(ctx, {public_access.SYSMETA: ""})
    return Response(status=204)
