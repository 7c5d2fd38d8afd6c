"""Doubling the partitions of a live cluster with no data loss.

The operator's steps, as docs/deploy.md gives them: prepare (ring carries
the next power, pushed), relink on every object node, increase (ring
pushed), cleanup on every object node, finish. Clients keep reading and
writing throughout; the proxies are restarted after each push so they
serve the pushed ring at once (a running proxy notices it within 15 s).
"""

import os

import swiftclient

import multihost
import multihost_helpers as mh


def _step(command):
    out = multihost.ring_builder("object", command)
    assert out.returncode == 0, out.stdout
    multihost.push_rings()
    multihost.restart_proxies()


def _relinker(step):
    for h in multihost.hosts_up():
        out = multihost.host_exec(h, [os.path.join(multihost.VENV_BIN, "objstore-relinker"),
                                      step, h.conf("object")])
        assert out.returncode == 0, out.stdout
        assert "%s d1 policy gold" % step in out.stdout, out.stdout


def _partitions_holding(container, name):
    return {p for _h, _d, p in mh.data_files(container, name)}


def _old_and_next(container, name, power):
    """The partitions an object has under ``power`` and ``power + 1``: one
    set of two, except for an object in partition 0 whose next bit is 0
    (its next partition is 0 as well)."""
    from ring import load_hash_settings
    from ring.utils import hash_path

    prefix, suffix = load_hash_settings(multihost.COMMON_ETC)
    top = int(hash_path(mh.ACCOUNT, container, name, prefix=prefix, suffix=suffix)[:8], 16)
    return {str(top >> (32 - power)), str(top >> (32 - power - 1))}


def test_partition_power_doubles_under_live_traffic_and_every_object_stays(
        cluster, conn, container):
    power = mh.ring().part_power
    names = ["pp-%02d" % i for i in range(24)]
    for name in names:
        conn.put_object(container, name, name.encode())
    conn.post_object(container, names[0], {"X-Object-Meta-Color": "blue"})
    conn.delete_object(container, names[1])
    kept = [n for n in names if n != names[1]]

    _step("prepare_increase_partition_power")
    assert mh.ring().next_part_power == power + 1
    # a write now is linked by the object servers into its next partition too
    conn.put_object(container, "during-relink", b"linked on write")
    old_part, _ = mh.primaries(container, "during-relink")
    assert _partitions_holding(container, "during-relink") == \
        _old_and_next(container, "during-relink", power)
    assert str(old_part) in _partitions_holding(container, "during-relink")

    _relinker("relink")
    for name in kept:
        assert _partitions_holding(container, name) == _old_and_next(container, name, power), \
            name

    _step("increase_partition_power")
    assert mh.ring().part_power == power + 1
    for name in kept:
        assert conn.get_object(container, name)[1] == name.encode()
    conn.put_object(container, "after-increase", b"new partitions only")

    _relinker("cleanup")
    _step("finish_increase_partition_power")
    assert mh.ring().next_part_power is None
    multihost.run_once("object-replicator")

    for name in kept + ["during-relink", "after-increase"]:
        assert mh.placed_as_ring_says(container, name), (name, mh.data_files(container, name))
        assert conn.get_object(container, name)[1]
    assert conn.head_object(container, names[0])["x-object-meta-color"] == "blue"
    try:
        conn.get_object(container, names[1])
        raise AssertionError("the deleted object came back")
    except swiftclient.ClientException as err:
        assert err.http_status == 404
    listed = {o["name"] for o in conn.get_container(container, full_listing=True)[1]}
    assert listed == set(kept) | {"during-relink", "after-increase"}
