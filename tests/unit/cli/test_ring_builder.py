"""objstore-ring-builder: commands, output, exit codes, never writing on error."""
import os
import re
import subprocess
import sys

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
    assert out.startswith('Reassigned 768 (300.00%) partitions. Balance is now 0.00.')
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
                        '4 devices, 2-byte IDs, 0.00 balance, 0.00 dispersion')
    assert 'The overload factor is 0.00% (0.000000)' in out
    assert 'Ring file %s is up-to-date' % bfile.replace('.builder', '.ring.gz') in out
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
        0, 'The overload factor is now 10.00% (0.100000)\n'
           'The change will take effect after the next rebalance.\n')
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
def test_bad_input_exits_2_and_leaves_the_builder_untouched(capsys, bfile, argv):
    make_ring(capsys, bfile)
    before = open(bfile, 'rb').read()
    mtime = os.stat(bfile).st_mtime_ns
    code, out = run(capsys, bfile, *argv)
    assert code == 2
    assert out.strip() and 'Traceback' not in out
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
    assert (code, out) == (2, 'Unable to write empty ring.\n')


def test_no_arguments_prints_usage_and_exit_0(capsys):
    code, out = run(capsys)
    assert code == 0 and 'create <part_power>' in out
    assert 'Exit codes: 0 = operation successful' in out


# ---- what swift-ring-builder users' scripts parse (layouts as Swift 2.38.3 prints them)

def four_devices(capsys, bfile, part_power='6'):
    run(capsys, bfile, 'create', part_power, '3', '1')
    for z in (1, 2, 3, 4):
        run(capsys, bfile, 'add', 'r1z%d-127.0.0.%d:60%d0/sdb%d' % (z, z, z, z), '100')


def test_summary_before_first_rebalance_shows_full_imbalance_and_no_ring_file(capsys, bfile):
    four_devices(capsys, bfile)
    code, out = run(capsys, bfile)
    lines = out.splitlines()
    assert code == 0
    assert lines[1] == ('64 partitions, 3.000000 replicas, 1 regions, 4 zones, 4 devices, '
                        '2-byte IDs, 100.00 balance, 0.00 dispersion')
    assert lines[4] == ("Ring file %s not found, probably it hasn't been written yet"
                        % bfile.replace('.builder', '.ring.gz'))
    assert lines[6] == ('            0      1    1  127.0.0.1:6010      127.0.0.1:6010  '
                        'sdb1 100.00          0 -100.00       ')


def test_summary_of_a_builder_without_devices_says_so(capsys, bfile):
    run(capsys, bfile, 'create', '4', '3', '1')
    code, out = run(capsys, bfile)
    assert code == 0
    assert out.splitlines()[-1] == ('There are no devices in this ring, or all devices '
                                    'have been deleted')


def test_first_rebalance_counts_partition_replicas(capsys, bfile):
    four_devices(capsys, bfile)
    code, out = run(capsys, bfile, 'rebalance')
    assert (code, out) == (0, 'Reassigned 192 (300.00%) partitions. Balance is now 0.00.  '
                              'Dispersion is now 0.00\n')


def test_rebalance_within_min_part_hours_says_how_long_to_wait(capsys, bfile):
    four_devices(capsys, bfile)
    run(capsys, bfile, 'rebalance')
    run(capsys, bfile, 'set_weight', 'd0', '50')
    code, out = run(capsys, bfile, 'rebalance')
    lines = out.splitlines()
    assert code == 1
    assert lines[0] == 'No partitions could be reassigned.'
    assert re.match(r'^The time between rebalances must be at least min_part_hours: 1 hours '
                    r'\((1:00:00|0:59:\d\d) remaining\)$', lines[1])


def test_forced_rebalance_without_moves_is_saved_and_says_zero(capsys, bfile):
    four_devices(capsys, bfile)
    run(capsys, bfile, 'rebalance')
    code, out = run(capsys, bfile, 'rebalance', '--force')
    assert code == 0 and out.startswith('Reassigned 0 (0.00%) partitions.')


def test_undispersed_rebalance_prints_the_dispersion_note_and_warns(capsys, bfile):
    run(capsys, bfile, 'create', '6', '3', '1')
    run(capsys, bfile, 'add', 'r1z1-127.0.0.1:6010/sdb1', '100', 'r1z1-127.0.0.1:6010/sdb2',
        '100', 'r1z2-127.0.0.2:6010/sdb1', '10', 'r1z3-127.0.0.3:6010/sdb1', '10')
    code, out = run(capsys, bfile, 'rebalance', '--seed', '1')
    assert code == 1
    lines = out.splitlines()
    assert lines[1] == '-' * 79 and lines[-1] == '-' * 79
    assert re.match(r'^NOTE: Dispersion of \d+\.\d{6} indicates some parts are not$', lines[2])
    assert lines[3:7] == ['      optimally dispersed.', '',
                          '      You may want to adjust some device weights, increase',
                          '      the overload or review the dispersion report.']


def test_dispersion_reports_required_overload_and_verbose_table(capsys, bfile):
    four_devices(capsys, bfile)
    run(capsys, bfile, 'rebalance')
    assert run(capsys, bfile, 'dispersion') == (
        0, 'Dispersion is 0.000000, Balance is 0.000000, Overload is 0.00%\n'
           'Required overload is 0.000000%\n')
    code, out = run(capsys, bfile, 'dispersion', 'r1z1', '--verbose')
    assert code == 0
    assert out.splitlines()[2:] == [
        '-' * 74,
        'Tier                           Parts      %    Max     0     1     2     3',
        '-' * 74,
        'r1z1                              48   0.00      1    16    48     0     0',
        'r1z1-127.0.0.1                    48   0.00      1    16    48     0     0',
        'r1z1-127.0.0.1/sdb1               48   0.00      1    16    48     0     0']


def test_dispersion_names_the_worst_tier_and_warns(capsys, bfile):
    run(capsys, bfile, 'create', '6', '3', '1')
    run(capsys, bfile, 'add', 'r1z1-127.0.0.1:6010/sdb1', '100', 'r1z1-127.0.0.1:6010/sdb2',
        '100', 'r1z2-127.0.0.2:6010/sdb1', '10', 'r1z3-127.0.0.3:6010/sdb1', '10')
    run(capsys, bfile, 'rebalance', '--seed', '1')
    code, out = run(capsys, bfile, 'dispersion')
    lines = out.splitlines()
    assert code == 1
    assert re.match(r'^Required overload is \d+\.\d{6}%$', lines[1]) and lines[1] != \
        'Required overload is 0.000000%'
    assert re.match(r'^Worst tier is \d+\.\d{6} \(r1z1\S*\)$', lines[2])
    assert run(capsys, bfile, 'dispersion', 'nothing-matches')[0] == 0


def test_unknown_command_and_missing_builder_exit_2_without_error_prefix(capsys, bfile):
    four_devices(capsys, bfile)
    assert run(capsys, bfile, 'bogus') == (2, 'Unknown command: bogus\n')
    assert run(capsys, 'nonexist.builder') == (
        2, 'Ring Builder file does not exist: nonexist.builder\n')


def test_a_ring_file_argument_uses_the_builder_next_to_it(capsys, bfile):
    four_devices(capsys, bfile)
    ring_file = bfile.replace('.builder', '.ring.gz')
    code, out = run(capsys, ring_file)
    assert code == 0
    assert out.splitlines()[0] == 'Note: using %s instead of %s as builder file' % (
        bfile, ring_file)
    assert out.splitlines()[1].startswith(bfile + ', build version')


def test_set_overload_above_100_percent_warns(capsys, bfile):
    four_devices(capsys, bfile)
    assert run(capsys, bfile, 'set_overload', '1.5') == (
        1, '!?! Warning overload is greater than 100% !?!\n'
           'The overload factor is now 150.00% (1.500000)\n'
           'The change will take effect after the next rebalance.\n')
    assert run(capsys, bfile, 'set_overload', '-5') == (2, 'Overload must be non-negative.\n')
    assert run(capsys, bfile, 'set_overload', 'x') == (2, "'x' is not a valid number.\n")


def test_set_replicas_messages(capsys, bfile):
    four_devices(capsys, bfile)
    assert run(capsys, bfile, 'set_replicas', 'x') == (2, '"x" is not a valid number.\n')
    assert run(capsys, bfile, 'set_replicas', '0.5') == (
        2, 'Replica count must be at least 1.\n')


def test_version_names_the_ring_format(capsys, bfile):
    four_devices(capsys, bfile)
    run(capsys, bfile, 'rebalance')
    ring_file = bfile.replace('.builder', '.ring.gz')
    assert run(capsys, bfile, 'version') == (
        0, '%s: Serialization version: 1 (2-byte IDs), build version: 5\n' % ring_file)


def test_write_builder_warns_about_the_lost_min_part_hours(capsys, bfile):
    make_ring(capsys, bfile)
    os.unlink(bfile)
    assert run(capsys, bfile, 'write_builder') == (
        0, 'WARNING: default min_part_hours may not match the value in the lost builder.\n')
    assert RingBuilder.load(bfile).min_part_hours == 1


def test_an_unreadable_builder_is_invalid_with_the_reason(capsys, bfile):
    with open(bfile, 'wb') as fh:
        fh.write(b'garbage\n')
    code, out = run(capsys, bfile)
    assert code == 2
    assert out.splitlines()[0] == 'Ring Builder file is invalid: %s' % bfile
    assert 'not an objstore builder file' in out.splitlines()[1]


def test_a_pickled_swift_builder_is_refused_without_unpickling(capsys, bfile):
    with open(bfile, 'wb') as fh:
        fh.write(b'\x80\x02}q\x00.')  # a pickle protocol 2 header, as Swift's builders
    code, out = run(capsys, bfile, 'search', 'd0')
    assert code == 2
    assert out.splitlines() == ['Ring Builder file is invalid: %s' % bfile,
                                'a pickled (Swift) builder file; objstore loads no pickles: '
                                'create the builder again with objstore-ring-builder']


def test_rebalance_refuses_more_replicas_than_weighted_devices(capsys, bfile):
    run(capsys, bfile, 'create', '4', '3', '1')
    run(capsys, bfile, 'add', 'r1z1-127.0.0.1:6010/a', '1', 'r1z2-127.0.0.2:6010/b', '1',
        'r1z3-127.0.0.3:6010/c', '0')
    before = open(bfile, 'rb').read()
    code, out = run(capsys, bfile, 'rebalance')
    assert code == 2 and out.endswith('Replica count of 3.0 requires more than 2 devices\n')
    assert open(bfile, 'rb').read() == before


def test_validate_accepts_a_replica_count_change_not_yet_rebalanced(capsys, bfile):
    four_devices(capsys, bfile)
    run(capsys, bfile, 'rebalance')
    run(capsys, bfile, 'set_replicas', '2')
    assert run(capsys, bfile, 'validate') == (0, '')


def test_dispersion_shows_a_device_marked_for_removal_as_over_its_max_of_0(capsys, bfile):
    four_devices(capsys, bfile)
    run(capsys, bfile, 'rebalance')
    run(capsys, bfile, 'add', 'r1z5-127.0.0.5:6050/sdb5', '100')
    run(capsys, bfile, 'remove', 'd0')
    code, out = run(capsys, bfile, 'dispersion', '-v', 'r1z1$')
    assert code == 1
    assert out.splitlines()[2] == 'Worst tier is 100.000000 (r1z1)'
    assert out.splitlines()[-1] == (
        'r1z1                              48 100.00      0    16    48     0     0')


def test_build_version_counts_device_changes_and_rebalances_only(capsys, bfile):
    four_devices(capsys, bfile)
    run(capsys, bfile, 'rebalance')
    for args in (['set_info', 'd0', '_m'], ['set_overload', '0.1'], ['set_replicas', '3'],
                 ['set_min_part_hours', '2'], ['pretend_min_part_hours_passed']):
        run(capsys, bfile, *args)
    assert RingBuilder.load(bfile).version == 5
    run(capsys, bfile, 'set_weight', 'd0', '50')
    run(capsys, bfile, 'set_zone', 'd1', '5')
    assert RingBuilder.load(bfile).version == 7


def test_default_command_is_the_summary(capsys, bfile):
    four_devices(capsys, bfile)
    assert run(capsys, bfile, 'default') == run(capsys, bfile)


@pytest.mark.parametrize('argv,message', [
    (['set_overload', 'nan'], "'nan' is not a valid number.\n"),
    (['set_overload', 'inf%'], "'inf%' is not a valid number.\n"),
    (['set_replicas', 'inf'], '"inf" is not a valid number.\n'),
])
def test_settings_that_are_no_finite_number_are_refused(capsys, bfile, argv, message):
    four_devices(capsys, bfile)
    assert run(capsys, bfile, *argv) == (2, message)


def test_output_cut_short_by_a_closed_pipe_ends_quietly(tmp_path):
    bfile = str(tmp_path / 'object.builder')
    cli = os.path.join(os.path.dirname(sys.executable), 'objstore-ring-builder')
    for args in (['create', '14', '3', '0'], ['add', 'r1z1-127.0.0.1:1/a', '1',
                 'r1z2-127.0.0.1:2/b', '1', 'r1z3-127.0.0.1:3/c', '1'], ['rebalance']):
        subprocess.run([cli, bfile, *args], check=True, stdout=subprocess.DEVNULL)
    # some 300 KB of list_parts: far more than a pipe holds once head has gone
    proc = subprocess.run('"%s" "%s" list_parts r1 | head -1' % (cli, bfile), shell=True,
                          capture_output=True, text=True)
    assert proc.stdout == 'Partition   Matches\n'
    assert proc.stderr == ''


def test_help_after_a_command_prints_its_usage_and_exits_0(capsys, bfile):
    code, out = run(capsys, bfile, 'search', '--help')
    assert code == 0 and out.startswith('objstore-ring-builder <builder_file> search')
    code, out = run(capsys, bfile, 'set_overload', '-h')
    assert code == 0 and out.startswith('objstore-ring-builder <builder_file> set_overload')
