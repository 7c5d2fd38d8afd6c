"""A host cut off the network, then back; a proxy that dies.

The cut is a real one: the host's link goes down, so its servers stop
answering mid-connection (connect timeouts, not refusals), while they keep
running with their data, as a host behind a failed switch port does.
"""

import signal

import multihost
import multihost_helpers as mh

CUT = 4  # a storage-only host in region 2


def test_writes_go_to_handoffs_and_reads_to_other_replicas_while_a_host_is_cut_off(
        cluster, conn, container):
    before = mh.name_with_replica_on(CUT, container, "before")
    conn.put_object(container, before, b"written before the cut")
    during = mh.name_with_replica_on(CUT, container, "during")
    host = multihost.Host(CUT)
    multihost.cut(host)
    try:
        assert conn.get_object(container, before)[1] == b"written before the cut"
        conn.put_object(container, during, b"written during the cut")
        assert conn.get_object(container, during)[1] == b"written during the cut"
        part, nodes = mh.primaries(container, during)
        copies = mh.data_files(container, during)
        assert len(copies) == 3, copies
        assert CUT not in {h for h, _d, _p in copies}
        # the copy meant for the cut host went to a handoff elsewhere
        primary_devs = {(mh.host_of(n), n["device"]) for n in nodes}
        assert len([c for c in copies if (c[0], c[1]) not in primary_devs]) == 1
    finally:
        multihost.restore(host)

    # back on the network: one pass of the updaters and replicators and every
    # replica holds what was written while it was away, in the right place
    # (the account saw no change while the host was away)
    mh.converge(kinds=("object", "container"))
    assert mh.placed_as_ring_says(container, during), mh.data_files(container, during)
    assert mh.placed_as_ring_says(container, before), mh.data_files(container, before)
    listings = mh.container_listing_on_each_replica(container)
    assert all(names == {before, during} for names in listings.values()), listings


def test_the_other_proxy_serves_the_same_data_when_one_proxy_dies(cluster, conn, container):
    conn.put_object(container, "survivor", b"one cluster, two doors")
    url, token = conn.get_auth()  # a token proxy 1 issued
    one = multihost.Host(1)
    other = mh.connection(3)
    multihost.stop_process(one, "proxy", signal.SIGKILL)
    try:
        assert not multihost.answers(one.proxy_url + "/healthcheck", timeout=1)
        assert other.get_object(container, "survivor")[1] == b"one cluster, two doors"
        # the token the dead proxy issued still works: both share memcached
        token_conn = mh.connection(3)
        token_conn.url = url.replace(one.ip, multihost.Host(3).ip)
        token_conn.token = token
        names = [o["name"] for o in token_conn.get_container(container)[1]]
        assert names == ["survivor"]
        other.put_object(container, "while-one-is-down", b"x")
    finally:
        multihost.start_servers(one, daemons=False)
        multihost.wait_healthy(one)
    assert conn.get_object(container, "while-one-is-down")[1] == b"x"
