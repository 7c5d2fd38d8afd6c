"""read_only: stop writes to the whole cluster or to one account.

* ``read_only = true`` in ``[filter:read_only]``: every PUT, POST, DELETE and
  COPY answers 405 (reads go on) -- for maintenance, a migration, or a
  cluster being drained. ``allow_deletes = true`` still lets DELETEs through
  (to free space without letting data in).
* per account: a reseller admin POSTs ``X-Account-Read-Only: true`` (and
  optionally ``X-Account-Allow-Deletes: true``) to ``/v1/<account>``; they
  are kept as ``X-Account-Sysmeta-Read-Only`` / ``-Allow-Deletes`` and shown
  back under the names they were set with. Anyone else setting them gets
  403; a value that is not true/false gets 400.

A reseller admin's account POST that only changes these settings is always
let through, so an account (or the cluster) can be switched back.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from objstore.common import registry
from objstore.common.config import config_true_value
from objstore.common.http.errors import swift_error
from objstore.common.info import get_account_info
from objstore.common.http.paths import split_swift_path

WRITE_METHODS = ("PUT", "POST", "DELETE", "COPY")
# client header (after "X-Account-") -> sysmeta key
SETTINGS = {"read-only": "read-only", "allow-deletes": "allow-deletes"}
_TRUE = ("true", "1", "yes", "on", "t", "y")
_FALSE = ("false", "0", "no", "off", "f", "n", "")
StartResponse = Callable[..., Any]


def _env_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


class ReadOnlyMiddleware:
    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.read_only = config_true_value(conf.get("read_only", "false"))
        self.allow_deletes = config_true_value(conf.get("allow_deletes", "false"))
        registry.register_info("read_only")

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        target = split_swift_path(env)
        method = env.get("REQUEST_METHOD")
        if target is None:
            return self.app(env, start_response)
        account, container, _obj = target
        if container is None:
            settings = self._settings(env)
            if settings:
                return self._set(env, start_response, settings)
            if method in ("GET", "HEAD"):
                return self.app(env, self._showing(start_response))
        if method not in WRITE_METHODS:
            return self.app(env, start_response)
        read_only, allow_deletes = self.read_only, self.allow_deletes
        if not read_only:
            sysmeta = get_account_info(env, self.app, account).get("sysmeta") or {}
            read_only = config_true_value(sysmeta.get("read-only", ""))
            allow_deletes = config_true_value(sysmeta.get("allow-deletes", ""))
        if read_only and not (method == "DELETE" and allow_deletes):
            return swift_error(405)(env, start_response)
        return self.app(env, start_response)

    @staticmethod
    def _settings(env: Dict[str, Any]) -> List[Tuple[str, str]]:
        found = []
        for name in SETTINGS:
            for prefix, removal in (("x-account-", False), ("x-remove-account-", True)):
                key = _env_key(prefix + name)
                if key in env:
                    found.append((name, "" if removal else str(env.pop(key)).strip().lower()))
        return found

    def _set(self, env: Dict[str, Any], start_response: StartResponse,
             settings: List[Tuple[str, str]]) -> Iterable[bytes]:
        if env.get("REQUEST_METHOD") not in ("PUT", "POST") or not env.get("reseller_request"):
            return swift_error(403)(env, start_response)
        for name, value in settings:
            if value not in _TRUE + _FALSE:
                return swift_error(400, "X-Account-%s must be true or false"
                                   % name.title())(env, start_response)
            env[_env_key("x-account-sysmeta-" + SETTINGS[name])] = \
                "true" if value in _TRUE else ""
        return self.app(env, start_response)

    @staticmethod
    def _showing(start_response: StartResponse) -> StartResponse:
        def show(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
            extra = [("X-Account-" + name.title(), value) for name, value in
                     ((n[len("x-account-sysmeta-"):], v) for n, v in
                      ((k.lower(), v) for k, v in headers)
                      if n.startswith("x-account-sysmeta-")) if name in SETTINGS]
            return start_response(status, headers + extra, exc_info)
        return show


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: ReadOnlyMiddleware(app, conf)
