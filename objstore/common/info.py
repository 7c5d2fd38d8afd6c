"""Account and container info: what the proxy knows about a name, cached.

Every object request needs its container's policy and ACLs, and every
container PUT its account's existence. Asking the storage servers each
time would triple the load, so the answer of a HEAD is kept in the
request's ``swift.infocache`` and in the shared cache (memcached via
``env['swift.cache']``, else a per-process cache) for
``recheck_*_existence`` seconds. Writes that change existence clear it.

``get_account_info`` / ``get_container_info`` work with any WSGI app below
them (a middleware passes its next app): on a miss they send a
pre-authorized ``HEAD`` through it and read the answer's headers.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional
from urllib.parse import quote

from webob import Request

from objstore.common.http.paths import split_swift_path
from objstore.common.reserved import ALLOW_HEADER

Info = Dict[str, Any]
INFOCACHE_KEY = "swift.infocache"
FAKE_LISTING_HEADER = "X-Backend-Fake-Account-Listing"
POLICY_INDEX_HEADER = "X-Backend-Storage-Policy-Index"
# A 404 is cached for this fraction of the existence recheck time, so a
# container created through another proxy shows up soon.
NOT_FOUND_CACHE_FRACTION = 0.1
# Environ keys a sub-request shares with the request that caused it.
_SHARED_ENV = ("swift.cache", INFOCACHE_KEY, "swift.trans_id", "objstore.local_cache",
               "HTTP_X_TRANS_ID", "objstore.proxy_app")


def cache_key(account: str, container: Optional[str] = None) -> str:
    if container:
        return "container/%s/%s" % (account, container)
    return "account/%s" % account


def _int(headers: Mapping[str, str], name: str) -> int:
    try:
        return int(headers.get(name) or 0)
    except ValueError:
        return 0


def _prefixed(headers: Mapping[str, str], prefix: str) -> Dict[str, str]:
    prefix = prefix.lower()
    return {k[len(prefix):].lower(): v for k, v in headers.items()
            if k.lower().startswith(prefix)}


def headers_to_account_info(headers: Mapping[str, str], status: int) -> Info:
    """Info about an account from the headers of a HEAD/GET answer."""
    if str(headers.get(FAKE_LISTING_HEADER, "")).lower() == "yes":
        status = 404
    return {
        "status": int(status),
        "container_count": _int(headers, "X-Account-Container-Count"),
        "total_object_count": _int(headers, "X-Account-Object-Count"),
        "bytes": _int(headers, "X-Account-Bytes-Used"),
        "meta": _prefixed(headers, "X-Account-Meta-"),
        "sysmeta": _prefixed(headers, "X-Account-Sysmeta-"),
        "storage_policies": _policy_stats(headers),
    }


_POLICY_STAT_PREFIX = "x-account-storage-policy-"
_POLICY_STATS = {"-bytes-used": "bytes", "-object-count": "object_count",
                 "-container-count": "container_count"}


def _policy_stats(headers: Mapping[str, str]) -> Dict[str, Dict[str, int]]:
    """Per-policy usage of an account, keyed by lower-case policy name,
    from ``X-Account-Storage-Policy-<name>-Bytes-Used`` and its kin."""
    out: Dict[str, Dict[str, int]] = {}
    for name, value in headers.items():
        lower = name.lower()
        if not lower.startswith(_POLICY_STAT_PREFIX):
            continue
        for suffix, key in _POLICY_STATS.items():
            if lower.endswith(suffix):
                policy = lower[len(_POLICY_STAT_PREFIX):-len(suffix)]
                try:
                    out.setdefault(policy, {})[key] = int(value)
                except ValueError:
                    pass
    return out


def headers_to_container_info(headers: Mapping[str, str], status: int) -> Info:
    """Info about a container from the headers of a HEAD/GET answer."""
    return {
        "status": int(status),
        "read_acl": headers.get("X-Container-Read"),
        "write_acl": headers.get("X-Container-Write"),
        "sync_key": headers.get("X-Container-Sync-Key"),
        "sync_to": headers.get("X-Container-Sync-To"),
        "object_count": _int(headers, "X-Container-Object-Count"),
        "bytes": _int(headers, "X-Container-Bytes-Used"),
        "versions": headers.get("X-Versions-Location"),
        "history": headers.get("X-History-Location"),
        "storage_policy": str(headers.get(POLICY_INDEX_HEADER) or "0"),
        "meta": _prefixed(headers, "X-Container-Meta-"),
        "sysmeta": _prefixed(headers, "X-Container-Sysmeta-"),
        "cors": {
            "allow_origin": headers.get("X-Container-Meta-Access-Control-Allow-Origin"),
            "expose_headers": headers.get("X-Container-Meta-Access-Control-Expose-Headers"),
            "max_age": headers.get("X-Container-Meta-Access-Control-Max-Age"),
        },
    }


def _shared_cache(env: Dict[str, Any]) -> Any:
    cache = env.get("swift.cache")
    if cache is None:
        cache = env.get("objstore.local_cache")
    return cache


def _infocache(env: Dict[str, Any]) -> Dict[str, Info]:
    return env.setdefault(INFOCACHE_KEY, {})


def set_info_cache(env: Dict[str, Any], account: str, container: Optional[str],
                   info: Info, recheck: float) -> None:
    """Remember ``info`` for this request and, unless it is an error that
    may pass (5xx, timeouts), for ``recheck`` seconds in the shared cache."""
    key = cache_key(account, container)
    _infocache(env)[key] = info
    status = info["status"]
    if not (200 <= status < 300 or status == 404):
        return
    ttl = recheck if status != 404 else max(1.0, recheck * NOT_FOUND_CACHE_FRACTION)
    cache = _shared_cache(env)
    if cache is not None and ttl > 0:
        try:
            cache.set(key, info, time=ttl)
        except Exception:  # a cache outage must not fail the request
            pass


def clear_info_cache(env: Dict[str, Any], account: str, container: Optional[str] = None) -> None:
    """Forget what is known about a name after a write changed it."""
    key = cache_key(account, container)
    _infocache(env).pop(key, None)
    cache = _shared_cache(env)
    if cache is not None:
        try:
            cache.delete(key)
        except Exception:
            pass


def _cached(env: Dict[str, Any], key: str, also: Optional[str] = None) -> Optional[Info]:
    """``key``'s info from this request's infocache, else from the shared
    cache; ``also`` (another key this request is likely to want: a
    container's account) is fetched in the same round trip and kept in the
    infocache if the shared cache has it."""
    infocache = _infocache(env)
    info = infocache.get(key)
    if info is not None:
        return info
    cache = _shared_cache(env)
    if cache is None:
        return None
    wanted = [key] if also is None or also in infocache else [key, also]
    try:
        if len(wanted) > 1 and hasattr(cache, "get_multi"):
            found = cache.get_multi(wanted)
        else:
            found = {key: cache.get(key)}
    except Exception:
        return None
    for name, value in found.items():
        if isinstance(value, dict) and "status" in value:
            infocache[name] = value
    return infocache.get(key)


def _head(env: Dict[str, Any], app: Any, path: str) -> Any:
    sub_env = {key: env[key] for key in _SHARED_ENV if key in env}
    sub_env.update({
        "REQUEST_METHOD": "HEAD",
        "swift.source": "GET_INFO",
        "swift.authorize": lambda _req: None,
        "swift_owner": True,
        # Past the auth middleware too: an info lookup is the proxy's own.
        "swift.authorize_override": True,
    })
    if "/\x00" in path:
        # a middleware's reserved container (common/reserved.py): only the
        # request for it got this far, so its info may be looked up
        sub_env["HTTP_" + ALLOW_HEADER.upper().replace("-", "_")] = "true"
    _infocache(env)
    sub_env[INFOCACHE_KEY] = env[INFOCACHE_KEY]
    req = Request.blank(quote(path), environ=sub_env)
    return req.get_response(app)


def get_account_info(env: Dict[str, Any], app: Any, account: str) -> Info:
    """Info about ``account`` (``status`` 404 if it does not exist)."""
    key = cache_key(account)
    # the request's own container's info in the same round trip, when the
    # request is in this account: the proxy will want it
    target = split_swift_path(env)
    also = cache_key(account, target[1]) if target and target[0] == account and target[1] \
        else None
    info = _cached(env, key, also=also)
    if info is None:
        resp = _head(env, app, "/v1/%s" % account)
        info = _infocache(env).get(key) or headers_to_account_info(resp.headers, resp.status_int)
    return info


def get_container_info(env: Dict[str, Any], app: Any, account: str, container: str) -> Info:
    """Info about ``container``; ``status`` 404 when it (or its account)
    does not exist, 503 when no server could say."""
    key = cache_key(account, container)
    # its account's info in the same round trip: a middleware may want it
    # (etag_quoter asks for both on every object GET and HEAD)
    info = _cached(env, key, also=cache_key(account))
    if info is None:
        resp = _head(env, app, "/v1/%s/%s" % (account, container))
        info = _infocache(env).get(key) or headers_to_container_info(resp.headers, resp.status_int)
    return info
