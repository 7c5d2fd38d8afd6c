"""Container and account ACLs as pure functions: parse, clean, match.

Container ACLs (``X-Container-Read`` / ``X-Container-Write``) are a comma
separated list of items. An item is either a group (``account``,
``account:user``, ``.rlistings``) or a referrer rule ``.r:[-]host``: ``*``
for any host, ``www.example.com`` for one host, ``.example.com`` (or
``*.example.com``) for a domain; a leading ``-`` denies. Rules apply in
order, so ``.r:.example.com,.r:-thief.example.com`` admits a domain except
one host. Referrer rules only make sense for reads (anyone can forge a
``Referer``, so they are a convenience, never security); write ACLs
reject them.

Account ACLs (``X-Account-Access-Control``) are a JSON object whose keys
are ``admin``, ``read-write`` and ``read-only``, each a list of groups.

Nothing here touches a request, so every rule can be tested on its own.
"""

from __future__ import annotations

import json
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlparse

REFERRER_DESIGNATORS = frozenset((".r", ".ref", ".referer", ".referrer"))
ACCOUNT_ACL_KEYS = ("admin", "read-write", "read-only")
LISTINGS_GROUP = ".rlistings"


def clean_acl(name: str, value: str) -> str:
    """``value`` normalised for storage, or ``ValueError`` saying what is wrong.

    ``name`` is the header (``X-Container-Read``/``-Write``): referrer rules
    are refused in a write ACL. Referrer spellings (``.ref:``, ``.referrer:``)
    are shortened to ``.r:``, ``*.example.com`` becomes ``.example.com``,
    blanks are dropped.
    """
    cleaned: List[str] = []
    for raw in value.split(","):
        item = raw.strip()
        if not item:
            continue
        designator, sep, rest = item.partition(":")
        designator = designator.strip()
        if not sep or not designator.startswith("."):
            cleaned.append(item)  # a group: account, account:user, .rlistings
            continue
        # The reasons are Swift's words: clients show them.
        if designator not in REFERRER_DESIGNATORS:
            raise ValueError("Unknown designator %r in ACL: %r" % (designator, item))
        if "write" in name.lower():
            raise ValueError("Referrers not allowed in write ACL: %r" % item)
        host = rest.strip()
        deny = host.startswith("-")
        if deny:
            host = host[1:].strip()
        if host.startswith("*") and host != "*":
            host = host[1:].strip()  # *.example.com means .example.com
        if not host or host == ".":
            raise ValueError("No host/domain value after referrer designation in ACL: %r"
                             % item)
        cleaned.append(".r:%s%s" % ("-" if deny else "", host))
    return ",".join(cleaned)


def parse_acl(acl: Optional[str]) -> Tuple[List[str], List[str]]:
    """``(referrer_rules, groups)`` of a stored (cleaned) container ACL."""
    referrers: List[str] = []
    groups: List[str] = []
    for raw in (acl or "").split(","):
        item = raw.strip()
        if not item:
            continue
        if item.startswith(".r:"):
            referrers.append(item[3:])
        else:
            groups.append(item)
    return referrers, groups


def referrer_allowed(referrer: Optional[str], rules: List[str]) -> bool:
    """Whether the ``Referer`` header passes the referrer rules.

    The last matching rule wins; no rule matching means no. A missing or
    unparsable referrer matches only ``*``.
    """
    host = ""
    if referrer:
        try:
            host = urlparse(referrer).hostname or ""
        except ValueError:
            host = ""
    allowed = False
    for rule in rules:
        deny = rule.startswith("-")
        pattern = rule[1:] if deny else rule
        if pattern == "*" or (host and (pattern == host or (
                pattern.startswith(".") and host.endswith(pattern)))):
            allowed = not deny
    return allowed


def parse_account_acl(text: Optional[str]) -> Optional[Dict[str, List[str]]]:
    """The account ACL in ``X-Account-Access-Control``, validated.

    ``None`` for an empty header (no account ACL). Raises ``ValueError``
    with Swift's reason (clients show it) for anything but a JSON object
    mapping ``admin``, ``read-write`` and ``read-only`` to lists of strings.
    """
    if text is None or not text.strip():
        return None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ValueError("Syntax error in input (%r)" % text)
    for key, value in data.items():
        if key not in ACCOUNT_ACL_KEYS:
            raise ValueError('Key "%s" not recognized' % key)
        if not isinstance(value, list):
            raise ValueError('Value for key "%s" must be a list' % key)
        if not all(isinstance(v, str) for v in value):
            raise ValueError('Elements of "%s" list must be strings' % key)
    return {key: list(data[key]) for key in ACCOUNT_ACL_KEYS if data.get(key)}


def account_acl_error(text: str, err: ValueError) -> str:
    """The 400 body for a refused account ACL, as Swift words it."""
    return "X-Account-Access-Control invalid: %s\n\nInput: %s\n" % (err, text)


def format_account_acl(acl: Dict[str, List[str]]) -> str:
    """Compact, key-sorted JSON for storing an account ACL."""
    return json.dumps({k: v for k, v in acl.items() if v}, separators=(",", ":"),
                      sort_keys=True)
