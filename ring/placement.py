"""Placement math: the failure-domain tree, per-tier targets, fresh layouts.

Devices form a tree: root -> region -> zone -> server (ip) -> device.  For
every node we decide how many replicas of an average partition it should
hold (``share``), trading weight against dispersion with the overload
factor, and how many partition-replicas that is in total (``target``).
"""
from __future__ import annotations

import math
import random
from array import array
from typing import Any, Optional, Sequence

from ring.formats import NONE_DEV

EPS = 1e-9
LEVELS = 4  # region, zone, server, device


class TierTree:
    """Failure-domain tree over the devices that are still in the ring."""

    def __init__(self, devs: Sequence[dict[str, Any]]) -> None:
        self.keys: list[tuple] = [()]
        self.level: list[int] = [0]
        self.parent: list[int] = [-1]
        self.children: list[list[int]] = [[]]
        index: dict[tuple, int] = {(): 0}
        #: dev id -> (region, zone, server, device) node ids
        self.dev_anc: dict[int, tuple[int, ...]] = {}
        self.dev_node: dict[int, int] = {}
        ordered = sorted(devs, key=lambda d: (d['region'], d['zone'], d['ip'], d['id']))
        for dev in ordered:
            key_parts = (dev['region'], dev['zone'], dev['ip'], dev['id'])
            anc = []
            parent = 0
            for lvl in range(1, LEVELS + 1):
                key = key_parts[:lvl]
                node = index.get(key)
                if node is None:
                    node = len(self.keys)
                    index[key] = node
                    self.keys.append(key)
                    self.level.append(lvl)
                    self.parent.append(parent)
                    self.children.append([])
                    self.children[parent].append(node)
                anc.append(node)
                parent = node
            self.dev_anc[dev['id']] = tuple(anc)
            self.dev_node[dev['id']] = anc[-1]
        n = len(self.keys)
        self.weight = [0.0] * n
        self.ndev = [0] * n       # devices with weight > 0 below the node
        self.ndev_all = [0] * n   # all devices below the node
        for dev in ordered:
            for node in (0,) + self.dev_anc[dev['id']]:
                self.weight[node] += dev['weight']
                self.ndev_all[node] += 1
                if dev['weight'] > 0:
                    self.ndev[node] += 1
        self.dev_ids = [dev['id'] for dev in ordered]

    def top_down(self) -> list[int]:
        order = [0]
        for node in order:
            order.extend(self.children[node])
        return order

    def nodes_at(self, lvl: int) -> list[int]:
        return [i for i, v in enumerate(self.level) if v == lvl]


def _even_split(total: float, caps: list[float]) -> list[float]:
    """Split ``total`` as evenly as possible, never above a child's cap."""
    result = [0.0] * len(caps)
    open_ids = [i for i, c in enumerate(caps) if c > 0]
    remaining = total
    while open_ids:
        share = remaining / len(open_ids)
        capped = [i for i in open_ids if caps[i] <= share + EPS]
        if not capped:
            for i in open_ids:
                result[i] = share
            break
        for i in capped:
            result[i] = caps[i]
            remaining -= caps[i]
        open_ids = [i for i in open_ids if i not in capped]
    return result


def _cap_fill(values: list[float], caps: list[float]) -> list[float]:
    """Clamp values to caps, handing the excess to the others pro rata."""
    values = list(values)
    for _ in range(len(values) + 1):
        excess = 0.0
        for i, v in enumerate(values):
            if v > caps[i] + EPS:
                excess += v - caps[i]
                values[i] = float(caps[i])
        if excess <= EPS:
            break
        room = [i for i, v in enumerate(values) if v < caps[i] - EPS]
        base = sum(values[i] for i in room)
        if not room:
            break
        for i in room:
            add = excess * (values[i] / base if base > EPS else 1.0 / len(room))
            values[i] += add
    return values


def _ceil(x: float) -> int:
    return int(math.ceil(x - EPS)) if x > EPS else 0


def _split_children(share: float, weights: list[float], caps: list[float],
                    overload: float) -> list[float]:
    """Shares of the children: by weight, pulled toward an even spread.

    The pull only happens when it improves the worst-case replicas per
    partition in one child, and only as far as ``overload`` lets any child
    exceed its weight share (overload 0.1 => at most 10% more).
    """
    total_w = sum(weights)
    if total_w <= 0 or share <= EPS:
        return [0.0] * len(weights)
    weighted = [share * w / total_w for w in weights]
    weighted = _cap_fill(weighted, caps)
    even = _even_split(share, caps)
    worst_weighted = max(_ceil(x) for x in weighted)
    worst_even = max(_ceil(x) for x in even)
    lam = 0.0
    if worst_weighted > worst_even and overload > 0:
        lam = 1.0
        for w_c, e_c in zip(weighted, even):
            if e_c > w_c + EPS:
                lam = min(lam, overload * w_c / (e_c - w_c))
    mixed = [w_c + lam * (e_c - w_c) for w_c, e_c in zip(weighted, even)]
    return _cap_fill(mixed, caps)


def _distribute(total: int, shares: list[float], caps: list[int]) -> list[int]:
    """Largest-remainder rounding of ``total`` in proportion to ``shares``."""
    ssum = sum(shares)
    if ssum <= 0 or total <= 0:
        return [0] * len(shares)
    exact = [total * s / ssum for s in shares]
    counts = [min(int(math.floor(x + EPS)), caps[i]) for i, x in enumerate(exact)]
    left = total - sum(counts)
    order = sorted(range(len(shares)), key=lambda i: (counts[i] - exact[i], -shares[i]))
    while left > 0:
        progressed = False
        for i in order:
            if left and counts[i] < caps[i] and shares[i] > 0:
                counts[i] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return counts


class Plan:
    """Per-node replica shares, per-partition limits and part targets."""

    def __init__(self, tree: TierTree, replicas: float, total_slots: int,
                 part_count: int, overload: float) -> None:
        n = len(tree.keys)
        self.tree = tree
        self.share = [0.0] * n
        self.disp_share = [0.0] * n
        self.share[0] = self.disp_share[0] = float(replicas)
        for node in tree.top_down():
            kids = tree.children[node]
            if not kids:
                continue
            caps = [float(tree.ndev[c]) for c in kids]
            split = _split_children(self.share[node], [tree.weight[c] for c in kids],
                                    caps, overload)
            even = _even_split(self.disp_share[node],
                               [float(tree.ndev_all[c]) for c in kids])
            for c, s, e in zip(kids, split, even):
                self.share[c] = s
                self.disp_share[c] = e
        #: most replicas of one partition a node should hold (placement)
        self.maxrep = [_ceil(s) for s in self.share]
        #: most replicas of one partition a node may hold when perfectly dispersed
        self.disp_max = [max(1, _ceil(s)) for s in self.disp_share]
        self.target = [0] * n
        self.target[0] = total_slots
        for node in tree.top_down():
            kids = tree.children[node]
            if kids:
                caps = [tree.ndev[c] * part_count for c in kids]
                counts = _distribute(self.target[node], [self.share[c] for c in kids], caps)
                for c, k in zip(kids, counts):
                    self.target[c] = k

    def dev_target(self, dev_id: int) -> int:
        node = self.tree.dev_node.get(dev_id)
        return self.target[node] if node is not None else 0


def fresh_layout(plan: Plan, row_lengths: list[int], part_count: int,
                 rng: random.Random) -> list[array]:
    """Lay out every replica at once, dispersed by construction.

    Devices' targets are concatenated in tree order and cut into rows of
    ``part_count``; a partition's replicas sit exactly ``part_count`` apart
    in that sequence, so a tier block of length L holds at most
    ceil(L / part_count) replicas of any partition.  Inside any block no
    longer than one row the order is free, so we shuffle it there: each
    device then shares partitions with many peers, not a fixed few.
    """
    tree = plan.tree
    seq = array('H')

    def device_run(node: int) -> array:
        dev_id = tree.keys[node][3]
        return array('H', [dev_id]) * plan.target[node]

    def emit(node: int) -> None:
        if plan.target[node] <= 0:
            return
        if tree.level[node] == LEVELS:
            seq.extend(device_run(node))
            return
        if plan.target[node] <= part_count:
            block = array('H')
            stack = [node]
            while stack:
                cur = stack.pop()
                if tree.level[cur] == LEVELS:
                    block.extend(device_run(cur))
                else:
                    stack.extend(tree.children[cur])
            items = block.tolist()
            rng.shuffle(items)
            seq.extend(array('H', items))
            return
        for child in tree.children[node]:
            emit(child)

    emit(0)
    rows = []
    offset = 0
    for length in row_lengths:
        rows.append(seq[offset:offset + length])
        offset += length
    return rows


def row_lengths_for(replicas: float, part_count: int) -> list[int]:
    """Full rows for the whole replicas, one partial row for the fraction."""
    whole = int(math.floor(replicas + EPS))
    lengths = [part_count] * whole
    frac = int(round((replicas - whole) * part_count))
    if frac > 0:
        lengths.append(frac)
    return lengths


def undispersed_parts(rows: list[array], anc: dict[int, tuple[int, ...]],
                      limit: list[int], part_count: int,
                      only: Optional[Sequence[int]] = None) -> list[int]:
    """Partitions where some tier holds more replicas than ``limit`` allows.

    Checked top-down: once a level has all-distinct nodes every level below
    is distinct too, which keeps the common case to one set() per part.
    """
    levels = []
    max_reps = len(rows)
    for lvl in range(LEVELS):
        ids = {a[lvl] for a in anc.values()}
        if any(limit[i] < max_reps for i in ids) or lvl == LEVELS - 1:
            levels.append(lvl)
    per_level = [{d: a[lvl] for d, a in anc.items()} for lvl in levels]
    bad = []
    full = [r for r in rows if len(r) == part_count]
    short = [r for r in rows if len(r) != part_count]
    parts = range(part_count) if only is None else only
    for p in parts:
        ds = [r[p] for r in full]
        for r in short:
            if p < len(r):
                ds.append(r[p])
        n = len(ds)
        for lvl_map in per_level:
            try:
                nodes = [lvl_map[d] for d in ds]
            except KeyError:
                bad.append(p)  # a replica on a removed/unknown device
                break
            if len(set(nodes)) == n:
                if limit[nodes[0]] >= 1 and all(limit[x] >= 1 for x in nodes):
                    break
                bad.append(p)
                break
            counts: dict[int, int] = {}
            for x in nodes:
                counts[x] = counts.get(x, 0) + 1
            if any(c > limit[x] for x, c in counts.items()):
                bad.append(p)
                break
    return bad


def excess_replicas(rows: Sequence[array], tree: TierTree, limit: Sequence[int],
                    part_count: int) -> int:
    """Partition-replicas beyond what perfect dispersion allows: per
    partition, the most any one tier level holds above its limits.

    Levels are checked top-down: once a partition's replicas sit in
    distinct nodes of a level they do on every level below too, where
    nothing more can be in excess.
    """
    max_reps = len(rows)
    levels = [lvl for lvl in range(LEVELS)
              if any(limit[a[lvl]] < max_reps for a in tree.dev_anc.values())]
    per_level = [{d: a[lvl] for d, a in tree.dev_anc.items()} for lvl in levels]
    total = 0
    for p in range(part_count):
        ds = [row[p] for row in rows if p < len(row) and row[p] != NONE_DEV]
        worst = 0
        for lvl_map in per_level:
            nodes = [lvl_map[d] for d in ds if d in lvl_map]
            if len(set(nodes)) == len(nodes):
                worst = max(worst, sum(1 for x in nodes if limit[x] < 1))
                break
            counts: dict[int, int] = {}
            for x in nodes:
                counts[x] = counts.get(x, 0) + 1
            worst = max(worst, sum(max(0, c - limit[x]) for x, c in counts.items()))
        total += worst
    return total
