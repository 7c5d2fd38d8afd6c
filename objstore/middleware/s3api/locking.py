"""S3 Object Lock: lock-enabled buckets, default retention, per-version
retention and legal holds.

The lock itself is kept and enforced below s3api (``common/object_lock.py``,
checked by the object server for every API and daemon); this module speaks
S3 about it:

* a bucket created with ``x-amz-bucket-object-lock-enabled: true`` (or given
  a lock configuration once versioning is on, as AWS now allows) keeps its
  ``ObjectLockConfiguration`` in container sysmeta, JSON
  ``{"mode": ..., "days"|"years": n}`` (``{}`` without a default retention),
  and its versioning can no longer be suspended;
* PutObject, CopyObject and CreateMultipartUpload turn the
  ``x-amz-object-lock-*`` headers (or the bucket's default retention) into
  the version's lock sysmeta; GetObject and HeadObject answer them back;
* Put/GetObjectRetention and Put/GetObjectLegalHold read and POST a
  version's lock keys.

``x-amz-bypass-governance-retention: true`` counts for the account's admin
and for callers a bucket policy allows ``s3:BypassGovernanceRetention``
(``access.py`` records that); for anyone else the lock stays.
"""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List, Optional, Tuple

from webob import Response

from objstore.common import object_lock as ol
from objstore.middleware.s3api import versioning
from objstore.middleware.s3api.buckets import check_bucket, xml_response
from objstore.middleware.s3api.context import SEGMENTS_SUFFIX, S3Context
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.xml import parse, render, text_of

BUCKET_SYSMETA = "X-Container-Sysmeta-S3api-Object-Lock"
_INFO_KEY = BUCKET_SYSMETA.lower()[len("x-container-sysmeta-"):]  # in a container info
ENABLE_HEADER = "x-amz-bucket-object-lock-enabled"
BYPASS_HEADER = "x-amz-bypass-governance-retention"
MODE_HEADER = "x-amz-object-lock-mode"
UNTIL_HEADER = "x-amz-object-lock-retain-until-date"
HOLD_HEADER = "x-amz-object-lock-legal-hold"
DAY = 86400
MAX_DAYS = 36500


def _missing() -> S3Error:
    return S3Error("InvalidRequest", "Bucket is missing Object Lock Configuration")


def bucket_config(ctx: S3Context, bucket: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """The bucket's lock configuration (``{}`` enabled without a default
    retention), or ``None`` when object lock is not enabled on it."""
    bucket = bucket or ctx.bucket
    cache = ctx.extra.setdefault("object_lock", {})
    if bucket not in cache:
        guarded: Optional[str] = "on"
        if bucket == ctx.bucket:
            # the proxy's cached container info: no HEAD of the bucket per write
            sysmeta = versioning.bucket_sysmeta(ctx, bucket)
            stored = sysmeta.get(_INFO_KEY)
            guarded = sysmeta.get(ol.CONTAINER_GUARD_KEY)
        else:
            stored = ctx.swift.request("HEAD", bucket).header(BUCKET_SYSMETA.lower())
        try:
            cache[bucket] = json.loads(stored) if stored else None
        except ValueError:
            cache[bucket] = None
        if cache[bucket] is not None and not guarded:
            # Made lock-enabled before the proxy's guard existed: mark it now, once.
            ctx.swift.request("POST", bucket, headers={ol.CONTAINER_GUARD: "on"}).close()
            guard_containers(ctx)
    return cache[bucket]


def create_headers(ctx: S3Context) -> Dict[str, str]:
    """CreateBucket's container headers for ``x-amz-bucket-object-lock-enabled``
    (``true``/``false``, any case; anything else is InvalidArgument)."""
    value = ctx.headers.get(ENABLE_HEADER)
    if value is None or value.lower() == "false":
        return {}
    if value.lower() != "true":
        raise S3Error("InvalidArgument", "x-amz-bucket-object-lock-enabled must be true or "
                      "false.", ArgumentName=ENABLE_HEADER, ArgumentValue=value)
    return {BUCKET_SYSMETA: "{}", ol.CONTAINER_GUARD: "on"}


def after_create(ctx: S3Context, headers: Dict[str, str]) -> None:
    """A lock-enabled bucket is versioned from the start."""
    if BUCKET_SYSMETA in headers:
        versioning.set_status(ctx, versioning.ENABLED)
        guard_containers(ctx)


def guard_containers(ctx: S3Context) -> None:
    """Mark the bucket's versions and segments containers (where locked
    versions and their parts live) for the proxy's lock guard
    (``proxy/lock_guard.py``); one not made yet is marked when it is."""
    for container in (versioning.history_container(ctx),
                      ctx.bucket + SEGMENTS_SUFFIX):
        ctx.swift.request("POST", container, headers={ol.CONTAINER_GUARD: "on"}).close()


def segments_headers(ctx: S3Context) -> Dict[str, str]:
    """The headers that create the bucket's segments container."""
    return {ol.CONTAINER_GUARD: "on"} if bucket_config(ctx) is not None else {}


def check_versioning_change(ctx: S3Context, status: str) -> None:
    """PutBucketVersioning: a lock-enabled bucket stays Enabled."""
    if status != versioning.ENABLED and bucket_config(ctx) is not None:
        raise S3Error("InvalidBucketState", "An Object Lock configuration is present on "
                      "this bucket, so the versioning state cannot be changed.")


# -- bucket configuration --------------------------------------------------

def _parse_config(body: bytes) -> Dict[str, Any]:
    doc = parse(body, "ObjectLockConfiguration")
    if text_of(doc, "ObjectLockEnabled", "") != "Enabled":
        raise S3Error("MalformedXML", "ObjectLockEnabled must be Enabled.")
    rule = doc.find("Rule")
    if rule is None:
        return {}
    retention = rule.find("DefaultRetention")
    if retention is None:
        raise S3Error("MalformedXML", "A Rule needs a DefaultRetention.")
    mode = text_of(retention, "Mode", "") or ""
    if mode not in ol.MODES:
        raise S3Error("MalformedXML", "Mode must be GOVERNANCE or COMPLIANCE.")
    days, years = text_of(retention, "Days"), text_of(retention, "Years")
    if (days is None) == (years is None):
        raise S3Error("MalformedXML", "A DefaultRetention has either Days or Years.")
    unit, text = ("days", days) if days is not None else ("years", years)
    try:
        count = int(text or "")
    except ValueError:
        raise S3Error("MalformedXML", "%s must be an integer." % unit.title()) from None
    if count <= 0:
        raise S3Error("InvalidArgument", "Default retention period must be a positive "
                      "integer value.", ArgumentName=unit.title(), ArgumentValue=str(count))
    if count > (MAX_DAYS if unit == "days" else MAX_DAYS // 365):
        raise S3Error("InvalidArgument", "Default retention period is too large.",
                      ArgumentName=unit.title(), ArgumentValue=str(count))
    return {"mode": mode, unit: count}


def put_lock_configuration(ctx: S3Context) -> Response:
    """PutObjectLockConfiguration: on a lock-enabled bucket, or a versioned
    one (which it then enables, as AWS allows since 2023)."""
    check_bucket(ctx)
    config = _parse_config(ctx.read_small_body())
    if bucket_config(ctx) is None and versioning.bucket_status(ctx) != versioning.ENABLED:
        raise S3Error("InvalidBucketState", "Versioning must be 'Enabled' on the bucket to "
                      "apply a Object Lock configuration")
    resp = ctx.swift.request("POST", ctx.bucket, headers={
        BUCKET_SYSMETA: json.dumps(config, sort_keys=True), ol.CONTAINER_GUARD: "on"})
    resp.close()
    ctx.raise_for(resp, "NoSuchBucket")
    guard_containers(ctx)
    return Response(status=200)


def get_lock_configuration(ctx: S3Context) -> Response:
    check_bucket(ctx)
    config = bucket_config(ctx)
    if config is None:
        raise S3Error("ObjectLockConfigurationNotFoundError", "Object Lock configuration "
                      "does not exist for this bucket", BucketName=ctx.bucket)
    children: list = [("ObjectLockEnabled", "Enabled")]
    if config.get("mode"):
        unit = "Days" if "days" in config else "Years"
        children.append(("Rule", [("DefaultRetention", [
            ("Mode", config["mode"]), (unit, str(config[unit.lower()]))])]))
    return xml_response(render("ObjectLockConfiguration", children))


# -- object writes and reads -----------------------------------------------

def _until(text: str, name: str) -> str:
    when = ol.parse_date(text)
    if when is None:
        raise S3Error("InvalidArgument", "The retain until date is not a valid ISO 8601 "
                      "date-time.", ArgumentName=name, ArgumentValue=text)
    if when <= time.time():
        raise S3Error("InvalidArgument", "The retain until date must be in the future!",
                      ArgumentName=name, ArgumentValue=text)
    return ol.format_date(when)


def _mode(text: str, name: str) -> str:
    if text not in ol.MODES:
        raise S3Error("InvalidArgument", "Unknown wormMode directive.",
                      ArgumentName=name, ArgumentValue=text)
    return text


def _hold(text: str, name: str) -> str:
    if text not in ("ON", "OFF"):
        raise S3Error("InvalidArgument", "Legal Hold must be either of 'ON' or 'OFF'",
                      ArgumentName=name, ArgumentValue=text)
    return text


def write_headers(ctx: S3Context, bucket: Optional[str] = None) -> Dict[str, str]:
    """The lock sysmeta of a new version: from the request's
    ``x-amz-object-lock-*`` headers, else the bucket's default retention."""
    headers = ctx.headers
    asked = [h for h in (MODE_HEADER, UNTIL_HEADER, HOLD_HEADER) if h in headers]
    config = bucket_config(ctx, bucket)
    if config is None:
        if asked:
            raise _missing()
        return {}
    out: Dict[str, str] = {}
    if (MODE_HEADER in headers) != (UNTIL_HEADER in headers):
        raise S3Error("InvalidArgument", "x-amz-object-lock-retain-until-date and "
                      "x-amz-object-lock-mode must both be supplied",
                      ArgumentName=MODE_HEADER if UNTIL_HEADER in headers else UNTIL_HEADER)
    if MODE_HEADER in headers:
        out[ol.MODE] = _mode(headers[MODE_HEADER], MODE_HEADER)
        out[ol.UNTIL] = _until(headers[UNTIL_HEADER], UNTIL_HEADER)
    elif config.get("mode"):
        days = config.get("days") or config.get("years", 0) * 365
        out[ol.MODE] = config["mode"]
        out[ol.UNTIL] = ol.format_date(time.time() + days * DAY)
    if HOLD_HEADER in headers:
        out[ol.HOLD] = _hold(headers[HOLD_HEADER], HOLD_HEADER)
    return out


UPLOAD_PREFIX = "x-object-sysmeta-s3api-upload-lock-"  # on a multipart upload's marker


def upload_headers(ctx: S3Context) -> Dict[str, str]:
    """CreateMultipartUpload: the lock asked for, validated now and kept on
    the upload's marker (not as lock keys, which would lock the marker)."""
    return {UPLOAD_PREFIX + name[len(ol.PREFIX):]: value
            for name, value in write_headers(ctx).items()}


def completed_headers(ctx: S3Context, headers: Dict[str, str]) -> None:
    """CompleteMultipartUpload: the marker's lock (moved out of ``headers``)
    becomes the object's."""
    kept = {name: headers.pop(name) for name in list(headers) if name.startswith(UPLOAD_PREFIX)}
    headers.update({"X-Object-Sysmeta-Lock-" + name[len(UPLOAD_PREFIX):].title(): value
                    for name, value in kept.items()})


def lock_parts(ctx: S3Context, segments: List[Any], changes: Dict[str, str]) -> None:
    """Give the parts (``manifest.Segment``) of a multipart version the lock
    ``changes`` (lock keys) of the version itself, so that they cannot be
    deleted (with the Swift API, or by a delete of the upload's parts) while
    it is locked: at CompleteMultipartUpload, before the manifest is
    written, and on every later retention or legal-hold change. A part the
    object server refuses to change (a lock already stronger) is
    ``AccessDenied``; nothing is done for a version without a lock."""
    lock = {name: value for name, value in changes.items() if name in ol.KEYS}
    if not lock:
        return
    from objstore.middleware.s3api.subresources import post_headers
    for segment in segments:
        head = ctx.swift.request("HEAD", segment.container, segment.obj)
        head.close()
        if head.status == 404:
            continue  # nothing left to protect
        ctx.raise_for(head, "NoSuchKey")
        headers = post_headers(head, lock)
        headers.update(bypass_headers(ctx))
        resp = ctx.swift.request("POST", segment.container, segment.obj, headers=headers)
        resp.close()
        refused(resp)
        ctx.raise_for(resp, "NoSuchKey")


def _parts_of_version(ctx: S3Context, where: Tuple[str, str], head: Any) -> List[Any]:
    """The parts of the version at ``where`` if it is a multipart object."""
    from objstore.middleware.s3api import manifest
    if not head.header(manifest.MANIFEST_SYSMETA):
        return []
    body = ctx.swift.request("GET", where[0], where[1], extra_env=versioning.BYPASS)
    if not body.ok:
        body.close()
        ctx.raise_for(body, "NoSuchKey")
    return manifest.read_segments(body, ctx.conf.max_upload_part_num) or []


def response_headers(stored: Any) -> Dict[str, str]:
    """GetObject/HeadObject's lock headers from the version's stored headers
    (anything with ``.get``, lower-case names)."""
    out: Dict[str, str] = {}
    mode = stored.get(ol.MODE.lower()) or ""
    if mode in ol.MODES:
        out[MODE_HEADER] = mode
        out[UNTIL_HEADER] = stored.get(ol.UNTIL.lower()) or ""
    hold = stored.get(ol.HOLD.lower())
    if hold:
        out[HOLD_HEADER] = hold
    return out


# -- bypass ------------------------------------------------------------------

def bypass_headers(ctx: S3Context) -> Dict[str, str]:
    """``X-Backend-Lock-Bypass: governance`` when the caller asked for the
    bypass and may have it; ``AccessDenied`` when it asked and may not."""
    if (ctx.headers.get(BYPASS_HEADER) or "").strip().lower() != "true":
        return {}
    if not may_bypass(ctx):
        raise S3Error("AccessDenied", "You are not allowed to bypass governance retention "
                      "(s3:BypassGovernanceRetention).")
    return {ol.BYPASS: ol.BYPASS_GOVERNANCE}


def may_bypass(ctx: S3Context) -> bool:
    if ctx.extra.get("policy_bypass_governance"):
        return True  # a bucket policy allows it (access.Gate)
    ctx.swift.authenticate()
    groups = [g for g in str(ctx.swift.identity.get("REMOTE_USER", "")).split(",") if g]
    return bool(ctx.swift.account) and ctx.swift.account in groups


# -- retention and legal hold of one version ---------------------------------

def _version(ctx: S3Context) -> Tuple[str, str]:
    """``(container, object)`` of the version the request names."""
    if bucket_config(ctx) is None:
        raise _missing()
    vid = ctx.query.get("versionId")
    if vid and vid != "null":
        return versioning.locate(ctx, ctx.key, vid)
    return ctx.bucket, ctx.key


def _head(ctx: S3Context, where: Tuple[str, str]) -> Any:
    head = ctx.swift.request("HEAD", where[0], where[1], extra_env=versioning.BYPASS)
    head.close()
    ctx.raise_for(head, "NoSuchKey")
    return head


def refused(resp: Any) -> None:
    """``AccessDenied`` for a write the object server refused for a lock."""
    if resp.status == 403:
        raise S3Error("AccessDenied", "Access Denied because object protected by object lock.")


def _post(ctx: S3Context, where: Tuple[str, str], head: Any, changes: Dict[str, str]) -> None:
    from objstore.middleware.s3api.subresources import post_headers
    # The parts first: a version is never left locked with parts that are not.
    lock_parts(ctx, _parts_of_version(ctx, where, head), changes)
    headers = post_headers(head, changes)
    headers.update(bypass_headers(ctx))
    resp = ctx.swift.request("POST", where[0], where[1], headers=headers,
                             extra_env=versioning.BYPASS)
    resp.close()
    refused(resp)
    ctx.raise_for(resp, "NoSuchKey")


def put_retention(ctx: S3Context) -> Response:
    where = _version(ctx)
    doc = parse(ctx.read_small_body(), "Retention")
    mode, until = text_of(doc, "Mode"), text_of(doc, "RetainUntilDate")
    if (mode is None) != (until is None):
        raise S3Error("MalformedXML", "A Retention has both Mode and RetainUntilDate, or "
                      "neither.")
    if mode is not None and mode not in ol.MODES:
        # A value outside the schema's enumeration, as S3 judges a body.
        raise S3Error("MalformedXML", "Mode must be GOVERNANCE or COMPLIANCE.")
    changes = {ol.MODE: ol.NONE} if mode is None else {
        ol.MODE: mode, ol.UNTIL: _until(until or "", "RetainUntilDate")}
    head = _head(ctx, where)
    current = {k.lower(): v for k, v in head.headers.items()}
    bypass = bypass_headers(ctx).get(ol.BYPASS, "")
    why = ol.weakening(current, changes, bypass)
    if why:
        raise S3Error("AccessDenied", "Access Denied because object protected by object "
                      "lock: %s." % why)
    _post(ctx, where, head, changes)
    return Response(status=200)


def _stored(ctx: S3Context, header: str) -> Dict[str, str]:
    """The version's lock headers; ``NoSuchObjectLockConfiguration`` without ``header``."""
    stored = response_headers(_head(ctx, _version(ctx)).headers)
    if header not in stored:
        raise S3Error("NoSuchObjectLockConfiguration", "The specified object does not have "
                      "a ObjectLock configuration")
    return stored


def get_retention(ctx: S3Context) -> Response:
    stored = _stored(ctx, MODE_HEADER)
    return xml_response(render("Retention", [("Mode", stored[MODE_HEADER]),
                                             ("RetainUntilDate", stored[UNTIL_HEADER])]))


def put_legal_hold(ctx: S3Context) -> Response:
    where = _version(ctx)
    doc = parse(ctx.read_small_body(), "LegalHold")
    status = text_of(doc, "Status", "") or ""
    if status not in ("ON", "OFF"):
        # In a body S3 answers an unknown Status as XML off its schema;
        # the x-amz-object-lock-legal-hold header's is InvalidArgument (_hold).
        raise S3Error("MalformedXML", "Status must be ON or OFF.")
    _post(ctx, where, _head(ctx, where), {ol.HOLD: status})
    return Response(status=200)


def get_legal_hold(ctx: S3Context) -> Response:
    stored = _stored(ctx, HOLD_HEADER)
    return xml_response(render("LegalHold", [("Status", stored[HOLD_HEADER])]))
