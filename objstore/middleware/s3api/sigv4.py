"""AWS Signature Version 4 for S3, as pure functions over strings.

Nothing here reads a socket or a WSGI environ: the middleware collects the
method, path, query pairs and headers and these functions build the
canonical request, the string to sign and the signature, so every rule of
the spec can be tested against a real client's signer. The secret is not
known here either: ``V4Signature.check(secret)`` is what the auth
middleware calls once it has looked the access key up.

Why the canonical URI is tried in two spellings: S3 signs the path exactly
as the client encoded it on the wire (botocore sends its own encoding),
while other SDKs sign the RFC 3986 encoding of the decoded key. Accepting
either keeps both kinds of client working without weakening anything:
both are computed from the same request.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Dict, List, Optional, Sequence, Tuple
from urllib.parse import quote, unquote

from objstore.middleware.s3api import errors
from objstore.middleware.s3api.errors import S3Error

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_PAYLOAD_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
STREAMING_PAYLOADS = (STREAMING_PAYLOAD, STREAMING_PAYLOAD_TRAILER, STREAMING_UNSIGNED_TRAILER)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_PRESIGNED_EXPIRES = 7 * 24 * 3600
_INT64_MAX = 2 ** 63 - 1
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_AMZ_DATE = re.compile(r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z\Z", re.ASCII)
#: derived keys kept per worker: one per (user, day, region, service) in use
SIGNING_KEYS_KEPT = 256


def uri_encode(text: str, encode_slash: bool = True) -> str:
    """RFC 3986 percent-encoding the way SigV4 wants it (UTF-8, unreserved kept)."""
    return quote(text.encode("utf-8"), safe="-_.~" if encode_slash else "-_.~/")


def parse_query(query_string: str) -> List[Tuple[str, str]]:
    """Decoded ``(name, value)`` pairs, in order; ``+`` is kept literally as S3 does."""
    pairs = []
    for item in query_string.split("&"):
        if not item:
            continue
        name, _, value = item.partition("=")
        pairs.append((unquote(name), unquote(value)))
    return pairs


def canonical_query(pairs: Sequence[Tuple[str, str]], skip: Sequence[str] = ()) -> str:
    """Encode every name and value, sort by name then value, join with ``&``."""
    encoded = sorted((uri_encode(k), uri_encode(v)) for k, v in pairs if k not in skip)
    return "&".join("%s=%s" % kv for kv in encoded)


def trim_all(value: str) -> str:
    """Strip and collapse runs of spaces, as canonical header values require."""
    return " ".join(value.split())


def canonical_request(method: str, canonical_uri: str, canonical_qs: str,
                      headers: Dict[str, str], signed_headers: Sequence[str],
                      payload_hash: str) -> str:
    """The canonical request; ``headers`` maps lower-case names to values."""
    lines = ["%s:%s" % (name, trim_all(headers.get(name, ""))) for name in signed_headers]
    return "\n".join([method, canonical_uri, canonical_qs, "\n".join(lines) + "\n",
                      ";".join(signed_headers), payload_hash])


def string_to_sign(amz_date: str, scope: str, canonical: str) -> str:
    """``AWS4-HMAC-SHA256`` / date / scope / hash of the canonical request."""
    return "\n".join([ALGORITHM, amz_date, scope,
                      hashlib.sha256(canonical.encode("utf-8")).hexdigest()])


@functools.lru_cache(maxsize=SIGNING_KEYS_KEPT)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """The derived key: HMAC chain over date, region, service, ``aws4_request``.

    The same for every request a user signs on one day, so it is derived
    once per worker and day (four HMACs a request less); the signature
    itself is still computed and compared for every request."""
    key = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def sign(key: bytes, text: str) -> str:
    """Hex HMAC-SHA256 of ``text``."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def same_signature(expected: str, given: str) -> bool:
    """Constant-time comparison that any client text can reach: a signature
    holding non-ASCII characters is simply wrong (``hmac.compare_digest``
    refuses non-ASCII ``str``, which would surface as a 500)."""
    return hmac.compare_digest(expected.encode("utf-8"),
                               given.encode("utf-8", "surrogateescape"))


# x-amz-* headers that need not be in SignedHeaders: the payload hash is
# covered anyway (it is the last line of the canonical request).
_UNSIGNED_OK = ("x-amz-content-sha256",)


def check_all_amz_signed(headers: Dict[str, str], signed: Sequence[str]) -> None:
    """``AccessDenied`` unless every ``x-amz-*`` header sent is signed.

    Without this, whoever holds a signed request or presigned URL could add
    ``x-amz-copy-source``, ``x-amz-acl``, ``x-amz-tagging`` or metadata the
    signer never agreed to (a presigned PUT turned into a copy of any object
    the signer can read).
    """
    unsigned = sorted(name for name in headers
                      if name.startswith("x-amz-") and name not in signed
                      and name not in _UNSIGNED_OK)
    if unsigned:
        raise S3Error("AccessDenied", "There were headers present in the request which "
                      "were not signed", HeadersNotSigned=", ".join(unsigned))


def chunk_string_to_sign(amz_date: str, scope: str, previous_signature: str,
                         chunk_sha256_hex: str) -> str:
    """What each aws-chunked chunk signature covers (chained to the previous one)."""
    return "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous_signature,
                      EMPTY_SHA256, chunk_sha256_hex])


def trailer_string_to_sign(amz_date: str, scope: str, previous_signature: str,
                           trailer_text: str) -> str:
    """What ``x-amz-trailer-signature`` covers: the trailer lines, each ending in LF."""
    return "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, previous_signature,
                      hashlib.sha256(trailer_text.encode("utf-8")).hexdigest()])


def mismatch(access_key: str, text_to_sign: str, provided: str,
             canonical: Optional[str] = None) -> S3Error:
    """``SignatureDoesNotMatch`` with the details S3 gives so a client can
    see what the server signed (nothing secret: the secret never appears)."""
    def spaced_hex(text: str) -> str:
        return " ".join("%02x" % b for b in text.encode("utf-8"))
    extra = {"AWSAccessKeyId": access_key, "StringToSign": text_to_sign,
             "SignatureProvided": provided, "StringToSignBytes": spaced_hex(text_to_sign)}
    if canonical is not None:
        extra.update(CanonicalRequest=canonical, CanonicalRequestBytes=spaced_hex(canonical))
    return S3Error("SignatureDoesNotMatch", **extra)


def parse_amz_date(value: str) -> datetime:
    """``20240101T000000Z`` as an aware datetime; ``ValueError`` if malformed.

    The usual spelling (every digit there) is read directly, the rest by
    ``strptime`` (what it accepts or refuses is the rule), which costs
    about ten times as much."""
    found = _AMZ_DATE.match(value)
    if found is not None:
        try:
            return datetime(*(int(part) for part in found.groups()), tzinfo=timezone.utc)
        except ValueError:
            pass  # out of range: strptime's error
    return datetime.strptime(value, AMZ_DATE_FORMAT).replace(tzinfo=timezone.utc)


@dataclass
class Credential:
    """The parts of ``<key>/<date>/<region>/<service>/aws4_request``."""

    access_key: str
    date: str
    region: str
    service: str

    @property
    def scope(self) -> str:
        return "%s/%s/%s/aws4_request" % (self.date, self.region, self.service)


def parse_credential(value: str, error_code: str) -> Credential:
    """Split a credential; the access key may itself hold ``/``-free ``:``."""
    parts = value.split("/")
    if len(parts) < 5 or parts[-1] != "aws4_request" or not parts[0]:
        raise S3Error(error_code, "The credential %r should be "
                      "<access key>/<yyyymmdd>/<region>/s3/aws4_request." % value)
    access_key = "/".join(parts[:-4])
    date, region, service = parts[-4:-1]
    if not re.match(r"^\d{8}$", date):
        raise S3Error(error_code, "The credential date %r should be yyyymmdd." % date)
    return Credential(access_key, date, region, service)


@dataclass
class V4Signature:
    """A parsed SigV4 request, ready to check against a secret.

    ``canonical_uris`` holds the spellings of the path to try (see the
    module docstring). After a successful ``check`` the derived
    ``key`` is kept so aws-chunked chunk signatures can be verified.
    """

    credential: Credential
    amz_date: str
    signed_headers: List[str]
    signature: str
    method: str
    canonical_uris: List[str]
    canonical_qs: str
    headers: Dict[str, str]
    payload_hash: str
    presigned: bool = False
    key: Optional[bytes] = field(default=None, repr=False)
    string_to_sign: str = ""
    _canonicals: Optional[List[str]] = field(default=None, repr=False)
    _candidates: Optional[List[str]] = field(default=None, repr=False)

    @property
    def access_key(self) -> str:
        return self.credential.access_key

    def _canonical_requests(self) -> List[str]:
        if self._canonicals is None:
            self._canonicals = [canonical_request(self.method, uri, self.canonical_qs,
                                                  self.headers, self.signed_headers,
                                                  self.payload_hash)
                                for uri in self.canonical_uris]
        return self._canonicals

    def canonical(self) -> str:
        """The canonical request (of the path as sent), for an error's details."""
        return self._canonical_requests()[0]

    def candidates(self) -> List[str]:
        """The strings to sign for each spelling of the path (built once)."""
        if self._candidates is None:
            scope = self.credential.scope
            self._candidates = [string_to_sign(self.amz_date, scope, canonical)
                                for canonical in self._canonical_requests()]
        return self._candidates

    def check(self, secret: str) -> bool:
        """Whether ``secret`` produced the signature; remembers the key if so."""
        cred = self.credential
        key = signing_key(secret, cred.date, cred.region, cred.service)
        for sts in self.candidates():
            if same_signature(sign(key, sts), self.signature):
                self.key = key
                self.string_to_sign = sts
                return True
        return False


def canonical_uris(raw_path: Optional[str], path_info: str) -> List[str]:
    """The wire path as sent, and the RFC 3986 encoding of the decoded path."""
    uris = []
    if raw_path:
        uris.append(raw_path)
    encoded = uri_encode(path_info, encode_slash=False)
    if encoded not in uris:
        uris.append(encoded)
    return uris


def _split_auth_params(text: str) -> Dict[str, str]:
    params = {}
    for item in re.split(r"\s*,\s*", text.strip()):
        name, sep, value = item.partition("=")
        if not sep:
            raise S3Error("AuthorizationHeaderMalformed",
                          "The Authorization header part %r is not name=value." % item)
        params[name.strip()] = value.strip()
    return params


def parse_authorization(header: str, method: str, raw_path: Optional[str],
                        path_info: str, query_string: str,
                        headers: Dict[str, str]) -> V4Signature:
    """Parse an ``AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...``
    header. ``headers`` maps lower-case names to values."""
    algorithm, _, rest = header.partition(" ")
    if algorithm != ALGORITHM:
        raise S3Error("AuthorizationHeaderMalformed",
                      "Unsupported algorithm %r; use %s." % (algorithm, ALGORITHM))
    params = _split_auth_params(rest)
    for needed in ("Credential", "SignedHeaders", "Signature"):
        if needed not in params:
            raise S3Error("AuthorizationHeaderMalformed",
                          "The Authorization header has no %s." % needed)
    credential = parse_credential(params["Credential"], "AuthorizationHeaderMalformed")
    amz_date = headers.get("x-amz-date") or ""
    if not amz_date:
        raise S3Error("AccessDenied", "AWS authentication requires a valid Date or "
                      "x-amz-date header: Signature Version 4 needs X-Amz-Date.")
    try:
        parse_amz_date(amz_date)
    except ValueError:
        raise S3Error("AccessDenied", "AWS authentication requires a valid Date or "
                      "x-amz-date header: X-Amz-Date %r is not yyyymmddThhmmssZ."
                      % amz_date) from None
    if amz_date[:8] != credential.date:
        raise S3Error("AuthorizationHeaderMalformed",
                      "The credential date %s does not match X-Amz-Date %s."
                      % (credential.date, amz_date))
    signed = [h.strip().lower() for h in params["SignedHeaders"].split(";") if h.strip()]
    if "host" not in signed:
        raise S3Error("AuthorizationHeaderMalformed", "SignedHeaders must include host.")
    check_all_amz_signed(headers, signed)
    payload_hash = headers.get("x-amz-content-sha256")
    if not payload_hash:
        raise S3Error("InvalidRequest", errors.MISSING_CONTENT_SHA256)
    if payload_hash not in (UNSIGNED_PAYLOAD,) + STREAMING_PAYLOADS \
            and not _HEX64.match(payload_hash):
        raise S3Error("InvalidArgument", errors.INVALID_CONTENT_SHA256 % ", ".join(
            (UNSIGNED_PAYLOAD,) + STREAMING_PAYLOADS),
            ArgumentName="x-amz-content-sha256", ArgumentValue=payload_hash)
    return V4Signature(credential, amz_date, signed, params["Signature"].lower(),
                       method, canonical_uris(raw_path, path_info),
                       canonical_query(parse_query(query_string)), headers, payload_hash)


def parse_presigned(pairs: Sequence[Tuple[str, str]], method: str, raw_path: Optional[str],
                    path_info: str, headers: Dict[str, str], now: datetime) -> V4Signature:
    """Parse ``X-Amz-*`` presigned query parameters; raises ``AccessDenied`` when
    the URL has expired (as S3 does) and ``AuthorizationQueryParametersError``
    when it is malformed."""
    query = dict(pairs)
    bad = "AuthorizationQueryParametersError"
    if query.get("X-Amz-Algorithm") != ALGORITHM:
        raise S3Error(bad, "X-Amz-Algorithm must be %s." % ALGORITHM)
    for needed in ("X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                   "X-Amz-SignedHeaders", "X-Amz-Signature"):
        if not query.get(needed):
            raise S3Error(bad, "The presigned URL has no %s." % needed)
    credential = parse_credential(query["X-Amz-Credential"], bad)
    try:
        signed_at = parse_amz_date(query["X-Amz-Date"])
    except ValueError:
        raise S3Error(bad, "X-Amz-Date must be yyyymmddThhmmssZ.") from None
    try:
        expires = int(query["X-Amz-Expires"])
    except ValueError:
        expires = None
    if expires is None or expires > _INT64_MAX:  # S3 reads it as a 64-bit integer
        raise S3Error(bad, "X-Amz-Expires should be a number")
    if expires < 0:
        raise S3Error(bad, "X-Amz-Expires must be non-negative")
    if expires > MAX_PRESIGNED_EXPIRES:
        raise S3Error(bad, "X-Amz-Expires must be less than %d seconds (a week)"
                      % MAX_PRESIGNED_EXPIRES)
    age = (now - signed_at).total_seconds()
    if age > expires:
        raise S3Error("AccessDenied", "Request has expired; presign a new URL.",
                      XAmzExpires=str(expires), Expires=signed_at.isoformat(),
                      ServerTime=now.isoformat())
    if age < -15 * 60:
        raise S3Error("AccessDenied", "The presigned URL is dated in the future.")
    signed = [h.strip().lower() for h in query["X-Amz-SignedHeaders"].split(";") if h]
    check_all_amz_signed(headers, signed)
    payload_hash = headers.get("x-amz-content-sha256") or UNSIGNED_PAYLOAD
    return V4Signature(credential, query["X-Amz-Date"], signed,
                       query["X-Amz-Signature"].lower(), method,
                       canonical_uris(raw_path, path_info),
                       canonical_query(pairs, skip=("X-Amz-Signature",)), headers,
                       payload_hash, presigned=True)
