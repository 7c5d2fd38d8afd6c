"""Where an S3 request points: bucket and key, path-style or virtual-hosted.

``http://host/bucket/key`` (path style) and ``http://bucket.<storage_domain>/key``
(virtual-hosted style, used when ``storage_domain`` is configured and the
Host ends with it) name the same object. Pure parsing, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import quote

from objstore.common.http.wsgi_str import wsgi_to_str
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.sigv4 import parse_query

MAX_KEY_BYTES = 1024
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_RE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


def valid_bucket_name(name: str) -> bool:
    """The S3 bucket naming rules (3-63 chars, lower case, no IP, no ``..``).

    The ``+`` that marks our hidden segment containers is never valid, so a
    client cannot reach them as buckets.
    """
    if not _BUCKET_RE.match(name) or ".." in name or _IP_RE.match(name):
        return False
    if ".-" in name or "-." in name:
        return False
    if name.startswith("xn--") or name.endswith("-s3alias") or name.startswith("sthree-"):
        return False
    return True


_LEGACY_BUCKET_RE = re.compile(r"^[A-Za-z0-9._-]{3,255}$")


def check_bucket_reference(bucket: Optional[str]) -> None:
    """``InvalidBucketName`` for a request naming a bucket no S3 bucket could
    ever have (``bucket+invalid``), rather than ``NoSuchBucket``.

    Deliberately looser than ``valid_bucket_name`` (which CreateBucket
    applies): the legacy S3 names -- upper case, ``_``, up to 255 characters,
    which Swift containers may have -- stay reachable.
    """
    if bucket is not None and not _LEGACY_BUCKET_RE.match(bucket):
        raise S3Error("InvalidBucketName", BucketName=bucket)


def split_host(host: str, storage_domains: Sequence[str]) -> Optional[str]:
    """The bucket named by a virtual-hosted ``Host``, or ``None`` for path style."""
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    hostname = hostname.lower().rstrip(".")
    for domain in storage_domains:
        domain = domain.lower().strip(".")
        if domain and hostname.endswith("." + domain):
            return hostname[:-len(domain) - 1]
    return None


@dataclass
class S3Target:
    """The parsed target of a request."""

    bucket: Optional[str]
    key: Optional[str]
    query: Dict[str, str] = field(default_factory=dict)
    pairs: List[Tuple[str, str]] = field(default_factory=list)
    virtual_host: bool = False
    raw_path: Optional[str] = None

    @property
    def auth_path(self) -> str:
        """``/bucket/key`` as SigV2 signs it (always with the bucket).

        V2 signs the path as the client sent it, still percent-encoded and with
        any trailing slash (boto2 asks for ``/bucket/``), so the raw path wins
        when the server passed it on; the path rebuilt from bucket and key is
        the fallback.
        """
        if self.raw_path is not None:
            if self.virtual_host and self.bucket is not None:
                return "/" + quote(self.bucket) + self.raw_path
            return self.raw_path
        if self.bucket is None:
            return "/"
        path = "/" + quote(self.bucket)
        if self.key is not None:
            path += "/" + quote(self.key, safe="/~")
        elif self.virtual_host:
            path += "/"
        return path

    @property
    def resource(self) -> str:
        """What the error body's ``Resource`` names."""
        if self.bucket is None:
            return "/"
        return "/%s%s" % (self.bucket, "/" + self.key if self.key is not None else "")


def raw_path(env: Dict[str, Any]) -> Optional[str]:
    """The request path exactly as the client sent it (percent-encoded, no
    query), or ``None`` when the server did not pass it on."""
    raw = env.get("RAW_PATH_INFO")
    if raw:
        return raw
    uri = env.get("REQUEST_URI")
    if uri:
        return uri.split("?", 1)[0]
    return None


def parse_target(env: Dict[str, Any], storage_domains: Sequence[str]) -> S3Target:
    """Bucket, key and query of the request."""
    try:  # keys are text everywhere in s3api (see subrequest.py)
        path = wsgi_to_str(env.get("PATH_INFO", "") or "/")
    except UnicodeError:
        raise S3Error("InvalidURI", "The path is not valid UTF-8.") from None
    pairs = parse_query(env.get("QUERY_STRING", ""))
    query = {k: v for k, v in pairs}
    host = env.get("HTTP_HOST") or env.get("SERVER_NAME", "")
    vhost_bucket = split_host(host, storage_domains) if storage_domains else None
    if vhost_bucket is not None:
        key = path[1:] if path.startswith("/") else path
        return S3Target(vhost_bucket, key or None, query, pairs, virtual_host=True,
                        raw_path=raw_path(env))
    rest = path[1:] if path.startswith("/") else path
    if not rest:
        return S3Target(None, None, query, pairs, raw_path=raw_path(env))
    bucket, sep, key = rest.partition("/")
    return S3Target(bucket, key if sep and key else None, query, pairs,
                    raw_path=raw_path(env))


def check_key(key: str) -> None:
    """``KeyTooLongError`` past 1024 UTF-8 bytes."""
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise S3Error("KeyTooLongError", "The key is %d bytes; the limit is %d."
                      % (len(key.encode("utf-8")), MAX_KEY_BYTES))
