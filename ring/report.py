"""What the ring-builder CLI prints about a builder: device tables and the
dispersion report.

The column layouts follow ``swift-ring-builder``'s, because operators'
scripts cut these tables by column position or by whitespace; the numbers
are objstore's own (its placement, its balance and dispersion).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Optional, Sequence

from ring.formats import NONE_DEV
from ring.placement import Plan, TierTree

if TYPE_CHECKING:  # pragma: no cover
    from ring.builder import RingBuilder

NO_DEVICES = 'There are no devices in this ring, or all devices have been deleted'


def _bracket(ip: str) -> str:
    return '[%s]' % ip if ':' in ip else ip


def _ip_width(ips: Sequence[str], header: str, pad: int) -> int:
    """Width of an address column: the longest bare address (or the header),
    ``pad`` more, and 2 more for the brackets if any address is IPv6."""
    longest = max([len(header)] + [len(ip) for ip in ips])
    return longest + pad + (2 if any(':' in ip for ip in ips) else 0)


def device_table(devs: Sequence[dict[str, Any]], counts: dict[int, int],
                 balances: dict[int, float], removing: set[int]) -> list[str]:
    """The summary's ``Devices:`` table, sorted by failure domain.

    Address columns grow with the longest address and port; the ``ip``
    part is right-aligned and the port left-aligned, so every ``:`` of a
    column sits in one place.
    """
    devs = sorted(devs, key=lambda d: (d['region'], d['zone'], d['ip'], d['port'],
                                       d['device'], d['id']))
    ip_w = _ip_width([d['ip'] for d in devs], 'ip address', 1)
    rip_w = _ip_width([d['replication_ip'] for d in devs], 'replication ip', 0)
    port_w = max([len('port')] + [len(str(d['port'])) for d in devs])
    rport_w = max([len('port')] + [len(str(d['replication_port'])) for d in devs])
    weight_w = max([len('weight')] + [len('%.2f' % d['weight']) for d in devs])

    def line(lead: str, cells: Sequence[str]) -> str:
        (dev_id, region, zone, ip, port, rip, rport, name, weight, parts, bal, flags,
         meta) = cells
        return '%s%5s %6s %4s%*s:%-*s %*s:%-*s %5s %*s %10s %7s %5s %s' % (
            lead, dev_id, region, zone, ip_w, ip, port_w, port, rip_w, rip, rport_w, rport,
            name, weight_w, weight, parts, bal, flags, meta)

    lines = [line('Devices:', ('id', 'region', 'zone', 'ip address', 'port',
                               'replication ip', 'port', 'name', 'weight', 'partitions',
                               'balance', 'flags', 'meta'))]
    for dev in devs:
        lines.append(line(' ' * 8, (
            str(dev['id']), str(dev['region']), str(dev['zone']), _bracket(dev['ip']),
            str(dev['port']), _bracket(dev['replication_ip']), str(dev['replication_port']),
            dev['device'], '%.2f' % dev['weight'], str(counts.get(dev['id'], 0)),
            '%.2f' % balances.get(dev['id'], 0.0),
            'DEL' if dev['id'] in removing else '', dev.get('meta', ''))))
    if not devs:
        lines.append(NO_DEVICES)
    return lines


_SEARCH_ROW = ' %5s %7s %5s %15s %5s %15s %17s %9s %6s %10s %7s %s'


def search_table(devs: Sequence[dict[str, Any]], counts: dict[int, int],
                 balances: dict[int, float]) -> list[str]:
    """``search``'s table: fixed-width columns, bare addresses, no flags."""
    lines = ['Devices:' + _SEARCH_ROW % (
        'id', 'region', 'zone', 'ip address', 'port', 'replication ip', 'replication port',
        'name', 'weight', 'partitions', 'balance', 'meta')]
    for dev in devs:
        lines.append(' ' * 8 + _SEARCH_ROW % (
            dev['id'], dev['region'], dev['zone'], dev['ip'], dev['port'],
            dev['replication_ip'], dev['replication_port'], dev['device'],
            '%.2f' % dev['weight'], counts.get(dev['id'], 0),
            '%.2f' % balances.get(dev['id'], 0.0), dev.get('meta', '')))
    return lines


# ------------------------------------------------------------- dispersion

def _tier_name(tree: TierTree, node: int, names: dict[int, str]) -> str:
    key = tree.keys[node]
    text = 'r%s' % key[0]
    if len(key) > 1:
        text += 'z%s' % key[1]
    if len(key) > 2:
        text += '-%s' % _bracket(key[2])
    if len(key) > 3:
        text += '/%s' % names[key[3]]
    return text


def _depth_first(tree: TierTree) -> list[int]:
    order: list[int] = []
    stack = [0]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(reversed(tree.children[node]))
    return order


def required_overload(builder: 'RingBuilder') -> float:
    """The smallest overload at which objstore's placement may put at most
    as many replicas of a partition in every failure domain as a perfectly
    dispersed ring would (0.0 when the weights already allow that)."""
    tree = TierTree(builder.live_devs())
    if not tree.dev_ids:
        return 0.0

    def enough(overload: float) -> bool:
        plan = Plan(tree, builder.replicas, 1, 1, overload)
        return all(m <= d for m, d in zip(plan.maxrep, plan.disp_max))
    if enough(0.0):
        return 0.0
    low, high = 0.0, 1.0
    while not enough(high):
        low, high = high, high * 2
        if high > 1e6:
            return high
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (low, mid) if enough(mid) else (mid, high)
    return high


def dispersion_report(builder: 'RingBuilder', tier_filter: Optional[str] = None,
                      verbose: bool = False) -> tuple[list[str], float]:
    """Lines of the report and the worst tier's dispersion (0.0 = none).

    Per tier: ``Parts`` is the partition-replicas it holds, ``Max`` the most
    replicas of one partition it may hold when perfectly dispersed, ``%``
    the share of its replicas above that, and then how many partitions
    hold 0, 1, 2... replicas in it.  ``tier_filter`` is a regular
    expression matched at the start of the tier name; the table is only
    printed with ``verbose``.
    """
    rows = builder.replica2part2dev or []
    # every device still in the table, those marked for removal included:
    # their tiers may hold nothing (Max 0) but still do until the rebalance
    devs = [d for d in builder.devs if d is not None]
    tree = TierTree(devs)
    names = {d['id']: d['device'] for d in devs}
    live_tree = TierTree(builder.live_devs())
    live_plan = Plan(live_tree, builder.replicas, 1, builder.parts, 0.0)
    limits = {key: live_plan.disp_max[node] for node, key in enumerate(live_tree.keys)
              if live_tree.ndev[node]}
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
    pattern = re.compile(tier_filter) if tier_filter else None
    table = []
    worst, worst_name = 0.0, ''
    for node in _depth_first(tree)[1:]:
        name = _tier_name(tree, node, names)
        if pattern is not None and not pattern.match(name):
            continue
        counts = hist[node]
        counts[0] = builder.parts - sum(counts[1:])
        limit = limits.get(tree.keys[node], 0)
        replicas = sum(i * c for i, c in enumerate(counts))
        over = sum((i - limit) * c for i, c in enumerate(counts) if i > limit)
        pct = 100.0 * over / replicas if replicas else 0.0
        if pct > worst:
            worst, worst_name = pct, name
        table.append((name, replicas, pct, limit, counts))
    lines = ['Dispersion is %.6f, Balance is %.6f, Overload is %.2f%%' % (
        builder.dispersion, builder.get_balance(), builder.overload * 100),
        'Required overload is %.6f%%' % (required_overload(builder) * 100)]
    if worst > 0:
        lines.append('Worst tier is %.6f (%s)' % (worst, worst_name))
    if verbose and table:
        name_w = max([30] + [len(t[0]) for t in table])
        rule = '-' * (name_w + 20 + 6 * (max_reps + 1))
        lines += [rule, '%-*s %5s %6s %6s%s' % (
            name_w, 'Tier', 'Parts', '%', 'Max',
            ''.join(' %5d' % i for i in range(max_reps + 1))), rule]
        for name, replicas, pct, limit, counts in table:
            lines.append('%-*s %5d %6.2f %6d%s' % (
                name_w, name, replicas, pct, limit, ''.join(' %5d' % c for c in counts)))
    return lines, worst
