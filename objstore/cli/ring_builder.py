"""objstore-ring-builder: swift-ring-builder's commands, over ring.RingBuilder.

Thin by design: parse arguments, call the builder, print, pick an exit
code (0 ok, 1 warning, 2 error).  The builder file is only rewritten
after a command fully succeeded.
"""
from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import sys
import time
from typing import Any, Callable, Optional

from ring.builder import RingBuilder, RingBuilderError
from ring.formats import RingLoadError, load_ring_file
from ring.utils import format_device, parse_add_value, parse_search_value

EXIT_SUCCESS, EXIT_WARNING, EXIT_ERROR = 0, 1, 2

USAGE = """objstore-ring-builder <builder_file> [<command> [args]]
commands:
  (none)                               summary of the builder
  create <part_power> <replicas> <min_part_hours>
  add r<r>z<z>-<ip>:<port>[R<ip>:<port>]/<device>[_<meta>] <weight> [...]
  add --region R --zone Z --ip IP --port P [--replication-ip IP]
      [--replication-port P] --device D --weight W [--meta M]
  remove <search> [...]
  set_weight <search> <weight> [<search> <weight> ...]
  set_info <search> <ip>:<port>[R<ip>:<port>]/<device>_<meta> [...]
  set_overload <value>[%]
  set_replicas <replicas>
  set_min_part_hours <hours>
  rebalance [--seed N] [--force]
  pretend_min_part_hours_passed
  write_ring
  write_builder [min_part_hours]
  list_parts <search> [...]
  search <search>
  dispersion [-v]
  validate
  prepare_increase_partition_power     (then objstore-relinker relink)
  increase_partition_power             (then objstore-relinker cleanup)
  finish_increase_partition_power
search values: d<id>, r<region>, z<zone>, <ip>, :<port>, /<device>, _<meta>,
  combined like d3r1z2-10.0.0.1:6200R10.0.1.1:6300/sdb1_meta"""


class CommandError(Exception):
    """One-line error for the user; exit 2 and nothing is written."""


class _Ctx:
    def __init__(self, builder_file: str) -> None:
        self.builder_file = builder_file
        self.dir = os.path.dirname(os.path.abspath(builder_file))
        base = os.path.basename(builder_file)
        self.name = base[:-len('.builder')] if base.endswith('.builder') else base
        self.ring_file = os.path.join(self.dir, '%s.ring.gz' % self.name)
        self.builder: Optional[RingBuilder] = None

    def backup_dir(self) -> str:
        path = os.path.join(self.dir, 'backups')
        os.makedirs(path, exist_ok=True)
        return path

    def save_builder(self, backup: bool = False) -> None:
        assert self.builder is not None
        self.builder.save(self.builder_file)
        if backup:
            dest = os.path.join(self.backup_dir(), '%d.%s.builder' % (time.time(), self.name))
            shutil.copy2(self.builder_file, dest)

    def write_ring(self) -> None:
        assert self.builder is not None
        self.builder.get_ring().save(self.ring_file)
        dest = os.path.join(self.backup_dir(), '%d.%s.ring.gz' % (time.time(), self.name))
        shutil.copy2(self.ring_file, dest)


# ------------------------------------------------------------- formatting

def _dev_table(builder: RingBuilder, devs: list[dict[str, Any]]) -> list[str]:
    counts = builder.dev_part_counts()
    bals = builder.dev_balances()
    removing = builder.pending_removal()
    header = ['id', 'region', 'zone', 'ip address:port', 'replication ip:port',
              'name', 'weight', 'partitions', 'balance', 'flags', 'meta']
    rows = []
    for dev in sorted(devs, key=lambda d: d['id']):
        rows.append([
            str(dev['id']), str(dev['region']), str(dev['zone']),
            '%s:%d' % (_ip(dev['ip']), dev['port']),
            '%s:%d' % (_ip(dev['replication_ip']), dev['replication_port']),
            dev['device'], '%.2f' % dev['weight'], str(counts.get(dev['id'], 0)),
            '%.2f' % bals.get(dev['id'], 0.0),
            'DEL' if dev['id'] in removing else '', dev.get('meta', '')])
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    left = {3, 4, 5, 9, 10}

    def fmt(cells: list[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            out.append(cell.ljust(widths[i]) if i in left else cell.rjust(widths[i]))
        return ' '.join(out).rstrip()
    lines = ['Devices:   ' + fmt(header)]
    lines.extend('           ' + fmt(r) for r in rows)
    return lines


def _ip(ip: str) -> str:
    return '[%s]' % ip if ':' in ip else ip


def _summary(ctx: _Ctx) -> list[str]:
    b = ctx.builder
    assert b is not None
    live = [d for d in b.devs if d is not None]
    regions = {d['region'] for d in live}
    zones = {(d['region'], d['zone']) for d in live}
    lines = ['%s, build version %d, id %s' % (ctx.builder_file, b.version, b.id),
             '%d partitions, %.6f replicas, %d regions, %d zones, %d devices, '
             '%.2f balance, %.2f dispersion' % (
                 b.parts, b.replicas, len(regions), len(zones), len(live),
                 b.get_balance(), b.dispersion),
             'The minimum number of hours before a partition can be reassigned '
             'is %d (%s remaining)' % (b.min_part_hours,
                                       datetime.timedelta(seconds=b.min_part_seconds_left())),
             'The overload factor is %.2f%% (%.6f)' % (b.overload * 100, b.overload)]
    if b.replica2part2dev is not None:
        ring_name = os.path.basename(ctx.ring_file)
        if not os.path.exists(ctx.ring_file):
            lines.append('Ring file %s not found, probably it hasn\'t been written yet'
                         % ring_name)
        else:
            try:
                data, _ = load_ring_file(ctx.ring_file)
                mine = b.get_ring()
                same = (data.devs == mine.devs and data.part_shift == mine.part_shift
                        and data.replica2part2dev == mine.replica2part2dev)
                lines.append('Ring file %s is %s' % (ring_name, 'up-to-date' if same else 'obsolete'))
            except RingLoadError as err:
                lines.append('Ring file %s is invalid: %s' % (ring_name, err.problem))
    lines.extend(_dev_table(b, live))
    return lines


# --------------------------------------------------------------- helpers

def _need_builder(ctx: _Ctx) -> RingBuilder:
    if ctx.builder is None:
        raise CommandError('Ring Builder file does not exist: %s' % ctx.builder_file)
    return ctx.builder


def _search(builder: RingBuilder, value: str) -> list[dict[str, Any]]:
    try:
        criteria = parse_search_value(value)
    except ValueError as err:
        raise CommandError(str(err))
    devs = [d for d in builder.search_devs(criteria)]
    if not devs:
        raise CommandError('Search value %r matched 0 devices' % value)
    return devs


def _float(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CommandError('Invalid %s %r (expected a number)' % (what, text))


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CommandError('Invalid %s %r (expected an integer)' % (what, text))


# -------------------------------------------------------------- commands

def cmd_create(ctx: _Ctx, args: list[str]) -> int:
    if len(args) != 3:
        raise CommandError('usage: create <part_power> <replicas> <min_part_hours>')
    part_power = _int(args[0], 'part_power')
    replicas = _float(args[1], 'replicas')
    mph = _int(args[2], 'min_part_hours')
    try:
        ctx.builder = RingBuilder(part_power, replicas, mph)
    except RingBuilderError as err:
        raise CommandError(str(err))
    ctx.save_builder(backup=True)
    return EXIT_SUCCESS


def _parse_add_options(args: list[str]) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(prog='add', add_help=False, exit_on_error=False)
    for opt in ('--region', '--zone', '--port', '--replication-port'):
        parser.add_argument(opt, type=int)
    for opt in ('--ip', '--replication-ip', '--device', '--meta'):
        parser.add_argument(opt)
    parser.add_argument('--weight', type=float)
    try:
        ns, extra = parser.parse_known_args(args)
    except (argparse.ArgumentError, SystemExit) as err:
        raise CommandError('Invalid add options: %s' % err)
    if extra:
        raise CommandError('Unexpected arguments to add: %s' % ' '.join(extra))
    missing = [o for o in ('region', 'zone', 'ip', 'port', 'device', 'weight')
               if getattr(ns, o) is None]
    if missing:
        raise CommandError('add is missing --%s' % ', --'.join(missing))
    ip = ns.ip.strip('[]')
    return [{'region': ns.region, 'zone': ns.zone, 'ip': ip, 'port': ns.port,
             'replication_ip': (ns.replication_ip or ip).strip('[]'),
             'replication_port': ns.replication_port or ns.port,
             'device': ns.device, 'weight': ns.weight, 'meta': ns.meta or ''}]


def cmd_add(ctx: _Ctx, args: list[str]) -> int:
    builder = _need_builder(ctx)
    if not args:
        raise CommandError('usage: add r<r>z<z>-<ip>:<port>/<device>_<meta> <weight> [...]')
    if args[0].startswith('-'):
        new_devs = _parse_add_options(args)
    else:
        if len(args) % 2:
            raise CommandError('add takes pairs of <device> <weight>')
        new_devs = []
        for spec, weight in zip(args[::2], args[1::2]):
            if re.match(r'^z\d+', spec):
                spec = 'r1' + spec  # Swift's pre-region syntax means region 1
            try:
                dev = parse_add_value(spec)
            except ValueError as err:
                raise CommandError(str(err))
            dev['weight'] = _float(weight, 'weight')
            new_devs.append(dev)
    messages = []
    for dev in new_devs:
        try:
            dev_id = builder.add_dev(dev)
        except RingBuilderError as err:
            raise CommandError(str(err))
        messages.append('Device %s with %s weight got id %d'
                        % (format_device(builder.devs[dev_id]), float(dev['weight']), dev_id))
    ctx.save_builder()
    print('\n'.join(messages))
    return EXIT_SUCCESS


def cmd_remove(ctx: _Ctx, args: list[str]) -> int:
    builder = _need_builder(ctx)
    if not args:
        raise CommandError('usage: remove <search> [...]')
    messages = []
    for value in args:
        for dev in _search(builder, value):
            builder.remove_dev(dev['id'])
            messages.append('%s marked for removal and will be removed next rebalance.'
                            % format_device(dev))
    ctx.save_builder()
    print('\n'.join(messages))
    return EXIT_SUCCESS


def cmd_set_weight(ctx: _Ctx, args: list[str]) -> int:
    builder = _need_builder(ctx)
    args = [a for a in args if a not in ('-y', '--yes')]
    if not args or len(args) % 2:
        raise CommandError('usage: set_weight <search> <weight> [<search> <weight> ...]')
    messages = []
    for value, weight_text in zip(args[::2], args[1::2]):
        weight = _float(weight_text, 'weight')
        if weight < 0:
            raise CommandError('weight must be >= 0, got %s' % weight_text)
        for dev in _search(builder, value):
            builder.set_dev_weight(dev['id'], weight)
            messages.append('%s weight set to %s' % (format_device(dev), weight))
    ctx.save_builder()
    print('\n'.join(messages))
    return EXIT_SUCCESS


_CHANGE_RE = re.compile(
    r'^(?P<ip>\[[^\]]+\]|[^:/R_\[]+)?(?::(?P<port>\d+))?'
    r'(?:R(?P<rip>\[[^\]]+\]|[^:/_\[]+)?(?::(?P<rport>\d+))?)?'
    r'(?:/(?P<device>[^_]+))?(?:_(?P<meta>.*))?$')


def cmd_set_info(ctx: _Ctx, args: list[str]) -> int:
    builder = _need_builder(ctx)
    args = [a for a in args if a not in ('-y', '--yes')]
    if not args or len(args) % 2:
        raise CommandError('usage: set_info <search> <ip>:<port>[R<ip>:<port>]/<device>_<meta>')
    messages = []
    for value, change in zip(args[::2], args[1::2]):
        m = _CHANGE_RE.match(change)
        if not m or not any(m.groupdict().values()):
            raise CommandError('Invalid set_info value %r' % change)
        g = m.groupdict()
        changes = {'ip': g['ip'] and g['ip'].strip('[]'),
                   'port': g['port'] and int(g['port']),
                   'replication_ip': g['rip'] and g['rip'].strip('[]'),
                   'replication_port': g['rport'] and int(g['rport']),
                   'device': g['device'], 'meta': g['meta']}
        for dev in _search(builder, value):
            before = format_device(dev)
            try:
                builder.set_dev_info(dev['id'], **changes)
            except RingBuilderError as err:
                raise CommandError(str(err))
            messages.append('Device %s is now %s' % (before, format_device(dev)))
    ctx.save_builder()
    print('\n'.join(messages))
    return EXIT_SUCCESS


def cmd_set_overload(ctx: _Ctx, args: list[str]) -> int:
    builder = _need_builder(ctx)
    if len(args) != 1:
        raise CommandError('usage: set_overload <value>[%]')
    text = args[0]
    value = _float(text.rstrip('%'), 'overload')
    if text.endswith('%'):
        value /= 100.0
    if value < 0:
        raise CommandError('overload must be >= 0')
    builder.set_overload(value)
    ctx.save_builder()
    print('The overload factor is now %.2f%% (%.6f)' % (value * 100, value))
    if value > 1:
        print('!?! Warning overload is greater than 100% !?!')
        return EXIT_WARNING
    return EXIT_SUCCESS


def cmd_set_replicas(ctx: _Ctx, args: list[str]) -> int:
    builder = _need_builder(ctx)
    if len(args) != 1:
        raise CommandError('usage: set_replicas <replicas>')
    value = _float(args[0], 'replicas')
    if value < 1:
        raise CommandError('replicas must be >= 1, got %s' % args[0])
    builder.set_replicas(value)
    ctx.save_builder()
    print('The replica count is now %.6f.' % value)
    print('The change will take effect after the next rebalance.')
    return EXIT_SUCCESS


def cmd_set_min_part_hours(ctx: _Ctx, args: list[str]) -> int:
    builder = _need_builder(ctx)
    if len(args) != 1:
        raise CommandError('usage: set_min_part_hours <hours>')
    hours = _int(args[0], 'min_part_hours')
    if hours < 0:
        raise CommandError('min_part_hours must be >= 0')
    builder.min_part_hours = hours
    ctx.save_builder()
    print('The minimum number of hours before a partition can be reassigned is now set to %d'
          % hours)
    return EXIT_SUCCESS


def cmd_rebalance(ctx: _Ctx, args: list[str]) -> int:
    builder = _need_builder(ctx)
    parser = argparse.ArgumentParser(prog='rebalance', add_help=False, exit_on_error=False)
    parser.add_argument('--seed', '-s', type=int)
    parser.add_argument('--force', '-f', action='store_true')
    try:
        ns, extra = parser.parse_known_args(args)
    except (argparse.ArgumentError, SystemExit) as err:
        raise CommandError('Invalid rebalance options: %s' % err)
    if len(extra) == 1 and extra[0].isdigit() and ns.seed is None:
        ns.seed = int(extra[0])  # swift-ring-builder accepts a bare seed
    elif extra:
        raise CommandError('Unexpected arguments to rebalance: %s' % ' '.join(extra))
    first = builder.replica2part2dev is None
    devs_changed = builder.devs_changed
    last_balance = None if first else builder.get_balance()
    last_dispersion = builder.dispersion
    try:
        moved, balance, removed = builder.rebalance(seed=ns.seed)
    except RingBuilderError as err:
        raise CommandError(str(err))
    if not moved and not removed and not first:
        print('No partitions could be reassigned.')
        if builder.min_part_seconds_left() > 0:
            print('There is no need to do so at this time, or min_part_hours (%d) '
                  'blocks all movement for another %s.' % (
                      builder.min_part_hours,
                      datetime.timedelta(seconds=builder.min_part_seconds_left())))
        else:
            print('There is no need to do so at this time.')
        return EXIT_WARNING
    if (not ns.force and not devs_changed and last_balance is not None
            and abs(last_balance - balance) < 1
            and abs(last_dispersion - builder.dispersion) < 1 and not removed):
        print('Cowardly refusing to save rebalance as it did not change at least 1%.')
        return EXIT_WARNING
    ctx.save_builder(backup=True)
    ctx.write_ring()
    print('Reassigned %d (%.2f%%) partitions. Balance is now %.2f.  Dispersion is now %.2f'
          % (moved, 100.0 * moved / builder.parts, balance, builder.dispersion))
    status = EXIT_SUCCESS
    rule = '-' * 79
    if balance > 5 and balance / 100.0 > builder.overload:
        print(rule)
        print('NOTE: Balance of %.2f indicates you should push this ring, wait at least %d\n'
              'hours, and rebalance/repush.' % (balance, builder.min_part_hours))
        print(rule)
        status = EXIT_WARNING
    if builder.dispersion > 0:
        print(rule)
        print('NOTE: Dispersion of %.6f indicates some parts are not optimally dispersed.\n'
              'You may want to adjust some device weights, increase the overload or\n'
              'review the dispersion report.' % builder.dispersion)
        print(rule)
        status = EXIT_WARNING
    return status


def cmd_pretend(ctx: _Ctx, args: list[str]) -> int:
    _need_builder(ctx).pretend_min_part_hours_passed()
    ctx.save_builder()
    return EXIT_SUCCESS


def cmd_write_ring(ctx: _Ctx, args: list[str]) -> int:
    builder = _need_builder(ctx)
    if builder.replica2part2dev is None:
        raise CommandError('Unable to write empty ring; add devices and rebalance first.')
    ctx.write_ring()
    return EXIT_SUCCESS


def cmd_write_builder(ctx: _Ctx, args: list[str]) -> int:
    if os.path.exists(ctx.builder_file):
        raise CommandError('Cowardly refusing to overwrite existing Ring Builder file %s'
                           % ctx.builder_file)
    mph = _int(args[0], 'min_part_hours') if args else 1
    try:
        data, _ = load_ring_file(ctx.ring_file)
    except RingLoadError as err:
        raise CommandError(str(err))
    ctx.builder = RingBuilder.from_ring(data, mph)
    ctx.save_builder()
    return EXIT_SUCCESS


def cmd_list_parts(ctx: _Ctx, args: list[str]) -> int:
    builder = _need_builder(ctx)
    if not args:
        raise CommandError('usage: list_parts <search> [...]')
    if builder.replica2part2dev is None:
        raise CommandError('Specified builder has not been rebalanced yet.')
    ids = set()
    for value in args:
        ids.update(d['id'] for d in _search(builder, value))
    print('Partition   Matches')
    for part, count in builder.list_parts(ids):
        print('%9d   %7d' % (part, count))
    return EXIT_SUCCESS


def cmd_search(ctx: _Ctx, args: list[str]) -> int:
    builder = _need_builder(ctx)
    if len(args) != 1:
        raise CommandError('usage: search <search>')
    print('\n'.join(_dev_table(builder, _search(builder, args[0]))))
    return EXIT_SUCCESS


def cmd_validate(ctx: _Ctx, args: list[str]) -> int:
    problems = _need_builder(ctx).validate()
    if problems:
        raise CommandError('; '.join(problems))
    return EXIT_SUCCESS


def cmd_dispersion(ctx: _Ctx, args: list[str]) -> int:
    from ring.report import dispersion_report
    builder = _need_builder(ctx)
    if builder.replica2part2dev is None:
        raise CommandError('Specified builder has not been rebalanced yet.')
    verbose = any(a in ('-v', '--verbose') for a in args)
    print('\n'.join(dispersion_report(builder, verbose)))
    return EXIT_SUCCESS if builder.dispersion == 0 else EXIT_WARNING


def _part_power_step(step: Callable[[RingBuilder], Any], done: str) -> Callable[[_Ctx, list[str]], int]:
    """A partition power increase step: change the builder, write builder
    and ring (the ring is what tells the servers), say what comes next."""
    def command(ctx: _Ctx, args: list[str]) -> int:
        builder = _need_builder(ctx)
        if args:
            raise CommandError('this command takes no arguments')
        try:
            step(builder)
        except RingBuilderError as err:
            raise CommandError(str(err))
        ctx.save_builder(backup=True)
        ctx.write_ring()
        print(done % {'power': builder.part_power, 'next': builder.next_part_power})
        return EXIT_SUCCESS
    return command


COMMANDS: dict[str, Callable[[_Ctx, list[str]], int]] = {
    'prepare_increase_partition_power': _part_power_step(
        RingBuilder.prepare_increase_partition_power,
        'The next partition power is now %(next)d.\nPush the ring to every node, then run '
        '"objstore-relinker relink" on every object node.'),
    'increase_partition_power': _part_power_step(
        RingBuilder.increase_partition_power,
        'The partition power is now %(power)d.\nPush the ring to every node, then run '
        '"objstore-relinker cleanup" on every object node.'),
    'finish_increase_partition_power': _part_power_step(
        RingBuilder.finish_increase_partition_power,
        'The partition power increase to %(power)d is finished; push the ring.'),
    'create': cmd_create, 'add': cmd_add, 'remove': cmd_remove,
    'set_weight': cmd_set_weight, 'set_info': cmd_set_info,
    'set_overload': cmd_set_overload, 'set_replicas': cmd_set_replicas,
    'set_min_part_hours': cmd_set_min_part_hours, 'rebalance': cmd_rebalance,
    'pretend_min_part_hours_passed': cmd_pretend, 'write_ring': cmd_write_ring,
    'write_builder': cmd_write_builder, 'list_parts': cmd_list_parts,
    'search': cmd_search, 'validate': cmd_validate, 'dispersion': cmd_dispersion,
}


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point; returns the exit code (console script does sys.exit(main()))."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ('-h', '--help'):
        print(USAGE)
        return EXIT_ERROR if not argv else EXIT_SUCCESS
    path, command, args = argv[0], (argv[1] if len(argv) > 1 else None), argv[2:]
    if command is not None and command not in COMMANDS:
        print('Unknown command: %s (see objstore-ring-builder --help)' % command)
        return EXIT_ERROR
    ctx = _Ctx(path)
    try:
        if command not in ('create', 'write_builder'):
            if path.endswith('.ring.gz') and command is None and os.path.exists(path):
                data, _ = load_ring_file(path)
                ctx.builder = RingBuilder.from_ring(data, 0)
                ctx.ring_file = path
            elif os.path.exists(path):
                ctx.builder = RingBuilder.load(path)
        if command is None:
            _need_builder(ctx)
            print('\n'.join(_summary(ctx)))
            return EXIT_SUCCESS
        return COMMANDS[command](ctx, args)
    except (CommandError, RingLoadError, RingBuilderError) as err:
        print('Error: %s' % err)
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. piped into head
        return EXIT_SUCCESS


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
