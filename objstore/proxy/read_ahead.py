"""Produce a body's next chunk while the current one is being sent.

A proxy GET alternates between waiting on the storage servers (reading,
for EC also decoding) and waiting on the client (sending). ``read_ahead``
wraps a chunk iterator so that the next chunk is produced in a green
thread of its own while the caller sends the current one: the two waits
overlap, and at most one chunk more than before is held in memory.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from objstore.common import concurrency
from objstore.common.utils import close_if_possible

_END = object()


def _next(chunks: Iterator[bytes]) -> Any:
    return next(chunks, _END)


def read_ahead(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks of ``chunks`` in order, each fetched one step ahead; an
    error raised while fetching reaches the caller where that chunk would
    have. Closing this closes ``chunks`` (after stopping a fetch under way)."""
    pending: Optional[Any] = concurrency.spawn(_next, chunks)
    try:
        while True:
            waiting, pending = pending, None
            chunk = waiting.wait()
            if chunk is _END:
                return
            pending = concurrency.spawn(_next, chunks)
            yield chunk
    finally:
        if pending is not None:
            pending.kill()
        close_if_possible(chunks)
