"""account_quotas: a reseller admin caps what an account may store.

Set on the account (PUT/POST ``/v1/<account>``) by a reseller admin only --
the account's own users would otherwise lift their own cap, so anyone
else gets 403:

* ``X-Account-Quota-Bytes`` and ``X-Account-Quota-Count``: bytes and objects
  in the whole account, kept as system metadata
  (``X-Account-Sysmeta-Quota-Bytes`` / ``-Count``) and shown back under the
  same names on HEAD/GET;
* ``X-Account-Quota-Bytes-Policy-<policy name>`` and
  ``X-Account-Quota-Count-Policy-<policy name>``: bytes and objects in one
  storage policy (names are matched as the proxy matches them, aliases
  included; an unknown name is ignored, as Swift does), kept as
  ``X-Account-Sysmeta-Quota-{Bytes,Count}-Policy-<index>``;
* ``X-Account-Meta-Quota-Bytes``: the older spelling, plain metadata but
  still reseller-only.

An empty value or ``X-Remove-<header>`` lifts a cap; a value that is not a
non-negative integer is refused with 400.

An object PUT (including the PUT a COPY becomes, each member of a bulk
extraction, an SLO manifest and an S3 completion) that would take the
account past a cap answers 413 ``Upload exceeds quota.`` (``Upload
exceeds policy quota.`` for a per-policy cap). Reseller admins are not
held to quotas.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from objstore.common import registry
from objstore.common.config import swift_dir
from objstore.common.http.errors import swift_error
from objstore.common.info import get_account_info, get_container_info
from objstore.common.storage_policy import StoragePolicies, load_policies
from objstore.common.http.paths import split_swift_path
from objstore.middleware.quota import (OVER_POLICY_QUOTA, OVER_QUOTA, StartResponse,
                                       bad_request, parse_quota, refuse, stored_quota,
                                       upload_size)

SYSMETA_PREFIX = "x-account-sysmeta-"
# Client header (lower case, after "x-account-") -> sysmeta key.
SYSMETA_QUOTAS = {"quota-bytes": "quota-bytes", "quota-count": "quota-count"}
POLICY_HEADER = "quota-bytes-policy-"
POLICY_COUNT_HEADER = "quota-count-policy-"
# Per-policy quota header prefix -> the policy usage it caps (account info).
POLICY_QUOTAS = {POLICY_HEADER: "bytes", POLICY_COUNT_HEADER: "object_count"}
LEGACY_HEADER = "meta-quota-bytes"


def _env_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


class AccountQuotaMiddleware:
    """Let reseller admins set account quotas; refuse uploads past them."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.conf = conf
        self._policies: Optional[StoragePolicies] = None
        registry.register_info("account_quotas")

    @property
    def policies(self) -> StoragePolicies:
        if self._policies is None:
            self._policies = load_policies(swift_dir(self.conf))
        return self._policies

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        target = split_swift_path(env)
        if target is None:
            return self.app(env, start_response)
        account, container, obj = target
        method = env.get("REQUEST_METHOD")
        if container is None:
            if method in ("PUT", "POST"):
                refused = self._translate_settings(env, start_response)
                if refused is not None:
                    return refused
            if method in ("GET", "HEAD"):
                return self.app(env, self._showing_quotas(start_response))
            return self.app(env, start_response)
        if obj is not None and method == "PUT" and not env.get("reseller_request"):
            text = self._over_quota(env, account, container)
            if text is not None:
                return refuse(env, start_response, text)
        return self.app(env, start_response)

    # -- setting quotas ---------------------------------------------------

    def _settings(self, env: Dict[str, Any]) -> List[Tuple[str, str, str]]:
        """``(env key, header after "x-account-" or "x-remove-account-",
        value)`` for every quota header of the request; removals have
        value ``""``."""
        found = []
        unknown = []
        for key, value in list(env.items()):
            if not key.startswith(("HTTP_X_ACCOUNT_", "HTTP_X_REMOVE_ACCOUNT_")):
                continue
            removal = key.startswith("HTTP_X_REMOVE_")
            name = key[len("HTTP_X_REMOVE_ACCOUNT_" if removal else "HTTP_X_ACCOUNT_"):]
            name = name.lower().replace("_", "-")
            prefix = _policy_prefix(name)
            if prefix and self.policies.get_by_name(name[len(prefix):]) is None:
                # As Swift: a quota for a policy this cluster lacks is
                # ignored, whoever sends it and whatever its value.
                unknown.append(key)
            elif name in SYSMETA_QUOTAS or name == LEGACY_HEADER or prefix:
                found.append((key, name, "" if removal else str(value)))
        for key in unknown:
            del env[key]
        return found

    def _translate_settings(self, env: Dict[str, Any],
                            start_response: StartResponse) -> Optional[Iterable[bytes]]:
        settings = self._settings(env)
        if not settings:
            return None
        if not env.get("reseller_request"):
            return refuse_forbidden(env, start_response)
        for _key, _name, value in settings:
            try:
                parse_quota(value)
            except ValueError:
                return bad_request(env, start_response)
        for key, name, value in settings:
            if name == LEGACY_HEADER:
                if key.startswith("HTTP_X_REMOVE_"):
                    del env[key]
                    env[_env_key("x-account-" + LEGACY_HEADER)] = ""
                continue
            del env[key]
            if name in SYSMETA_QUOTAS:
                env[_env_key(SYSMETA_PREFIX + SYSMETA_QUOTAS[name])] = value.strip()
                continue
            prefix = _policy_prefix(name)
            policy = self.policies.get_by_name(name[len(prefix):])
            if policy is not None:
                env[_env_key("%s%s%d" % (SYSMETA_PREFIX, prefix, policy.index))] = value.strip()
        return None

    def _showing_quotas(self, start_response: StartResponse) -> StartResponse:
        """Show the stored quotas under the names they were set with."""
        def show(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
            extra = []
            for name, value in headers:
                lower = name.lower()
                if not lower.startswith(SYSMETA_PREFIX):
                    continue
                key = lower[len(SYSMETA_PREFIX):]
                if key == "quota-bytes":
                    extra.append(("X-Account-Quota-Bytes", value))
                elif key == "quota-count":
                    extra.append(("X-Account-Quota-Count", value))
                elif _policy_prefix(key):
                    prefix = _policy_prefix(key)
                    policy = self.policies.get_by_index(key[len(prefix):])
                    if policy is not None:
                        extra.append(("X-Account-%s%s" % (prefix.title(), policy.name), value))
            return start_response(status, headers + extra, exc_info)
        return show

    # -- enforcing them ---------------------------------------------------

    def _over_quota(self, env: Dict[str, Any], account: str, container: str) -> Optional[str]:
        """The 413 text if this upload takes the account past a quota."""
        info = get_account_info(env, self.app, account)
        if not 200 <= info["status"] < 300:
            return None
        size = upload_size(env)
        sysmeta, meta = info.get("sysmeta") or {}, info.get("meta") or {}
        for quota in (stored_quota(sysmeta, "quota-bytes"), stored_quota(meta, "quota-bytes")):
            if quota is not None and info["bytes"] + size > quota:
                return OVER_QUOTA
        count = stored_quota(sysmeta, "quota-count")
        if count is not None and info["total_object_count"] + 1 > count:
            return OVER_QUOTA
        if not any(_policy_prefix(key) for key in sysmeta):
            return None
        container_info = get_container_info(env, self.app, account, container)
        if not 200 <= container_info["status"] < 300:
            return None
        index = container_info.get("storage_policy") or "0"
        policy = self.policies.get_by_index(index)
        if policy is None:
            return None
        stats = (info.get("storage_policies") or {}).get(policy.name.lower(), {})
        for prefix, usage in POLICY_QUOTAS.items():
            quota = stored_quota(sysmeta, prefix + str(index))
            adding = size if usage == "bytes" else 1
            if quota is not None and stats.get(usage, 0) + adding > quota:
                return OVER_POLICY_QUOTA
        return None


def _policy_prefix(name: str) -> str:
    """The per-policy quota prefix ``name`` (lower case, after
    ``x-account-`` or ``x-account-sysmeta-``) starts with, or ``""``."""
    return next((p for p in POLICY_QUOTAS if name.startswith(p)), "")


def refuse_forbidden(env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """403: only a reseller admin sets an account's quotas."""
    return swift_error(403)(env, start_response)


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: AccountQuotaMiddleware(app, conf)
