"""Arguments of objstore-ring-builder: the option names swift-ring-builder
users type (``--zone 2``, ``--change-port 6099``, ``--yes``...), the
usage text, and the device-change value of ``set_info``.

Options may come anywhere after the command, as in swift-ring-builder;
a word starting with ``-`` that is no option is an error (so is a
negative number: weights, zones and regions cannot be negative).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

PROG = 'objstore-ring-builder'

#: (short, long, type, device key): the options that select devices
SEARCH_OPTIONS = [
    ('-u', '--id', int, 'id'), ('-r', '--region', int, 'region'), ('-z', '--zone', int, 'zone'),
    ('-i', '--ip', str, 'ip'), ('-p', '--port', int, 'port'),
    ('-j', '--replication-ip', str, 'replication_ip'),
    ('-q', '--replication-port', int, 'replication_port'),
    ('-d', '--device', str, 'device'), ('-m', '--meta', str, 'meta'),
    ('-w', '--weight', float, 'weight'),
]
#: set_info's options: the new value of a device field
CHANGE_OPTIONS = [
    ('-I', '--change-ip', str, 'ip'), ('-P', '--change-port', int, 'port'),
    ('-J', '--change-replication-ip', str, 'replication_ip'),
    ('-Q', '--change-replication-port', int, 'replication_port'),
    ('-D', '--change-device', str, 'device'), ('-M', '--change-meta', str, 'meta'),
]
_FLAGS = {'-y': 'yes', '--yes': 'yes', '-f': 'force', '--force': 'force',
          '-v': 'verbose', '--verbose': 'verbose', '--recalculate': 'recalculate',
          '-h': 'help', '--help': 'help', '--debug': 'debug'}
_TYPE_NAMES: dict[Callable[[str], Any], str] = {int: 'integer', float: 'floating-point'}


class UsageError(Exception):
    """Bad options: print the message as an option error, exit 2."""


def _int_format_version(text: str) -> int:
    value = int(text)
    if value not in (1, 2):
        raise ValueError(text)
    return value


_VALUED: dict[str, tuple[str, Callable[[str], Any]]] = {
    '-s': ('seed', int), '--seed': ('seed', int),
    '--format-version': ('format_version', _int_format_version),
}
for _short, _long, _type, _key in SEARCH_OPTIONS:
    _VALUED[_short] = _VALUED[_long] = ('search:' + _key, _type)
for _short, _long, _type, _key in CHANGE_OPTIONS:
    _VALUED[_short] = _VALUED[_long] = ('change:' + _key, _type)


@dataclass
class Args:
    """A command's arguments, options taken out."""

    positional: list[str] = field(default_factory=list)
    search: dict[str, Any] = field(default_factory=dict)
    change: dict[str, Any] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    seed: Any = None
    format_version: Any = None


def parse(argv: list[str]) -> Args:
    """Split ``argv`` into options and positional words; UsageError on an
    unknown option or a value of the wrong type."""
    out = Args()
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if word == '--':
            out.positional.extend(argv[i:])
            break
        if not word.startswith('-') or word == '-':
            out.positional.append(word)
            continue
        name, eq, value = word.partition('=')
        if name in _FLAGS and not eq:
            out.flags.add(_FLAGS[name])
            continue
        if name not in _VALUED:
            raise UsageError('no such option: %s' % name)
        if not eq:
            if i >= len(argv):
                raise UsageError('%s option requires an argument' % name)
            value = argv[i]
            i += 1
        dest, conv = _VALUED[name]
        try:
            converted = conv(value)
        except ValueError:
            if dest == 'format_version':
                raise UsageError("option --format-version: invalid choice: %r "
                                 "(choose from '1', '2')" % value)
            raise UsageError('option %s: invalid %s value: %r'
                             % (name, _TYPE_NAMES.get(conv, ''), value))
        if dest.startswith(('search:', 'change:')):
            kind, key = dest.split(':')
            if key.endswith('ip'):  # [::1] is ::1
                converted = converted.strip('[]')
            getattr(out, kind)[key] = converted
        else:
            setattr(out, dest, converted)
    return out


#: an IPv4/IPv6 address or a host name; no capital R, which starts the
#: replication address (``1.2.3.4R5.6.7.8``), as in swift-ring-builder
_HOST = r'\[[0-9a-fA-F:.]+\]|[0-9A-QS-Za-z][0-9A-QS-Za-z.\-]*'
_CHANGE_RE = re.compile(
    r'^(?P<ip>' + _HOST + r')?(?::(?P<port>\d+))?'
    r'(?:R(?P<rip>' + _HOST + r')?(?::(?P<rport>\d+))?)?'
    r'(?:/(?P<device>[^_]+))?(?:_(?P<meta>.*))?$')


def parse_change_value(text: str) -> dict[str, Any]:
    """``<ip>:<port>[R<ip>:<port>]/<device>_<meta>``, every part optional;
    returns the fields given (ValueError if the text is not of that form)."""
    m = _CHANGE_RE.match(text)
    if not m or not any(v is not None for v in m.groupdict().values()):
        raise ValueError(text)
    g = m.groupdict()
    changes: dict[str, Any] = {}
    if g['ip']:
        changes['ip'] = g['ip'].strip('[]')
    if g['port']:
        changes['port'] = int(g['port'])
    if g['rip']:
        changes['replication_ip'] = g['rip'].strip('[]')
    if g['rport']:
        changes['replication_port'] = int(g['rport'])
    if g['device']:
        changes['device'] = g['device']
    if g['meta'] is not None:
        changes['meta'] = g['meta']
    return changes


_SELECT = ('[--id N] [--region R] [--zone Z] [--ip IP] [--port P] [--replication-ip IP]\n'
           '      [--replication-port P] [--device D] [--meta M] [--weight W]')
COMMAND_USAGE = {
    '': '[default]\n    Summary of the builder: settings, ring file state, device table\n'
        '    (flags: DEL = marked for removal at the next rebalance).',
    'create': 'create <part_power> <replicas> <min_part_hours>\n'
              '    A new builder with 2^part_power partitions.',
    'add': 'add r<region>z<zone>-<ip>:<port>[R<ip>:<port>]/<device>[_<meta>] <weight> [...]\n'
           '  or add --region R --zone Z --ip IP --port P [--replication-ip IP]\n'
           '      [--replication-port P] --device D --weight W [--meta M]\n'
           '    Devices get partitions at the next rebalance.',
    'remove': 'remove <search-value> [...] [--yes]\n  or remove ' + _SELECT + ' [--yes]\n'
              '    Marks devices for removal at the next rebalance.',
    'search': 'search <search-value>\n  or search ' + _SELECT + '\n'
              '    Shows the matching devices.',
    'list_parts': 'list_parts <search-value> [...]\n  or list_parts ' + _SELECT + '\n'
                  '    Partitions with replicas on the matching devices, most first.',
    'set_weight': 'set_weight <search-value> <weight> [...] [--yes]\n'
                  '  or set_weight ' + _SELECT + ' <weight> [--yes]',
    'set_region': 'set_region <search-value> <region> [...] [--yes]\n'
                  '  or set_region ' + _SELECT + ' <region> [--yes]',
    'set_zone': 'set_zone <search-value> <zone> [...] [--yes]\n'
                '  or set_zone ' + _SELECT + ' <zone> [--yes]',
    'set_info': 'set_info <search-value> <ip>:<port>[R<ip>:<port>]/<device>_<meta> [...]'
                ' [--yes]\n  or set_info ' + _SELECT + '\n'
                '      [--change-ip IP] [--change-port P] [--change-replication-ip IP]\n'
                '      [--change-replication-port P] [--change-device D] [--change-meta M]'
                ' [--yes]\n    Every part of the new value is optional; write_ring publishes it.',
    'set_min_part_hours': 'set_min_part_hours <hours>',
    'set_overload': 'set_overload <overload>[%]\n    Takes effect at the next rebalance.',
    'set_replicas': 'set_replicas <replicas>\n'
                    '    May be fractional; takes effect at the next rebalance.',
    'rebalance': 'rebalance [--seed N] [--force] [--format-version 1|2]',
    'dispersion': 'dispersion [<tier regex>] [--verbose] [--recalculate]\n'
                  '    Per tier (r1, r1z1, r1z1-<ip>, r1z1-<ip>/<device>): replicas held,\n'
                  '    % above the dispersed maximum, and parts holding 0..N replicas.',
    'validate': 'validate',
    'write_ring': 'write_ring [--format-version 1|2]',
    'write_builder': 'write_builder [min_part_hours]\n'
                     '    Rebuilds a lost builder from <name>.ring.gz (lossy).',
    'pretend_min_part_hours_passed': 'pretend_min_part_hours_passed\n'
                                     '    Lets every partition move at the next rebalance.',
    'version': 'version\n    Format and build version of the ring file.',
    'prepare_increase_partition_power': 'prepare_increase_partition_power\n'
                                        '    Then objstore-relinker relink on every object node.',
    'increase_partition_power': 'increase_partition_power\n'
                                '    Then objstore-relinker cleanup on every object node.',
    'finish_increase_partition_power': 'finish_increase_partition_power',
}
SEARCH_VALUE_HELP = """<search-value>: any of d<id> r<region> z<zone> -<ip> :<port> R<ip>:<port>
  /<device> _<meta>, in that order, e.g. d3, r1z2, 10.0.0.1, z1-10.0.0.1:6200/sdb1,
  _"snet: 1.2.3.4" (meta matches a substring), [::1] for IPv6."""
EXIT_CODES = 'Exit codes: 0 = operation successful\n' \
             '            1 = operation completed with warnings\n' \
             '            2 = error'


def command_usage(command: str) -> str:
    """One command's usage (with the search-value syntax where it takes one)."""
    text = '%s <builder_file> %s' % (PROG, COMMAND_USAGE[command])
    if command in ('remove', 'search', 'list_parts', 'set_weight', 'set_region',
                   'set_zone', 'set_info'):
        text += '\n\n' + SEARCH_VALUE_HELP
    return text


def full_usage(commands: list[str]) -> str:
    parts = [('%s <builder_file> %s' % (PROG, COMMAND_USAGE[c])).replace(' \n', '\n')
             for c in [''] + sorted(set(commands) - {'default'})]
    quick = ' '.join(sorted(commands))
    return '\n\n'.join(parts + [SEARCH_VALUE_HELP]) + '\n\nQuick list: %s\n%s' % (
        quick, EXIT_CODES)
