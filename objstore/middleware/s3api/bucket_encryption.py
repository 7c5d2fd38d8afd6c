"""PutBucketEncryption, GetBucketEncryption, DeleteBucketEncryption.

Since 2023 S3 encrypts every new object with SSE-S3 (AES256) and a bucket
without a configuration answers GetBucketEncryption with that default
rule. objstore does the same when encryption at rest (keymaster +
encryption) follows s3api: every object is encrypted there whatever the
bucket says, so the only default rule that can be kept is AES256 (with
``BucketKeyEnabled``, which new objects then report, see
``object_bucket_key``); it is
stored in the container's sysmeta and returned as given, writes answer
``x-amz-server-side-encryption: AES256`` (see ``header_audit``). A KMS
rule (``aws:kms``, ``aws:kms:dsse``) is refused, no KMS being configured,
and so is ``BlockedEncryptionTypes`` (blocking SSE-C uploads), which is
not implemented. Without encryption at rest nothing is encrypted: there
is no configuration to get (S3's
``ServerSideEncryptionConfigurationNotFoundError``) and none can be put.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from webob import Response

from objstore.common.info import get_container_info

from objstore.middleware.s3api import sse
from objstore.middleware.s3api.buckets import check_bucket, xml_response
from objstore.middleware.s3api.context import S3Context
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.xml import Node, parse, render, text_of

SYSMETA = "X-Container-Sysmeta-S3api-Encryption"
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
_BUCKET_KEY = "bucket-key"
_RULE_CHILDREN = ("ApplyServerSideEncryptionByDefault", "BucketKeyEnabled")


def _no_encryption_at_rest() -> S3Error:
    return S3Error("NotImplemented", "Default bucket encryption needs encryption at rest "
                   "(keymaster and encryption in the pipeline), which this store does not run.")


def _bool(text: Optional[str], name: str) -> bool:
    value = (text or "").strip().lower()
    if value not in ("true", "false"):
        raise S3Error("MalformedXML", "%s must be true or false." % name)
    return value == "true"


def parse_configuration(body: bytes) -> bool:
    """The ``BucketKeyEnabled`` of a valid AES256 configuration document;
    S3's error for anything else."""
    doc = parse(body, "ServerSideEncryptionConfiguration")
    rules = doc.findall("Rule")
    if len(rules) != 1 or len(doc) != 1:
        raise S3Error("MalformedXML", "Give exactly one Rule.")
    rule = rules[0]
    for child in rule:
        if child.tag == "BlockedEncryptionTypes":
            raise S3Error("NotImplemented", "BlockedEncryptionTypes (refusing uploads with "
                          "SSE-C) is not supported.")
        if child.tag not in _RULE_CHILDREN:
            raise S3Error("MalformedXML", "Unknown element %s in Rule." % child.tag)
    default = rule.find("ApplyServerSideEncryptionByDefault")
    bucket_key = rule.find("BucketKeyEnabled") is not None and \
        _bool(text_of(rule, "BucketKeyEnabled"), "BucketKeyEnabled")
    if default is None:
        raise S3Error("MalformedXML", "The Rule needs ApplyServerSideEncryptionByDefault.")
    algorithm = (text_of(default, "SSEAlgorithm") or "").strip()
    if algorithm in KMS_ALGORITHMS:
        raise S3Error("NotImplemented", "Default encryption with KMS keys (%s) is not "
                      "supported: no KMS is configured; use AES256." % algorithm)
    if algorithm != sse.ALGORITHM:
        raise S3Error("MalformedXML", "SSEAlgorithm must be AES256, aws:kms or aws:kms:dsse.")
    if default.find("KMSMasterKeyID") is not None:
        raise S3Error("InvalidArgument", "a KMSMasterKeyID is not applicable if the default "
                      "sse algorithm is not aws:kms or aws:kms:dsse",
                      ArgumentName="ApplyServerSideEncryptionByDefault")
    return bucket_key


def _document(bucket_key: bool) -> bytes:
    rule: List[Optional[Node]] = [
        ("ApplyServerSideEncryptionByDefault", [("SSEAlgorithm", sse.ALGORITHM)]),
        ("BucketKeyEnabled", bucket_key)]
    return render("ServerSideEncryptionConfiguration", [("Rule", rule)])


def object_bucket_key(ctx: S3Context, headers: Dict[str, str]) -> None:
    """Set ``sse.BUCKET_KEY_SYSMETA`` in ``headers`` (of an object or upload
    about to be written, maybe copied from a source) as S3 decides it: the
    request's ``x-amz-server-side-encryption-bucket-key-enabled``, else the
    bucket's default rule's ``BucketKeyEnabled``. Not for SSE-C, which has
    no Bucket Key, nor without encryption at rest (``header_audit`` refused
    ``true`` then)."""
    for name in [n for n in headers if n.lower() == sse.BUCKET_KEY_SYSMETA]:
        del headers[name]
    if not ctx.conf.encryption_at_rest or sse.request_key(ctx) is not None:
        return
    asked = ctx.headers.get(sse.BUCKET_KEY_HEADER)
    if asked is not None:
        enabled = asked.strip().lower() == "true"
    else:
        # The proxy's cached container info: no extra request per write.
        info = get_container_info(ctx.env, ctx.swift.app, ctx.swift.account or "",
                                  ctx.bucket)
        stored = (info.get("sysmeta") or {}).get(
            SYSMETA.lower()[len("x-container-sysmeta-"):]) or ""
        enabled = _BUCKET_KEY in stored.split(";")
    if enabled:
        headers[sse.BUCKET_KEY_SYSMETA] = "true"


def get_bucket_encryption(ctx: S3Context) -> Response:
    check_bucket(ctx)
    head = ctx.container_head()
    if not ctx.conf.encryption_at_rest:
        raise S3Error("ServerSideEncryptionConfigurationNotFoundError", BucketName=ctx.bucket)
    stored = head.header(SYSMETA.lower()) or ""
    return xml_response(_document(_BUCKET_KEY in stored.split(";")))


def put_bucket_encryption(ctx: S3Context) -> Response:
    check_bucket(ctx)
    bucket_key = parse_configuration(ctx.read_small_body())
    if not ctx.conf.encryption_at_rest:
        raise _no_encryption_at_rest()
    value = sse.ALGORITHM + (";" + _BUCKET_KEY if bucket_key else "")
    ctx.post_bucket({SYSMETA: value})
    return Response(status=200)


def delete_bucket_encryption(ctx: S3Context) -> Response:
    """Back to the default rule (SSE-S3), as S3 does."""
    check_bucket(ctx)
    ctx.post_bucket({SYSMETA: ""})
    return Response(status=204)
