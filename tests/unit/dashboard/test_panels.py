from objstore.common.daemon import read_recon_cache
from objstore.container.sync_status import RECON_FILE, SyncStatus
from objstore.dashboard import panels


def test_no_tierer_or_sync_record_means_no_panel_part():
    assert panels.server_panels({"object-replicator": {"last_pass": 1}}) == {}
    assert panels.gather([{"ip": "127.0.0.1", "port": 1, "panels": {}}]) == \
        {"tiering": [], "sync": []}


def test_the_tierers_record_gives_counts_per_tier_moves_and_the_last_moves():
    moves = [{"id": i, "path": "/a/c/o%d" % i, "from_tier": "hot", "to_tier": "cold",
              "state": "done", "reason": "reads: 0", "finished": 10.0 + i, "detail": None,
              "lease_owner": "x"} for i in range(25)]
    record = {"last_pass": 5.0, "stats": {"moved": 3, "odd": "x"},
              "objects_per_tier": {"hot": 4, "cold": 2}, "moves": {"done": 25},
              "recent_moves": moves, "tiers": {}}
    got = panels.server_panels({"object-tierer": record})["tiering"]
    assert got["objects_per_tier"] == {"hot": 4, "cold": 2} and got["moves"] == {"done": 25}
    assert len(got["recent_moves"]) == panels.MAX_MOVES
    assert got["recent_moves"][0] == {"path": "/a/c/o0", "from_tier": "hot", "to_tier": "cold",
                                      "state": "done", "reason": "reads: 0", "finished": 10.0,
                                      "detail": None}
    assert got["stats"] == {"moved": 3} and got["last_pass"] == 5.0


def test_the_sync_status_table_gives_each_container_most_behind_first(tmp_path):
    status = SyncStatus(str(tmp_path))
    status.record("AUTH_a/ok", sync_to="//r/east/AUTH_b/ok", rows_behind=0)
    status.record("AUTH_a/late", sync_to="//r/east/AUTH_b/late", rows_behind=7)
    status.record("AUTH_a/late", error="PUT answered 503")
    status.dump()
    records = read_recon_cache(str(tmp_path / RECON_FILE))
    records["container-sync"] = {"last_pass": 9.0, "pass_time": 0.5, "stats": {"synced": 2}}
    got = panels.server_panels(records)["sync"]
    assert [c["container"] for c in got["containers"]] == ["AUTH_a/late", "AUTH_a/ok"]
    late = got["containers"][0]
    assert (late["rows_behind"], late["last_error"], late["sync_to"]) == \
        (7, "PUT answered 503", "//r/east/AUTH_b/late")
    assert (got["last_pass"], got["stats"], got["containers_total"]) == (9.0, {"synced": 2}, 2)
    rows = panels.gather([{"ip": "127.0.0.1", "port": 11, "panels": {"sync": got}}])["sync"]
    assert rows[0]["server"] == "127.0.0.1:11"


def test_a_garbled_record_shows_nothing_rather_than_failing():
    assert panels.tiering("nope") is None and panels.sync(None, 3) is None
    got = panels.tiering({"recent_moves": ["x", {"path": "/a/c/o"}], "objects_per_tier": []})
    assert got["recent_moves"] == [dict.fromkeys(panels.MOVE_FIELDS) | {"path": "/a/c/o"}]
    assert got["objects_per_tier"] == {}
    assert panels.sync({"last_pass": 1}, {"containers": "x"})["containers"] == []
