"""S3 CORS: preflight answers and response headers from the bucket's rules.

A browser first sends an unsigned ``OPTIONS`` (the preflight) naming its
``Origin``, the method it wants (``Access-Control-Request-Method``) and
the headers it will send (``Access-Control-Request-Headers``). The first
``CORSRule`` of the stored ``CORSConfiguration`` that allows all three
answers it; none matching is ``403 CORSResponse``, as S3 answers. Actual
requests carrying an ``Origin`` get the matching rule's
``Access-Control-*`` headers. Matching is pure (``match_rule``); only
reading the configuration touches the store.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.xml import parse

CORS_SYSMETA = "X-Container-Sysmeta-S3api-Cors"


@dataclass
class CorsRule:
    """One ``CORSRule``."""

    origins: List[str]
    methods: List[str]
    headers: List[str] = field(default_factory=list)
    expose: List[str] = field(default_factory=list)
    max_age: Optional[int] = None


def _wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """``*`` matches any run of characters (S3 allows one per pattern)."""
    regex = "^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$"
    return re.match(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def parse_rules(document: str) -> List[CorsRule]:
    """The rules of a stored ``CORSConfiguration`` (already validated on PUT)."""
    try:
        doc = parse(document.encode("utf-8"), "CORSConfiguration")
    except S3Error:
        return []

    def texts(rule: ET.Element, tag: str) -> List[str]:
        return [(e.text or "").strip() for e in rule.findall(tag) if (e.text or "").strip()]

    rules = []
    for rule in doc.findall("CORSRule"):
        age = (rule.findtext("MaxAgeSeconds") or "").strip()
        rules.append(CorsRule(texts(rule, "AllowedOrigin"), texts(rule, "AllowedMethod"),
                              texts(rule, "AllowedHeader"), texts(rule, "ExposeHeader"),
                              int(age) if age.isdigit() else None))
    return rules


def match_rule(rules: List[CorsRule], origin: str, method: str,
               request_headers: List[str]) -> Optional[CorsRule]:
    """The first rule allowing ``origin``, ``method`` and every requested header."""
    for rule in rules:
        if not any(_wildcard(o, origin) for o in rule.origins):
            continue
        if method not in rule.methods:
            continue
        if all(any(_wildcard(h, wanted, ignore_case=True) for h in rule.headers)
               for wanted in request_headers):
            return rule
    return None


def requested_headers(value: Optional[str]) -> List[str]:
    return [h.strip().lower() for h in (value or "").split(",") if h.strip()]


def response_headers(rule: CorsRule, origin: str, preflight: bool,
                     request_headers: List[str]) -> Dict[str, str]:
    """The ``Access-Control-*`` headers a matching rule grants."""
    out = {"Access-Control-Allow-Origin": "*" if rule.origins == ["*"] else origin,
           "Access-Control-Allow-Methods": ", ".join(rule.methods),
           "Vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"}
    if rule.origins != ["*"]:
        out["Access-Control-Allow-Credentials"] = "true"
    if preflight and request_headers:
        out["Access-Control-Allow-Headers"] = ", ".join(request_headers)
    if rule.expose:
        out["Access-Control-Expose-Headers"] = ", ".join(rule.expose)
    if rule.max_age is not None:
        out["Access-Control-Max-Age"] = str(rule.max_age)
    return out


def preflight(document: Optional[str], headers: Dict[str, str]) -> Dict[str, str]:
    """Headers of the 200 answering a preflight, or the S3 error to send."""
    origin = headers.get("origin")
    method = headers.get("access-control-request-method")
    if not origin:
        raise S3Error("BadRequest", "Insufficient information. Origin request header "
                      "needed.", status=400)
    if not method:
        raise S3Error("BadRequest", "Invalid Access-Control-Request-Method: null",
                      status=400)
    wanted = requested_headers(headers.get("access-control-request-headers"))
    rule = match_rule(parse_rules(document or ""), origin, method, wanted)
    if rule is None:
        raise S3Error("CORSResponse", "This CORS request is not allowed: no CORSRule of the "
                      "bucket allows this origin, method and headers" if document else
                      "CORS is not enabled for this bucket; add a CORS configuration.",
                      status=403)
    return response_headers(rule, origin, True, wanted)


def actual_headers(document: Optional[str], origin: str, method: str) -> Dict[str, str]:
    """Headers for a non-preflight response to ``origin`` (empty if no rule)."""
    if not document:
        return {}
    rule = match_rule(parse_rules(document), origin, method, [])
    return response_headers(rule, origin, False, []) if rule else {}
