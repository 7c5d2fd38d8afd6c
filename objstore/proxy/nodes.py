"""Which storage nodes to ask, in what order, and which to avoid for now.

Primaries come first, then handoffs from the ring, up to
``request_node_count`` nodes. A node that keeps failing is *error
limited*: skipped for ``error_suppression_interval`` seconds so one dead
disk does not cost every request a timeout.
"""

from __future__ import annotations

import errno
import http.client
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional

from objstore.common import concurrency

Node = Dict[str, Any]

#: OSErrors this process meets on its own, whichever node it talks to
_LOCAL_ERRNOS = frozenset((errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.ENOBUFS))
#: http.client errors raised before a byte went out: the request, not the node
_LOCAL_HTTP_ERRORS = (http.client.InvalidURL, http.client.ImproperConnectionState)


def node_to_blame(err: BaseException) -> bool:
    """Whether an exception met while talking to a node says the node is
    failing: a timeout, a refused or broken connection, an answer that is
    not HTTP. Anything else was this process's own doing (a header that
    cannot be encoded, an erasure code that fails to encode or decode, out
    of file descriptors, a bug) and would fail the same on every node:
    counting it against them error-limited healthy nodes (a tierer moving
    one object with a UTF-8 name took every EC node out of its proxy)."""
    if isinstance(err, concurrency.Timeout):
        return True
    if isinstance(err, OSError):
        return err.errno not in _LOCAL_ERRNOS
    if isinstance(err, http.client.HTTPException):
        return not isinstance(err, _LOCAL_HTTP_ERRORS)
    return False


def node_key(node: Node) -> str:
    """The identity used for error limiting: one device on one server."""
    return "%s:%s/%s" % (node["ip"], node["port"], node["device"])


def node_desc(node: Node) -> str:
    return "%s:%s/%s" % (node.get("ip"), node.get("port"), node.get("device"))


@dataclass
class _ErrorStats:
    errors: int = 0
    last_error: float = 0.0


class ErrorLimiter:
    """Counts recent errors per node and says when to stop asking it."""

    def __init__(self, suppression_interval: float = 60.0, suppression_limit: int = 10,
                 clock: Callable[[], float] = time.time) -> None:
        self.interval = float(suppression_interval)
        self.limit = int(suppression_limit)
        self.clock = clock
        self._stats: Dict[str, _ErrorStats] = {}

    def _current(self, node: Node) -> Optional[_ErrorStats]:
        stats = self._stats.get(node_key(node))
        if stats is None:
            return None
        if self.clock() - stats.last_error > self.interval:
            # Quiet long enough: give the node a fresh start.
            del self._stats[node_key(node)]
            return None
        return stats

    def is_limited(self, node: Node) -> bool:
        stats = self._current(node)
        return stats is not None and stats.errors > self.limit

    def increment(self, node: Node) -> None:
        """One more error (timeout, 5xx, connection refused)."""
        stats = self._current(node) or self._stats.setdefault(node_key(node), _ErrorStats())
        stats.errors += 1
        stats.last_error = self.clock()

    def limit_now(self, node: Node) -> None:
        """Skip the node at once (e.g. 507: its disk is unmounted or full)."""
        stats = self._current(node) or self._stats.setdefault(node_key(node), _ErrorStats())
        stats.errors = self.limit + 1
        stats.last_error = self.clock()

    def errors(self, node: Node) -> int:
        stats = self._current(node)
        return stats.errors if stats else 0


def parse_request_node_count(value: str, replicas: int) -> int:
    """``request_node_count`` as a number: ``6`` or ``2 * replicas``."""
    text = str(value).strip().lower().replace(" ", "")
    if text.endswith("*replicas"):
        return max(1, int(text[:-len("*replicas")]) * replicas)
    return max(1, int(text))


class NodeIter:
    """Primaries, then handoffs, skipping error-limited nodes.

    Iterating yields at most ``request_node_count`` nodes; ``primaries_left``
    tells callers when the handoffs start. One instance may be shared by
    several green threads: each ``next()`` hands out a different node.
    """

    def __init__(self, ring: Any, partition: int, limiter: ErrorLimiter,
                 request_node_count: int, primaries: Optional[List[Node]] = None,
                 order: Optional[Iterator[Node]] = None) -> None:
        self.ring = ring
        self.partition = partition
        self.limiter = limiter
        self.primaries = primaries if primaries is not None else ring.get_part_nodes(partition)
        self.limit = max(request_node_count, len(self.primaries))
        self.yielded = 0
        self._gen = self._generate() if order is None else self._ordered(order)

    def _generate(self) -> Iterator[Node]:
        for node in self.primaries:
            if not self.limiter.is_limited(node):
                yield node
        handoffs = 0
        for node in self.ring.get_more_nodes(self.partition):
            if self.yielded >= self.limit:
                return
            handoffs += 1
            if handoffs > self.limit:
                return
            if not self.limiter.is_limited(node):
                node = dict(node)
                node["handoff_index"] = handoffs
                yield node

    def _ordered(self, order: Iterator[Node]) -> Iterator[Node]:
        """Nodes in a caller's order (affinity): primaries and handoffs
        mixed, handoffs marked and counted against the same bound."""
        primary_ids = {n.get("id") for n in self.primaries}
        handoffs = 0
        for node in order:
            if node.get("id") not in primary_ids:
                handoffs += 1
                if handoffs > self.limit:
                    return
                node = dict(node)
                node["handoff_index"] = handoffs
            if not self.limiter.is_limited(node):
                yield node

    def __iter__(self) -> "NodeIter":
        return self

    def __next__(self) -> Node:
        if self.yielded >= self.limit:
            raise StopIteration
        node = next(self._gen)
        self.yielded += 1
        return node
