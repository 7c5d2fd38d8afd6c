"""ring.placement.excess_replicas against a plain count over every tier."""
from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from ring.placement import LEVELS, Plan, TierTree, excess_replicas

DEVS = [{'id': i, 'region': 1 + i % 2, 'zone': i % 3, 'ip': '10.0.0.%d' % (i % 4),
         'weight': 1.0} for i in range(7)]


def plain_count(rows, tree, limit, parts):
    total = 0
    for p in range(parts):
        worst = 0
        for lvl in range(LEVELS):
            counts = {}
            for row in rows:
                node = tree.dev_anc[row[p]][lvl]
                counts[node] = counts.get(node, 0) + 1
            worst = max(worst, sum(max(0, c - limit[n]) for n, c in counts.items()))
        total += worst
    return total


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.data())
def test_excess_replicas_is_the_worst_level_of_each_partition(replicas, data):
    parts = 8
    tree = TierTree(DEVS)
    limit = Plan(tree, replicas, 1, parts, 0.0).disp_max
    rows = [array('H', data.draw(st.lists(st.integers(0, len(DEVS) - 1), min_size=parts,
                                          max_size=parts)))
            for _ in range(replicas)]
    assert excess_replicas(rows, tree, limit, parts) == plain_count(rows, tree, limit, parts)
