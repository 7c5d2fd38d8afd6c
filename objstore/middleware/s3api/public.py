"""Unsigned S3 requests: anonymous reads of public buckets and CORS preflights.

An unsigned request names no account, and buckets here live in accounts,
so unsigned requests address the buckets of one configured account,
``public_account`` in ``[filter:s3api]`` (unset: every unsigned request is
left to the Swift API, as before). They run as anonymous Swift
subrequests, so the container's ACL decides listing; object reads also
need the object's own ACL, and writes a bucket ACL granting AllUsers
WRITE (``acl_checks.py``). A path (path-style, not under a storage
domain) is taken for S3 only if its first segment is a valid bucket name,
not one of the Swift API's roots, and a bucket of ``public_account`` or of
any account in the bucket name index, or the request carries an
``x-amz-*`` header: any other unsigned path
(``/foo``) gets the Swift API's answer, as Swift with s3api gives it (412
Bad URL, 400, 401).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from webob import Response

from objstore.common.info import get_container_info

from objstore.middleware.s3api import access, buckets, cors, deletes, objects
from objstore.middleware.s3api.auth import AuthState
from objstore.middleware.s3api.context import TRUSTED_ENV, S3Config, S3Context
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.request import split_host, valid_bucket_name
from objstore.middleware.s3api.subrequest import Swift

# First path segments that belong to the Swift API and its middlewares.
SWIFT_ROOTS = ("v1", "v1.0", "auth", "info", "healthcheck", "crossdomain.xml", "recon")
ANONYMOUS_HANDLERS = (objects.get_object, objects.head_object, buckets.list_objects,
                      buckets.head_bucket)
# Writes an unsigned request may make, only in a ``public-read-write`` bucket.
ANONYMOUS_WRITE_HANDLERS = (objects.put_object, deletes.delete_object)


def is_public_request(env: Dict[str, Any], conf: S3Config, app: Callable[..., Any]) -> bool:
    """Whether an unsigned request is an S3 one we serve anonymously."""
    if not conf.public_account:
        return False
    if env.get("REQUEST_METHOD") not in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE"):
        return False
    if "HTTP_X_AUTH_TOKEN" in env or "HTTP_X_STORAGE_TOKEN" in env:
        return False
    if conf.storage_domains and split_host(env.get("HTTP_HOST", ""),
                                           conf.storage_domains):
        return True
    first = env.get("PATH_INFO", "").lstrip("/").split("/", 1)[0]
    if not first or first in SWIFT_ROOTS or not valid_bucket_name(first):
        return False
    if any(key.startswith("HTTP_X_AMZ_") for key in env):
        return True  # an S3 client's request (no Swift client sends x-amz-*)
    if get_container_info(env, app, conf.public_account, first)["status"] // 100 == 2:
        return True
    try:  # a bucket of another account, which a bucket policy may open to everyone
        return access.lookup_owner(env, app, conf, first) is not None
    except S3Error:
        return False


def anonymous_swift(app: Callable[..., Any], env: Dict[str, Any], conf: S3Config) -> Swift:
    """Subrequests into ``public_account`` with no identity at all."""
    swift = Swift(app, env, {"access_key": ""}, AuthState(called=True, verified=True))
    swift.account = conf.public_account
    return swift


def _cors_document(ctx: S3Context) -> Optional[str]:
    """The bucket's stored CORS configuration, read without the caller's rights:
    a preflight is unsigned, and the rules themselves are what grant access.
    A preflight finds the bucket in the account the bucket name index names
    (so one sent to a presigned URL of any account's bucket is answered),
    else in ``public_account``."""
    if ctx.method == "OPTIONS" and ctx.conf.bucket_index_account and \
            "cors_account" not in ctx.extra:
        ctx.extra["cors_account"] = access.bucket_owner(ctx, ctx.bucket)
        ctx.swift.account = ctx.extra["cors_account"] or ctx.swift.account
    head = ctx.swift.request("HEAD", ctx.bucket, extra_env=dict(TRUSTED_ENV))
    head.close()
    if head.status == 404:
        raise S3Error("NoSuchBucket", BucketName=ctx.bucket)
    if not head.ok:
        return None
    return head.header(cors.CORS_SYSMETA.lower()) or None


def preflight(ctx: S3Context) -> Response:
    """Answer a CORS preflight ``OPTIONS`` from the bucket's rules."""
    if ctx.target.bucket is None:
        raise S3Error("BadRequest", "A CORS preflight must name a bucket.", status=400)
    headers = cors.preflight(_cors_document(ctx), ctx.headers)
    out = Response(status=200, headers=headers)
    out.headers["Content-Length"] = "0"
    return out


def add_cors_headers(ctx: S3Context, resp: Response) -> None:
    """``Access-Control-*`` on an actual request that carries ``Origin``."""
    origin = ctx.headers.get("origin")
    if not origin or ctx.target.bucket is None:
        return
    try:
        document = _cors_document(ctx)
    except S3Error:
        return
    resp.headers.update(cors.actual_headers(document, origin, ctx.method))
