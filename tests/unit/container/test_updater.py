"""The container updater brings account stats up to date, against real
account and container servers."""

import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "db"))
from dbcluster import DBCluster, wait_port  # noqa: E402

from objstore.common.daemon import load_daemon_conf  # noqa: E402
from objstore.container.updater import ContainerUpdater, main  # noqa: E402


@pytest.fixture(scope="module")
def db_cluster(tmp_path_factory):
    c = DBCluster(str(tmp_path_factory.mktemp("updater")))
    try:
        yield c
    finally:
        c.stop()


def ts():
    return "%016.5f" % time.time()


def updater(srv, **overrides):
    conf = load_daemon_conf(srv.conf, ContainerUpdater.name)
    conf.update({k: str(v) for k, v in overrides.items()})
    return ContainerUpdater(conf)


def make_account(c, account):
    apart, aservers, _ = c.placement("account", account)
    for srv in aservers:
        assert srv.request("PUT", "/%s/%d/%s" % (srv.device, apart, account),
                           {"X-Timestamp": ts()})[0] == 201
    return apart, aservers


def account_headers(c, account):
    apart, aservers, _ = c.placement("account", account)
    out = []
    for srv in aservers:
        status, headers, _ = srv.request("HEAD", "/%s/%d/%s" % (srv.device, apart, account))
        assert status == 204
        out.append((headers["x-account-container-count"], headers["x-account-object-count"],
                    headers["x-account-bytes-used"]))
    return out


def create_container(c, account, container, apart, aservers):
    """PUT the container on its primaries, each told to report to one
    account replica (as the proxy does)."""
    cpart, cservers, _ = c.placement("container", account, container)
    for csrv, asrv in zip(cservers, aservers):
        status, _, _ = csrv.request(
            "PUT", "/%s/%d/%s/%s" % (csrv.device, cpart, account, container),
            {"X-Timestamp": ts(), "X-Account-Host": "127.0.0.1:%d" % asrv.port,
             "X-Account-Partition": str(apart), "X-Account-Device": asrv.device})
        assert status == 201, status
    return cpart, cservers


def add_objects(cservers, cpart, account, container, sizes):
    for i, size in enumerate(sizes):
        for srv in cservers:
            assert srv.request(
                "PUT", "/%s/%d/%s/%s/o%d" % (srv.device, cpart, account, container, i),
                {"X-Timestamp": ts(), "X-Size": str(size), "X-Content-Type": "t",
                 "X-Etag": "e"})[0] == 201


def restart(servers):
    for srv in servers:
        srv.start()
    for srv in servers:
        wait_port(srv.port, srv.proc, "restarted account server")


def test_object_counts_reach_the_account_after_one_updater_pass(db_cluster):
    c = db_cluster
    account = "AUTH_counts"
    apart, aservers = make_account(c, account)
    cpart, cservers = create_container(c, account, "photos", apart, aservers)
    add_objects(cservers, cpart, account, "photos", [10, 20, 30])
    assert set(account_headers(c, account)) == {("1", "0", "0")}
    for srv in cservers:
        updater(srv).run_once()
    assert set(account_headers(c, account)) == {("1", "3", "60")}


def test_a_container_made_while_the_account_servers_were_down_is_reported_later(db_cluster):
    c = db_cluster
    account = "AUTH_down"
    apart, aservers = make_account(c, account)
    for srv in aservers:
        srv.stop()
    try:
        cpart, cservers = create_container(c, account, "late", apart, aservers)
        add_objects(cservers, cpart, account, "late", [5, 6])
        stats = updater(cservers[0]).run_once()
        assert stats["failures"] >= 1  # nobody to tell yet: tried again next pass
    finally:
        restart(aservers)
    assert set(account_headers(c, account)) == {("0", "0", "0")}
    stats = updater(cservers[0]).run_once()
    assert stats["successes"] >= 1
    assert set(account_headers(c, account)) == {("1", "2", "11")}
    # nothing changed since: the next pass sends nothing for it
    before = stats["successes"]
    again = updater(cservers[0]).run_once()
    assert again["successes"] == 0 and again["no_change"] >= before


def test_a_report_taken_by_only_one_account_replica_is_retried(db_cluster):
    c = db_cluster
    account = "AUTH_minority"
    apart, aservers = make_account(c, account)
    cpart, cservers = create_container(c, account, "c", apart, aservers)
    add_objects(cservers[:1], cpart, account, "c", [4])
    for srv in aservers[1:]:
        srv.stop()
    try:
        assert updater(cservers[0]).run_once()["failures"] >= 1
    finally:
        restart(aservers[1:])
    updater(cservers[0]).run_once()
    assert set(account_headers(c, account)) == {("1", "1", "4")}


def test_a_container_deleted_while_the_account_servers_were_down_leaves_the_listing(db_cluster):
    c = db_cluster
    account = "AUTH_gone"
    apart, aservers = make_account(c, account)
    cpart, cservers = create_container(c, account, "tmp", apart, aservers)
    assert set(account_headers(c, account)) == {("1", "0", "0")}
    for srv in aservers:
        srv.stop()
    try:
        for srv in cservers:
            assert srv.request("DELETE", "/%s/%d/%s/tmp" % (srv.device, cpart, account),
                               {"X-Timestamp": ts()})[0] == 204
    finally:
        restart(aservers)
    updater(cservers[1]).run_once()
    assert set(account_headers(c, account)) == {("0", "0", "0")}


def test_the_console_script_runs_one_pass(db_cluster):
    srv = db_cluster.servers[("container", 3)]
    assert main([srv.conf, "--once"]) == 0


def test_a_bad_interval_in_the_config_is_exit_2(db_cluster, tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("[DEFAULT]\nswift_dir = %s\n[container-updater]\ninterval = soon\n"
                    % db_cluster.swift_dir)
    assert main([str(conf), "--once"]) == 2
