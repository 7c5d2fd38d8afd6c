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
from typing import Dict, List, Optional, Protocol

try:  # optional fast path; same results as the tables below
    from awscrt import checksums as _crt  # type: ignore
except ImportError:  # pragma: no cover - depends on the machine
    _crt = None

ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")
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


def well_formed(algorithm: str, value: str) -> bool:
    """Whether ``value`` is base64 of a digest of the right size for ``algorithm``."""
    sizes = {"CRC32": 4, "CRC32C": 4, "CRC64NVME": 8, "SHA1": 20, "SHA256": 32}
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return len(raw) == sizes.get(algorithm.upper(), -1)


def checksum_headers(headers: Dict[str, str]) -> Dict[str, str]:
    """``{algorithm: value}`` for every ``x-amz-checksum-<alg>`` header present."""
    found = {}
    for name, value in headers.items():
        algorithm = algorithm_of_header(name)
        if algorithm:
            found[algorithm] = value.strip()
    return found
