"""The object updater against real object and container servers."""

import json
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_cluster import ObjCluster  # noqa: E402

from objstore.common.daemon import load_daemon_conf  # noqa: E402
from objstore.common.timestamp import Timestamp  # noqa: E402
from objstore.obj import updater as updater_mod  # noqa: E402
from objstore.obj.updater import ObjectUpdater  # noqa: E402

_counter = [0]
DEAD_HOST = "127.0.0.1:1"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = ObjCluster(str(tmp_path_factory.mktemp("updcluster")), kinds=("container", "object"))
    try:
        yield c
    finally:
        c.stop()


def unique_container(cluster):
    _counter[0] += 1
    name = "c-%d-%d" % (os.getpid(), _counter[0])
    part, nodes, _ = cluster.placement("container", "AUTH_upd", name)
    for srv in nodes:
        status, _, _ = srv.request("PUT", "/%s/%d/AUTH_upd/%s" % (srv.device, part, name),
                                   {"X-Timestamp": Timestamp.now().internal})
        assert status == 201  # a new name
    return name


def listing(cluster, container):
    """Names in each container replica's listing."""
    part, nodes, _ = cluster.placement("container", "AUTH_upd", container)
    out = []
    for srv in nodes:
        status, _, body = srv.request(
            "GET", "/%s/%d/AUTH_upd/%s?format=json" % (srv.device, part, container))
        assert status == 200
        out.append(sorted(o["name"] for o in json.loads(body)))
    return out


def put_with_dead_container_servers(cluster, container, name, body=b"data", ts=None):
    """PUT to every object primary while the container update cannot get
    through: each leaves an async pending."""
    cpart, cnodes, _ = cluster.placement("container", "AUTH_upd", container)
    part, primaries, _ = cluster.placement("object", "AUTH_upd", container, name)
    headers = {"X-Container-Host": DEAD_HOST, "X-Container-Partition": str(cpart),
               "X-Container-Device": cnodes[0].device}
    ts = ts or Timestamp.now()
    for srv in primaries:
        assert cluster.put(srv, part, "/AUTH_upd/%s/%s" % (container, name), body, headers,
                           ts=ts) == 201
    return primaries


def pendings(srv, obj=None):
    """Async pending files on a node (for one object name, if given)."""
    root = os.path.join(srv.devices, srv.device, "async_pending")
    found = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            try:
                with open(path) as fp:
                    record = json.load(fp)
            except ValueError:
                record = {}
            if obj is None or record.get("obj") == obj:
                found.append(path)
    return found


def updater(srv, **overrides):
    conf = load_daemon_conf(srv.conf, ObjectUpdater.name)
    conf.update({k: str(v) for k, v in overrides.items()})
    return ObjectUpdater(conf)


def test_failed_update_is_delivered_by_the_updater_and_the_pending_removed(cluster):
    container = unique_container(cluster)
    primaries = put_with_dead_container_servers(cluster, container, "obj")
    assert listing(cluster, container) == [[], [], []]
    assert len(pendings(primaries[0], "obj")) == 1
    stats = updater(primaries[0]).run_once()
    assert listing(cluster, container) == [["obj"], ["obj"], ["obj"]]
    assert pendings(primaries[0], "obj") == []
    assert stats["successes"] >= 3 and stats["unlinked"] >= 1


def test_pending_delete_removes_the_listing_row(cluster):
    container = unique_container(cluster)
    primaries = put_with_dead_container_servers(cluster, container, "gone")
    updater(primaries[0]).run_once()
    cpart, cnodes, _ = cluster.placement("container", "AUTH_upd", container)
    part, _, _ = cluster.placement("object", "AUTH_upd", container, "gone")
    headers = {"X-Container-Host": DEAD_HOST, "X-Container-Partition": str(cpart),
               "X-Container-Device": cnodes[0].device}
    assert cluster.delete(primaries[1], part, "/AUTH_upd/%s/gone" % container,
                          headers=headers) == 204
    updater(primaries[1]).run_once()
    assert listing(cluster, container) == [[], [], []]


def test_only_the_newest_pending_of_an_object_is_sent(cluster):
    container = unique_container(cluster)
    older = Timestamp(time.time() - 5)
    primaries = put_with_dead_container_servers(cluster, container, "twice", b"one", older)
    put_with_dead_container_servers(cluster, container, "twice", b"three")
    assert len(pendings(primaries[0], "twice")) == 2
    stats = updater(primaries[0]).run_once()
    assert stats["obsolete"] == 1 and pendings(primaries[0], "twice") == []
    part, nodes, _ = cluster.placement("container", "AUTH_upd", container)
    status, _, body = nodes[0].request(
        "GET", "/%s/%d/AUTH_upd/%s?format=json" % (nodes[0].device, part, container))
    assert [o["bytes"] for o in json.loads(body)] == [5]


def test_unreachable_replicas_keep_the_pending_and_record_who_acknowledged(cluster):
    container = unique_container(cluster)
    primaries = put_with_dead_container_servers(cluster, container, "partial")
    cpart, cnodes, _ = cluster.placement("container", "AUTH_upd", container)
    cnodes[2].stop()
    try:
        stats = updater(primaries[0], conn_timeout=1, node_timeout=2).run_once()
        assert stats["failures"] >= 1
        [path] = pendings(primaries[0], "partial")
        with open(path) as fp:
            record = json.load(fp)
        assert len(record["successes"]) == 2 and record["attempts"] == 1
        assert record["next_attempt"] > time.time()
        # a forever-mode pass waits for the backoff
        waiting = updater(primaries[0])
        waiting.honor_backoff = True
        assert waiting.run_pass()["deferred"] >= 1
    finally:
        cnodes[2].start()
        from dbcluster import wait_port
        wait_port(cnodes[2].port, cnodes[2].proc, "container server")
    updater(primaries[0]).run_once()
    assert pendings(primaries[0], "partial") == []
    assert listing(cluster, container) == [["partial"]] * 3


def test_unreadable_pending_is_removed_and_counted(cluster):
    container = unique_container(cluster)
    primaries = put_with_dead_container_servers(cluster, container, "garbled")
    [path] = pendings(primaries[0], "garbled")
    with open(path, "wb") as fp:
        fp.write(b"{not json")
    stats = updater(primaries[0]).run_once()
    assert stats["errors"] == 1
    assert not os.path.exists(path)


def test_console_script_once_exits_zero(cluster):
    srv = cluster.servers[("object", 3)]
    assert updater_mod.main([srv.conf, "--once"]) == 0


def test_a_pending_for_a_deleted_container_is_dropped_not_retried_forever(cluster):
    container = unique_container(cluster)
    primaries = put_with_dead_container_servers(cluster, container, "orphan")
    part, nodes, _ = cluster.placement("container", "AUTH_upd", container)
    for srv in nodes:  # the (empty) container goes before the update lands
        status, _h, _b = srv.request("DELETE", "/%s/%d/AUTH_upd/%s" % (srv.device, part,
                                                                       container),
                                     {"X-Timestamp": Timestamp.now().internal})
        assert status == 204
    assert len(pendings(primaries[0], "orphan")) == 1
    stats = updater(primaries[0]).run_once()
    assert stats["no_container"] == 3 and stats["failures"] == 0
    assert pendings(primaries[0], "orphan") == []  # as Swift: 404 ends it
    for srv in nodes:  # and it did not bring the container back
        status, _h, _b = srv.request("HEAD", "/%s/%d/AUTH_upd/%s" % (srv.device, part,
                                                                     container))
        assert status == 404


def test_a_pending_is_kept_while_one_replica_has_the_container_and_cannot_be_reached(cluster):
    container = unique_container(cluster)
    _part, first, _ = cluster.placement("object", "AUTH_upd", container, "mixed")
    updater(first[0]).run_once()  # earlier tests' pendings there would count in the stats below
    assert pendings(first[0]) == []
    primaries = put_with_dead_container_servers(cluster, container, "mixed")
    part, nodes, _ = cluster.placement("container", "AUTH_upd", container)
    status, _h, _b = nodes[0].request("DELETE", "/%s/%d/AUTH_upd/%s" % (
        nodes[0].device, part, container), {"X-Timestamp": Timestamp.now().internal})
    assert status == 204
    nodes[2].stop()
    try:
        stats = updater(primaries[0], conn_timeout=1, node_timeout=2).run_once()
        assert (stats["no_container"], stats["successes"], stats["failures"]) == (1, 1, 1)
        [path] = pendings(primaries[0], "mixed")
        with open(path) as fp:
            assert len(json.load(fp)["successes"]) == 2  # the 404 replica is done with
    finally:
        nodes[2].start()
        from dbcluster import wait_port
        wait_port(nodes[2].port, nodes[2].proc, "container server")
    updater(primaries[0]).run_once()
    assert pendings(primaries[0], "mixed") == []
