"""POST Object: browser form uploads with a signed policy document.

A browser sends ``POST /<bucket>`` as ``multipart/form-data``: form fields
(``key``, ``policy``, the signature fields, ``Content-Type``, ``acl``,
``x-amz-meta-*``, ``success_action_status`` / ``success_action_redirect``,
``tagging``, ``x-amz-checksum-*``, ...) and then the ``file``. The body is
read as a stream (``objstore.common.form_data``): the fields before the
file are held (at most ``MAX_FIELDS_BYTES``), the file is never held but
streamed into the same PutObject path a signed PUT takes, and fields after
it are ignored, as in S3.

The signature is over the base64 policy document: SigV4
(``x-amz-algorithm``/``x-amz-credential``/``x-amz-date``/``x-amz-signature``,
HMAC-SHA256 with the derived key) or V2 (``AWSAccessKeyId``/``signature``,
HMAC-SHA1); the auth middleware checks it with the user's secret as for
any S3 request. The policy's ``expiration`` must be in the future and every
condition must hold (``eq`` / exact match, ``starts-with``,
``content-length-range``; the ``bucket`` condition against the bucket);
every form field but ``policy``, the signature, ``file`` and ``x-ignore-*``
must be named by a condition. A form without credentials is anonymous: it
may write only where the bucket policy allows it or the bucket is
``public-read-write``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hmac
import json
import re
from datetime import datetime, timezone
from typing import Any, Dict, Optional, Tuple
from urllib.parse import quote, urlencode, urlsplit, urlunsplit, parse_qsl

from webob import Response

from objstore.common.form_data import FormDataError, FormDataReader, Part, boundary_of
from objstore.middleware.s3api import (access, acl_checks, header_audit, objects, ownership,
                                       public, sigv2, sigv4, tagging)
from objstore.middleware.s3api import auth
from objstore.middleware.s3api.auth import AuthState
from objstore.middleware.s3api.context import S3Config, S3Context
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.request import S3Target, valid_bucket_name, split_host
from objstore.middleware.s3api.xml import render

MAX_FIELDS_BYTES = 64 * 1024
# Fields that are the signature itself, or that S3 never asks a condition for.
_UNCHECKED = ("policy", "x-amz-signature", "signature", "awsaccesskeyid", "file")
# Form fields that become request headers of the PutObject (others are
# x-amz-meta-*, x-amz-checksum-*, x-amz-server-side-encryption*, ... by prefix).
_HEADER_FIELDS = {"content-type": "content-type", "cache-control": "cache-control",
                  "content-disposition": "content-disposition",
                  "content-encoding": "content-encoding", "expires": "expires",
                  "acl": "x-amz-acl", "content-md5": "content-md5"}
_HEADER_PREFIXES = ("x-amz-meta-", "x-amz-checksum-", "x-amz-server-side-encryption",
                    "x-amz-storage-class", "x-amz-website-redirect-location",
                    "x-amz-object-lock-", "x-amz-grant-", "x-amz-expected-bucket-owner")
DEFAULT_TYPE = "binary/octet-stream"


@dataclasses.dataclass
class PostSignature:
    """The credentials of a signed form; ``check(secret)`` verifies the
    signature over the base64 policy."""

    access_key: str
    signature: str
    policy: str
    credential: Optional[sigv4.Credential] = None  # None: V2
    presigned: bool = False

    def check(self, secret: str) -> bool:
        cred = self.credential
        if cred is not None:
            key = sigv4.signing_key(secret, cred.date, cred.region, cred.service)
            return sigv4.same_signature(sigv4.sign(key, self.policy), self.signature)
        expected = sigv2.sign(secret, self.policy).encode()
        return hmac.compare_digest(expected, self.signature.encode("utf-8", "replace"))


@dataclasses.dataclass
class Form:
    """The fields before the file (names lower-cased) and the file part."""

    fields: Dict[str, str]
    file: Part
    signature: Optional[PostSignature]


def is_form_upload(env: Dict[str, Any], conf: S3Config) -> bool:
    """Whether an unsigned request is a browser form upload to a bucket."""
    if env.get("REQUEST_METHOD") != "POST" or env.get("QUERY_STRING"):
        return False
    if boundary_of(env.get("CONTENT_TYPE", "")) is None:
        return False
    if "HTTP_X_AUTH_TOKEN" in env or "HTTP_X_STORAGE_TOKEN" in env:
        return False
    path = env.get("PATH_INFO", "").strip("/")
    if conf.storage_domains and split_host(env.get("HTTP_HOST", ""), conf.storage_domains):
        return path == ""
    return "/" not in path and path not in public.SWIFT_ROOTS and valid_bucket_name(path)


def read_form(env: Dict[str, Any]) -> Form:
    """Read the fields up to the file; the file part is left unread."""
    boundary = boundary_of(env.get("CONTENT_TYPE", "")) or ""
    reader = FormDataReader(env["wsgi.input"], boundary)
    fields: Dict[str, str] = {}
    total = 0
    try:
        for part in reader.parts():
            name = part.name.lower()
            if name == "file":
                return Form(fields, part, _signature(fields))
            value = part.read_all(MAX_FIELDS_BYTES + 1)
            total += len(value) + len(name)
            if total > MAX_FIELDS_BYTES:
                raise S3Error("MaxPostPreDataLengthExceededError", status=400)
            if name not in fields:
                fields[name] = value.decode("utf-8", "replace")
    except FormDataError as err:
        raise S3Error("MalformedPOSTRequest", "The body of your POST request is not "
                      "well-formed multipart/form-data (%s)." % err) from None
    raise S3Error("InvalidArgument", "POST requires exactly one file upload per request.",
                  ArgumentName="file", ArgumentValue="0")


def _signature(fields: Dict[str, str]) -> Optional[PostSignature]:
    auth.refuse_session_token(fields)
    policy = fields.get("policy")
    if "x-amz-signature" in fields or "x-amz-credential" in fields:
        algorithm = fields.get("x-amz-algorithm", "")
        if algorithm != "AWS4-HMAC-SHA256":
            raise S3Error("InvalidArgument", "x-amz-algorithm must be AWS4-HMAC-SHA256 "
                          "(got %r)." % algorithm, ArgumentName="x-amz-algorithm",
                          ArgumentValue=algorithm)
        for name in ("x-amz-credential", "x-amz-signature", "x-amz-date"):
            _need(fields, name)
        cred = sigv4.parse_credential(fields["x-amz-credential"], "InvalidArgument")
        _need(fields, "policy")
        sigv4.parse_amz_date(fields["x-amz-date"])
        return PostSignature(cred.access_key, fields["x-amz-signature"], policy or "", cred)
    if "awsaccesskeyid" in fields or "signature" in fields:
        for name in ("awsaccesskeyid", "signature", "policy"):
            _need(fields, name)
        return PostSignature(fields["awsaccesskeyid"], fields["signature"], policy or "")
    if policy is not None:
        _need(fields, "awsaccesskeyid")
    return None


def _need(fields: Dict[str, str], name: str) -> None:
    if not fields.get(name):
        spelled = {"awsaccesskeyid": "AWSAccessKeyId"}.get(name, name)
        raise S3Error("InvalidArgument", "Bucket POST must contain a field named '%s'.  If "
                      "it is specified, please check the order of the fields." % spelled,
                      ArgumentName=spelled, ArgumentValue="")


def auth_details(sig: PostSignature) -> Tuple[Dict[str, Any], AuthState]:
    """``s3api.auth_details`` for the auth middleware (see ``auth.py``)."""
    state = AuthState()

    def check_signature(secret: str) -> bool:
        state.called = True
        state.verified = bool(sig.check(secret))
        return state.verified

    return ({"access_key": sig.access_key, "signature": sig.signature,
             "string_to_sign": sig.policy, "check_signature": check_signature}, state)


# -- the policy document ------------------------------------------------------

def _denied(message: str) -> S3Error:
    return S3Error("AccessDenied", "Invalid according to Policy: " + message)


#: the policy's ``expiration``: an ISO 8601 date and time as S3 takes it
#: (``2026-12-06T12:00:00Z``, ``...:00.000Z``; no zone is UTC); Python's
#: looser forms (a space for the ``T``, a date alone) are refused as S3 does
_EXPIRATION = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?")


def _expiration(value: Any) -> datetime:
    """The policy's ``expiration`` as an aware datetime, or S3's 400."""
    text = str(value)
    if _EXPIRATION.fullmatch(text):
        # at most microseconds for fromisoformat; a finer fraction changes nothing
        text = re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    raise S3Error("InvalidPolicyDocument",
                  "Invalid Policy: Invalid 'expiration' value: '%s'" % value)


def check_policy(policy_b64: str, fields: Dict[str, str], bucket: str,
                 now: Optional[datetime] = None) -> Tuple[int, Optional[int]]:
    """Check the policy against the form; ``(min, max)`` of its
    ``content-length-range`` (max ``None`` when there is none)."""
    try:
        doc = json.loads(base64.b64decode(policy_b64, validate=True))
    except (binascii.Error, ValueError):
        raise S3Error("InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
    if not isinstance(doc, dict):
        raise S3Error("InvalidPolicyDocument", "Invalid Policy: Invalid JSON.")
    if "expiration" not in doc:
        raise S3Error("InvalidPolicyDocument", "Invalid Policy: Policy missing expiration.")
    if not isinstance(doc.get("conditions"), list):
        raise S3Error("InvalidPolicyDocument", "Invalid Policy: Policy missing conditions.")
    expires = _expiration(doc["expiration"])
    if expires <= (now or datetime.now(timezone.utc)):
        raise _denied("Policy expired.")
    values = dict(fields, bucket=bucket)
    covered = set()
    low, high = 0, None
    for condition in doc["conditions"]:
        if isinstance(condition, dict) and len(condition) == 1:
            name, wanted = next(iter(condition.items()))
            condition = ["eq", "$" + name, wanted]
        if not isinstance(condition, list) or len(condition) != 3:
            raise S3Error("InvalidPolicyDocument", "Invalid Policy: Invalid Condition: %s"
                          % json.dumps(condition))
        op = str(condition[0]).lower()
        if op == "content-length-range":
            try:
                low, high = int(condition[1]), int(condition[2])
            except (TypeError, ValueError):
                raise S3Error("InvalidPolicyDocument", "Invalid Policy: Invalid "
                              "content-length-range: %s" % json.dumps(condition)) from None
            continue
        field = str(condition[1])
        if op not in ("eq", "starts-with") or not field.startswith("$"):
            raise S3Error("InvalidPolicyDocument", "Invalid Policy: Invalid Condition: %s"
                          % json.dumps(condition))
        name = field[1:].lower()
        covered.add(name)
        given = values.get(name, "")
        wanted = str(condition[2])
        if op == "starts-with" and name == "content-type":
            # S3 takes a comma-separated list of types, each with the prefix.
            ok = all(t.strip().startswith(wanted) for t in given.split(","))
        else:
            ok = given == wanted if op == "eq" else given.startswith(wanted)
        if not ok:
            raise _denied("Policy Condition failed: %s" % json.dumps(condition))
    for name in fields:
        if name not in covered and name not in _UNCHECKED and not name.startswith("x-ignore-"):
            raise _denied("Extra input fields: %s" % name)
    return low, high


class _SizedFile:
    """The file part as ``wsgi.input``, refusing a size outside the policy's
    ``content-length-range`` (the check at the end runs before the last byte
    is handed on, so nothing is stored)."""

    def __init__(self, part: Part, low: int, high: Optional[int]) -> None:
        self.part, self.low, self.high, self.seen = part, low, high, 0

    def read(self, size: int = 65536) -> bytes:
        data = self.part.read(size if size and size > 0 else 65536)
        self.seen += len(data)
        if self.high is not None and self.seen > self.high:
            raise S3Error("EntityTooLarge", "Your proposed upload exceeds the maximum "
                          "allowed size", ProposedSize=str(self.seen),
                          MaxSizeAllowed=str(self.high))
        if not data and self.seen < self.low:
            raise S3Error("EntityTooSmall", "Your proposed upload is smaller than the "
                          "minimum allowed size", ProposedSize=str(self.seen),
                          MinSizeAllowed=str(self.low))
        return data


def _headers(fields: Dict[str, str]) -> Dict[str, str]:
    out = {"content-type": DEFAULT_TYPE}
    for name, value in fields.items():
        if name in _HEADER_FIELDS:
            out[_HEADER_FIELDS[name]] = value
        elif name.startswith(_HEADER_PREFIXES):
            out[name] = value
    if "tagging" in fields:
        out["x-amz-tagging"] = tagging.parse_xml(fields["tagging"].encode("utf-8"))
    return out


def _key(fields: Dict[str, str], filename: Optional[str]) -> str:
    key = fields.get("key")
    if not key:
        _need(fields, "key")
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return (key or "").replace("${filename}", base)


def post_object(ctx: S3Context) -> Response:
    """POST Object: store the form's file under its ``key``."""
    form: Form = ctx.extra["form"]
    fields = form.fields
    signed = form.signature is not None
    if signed:
        ctx.swift.authenticate()  # the auth middleware checks the policy's signature
    key = _key(fields, form.file.filename)
    low, high = 0, None
    if "policy" in fields:
        # the policy holds for the key the object gets (${filename} replaced)
        low, high = check_policy(fields["policy"], dict(fields, key=key), ctx.bucket)
    headers = _headers(fields)
    env = {k: v for k, v in ctx.env.items() if k not in ("CONTENT_LENGTH",)}
    env.update({"wsgi.input": _SizedFile(form.file, low, high),
                "HTTP_TRANSFER_ENCODING": "chunked", "REQUEST_METHOD": "PUT"})
    put = dataclasses.replace(ctx, env=env, headers=headers,
                              target=S3Target(ctx.bucket, key))
    put.extra["post_object"] = True
    if not access.enforce(put, objects.put_object, signed) and not signed:
        acl_checks.allow_anonymous_write(put)
    confirmed = header_audit.audit(put, objects.put_object)
    ownership.check_write_acl(put)
    stored = objects.put_object(put)
    stored.headers.update(confirmed)
    return _answer(ctx, fields, key, stored)


def _answer(ctx: S3Context, fields: Dict[str, str], key: str, stored: Response) -> Response:
    etag = stored.headers.get("ETag", "")
    host = ctx.env.get("HTTP_HOST") or ctx.env.get("SERVER_NAME", "")
    location = "%s://%s/%s/%s" % (ctx.env.get("wsgi.url_scheme", "http"), host,
                                  quote(ctx.bucket), quote(key, safe="/~"))
    redirect = fields.get("success_action_redirect") or fields.get("redirect")
    target = urlsplit(redirect) if redirect else None
    if target is not None and target.scheme in ("http", "https") and target.netloc:
        query = parse_qsl(target.query, keep_blank_values=True) + [
            ("bucket", ctx.bucket), ("key", key), ("etag", etag)]
        out = Response(status=303)
        out.headers["Location"] = urlunsplit(target._replace(query=urlencode(query)))
    else:
        status = fields.get("success_action_status", "")
        if status == "201":
            out = Response(status=201, content_type="application/xml", charset=None,
                           body=render("PostResponse", [
                               ("Location", location), ("Bucket", ctx.bucket),
                               ("Key", key), ("ETag", etag)], namespace=False))
        else:
            out = Response(status=200 if status == "200" else 204)
        out.headers["Location"] = location
    for name, value in stored.headers.items():
        if name.lower() == "etag" or name.lower().startswith("x-amz-"):
            out.headers[name] = value
    return out
