import logging

from objstore.common import rsync

NODE = {"ip": "10.0.0.1", "port": 6210, "replication_ip": "fd00::1", "replication_port": 6310,
        "device": "sdb1", "region": 1, "zone": 2}


def test_module_template_is_filled_from_the_ring_entry():
    assert rsync.module_for("{replication_ip}::object{replication_port}", NODE) == \
        "[fd00::1]::object6310"
    assert rsync.module_for("{ip}:/srv/{device}/r{region}z{zone}", NODE) == \
        "10.0.0.1:/srv/sdb1/r1z2"


def test_daemon_destinations_get_port_and_connect_timeout_and_paths_do_not():
    opts = rsync.transport_options("h::object1/sdb1/", 873, 0.5, True, "1000")
    assert opts == ["--port=873", "--contimeout=1", "--compress", "--bwlimit=1000"]
    assert rsync.transport_options("/srv/node/sdb1/", 873, 0.5, False, "0") == []


def test_a_failing_rsync_is_reported_and_returns_none(tmp_path, caplog):
    logger = logging.getLogger("test-rsync")
    with caplog.at_level(logging.ERROR, logger="test-rsync"):
        assert rsync.run_rsync(["rsync", str(tmp_path / "missing"), str(tmp_path / "x")],
                               "a missing file", 10, logger) is None
    assert "rsync of a missing file failed" in caplog.text
    (tmp_path / "f").write_bytes(b"data")
    assert rsync.run_rsync(["rsync", str(tmp_path / "f"), str(tmp_path / "g")], "f", 10,
                           logger) is not None
    assert (tmp_path / "g").read_bytes() == b"data"


def test_a_missing_rsync_binary_is_reported(caplog):
    logger = logging.getLogger("test-rsync")
    with caplog.at_level(logging.ERROR, logger="test-rsync"):
        assert rsync.run_rsync(["/nonexistent/rsync"], "x", 10, logger) is None
    assert "is it installed" in caplog.text
