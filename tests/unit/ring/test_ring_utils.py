"""hash_path, hash settings and the device/search string syntax."""
import struct
from hashlib import md5

import pytest
from hypothesis import given, settings, strategies as st

from ring.utils import (format_device, hash_path, load_hash_settings,
                        parse_add_value, parse_search_value, search_devs)


def test_hash_path_with_no_salt_is_md5_of_slash_joined_path():
    assert hash_path('a', 'c', 'o') == md5(b'/a/c/o').hexdigest()
    assert hash_path('a') == md5(b'/a').hexdigest()
    assert hash_path('a', 'c') == md5(b'/a/c').hexdigest()


def test_hash_path_matches_known_swift_values():
    # fixed values computed by the documented recipe md5(prefix + path + suffix)
    assert hash_path('a', 'c', 'o') == '8ac2bf59556b61bb5cc521ccb51c200a'
    assert hash_path('a', 'c', 'o', prefix=b'startcap', suffix=b'endcap') == \
        '615cd4810e0d969889af154f7b02ba43'


def test_hash_path_raw_digest_and_bytes_names():
    raw = hash_path(b'AUTH_t', 'c\u00e9', b'o', raw_digest=True)
    assert raw == md5('/AUTH_t/c\u00e9/o'.encode('utf-8')).digest()


def test_hash_path_refuses_object_without_container():
    with pytest.raises(ValueError):
        hash_path('a', None, 'o')


@given(st.text(min_size=1, max_size=20), st.text(max_size=20), st.binary(max_size=8),
       st.integers(min_value=1, max_value=32))
@settings(max_examples=50)
def test_partition_is_top_bits_of_salted_md5(account, container, prefix, part_power):
    digest = hash_path(account, container or None, raw_digest=True, prefix=prefix)
    path = '/' + account + ('/' + container if container else '')
    want = md5(prefix + path.encode('utf-8')).digest()
    assert digest == want
    part = struct.unpack_from('>I', digest)[0] >> (32 - part_power)
    assert 0 <= part < 2 ** part_power


def test_load_hash_settings_reads_objstore_conf(tmp_path):
    (tmp_path / 'objstore.conf').write_text(
        '[objstore-hash]\nswift_hash_path_prefix = pre\nswift_hash_path_suffix = suf\n')
    assert load_hash_settings(str(tmp_path)) == (b'pre', b'suf')


def test_load_hash_settings_missing_file_means_no_salt(tmp_path):
    assert load_hash_settings(str(tmp_path)) == (b'', b'')


def test_parse_add_value_with_replication_address_and_meta():
    dev = parse_add_value('r2z3-10.0.0.1:6200R10.0.1.1:6300/sdb1_some meta')
    assert dev == {'region': 2, 'zone': 3, 'ip': '10.0.0.1', 'port': 6200,
                   'replication_ip': '10.0.1.1', 'replication_port': 6300,
                   'device': 'sdb1', 'meta': 'some meta'}


def test_parse_add_value_ipv6_and_defaults():
    dev = parse_add_value('r1z1-[::1]:6200/sdb1')
    assert dev['ip'] == '::1' and dev['replication_ip'] == '::1'
    assert dev['replication_port'] == 6200 and dev['meta'] == ''


@pytest.mark.parametrize('bad', ['r1z1-127.0.0.1/sdb1', 'r1-127.0.0.1:6200/sdb1',
                                 'rxz1-1.2.3.4:1/d', 'r1z1-1.2.3.4:port/d', ''])
def test_parse_add_value_rejects_malformed(bad):
    with pytest.raises(ValueError):
        parse_add_value(bad)


@pytest.mark.parametrize('text,want', [
    ('d3', {'id': 3}),
    ('r1z2', {'region': 1, 'zone': 2}),
    ('z1', {'zone': 1}),
    ('127.0.0.1', {'ip': '127.0.0.1'}),
    ('z1-127.0.0.1:6200/sdb1', {'zone': 1, 'ip': '127.0.0.1', 'port': 6200, 'device': 'sdb1'}),
    ('d1r1z1-1.2.3.4:5R6.7.8.9:10/sdb_m', {
        'id': 1, 'region': 1, 'zone': 1, 'ip': '1.2.3.4', 'port': 5,
        'replication_ip': '6.7.8.9', 'replication_port': 10, 'device': 'sdb', 'meta': 'm'}),
    ('/sdb1', {'device': 'sdb1'}),
    (':6200', {'port': 6200}),
])
def test_parse_search_value(text, want):
    assert parse_search_value(text) == want


def test_parse_search_value_rejects_garbage():
    with pytest.raises(ValueError):
        parse_search_value('!!')


def test_search_and_format_device():
    devs = [None, {'id': 1, 'region': 1, 'zone': 2, 'ip': '1.2.3.4', 'port': 6200,
                   'replication_ip': '1.2.3.4', 'replication_port': 6200,
                   'device': 'sdb', 'weight': 1.0, 'meta': 'fast disk'}]
    assert search_devs(devs, {'zone': 2, 'meta': 'fast'}) == [devs[1]]
    assert search_devs(devs, {'zone': 3}) == []
    assert format_device(devs[1]) == 'd1r1z2-1.2.3.4:6200R1.2.3.4:6200/sdb_"fast disk"'
