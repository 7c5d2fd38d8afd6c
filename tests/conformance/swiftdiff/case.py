"""Declarative request sequences and their execution on one cluster.

A case is a list of steps. Setup steps prepare state and only their status
is compared; check steps are compared in full (status, client-visible
headers, body). Paths, header values and bodies are templates:

    {a}      /v1/AUTH_test (the admin user's account)   {acct}  AUTH_test
    {a2}     /v1/AUTH_test2 (another account)           {acct2} AUTH_test2
    {c} {c2} {c3} {c4}  containers unique to this case and run; {base} is
             their common prefix
    {na}     /v1/<a fresh account unique to this case>  {nacct} its name
    {policy} the cluster's default storage policy name
    A path, header value or body may also be a function of these values
    (a dict without the braces), for what must be computed from them.
    {ec}     header value only: the cluster's erasure-coded policy; the
             header is left out on a cluster that has none (the reference
             Swift runs one replicated policy: its objects are compared
             with objstore's EC objects, as a client sees no difference)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from .client import USERS, HeaderValue, Response, Target
from .normalize import Normalizer

Path = Union[str, bytes, Callable[[Dict[str, str]], str]]


@dataclass(frozen=True)
class Step:
    method: str
    path: Path
    headers: Tuple[Tuple[str, HeaderValue], ...] = ()
    body: Optional[bytes] = None
    user: Optional[str] = "admin"
    check: bool = False
    #: headers left out of the comparison of this step (with the reason in the case)
    ignore: Tuple[str, ...] = ()
    #: reduces the normalized body to the part compared (e.g. /info's keys)
    shape: Optional[Callable[[Any], Any]] = None
    #: an S3 step (``s3_setup``): done with boto3 instead of ``method path``
    s3: Optional[Callable[[Any, Dict[str, str]], Any]] = None
    #: the order of the answer's header lines is compared too
    order: bool = False

    def path_text(self) -> str:
        """The path template as text (a computed path shows its docstring)."""
        if isinstance(self.path, bytes):
            return self.path.decode("latin-1")
        if callable(self.path):
            return self.path.__doc__ or "<computed path>"
        return self.path

    @property
    def in_fresh_account(self) -> bool:
        return self.path_text().startswith("{na}")

    def describe(self) -> str:
        return "%s %s%s" % (self.method, self.path_text(),
                            "" if self.user == "admin" else " as %s" % self.user)


def _step(check: bool, method: str, path: Path, body: Optional[bytes], user: Optional[str],
          headers: Sequence[Tuple[str, HeaderValue]], ignore: Sequence[str],
          kw: Dict[str, HeaderValue], shape: Optional[Callable[[Any], Any]] = None,
          order: bool = False) -> Step:
    hdrs = list(headers) + [(k.replace("_", "-"), v) for k, v in kw.items()]
    return Step(method, path, tuple(hdrs), body, user, check, tuple(ignore), shape,
                order=order)


def setup(method: str, path: Path, body: Optional[bytes] = None, user: Optional[str] = "admin",
          headers: Sequence[Tuple[str, HeaderValue]] = (), **kw: HeaderValue) -> Step:
    """A step whose status only is compared. ``X_Foo="v"`` sends ``X-Foo: v``."""
    return _step(False, method, path, body, user, headers, (), kw)


def s3_setup(what: str, action: Callable[[Any, Dict[str, str]], Any]) -> Step:
    """A setup step an S3 client does: ``action(client, values)`` with a
    boto3 client of the cluster's s3api (as the admin user, path-style
    buckets) and the names' values (``values["c"]`` is a bucket); its
    status is 200, or the status of the S3 error it raised. ``what`` names
    the step in reports."""
    return Step("S3", what, s3=action)


def _run_s3(step: Step, target: Target, names: Names) -> Response:
    import boto3
    import botocore.exceptions
    from botocore.config import Config
    user, key = USERS["admin"]
    client = boto3.client("s3", endpoint_url=target.url, aws_access_key_id=user,
                          aws_secret_access_key=key, region_name="us-east-1",
                          config=Config(s3={"addressing_style": "path"},
                                        retries={"max_attempts": 1}))
    try:
        assert step.s3 is not None
        step.s3(client, dict(names.values))
    except botocore.exceptions.ClientError as err:
        meta = err.response.get("ResponseMetadata", {})
        return Response(int(meta.get("HTTPStatusCode", 0)), "", [], b"")
    return Response(200, "OK", [], b"")


def check(method: str, path: Path, body: Optional[bytes] = None, user: Optional[str] = "admin",
          headers: Sequence[Tuple[str, HeaderValue]] = (), ignore: Sequence[str] = (),
          shape: Optional[Callable[[Any], Any]] = None, order: bool = False,
          **kw: HeaderValue) -> Step:
    """A step compared in full (less ``ignore``d headers; the body through
    ``shape``); ``order``: the order of its header lines as well."""
    return _step(True, method, path, body, user, headers, ignore, kw, shape, order)


@dataclass(frozen=True)
class Case:
    id: str
    steps: Tuple[Step, ...]
    #: uses a fresh account ({na}) made by the reseller admin
    fresh_account: bool = False

    def mentions(self, text: str) -> bool:
        """Whether any path, header or body of the case contains ``text``."""
        for s in self.steps:
            parts = [s.path, s.body or b""] + [k for k, _ in s.headers] + [v for _, v in s.headers]
            for p in parts:
                if isinstance(p, bytes):
                    p = p.decode("latin-1")
                if isinstance(p, str) and text.lower() in p.lower():
                    return True
        return False


def wire_name(name: str) -> str:
    """A header name sent as its UTF-8 bytes (the client writes names in
    latin-1, one byte a character): ``X-Object-Meta-\U0001f44d`` as a client
    such as python-swiftclient sends it."""
    return name.encode("utf-8").decode("latin-1")


def case(case_id: str, *steps: Step, fresh_account: bool = False) -> Case:
    if not any(s.check for s in steps):
        raise ValueError("case %s has no check step" % case_id)
    return Case(case_id, tuple(steps), fresh_account)


@dataclass
class Names:
    """The per-run, per-case names a case's templates expand to."""

    base: str
    account: str = "AUTH_test"
    account2: str = "AUTH_test2"
    values: Dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.values = {
            "c": self.base + "-1", "c2": self.base + "-2", "c3": self.base + "-3",
            "c4": self.base + "-4", "nacct": "AUTH_" + self.base,
            "acct": self.account, "acct2": self.account2, "base": self.base,
        }
        self.values["a"] = "/v1/" + self.account
        self.values["a2"] = "/v1/" + self.account2
        self.values["na"] = "/v1/" + self.values["nacct"]

    def containers(self) -> List[str]:
        return [self.values[k] for k in ("c", "c2", "c3", "c4")]


def expand(template: Any, target: Target, names: Names) -> Any:
    """Fill the placeholders of a path, header value or body."""
    if template is None:
        return None
    values = dict(names.values, policy=target.default_policy)
    if callable(template):  # computed from the names (e.g. a TempURL signature)
        return template(values)
    if isinstance(template, bytes):
        for k, v in values.items():
            template = template.replace(b"{%s}" % k.encode(), v.encode("utf-8"))
        return template
    for k, v in values.items():
        template = template.replace("{%s}" % k, v)
    return template


def run_step(step: Step, target: Target, names: Names) -> Response:
    if step.s3 is not None:
        return _run_s3(step, target, names)
    headers: List[Tuple[str, HeaderValue]] = []
    for k, v in step.headers:
        if v == "{ec}":
            if target.ec_policy is None:
                continue
            v = target.ec_policy
        headers.append((expand(k, target, names), expand(v, target, names)))
    if step.user is not None and not any(k.lower() in ("x-auth-token", "x-storage-token")
                                         for k, _ in headers):
        headers.append(("X-Auth-Token", target.token(step.user)))
    return target.send(step.method, expand(step.path, target, names), headers,
                       expand(step.body, target, names))


def view(step: Step, resp: Response, normalizer: Normalizer) -> Dict[str, Any]:
    """What is compared of one step's response."""
    if not step.check:
        return {"step": "setup " + step.describe(), "status": resp.status}
    headers, body = resp.headers, resp.body
    ctype = resp.header("Content-Type") or ""
    boundary = re.search(r"boundary=\"?([^;\s\"]+)", ctype)
    if boundary:  # multipart boundaries are random: compare where they are, not what
        token = boundary.group(1)
        headers = [(k, v.replace(token, "<boundary>")) for k, v in headers]
        body = body.replace(token.encode("latin-1"), b"<boundary>")
    out = normalizer.body(body, ctype)
    # a shaped body compares a part, and a body naming a storage policy has
    # the length of that cluster's policy name: its length says nothing then
    ignore = step.ignore + (("content-length",) if step.shape or (
        isinstance(out, (str, list, dict)) and "<policy>" in json.dumps(out)) else ())
    seen = {"step": step.describe(), "status": resp.status,
            "headers": normalizer.headers(headers, ignore, not step.in_fresh_account),
            "body": step.shape(out) if step.shape else out}
    if step.order:
        # names whose values are not compared still have their place
        seen["header_order"] = normalizer.header_order(headers)
    return seen


def run_case(c: Case, target: Target, names: Names) -> List[Dict[str, Any]]:
    normalizer = Normalizer([target.url], target.policy_names, target.default_policy,
                            names.values)
    return [view(s, run_step(s, target, names), normalizer) for s in c.steps]
