"""objstore-ring-builder: commands, output, exit codes, never writing on error."""
import os

import pytest

from objstore.cli.ring_builder import main
from ring import Ring, RingBuilder


@pytest.fixture
def bfile(tmp_path):
    return str(tmp_path / 'object.builder')


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().out


def make_ring(capsys, bfile, part_power='8'):
    assert run(capsys, bfile, 'create', part_power, '3', '1')[0] == 0
    code, out = run(capsys, bfile, 'add', 'r1z1-127.0.0.1:6210/sdb1', '1',
                    'r1z2-127.0.0.1:6220R127.0.0.2:6320/sdb2_meta', '1',
                    'r1z3-127.0.0.1:6230/sdb3', '1')
    assert code == 0
    code, out = run(capsys, bfile, 'add', '--region', '1', '--zone', '4', '--ip',
                    '127.0.0.1', '--port', '6240', '--device', 'sdb4', '--weight', '1')
    assert code == 0, out
    assert 'got id 3' in out
    return run(capsys, bfile, 'rebalance', '--seed', '1')


def test_tutorial_flow_writes_builder_ring_and_backups(capsys, bfile, tmp_path):
    code, out = make_ring(capsys, bfile)
    assert code == 0
    assert out.startswith('Reassigned 256 (100.00%) partitions. Balance is now 0.00.')
    assert os.path.exists(tmp_path / 'object.ring.gz')
    assert any(n.endswith('.object.builder') for n in os.listdir(tmp_path / 'backups'))
    ring = Ring(str(tmp_path), ring_name='object')
    assert len(ring.get_part_nodes(0)) == 3


def test_add_output_names_the_device(capsys, bfile):
    run(capsys, bfile, 'create', '6', '3', '1')
    code, out = run(capsys, bfile, 'add', 'r1z1-127.0.0.1:6200R127.0.0.1:6300/sdb1_meta', '100')
    assert code == 0
    assert out.strip() == ('Device d0r1z1-127.0.0.1:6200R127.0.0.1:6300/sdb1_"meta" '
                           'with 100.0 weight got id 0')


def test_summary_lists_devices(capsys, bfile):
    make_ring(capsys, bfile)
    code, out = run(capsys, bfile)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(bfile + ', build version')
    assert lines[1] == ('256 partitions, 3.000000 replicas, 1 regions, 4 zones, '
                        '4 devices, 0.00 balance, 0.00 dispersion')
    assert 'The overload factor is 0.00% (0.000000)' in out
    assert 'Ring file object.ring.gz is up-to-date' in out
    assert lines[5].split() == ['Devices:', 'id', 'region', 'zone', 'ip', 'address:port',
                                'replication', 'ip:port', 'name', 'weight', 'partitions',
                                'balance', 'flags', 'meta']
    assert lines[7].split() == ['1', '1', '2', '127.0.0.1:6220', '127.0.0.2:6320',
                                'sdb2', '1.00', '192', '0.00', 'meta']


def test_second_rebalance_without_changes_warns_and_keeps_file(capsys, bfile):
    make_ring(capsys, bfile)
    before = open(bfile, 'rb').read()
    code, out = run(capsys, bfile, 'rebalance')
    assert code == 1
    assert 'No partitions could be reassigned.' in out
    assert open(bfile, 'rb').read() == before


def test_set_weight_remove_and_rebalance(capsys, bfile):
    make_ring(capsys, bfile)
    assert run(capsys, bfile, 'pretend_min_part_hours_passed')[0] == 0
    code, out = run(capsys, bfile, 'set_weight', 'd0', '2')
    assert code == 0 and 'weight set to 2.0' in out
    code, out = run(capsys, bfile, 'remove', 'z4')
    assert code == 0 and 'marked for removal' in out
    code, out = run(capsys, bfile, 'rebalance')
    assert code in (0, 1) and out.startswith('Reassigned')
    b = RingBuilder.load(bfile)
    assert 3 not in b.dev_part_counts()
    assert run(capsys, bfile, 'validate')[0] == 0


def test_set_info_overload_replicas_min_part_hours(capsys, bfile):
    make_ring(capsys, bfile)
    code, out = run(capsys, bfile, 'set_info', 'd2', '127.0.0.9:7000/sdx_new')
    assert code == 0 and 'is now d2r1z3-127.0.0.9:7000' in out
    assert run(capsys, bfile, 'set_overload', '10%') == (
        0, 'The overload factor is now 10.00% (0.100000)\n')
    assert run(capsys, bfile, 'set_overload', '0.2')[0] == 0
    assert RingBuilder.load(bfile).overload == 0.2
    code, out = run(capsys, bfile, 'set_replicas', '2.5')
    assert code == 0 and 'The replica count is now 2.500000.' in out
    assert run(capsys, bfile, 'set_min_part_hours', '0')[0] == 0
    code, out = run(capsys, bfile, 'rebalance')
    assert out.startswith('Reassigned')
    assert [len(r) for r in RingBuilder.load(bfile).replica2part2dev] == [256, 256, 128]


def test_search_list_parts_dispersion(capsys, bfile):
    make_ring(capsys, bfile)
    code, out = run(capsys, bfile, 'search', 'r1z2-127.0.0.1')
    assert code == 0 and 'sdb2' in out and 'sdb1' not in out
    code, out = run(capsys, bfile, 'list_parts', 'd0')
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == 'Partition   Matches' and len(lines) == 1 + 192
    code, out = run(capsys, bfile, 'dispersion', '-v')
    assert code == 0 and out.startswith('Dispersion is 0.000000')
    assert 'r1z1' in out


def test_write_ring_and_write_builder_from_ring(capsys, bfile, tmp_path):
    make_ring(capsys, bfile)
    os.unlink(tmp_path / 'object.ring.gz')
    assert run(capsys, bfile, 'write_ring')[0] == 0
    original = RingBuilder.load(bfile)
    os.unlink(bfile)
    assert run(capsys, bfile, 'write_builder')[0] == 0
    rebuilt = RingBuilder.load(bfile)
    assert rebuilt.replica2part2dev == original.replica2part2dev
    code, out = run(capsys, bfile, 'write_builder')
    assert code == 2 and 'Cowardly' in out


@pytest.mark.parametrize('argv', [
    ['add', 'r1z1-127.0.0.1/sdb9', '1'],                  # malformed device
    ['add', 'r1z1-127.0.0.1:6210/sdb1', '1'],             # duplicate ip/port/device
    ['add', 'r1z1-127.0.0.1:6299/sdb9', '-1'],            # negative weight
    ['add', 'r1z1-127.0.0.1:6299/sdb9'],                  # missing weight
    ['add', '--region', '1', '--ip', '1.2.3.4'],         # missing options
    ['set_weight', 'd0', '-3'],
    ['set_weight', 'd77', '3'],                          # matches nothing
    ['remove', 'bogus!'],
    ['set_overload', 'lots'],
    ['set_replicas', '0.5'],
    ['rebalance', '--seed', 'x'],
    ['frobnicate'],
    ['create', '33', '3', '1'],
    ['create', '0', '3', '1'],
])
def test_bad_input_is_one_line_error_exit_2_and_builder_untouched(capsys, bfile, argv):
    make_ring(capsys, bfile)
    before = open(bfile, 'rb').read()
    mtime = os.stat(bfile).st_mtime_ns
    code, out = run(capsys, bfile, *argv)
    assert code == 2
    assert len(out.strip().splitlines()) == 1
    assert open(bfile, 'rb').read() == before
    assert os.stat(bfile).st_mtime_ns == mtime


def test_missing_builder_file_is_an_error(capsys, bfile):
    code, out = run(capsys, bfile)
    assert code == 2 and 'does not exist' in out
    code, out = run(capsys, bfile, 'add', 'r1z1-1.2.3.4:5/d', '1')
    assert code == 2 and not os.path.exists(bfile)


def test_write_ring_before_rebalance_is_an_error(capsys, bfile):
    run(capsys, bfile, 'create', '4', '3', '1')
    code, out = run(capsys, bfile, 'write_ring')
    assert code == 2 and 'rebalance' in out


def test_no_arguments_prints_usage_and_exit_2(capsys):
    code, out = run(capsys)
    assert code == 2 and 'create <part_power>' in out
