"""objstore-ring-builder's device commands: add, remove, set_weight,
set_region, set_zone, set_info, search and list_parts.

Devices are chosen by a ``<search-value>`` or by ``--region/--zone/...``
options, as in swift-ring-builder; when one choice matches several devices
they are listed and, without ``--yes``, the user is asked first.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from objstore.cli.ring_builder_args import Args, parse_change_value
from objstore.cli.ring_builder_context import (EXIT_SUCCESS, UNCHANGED, CommandError, Ctx,
                                               Usage, not_rebalanced, number)
from ring.builder import RingBuilder, RingBuilderError
from ring.report import search_table
from ring.utils import format_device, parse_add_value, parse_search_value


# ------------------------------------------------------- device selection

def _criteria(value: str) -> dict[str, Any]:
    try:
        return parse_search_value(value)
    except ValueError:
        raise CommandError('Invalid <search-value>: %r' % value)


def _select(builder: RingBuilder, criteria: dict[str, Any]) -> list[dict[str, Any]]:
    return builder.search_devs(criteria)


def _selected(ctx: Ctx, args: Args, per_device: int) -> list[tuple[list, list[str]]]:
    """Pairs of (matched devices, the words that go with them) for commands
    taking ``<search-value> <value>...`` or ``--options <value>``; exit 2
    when a selector matches nothing."""
    groups = []
    if args.search:
        if len(args.positional) != per_device:
            raise Usage()
        groups.append((_select(ctx.b, args.search), args.positional))
    else:
        step = per_device + 1
        if not args.positional or len(args.positional) % step:
            raise Usage()
        for i in range(0, len(args.positional), step):
            words = args.positional[i:i + step]
            groups.append((_select(ctx.b, _criteria(words[0])), words[1:]))
    for devs, _ in groups:
        if not devs:
            raise CommandError('Search value matched 0 devices.\n' + UNCHANGED)
    return groups


def _confirm(devs: list[dict[str, Any]], args: Args, question: str, abort: str) -> None:
    """Several devices matched: list them, and unless --yes ask first."""
    if len(devs) <= 1:
        return
    print('Matched more than one device:')
    for dev in devs:
        print('    %s' % format_device(dev))
    if 'yes' in args.flags:
        return
    try:
        answer = input('Are you sure you want to %s these %d devices? (y/N) '
                       % (question, len(devs)))
    except EOFError:
        answer = ''
    if answer.strip().lower() not in ('y', 'yes'):
        raise CommandError(abort)


# ------------------------------------------------------------ commands

def _add_from_options(args: Args) -> dict[str, Any]:
    s = args.search
    for short, name, key in (('-r', 'region', 'region'), ('-z', 'zone', 'zone'),
                             ('-i', 'ip', 'ip'), ('-p', 'port', 'port'),
                             ('-d', 'device', 'device'), ('-w', 'weight', 'weight')):
        if key not in s:
            raise CommandError('Required argument %s/--%s not specified.\n%s'
                               % (short, name, UNCHANGED))
    return {'id': s.get('id'), 'region': s['region'], 'zone': s['zone'], 'ip': s['ip'],
            'port': s['port'],
            'replication_ip': s.get('replication_ip', s['ip']),
            'replication_port': s.get('replication_port', s['port']),
            'device': s['device'], 'weight': s['weight'], 'meta': s.get('meta', '')}


def cmd_add(ctx: Ctx, args: Args) -> int:
    if args.search:
        if args.positional:
            raise Usage()
        new_devs = [_add_from_options(args)]
    else:
        if not args.positional or len(args.positional) % 2:
            raise Usage()
        new_devs = []
        for spec, weight in zip(args.positional[::2], args.positional[1::2]):
            if re.match(r'^z\d+', spec):
                print('WARNING: No region specified for %s. Defaulting to region 1.' % spec)
                spec = 'r1' + spec
            try:
                dev = parse_add_value(spec)
            except ValueError:
                raise CommandError('Invalid add value: %s\n%s' % (spec, UNCHANGED))
            try:
                dev['weight'] = float(weight)
            except ValueError:
                raise CommandError('Invalid weight %r (expected a number)\n%s'
                                   % (weight, UNCHANGED))
            new_devs.append(dev)
    for dev in new_devs:
        try:
            dev_id = ctx.b.add_dev(dev)
        except RingBuilderError as err:
            raise CommandError('%s\n%s' % (err, UNCHANGED))
        print('Device %s with %s weight got id %d'
              % (format_device(ctx.b.devs[dev_id]), float(dev['weight']), dev_id))
    ctx.save_builder()
    return EXIT_SUCCESS


def cmd_remove(ctx: Ctx, args: Args) -> int:
    if bool(args.search) == bool(args.positional):
        raise Usage()
    devs: list[dict[str, Any]] = []
    for criteria in [args.search] if args.search else map(_criteria, args.positional):
        devs.extend(d for d in _select(ctx.b, criteria) if d not in devs)
    if not devs:
        raise CommandError('Search value matched 0 devices.\n' + UNCHANGED)
    _confirm(devs, args, 'remove', 'Aborting device removals')
    for dev in devs:
        try:
            ctx.b.remove_dev(dev['id'])
        except RingBuilderError as err:
            raise CommandError(str(err))
        print('%s marked for removal and will be removed next rebalance.'
              % format_device(dev))
    ctx.save_builder()
    return EXIT_SUCCESS


def set_field(what: str, conv: Callable[[str], Any],
              setter: Callable[[RingBuilder, int, Any], None]) -> Callable[[Ctx, Args], int]:
    """set_weight / set_region / set_zone: one value for the devices matched."""
    def command(ctx: Ctx, args: Args) -> int:
        for devs, words in _selected(ctx, args, 1):
            value = number(words[0], conv, what)
            _confirm(devs, args, 'update the %s for' % what, 'Aborting device modifications')
            for dev in devs:
                try:
                    setter(ctx.b, dev['id'], value)
                except RingBuilderError as err:
                    raise CommandError(str(err))
                print('%s %s set to %s' % (format_device(dev), what, value))
        ctx.save_builder()
        return EXIT_SUCCESS
    return command


def cmd_set_info(ctx: Ctx, args: Args) -> int:
    if args.change or (args.search and not args.positional):
        if args.positional or not args.search:
            raise Usage()
        groups = [(_select(ctx.b, args.search), dict(args.change))]
        if not groups[0][0]:
            raise CommandError('Search value matched 0 devices.\n' + UNCHANGED)
    else:
        groups = []
        for devs, words in _selected(ctx, args, 1):
            try:
                groups.append((devs, parse_change_value(words[0])))
            except ValueError:
                raise CommandError('Invalid set info change value: %r' % words[0])
    for devs, changes in groups:
        _confirm(devs, args, 'update the info for', 'Aborting device modifications')
        for dev in devs:
            before = format_device(dev)
            try:
                ctx.b.set_dev_info(dev['id'], **changes)
            except RingBuilderError as err:
                raise CommandError(str(err))
            print('Device %s is now %s' % (before, format_device(dev)))
    ctx.save_builder()
    return EXIT_SUCCESS


def cmd_list_parts(ctx: Ctx, args: Args) -> int:
    if bool(args.search) == bool(args.positional):
        raise Usage()
    if ctx.b.replica2part2dev is None:
        raise not_rebalanced(ctx)
    ids = set()
    for criteria in [args.search] if args.search else map(_criteria, args.positional):
        ids.update(d['id'] for d in _select(ctx.b, criteria))
    if not ids:
        raise CommandError('No matching devices found')
    print('Partition   Matches')
    for part, count in ctx.b.list_parts(ids):
        print('%9d   %7d' % (part, count))
    return EXIT_SUCCESS


def cmd_search(ctx: Ctx, args: Args) -> int:
    if args.search:
        if args.positional:
            raise Usage()
        criteria = args.search
    elif len(args.positional) == 1:
        criteria = _criteria(args.positional[0])
    else:
        raise Usage()
    devs = _select(ctx.b, criteria)
    if not devs:
        raise CommandError('No matching devices found')
    print('\n'.join(search_table(devs, ctx.b.dev_part_counts(), ctx.b.dev_balances())))
    return EXIT_SUCCESS
