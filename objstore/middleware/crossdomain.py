"""crossdomain: ``GET /crossdomain.xml``, the policy file Flash and
Silverlight clients fetch before they call an API on another domain.

The allowed domains come from ``cross_domain_policy`` (one or more
``<allow-access-from .../>`` lines); nothing else is answered here.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable

from objstore.common import registry

PATH = "/crossdomain.xml"
DEFAULT_POLICY = '<allow-access-from domain="*" secure="false" />'
TEMPLATE = ('<?xml version="1.0"?>\n<!DOCTYPE cross-domain-policy SYSTEM '
            '"http://www.adobe.com/xml/dtds/cross-domain-policy.dtd" >\n'
            '<cross-domain-policy>\n%s\n</cross-domain-policy>')


def policy_document(policy: str) -> bytes:
    """The XML document for the configured ``<allow-access-from>`` lines
    (a multi-line config value keeps one per line)."""
    lines = [line.strip() for line in policy.splitlines() if line.strip()]
    return (TEMPLATE % "\n".join(lines or [DEFAULT_POLICY])).encode("utf-8")


class CrossDomain:
    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.body = policy_document(conf.get("cross_domain_policy", DEFAULT_POLICY))
        registry.register_info("crossdomain")

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if env.get("PATH_INFO") != PATH or env["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return self.app(env, start_response)
        start_response("200 OK", [("Content-Type", "application/xml; charset=utf-8"),
                                  ("Content-Length", str(len(self.body)))])
        return [b"" if env["REQUEST_METHOD"] == "HEAD" else self.body]


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: CrossDomain(app, conf)
