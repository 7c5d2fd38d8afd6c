"""One namespace of bucket names for the whole cluster, as S3 has.

A bucket is a container in its owner's account, so two accounts could each
have a bucket ``photos``; S3 answers the second CreateBucket with
``BucketAlreadyExists``. The index makes names global: a hidden account
(``bucket_index_account``, ``.s3_bucket_index`` by default; its name starts
with a dot, so no user's token or signature reaches it) holds one container,
``buckets``, with one object per bucket name whose body is the owning
account. CreateBucket claims the name with a conditional PUT
(``If-None-Match: *``: of two accounts racing, one wins) before it creates
the container; DeleteBucket releases it after the container is gone. Every
request goes through the proxy pipeline with the authorization check
bypassed, as s3api's own bookkeeping.

Names are only claimed by S3 CreateBucket: containers made with the Swift
API, and buckets made before the index existed, are not in it (a later
CreateBucket of the same name by another account succeeds).
"""

from __future__ import annotations

from typing import Optional

from objstore.middleware.s3api import access
from objstore.middleware.s3api.context import TRUSTED_ENV, S3Context
from objstore.middleware.s3api.errors import S3Error

INDEX_CONTAINER = "buckets"


def owner_of(ctx: S3Context, bucket: str) -> Optional[str]:
    """The account that holds ``bucket`` in the index, or ``None``."""
    resp = ctx.swift.request("GET", INDEX_CONTAINER, bucket, extra_env=dict(TRUSTED_ENV),
                             account=ctx.conf.bucket_index_account)
    if resp.status == 404:
        resp.close()
        return None
    if not resp.ok:
        resp.close()
        raise S3Error("ServiceUnavailable", "The bucket name index could not be read "
                      "(%d); retry." % resp.status)
    return resp.body.decode("utf-8", "replace").strip() or None


def claim(ctx: S3Context, bucket: str, account: str) -> None:
    """Record ``account`` as the owner of ``bucket``; ``BucketAlreadyExists``
    if another account holds the name (holding it ourselves is fine)."""
    index = ctx.conf.bucket_index_account
    for _attempt in range(2):
        resp = ctx.swift.request("PUT", INDEX_CONTAINER, bucket, body=account.encode("utf-8"),
                                 headers={"If-None-Match": "*",
                                          "Content-Type": "text/plain"},
                                 extra_env=dict(TRUSTED_ENV), account=index)
        resp.close()
        if resp.ok:
            # a request that looked the name up before now finds its owner
            access.forget_owner(ctx, bucket)
            return
        if resp.status == 412:
            holder = owner_of(ctx, bucket)
            if holder is None:
                continue  # released meanwhile: try again
            if holder != account:
                raise S3Error("BucketAlreadyExists", BucketName=bucket)
            return
        if resp.status == 404:
            made = ctx.swift.request("PUT", INDEX_CONTAINER, extra_env=dict(TRUSTED_ENV),
                                     account=index)
            made.close()
            if made.ok:
                continue
        raise S3Error("ServiceUnavailable", "The bucket name index could not be "
                      "written (%d); retry." % resp.status)
    raise S3Error("OperationAborted", "The bucket name changed hands while it was "
                  "being created; retry.")


def release(ctx: S3Context, bucket: str, account: str) -> None:
    """Forget ``bucket`` if ``account`` holds it (a failure leaves the name
    taken, never given to someone else)."""
    if owner_of(ctx, bucket) != account:
        return
    ctx.swift.request("DELETE", INDEX_CONTAINER, bucket, extra_env=dict(TRUSTED_ENV),
                      account=ctx.conf.bucket_index_account).close()
    # no request may still be sent to the deleted bucket's account
    access.forget_owner(ctx, bucket)
