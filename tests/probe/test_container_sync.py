"""Container sync between two real clusters under faults: the daemon
killed -9 mid-batch, the remote cluster stopped mid-sync, a response lost
after the remote applied a PUT, deletes racing the sync, the same name
written on both sides, and an object POST (sent as a POST). Afterwards
both containers list the same names with the same ETags and timestamps:
nothing missing, nothing written twice, nothing deleted come back
(docs/container-sync.md).

One shared setup for the module: both clusters, one sync driver per
cluster (a pass of every node's daemon on demand, no interval waited for)
and a relay in front of west's proxy, named ``westrelay`` in east's realm
file, that a test routes a container's sync through when it needs a
request applied with its answer held or lost. Holding answers is how a
test catches the sync mid-batch every time, with few objects.

Needs the second cluster (saio/remote start, SAIO2_* ports); started here
if it is not running.
"""

from __future__ import annotations

import http.client
import json
import shutil
import time
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import urlparse

import pytest
import swiftclient

from objstore.container.sync import replica_share
from sync_clusters import (EAST, WEST, Relay, converge, each_name, ensure_both, healthy,
                           kill_west_proxy, listing_names, primary_dbs, primary_nodes, put_many,
                           realms_file, restart_west_proxy, state, stop_west, unique, wait_for)
from swift_cleanup import delete_container

ACCOUNT = "AUTH_test"
KEY = "probe-sync-key"


def _write(path: str, text: str) -> None:
    with open(path + ".tmp", "w") as fp:
        fp.write(text)
    shutil.move(path + ".tmp", path)


@pytest.fixture(scope="module")
def relay():
    """Both clusters up with their sync drivers, and the relay to west as
    cluster ``westrelay`` of east's realm; all undone afterwards (west
    stopped again if it was started here)."""
    started = not healthy(WEST)
    ensure_both()
    relay = Relay(WEST.proxy_port)
    with open(realms_file(EAST)) as fp:  # without the line a killed session left
        original = "".join(line for line in fp if not line.startswith("cluster_westrelay"))
    _write(realms_file(EAST),
           original + "cluster_westrelay = http://127.0.0.1:%d/v1/\n" % relay.port)
    try:
        for cluster in (EAST, WEST):
            cluster.start_driver()
        yield relay
    finally:
        for cluster in (EAST, WEST):
            cluster.kill_daemons()
            cluster.stop_driver()
        _write(realms_file(EAST), original)
        relay.close()
        if not healthy(WEST):
            restart_west_proxy()
        if started:
            stop_west()


def _unsync_and_delete(cluster, name):
    conn = cluster.conn()
    try:
        conn.post_container(name, headers={"X-Container-Sync-To": "",
                                           "X-Container-Sync-Key": ""})
    except swiftclient.ClientException:
        return

    def delete(one: swiftclient.Connection, obj: str) -> None:
        try:  # 8 at a time; delete_container checks the rest
            one.delete_object(name, obj)
        except swiftclient.ClientException:
            pass
    each_name(cluster, delete, listing_names(cluster, name))
    delete_container(conn, name)


@pytest.fixture
def pair(relay):
    """The same container on both clusters, east syncing to west (the test
    may add west -> east); both removed afterwards."""
    name = unique("sync")
    WEST.conn().put_container(name, headers={"X-Container-Sync-Key": KEY})
    EAST.conn().put_container(name, headers={
        "X-Container-Sync-To": "//saio/west/%s/%s" % (ACCOUNT, name),
        "X-Container-Sync-Key": KEY})
    yield name
    relay.reset()
    EAST.kill_daemons()
    if not healthy(WEST):
        restart_west_proxy()
    for cluster in (EAST, WEST):
        _unsync_and_delete(cluster, name)


def _via_relay(name: str) -> None:
    """East's container syncs through the relay (the container servers take
    the new realm cluster once they have read the realm file again)."""
    def routed() -> bool:
        try:
            EAST.conn().post_container(name, headers={
                "X-Container-Sync-To": "//saio/westrelay/%s/%s" % (ACCOUNT, name)})
        except swiftclient.ClientException as err:
            assert err.http_status == 400, err
            return False
        return True
    wait_for(routed, 10, "east never took the relay's cluster")


def _writes(relay: Relay) -> list:
    """``(method, object, status)`` of what went through the relay but HEADs."""
    return sorted((method, path.rsplit("/", 1)[1], status)
                  for method, path, status, _dropped in relay.seen if method != "HEAD")


def _in_flight(pair: str, relay: Relay, count: int, answers: int, start) -> None:
    """``count`` objects on east, synced through the relay by ``start()``
    until ``answers`` answers came back and at least three more requests
    were applied on west with their answers held: the sync is mid-batch."""
    put_many(EAST, pair, ["o-%03d" % i for i in range(count)], 4096)
    _via_relay(pair)
    relay.hold_after(answers)
    start()
    # (real daemons first look at every container database of the SAIO)
    wait_for(lambda: relay.held >= 3, 120, "the sync never had requests in flight")


def _in_background(func, *args) -> Future:
    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(func, *args)
    finally:
        pool.shutdown(wait=False)


def test_kill_9_mid_batch_then_restart_loses_and_duplicates_nothing(pair, relay):
    # the daemons of the nodes holding the container (the fourth has nothing to do)
    _in_flight(pair, relay, 60, 30,
               lambda: EAST.start_daemons(primary_nodes(EAST, ACCOUNT, pair)))
    EAST.kill_daemons()
    relay.release()  # the held answers go to dead daemons
    expected = state(EAST, pair)
    on_west = set(listing_names(WEST, pair))
    assert len(on_west) < len(expected), "the whole sync finished before the kill"
    # what the killed daemons recorded is durable and never ahead of the
    # remote: each replica's share up to its point2 is all on west (30
    # answers are more than one batch of 20 rows holds for all replicas
    # together, so at least one replica recorded a point)
    progressed = 0
    for replica, broker in primary_dbs(EAST, ACCOUNT, pair):
        _point1, point2 = broker.get_sync_points()
        progressed += point2 > 0
        confirmed = [r["name"] for r in broker.get_items_since(-1, 10000)
                     if r["row_id"] <= point2 and replica_share(r["name"], 3) == replica]
        assert set(confirmed) <= on_west
    assert progressed, "no replica recorded progress before the kill"
    converge(pair, (EAST,), expected)
    assert int(WEST.conn().head_container(pair)["x-container-object-count"]) == len(expected)
    EAST.sync_once(pair)  # the last rows of the other replicas' shares are checked a pass later
    entries = EAST.sync_status(ACCOUNT, pair)
    assert len(entries) == 3 and all(e["rows_behind"] == 0 for e in entries)


def test_remote_cluster_stopped_mid_sync_catches_up_when_back(pair, relay):
    passing = []
    _in_flight(pair, relay, 60, 15, lambda: passing.append(_in_background(EAST.sync_once, pair)))
    expected = state(EAST, pair)
    kill_west_proxy()
    try:
        on_west = max(broker.get_info()["object_count"]
                      for _i, broker in primary_dbs(WEST, ACCOUNT, pair))
        assert on_west < len(expected), "the whole sync finished before the stop"
        relay.release()  # the requests applied before the kill are answered; the rest fail
        stats = passing[0].result(timeout=120)
        assert stats["rows_failed"] > 0 and stats["errors"] > 0
        # the next pass tries again, fails again, and recon says so
        stats = EAST.sync_once(pair)
        assert stats["rows_failed"] > 0 and stats["rows_synced"] == 0
        entries = EAST.sync_status(ACCOUNT, pair)
        assert any(e["last_error_at"] > e["last_success"] and e["rows_behind"] > 0
                   for e in entries), entries
    finally:
        restart_west_proxy()
    converge(pair, (EAST,), expected)
    EAST.sync_once(pair)
    assert all(e["last_success"] >= e["last_error_at"] and e["rows_behind"] == 0
               for e in EAST.sync_status(ACCOUNT, pair))


def test_a_put_applied_whose_response_was_lost_is_not_written_twice(pair, relay):
    victim = "victim"
    drops = {"left": 3}  # every try of the first pass (request_tries = 3)

    def drop(method, path):
        if method == "PUT" and path.endswith("/" + victim) and drops["left"] > 0:
            drops["left"] -= 1
            return True
        return False
    relay.drop = drop
    _via_relay(pair)
    EAST.conn().put_object(pair, victim, b"the one and only")
    put_many(EAST, pair, ["other-%d" % i for i in range(5)], 1024)
    expected = state(EAST, pair)
    EAST.sync_once(pair)
    puts = [s for s in relay.seen if s[0] == "PUT" and s[1].endswith("/" + victim)]
    assert [(s[2], s[3]) for s in puts] == [(201, True), (202, True), (202, True)], \
        "the remote stored the first try, refused the replays as not newer"
    entries = EAST.sync_status(ACCOUNT, pair)
    assert any("victim" in e["last_error"] and e["rows_behind"] > 0 for e in entries)
    converge(pair, (EAST,), expected)
    assert WEST.conn().get_object(pair, victim)[1] == b"the one and only"
    assert expected[victim][1] == state(WEST, pair)[victim][1]


def test_deletes_during_sync_are_synced_and_nothing_comes_back(pair, relay):
    passing = []
    _in_flight(pair, relay, 40, 10, lambda: passing.append(_in_background(EAST.sync_once, pair)))
    conn = EAST.conn()
    names = listing_names(EAST, pair)
    gone = names[::2]  # some on west already, some in flight, some not sent yet
    for name in gone:
        conn.delete_object(pair, name)
    relay.release()
    passing[0].result(timeout=120)
    expected = state(EAST, pair)
    assert sorted(expected) == sorted(set(names) - set(gone))
    converge(pair, (EAST,), expected)
    # every row again, from scratch: a replay never resurrects a deleted object
    conn.post_container(pair, headers={
        "X-Container-Sync-To": "//saio/west/%s/%s/" % (ACCOUNT, pair)})  # resets the points
    EAST.sync_once(pair)
    EAST.sync_once(pair)
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


@pytest.fixture
def second(relay):
    """A second container on both clusters with the sync key, not syncing
    yet (the test sets its X-Container-Sync-To); both removed afterwards."""
    name = unique("sync2")
    for cluster in (WEST, EAST):
        cluster.conn().put_container(name, headers={"X-Container-Sync-Key": KEY})
    yield name
    for cluster in (EAST, WEST):
        _unsync_and_delete(cluster, name)


def _sync_to_west(name: str) -> None:
    EAST.conn().post_container(name, headers={
        "X-Container-Sync-To": "//saio/west/%s/%s" % (ACCOUNT, name)})


def _post_raw(cluster, path: str, headers: dict) -> int:
    """A POST whose answer is not followed (a symlink's is a 307)."""
    url, token = cluster.conn().get_auth()
    conn = http.client.HTTPConnection("127.0.0.1", cluster.proxy_port, timeout=30)
    conn.request("POST", "%s/%s" % (urlparse(url).path, path),
                 headers=dict(headers, **{"X-Auth-Token": token}))
    status = conn.getresponse().status
    conn.close()
    return status


def test_large_objects_and_symlinks_read_and_list_the_same_and_their_posts_sync_as_posts(
        pair, second, relay):
    segments = second
    _sync_to_west(segments)
    _via_relay(pair)  # to see what is sent
    east, west = EAST.conn(), WEST.conn()
    parts = [bytes([65 + i]) * (64 * 1024 + i) for i in range(3)]
    for i, part in enumerate(parts):
        east.put_object(segments, "seg/%d" % i, part)
    manifest = [{"path": "/%s/seg/%d" % (segments, i)} for i in range(3)]
    east.put_object(pair, "slo", json.dumps(manifest), query_string="multipart-manifest=put")
    east.put_object(pair, "dlo", b"", headers={"X-Object-Manifest": segments + "/seg/"})
    east.put_object(pair, "target", b"pointed at")
    east.put_object(pair, "link", b"", headers={"X-Symlink-Target": pair + "/target"})
    etag = east.head_object(pair, "target")["etag"]
    east.put_object(pair, "static", b"", headers={"X-Symlink-Target": pair + "/target",
                                                  "X-Symlink-Target-Etag": etag})
    converge(segments, (EAST,), state(EAST, segments))
    converge(pair, (EAST,), state(EAST, pair))
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
    assert west.get_container(pair)[1] == east.get_container(pair)[1]
    # metadata POSTed on each kind of object travels as a POST, no body again
    time.sleep(0.02)
    posted = {"X-Object-Meta-Color": "blue", "Content-Type": "image/png"}
    for name in ("slo", "static", "target"):
        east.post_object(pair, name, headers=posted)
    east.post_object(pair, "dlo", headers=dict(posted, **{  # a DLO stays one only so
        "X-Object-Manifest": segments + "/seg/"}))
    assert _post_raw(EAST, "%s/link" % pair, posted) == 307  # applied to the link itself
    relay.seen = []
    EAST.sync_once(pair)
    assert _writes(relay) == [("POST", "dlo", 202), ("POST", "link", 307), ("POST", "slo", 202),
                              ("POST", "static", 307), ("POST", "target", 202)]
    converge(pair, (EAST,), state(EAST, pair))
    per_request = ("date", "x-trans-id", "x-openstack-request-id")
    for name in ("slo", "dlo", "link", "static", "target"):
        here, there = [{k: v for k, v in conn.head_object(
            pair, name, query_string="multipart-manifest=get&symlink=get").items()
            if k not in per_request} for conn in (east, west)]
        assert there == here and there["x-object-meta-color"] == "blue"
    for name in ("slo", "dlo"):
        assert west.get_object(pair, name)[1] == whole
    assert west.get_container(pair)[1] == east.get_container(pair)[1]


def test_a_static_link_synced_before_its_target_is_kept_and_reads_once_the_target_is_there(
        pair, second, relay):
    _via_relay(pair)  # to see what is sent
    east, west = EAST.conn(), WEST.conn()
    east.put_object(second, "target", b"arrives later")
    etag = east.head_object(second, "target")["etag"]
    east.put_object(pair, "static", b"", headers={"X-Symlink-Target": second + "/target",
                                                  "X-Symlink-Target-Etag": etag})
    EAST.sync_once(pair)  # second is not synced yet: west has no target
    assert _writes(relay) == [("PUT", "static", 201)]  # taken at once, not refused and retried
    link = west.head_object(pair, "static", query_string="symlink=get")
    assert (link["x-symlink-target-etag"], link["x-symlink-target-bytes"]) == (etag, "13")
    assert west.get_container(pair)[1] == east.get_container(pair)[1]
    with pytest.raises(swiftclient.ClientException) as err:
        west.get_object(pair, "static")
    assert err.value.http_status == 404
    _sync_to_west(second)
    converge(second, (EAST,), state(EAST, second))
    assert west.get_object(pair, "static")[1] == b"arrives later"


def test_a_post_reaches_the_remote_as_a_post_of_its_own_time_and_a_replay_changes_nothing(
        pair, relay):
    _via_relay(pair)  # to see what is sent
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
    relay.seen = []
    EAST.sync_once(pair)
    assert _writes(relay) == [("POST", "doc", 202)]  # the metadata alone, no body again
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
    EAST.sync_once(pair)
    assert west.head_object(pair, "doc")["x-timestamp"] == posted["x-timestamp"]
    assert west.head_object(pair, "doc")["x-object-meta-color"] == "blue"
