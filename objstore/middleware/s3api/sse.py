"""Server-side encryption seen from S3: SSE-C (customer-provided keys) and
the ``x-amz-server-side-encryption`` answers of SSE-S3.

Both rest on the ``encryption`` middleware after s3api (``keymaster`` +
``encryption``; docs/encryption.md): every object body is AES-256-CTR
encrypted there with a random body key. For SSE-C, s3api hands the
customer's key to that middleware in the subrequest's environ
(``objstore.common.crypto.CUSTOMER_KEY``) and the body key is wrapped by a key
derived from both the root secret's object key and the customer's key, so
the body cannot be read without the customer's key; the key itself is
never stored. s3api keeps, per object (and per upload marker, manifest
and part), ``x-object-sysmeta-s3api-sse-c``: the algorithm, a random salt
and HMAC-SHA256(customer key, salt) -- a salted fingerprint that lets it
answer S3's errors (400 without the key, 403 with another one) before any
byte is read, also for a multipart object whose manifest has no body of
its own to decrypt. The encryption middleware checks the key again (its
own check of the derived key) before it decrypts a body.

S3 refuses SSE-C over plain HTTP (the key would travel in clear). objstore
serves HTTP; ``sse_c_over_http`` in ``[filter:s3api]`` decides: ``loopback``
(the default: a TLS terminator on the same host, or a local client),
``true`` (anywhere: only behind a TLS terminator on another host) or
``false`` (``https`` only, as S3).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import os
from dataclasses import dataclass
from typing import Any, Dict, Optional

from objstore.common.crypto import CUSTOMER_KEY, CUSTOMER_KEY_ERROR, ENCRYPTED_HEADER, KEY_LENGTH
from objstore.middleware.s3api.context import S3Context
from objstore.middleware.s3api.errors import S3Error

ALGORITHM = "AES256"
SSE_HEADER = "x-amz-server-side-encryption"
_PREFIX = "x-amz-server-side-encryption-customer-"
_COPY_PREFIX = "x-amz-copy-source-server-side-encryption-customer-"
ALGORITHM_HEADER = _PREFIX + "algorithm"
KEY_HEADER = _PREFIX + "key"
MD5_HEADER = _PREFIX + "key-md5"
#: The spelling S3 answers with.
MD5_RESPONSE_HEADER = "x-amz-server-side-encryption-customer-key-MD5"
SYSMETA = "x-object-sysmeta-s3api-sse-c"
BUCKET_KEY_HEADER = "x-amz-server-side-encryption-bucket-key-enabled"
#: ``true`` on an object written with an S3 Bucket Key (asked for, or the
#: bucket's default encryption rule's ``BucketKeyEnabled``).
BUCKET_KEY_SYSMETA = "x-object-sysmeta-s3api-bucket-key"
_ENCRYPTED = ENCRYPTED_HEADER.lower()
_KEY_ERROR = CUSTOMER_KEY_ERROR.lower()
_SALT_BYTES = 16
_CACHE = "sse_c_keys"

HTTP_CHOICES = ("loopback", "true", "false")

# S3's messages.
_NEEDS = "Requests specifying Server Side Encryption with Customer provided keys must "
MISSING_KEY_ON_READ = ("The object was stored using a form of Server Side Encryption. The "
                       "correct parameters must be provided to retrieve the object.")
NOT_APPLICABLE = "The encryption parameters are not applicable to this object."
MISMATCH = ("The provided encryption parameters did not match the ones used originally "
            "(this is not the customer key the object was written with).")


@dataclass(frozen=True)
class CustomerKey:
    """A validated SSE-C key of a request (or of its copy source)."""

    key: bytes
    key_md5: str  # base64, as the client sent it

    def env(self) -> Dict[str, Any]:
        """What a subrequest's environ carries for the encryption middleware."""
        return {CUSTOMER_KEY: self.key}

    def response_headers(self) -> Dict[str, str]:
        return {ALGORITHM_HEADER: ALGORITHM, MD5_RESPONSE_HEADER: self.key_md5}

    def fingerprint(self) -> str:
        """``AES256 <salt> <HMAC(key, salt)>`` (base64): kept with the object."""
        salt = os.urandom(_SALT_BYTES)
        mac = hmac.new(self.key, salt, hashlib.sha256).digest()
        return "%s %s %s" % (ALGORITHM, _b64(salt), _b64(mac))

    def matches(self, stored: str) -> bool:
        parts = stored.split()
        if len(parts) != 3:
            return False
        try:
            salt = base64.b64decode(parts[1], validate=True)
            mac = base64.b64decode(parts[2], validate=True)
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(hmac.new(self.key, salt, hashlib.sha256).digest(), mac)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _parse(headers: Dict[str, str], prefix: str) -> Optional[CustomerKey]:
    """The key named by the three ``prefix*`` headers, ``None`` if none is
    there; S3's ``InvalidArgument`` (or ``InvalidEncryptionAlgorithmError``)
    for an incomplete or inconsistent set."""
    algorithm = headers.get(prefix + "algorithm")
    key_text = headers.get(prefix + "key")
    md5_text = headers.get(prefix + "key-md5")
    if algorithm is None and key_text is None and md5_text is None:
        return None
    if algorithm is None:
        raise S3Error("InvalidArgument", _NEEDS + "provide a valid encryption algorithm.",
                      ArgumentName=prefix + "algorithm", ArgumentValue="null")
    if algorithm != ALGORITHM:
        raise S3Error("InvalidEncryptionAlgorithmError", "The encryption request you "
                      "specified is not valid. The valid value is AES256.",
                      ArgumentName=prefix + "algorithm", ArgumentValue=algorithm)
    if not key_text:
        raise S3Error("InvalidArgument", _NEEDS + "provide an appropriate secret key.",
                      ArgumentName=prefix + "key", ArgumentValue="null")
    if not md5_text:
        raise S3Error("InvalidArgument", _NEEDS + "provide the client calculated MD5 of "
                      "the secret key.", ArgumentName=prefix + "key-MD5", ArgumentValue="null")
    try:
        key = base64.b64decode(key_text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_LENGTH:
        # The key is not echoed back: it is a secret even when it is wrong.
        raise S3Error("InvalidArgument", "The secret key was invalid for the specified "
                      "algorithm (AES256 needs the base64 of 32 bytes).",
                      ArgumentName=prefix + "key", ArgumentValue="(not shown)")
    if _b64(hashlib.md5(key).digest()) != md5_text.strip():
        raise S3Error("InvalidArgument", "The calculated MD5 hash of the key did not match "
                      "the hash that was provided.",
                      ArgumentName=prefix + "key-MD5", ArgumentValue=md5_text)
    return CustomerKey(key, md5_text.strip())


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def check_transport(env: Dict[str, Any], over_http: str) -> None:
    """S3's refusal of a key sent over plain HTTP, unless ``over_http`` allows it."""
    if env.get("wsgi.url_scheme") == "https" or over_http == "true":
        return
    if over_http == "loopback" and _is_loopback(env.get("REMOTE_ADDR", "")):
        return
    raise S3Error("InvalidRequest", _NEEDS + "be made over a secure connection.")


def _keys(ctx: S3Context) -> Dict[str, Optional[CustomerKey]]:
    cached = ctx.extra.get(_CACHE)
    if cached is None:
        cached = {"": _parse(ctx.headers, _PREFIX), "copy": _parse(ctx.headers, _COPY_PREFIX)}
        if cached[""] is not None or cached["copy"] is not None:
            check_transport(ctx.env, ctx.conf.sse_c_over_http)
        if cached[""] is not None and SSE_HEADER in ctx.headers:
            raise S3Error("InvalidArgument", "Server Side Encryption with Customer provided "
                          "key is incompatible with the encryption method specified.",
                          ArgumentName=SSE_HEADER, ArgumentValue=ctx.headers[SSE_HEADER])
        ctx.extra[_CACHE] = cached
    return cached


def request_key(ctx: S3Context) -> Optional[CustomerKey]:
    """The request's SSE-C key (``x-amz-server-side-encryption-customer-*``)."""
    return _keys(ctx)[""]


def source_key(ctx: S3Context) -> Optional[CustomerKey]:
    """The copy source's SSE-C key (``x-amz-copy-source-server-side-encryption-customer-*``)."""
    return _keys(ctx)["copy"]


def write_env(ctx: S3Context, headers: Dict[str, str]) -> Dict[str, Any]:
    """Make ``headers`` (of an object, part or upload marker about to be
    written) say whether it is SSE-C -- dropping what a copied source said --
    and return the subrequest environ that encrypts it with the key."""
    for name in [n for n in headers if n.lower() == SYSMETA]:
        del headers[name]
    key = request_key(ctx)
    if key is None:
        return {}
    headers[SYSMETA] = key.fingerprint()
    return key.env()


def check_key(stored: Optional[str], key: Optional[CustomerKey], *, upload: bool = False,
              required: bool = True) -> None:
    """S3's answer when ``key`` (what the request gave) does not open what
    ``stored`` (the object's ``SYSMETA``, ``None`` if not SSE-C) protects.
    ``upload``: the object is a multipart upload being continued;
    ``required``: a missing key is an error (not on CompleteMultipartUpload)."""
    if stored:
        if key is None:
            if not required:
                return
            raise S3Error("InvalidRequest", "The multipart upload initiate requested "
                          "encryption. Subsequent part requests must include the "
                          "appropriate encryption parameters." if upload
                          else MISSING_KEY_ON_READ)
        if not key.matches(stored):
            if upload:
                raise S3Error("InvalidRequest", MISMATCH)
            raise S3Error("AccessDenied", MISMATCH)
    elif key is not None:
        raise S3Error("InvalidRequest", NOT_APPLICABLE)


def check_read(headers: Dict[str, str], status: int, key: Optional[CustomerKey]) -> None:
    """Refuse a GET/HEAD answer (lower-case ``headers``) of an object the
    request's ``key`` does not open, including the encryption middleware's
    own refusal of a body asked for without its key or with another one."""
    refused = headers.get(_KEY_ERROR)
    if refused == "missing":
        raise S3Error("InvalidRequest", MISSING_KEY_ON_READ)
    if refused == "mismatch":
        raise S3Error("AccessDenied", MISMATCH)
    if 200 <= status < 300:
        check_key(headers.get(SYSMETA), key)


def bucket_key_headers(stored: Dict[str, str]) -> Dict[str, str]:
    """``x-amz-server-side-encryption-bucket-key-enabled: true`` for an
    object (or upload) whose lower-case ``stored`` headers say it was
    written with a Bucket Key; S3 leaves the header out otherwise."""
    if stored.get(BUCKET_KEY_SYSMETA) == "true":
        return {BUCKET_KEY_HEADER: "true"}
    return {}


def read_headers(headers: Dict[str, str]) -> Dict[str, str]:
    """``x-amz-server-side-encryption: AES256`` (and the Bucket Key header)
    for an object the encryption middleware decrypted (not one stored
    before it was enabled; an SSE-C object answers with the customer
    headers instead)."""
    if headers.get(_ENCRYPTED) and not headers.get(SYSMETA):
        return dict(bucket_key_headers(headers), **{SSE_HEADER: ALGORITHM})
    return {}
