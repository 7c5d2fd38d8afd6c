"""read_affinity / write_affinity keep a proxy's traffic in its region.

A second proxy on host 1 (region 1) runs with affinity settings; the
storage servers' access logs say which hosts a request reached.
"""

import os

import pytest

import multihost
import multihost_helpers as mh

PORT = 8081
REGION1 = {1, 2}
REGION2 = {3, 4}


@pytest.fixture
def affinity_proxy(cluster):
    host = multihost.Host(1)
    conf = multihost.proxy_conf(host, "proxy-affinity.conf", PORT, (
        "sorting_method = affinity\nread_affinity = r1=100\nwrite_affinity = r1\n"
        "write_affinity_node_count = 2 * replicas\n"))
    multihost.spawn(host, "proxy-affinity", [os.path.join(multihost.VENV_BIN,
                                                          "objstore-proxy-server"), conf])
    try:
        mh.wait_for(lambda: multihost.answers("http://%s:%d/healthcheck" % (host.ip, PORT)),
                    "the affinity proxy")
        yield mh.connection(1, PORT)
    finally:
        multihost.stop_process(host, "proxy-affinity")


def _hosts_reached(name, verb):
    needle = '"%s /' % verb
    return {n for n in multihost.LAYOUT for line in mh.request_lines(n, "object", name)
            if needle in line and "/%s\"" % name in line}


def test_write_affinity_puts_every_copy_in_the_local_region_until_replication(
        affinity_proxy, conn, container):
    # an object two of whose primaries are in region 2
    name = next(n for n in ("aff-%d" % i for i in range(1000))
                if sum(mh.host_of(x) in REGION2 for x in mh.primaries(container, n)[1]) == 2)
    affinity_proxy.put_object(container, name, b"kept local")
    assert {h for h, _d, _p in mh.data_files(container, name)} <= REGION1
    assert len(mh.data_files(container, name)) == 3
    assert _hosts_reached(name, "PUT") <= REGION1
    # the replicators then move the handoff copies to the remote primaries
    mh.converge(kinds=("object",))
    assert mh.placed_as_ring_says(container, name), mh.data_files(container, name)

    # without affinity (the cluster's own proxy) the same kind of object
    # goes straight to region 2
    plain = name + "-plain"
    while sum(mh.host_of(x) in REGION2 for x in mh.primaries(container, plain)[1]) != 2:
        plain += "x"
    conn.put_object(container, plain, b"straight to the primaries")
    assert _hosts_reached(plain, "PUT") & REGION2


def test_a_delete_before_replication_reaches_the_local_handoffs(affinity_proxy, container):
    # written locally: one region-1 primary and two region-1 handoffs hold it
    name = next(n for n in ("del-%d" % i for i in range(1000))
                if sum(mh.host_of(x) in REGION2 for x in mh.primaries(container, n)[1]) == 2)
    affinity_proxy.put_object(container, name, b"soon gone")
    holders = {h for h, _d, _p in mh.data_files(container, name)}
    assert len(mh.data_files(container, name)) == 3 and holders <= REGION1
    # the region-2 primaries answer 404; the two local handoffs (auto:
    # replicas minus local primaries) make the quorum of 204s
    affinity_proxy.delete_object(container, name)
    assert mh.data_files(container, name) == []
    assert holders <= _hosts_reached(name, "DELETE")


def test_read_affinity_reads_from_the_local_region_while_a_local_replica_is_up(
        affinity_proxy, conn, container):
    # objects whose first primary (in ring order) is in region 2 and that
    # have a replica in region 1: which region answers is the proxy's choice
    names = []
    for i in range(200):
        name = "read-%d" % i
        hosts = [mh.host_of(x) for x in mh.primaries(container, name)[1]]
        if hosts[0] in REGION2 and set(hosts) & REGION1:
            conn.put_object(container, name, b"r")
            names.append(name)
        if len(names) == 4:
            break
    for name in names:
        assert affinity_proxy.get_object(container, name)[1] == b"r"
        assert _hosts_reached(name, "GET") <= REGION1, name
    # the plain proxy (sorting_method = shuffle) spreads its GETs over the
    # replicas: repeated, they reach region 2 too ((2/3)**30 odds otherwise)
    for name in names:
        for _ in range(30):
            conn.get_object(container, name)
            if _hosts_reached(name, "GET") & REGION2:
                break
        assert _hosts_reached(name, "GET") & REGION2, name
