"""Which storage nodes a proxy prefers: read and write affinity.

A cluster spread over regions pays for every byte that crosses between
them. A proxy told where it stands keeps its traffic near:

* ``sorting_method = shuffle`` (the default) asks a partition's primaries
  in a random order, spreading reads; ``timing`` asks first the nodes that
  answered fastest lately (``NodeTimings``, kept ``timing_expiry``
  seconds; nodes not heard from lately first).
* ``sorting_method = affinity`` with ``read_affinity = r1z1=100, r1=200``
  asks a partition's primaries in order of those priorities (lower first;
  a node no rule names comes last), so a GET is served by a local replica
  while one is up and by a remote one otherwise.
* ``write_affinity = r1, r2z1`` with ``write_affinity_node_count = 2 *
  replicas`` sends an object PUT to the first *count* local nodes among the
  primaries and handoffs, and to the rest only when too few local ones
  answer. The replicators later move the handoff copies to the remote
  primaries, so the client waits for local disks only. An erasure-coded
  PUT sends the fragments of remote primaries to local handoffs the same
  way; the reconstructors move them later.
* ``write_affinity_handoff_delete_count`` (``auto``: replicas minus the
  local primaries) sends a DELETE to that many local handoffs besides the
  primaries, so an object written to local handoffs is deleted there too.
* ``[proxy-server:policy:N]`` sections override any of these for the
  objects of policy ``N`` (``policy_affinities``).

The settings read as Swift's proxy reads them; they are parsed once per
worker, at start, so a mistyped rule stops the proxy with a message
instead of silently sending traffic across regions.
"""

from __future__ import annotations

import itertools
import random
import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Collection, Deque, Dict, Iterator, List, Optional, Tuple

from objstore.common.config import ConfigError, read_conf
from objstore.proxy.nodes import Node, parse_request_node_count

#: Priority of a node no read_affinity rule names: after every named one.
UNNAMED_PRIORITY = 1 << 62
_TIER = re.compile(r"^r(\d+)(?:z(\d+))?$")
#: Section overriding the affinity options for one policy's objects.
POLICY_SECTION = "proxy-server:policy:"
#: What such a section may set (as in Swift 2.38.3).
POLICY_OPTIONS = ("sorting_method", "read_affinity", "write_affinity",
                  "write_affinity_node_count", "write_affinity_handoff_delete_count")


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


def _handoff_delete_count(value: str) -> Optional[int]:
    """``write_affinity_handoff_delete_count``: ``auto`` (``None``) or N >= 0."""
    text = value.strip().lower()
    if text in ("", "auto"):
        return None
    try:
        count = int(text)
    except ValueError:
        count = -1
    if count < 0:
        raise AffinityError("write_affinity_handoff_delete_count: %r is neither 'auto' "
                            "nor a number >= 0" % value)
    return count


class NodeTimings:
    """How long each storage host took lately to answer (connect and
    response headers), for ``sorting_method = timing``."""

    def __init__(self, expiry: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.expiry = float(expiry)
        self.clock = clock
        self._seen: Dict[str, Tuple[float, float]] = {}

    def record(self, node: Node, seconds: float) -> None:
        self._seen[str(node.get("ip"))] = (seconds, self.clock() + self.expiry)

    def timing(self, node: Node) -> float:
        """Seconds of the last answer; -1 when none is recent enough."""
        seen = self._seen.get(str(node.get("ip")))
        if seen is None or seen[1] < self.clock():
            return -1.0
        return seen[0]


@dataclass
class Affinity:
    """A proxy's node preferences, from its [app:proxy-server] section."""

    read_priority: Optional[Callable[[Node], int]] = None
    write_is_local: Optional[Callable[[Node], bool]] = None
    write_node_count: Callable[[int], int] = lambda replicas: 2 * replicas
    #: local handoffs a DELETE also goes to; None = replicas - local primaries
    handoff_delete_count: Optional[int] = None
    #: shuffle, timing or affinity: how reads order the primaries
    sorting: str = "shuffle"

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
                                                  "2 * replicas")),
            handoff_delete_count=_handoff_delete_count(
                conf.get("write_affinity_handoff_delete_count", "auto")),
            sorting=sorting or "shuffle")

    def read_order(self, primaries: List[Node], handoffs: Iterator[Node],
                   timings: Optional[NodeTimings] = None) -> Iterator[Node]:
        """Primaries shuffled, then sorted by read priority (``affinity``)
        or recent answer time (``timing``); then handoffs in ring order."""
        ranked = list(primaries)
        random.shuffle(ranked)
        if self.sorting == "affinity" and self.read_priority is not None:
            ranked.sort(key=self.read_priority)
        elif self.sorting == "timing" and timings is not None:
            ranked.sort(key=timings.timing)
        return itertools.chain(ranked, handoffs)

    def write_order(self, primaries: List[Node], ring: Any, part: int) -> Iterator[Node]:
        """The first ``write_affinity_node_count`` local nodes (primaries,
        then handoffs), then every other primary and handoff."""
        if self.write_is_local is None:
            return itertools.chain(primaries, ring.get_more_nodes(part))
        local = self._local_nodes(primaries, ring, part)
        return itertools.chain(local, _except(local, primaries, ring, part))

    def _local_nodes(self, primaries: List[Node], ring: Any, part: int) -> List[Node]:
        """The first ``write_affinity_node_count`` local primaries and handoffs."""
        is_local = self.write_is_local
        assert is_local is not None
        return list(itertools.islice(
            (n for n in itertools.chain(primaries, ring.get_more_nodes(part)) if is_local(n)),
            self.write_node_count(len(primaries))))

    def ec_write_plan(self, primaries: List[Node], ring: Any, part: int
                      ) -> Tuple[List[bool], Deque[Node], Iterator[Node]]:
        """Where an erasure-coded PUT sends each fragment index.

        ``(primary_first, local_handoffs, other_handoffs)``: fragment ``i``
        goes to primary ``i`` when ``primary_first[i]``; otherwise (a remote
        primary, under write affinity) to the next of ``local_handoffs``
        while one is left. Both lists then stand in for failed nodes, local
        handoffs first."""
        if self.write_is_local is None:
            return [True] * len(primaries), deque(), iter(ring.get_more_nodes(part))
        local = self._local_nodes(primaries, ring, part)
        chosen = {n["id"] for n in local}
        primary_ids = {n["id"] for n in primaries}
        return ([p["id"] in chosen for p in primaries],
                deque(n for n in local if n["id"] not in primary_ids),
                (n for n in ring.get_more_nodes(part) if n["id"] not in chosen))

    def delete_order(self, primaries: List[Node], ring: Any, part: int
                     ) -> Optional[Tuple[int, Iterator[Node]]]:
        """Under write affinity, ``(extra, nodes)`` for an object DELETE:
        every primary, then ``extra`` local handoffs
        (``write_affinity_handoff_delete_count``), then the other handoffs
        to stand in for failures. ``None`` without write affinity."""
        is_local = self.write_is_local
        if is_local is None:
            return None
        extra = self.handoff_delete_count
        if extra is None:
            extra = len(primaries) - sum(1 for n in primaries if is_local(n))
        primary_ids = {n["id"] for n in primaries}
        first = list(primaries) + list(itertools.islice(
            (n for n in ring.get_more_nodes(part)
             if n["id"] not in primary_ids and is_local(n)), extra))
        return extra, itertools.chain(first, _except(first, [], ring, part))


def _except(taken: List[Node], primaries: List[Node], ring: Any, part: int) -> Iterator[Node]:
    """``primaries`` then the ring's handoffs, without the ``taken`` ones."""
    ids = {n["id"] for n in taken}
    return (n for n in itertools.chain(primaries, ring.get_more_nodes(part))
            if n["id"] not in ids)


def policy_affinities(conf: Dict[str, str], policy_indexes: Collection[int]
                      ) -> Dict[int, Affinity]:
    """The ``[proxy-server:policy:N]`` sections of the proxy's config file
    (``conf["__file__"]``): each policy's options over the proxy's own."""
    path = conf.get("__file__")
    if not path:
        return {}
    try:
        sections = read_conf(path)
    except ConfigError as err:
        raise AffinityError(str(err)) from None
    defaults = sections.get("DEFAULT", {})
    found: Dict[int, Affinity] = {}
    for name, section in sections.items():
        if not name.startswith(POLICY_SECTION):
            continue
        raw = name[len(POLICY_SECTION):].strip()
        if not raw.isdigit() or int(raw) not in policy_indexes:
            raise AffinityError("[%s]: no storage policy with index %r" % (name, raw))
        own = {k: v for k, v in section.items()
               if k != "__file__" and (k not in defaults or defaults[k] != v)}
        unknown = sorted(set(own) - set(POLICY_OPTIONS))
        if unknown:
            raise AffinityError("[%s]: %s cannot be set per policy (only %s)"
                                % (name, ", ".join(unknown), ", ".join(POLICY_OPTIONS)))
        merged = dict(conf)
        merged.update(own)
        try:
            found[int(raw)] = Affinity.from_conf(merged)
        except AffinityError as err:
            raise AffinityError("[%s]: %s" % (name, err)) from None
    return found
