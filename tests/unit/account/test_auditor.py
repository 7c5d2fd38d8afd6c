"""The account auditor quarantines a corrupt account database."""

import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "db"))
from dbcluster import DBCluster  # noqa: E402

from objstore.account.auditor import AccountAuditor, main  # noqa: E402
from objstore.common.daemon import load_daemon_conf  # noqa: E402
from objstore.db.paths import db_path, name_hash  # noqa: E402


@pytest.fixture(scope="module")
def db_cluster(tmp_path_factory):
    c = DBCluster(str(tmp_path_factory.mktemp("acct-auditor")), kinds=("account",))
    try:
        yield c
    finally:
        c.stop()


def test_a_corrupt_account_database_is_quarantined_and_a_sound_one_kept(db_cluster):
    c = db_cluster
    part, servers, _ = c.placement("account", "AUTH_bad")
    srv = servers[0]
    for account in ("AUTH_bad", "AUTH_good"):
        p, owners, _ = c.placement("account", account)
        for owner in owners:
            assert owner.request("PUT", "/%s/%d/%s" % (owner.device, p, account),
                                 {"X-Timestamp": "%016.5f" % time.time()})[0] == 201
    hash_ = name_hash("AUTH_bad", None, b"pre", b"suf")
    path = db_path(srv.devices, srv.device, "accounts", part, hash_)
    with open(path, "r+b") as fp:
        fp.write(b"garbage!" * 64)
    # the sound account is audited too where it has a replica on this server
    good_here = srv in c.placement("account", "AUTH_good")[1]
    stats = AccountAuditor(load_daemon_conf(srv.conf, AccountAuditor.name)).run_once()
    assert stats["quarantined"] == 1 and stats["passed"] == (1 if good_here else 0)
    assert os.path.isdir(os.path.join(srv.devices, srv.device, "quarantined", "accounts", hash_))
    assert srv.request("HEAD", "/%s/%d/AUTH_bad" % (srv.device, part))[0] == 404
    gpart, gowners, _ = c.placement("account", "AUTH_good")
    for owner in gowners:
        assert owner.request("HEAD", "/%s/%d/AUTH_good" % (owner.device, gpart))[0] == 204


def test_an_empty_devices_dir_is_a_quiet_pass(tmp_path):
    conf = tmp_path / "a.conf"
    (tmp_path / "devs").mkdir()
    conf.write_text("[DEFAULT]\ndevices = %s\nmount_check = false\nrecon_cache_path = %s\n"
                    % (tmp_path / "devs", tmp_path / "recon"))
    assert main([str(conf), "--once"]) == 0
    assert (tmp_path / "recon" / "account.recon").exists()
