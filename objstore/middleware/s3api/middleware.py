"""The s3api WSGI middleware: recognise S3 requests and route them to handlers.

Requests that are not S3-signed pass straight through, so the Swift API
keeps working on the same port. An S3 request is parsed (target,
signature), its authentication is handed to the auth middleware through
the first Swift subrequest (see ``subrequest.py``), and the operation runs
as Swift subrequests through the rest of the pipeline. Every failure the
client sees is an S3 XML error; an operation we do not have is
``NotImplemented`` (501), never a 500.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from webob import Response

from objstore.common import registry
from objstore.common.config import ConfigError
from objstore.common.http.headers import is_safe_value
from objstore.middleware.s3api import (access, acl_checks, acl_ops, attributes, auth,
                                       bucket_encryption, bucket_policy, buckets, copying, deletes,
                                       header_audit, lifecycle, locking, multipart, objects,
                                       ownership, post_object, public, sse, subresources)
from objstore.middleware.s3api.context import S3Config, S3Context
from objstore.middleware.s3api.errors import S3Error, error_body
from objstore.middleware.s3api.request import S3Target, check_bucket_reference, parse_target
from objstore.middleware.s3api.subrequest import INTERNAL_ACCOUNT_ENV, Swift, internal_swift

Handler = Callable[[S3Context], Response]
# The methods S3 has; any other is MethodNotAllowed, not NotImplemented.
S3_METHODS = frozenset(("GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"))
LOG = logging.getLogger("objstore.s3api")

# Sub-resources we do not implement: answered with NotImplemented.
UNSUPPORTED = ("logging", "website", "replication", "encryption",
               "notification", "accelerate", "analytics", "metrics",
               "inventory", "intelligent-tiering",
               "restore", "select", "torrent", "attributes", "session", "renameObject",
               "metadataTable", "metadataConfiguration", "metadataInventoryTable",
               "metadataJournalTable", "metadataAnnotationTable", "annotation", "part",
               "default-storage-class", "abac")


# Writes whose x-amz-acl / x-amz-grant-* BucketOwnerEnforced limits.
ACL_WRITES = (objects.put_object, copying.copy_object, multipart.create_upload)


def _route_service(ctx: S3Context) -> Optional[Handler]:
    return {"GET": buckets.list_buckets, "HEAD": buckets.head_service}.get(ctx.method)


def _unsupported(query: Dict[str, str], handled: str) -> bool:
    """A sub-resource we lack is named (whatever else is): checked first, so
    that e.g. GetPart (``?part&uploadId=``) is not taken for ListParts."""
    return any(name in query for name in UNSUPPORTED if name != handled)


def _route_bucket(ctx: S3Context) -> Optional[Handler]:
    q, m = ctx.query, ctx.method
    if _unsupported(q, handled="encryption"):
        return None
    if "uploads" in q:
        return multipart.list_uploads if m == "GET" else None
    if "location" in q:
        return buckets.get_location if m == "GET" else None
    if "versioning" in q:
        return {"GET": subresources.get_versioning,
                "PUT": subresources.put_versioning}.get(m)
    if "acl" in q:
        return {"GET": acl_ops.get_bucket_acl, "PUT": acl_ops.put_bucket_acl}.get(m)
    if "ownershipControls" in q:
        return {"GET": ownership.get_ownership_controls,
                "PUT": ownership.put_ownership_controls,
                "DELETE": ownership.delete_ownership_controls}.get(m)
    if "requestPayment" in q:
        return {"GET": subresources.get_request_payment,
                "PUT": subresources.put_request_payment}.get(m)
    if "cors" in q:
        return {"GET": subresources.get_cors, "PUT": subresources.put_cors,
                "DELETE": subresources.delete_cors}.get(m)
    if "lifecycle" in q:  # applied by the tierer (docs/tiering.md)
        return {"GET": lifecycle.get_lifecycle_configuration,
                "PUT": lifecycle.put_lifecycle_configuration,
                "DELETE": lifecycle.delete_lifecycle_configuration}.get(m)
    if "encryption" in q:
        return {"GET": bucket_encryption.get_bucket_encryption,
                "PUT": bucket_encryption.put_bucket_encryption,
                "DELETE": bucket_encryption.delete_bucket_encryption}.get(m)
    if "tagging" in q:
        return {"GET": subresources.get_bucket_tagging,
                "PUT": subresources.put_bucket_tagging,
                "DELETE": subresources.delete_bucket_tagging}.get(m)
    if "delete" in q:
        return deletes.delete_objects if m == "POST" else None
    if "policy" in q:
        return {"GET": bucket_policy.get_policy, "PUT": bucket_policy.put_policy,
                "DELETE": bucket_policy.delete_policy}.get(m)
    if "policyStatus" in q:
        return bucket_policy.get_policy_status if m == "GET" else None
    if "publicAccessBlock" in q:
        return {"GET": bucket_policy.get_public_access_block,
                "PUT": bucket_policy.put_public_access_block,
                "DELETE": bucket_policy.delete_public_access_block}.get(m)
    if "versions" in q:
        return buckets.list_versions if m == "GET" else None
    if "object-lock" in q:
        return {"GET": locking.get_lock_configuration,
                "PUT": locking.put_lock_configuration}.get(m)
    return {"PUT": buckets.create_bucket, "DELETE": buckets.delete_bucket,
            "HEAD": buckets.head_bucket, "GET": buckets.list_objects}.get(m)


def _route_object(ctx: S3Context) -> Optional[Handler]:
    q, m = ctx.query, ctx.method
    if _unsupported(q, handled="attributes"):
        return None
    if "uploads" in q:
        return multipart.create_upload if m == "POST" else None
    if "uploadId" in q:
        if m == "PUT":
            return multipart.upload_part_copy if "x-amz-copy-source" in ctx.headers \
                else multipart.upload_part
        return {"GET": multipart.list_parts, "POST": multipart.complete_upload,
                "DELETE": multipart.abort_upload}.get(m)
    if "tagging" in q:
        return {"GET": subresources.get_object_tagging, "PUT": subresources.put_object_tagging,
                "DELETE": subresources.delete_object_tagging}.get(m)
    if "acl" in q:
        return {"GET": acl_ops.get_object_acl, "PUT": acl_ops.put_object_acl}.get(m)
    if "attributes" in q:
        return attributes.get_object_attributes if m == "GET" else None
    if "retention" in q:
        return {"GET": locking.get_retention, "PUT": locking.put_retention}.get(m)
    if "legal-hold" in q:
        return {"GET": locking.get_legal_hold, "PUT": locking.put_legal_hold}.get(m)
    if m == "PUT":
        return copying.copy_object if "x-amz-copy-source" in ctx.headers else objects.put_object
    return {"GET": objects.get_object, "HEAD": objects.head_object,
            "DELETE": deletes.delete_object}.get(m)


def check_response_overrides(ctx: S3Context, signed: bool) -> None:
    """``response-*`` query parameters become response headers, so S3 honours
    them only on signed requests, and none may hold a control character
    (CR LF would split the response)."""
    given = [(name, value) for name, value in ctx.target.pairs
             if name in objects.RESPONSE_OVERRIDES]
    if not given:
        return
    if not signed:
        raise S3Error("InvalidRequest", "Request specific response headers cannot be used "
                      "for anonymous GET requests.")
    for name, value in given:
        if not is_safe_value(value):
            raise S3Error("InvalidArgument", "%s must not contain control characters "
                          "(CR, LF, ...)." % name, ArgumentName=name,
                          ArgumentValue=value.encode("unicode_escape").decode("ascii"))


def route(ctx: S3Context) -> Optional[Handler]:
    """The handler for the request, or ``None`` for an unsupported operation."""
    if "form" in ctx.extra:
        return post_object.post_object
    if ctx.target.bucket is None:
        return _route_service(ctx)
    if ctx.target.key is None:
        return _route_bucket(ctx)
    return _route_object(ctx)


def _keeping_location(start_response: Callable[..., Any], location: str
                      ) -> Callable[..., Any]:
    """``start_response`` with the Location header put back as the handler set it."""
    def start(status: str, headers: List[Tuple[str, str]], *exc_info: Any) -> Any:
        headers = [(k, location if k.lower() == "location" else v) for k, v in headers]
        return start_response(status, headers, *exc_info)
    return start


def sse_c_over_http(conf: Dict[str, str]) -> str:
    value = conf.get("sse_c_over_http", "loopback").strip().lower() or "loopback"
    if value not in sse.HTTP_CHOICES:
        raise ConfigError("[filter:s3api] sse_c_over_http must be one of %s, not %r"
                          % (", ".join(sse.HTTP_CHOICES), value))
    return value


class S3ApiMiddleware:
    """Serve the S3 API in front of the Swift API."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        domains = [d.strip() for d in conf.get("storage_domain", "").replace(",", " ").split()]
        self.conf = S3Config(
            location=conf.get("location", "us-east-1").strip() or "us-east-1",
            storage_domains=tuple(d for d in domains if d),
            max_bucket_listing=int(conf.get("max_bucket_listing", 1000)),
            max_parts_listing=int(conf.get("max_parts_listing", 1000)),
            max_upload_part_num=int(conf.get("max_upload_part_num", 10000)),
            min_segment_size=int(conf.get("min_segment_size", 5 * 1024 * 1024)),
            max_multi_delete_objects=int(conf.get("max_multi_delete_objects", 1000)),
            public_account=conf.get("public_account", "").strip(),
            bucket_index_account=conf.get("bucket_index_account",
                                          ".s3_bucket_index").strip(),
            encryption_at_rest=header_audit.encrypts_at_rest(app),
            sse_c_over_http=sse_c_over_http(conf))
        registry.register_info(
            "s3api", max_bucket_listing=self.conf.max_bucket_listing,
            max_parts_listing=self.conf.max_parts_listing,
            max_upload_part_num=self.conf.max_upload_part_num,
            max_multi_delete_objects=self.conf.max_multi_delete_objects,
            allow_multipart_uploads=True, min_segment_size=self.conf.min_segment_size,
            s3_acl=False)

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # A CORS preflight is never signed, even when sent to a presigned URL.
        internal = env.get(INTERNAL_ACCOUNT_ENV)
        signed = bool(internal) or (auth.is_s3_request(env) and
                                    env.get("REQUEST_METHOD") != "OPTIONS")
        form_upload = not signed and post_object.is_form_upload(env, self.conf)
        if not signed and not form_upload and not public.is_public_request(env, self.conf, self.app):
            return self.app(env, start_response)
        request_id = env.get("swift.trans_id") or "tx" + uuid.uuid4().hex[:21]
        target = S3Target(None, None)
        ctx: Optional[S3Context] = None
        try:
            target = parse_target(env, self.conf.storage_domains)
            check_bucket_reference(target.bucket)
            headers = auth.request_headers(env)
            form = post_object.read_form(env) if form_upload else None
            sig: Any
            if form is not None and form.signature is not None:
                sig = form.signature
                swift = Swift(self.app, env, *post_object.auth_details(sig))
            elif internal:
                sig, swift = None, internal_swift(self.app, env, internal)
            elif signed:
                sig = auth.parse_signature(env, target.auth_path, headers=headers)
                if getattr(sig, "presigned", False):
                    headers = auth.with_hoisted_headers(headers, target.pairs)
                details, state = auth.make_auth_details(sig)
                swift = Swift(self.app, env, details, state)
            else:
                sig, swift = None, public.anonymous_swift(self.app, env, self.conf)
            ctx = S3Context(env, target, headers, swift, sig, self.conf, request_id)
            if form is not None:
                ctx.extra["form"] = form  # POST Object: its handler gates itself
            check_response_overrides(ctx, signed)
            if ctx.method == "OPTIONS":
                resp = public.preflight(ctx)
            else:
                handler = route(ctx)
                if handler is None and ctx.method not in S3_METHODS:
                    raise S3Error("MethodNotAllowed", "%s is not an S3 method; use GET, HEAD, "
                                  "PUT, POST or DELETE." % ctx.method, Method=ctx.method,
                                  ResourceType="OBJECT" if target.key is not None
                                  else "BUCKET" if target.bucket is not None else "SERVICE")
                if handler is None:
                    raise S3Error("NotImplemented", "%s on this resource (%s) is not "
                                  "implemented." % (ctx.method, ",".join(sorted(ctx.query))
                                                    or "no sub-resource"))
                # an in-process caller acting for the account owns the bucket
                by_policy = bool(internal) or access.enforce(ctx, handler, signed)
                if by_policy:
                    pass  # the bucket policy allowed it
                elif not signed and handler in public.ANONYMOUS_WRITE_HANDLERS:
                    acl_checks.allow_anonymous_write(ctx)
                elif not signed and handler not in public.ANONYMOUS_HANDLERS and \
                        form is None:
                    raise S3Error("AccessDenied", "Anonymous requests may only read public "
                                  "buckets and objects (and write objects in "
                                  "public-read-write buckets); sign the request.")
                confirmed = header_audit.audit(ctx, handler)
                if handler in ACL_WRITES:
                    ownership.check_write_acl(ctx)
                if handler in (objects.get_object, objects.head_object) and not by_policy:
                    resp = acl_checks.read_object(ctx, handler)
                else:
                    resp = handler(ctx)
                if resp.status_int < 300:
                    resp.headers.update(confirmed)
                public.add_cors_headers(ctx, resp)
        except S3Error as err:
            resp = self.error_response(err, target, request_id, env)
            if ctx is not None and ctx.method != "OPTIONS":
                public.add_cors_headers(ctx, resp)  # a browser may read S3's error
        except Exception:  # noqa: BLE001 - the client must get an S3 error body
            LOG.exception("s3api: unexpected error for %s %s", env.get("REQUEST_METHOD"),
                          env.get("PATH_INFO"))
            resp = self.error_response(S3Error("InternalError"), target, request_id, env)
        resp.headers["x-amz-request-id"] = request_id
        resp.headers.setdefault("x-amz-id-2", request_id)
        _declare_length(resp, env)
        location = resp.headers.get("Location")
        if location and location.startswith("/") and resp.status_int == 200:
            # CreateBucket's Location is the path ("/bucket"), as S3 sends
            # it; webob would make it an absolute URL
            return resp(env, _keeping_location(start_response, location))
        return resp(env, start_response)

    @staticmethod
    def error_response(err: S3Error, target: S3Target, request_id: str,
                       env: Dict[str, Any]) -> Response:
        body = error_body(err, target.resource, request_id)
        resp = Response(status=err.status, content_type="application/xml", charset=None)
        resp.headers.update(err.headers)
        if env.get("REQUEST_METHOD") == "HEAD":
            resp.app_iter = [b""]  # (setting app_iter drops Content-Length: set it after)
            resp.headers["Content-Length"] = "0"
        else:
            resp.body = body
        return resp


def _declare_length(resp: Response, env: Dict[str, Any]) -> None:
    """``Content-Length`` for a body held in memory (``Content-Length: 0`` on
    an empty PutObject answer, as S3 and Swift send), rather than a chunked
    reply a client must read to its end. A HEAD's length is the object's and
    a 204 has no body, so both are left as they are."""
    if "Content-Length" in resp.headers or env.get("REQUEST_METHOD") == "HEAD" \
            or resp.status_int in (204, 304):
        return
    if isinstance(resp.app_iter, (list, tuple)):
        resp.headers["Content-Length"] = str(sum(len(chunk) for chunk in resp.app_iter))


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: S3ApiMiddleware(app, conf)
