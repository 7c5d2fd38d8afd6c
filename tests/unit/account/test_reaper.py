"""The account reaper empties a deleted account through real object,
container and account servers."""

import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "db"))
from dbcluster import DBCluster  # noqa: E402

from objstore.account.broker import AccountBroker  # noqa: E402
from objstore.account.reaper import AccountReaper, main  # noqa: E402
from objstore.common.daemon import load_daemon_conf  # noqa: E402
from objstore.db.paths import db_path, name_hash  # noqa: E402


@pytest.fixture(scope="module")
def db_cluster(tmp_path_factory):
    c = DBCluster(str(tmp_path_factory.mktemp("reaper")),
                  kinds=("account", "container", "object"))
    try:
        yield c
    finally:
        c.stop()


def ts():
    return "%016.5f" % time.time()


class Client:
    """Just enough of a proxy: writes go to every primary with the
    update headers that point each replica at one replica above it."""

    def __init__(self, c):
        self.c = c

    def put_account(self, account):
        part, servers, _ = self.c.placement("account", account)
        for srv in servers:
            assert srv.request("PUT", "/%s/%d/%s" % (srv.device, part, account),
                               {"X-Timestamp": ts()})[0] == 201

    def delete_account(self, account):
        part, servers, _ = self.c.placement("account", account)
        for srv in servers:
            assert srv.request("DELETE", "/%s/%d/%s" % (srv.device, part, account),
                               {"X-Timestamp": ts()})[0] == 204

    def put_container(self, account, container):
        apart, aservers, _ = self.c.placement("account", account)
        cpart, cservers, _ = self.c.placement("container", account, container)
        for csrv, asrv in zip(cservers, aservers):
            assert csrv.request("PUT", "/%s/%d/%s/%s" % (csrv.device, cpart, account, container),
                                {"X-Timestamp": ts(), "X-Account-Host": "127.0.0.1:%d" % asrv.port,
                                 "X-Account-Partition": str(apart),
                                 "X-Account-Device": asrv.device})[0] == 201

    def put_object(self, account, container, obj, body=b"data"):
        cpart, cservers, _ = self.c.placement("container", account, container)
        opart, oservers, _ = self.c.placement("object", account, container, obj)
        stamp = ts()
        for osrv, csrv in zip(oservers, cservers):
            status, _, _ = osrv.request(
                "PUT", "/%s/%d/%s/%s/%s" % (osrv.device, opart, account, container, obj),
                {"X-Timestamp": stamp, "Content-Type": "text/plain",
                 "Content-Length": str(len(body)), "X-Container-Host": "127.0.0.1:%d" % csrv.port,
                 "X-Container-Partition": str(cpart), "X-Container-Device": csrv.device},
                body)
            assert status == 201, status

    def object_statuses(self, account, container, obj):
        opart, oservers, _ = self.c.placement("object", account, container, obj)
        return [srv.request("HEAD", "/%s/%d/%s/%s/%s" % (srv.device, opart, account, container,
                                                          obj))[0] for srv in oservers]

    def container_statuses(self, account, container):
        cpart, cservers, _ = self.c.placement("container", account, container)
        return [srv.request("HEAD", "/%s/%d/%s/%s" % (srv.device, cpart, account, container))[0]
                for srv in cservers]

    def account_broker(self, account):
        part, servers, _ = self.c.placement("account", account)
        srv = servers[0]
        return AccountBroker(db_path(srv.devices, srv.device, "accounts", part,
                                     name_hash(account, None, b"pre", b"suf")))


def reaper(c, account, **overrides):
    _, servers, _ = c.placement("account", account)
    conf = load_daemon_conf(servers[0].conf, AccountReaper.name)
    conf.update({k: str(v) for k, v in overrides.items()})
    return AccountReaper(conf)


def fill(client, account):
    client.put_account(account)
    for container in ("c1", "c2"):
        client.put_container(account, container)
        for i in range(3):
            client.put_object(account, container, "o%d" % i)


def test_the_reaper_empties_a_deleted_account(db_cluster):
    client = Client(db_cluster)
    fill(client, "AUTH_doomed")
    assert client.object_statuses("AUTH_doomed", "c1", "o0") == [200, 200, 200]
    client.delete_account("AUTH_doomed")
    stats = reaper(db_cluster, "AUTH_doomed").run_once()
    assert stats["accounts"] == 1
    assert stats["objects_deleted"] == 6 and stats["containers_deleted"] == 2
    for container in ("c1", "c2"):
        for i in range(3):
            assert client.object_statuses("AUTH_doomed", container, "o%d" % i) == [404] * 3
        assert client.container_statuses("AUTH_doomed", container) == [404] * 3
    info = client.account_broker("AUTH_doomed").get_info()
    assert info["container_count"] == 0
    # a second pass finds nothing left to delete
    again = reaper(db_cluster, "AUTH_doomed").run_once()
    assert again["objects_deleted"] == 0 and again["containers_remaining"] == 0


def test_live_accounts_and_recent_deletions_within_delay_reaping_are_left_alone(db_cluster):
    client = Client(db_cluster)
    fill(client, "AUTH_alive")
    fill(client, "AUTH_oops")
    client.delete_account("AUTH_oops")
    reaper(db_cluster, "AUTH_alive", delay_reaping=3600).run_once()
    reaper(db_cluster, "AUTH_oops", delay_reaping=3600).run_once()
    for account in ("AUTH_alive", "AUTH_oops"):
        assert client.object_statuses(account, "c2", "o2") == [200, 200, 200]
        assert client.container_statuses(account, "c1") == [204, 204, 204]


def test_a_container_whose_objects_cannot_be_deleted_is_retried_next_pass(db_cluster):
    client = Client(db_cluster)
    fill(client, "AUTH_later")
    client.delete_account("AUTH_later")
    opart, oservers, _ = db_cluster.placement("object", "AUTH_later", "c1", "o1")
    for srv in oservers:
        srv.stop()
    try:
        stats = reaper(db_cluster, "AUTH_later").run_once()
    finally:
        for srv in oservers:
            srv.start()
        from dbcluster import wait_port
        for srv in oservers:
            wait_port(srv.port, srv.proc, "object server")
    assert stats["objects_failed"] >= 1 and stats["containers_remaining"] >= 1
    assert all(s == 204 for s in client.container_statuses("AUTH_later", "c1"))
    reaper(db_cluster, "AUTH_later").run_once()
    assert client.object_statuses("AUTH_later", "c1", "o1") == [404] * 3
    assert client.container_statuses("AUTH_later", "c1") == [404] * 3


def test_the_console_script_runs_one_pass(db_cluster):
    srv = db_cluster.servers[("account", 1)]
    assert main([srv.conf, "--once"]) == 0
