"""Container sync between two real clusters under faults: the daemon
killed -9 mid-batch, the remote cluster stopped mid-sync, a response lost
after the remote applied a PUT, deletes racing the sync, the same name
written on both sides, and an object POST (sent as a POST). Afterwards
both containers list the same names with the same ETags and timestamps:
nothing missing, nothing written twice, nothing deleted come back
(docs/container-sync.md).

Needs the second cluster (saio/remote start, SAIO2_* ports); started here
if it is not running.
"""

from __future__ import annotations

import json
import shutil
import time

import pytest
import swiftclient

from objstore.common.recon import fetch_recon
from objstore.container.sync import replica_share
from sync_clusters import (EAST, NODES, WEST, DroppingRelay, converge, ensure_both, healthy,
                           listing_names, primary_dbs, put_many, realms_file, start_west, state,
                           stop_west, unique, wait_for, wait_rows)
from swift_cleanup import delete_container

ACCOUNT = "AUTH_test"
KEY = "probe-sync-key"


@pytest.fixture(scope="module")
def clusters():
    """Both clusters up; west stopped again afterwards if it was started here."""
    started = not healthy(WEST)
    ensure_both()
    yield EAST, WEST
    if started:
        stop_west()


def _unsync_and_delete(cluster, name):
    conn = cluster.conn()
    try:
        conn.post_container(name, headers={"X-Container-Sync-To": "",
                                           "X-Container-Sync-Key": ""})
    except swiftclient.ClientException:
        return
    delete_container(conn, name)


@pytest.fixture
def pair(clusters):
    """The same container on both clusters, east syncing to west (the test
    may add west -> east); both removed afterwards."""
    name = unique("sync")
    WEST.conn().put_container(name, headers={"X-Container-Sync-Key": KEY})
    EAST.conn().put_container(name, headers={
        "X-Container-Sync-To": "//saio/west/%s/%s" % (ACCOUNT, name),
        "X-Container-Sync-Key": KEY})
    yield name
    for cluster in (EAST, WEST):
        cluster.kill_daemons()
    if not healthy(WEST):
        start_west()
    for cluster in (EAST, WEST):
        _unsync_and_delete(cluster, name)


def test_kill_9_mid_batch_then_restart_loses_and_duplicates_nothing(pair):
    names = ["obj-%03d" % i for i in range(240)]
    put_many(EAST, pair, names, 32 * 1024)
    expected = state(EAST, pair)
    EAST.start_daemons()
    # kill as soon as some of the rows arrived: batches are in flight
    wait_for(lambda: len(listing_names(WEST, pair)) >= 20, 120, "the sync never started")
    EAST.kill_daemons()
    on_west = set(listing_names(WEST, pair))
    assert len(on_west) < len(names), "the whole sync finished before the kill; nothing probed"
    # what the killed daemons recorded is durable and never ahead of the
    # remote: each replica's share up to its point2 is all on west
    progressed = 0
    for replica, broker in primary_dbs(EAST, ACCOUNT, pair):
        _point1, point2 = broker.get_sync_points()
        progressed += point2 > 0
        confirmed = [r["name"] for r in broker.get_items_since(-1, 10000)
                     if r["row_id"] <= point2 and replica_share(r["name"], 3) == replica]
        assert set(confirmed) <= on_west
    assert progressed, "no replica recorded progress before the kill"
    converge(pair, (EAST,), expected)
    assert int(WEST.conn().head_container(pair)["x-container-object-count"]) == len(names)
    EAST.sync_once()  # the last rows of the other replicas' shares are checked a pass later
    entries = EAST.sync_status(ACCOUNT, pair)
    assert len(entries) == 3 and all(e["rows_behind"] == 0 for e in entries)


def test_remote_cluster_stopped_mid_sync_catches_up_when_back(pair):
    names = ["r-%03d" % i for i in range(240)]
    put_many(EAST, pair, names, 32 * 1024)
    expected = state(EAST, pair)
    EAST.start_daemons()
    wait_for(lambda: len(listing_names(WEST, pair)) >= 10, 120, "the sync never started")
    stop_west()
    try:
        # west is down: count what its container databases hold
        on_west = max(broker.get_info()["object_count"]
                      for _i, broker in primary_dbs(WEST, ACCOUNT, pair))
        assert on_west < len(names), "the whole sync finished before the stop; nothing probed"
        # the daemons keep trying and say so in recon: an error, rows behind
        wait_rows(EAST, ACCOUNT, pair, lambda es: any(
            e["last_error_at"] > e["last_success"] and e["rows_behind"] > 0 for e in es),
            120, "recon never showed the failing sync")
    finally:
        EAST.kill_daemons()
        start_west()
    converge(pair, (EAST,), expected)
    EAST.sync_once()
    assert all(e["last_success"] >= e["last_error_at"] and e["rows_behind"] == 0
               for e in EAST.sync_status(ACCOUNT, pair))


def test_a_put_applied_whose_response_was_lost_is_not_written_twice(pair):
    victim = "victim"
    drops = {"left": 3}  # every try of the first pass (request_tries = 3)

    def drop(method, path):
        if method == "PUT" and path.endswith("/" + victim) and drops["left"] > 0:
            drops["left"] -= 1
            return True
        return False
    relay = DroppingRelay(WEST.proxy_port, drop)
    original = open(realms_file(EAST)).read()
    try:
        # a route to west through the relay, for east's container servers and daemons
        with open(realms_file(EAST), "a") as fp:
            fp.write("cluster_westrelay = http://127.0.0.1:%d/v1/\n" % relay.port)
        time.sleep(2.5)  # re-read after mtime_check_interval = 1
        EAST.conn().post_container(pair, headers={
            "X-Container-Sync-To": "//saio/westrelay/%s/%s" % (ACCOUNT, pair)})
        EAST.conn().put_object(pair, victim, b"the one and only")
        put_many(EAST, pair, ["other-%d" % i for i in range(5)], 1024)
        expected = state(EAST, pair)
        EAST.sync_once()
        puts = [s for s in relay.seen if s[0] == "PUT" and s[1].endswith("/" + victim)]
        assert [(s[2], s[3]) for s in puts] == [(201, True), (202, True), (202, True)], \
            "the remote stored the first try, refused the replays as not newer"
        entries = EAST.sync_status(ACCOUNT, pair)
        assert any("victim" in e["last_error"] and e["rows_behind"] > 0 for e in entries)
        converge(pair, (EAST,), expected)
        assert WEST.conn().get_object(pair, victim)[1] == b"the one and only"
        assert expected[victim][1] == state(WEST, pair)[victim][1]
    finally:
        with open(realms_file(EAST) + ".tmp", "w") as fp:
            fp.write(original)
        shutil.move(realms_file(EAST) + ".tmp", realms_file(EAST))
        relay.close()


def test_deletes_during_sync_are_synced_and_nothing_comes_back(pair):
    names = ["d-%03d" % i for i in range(120)]
    put_many(EAST, pair, names, 16 * 1024)
    EAST.start_daemons()
    wait_for(lambda: len(listing_names(WEST, pair)) >= 10, 120, "the sync never started")
    conn = EAST.conn()
    gone = names[::2]
    for name in gone:
        conn.delete_object(pair, name)
    EAST.kill_daemons()
    expected = state(EAST, pair)
    assert sorted(expected) == sorted(set(names) - set(gone))
    converge(pair, (EAST,), expected)
    # every row again, from scratch: a replay never resurrects a deleted object
    for cluster_conn in (EAST.conn(), ):
        cluster_conn.post_container(pair, headers={
            "X-Container-Sync-To": "//saio/west/%s/%s/" % (ACCOUNT, pair)})  # resets the points
    EAST.sync_once()
    EAST.sync_once()
    assert state(WEST, pair) == expected
    for name in gone[:5]:
        with pytest.raises(swiftclient.ClientException) as err:
            WEST.conn().head_object(pair, name)
        assert err.value.http_status == 404


def test_the_same_name_written_on_both_sides_ends_as_the_newer_everywhere(pair):
    WEST.conn().post_container(pair, headers={
        "X-Container-Sync-To": "//saio/east/%s/%s" % (ACCOUNT, pair)})
    east, west = EAST.conn(), WEST.conn()
    west.put_object(pair, "x", b"west first")
    east.put_object(pair, "y", b"east first")
    time.sleep(0.05)
    east.put_object(pair, "x", b"east later")   # east's x is newer
    west.put_object(pair, "y", b"west later")   # west's y is newer
    east.put_object(pair, "only-east", b"e")
    west.put_object(pair, "only-west", b"w")
    newer = {"x": state(EAST, pair)["x"], "y": state(WEST, pair)["y"],
             "only-east": state(EAST, pair)["only-east"],
             "only-west": state(WEST, pair)["only-west"]}
    converge(pair, (EAST, WEST), newer)
    assert east.get_object(pair, "x")[1] == west.get_object(pair, "x")[1] == b"east later"
    assert east.get_object(pair, "y")[1] == west.get_object(pair, "y")[1] == b"west later"
    # a delete on one side wins over the older object on both
    west.delete_object(pair, "x")
    del newer["x"]
    converge(pair, (EAST, WEST), newer)


def test_large_objects_and_symlinks_read_the_same_on_the_other_cluster(pair, tmp_path):
    segments = pair + "_segments"
    WEST.conn().put_container(segments, headers={"X-Container-Sync-Key": KEY})
    EAST.conn().put_container(segments, headers={
        "X-Container-Sync-To": "//saio/west/%s/%s" % (ACCOUNT, segments),
        "X-Container-Sync-Key": KEY})
    try:
        east = EAST.conn()
        parts = [bytes([65 + i]) * (1024 * 1024 + i) for i in range(3)]
        for i, part in enumerate(parts):
            east.put_object(segments, "seg/%d" % i, part)
        manifest = [{"path": "/%s/seg/%d" % (segments, i)} for i in range(3)]
        east.put_object(pair, "slo", json.dumps(manifest),
                        query_string="multipart-manifest=put")
        east.put_object(pair, "dlo", b"", headers={"X-Object-Manifest": segments + "/seg/"})
        east.put_object(pair, "target", b"pointed at")
        east.put_object(pair, "link", b"", headers={"X-Symlink-Target": pair + "/target"})
        etag = east.head_object(pair, "target")["etag"]
        east.put_object(pair, "static", b"", headers={"X-Symlink-Target": pair + "/target",
                                                      "X-Symlink-Target-Etag": etag})
        converge(segments, (EAST,), state(EAST, segments))
        converge(pair, (EAST,), state(EAST, pair))
        west = WEST.conn()
        whole = b"".join(parts)
        for name in ("slo", "dlo"):
            headers, body = west.get_object(pair, name)
            assert body == whole
            assert headers["etag"] == east.head_object(pair, name)["etag"]
        assert int(west.head_object(pair, "slo")["content-length"]) == len(whole)
        for name in ("link", "static"):
            assert west.get_object(pair, name)[1] == b"pointed at"
            assert west.head_object(pair, name, query_string="symlink=get")[
                "x-symlink-target"] == pair + "/target"
    finally:
        _unsync_and_delete(EAST, segments)
        _unsync_and_delete(WEST, segments)


def test_a_post_reaches_the_remote_as_a_post_of_its_own_time_and_a_replay_changes_nothing(
        pair):
    east, west = EAST.conn(), WEST.conn()
    east.put_object(pair, "doc", b"the data", content_type="text/plain",
                    headers={"X-Object-Meta-Color": "red"})
    converge(pair, (EAST,), state(EAST, pair))
    before = west.head_object(pair, "doc")
    assert before["x-object-meta-color"] == "red"
    time.sleep(0.02)
    east.post_object(pair, "doc", headers={"X-Object-Meta-Color": "blue",
                                           "Content-Type": "image/png"})
    posted = east.head_object(pair, "doc")
    assert posted["x-timestamp"] > before["x-timestamp"]
    EAST.sync_once()
    passes = [fetch_recon("127.0.0.1", EAST.port_base + 1 + n * 10, "container_sync", 5)[1]
              for n in NODES]
    # the metadata went as a POST: no body sent again
    assert sum(p["stats"]["posts"] for p in passes) >= 1
    assert sum(p["stats"]["puts"] for p in passes) == 0
    converge(pair, (EAST,), state(EAST, pair))  # same ETag, the POST's X-Timestamp on both
    after = west.head_object(pair, "doc")
    assert after["x-object-meta-color"] == "blue" and after["content-type"] == "image/png"
    assert after["x-timestamp"] == posted["x-timestamp"]
    assert west.get_object(pair, "doc")[1] == b"the data"
    [row] = west.get_container(pair)[1]
    assert row["content_type"] == "image/png"
    assert row["last_modified"] == east.get_container(pair)[1][0]["last_modified"]
    # the whole container synced again from the start: nothing changes
    for _db_node, broker in primary_dbs(EAST, ACCOUNT, pair):
        broker.set_sync_points(-1, -1)
    EAST.sync_once()
    assert west.head_object(pair, "doc")["x-timestamp"] == posted["x-timestamp"]
    assert west.head_object(pair, "doc")["x-object-meta-color"] == "blue"
