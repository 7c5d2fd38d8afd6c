"""Canned ACLs: what ``x-amz-acl`` means in Swift terms, and the ACL XML.

Only the canned ACLs are supported. ``public-read`` (and
``public-read-write``) on a bucket becomes the Swift read ACL
``.r:*,.rlistings``, so anonymous Swift-API reads work as S3's would; the
canned name itself is kept in sysmeta so GetBucketAcl/GetObjectAcl can
report the grants. ``authenticated-read`` becomes the read ACL ``*:*``
(any authenticated user of any account); ``public-read-write``'s anonymous
object writes are allowed by s3api itself (``public.py``). Grants by e-mail or canonical id are ``NotImplemented``.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.xml import Node, render

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


def validate(canned: Optional[str], headers: Optional[Dict[str, str]] = None) -> str:
    """The canned ACL to apply (default ``private``)."""
    if headers and any(h in headers for h in _GRANT_HEADERS):
        raise S3Error("NotImplemented", "Only canned ACLs (x-amz-acl) are supported, "
                      "not x-amz-grant-* headers.")
    value = (canned or "private").strip()
    if value not in CANNED:
        raise S3Error("InvalidArgument", "x-amz-acl must be one of %s." % ", ".join(CANNED),
                      ArgumentName="x-amz-acl", ArgumentValue=value)
    return value


def container_headers(canned: Optional[str], headers: Optional[Dict[str, str]] = None
                      ) -> Dict[str, str]:
    """Swift container headers that implement ``canned``."""
    value = validate(canned, headers)
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
