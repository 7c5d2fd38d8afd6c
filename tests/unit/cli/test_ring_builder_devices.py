"""objstore-ring-builder's device commands (add, remove, search, list_parts,
set_weight/region/zone, set_info): Swift's options, messages and exit codes."""
import io
import re

import pytest

from ring import RingBuilder
from tests.unit.cli.test_ring_builder import bfile, run  # noqa: F401 (bfile: a fixture)


def four_devices(capsys, bfile, part_power='6'):
    run(capsys, bfile, 'create', part_power, '3', '1')
    for z in (1, 2, 3, 4):
        run(capsys, bfile, 'add', 'r1z%d-127.0.0.%d:60%d0/sdb%d' % (z, z, z, z), '100')


def test_search_by_option_prints_the_search_table(capsys, bfile):
    four_devices(capsys, bfile)
    code, out = run(capsys, bfile, 'search', '--zone', '2')
    assert code == 0
    assert out.splitlines() == [
        'Devices:    id  region  zone      ip address  port  replication ip  replication port'
        '      name weight partitions balance meta',
        '             1       1     2       127.0.0.2  6020       127.0.0.2              6020'
        '      sdb2 100.00          0 -100.00 ']


def test_search_without_match_exits_2(capsys, bfile):
    four_devices(capsys, bfile)
    assert run(capsys, bfile, 'search', 'd9') == (2, 'No matching devices found\n')
    assert run(capsys, bfile, 'search', 'bad!') == (2, "Invalid <search-value>: 'bad!'\n")


def test_search_value_and_options_together_print_usage(capsys, bfile):
    four_devices(capsys, bfile)
    code, out = run(capsys, bfile, 'search', 'z1', '--zone', '3')
    assert code == 2 and out.startswith('objstore-ring-builder <builder_file> search')


def test_remove_without_match_leaves_the_builder_unchanged(capsys, bfile):
    four_devices(capsys, bfile)
    assert run(capsys, bfile, 'remove', 'd9') == (
        2, 'Search value matched 0 devices.\nThe on-disk ring builder is unchanged.\n')


def test_removing_several_devices_needs_yes(capsys, bfile, monkeypatch):
    four_devices(capsys, bfile)
    before = open(bfile, 'rb').read()
    monkeypatch.setattr('sys.stdin', io.StringIO(''))
    code, out = run(capsys, bfile, 'remove', 'r1')
    assert code == 2
    assert out.startswith('Matched more than one device:\n    d0r1z1-127.0.0.1:6010R')
    assert out.endswith('Are you sure you want to remove these 4 devices? (y/N) '
                        'Aborting device removals\n')
    assert open(bfile, 'rb').read() == before
    code, out = run(capsys, bfile, 'remove', '--zone', '1', '--zone', '2')  # last one wins
    assert code == 0 and out.count('marked for removal') == 1
    code, out = run(capsys, bfile, 'remove', 'd0', 'd2', '--yes')
    assert code == 0 and out.count('marked for removal and will be removed') == 2


def test_set_info_takes_change_options(capsys, bfile):
    four_devices(capsys, bfile)
    code, out = run(capsys, bfile, 'set_info', '--ip', '127.0.0.4', '--port', '6040',
                    '--change-port', '6099')
    assert (code, out) == (0, 'Device d3r1z4-127.0.0.4:6040R127.0.0.4:6040/sdb4_"" is now '
                              'd3r1z4-127.0.0.4:6099R127.0.0.4:6040/sdb4_""\n')
    assert run(capsys, bfile, 'set_info', 'd0', 'bad!') == (
        2, "Invalid set info change value: 'bad!'\n")


def test_set_info_to_an_address_in_use_fails(capsys, bfile):
    four_devices(capsys, bfile)
    assert run(capsys, bfile, 'set_info', '--zone', '2', '--change-ip', '127.0.0.1',
               '--change-port', '6010', '--change-device', 'sdb1') == (
        2, 'Device 0 already uses 127.0.0.1:6010/sdb1.\n')


def test_set_weight_region_zone_by_option_and_value(capsys, bfile):
    four_devices(capsys, bfile)
    assert run(capsys, bfile, 'set_weight', '--zone', '3', '42') == (
        0, 'd2r1z3-127.0.0.3:6030R127.0.0.3:6030/sdb3_"" weight set to 42.0\n')
    assert run(capsys, bfile, 'set_region', 'd0', '2') == (
        0, 'd0r2z1-127.0.0.1:6010R127.0.0.1:6010/sdb1_"" region set to 2\n')
    assert run(capsys, bfile, 'set_zone', '--device', 'sdb2', '7') == (
        0, 'd1r1z7-127.0.0.2:6020R127.0.0.2:6020/sdb2_"" zone set to 7\n')
    b = RingBuilder.load(bfile)
    assert (b.devs[2]['weight'], b.devs[0]['region'], b.devs[1]['zone']) == (42.0, 2, 7)


def test_set_weight_of_a_device_marked_for_removal_fails(capsys, bfile):
    four_devices(capsys, bfile)
    run(capsys, bfile, 'remove', 'd0')
    assert run(capsys, bfile, 'set_weight', 'd0', '5') == (
        2, 'Can not set weight of dev_id 0 because it is marked for removal\n')


def test_a_negative_number_where_an_option_may_stand_is_an_option_error(capsys, bfile):
    four_devices(capsys, bfile)
    code, out = run(capsys, bfile, 'set_weight', 'd0', '-1')
    assert code == 2 and out.endswith('error: no such option: -1\n')
    code, out = run(capsys, bfile, 'search', '--zone', 'x')
    assert code == 2 and out.endswith("error: option --zone: invalid integer value: 'x'\n")


def test_list_parts_by_option_and_before_rebalance(capsys, bfile):
    four_devices(capsys, bfile)
    assert run(capsys, bfile, 'list_parts', 'd0') == (
        2, 'Specified builder file "%s" is not rebalanced yet. Please rebalance first.\n'
        % bfile)
    run(capsys, bfile, 'rebalance')
    code, out = run(capsys, bfile, 'list_parts', '--zone', '2')
    lines = out.splitlines()
    assert code == 0 and lines[0] == 'Partition   Matches' and len(lines) == 1 + 48
    assert re.match(r'^ {0,8}\d+ {9}1$', lines[1])


def test_add_without_region_defaults_to_region_1_with_a_warning(capsys, bfile):
    run(capsys, bfile, 'create', '4', '3', '1')
    assert run(capsys, bfile, 'add', 'z5-127.0.0.5:6050/sdb5', '100') == (
        0, 'WARNING: No region specified for z5-127.0.0.5:6050/sdb5. Defaulting to region 1.\n'
           'Device d0r1z5-127.0.0.5:6050R127.0.0.5:6050/sdb5_"" with 100.0 weight got id 0\n')


def test_add_by_options_names_the_missing_one(capsys, bfile):
    run(capsys, bfile, 'create', '4', '3', '1')
    assert run(capsys, bfile, 'add', '--region', '1', '--zone', '7', '--ip', '127.0.0.7',
               '--port', '6070', '--device', 'sdb7') == (
        2, 'Required argument -w/--weight not specified.\n'
           'The on-disk ring builder is unchanged.\n')


def test_list_parts_lists_equal_matches_in_replica_row_order(capsys, bfile):
    four_devices(capsys, bfile)
    run(capsys, bfile, 'rebalance', '--seed', '1')
    rows = RingBuilder.load(bfile).replica2part2dev
    expected = []
    for row in rows:
        expected.extend(p for p, dev_id in enumerate(row) if dev_id == 1)
    code, out = run(capsys, bfile, 'list_parts', 'd1')
    assert [int(line.split()[0]) for line in out.splitlines()[1:]] == expected


@pytest.mark.parametrize('weight', ['nan', 'inf'])
def test_a_weight_that_is_no_finite_number_is_refused(capsys, bfile, weight):
    four_devices(capsys, bfile)
    before = open(bfile, 'rb').read()
    code, out = run(capsys, bfile, 'add', 'r1z5-127.0.0.5:6050/sdb5', weight)
    assert code == 2 and 'finite' in out
    code, out = run(capsys, bfile, 'set_weight', 'd0', weight)
    assert code == 2 and 'finite' in out
    assert open(bfile, 'rb').read() == before


@pytest.mark.parametrize('change,expected', [
    ('127.0.0.9:7000', 'd0r1z1-127.0.0.9:7000R127.0.0.1:6010/sdb1_""'),
    ('R127.0.0.8:7001', 'd0r1z1-127.0.0.1:6010R127.0.0.8:7001/sdb1_""'),
    ('127.0.0.9R127.0.0.8', 'd0r1z1-127.0.0.9:6010R127.0.0.8:6010/sdb1_""'),
    ('/sdx_new meta', 'd0r1z1-127.0.0.1:6010R127.0.0.1:6010/sdx_"new meta"'),
    ('[::2]:5R[::3]:6', 'd0r1z1-[::2]:5R[::3]:6/sdb1_""'),
    ('host.example:6011', 'd0r1z1-host.example:6011R127.0.0.1:6010/sdb1_""'),
])
def test_set_info_changes_only_the_parts_given(capsys, bfile, change, expected):
    four_devices(capsys, bfile)
    code, out = run(capsys, bfile, 'set_info', 'd0', change)
    assert (code, out.split(' is now ')[1]) == (0, expected + '\n')


def test_swift_short_options_and_id_select_devices(capsys, bfile):
    four_devices(capsys, bfile)
    code, out = run(capsys, bfile, 'set_info', '-u', '2', '-P', '7000', '-D', 'sdx', '-M', 'm')
    assert (code, out) == (0, 'Device d2r1z3-127.0.0.3:6030R127.0.0.3:6030/sdb3_"" is now '
                              'd2r1z3-127.0.0.3:7000R127.0.0.3:6030/sdx_"m"\n')
    code, out = run(capsys, bfile, 'search', '--id', '2')
    assert code == 0 and len(out.splitlines()) == 2
    assert run(capsys, bfile, 'rebalance', '-d', '-s', '1')[0] == 0


def test_options_unbracket_ipv6_but_keep_brackets_in_names_and_meta(capsys, bfile):
    run(capsys, bfile, 'create', '4', '1', '1')
    code, out = run(capsys, bfile, 'add', '--region', '1', '--zone', '1', '--ip', '[::1]',
                    '--port', '6010', '--device', '[d]', '--weight', '1', '--meta', '[rack1]')
    assert (code, out) == (0, 'Device d0r1z1-[::1]:6010R[::1]:6010/[d]_"[rack1]" with 1.0 '
                              'weight got id 0\n')
    assert run(capsys, bfile, 'search', '--meta', '[rack1]')[0] == 0
