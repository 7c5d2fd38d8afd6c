"""Bucket policies and PublicAccessBlock, applied before each S3 operation.

A bucket's policy and its PublicAccessBlock settings live in its container's
sysmeta, so they are read with the container info the proxy already caches
(no extra backend request while memcached holds it); a bucket with neither
costs nothing more. The bucket's account comes from the bucket name index
(cached for ``OWNER_TTL`` seconds), so a policy can open a bucket to other
accounts and to anonymous callers whatever account holds it.

How the policy combines with the ACLs, as AWS documents it: a matching
``Deny`` refuses the request whatever the ACLs say (the owner account's
admin may still get, put and delete the policy itself, so nobody locks
themselves out); a matching ``Allow`` lets it through even if no ACL would;
otherwise the ACLs (Swift's container ACLs, canned ACLs) decide as before.
What a policy allows runs with the authorization check bypassed for exactly
the containers and objects of that operation (``Swift.grant``): the key
asked for, its parts and archived versions, or the bucket itself for bucket
operations. A copy is only opened by the policy when it allows both the
write and the read of a source in the same bucket. DeleteObjects is decided
key by key (``authorize_key``).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from objstore.common import object_lock
from objstore.common.info import INFOCACHE_KEY, cache_key, get_container_info
from objstore.common.subrequest import close_response, sub_request
from objstore.common.versions import archive_prefix, reserved_versions_container
from objstore.common.versions_listing import SEPARATOR as VERSIONS_SEPARATOR
from objstore.common.s3_layout import TAGGING_SYSMETA  # noqa: F401 (s3api's name for it)
from objstore.middleware.s3api import acl, public_access, tagging
from objstore.middleware.s3api import xml as s3xml
from objstore.middleware.s3api.context import (SEGMENTS_SUFFIX, TRUSTED_ENV, VERSIONS_SUFFIX,
                                                S3Config, S3Context)
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.policy import Policy, parse
from objstore.middleware.s3api.policy_eval import ALLOW, DENY, Principal, Request, evaluate
from objstore.middleware.s3api.public_access import PublicAccessBlock

POLICY_SYSMETA = "X-Container-Sysmeta-S3api-Policy-"  # + chunk number
POLICY_CHUNK = 4000      # base64 characters per sysmeta value (header lines stay short)
POLICY_CHUNKS = 8        # 8 x 4000 x 3/4 = 24,000 bytes > the 20 KB limit
OWNER_CACHE_PREFIX = "s3api/bucket-owner/"
OWNER_TTL = 60
_PARSED_MAX = 256
_PARSED: "OrderedDict[Tuple[str, str], Policy]" = OrderedDict()

# The S3 action of each handler ("<module>.<function>"); a handler missing
# here is named by its function (``get_bucket_encryption`` ->
# ``GetBucketEncryption``).
ACTIONS: Dict[str, str] = {
    "objects.get_object": "GetObject", "objects.head_object": "GetObject",
    "objects.put_object": "PutObject", "copying.copy_object": "PutObject",
    "deletes.delete_object": "DeleteObject",
    "multipart.create_upload": "PutObject", "multipart.upload_part": "PutObject",
    "multipart.upload_part_copy": "PutObject", "multipart.complete_upload": "PutObject",
    "multipart.abort_upload": "AbortMultipartUpload",
    "multipart.list_parts": "ListMultipartUploadParts",
    "multipart.list_uploads": "ListBucketMultipartUploads",
    "buckets.list_objects": "ListBucket", "buckets.head_bucket": "ListBucket",
    "buckets.list_versions": "ListBucketVersions", "buckets.delete_bucket": "DeleteBucket",
    "buckets.get_location": "GetBucketLocation",
    "subresources.get_versioning": "GetBucketVersioning",
    "subresources.put_versioning": "PutBucketVersioning",
    "acl_ops.get_bucket_acl": "GetBucketAcl", "acl_ops.put_bucket_acl": "PutBucketAcl",
    "acl_ops.get_object_acl": "GetObjectAcl", "acl_ops.put_object_acl": "PutObjectAcl",
    "ownership.get_ownership_controls": "GetBucketOwnershipControls",
    "ownership.put_ownership_controls": "PutBucketOwnershipControls",
    "ownership.delete_ownership_controls": "PutBucketOwnershipControls",
    "subresources.get_request_payment": "GetBucketRequestPayment",
    "subresources.put_request_payment": "PutBucketRequestPayment",
    "subresources.get_cors": "GetBucketCORS", "subresources.put_cors": "PutBucketCORS",
    "subresources.delete_cors": "PutBucketCORS",
    "subresources.get_bucket_tagging": "GetBucketTagging",
    "subresources.put_bucket_tagging": "PutBucketTagging",
    "subresources.delete_bucket_tagging": "PutBucketTagging",
    "subresources.get_object_tagging": "GetObjectTagging",
    "subresources.put_object_tagging": "PutObjectTagging",
    "subresources.delete_object_tagging": "DeleteObjectTagging",
    "attributes.get_object_attributes": "GetObjectAttributes",
    "bucket_policy.get_policy": "GetBucketPolicy", "bucket_policy.put_policy": "PutBucketPolicy",
    "bucket_policy.delete_policy": "DeleteBucketPolicy",
    "locking.get_lock_configuration": "GetBucketObjectLockConfiguration",
    "locking.put_lock_configuration": "PutBucketObjectLockConfiguration",
    "locking.get_retention": "GetObjectRetention", "locking.put_retention": "PutObjectRetention",
    "locking.get_legal_hold": "GetObjectLegalHold",
    "locking.put_legal_hold": "PutObjectLegalHold",
    "bucket_policy.get_policy_status": "GetBucketPolicyStatus",
    "bucket_policy.get_public_access_block": "GetBucketPublicAccessBlock",
    "bucket_policy.put_public_access_block": "PutBucketPublicAccessBlock",
    "bucket_policy.delete_public_access_block": "PutBucketPublicAccessBlock",
    "post_object.post_object": "PutObject",
    "bucket_encryption.get_bucket_encryption": "GetEncryptionConfiguration",
    "bucket_encryption.put_bucket_encryption": "PutEncryptionConfiguration",
    "bucket_encryption.delete_bucket_encryption": "PutEncryptionConfiguration",
    "lifecycle.delete_lifecycle_configuration": "PutLifecycleConfiguration",
}
# With ?versionId= these actions have their own names.
VERSIONED = {"GetObject": "GetObjectVersion", "DeleteObject": "DeleteObjectVersion",
             "GetObjectAcl": "GetObjectVersionAcl", "PutObjectAcl": "PutObjectVersionAcl",
             "GetObjectTagging": "GetObjectVersionTagging",
             "PutObjectTagging": "PutObjectVersionTagging",
             "DeleteObjectTagging": "DeleteObjectVersionTagging",
             "GetObjectAttributes": "GetObjectVersionAttributes"}
# What the owner account's admin may always do, whatever the policy says.
OWNER_ALWAYS = ("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy")
# Handlers that set an ACL (BlockPublicAcls refuses a public one).
ACL_SETTERS = ("objects.put_object", "copying.copy_object", "multipart.create_upload",
               "acl_ops.put_bucket_acl", "acl_ops.put_object_acl",
               "post_object.post_object")
# Handlers that are not about one existing bucket's contents.
UNGATED = ("buckets.create_bucket", "buckets.list_buckets", "buckets.head_service",
           "post_object.post_object")  # gated by its handler once the key is known
COPIES = ("copying.copy_object", "multipart.upload_part_copy")
# Condition keys read from request headers: s3:<header>.
_HEADER_KEYS = ("x-amz-acl", "x-amz-server-side-encryption",
                "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-copy-source",
                "x-amz-metadata-directive", "x-amz-storage-class", "x-amz-content-sha256",
                "x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp",
                "x-amz-grant-write-acp", "x-amz-grant-full-control",
                "x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date",
                "x-amz-object-lock-legal-hold")


def handler_name(handler: Callable[..., Any]) -> str:
    return "%s.%s" % (handler.__module__.rsplit(".", 1)[-1], handler.__name__)


def action_of(name: str, query: Dict[str, str]) -> str:
    """The S3 action (without ``s3:``) a handler performs."""
    action = ACTIONS.get(name)
    if action is None:
        action = "".join(p.capitalize() for p in name.rsplit(".", 1)[-1].split("_"))
    if "versionId" in query:
        action = VERSIONED.get(action, action)
    return action


# -- stored documents ------------------------------------------------------

def policy_headers(text: str) -> Dict[str, str]:
    """Container headers storing ``text`` (base64 in chunks; empty clears)."""
    import base64
    data = base64.b64encode(text.encode("utf-8")).decode("ascii") if text else ""
    chunks = [data[i:i + POLICY_CHUNK] for i in range(0, len(data), POLICY_CHUNK)]
    return {"%s%d" % (POLICY_SYSMETA, n): chunks[n] if n < len(chunks) else ""
            for n in range(POLICY_CHUNKS)}


def stored_policy_text(sysmeta: Dict[str, str]) -> str:
    """The policy document from a container info's ``sysmeta`` ("" if none)."""
    import base64
    prefix = POLICY_SYSMETA[len("X-Container-Sysmeta-"):].lower()
    data = "".join(sysmeta.get("%s%d" % (prefix, n), "") for n in range(POLICY_CHUNKS))
    return base64.b64decode(data).decode("utf-8") if data else ""


def parsed(text: str, bucket: str) -> Policy:
    """``parse`` with a per-process cache: a policy is parsed once, not per request."""
    key = (bucket, text)
    found = _PARSED.get(key)
    if found is not None:
        _PARSED.move_to_end(key)
        return found
    policy = parse(text, bucket)
    _PARSED[key] = policy
    while len(_PARSED) > _PARSED_MAX:
        _PARSED.popitem(last=False)
    return policy


class BucketState:
    """What the container info says about a bucket's access settings."""

    def __init__(self, account: str, bucket: str, info: Dict[str, Any]) -> None:
        sysmeta = info.get("sysmeta") or {}
        self.account = account
        text = stored_policy_text(sysmeta)
        self.policy = parsed(text, bucket) if text else None
        self.block = public_access.from_stored(sysmeta.get(public_access.INFO_KEY))
        self.acl = acl.decode(sysmeta.get(acl.CONTAINER_SYSMETA[len("X-Container-Sysmeta-"):]
                                           .lower())) or acl.PRIVATE

    @property
    def settings(self) -> PublicAccessBlock:
        return self.block or PublicAccessBlock()


def bucket_state(ctx: S3Context, account: str, bucket: str) -> Optional[BucketState]:
    info = get_container_info(ctx.env, ctx.swift.app, account, bucket)
    if not 200 <= info.get("status", 0) < 300:
        return None
    return BucketState(account, bucket, info)


# -- who owns a bucket -------------------------------------------------------

def _cache(env: Dict[str, Any]) -> Any:
    cache = env.get("swift.cache")
    return cache if cache is not None else env.get("objstore.local_cache")


def bucket_owner(ctx: S3Context, bucket: str) -> Optional[str]:
    """The account holding ``bucket`` in the name index (cached), or ``None``.

    The bucket's container and account info of the caller's account (as
    its access key had last time) come in the same cache round trip: in
    the usual case, the caller's own bucket, every later info lookup of the
    request is answered from them."""
    hint = ctx.swift.account_hint()
    also = (cache_key(hint, bucket), cache_key(hint)) if hint else ()
    return lookup_owner(ctx.env, ctx.swift.app, ctx.conf, bucket, also)


def lookup_owner(env: Dict[str, Any], app: Any, conf: S3Config, bucket: str,
                 also: Sequence[str] = ()) -> Optional[str]:
    """``bucket_owner`` for a request that has no S3 context yet; ``also``:
    account or container info cache keys to fetch in the same round trip
    into the request's info cache (see ``objstore.common.info``)."""
    index = conf.bucket_index_account
    if not index:
        return None
    cache = _cache(env)
    key = OWNER_CACHE_PREFIX + bucket
    if cache is not None:
        try:
            found = _get_with_infos(env, cache, key, also)
        except Exception:  # a cache outage only costs a lookup
            found = None
        if isinstance(found, str):
            return found or None
    resp = sub_request(app, env, "GET", "/v1/%s/buckets/%s" % (index, bucket),
                       source="S3", extra=dict(TRUSTED_ENV))
    if resp.status_int == 404:
        close_response(resp)
        owner = ""
    elif 200 <= resp.status_int < 300:
        owner = resp.body.decode("utf-8", "replace").strip()
    else:
        close_response(resp)
        raise S3Error("ServiceUnavailable", "The bucket name index could not be read "
                      "(%d); retry." % resp.status_int)
    if cache is not None:
        try:
            cache.set(key, owner, time=OWNER_TTL)
        except Exception:
            pass
    return owner or None


def _get_with_infos(env: Dict[str, Any], cache: Any, key: str, also: Sequence[str]) -> Any:
    """``cache.get(key)``, fetching the info keys ``also`` this request has
    not seen yet with it; those found are kept in its info cache as
    ``get_container_info`` would keep them."""
    infocache = env.setdefault(INFOCACHE_KEY, {})
    wanted = [name for name in also if name not in infocache]
    if not wanted or not hasattr(cache, "get_multi"):
        return cache.get(key)
    found = cache.get_multi([key] + wanted)
    for name in wanted:
        value = found.get(name)
        if isinstance(value, dict) and "status" in value:
            infocache[name] = value
    return found.get(key)


def forget_owner(ctx: S3Context, bucket: str) -> None:
    """Drop the cached owner of ``bucket`` (after CreateBucket/DeleteBucket)."""
    cache = _cache(ctx.env)
    if cache is not None:
        try:
            cache.delete(OWNER_CACHE_PREFIX + bucket)
        except Exception:
            pass


# -- the gate ---------------------------------------------------------------

def _groups(ctx: S3Context) -> List[str]:
    return [g for g in str(ctx.swift.identity.get("REMOTE_USER", "")).split(",") if g]


def principal_of(ctx: S3Context, signed: bool) -> Principal:
    if not signed:
        return Principal()
    groups = _groups(ctx)
    user = groups[0].split(":", 1)[1] if groups and ":" in groups[0] else None
    return Principal(ctx.swift.account, user)


def enforce(ctx: S3Context, handler: Callable[..., Any], signed: bool) -> bool:
    """Apply the bucket's policy and PublicAccessBlock to this request.

    ``AccessDenied`` when they refuse it; ``True`` when the policy allowed it
    (its subrequests then run with the grant described above), ``False``
    when the ACLs decide as usual.
    """
    name = handler_name(handler)
    if ctx.target.bucket is None or name in UNGATED:
        return False
    bucket = ctx.bucket
    owner = bucket_owner(ctx, bucket)
    if owner is None:
        if ctx.conf.bucket_index_account and signed:
            return False  # not claimed through S3: no policy can have been put
        if signed:
            ctx.swift.authenticate()
        owner = ctx.swift.account or ctx.conf.public_account
    state = bucket_state(ctx, owner, bucket)
    if state is None or (state.policy is None and state.block is None):
        if state is not None and signed and not state.acl.owner_only:
            route_granted(ctx, owner)
        return False
    if signed:
        ctx.swift.authenticate()
    principal = principal_of(ctx, signed)
    ctx.swift.account = owner  # the bucket lives there, whoever asks
    is_admin = principal.account == owner and owner in _groups(ctx)
    gate = Gate(ctx, state, principal, is_admin, signed)
    return gate.check(name)


def route_granted(ctx: S3Context, owner: str) -> None:
    """A bucket whose ACL grants something to others (an account, a user,
    AuthenticatedUsers, AllUsers): a signed caller of another account
    reaches it in the owner's account, where its ACLs (Swift's container
    ACLs and s3api's object ACLs) decide, as S3 routes a request by the
    bucket's global name. Costs the caller's identity first (an account
    ``OPTIONS``), only for buckets with grants."""
    ctx.swift.authenticate()
    if ctx.swift.account != owner:
        ctx.swift.account = owner


class Gate:
    """One request's decision against one bucket's settings."""

    def __init__(self, ctx: S3Context, state: BucketState, principal: Principal,
                 is_admin: bool, signed: bool) -> None:
        self.ctx = ctx
        self.state = state
        self.principal = principal
        self.is_admin = is_admin
        self.signed = signed
        self.extra_keys: Tuple[str, ...] = ()  # a copy source in the same bucket
        self.name = ""  # the handler being decided

    def check(self, name: str) -> bool:
        ctx, settings = self.ctx, self.state.settings
        self.name = name
        if settings.block_public_acls and name in ACL_SETTERS and self._sets_public_acl():
            raise S3Error("AccessDenied", "This bucket's PublicAccessBlock (BlockPublicAcls) "
                          "refuses public ACLs.")
        # Read by acl_checks.read_object (object ACLs) and the Put*Acl handlers.
        ctx.extra["ignore_public_acls"] = settings.ignore_public_acls
        ctx.extra["block_public_acls"] = settings.block_public_acls
        if name == "deletes.delete_objects":
            ctx.extra["authorize_key"] = self.authorize_key
            return False
        action = action_of(name, ctx.query)
        key = ctx.target.key
        if ctx.headers.get("x-amz-bypass-governance-retention", "").strip().lower() == "true":
            # Read by locking.may_bypass: the policy's word on the bypass.
            ctx.extra["policy_bypass_governance"] = \
                self._allows("BypassGovernanceRetention", key)
        decision = self.decide(action, key)
        if decision == ALLOW and name in COPIES:
            decision = self._copy_source_decision(decision)
        if decision == ALLOW:
            self._grant(key, bucket_level=key is None)
            return True
        self._refuse_public_acl_access(action)
        return False

    def decide(self, action: str, key: Optional[str]) -> Optional[str]:
        """``ALLOW``/``None`` for ``action`` on ``key``; ``AccessDenied`` on a deny."""
        policy = self.state.policy
        if policy is None:
            return None
        resource = "arn:aws:s3:::%s%s" % (self.ctx.bucket, "" if key is None else "/" + key)
        decision = evaluate(policy, Request(self.principal, action, resource,
                                            self.keys_for(key)))
        if decision == DENY:
            if self.is_admin and action in OWNER_ALWAYS:
                return None
            raise S3Error("AccessDenied", "Access Denied by the bucket policy.")
        if decision == ALLOW and self.state.settings.restrict_public_buckets and \
                self.principal.account != self.state.account and \
                public_access.policy_is_public(policy):
            return None  # RestrictPublicBuckets: the owner account only
        return decision

    def _allows(self, action: str, key: Optional[str]) -> bool:
        try:
            return self.decide(action, key) == ALLOW
        except S3Error:
            return False  # an explicit Deny

    def _copy_source_decision(self, decision: Optional[str]) -> Optional[str]:
        from objstore.middleware.s3api.copying import parse_copy_source
        bucket, key, vid = parse_copy_source(self.ctx.headers.get("x-amz-copy-source", ""))
        if bucket != self.ctx.bucket:
            return decision  # the other bucket is read with the caller's own rights
        read = self.decide("GetObjectVersion" if vid else "GetObject", key)
        if read != ALLOW:
            return None
        self.extra_keys = (key,)
        return decision

    def _grant(self, key: Optional[str], bucket_level: bool) -> None:
        bucket = self.ctx.bucket
        keys = (key,) + self.extra_keys if key is not None else ()
        prefixes = tuple(k + "/" for k in keys)
        archives = tuple(archive_prefix(k) for k in keys)
        kept = tuple(k + VERSIONS_SEPARATOR for k in keys)
        reserved = reserved_versions_container(bucket)
        hidden = (bucket + SEGMENTS_SUFFIX, bucket + VERSIONS_SUFFIX, reserved)

        def grant(container: str, obj: Optional[str]) -> bool:
            if obj is None:
                return container == bucket or container in hidden
            if bucket_level:
                return container in hidden
            if container == bucket:
                return obj in keys
            if container == bucket + SEGMENTS_SUFFIX:
                return obj.startswith(prefixes)
            if container == bucket + VERSIONS_SUFFIX:
                return obj.startswith(archives)
            if container == reserved:
                return obj.startswith(kept)
            return False

        swift = self.ctx.swift
        swift.grant = grant
        swift.grant_env = dict(TRUSTED_ENV)

    def authorize_key(self, key: str, version: Optional[str]) -> None:
        """DeleteObjects, one key: refuse, open, or leave to the ACLs."""
        decision = self.decide("DeleteObjectVersion" if version else "DeleteObject", key)
        self.ctx.swift.grant = None
        if decision == ALLOW:
            self._grant(key, bucket_level=False)

    def _refuse_public_acl_access(self, action: str) -> None:
        """IgnorePublicAcls: the public ACL grants nothing beyond the owner."""
        if not self.state.settings.ignore_public_acls or self.is_admin:
            return
        refused = S3Error("AccessDenied", "This bucket's PublicAccessBlock "
                          "(IgnorePublicAcls) ignores its public ACL.")
        if not self.signed:
            raise refused  # an unsigned caller had nothing but public grants
        permission = "READ" if action.startswith(("Get", "List")) else "WRITE"
        groups = _groups(self.ctx)
        bucket_acl = self.state.acl
        if bucket_acl.allows(permission, groups, True) and \
                not bucket_acl.allows(permission, groups, True, public=False):
            raise refused  # only an AllUsers/AuthenticatedUsers grant let it in

    def _sets_public_acl(self) -> bool:
        """Whether the request's headers ask for a public ACL (an
        AccessControlPolicy body is checked by the Put*Acl handlers)."""
        headers = self.ctx.headers
        if public_access.acl_is_public(headers.get("x-amz-acl", "").strip()):
            return True
        grants = " ".join(v for k, v in headers.items() if k.startswith("x-amz-grant-"))
        return acl.ALL_USERS in grants or acl.AUTH_USERS in grants

    # -- condition keys ---------------------------------------------------

    def keys_for(self, key: Optional[str]) -> Callable[[str], Optional[List[str]]]:
        ctx = self.ctx
        static = request_keys(ctx, self.principal, self.signed, self.is_admin)

        def lookup(name: str) -> Optional[List[str]]:
            if name in static:
                return static[name]
            if name in LOCK_KEYS:
                return lock_keys(ctx, self.name).get(name)
            if name.startswith("s3:existingobjecttag/") and key is not None:
                tags = dict(self._existing_tags(key))
                tag = name.split("/", 1)[1]
                return [tags[tag]] if tag in tags else None
            return None
        return lookup

    def _existing_tags(self, key: str) -> List[Tuple[str, str]]:
        cached = self.ctx.extra.get("existing_tags")
        if cached is None or cached[0] != key:
            resp = self.ctx.swift.request("HEAD", self.ctx.bucket, key,
                                          extra_env=dict(TRUSTED_ENV))
            resp.close()
            text = resp.header(TAGGING_SYSMETA) if resp.ok else ""
            cached = (key, tagging.decode(text or ""))
            self.ctx.extra["existing_tags"] = cached
        return cached[1]


LOCK_KEYS = ("s3:object-lock-mode", "s3:object-lock-retain-until-date",
             "s3:object-lock-legal-hold", "s3:object-lock-remaining-retention-days")


def lock_keys(ctx: S3Context, name: str) -> Dict[str, List[str]]:
    """The object lock condition keys of a request: what PutObjectRetention
    or PutObjectLegalHold sets (read from its body, which the handler then
    reads again from ``read_small_body``'s copy), or the
    ``x-amz-object-lock-*`` headers of a write; the remaining retention in
    whole days, rounded up."""
    mode, until, hold = (ctx.headers.get("x-amz-object-lock-mode"),
                         ctx.headers.get("x-amz-object-lock-retain-until-date"),
                         ctx.headers.get("x-amz-object-lock-legal-hold"))
    if name == "locking.put_retention":
        doc = s3xml.parse(ctx.read_small_body(), "Retention")
        mode, until = s3xml.text_of(doc, "Mode"), s3xml.text_of(doc, "RetainUntilDate")
    elif name == "locking.put_legal_hold":
        hold = s3xml.text_of(s3xml.parse(ctx.read_small_body(), "LegalHold"), "Status")
    out: Dict[str, List[str]] = {}
    for key, value in zip(LOCK_KEYS, (mode, until, hold)):
        if value:
            out[key] = [value.strip()]
    when = object_lock.parse_date(until or "")
    if when is not None:
        out[LOCK_KEYS[3]] = [str(max(0, math.ceil((when - time.time()) / 86400)))]
    return out


def request_keys(ctx: S3Context, principal: Principal, signed: bool,
                 is_admin: bool) -> Dict[str, List[str]]:
    """The condition keys of a request that need no I/O (lower-case names)."""
    env, headers = ctx.env, ctx.headers
    now = time.time()
    out: Dict[str, List[str]] = {
        "aws:sourceip": [str(env.get("REMOTE_ADDR", ""))],
        "aws:securetransport": ["true" if env.get("wsgi.url_scheme") == "https" else "false"],
        "aws:currenttime": [datetime.fromtimestamp(now, timezone.utc)
                            .strftime("%Y-%m-%dT%H:%M:%SZ")],
        "aws:epochtime": [str(int(now))],
        "aws:principaltype": ["Anonymous" if not signed else
                              "Account" if is_admin else "User"],
    }
    for name, header in (("aws:useragent", "user-agent"), ("aws:referer", "referer")):
        if headers.get(header):
            out[name] = [headers[header]]
    if principal.account is not None:
        out["aws:principalaccount"] = [principal.account]
        out["aws:userid"] = ["%s:%s" % (principal.account, principal.user or "")]
        if principal.user:
            out["aws:username"] = [principal.user]
            out["aws:principalarn"] = ["arn:aws:iam::%s:user/%s" % (principal.account,
                                                                   principal.user)]
    if signed:
        auth = env.get("HTTP_AUTHORIZATION", "")
        v4 = auth.startswith("AWS4-") or "X-Amz-Algorithm=" in env.get("QUERY_STRING", "")
        out["s3:signatureversion"] = ["AWS4-HMAC-SHA256" if v4 else "AWS"]
        out["s3:authtype"] = ["REST-HEADER" if auth else "REST-QUERY-STRING"]
    if ctx.extra.get("post_object"):
        out["s3:authtype"] = ["POST"]
    for header in _HEADER_KEYS:
        if header in headers:
            out["s3:" + header] = [headers[header]]
    query = ctx.query
    if ctx.target.key is None:
        out["s3:prefix"] = [query.get("prefix", "")]
        for param in ("delimiter", "max-keys"):
            if param in query:
                out["s3:" + param] = [query[param]]
    if "versionId" in query:
        out["s3:versionid"] = [query["versionId"]]
    if "x-amz-tagging" in headers:
        tags = tagging.decode(headers["x-amz-tagging"])
        out["s3:requestobjecttagkeys"] = [k for k, _v in tags]
        for tag_key, value in tags:
            out["s3:requestobjecttag/" + tag_key] = [value]
    return out
