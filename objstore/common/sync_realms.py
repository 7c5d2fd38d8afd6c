"""Container sync realms: who may sync with whom, and how a request proves it.

``container-sync-realms.conf`` (in ``swift_dir``) names realms; each has
one or two keys (``key`` and ``key2``, so a key can be rotated: add the new
one as ``key2`` everywhere, then move it to ``key``) and the clusters in
it, each with the ``/v1/`` endpoint of its proxy::

    [DEFAULT]
    # seconds between looks at the file's mtime (changes apply without restart)
    mtime_check_interval = 300

    [saio]
    key = 4d3b...
    key2 =
    cluster_east = http://127.0.0.1:8080/v1/
    cluster_west = http://127.0.0.1:8081/v1/

A container then says ``X-Container-Sync-To: //saio/west/AUTH_test/c`` and
``X-Container-Sync-Key: <secret both containers share>``. Realm and
cluster names are case-insensitive (kept upper-case here).

The sync daemon signs every request it sends with
``X-Container-Sync-Auth: <realm> <nonce> <signature>``: an HMAC-SHA1,
keyed with the realm key, of the method, path, ``X-Timestamp``, nonce and
the container's sync key. The receiving proxy (``container_sync``
middleware) accepts it if either realm key gives the same signature with
the *receiving* container's sync key -- so both the operators (realm key)
and the container owners (sync key) have agreed.

This module is the one reader of the file, the one signer and the one
validator of ``X-Container-Sync-To`` values; the container server, the
proxy middleware and the daemon all use it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple
from urllib.parse import urlparse

from objstore.common.config import ConfigError, read_conf
from objstore.common.utils import file_version

REALMS_CONF = "container-sync-realms.conf"
SYNC_AUTH_HEADER = "X-Container-Sync-Auth"
DEFAULT_MTIME_CHECK_INTERVAL = 300.0
CLUSTER_PREFIX = "cluster_"
#: Environ keys of the proxy pipeline: the X-Timestamp the gatekeeper took
#: off a client request (the container_sync middleware puts it back on a
#: signed sync request), the flag telling the SLO middleware to store a
#: synced manifest as it is sent, and the one telling the symlink middleware
#: to keep a synced static link's target ETag and size as sent (its target
#: may not have been synced yet).
INBOUND_X_TIMESTAMP_ENV = "objstore.inbound_x_timestamp"
SLO_OVERRIDE_ENV = "objstore.slo_override"
SYMLINK_OVERRIDE_ENV = "objstore.symlink_override"


@dataclass
class Realm:
    name: str
    key: str
    key2: str = ""
    clusters: Dict[str, str] = field(default_factory=dict)  # NAME -> endpoint

    def keys(self) -> List[str]:
        return [k for k in (self.key, self.key2) if k]


def parse_realms(path: str) -> Tuple[Dict[str, Realm], float]:
    """``({REALM: Realm}, mtime_check_interval)`` read from ``path``.

    A realm without a ``key`` is skipped (it could never be verified); a
    missing file is no realms. ``ConfigError`` for an unreadable one.
    """
    if not os.path.exists(path):
        return {}, DEFAULT_MTIME_CHECK_INTERVAL
    sections = read_conf(path)
    defaults = sections.pop("DEFAULT")
    try:
        interval = float(defaults.get("mtime_check_interval", DEFAULT_MTIME_CHECK_INTERVAL))
    except ValueError:
        raise ConfigError("%s: mtime_check_interval must be a number of seconds" % path) \
            from None
    realms: Dict[str, Realm] = {}
    for name, conf in sections.items():
        key = conf.get("key", "").strip()
        if not key:
            continue
        clusters = {k[len(CLUSTER_PREFIX):].upper(): v.strip()
                    for k, v in conf.items()
                    if k.lower().startswith(CLUSTER_PREFIX) and v.strip()}
        realms[name.upper()] = Realm(name.upper(), key, conf.get("key2", "").strip(), clusters)
    return realms, interval


class SyncRealms:
    """The realms of one ``container-sync-realms.conf``, re-read when the
    file changes (looked at no more often than ``mtime_check_interval``)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._version: Optional[Tuple[int, int, int]] = None
        self._checked = 0.0
        self._realms: Dict[str, Realm] = {}
        self._interval = DEFAULT_MTIME_CHECK_INTERVAL
        self._reload(force=True)

    @classmethod
    def in_dir(cls, swift_dir: str) -> "SyncRealms":
        return cls(os.path.join(swift_dir, REALMS_CONF))

    def _reload(self, force: bool = False) -> None:
        now = time.time()
        if not force and now - self._checked < self._interval:
            return
        self._checked = now
        try:
            version = file_version(self.path)
        except OSError:
            version = None
        if force or version != self._version:
            self._realms, self._interval = parse_realms(self.path)
            self._version = version

    def realms(self) -> Dict[str, Realm]:
        self._reload()
        return self._realms

    def realm(self, name: str) -> Optional[Realm]:
        return self.realms().get(name.upper())

    def endpoint(self, realm: str, cluster: str) -> Optional[str]:
        found = self.realm(realm)
        return found.clusters.get(cluster.upper()) if found else None


# ------------------------------------------------------------------ signing

def sign(method: str, path: str, x_timestamp: str, nonce: str, realm_key: str,
         user_key: str) -> str:
    """The hex HMAC-SHA1 a sync request carries in ``X-Container-Sync-Auth``.

    ``path`` is the request path as text (``/v1/AUTH_a/c/o``, not quoted).
    """
    msg = "\n".join((method.upper(), path, x_timestamp, nonce, user_key)).encode("utf-8")
    return hmac.new(realm_key.encode("utf-8"), msg, hashlib.sha1).hexdigest()


def auth_header(realm: str, nonce: str, signature: str) -> str:
    return "%s %s %s" % (realm, nonce, signature)


def verify(header: str, method: str, path: str, x_timestamp: str, realms: SyncRealms,
           user_key: str) -> bool:
    """True if ``header`` (``<realm> <nonce> <sig>``) was signed with a key
    of its realm and ``user_key``, for exactly this method, path and
    timestamp. Compared in constant time."""
    parts = header.split()
    if len(parts) != 3 or not user_key:
        return False
    realm = realms.realm(parts[0])
    if realm is None:
        return False
    given = parts[2].encode("utf-8")
    return any(hmac.compare_digest(
        sign(method, path, x_timestamp, parts[1], key, user_key).encode("utf-8"), given)
        for key in realm.keys())


# ---------------------------------------------------------- X-Container-Sync-To

@dataclass
class SyncTarget:
    """Where a container syncs to: a full URL, and for ``//realm/...``
    values the realm (whose key signs) -- empty for a plain URL."""
    url: str
    realm: str = ""
    realm_key: str = ""


def validate_sync_to(value: str, allowed_hosts: Sequence[str],
                     realms: SyncRealms) -> Tuple[Optional[str], Optional[SyncTarget]]:
    """``(error text, None)`` or ``(None, target)`` for an
    ``X-Container-Sync-To`` value (an empty value clears it: ``(None, None)``).

    ``//realm/cluster/account/container`` must name a realm with a key and a
    cluster of it; a full URL must be http(s), have a path, no params,
    query or fragment, and name a host in ``allowed_hosts``. The texts are
    the ones Swift 2.38.3 answers with (HTTP 400).
    """
    if not value:
        return None, None
    if value.startswith("//"):
        parts = value[2:].rstrip("/").split("/")
        if len(parts) != 4:
            return "Invalid X-Container-Sync-To format %r" % value, None
        realm_name, cluster, account, container = parts
        realm = realms.realm(realm_name)
        if realm is None:
            return "No realm key for %r" % realm_name, None
        endpoint = realm.clusters.get(cluster.upper())
        if not endpoint:
            return "No cluster endpoint for %r %r" % (realm_name, cluster), None
        url = "%s/%s/%s" % (endpoint.rstrip("/"), account, container)
        return None, SyncTarget(url, realm.name, realm.key)
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https"):
        return ('Invalid scheme %r in X-Container-Sync-To, must be "//", "http", or "https".'
                % parsed.scheme), None
    if not parsed.path or parsed.path == "/":
        return "Path required in X-Container-Sync-To", None
    if parsed.params or parsed.query or parsed.fragment:
        return "Params, queries, and fragments not allowed in X-Container-Sync-To", None
    if parsed.hostname not in allowed_hosts:
        return "Invalid host %r in X-Container-Sync-To" % parsed.hostname, None
    return None, SyncTarget(value)


def split_list(value: str) -> List[str]:
    """``allowed_sync_hosts = a, b c`` as a list."""
    return [v for v in value.replace(",", " ").split() if v]
