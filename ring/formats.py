"""On-disk formats: ``<kind>.ring.gz`` and ``<name>.builder``.

Neither uses pickle: a ring file is read by every server process and a
builder file is kept for years, so both must be safe to load and
readable by other tools.  See docs/ring-format.md for the byte layout.
"""
from __future__ import annotations

import base64
import gzip
import json
import os
import struct
import sys
import tempfile
import zlib
from array import array
from dataclasses import dataclass, field
from hashlib import md5
from typing import Any, Optional

RING_MAGIC = b'OSRG'
RING_FORMAT_VERSION = 1
BUILDER_FORMAT_VERSION = 1
#: Device ids are stored as unsigned 16-bit integers.
MAX_DEVICES = 0xFFFF
NONE_DEV = 0xFFFF
_PREAMBLE = struct.Struct('>4sHI')  # magic, format version, header length


class RingLoadError(ValueError):
    """A ring or builder file could not be used; names the file and why."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__('%s: %s' % (path, problem))
        self.path = path
        self.problem = problem


def _rows_to_le_bytes(rows: list[array]) -> bytes:
    out = []
    for row in rows:
        if sys.byteorder == 'big':
            row = array('H', row)
            row.byteswap()
        out.append(row.tobytes())
    return b''.join(out)


def _rows_from_le_bytes(data: bytes, lengths: list[int]) -> list[array]:
    rows = []
    offset = 0
    for length in lengths:
        row = array('H')
        row.frombytes(data[offset:offset + 2 * length])
        if sys.byteorder == 'big':
            row.byteswap()
        rows.append(row)
        offset += 2 * length
    return rows


def atomic_write(path: str, data: bytes) -> None:
    """Write via temp file + fsync + rename so readers never see half a file."""
    dirname = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=dirname, prefix='.%s.' % os.path.basename(path),
                               suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(dirname, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


@dataclass
class RingData:
    """What a ring file holds: devices, the part->device table, the shift."""

    devs: list[Optional[dict[str, Any]]]
    replica2part2dev: list[array]
    part_shift: int
    version: Optional[int] = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def replica_count(self) -> float:
        parts = 1 << (32 - self.part_shift)
        return sum(len(r) for r in self.replica2part2dev) / float(parts)

    def serialize(self) -> bytes:
        """The uncompressed payload (preamble, JSON header, uint16 rows)."""
        body = _rows_to_le_bytes(self.replica2part2dev)
        header = {
            'devs': self.devs,
            'part_shift': self.part_shift,
            'replica_count': self.replica_count,
            'row_lengths': [len(r) for r in self.replica2part2dev],
            'dev_id_bytes': 2,
            'version': self.version,
            'md5': md5(body).hexdigest(),
        }
        header.update(self.extra)
        hbytes = json.dumps(header, sort_keys=True).encode('utf-8')
        return _PREAMBLE.pack(RING_MAGIC, RING_FORMAT_VERSION, len(hbytes)) + hbytes + body

    def save(self, path: str) -> None:
        """Atomically write a gzipped ring file (mtime 0 => reproducible bytes)."""
        atomic_write(path, gzip.compress(self.serialize(), compresslevel=6, mtime=0))


def _fail(path: str, problem: str) -> RingLoadError:
    return RingLoadError(path, problem)


def parse_ring_payload(path: str, raw: bytes) -> RingData:
    """Validate and decode an uncompressed ring payload; all or nothing."""
    if len(raw) < _PREAMBLE.size:
        raise _fail(path, 'file is truncated (no header)')
    magic, version, hlen = _PREAMBLE.unpack_from(raw)
    if magic != RING_MAGIC:
        raise _fail(path, 'not an objstore ring file (bad magic %r; Swift\'s ring '
                    'files (R1NG) are not read: rebuild the ring with objstore-ring-builder)'
                    % magic)
    if version != RING_FORMAT_VERSION:
        raise _fail(path, 'unsupported ring format version %d' % version)
    hstart = _PREAMBLE.size
    if len(raw) < hstart + hlen:
        raise _fail(path, 'file is truncated (header cut short)')
    try:
        header = json.loads(raw[hstart:hstart + hlen].decode('utf-8'))
        devs = header['devs']
        part_shift = int(header['part_shift'])
        lengths = [int(n) for n in header['row_lengths']]
        want_md5 = header['md5']
    except (ValueError, KeyError, TypeError) as err:
        raise _fail(path, 'corrupt header (%s)' % err)
    if header.get('dev_id_bytes', 2) != 2:
        raise _fail(path, 'unsupported dev_id_bytes %r' % header.get('dev_id_bytes'))
    if not 0 <= part_shift <= 31:
        raise _fail(path, 'part_shift %d out of range' % part_shift)
    parts = 1 << (32 - part_shift)
    if any(n < 0 or n > parts for n in lengths):
        raise _fail(path, 'replica row longer than the partition count')
    body = raw[hstart + hlen:]
    need = 2 * sum(lengths)
    if len(body) < need:
        raise _fail(path, 'file is truncated (%d of %d table bytes)' % (len(body), need))
    if len(body) > need:
        raise _fail(path, 'unexpected %d trailing bytes' % (len(body) - need))
    if md5(body).hexdigest() != want_md5:
        raise _fail(path, 'table checksum mismatch (file corrupt)')
    rows = _rows_from_le_bytes(body, lengths)
    used: set[int] = set()
    for row in rows:
        used.update(set(row))
    for dev_id in used:
        if dev_id >= len(devs) or devs[dev_id] is None:
            raise _fail(path, 'table refers to unknown device id %d' % dev_id)
    for dev in devs:
        if dev is not None and not isinstance(dev, dict):
            raise _fail(path, 'corrupt device entry %r' % (dev,))
    known = {'devs', 'part_shift', 'replica_count', 'row_lengths',
             'dev_id_bytes', 'version', 'md5'}
    extra = {k: v for k, v in header.items() if k not in known}
    return RingData(devs, rows, part_shift, header.get('version'), extra)


def load_ring_file(path: str) -> tuple[RingData, str]:
    """Load ``path``; returns the ring data and the MD5 of the file bytes."""
    try:
        with open(path, 'rb') as fh:
            packed = fh.read()
    except OSError as err:
        raise _fail(path, 'cannot read ring file (%s)' % err.strerror)
    try:
        raw = gzip.decompress(packed)
    except (OSError, EOFError, zlib.error) as err:
        raise _fail(path, 'not a valid gzip file or truncated (%s)' % err)
    return parse_ring_payload(path, raw), md5(packed).hexdigest()


# ------------------------------------------------------------------ builder


def encode_rows(rows: list[array]) -> list[str]:
    """Rows as base64 of little-endian uint16 bytes (one string per row)."""
    return [base64.b64encode(_rows_to_le_bytes([r])).decode('ascii') for r in rows]


def decode_rows(encoded: list[str]) -> list[array]:
    rows = []
    for text in encoded:
        data = base64.b64decode(text.encode('ascii'), validate=True)
        if len(data) % 2:
            raise ValueError('odd byte count in replica row')
        rows.extend(_rows_from_le_bytes(data, [len(data) // 2]))
    return rows


def write_builder_file(path: str, state: dict[str, Any]) -> None:
    """Gzipped JSON with ``format_version``; written atomically."""
    doc = dict(state)
    doc['format_version'] = BUILDER_FORMAT_VERSION
    data = json.dumps(doc, sort_keys=True).encode('utf-8')
    atomic_write(path, gzip.compress(data, compresslevel=6, mtime=0))


def read_builder_file(path: str) -> dict[str, Any]:
    """Load a builder document, refusing pickles and unknown versions."""
    try:
        with open(path, 'rb') as fh:
            packed = fh.read()
    except OSError as err:
        raise _fail(path, 'cannot read builder file (%s)' % err.strerror)
    if packed[:1] == b'\x80':
        raise _fail(path, 'a pickled (Swift) builder file; objstore loads no pickles: '
                    'create the builder again with objstore-ring-builder')
    try:
        doc = json.loads(gzip.decompress(packed).decode('utf-8'))
    except (OSError, EOFError, zlib.error, ValueError) as err:
        raise _fail(path, 'not an objstore builder file (%s)' % err)
    if not isinstance(doc, dict) or 'format_version' not in doc:
        raise _fail(path, 'not an objstore builder file (no format_version)')
    if doc['format_version'] != BUILDER_FORMAT_VERSION:
        raise _fail(path, 'unsupported builder format_version %r' % doc['format_version'])
    return doc
