"""objstore-ring-builder: swift-ring-builder's commands, over ring.RingBuilder.

Thin by design: parse arguments, call the builder, print, pick an exit
code (0 ok, 1 warning, 2 error).  What it prints and its exit codes are
swift-ring-builder's, because operators' scripts parse them; where objstore
differs on purpose, docs/swift-differences.md ("Ring builder") says so.
The builder file is only rewritten after a command fully succeeded.
"""
from __future__ import annotations

import datetime
import os
import re
import shutil
import sys
import time
from typing import Any, Callable, Optional

from objstore.cli.ring_builder_args import (PROG, Args, UsageError, command_usage,
                                            full_usage, parse, parse_change_value)
from ring.builder import RingBuilder, RingBuilderError
from ring.formats import RING_FORMAT_VERSION, RingLoadError, load_ring_file
from ring.report import device_table, dispersion_report, search_table
from ring.utils import format_device, parse_add_value, parse_search_value

EXIT_SUCCESS, EXIT_WARNING, EXIT_ERROR = 0, 1, 2
UNCHANGED = 'The on-disk ring builder is unchanged.'
RULE = '-' * 79


class CommandError(Exception):
    """Message for the user; exit 2 and nothing is written."""


class Usage(Exception):
    """Wrong arguments: print the command's usage, exit 2."""


class _Ctx:
    def __init__(self, builder_file: str) -> None:
        self.builder_file = builder_file
        self.dir = os.path.dirname(os.path.abspath(builder_file))
        stem = builder_file[:-len('.builder')] if builder_file.endswith('.builder') \
            else builder_file
        self.name = os.path.basename(stem)
        self.ring_file = stem + '.ring.gz'
        self.builder: Optional[RingBuilder] = None

    @property
    def b(self) -> RingBuilder:
        assert self.builder is not None
        return self.builder

    def backup_dir(self) -> str:
        path = os.path.join(self.dir, 'backups')
        os.makedirs(path, exist_ok=True)
        return path

    def save_builder(self, backup: bool = False) -> None:
        self.b.save(self.builder_file)
        if backup:
            dest = os.path.join(self.backup_dir(), '%d.%s.builder' % (time.time(), self.name))
            shutil.copy2(self.builder_file, dest)

    def write_ring(self) -> None:
        self.b.get_ring().save(self.ring_file)
        dest = os.path.join(self.backup_dir(), '%d.%s.ring.gz' % (time.time(), self.name))
        shutil.copy2(self.ring_file, dest)


# ------------------------------------------------------------- summary

def _ring_file_state(ctx: _Ctx) -> str:
    if not os.path.exists(ctx.ring_file):
        return 'Ring file %s not found, probably it hasn\'t been written yet' % ctx.ring_file
    try:
        data, _ = load_ring_file(ctx.ring_file)
    except RingLoadError as err:
        return 'Ring file %s is invalid: %s' % (ctx.ring_file, err.problem)
    if ctx.b.replica2part2dev is None:
        return 'Ring file %s is obsolete' % ctx.ring_file
    mine = ctx.b.get_ring()
    same = (data.devs == mine.devs and data.part_shift == mine.part_shift
            and data.replica2part2dev == mine.replica2part2dev)
    return 'Ring file %s is %s' % (ctx.ring_file, 'up-to-date' if same else 'obsolete')


def _summary(ctx: _Ctx) -> list[str]:
    b = ctx.b
    live = [d for d in b.devs if d is not None]
    return [
        '%s, build version %d, id %s' % (ctx.builder_file, b.version, b.id),
        '%d partitions, %.6f replicas, %d regions, %d zones, %d devices, 2-byte IDs, '
        '%.2f balance, %.2f dispersion' % (
            b.parts, b.replicas, len({d['region'] for d in live}),
            len({(d['region'], d['zone']) for d in live}), len(live), b.get_balance(),
            b.dispersion),
        'The minimum number of hours before a partition can be reassigned is %d '
        '(%s remaining)' % (b.min_part_hours,
                            datetime.timedelta(seconds=b.min_part_seconds_left())),
        'The overload factor is %.2f%% (%.6f)' % (b.overload * 100, b.overload),
        _ring_file_state(ctx),
    ] + device_table(live, b.dev_part_counts(), b.dev_balances(), b.pending_removal())


# ------------------------------------------------------- device selection

def _criteria(value: str) -> dict[str, Any]:
    try:
        return parse_search_value(value)
    except ValueError:
        raise CommandError('Invalid <search-value>: %r' % value)


def _select(builder: RingBuilder, criteria: dict[str, Any]) -> list[dict[str, Any]]:
    return builder.search_devs(criteria)


def _selected(ctx: _Ctx, args: Args, per_device: int) -> list[tuple[list, list[str]]]:
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


def _number(text: str, conv: Callable[[str], Any], what: str) -> Any:
    try:
        return conv(text)
    except ValueError:
        raise CommandError('Invalid %s %r (expected a number)' % (what, text))


# ------------------------------------------------------------ commands

def cmd_create(ctx: _Ctx, raw: list[str]) -> int:
    if len(raw) < 3:
        raise Usage()
    try:
        ctx.builder = RingBuilder(_number(raw[0], int, 'part_power'),
                                  _number(raw[1], float, 'replicas'),
                                  _number(raw[2], int, 'min_part_hours'))
    except RingBuilderError as err:
        raise CommandError(str(err))
    ctx.save_builder(backup=True)
    return EXIT_SUCCESS


def _add_from_options(args: Args) -> dict[str, Any]:
    s = args.search
    for short, name, key in (('-r', 'region', 'region'), ('-z', 'zone', 'zone'),
                             ('-i', 'ip', 'ip'), ('-p', 'port', 'port'),
                             ('-d', 'device', 'device'), ('-w', 'weight', 'weight')):
        if key not in s:
            raise CommandError('Required argument %s/--%s not specified.\n%s'
                               % (short, name, UNCHANGED))
    return {'region': s['region'], 'zone': s['zone'], 'ip': s['ip'], 'port': s['port'],
            'replication_ip': s.get('replication_ip', s['ip']),
            'replication_port': s.get('replication_port', s['port']),
            'device': s['device'], 'weight': s['weight'], 'meta': s.get('meta', '')}


def cmd_add(ctx: _Ctx, args: Args) -> int:
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


def cmd_remove(ctx: _Ctx, args: Args) -> int:
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


def _set_field(what: str, conv: Callable[[str], Any],
               setter: Callable[[RingBuilder, int, Any], None]) -> Callable[[_Ctx, Args], int]:
    """set_weight / set_region / set_zone: one value for the devices matched."""
    def command(ctx: _Ctx, args: Args) -> int:
        for devs, words in _selected(ctx, args, 1):
            value = _number(words[0], conv, what)
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


def cmd_set_info(ctx: _Ctx, args: Args) -> int:
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


def cmd_set_overload(ctx: _Ctx, raw: list[str]) -> int:
    if not raw:
        raise Usage()
    text = raw[0]
    try:
        value = float(text[:-1] if text.endswith('%') else text)
    except ValueError:
        raise CommandError('%r is not a valid number.' % text)
    if text.endswith('%'):
        value /= 100.0
    if value < 0:
        raise CommandError('Overload must be non-negative.')
    status = EXIT_SUCCESS
    if value > 1 and not text.endswith('%'):  # as swift-ring-builder: not for "200%"
        print('!?! Warning overload is greater than 100% !?!')
        status = EXIT_WARNING
    ctx.b.set_overload(value)
    ctx.save_builder()
    print('The overload factor is now %.2f%% (%.6f)' % (value * 100, value))
    print('The change will take effect after the next rebalance.')
    return status


def cmd_set_replicas(ctx: _Ctx, raw: list[str]) -> int:
    if not raw:
        raise Usage()
    try:
        value = float(raw[0])
    except ValueError:
        raise CommandError('"%s" is not a valid number.' % raw[0])
    if value < 1:
        raise CommandError('Replica count must be at least 1.')
    ctx.b.set_replicas(value)
    ctx.save_builder()
    print('The replica count is now %.6f.' % value)
    print('The change will take effect after the next rebalance.')
    return EXIT_SUCCESS


def cmd_set_min_part_hours(ctx: _Ctx, raw: list[str]) -> int:
    if not raw:
        raise Usage()
    hours = _number(raw[0], int, 'min_part_hours')
    if hours < 0:
        raise CommandError('min_part_hours must be non-negative (was %d)' % hours)
    ctx.b.min_part_hours = hours
    ctx.save_builder()
    print('The minimum number of hours before a partition can be reassigned is now set to %d'
          % hours)
    return EXIT_SUCCESS


def cmd_rebalance(ctx: _Ctx, args: Args) -> int:
    b = ctx.b
    seed = args.seed
    if seed is None and args.positional:
        seed = _number(args.positional[0], int, 'seed')  # a bare seed, as Swift takes it
    force = 'force' in args.flags
    first = b.replica2part2dev is None
    devs_changed = b.devs_changed
    last_balance = None if first else b.get_balance()
    last_dispersion = b.dispersion
    try:
        moved, balance, removed = b.rebalance(seed=seed)
    except RingBuilderError as err:
        raise CommandError('Unable to rebalance: %s' % err)
    if not moved and not removed and not first and not force:
        print('No partitions could be reassigned.')
        if b.min_part_seconds_left() > 0:
            print('The time between rebalances must be at least min_part_hours: %d hours '
                  '(%s remaining)' % (b.min_part_hours,
                                      datetime.timedelta(seconds=b.min_part_seconds_left())))
        else:
            print('There is no need to do so at this time')
        return EXIT_WARNING
    if (not force and not devs_changed and last_balance is not None
            and abs(last_balance - balance) < 1
            and abs(last_dispersion - b.dispersion) < 1 and not removed):
        print('Cowardly refusing to save rebalance as it did not change at least 1%.')
        return EXIT_WARNING
    ctx.save_builder(backup=True)
    ctx.write_ring()
    print('Reassigned %d (%.2f%%) partitions. Balance is now %.2f.  Dispersion is now %.2f'
          % (moved, 100.0 * moved / b.parts, balance, b.dispersion))
    if b.dispersion > 0:
        print(RULE)
        print('NOTE: Dispersion of %.6f indicates some parts are not\n'
              '      optimally dispersed.\n\n'
              '      You may want to adjust some device weights, increase\n'
              '      the overload or review the dispersion report.' % b.dispersion)
        print(RULE)
        return EXIT_WARNING
    if balance > 5 and balance / 100.0 > b.overload:
        print(RULE)
        print('NOTE: Balance of %.2f indicates you should push this \n'
              '      ring, wait at least %d hours, and rebalance/repush.'
              % (balance, b.min_part_hours))
        print(RULE)
        return EXIT_WARNING
    return EXIT_SUCCESS


def cmd_pretend(ctx: _Ctx, args: Args) -> int:
    ctx.b.pretend_min_part_hours_passed()
    ctx.save_builder()
    return EXIT_SUCCESS


def cmd_write_ring(ctx: _Ctx, args: Args) -> int:
    if ctx.b.replica2part2dev is None:
        raise CommandError('Unable to write empty ring.')
    ctx.write_ring()
    return EXIT_SUCCESS


def cmd_write_builder(ctx: _Ctx, raw: list[str]) -> int:
    if os.path.exists(ctx.builder_file):
        raise CommandError('Cowardly refusing to overwrite existing Ring Builder file: %s'
                           % ctx.builder_file)
    if raw:
        mph = _number(raw[0], int, 'min_part_hours')
    else:
        print('WARNING: default min_part_hours may not match the value in the lost builder.')
        mph = 1
    data, _ = load_ring_file(ctx.ring_file)
    ctx.builder = RingBuilder.from_ring(data, mph)
    ctx.save_builder()
    return EXIT_SUCCESS


def cmd_version(ctx: _Ctx, raw: list[str]) -> int:
    if not os.path.exists(ctx.ring_file):
        raise CommandError('Ring file %s does not exist; run rebalance or write_ring first.'
                           % ctx.ring_file)
    data, _ = load_ring_file(ctx.ring_file)
    print('%s: Serialization version: %d (2-byte IDs), build version: %d'
          % (ctx.ring_file, RING_FORMAT_VERSION, data.version or 0))
    return EXIT_SUCCESS


def _not_rebalanced(ctx: _Ctx) -> CommandError:
    return CommandError('Specified builder file "%s" is not rebalanced yet. Please '
                        'rebalance first.' % ctx.builder_file)


def cmd_list_parts(ctx: _Ctx, args: Args) -> int:
    if bool(args.search) == bool(args.positional):
        raise Usage()
    if ctx.b.replica2part2dev is None:
        raise _not_rebalanced(ctx)
    ids = set()
    for criteria in [args.search] if args.search else map(_criteria, args.positional):
        ids.update(d['id'] for d in _select(ctx.b, criteria))
    if not ids:
        raise CommandError('No matching devices found')
    print('Partition   Matches')
    for part, count in ctx.b.list_parts(ids):
        print('%9d   %7d' % (part, count))
    return EXIT_SUCCESS


def cmd_search(ctx: _Ctx, args: Args) -> int:
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


def cmd_validate(ctx: _Ctx, args: Args) -> int:
    problems = ctx.b.validate()
    if problems:
        raise CommandError('; '.join(problems))
    return EXIT_SUCCESS


def cmd_dispersion(ctx: _Ctx, args: Args) -> int:
    if ctx.b.replica2part2dev is None:
        raise _not_rebalanced(ctx)
    if 'recalculate' in args.flags:
        ctx.b.recalculate_dispersion()
        ctx.save_builder()
    tier_filter = args.positional[0] if args.positional else None
    try:
        lines, worst = dispersion_report(ctx.b, tier_filter, 'verbose' in args.flags)
    except re.error as err:
        raise CommandError('Invalid tier filter %r: %s' % (tier_filter, err))
    print('\n'.join(lines))
    return EXIT_WARNING if worst > 0 else EXIT_SUCCESS


def _part_power_step(step: Callable[[RingBuilder], Any], done: str) -> Callable[[_Ctx, Args], int]:
    """A partition power increase step: change the builder, write builder
    and ring (the ring is what tells the servers), say what comes next."""
    def command(ctx: _Ctx, args: Args) -> int:
        if step is RingBuilder.prepare_increase_partition_power and \
                not ctx.name.startswith('object'):
            raise CommandError('Partition power increase is only supported for object rings.')
        try:
            step(ctx.b)
        except RingBuilderError as err:
            raise CommandError(str(err))
        ctx.save_builder(backup=True)
        ctx.write_ring()
        print(done % {'power': ctx.b.part_power, 'next': ctx.b.next_part_power})
        return EXIT_SUCCESS
    return command


#: commands whose arguments are numbers (a leading '-' is a value, not an option)
RAW_ARGS = {'create', 'set_overload', 'set_replicas', 'set_min_part_hours', 'write_builder',
            'version'}
COMMANDS: dict[str, Callable[[_Ctx, Any], int]] = {
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
    'set_weight': _set_field('weight', float, RingBuilder.set_dev_weight),
    'set_region': _set_field('region', int, RingBuilder.set_dev_region),
    'set_zone': _set_field('zone', int, RingBuilder.set_dev_zone),
    'set_info': cmd_set_info, 'set_overload': cmd_set_overload,
    'set_replicas': cmd_set_replicas, 'set_min_part_hours': cmd_set_min_part_hours,
    'rebalance': cmd_rebalance, 'pretend_min_part_hours_passed': cmd_pretend,
    'write_ring': cmd_write_ring, 'write_builder': cmd_write_builder,
    'list_parts': cmd_list_parts, 'search': cmd_search, 'validate': cmd_validate,
    'dispersion': cmd_dispersion, 'version': cmd_version,
}


def _run(path: str, command: Optional[str], rest: list[str]) -> int:
    if path.endswith('.ring.gz') and command not in ('write_builder', 'version'):
        builder_path = path[:-len('.ring.gz')] + '.builder'
        print('Note: using %s instead of %s as builder file' % (builder_path, path))
        path = builder_path
    if path.endswith('.ring.gz'):  # write_builder, version: the ring is the input
        path = path[:-len('.ring.gz')] + '.builder'
    ctx = _Ctx(path)
    if command not in ('create', 'write_builder', 'version'):
        if not os.path.exists(path):
            raise CommandError('Ring Builder file does not exist: %s' % path)
        try:
            ctx.builder = RingBuilder.load(path)
        except RingLoadError as err:
            raise CommandError('Ring Builder file is invalid: %s\n%s' % (path, err.problem))
    if command is None:
        print('\n'.join(_summary(ctx)))
        return EXIT_SUCCESS
    if command in RAW_ARGS:
        return COMMANDS[command](ctx, rest)
    return COMMANDS[command](ctx, parse(rest))


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point; returns the exit code (console script does sys.exit(main()))."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ('-h', '--help'):
        print(full_usage(list(COMMANDS)))
        return EXIT_SUCCESS
    path, command, rest = argv[0], (argv[1] if len(argv) > 1 else None), argv[2:]
    if command is not None and command not in COMMANDS:
        print('Unknown command: %s' % command)
        return EXIT_ERROR
    try:
        return _run(path, command, rest)
    except Usage:
        print(command_usage(command or ''))
        return EXIT_ERROR
    except UsageError as err:
        print('Usage: %s <builder_file> %s [options]\n\n%s: error: %s'
              % (PROG, command, PROG, err))
        return EXIT_ERROR
    except CommandError as err:
        print(err)
        return EXIT_ERROR
    except (RingLoadError, RingBuilderError) as err:
        print(err)
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. piped into head
        return EXIT_SUCCESS


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
