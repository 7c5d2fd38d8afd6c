"""The upload body as a verifying, file-like stream (what ``wsgi.input`` becomes).

Whatever the framing (plain or aws-chunked), the proxy reads the payload
through ``VerifyingReader.read``. While the bytes pass it computes the MD5
(for ``Content-MD5``), the SHA-256 (for a hex ``x-amz-content-sha256``) and
the flexible checksum, and at the end compares them with what the client
declared. The last byte is held back until all of that passed, so the
object server never sees a complete body for an upload that fails
verification and nothing is stored. A failure is raised from ``read`` and
also kept in ``error`` so the middleware can answer with it whatever the
proxy made of the exception.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Callable, Dict, Iterable, Iterator, Optional

from objstore.middleware.s3api import checksums, errors
from objstore.middleware.s3api.errors import S3Error


class VerifyingReader:
    """File-like view of ``source`` (an iterable of byte strings).

    ``expected_length``: the decoded size the client declared.
    ``content_md5``: base64 MD5 from ``Content-MD5`` or ``None``.
    ``sha256_hex``: hex SHA-256 from ``x-amz-content-sha256`` or ``None``.
    ``algorithm``: the flexible checksum to compute (or ``None``);
    ``expected_checksum()``: returns the value to compare at the end (from a
    header or from the trailers, which are only known then);
    ``computed_only``: the client sent none, ``algorithm`` is computed only.
    ``md5_echo_hex``: a wrong ``Content-MD5`` is echoed in hex (an object's
    body) rather than as sent (an XML request body).
    """

    def __init__(self, source: Iterable[bytes], expected_length: Optional[int],
                 content_md5: Optional[str] = None, sha256_hex: Optional[str] = None,
                 algorithm: Optional[str] = None,
                 expected_checksum: Callable[[], Optional[str]] = lambda: None,
                 computed_only: bool = False, md5_echo_hex: bool = True) -> None:
        self._iter: Iterator[bytes] = iter(source)
        self.expected_length = expected_length
        self.content_md5 = content_md5
        self.sha256_hex = sha256_hex
        self.algorithm = algorithm
        self._expected_checksum = expected_checksum
        # The client sent no checksum: ``algorithm`` is S3's default one,
        # computed to be stored and returned, with nothing to compare.
        self.computed_only = computed_only
        self.md5_echo_hex = md5_echo_hex
        self._md5 = hashlib.md5()
        self._sha256 = hashlib.sha256() if sha256_hex else None
        self._checksum = checksums.new_checksum(algorithm) if algorithm else None
        self._pending = b""
        self._held = b""
        self._finished = False
        self.bytes_read = 0
        self.error: Optional[S3Error] = None
        self.checksum_value: Optional[str] = None

    @property
    def etag(self) -> str:
        """Hex MD5 of the payload (valid once the body was read)."""
        return self._md5.hexdigest()

    def _next(self) -> bytes:
        try:
            data = next(self._iter)
        except StopIteration:
            return b""
        self.bytes_read += len(data)
        if self.expected_length is not None and self.bytes_read > self.expected_length:
            raise S3Error("IncompleteBody", errors.SHORT_BODY,
                          NumberBytesExpected=str(self.expected_length),
                          NumberBytesProvided=str(self.bytes_read))
        self._md5.update(data)
        if self._sha256 is not None:
            self._sha256.update(data)
        if self._checksum is not None:
            self._checksum.update(data)
        return data

    def _finish(self) -> None:
        if self.expected_length is not None and self.bytes_read != self.expected_length:
            raise S3Error("IncompleteBody", errors.SHORT_BODY,
                          NumberBytesExpected=str(self.expected_length),
                          NumberBytesProvided=str(self.bytes_read))
        # S3 checks the signed payload hash before the Content-MD5: when both
        # are wrong the client hears about x-amz-content-sha256.
        if self._sha256 is not None and self.sha256_hex is not None:
            if not hmac.compare_digest(self._sha256.hexdigest(), self.sha256_hex.lower()):
                raise S3Error("XAmzContentSHA256Mismatch",
                              ClientComputedContentSHA256=self.sha256_hex,
                              S3ComputedContentSHA256=self._sha256.hexdigest())
        if self.content_md5 is not None:
            calculated = base64.b64encode(self._md5.digest()).decode()
            if not hmac.compare_digest(calculated, self.content_md5):
                # S3 echoes the expected digest in hex for an object's body
                # and as sent (base64) for a request's XML.
                expected = self.content_md5
                if self.md5_echo_hex:
                    expected = base64.b64decode(expected).hex()
                raise S3Error("BadDigest", ExpectedDigest=expected,
                              CalculatedDigest=calculated)
        if self._checksum is not None:
            value = checksums.b64(self._checksum.digest())
            expected = self._expected_checksum()
            if expected is None and self.computed_only:
                expected = value
            if expected is None:
                raise S3Error("MalformedTrailerError")
            if not hmac.compare_digest(value, expected):
                raise S3Error("BadDigest", errors.CHECKSUM_MISMATCH % self.algorithm)
            self.checksum_value = value

    def _fill(self, size: int) -> None:
        """Make ``_pending`` hold up to ``size`` bytes that are safe to hand out."""
        while len(self._pending) < size and not self._finished:
            data = self._next()
            if not data:
                self._finish()
                self._finished = True
                self._pending += self._held
                self._held = b""
                break
            data = self._held + data
            self._pending += data[:-1]
            self._held = data[-1:]

    def read(self, size: int = -1) -> bytes:
        if self.error is not None:
            raise self.error
        try:
            if size is None or size < 0:
                self._fill(1 << 62)
                out, self._pending = self._pending, b""
                return out
            self._fill(size)
            out, self._pending = self._pending[:size], self._pending[size:]
            return out
        except S3Error as err:
            self.error = err
            raise

    def drain(self) -> None:
        """Read and verify everything (for bodies consumed before the subrequest)."""
        while self.read(65536):
            pass


def plain_source(read: Callable[[int], bytes], length: Optional[int],
                 chunk: int = 65536) -> Iterator[bytes]:
    """Iterate a plain body of ``length`` bytes (or until EOF if unknown)."""
    remaining = length
    while remaining is None or remaining > 0:
        data = read(chunk if remaining is None else min(chunk, remaining))
        if not data:
            return
        if remaining is not None:
            remaining -= len(data)
        yield data


def declared_checksum(headers: Dict[str, str]) -> Optional[str]:
    """The one algorithm a request declares, or ``None``; ``InvalidRequest`` for
    several, and for a checksum of an algorithm S3 does not have
    (``x-amz-checksum-md5``)."""
    unknown = checksums.unknown_checksum_headers(headers)
    if unknown:
        raise S3Error("InvalidRequest", errors.UNKNOWN_CHECKSUM_ALGORITHM)
    found = checksums.checksum_headers(headers)
    if len(found) > 1:
        raise S3Error("InvalidRequest", errors.MULTIPLE_CHECKSUMS)
    return next(iter(found), None)
