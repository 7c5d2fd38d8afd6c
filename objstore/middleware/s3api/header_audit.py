"""Request headers that change an operation's meaning: implemented or refused.

S3 clients set headers that change what an operation means: SSE-C asks for
the object to be encrypted with the client's key (and for every read to
require it), object lock asks that the version be undeletable, a website
redirect asks GETs through the website endpoint to redirect. Storing the
object as if the header were not there would answer 200 and break the
promise the client asked for, so every such header objstore does not
implement is refused here, with S3's error, before any operation runs
(nothing is stored). The table ``RULES`` says, per header, which operations
it concerns and what objstore does with it; ``docs/s3.md`` ("Request
headers objstore refuses") lists the refused ones (a unit test keeps the
two in step). Headers implemented elsewhere are listed in ``IMPLEMENTED``
with where, so an audit of ``x-amz-*`` names has one place to look.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, Optional, Tuple

from objstore.common import pipeline
from objstore.middleware.s3api import sse
from objstore.middleware.s3api.context import S3Context
from objstore.middleware.s3api.errors import S3Error

# S3 operation names of the handlers that take a request body or read an
# object (keyed by "<module>.<function>" of the handler ``route`` returned).
OPERATIONS: Dict[str, str] = {
    "objects.put_object": "PutObject",
    "copying.copy_object": "CopyObject",
    "objects.get_object": "GetObject",
    "objects.head_object": "HeadObject",
    "multipart.create_upload": "CreateMultipartUpload",
    "multipart.upload_part": "UploadPart",
    "multipart.upload_part_copy": "UploadPartCopy",
    "multipart.complete_upload": "CompleteMultipartUpload",
    "buckets.create_bucket": "CreateBucket",
    "deletes.delete_object": "DeleteObject",
    "multipart.abort_upload": "AbortMultipartUpload",
    "attributes.get_object_attributes": "GetObjectAttributes",
    "uploads.list_parts": "ListParts",
}

WRITES = frozenset({"PutObject", "CopyObject", "CreateMultipartUpload"})
COPIES = frozenset({"CopyObject", "UploadPartCopy"})
OBJECT_IO = WRITES | COPIES | frozenset({"GetObject", "HeadObject", "UploadPart",
                                         "CompleteMultipartUpload"})
CREATE_BUCKET = frozenset({"CreateBucket"})
# Where an SSE-C key may be sent (it opens the object for the read, or is
# checked and not needed: ListParts).
SSE_C_OPERATIONS = OBJECT_IO | frozenset({"GetObjectAttributes", "ListParts"})
# Writes whose answer says the object is encrypted (SSE-S3) when it is.
ENCRYPTED_WRITES = WRITES | frozenset({"UploadPart", "UploadPartCopy"})

SSE_VALUES = ("AES256", "aws:kms", "aws:kms:dsse")


Check = Callable[[str, Dict[str, str]], Optional[S3Error]]


def _not_implemented(message: str) -> Check:
    return lambda _value, _headers: S3Error("NotImplemented", message)


def _sse(value: str, _headers: Dict[str, str]) -> Optional[S3Error]:
    if value == "AES256":
        return S3Error("NotImplemented", "Server-side encryption (SSE-S3, AES256) is not "
                       "supported: this store has no encryption at rest configured, so the "
                       "object would be stored unencrypted.")
    if value in SSE_VALUES:
        return S3Error("NotImplemented", "Server-side encryption with KMS keys (%s) is not "
                       "supported: no KMS is configured." % value)
    return S3Error("InvalidArgument", "The encryption method specified is not supported "
                   "(use AES256, aws:kms or aws:kms:dsse).",
                   ArgumentName="x-amz-server-side-encryption", ArgumentValue=value)


def _values(header: str, accepted: Tuple[str, ...], refused: Tuple[str, ...],
            message: str, fold: bool = False) -> Check:
    """A check that accepts ``accepted``, answers NotImplemented with
    ``message`` for ``refused`` and InvalidArgument for anything else."""
    def check(value: str, _headers: Dict[str, str]) -> Optional[S3Error]:
        given = value.lower() if fold else value
        if given in accepted:
            return None
        if given in refused:
            return S3Error("NotImplemented", message.replace("%s", value))
        return S3Error("InvalidArgument", "%s must be one of %s." % (
            header, ", ".join(accepted + refused)), ArgumentName=header, ArgumentValue=value)
    return check


def _object_lock(_value: str, _headers: Dict[str, str]) -> Optional[S3Error]:
    return S3Error("NotImplemented", "Object lock event holds are not supported (retention "
                   "and legal holds are).")


_bucket_key = _values(
    sse.BUCKET_KEY_HEADER, ("false",), ("true",),
    "An S3 Bucket Key (x-amz-server-side-encryption-bucket-key-enabled: %s) needs "
    "server-side encryption, and this store has no encryption at rest configured.",
    fold=True)


def _write_offset(_value: str, _headers: Dict[str, str]) -> Optional[S3Error]:
    return S3Error("NotImplemented", "Appending to an object (x-amz-write-offset-bytes) is "
                   "not supported.")


def _tagging_directive(value: str, headers: Dict[str, str]) -> Optional[S3Error]:
    if value not in ("COPY", "REPLACE"):
        return S3Error("InvalidArgument", "Unknown tagging directive: use COPY or REPLACE.",
                       ArgumentName="x-amz-tagging-directive", ArgumentValue=value)
    return None


SSE_C = _not_implemented(
    "Server-side encryption with customer-provided keys (SSE-C) needs encryption at rest "
    "(keymaster and encryption in the pipeline), which this store does not run; the "
    "object would be stored, and served, without your key.")
SSE_C_SOURCE = _not_implemented(
    "Server-side encryption with customer-provided keys (SSE-C) needs encryption at rest, "
    "which this store does not run, so no copy source is encrypted with a key.")
SSE_KMS = _not_implemented("Server-side encryption with KMS keys is not supported: no KMS "
                           "is configured.")
REDIRECT = _not_implemented("Website redirection is not supported.")


@dataclass(frozen=True)
class Rule:
    """What to answer when ``header`` reaches one of ``operations``: the
    error ``check(value)`` returns, or nothing if it returns ``None``."""

    header: str
    operations: FrozenSet[str]
    check: Check
    why: str  # the line of the table in docs/s3.md
    # Values accepted when encryption at rest is in the pipeline.
    at_rest: Tuple[str, ...] = ()
    # Implemented (checked in ``sse.py``) when encryption at rest is there.
    any_at_rest: bool = False
    # ``at_rest`` values are compared without case.
    fold: bool = False


def _rules(headers: Tuple[str, ...], operations: FrozenSet[str],
           check: Check, why: str, any_at_rest: bool = False) -> Tuple[Rule, ...]:
    return tuple(Rule(header, operations, check, why, any_at_rest=any_at_rest)
                 for header in headers)


SSE_C_WHY = ("implemented (SSE-C, see Server-side encryption) when encryption at rest "
             "(keymaster, encryption) is in the pipeline, else 501 NotImplemented")
LOCK_WHY = "no event holds: 501 NotImplemented (retention and legal holds are implemented)"
RULES: Tuple[Rule, ...] = _rules(
    ("x-amz-server-side-encryption-customer-algorithm",
     "x-amz-server-side-encryption-customer-key",
     "x-amz-server-side-encryption-customer-key-md5"), SSE_C_OPERATIONS, SSE_C, SSE_C_WHY,
    any_at_rest=True) + _rules(
    ("x-amz-copy-source-server-side-encryption-customer-algorithm",
     "x-amz-copy-source-server-side-encryption-customer-key",
     "x-amz-copy-source-server-side-encryption-customer-key-md5"), COPIES, SSE_C_SOURCE,
    SSE_C_WHY, any_at_rest=True) + _rules(
    ("x-amz-object-lock-event-hold",
     "x-amz-object-lock-event-hold-duration-days", "x-amz-object-lock-event-hold-duration-years"),
    WRITES, _object_lock, LOCK_WHY) + _rules(
    ("if-none-match",), frozenset({"DeleteObject"}), _not_implemented(
        "If-None-Match on DeleteObject is not supported (S3's conditional deletes take "
        "If-Match): the key would be deleted whatever it holds."), "S3's conditional "
    "deletes take If-Match (implemented), not If-None-Match: 501 NotImplemented; "
    "implemented on GetObject, HeadObject, PutObject, CopyObject and "
    "CompleteMultipartUpload") + _rules(
    ("x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-context"),
    OBJECT_IO, SSE_KMS, "no KMS (501 NotImplemented)") + (
    Rule("x-amz-server-side-encryption", WRITES, _sse,
         "AES256 is accepted (and echoed) when encryption at rest (keymaster, encryption) "
         "is in the pipeline, else 501 NotImplemented; aws:kms and aws:kms:dsse answer 501 "
         "NotImplemented (no KMS), other values 400 InvalidArgument", at_rest=("AES256",)),
    Rule(sse.BUCKET_KEY_HEADER, OBJECT_IO, _bucket_key,
         "true and false are accepted, stored with the object and echoed (see "
         "Server-side encryption) when encryption at rest (keymaster, encryption) is in "
         "the pipeline, else true answers 501 NotImplemented; other values 400 "
         "InvalidArgument", at_rest=("true", "false"), fold=True),
    Rule("x-amz-website-redirect-location", WRITES, REDIRECT,
         "no website endpoint redirects (501 NotImplemented)"),
    Rule("x-amz-tagging-directive", frozenset({"CopyObject"}), _tagging_directive,
         "values other than COPY and REPLACE answer 400 InvalidArgument (both are "
         "implemented in copying.py)"),
    Rule("x-amz-write-offset-bytes", frozenset({"PutObject"}), _write_offset,
         "no appends (501 NotImplemented)"),
    Rule("x-amz-if-match-initiated-time", frozenset({"AbortMultipartUpload"}),
         _not_implemented("Conditional aborts (x-amz-if-match-initiated-time) are not "
                          "supported: the upload would be aborted whenever it started."),
         "no conditional aborts (501 NotImplemented)"),
    Rule("x-amz-object-annotation-directive", frozenset({"CopyObject"}), _values(
        "x-amz-object-annotation-directive", ("COPY",), ("REPLACE",),
        "Object annotations are not supported, so none can be replaced."),
        "no object annotations: COPY is accepted (there are none to copy), REPLACE answers "
        "501 NotImplemented"),
    Rule("x-amz-bucket-namespace", CREATE_BUCKET, _values(
        "x-amz-bucket-namespace", ("global",), ("account-regional",),
        "Bucket namespace %s is not supported: bucket names here are global."),
        "bucket names are global: account-regional answers 501 NotImplemented"),
)

# Meaning-changing headers that are implemented, and where.
IMPLEMENTED: Dict[str, str] = {
    "x-amz-expected-bucket-owner": "here: 403 AccessDenied unless it names the bucket's "
                                   "owner (the account)",
    "x-amz-source-expected-bucket-owner": "here: as x-amz-expected-bucket-owner, for the "
                                          "copy source",
    "x-amz-storage-class": "objects.metadata_headers (InvalidStorageClass if unknown)",
    "x-amz-metadata-directive": "copying.copy_object (InvalidArgument unless COPY/REPLACE)",
    "x-amz-acl": "acl.from_headers", "x-amz-grant-*": "acl.from_headers",
    "x-amz-object-ownership": "ownership.create_headers",
    "x-amz-object-lock-mode": "locking.write_headers",
    "x-amz-object-lock-retain-until-date": "locking.write_headers",
    "x-amz-object-lock-legal-hold": "locking.write_headers",
    "x-amz-bucket-object-lock-enabled": "locking.create_headers",
    "x-amz-bypass-governance-retention": "locking.bypass_headers (403 AccessDenied unless "
                                         "the caller may bypass)",
    "x-amz-tagging": "tagging.parse_query_tags", "x-amz-meta-*": "metadata.stored_value",
    "x-amz-copy-source*": "copying.copy_source, conditions.check",
    "x-amz-checksum-*": "checksums", "x-amz-sdk-checksum-algorithm": "body",
    "x-amz-checksum-mode": "objects", "x-amz-checksum-type": "multipart_checksums",
    "x-amz-content-sha256": "sigv4", "x-amz-decoded-content-length": "chunked",
    "x-amz-trailer": "chunked", "x-amz-date": "sigv4", "x-amz-security-token": "auth.refuse_session_token (400 InvalidToken: no "
    "temporary credentials here)",
    "x-amz-object-attributes": "attributes", "x-amz-max-parts": "attributes",
    "x-amz-part-number-marker": "attributes", "x-amz-mp-object-size": "multipart",
    "x-amz-if-match-last-modified-time": "conditions.check_delete (DeleteObject)",
    "x-amz-if-match-size": "conditions.check_delete (DeleteObject)",
    "if-modified-since": "conditions (GetObject, HeadObject)",
    "if-unmodified-since": "conditions (GetObject, HeadObject)",
    "range": "objects.open_object",
    "x-amz-transition-default-minimum-object-size": "lifecycle (stored and echoed; other "
                                                    "values 400 InvalidArgument)",
}
# Request headers implemented on some operations and refused (``RULES``) on others.
IMPLEMENTED_ON: Dict[str, FrozenSet[str]] = {
    "if-match": frozenset({"GetObject", "HeadObject", "PutObject", "CopyObject",
                           "CompleteMultipartUpload", "DeleteObject"}),
    "if-none-match": frozenset({"GetObject", "HeadObject", "PutObject", "CopyObject",
                                "CompleteMultipartUpload"}),
}
# Accepted because they change nothing here: no bucket is Requester Pays,
# MFA delete is never enabled; a bucket policy never locks the owner's admin
# out of the policy itself; no bucket replicates (the object lock token
# only matters for replication).
BENIGN = ("x-amz-request-payer", "x-amz-mfa", "x-amz-bucket-object-lock-token",
          "x-amz-user-agent", "x-amz-optional-object-attributes",
          "x-amz-confirm-remove-self-bucket-access")


KMS_HEADERS = ("x-amz-server-side-encryption-aws-kms-key-id",
               "x-amz-server-side-encryption-context")
KMS_VALUES = ("aws:kms", "aws:kms:dsse")
READS = frozenset({"GetObject", "HeadObject"})


def conflict(operation: Optional[str], headers: Dict[str, str]) -> Optional[S3Error]:
    """S3's 400 for encryption headers that never go together, or never on
    ``operation``, whatever this store supports (so before any 501):
    ``x-amz-server-side-encryption`` or a KMS detail on a read, a KMS
    detail without ``x-amz-server-side-encryption: aws:kms``, and a method
    beside an SSE-C key (``sse.py`` says so again when it reads the key)."""
    method = headers.get(sse.SSE_HEADER)
    if operation in READS:
        for name in (sse.SSE_HEADER,) + KMS_HEADERS:
            if name in headers:
                return S3Error("InvalidArgument", "The %s header is not supported for this "
                               "operation: a read is decrypted without it." % name,
                               ArgumentName=name, ArgumentValue=headers[name])
        return None
    if operation not in WRITES:
        return None
    given = [name for name in KMS_HEADERS if name in headers]
    if given and method not in KMS_VALUES:
        return S3Error("InvalidArgument", "Server Side Encryption with AWS KMS managed key "
                       "requires HTTP header x-amz-server-side-encryption : aws:kms",
                       ArgumentName=given[0], ArgumentValue=headers[given[0]])
    if method is not None and sse.ALGORITHM_HEADER in headers:
        return S3Error("InvalidArgument", "Server Side Encryption with Customer provided key "
                       "is incompatible with the encryption method specified.",
                       ArgumentName=sse.SSE_HEADER, ArgumentValue=method)
    return None


def operation_of(handler: Callable[..., object]) -> Optional[str]:
    """The S3 operation name of a routed handler, if the table concerns it."""
    module = getattr(handler, "__module__", "").rsplit(".", 1)[-1]
    return OPERATIONS.get("%s.%s" % (module, getattr(handler, "__name__", "")))


def refusal(operation: Optional[str], headers: Dict[str, str],
            at_rest: bool = False) -> Optional[S3Error]:
    """The error for the first refused header of ``headers`` (lower-case
    names), or ``None`` if the request may run; ``at_rest``: objects are
    encrypted at rest by the pipeline."""
    if operation is None:
        return None
    clash = conflict(operation, headers)
    if clash is not None:
        return clash
    for rule in RULES:
        if operation in rule.operations and rule.header in headers:
            value = headers[rule.header]
            if at_rest and (rule.any_at_rest or (value.lower() if rule.fold else value)
                            in rule.at_rest):
                continue
            err = rule.check(headers[rule.header], headers)
            if err is not None:
                return err
    return None


def check_expected_owner(ctx: S3Context) -> None:
    """``x-amz-expected-bucket-owner`` (and the copy source's): a bucket is
    owned by the account holding it, and a request names buckets of its own
    account, so the owner is the caller's account."""
    for header in ("x-amz-expected-bucket-owner", "x-amz-source-expected-bucket-owner"):
        expected = ctx.headers.get(header)
        if expected is None or ctx.target.bucket is None:
            continue
        ctx.swift.authenticate()
        if expected != ctx.swift.account:
            raise S3Error("AccessDenied", "The bucket is not owned by %s (%s)."
                          % (expected, header))


def encrypts_at_rest(app: Any) -> bool:
    """Whether the pipeline after s3api (``app`` and the apps it wraps)
    holds an enabled ``encryption`` middleware (it is built before s3api)."""
    return bool(pipeline.found_below(app, pipeline.ENCRYPTS_AT_REST))


def audit(ctx: S3Context, handler: Callable[..., object]) -> Dict[str, str]:
    """Refuse the request before ``handler`` runs if a header asks for what
    objstore does not do; check the expected bucket owner. Returns the
    headers the response carries to confirm what was asked for."""
    operation = operation_of(handler)
    err = refusal(operation, ctx.headers, ctx.conf.encryption_at_rest)
    if err is not None:
        raise err
    check_expected_owner(ctx)
    if not ctx.conf.encryption_at_rest or operation not in SSE_C_OPERATIONS:
        return {}
    if operation in COPIES:
        sse.source_key(ctx)  # validated before anything runs
    key = sse.request_key(ctx)
    if operation not in OBJECT_IO:
        return {}
    if key is not None:
        return key.response_headers()
    if operation in ENCRYPTED_WRITES:
        # Every object is encrypted at rest (S3's default encryption).
        return {sse.SSE_HEADER: sse.ALGORITHM}
    return {}
