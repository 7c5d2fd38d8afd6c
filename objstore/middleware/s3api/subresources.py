"""Bucket and object sub-resources: versioning, request payment, CORS and
tagging (ACLs are in ``acl_ops.py``).

Small settings kept beside the data: bucket settings in container sysmeta,
object ACLs and tags in object transient sysmeta (which, unlike sysmeta,
an object POST may change; a POST also replaces the user metadata, so it
repeats what is there).
"""

from __future__ import annotations

from typing import Any, Dict

from webob import Response

from objstore.middleware.s3api import tagging, versioning
from objstore.middleware.s3api.buckets import check_bucket, xml_response
from objstore.middleware.s3api.context import S3Context
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.objects import TAGGING_SYSMETA, _get
from objstore.middleware.s3api.xml import parse, render, text_of

CORS_SYSMETA = "X-Container-Sysmeta-S3api-Cors"
BUCKET_TAGGING_SYSMETA = "X-Container-Sysmeta-S3api-Tagging"
VERSIONING_SYSMETA = versioning.STATUS_SYSMETA
MAX_CORS_RULES = 100


# -- versioning -----------------------------------------------------------

def get_versioning(ctx: S3Context) -> Response:
    """GetBucketVersioning: no ``Status`` until versioning was first set."""
    check_bucket(ctx)
    status = versioning.bucket_status(ctx)
    return xml_response(render("VersioningConfiguration",
                               [("Status", status)] if status else []))


def put_versioning(ctx: S3Context) -> Response:
    """PutBucketVersioning ``Enabled`` or ``Suspended`` (see ``versioning.py``)."""
    check_bucket(ctx)
    doc = parse(ctx.read_small_body(), "VersioningConfiguration")
    status = text_of(doc, "Status", "") or ""
    if status not in (versioning.ENABLED, versioning.SUSPENDED):
        raise S3Error("MalformedXML")  # Status must be Enabled or Suspended
    if (text_of(doc, "MfaDelete", "") or "") == "Enabled":
        raise S3Error("NotImplemented", "MFA delete is not supported.")
    from objstore.middleware.s3api import locking  # it builds on this package's modules
    locking.check_versioning_change(ctx, status)
    versioning.set_status(ctx, status)
    return Response(status=200)


# -- object settings -----------------------------------------------------

def _post_object(ctx: S3Context, changes: Dict[str, str]) -> None:
    """POST new transient sysmeta, repeating the user metadata a POST replaces."""
    head = _get(ctx, ctx.bucket, ctx.key, "HEAD")
    head.close()
    ctx.raise_for(head, "NoSuchKey")
    resp = ctx.swift.request("POST", ctx.bucket, ctx.key, headers=post_headers(head, changes))
    resp.close()
    ctx.raise_for(resp, "NoSuchKey")


def post_headers(head: Any, changes: Dict[str, str]) -> Dict[str, str]:
    """An object POST's headers making ``changes`` to what ``head`` (its
    HEAD answer) shows, repeating the metadata a POST replaces."""
    headers = {name: value for name, value in head.headers.items()
               if name.startswith(("x-object-meta-", "x-object-transient-sysmeta-"))}
    headers["Content-Type"] = head.header("content-type") or "application/octet-stream"
    for name in ("content-disposition", "content-encoding", "content-language",
                 "cache-control", "expires"):
        if head.header(name):
            headers[name] = head.header(name) or ""
    for name, value in changes.items():
        headers.pop(name.lower(), None)
        headers[name] = value
    return headers


# -- tagging --------------------------------------------------------------

def get_object_tagging(ctx: S3Context) -> Response:
    head = _get(ctx, ctx.bucket, ctx.key, "HEAD")
    head.close()
    ctx.raise_for(head, "NoSuchKey")
    return xml_response(tagging.render_xml(head.header(TAGGING_SYSMETA) or ""))


def put_object_tagging(ctx: S3Context) -> Response:
    stored = tagging.parse_xml(ctx.read_small_body())
    _post_object(ctx, {TAGGING_SYSMETA: stored})
    return Response(status=200)


def delete_object_tagging(ctx: S3Context) -> Response:
    _post_object(ctx, {TAGGING_SYSMETA: ""})
    return Response(status=204)


def get_bucket_tagging(ctx: S3Context) -> Response:
    check_bucket(ctx)
    stored = ctx.container_head().header(BUCKET_TAGGING_SYSMETA.lower())
    if not stored:
        raise S3Error("NoSuchTagSet", "The bucket has no tag set.", BucketName=ctx.bucket)
    return xml_response(tagging.render_xml(stored))


def put_bucket_tagging(ctx: S3Context) -> Response:
    """PutBucketTagging: the whole tag set is replaced (an empty one removes it)."""
    check_bucket(ctx)
    stored = tagging.parse_xml(ctx.read_small_body(), tagging.MAX_BUCKET_TAGS)
    ctx.container_head()
    ctx.post_bucket({BUCKET_TAGGING_SYSMETA: stored})
    return Response(status=204)


def delete_bucket_tagging(ctx: S3Context) -> Response:
    check_bucket(ctx)
    ctx.container_head()
    ctx.post_bucket({BUCKET_TAGGING_SYSMETA: ""})
    return Response(status=204)


# -- request payment -------------------------------------------------------

#: the only payer here: there is no billing to shift to a requester
BUCKET_OWNER = "BucketOwner"


def get_request_payment(ctx: S3Context) -> Response:
    """GetBucketRequestPayment: every bucket's owner pays (none is Requester Pays)."""
    check_bucket(ctx)
    ctx.container_head()
    return xml_response(render("RequestPaymentConfiguration", [("Payer", BUCKET_OWNER)]))


def put_request_payment(ctx: S3Context) -> Response:
    """PutBucketRequestPayment: ``BucketOwner`` is what every bucket has;
    ``Requester`` is not implemented (501)."""
    check_bucket(ctx)
    payer = text_of(parse(ctx.read_small_body(), "RequestPaymentConfiguration"), "Payer", "")
    if payer not in (BUCKET_OWNER, "Requester"):
        raise S3Error("MalformedXML")
    ctx.container_head()
    if payer != BUCKET_OWNER:
        raise S3Error("NotImplemented", "Requester Pays buckets are not supported.")
    return Response(status=200)


# -- CORS -----------------------------------------------------------------

def get_cors(ctx: S3Context) -> Response:
    check_bucket(ctx)
    head = ctx.container_head()
    stored = head.header(CORS_SYSMETA.lower())
    if not stored:
        raise S3Error("NoSuchCORSConfiguration", BucketName=ctx.bucket)
    return xml_response(stored.encode("utf-8"))


def put_cors(ctx: S3Context) -> Response:
    """PutBucketCors: the document is validated and kept as is."""
    check_bucket(ctx)
    body = ctx.read_small_body()
    doc = parse(body, "CORSConfiguration")
    rules = doc.findall("CORSRule")
    if not rules or len(rules) > MAX_CORS_RULES:
        raise S3Error("MalformedXML", "Give 1 to %d CORSRule elements." % MAX_CORS_RULES)
    for rule in rules:
        methods = [m.text or "" for m in rule.findall("AllowedMethod")]
        if not methods or not rule.findall("AllowedOrigin"):
            raise S3Error("MalformedXML", "Each CORSRule needs AllowedMethod and "
                          "AllowedOrigin.")
        for method in methods:
            if method not in ("GET", "PUT", "POST", "DELETE", "HEAD"):
                raise S3Error("InvalidRequest", "Found unsupported HTTP method in CORS "
                              "config. Unsupported method is %s" % method)
    ctx.container_head()
    text = " ".join(body.decode("utf-8").split())
    ctx.post_bucket({CORS_SYSMETA: text})
    return Response(status=200)


def delete_cors(ctx: S3Context) -> Response:
    check_bucket(ctx)
    ctx.container_head()
    ctx.post_bucket({CORS_SYSMETA: ""})
    return Response(status=204)
