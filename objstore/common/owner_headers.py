"""Headers only an account's owner may see or set.

They grant access or carry secrets: container ACLs and sync settings, the
temp URL keys of accounts and containers, and the account ACL. The proxy's
account and container controllers apply the rule, on the request they
authorized: that is where the auth middleware marks an owner
(``env['swift_owner']``, also for a user named ``admin`` in the account ACL).
A middleware that looked at its own ``env`` when the answer passes back up
would miss the mark whenever a middleware below it sent the request on as a
copy of the environ, and hide the headers from an owner.

The account ACL is stored as account sysmeta (the gatekeeper removes
sysmeta from every answer); the proxy shows it to owners under its client
name.
"""

from __future__ import annotations

from typing import Any, Dict, MutableMapping

#: The account ACL as clients send and see it, and as it is stored.
ACCOUNT_ACL_HEADER = "X-Account-Access-Control"
ACCOUNT_ACL_SYSMETA = "X-Account-Sysmeta-Core-Access-Control"

ACCOUNT_TEMP_URL_KEYS = ("X-Account-Meta-Temp-URL-Key", "X-Account-Meta-Temp-URL-Key-2")
CONTAINER_TEMP_URL_KEYS = ("X-Container-Meta-Temp-URL-Key", "X-Container-Meta-Temp-URL-Key-2")
TEMP_URL_KEY_HEADERS = ACCOUNT_TEMP_URL_KEYS + CONTAINER_TEMP_URL_KEYS

ACCOUNT_OWNER_HEADERS = (ACCOUNT_ACL_HEADER,) + ACCOUNT_TEMP_URL_KEYS
CONTAINER_OWNER_HEADERS = ("X-Container-Read", "X-Container-Write", "X-Container-Sync-Key",
                           "X-Container-Sync-To") + CONTAINER_TEMP_URL_KEYS


def is_owner(env: Dict[str, Any]) -> bool:
    """Whether the request's user sees and sets the owner-only headers: an
    owner as the auth middleware judged, or anyone when no auth middleware
    runs (nothing to protect), or the proxy's own info lookups (their
    answers feed the info cache, which middlewares read keys from)."""
    return bool(env.get("swift_owner")) or "swift.authorize" not in env \
        or env.get("swift.source") == "GET_INFO"


def show_account_headers(env: Dict[str, Any], headers: MutableMapping[str, str]) -> None:
    """An account GET/HEAD answer as the user may see it: the account ACL
    under its client name for owners, no owner-only header for others."""
    acl = headers.get(ACCOUNT_ACL_SYSMETA)
    if acl and env.get("swift_owner"):
        headers[ACCOUNT_ACL_HEADER] = acl
    elif not is_owner(env):
        for name in ACCOUNT_OWNER_HEADERS:
            headers.pop(name, None)


def show_container_headers(env: Dict[str, Any], headers: MutableMapping[str, str]) -> None:
    """A container GET/HEAD answer without owner-only headers for non-owners."""
    if is_owner(env):
        return
    for name in CONTAINER_OWNER_HEADERS:
        headers.pop(name, None)
