"""domain_remap: account and container named by the host, not the path.

With ``storage_domain = example.com``, a request for
``http://<container>.<account>.example.com/<object>`` is served as
``/v1/<account>/<container>/<object>``, and
``http://<account>.example.com/<container>/<object>`` as
``/v1/<account>/<container>/<object>``, so a container can be a website
on its own host name (with staticweb) or an account a tenant's own host.

Host names cannot hold ``_``, so the first ``-`` of an account stands for
it (``auth-test`` is ``AUTH_test``); the reseller prefix is matched without
regard to case and written as configured (``reseller_prefixes``). An
account without a known prefix gets ``default_reseller_prefix`` if one is
set, else the request is left alone. A path that already starts with
``/<path_root>/`` is left alone too, unless ``mangle_client_paths`` says
to prefix it anyway.

``cname_map`` maps whole host names an operator chose (a customer's own
domain, pointed at the proxy by a DNS CNAME) to an account or container,
e.g. ``www.example.org = AUTH_test/site, files.example.net = AUTH_test``;
those hosts are looked up in the config, never in DNS.

A ``Location`` or ``Content-Location`` in an answer that points under the
remapped path (staticweb's redirect to a directory's slashed path, say) is
put back under the path the client asked for, so it stays on the host's
own names.

S3-signed requests are left to s3api, which maps virtual-hosted bucket
names with its own ``storage_domain``.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote

from objstore.common import registry
from objstore.common.config import ConfigError, config_true_value
from objstore.common.http.errors import swift_error
from objstore.common.http.wsgi_str import wsgi_to_bytes

DEFAULT_STORAGE_DOMAIN = "example.com"


def _is_s3(env: Dict[str, Any]) -> bool:
    auth = env.get("HTTP_AUTHORIZATION", "")
    query = env.get("QUERY_STRING", "")
    return auth.startswith(("AWS ", "AWS4-")) or "X-Amz-Signature=" in query \
        or "Signature=" in query and "AWSAccessKeyId=" in query


def parse_cname_map(value: str) -> Dict[str, Tuple[str, Optional[str]]]:
    """``"host = ACCOUNT[/container], ..."`` as ``{host: (account, container)}``;
    a malformed entry is a config error."""
    out: Dict[str, Tuple[str, Optional[str]]] = {}
    for item in value.replace("\n", ",").split(","):
        if not item.strip():
            continue
        host, eq, target = item.partition("=")
        account, _slash, container = target.strip().strip("/").partition("/")
        if not eq or not host.strip() or not account or "/" in container:
            raise ConfigError("domain_remap cname_map entry %r must look like "
                              "host = ACCOUNT[/container]" % item.strip())
        out[host.strip().lower()] = (account, container or None)
    return out


class DomainRemap:
    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        domains = conf.get("storage_domain", DEFAULT_STORAGE_DOMAIN)
        self.domains: List[str] = ["." + d.strip().strip(".").lower()
                                   for d in domains.split(",") if d.strip().strip(".")]
        self.path_root = conf.get("path_root", "v1").strip("/")
        self.prefixes = [p.strip().rstrip("_") for p in
                         conf.get("reseller_prefixes", "AUTH").split(",") if p.strip()]
        self.default_prefix = conf.get("default_reseller_prefix", "").strip().rstrip("_")
        self.mangle = config_true_value(conf.get("mangle_client_paths", "false"))
        self.cname_map = parse_cname_map(conf.get("cname_map", ""))
        registry.register_info("domain_remap", default_reseller_prefix=self.default_prefix or None)

    def account_name(self, label: str) -> Optional[str]:
        """The account a host label names, or ``None`` if none of ours."""
        if "_" not in label and "-" in label:
            label = label.replace("-", "_", 1)
        prefix, sep, rest = label.partition("_")
        if sep:
            for known in self.prefixes:
                if prefix.lower() == known.lower():
                    return "%s_%s" % (known, rest)
        if self.default_prefix:
            return "%s_%s" % (self.default_prefix, label)
        return None

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        given = env.get("HTTP_HOST") or env.get("SERVER_NAME") or ""
        given = given.rsplit(":", 1)[0] if not given.endswith("]") else given
        # Domains match in any case; the labels keep theirs (container
        # names are case-sensitive, and lowering a WSGI string would change
        # the bytes of a UTF-8 name).
        host = given.lower()
        if _is_s3(env):
            return self.app(env, start_response)
        if host in self.cname_map:
            return self._remap(env, start_response, *self.cname_map[host])
        domain = next((d for d in self.domains if host.endswith(d)), None)
        if domain is None:
            return self.app(env, start_response)
        labels = given[:-len(domain)].split(".")
        if len(labels) > 2 or not all(labels):
            return swift_error(400, "Bad domain in host header")(env, start_response)
        account = self.account_name(labels[-1])
        if account is None:
            return self.app(env, start_response)
        return self._remap(env, start_response, account, labels[0] if len(labels) == 2 else None)

    def _remap(self, env: Dict[str, Any], start_response: Callable[..., Any], account: str,
               container: Optional[str]) -> Iterable[bytes]:
        path = env.get("PATH_INFO", "") or "/"
        if path.startswith("/%s/" % self.path_root) and not self.mangle:
            return self.app(env, start_response)
        parts = ["", self.path_root, account]
        if container:
            parts.append(container)
        env["PATH_INFO"] = "/".join(parts) + (path if path != "/" or container else "")
        return self.app(env, _locations_back(start_response, path, env["PATH_INFO"]))


def _locations_back(start_response: Callable[..., Any], requested: str,
                    remapped: str) -> Callable[..., Any]:
    """``start_response`` with a ``Location``/``Content-Location`` that
    points under the remapped path (a redirect staticweb made, say) put back
    under the path the client asked for, so it stays on the host's names
    (as Swift 2.38.3 rewrites them)."""
    pattern = re.compile(r"^(https?://[^/]+)%s(.*)$" % re.escape(quote(wsgi_to_bytes(remapped))))
    back = quote(wsgi_to_bytes(requested))

    def rewritten(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
        headers = [(k, pattern.sub(lambda m: m.group(1) + back + m.group(2), v)
                    if k.lower() in ("location", "content-location") else v)
                   for k, v in headers]
        return start_response(status, headers, exc_info)
    return rewritten


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: DomainRemap(app, conf)
