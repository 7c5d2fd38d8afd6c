"""The object replicator against real object servers and a real rsync daemon."""

import os
import shutil
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_cluster import ObjCluster  # noqa: E402

from objstore.common import daemon as daemon_mod  # noqa: E402
from objstore.common.daemon import load_daemon_conf, read_recon_cache  # noqa: E402
from objstore.common.timestamp import Timestamp  # noqa: E402
from objstore.obj import replicator as replicator_mod  # noqa: E402
from objstore.obj.replicator import ObjectReplicator  # noqa: E402

_counter = [0]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = ObjCluster(str(tmp_path_factory.mktemp("objcluster")), kinds=("object",))
    try:
        yield c
    finally:
        c.stop()


def unique_path():
    _counter[0] += 1
    return "/AUTH_rep/c/o-%d-%d" % (os.getpid(), _counter[0])


def replicator(srv, **overrides):
    conf = load_daemon_conf(srv.conf, ObjectReplicator.name)
    conf.update({k: str(v) for k, v in overrides.items()})
    return ObjectReplicator(conf)


def placement(cluster, path):
    _e, a, c, o = path.split("/", 3)
    return cluster.placement("object", a, c, o)


def test_object_missing_on_one_primary_is_pushed_there(cluster):
    path = unique_path()
    part, primaries, _handoffs = placement(cluster, path)
    for srv in primaries[:2]:
        assert cluster.put(srv, part, path, b"hello world") == 201
    assert not cluster.has_object(primaries[2], part, path)
    stats = replicator(primaries[0]).run_once()
    assert cluster.has_object(primaries[2], part, path)
    assert cluster.get(primaries[2], part, path) == (200, b"hello world")
    assert stats["suffixes_synced"] >= 1 and stats["files_pushed"] >= 1


def test_pushed_object_keeps_its_metadata_in_xattrs(cluster):
    path = unique_path()
    part, primaries, _ = placement(cluster, path)
    assert cluster.put(primaries[0], part, path, b"x" * 100,
                       {"X-Object-Meta-Color": "blue", "Content-Type": "text/x-test"}) == 201
    replicator(primaries[0]).run_once()
    status, headers, _ = primaries[1].request("HEAD", "/%s/%d%s" % (primaries[1].device, part,
                                                                       path))
    assert status == 200
    assert headers["x-object-meta-color"] == "blue"
    assert headers["content-type"] == "text/x-test"


def test_a_second_pass_finds_everything_in_sync_and_pushes_nothing(cluster):
    path = unique_path()
    part, primaries, _ = placement(cluster, path)
    assert cluster.put(primaries[0], part, path, b"abc") == 201
    nodes = [s for s in cluster.servers.values() if s.kind == "object"]
    for srv in nodes + nodes:  # every node pushes what it has, twice
        replicator(srv).run_once()
    for srv in nodes:
        again = replicator(srv).run_once()
        assert again["suffixes_synced"] == 0 and again["rsync_calls"] == 0, srv.node
        assert again["failure"] == 0


def test_tombstone_replaces_older_data_on_peers(cluster):
    path = unique_path()
    part, primaries, _ = placement(cluster, path)
    t1 = Timestamp(time.time() - 10)
    for srv in primaries:
        assert cluster.put(srv, part, path, b"old", ts=t1) == 201
    assert cluster.delete(primaries[0], part, path) == 204
    replicator(primaries[0]).run_once()
    for srv in primaries[1:]:
        files = cluster.hash_dir_files(srv, part, path)
        assert len(files) == 1 and files[0].endswith(".ts"), files
        assert cluster.get(srv, part, path)[0] == 404


def test_wiped_objects_tree_is_refilled_by_a_peer(cluster):
    paths = [unique_path() for _ in range(5)]
    victim = None
    for path in paths:
        part, primaries, _ = placement(cluster, path)
        for srv in primaries:
            assert cluster.put(srv, part, path, path.encode()) == 201
    # wipe the objects/ tree of the first object's first primary
    part0, primaries0, _ = placement(cluster, paths[0])
    victim = primaries0[0]
    shutil.rmtree(os.path.join(victim.devices, victim.device, "objects"))
    for srv in primaries0[1:]:
        replicator(srv).run_once()
    for path in paths:
        part, primaries, _ = placement(cluster, path)
        if victim in primaries:
            assert cluster.get(victim, part, path) == (200, path.encode())


def test_handoff_partition_moves_home_and_is_removed_locally(cluster):
    path = unique_path()
    part, primaries, handoffs = placement(cluster, path)
    handoff = handoffs[0]
    assert cluster.put(handoff, part, path, b"misplaced") == 201
    stats = replicator(handoff).run_once()
    for srv in primaries:
        assert cluster.get(srv, part, path) == (200, b"misplaced")
    assert not cluster.has_object(handoff, part, path)
    assert not os.path.exists(os.path.join(handoff.devices, handoff.device, "objects",
                                           str(part)))
    assert stats["handoffs"] >= 1 and stats["partitions_removed"] >= 1


def test_handoff_is_kept_while_a_primary_is_down(cluster):
    path = unique_path()
    part, primaries, handoffs = placement(cluster, path)
    handoff = handoffs[0]
    assert cluster.put(handoff, part, path, b"keep me") == 201
    primaries[1].stop()
    try:
        stats = replicator(handoff, http_timeout=2).run_once()
        assert stats["failure"] >= 1
        assert cluster.has_object(handoff, part, path)
    finally:
        primaries[1].start()
        from dbcluster import wait_port
        wait_port(primaries[1].port, primaries[1].proc, "object server")
    replicator(handoff).run_once()
    assert not cluster.has_object(handoff, part, path)
    assert all(cluster.has_object(p, part, path) for p in primaries)


def test_old_tombstones_are_reclaimed(cluster):
    path = unique_path()
    part, primaries, _ = placement(cluster, path)
    old = Timestamp(time.time() - 1000)
    assert cluster.put(primaries[0], part, path, b"x", ts=Timestamp(time.time() - 2000)) == 201
    assert cluster.delete(primaries[0], part, path, ts=old) == 204
    assert cluster.hash_dir_files(primaries[0], part, path)
    replicator(primaries[0], reclaim_age=500).run_once()
    assert cluster.hash_dir_files(primaries[0], part, path) == []


def test_pass_writes_stats_to_the_recon_cache(cluster):
    srv = cluster.servers[("object", 1)]
    started = time.time()
    replicator(srv).run_once()
    recon = read_recon_cache(os.path.join(cluster.recon, "object.recon"))
    entry = recon["object-replicator"]
    assert 0 <= entry["pass_time"] <= time.time() - started
    assert started <= entry["last_pass"] <= time.time()
    assert "suffixes_synced" in entry["stats"]


def test_a_running_pass_records_its_progress_per_partition_in_the_recon_cache(
        cluster, monkeypatch):
    path = unique_path()
    part, primaries, _ = placement(cluster, path)
    assert cluster.put(primaries[0], part, path, b"progress") == 201
    monkeypatch.setattr(daemon_mod, "PROGRESS_INTERVAL", 0)
    recon_file = os.path.join(cluster.recon, "object.recon")
    seen = []
    rep = replicator(primaries[0], concurrency=1)  # one job after another
    record = rep.progress

    def progress_and_look(stats):
        record(stats)
        seen.append(read_recon_cache(recon_file)["object-replicator-progress"])

    rep.progress = progress_and_look
    stats = rep.run_once()
    assert seen and len(seen) == stats["partitions"]
    assert [s["stats"]["partitions"] for s in seen] == sorted(s["stats"]["partitions"]
                                                              for s in seen)
    assert seen[-1]["stats"]["partitions"] == stats["partitions"]
    assert read_recon_cache(recon_file)["object-replicator-progress"] is None


def test_unreachable_rsync_daemon_counts_a_failure_and_keeps_going(cluster):
    path = unique_path()
    part, primaries, _ = placement(cluster, path)
    assert cluster.put(primaries[0], part, path, b"x") == 201
    rep = replicator(primaries[0], rsync_port=1, conn_timeout=1)
    stats = rep.run_once()
    assert stats["failure"] >= 1
    assert stats["partitions"] >= 1


def test_rsync_destination_formats_swift_style_placeholders():
    rep = ObjectReplicator.__new__(ObjectReplicator)
    rep.rsync_module = "{replication_ip}::object_{device}_{port}_{replication_port}"
    node = {"ip": "10.0.0.1", "port": 6200, "replication_ip": "10.1.0.1",
            "replication_port": 6300, "device": "sdb1"}
    assert rep.rsync_destination(node) == "10.1.0.1::object_sdb1_6200_6300/sdb1/"
    node6 = {"ip": "::1", "port": 6200, "device": "d"}
    rep.rsync_module = "{ip}::object"
    assert rep.rsync_destination(node6) == "[::1]::object/d/"


def test_bad_sync_method_is_refused_at_start(cluster):
    srv = cluster.servers[("object", 1)]
    with pytest.raises(ValueError):
        replicator(srv, sync_method="carrier-pigeon")


def test_console_script_runs_one_pass_and_exits_zero(cluster):
    srv = cluster.servers[("object", 2)]
    assert replicator_mod.main([srv.conf, "--once"]) == 0


def test_a_once_pass_limited_to_partitions_devices_or_policies_does_only_those(cluster):
    path = unique_path()
    part, primaries, _ = placement(cluster, path)
    other = next(p for p in (unique_path() for _ in range(100)) if placement(cluster, p)[0] != part)
    assert cluster.put(primaries[0], part, path, b"only this partition") == 201
    conf, device = primaries[0].conf, primaries[0].device
    for limits in (["-p", str(placement(cluster, other)[0])], ["-d", device + "x"],
                   ["--policies", "9"]):
        assert replicator_mod.main([conf, "--once"] + limits) == 0
        assert not any(cluster.has_object(srv, part, path) for srv in primaries[1:]), limits
    assert replicator_mod.main([conf, "--once", "-p", "%d,%s" % (part, "99999"),
                                "-d", device, "-i", "0"]) == 0
    assert all(cluster.get(srv, part, path) == (200, b"only this partition")
               for srv in primaries[1:])


def test_a_policy_whose_partition_power_is_being_increased_is_not_replicated(cluster):
    path = unique_path()
    part, primaries, _ = placement(cluster, path)
    assert cluster.put(primaries[0], part, path, b"linked twice soon") == 201
    rep = replicator(primaries[0])
    assert rep.collect_jobs()

    class Increasing:
        """The policy's ring while prepare_increase_partition_power is in force."""

        def __init__(self, ring):
            self._ring = ring
            self.next_part_power = ring.part_power + 1

        def __getattr__(self, name):
            return getattr(self._ring, name)

    rep.rings = {index: Increasing(ring) for index, ring in rep.rings.items()}
    assert rep.collect_jobs() == []
    assert not cluster.has_object(primaries[1], part, path)
    rep.run_once()
    assert not cluster.has_object(primaries[1], part, path)
