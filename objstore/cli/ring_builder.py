"""objstore-ring-builder: swift-ring-builder's commands, over ring.RingBuilder.

Thin by design: parse arguments, call the builder, print, pick an exit
code (0 ok, 1 warning, 2 error).  What it prints and its exit codes are
swift-ring-builder's, because operators' scripts parse them; where objstore
differs on purpose, docs/swift-differences.md ("Ring builder") says so.
The builder file is only rewritten after a command fully succeeded.
"""
from __future__ import annotations

import datetime
import math
import os
import re
import sys
from typing import Any, Callable, Optional

from objstore.cli.ring_builder_args import (PROG, Args, UsageError, command_usage,
                                            full_usage, parse)
from objstore.cli.ring_builder_context import (EXIT_ERROR, EXIT_SUCCESS, EXIT_WARNING, RULE,
                                               CommandError, Ctx, Usage, not_rebalanced,
                                               number)
from objstore.cli.ring_builder_devices import (cmd_add, cmd_list_parts, cmd_remove,
                                               cmd_search, cmd_set_info, set_field)
from ring.builder import RingBuilder, RingBuilderError
from ring.formats import RING_FORMAT_VERSION, RingLoadError, load_ring_file
from ring.report import device_table, dispersion_report


# ------------------------------------------------------------- summary

def _ring_file_state(ctx: Ctx) -> str:
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


def _summary(ctx: Ctx) -> list[str]:
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
    ] + device_table(live, b.dev_part_counts(), b.dev_balances(),
                     b.pending_removal()) + _part_power_state(b)


def _part_power_state(b: RingBuilder) -> list[str]:
    """Where a partition power increase stands, and the next step."""
    if b.next_part_power is None:
        return []
    if b.next_part_power > b.part_power:
        return ['', 'Preparing increase of partition power (%d -> %d)'
                % (b.part_power, b.next_part_power),
                'Run "objstore-relinker relink" on all nodes before moving on to '
                'increase_partition_power.']
    return ['Increased partition power (%d -> %d)' % (b.part_power, b.next_part_power),
            'Run "objstore-relinker cleanup" on all nodes before moving on to '
            'finish_increase_partition_power.']


def cmd_default(ctx: Ctx, raw: list[str]) -> int:
    """The summary (also what ``<builder_file>`` alone prints)."""
    print('\n'.join(_summary(ctx)))
    return EXIT_SUCCESS


# ------------------------------------------------------------ commands

def cmd_create(ctx: Ctx, raw: list[str]) -> int:
    if len(raw) < 3:
        raise Usage()
    try:
        ctx.builder = RingBuilder(number(raw[0], int, 'part_power'),
                                  number(raw[1], float, 'replicas'),
                                  number(raw[2], int, 'min_part_hours'))
    except RingBuilderError as err:
        raise CommandError(str(err))
    ctx.save_builder(backup=True)
    return EXIT_SUCCESS


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def cmd_set_overload(ctx: Ctx, raw: list[str]) -> int:
    if not raw:
        raise Usage()
    text = raw[0]
    try:
        value = _finite(text[:-1] if text.endswith('%') else text)
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


def cmd_set_replicas(ctx: Ctx, raw: list[str]) -> int:
    if not raw:
        raise Usage()
    try:
        value = _finite(raw[0])
    except ValueError:
        raise CommandError('"%s" is not a valid number.' % raw[0])
    if value < 1:
        raise CommandError('Replica count must be at least 1.')
    ctx.b.set_replicas(value)
    ctx.save_builder()
    print('The replica count is now %.6f.' % value)
    print('The change will take effect after the next rebalance.')
    return EXIT_SUCCESS


def cmd_set_min_part_hours(ctx: Ctx, raw: list[str]) -> int:
    if not raw:
        raise Usage()
    hours = number(raw[0], int, 'min_part_hours')
    if hours < 0:
        raise CommandError('min_part_hours must be non-negative (was %d)' % hours)
    ctx.b.min_part_hours = hours
    ctx.save_builder()
    print('The minimum number of hours before a partition can be reassigned is now set to %d'
          % hours)
    return EXIT_SUCCESS


def cmd_rebalance(ctx: Ctx, args: Args) -> int:
    b = ctx.b
    seed = args.seed
    if seed is None and args.positional:
        seed = number(args.positional[0], int, 'seed')  # a bare seed, as Swift takes it
    force = 'force' in args.flags
    first = b.replica2part2dev is None
    devs_changed = b.devs_changed
    last_balance = None if first else b.get_balance()
    last_dispersion = b.dispersion
    try:
        _parts, balance, removed = b.rebalance(seed=seed)
        moved = b.moved_replicas
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


def cmd_pretend(ctx: Ctx, args: Args) -> int:
    ctx.b.pretend_min_part_hours_passed()
    ctx.save_builder()
    return EXIT_SUCCESS


def cmd_write_ring(ctx: Ctx, args: Args) -> int:
    if ctx.b.replica2part2dev is None:
        raise CommandError('Unable to write empty ring.')
    ctx.write_ring()
    return EXIT_SUCCESS


def cmd_write_builder(ctx: Ctx, raw: list[str]) -> int:
    if os.path.exists(ctx.builder_file):
        raise CommandError('Cowardly refusing to overwrite existing Ring Builder file: %s'
                           % ctx.builder_file)
    if raw:
        mph = number(raw[0], int, 'min_part_hours')
    else:
        print('WARNING: default min_part_hours may not match the value in the lost builder.')
        mph = 1
    data, _ = load_ring_file(ctx.ring_file)
    ctx.builder = RingBuilder.from_ring(data, mph)
    ctx.save_builder()
    return EXIT_SUCCESS


def cmd_version(ctx: Ctx, raw: list[str]) -> int:
    if not os.path.exists(ctx.ring_file):
        raise CommandError('Ring file %s does not exist; run rebalance or write_ring first.'
                           % ctx.ring_file)
    data, _ = load_ring_file(ctx.ring_file)
    print('%s: Serialization version: %d (2-byte IDs), build version: %d'
          % (ctx.ring_file, RING_FORMAT_VERSION, data.version or 0))
    return EXIT_SUCCESS


def cmd_validate(ctx: Ctx, args: Args) -> int:
    problems = ctx.b.validate()
    if problems:
        raise CommandError('; '.join(problems))
    return EXIT_SUCCESS


def cmd_dispersion(ctx: Ctx, args: Args) -> int:
    if ctx.b.replica2part2dev is None:
        raise not_rebalanced(ctx)
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


def _part_power_step(step: Callable[[RingBuilder], Any], done: str) -> Callable[[Ctx, Args], int]:
    """A partition power increase step: change the builder, write builder
    and ring (the ring is what tells the servers), say what comes next."""
    def command(ctx: Ctx, args: Args) -> int:
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
RAW_ARGS = {'default', 'create', 'set_overload', 'set_replicas', 'set_min_part_hours',
            'write_builder', 'version'}
COMMANDS: dict[str, Callable[[Ctx, Any], int]] = {
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
    'set_weight': set_field('weight', float, RingBuilder.set_dev_weight),
    'set_region': set_field('region', int, RingBuilder.set_dev_region),
    'set_zone': set_field('zone', int, RingBuilder.set_dev_zone),
    'set_info': cmd_set_info, 'set_overload': cmd_set_overload,
    'set_replicas': cmd_set_replicas, 'set_min_part_hours': cmd_set_min_part_hours,
    'rebalance': cmd_rebalance, 'pretend_min_part_hours_passed': cmd_pretend,
    'write_ring': cmd_write_ring, 'write_builder': cmd_write_builder,
    'list_parts': cmd_list_parts, 'search': cmd_search, 'validate': cmd_validate,
    'dispersion': cmd_dispersion, 'version': cmd_version, 'default': cmd_default,
}


def _run(path: str, command: Optional[str], rest: list[str]) -> int:
    if command is not None and ('-h' in rest or '--help' in rest):
        print(command_usage(command))
        return EXIT_SUCCESS
    if path.endswith('.ring.gz') and command not in ('write_builder', 'version'):
        builder_path = path[:-len('.ring.gz')] + '.builder'
        print('Note: using %s instead of %s as builder file' % (builder_path, path))
        path = builder_path
    if path.endswith('.ring.gz'):  # write_builder, version: the ring is the input
        path = path[:-len('.ring.gz')] + '.builder'
    ctx = Ctx(path)
    if command not in ('create', 'write_builder', 'version'):
        if not os.path.exists(path):
            raise CommandError('Ring Builder file does not exist: %s' % path)
        try:
            ctx.builder = RingBuilder.load(path)
        except RingLoadError as err:
            raise CommandError('Ring Builder file is invalid: %s\n%s' % (path, err.problem))
    if command is None:
        return cmd_default(ctx, [])
    if command in RAW_ARGS:
        return COMMANDS[command](ctx, rest)
    if command == 'rebalance':  # its -d is --debug (elsewhere -d is --device)
        rest = ['--debug' if word == '-d' else word for word in rest]
    return COMMANDS[command](ctx, parse(rest))


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point; returns the exit code (console script does sys.exit(main()))."""
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:  # e.g. piped into head: the reader has all it wanted
        try:  # no second error when Python flushes stdout at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_SUCCESS


def _main(argv: list[str]) -> int:
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


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
