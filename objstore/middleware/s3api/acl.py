"""S3 ACLs: what a canned ACL or a list of grants means, how it is kept,
and what it looks like as XML. Pure: no request is sent from here (the
checks that use an ACL are in ``acl_checks.py``).

An ACL is the owner's FULL_CONTROL plus a set of grants to others. A
grantee is a group (``uri=``: AllUsers, AuthenticatedUsers, LogDelivery),
a canonical user (``id=``), or an e-mail address. Canonical user ids here
are the names tempauth puts in a caller's groups: an account id
(``AUTH_test``, the owner every S3 answer shows; tempauth gives that group
to the account's admins) or a user (``test:tester3``). Nobody has an
e-mail address here, so an e-mail grantee is S3's
``UnresolvableGrantByEmailAddress``.

Kept as sysmeta (``CONTAINER_SYSMETA`` on the bucket, ``OBJECT_SYSMETA`` on
the object): the canned ACL's name when the ACL is one (what every bucket
and object written before grants existed holds), else ``GRANTS_PREFIX``
and the JSON list of the grants to others.

On a bucket the grants also become Swift container ACLs, so Swift-API
clients get the same rights (``container_headers``): READ to AllUsers is
``.r:*,.rlistings``, to AuthenticatedUsers ``*:*`` (tempauth: any
authenticated user), to a canonical user its id; WRITE the same in the
write ACL, except AllUsers WRITE, which no Swift ACL can hold (referrer
rules are read-only) and s3api enforces itself (``acl_checks.py``). READ_ACP
and WRITE_ACP are checked by s3api; LogDelivery grants are kept and shown
but grant nothing (there is no log delivery).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple

from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.xml import Node, parse, render

CONTAINER_SYSMETA = "X-Container-Sysmeta-S3api-Acl"
OBJECT_SYSMETA = "X-Object-Transient-Sysmeta-S3api-Acl"
GRANTS_PREFIX = "grants:"
# tempauth's ACL group for "any authenticated user, any account".
AUTHENTICATED_GROUP = "*:*"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
GROUPS = (ALL_USERS, AUTH_USERS, LOG_DELIVERY)
PERMISSIONS = ("READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL")
# S3 keeps at most 100 grants in one ACL.
MAX_GRANTS = 100

Grant = Tuple[str, str, str]  # (kind: "id" | "uri" | "email", grantee, permission)

_CANNED_GRANTS: Dict[str, FrozenSet[Grant]] = {
    "private": frozenset(),
    "public-read": frozenset({("uri", ALL_USERS, "READ")}),
    "public-read-write": frozenset({("uri", ALL_USERS, "READ"), ("uri", ALL_USERS, "WRITE")}),
    "authenticated-read": frozenset({("uri", AUTH_USERS, "READ")}),
    # The bucket owner is the object owner here (one account holds both),
    # so these two add nothing to the owner's FULL_CONTROL.
    "bucket-owner-read": frozenset(),
    "bucket-owner-full-control": frozenset(),
    "log-delivery-write": frozenset({("uri", LOG_DELIVERY, "WRITE"),
                                     ("uri", LOG_DELIVERY, "READ_ACP")}),
}
CANNED = tuple(_CANNED_GRANTS)
BUCKET_ONLY = ("log-delivery-write",)
GRANT_HEADERS = {"x-amz-grant-read": "READ", "x-amz-grant-write": "WRITE",
                 "x-amz-grant-read-acp": "READ_ACP", "x-amz-grant-write-acp": "WRITE_ACP",
                 "x-amz-grant-full-control": "FULL_CONTROL"}
_GRANTEE_RE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"([^"]*)"\s*(?:,|$)', re.I)
# An account id (``AUTH_test``) or a user (``test:tester3``): one tempauth
# group, so no comma, space, '*' or leading '.' (referrer rules).
_ID_RE = re.compile(r"^(?:[A-Za-z0-9]+_[^\s,:*/]+|[^\s,:*./][^\s,:*/]*:[^\s,:*/]+)$")
_XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


@dataclass(frozen=True)
class Acl:
    """An ACL: the owner's FULL_CONTROL plus ``grants`` to others.
    ``canned`` names the canned ACL it was made from, if any."""

    grants: FrozenSet[Grant] = frozenset()
    canned: Optional[str] = None

    def encode(self) -> str:
        """The sysmeta value that keeps this ACL."""
        if self.canned is not None:
            return self.canned
        return GRANTS_PREFIX + json.dumps(sorted(list(g) for g in self.grants),
                                          separators=(",", ":"))

    def allows(self, permission: str, groups: Iterable[str], signed: bool,
               public: bool = True) -> bool:
        """Whether a caller with tempauth ``groups`` (signed or anonymous) is
        granted ``permission`` (FULL_CONTROL grants every one); ``public``
        False ignores the grants to AllUsers and AuthenticatedUsers (a
        PublicAccessBlock's IgnorePublicAcls)."""
        mine = set(groups)
        for kind, who, perm in self.grants:
            if perm not in (permission, "FULL_CONTROL"):
                continue
            if kind == "uri" and public and \
                    (who == ALL_USERS or (who == AUTH_USERS and signed)):
                return True
            if kind == "id" and who in mine:
                return True
        return False

    @property
    def is_public(self) -> bool:
        """Grants something to AllUsers or AuthenticatedUsers (what S3 calls a
        public ACL)."""
        return any(kind == "uri" and who in (ALL_USERS, AUTH_USERS)
                   for kind, who, _perm in self.grants)

    @property
    def owner_only(self) -> bool:
        """Only the owner has rights (what ACLs disabled by BucketOwnerEnforced allow)."""
        return not self.grants


PRIVATE = Acl(canned="private")


def decode(stored: Optional[str]) -> Optional[Acl]:
    """The ACL kept in a sysmeta value; ``None`` when there is none (an
    object written with the Swift API, a container made by it)."""
    if stored is None or stored == "":
        return None
    if stored.startswith(GRANTS_PREFIX):
        try:
            items = json.loads(stored[len(GRANTS_PREFIX):])
            return Acl(frozenset((str(k), str(w), str(p)) for k, w, p in items))
        except (ValueError, TypeError):
            return PRIVATE  # unreadable: grant nothing
    if stored in _CANNED_GRANTS:
        return Acl(_CANNED_GRANTS[stored], stored)
    return PRIVATE


def canned_acl(name: str, bucket: bool) -> Acl:
    """The ACL of a canned name (``x-amz-acl``); ``InvalidArgument`` for an
    unknown one (or a bucket-only one on an object)."""
    value = name.strip()
    allowed = CANNED if bucket else tuple(c for c in CANNED if c not in BUCKET_ONLY)
    if value not in allowed:
        raise S3Error("InvalidArgument", "x-amz-acl must be one of %s." % ", ".join(allowed),
                      ArgumentName="x-amz-acl", ArgumentValue=value)
    return Acl(_CANNED_GRANTS[value], value)


def from_grants(grants: Iterable[Grant], owner: str) -> Acl:
    """The ACL of a list of grants (the owner's own grants aside), after
    checking every grantee; an ACL that a canned one states is kept as it."""
    others = frozenset(g for g in grants if not (g[0] == "id" and g[1] == owner))
    if len(others) > MAX_GRANTS:
        raise S3Error("MalformedACLError", "An ACL holds at most %d grants." % MAX_GRANTS)
    for kind, who, _perm in sorted(others):
        if kind == "email":
            raise S3Error("UnresolvableGrantByEmailAddress", "No account here has the "
                          "e-mail address %s: grant to a canonical user id (an account "
                          "such as AUTH_test, or a user such as test:tester) instead." % who)
        if kind == "uri" and who not in GROUPS:
            raise S3Error("InvalidArgument", "Invalid group uri: %s." % who,
                          ArgumentName="uri", ArgumentValue=who)
        if kind == "id" and not _ID_RE.match(who):
            raise S3Error("InvalidArgument", "Invalid id: %r is not a canonical user here "
                          "(an account such as AUTH_test, or a user such as "
                          "test:tester)." % who, ArgumentName="id", ArgumentValue=who)
    for name, granted in _CANNED_GRANTS.items():
        if granted == others and name in ("private", "public-read", "public-read-write",
                                          "authenticated-read"):
            return Acl(others, name)
    return Acl(others)


def grants_from_headers(headers: Dict[str, str]) -> List[Grant]:
    """The grants of ``x-amz-grant-*`` headers (``uri="..."``, ``id="..."``,
    ``emailAddress="..."``, comma separated)."""
    grants = []
    for header, permission in GRANT_HEADERS.items():
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


def has_acl_headers(headers: Dict[str, str]) -> bool:
    return "x-amz-acl" in headers or any(h in headers for h in GRANT_HEADERS)


def from_headers(headers: Dict[str, str], owner: str, bucket: bool = False) -> Acl:
    """The ACL a request's headers ask for: ``x-amz-acl``, or the
    ``x-amz-grant-*`` headers (both: ``InvalidRequest``); none: private."""
    if any(h in headers for h in GRANT_HEADERS):
        if "x-amz-acl" in headers:
            raise S3Error("InvalidRequest", "Specifying both Canned ACLs and Header "
                          "Grants is not allowed")
        return from_grants(grants_from_headers(headers), owner)
    return canned_acl(headers.get("x-amz-acl") or "private", bucket)


def container_headers(acl: Acl) -> Dict[str, str]:
    """Swift container headers that keep ``acl`` and give its rights to
    Swift-API clients (the read and write ACLs are replaced)."""
    read: List[str] = []
    write: List[str] = []
    for kind, who, perm in sorted(acl.grants):
        if kind == "uri" and who == LOG_DELIVERY:
            continue
        entry = AUTHENTICATED_GROUP if who == AUTH_USERS else who
        if perm in ("READ", "FULL_CONTROL"):
            read.extend([".r:*", ".rlistings"] if who == ALL_USERS else [entry])
        if perm in ("WRITE", "FULL_CONTROL") and who != ALL_USERS:
            write.append(entry)
    unique = lambda items: ",".join(dict.fromkeys(items))  # noqa: E731 - keep order
    return {CONTAINER_SYSMETA: acl.encode(), "X-Container-Read": unique(read),
            "X-Container-Write": unique(write)}


def grants_xml(owner: str, acl: Optional[Acl]) -> bytes:
    """The ``AccessControlPolicy`` of ``acl`` (``None``: private), every
    Grantee with its ``xsi:type`` and the fields S3 gives that type."""
    def grantee(kind: str, who: str) -> Node:
        if kind == "uri":
            return ("Grantee", [("URI", who)])
        return ("Grantee", [("ID", who), ("DisplayName", who)])

    grants: List[Node] = [("Grant", [grantee("id", owner), ("Permission", "FULL_CONTROL")])]
    order = {p: i for i, p in enumerate(PERMISSIONS)}
    for kind, who, perm in sorted((acl or PRIVATE).grants,
                                  key=lambda g: (g[0] != "id", g[1], order[g[2]])):
        if kind == "id" and who == owner:
            continue  # the owner's FULL_CONTROL above says it
        grants.append(("Grant", [grantee(kind, who), ("Permission", perm)]))
    body = render("AccessControlPolicy", [
        ("Owner", [("ID", owner), ("DisplayName", owner)]),
        ("AccessControlList", grants)])
    body = body.replace(b"<Grantee><ID>", b'<Grantee %s xsi:type="CanonicalUser"><ID>'
                        % _XSI.encode())
    return body.replace(b"<Grantee><URI>", b'<Grantee %s xsi:type="Group"><URI>'
                        % _XSI.encode())
