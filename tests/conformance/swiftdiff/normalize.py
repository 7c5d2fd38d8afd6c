"""Reduce a response to what a client can rely on, so two clusters compare.

Values that differ by nature between two clusters (transaction ids, tokens,
timestamps, dates, the proxy's address, the storage policies' names) are
replaced by their *shape*: a timestamp with five decimals stays distinct
from one with six, an HTTP date from an ISO date, so format differences are
still seen. Everything else is compared as sent.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Dict, Iterable, List, Optional, Tuple

#: headers no client reads, or whose presence depends on the connection
_DROPPED = {"connection", "keep-alive"}
#: headers objstore adds on purpose where Swift 2.38.3 has none, each listed
#: with its reason in docs/swift-differences.md: not compared (a case that
#: needs one checks it in objstore's own tests)
DELIBERATE_EXTRAS = {
    "x-object-storage-tier",  # the object's tier (docs/tiering.md)
}

#: headers Swift 2.38.3's object server keeps in a set, so their order among
#: themselves varies from process to process: an order compares where they
#: stand, not which is which
_SET_ORDERED = {"content-disposition", "content-encoding", "x-delete-at", "x-object-manifest",
                "x-static-large-object", "cache-control", "content-language", "expires",
                "x-robots-tag"}
#: added by the HTTP server after the application's headers (and by the
#: client connection): not part of the order compared
_SERVER_ADDED = {"date"}

#: headers compared by shape only (their values differ from run to run)
_SHAPED = {"date", "last-modified", "x-timestamp", "x-put-timestamp", "x-trans-id",
           "x-openstack-request-id", "x-auth-token", "x-storage-token",
           "x-auth-token-expires", "x-delete-at", "x-backend-timestamp"}

#: comma-separated lists whose order Swift does not fix: it builds them from
#: a set, so two Swift processes (hash randomization) answer different
#: orders; compared as sets of tokens
_TOKEN_SETS = {"allow", "access-control-allow-methods", "access-control-allow-headers",
               "access-control-expose-headers"}
#: account usage totals: the reference runs no container-updater, so its
#: account object counts and bytes lag behind; compared by shape only
_ACCOUNT_USAGE = re.compile(r"^x-account-(object-count|bytes-used|"
                            r"storage-policy-.*-(object-count|bytes-used))$")
#: the MD5 of a stored SLO manifest: the manifest records its segments'
#: Last-Modified, so it differs between two clusters by nature
_MANIFEST_MD5 = {"x-manifest-etag"}
#: the number of containers: exact in a fresh account, by shape in a shared one
_ACCOUNT_CONTAINERS = re.compile(r"^x-account-(storage-policy-.*-)?container-count$")

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_TEXT_RULES: List[Tuple[re.Pattern, str]] = [
    (re.compile(r"tx[0-9a-f]{21}-[0-9a-f]{10}"), "<txid>"),
    (re.compile(r"AUTH_tk[0-9a-f]{32}"), "<token>"),
    (re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (%s) \d{4} \d\d:\d\d:\d\d GMT" % _MONTHS),
     "<http-date>"),
    (re.compile(r"\b\d{10}\.\d{5}(_[0-9a-f]{16})?\b"), "<timestamp>"),
    (re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\b"), "<date-time>"),  # staticweb pages
]
_XML_POLICY = re.compile(r"(<storage_policy>)([^<]*)(</storage_policy>)")
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?")


def _iso_shape(m: re.Match) -> str:
    frac = m.group(1)
    return "<iso-date%s>" % ("" if not frac else ".%d-digits" % (len(frac) - 1))


class Normalizer:
    """Per-target replacements: the proxy's address, policy names, per-run names."""

    def __init__(self, proxy_urls: Iterable[str], policy_names: Iterable[str],
                 default_policy: str, names: Dict[str, str]) -> None:
        self._literal: List[Tuple[str, str]] = []
        for url in proxy_urls:
            self._literal.append((url, "<proxy>"))
            self._literal.append((url.split("://", 1)[-1], "<proxy-host>"))
        # longest first so a name is never replaced inside a longer one
        for placeholder, value in sorted(names.items(), key=lambda kv: -len(kv[1])):
            self._literal.append((value, "{%s}" % placeholder))
        self._policies = [p for p in policy_names if p]
        self._default = default_policy

    def text(self, value: str) -> str:
        for literal, repl in self._literal:
            value = value.replace(literal, repl)
        for pattern, repl in _TEXT_RULES:
            value = pattern.sub(repl, value)
        return _ISO.sub(_iso_shape, value)

    def header_name(self, name: str) -> Optional[str]:
        """The name compared; None for a header of a policy other than the
        default (the reference has only one policy: nothing to compare to)."""
        name = name.lower()
        m = re.match(r"^x-account-storage-policy-(.+)-(container-count|object-count|bytes-used)$",
                     name)
        if m:
            if m.group(1) != self._default.lower():
                return None
            return "x-account-storage-policy-<policy>-" + m.group(2)
        return name

    def header_value(self, name: str, value: str, shared_account: bool = True) -> str:
        if name == "x-storage-policy" and value in self._policies:
            return "<policy>"
        if name in _TOKEN_SETS:
            tokens = {t.strip() for t in value.split(",") if t.strip()}
            return ", ".join(sorted(tokens, key=str.lower))
        if name in _MANIFEST_MD5 and re.fullmatch(r"[0-9a-f]{32}", value):
            return "<manifest-md5>"
        if name in _SHAPED or _ACCOUNT_USAGE.match(name) or \
                (shared_account and _ACCOUNT_CONTAINERS.match(name)):
            value = self.text(value)
            return "<int>" if value.isdigit() else re.sub(r"\d", "9", value)
        return self.text(value)

    def headers(self, headers: List[Tuple[str, str]], ignore: Iterable[str] = (),
                shared_account: bool = True) -> Dict[str, str]:
        skip = _DROPPED | DELIBERATE_EXTRAS | {h.lower() for h in ignore}
        out: Dict[str, str] = {}
        for k, v in headers:
            name = self.header_name(k)
            if name is None or name in skip:
                continue
            value = self.header_value(name, v, shared_account)
            out[name] = out[name] + ", " + value if name in out else value
        return out

    def header_order(self, headers: List[Tuple[str, str]]) -> List[str]:
        """The names of the answer's header lines in the order sent (less the
        connection's, the HTTP server's and objstore's deliberate extras); a
        set-ordered stored header shows as ``<stored-header>``."""
        skip = _DROPPED | DELIBERATE_EXTRAS | _SERVER_ADDED
        names = [self.header_name(k) for k, _v in headers]
        return ["<stored-header>" if n in _SET_ORDERED else n
                for n in names if n is not None and n not in skip]

    def body(self, body: bytes, content_type: Optional[str]) -> Any:
        if len(body) > 65536:
            return "<%d bytes, md5 %s>" % (len(body), hashlib.md5(body).hexdigest())
        if (content_type and "json" in content_type) or body[:1] in (b"[", b"{"):
            # JSON is compared parsed (a client does not see key order); the
            # Content-Type that says it is JSON is compared as a header
            try:
                return self._json(json.loads(body))
            except ValueError:
                pass
        text = self.text(body.decode("latin-1"))
        return _XML_POLICY.sub(lambda m: m.group(1) + self._policy(m.group(2)) + m.group(3), text)

    def _policy(self, name: str) -> str:
        return "<policy>" if name in self._policies else name

    def _json(self, doc: Any) -> Any:
        if isinstance(doc, dict):
            out = {self.text(k): self._policy(v) if k == "storage_policy" and isinstance(v, str)
                   else self._json(v) for k, v in sorted(doc.items())}
            if "slo_etag" in out and "hash" in out:  # a manifest's row: see _MANIFEST_MD5
                out["hash"] = "<manifest-md5>"
            return out
        if isinstance(doc, list):
            return [self._json(v) for v in doc]
        if isinstance(doc, str):
            return self.text(doc)
        return doc
