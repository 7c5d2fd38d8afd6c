"""PutBucketLifecycleConfiguration, GetBucketLifecycleConfiguration,
DeleteBucketLifecycle: S3 lifecycle rules, applied by the tierer.

The rules are parsed here into ``common.tiering.lifecycle_rules`` (the model
the tierer applies) and kept as JSON in the bucket's container sysmeta; the
bucket is also named in a hidden index (``lifecycle`` container of the
bucket index account) so the tierer finds the buckets with rules without
walking every account. ``Transition`` storage classes must be those of the
cluster's tiers (``[tier:NAME] storage_class``; gold STANDARD, silver
STANDARD_IA, bronze GLACIER_IR by default): a transition moves the object to
that tier's policy, keeping its name, ETag and metadata. ``Expiration``
deletes. Without tiers, transitions are refused (InvalidStorageClass) and
expirations still work.

Validated as S3 does (MalformedXML for a bad shape, InvalidArgument for
bad values): at most 1,000 rules with unique IDs of at most 255
characters, a Status, at least one action, positive Days, midnight-UTC
Dates, Days and Date not mixed across one rule's transitions.
"""

from __future__ import annotations

import calendar
import time
from typing import List, Optional, Tuple
from urllib.parse import parse_qsl

from webob import Response

from objstore.common import registry
from objstore.common.info import get_container_info
from objstore.common.tiering.lifecycle_rules import (LIFECYCLE_INDEX_CONTAINER,
                                                     LIFECYCLE_SYSMETA, NoncurrentTransition,
                                                     Rule, Transition, dumps, loads)
from objstore.middleware.s3api.buckets import check_bucket, xml_response
from objstore.middleware.s3api.context import TRUSTED_ENV, S3Context
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.xml import Node, parse, render, text_of

MAX_RULES = 1000
#: objects under 128 KiB transition only under rules that filter by size;
#: both values mean that here (see lifecycle_rules.MIN_TRANSITION_SIZE)
MIN_SIZE_HEADER = "x-amz-transition-default-minimum-object-size"
MIN_SIZE_VALUES = ("all_storage_classes_128K", "varies_by_storage_class")
DEFAULT_MIN_SIZE = MIN_SIZE_VALUES[0]
MIN_SIZE_SYSMETA = "X-Container-Sysmeta-S3api-Lifecycle-Min-Size"
#: the storage classes S3 lets a Transition name (never STANDARD)
TRANSITION_CLASSES = ("STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
                      "DEEP_ARCHIVE", "GLACIER_IR")
MAX_ID = 255
MAX_NEWER_VERSIONS = 100
_RULE_CHILDREN = ("ID", "Filter", "Prefix", "Status", "Transition", "Expiration",
                  "NoncurrentVersionTransition", "NoncurrentVersionExpiration",
                  "AbortIncompleteMultipartUpload")


def _malformed(why: str) -> S3Error:
    return S3Error("MalformedXML", why)


def _days(text: Optional[str], what: str) -> int:
    try:
        days = int((text or "").strip())
    except ValueError:
        raise _malformed("%s must be a whole number of days." % what) from None
    if days <= 0:
        raise S3Error("InvalidArgument", "'Days' for %s action must be a positive integer"
                      % what, ArgumentName="Days")
    return days


def _date(text: Optional[str]) -> float:
    raw = (text or "").strip()
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z",
                "%Y-%m-%d"):
        try:
            parsed = time.strptime(raw.replace("+00:00", "+0000"), fmt)
        except ValueError:
            continue
        if parsed.tm_hour or parsed.tm_min or parsed.tm_sec:
            raise S3Error("InvalidArgument", "'Date' must be at midnight GMT",
                          ArgumentName="Date")
        return float(calendar.timegm(parsed))
    raise S3Error("InvalidArgument", "'Date' must be an ISO 8601 date", ArgumentName="Date")


def _filter(rule: Rule, elem) -> None:  # type: ignore[no-untyped-def]
    children = list(elem)
    if len(children) > 1:
        raise _malformed("A Filter holds one of Prefix, Tag, ObjectSizeGreaterThan, "
                         "ObjectSizeLessThan or And.")
    for child in children:
        parts = list(child) if child.tag == "And" else [child]
        rule.and_filter = child.tag == "And"
        for part in parts:
            if part.tag == "Prefix":
                rule.prefix = part.text or ""
            elif part.tag == "Tag":
                key, value = text_of(part, "Key"), text_of(part, "Value", "")
                if not key or key in rule.tags:
                    raise S3Error("InvalidArgument", "Tag keys in a filter must be given "
                                  "and unique", ArgumentName="Tag")
                rule.tags[key] = value or ""
            elif part.tag in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
                try:
                    size = int(part.text or "")
                except ValueError:
                    raise _malformed("%s must be a number of bytes." % part.tag) from None
                if size < 0:
                    raise S3Error("InvalidArgument", "%s must be non-negative" % part.tag,
                                  ArgumentName=part.tag)
                if part.tag == "ObjectSizeGreaterThan":
                    rule.size_greater_than = size
                else:
                    rule.size_less_than = size
            else:
                raise _malformed("Unknown element %s in Filter." % part.tag)


def parse_configuration(body: bytes, storage_classes: Tuple[str, ...]) -> List[Rule]:
    """The rules of a ``LifecycleConfiguration`` document; S3's error for a
    bad one. ``storage_classes``: those a transition may name (the tiers')."""
    doc = parse(body, "LifecycleConfiguration")
    elems = doc.findall("Rule")
    if not elems or len(elems) != len(doc):
        raise _malformed("A LifecycleConfiguration holds one or more Rule elements only.")
    if len(elems) > MAX_RULES:
        raise S3Error("InvalidRequest", "A lifecycle configuration holds at most %d rules."
                      % MAX_RULES)
    rules: List[Rule] = []
    for index, elem in enumerate(elems):
        for child in elem:
            if child.tag not in _RULE_CHILDREN:
                raise _malformed("Unknown element %s in Rule." % child.tag)
        rule_id = text_of(elem, "ID") or "rule-%d" % (index + 1)
        if len(rule_id) > MAX_ID:
            raise S3Error("InvalidArgument", "ID length should not exceed allowed limit of "
                          "255", ArgumentName="ID")
        if rule_id in [r.id for r in rules]:
            raise S3Error("InvalidArgument", "Rule ID must be unique. Found same ID for "
                          "more than one rule", ArgumentName="ID")
        status = text_of(elem, "Status")
        if status not in ("Enabled", "Disabled"):
            raise _malformed("Status must be Enabled or Disabled.")
        rule = Rule(rule_id, status == "Enabled")
        if elem.find("Filter") is not None and elem.find("Prefix") is not None:
            raise _malformed("Give Filter or Prefix, not both.")
        if elem.find("Filter") is not None:
            _filter(rule, elem.find("Filter"))
        elif elem.find("Prefix") is not None:
            rule.prefix, rule.legacy_prefix = text_of(elem, "Prefix") or "", True
        _actions(rule, elem, storage_classes)
        rules.append(rule)
    return rules


def _storage_class(elem, storage_classes: Tuple[str, ...]) -> str:  # type: ignore[no-untyped-def]
    storage_class = (text_of(elem, "StorageClass") or "").strip()
    if storage_class not in storage_classes:
        raise S3Error("InvalidStorageClass", "Transitions here go to the storage "
                      "classes of this store's tiers: %s." % (", ".join(storage_classes)
                                                              or "none"),
                      StorageClassRequested=storage_class)
    return storage_class


def _noncurrent_transitions(rule: Rule, elem, storage_classes: Tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    for t in elem.findall("NoncurrentVersionTransition"):
        storage_class = _storage_class(t, storage_classes)
        if t.find("NoncurrentDays") is None:
            raise _malformed("A NoncurrentVersionTransition holds NoncurrentDays and a "
                             "StorageClass.")
        newer = text_of(t, "NewerNoncurrentVersions")
        rule.noncurrent_transitions.append(NoncurrentTransition(
            storage_class, _days(text_of(t, "NoncurrentDays"), "NoncurrentVersionTransition"),
            _newer_versions(newer) if newer is not None else None))
    if len({t.storage_class for t in rule.noncurrent_transitions}) != \
            len(rule.noncurrent_transitions):
        raise S3Error("InvalidArgument", "'StorageClass' must be different for "
                      "'NoncurrentVersionTransition' actions in same 'Rule'",
                      ArgumentName="StorageClass")


def _actions(rule: Rule, elem, storage_classes: Tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    expiration = elem.find("Expiration")
    if expiration is not None:
        given = [c.tag for c in expiration]
        if len(given) != 1:
            raise _malformed("Expiration holds one of Days, Date or ExpiredObjectDeleteMarker.")
        if given[0] == "Days":
            rule.expiration_days = _days(text_of(expiration, "Days"), "Expiration")
        elif given[0] == "Date":
            rule.expiration_date = _date(text_of(expiration, "Date"))
        elif given[0] == "ExpiredObjectDeleteMarker":
            rule.expired_object_delete_marker = \
                (text_of(expiration, "ExpiredObjectDeleteMarker") or "").lower() == "true"
        else:
            raise _malformed("Unknown element %s in Expiration." % given[0])
    for t in elem.findall("Transition"):
        storage_class = _storage_class(t, storage_classes)
        if (t.find("Days") is None) == (t.find("Date") is None):
            raise _malformed("A Transition holds Days or Date, and a StorageClass.")
        rule.transitions.append(Transition(
            storage_class, days=_days(text_of(t, "Days"), "Transition")
            if t.find("Days") is not None else None,
            date=_date(text_of(t, "Date")) if t.find("Date") is not None else None))
    if len({t.days is None for t in rule.transitions}) > 1:
        raise S3Error("InvalidRequest", "Found mixed 'Date' and 'Days' based Transition "
                      "actions in lifecycle rule for filter")
    if len({t.storage_class for t in rule.transitions}) != len(rule.transitions):
        raise S3Error("InvalidArgument", "'StorageClass' must be different for "
                      "'Transition' actions in same 'Rule'", ArgumentName="StorageClass")
    _noncurrent_transitions(rule, elem, storage_classes)
    noncurrent = elem.find("NoncurrentVersionExpiration")
    if noncurrent is not None:
        rule.noncurrent_expiration_days = _days(text_of(noncurrent, "NoncurrentDays"),
                                                "NoncurrentVersionExpiration")
        newer = text_of(noncurrent, "NewerNoncurrentVersions")
        if newer is not None:
            rule.noncurrent_newer_versions = _newer_versions(newer)
    abort = elem.find("AbortIncompleteMultipartUpload")
    if abort is not None:
        rule.abort_multipart_days = _days(text_of(abort, "DaysAfterInitiation"),
                                          "AbortIncompleteMultipartUpload")
    if not (expiration is not None or rule.transitions or noncurrent is not None
            or abort is not None or rule.noncurrent_transitions):
        raise _malformed("A Rule needs at least one action.")
    if rule.tags and abort is not None:
        raise S3Error("InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified "
                      "with Tags.")
    if rule.tags and rule.expired_object_delete_marker is not None:
        raise S3Error("InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified "
                      "with Tags.")


def _newer_versions(text: str) -> int:
    """NewerNoncurrentVersions: 1 to MAX_NEWER_VERSIONS versions kept."""
    try:
        count = int(text.strip())
    except ValueError:
        raise _malformed("NewerNoncurrentVersions must be a whole number.") from None
    if not 0 < count <= MAX_NEWER_VERSIONS:
        raise S3Error("InvalidArgument", "NewerNoncurrentVersions must be between 1 and %d"
                      % MAX_NEWER_VERSIONS, ArgumentName="NewerNoncurrentVersions")
    return count


def _iso(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(when))


def _rule_nodes(rule: Rule) -> List[Optional[Node]]:
    parts: List[Optional[Node]] = []
    if rule.prefix or (not rule.tags and rule.size_greater_than is None
                       and rule.size_less_than is None):
        parts.append(("Prefix", rule.prefix))
    parts += [("Tag", [("Key", k), ("Value", v)]) for k, v in rule.tags.items()]
    if rule.size_greater_than is not None:
        parts.append(("ObjectSizeGreaterThan", rule.size_greater_than))
    if rule.size_less_than is not None:
        parts.append(("ObjectSizeLessThan", rule.size_less_than))
    nodes: List[Optional[Node]] = [("ID", rule.id)]
    if rule.legacy_prefix:
        nodes.append(("Prefix", rule.prefix))
    else:
        nodes.append(("Filter", [("And", parts)] if rule.and_filter else parts[:1]))
    nodes.append(("Status", "Enabled" if rule.enabled else "Disabled"))
    for t in rule.transitions:
        nodes.append(("Transition", [("Days", t.days) if t.days is not None
                                     else ("Date", _iso(t.date or 0)),
                                     ("StorageClass", t.storage_class)]))
    if rule.expiration_days is not None:
        nodes.append(("Expiration", [("Days", rule.expiration_days)]))
    elif rule.expiration_date is not None:
        nodes.append(("Expiration", [("Date", _iso(rule.expiration_date))]))
    elif rule.expired_object_delete_marker is not None:
        nodes.append(("Expiration", [("ExpiredObjectDeleteMarker",
                                      rule.expired_object_delete_marker)]))
    for nt in rule.noncurrent_transitions:
        nodes.append(("NoncurrentVersionTransition",
                      [("NoncurrentDays", nt.days), ("StorageClass", nt.storage_class)] +
                      ([("NewerNoncurrentVersions", nt.newer_versions)]
                       if nt.newer_versions is not None else [])))
    if rule.noncurrent_expiration_days is not None:
        nodes.append(("NoncurrentVersionExpiration",
                      [("NoncurrentDays", rule.noncurrent_expiration_days)] +
                      ([("NewerNoncurrentVersions", rule.noncurrent_newer_versions)]
                       if rule.noncurrent_newer_versions is not None else [])))
    if rule.abort_multipart_days is not None:
        nodes.append(("AbortIncompleteMultipartUpload",
                      [("DaysAfterInitiation", rule.abort_multipart_days)]))
    return nodes


def expiration_header(ctx: S3Context, key: str, size: int, tags: Optional[str],
                      last_modified: float) -> Optional[str]:
    """``x-amz-expiration`` of the current version of ``key``, as S3 writes it
    (``expiry-date="<HTTP date>", rule-id="<id>"``) for the earliest enabled
    Expiration rule that matches it; None when none does. Read from the
    proxy's cached container info (no request of its own)."""
    info = get_container_info(ctx.env, ctx.swift.app, ctx.swift.account or "", ctx.bucket)
    stored = (info.get("sysmeta") or {}).get(
        LIFECYCLE_SYSMETA.lower()[len("x-container-sysmeta-"):]) or ""
    if not stored:
        return None
    tag_map = dict(parse_qsl(tags or "", keep_blank_values=True))
    best: Optional[Tuple[float, str]] = None
    for rule in loads(stored):
        when = rule.expiry_date(last_modified)
        if when is not None and rule.matches(key, size, tag_map) and \
                (best is None or when < best[0]):
            best = (when, rule.id)
    if best is None:
        return None
    return 'expiry-date="%s", rule-id="%s"' % (
        time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(best[0])), best[1])


def render_configuration(rules: List[Rule]) -> bytes:
    return render("LifecycleConfiguration", [("Rule", _rule_nodes(r)) for r in rules])


def _storage_classes() -> Tuple[str, ...]:
    """The storage classes of the cluster's tiers, as the tiering middleware
    registered them in ``/info`` (none without it: no transitions)."""
    tiers = (registry.get_info().get("tiering") or {}).get("tiers") or []
    return tuple(str(t.get("storage_class")) for t in tiers
                 if t.get("storage_class") in TRANSITION_CLASSES)


def _index(ctx: S3Context, method: str) -> None:
    name = "%s/%s" % (ctx.swift.account, ctx.bucket)
    index = ctx.conf.bucket_index_account
    if not index:
        return
    if method == "PUT":
        resp = ctx.swift.request("PUT", LIFECYCLE_INDEX_CONTAINER, extra_env=dict(TRUSTED_ENV),
                                 account=index)
        resp.close()
    resp = ctx.swift.request(method, LIFECYCLE_INDEX_CONTAINER, name, body=b"",
                             headers={"Content-Type": "text/plain"} if method == "PUT" else {},
                             extra_env=dict(TRUSTED_ENV), account=index)
    resp.close()
    if not resp.ok and resp.status != 404:
        raise S3Error("ServiceUnavailable", "The lifecycle index could not be updated (%d); "
                      "retry." % resp.status)


def _minimum_size(ctx: S3Context) -> str:
    value = ctx.headers.get(MIN_SIZE_HEADER, DEFAULT_MIN_SIZE).strip()
    if value not in MIN_SIZE_VALUES:
        raise S3Error("InvalidArgument", "%s must be one of %s"
                      % (MIN_SIZE_HEADER, ", ".join(MIN_SIZE_VALUES)),
                      ArgumentName=MIN_SIZE_HEADER)
    return value


def put_lifecycle_configuration(ctx: S3Context) -> Response:
    check_bucket(ctx)
    minimum = _minimum_size(ctx)
    rules = parse_configuration(ctx.read_small_body(), _storage_classes())
    ctx.post_bucket({LIFECYCLE_SYSMETA: dumps(rules), MIN_SIZE_SYSMETA: minimum})
    _index(ctx, "PUT")
    return Response(status=200, headers={MIN_SIZE_HEADER: minimum})


def get_lifecycle_configuration(ctx: S3Context) -> Response:
    check_bucket(ctx)
    head = ctx.container_head()
    rules = loads(head.header(LIFECYCLE_SYSMETA.lower()) or "")
    if not rules:
        raise S3Error("NoSuchLifecycleConfiguration", "The lifecycle configuration does not "
                      "exist", status=404, BucketName=ctx.bucket)
    resp = xml_response(render_configuration(rules))
    resp.headers[MIN_SIZE_HEADER] = head.header(MIN_SIZE_SYSMETA.lower()) or DEFAULT_MIN_SIZE
    return resp


def delete_lifecycle_configuration(ctx: S3Context) -> Response:
    check_bucket(ctx)
    ctx.post_bucket({LIFECYCLE_SYSMETA: "", MIN_SIZE_SYSMETA: ""})
    _index(ctx, "DELETE")
    return Response(status=204)
