"""ssync: replication over the object servers' HTTP, against real servers."""

import json
import os
import shutil
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_cluster import ObjCluster  # noqa: E402

from objstore.common.daemon import load_daemon_conf  # noqa: E402
from objstore.common.http_client import http_connect  # noqa: E402
from objstore.common.timestamp import Timestamp  # noqa: E402
from objstore.obj import ssync  # noqa: E402
from objstore.obj.metadata import read_metadata  # noqa: E402
from objstore.obj.replicator import ObjectReplicator  # noqa: E402

_counter = [0]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = ObjCluster(str(tmp_path_factory.mktemp("ssynccluster")), kinds=("object",))
    try:
        yield c
    finally:
        c.stop()


def unique_path():
    _counter[0] += 1
    return "/AUTH_ssync/c/o-%d-%d" % (os.getpid(), _counter[0])


def placement(cluster, path):
    _e, a, c, o = path.split("/", 3)
    return cluster.placement("object", a, c, o)


def replicator(srv, **overrides):
    """An ssync replicator; rsync_port=1 makes any stray rsync use fail."""
    conf = load_daemon_conf(srv.conf, ObjectReplicator.name)
    conf.update({"sync_method": "ssync", "rsync_port": "1"})
    conf.update({k: str(v) for k, v in overrides.items()})
    return ObjectReplicator(conf)


def node_of(cluster, srv):
    ring = cluster.ring("object")
    return next(d for d in ring.devs if d and d["port"] == srv.port)


def sender(cluster, src, dst, part):
    return ssync.Sender(cluster.mgr(src), src.device, str(part), 0, node_of(cluster, dst),
                        timeout=10)


def suffix_of(cluster, srv, path):
    _e, a, c, o = path.split("/", 3)
    return cluster.mgr(srv).object_hash(a, c, o)[-3:]


def disk_metadata(cluster, srv, part, path):
    """The .data's xattr metadata and the .meta's, read straight off disk."""
    _e, a, c, o = path.split("/", 3)
    df = cluster.mgr(srv).get_diskfile(srv.device, str(part), a, c, o)
    out = {}
    for name in os.listdir(df.datadir):
        out[name.rsplit(".", 1)[1]] = read_metadata(os.path.join(df.datadir, name), df.datadir)
    return out


def ssync_request(srv, part, headers, body=b"", chunked=False):
    conn = http_connect("127.0.0.1", srv.port, srv.device, part, "SSYNC", "", headers=dict(
        headers, **({"Transfer-Encoding": "chunked"} if chunked else
                    {"Content-Length": str(len(body))})), timeout=10)
    if chunked:
        conn.send_chunk(body)
        conn.end_chunks()
    else:
        conn.send(body)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


# ---------------------------------------------------------------- probe-style

def test_ssync_replication_gives_the_peer_bytes_metadata_and_tombstones(cluster):
    live, meta_posted, deleted = unique_path(), unique_path(), unique_path()
    part, primaries, _ = placement(cluster, live)
    src, peers = primaries[0], primaries[1:]
    t0 = Timestamp(time.time() - 30)
    body = os.urandom(200000)
    assert cluster.put(src, part, live, body, {
        "X-Object-Meta-Color": "blue", "Content-Type": "image/x-test",
        "Content-Disposition": "inline", "X-Object-Sysmeta-Owner": "me"}) == 201
    for path in (meta_posted, deleted):
        p2, prim2, _ = placement(cluster, path)
        assert cluster.put(prim2[0], p2, path, b"older", ts=t0) == 201
    p_meta, prim_meta, _ = placement(cluster, meta_posted)
    status, _h, _b = prim_meta[0].request("POST", "/%s/%d%s" % (prim_meta[0].device, p_meta,
                                                                   meta_posted), {
        "X-Timestamp": Timestamp.now().internal, "X-Object-Meta-Posted": "yes"})
    assert status == 202
    p_del, prim_del, _ = placement(cluster, deleted)
    assert cluster.delete(prim_del[0], p_del, deleted) == 204

    for srv in {id(s): s for s in (src, prim_meta[0], prim_del[0])}.values():
        stats = replicator(srv).run_once()
        assert stats["failure"] == 0 and stats["rsync_calls"] == 0

    for peer in peers:
        assert cluster.get(peer, part, live) == (200, body)
        here, there = disk_metadata(cluster, src, part, live), disk_metadata(cluster, peer,
                                                                              part, live)
        assert there["data"] == here["data"]  # every key, including name and sysmeta
    for peer in prim_meta[1:]:
        status, headers, data = peer.request("GET", "/%s/%d%s" % (peer.device, p_meta,
                                                                   meta_posted))
        assert (status, data, headers["x-object-meta-posted"]) == (200, b"older", "yes")
        assert sorted(f.rsplit(".", 1)[1] for f in
                      cluster.hash_dir_files(peer, p_meta, meta_posted)) == ["data", "meta"]
    for peer in prim_del[1:]:
        files = cluster.hash_dir_files(peer, p_del, deleted)
        assert len(files) == 1 and files[0].endswith(".ts"), files
        assert disk_metadata(cluster, peer, p_del, deleted)["ts"]["name"] == deleted


def test_a_second_ssync_pass_finds_everything_in_sync(cluster):
    path = unique_path()
    part, primaries, _ = placement(cluster, path)
    assert cluster.put(primaries[0], part, path, b"abc") == 201
    replicator(primaries[0]).run_once()
    again = replicator(primaries[0]).run_once()
    assert again["suffixes_synced"] == 0 and again["failure"] == 0


def test_wiped_objects_tree_is_refilled_over_ssync(cluster):
    paths = [unique_path() for _ in range(5)]
    for path in paths:
        part, primaries, _ = placement(cluster, path)
        for srv in primaries:
            assert cluster.put(srv, part, path, path.encode()) == 201
    part0, primaries0, _ = placement(cluster, paths[0])
    victim = primaries0[0]
    shutil.rmtree(os.path.join(victim.devices, victim.device, "objects"))
    for srv in primaries0[1:]:
        replicator(srv).run_once()
    for path in paths:
        part, primaries, _ = placement(cluster, path)
        if victim in primaries:
            assert cluster.get(victim, part, path) == (200, path.encode())


def test_handoff_partition_moves_home_over_ssync_and_is_removed(cluster):
    path = unique_path()
    part, primaries, handoffs = placement(cluster, path)
    assert cluster.put(handoffs[0], part, path, b"misplaced") == 201
    stats = replicator(handoffs[0]).run_once()
    assert all(cluster.get(srv, part, path) == (200, b"misplaced") for srv in primaries)
    assert not cluster.has_object(handoffs[0], part, path)
    assert stats["handoffs"] >= 1


# ------------------------------------------------------------- the sender

def test_only_the_newer_metadata_is_sent_when_the_peer_has_the_data(cluster):
    path = unique_path()
    part, (src, dst, _third), _ = placement(cluster, path)
    t0 = Timestamp(time.time() - 20)
    for srv in (src, dst):
        assert cluster.put(srv, part, path, b"same", ts=t0) == 201
    status, _h, _b = src.request("POST", "/%s/%d%s" % (src.device, part, path), {
        "X-Timestamp": Timestamp.now().internal, "X-Object-Meta-K": "v"})
    assert status == 202
    snd = sender(cluster, src, dst, part)
    wanted = snd.missing_check(dict(cluster.mgr(src).yield_hashes(
        src.device, str(part), 0, [suffix_of(cluster, src, path)])))
    assert list(wanted.values()) == ["m"]
    assert snd.send_updates(wanted) and snd.sent == 1
    assert dst.request("HEAD", "/%s/%d%s" % (dst.device, part, path))[1][
        "x-object-meta-k"] == "v"


def test_a_peer_holding_a_newer_version_keeps_it(cluster):
    path = unique_path()
    part, (src, dst, _third), _ = placement(cluster, path)
    assert cluster.put(src, part, path, b"old", ts=Timestamp(time.time() - 20)) == 201
    assert cluster.put(dst, part, path, b"new") == 201
    snd = sender(cluster, src, dst, part)
    assert snd.sync([suffix_of(cluster, src, path)])
    assert cluster.get(dst, part, path) == (200, b"new")


def test_an_expired_object_is_replicated_like_any_other(cluster):
    path = unique_path()
    part, (src, dst, _third), _ = placement(cluster, path)
    # Written 30 s ago to expire 10 s ago: expired already, with no sleep.
    ts = Timestamp(time.time() - 30)
    assert cluster.put(src, part, path, b"soon gone",
                       {"X-Delete-At": str(int(float(ts)) + 20)}, ts=ts) == 201
    snd = sender(cluster, src, dst, part)
    assert snd.sync([suffix_of(cluster, src, path)])
    assert any(f.endswith(".data") for f in cluster.hash_dir_files(dst, part, path))


def test_damaged_local_bytes_are_refused_by_the_peer_and_fail_the_sync(cluster):
    path = unique_path()
    part, (src, dst, _third), _ = placement(cluster, path)
    assert cluster.put(src, part, path, b"A" * 5000) == 201
    _e, a, c, o = path.split("/", 3)
    df = cluster.mgr(src).get_diskfile(src.device, str(part), a, c, o)
    data = [f for f in os.listdir(df.datadir) if f.endswith(".data")][0]
    with open(os.path.join(df.datadir, data), "r+b") as fp:
        fp.write(b"B")  # same length, wrong MD5: only the peer's ETag check sees it
    snd = sender(cluster, src, dst, part)
    assert not snd.sync([suffix_of(cluster, src, path)])
    assert not cluster.has_object(dst, part, path)


def test_an_unreachable_peer_fails_the_sync_without_raising(cluster):
    path = unique_path()
    part, (src, dst, _third), _ = placement(cluster, path)
    assert cluster.put(src, part, path, b"x") == 201
    node = dict(node_of(cluster, dst), port=1, replication_port=1)
    snd = ssync.Sender(cluster.mgr(src), src.device, str(part), 0, node, timeout=2)
    assert not snd.sync([suffix_of(cluster, src, path)])


# ------------------------------------------------------------ the receiver

def test_ssync_without_a_phase_is_refused_with_400(cluster):
    srv = cluster.servers[("object", 1)]
    status, body = ssync_request(srv, 0, {})
    assert status == 400 and b"X-Ssync-Phase" in body


def test_ssync_to_a_missing_device_answers_507(cluster):
    srv = cluster.servers[("object", 1)]
    conn = http_connect("127.0.0.1", srv.port, "nodisk", 0, "SSYNC", "", headers={
        ssync.PHASE: "missing-check", "Content-Length": "0"}, timeout=10)
    resp = conn.getresponse()
    assert resp.status == 507
    conn.close()


def test_missing_check_with_a_bad_body_is_refused_with_400(cluster):
    srv = cluster.servers[("object", 1)]
    status, body = ssync_request(srv, 0, {ssync.PHASE: "missing-check"}, b'{"objects": 5}')
    assert status == 400 and b"missing-check body" in body


def test_missing_check_wants_what_the_receiver_lacks(cluster):
    path = unique_path()
    part, (srv, _b, _c), _ = placement(cluster, path)
    assert cluster.put(srv, part, path, b"x", ts=Timestamp(1000)) == 201
    _e, a, c, o = path.split("/", 3)
    have = cluster.mgr(srv).object_hash(a, c, o)
    absent = "0" * 29 + have[-3:]
    offer = {"objects": {have: [Timestamp(999).internal, None],
                         absent: [Timestamp(5).internal, Timestamp(6).internal]}}
    status, body = ssync_request(srv, part, {ssync.PHASE: "missing-check"},
                                 json.dumps(offer).encode())
    assert status == 200 and json.loads(body) == {"wanted": {absent: "dm"}}


def test_a_garbled_update_stream_is_refused_and_applies_nothing_after_it(cluster):
    path = unique_path()
    part, (srv, _b, _c), _ = placement(cluster, path)
    good = ssync._frame_header("DELETE", path, {"X-Timestamp": Timestamp.now().internal})
    status, body = ssync_request(srv, part, {ssync.PHASE: "updates"},
                                 good + b"NONSENSE\n", chunked=True)
    answer = json.loads(body)
    assert status == 400 and answer["applied"] == 1 and "bad frame line" in answer["error"]


def test_an_update_stream_cut_inside_a_body_is_refused(cluster):
    path = unique_path()
    part, (srv, _b, _c), _ = placement(cluster, path)
    frame = ssync._frame_header("PUT", path, {"X-Timestamp": Timestamp.now().internal,
                                              "Content-Length": "100",
                                              "Content-Type": "text/plain"})
    status, body = ssync_request(srv, part, {ssync.PHASE: "updates"}, frame + b"short",
                                 chunked=True)
    assert status == 400
    assert not cluster.has_object(srv, part, path)


def test_a_put_frame_with_a_wrong_etag_is_reported_failed_not_stored(cluster):
    path = unique_path()
    part, (srv, _b, _c), _ = placement(cluster, path)
    frame = ssync._frame_header("PUT", path, {"X-Timestamp": Timestamp.now().internal,
                                              "Content-Length": "3", "ETag": "0" * 32})
    status, body = ssync_request(srv, part, {ssync.PHASE: "updates"},
                                 frame + b"abc" + ssync.END + b"\n", chunked=True)
    assert status == 200
    assert json.loads(body)["failed"] == [{"method": "PUT", "name": path, "status": 422}]
    assert not cluster.has_object(srv, part, path)


# ------------------------------------------------------------ pure decisions

@pytest.mark.parametrize("local, offered, want", [
    (None, (5, None), "d"),
    (None, (5, 6), "dm"),
    ({"ts_data": 5}, (5, None), ""),
    ({"ts_data": 4}, (5, None), "d"),
    ({"ts_data": 6}, (5, None), ""),
    ({"ts_data": 5}, (5, 7), "m"),
    ({"ts_data": 5, "ts_meta": 8}, (5, 7), ""),
    ({"ts_data": 9}, (5, 7), ""),
])
def test_wanted_parts_follow_last_write_wins(local, offered, want):
    local = {k: Timestamp(v) for k, v in local.items()} if local else None
    ts_meta = Timestamp(offered[1]) if offered[1] else None
    assert ssync.wanted_parts(local, Timestamp(offered[0]), ts_meta) == want
