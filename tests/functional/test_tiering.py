"""Tiering on the live SAIO (docs/tiering.md): hot objects move up, cold
ones down, and a client never sees a changed name, ETag, Last-Modified,
metadata or listing row, nor a failed read, while they move.

The SAIO's tiers: gold (policy gold, 5 reads in 60 s), silver (policy
silver, 2 reads), bronze (EC policy ec21, the rest). Containers here are
silver unless a test says otherwise.
"""

import dataclasses
import hashlib
import json
import os
import subprocess
import threading
import time
import urllib.request
import uuid
from urllib.parse import quote

import pytest
import swiftclient
from webob import Request

from tests.functional.conftest import PROXY, connect
from objstore.common.internal_client import InternalClient
from objstore.common.recon import fetch_recon
from objstore.common.tiering import memcached_counts
from objstore.middleware.tiering import Tiering
from tests.functional.tiering_support import (  # noqa: F401 (fixtures)
    LATER, REPO, SAIO_DIR, admin_get, hot, internal, new_tierer, pass_with, reseller, run_tierer, tier_of,
    tiers_bodies, wait_for_tier, wait_tracked)

BODY = os.urandom(300 * 1024)
#: the window the Zipf test's tierer judges reads over (the SAIO's is 60 s)
ZIPF_WINDOW = 12
ETAG = hashlib.md5(BODY).hexdigest()


def _policy_container(conn, delete_container, policy):
    name = "tier%s-%s" % (policy[0], uuid.uuid4().hex[:10])
    conn.put_container(name, headers={"X-Storage-Policy": policy})
    yield name
    delete_container(conn, name)


@pytest.fixture
def silver(conn, delete_container):
    yield from _policy_container(conn, delete_container, "silver")


@pytest.fixture
def gold(conn, delete_container):
    yield from _policy_container(conn, delete_container, "gold")


@pytest.fixture
def bronze(conn, delete_container):
    yield from _policy_container(conn, delete_container, "ec21")


def _listing_row(conn, container, name):
    return [r for r in conn.get_container(container)[1] if r["name"] == name][0]


class _Reader(threading.Thread):
    """GETs an object over and over while it moves; records every failure."""

    def __init__(self, container, name):
        super().__init__(daemon=True)
        self.conn = connect("admin")
        self.container, self.name = container, name
        self.stop = threading.Event()
        self.reads, self.failures = 0, []

    def run(self):
        while not self.stop.is_set():
            try:
                headers, body = self.conn.get_object(self.container, self.name)
                if body != BODY or headers["etag"] != ETAG:
                    self.failures.append("wrong bytes or ETag: %s" % headers.get("etag"))
            except Exception as err:  # every failure counts
                self.failures.append(repr(err))
            self.reads += 1


def test_a_hot_object_moves_up_and_no_read_fails_while_it_moves(conn, silver):
    conn.put_object(silver, "hot", BODY, headers={"X-Object-Meta-Color": "blue",
                                                  "Content-Type": "image/png"})
    before = conn.head_object(silver, "hot")
    row_before = _listing_row(conn, silver, "hot")
    assert before["x-object-storage-tier"] == "silver"  # its container's own tier
    reader = _Reader(silver, "hot")
    reader.start()
    try:
        wait_for_tier(conn, silver, "hot", "gold")
    finally:
        reader.stop.set()
        reader.join()
    assert reader.failures == [] and reader.reads >= 5
    after = conn.head_object(silver, "hot")
    for header in ("etag", "last-modified", "content-length", "content-type",
                   "x-object-meta-color", "x-timestamp"):
        assert after[header] == before[header], header
    assert after["x-object-storage-tier"] == "gold"
    assert _listing_row(conn, silver, "hot") == row_before
    headers, body = conn.get_object(silver, "hot", headers={"Range": "bytes=100-199"})
    assert body == BODY[100:200] and headers["content-range"] == \
        "bytes 100-199/%d" % len(BODY)
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(silver, "hot", headers={"If-Match": "nope"})
    assert err.value.http_status == 412
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(silver, "hot", headers={"If-None-Match": ETAG})
    assert err.value.http_status == 304


def test_a_cold_object_moves_down_to_ec_and_back_up_when_read(conn, silver, internal,
                                                              reseller):
    conn.put_object(silver, "cold", BODY)
    path = "/v1/AUTH_test/%s/cold" % silver
    before = conn.head_object(silver, "cold")
    wait_tracked(PROXY, reseller.get_auth()[1], path)  # a PUT counts 0
    assert tier_of(conn, silver, "cold") == "silver"
    wait_for_tier(conn, silver, "cold", "bronze", clock_offset=LATER)
    headers, body = conn.get_object(silver, "cold")
    assert body == BODY and headers["etag"] == ETAG
    assert headers["last-modified"] == before["last-modified"]
    assert tiers_bodies(internal, "ec21", path) != []
    # read often again: up to gold, and the EC body is gone
    for _ in range(6):
        assert conn.get_object(silver, "cold")[1] == BODY
    wait_for_tier(conn, silver, "cold", "gold")
    assert tiers_bodies(internal, "ec21", path) == []
    assert len(tiers_bodies(internal, "gold", path)) == 1
    assert conn.get_object(silver, "cold")[1] == BODY


def test_a_copy_of_a_moved_object_is_an_object_of_its_own(conn, silver, internal, reseller):
    """A server-side copy reads the moved object's bytes and writes them
    whole: it does not become a second pointer to a body the tierer
    removes when the original moves again."""
    conn.put_object(silver, "orig", BODY)
    path = "/v1/AUTH_test/%s/orig" % silver
    wait_tracked(PROXY, reseller.get_auth()[1], path)
    wait_for_tier(conn, silver, "orig", "bronze", clock_offset=LATER)
    conn.copy_object(silver, "orig", destination="/%s/copy" % silver)
    assert tier_of(conn, silver, "copy") == "silver"  # at home, not bronze
    raw = internal.request("HEAD", "/v1/AUTH_test/%s/copy" % silver, raw=True)
    assert raw.status_int == 200 and raw.headers["Content-Length"] == str(len(BODY))
    assert not [h for h in raw.headers if h.lower().startswith("x-object-sysmeta-tier-")]
    for _ in range(6):
        assert conn.get_object(silver, "orig")[1] == BODY
    wait_for_tier(conn, silver, "orig", "gold")
    assert tiers_bodies(internal, "ec21", path) == []  # the bronze body is gone
    headers, body = conn.get_object(silver, "copy")
    assert body == BODY and headers["etag"] == ETAG


def _tier_cli(*args):
    """What the installed ``objstore-tier`` prints about the SAIO's tierer."""
    done = subprocess.run([os.path.join(REPO, ".venv", "bin", "objstore-tier"), "--swift-dir",
                           os.path.join(SAIO_DIR, "etc")] + list(args),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_an_object_counted_from_outside_comes_home_as_a_whole_object(conn, gold, reseller,
                                                                   internal):
    began = time.time()
    conn.put_object(gold, "cdn", BODY, headers={"X-Object-Meta-Kept": "yes"})
    path = "/v1/AUTH_test/%s/cdn" % gold
    wait_tracked(PROXY, reseller.get_auth()[1], path)
    wait_for_tier(conn, gold, "cdn", "bronze", clock_offset=LATER)
    assert tiers_bodies(internal, "ec21", path) != []
    # a CDN's log pipeline says it was read 664 times
    req = urllib.request.Request(PROXY + "/tiering/counts", method="POST",
                                 data=json.dumps([{"path": path, "count": 664}]).encode(),
                                 headers={"X-Auth-Token": reseller.get_auth()[1],
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 202 and json.loads(resp.read()) == {"accepted": 1}
    run_tierer()
    headers = conn.head_object(gold, "cdn")
    assert headers["x-object-storage-tier"] == "gold"  # home: the container's policy
    assert headers["etag"] == ETAG and headers["content-length"] == str(len(BODY))
    assert headers["x-object-meta-kept"] == "yes"
    assert conn.get_object(gold, "cdn")[1] == BODY
    assert tiers_bodies(internal, "ec21", path) == []
    status = admin_get(PROXY, reseller.get_auth()[1], "status?path=" + path)
    assert status["tier"] == "gold" and status["reads_in_window"] >= 664
    assert [m["state"] for m in status["moves"]][:2] == ["done", "done"]
    assert [m["to_tier"] for m in status["moves"]][:2] == ["gold", "bronze"]
    # the objstore-tier CLI reads the same database
    cli = _tier_cli("status", path)
    assert (cli["tier"], cli["open_move"]) == ("gold", None)
    assert [(m["to_tier"], m["state"]) for m in cli["moves"]][:2] == [("gold", "done"),
                                                                      ("bronze", "done")]
    since = [(m["to_tier"], m["reason"], m["created"]) for m in
             _tier_cli("history", "--since", str(began)) if m["path"] == path]
    assert sorted(m[:2] for m in since) == [("bronze", "reads: 0 in 60s"),
                                            ("gold", "reads: 664 in 60s")]
    # (the move down was queued on the tierer's clock LATER seconds ahead)
    later = max(m[2] for m in since)
    assert [m["to_tier"] for m in _tier_cli("history", "--since", str(later))
            if m["path"] == path] == ["bronze"]
    assert [m for m in _tier_cli("queue") if m["path"] == path] == []


def test_the_admin_api_is_for_reseller_admins_only(conn):
    req = urllib.request.Request(PROXY + "/tiering/counts", method="POST",
                                 data=b'[{"path": "/v1/AUTH_test/c/o", "count": 1}]',
                                 headers={"X-Auth-Token": conn.get_auth()[1]})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 403
    req = urllib.request.Request(PROXY + "/tiering/queue")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 401


def test_info_shows_the_tiers(saio):
    with urllib.request.urlopen(PROXY + "/info", timeout=10) as resp:
        info = json.loads(resp.read())["tiering"]
    assert info["window"] == 60
    assert [(t["name"], t["policy"], t["min_reads"]) for t in info["tiers"]] == [
        ("gold", "gold", 5), ("silver", "silver", 2), ("bronze", "ec21", 0)]


def test_head_and_get_tell_the_tier_the_object_is_in_now(conn, silver, internal):
    """A fresh object tells its container's tier; a moved one the tier it
    was moved to; one moved back its container's again."""
    conn.put_object(silver, "where", b"where am I")
    path = "/v1/AUTH_test/%s/where" % silver
    assert tier_of(conn, silver, "where") == "silver"
    assert conn.get_object(silver, "where")[0]["x-object-storage-tier"] == "silver"
    for to_tier, moved in (("bronze", True), ("silver", False)):
        stats, _fired = pass_with(None, lambda: None, enqueue=[(path, to_tier)])
        assert tier_of(conn, silver, "where") == to_tier, stats
        headers, body = conn.get_object(silver, "where")
        assert body == b"where am I" and headers["x-object-storage-tier"] == to_tier
        assert bool(tiers_bodies(internal, "ec21", path)) is moved  # home: at its name


def test_an_object_whose_policy_is_no_tier_s_tells_none(conn, silver, internal):
    """A proxy whose tiers leave out the silver policy: its objects get no
    tier header (this filter runs in process over the SAIO's proxy app),
    and a gold one still does."""
    conn.put_object(silver, "untiered", b"x")
    tierer = new_tierer()
    tierer.db.close()
    proxy = Tiering(internal.app, {}, dataclasses.replace(
        tierer.tiering, tiers=[t for t in tierer.tiering.tiers if t.name != "silver"]))
    resp = Request.blank(quote("/v1/AUTH_test/%s/untiered" % silver),
                         method="HEAD").get_response(proxy)
    assert resp.status_int == 200 and "X-Object-Storage-Tier" not in resp.headers
    assert tier_of(conn, silver, "untiered") == "silver"  # the SAIO's proxy: a tier's


# ------------------------------------------------ client writes during a move

@pytest.mark.parametrize("step", ["copied", "switched"])
def test_a_client_overwrite_during_a_move_wins(conn, silver, reseller, internal, step):
    conn.put_object(silver, "o", BODY)
    path = "/v1/AUTH_test/%s/o" % silver
    hot(reseller, [path])
    newer = b"the client's newer bytes"
    stats, fired = pass_with(step, lambda: conn.put_object(silver, "o", newer))
    assert fired == [path]
    headers, body = conn.get_object(silver, "o")
    assert body == newer and headers["etag"] == hashlib.md5(newer).hexdigest()
    assert headers["x-object-storage-tier"] == "silver"
    moves = admin_get(PROXY, reseller.get_auth()[1], "status?path=" + path)["moves"]
    if step == "copied":  # the switch found a newer write: abandoned, copy deleted
        assert moves[0]["state"] == "abandoned" and "newer write" in moves[0]["detail"]
        assert tiers_bodies(internal, "gold", path) == []
    else:  # switched first: the client's write simply replaced the pointer
        assert moves[0]["state"] == "done"
        # and the body it pointed at, an orphan now, is swept in the same pass
        assert stats["orphans"] >= 1
        assert tiers_bodies(internal, "gold", path) == []
    assert conn.get_object(silver, "o")[1] == newer


def test_a_client_delete_during_a_move_is_not_undone(conn, silver, reseller, internal):
    conn.put_object(silver, "gone", BODY)
    path = "/v1/AUTH_test/%s/gone" % silver
    hot(reseller, [path])
    _stats, fired = pass_with("copied", lambda: conn.delete_object(silver, "gone"))
    assert fired == [path]
    with pytest.raises(swiftclient.ClientException) as err:
        conn.head_object(silver, "gone")
    assert err.value.http_status == 404
    assert [r["name"] for r in conn.get_container(silver)[1]] == []
    assert tiers_bodies(internal, "gold", path) == []
    status = admin_get(PROXY, reseller.get_auth()[1], "status?path=" + path)
    assert status["moves"][0]["state"] == "abandoned" and status["tracked"] is False


def test_a_large_object_moves_segment_by_segment_and_reads_whole(conn, silver, reseller):
    seg = [os.urandom(1024 * 1024) for _ in range(2)]
    manifest = []
    for i, data in enumerate(seg):
        conn.put_object(silver, "seg/%d" % i, data)
        manifest.append({"path": "/%s/seg/%d" % (silver, i),
                         "etag": hashlib.md5(data).hexdigest(), "size_bytes": len(data)})
    conn.put_object(silver, "big", json.dumps(manifest),
                    query_string="multipart-manifest=put")
    before = conn.head_object(silver, "big")
    paths = ["/v1/AUTH_test/%s/%s" % (silver, n) for n in ("seg/0", "seg/1", "big")]
    hot(reseller, paths)
    run_tierer()
    assert tier_of(conn, silver, "seg/0") == "gold" and tier_of(conn, silver, "seg/1") == "gold"
    status = admin_get(PROXY, reseller.get_auth()[1], "status?path=" + paths[2])
    assert status["moves"][0]["state"] == "abandoned"
    assert "manifests" in status["moves"][0]["detail"] and not status["movable"]
    hot(reseller, paths[2:])  # read again: the manifest is not queued again
    run_tierer()
    assert len(admin_get(PROXY, reseller.get_auth()[1], "status?path=" + paths[2])["moves"]) == 1
    headers, body = conn.get_object(silver, "big")
    assert body == seg[0] + seg[1]
    assert headers["etag"] == before["etag"]
    assert headers["x-object-storage-tier"] == "silver"  # the manifest itself stays
    _h, part = conn.get_object(silver, "big", headers={"Range": "bytes=1048570-1048579"})
    assert part == (seg[0] + seg[1])[1048570:1048580]


def test_recon_reports_objects_per_tier_and_the_last_moves(conn, silver, reseller):
    conn.put_object(silver, "seen", BODY)
    path = "/v1/AUTH_test/%s/seen" % silver
    hot(reseller, [path])
    run_tierer()
    node1 = int(os.environ.get("SAIO_PORT_BASE", "6200")) + 10
    status, doc = fetch_recon("127.0.0.1", node1, "tiering", 10)
    assert status == 200
    assert set(doc["tiers"]) == {"gold", "silver", "bronze"}
    assert doc["tiers"]["gold"]["policy"] == "gold" and doc["tiers"]["gold"]["objects"] >= 1
    assert doc["objects_per_tier"]["gold"] == doc["tiers"]["gold"]["objects"]
    assert doc["moves"]["done"] >= 1
    recent = [m for m in doc["recent_moves"] if m["path"] == path]
    assert recent and recent[0]["state"] == "done" and recent[0]["to_tier"] == "gold"
    assert doc["stats"]["moved"] >= 1 and doc["last_pass"] > 0


def test_an_object_of_an_ec_container_moves_up_and_keeps_its_listing_row(conn, bronze,
                                                                          reseller):
    conn.put_object(bronze, "ec", BODY, headers={"X-Object-Meta-Kind": "ec"})
    row = _listing_row(conn, bronze, "ec")
    hot(reseller, ["/v1/AUTH_test/%s/ec" % bronze])
    run_tierer()
    headers, body = conn.get_object(bronze, "ec")
    assert headers["x-object-storage-tier"] == "gold"
    assert body == BODY and headers["etag"] == ETAG and headers["x-object-meta-kind"] == "ec"
    assert _listing_row(conn, bronze, "ec") == row


def test_a_zipf_read_load_moves_the_head_to_gold_and_the_tail_to_bronze(conn, silver,
                                                                      reseller):
    """Ten objects read with Zipf-like weights: the two most read go to gold,
    the next two (silver's range, 2 to 4 reads a window) stay in silver,
    their home, and the unread tail sinks to bronze once it sat a whole
    window unread. Every read is whole. The tierer here sees a window of
    ZIPF_WINDOW seconds (the proxies count in the SAIO's 5 s buckets
    whatever the window), so a tail sinks in seconds, not a minute."""
    names = ["z%d" % i for i in range(10)]
    for name in names:
        conn.put_object(silver, name, BODY)
    tierer = new_tierer()
    tierer.tiering.window = ZIPF_WINDOW
    try:
        deadline = time.time() + 30
        paths = ["/v1/AUTH_test/%s/%s" % (silver, name) for name in names]
        while not all(tierer.db.object_row(p) for p in paths):  # the PUTs' counts
            assert time.time() < deadline, "the tierer never learnt of the objects"
            tierer.run_once()
            time.sleep(0.3)
        # seconds between two reads of each object: the head twice a second,
        # the middle 2 to 4 times a window (its 5 s buckets included), the tail never
        every = [0.5, 0.5, ZIPF_WINDOW / 2.5, ZIPF_WINDOW / 2.5] + [None] * 6
        last = [0.0] * 10
        deadline = time.time() + 60
        while True:
            for i, name in enumerate(names):
                if every[i] is not None and time.time() - last[i] >= every[i]:
                    headers, body = conn.get_object(silver, name)
                    assert body == BODY and headers["etag"] == ETAG
                    last[i] = time.time()
            tierer.run_once()
            tiers = [tier_of(conn, silver, name) for name in names]
            if tiers[:2] == ["gold", "gold"] and tiers[4:] == ["bronze"] * 6:
                break
            assert time.time() < deadline, tiers
            time.sleep(0.5)
    finally:
        tierer.db.close()
    assert tiers[2:4] == ["silver", "silver"]  # read, but below gold: still at home
    for name in names:
        assert conn.get_object(silver, name)[1] == BODY


def test_a_client_post_during_a_move_wins_and_its_metadata_stays(conn, silver, reseller,
                                                                 internal):
    conn.put_object(silver, "meta", BODY, headers={"X-Object-Meta-Old": "1"})
    path = "/v1/AUTH_test/%s/meta" % silver
    hot(reseller, [path])
    _stats, fired = pass_with("copied", lambda: conn.post_object(
        silver, "meta", headers={"X-Object-Meta-New": "2"}))
    assert fired == [path]
    headers, body = conn.get_object(silver, "meta")
    assert body == BODY and headers["x-object-meta-new"] == "2"
    assert "x-object-meta-old" not in headers  # a POST replaces the user metadata
    assert headers["x-object-storage-tier"] == "silver"
    assert admin_get(PROXY, reseller.get_auth()[1], "status?path=" + path)["moves"][0][
        "state"] == "abandoned"
    assert tiers_bodies(internal, "gold", path) == []
    # moved later, from the new state: the POSTed metadata goes along
    hot(reseller, [path])
    run_tierer()
    headers = conn.head_object(silver, "meta")
    assert headers["x-object-storage-tier"] == "gold" and headers["x-object-meta-new"] == "2"


def test_counts_handed_over_through_memcached_move_an_object(conn, silver, internal):
    """``counts = memcached``: a proxy's tiering filter counts GETs and
    flushes them as a batch into the SAIO's memcached; a tierer collecting
    from there moves the object up. A batch memcached evicts before the
    tierer takes it is sent again by the filter's next interval. (The
    SAIO's own proxies use the journal, the default: this filter runs in
    process over the SAIO's proxy app, with the config changed only in
    that.)"""
    conn.put_object(silver, "mc", BODY)
    path = "/v1/AUTH_test/%s/mc" % silver
    servers = ["127.0.0.1:%s" % os.environ.get("SAIO_MEMCACHED_PORT", "11211")]
    tierer = new_tierer()
    try:
        tiering = dataclasses.replace(tierer.tiering, counts="memcached",
                                      memcache_servers=servers)
        proxy = Tiering(internal.app, {}, tiering)
        for _ in range(6):
            resp = Request.blank(quote(path)).get_response(proxy)
            assert resp.status_int == 200 and resp.body == BODY
        proxy.counter.flush_now()  # what its green thread does every second
        held = proxy.admin.batches
        assert held.held() == 1
        for epoch, number, _rows in held._sent.values():  # evicted
            held.cache.delete(memcached_counts._batch_key(epoch, number))
        tierer.batches = memcached_counts.for_config(tiering)
        stats = tierer.run_once()
        assert tier_of(conn, silver, "mc") == "silver", stats
        proxy.counter._retry()  # its next interval: lost, so sent again
        stats = tierer.run_once()
        assert stats["collected"] >= 1 and stats["moved"] >= 1, stats
        proxy.counter._retry()
        assert held.held() == 0  # seen taken
    finally:
        tierer.db.close()
    headers, body = conn.get_object(silver, "mc")
    assert headers["x-object-storage-tier"] == "gold" and body == BODY


def test_the_container_sync_daemon_reads_a_moved_object_whole(conn, silver, reseller):
    """The container sync daemon's pipeline follows tier pointers: it sends
    the object's bytes, not the zero-byte pointer."""
    conn.put_object(silver, "synced", BODY, headers={"X-Object-Meta-Kept": "yes"})
    path = "/v1/AUTH_test/%s/synced" % silver
    hot(reseller, [path])
    run_tierer()
    assert tier_of(conn, silver, "synced") == "gold"
    sync = InternalClient(os.path.join(SAIO_DIR, "etc", "proxy-server.conf"), "container-sync")
    resp = sync.request("GET", path)
    assert resp.status_int == 200 and resp.body == BODY
    assert resp.headers["ETag"].strip('"') == ETAG
    assert resp.headers["X-Object-Meta-Kept"] == "yes"


@pytest.mark.parametrize("meta", [
    {"X-Object-Meta-Colour": "bl\u00e5 \u2603"},
    {"X-Object-Meta-F\u00e4rg": "plain"},
    {"Content-Type": "text/plain; name=\u2603"},
], ids=["utf8-value", "utf8-name", "utf8-content-type"])
def test_an_object_with_a_utf8_name_and_metadata_moves_down_to_ec_and_keeps_them(
        conn, silver, internal, reseller, meta):
    name = "k\u00e4lt \u2603/\u00f6"
    conn.put_object(silver, name, BODY, headers=meta)
    path = "/v1/AUTH_test/%s/%s" % (silver, name)
    before = conn.head_object(silver, name)
    wait_tracked(PROXY, reseller.get_auth()[1], quote(path))
    wait_for_tier(conn, silver, name, "bronze", clock_offset=LATER)
    headers, body = conn.get_object(silver, name)
    assert body == BODY and headers["etag"] == ETAG
    for key in meta:
        assert headers[key.lower()] == before[key.lower()]
    conn.delete_object(silver, name)
