"""Streaming decoder for ``Content-Encoding: aws-chunked`` bodies.

SDKs upload in this framing when they sign each chunk
(``STREAMING-AWS4-HMAC-SHA256-PAYLOAD``, chained chunk signatures seeded by
the request signature) or when they send checksums after the data
(``...-TRAILER`` variants)::

    <hex size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n ... 0[;chunk-signature=<sig>]\\r\\n
    [<trailer>:<value>\\r\\n ...][x-amz-trailer-signature:<sig>\\r\\n]\\r\\n

The decoder is an iterator over the payload that never holds more than one
read buffer: a chunk's data passes through while its SHA-256 is computed,
and the signature is checked at the chunk's end. A wrong signature raises
``S3Error`` there; the body reader (``body.py``) holds back the last byte
until everything is verified, so a tampered upload never completes.
"""

from __future__ import annotations

import hashlib
from typing import Callable, Dict, Iterator, Optional

from objstore.middleware.s3api import sigv4
from objstore.middleware.s3api.errors import S3Error

READ_SIZE = 65536
# A chunk header line (size and signature) or one trailer line.
MAX_LINE = 4096
# The whole trailer section: a checksum, its signature and a few more
# headers fit many times over; more is refused (MalformedTrailerError).
MAX_TRAILER_BYTES = 16 * 1024
MAX_TRAILERS = 16
# The smallest signed chunk S3 accepts, but for the last one.
MIN_SIGNED_CHUNK = 8192
TRAILER_SIGNATURE = "x-amz-trailer-signature"


class ChunkSigner:
    """The chain of chunk signatures: each covers the chunk and the previous one."""

    def __init__(self, key: bytes, amz_date: str, scope: str, seed_signature: str,
                 access_key: str = "", canonical: Optional[str] = None) -> None:
        self.key = key
        self.amz_date = amz_date
        self.scope = scope
        self.previous = seed_signature
        # for the details of a SignatureDoesNotMatch
        self.access_key = access_key
        self.canonical = canonical

    def expected_chunk(self, chunk_sha256_hex: str) -> str:
        return sigv4.sign(self.key, sigv4.chunk_string_to_sign(
            self.amz_date, self.scope, self.previous, chunk_sha256_hex))

    def verify_chunk(self, chunk_sha256_hex: str, signature: str) -> None:
        text = sigv4.chunk_string_to_sign(self.amz_date, self.scope, self.previous,
                                          chunk_sha256_hex)
        expected = sigv4.sign(self.key, text)
        if not sigv4.same_signature(expected, signature.lower()):
            # the body was altered or signed with another key
            raise sigv4.mismatch(self.access_key, text, signature, self.canonical)
        self.previous = expected

    def verify_trailer(self, trailer_text: str, signature: str) -> None:
        text = sigv4.trailer_string_to_sign(self.amz_date, self.scope, self.previous,
                                            trailer_text)
        if not sigv4.same_signature(sigv4.sign(self.key, text), signature.lower()):
            raise sigv4.mismatch(self.access_key, text, signature, self.canonical)


def _incomplete(what: str) -> S3Error:
    """S3's one answer to a broken framing (``what`` says which, for the reader
    of this code: S3's text names no cause)."""
    return S3Error("IncompleteBody")


class ChunkedDecoder:
    """Iterate the payload of an aws-chunked body read with ``read(n)``.

    ``signer`` is ``None`` for unsigned chunks (``STREAMING-UNSIGNED-PAYLOAD-
    TRAILER``); with a signer every chunk must carry ``chunk-signature``.
    ``signed_trailer`` demands ``x-amz-trailer-signature``. After the
    iterator is exhausted ``trailers`` holds the trailing headers
    (lower-case names).
    """

    def __init__(self, read: Callable[[int], bytes], signer: Optional[ChunkSigner] = None,
                 signed_trailer: bool = False) -> None:
        self._read = read
        self._buf = b""
        self._eof = False
        self.signer = signer
        self.signed_trailer = signed_trailer
        self.trailers: Dict[str, str] = {}
        self.done = False
        self._chunks = 0
        self._previous_size: Optional[int] = None

    def _fill(self) -> bool:
        if self._eof:
            return False
        data = self._read(READ_SIZE)
        if not data:
            self._eof = True
            return False
        self._buf += data
        return True

    def _line(self) -> str:
        while True:
            idx = self._buf.find(b"\r\n")
            if idx >= 0:
                line, self._buf = self._buf[:idx], self._buf[idx + 2:]
                return line.decode("latin-1")
            if len(self._buf) > MAX_LINE:
                raise _incomplete("a chunk header line is too long")
            if not self._fill():
                if self._buf:
                    raise _incomplete("missing CRLF after %r" % self._buf[:40])
                raise _incomplete("no final zero-length chunk")

    def _chunk_header(self) -> "tuple[int, Optional[str]]":
        line = self._line()
        size_text, _, ext = line.partition(";")
        try:
            size = int(size_text.strip(), 16)
        except ValueError:
            raise _incomplete("bad chunk size %r" % size_text[:20]) from None
        if size < 0:
            raise _incomplete("negative chunk size")
        signature = None
        if self.signer is not None:
            name, _, value = ext.partition("=")
            if name.strip() == "chunk-signature":
                if ";" in value:
                    raise _incomplete("a parameter after chunk-signature")
                signature = value.strip()
            elif "chunk-signature" in ext:
                signature = ext  # another parameter first: it cannot match
            if not signature:
                raise _incomplete("a signed chunk without its chunk-signature")
            self._check_chunk_size(size)
        return size, signature

    def _check_chunk_size(self, size: int) -> None:
        """S3 wants every signed chunk but the last to hold at least 8 KiB;
        the refusal names the chunk after the small one and the small size."""
        self._chunks += 1
        previous, self._previous_size = self._previous_size, size
        if size and previous is not None and previous < MIN_SIGNED_CHUNK:
            raise S3Error("InvalidChunkSizeError", Chunk=str(self._chunks),
                          BadChunkSize=str(previous))

    def __iter__(self) -> Iterator[bytes]:
        while True:
            size, signature = self._chunk_header()
            digest = hashlib.sha256() if self.signer is not None else None
            remaining = size
            while remaining:
                if not self._buf and not self._fill():
                    raise _incomplete("a chunk is shorter than its declared size")
                piece = self._buf[:remaining]
                self._buf = self._buf[len(piece):]
                remaining -= len(piece)
                if digest is not None:
                    digest.update(piece)
                yield piece
            if self.signer is not None and digest is not None:
                self.signer.verify_chunk(digest.hexdigest(), signature or "")
            if size == 0:
                self._read_trailers()
                self.done = True
                return
            if self._line() != "":
                raise _incomplete("chunk data is not followed by CRLF")

    def _read_trailers(self) -> None:
        lines = []
        signature = None
        size = 0
        while True:
            try:
                line = self._line()
            except S3Error:
                if not self._buf and self._eof:
                    # some clients end right after the zero chunk, or
                    # after the last trailer without the empty line
                    break
                raise
            if line == "":
                break
            size += len(line) + 2
            if size > MAX_TRAILER_BYTES or len(self.trailers) >= MAX_TRAILERS:
                raise S3Error("MalformedTrailerError")  # too large
            name, sep, value = line.partition(":")
            if not sep:
                raise S3Error("MalformedTrailerError")  # not name:value
            name, value = name.strip().lower(), value.strip()
            if name == TRAILER_SIGNATURE:
                signature = value
                continue
            self.trailers[name] = value
            lines.append("%s:%s\n" % (name, value))
        if self.signed_trailer:
            if not lines:
                raise _incomplete("a signed trailer section without a trailer")
            if self.signer is None or not signature:
                raise _incomplete("a signed trailer without x-amz-trailer-signature")
            self.signer.verify_trailer("".join(lines), signature)
