"""The checksum an object server keeps of each ``.data`` file's bytes.

A whole-object read must notice damaged bytes (and quarantine the file)
before the last byte reaches the client. The MD5 against the ETag tells,
but costs about 2 ms of CPU per MiB here: most of a large GET's server
CPU. So every ``.data`` written gets a CRC-64/NVME of its bytes as well
(``awscrt``, tens of GB/s), computed by the writer from the very bytes it
writes -- never taken from a request or a peer -- and a GET judges the
bytes by it. The MD5 stays the ETag and what the auditor checks.

A CRC catches every burst of up to 64 flipped bits and any other damage
but one in 2**64; it is no defence against someone who may rewrite both
the file and its metadata, and neither is the MD5 stored beside them.
Files written before this (no CRC in their metadata), or with no
``awscrt``, are judged by their MD5 as before.
"""

from __future__ import annotations

from typing import Optional

try:
    from awscrt import checksums as _crt  # type: ignore
except ImportError:  # pragma: no cover - awscrt is a dependency of objstore
    _crt = None

#: where a ``.data``'s metadata keeps it (hex, 16 digits); never sent to a client
METADATA_KEY = "X-Objstore-Body-Crc64nvme"


class BodyCrc:
    """A running CRC-64/NVME with ``hashlib``'s ``update``/``hexdigest``."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def update(self, data: bytes) -> None:
        self.value = _crt.crc64nvme(data, self.value)

    def hexdigest(self) -> str:
        return "%016x" % self.value


def new_body_crc() -> Optional[BodyCrc]:
    """A fresh checksum, or ``None`` where ``awscrt`` is missing."""
    return BodyCrc() if _crt is not None else None
