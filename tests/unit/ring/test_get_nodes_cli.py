"""objstore-get-nodes prints what swift-get-nodes prints."""
from hashlib import md5

from objstore.cli.get_nodes import main
from ring import Ring, RingBuilder


def make(tmp_path, conf=None):
    b = RingBuilder(6, 3, 1)
    for z in range(1, 6):
        b.add_dev({'region': 1, 'zone': z, 'ip': '127.0.0.%d' % z, 'port': 6200 + z,
                   'device': 'sdb%d' % z, 'weight': 1})
    b.rebalance(seed=1)
    path = tmp_path / 'object.ring.gz'
    b.get_ring().save(str(path))
    if conf:
        (tmp_path / 'objstore.conf').write_text(conf)
    return str(path)


def test_get_nodes_for_an_object(tmp_path, capsys):
    path = make(tmp_path)
    assert main([path, 'AUTH_test', 'c', 'o']) == 0
    out = capsys.readouterr().out
    digest = md5(b'/AUTH_test/c/o').hexdigest()
    part, nodes = Ring(path).get_nodes('AUTH_test', 'c', 'o')
    assert 'Account  \tAUTH_test' in out and 'Object   \to' in out
    assert 'Partition\t%d' % part in out and 'Hash     \t%s' % digest in out
    for n in nodes:
        assert 'Server:Port Device\t%s:%d %s\n' % (n['ip'], n['port'], n['device']) in out
        assert 'curl -g -I -XHEAD "http://%s:%d/%s/%d/AUTH_test/c/o"' % (
            n['ip'], n['port'], n['device'], part) in out
        assert '/%s/objects/%d/%s/%s"' % (n['device'], part, digest[-3:], digest) in out
    assert out.count('[Handoff]') == 2 * 3  # two handoffs, three kinds of line


def test_get_nodes_uses_hash_suffix_from_objstore_conf(tmp_path, capsys):
    path = make(tmp_path, '[objstore-hash]\nswift_hash_path_suffix = salt\n')
    assert main([path, 'a', 'c']) == 0
    out = capsys.readouterr().out
    assert md5(b'/a/csalt').hexdigest() in out


def test_get_nodes_by_partition_and_errors(tmp_path, capsys):
    path = make(tmp_path)
    assert main([path, '-p', '5']) == 0
    assert 'Partition\t5' in capsys.readouterr().out
    assert main([path, '-p', '999']) == 2
    assert main([str(tmp_path / 'nope.ring.gz'), 'a']) == 2
    assert main([path]) == 2
