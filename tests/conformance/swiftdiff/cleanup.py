"""Remove everything a case created on one cluster, and prove it is gone.

Every container a case creates starts with the case's unique base name, so
listing the accounts with that prefix finds them all, including ones whose
names the case spelled with extra (non-ASCII) characters.
"""
from __future__ import annotations

import json
import time
import urllib.parse
from typing import List, Optional, Tuple

from .case import Case, Names
from .client import Target

def _accounts(names: Names, c: Optional[Case]) -> List[Tuple[str, str]]:
    """(account, user who may empty it) a case may create containers in
    (all of them when ``c`` is None)."""
    out = [(names.account, "admin")]
    if c is None or c.mentions("{a2}") or c.mentions("{acct2}"):
        out.append((names.account2, "other"))
    if c is not None and c.fresh_account:
        out.append((names.values["nacct"], "reseller"))
    return out


def _q(name: str) -> str:
    return urllib.parse.quote(name, safe="")


#: names asked per listing page (both clusters' most): a shorter page is the last
PAGE = 10000


def _list(target: Target, path: str, user: str, prefix: str = "") -> List[str]:
    """Every name in an account or container listing (paged by marker;
    a page shorter than ``PAGE`` is the last, so a case's few names cost
    one request, not a second one that finds nothing)."""
    out: List[str] = []
    marker = ""
    while True:
        query = "format=json&limit=%d&marker=%s" % (PAGE, _q(marker)) + \
            ("&prefix=%s" % _q(prefix) if prefix else "")
        resp = target.send("GET", "%s?%s" % (path, query), [("X-Auth-Token", target.token(user))])
        if resp.status in (404, 410):
            return out
        if resp.status not in (200, 204):
            raise RuntimeError("%s: listing %s answered %s %r"
                               % (target.name, path, resp.status, resp.body[:200]))
        page = [e.get("name", e.get("subdir")) for e in json.loads(resp.body or b"[]")]
        out.extend(page)
        if len(page) < PAGE:
            return out
        marker = page[-1]


def _delete_versions(target: Target, path: str, user: str) -> None:
    """X-Versions-Enabled: every kept version and delete marker, by its id."""
    token = [("X-Auth-Token", target.token(user))]
    for _round in range(100):
        resp = target.send("GET", path + "?versions&format=json", token)
        rows = [r for r in json.loads(resp.body or b"[]") if "version_id" in r] \
            if resp.status == 200 else []
        if not rows:
            return
        for row in rows:
            target.send("DELETE", "%s/%s?version-id=%s" % (path, _q(row["name"]),
                                                           row["version_id"]), token)


def _empty_container(target: Target, path: str, user: str, versioned: bool) -> None:
    token = [("X-Auth-Token", target.token(user))]
    if versioned:
        _delete_versions(target, path, user)
    if versioned:
        # an object deleted from a versioned container would bring back its
        # previous version: stop versioning first
        target.send("POST", path, token + [("X-Remove-Versions-Location", "x"),
                                           ("X-Remove-History-Location", "x")])
    deadline = time.time() + 30
    while True:
        for obj in _list(target, path, user):
            resp = target.send("DELETE", path + "/" + _q(obj), token)
            if resp.status not in (204, 404):
                raise RuntimeError("%s: DELETE %s/%s answered %s"
                                   % (target.name, path, obj, resp.status))
        resp = target.send("DELETE", path, token)
        if resp.status in (204, 404):
            return
        # 409: a listing lagged behind; 5xx: a server restarting
        if not (resp.status == 409 or resp.status >= 500) or time.time() > deadline:
            raise RuntimeError("%s: DELETE %s answered %s %r"
                               % (target.name, path, resp.status, resp.body[:200]))
        time.sleep(0.2)


def cleanup(target: Target, names: Names, c: Case) -> None:
    """Delete the case's containers (and fresh account) on ``target``."""
    versioned = c.mentions("-Location") or c.mentions("Versions-Enabled")
    for account, user in _accounts(names, c):
        fresh = account == names.values["nacct"]
        for container in _list(target, "/v1/" + account, user, "" if fresh else names.base):
            _empty_container(target, "/v1/%s/%s" % (account, _q(container)), user, versioned)
        if fresh:
            target.send("DELETE", "/v1/" + account,
                        [("X-Auth-Token", target.token("reseller"))])


def leftovers(target: Target, names: Names) -> List[str]:
    """Containers whose names start with ``names.base`` still listed in the
    shared accounts (none must be after ``cleanup``)."""
    left: List[str] = []
    for account, user in _accounts(names, None):
        left.extend("%s/%s" % (account, c)
                    for c in _list(target, "/v1/" + account, user, names.base))
    return left
