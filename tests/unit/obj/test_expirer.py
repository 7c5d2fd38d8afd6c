"""The object expirer against real object and container servers: the
object server queues X-Delete-At, the expirer deletes and dequeues."""

import json
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_cluster import ObjCluster  # noqa: E402

from objstore.common.daemon import load_daemon_conf  # noqa: E402
from objstore.common.timestamp import Timestamp  # noqa: E402
from objstore.obj import expirer as expirer_mod  # noqa: E402
from objstore.obj import updates  # noqa: E402
from objstore.obj.expirer import ObjectExpirer  # noqa: E402
from objstore.obj.updater import ObjectUpdater  # noqa: E402

ACCOUNT = "AUTH_exp"
_counter = [0]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = ObjCluster(str(tmp_path_factory.mktemp("expcluster")), kinds=("container", "object"))
    try:
        yield c
    finally:
        c.stop()


def unique_container(cluster):
    _counter[0] += 1
    name = "c-%d-%d" % (os.getpid(), _counter[0])
    part, nodes, _ = cluster.placement("container", ACCOUNT, name)
    for srv in nodes:
        status, _, _ = srv.request("PUT", "/%s/%d/%s/%s" % (srv.device, part, ACCOUNT, name),
                                   {"X-Timestamp": Timestamp.now().internal})
        assert status == 201  # a new name
    return name


def write_headers(cluster, container, delete_at=None):
    """Per object replica, the headers the proxy would send."""
    cpart, cnodes, _ = cluster.placement("container", ACCOUNT, container)
    out = []
    for i in range(3):
        h = {"X-Container-Host": "127.0.0.1:%d" % cnodes[i].port,
             "X-Container-Partition": str(cpart), "X-Container-Device": cnodes[i].device}
        if delete_at is not None:
            queue = updates.expirer_container(delete_at)
            qpart, qnodes, _ = cluster.placement("container", updates.EXPIRING_OBJECTS_ACCOUNT,
                                                 queue)
            h.update({"X-Delete-At": str(delete_at), "X-Delete-At-Container": queue,
                      "X-Delete-At-Host": "127.0.0.1:%d" % qnodes[i].port,
                      "X-Delete-At-Partition": str(qpart),
                      "X-Delete-At-Device": qnodes[i].device})
        out.append(h)
    return out


def put_object(cluster, container, name, body=b"data", delete_at=None, ts=None):
    part, primaries, _ = cluster.placement("object", ACCOUNT, container, name)
    ts = ts or Timestamp.now()
    for srv, headers in zip(primaries, write_headers(cluster, container, delete_at)):
        assert cluster.put(srv, part, "/%s/%s/%s" % (ACCOUNT, container, name), body,
                           headers, ts=ts) == 201
    return part, primaries


def listing(cluster, account, container):
    part, nodes, _ = cluster.placement("container", account, container)
    out = []
    for srv in nodes:
        status, _, body = srv.request(
            "GET", "/%s/%d/%s/%s?format=json" % (srv.device, part, account, container))
        out.append(sorted(o["name"] for o in json.loads(body)) if status == 200 else [])
    return out


def queue_rows(cluster, delete_at):
    rows = listing(cluster, updates.EXPIRING_OBJECTS_ACCOUNT,
                   updates.expirer_container(delete_at))
    return sorted(set(sum(rows, [])))


def expirer(cluster, node=1, **overrides):
    conf = load_daemon_conf(cluster.conf_path("object", node), ObjectExpirer.name)
    conf.update({k: str(v) for k, v in overrides.items()})
    return ObjectExpirer(conf)


def already_due():
    """A write timestamp 30 s ago and an X-Delete-At 10 s ago, after it (the
    object server judges X-Delete-At against the write's timestamp): an
    object already due, with no wait and no clock edge to race."""
    ts = Timestamp(time.time() - 30)
    return ts, int(float(ts)) + 20


def test_put_with_delete_at_queues_a_row_for_the_expirer(cluster):
    container = unique_container(cluster)
    delete_at = int(time.time()) + 3600
    put_object(cluster, container, "later", delete_at=delete_at)
    assert "%d-%s/%s/later" % (delete_at, ACCOUNT, container) in queue_rows(cluster, delete_at)


def test_due_object_is_deleted_from_disk_listing_and_queue(cluster):
    container = unique_container(cluster)
    ts, delete_at = already_due()
    part, primaries = put_object(cluster, container, "soon", delete_at=delete_at, ts=ts)
    assert listing(cluster, ACCOUNT, container) == [["soon"]] * 3
    # hidden from GET at once, before the expirer ran
    assert cluster.get(primaries[0], part, "/%s/%s/soon" % (ACCOUNT, container))[0] == 404
    stats = expirer(cluster).run_once()
    assert stats["objects"] >= 1
    assert listing(cluster, ACCOUNT, container) == [[], [], []]
    for srv in primaries:
        files = cluster.hash_dir_files(srv, part, "/%s/%s/soon" % (ACCOUNT, container))
        assert len(files) == 1 and files[0].endswith(".ts"), files
    entry = "%d-%s/%s/soon" % (delete_at, ACCOUNT, container)
    assert entry not in queue_rows(cluster, delete_at)


def test_rows_not_yet_due_are_left_alone(cluster):
    container = unique_container(cluster)
    now = int(time.time())
    # Due later, but queued in a container the expirer scans now (a row for
    # tomorrow's queue container is not even looked at).
    divisor = updates.EXPIRING_OBJECTS_DIVISOR
    delete_at = max(now + 60, min(now + 3600, (now // divisor + 1) * divisor - 1))
    if updates.expirer_container(delete_at) != updates.expirer_container(now):
        pytest.skip("too close to a queue-container boundary to queue a not-yet-due row")
    part, primaries = put_object(cluster, container, "notyet", delete_at=delete_at)
    stats = expirer(cluster).run_once()
    assert stats["not_due"] >= 1
    assert cluster.get(primaries[0], part, "/%s/%s/notyet" % (ACCOUNT, container)) == \
        (200, b"data")


def test_object_overwritten_without_delete_at_survives_and_its_row_goes(cluster):
    container = unique_container(cluster)
    ts, delete_at = already_due()
    part, primaries = put_object(cluster, container, "kept", b"v1", delete_at=delete_at, ts=ts)
    put_object(cluster, container, "kept", b"v2")
    expirer(cluster).run_once()
    for srv in primaries:
        assert cluster.get(srv, part, "/%s/%s/kept" % (ACCOUNT, container)) == (200, b"v2")
    assert listing(cluster, ACCOUNT, container) == [["kept"]] * 3
    entry = "%d-%s/%s/kept" % (delete_at, ACCOUNT, container)
    assert entry not in queue_rows(cluster, delete_at)


def test_overwrite_leaves_an_async_pending_that_removes_the_old_row(cluster):
    container = unique_container(cluster)
    delete_at = int(time.time()) + 7200
    _part, primaries = put_object(cluster, container, "moved", delete_at=delete_at)
    put_object(cluster, container, "moved", b"v2")
    entry = "%d-%s/%s/moved" % (delete_at, ACCOUNT, container)
    assert entry in queue_rows(cluster, delete_at)
    for srv in primaries:
        ObjectUpdater(load_daemon_conf(srv.conf, ObjectUpdater.name)).run_once()
    assert entry not in queue_rows(cluster, delete_at)


def test_primary_down_keeps_the_row_for_the_next_pass(cluster):
    container = unique_container(cluster)
    ts, delete_at = already_due()
    part, primaries = put_object(cluster, container, "retry", delete_at=delete_at, ts=ts)
    primaries[2].stop()
    try:
        stats = expirer(cluster, node_timeout=2).run_once()
        assert stats["errors"] >= 1
        entry = "%d-%s/%s/retry" % (delete_at, ACCOUNT, container)
        assert entry in queue_rows(cluster, delete_at)
    finally:
        primaries[2].start()
        from dbcluster import wait_port
        wait_port(primaries[2].port, primaries[2].proc, "object server")
    expirer(cluster).run_once()
    assert entry not in queue_rows(cluster, delete_at)
    files = cluster.hash_dir_files(primaries[2], part, "/%s/%s/retry" % (ACCOUNT, container))
    assert files[-1].endswith(".ts")


def test_processes_split_the_queue_between_expirers(cluster):
    names = ["%d-a/c/o%d" % (1, i) for i in range(50)]
    shares = [sum(1 for n in names if expirer(cluster, processes=3, process=p).mine(n))
              for p in range(3)]
    assert sum(shares) == 50 and all(shares)
    with pytest.raises(ValueError):
        expirer(cluster, processes=2, process=2)


def test_queue_entry_names_round_trip_and_malformed_ones_are_refused():
    name = updates.expirer_entry(1700000000, "AUTH_a", "c", "dir/obj-1")
    assert updates.parse_expirer_entry(name) == (1700000000, "AUTH_a", "c", "dir/obj-1")
    for bad in ("nodash", "x-a/c/o", "123-a/c", "123-/c/o"):
        with pytest.raises(ValueError):
            updates.parse_expirer_entry(bad)
    assert updates.policy_from_content_type(updates.expirer_content_type(2)) == 2
    assert updates.policy_from_content_type("text/plain") == 0


def test_console_script_once_exits_zero(cluster):
    assert expirer_mod.main([cluster.conf_path("object", 2), "--once"]) == 0
