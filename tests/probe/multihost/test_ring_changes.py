"""Growing and shrinking a live cluster: a host joins, a device drains."""

import json

import multihost
import multihost_helpers as mh
from swift_cleanup import delete_container

NEW_HOST = 5


def _fill(conn, container, count, tag):
    names = ["%s-%03d" % (tag, i) for i in range(count)]
    for name in names:
        conn.put_object(container, name, name.encode() * 10)
    return names


def _all_readable(conn, container, names):
    for name in names:
        assert conn.get_object(container, name)[1] == name.encode() * 10, name


def test_a_new_host_takes_its_share_and_nothing_is_lost(cluster, conn, container):
    names = _fill(conn, container, 16, "grow")
    populated = mh.dispersion("populate")
    assert populated.returncode == 0, populated.stdout
    try:
        host = multihost.add_host(NEW_HOST)
        assert multihost.answers("http://%s:6200/healthcheck" % host.ip)
        ring = mh.ring()
        assert {mh.host_of(d) for d in ring.devs if d} == {1, 2, 3, 4, NEW_HOST}
        # right after the rebalance the data is still where the old ring put it
        moved = [n for n in names if not mh.placed_as_ring_says(container, n)]
        assert moved, "the rebalance moved none of the objects"
        _all_readable(conn, container, names)
        mh.converge()
        for name in names:
            assert mh.placed_as_ring_says(container, name), (name, mh.data_files(container,
                                                                                 name))
        assert any(h == NEW_HOST for n in names for h, _d, _p in mh.data_files(container, n))
        _all_readable(conn, container, names)
        report = mh.dispersion("report", "--json")
        assert report.returncode == 0, report.stdout
        stats = json.loads(report.stdout.strip().splitlines()[-1])
        assert stats["object"]["pct_found"] == 100.0, stats
        assert stats["container"]["pct_found"] == 100.0, stats
    finally:
        for name in [c["name"] for c in conn.get_account(full_listing=True)[1]
                     if c["name"].startswith("dispersion_")]:
            delete_container(conn, name)


def test_a_drained_device_empties_and_leaves_the_ring_with_nothing_lost(
        cluster, conn, container):
    names = _fill(conn, container, 12, "drain")
    host = multihost.Host(2)
    search = "%s/d2" % host.ip
    on_d2 = next("drain-d2-%d" % i for i in range(1000) if (2, "d2") in {
        (mh.host_of(n), n["device"]) for n in mh.primaries(container, "drain-d2-%d" % i)[1]})
    conn.put_object(container, on_d2, on_d2.encode() * 10)
    names.append(on_d2)
    assert (2, "d2") in {(h, d) for h, d, _p in mh.data_files(container, on_d2)}
    multihost.ring_builder("object", "set_weight", search, "0")
    multihost.rebalance(["object"])
    mh.converge(kinds=("object",))
    left = [n for n in names if (2, "d2") in {(h, d) for h, d, _p in mh.data_files(container, n)}]
    assert not left, left
    _all_readable(conn, container, names)
    multihost.ring_builder("object", "remove", search)
    multihost.rebalance(["object"])
    assert not [d for d in mh.ring().devs if d and d["ip"] == host.ip and d["device"] == "d2"]
    # the removal's rebalance may move other partitions too: replication places them
    mh.converge(kinds=("object",))
    for name in names:
        assert mh.placed_as_ring_says(container, name)
    _all_readable(conn, container, names)
