"""AWS Signature Version 2 (``Authorization: AWS key:sig`` and query auth).

Old clients and some tools still sign this way. The string to sign is the
method, ``Content-MD5``, ``Content-Type``, the date (or ``Expires`` for a
presigned URL), the ``x-amz-*`` headers and the resource with its
sub-resources; the signature is base64 HMAC-SHA1 with the secret. Pure
functions, checked against botocore's own V2 signer in the tests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from objstore.middleware.s3api.errors import S3Error

# Query parameters that name a sub-resource and so are part of what is signed.
SUBRESOURCES = frozenset((
    "acl", "cors", "delete", "lifecycle", "location", "logging", "notification",
    "partNumber", "policy", "requestPayment", "restore", "tagging", "torrent",
    "uploadId", "uploads", "versionId", "versioning", "versions", "website",
    "response-content-type", "response-content-language", "response-expires",
    "response-cache-control", "response-content-disposition",
    "response-content-encoding", "object-lock", "replication", "select", "select-type",
    "accelerate", "storageClass"))


# S3 reads a V2 Expires as a signed 32-bit time: from 2038 on it is no date.
_EXPIRES_LIMIT = 2 ** 31


def canonical_resource(path: str, pairs: Sequence[Tuple[str, str]]) -> str:
    """The path (full ``/bucket/key`` even for virtual-hosted requests) plus the
    signed sub-resources, sorted, ``?a&b=c`` style."""
    subs = sorted((k, v) for k, v in pairs if k in SUBRESOURCES)
    if not subs:
        return path
    return path + "?" + "&".join(k if v == "" else "%s=%s" % (k, v) for k, v in subs)


def amz_headers(headers: Dict[str, str]) -> str:
    """``name:value`` lines for the ``x-amz-*`` headers, sorted by name; one per line.

    Sorting the names, not the lines: ``x-amz-meta-a`` comes before
    ``x-amz-meta-a2`` although ``a:`` sorts after ``a2`` as text. A value is
    signed as sent (trimmed): the ``, `` inside a date such as
    ``x-amz-copy-source-if-modified-since`` stays as it is (several headers
    of one name arrive already joined by ``,``).
    """
    names = sorted(name for name in headers if name.startswith("x-amz-"))
    return "".join("%s:%s\n" % (name, headers[name].strip()) for name in names)


def string_to_sign(method: str, headers: Dict[str, str], date: str, resource: str) -> str:
    """The V2 string to sign; ``headers`` maps lower-case names to values."""
    return "%s\n%s\n%s\n%s\n%s%s" % (method, headers.get("content-md5", "").strip(),
                                    headers.get("content-type", "").strip(), date,
                                    amz_headers(headers), resource)


def sign(secret: str, text: str) -> str:
    """Base64 HMAC-SHA1."""
    digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass
class V2Signature:
    """A parsed V2 request; ``check(secret)`` tries each acceptable date line."""

    access_key: str
    signature: str
    strings_to_sign: List[str]
    presigned: bool = False
    expires: Optional[int] = None
    string_to_sign: str = field(default="")

    def check(self, secret: str) -> bool:
        for sts in self.strings_to_sign:
            if hmac.compare_digest(sign(secret, sts).encode(), self.signature.encode()):
                self.string_to_sign = sts
                return True
        return False


def parse_authorization(header: str, method: str, path: str,
                        pairs: Sequence[Tuple[str, str]],
                        headers: Dict[str, str]) -> V2Signature:
    """Parse ``AWS <access key>:<signature>``. With ``x-amz-date`` the date line
    is empty per the spec; some clients still put ``Date`` there, so both
    spellings of the same request are accepted."""
    _, _, creds = header.partition(" ")
    access_key, sep, signature = creds.strip().rpartition(":")
    if not sep or not access_key or not signature:
        raise S3Error("AccessDenied", "The Authorization header should be "
                      "'AWS <access key>:<signature>'.")
    resource = canonical_resource(path, pairs)
    dates = []
    if "x-amz-date" in headers:
        dates.append("")
    if headers.get("date"):
        dates.append(headers["date"].strip())
    if not dates:
        raise S3Error("AccessDenied", "AWS authentication requires a valid Date or "
                      "x-amz-date header.")
    return V2Signature(access_key, signature,
                       [string_to_sign(method, headers, d, resource) for d in dates])


def parse_presigned(method: str, path: str, pairs: Sequence[Tuple[str, str]],
                    headers: Dict[str, str], now: float) -> V2Signature:
    """Parse ``AWSAccessKeyId``/``Expires``/``Signature`` query auth; an expired
    URL is ``AccessDenied`` as in S3."""
    query = dict(pairs)
    for needed in ("AWSAccessKeyId", "Expires", "Signature"):
        if not query.get(needed):
            raise S3Error("AccessDenied", "The presigned URL has no %s." % needed)
    try:
        expires = int(query["Expires"])
    except ValueError:
        raise S3Error("AccessDenied", "Expires must be a Unix time in seconds.") from None
    if expires < now:
        raise S3Error("AccessDenied", "Request has expired; presign a new URL.",
                      Expires=str(expires), ServerTime=str(int(now)))
    if expires >= _EXPIRES_LIMIT:
        raise S3Error("AccessDenied", "Invalid date (should be seconds since epoch): %s"
                      % query["Expires"])
    resource = canonical_resource(path, pairs)
    sts = string_to_sign(method, headers, query["Expires"], resource)
    return V2Signature(query["AWSAccessKeyId"], query["Signature"], [sts], True, expires)
