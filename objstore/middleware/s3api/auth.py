"""From a WSGI environ to a parsed S3 signature and the auth hand-off.

s3api never knows secrets. It parses the signature here and hands the auth
middleware (tempauth) ``env['s3api.auth_details']``: the access key, the
string to sign, and ``check_signature(secret) -> bool``. The auth
middleware looks the user up, calls ``check_signature`` with that user's
key and, if it says yes, authenticates the request as that user. The
callable records whether it was called and what it answered, so s3api can
tell an unknown access key (``InvalidAccessKeyId``) from a wrong secret
(``SignatureDoesNotMatch``) when the auth middleware refuses.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

from objstore.common.http.wsgi_str import str_to_wsgi, wsgi_to_str
from objstore.middleware.s3api import sigv2, sigv4
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.request import raw_path

AUTH_DETAILS_KEY = "s3api.auth_details"
#: with ``AUTH_DETAILS_KEY``: the subrequest only learns who signed, and the
#: auth middleware may answer it itself once the signature is checked
#: (tempauth does; another passes it on, to the proxy's account ``OPTIONS``)
IDENTIFY_ONLY_KEY = "s3api.identify_only"
#: the request's header lines as the server received them, ``(name, value)``
RAW_HEADERS_ENV = "headers_raw"
MAX_SKEW_SECONDS = 15 * 60
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

Signature = Union[sigv4.V4Signature, sigv2.V2Signature]


def request_headers(env: Dict[str, Any]) -> Dict[str, str]:
    """Lower-case header names to values, from the WSGI environ.

    An ``x-amz-*`` header whose name holds ``_`` (``x-amz-meta-foo_bar``,
    which S3 keeps apart from ``x-amz-meta-foo-bar``) has no ``HTTP_`` key:
    WSGI cannot tell ``_`` from ``-`` there, so eventlet's server drops it.
    It is read from the header lines as received (``headers_raw``, which
    eventlet keeps), several of one name joined with ``,``; the client
    signed it, and it may be user metadata."""
    headers = {}
    for key, value in env.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").lower()] = str(value)
    for name, value in env.get(RAW_HEADERS_ENV) or ():
        name = name.strip().lower()
        if "_" in name and name.startswith("x-amz-"):
            headers[name] = headers[name] + "," + value if name in headers else value
    if env.get("CONTENT_TYPE"):
        headers["content-type"] = env["CONTENT_TYPE"]
    if env.get("CONTENT_LENGTH") not in (None, ""):
        headers["content-length"] = str(env["CONTENT_LENGTH"])
    return headers


def signing_headers(headers: Dict[str, str]) -> Dict[str, str]:
    """The header values as the client signed them.

    WSGI hands header values over as native strings, one character per wire
    byte, while clients sign the text the bytes encode (UTF-8, as S3
    documents for ``x-amz-meta-*``). A value that is not UTF-8 is left as it
    came.
    """
    out = {}
    for name, value in headers.items():
        try:
            out[name] = wsgi_to_str(value)
        except UnicodeDecodeError:
            out[name] = value
    return out


# Query parameters of a SigV4 presigned URL that are the signature itself.
_PRESIGN_PARAMS = frozenset(("x-amz-algorithm", "x-amz-credential", "x-amz-date",
                             "x-amz-expires", "x-amz-signedheaders", "x-amz-signature",
                             "x-amz-security-token"))


def with_hoisted_headers(headers: Dict[str, str], pairs: List[Tuple[str, str]]
                         ) -> Dict[str, str]:
    """``headers`` plus the ``x-amz-*`` headers a presigned URL carries as
    query parameters (SDKs "hoist" them there: ``?x-amz-acl=public-read``),
    which its signature covers as part of the canonical query; S3 applies
    them as if they were headers. A header actually sent wins."""
    out = dict(headers)
    for name, value in pairs:
        lname = name.lower()
        if lname.startswith("x-amz-") and lname not in _PRESIGN_PARAMS:
            out.setdefault(lname, str_to_wsgi(value))
    return out


def is_s3_request(env: Dict[str, Any]) -> bool:
    """Whether the request is signed the S3 way (header or presigned query)."""
    auth = env.get("HTTP_AUTHORIZATION", "")
    if auth.startswith("AWS4-HMAC-SHA256 ") or auth.startswith("AWS "):
        return True
    query = env.get("QUERY_STRING", "")
    return "X-Amz-Algorithm=" in query or "AWSAccessKeyId=" in query


def check_skew(signed_at: datetime, now: datetime) -> None:
    """``RequestTimeTooSkewed`` when the client's clock is off by over 15 minutes."""
    if abs((now - signed_at).total_seconds()) > MAX_SKEW_SECONDS:
        raise S3Error("RequestTimeTooSkewed",
                      RequestTime=signed_at.strftime("%Y%m%dT%H%M%SZ"),
                      ServerTime=now.strftime("%Y%m%dT%H%M%SZ"),
                      MaxAllowedSkewMilliseconds=str(MAX_SKEW_SECONDS * 1000))


def _v2_date(headers: Dict[str, str]) -> datetime:
    # an x-amz-date sent, even empty, is the date: Date is not read then
    text = headers["x-amz-date"] if "x-amz-date" in headers else headers.get("date", "")
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise S3Error("AccessDenied", "AWS authentication requires a valid Date or "
                      "x-amz-date header (RFC 1123).") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    if parsed < _EPOCH:
        raise S3Error("AccessDenied", "AWS authentication requires a valid Date or "
                      "x-amz-date header; %r is before 1970." % text)
    return parsed


SECURITY_TOKEN = "x-amz-security-token"


def refuse_session_token(names: Iterable[str]) -> None:
    """S3's ``InvalidToken`` when a request (header, presigned query or POST
    form field ``names``) carries a session token: objstore issues no
    temporary credentials (no STS), so no token can be valid, and signing
    the request with the key alone would ignore what the token limits."""
    if any(name.lower() == SECURITY_TOKEN for name in names):
        raise S3Error("InvalidToken", "The provided token is malformed or otherwise "
                      "invalid: this store has no temporary credentials (no STS); sign "
                      "with an access key and secret and send no x-amz-security-token.",
                      Token=SECURITY_TOKEN)


def parse_signature(env: Dict[str, Any], auth_path: str,
                    now: Optional[float] = None,
                    headers: Optional[Dict[str, str]] = None) -> Signature:
    """The request's signature, parsed and time-checked.

    ``auth_path`` is the path as V2 signs it (``/bucket/key`` even for a
    virtual-hosted request); ``headers``: ``request_headers(env)`` if the
    caller has them already.
    """
    now_ts = time.time() if now is None else now
    now_dt = datetime.fromtimestamp(now_ts, timezone.utc)
    headers = signing_headers(request_headers(env) if headers is None else headers)
    method = env["REQUEST_METHOD"]
    path_info = env.get("PATH_INFO", "")
    query_string = env.get("QUERY_STRING", "")
    pairs = sigv4.parse_query(query_string)
    refuse_session_token(list(headers) + [name for name, _ in pairs])
    auth = env.get("HTTP_AUTHORIZATION", "")
    if auth.startswith("AWS4-HMAC-SHA256 "):
        sig: Signature = sigv4.parse_authorization(auth, method, raw_path(env), path_info,
                                                   query_string, headers)
        check_skew(sigv4.parse_amz_date(sig.amz_date), now_dt)
        return sig
    if auth.startswith("AWS "):
        sig = sigv2.parse_authorization(auth, method, auth_path, pairs, headers)
        check_skew(_v2_date(headers), now_dt)
        return sig
    names = {k for k, _ in pairs}
    if "X-Amz-Algorithm" in names:
        return sigv4.parse_presigned(pairs, method, raw_path(env), path_info, headers,
                                     now_dt)
    if "AWSAccessKeyId" in names:
        return sigv2.parse_presigned(method, auth_path, pairs, headers, now_ts)
    raise S3Error("AccessDenied", "The request is not signed.")


@dataclass
class AuthState:
    """What the auth middleware did with ``check_signature``."""

    called: bool = False
    verified: bool = False


class AuthDetails(dict):  # type: ignore[type-arg]
    """``s3api.auth_details``: a dict whose costly values (the string to sign
    and the canonical request, which only a refusal shows the client) are
    made when first read, by the zero-argument callables in ``lazy``."""

    def __init__(self, lazy: Dict[str, Callable[[], Any]], **values: Any) -> None:
        super().__init__(**values)
        self._lazy = lazy

    def __missing__(self, key: str) -> Any:
        make = self._lazy.get(key)
        if make is None:
            raise KeyError(key)
        value = self[key] = make()
        return value

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or key in self._lazy

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


def make_auth_details(sig: Signature) -> Tuple[Dict[str, Any], AuthState]:
    """The ``s3api.auth_details`` dict for the auth middleware, and its outcome."""
    state = AuthState()

    def check_signature(secret: str) -> bool:
        state.called = True
        state.verified = bool(sig.check(secret))
        return state.verified

    lazy: Dict[str, Callable[[], Any]]
    if isinstance(sig, sigv4.V4Signature):
        v4 = sig
        lazy = {"string_to_sign": lambda: v4.candidates()[0],
                "canonical_request": v4.canonical}
    else:
        v2 = sig
        lazy = {"string_to_sign": lambda: v2.strings_to_sign[0],
                "canonical_request": lambda: None}
    return (AuthDetails(lazy, access_key=sig.access_key, signature=sig.signature,
                        check_signature=check_signature), state)
