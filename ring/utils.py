"""Placement hash, hash settings and the device/search string syntax.

Everything here is pure and stdlib-only so that the ring can be used by
tools that have no server, no config loader and no eventlet.
"""
from __future__ import annotations

import configparser
import os
import re
import struct
from hashlib import md5
from typing import Any, Iterable, Optional, Union

StrOrBytes = Union[str, bytes]

#: Name of the cluster-wide config file holding the hash prefix/suffix.
HASH_CONF_NAME = 'objstore.conf'
HASH_CONF_SECTION = 'objstore-hash'


def _to_bytes(value: StrOrBytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode('utf-8')


def hash_path(account: StrOrBytes, container: Optional[StrOrBytes] = None,
              obj: Optional[StrOrBytes] = None, raw_digest: bool = False,
              prefix: bytes = b'', suffix: bytes = b'') -> Union[str, bytes]:
    """MD5 of ``prefix + '/' + '/'.join(parts) + suffix``.

    This is the exact recipe Swift uses, so a cluster configured with the
    same prefix/suffix puts every name in the same partition.  Names are
    not URL-quoted: the raw UTF-8 bytes are hashed.
    """
    if obj and not container:
        raise ValueError('a container is required when an object is given')
    parts = [_to_bytes(account)]
    if container:
        parts.append(_to_bytes(container))
    if obj:
        parts.append(_to_bytes(obj))
    digest = md5(_to_bytes(prefix) + b'/' + b'/'.join(parts) + _to_bytes(suffix))
    return digest.digest() if raw_digest else digest.hexdigest()


def partition_for_digest(digest: bytes, part_shift: int) -> int:
    """Top bits of the MD5 digest, the way every ring lookup does it."""
    return struct.unpack_from('>I', digest)[0] >> part_shift


def load_hash_settings(swift_dir: str) -> tuple[bytes, bytes]:
    """Read ``[objstore-hash]`` prefix/suffix from ``<swift_dir>/objstore.conf``.

    A missing file or section means "no salt" (empty prefix and suffix),
    which is what a fresh all-in-one cluster uses.
    """
    parser = configparser.ConfigParser(interpolation=None)
    path = os.path.join(swift_dir, HASH_CONF_NAME)
    try:
        with open(path, encoding='utf-8') as fh:
            parser.read_file(fh)
    except FileNotFoundError:
        return b'', b''
    if not parser.has_section(HASH_CONF_SECTION):
        return b'', b''
    sect = parser[HASH_CONF_SECTION]
    return (sect.get('swift_hash_path_prefix', '').encode('utf-8'),
            sect.get('swift_hash_path_suffix', '').encode('utf-8'))


# --------------------------------------------------------------- device text

_ADD_RE = re.compile(
    r'^r(?P<region>\d+)z(?P<zone>\d+)-'
    r'(?P<ip>\[[0-9a-fA-F:.]+\]|[^:/\[\]R]+):(?P<port>\d+)'
    r'(?:R(?P<rip>\[[0-9a-fA-F:.]+\]|[^:/\[\]]+):(?P<rport>\d+))?'
    r'/(?P<device>[^_\s]+)(?:_(?P<meta>.*))?$')


def _strip_brackets(ip: str) -> str:
    return ip[1:-1] if ip.startswith('[') and ip.endswith(']') else ip


def _bracket_ipv6(ip: str) -> str:
    return '[%s]' % ip if ':' in ip else ip


def parse_add_value(text: str) -> dict[str, Any]:
    """Parse ``r1z1-10.0.0.1:6200[R10.0.1.1:6300]/sdb1[_meta]``.

    Raises ValueError with the offending text so the CLI can print a
    one-line error.
    """
    m = _ADD_RE.match(text)
    if not m:
        raise ValueError('Invalid device specifier %r (expected '
                         'r<region>z<zone>-<ip>:<port>[R<ip>:<port>]/'
                         '<device>[_<meta>])' % text)
    ip = _strip_brackets(m.group('ip'))
    port = int(m.group('port'))
    rip = _strip_brackets(m.group('rip')) if m.group('rip') else ip
    rport = int(m.group('rport')) if m.group('rport') else port
    return {'region': int(m.group('region')), 'zone': int(m.group('zone')),
            'ip': ip, 'port': port, 'replication_ip': rip,
            'replication_port': rport, 'device': m.group('device'),
            'meta': m.group('meta') or ''}


def format_device(dev: dict[str, Any]) -> str:
    """The ``d0r1z1-ip:port R ip:port/dev_"meta"`` form used in messages."""
    return 'd%dr%dz%d-%s:%dR%s:%d/%s_"%s"' % (
        dev['id'], dev['region'], dev['zone'], _bracket_ipv6(dev['ip']),
        dev['port'], _bracket_ipv6(dev['replication_ip']),
        dev['replication_port'], dev['device'], dev.get('meta', ''))


_SEARCH_TOKENS = [
    ('id', re.compile(r'^d(\d+)'), int),
    ('region', re.compile(r'^r(\d+)'), int),
    ('zone', re.compile(r'^z(\d+)'), int),
]


def parse_search_value(text: str) -> dict[str, Any]:
    """Parse Swift's search syntax: ``d<id>r<r>z<z>-<ip>:<port>R<ip>:<port>/<dev>_<meta>``.

    Every piece is optional; a bare IP (``10.0.0.1``) or ``-ip`` also works.
    """
    match: dict[str, Any] = {}
    rest = text
    for key, rx, conv in _SEARCH_TOKENS:
        m = rx.match(rest)
        if m:
            match[key] = conv(m.group(1))
            rest = rest[m.end():]
    if rest.startswith('-'):
        rest = rest[1:]
    ip_rx = r'(\[[0-9a-fA-F:.]+\]|[0-9]+(?:\.[0-9]+){3}|[A-Za-z][A-Za-z0-9.\-]*)'
    m = re.match(ip_rx, rest)
    if m and not rest.startswith(('R', '/', '_', ':')):
        match['ip'] = _strip_brackets(m.group(1))
        rest = rest[m.end():]
    m = re.match(r':(\d+)', rest)
    if m:
        match['port'] = int(m.group(1))
        rest = rest[m.end():]
    if rest.startswith('R'):
        rest = rest[1:]
        m = re.match(ip_rx, rest)
        if m:
            match['replication_ip'] = _strip_brackets(m.group(1))
            rest = rest[m.end():]
        m = re.match(r':(\d+)', rest)
        if m:
            match['replication_port'] = int(m.group(1))
            rest = rest[m.end():]
    m = re.match(r'/([^_]+)', rest)
    if m:
        match['device'] = m.group(1)
        rest = rest[m.end():]
    if rest.startswith('_'):
        match['meta'] = rest[1:]
        rest = ''
    if rest or not match:
        raise ValueError('Invalid search value %r (examples: d3, r1z2, '
                         '10.0.0.1, z1-10.0.0.1:6200/sdb1)' % text)
    return match


def search_devs(devs: Iterable[Optional[dict[str, Any]]],
                criteria: dict[str, Any]) -> list[dict[str, Any]]:
    """Devices matching every key of ``criteria`` (meta is a substring)."""
    found = []
    for dev in devs:
        if dev is None:
            continue
        ok = True
        for key, want in criteria.items():
            if key == 'meta':
                ok = want in dev.get('meta', '')
            else:
                ok = dev.get(key) == want
            if not ok:
                break
        if ok:
            found.append(dev)
    return found
