"""Checksums of an object's body: the one kept on disk, and the ones a
replicated PUT carries from the proxy to the object servers.

On disk. A whole-object read must notice damaged bytes (and quarantine
the file) before the last byte reaches the client. The MD5 against the
ETag tells, but costs about 2 ms of CPU per MiB here: most of a large
GET's server CPU. So every ``.data`` written gets a CRC-64/NVME of its
bytes as well (``awscrt``, tens of GB/s), computed by the object server's
writer from the very bytes it writes -- never taken from a request or a
peer -- and a GET judges the bytes by it. The MD5 stays the ETag and what
the auditor checks.

On the wire. Each object server taking the MD5 of a replicated PUT's body
made three MD5s of every byte stored. Instead the proxy takes the MD5 and
the CRC as it reads the body, and sends them after the body in a
fixed-size trailer (``TRAILER``: the request's ``Content-Length`` is the
object's plus ``TRAILER_BYTES``; ``X-Backend-Obj-Content-Length`` the
object's). The object server compares the trailer's CRC with the one its
writer took of what it stored, so the MD5 it keeps as the ETag is known to
be the MD5 of its own bytes; it still refuses (422) a body whose MD5 is not
the client's ETag. A server says in its ``100 Continue`` (``TRAILER_ACK``)
that it reads the trailer; the proxy sends one to no other (that server
would store the trailer as part of the object), so object servers are
upgraded before proxies, as for metadata footers.

A CRC catches every burst of up to 64 flipped bits and any other damage
but one in 2**64; it is no defence against someone who may rewrite both
the file and its metadata, and neither is the MD5 stored beside them.
Files written before this (no CRC in their metadata), or with no
``awscrt``, are judged by their MD5 as before.

On a GET. An object server checks a large body only as it sends it, and
ends its answer short when the sum is wrong at the end. The proxy resumes
a body that ended short from another replica, so it must judge what it
spliced: a whole-object GET's answer carries the ``.data``'s CRC
(``BACKEND_CRC``), the proxy takes the CRC of the bytes it passes on and
holds back its last chunk until they agree (``proxy/getter``).
"""

from __future__ import annotations

import string
from typing import Optional, Tuple

from objstore.common import concurrency
from objstore.common.utils import new_md5

try:
    from awscrt import checksums as _crt  # type: ignore
except ImportError:  # pragma: no cover - awscrt is a dependency of objstore
    _crt = None

#: where a ``.data``'s metadata keeps it (hex, 16 digits); never sent to a client
METADATA_KEY = "X-Objstore-Body-Crc64nvme"
#: object server to proxy, on a whole-object GET of a ``.data`` that has a
#: CRC: the CRC-64/NVME of the whole body (hex), so the proxy can judge a
#: body it spliced from several replicas (``proxy/getter``); never to a client
BACKEND_CRC = "X-Backend-Obj-Body-Crc64nvme"
#: request header: the body is followed by its sums (``TRAILER_KIND``)
TRAILER = "X-Backend-Obj-Body-Sums"
TRAILER_KIND = "md5,crc64nvme"
#: in an object server's ``100 Continue``: ``yes``, it reads the trailer
TRAILER_ACK = "X-Obj-Body-Sums"
#: 32 hex digits of MD5, then 16 of CRC-64/NVME
TRAILER_BYTES = 48
#: a body at least this long is hashed in a thread of its own
#: (``ThreadedBodySums``); a smaller one is one or a few chunks, where a
#: thread has little to overlap and a busy server's other requests fill
#: the other core anyway
THREAD_BYTES = 8 * 1024 * 1024
#: bytes of a body queued for that thread at most before the reader waits
THREAD_BACKLOG_BYTES = 4 * 1024 * 1024
_HEX = frozenset(string.hexdigits.lower().encode("ascii"))


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


def trailer_possible() -> bool:
    """Whether this process can take (or check) a trailer's CRC."""
    return _crt is not None


class BodySums:
    """The proxy's side: the MD5 and the CRC of the body as it passes."""

    def __init__(self) -> None:
        self.md5 = new_md5()
        self.crc = BodyCrc()

    def update(self, chunk: bytes) -> None:
        self.md5.update(chunk)
        self.crc.update(chunk)

    def trailer(self) -> bytes:
        return (self.md5.hexdigest() + self.crc.hexdigest()).encode("ascii")

    def cancel(self) -> None:
        """The body will not be finished (nothing to release here)."""


class ThreadedBodySums(BodySums):
    """The same sums of a large body, taken in an OS thread of their own.

    Why: the MD5 costs about 1.4 ms of CPU per MiB, half of what a proxy
    spends on a large replicated PUT (``perf``: 52% of the proxy's samples
    in libcrypto, 256 MiB PUT, docs/performance.md session 13). Taken on
    the green thread, it runs between the reads from the client and the
    sends to the nodes, serially; ``hashlib`` lets go of the interpreter
    lock on large buffers, so in a thread of its own it runs beside them,
    on the other core. The chunks are ``bytes`` (never changed once read),
    and the thread takes them in order through a ``ThreadFeed`` (no hub
    round trip per chunk; a few chunks of backlog at most).
    """

    def __init__(self, backlog: int) -> None:
        super().__init__()
        self._feed = concurrency.ThreadFeed(super().update, backlog)

    def update(self, chunk: bytes) -> None:
        self._feed.put(chunk)

    def trailer(self) -> bytes:
        self._feed.finish()
        return super().trailer()

    def cancel(self) -> None:
        self._feed.cancel()


def body_sums_for(length: int, chunk_size: int) -> BodySums:
    """The sums a proxy takes of a body of ``length`` read in chunks of
    ``chunk_size``: in a thread of their own from ``THREAD_BYTES`` up."""
    if length >= THREAD_BYTES:
        return ThreadedBodySums(max(2, THREAD_BACKLOG_BYTES // max(1, chunk_size)))
    return BodySums()


def parse_trailer(raw: bytes) -> Optional[Tuple[str, str]]:
    """``(MD5 hex, CRC hex)`` of a trailer, ``None`` if it is not one."""
    if len(raw) != TRAILER_BYTES or not set(raw) <= _HEX:
        return None
    text = raw.decode("ascii")
    return text[:32], text[32:]
