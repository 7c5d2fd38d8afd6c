"""One S3 request in flight: its target, headers, body, and Swift subrequests.

Handlers get an ``S3Context`` and return a webob ``Response``. The helpers
here are the ones every handler needs: the verified upload body, the
mapping of Swift statuses to S3 errors, and timestamps in S3's formats.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterator, List, Optional

from objstore.common.crypto import CUSTOMER_KEY_ERROR
from objstore.common.s3_layout import SEGMENTS_SUFFIX  # noqa: F401 (s3api's name for it)
from objstore.middleware.s3api import checksums, errors, sigv4
from objstore.middleware.s3api.auth import Signature
from objstore.middleware.s3api.body import VerifyingReader, declared_checksum, plain_source
from objstore.middleware.s3api.chunked import ChunkedDecoder, ChunkSigner
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.request import S3Target
from objstore.middleware.s3api.subrequest import Swift, SwiftResponse
from objstore.middleware.s3api.xml import MAX_CONFIG_BODY

# Environ for s3api's own bookkeeping subrequests (and for what an S3 grant
# allows that the Swift ACLs cannot say): the authorization check is bypassed.
TRUSTED_ENV = {"swift.authorize_override": True, "swift.authorize": lambda _req: None}

VERSIONS_SUFFIX = "+versions"  # the archive of a versioned bucket


@dataclass
class S3Config:
    """The middleware's options (see ``[filter:s3api]`` in proxy-server.conf)."""

    location: str = "us-east-1"
    storage_domains: tuple = ()
    max_bucket_listing: int = 1000
    max_parts_listing: int = 1000
    max_upload_part_num: int = 10000
    min_segment_size: int = 5 * 1024 * 1024
    max_multi_delete_objects: int = 1000
    # Account that unsigned S3 requests (anonymous reads of public buckets,
    # CORS preflights) address; empty: unsigned requests are Swift's.
    public_account: str = ""
    # Hidden account holding the cluster-wide bucket name index (see
    # ``bucket_index.py``); empty: bucket names are per account.
    bucket_index_account: str = ".s3_bucket_index"
    # An enabled encryption middleware follows s3api: x-amz-server-side-
    # encryption: AES256 is honoured (see header_audit.py).
    encryption_at_rest: bool = False
    # SSE-C over plain HTTP: loopback (clients on this host), true, false
    # (https only, as S3); see sse.py.
    sse_c_over_http: str = "loopback"


def _trailer_names(value: str) -> List[str]:
    """The names ``x-amz-trailer`` announces (lower case). S3 ignores empty
    entries at the end (``a,``, ``a,,``) but not before or between names
    (``, a`` and ``a, ,`` announce an empty name, which no checksum has)."""
    entries = value.strip().split(",")
    while entries and entries[-1] == "":
        entries.pop()
    return [entry.strip().lower() for entry in entries]


@dataclass
class S3Context:
    env: Dict[str, Any]
    target: S3Target
    headers: Dict[str, str]
    swift: Swift
    signature: Signature
    conf: S3Config
    request_id: str
    extra: Dict[str, Any] = field(default_factory=dict)

    @property
    def method(self) -> str:
        return self.env["REQUEST_METHOD"]

    @property
    def bucket(self) -> str:
        assert self.target.bucket is not None
        return self.target.bucket

    @property
    def key(self) -> str:
        assert self.target.key is not None
        return self.target.key

    @property
    def query(self) -> Dict[str, str]:
        return self.target.query

    # -- the upload body --------------------------------------------------

    def aws_chunked(self) -> bool:
        """Whether the body is in aws-chunked framing. Only a request signed
        with a Signature V4 header can say so (its ``x-amz-content-sha256``
        is a ``STREAMING-*`` value); S3 reads the body of any other request
        as it comes, and ``Content-Encoding: aws-chunked`` alone changes
        nothing (it is stored with the object)."""
        sig = self.signature
        return isinstance(sig, sigv4.V4Signature) and not sig.presigned and \
            self.headers.get("x-amz-content-sha256", "") in sigv4.STREAMING_PAYLOADS

    def _claimed_sha256(self) -> Optional[str]:
        """The ``x-amz-content-sha256`` to compare with the body's SHA-256.

        A V4 header signature's value was checked when it was parsed (a hex
        SHA-256, ``UNSIGNED-PAYLOAD`` or ``STREAMING-*``); for a presigned
        URL or a V2 signature S3 compares any value but ``UNSIGNED-PAYLOAD``
        with the body, so a ``STREAMING-*`` or malformed one is a mismatch.
        """
        payload = self.headers.get("x-amz-content-sha256")
        if payload is None or payload == sigv4.UNSIGNED_PAYLOAD or self.aws_chunked():
            return None
        return payload

    def _checksum_declarations(self) -> "tuple[Optional[str], Optional[str], str]":
        """(algorithm, its header value or ``None``, trailer name or ``""``)
        from the ``x-amz-checksum-*``, ``x-amz-trailer`` and
        ``x-amz-sdk-checksum-algorithm`` headers, checked in the order S3
        checks them: several checksums first, then one in both a header and
        the trailer, then what the trailer names, then the SDK's claim."""
        headers = self.headers
        algorithm = declared_checksum(headers)
        trailers = _trailer_names(headers.get("x-amz-trailer", ""))
        if any(checksums.algorithm_of_header(name) is None for name in trailers):
            raise S3Error("InvalidRequest", errors.UNSUPPORTED_TRAILER)
        if len(trailers) > 1:
            raise S3Error("InvalidRequest", errors.MULTIPLE_CHECKSUMS)
        trailer_name = trailers[0] if trailers else ""
        if trailer_name and algorithm:
            raise S3Error("InvalidRequest", errors.CHECKSUM_HEADER_AND_TRAILER)
        if trailer_name:
            algorithm = checksums.algorithm_of_header(trailer_name)
        sdk_alg = headers.get("x-amz-sdk-checksum-algorithm", "").strip().upper()
        if sdk_alg and (sdk_alg not in checksums.ALGORITHMS
                        or (algorithm and sdk_alg != algorithm)):
            raise S3Error("InvalidRequest", errors.INVALID_HEADER_VALUE
                          % "x-amz-sdk-checksum-algorithm")
        if sdk_alg and not algorithm:
            raise S3Error("InvalidRequest", errors.SDK_ALGORITHM_WITHOUT_CHECKSUM)
        header_value = None
        if algorithm and not trailer_name:
            header_value = checksums.checksum_headers(headers)[algorithm]
            if not checksums.well_formed(algorithm, header_value):
                raise S3Error("InvalidRequest", errors.INVALID_HEADER_VALUE
                              % checksums.header_name(algorithm))
        return algorithm, header_value, trailer_name

    def body_reader(self, default_algorithm: Optional[str] = None,
                    length_required: bool = False,
                    md5_echo_hex: bool = True) -> VerifyingReader:
        """The payload as a verifying stream, whatever its framing.

        ``default_algorithm``: the checksum to compute when the client sends
        none (S3 gives such uploads a CRC64NVME); like a trailer's, its
        value is known only once the body has passed (``trailer_checksum``).
        ``length_required``: an upload (object or part) without
        ``Content-Length`` (nor ``Transfer-Encoding: chunked``) is
        ``MissingContentLength``, as S3 answers; other bodies are then empty.
        """
        headers = self.headers
        wsgi_input = self.env["wsgi.input"]
        chunked = self.aws_chunked()
        content_md5 = headers.get("content-md5")
        if content_md5 is not None:
            try:
                if len(base64.b64decode(content_md5, validate=True)) != 16:
                    raise ValueError
            except (binascii.Error, ValueError):
                raise S3Error("InvalidDigest", **{"Content-MD5": content_md5}) from None
        algorithm, header_value, trailer_name = self._checksum_declarations()
        payload = headers.get("x-amz-content-sha256", "")
        decoded = headers.get("x-amz-decoded-content-length")
        if payload in sigv4.STREAMING_PAYLOADS and (decoded is None or not decoded.isdigit()):
            # whether or not the body is then read as aws-chunked (S3 means
            # x-amz-decoded-content-length, its text says Content-Length)
            raise S3Error("MissingContentLength")
        decoder: Optional[ChunkedDecoder] = None
        if chunked:
            length: Optional[int] = int(decoded or 0)
            read = wsgi_input.read
            signed = payload in (sigv4.STREAMING_PAYLOAD, sigv4.STREAMING_PAYLOAD_TRAILER)
            sig = self.signature
            holder: Dict[str, ChunkedDecoder] = {}

            def source() -> Iterator[bytes]:
                signer = None
                if signed:
                    key = getattr(sig, "key", None)
                    if key is None:
                        raise S3Error("AccessDenied", "The request signature was not "
                                      "verified before the body was read.")
                    signer = ChunkSigner(key, sig.amz_date, sig.credential.scope,
                                         sig.signature, sig.access_key, sig.canonical())
                dec = ChunkedDecoder(read, signer,
                                     signed_trailer=payload == sigv4.STREAMING_PAYLOAD_TRAILER)
                holder["decoder"] = dec
                yield from dec

            def expected() -> Optional[str]:
                if header_value is not None:
                    return header_value
                dec = holder.get("decoder")
                name = checksums.header_name(algorithm or "")
                if dec and set(dec.trailers) - {trailer_name}:
                    raise S3Error("MalformedTrailerError")  # not the one announced
                value = dec.trailers.get(name) if dec else None
                if value is not None and not checksums.well_formed(algorithm or "", value):
                    raise S3Error("InvalidRequest", errors.INVALID_TRAILER_VALUE % name)
                return value

            src = source()
        else:
            cl = self.env.get("CONTENT_LENGTH")
            length = int(cl) if cl not in (None, "") else None
            if length is None and self.env.get("HTTP_TRANSFER_ENCODING", "").lower() != "chunked":
                if length_required:
                    raise S3Error("MissingContentLength")
                length = 0
            if decoded is not None and decoded.isdigit() and length is not None \
                    and int(decoded) != length:
                # A body declared as aws-chunked but not read as such: S3
                # expects the decoded length and counts what was sent.
                raise S3Error("IncompleteBody", errors.SHORT_BODY,
                              NumberBytesExpected=decoded, NumberBytesProvided=str(length))
            src = plain_source(wsgi_input.read, length)

            def expected() -> Optional[str]:
                return header_value
        sha = self._claimed_sha256()
        defaulted = algorithm is None and default_algorithm is not None
        reader = VerifyingReader(src, length, content_md5, sha,
                                 default_algorithm if defaulted else algorithm, expected,
                                 computed_only=defaulted, md5_echo_hex=md5_echo_hex)
        reader.trailer_checksum = defaulted or (  # type: ignore
            bool(trailer_name) and header_value is None)
        return reader

    def read_small_body(self, limit: int = MAX_CONFIG_BODY) -> bytes:
        """The whole (verified) body of an XML request, at most ``limit`` bytes:
        a declared or actual larger body is ``MaxMessageLengthExceeded``, and
        no more than ``limit + 1`` bytes are ever held. Kept for a second
        call (a bucket policy's condition may read it before the handler)."""
        kept = self.extra.get("small_body")
        if kept is not None:
            if len(kept) > limit:
                raise S3Error("MaxMessageLengthExceeded", "The request body is larger than "
                              "the %d bytes this operation accepts." % limit)
            return kept
        reader = self.body_reader(md5_echo_hex=False)
        too_big = S3Error("MaxMessageLengthExceeded", "The request body is larger than "
                          "the %d bytes this operation accepts." % limit)
        if reader.expected_length is not None and reader.expected_length > limit:
            raise too_big
        data = reader.read(limit + 1)
        if len(data) > limit:
            raise too_big
        reader.drain()
        self.extra["small_body"] = data
        return data

    # -- Swift status mapping ---------------------------------------------

    def raise_for(self, resp: SwiftResponse, missing: str = "NoSuchKey") -> None:
        """Raise the S3 error for a failed Swift response (404 -> ``missing``)."""
        if resp.ok:
            return
        resp.close()
        status = resp.status
        if resp.header(CUSTOMER_KEY_ERROR):
            # A write that had to read an SSE-C object without its key:
            # versioned_writes archiving the current version.
            raise S3Error("InvalidRequest", "The current version of this key is encrypted "
                          "with a customer-provided key (SSE-C), which this store needs to "
                          "archive it in a versioned bucket; it cannot be overwritten or "
                          "deleted without a version id here.")
        extra: Dict[str, str] = {}
        if missing == "NoSuchBucket":
            extra["BucketName"] = self.target.bucket or ""
        elif missing == "NoSuchKey" and self.target.key:
            extra["Key"] = self.target.key
        mapping = {401: "AccessDenied", 403: "AccessDenied", 404: missing,
                   409: "OperationAborted", 411: "MissingContentLength",
                   412: "PreconditionFailed", 413: "EntityTooLarge", 416: "InvalidRange",
                   422: "BadDigest", 499: "RequestTimeout", 408: "RequestTimeout",
                   497: "AccessDenied", 498: "SlowDown",
                   503: "ServiceUnavailable", 507: "ServiceUnavailable"}
        code = mapping.get(status)
        if code is None:
            code = "InternalError" if status >= 500 else "InvalidRequest"
            raise S3Error(code, "The store answered %d to a %s subrequest." % (status, code),
                          status=500 if status >= 500 else 400)
        raise S3Error(code, **(extra if code == missing else {}))

    def post_bucket(self, headers: Dict[str, str]) -> None:
        """Set (or, with empty values, remove) the bucket's container
        metadata; ``NoSuchBucket`` if it is gone."""
        resp = self.swift.request("POST", self.bucket, headers=headers)
        resp.close()
        self.raise_for(resp, "NoSuchBucket")

    def container_head(self, bucket: Optional[str] = None) -> SwiftResponse:
        """HEAD the bucket's container; ``NoSuchBucket`` if it is not there."""
        resp = self.swift.request("HEAD", bucket or self.bucket)
        resp.close()
        self.raise_for(resp, "NoSuchBucket")
        return resp


def iso8601(value: datetime) -> str:
    """``2024-01-02T03:04:05.000Z`` (listings), rounded up to the whole second.

    An object's ``Last-Modified`` header is its timestamp rounded up (as
    Swift's is), so a listing's time must round the same way: a client that
    sends the listed time back as ``If-Unmodified-Since`` would otherwise get
    412 for an object nobody changed.
    """
    if value.microsecond:
        value = value.replace(microsecond=0) + timedelta(seconds=1)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


_SWIFT_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?\Z",
                         re.ASCII)


def parse_swift_time(text: str) -> datetime:
    """A Swift listing time (``2024-01-02T03:04:05.123456``) as an aware datetime.

    The usual spelling is read directly (a listing reads one per key);
    anything else goes to ``strptime``, whose rule it is."""
    text = text.rstrip("Z")
    found = _SWIFT_TIME.match(text)
    if found is not None:
        *whole, fraction = found.groups()
        try:
            return datetime(*(int(part) for part in whole),
                            int((fraction or "0").ljust(6, "0")), tzinfo=timezone.utc)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return datetime.fromtimestamp(0, timezone.utc)


def from_timestamp(value: str) -> datetime:
    """A Swift ``X-Timestamp`` (seconds) as an aware datetime."""
    try:
        return datetime.fromtimestamp(float(value), timezone.utc)
    except (TypeError, ValueError):
        return datetime.fromtimestamp(0, timezone.utc)
