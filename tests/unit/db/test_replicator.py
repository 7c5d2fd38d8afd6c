"""The database replicator against real container and account servers,
real SQLite files and a real rsync daemon."""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dbcluster import DBCluster  # noqa: E402

from objstore.account.replicator import AccountReplicator  # noqa: E402
from objstore.common import daemon as daemon_mod  # noqa: E402
from objstore.common.daemon import load_daemon_conf, read_recon_cache  # noqa: E402
from objstore.container.broker import ContainerBroker  # noqa: E402
from objstore.container.replicator import ContainerReplicator  # noqa: E402
from objstore.db.ondisk import iter_local_dbs  # noqa: E402

_counter = [0]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = DBCluster(str(tmp_path_factory.mktemp("dbcluster")))
    try:
        yield c
    finally:
        c.stop()


def unique(prefix):
    _counter[0] += 1
    return "%s-%d-%d" % (prefix, os.getpid(), _counter[0])


def ts(offset=0.0):
    return "%016.5f" % (time.time() + offset)


def replicator(cluster, srv, cls=ContainerReplicator, **overrides):
    conf = load_daemon_conf(srv.conf, cls.name)
    conf.update({k: str(v) for k, v in overrides.items()})
    return cls(conf)


def put_container(srv, part, account, container, timestamp=None):
    status, _, _ = srv.request("PUT", "/%s/%d/%s/%s" % (srv.device, part, account, container),
                               {"X-Timestamp": timestamp or ts()})
    assert status == 201, status  # each test's names are new on each server


def put_object(srv, part, account, container, obj, size=3, timestamp=None):
    status, _, _ = srv.request(
        "PUT", "/%s/%d/%s/%s/%s" % (srv.device, part, account, container, obj),
        {"X-Timestamp": timestamp or ts(), "X-Size": str(size),
         "X-Content-Type": "text/plain", "X-Etag": "e" * 32})
    assert status == 201, status


def delete_object(srv, part, account, container, obj):
    status, _, _ = srv.request(
        "DELETE", "/%s/%d/%s/%s/%s" % (srv.device, part, account, container, obj),
        {"X-Timestamp": ts()})
    assert status == 204, status


def listing(srv, part, account, container):
    status, headers, body = srv.request(
        "GET", "/%s/%d/%s/%s?format=json" % (srv.device, part, account, container))
    if status == 404:
        return None
    assert status == 200, status
    return sorted((o["name"], o["bytes"]) for o in json.loads(body))


def db_files(srv, datadir="containers"):
    return [db.path for db in iter_local_dbs(srv.devices, srv.device, datadir)]


# ------------------------------------------------------------------ whole file


@pytest.mark.parametrize("transport", ["rsync daemon", "local path"])
def test_a_missing_replica_is_recreated_by_one_pass_with_a_whole_file_push(cluster, transport):
    name = unique("c")
    part, (first, second, third), _ = cluster.placement("container", "a", name)
    for srv in (first, second):
        put_container(srv, part, "a", name)
    for i in range(5):
        put_object(first, part, "a", name, "o%d" % i, size=i)
    overrides = {}
    if transport == "local path":
        overrides["rsync_module"] = os.path.join(cluster.root, "container{replication_port}")
    stats = replicator(cluster, first, **overrides).run_once()
    expected = [("o%d" % i, i) for i in range(5)]
    assert listing(third, part, "a", name) == expected
    assert listing(second, part, "a", name) == expected
    assert stats["rsync"] >= 1 and stats["failure"] == 0
    # the pushed copy has its own identity, not the sender's
    mine = ContainerBroker(db_files_for(first, name, cluster)).get_raw_info()["id"]
    theirs = ContainerBroker(db_files_for(third, name, cluster)).get_raw_info()["id"]
    assert mine != theirs
    # and the next pass finds nothing to do for it
    again = replicator(cluster, first).run_once()
    assert again["rsync"] == 0 and again["rows"] == 0


def db_files_for(srv, container, cluster, account="a"):
    from objstore.db.paths import db_path, name_hash
    part, _, _ = cluster.placement("container", account, container)
    return db_path(srv.devices, srv.device, "containers", part,
                   name_hash(account, container, b"pre", b"suf"))


def test_a_replica_far_behind_gets_the_whole_file_merged(cluster):
    name = unique("far")
    part, (first, second, third), _ = cluster.placement("container", "a", name)
    for srv in (first, second, third):
        put_container(srv, part, "a", name)
    for i in range(12):
        put_object(first, part, "a", name, "o%02d" % i)
    put_object(second, part, "a", name, "only-on-second")
    stats = replicator(cluster, first, per_diff=2).run_once()
    assert stats["remote_merge"] >= 2
    names = [n for n, _ in listing(second, part, "a", name)]
    assert names == ["o%02d" % i for i in range(12)] + ["only-on-second"]
    assert len(listing(third, part, "a", name)) == 12


def test_a_peer_many_rows_behind_gets_max_diffs_batches_per_pass(cluster):
    name = unique("capped")
    part, (first, second, third), _ = cluster.placement("container", "a", name)
    for srv in (first, second, third):
        put_container(srv, part, "a", name)
    for i in range(6):
        put_object(first, part, "a", name, "o%d" % i)
    for i in range(6):  # peers hold as many rows, so no whole-file push
        put_object(second, part, "a", name, "p%d" % i)
        put_object(third, part, "a", name, "p%d" % i)
    rep = replicator(cluster, first, per_diff=2, max_diffs=2)
    assert rep.run_once()["diff_capped"] >= 2
    assert len(listing(second, part, "a", name)) == 6 + 4
    rep.run_once()
    assert len(listing(second, part, "a", name)) == 12
    assert len(listing(third, part, "a", name)) == 12


# ------------------------------------------------------------------ row diffs


def test_diverged_replicas_converge_after_one_pass_each_way(cluster):
    name = unique("div")
    part, servers, _ = cluster.placement("container", "a", name)
    for srv in servers:
        put_container(srv, part, "a", name)
    put_object(servers[0], part, "a", name, "shared", size=1, timestamp=ts(-10))
    put_object(servers[1], part, "a", name, "shared", size=2, timestamp=ts(-5))  # newer wins
    put_object(servers[0], part, "a", name, "from-0")
    put_object(servers[1], part, "a", name, "from-1")
    put_object(servers[2], part, "a", name, "doomed")
    put_object(servers[2], part, "a", name, "from-2")
    delete_object(servers[1], part, "a", name, "doomed")
    for srv in servers:
        replicator(cluster, srv).run_once()
    want = [("from-0", 3), ("from-1", 3), ("from-2", 3), ("shared", 2)]
    for srv in servers:
        assert listing(srv, part, "a", name) == want
        status, headers, _ = srv.request("HEAD", "/%s/%d/a/%s" % (srv.device, part, name))
        assert headers["x-container-object-count"] == "4"
        assert headers["x-container-bytes-used"] == "11"


def test_container_metadata_and_deletion_timestamps_travel_with_sync(cluster):
    name = unique("meta")
    part, servers, _ = cluster.placement("container", "a", name)
    for srv in servers:
        put_container(srv, part, "a", name, timestamp=ts(-20))
    status, _, _ = servers[0].request("POST", "/%s/%d/a/%s" % (servers[0].device, part, name),
                                      {"X-Timestamp": ts(), "X-Container-Meta-Color": "blue"})
    assert status == 204
    replicator(cluster, servers[0]).run_once()
    for srv in servers[1:]:
        _, headers, _ = srv.request("HEAD", "/%s/%d/a/%s" % (srv.device, part, name))
        assert headers.get("x-container-meta-color") == "blue"


# ------------------------------------------------------------------- handoffs


def test_a_handoff_database_moves_home_and_disappears_locally(cluster):
    name = unique("ho")
    part, primaries, handoffs = cluster.placement("container", "a", name)
    handoff = handoffs[0]
    put_container(handoff, part, "a", name)
    put_object(handoff, part, "a", name, "stranded", size=7)
    put_container(primaries[0], part, "a", name)
    assert len(db_files(handoff)) >= 1
    path = db_files_for(handoff, name, cluster)
    stats = replicator(cluster, handoff).run_once()
    assert stats["handoffs"] >= 1 and stats["remove"] >= 1
    assert not os.path.exists(path)
    assert not os.path.exists(os.path.dirname(path))
    for srv in primaries:
        assert listing(srv, part, "a", name) == [("stranded", 7)]


def test_a_handoff_stays_while_a_primary_cannot_be_reached(cluster):
    name = unique("stay")
    part, primaries, handoffs = cluster.placement("container", "a", name)
    handoff = handoffs[0]
    put_container(handoff, part, "a", name)
    primaries[1].stop()
    try:
        stats = replicator(cluster, handoff).run_once()
    finally:
        primaries[1].start()
        from dbcluster import wait_port
        wait_port(primaries[1].port, primaries[1].proc, "restarted server")
    assert stats["failure"] >= 1
    assert os.path.exists(db_files_for(handoff, name, cluster))
    # once the primary is back the next pass finishes the move
    stats = replicator(cluster, handoff).run_once()
    assert not os.path.exists(db_files_for(handoff, name, cluster))
    assert listing(primaries[1], part, "a", name) == []


def test_an_unmounted_primary_is_replaced_by_a_handoff_node(cluster):
    name = unique("unmounted")
    part, primaries, handoffs = cluster.placement("container", "a", name)
    put_container(primaries[0], part, "a", name)
    put_object(primaries[0], part, "a", name, "x")
    dev_dir = os.path.join(primaries[1].devices, primaries[1].device)
    os.rename(dev_dir, dev_dir + ".away")  # the server answers 507
    try:
        stats = replicator(cluster, primaries[0]).run_once()
    finally:
        os.rename(dev_dir + ".away", dev_dir)
    assert stats["unmounted"] >= 1
    assert listing(handoffs[0], part, "a", name) == [("x", 3)]
    assert listing(primaries[2], part, "a", name) == [("x", 3)]


def test_a_failed_rsync_is_a_failure_and_keeps_the_handoff(cluster):
    name = unique("norsync")
    part, primaries, handoffs = cluster.placement("container", "a", name)
    put_container(handoffs[0], part, "a", name)
    stats = replicator(cluster, handoffs[0],
                       rsync_module="{replication_ip}::no-such-module").run_once()
    assert stats["failure"] >= 3
    assert os.path.exists(db_files_for(handoffs[0], name, cluster))
    assert all(listing(srv, part, "a", name) is None for srv in primaries)
    replicator(cluster, handoffs[0]).run_once()  # leave the cluster tidy


# -------------------------------------------------------------------- reclaim


def test_old_tombstones_and_old_deleted_databases_are_reclaimed(cluster):
    name, gone = unique("tomb"), unique("gone")
    part, servers, _ = cluster.placement("container", "a", name)
    srv = servers[0]
    put_container(srv, part, "a", name)
    put_object(srv, part, "a", name, "old", timestamp="0000001000.00000")
    status, _, _ = srv.request("DELETE", "/%s/%d/a/%s/old" % (srv.device, part, name),
                               {"X-Timestamp": "0000001001.00000"})
    assert status == 204
    gpart, gservers, _ = cluster.placement("container", "a", gone)
    put_container(gservers[0], gpart, "a", gone, timestamp="0000001000.00000")
    status, _, _ = gservers[0].request("DELETE", "/%s/%d/a/%s" % (gservers[0].device, gpart, gone),
                                       {"X-Timestamp": "0000001001.00000"})
    assert status == 204
    replicator(cluster, srv).run_once()
    assert ContainerBroker(db_files_for(srv, name, cluster)).get_item("old") is None
    # The deletion never reached the account: the database stays (removing
    # it would leave the container listed in the account for good) ...
    replicator(cluster, gservers[0]).run_once()
    assert os.path.exists(db_files_for(gservers[0], gone, cluster))
    # ... until the container updater has told the account.
    _report_to_account(cluster, gservers[0], "a")
    assert ContainerBroker(db_files_for(gservers[0], gone, cluster)).is_reported_current()
    replicator(cluster, gservers[0]).run_once()
    assert not os.path.exists(db_files_for(gservers[0], gone, cluster))


def _report_to_account(cluster, srv, account):
    from objstore.container.updater import ContainerUpdater
    apart, aservers, _ = cluster.placement("account", account)
    for aserver in aservers:
        aserver.request("PUT", "/%s/%d/%s" % (aserver.device, apart, account),
                        {"X-Timestamp": "0000000999.00000"})
    ContainerUpdater(load_daemon_conf(srv.conf, ContainerUpdater.name)).run_once()


# ----------------------------------------------------------------- bad input


def test_a_corrupt_database_is_counted_and_the_pass_goes_on(cluster):
    bad, good = unique("bad"), unique("good")
    part, servers, _ = cluster.placement("container", "a", bad)
    put_container(servers[0], part, "a", bad)
    path = db_files_for(servers[0], bad, cluster)
    with open(path, "r+b") as fp:
        fp.write(b"this is not sqlite" * 10)
    srv = servers[0]
    while True:  # a second container that lives on the same node
        gpart, gservers, _ = cluster.placement("container", "a", good)
        if srv in gservers:
            break
        good = unique("good")
    put_container(srv, gpart, "a", good)
    put_object(srv, gpart, "a", good, "fine")
    stats = replicator(cluster, srv).run_once()
    assert stats["corrupt"] >= 1
    for other in gservers:
        assert listing(other, gpart, "a", good) == [("fine", 3)]
    shutil.rmtree(os.path.dirname(path))


def test_a_pass_writes_its_stats_to_the_recon_cache(cluster):
    srv = cluster.servers[("container", 1)]
    replicator(cluster, srv).run_once()
    with open(os.path.join(cluster.recon, "container.recon")) as fp:
        recon = json.load(fp)
    entry = recon["container-replicator"]
    assert entry["last_pass"] > time.time() - 60
    assert "attempted" in entry["stats"]


@pytest.mark.parametrize("cls,kind", [(ContainerReplicator, "container"),
                                      (AccountReplicator, "account")])
def test_a_running_pass_records_its_progress_per_database(cluster, monkeypatch, cls, kind):
    if kind == "container":
        name = unique("progress")
        part, (srv, _second, _third), _ = cluster.placement("container", "a", name)
        put_container(srv, part, "a", name)
    else:
        account = unique("AUTH_progress")
        part, (srv, _second, _third), _ = cluster.placement("account", account)
        status, _, _ = srv.request("PUT", "/%s/%d/%s" % (srv.device, part, account),
                                   {"X-Timestamp": ts()})
        assert status == 201, status
    monkeypatch.setattr(daemon_mod, "PROGRESS_INTERVAL", 0)
    recon_file = os.path.join(cluster.recon, "%s.recon" % kind)
    seen = []
    rep = replicator(cluster, srv, cls=cls)
    record = rep.progress

    def progress_and_look(stats):
        record(stats)
        seen.append(read_recon_cache(recon_file)["%s-replicator-progress" % kind])

    rep.progress = progress_and_look
    stats = rep.run_once()
    assert stats["attempted"] >= 1  # the database made above
    assert [s["stats"]["attempted"] for s in seen] == list(range(1, stats["attempted"] + 1))
    assert read_recon_cache(recon_file)["%s-replicator-progress" % kind] is None


# -------------------------------------------------------------------- accounts


def test_a_missing_account_replica_is_recreated_by_the_account_replicator(cluster):
    account = unique("AUTH_r")
    part, servers, _ = cluster.placement("account", account)
    put = lambda srv, path, headers: srv.request("PUT", path, headers)[0]  # noqa: E731
    for srv in servers[:2]:
        assert put(srv, "/%s/%d/%s" % (srv.device, part, account), {"X-Timestamp": ts()}) == 201
    assert put(servers[0], "/%s/%d/%s/c1" % (servers[0].device, part, account),
               {"X-Put-Timestamp": ts(), "X-Delete-Timestamp": "0", "X-Object-Count": "3",
                "X-Bytes-Used": "30"}) == 201
    replicator(cluster, servers[0], AccountReplicator).run_once()
    for srv in servers:
        status, headers, _ = srv.request("HEAD", "/%s/%d/%s" % (srv.device, part, account))
        assert status == 204
        assert headers["x-account-container-count"] == "1"
        assert headers["x-account-object-count"] == "3"


def test_a_deleted_account_with_containers_left_is_not_reclaimed(cluster):
    account = unique("AUTH_d")
    part, servers, _ = cluster.placement("account", account)
    srv = servers[0]
    srv.request("PUT", "/%s/%d/%s" % (srv.device, part, account),
                {"X-Timestamp": "0000001000.00000"})
    srv.request("PUT", "/%s/%d/%s/c" % (srv.device, part, account),
                {"X-Put-Timestamp": "0000001000.00000", "X-Delete-Timestamp": "0",
                 "X-Object-Count": "1", "X-Bytes-Used": "1"})
    status, _, _ = srv.request("DELETE", "/%s/%d/%s" % (srv.device, part, account),
                               {"X-Timestamp": "0000001001.00000"})
    assert status == 204
    replicator(cluster, srv, AccountReplicator).run_once()
    assert any(account_hash_in(p, account) for p in db_files(srv, "accounts"))


def account_hash_in(path, account):
    from objstore.db.paths import name_hash
    return name_hash(account, None, b"pre", b"suf") in path


# ----------------------------------------------------------------- the script


def test_the_console_script_runs_one_pass_and_exits_zero(cluster):
    srv = cluster.servers[("container", 2)]
    proc = subprocess.run([sys.executable, "-c",
                           "import sys; from objstore.container.replicator import main; "
                           "sys.exit(main(sys.argv[1:]))", srv.conf, "--once"],
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    with open(os.path.join(cluster.root, "container2.log")) as fp:
        assert "container-replicator pass completed" in fp.read()


def test_the_console_script_rejects_a_missing_config_with_exit_2(tmp_path):
    proc = subprocess.run([sys.executable, "-c",
                           "import sys; from objstore.container.replicator import main; "
                           "sys.exit(main(sys.argv[1:]))", str(tmp_path / "nope.conf"), "--once"],
                          capture_output=True, timeout=60)
    assert proc.returncode == 2
    assert b"nope.conf" in proc.stderr


# ------------------------------------------------------------- sample configs


def test_every_daemon_starts_from_the_sample_configs(cluster, tmp_path):
    from objstore.account.auditor import AccountAuditor
    from objstore.account.reaper import AccountReaper
    from objstore.container.auditor import ContainerAuditor
    from objstore.container.updater import ContainerUpdater
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    for conf_name, classes in (
            ("container-server.conf", (ContainerReplicator, ContainerUpdater, ContainerAuditor)),
            ("account-server.conf", (AccountReplicator, AccountAuditor, AccountReaper))):
        path = os.path.join(repo, "etc", conf_name)
        for cls in classes:
            conf = load_daemon_conf(path, cls.name)
            assert "interval" in conf, "%s has no [%s] section" % (conf_name, cls.name)
            conf.update(swift_dir=cluster.swift_dir, devices=str(tmp_path),
                        recon_cache_path=str(tmp_path / "recon"), log_level="ERROR")
            daemon = cls(conf)
            assert daemon.interval == float(conf["interval"])
