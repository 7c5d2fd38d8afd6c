"""The recon middleware answers from the recon cache and the devices."""

import json
import os

from webob import Request

from objstore.common.daemon import dump_recon_cache
from objstore.common.recon import ReconMiddleware


def _app(env, start_response):
    start_response("200 OK", [("Content-Length", "5")])
    return [b"inner"]


def _mw(tmp_path):
    devices = tmp_path / "node"
    (devices / "sda1" / "async_pending" / "abc").mkdir(parents=True)
    (devices / "sda1" / "async_pending" / "abc" / "x-1").write_text("{}")
    (devices / "sda1" / "quarantined" / "objects" / "h1").mkdir(parents=True)
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "object.ring.gz").write_bytes(b"ring")
    conf = {"devices": str(devices), "mount_check": "false", "swift_dir": str(etc),
            "recon_cache_path": str(tmp_path / "cache")}
    return ReconMiddleware(_app, conf, "object")


def _get(mw, path):
    resp = Request.blank(path).get_response(mw)
    return resp.status_int, resp.body


def test_daemon_stats_come_from_the_recon_cache(tmp_path):
    mw = _mw(tmp_path)
    dump_recon_cache(str(tmp_path / "cache" / "object.recon"), "object-replicator",
                     {"pass_time": 1.5})
    status, body = _get(mw, "/recon/replication")
    assert status == 200 and json.loads(body) == {"pass_time": 1.5}


def test_async_quarantined_ringmd5_and_disk_usage_are_counted(tmp_path):
    mw = _mw(tmp_path)
    assert json.loads(_get(mw, "/recon/async")[1]) == {"async_pending": 1}
    assert json.loads(_get(mw, "/recon/quarantined")[1]) == {"objects": 1}
    assert list(json.loads(_get(mw, "/recon/ringmd5")[1])) == ["object.ring.gz"]
    [usage] = json.loads(_get(mw, "/recon/diskusage")[1])
    assert usage["device"] == "sda1" and usage["size"] > 0
    assert "1m" in json.loads(_get(mw, "/recon/load")[1])


def test_unknown_question_is_404_and_other_paths_reach_the_server(tmp_path):
    mw = _mw(tmp_path)
    assert _get(mw, "/recon/everything")[0] == 404
    assert _get(mw, "/sda1/1/a/c/o") == (200, b"inner")


def test_container_sync_answers_the_pass_and_each_containers_status(tmp_path):
    from objstore.container.sync_status import SyncStatus
    conf = {"devices": str(tmp_path / "node"), "mount_check": "false",
            "swift_dir": str(tmp_path), "recon_cache_path": str(tmp_path / "cache")}
    mw = ReconMiddleware(_app, conf, "container")
    assert json.loads(_get(mw, "/recon/container_sync")[1]) == {"containers": {},
                                                                "updated": None}
    dump_recon_cache(str(tmp_path / "cache" / "container.recon"), "container-sync",
                     {"pass_time": 0.5, "stats": {"rows_synced": 3}})
    status = SyncStatus(str(tmp_path / "cache"))
    status.record("AUTH_a/c", sync_to="//r/w/AUTH_a/c", rows_behind=4)
    status.record("AUTH_a/c", error="PUT answered 503")
    status.dump()
    answer = json.loads(_get(mw, "/recon/container_sync")[1])
    assert answer["stats"] == {"rows_synced": 3}
    entry = answer["containers"]["AUTH_a/c"]
    assert (entry["rows_behind"], entry["last_error"]) == (4, "PUT answered 503")
    assert 0 < entry["last_success"] <= entry["last_error_at"]
    # a restarted daemon keeps what it knew
    assert SyncStatus(str(tmp_path / "cache")).containers["AUTH_a/c"]["rows_behind"] == 4
    assert _get(ReconMiddleware(_app, conf, "object"), "/recon/container_sync")[0] == 404


def test_daemons_answers_every_record_of_this_server_types_daemons(tmp_path):
    mw = _mw(tmp_path)
    assert json.loads(_get(mw, "/recon/daemons")[1]) == {}
    cache = str(tmp_path / "cache" / "object.recon")
    dump_recon_cache(cache, "object-reconstructor", {"last_pass": 2, "stats": {"rebuilt": 1}})
    dump_recon_cache(cache, "object-tierer", {"last_pass": 3})
    dump_recon_cache(cache, "container-sync", {"last_pass": 4})  # another server type's
    dump_recon_cache(cache, "object-odd", 7)
    assert json.loads(_get(mw, "/recon/daemons")[1]) == {
        "object-reconstructor": {"last_pass": 2, "stats": {"rebuilt": 1}},
        "object-tierer": {"last_pass": 3}}
    assert json.loads(_get(mw, "/recon/reconstruction")[1])["stats"] == {"rebuilt": 1}
