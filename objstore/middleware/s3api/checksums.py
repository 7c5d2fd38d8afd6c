"""Flexible checksums (``x-amz-checksum-*``): CRC32, CRC32C, CRC64NVME, SHA1, SHA256.

Current AWS SDKs send one of these with every upload and may ask for it
back (``x-amz-checksum-mode: ENABLED``), so the store must compute the same
value while the body streams past, without holding the body. CRC32 comes
from zlib; CRC32C and CRC64NVME are table-driven here in pure Python (no
compiled dependency needed) and use ``awscrt`` when it happens to be
installed, because the pure loop does a few MB/s only. The value on the
wire is the big-endian digest in base64.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from typing import Callable, Dict, Iterator, List, Optional, Protocol, Tuple

from objstore.middleware.s3api.errors import MISSING_MD5_OR_CHECKSUM, S3Error

try:  # optional fast path; same results as the tables below
    from awscrt import checksums as _crt  # type: ignore
except ImportError:  # pragma: no cover - depends on the machine
    _crt = None

ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")
# What S3 computes and keeps for an upload that carries no checksum.
DEFAULT_ALGORITHM = "CRC64NVME"
HEADER_PREFIX = "x-amz-checksum-"
CRC32C_POLY = 0x82F63B78  # Castagnoli, reflected
CRC64NVME_POLY = 0x9A6C9329AC4BC9B5  # NVMe, reflected
_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF


def _reflected_table(poly: int) -> List[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C_TABLE = _reflected_table(CRC32C_POLY)
_CRC64_TABLE = _reflected_table(CRC64NVME_POLY)


def crc32c(data: bytes, crc: int = 0) -> int:
    """CRC-32C of ``data`` continuing from a previous result ``crc``."""
    if _crt is not None:
        return _crt.crc32c(data, crc)
    table = _CRC32C_TABLE
    crc ^= _MASK32
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ _MASK32


def crc64nvme(data: bytes, crc: int = 0) -> int:
    """CRC-64/NVME of ``data`` continuing from a previous result ``crc``."""
    if _crt is not None and hasattr(_crt, "crc64nvme"):
        return _crt.crc64nvme(data, crc)
    table = _CRC64_TABLE
    crc ^= _MASK64
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ _MASK64


class Checksum(Protocol):
    """What a running checksum offers: feed chunks, then read the digest."""

    algorithm: str

    def update(self, data: bytes) -> None: ...

    def digest(self) -> bytes: ...


class _Crc:
    def __init__(self, algorithm: str, func, width: int) -> None:
        self.algorithm = algorithm
        self._func = func
        self._width = width
        self._value = 0

    def update(self, data: bytes) -> None:
        self._value = self._func(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(self._width, "big")


class _Hash:
    def __init__(self, algorithm: str) -> None:
        self.algorithm = algorithm
        self._hash = hashlib.new(algorithm.lower())

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def digest(self) -> bytes:
        return self._hash.digest()


def new_checksum(algorithm: str) -> Checksum:
    """A running checksum for ``algorithm`` (any case); ``ValueError`` if unknown."""
    name = algorithm.upper()
    if name == "CRC32":
        return _Crc(name, zlib.crc32, 4)
    if name == "CRC32C":
        return _Crc(name, crc32c, 4)
    if name == "CRC64NVME":
        return _Crc(name, crc64nvme, 8)
    if name in ("SHA1", "SHA256"):
        return _Hash(name)
    raise ValueError("unknown checksum algorithm %r (supported: %s)"
                     % (algorithm, ", ".join(ALGORITHMS)))


def computing(algorithm: Optional[str], chunks: Iterator[bytes]
              ) -> Tuple[Iterator[bytes], Callable[[], Dict[str, str]]]:
    """``chunks`` passed through while computing ``algorithm``'s checksum, and
    a function giving ``{algorithm: value}`` once they were read (empty
    without an algorithm)."""
    if algorithm is None:
        return chunks, dict
    running = new_checksum(algorithm)
    name = running.algorithm

    def gen() -> Iterator[bytes]:
        for chunk in chunks:
            running.update(chunk)
            yield chunk
    return gen(), lambda: {name: b64(running.digest())}


def b64(digest: bytes) -> str:
    """The wire form of a digest."""
    return base64.b64encode(digest).decode("ascii")


def header_name(algorithm: str) -> str:
    """``x-amz-checksum-crc32`` for ``CRC32``."""
    return HEADER_PREFIX + algorithm.lower()


def algorithm_of_header(name: str) -> Optional[str]:
    """``CRC32`` for ``x-amz-checksum-crc32`` (any case), else ``None``."""
    lowered = name.lower()
    if not lowered.startswith(HEADER_PREFIX):
        return None
    algorithm = lowered[len(HEADER_PREFIX):].upper()
    return algorithm if algorithm in ALGORITHMS else None


# x-amz-checksum-<name> headers that are not a checksum value.
NOT_VALUES = ("type", "algorithm", "mode")


def unknown_checksum_headers(headers: Dict[str, str]) -> List[str]:
    """``x-amz-checksum-<name>`` headers naming no algorithm S3 has (sorted)."""
    return sorted(name for name in (n.lower() for n in headers)
                  if name.startswith(HEADER_PREFIX) and algorithm_of_header(name) is None
                  and name[len(HEADER_PREFIX):] not in NOT_VALUES)


def require_integrity_header(headers: Dict[str, str]) -> None:
    """``InvalidRequest`` for a request S3 wants integrity-checked (DeleteObjects)
    that carries neither ``Content-MD5`` nor a checksum (header or trailer)."""
    if "content-md5" in headers or "x-amz-trailer" in headers or checksum_headers(headers) \
            or unknown_checksum_headers(headers):
        return
    raise S3Error("InvalidRequest", MISSING_MD5_OR_CHECKSUM)


def well_formed(algorithm: str, value: str) -> bool:
    """Whether ``value`` is the base64 of a digest of the right size for
    ``algorithm``, spelled as base64 spells it: S3 refuses a value whose
    padding bits are not zero (``y/Q5Jh==`` for ``y/Q5Jg==``) even though
    it decodes to the same bytes."""
    sizes = {"CRC32": 4, "CRC32C": 4, "CRC64NVME": 8, "SHA1": 20, "SHA256": 32}
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return len(raw) == sizes.get(algorithm.upper(), -1) and b64(raw) == value


def checksum_headers(headers: Dict[str, str]) -> Dict[str, str]:
    """``{algorithm: value}`` for every ``x-amz-checksum-<alg>`` header present."""
    found = {}
    for name, value in headers.items():
        algorithm = algorithm_of_header(name)
        if algorithm:
            found[algorithm] = value.strip()
    return found


# -- multipart: the object's checksum from its parts' -----------------------

COMPOSITE, FULL_OBJECT = "COMPOSITE", "FULL_OBJECT"
# Which algorithm supports which kind of multipart checksum (S3's rules):
# a composite one is the checksum of the parts' checksums with a ``-N``
# suffix; a full-object one is the CRC of the whole object, which a CRC
# allows to compute from the parts' CRCs and sizes alone.
TYPES = {"CRC32": (COMPOSITE, FULL_OBJECT), "CRC32C": (COMPOSITE, FULL_OBJECT),
         "CRC64NVME": (FULL_OBJECT,), "SHA1": (COMPOSITE,), "SHA256": (COMPOSITE,)}
_CRC_POLY = {"CRC32": (0xEDB88320, 32), "CRC32C": (CRC32C_POLY, 32),
             "CRC64NVME": (CRC64NVME_POLY, 64)}


def default_type(algorithm: str) -> str:
    """The multipart checksum type S3 uses when the client names none."""
    return TYPES[algorithm.upper()][0]


def _multmodp(a: int, b: int, poly: int, width: int) -> int:
    """``a(x) * b(x) mod p(x)`` with polynomials in reflected bit order."""
    m, p = 1 << (width - 1), 0
    while m:
        if a & m:
            p ^= b
        b = (b >> 1) ^ poly if b & 1 else b >> 1
        m >>= 1
    return p


def _x8nmodp(length: int, poly: int, width: int) -> int:
    """``x^(8 * length) mod p(x)``: what appending ``length`` bytes does to a CRC."""
    power = _multmodp(1 << (width - 2), 1 << (width - 2), poly, width)  # x^2
    power = _multmodp(power, power, poly, width)  # x^4
    power = _multmodp(power, power, poly, width)  # x^8
    p = 1 << (width - 1)  # x^0
    while length:
        if length & 1:
            p = _multmodp(power, p, poly, width)
        length >>= 1
        power = _multmodp(power, power, poly, width)
    return p


def combine_crc(algorithm: str, first: bytes, second: bytes, second_length: int) -> bytes:
    """The CRC of ``A + B`` from ``crc(A)``, ``crc(B)`` and ``len(B)`` (zlib's
    ``crc32_combine``, for any of the three CRCs): the full-object checksum
    of a multipart upload without reading its parts again."""
    poly, width = _CRC_POLY[algorithm.upper()]
    crc1, crc2 = int.from_bytes(first, "big"), int.from_bytes(second, "big")
    value = _multmodp(_x8nmodp(second_length, poly, width), crc1, poly, width) ^ crc2
    return value.to_bytes(width // 8, "big")


def multipart_checksum(algorithm: str, kind: str, parts: List[Tuple[str, int]]) -> str:
    """The object's checksum from ``[(part checksum in base64, part size)]``.

    ``COMPOSITE``: the checksum of the concatenated part digests, ``-N``;
    ``FULL_OBJECT``: the CRC of the whole object.
    """
    digests = [base64.b64decode(value) for value, _size in parts]
    if kind == COMPOSITE:
        running = new_checksum(algorithm)
        for digest in digests:
            running.update(digest)
        return "%s-%d" % (b64(running.digest()), len(parts))
    total = new_checksum(algorithm).digest()  # the CRC of nothing
    for digest, (_value, size) in zip(digests, parts):
        total = combine_crc(algorithm, total, digest, size)
    return b64(total)
