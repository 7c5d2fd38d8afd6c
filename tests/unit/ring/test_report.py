"""ring.report: the device tables' column layout (as swift-ring-builder lays
them out, since scripts cut them by position) and the dispersion report."""
from ring import RingBuilder
from ring.report import device_table, dispersion_report, required_overload, search_table


def dev(dev_id, ip='1.1.1.1', port=6, rip=None, rport=None, name='d', weight=1.0,
        region=1, zone=1, meta=''):
    return {'id': dev_id, 'region': region, 'zone': zone, 'ip': ip, 'port': port,
            'replication_ip': rip or ip, 'replication_port': rport or port,
            'device': name, 'weight': weight, 'meta': meta}


def table(*devs, removing=()):
    return [line + '|' for line in device_table(devs, {}, {d['id']: -100.0 for d in devs},
                                                set(removing))]


def test_device_table_with_short_addresses_keeps_the_header_widths():
    assert table(dev(0)) == [
        'Devices:   id region zone ip address:port replication ip:port  name weight '
        'partitions balance flags meta|',
        '            0      1    1    1.1.1.1:6           1.1.1.1:6        d   1.00 '
        '         0 -100.00       |']


def test_device_table_address_columns_grow_with_ip_and_port():
    assert table(dev(0, ip='111.111.111.111', port=60000)) == [
        'Devices:   id region zone      ip address:port   replication ip:port   name weight '
        'partitions balance flags meta|',
        '            0      1    1 111.111.111.111:60000 111.111.111.111:60000     d   1.00'
        '          0 -100.00       |']


def test_device_table_ipv6_is_bracketed_and_widens_its_column_only():
    assert table(dev(0, rip='::1', rport=7), dev(1, ip='1.1.1.2')) == [
        'Devices:   id region zone ip address:port   replication ip:port  name weight '
        'partitions balance flags meta|',
        '            0      1    1    1.1.1.1:6               [::1]:7        d   1.00 '
        '         0 -100.00       |',
        '            1      1    1    1.1.1.2:6             1.1.1.2:6        e   1.00 '
        '         0 -100.00       |'.replace(' e ', ' d ')]


def test_device_table_flags_removal_and_sorts_by_failure_domain():
    lines = table(dev(0, ip='1.1.1.9'), dev(1, ip='1.1.1.2', name='c'),
                  dev(2, ip='1.1.1.2', name='a'), dev(3, zone=0, name='b', meta='m'),
                  removing=[1])
    assert [line.split()[0] for line in lines[1:]] == ['3', '2', '1', '0']
    assert lines[3].endswith('   DEL |')
    assert lines[1].endswith('       m|')


def test_device_table_weight_column_grows_and_long_names_overflow():
    lines = table(dev(0, weight=1000.0, name='verylongname'))
    assert lines[0].endswith(' name  weight partitions balance flags meta|')
    assert lines[1].endswith(' verylongname 1000.00          0 -100.00       |')


def test_search_table_has_fixed_columns_and_bare_addresses():
    lines = search_table([dev(0, ip='fe80::1', port=60000, name='abcdefghijk', weight=1e6,
                              meta='meta')], {0: 5}, {0: 1.5})
    assert lines == [
        'Devices:    id  region  zone      ip address  port  replication ip  replication port'
        '      name weight partitions balance meta',
        '             0       1     1         fe80::1 60000         fe80::1             60000'
        ' abcdefghijk 1000000.00          5    1.50 meta']


def builder(weights, zones, replicas=3):
    b = RingBuilder(6, replicas, 1)
    for i, (w, z) in enumerate(zip(weights, zones)):
        b.add_dev({'region': 1, 'zone': z, 'ip': '10.0.0.%d' % z, 'port': 6000 + i,
                   'device': 'sd%d' % i, 'weight': w})
    b.rebalance(seed=1)
    return b


def test_required_overload_is_zero_when_weights_allow_full_dispersion():
    assert required_overload(builder([1, 1, 1, 1], [1, 2, 3, 4])) == 0.0


def test_required_overload_is_enough_to_disperse_a_lopsided_ring():
    b = builder([100, 100, 10, 10], [1, 1, 2, 3])
    needed = required_overload(b)
    assert needed > 0
    b.set_overload(needed)
    b.pretend_min_part_hours_passed()
    b.rebalance(seed=2)
    assert b.dispersion == 0.0


def test_dispersion_report_counts_replicas_over_the_tier_maximum():
    b = builder([100, 100, 10, 10], [1, 1, 2, 3])
    lines, worst = dispersion_report(b, verbose=True)
    assert lines[3] == lines[5] == '-' * 74
    rows = {line.split()[0]: line.split()[1:] for line in lines[6:]}
    parts, pct, most = rows['r1z1'][:3]
    assert most == '1' and 0 < float(pct) <= worst
    assert lines[2] == 'Worst tier is %.6f (%s)' % (
        worst, max(rows, key=lambda name: float(rows[name][1])))
    assert list(rows)[:3] == ['r1', 'r1z1', 'r1z1-10.0.0.1']
