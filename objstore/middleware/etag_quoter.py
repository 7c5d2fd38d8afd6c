"""etag_quoter: RFC 7232 ETags (in double quotes) on object answers.

Swift sends object ETags bare (``d41d8cd9...``) for compatibility with
old clients; RFC 7232 wants them quoted, and some HTTP caches and
browsers compare them only then. An account or container owner opts in
with ``X-Account-Rfc-Compliant-Etags: true`` or
``X-Container-Rfc-Compliant-Etags: true`` (kept as sysmeta; the
container's setting wins over the account's); ``enable_by_default`` opts
every account in. Listings and S3 answers are untouched.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from objstore.common import registry
from objstore.common.config import config_true_value
from objstore.common.info import get_account_info, get_container_info
from objstore.common.http.paths import split_swift_path

CLIENT_HEADER = "Rfc-Compliant-Etags"
SYSMETA_KEY = "rfc-compliant-etags"


def quoted(etag: str) -> str:
    """``etag`` in double quotes (a weak ``W/"..."`` or quoted one as is)."""
    if etag.startswith(('"', 'W/"')):
        return etag
    return '"%s"' % etag


class EtagQuoter:
    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.enable_by_default = config_true_value(conf.get("enable_by_default", "false"))
        registry.register_info("etag_quoter", enable_by_default=self.enable_by_default)

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = split_swift_path(env)
        if target is None:
            return self.app(env, start_response)
        account, container, obj = target
        if env["REQUEST_METHOD"] in ("PUT", "POST") and not obj:
            # The owner's switch is stored as sysmeta of the account/container.
            kind = "CONTAINER" if container else "ACCOUNT"
            value = env.pop("HTTP_X_%s_RFC_COMPLIANT_ETAGS" % kind, None)
            if value is not None:
                env["HTTP_X_%s_SYSMETA_RFC_COMPLIANT_ETAGS" % kind] = (
                    "true" if config_true_value(value) else "false") if value else ""
            return self.app(env, start_response)
        if not obj or env["REQUEST_METHOD"] not in ("GET", "HEAD", "PUT", "POST", "COPY"):
            return self.app(env, start_response)

        def quoting(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
            if any(k.lower() == "etag" for k, _v in headers) and \
                    self._enabled(env, account, container or ""):
                headers = [(k, quoted(v) if k.lower() == "etag" else v) for k, v in headers]
            return start_response(status, headers, exc_info)
        return self.app(env, quoting)

    def _enabled(self, env: Dict[str, Any], account: str, container: str) -> bool:
        for value in (_flag(get_container_info(env, self.app, account, container)),
                      _flag(get_account_info(env, self.app, account))):
            if value is not None:
                return value
        return self.enable_by_default


def _flag(info: Dict[str, Any]) -> Optional[bool]:
    value = (info.get("sysmeta") or {}).get(SYSMETA_KEY)
    return config_true_value(value) if value else None


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: EtagQuoter(app, conf)
