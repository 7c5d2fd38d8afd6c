"""Public access: the bucket's PublicAccessBlock settings, and what S3 calls public.

The four settings of ``PutPublicAccessBlock`` are kept in one container
sysmeta value and honoured by ``access.py`` and the bucket-policy handlers:

- ``BlockPublicAcls``: a request that sets a public ACL (canned or grants,
  on a bucket or an object, with PutObject/CopyObject/CreateMultipartUpload
  or Put*Acl) is ``AccessDenied``; existing ACLs are untouched;
- ``IgnorePublicAcls``: public ACLs (``public-read``, ``public-read-write``,
  ``authenticated-read``) grant nothing to anyone but the owner account;
- ``BlockPublicPolicy``: PutBucketPolicy of a public policy is ``AccessDenied``;
- ``RestrictPublicBuckets``: while the bucket's policy is public, it grants
  nothing to anonymous callers or other accounts (its denials still apply).

:func:`policy_is_public` follows S3's definition: a policy is public when
an ``Allow`` statement gives a "bad" action (``s3:Get*``, ``s3:List*``,
``s3:Put*``, ``s3:Delete*``, ``s3:AbortMultipartUpload``,
``s3:RestoreObject``) to everyone (``*`` or ``NotPrincipal``) without
pinning the caller to fixed values: a set of CIDRs no wider than /8 in
``aws:SourceIp``, or a fixed ``aws:SourceArn``, ``aws:SourceVpc``,
``aws:SourceVpce``, ``aws:SourceOwner``, ``aws:SourceAccount``,
``aws:PrincipalAccount``, ``aws:PrincipalOrgID``, ``aws:PrincipalArn``,
``aws:userid`` or ``s3:x-amz-server-side-encryption-aws-kms-key-id``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Optional

from objstore.middleware.s3api import acl
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.policy import ALL_ACTIONS, ANYONE, Policy, Statement
from objstore.middleware.s3api.xml import parse, render

SYSMETA = "X-Container-Sysmeta-S3api-Public-Access-Block"
INFO_KEY = SYSMETA[len("X-Container-Sysmeta-"):].lower()  # its key in container info sysmeta
FIELDS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
_BAD_PATTERNS = ("get*", "list*", "put*", "delete*", "abortmultipartupload", "restoreobject")
_BAD_ACTIONS = tuple(a.lower() for a in ALL_ACTIONS
                     if any(fnmatchcase(a.lower(), p) for p in _BAD_PATTERNS))
_FIXED_KEYS = ("aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner",
               "aws:sourceaccount", "aws:principalaccount", "aws:principalorgid",
               "aws:principalarn", "aws:userid", "s3:x-amz-server-side-encryption-aws-kms-key-id")
_FIXED_OPERATORS = ("StringEquals", "StringEqualsIgnoreCase", "ArnEquals", "StringLike",
                    "ArnLike")
WIDEST_PRIVATE_PREFIX = 8


@dataclass(frozen=True)
class PublicAccessBlock:
    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False

    def stored(self) -> str:
        """``BlockPublicAcls=true,...``: the sysmeta value."""
        return ",".join("%s=%s" % (name, "true" if value else "false")
                        for name, value in zip(FIELDS, self.flags()))

    def flags(self) -> tuple:
        return (self.block_public_acls, self.ignore_public_acls, self.block_public_policy,
                self.restrict_public_buckets)

    def xml(self) -> bytes:
        return render("PublicAccessBlockConfiguration",
                      [(name, "true" if value else "false")
                       for name, value in zip(FIELDS, self.flags())])


def from_stored(value: Optional[str]) -> Optional[PublicAccessBlock]:
    """The settings kept in sysmeta, or ``None`` when none were put."""
    if not value:
        return None
    found = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
    return PublicAccessBlock(*(found.get(name) == "true" for name in FIELDS))


def from_xml(body: bytes) -> PublicAccessBlock:
    """A ``PublicAccessBlockConfiguration`` body; ``MalformedXML`` otherwise."""
    doc = parse(body, "PublicAccessBlockConfiguration")
    values = []
    for name in FIELDS:
        elem = [e for e in doc if e.tag.rsplit("}", 1)[-1] == name]
        if len(elem) > 1:
            raise S3Error("MalformedXML", "%s is given more than once." % name)
        text = (elem[0].text or "").strip().lower() if elem else "false"
        if text not in ("true", "false"):
            raise S3Error("MalformedXML", "%s must be true or false." % name)
        values.append(text == "true")
    known = set(FIELDS)
    for elem in doc:
        if elem.tag.rsplit("}", 1)[-1] not in known:
            raise S3Error("MalformedXML", "Unknown element %s in "
                          "PublicAccessBlockConfiguration." % elem.tag.rsplit("}", 1)[-1])
    return PublicAccessBlock(*values)


def acl_is_public(canned: Optional[str]) -> bool:
    """Whether a stored or requested ACL (a canned name or ``acl.encode``'s
    grant list) grants AllUsers or AuthenticatedUsers anything."""
    decoded = acl.decode(canned)
    return decoded is not None and decoded.is_public


def policy_is_public(policy: Optional[Policy]) -> bool:
    return policy is not None and any(_statement_is_public(s) for s in policy.statements)


def _statement_is_public(statement: Statement) -> bool:
    if statement.effect != "Allow":
        return False
    if not statement.not_principal and ANYONE not in statement.principals:
        return False
    if not _gives_bad_action(statement):
        return False
    return not any(_pins_caller(c) for c in statement.conditions)


def _gives_bad_action(statement: Statement) -> bool:
    if statement.not_action:
        return not all(any(fnmatchcase(bad, p) for p in statement.actions)
                       for bad in _BAD_ACTIONS)
    return any(p == "*" or fnmatchcase(bad, p) for p in statement.actions
               for bad in _BAD_ACTIONS)


def _pins_caller(condition) -> bool:  # type: ignore[no-untyped-def]
    if condition.if_exists or condition.qualifier:
        return False
    if condition.key == "aws:sourceip" and condition.operator == "IpAddress":
        return all(ipaddress.ip_network(v, strict=False).prefixlen >= WIDEST_PRIVATE_PREFIX
                   for v in condition.values)
    if condition.key in _FIXED_KEYS and condition.operator in _FIXED_OPERATORS:
        if condition.key == "aws:userid":
            return not any(v.endswith(":*") or v == "*" for v in condition.values)
        return not any("*" in v or "?" in v for v in condition.values)
    return False
