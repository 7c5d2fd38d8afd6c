"""container_sync: lets another cluster's sync daemon write here.

A request carrying ``X-Container-Sync-Auth: <realm> <nonce> <sig>`` is
from a container sync daemon (``objstore-container-sync``) of a cluster in
one of our realms (``container-sync-realms.conf``, see
``objstore.common.sync_realms``). When the signature matches -- a realm key
(``key`` or ``key2``) and the ``X-Container-Sync-Key`` of the container
written to -- the request:

* needs no token (``swift.authorize_override``: the auth middleware lets it
  through and the proxy asks no ACL);
* keeps the ``X-Timestamp`` it was sent with (the gatekeeper set it aside),
  so the object gets the timestamp it has on the other cluster: a replayed
  PUT or DELETE is refused as not newer (409) instead of making a second
  version, and the newer write wins on both sides;
* may store an SLO manifest as it is (``objstore.slo_override``), since the
  other cluster sends its stored manifest, possibly before the segments;
* may store a static symlink with the target ETag and size it carries
  (``objstore.symlink_override``), possibly before its target arrives.

Only object requests a daemon makes (HEAD, PUT, POST, DELETE) are judged
so; on anything else the header means nothing and the usual auth applies.
A daemon syncing to a full URL (no realm) sends the container's
``X-Container-Sync-Key`` itself on object requests instead; it must equal
the receiving container's key. A bad signature or key is 401 and touches
nothing. The ``/info`` section
``container_sync`` lists the realms and clusters (not the keys), marking
this cluster (``current = //REALM/CLUSTER``) ``"current": true``.

With ``allow_full_urls = false`` an ``X-Container-Sync-To`` that is a full
URL is refused (400): only ``//realm/cluster/account/container`` values,
whose endpoints the operators chose, may be set.
"""

from __future__ import annotations

import hmac
from typing import Any, Callable, Dict, Iterable, Optional

from objstore.common import constraints, registry, sync_realms
from objstore.common.config import config_true_value, swift_dir
from objstore.common.http.errors import HTML, swift_error
from objstore.common.http.paths import split_swift_path
from objstore.common.http.wsgi_str import wsgi_to_str
from objstore.common.info import get_container_info

INBOUND_X_TIMESTAMP = sync_realms.INBOUND_X_TIMESTAMP_ENV
SLO_OVERRIDE = sync_realms.SLO_OVERRIDE_ENV
AUTH_ENV = "HTTP_" + sync_realms.SYNC_AUTH_HEADER.upper().replace("-", "_")
KEY_ENV = "HTTP_X_CONTAINER_SYNC_KEY"
#: What a sync daemon does, and only to objects: a signature never opens a
#: container or account request, nor a read of an object's bytes.
SYNC_METHODS = frozenset(("HEAD", "PUT", "POST", "DELETE"))
INVALID_AUTH_TEXT = ("X-Container-Sync-Auth header not valid; contact cluster operator "
                     "for support.")
FULL_URL_TEXT = ("Full URLs are not allowed for X-Container-Sync-To values. Only realm "
                 "values of the format //realm/cluster/account/container are allowed.")


class ContainerSyncMiddleware:
    """Verify sync daemons' signatures; refuse full URLs if configured."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.realms = sync_realms.SyncRealms.in_dir(swift_dir(conf))
        self.allow_full_urls = config_true_value(conf.get("allow_full_urls", "true"))
        current = conf.get("current", "").strip()
        self.current: Optional[tuple] = None
        if current.startswith("//") and current.count("/") == 3:
            realm, cluster = current[2:].split("/")
            self.current = (realm.upper(), cluster.upper())
        self._register_info()

    def _register_info(self) -> None:
        realms: Dict[str, Any] = {}
        for name, realm in self.realms.realms().items():
            clusters = {}
            for cluster in realm.clusters:
                clusters[cluster] = {"current": True} if self.current == (name, cluster) else {}
            realms[name] = {"clusters": clusters}
        registry.register_info("container_sync", realms=realms)

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        target = split_swift_path(env)
        if (AUTH_ENV in env or KEY_ENV in env) and target is not None and target[2] \
                and env.get("REQUEST_METHOD") in SYNC_METHODS:
            denied = self._check_sync_request(env)
            if denied is not None:
                return denied(env, start_response)
        elif not self.allow_full_urls and env.get("REQUEST_METHOD") in ("PUT", "POST"):
            value = env.get("HTTP_X_CONTAINER_SYNC_TO", "").strip()
            if value and not value.startswith("//"):
                return swift_error(400, FULL_URL_TEXT, content_type=HTML)(env, start_response)
        return self.app(env, start_response)

    def _check_sync_request(self, env: Dict[str, Any]) -> Optional[Any]:
        """None when the signature (or, for a daemon syncing to a full URL,
        the ``X-Container-Sync-Key`` of an object request) is good and the
        request now runs as the sync daemon's; else the 401 to answer."""
        target = split_swift_path(env)
        timestamp = env.get(INBOUND_X_TIMESTAMP) or env.get("HTTP_X_TIMESTAMP", "")
        if target is None or not target[1] or not timestamp:
            return swift_error(401, INVALID_AUTH_TEXT)
        account, container, _obj = target
        info = get_container_info(env, self.app, account, container)
        path = wsgi_to_str(env.get("PATH_INFO", ""))
        user_key = info.get("sync_key") or ""
        if AUTH_ENV in env:
            valid = sync_realms.verify(env[AUTH_ENV], env.get("REQUEST_METHOD", ""), path,
                                       timestamp, self.realms, user_key)
        else:
            valid = bool(user_key) and hmac.compare_digest(
                env.pop(KEY_ENV).encode("utf-8"), user_key.encode("utf-8"))
        if not valid:
            return swift_error(401, INVALID_AUTH_TEXT)
        env["swift.authorize_override"] = True
        env["swift.authorize"] = lambda req: None
        env["HTTP_X_TIMESTAMP"] = timestamp
        env[SLO_OVERRIDE] = True
        env[sync_realms.SYMLINK_OVERRIDE_ENV] = True
        # the stored Content-Type of a large object or symlink (swift_bytes=...)
        env[constraints.CONTENT_TYPE_PARAMS_ENV] = True
        return None


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: ContainerSyncMiddleware(app, conf)
