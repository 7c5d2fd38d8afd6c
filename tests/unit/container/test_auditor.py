"""The container auditor quarantines damaged databases, and the
replicator then restores them; real servers and real SQLite files."""

import os
import sqlite3
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "db"))
from dbcluster import DBCluster  # noqa: E402

from objstore.common.daemon import load_daemon_conf  # noqa: E402
from objstore.container.auditor import ContainerAuditor, main  # noqa: E402
from objstore.container.replicator import ContainerReplicator  # noqa: E402
from objstore.db.broker import is_corruption  # noqa: E402
from objstore.db.paths import db_path, name_hash  # noqa: E402


@pytest.fixture(scope="module")
def db_cluster(tmp_path_factory):
    c = DBCluster(str(tmp_path_factory.mktemp("auditor")))
    try:
        yield c
    finally:
        c.stop()


def ts():
    return "%016.5f" % time.time()


def auditor(srv, **overrides):
    conf = load_daemon_conf(srv.conf, ContainerAuditor.name)
    conf.update({k: str(v) for k, v in overrides.items()})
    return ContainerAuditor(conf)


def make_container(c, name, objects=3):
    part, servers, _ = c.placement("container", "a", name)
    for srv in servers:
        assert srv.request("PUT", "/%s/%d/a/%s" % (srv.device, part, name),
                           {"X-Timestamp": ts()})[0] == 201
        for i in range(objects):
            assert srv.request("PUT", "/%s/%d/a/%s/o%d" % (srv.device, part, name, i),
                               {"X-Timestamp": ts(), "X-Size": "1", "X-Content-Type": "t",
                                "X-Etag": "e"})[0] == 201
    return part, servers


def path_of(srv, part, name):
    return db_path(srv.devices, srv.device, "containers", part,
                   name_hash("a", name, b"pre", b"suf"))


def head(srv, part, name):
    return srv.request("HEAD", "/%s/%d/a/%s" % (srv.device, part, name))


def test_a_database_overwritten_with_garbage_is_quarantined_and_then_restored(db_cluster):
    c = db_cluster
    part, servers = make_container(c, "garbage")
    victim = servers[0]
    path = path_of(victim, part, "garbage")
    with open(path, "r+b") as fp:
        fp.write(os.urandom(4096))
    stats = auditor(victim).run_once()
    assert stats["quarantined"] == 1
    hash_ = name_hash("a", "garbage", b"pre", b"suf")
    quarantined = os.path.join(victim.devices, victim.device, "quarantined", "containers", hash_)
    assert os.path.exists(os.path.join(quarantined, hash_ + ".db"))
    assert not os.path.exists(path)
    assert head(victim, part, "garbage")[0] == 404
    # another primary's replicator pushes a good copy back
    conf = load_daemon_conf(servers[1].conf, ContainerReplicator.name)
    ContainerReplicator(conf).run_once()
    status, headers, _ = head(victim, part, "garbage")
    assert status == 204 and headers["x-container-object-count"] == "3"


def test_a_database_with_damaged_pages_is_quarantined(db_cluster):
    c = db_cluster
    part, servers = make_container(c, "pages", objects=5)
    victim = servers[1]
    path = path_of(victim, part, "pages")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = os.path.getsize(path)
    assert size > 8192
    with open(path, "r+b") as fp:  # keep the header page, wreck the rest
        fp.seek(4096)
        fp.write(b"\xff" * (size - 4096))
    stats = auditor(victim).run_once()
    assert stats["quarantined"] == 1
    assert not os.path.exists(path)


def test_sound_databases_pass_and_stay_where_they_are(db_cluster):
    c = db_cluster
    part, servers = make_container(c, "sound")
    stats = auditor(servers[2]).run_once()
    assert stats["quarantined"] == 0 and stats["passed"] >= 1
    assert os.path.exists(path_of(servers[2], part, "sound"))
    assert head(servers[2], part, "sound")[0] == 204


def test_a_second_quarantine_of_the_same_database_keeps_the_first(db_cluster):
    c = db_cluster
    part, servers = make_container(c, "twice", objects=1)
    victim = servers[2]
    hash_ = name_hash("a", "twice", b"pre", b"suf")
    for _ in range(2):
        path = path_of(victim, part, "twice")
        if not os.path.exists(path):
            assert victim.request("PUT", "/%s/%d/a/twice" % (victim.device, part),
                                  {"X-Timestamp": ts()})[0] == 201
        with open(path, "r+b") as fp:
            fp.write(b"\0" * 100)
        assert auditor(victim).run_once()["quarantined"] == 1
    qdir = os.path.join(victim.devices, victim.device, "quarantined", "containers")
    assert len([n for n in os.listdir(qdir) if n.startswith(hash_)]) == 2


def test_the_pass_is_held_to_containers_per_second(db_cluster):
    c = db_cluster
    srv = c.servers[("container", 1)]
    count = auditor(srv).run_once()["checked"]
    assert count >= 3
    started = time.monotonic()
    auditor(srv, containers_per_second=count * 2).run_once()
    # the first database goes at once, each next one half a slot later
    assert time.monotonic() - started >= (count - 1) / (2.0 * count) - 0.02


def test_a_lock_timeout_is_not_mistaken_for_corruption():
    assert not is_corruption(sqlite3.OperationalError("database is locked"))
    assert is_corruption(sqlite3.DatabaseError("file is not a database"))
    assert is_corruption(sqlite3.DatabaseError("database disk image is malformed"))
    assert not is_corruption(ValueError("nope"))


def test_the_console_script_runs_one_pass_and_records_it_for_recon(db_cluster):
    import json
    srv = db_cluster.servers[("container", 4)]
    assert main([srv.conf, "--once"]) == 0
    with open(os.path.join(db_cluster.recon, "container.recon")) as fp:
        assert "container-auditor" in json.load(fp)
