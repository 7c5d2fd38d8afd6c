"""/info (capabilities) and /healthcheck."""
from typing import Any

from ..case import case, check

#: the section of docs/swift-differences.md these cases belong to
AREA = "/info"


#: middlewares objstore's all-in-one pipeline runs and the reference's does
#: not (saio/reference): each registers its own section, so these sections
#: say which pipeline runs, not how a middleware behaves; left out of the
#: comparison (their sections are checked by each middleware's own tests)
_NOT_IN_REFERENCE = ("container_sync", "crossdomain", "domain_remap", "etag_quoter", "read_only",
                     "tiering")


def _keys(doc: Any) -> Any:
    """Which middlewares /info lists, and the setting names of each."""
    if not isinstance(doc, dict):
        return doc
    return {k: sorted(v) if isinstance(v, dict) else type(v).__name__ for k, v in doc.items()
            if k not in _NOT_IN_REFERENCE}


def _swift_settings(doc: Any) -> Any:
    """The constraints under "swift", less what names the build and the policies."""
    if not isinstance(doc, dict) or not isinstance(doc.get("swift"), dict):
        return doc
    return {k: v for k, v in doc["swift"].items() if k not in ("version", "policies")}


def _policy_keys(doc: Any) -> Any:
    if not isinstance(doc, dict):
        return doc
    return [sorted(p) for p in doc.get("swift", {}).get("policies", [])][:1]


def _section(name: str):
    def pick(doc: Any) -> Any:
        return doc.get(name) if isinstance(doc, dict) else doc
    pick.__name__ = "section_" + name
    return pick


_MIDDLEWARES = ("slo", "symlink", "versioned_writes", "tempurl", "formpost", "staticweb",
                "bulk_upload", "bulk_delete", "tempauth", "s3api", "container_quotas",
                "account_quotas", "ratelimit")

CASES = [
    case("info-middlewares-and-settings", check("GET", "/info", user=None, shape=_keys)),
    case("info-swift-constraints", check("GET", "/info", user=None, shape=_swift_settings)),
    case("info-policy-fields", check("GET", "/info", user=None, shape=_policy_keys)),
    # the length of the body that is not sent is that of each cluster's own
    # pipeline and policies; test_info.py checks it is the GET body's
    case("info-head", check("HEAD", "/info", user=None, ignore=("content-length",))),
    case("info-post-not-allowed", check("POST", "/info", user=None)),
    case("info-options", check("OPTIONS", "/info", user=None)),
    case("info-with-token", check("GET", "/info", shape=_keys)),
] + [case("info-section-" + m.replace("_", "-"), check("GET", "/info", user=None, shape=_section(m)))
     for m in _MIDDLEWARES] + [
    case("healthcheck-get", check("GET", "/healthcheck", user=None)),
    case("healthcheck-head", check("HEAD", "/healthcheck", user=None)),
    case("healthcheck-post", check("POST", "/healthcheck", user=None)),
]
