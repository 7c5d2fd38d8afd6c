"""objstore-recon and /recon on all three kinds of real storage servers."""

import json
import os
import shutil
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "obj"))
from daemon_cluster import ObjCluster  # noqa: E402

from objstore.cli import recon  # noqa: E402
from objstore.common.daemon import dump_recon_cache, load_daemon_conf  # noqa: E402
from objstore.container.replicator import ContainerReplicator  # noqa: E402


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = ObjCluster(str(tmp_path_factory.mktemp("reconcluster")),
                   kinds=("account", "container", "object"))
    try:
        yield c
    finally:
        c.stop()


def run(cluster, *args, swift_dir=None):
    lines = []
    rc = recon.main(list(args) + ["--swift-dir", swift_dir or cluster.swift_dir,
                                  "--timeout", "3"], out=lines.append)
    return rc, lines


def test_container_and_account_servers_answer_recon_from_their_own_cache(cluster):
    srv = cluster.servers[("container", 1)]
    ContainerReplicator(load_daemon_conf(srv.conf, ContainerReplicator.name)).run_once()
    status, _h, body = srv.request("GET", "/recon/replication")
    answer = json.loads(body)
    assert status == 200 and answer["last_pass"] > time.time() - 60
    assert "attempted" in answer["stats"]
    acct = cluster.servers[("account", 1)]
    assert acct.request("GET", "/recon/replication")[0] == 200
    assert "account.ring.gz" in json.loads(acct.request("GET", "/recon/ringmd5")[2])


def test_replication_summary_covers_every_container_server(cluster):
    dump_recon_cache(os.path.join(cluster.recon, "container.recon"), "container-replicator",
                     {"last_pass": time.time() - 5, "pass_time": 2.5,
                      "stats": {"success": 4, "failure": 1}})
    rc, lines = run(cluster, "container", "--replication")
    text = "\n".join(lines)
    assert rc == 0
    assert "--> Starting reconnaissance on 4 hosts (container)" in text
    assert ("[replication_time] low: 2.50, high: 2.50, avg: 2.5, total: 10, Failed: 0.0%, "
            "no_result: 0, reported: 4") in text
    assert "[replication_failure] low: 1, high: 1" in text
    assert "Oldest completion was" in text and "seconds ago) by 127.0.0.1:" in text


def test_all_checks_on_every_ring_succeed_when_every_node_answers(cluster):
    rc, lines = run(cluster, "-a")
    text = "\n".join(lines)
    assert rc == 0, text
    for kind in ("account", "container", "object"):
        assert "reconnaissance on 4 hosts (%s)" % kind in text
    assert text.count("4/4 hosts matched, 0 error[s]") == 3
    assert "[async_pending] low: 0" in text and "[5m_load_avg]" in text
    assert "Disk usage: lowest:" in text and "[quarantined_objects] low: 0" in text


def test_a_stopped_server_shows_as_no_result_and_fails_the_run(cluster):
    srv = cluster.servers[("account", 3)]
    srv.stop()
    try:
        rc, lines = run(cluster, "account", "--load")
    finally:
        srv.start()
        from dbcluster import wait_port
        wait_port(srv.port, srv.proc, "account server")
    assert rc == 1
    assert any("[1m_load_avg]" in line and "no_result: 1, reported: 3" in line
               for line in lines)


def test_a_node_with_other_rings_is_named_and_fails_the_md5_check(cluster, tmp_path):
    other = str(tmp_path / "etc")
    shutil.copytree(cluster.swift_dir, other)
    with open(os.path.join(other, "container.ring.gz"), "ab") as fp:
        fp.write(b"an operator's stray edit")  # this host's ring differs from the nodes'
    rc, lines = run(cluster, "object", "--md5", swift_dir=other)
    assert rc == 1
    assert any(line.startswith("!! 127.0.0.1:") and "container.ring.gz" in line
               for line in lines)
    assert "0/4 hosts matched, 0 error[s] while checking hosts." in lines


def test_json_prints_one_parseable_line_per_node_and_check(cluster):
    rc, lines = run(cluster, "object", "--async", "--json")
    rows = [json.loads(line) for line in lines]
    assert rc == 0 and len(rows) == 4
    assert all(r["what"] == "async" and r["status"] == 200 and r["server_type"] == "object"
               for r in rows)


def test_checks_a_server_type_cannot_answer_are_skipped(cluster):
    rc, lines = run(cluster, "account", "--expirer", "--async")
    assert rc == 0 and not any("Checking" in line for line in lines)


def test_unknown_server_type_is_a_usage_error(cluster, capsys):
    assert run(cluster, "frob")[0] == 2
    assert "unknown server type frob" in capsys.readouterr().err


def test_stats_line_says_when_nobody_answered():
    assert recon.stats_line("x", {"a": None}) == "[x] - No hosts returned valid data."
    assert recon.stats_line("x", {"a": 1, "b": None}) == (
        "[x] low: 1, high: 1, avg: 1.0, total: 1, Failed: 50.0%, no_result: 1, reported: 1")


def test_sync_lines_show_the_worst_replica_of_each_container():
    now = 1000.0
    answers = {
        "h1:1": {"containers": {"AUTH_a/c": {"sync_to": "//r/w/AUTH_a/c", "rows_behind": 2,
                                             "last_success": 990.0, "last_error": "",
                                             "last_error_at": 0}}},
        "h2:1": {"containers": {"AUTH_a/c": {"sync_to": "//r/w/AUTH_a/c", "rows_behind": 7,
                                             "last_success": 900.0,
                                             "last_error": "PUT answered 503",
                                             "last_error_at": 995.0}}},
        "h3:1": None,
    }
    [line] = recon.sync_container_lines(answers, now)
    assert line.startswith("AUTH_a/c -> //r/w/AUTH_a/c: 7 rows behind, last success ")
    assert "(1 minutes ago)" in line
    assert line.endswith("failing on h2:1 since %s: PUT answered 503" % recon._when(995.0, now))
    assert recon.sync_container_lines({"h1:1": None}, now) == [
        "[container_sync] - No synced containers reported."]


def test_tiering_lines_show_objects_per_tier_and_moves_of_the_node_running_the_tierer():
    answers = {"h1:1": {"tiers": {"gold": {"min_reads": 5, "objects": 3},
                                  "bronze": {"min_reads": 0, "objects": 7}},
                        "moves": {"done": 9, "queued": 1}},
               "h2:1": None}
    assert recon.tiering_lines(answers) == [
        "[tiering] h1:1: objects per tier: gold 3, bronze 7; moves: done 9, queued 1"]
    assert recon.tiering_lines({"h2:1": None}) == ["[tiering] - No tierer reported."]
