"""Bucket policy documents: parsed, validated, and held as small dataclasses.

A bucket policy is the JSON document of PutBucketPolicy (``Version``
2012-10-17 or 2008-10-17, ``Statement`` with ``Effect``, ``Principal`` /
``NotPrincipal``, ``Action`` / ``NotAction``, ``Resource`` /
``NotResource`` and ``Condition``). :func:`parse` checks it the way S3 does
and raises ``MalformedPolicy`` with S3's message for the first problem, so a
refused document changes nothing; what it returns is what
``policy_eval.py`` evaluates. Parsing is pure: no I/O.

Principals are mapped onto objstore's accounts and users (S3 shows the
account, ``AUTH_test``, as the owner ID):

- ``"*"`` or ``{"AWS": "*"}``: anyone, signed or not;
- ``{"AWS": "AUTH_test"}``, ``{"AWS": "arn:aws:iam::AUTH_test:root"}`` or
  ``{"CanonicalUser": "AUTH_test"}``: every user of the account ``AUTH_test``;
- ``{"AWS": "arn:aws:iam::AUTH_test:user/tester3"}``: the user ``tester3`` of
  that account (tempauth's ``test:tester3``);
- ``{"Service": ...}`` and ``{"Federated": ...}`` are accepted and never
  match (objstore has no AWS services or identity federation).

Anything else (an access key, a 12-digit AWS account id, a role ARN) cannot
name an objstore identity: ``Invalid principal in policy``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from fnmatch import fnmatchcase
from typing import Any, Dict, List, Tuple

from objstore.middleware.s3api.errors import S3Error

MAX_POLICY_BYTES = 20 * 1024
VERSIONS = ("2012-10-17", "2008-10-17")
ANYONE = "*"
NEVER = "never"  # a principal kind objstore has none of (AWS services, federation)
_ACCOUNT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*_[A-Za-z0-9_.\-]*$")
_USER_ARN_RE = re.compile(r"^arn:aws:iam::([^:]+):user/(?:[^:]*/)?([^/:]+)$")
_ROOT_ARN_RE = re.compile(r"^arn:aws:iam::([^:]+):root$")
_ACTION_RE = re.compile(r"^s3:[A-Za-z*?]+$")
_STATEMENT_KEYS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                   "Resource", "NotResource", "Condition")
_TOP_KEYS = ("Version", "Id", "Statement")

# Every S3 action a bucket policy may name, with the resource it applies to
# ("bucket" or "object"). Exact names are checked against this list;
# patterns must match at least one of them.
OBJECT_ACTIONS = (
    "AbortMultipartUpload", "BypassGovernanceRetention", "DeleteObject",
    "DeleteObjectTagging", "DeleteObjectVersion", "DeleteObjectVersionTagging",
    "GetObject", "GetObjectAcl", "GetObjectAttributes", "GetObjectLegalHold",
    "GetObjectRetention", "GetObjectTagging", "GetObjectTorrent", "GetObjectVersion",
    "GetObjectVersionAcl", "GetObjectVersionAttributes", "GetObjectVersionForReplication",
    "GetObjectVersionTagging", "GetObjectVersionTorrent", "ListMultipartUploadParts",
    "PutObject", "PutObjectAcl", "PutObjectLegalHold", "PutObjectRetention",
    "PutObjectTagging", "PutObjectVersionAcl", "PutObjectVersionTagging",
    "ReplicateDelete", "ReplicateObject", "ReplicateTags", "RestoreObject")
BUCKET_ACTIONS = (
    "CreateBucket", "DeleteBucket", "DeleteBucketOwnershipControls", "DeleteBucketPolicy",
    "DeleteBucketWebsite", "GetAccelerateConfiguration", "GetAnalyticsConfiguration",
    "GetBucketAcl", "GetBucketCORS", "GetBucketLocation", "GetBucketLogging",
    "GetBucketNotification", "GetBucketObjectLockConfiguration",
    "GetBucketOwnershipControls", "GetBucketPolicy", "GetBucketPolicyStatus",
    "GetBucketPublicAccessBlock", "GetBucketRequestPayment", "GetBucketTagging",
    "GetBucketVersioning", "GetBucketWebsite", "GetEncryptionConfiguration",
    "GetInventoryConfiguration", "GetLifecycleConfiguration", "GetMetricsConfiguration",
    "GetReplicationConfiguration", "ListBucket", "ListBucketMultipartUploads",
    "ListBucketVersions", "PutAccelerateConfiguration", "PutAnalyticsConfiguration",
    "PutBucketAcl", "PutBucketCORS", "PutBucketLogging", "PutBucketNotification",
    "PutBucketObjectLockConfiguration", "PutBucketOwnershipControls", "PutBucketPolicy",
    "PutBucketPublicAccessBlock", "PutBucketRequestPayment", "PutBucketTagging",
    "PutBucketVersioning", "PutBucketWebsite", "PutEncryptionConfiguration",
    "PutInventoryConfiguration", "PutLifecycleConfiguration", "PutMetricsConfiguration",
    "PutReplicationConfiguration", "ListAllMyBuckets")
ALL_ACTIONS = OBJECT_ACTIONS + BUCKET_ACTIONS
_OBJECT_SET = frozenset(a.lower() for a in OBJECT_ACTIONS)

# Condition operators (without the ``IfExists`` suffix and set qualifiers).
STRING_OPS = ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
              "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike")
NUMERIC_OPS = ("NumericEquals", "NumericNotEquals", "NumericLessThan",
               "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals")
DATE_OPS = ("DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
            "DateGreaterThan", "DateGreaterThanEquals")
ARN_OPS = ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike")
IP_OPS = ("IpAddress", "NotIpAddress")
OTHER_OPS = ("Bool", "BinaryEquals", "Null")
OPERATORS = STRING_OPS + NUMERIC_OPS + DATE_OPS + ARN_OPS + IP_OPS + OTHER_OPS
QUALIFIERS = ("ForAnyValue", "ForAllValues")


@dataclass(frozen=True)
class Condition:
    """One ``operator: {key: values}`` test; values are OR-ed."""

    operator: str            # the base operator, e.g. ``StringLike``
    key: str                 # lower-case key, e.g. ``s3:prefix``
    values: Tuple[str, ...]
    if_exists: bool = False
    qualifier: str = ""      # "", ``ForAnyValue`` or ``ForAllValues``


@dataclass(frozen=True)
class Statement:
    effect: str                       # ``Allow`` or ``Deny``
    principals: Tuple[str, ...]       # ``*``, ``account:<id>``, ``user:<id>:<name>``, never
    not_principal: bool
    actions: Tuple[str, ...]          # lower-case patterns without ``s3:`` (``*`` = any)
    not_action: bool
    resources: Tuple[str, ...]        # ARN patterns (``*`` = any)
    not_resource: bool
    conditions: Tuple[Condition, ...]
    sid: str = ""


@dataclass(frozen=True)
class Policy:
    version: str
    statements: Tuple[Statement, ...]
    text: str  # the document as stored and returned by GetBucketPolicy


def malformed(message: str) -> S3Error:
    return S3Error("MalformedPolicy", message)


def _as_list(value: Any) -> List[Any]:
    return list(value) if isinstance(value, list) else [value]


def _strings(value: Any, field_name: str) -> List[str]:
    items = _as_list(value)
    if not items or not all(isinstance(v, str) and v for v in items):
        raise malformed("%s must be a non-empty string or list of strings" % field_name)
    return items


def normalized_size(doc: Any) -> int:
    """The document's size without insignificant whitespace, as S3 counts it."""
    return len(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def parse(text: str, bucket: str) -> Policy:
    """Validate the policy document ``text`` for ``bucket``: a :class:`Policy`,
    or ``MalformedPolicy`` naming the first problem."""
    if not text.lstrip().startswith("{"):
        raise malformed("Policies must be valid JSON and the first byte must be '{'")
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except ValueError as err:
        raise malformed("This policy contains invalid Json (%s)" % err) from None
    if not isinstance(doc, dict):
        raise malformed("Policies must be valid JSON and the first byte must be '{'")
    if normalized_size(doc) > MAX_POLICY_BYTES:
        raise malformed("Policy exceeds the maximum allowed document size.")
    for key in doc:
        if key not in _TOP_KEYS:
            raise malformed("Unknown field %s" % key)
    version = doc.get("Version", "2008-10-17")
    if version not in VERSIONS:
        raise malformed("The policy must contain a valid version string")
    if "Statement" not in doc:
        raise malformed("Missing required field Statement")
    raw_statements = _as_list(doc["Statement"])
    if not raw_statements:
        raise malformed("Missing required field Statement")
    statements = []
    sids = set()
    for raw in raw_statements:
        if not isinstance(raw, dict):
            raise malformed("Each Statement must be a JSON object")
        statement = _statement(raw, bucket)
        if statement.sid:
            if statement.sid in sids:
                raise malformed("Statement IDs (SID) in a single policy must be unique.")
            sids.add(statement.sid)
        statements.append(statement)
    return Policy(version, tuple(statements), text)


def _no_duplicate_keys(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError("duplicate key %r" % key)
        out[key] = value
    return out


def _statement(raw: Dict[str, Any], bucket: str) -> Statement:
    for key in raw:
        if key not in _STATEMENT_KEYS:
            raise malformed("Unknown field %s" % key)
    sid = raw.get("Sid", "")
    if not isinstance(sid, str):
        raise malformed("Sid must be a string")
    if "Effect" not in raw:
        raise malformed("Missing required field Effect")
    effect = raw["Effect"]
    if effect not in ("Allow", "Deny"):
        raise malformed("Invalid effect: %s" % effect)
    principals, not_principal = _either(raw, "Principal", "NotPrincipal")
    actions, not_action = _either(raw, "Action", "NotAction")
    resources, not_resource = _either(raw, "Resource", "NotResource")
    action_patterns = tuple(_action(a) for a in _strings(actions, "Action"))
    resource_patterns = tuple(_resource(r, bucket) for r in _strings(resources, "Resource"))
    if not not_action and not not_resource:
        _check_applies(action_patterns, resource_patterns)
    return Statement(effect, _principals(principals), not_principal, action_patterns,
                     not_action, resource_patterns, not_resource,
                     _conditions(raw.get("Condition", {})), sid)


def _either(raw: Dict[str, Any], name: str, negated: str) -> Tuple[Any, bool]:
    if name in raw and negated in raw:
        raise malformed("A statement cannot have both %s and %s" % (name, negated))
    if name in raw:
        return raw[name], False
    if negated in raw:
        return raw[negated], True
    raise malformed("Missing required field %s" % name)


def _principals(value: Any) -> Tuple[str, ...]:
    if value == ANYONE:
        return (ANYONE,)
    if not isinstance(value, dict) or not value:
        raise malformed("Invalid principal in policy")
    out = []
    for kind, names in value.items():
        items = _as_list(names)
        if not items or not all(isinstance(n, str) and n for n in items):
            raise malformed("Invalid principal in policy")
        for name in items:
            out.append(_principal(kind, name.strip()))
    return tuple(out)


def _principal(kind: str, name: str) -> str:
    if kind in ("Service", "Federated"):
        return NEVER
    if kind == "CanonicalUser":
        if _ACCOUNT_RE.match(name):
            return "account:" + name
        raise malformed("Invalid principal in policy")
    if kind != "AWS":
        raise malformed("Invalid principal in policy")
    if name == ANYONE:
        return ANYONE
    if _ACCOUNT_RE.match(name):
        return "account:" + name
    root = _ROOT_ARN_RE.match(name)
    if root and _ACCOUNT_RE.match(root.group(1)):
        return "account:" + root.group(1)
    user = _USER_ARN_RE.match(name)
    if user and _ACCOUNT_RE.match(user.group(1)):
        return "user:%s:%s" % (user.group(1), user.group(2))
    raise malformed("Invalid principal in policy")


def _action(name: str) -> str:
    if name == "*":
        return "*"
    if not _ACTION_RE.match(name):
        raise malformed("Policy has invalid action")
    pattern = name[3:].lower()
    if not any(fnmatchcase(a.lower(), pattern) for a in ALL_ACTIONS):
        raise malformed("Policy has invalid action")
    return pattern


def _resource(arn: str, bucket: str) -> str:
    if arn == "*":
        return "*"
    prefix = "arn:aws:s3:::"
    if not arn.startswith(prefix) or len(arn) == len(prefix):
        raise malformed("Policy has invalid resource")
    bucket_part = arn[len(prefix):].split("/", 1)[0]
    if not fnmatchcase(bucket, _without_variables(bucket_part)):
        raise malformed("Policy has invalid resource")
    return arn


def _without_variables(pattern: str) -> str:
    """A pattern with every ``${...}`` read as ``*`` (for validation only)."""
    return re.sub(r"\$\{[^}]*\}", "*", pattern)


def _check_applies(actions: Tuple[str, ...], resources: Tuple[str, ...]) -> None:
    """``Action does not apply to any resource(s) in statement`` when every
    action is an exact object action and every resource a bucket, or the
    other way round."""
    if any(("*" in a or "?" in a) for a in actions) or "*" in resources:
        return
    object_resource = any("/" in r[len("arn:aws:s3:::"):] or "*" in r for r in resources)
    bucket_resource = any("/" not in r[len("arn:aws:s3:::"):] for r in resources)
    for action in actions:
        if action in _OBJECT_SET and object_resource:
            return
        if action not in _OBJECT_SET and bucket_resource:
            return
    raise malformed("Action does not apply to any resource(s) in statement")


def _conditions(block: Any) -> Tuple[Condition, ...]:
    if not isinstance(block, dict):
        raise malformed("Condition must be a JSON object")
    out = []
    for op_name, tests in block.items():
        qualifier, _colon, base = op_name.rpartition(":")
        if qualifier and qualifier not in QUALIFIERS:
            raise malformed("Invalid Condition type : %s" % op_name)
        if_exists = base.endswith("IfExists") and base != "IfExists"
        if if_exists:
            base = base[:-len("IfExists")]
        if base not in OPERATORS or (if_exists and base == "Null"):
            raise malformed("Invalid Condition type : %s" % op_name)
        if not isinstance(tests, dict) or not tests:
            raise malformed("Condition %s must map keys to values" % op_name)
        for key, values in tests.items():
            lowered = _condition_key(key)
            items = [_value_text(v, op_name) for v in _as_list(values)]
            if not items:
                raise malformed("Condition %s of %s has no values" % (op_name, key))
            for item in items:
                _check_value(base, item, op_name)
            out.append(Condition(base, lowered, tuple(items), if_exists, qualifier))
    return tuple(out)


def _condition_key(key: Any) -> str:
    if not isinstance(key, str) or ":" not in key:
        raise malformed("Policy has an invalid condition key")
    service, _colon, name = key.partition(":")
    if service.lower() not in ("aws", "s3") or not name:
        raise malformed("Policy has an invalid condition key")
    head, slash, tail = name.partition("/")
    # Tag keys after the slash keep their case; key names do not.
    return "%s:%s%s%s" % (service.lower(), head.lower(), slash, tail)


def _value_text(value: Any, op_name: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    raise malformed("Condition %s values must be strings, numbers or booleans" % op_name)


def _check_value(base: str, value: str, op_name: str) -> None:
    try:
        if base in IP_OPS:
            ipaddress.ip_network(value, strict=False)
        elif base in NUMERIC_OPS:
            float(value)
        elif base in DATE_OPS:
            parse_date(value)
        elif base in ("Bool", "Null") and value.lower() not in ("true", "false"):
            raise ValueError(value)
    except ValueError:
        raise malformed("Invalid value %r for condition %s" % (value, op_name)) from None


def parse_date(value: str) -> datetime:
    """An ISO 8601 date/time or epoch seconds, as an aware datetime."""
    text = value.strip()
    if re.match(r"^\d+(\.\d+)?$", text):
        return datetime.fromtimestamp(float(text), timezone.utc)
    text = text.replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def is_object_action(action: str) -> bool:
    """Whether ``s3:<action>`` applies to objects (else to the bucket)."""
    return action.lower() in _OBJECT_SET
