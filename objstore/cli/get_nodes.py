"""objstore-get-nodes: where does a name live?  Same output as swift-get-nodes."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Optional

from ring.formats import RingLoadError
from ring.ring import Ring
from ring.utils import hash_path, load_hash_settings

EXIT_SUCCESS, EXIT_ERROR = 0, 2


def _datadir(ring_path: str) -> str:
    """objects/containers/accounts (objects-N for policy N) from the ring name."""
    base = os.path.basename(ring_path).split('.')[0]
    kind, _, index = base.partition('-')
    plural = {'object': 'objects', 'container': 'containers',
              'account': 'accounts'}.get(kind, kind + 's')
    return '%s-%s' % (plural, index) if index else plural


def _ip(ip: str) -> str:
    return '[%s]' % ip if ':' in ip else ip


def render(ring: Ring, ring_path: str, account: Optional[str], container: Optional[str],
           obj: Optional[str], part: Optional[int], all_handoffs: bool,
           prefix: bytes, suffix: bytes) -> list[str]:
    """The lines swift-get-nodes prints for these arguments."""
    lines = ['']
    name_hash = None
    if account is not None:
        part, primaries = ring.get_nodes(account, container, obj)
        name_hash = str(hash_path(account, container, obj, prefix=prefix, suffix=suffix))
        lines.append('Account  \t%s' % account)
        lines.append('Container\t%s' % (container if container is not None else 'None'))
        lines.append('Object   \t%s' % (obj if obj is not None else 'None'))
        lines.append('')
    else:
        assert part is not None
        primaries = ring.get_part_nodes(part)
    lines.append('')
    lines.append('Partition\t%d' % part)
    if name_hash:
        lines.append('Hash     \t%s' % name_hash)
    lines.append('')
    handoffs: list[dict[str, Any]] = []
    limit = None if all_handoffs else len(primaries)
    for node in ring.get_more_nodes(part):
        if limit is not None and len(handoffs) >= limit:
            break
        handoffs.append(node)
    nodes = [(n, '') for n in primaries] + [(n, ' [Handoff]') for n in handoffs]
    for node, tag in nodes:
        lines.append('Server:Port Device\t%s:%d %s%s' % (
            _ip(node['ip']), node['port'], node['device'], ('\t' + tag) if tag else ''))
    lines += ['', '']
    path = ''
    if account is not None:
        path = '/' + '/'.join(p for p in (account, container, obj) if p)
    for node, tag in nodes:
        lines.append('curl -g -I -XHEAD "http://%s:%d/%s/%d%s"%s' % (
            _ip(node['ip']), node['port'], node['device'], part, path,
            (' #' + tag) if tag else ''))
    lines += ['', '', 'Use your own device location of servers:',
              'such as "export DEVICE=/srv/node"']
    datadir = _datadir(ring_path)
    for node, tag in nodes:
        where = '%s/%d' % (datadir, part)
        if name_hash:
            where += '/%s/%s' % (name_hash[-3:], name_hash)
        lines.append('ssh %s "ls -lah ${DEVICE:-/srv/node*}/%s/%s"%s' % (
            _ip(node['ip']), node['device'], where, (' #' + tag) if tag else ''))
    lines += ['', 'note: `/srv/node*` is used as default value of `devices`, the real '
              'value is set in the config file on each storage node.']
    return lines


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog='objstore-get-nodes',
        description='Show the partition, nodes and on-disk paths of a name.')
    parser.add_argument('ring', help='path to <kind>.ring.gz')
    parser.add_argument('names', nargs='*',
                        help='<account> [<container> [<object>]] or a/c/o')
    parser.add_argument('-p', '--partition', type=int, help='show nodes of this partition')
    parser.add_argument('-a', '--all', action='store_true', help='show all handoff nodes')
    parser.add_argument('--swift-dir', help='directory holding objstore.conf '
                        '(default: the ring file\'s directory)')
    try:
        ns = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:
        return EXIT_SUCCESS if exc.code == 0 else EXIT_ERROR
    names = list(ns.names)
    if len(names) == 1 and '/' in names[0].strip('/'):
        names = names[0].strip('/').split('/', 2)
    if len(names) > 3:
        print('Error: at most <account> <container> <object> may be given')
        return EXIT_ERROR
    if not names and ns.partition is None:
        print('Error: give an account (and container/object) or -p PARTITION')
        return EXIT_ERROR
    swift_dir = ns.swift_dir or os.path.dirname(os.path.abspath(ns.ring))
    prefix, suffix = load_hash_settings(swift_dir)
    try:
        ring = Ring(ns.ring, hash_prefix=prefix, hash_suffix=suffix)
    except RingLoadError as err:
        print('Error: %s' % err)
        return EXIT_ERROR
    account, container, obj = (names + [None, None, None])[:3]
    part = ns.partition
    if part is not None and not 0 <= part < ring.partition_count:
        print('Error: partition %d out of range 0..%d' % (part, ring.partition_count - 1))
        return EXIT_ERROR
    try:
        lines = render(ring, ns.ring, account, container, obj,
                       part if account is None else None, ns.all, prefix, suffix)
    except ValueError as err:
        print('Error: %s' % err)
        return EXIT_ERROR
    print('\n'.join(lines))
    return EXIT_SUCCESS


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
