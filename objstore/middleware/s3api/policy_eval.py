"""Evaluate a bucket policy for one request: ``Deny``, ``Allow`` or neither.

AWS's rule for one resource policy: every statement is checked; one
matching ``Deny`` decides (explicit deny wins over any allow), otherwise a
matching ``Allow`` allows, otherwise the policy says nothing and the ACLs
decide (``access.py`` combines the two). A statement matches when its
principal, action, resource and every condition match:

- a condition block ANDs its operators, an operator ANDs its keys, and a
  key's values are OR-ed;
- a key the request does not have fails a positive test and passes a
  negated one (``StringNotEquals``, ``NotIpAddress``, ...); ``...IfExists``
  passes, ``Null: true`` asks that it be absent;
- ``ForAnyValue:`` / ``ForAllValues:`` test multi-valued keys (tag keys).

Wildcards: ``*`` and ``?`` in actions (case-insensitive), resources and
``...Like`` values. Policy variables (``${aws:username}``, ``${*}``, ...)
are resolved in 2012-10-17 documents only; an unknown one makes its pattern
match nothing. Pure code: the request's keys come from a callable, so a
key that needs I/O (``s3:ExistingObjectTag/<key>``) is only fetched when a
statement asks for it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from objstore.middleware.s3api.policy import (ANYONE, ARN_OPS, DATE_OPS, IP_OPS, NUMERIC_OPS,
                                              Condition, Policy, Statement, parse_date)

DENY = "Deny"
ALLOW = "Allow"
_VARIABLE_RE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}
Keys = Callable[[str], Optional[List[str]]]


@dataclass(frozen=True)
class Principal:
    """Who asks: an account and user name, or nobody (anonymous)."""

    account: Optional[str] = None   # ``AUTH_test``; None when unsigned
    user: Optional[str] = None      # ``tester3`` (tempauth's ``test:tester3``)

    @property
    def anonymous(self) -> bool:
        return self.account is None


@dataclass
class Request:
    principal: Principal
    action: str      # without ``s3:``, e.g. ``GetObject``
    resource: str    # ``arn:aws:s3:::bucket`` or ``arn:aws:s3:::bucket/key``
    keys: Keys = field(default=lambda _key: None)


def evaluate(policy: Policy, request: Request) -> Optional[str]:
    """``DENY``, ``ALLOW`` or ``None`` (the policy says nothing)."""
    variables = _variables(request) if policy.version == "2012-10-17" else None
    allowed = False
    for statement in policy.statements:
        if statement.effect == ALLOW and allowed:
            continue  # already allowed: only a Deny can change the answer
        if matches(statement, request, variables):
            if statement.effect == DENY:
                return DENY
            allowed = True
    return ALLOW if allowed else None


def matches(statement: Statement, request: Request,
            variables: Optional[Dict[str, str]] = None) -> bool:
    """Whether ``statement`` applies to ``request`` (its effect aside)."""
    hit = any(principal_matches(p, request.principal) for p in statement.principals)
    if hit == statement.not_principal:
        return False
    action = request.action.lower()
    hit = any(a == "*" or glob_match(a, action) for a in statement.actions)
    if hit == statement.not_action:
        return False
    hit = any(r == "*" or glob_match(r, request.resource, variables)
              for r in statement.resources)
    if hit == statement.not_resource:
        return False
    return all(condition_holds(c, request.keys, variables) for c in statement.conditions)


def principal_matches(pattern: str, principal: Principal) -> bool:
    if pattern == ANYONE:
        return True
    kind, _colon, rest = pattern.partition(":")
    if kind == "account":
        return principal.account == rest
    if kind == "user":
        account, _colon, name = rest.partition(":")
        return principal.account == account and principal.user == name
    return False


def _variables(request: Request) -> Dict[str, str]:
    principal = request.principal
    out: Dict[str, str] = {}
    if principal.account is not None:
        out["aws:principalaccount"] = principal.account
        out["aws:userid"] = "%s:%s" % (principal.account, principal.user or "")
        if principal.user:
            out["aws:username"] = principal.user
    for key in ("aws:sourceip", "aws:securetransport", "aws:useragent", "aws:referer",
                "aws:currenttime", "aws:epochtime"):
        values = request.keys(key)
        if values:
            out[key] = values[0]
    return out


def _compile(pattern: str, variables: Optional[Dict[str, str]],
             ignore_case: bool = False) -> Optional["re.Pattern[str]"]:
    """``*``/``?`` glob as a regex; ``${var}`` replaced (``None`` if unknown)."""
    pieces: List[str] = []
    pos = 0
    text = pattern
    if variables is not None:
        out = []
        for match in _VARIABLE_RE.finditer(pattern):
            out.append(_glob_regex(text[pos:match.start()]))
            name = match.group(1)
            if name in _ESCAPES:
                out.append(re.escape(_ESCAPES[name]))
            else:
                value = variables.get(name.lower())
                if value is None:
                    return None
                out.append(re.escape(value))
            pos = match.end()
        out.append(_glob_regex(text[pos:]))
        pieces = out
    else:
        pieces = [_glob_regex(pattern)]
    return re.compile("".join(pieces) + r"\Z", re.S | (re.I if ignore_case else 0))


def _glob_regex(text: str) -> str:
    return "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in text)


def glob_match(pattern: str, text: str, variables: Optional[Dict[str, str]] = None,
               ignore_case: bool = False) -> bool:
    """``*`` (any run) and ``?`` (one character) match; nothing else is special."""
    regex = _compile(pattern, variables, ignore_case)
    return regex is not None and regex.match(text) is not None


_NEGATED = ("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike",
            "NumericNotEquals", "DateNotEquals", "ArnNotEquals", "ArnNotLike", "NotIpAddress")


def condition_holds(condition: Condition, keys: Keys,
                    variables: Optional[Dict[str, str]] = None) -> bool:
    values = keys(condition.key)
    negated = condition.operator in _NEGATED
    if condition.operator == "Null":
        absent = not values
        return absent == (condition.values[0].lower() == "true")
    if not values:
        if condition.if_exists or condition.qualifier == "ForAllValues":
            return True
        return negated
    if condition.qualifier == "ForAllValues":
        return all(_one(condition, v, negated, variables) for v in values)
    return any(_one(condition, v, negated, variables) for v in values)


def _one(condition: Condition, value: str, negated: bool,
         variables: Optional[Dict[str, str]]) -> bool:
    hit = any(_compare(condition.operator, value, wanted, variables)
              for wanted in condition.values)
    return not hit if negated else hit


def _compare(operator: str, value: str, wanted: str,
             variables: Optional[Dict[str, str]]) -> bool:
    """The positive form of ``operator`` for one request value."""
    try:
        if operator in ("StringEquals", "StringNotEquals"):
            return value == _substitute(wanted, variables)
        if operator in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
            return value.lower() == (_substitute(wanted, variables) or "").lower()
        if operator in ("StringLike", "StringNotLike") or operator in ARN_OPS:
            return glob_match(wanted, value, variables)
        if operator in NUMERIC_OPS:
            return _order(operator, float(value), float(wanted))
        if operator in DATE_OPS:
            return _order(operator, parse_date(value), parse_date(wanted))
        if operator in IP_OPS:
            return ipaddress.ip_address(value) in ipaddress.ip_network(wanted, strict=False)
        if operator == "Bool":
            return value.lower() == wanted.lower()
        if operator == "BinaryEquals":
            return value == wanted
    except (ValueError, TypeError):
        return False
    return False


def _substitute(wanted: str, variables: Optional[Dict[str, str]]) -> Optional[str]:
    if variables is None or "${" not in wanted:
        return wanted
    missing = []

    def one(match: "re.Match[str]") -> str:
        name = match.group(1)
        if name in _ESCAPES:
            return _ESCAPES[name]
        value = variables.get(name.lower())
        if value is None:
            missing.append(name)
            return ""
        return value
    out = _VARIABLE_RE.sub(one, wanted)
    return None if missing else out


def _order(operator: str, left, right) -> bool:  # type: ignore[no-untyped-def]
    suffix = operator.replace("Numeric", "").replace("Date", "")
    return {"Equals": left == right, "NotEquals": left == right,
            "LessThan": left < right, "LessThanEquals": left <= right,
            "GreaterThan": left > right, "GreaterThanEquals": left >= right}[suffix]
