"""How many backend answers make a decision, and which answer wins.

Pure functions so the rules can be tested without a socket: a write is
only reported done when a majority of replicas agree, and the client sees
the answer that majority gave.
"""

from __future__ import annotations

from collections import Counter
from typing import List, Optional, Sequence

SERVICE_UNAVAILABLE = 503


def quorum_size(replicas: int) -> int:
    """A strict majority of ``replicas`` (2 of 3, 3 of 4, 1 of 1).

    Two disjoint majorities cannot exist, so two writes can never both be
    "done" while disagreeing.
    """
    return int(replicas) // 2 + 1


def status_class(status: int) -> int:
    """The hundreds of a status: 2 for 201, 4 for 404, 5 for 503."""
    return int(status) // 100


def is_success(status: int) -> bool:
    return 200 <= int(status) < 300


def is_server_error(status: int) -> bool:
    return 500 <= int(status) < 600


#: A storage server's backend_ratelimit answer: the device is busy, not broken.
TOO_MANY_BACKEND_REQUESTS = 529


def is_node_fault(status: int) -> bool:
    """A 5xx that counts toward error-limiting the node (a 529 does not:
    error-limiting a busy disk would move its load onto the others)."""
    return is_server_error(status) and int(status) != TOO_MANY_BACKEND_REQUESTS


def best_status(statuses: Sequence[int], replicas: int,
                quorum: Optional[int] = None) -> int:
    """The status a quorum of backends agrees on, else 503.

    Statuses agree when they share a class (201 and 202 both mean stored);
    within the winning class the most common status is chosen, the lower
    one on a tie. 5xx answers never win: a server error from a majority is
    still "unavailable" to the client.
    """
    need = quorum if quorum is not None else quorum_size(replicas)
    by_class: dict = {}
    for status in statuses:
        by_class.setdefault(status_class(status), []).append(int(status))
    for klass in (2, 3, 4):
        group = by_class.get(klass, [])
        if len(group) >= need:
            counts = Counter(group)
            return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return SERVICE_UNAVAILABLE


def agreed_etag(etags: List[Optional[str]], need: int) -> Optional[str]:
    """The ETag at least ``need`` successful nodes reported, if any.

    Nodes that stored different bytes for the same write must not count
    toward one quorum.
    """
    counts = Counter(e.strip('"') for e in etags if e)
    for etag, count in counts.most_common():
        if count >= need:
            return etag
    return None
