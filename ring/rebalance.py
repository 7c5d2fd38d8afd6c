"""Incremental rebalance: gather the replicas that must or should move,
then place each on the failure domain that wants partitions most.

Moving data is the expensive part of a ring change, so we only gather
(1) new replica slots and replicas on removed devices, (2) replicas that
break the dispersion limits and (3) the surplus of over-full devices,
and a partition gives up at most one replica per ``min_part_hours``.
"""
from __future__ import annotations

import random
from array import array
from collections import Counter
from typing import TYPE_CHECKING, Optional

from ring.formats import NONE_DEV
from ring.placement import LEVELS, Plan, TierTree, undispersed_parts

if TYPE_CHECKING:  # pragma: no cover
    from ring.builder import RingBuilder

_MAX_ROUNDS = 4


class _State:
    """Counters kept in step with the table while we gather and assign."""

    def __init__(self, tree: TierTree, plan: Plan, rows: list[array]) -> None:
        self.tree = tree
        self.plan = plan
        self.rows = rows
        total: Counter = Counter()
        for row in rows:
            total.update(row)
        total.pop(NONE_DEV, None)
        self.counts: dict[int, int] = dict(total)
        self.wanted = list(plan.target)
        for dev_id, count in self.counts.items():
            for node in tree.dev_anc.get(dev_id, ()):
                self.wanted[node] -= count

    def take(self, r: int, p: int) -> int:
        dev_id = self.rows[r][p]
        self.rows[r][p] = NONE_DEV
        if dev_id != NONE_DEV:
            self.counts[dev_id] -= 1
            for node in self.tree.dev_anc.get(dev_id, ()):
                self.wanted[node] += 1
        return dev_id

    def put(self, r: int, p: int, dev_id: int) -> None:
        self.rows[r][p] = dev_id
        self.counts[dev_id] = self.counts.get(dev_id, 0) + 1
        for node in self.tree.dev_anc[dev_id]:
            self.wanted[node] -= 1

    def others(self, r: int, p: int) -> list[int]:
        return [row[p] for i, row in enumerate(self.rows)
                if i != r and p < len(row) and row[p] != NONE_DEV]

    def excess(self) -> dict[int, int]:
        out = {}
        for dev_id, count in self.counts.items():
            extra = count - self.plan.dev_target(dev_id)
            if extra > 0:
                out[dev_id] = extra
        return out

    def choose(self, others: list[int]) -> Optional[int]:
        """Walk down the tree picking the child that wants most, within limits."""
        tree, plan, wanted = self.tree, self.plan, self.wanted
        cnt: dict[int, int] = {}
        for dev_id in others:
            for node in tree.dev_anc.get(dev_id, ()):
                cnt[node] = cnt.get(node, 0) + 1
        node = 0
        for _ in range(LEVELS):
            best = -1
            best_key: tuple = ()
            for child in tree.children[node]:
                cap = tree.ndev[child]
                k = cnt.get(child, 0)
                if k >= cap:
                    continue
                key = (k >= plan.maxrep[child], -wanted[child])
                if best < 0 or key < best_key:
                    best, best_key = child, key
            if best < 0:
                return self._fallback(others)
            node = best
        return tree.keys[node][3]

    def _fallback(self, others: list[int]) -> Optional[int]:
        taken = set(others)
        cands = [d for d in self.tree.dev_ids if self.tree.ndev[self.tree.dev_node[d]]]
        free = [d for d in cands if d not in taken] or cands
        if not free:
            return None
        return max(free, key=lambda d: self.wanted[self.tree.dev_node[d]])


def _resize(builder: 'RingBuilder', rows: list[array], lengths: list[int],
            gathered: list[tuple[int, int]]) -> None:
    """Grow/shrink replica rows to the replica count; new slots are gathered."""
    while len(rows) > len(lengths):
        rows.pop()
    for r, length in enumerate(lengths):
        if r >= len(rows):
            rows.append(array('H', [NONE_DEV]) * length)
            gathered.extend((r, p) for p in range(length))
            continue
        row = rows[r]
        if len(row) > length:
            del row[length:]
        elif len(row) < length:
            start = len(row)
            row.extend(array('H', [NONE_DEV]) * (length - start))
            gathered.extend((r, p) for p in range(start, length))


def _worst_replica(state: _State, p: int, limit: list[int]) -> Optional[int]:
    """Row index of the replica of ``p`` to move to fix its dispersion."""
    tree = state.tree
    slots = [(r, row[p]) for r, row in enumerate(state.rows)
             if p < len(row) and row[p] != NONE_DEV]
    for lvl in range(LEVELS):
        cnt: dict[int, int] = {}
        for _, dev_id in slots:
            node = tree.dev_anc[dev_id][lvl]
            cnt[node] = cnt.get(node, 0) + 1
        over = [(r, d) for r, d in slots if cnt[tree.dev_anc[d][lvl]] > limit[tree.dev_anc[d][lvl]]]
        if over:
            # move the copy whose device is fullest relative to its target
            r, _ = max(over, key=lambda rd: state.counts.get(rd[1], 0)
                       - state.plan.dev_target(rd[1]))
            return r
    return None


def incremental_rebalance(builder: 'RingBuilder', tree: TierTree, plan: Plan,
                          lengths: list[int], rng: random.Random) -> tuple[int, int]:
    """Rebalance an existing table in place; returns the partition-replicas
    that got a new device (a new replica slot counts as one) and the
    partitions they belong to."""
    rows = builder.replica2part2dev
    assert rows is not None and builder._last_moved is not None
    parts = builder.parts
    last_moved = builder._last_moved
    mph = builder.min_part_hours
    gathered: list[tuple[int, int]] = []
    _resize(builder, rows, lengths, gathered)
    state = _State(tree, plan, rows)
    original: dict[tuple[int, int], int] = {}
    touched = bytearray(parts)

    # 1. replicas on devices that are gone must move, whatever their age
    gone = {d for d in state.counts if d not in tree.dev_anc}
    for r, row in enumerate(rows):
        if any(row.count(d) for d in gone):
            for p, dev_id in enumerate(row):
                if dev_id in gone:
                    original[(r, p)] = state.take(r, p)
                    gathered.append((r, p))
                    touched[p] = 1
    for r, p in gathered:
        touched[p] = 1

    def movable(p: int) -> bool:
        return not touched[p] and last_moved[p] >= mph

    # 2. dispersion: a tier holding more copies of a part than it should
    for p in undispersed_parts(rows, tree.dev_anc, plan.maxrep, parts):
        if not movable(p):
            continue
        r = _worst_replica(state, p, plan.maxrep)
        if r is not None:
            original[(r, p)] = state.take(r, p)
            gathered.append((r, p))
            touched[p] = 1

    moved = 0
    moved_parts: set[int] = set()
    # place everything that has to move, most constrained parts first
    rng.shuffle(gathered)
    missing: dict[int, int] = {}
    for _, p in gathered:
        missing[p] = missing.get(p, 0) + 1
    gathered.sort(key=lambda rp: -missing[rp[1]])
    for r, p in gathered:
        dev_id = state.choose(state.others(r, p))
        if dev_id is None:
            raise ValueError('no device can take partition %d' % p)
        state.put(r, p, dev_id)
        if original.get((r, p), NONE_DEV) != dev_id:
            moved += 1
            moved_parts.add(p)
            last_moved[p] = 0

    # 3. balance: over-full devices give up surplus, one replica at a time,
    # and only where the replica can land on a device that wants it
    tree_node = tree.dev_node
    for _ in range(_MAX_ROUNDS):
        excess = state.excess()
        left = sum(excess.values())
        if not left:
            break
        moved_this_round = 0
        start = rng.randrange(parts)
        stride = rng.randrange(1, parts, 2) if parts > 2 else 1
        for i in range(parts):
            p = (start + i * stride) % parts
            if not movable(p):
                continue
            for r, row in enumerate(rows):
                if p >= len(row):
                    continue
                old = row[p]
                if excess.get(old, 0) <= 0:
                    continue
                state.take(r, p)
                dev_id = state.choose(state.others(r, p))
                if dev_id is None or dev_id == old or state.wanted[tree_node[dev_id]] < 1:
                    state.put(r, p, old)
                    continue
                state.put(r, p, dev_id)
                excess[old] -= 1
                left -= 1
                moved_this_round += 1
                moved += 1
                moved_parts.add(p)
                last_moved[p] = 0
                touched[p] = 1
                break
            if not left:
                break
        if not moved_this_round:
            break
    return moved, len(moved_parts)
