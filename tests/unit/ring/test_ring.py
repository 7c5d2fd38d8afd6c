"""Ring reader: lookups, handoffs, reloads, and refusing bad files."""
import gzip
import os
import struct
from hashlib import md5

import pytest

from ring import Ring, RingBuilder, RingLoadError
from ring.formats import load_ring_file


def build(path, part_power=8, replicas=3, regions=2, zones=3, per_zone=2, seed=1):
    b = RingBuilder(part_power, replicas, 1)
    for r in range(1, regions + 1):
        for z in range(1, zones + 1):
            for i in range(per_zone):
                b.add_dev({'region': r, 'zone': z, 'ip': '10.%d.%d.%d' % (r, z, i),
                           'port': 6200 + i, 'device': 'sdb%d' % i, 'weight': 100})
    b.rebalance(seed=seed)
    b.get_ring().save(str(path))
    return b


@pytest.fixture
def ring_dir(tmp_path):
    build(tmp_path / 'object.ring.gz')
    return tmp_path


def test_ring_from_dir_and_name_equals_ring_from_path(ring_dir):
    a = Ring(str(ring_dir), ring_name='object')
    b = Ring(str(ring_dir / 'object.ring.gz'))
    assert a.get_nodes('a', 'c', 'o') == b.get_nodes('a', 'c', 'o')
    assert a.partition_count == 256 and a.part_power == 8 and a.replica_count == 3
    assert a.md5 == md5((ring_dir / 'object.ring.gz').read_bytes()).hexdigest()


def test_get_part_is_top_bits_of_md5(ring_dir):
    ring = Ring(str(ring_dir), ring_name='object')
    digest = md5(b'/a/c/o').digest()
    assert ring.get_part('a', 'c', 'o') == struct.unpack_from('>I', digest)[0] >> 24


def test_hash_salt_read_from_objstore_conf(ring_dir):
    (ring_dir / 'objstore.conf').write_text(
        '[objstore-hash]\nswift_hash_path_suffix = changeme\n')
    ring = Ring(str(ring_dir), ring_name='object')
    digest = md5(b'/a/c/ochangeme').digest()
    assert ring.get_part('a', 'c', 'o') == digest[0]
    explicit = Ring(str(ring_dir), ring_name='object', hash_prefix=b'', hash_suffix=b'')
    assert explicit.get_part('a', 'c', 'o') == md5(b'/a/c/o').digest()[0]


def test_get_nodes_returns_distinct_devices_with_replica_index(ring_dir):
    ring = Ring(str(ring_dir), ring_name='object')
    part, nodes = ring.get_nodes('AUTH_test', 'cont', 'obj')
    assert [n['index'] for n in nodes] == [0, 1, 2]
    assert len({n['id'] for n in nodes}) == 3
    for key in ('id', 'region', 'zone', 'ip', 'port', 'replication_ip',
                'replication_port', 'device', 'weight', 'meta'):
        assert key in nodes[0]
    nodes[0]['ip'] = 'mutated'
    assert ring.get_part_nodes(part)[0]['ip'] != 'mutated'


def test_handoffs_exclude_primaries_prefer_new_regions_and_are_stable(ring_dir):
    ring = Ring(str(ring_dir), ring_name='object')
    for part in range(0, 256, 17):
        primaries = ring.get_part_nodes(part)
        handoffs = list(ring.get_more_nodes(part))
        ids = [n['id'] for n in handoffs]
        assert len(ids) == len(set(ids)) == 12 - 3
        assert not set(ids) & {n['id'] for n in primaries}
        assert ids == [n['id'] for n in ring.get_more_nodes(part)]
        used_zones = {(n['region'], n['zone']) for n in primaries}
        # every zone without a primary comes before any second device in a used zone
        first_reuse = next(i for i, n in enumerate(handoffs)
                           if (n['region'], n['zone']) in used_zones)
        fresh = {(n['region'], n['zone']) for n in handoffs[:first_reuse]}
        assert fresh == {(r, z) for r in (1, 2) for z in (1, 2, 3)} - used_zones


def test_handoffs_differ_between_partitions(ring_dir):
    ring = Ring(str(ring_dir), ring_name='object')
    firsts = {next(ring.get_more_nodes(p))['id'] for p in range(64)}
    assert len(firsts) > 3


def test_reload_when_mtime_changes(ring_dir):
    path = ring_dir / 'object.ring.gz'
    ring = Ring(str(path), reload_time=0)
    assert len(ring.devs) == 12
    new = build(path, seed=99, per_zone=3)
    os.utime(path, (1, 1))
    assert len(ring.devs) == 18
    assert ring.has_changed() is False
    assert [n['id'] for n in ring.get_part_nodes(0)] == [r[0] for r in new.replica2part2dev]


def test_reload_waits_for_reload_time(ring_dir):
    path = ring_dir / 'object.ring.gz'
    ring = Ring(str(path), reload_time=3600)
    build(path, seed=5, per_zone=3)
    os.utime(path, (1, 1))
    assert len(ring.devs) == 12


@pytest.mark.parametrize('damage', ['truncate', 'flip', 'garbage', 'empty', 'bad_magic'])
def test_corrupt_ring_refused_with_clear_error(tmp_path, damage):
    path = tmp_path / 'object.ring.gz'
    build(path)
    data = path.read_bytes()
    if damage == 'truncate':
        data = data[:len(data) // 2]
    elif damage == 'flip':
        raw = bytearray(gzip.decompress(data))
        raw[-10] ^= 0xFF
        data = gzip.compress(bytes(raw))
    elif damage == 'garbage':
        data = b'not a ring at all'
    elif damage == 'empty':
        data = b''
    elif damage == 'bad_magic':
        data = gzip.compress(b'XXXX' + gzip.decompress(data)[4:])
    path.write_bytes(data)
    with pytest.raises(RingLoadError) as info:
        Ring(str(path))
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_truncated_table_inside_valid_gzip_is_refused(tmp_path):
    path = tmp_path / 'object.ring.gz'
    build(path)
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw[:-2]))
    with pytest.raises(RingLoadError, match='truncated'):
        load_ring_file(str(path))


def test_bad_reload_keeps_old_ring_in_service(ring_dir):
    path = ring_dir / 'object.ring.gz'
    ring = Ring(str(path), reload_time=0)
    before = ring.get_nodes('a', 'c', 'o')
    path.write_bytes(path.read_bytes()[:100])
    os.utime(path, (2, 2))
    assert ring.get_nodes('a', 'c', 'o') == before
    with pytest.raises(RingLoadError):
        ring.reload()
    assert ring.get_nodes('a', 'c', 'o') == before


def test_ring_file_round_trip_is_byte_stable(tmp_path):
    b = build(tmp_path / 'object.ring.gz', replicas=2.5)
    data, _ = load_ring_file(str(tmp_path / 'object.ring.gz'))
    assert data.replica2part2dev == b.replica2part2dev
    assert data.devs == b.get_ring().devs
    assert abs(data.replica_count - 2.5) < 1e-9
    b.get_ring().save(str(tmp_path / 'again.ring.gz'))
    assert (tmp_path / 'again.ring.gz').read_bytes() == \
        (tmp_path / 'object.ring.gz').read_bytes()


def test_missing_ring_file_error_names_the_file(tmp_path):
    with pytest.raises(RingLoadError, match='object.ring.gz'):
        Ring(str(tmp_path), ring_name='object')
