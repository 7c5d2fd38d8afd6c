"""Canned ACLs: what ``x-amz-acl`` means in Swift terms, and the ACL XML.

Only the canned ACLs are supported. ``public-read`` (and
``public-read-write``) on a bucket becomes the Swift read ACL
``.r:*,.rlistings``, so anonymous Swift-API reads work as S3's would; the
canned name itself is kept in sysmeta so GetBucketAcl/GetObjectAcl can
report the grants. ``authenticated-read`` becomes the read ACL ``*:*``
(any authenticated user of any account); ``public-read-write``'s anonymous
object writes are allowed by s3api itself (``public.py``).

Grants (an ``AccessControlPolicy`` body, or ``x-amz-grant-*`` headers) are
accepted when they say what a canned ACL says: the owner's FULL_CONTROL
plus nothing (``private``), AllUsers READ (``public-read``), AllUsers READ
and WRITE (``public-read-write``) or AuthenticatedUsers READ
(``authenticated-read``). Any other set of grants (to another canonical
user or an e-mail address, READ_ACP/WRITE_ACP, ...) is something the
Swift ACLs behind a bucket cannot hold: ``NotImplemented``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Dict, FrozenSet, List, Optional, Tuple

from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.xml import Node, parse, render

CANNED = ("private", "public-read", "public-read-write", "authenticated-read",
          "bucket-owner-read", "bucket-owner-full-control")
# tempauth's ACL group for "any authenticated user, any account".
AUTHENTICATED_GROUP = "*:*"
CONTAINER_SYSMETA = "X-Container-Sysmeta-S3api-Acl"
OBJECT_SYSMETA = "X-Object-Transient-Sysmeta-S3api-Acl"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
_GRANT_HEADERS = ("x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp",
                  "x-amz-grant-write-acp", "x-amz-grant-full-control")


PERMISSIONS = ("READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL")
Grant = Tuple[str, str, str]  # (kind: "id" | "uri" | "email", grantee, permission)
_GRANT_HEADER_PERMISSION = {"x-amz-grant-read": "READ", "x-amz-grant-write": "WRITE",
                            "x-amz-grant-read-acp": "READ_ACP",
                            "x-amz-grant-write-acp": "WRITE_ACP",
                            "x-amz-grant-full-control": "FULL_CONTROL"}
_GRANTS_OF_CANNED: Dict[FrozenSet[Grant], str] = {
    frozenset(): "private",
    frozenset({("uri", ALL_USERS, "READ")}): "public-read",
    frozenset({("uri", ALL_USERS, "READ"), ("uri", ALL_USERS, "WRITE")}): "public-read-write",
    frozenset({("uri", AUTH_USERS, "READ")}): "authenticated-read",
}
_GRANTEE_RE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"([^"]*)"\s*(?:,|$)', re.I)


def canned_for_grants(grants: List[Grant], owner: str) -> str:
    """The canned ACL that grants exactly ``grants`` (the owner's own grants
    aside), or ``NotImplemented`` when no canned ACL does."""
    others = frozenset(g for g in grants if not (g[0] == "id" and g[1] == owner))
    canned = _GRANTS_OF_CANNED.get(others)
    if canned is None:
        raise S3Error("NotImplemented", "These grants cannot be stored here: only the "
                      "owner's FULL_CONTROL plus AllUsers READ (and WRITE) or "
                      "AuthenticatedUsers READ are supported (what the canned ACLs "
                      "private, public-read, public-read-write and authenticated-read "
                      "grant); got %s." % ", ".join(
                          "%s %s=%s" % (p, k, v) for k, v, p in sorted(others)))
    return canned


def grants_from_headers(headers: Dict[str, str]) -> List[Grant]:
    """The grants of ``x-amz-grant-*`` headers (``uri="..."``, ``id="..."``,
    ``emailAddress="..."``, comma separated)."""
    grants = []
    for header, permission in _GRANT_HEADER_PERMISSION.items():
        value = headers.get(header)
        if value is None:
            continue
        pos = 0
        while pos < len(value):
            match = _GRANTEE_RE.match(value, pos)
            if match is None or match.end() == pos:
                raise S3Error("InvalidArgument", "%s must list grantees as "
                              'uri="...", id="..." or emailAddress="...".' % header,
                              ArgumentName=header, ArgumentValue=value)
            kind = match.group(1).lower()
            grants.append(("email" if kind == "emailaddress" else kind, match.group(2),
                           permission))
            pos = match.end()
    return grants


def grants_from_policy(body: bytes) -> List[Grant]:
    """The grants of an ``AccessControlPolicy`` document; ``MalformedACLError``
    when it does not follow the schema."""
    try:
        doc = parse(body, "AccessControlPolicy")
    except S3Error:
        raise S3Error("MalformedACLError") from None
    acl_list = doc.find("AccessControlList")
    if acl_list is None:
        raise S3Error("MalformedACLError", "The AccessControlPolicy has no "
                      "AccessControlList.")
    return [_grant_of(elem) for elem in acl_list.findall("Grant")]


def _grant_of(elem: ET.Element) -> Grant:
    grantee = elem.find("Grantee")
    permission = (elem.findtext("Permission") or "").strip()
    if grantee is None or permission not in PERMISSIONS:
        raise S3Error("MalformedACLError", "Each Grant needs a Grantee and a Permission "
                      "(one of %s)." % ", ".join(PERMISSIONS))
    for tag, kind in (("ID", "id"), ("URI", "uri"), ("EmailAddress", "email")):
        value = grantee.findtext(tag)
        if value is not None:
            return kind, value.strip(), permission
    raise S3Error("MalformedACLError", "A Grantee needs an ID, a URI or an EmailAddress.")


def validate(canned: Optional[str], headers: Optional[Dict[str, str]] = None,
             owner: str = "") -> str:
    """The canned ACL to apply (default ``private``): ``x-amz-acl``, or the
    canned ACL the ``x-amz-grant-*`` headers amount to."""
    if headers and any(h in headers for h in _GRANT_HEADERS):
        if canned:
            raise S3Error("InvalidRequest", "Specifying both Canned ACLs and Header "
                          "Grants is not allowed")
        return canned_for_grants(grants_from_headers(headers), owner)
    value = (canned or "private").strip()
    if value not in CANNED:
        raise S3Error("InvalidArgument", "x-amz-acl must be one of %s." % ", ".join(CANNED),
                      ArgumentName="x-amz-acl", ArgumentValue=value)
    return value


def container_headers(canned: Optional[str], headers: Optional[Dict[str, str]] = None,
                      owner: str = "") -> Dict[str, str]:
    """Swift container headers that implement ``canned``."""
    value = validate(canned, headers, owner)
    read = ""
    if value in ("public-read", "public-read-write"):
        read = ".r:*,.rlistings"
    elif value == "authenticated-read":
        read = AUTHENTICATED_GROUP
    return {CONTAINER_SYSMETA: value, "X-Container-Read": read}


def grants_xml(owner: str, canned: str) -> bytes:
    """The ``AccessControlPolicy`` for a canned ACL."""
    def grant(grantee: Node, permission: str) -> Node:
        return ("Grant", [grantee, ("Permission", permission)])

    def group(uri: str) -> Node:
        return ("Grantee", [("URI", uri)])

    me: Node = ("Grantee", [("ID", owner), ("DisplayName", owner)])
    grants: List[Node] = [grant(me, "FULL_CONTROL")]
    if canned in ("public-read", "public-read-write"):
        grants.append(grant(group(ALL_USERS), "READ"))
    if canned == "public-read-write":
        grants.append(grant(group(ALL_USERS), "WRITE"))
    if canned == "authenticated-read":
        grants.append(grant(group(AUTH_USERS), "READ"))
    body = render("AccessControlPolicy", [
        ("Owner", [("ID", owner), ("DisplayName", owner)]),
        ("AccessControlList", grants)])
    # Grantee needs the xsi:type attribute clients expect.
    body = body.replace(b"<Grantee><ID>", b'<Grantee xmlns:xsi="http://www.w3.org/2001/'
                        b'XMLSchema-instance" xsi:type="CanonicalUser"><ID>')
    return body.replace(b"<Grantee><URI>", b'<Grantee xmlns:xsi="http://www.w3.org/2001/'
                        b'XMLSchema-instance" xsi:type="Group"><URI>')
