"""Which storage nodes a proxy prefers: read and write affinity.

A cluster spread over regions pays for every byte that crosses between
them. A proxy told where it stands keeps its traffic near:

* ``sorting_method = affinity`` with ``read_affinity = r1z1=100, r1=200``
  asks a partition's primaries in order of those priorities (lower first;
  a node no rule names comes last), so a GET is served by a local replica
  while one is up and by a remote one otherwise.
* ``write_affinity = r1, r2z1`` with ``write_affinity_node_count = 2 *
  replicas`` sends an object PUT to the first *count* local nodes among the
  primaries and handoffs, and to the rest only when too few local ones
  answer. The replicators later move the handoff copies to the remote
  primaries, so the client waits for local disks only.

The settings read as Swift's proxy reads them; they are parsed once per
worker, at start, so a mistyped rule stops the proxy with a message
instead of silently sending traffic across regions.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from objstore.proxy.nodes import Node, parse_request_node_count

#: Priority of a node no read_affinity rule names: after every named one.
UNNAMED_PRIORITY = 1 << 62
_TIER = re.compile(r"^r(\d+)(?:z(\d+))?$")


class AffinityError(ValueError):
    """A read_affinity/write_affinity setting that cannot be understood."""


def _parse_tier(text: str, option: str) -> Tuple[int, Optional[int]]:
    match = _TIER.match(text.strip().lower())
    if not match:
        raise AffinityError("%s: %r is not a region (r<N>) or a zone (r<N>z<M>)"
                            % (option, text.strip()))
    return int(match.group(1)), (int(match.group(2)) if match.group(2) else None)


def _in_tier(node: Node, tier: Tuple[int, Optional[int]]) -> bool:
    region, zone = tier
    return int(node.get("region", -1)) == region and (
        zone is None or int(node.get("zone", -1)) == zone)


def parse_read_affinity(value: str) -> Callable[[Node], int]:
    """``r1z1=100, r1=200`` as a function giving a node its priority (the
    lowest matching rule; ``UNNAMED_PRIORITY`` when none matches)."""
    rules: List[Tuple[Tuple[int, Optional[int]], int]] = []
    for item in value.split(","):
        if not item.strip():
            continue
        tier, eq, priority = item.partition("=")
        if not eq:
            raise AffinityError("read_affinity: %r needs a priority (e.g. r1z1=100)"
                                % item.strip())
        try:
            rank = int(priority.strip())
        except ValueError:
            raise AffinityError("read_affinity: priority %r of %r is not a number"
                                % (priority.strip(), tier.strip())) from None
        rules.append((_parse_tier(tier, "read_affinity"), rank))

    def priority(node: Node) -> int:
        return min((rank for tier, rank in rules if _in_tier(node, tier)),
                   default=UNNAMED_PRIORITY)
    return priority


def parse_write_affinity(value: str) -> Optional[Callable[[Node], bool]]:
    """``r1, r2z1`` as a test of whether a node is local; ``None`` when
    the setting is empty (no write affinity)."""
    tiers = [_parse_tier(item, "write_affinity") for item in value.split(",") if item.strip()]
    if not tiers:
        return None
    return lambda node: any(_in_tier(node, tier) for tier in tiers)


def _node_count(value: str) -> Callable[[int], int]:
    """``write_affinity_node_count`` (``6`` or ``2 * replicas``), checked now."""
    try:
        parse_request_node_count(value, 3)
    except ValueError:
        raise AffinityError("write_affinity_node_count: %r is neither a number nor "
                            "'<N> * replicas'" % value) from None
    return lambda replicas: parse_request_node_count(value, replicas)


@dataclass
class Affinity:
    """A proxy's node preferences, from its [app:proxy-server] section."""

    read_priority: Optional[Callable[[Node], int]] = None
    write_is_local: Optional[Callable[[Node], bool]] = None
    write_node_count: Callable[[int], int] = lambda replicas: 2 * replicas

    @classmethod
    def from_conf(cls, conf: Dict[str, str]) -> "Affinity":
        sorting = conf.get("sorting_method", "").strip().lower()
        if sorting not in ("", "shuffle", "timing", "affinity"):
            raise AffinityError("sorting_method must be shuffle, timing or affinity, got %r"
                                % sorting)
        read = conf.get("read_affinity", "").strip()
        return cls(
            read_priority=parse_read_affinity(read) if read and sorting == "affinity" else None,
            write_is_local=parse_write_affinity(conf.get("write_affinity", "")),
            write_node_count=_node_count(conf.get("write_affinity_node_count",
                                                  "2 * replicas")))

    def read_order(self, primaries: List[Node], handoffs: Iterator[Node]) -> Iterator[Node]:
        """Primaries by read priority (ring order among equals), then handoffs."""
        if self.read_priority is None:
            return itertools.chain(primaries, handoffs)
        ranked = sorted(primaries, key=self.read_priority)
        return itertools.chain(ranked, handoffs)

    def write_order(self, primaries: List[Node], ring: Any, part: int) -> Iterator[Node]:
        """The first ``write_affinity_node_count`` local nodes (primaries,
        then handoffs), then every other primary and handoff."""
        if self.write_is_local is None:
            return itertools.chain(primaries, ring.get_more_nodes(part))
        is_local = self.write_is_local
        wanted = self.write_node_count(len(primaries))
        local = list(itertools.islice(
            (n for n in itertools.chain(primaries, ring.get_more_nodes(part)) if is_local(n)),
            wanted))
        chosen = {n["id"] for n in local}
        rest = (n for n in itertools.chain(primaries, ring.get_more_nodes(part))
                if n["id"] not in chosen)
        return itertools.chain(local, rest)
