"""Dispersion report: how each failure domain holds each partition."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ring.formats import NONE_DEV
from ring.placement import Plan, TierTree

if TYPE_CHECKING:  # pragma: no cover
    from ring.builder import RingBuilder


def _tier_name(key: tuple) -> str:
    names = ['r%s' % key[0], 'z%s' % key[1] if len(key) > 1 else '',
             '-%s' % key[2] if len(key) > 2 else '', '/d%s' % key[3] if len(key) > 3 else '']
    return ''.join(names)


def dispersion_report(builder: 'RingBuilder', verbose: bool = False) -> list[str]:
    """Lines of the report: per tier, how many parts hold 0, 1, 2... replicas there.

    ``Max`` is the most replicas of one partition the tier may hold when
    the ring is perfectly dispersed; parts above it are counted in ``%``.
    Without ``verbose`` only tiers with such parts are listed.
    """
    rows = builder.replica2part2dev or []
    tree = TierTree(builder.live_devs())
    plan = Plan(tree, builder.replicas, 1, builder.parts, 0.0)
    max_reps = len(rows)
    hist = [[0] * (max_reps + 1) for _ in tree.keys]
    anc = tree.dev_anc
    for part in range(builder.parts):
        seen: dict[int, int] = {}
        for row in rows:
            if part < len(row) and row[part] != NONE_DEV:
                for node in anc.get(row[part], ()):
                    seen[node] = seen.get(node, 0) + 1
        for node, count in seen.items():
            hist[node][count] += 1
    lines = ['Dispersion is %.6f, Balance is %.6f, Overload is %.2f%%' % (
        builder.dispersion, builder.get_balance(), builder.overload * 100)]
    rule = '-' * 79
    cols = ''.join('%6d' % i for i in range(max_reps + 1))
    lines += [rule, '%-36s %8s %6s %4s%s' % ('Tier', 'Parts', '%', 'Max', cols), rule]
    for node in tree.top_down()[1:]:
        counts = hist[node]
        counts[0] = builder.parts - sum(counts[1:])
        limit = plan.disp_max[node]
        over = sum(counts[limit + 1:])
        if not verbose and not over:
            continue
        replicas = sum(i * c for i, c in enumerate(counts))
        lines.append('%-36s %8d %6.2f %4d%s' % (
            _tier_name(tree.keys[node]), replicas, 100.0 * over / builder.parts, limit,
            ''.join('%6d' % c for c in counts)))
    return lines
