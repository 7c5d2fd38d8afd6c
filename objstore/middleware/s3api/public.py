"""Unsigned S3 requests: anonymous reads of public buckets and CORS preflights.

An unsigned request names no account, and buckets here live in accounts,
so unsigned requests address the buckets of one configured account,
``public_account`` in ``[filter:s3api]`` (unset: every unsigned request is
left to the Swift API, as before). They run as anonymous Swift
subrequests, so the container's read ACL decides: ``public-read``
(``.r:*,.rlistings``) lets anyone GET/HEAD objects and list the bucket,
anything else is ``AccessDenied``. Swift write ACLs cannot name "anyone"
(referrer rules are read-only), so ``public-read-write`` is enforced here:
an unsigned PutObject/DeleteObject (no copy, no sub-resource) runs with
the authorization check bypassed only after the bucket's stored canned ACL
was read (also bypassing it) and found to be ``public-read-write``. A path is taken for S3 only if its first
segment is a valid bucket name and not one of the Swift API's roots.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from webob import Response

from objstore.middleware.s3api import acl, buckets, cors, objects
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
ANONYMOUS_WRITE_HANDLERS = (objects.put_object, objects.delete_object)
# Reads an object's own canned ACL can allow where the bucket's ACL does not.
OBJECT_READ_HANDLERS = (objects.get_object, objects.head_object)
# Object ACLs that let anyone read, and those that let any authenticated user.
_PUBLIC_OBJECT_ACLS = ("public-read", "public-read-write")
_AUTHENTICATED_OBJECT_ACLS = _PUBLIC_OBJECT_ACLS + ("authenticated-read",)


def is_public_request(env: Dict[str, Any], conf: S3Config) -> bool:
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
    return bool(first) and first not in SWIFT_ROOTS and valid_bucket_name(first)


def anonymous_swift(app: Callable[..., Any], env: Dict[str, Any], conf: S3Config) -> Swift:
    """Subrequests into ``public_account`` with no identity at all."""
    swift = Swift(app, env, {"access_key": ""}, AuthState(called=True, verified=True))
    swift.account = conf.public_account
    return swift


def allow_anonymous_write(ctx: S3Context) -> None:
    """Let this unsigned request write objects if the bucket is ``public-read-write``,
    else raise ``AccessDenied`` (``NoSuchBucket`` if there is no bucket)."""
    head = ctx.swift.request("HEAD", ctx.bucket, extra_env=dict(TRUSTED_ENV))
    head.close()
    if head.status == 404:
        raise S3Error("NoSuchBucket", BucketName=ctx.bucket)
    if not head.ok or head.header(acl.CONTAINER_SYSMETA.lower()) != "public-read-write":
        raise S3Error("AccessDenied", "Anonymous writes need a public-read-write bucket; "
                      "sign the request.")
    ctx.swift.identity = dict(TRUSTED_ENV)


def read_object(ctx: S3Context, handler: Callable[[S3Context], Response],
                signed: bool) -> Response:
    """GetObject/HeadObject, where the object's own canned ACL can allow what
    the bucket's ACL refuses: ``public-read`` to anyone, ``authenticated-read``
    to any signed user (as S3 enforces object ACLs).

    The bucket ACL is tried first (one request in the common case); only on
    ``AccessDenied`` is the object's ACL read, without the caller's rights,
    and the read repeated without them if that ACL allows it. A specific
    ``versionId`` is not opened this way.
    """
    try:
        return handler(ctx)
    except S3Error as err:
        if err.code != "AccessDenied" or "versionId" in ctx.query or \
                ctx.extra.get("ignore_public_acls"):  # PublicAccessBlock (access.py)
            raise
        head = ctx.swift.request("HEAD", ctx.bucket, ctx.key, extra_env=dict(TRUSTED_ENV))
        head.close()
        allowed = _AUTHENTICATED_OBJECT_ACLS if signed else _PUBLIC_OBJECT_ACLS
        if not head.ok or head.header(acl.OBJECT_SYSMETA.lower()) not in allowed:
            raise
    ctx.swift.identity = dict(TRUSTED_ENV)
    return handler(ctx)


def _cors_document(ctx: S3Context) -> Optional[str]:
    """The bucket's stored CORS configuration, read without the caller's rights:
    a preflight is unsigned, and the rules themselves are what grant access."""
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
