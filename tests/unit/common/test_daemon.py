"""The daemon frame: passes, summary lines, recon cache, command line."""

import json
import logging
import os
import subprocess
import sys
import threading
import time

import pytest

from objstore.common import daemon as daemon_mod
from objstore.common.daemon import (Daemon, dump_recon_cache, is_local_device,
                                    load_daemon_conf, my_ips, once_only, parse_args,
                                    read_recon_cache, run_daemon)


class Counting(Daemon):
    name = "test-counter"
    server_type = "object"
    default_interval = 0.05
    passes = 0
    fail_on = ()

    def run_pass(self):
        type(self).passes += 1
        if type(self).passes in self.fail_on:
            raise RuntimeError("pass %d broke" % type(self).passes)
        return {"done": type(self).passes, "note": "not a number"}


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def make(tmp_path, cls=Counting, **conf):
    conf.setdefault("recon_cache_path", str(tmp_path / "recon"))
    logger = logging.getLogger("test-daemon-%s" % id(conf))
    logger.setLevel(logging.DEBUG)
    handler = ListHandler()
    logger.addHandler(handler)
    cls.passes = 0
    return cls(conf, logger=logger), handler


def test_run_once_logs_one_summary_line_and_records_the_pass_for_recon(tmp_path):
    d, log = make(tmp_path)
    started = time.time()
    assert d.run_once()["done"] == 1
    assert len(log.lines) == 1 and log.lines[0].startswith("test-counter pass completed in")
    assert "done=1" in log.lines[0] and "note" not in log.lines[0]
    recon = read_recon_cache(str(tmp_path / "recon" / "object.recon"))
    assert recon["test-counter"]["stats"]["done"] == 1
    assert recon["test-counter"]["last_pass"] <= time.time()
    assert 0 <= recon["test-counter"]["pass_time"] <= time.time() - started


def test_daemons_sharing_a_recon_file_keep_each_others_keys(tmp_path):
    path = str(tmp_path / "c" / "container.recon")
    threads = [threading.Thread(target=dump_recon_cache, args=(path, "k%d" % i, i))
               for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert read_recon_cache(path) == {"k%d" % i: i for i in range(20)}
    assert [n for n in os.listdir(tmp_path / "c") if n.endswith(".tmp")] == []


def test_an_unwritable_recon_dir_is_logged_and_the_pass_still_counts(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    d, log = make(tmp_path, recon_cache_path=str(blocker / "sub"))
    assert d.run_once()["done"] == 1
    assert any("cannot write recon cache" in line for line in log.lines)


def test_a_corrupt_recon_file_is_replaced_not_fatal(tmp_path):
    path = tmp_path / "object.recon"
    path.write_text("{not json")
    dump_recon_cache(str(path), "k", 1)
    assert json.loads(path.read_text()) == {"k": 1}


def test_run_forever_keeps_going_after_a_pass_raises_and_stops_when_asked(tmp_path):
    d, log = make(tmp_path, interval="0.02")
    d.fail_on = (2,)
    t = threading.Thread(target=d.run_forever)
    t.start()
    deadline = time.time() + 30
    while Counting.passes < 4 and time.time() < deadline:
        time.sleep(0.01)
    d.stop()
    t.join(5)
    assert not t.is_alive()
    assert Counting.passes >= 4
    assert any("pass failed" in line for line in log.lines)


def test_interval_comes_from_the_config_and_a_bad_one_is_a_config_error(tmp_path):
    d, _ = make(tmp_path, interval="12.5")
    assert d.interval == 12.5
    with pytest.raises(ValueError):
        make(tmp_path, interval="often")


def test_load_daemon_conf_merges_default_and_falls_back_to_it(tmp_path):
    conf = tmp_path / "x.conf"
    conf.write_text("[DEFAULT]\ndevices = /d\ninterval = 5\n[test-counter]\ninterval = 7\n")
    assert load_daemon_conf(str(conf), "test-counter")["interval"] == "7"
    assert load_daemon_conf(str(conf), "test-counter")["devices"] == "/d"
    assert load_daemon_conf(str(conf), "other-daemon")["interval"] == "5"


def test_run_daemon_once_runs_exactly_one_pass(tmp_path):
    conf = tmp_path / "x.conf"
    conf.write_text("[DEFAULT]\nrecon_cache_path = %s\nlog_file = %s\n"
                    % (tmp_path / "recon", tmp_path / "log"))
    Counting.passes = 0
    Counting.fail_on = ()
    assert run_daemon(Counting, [str(conf), "--once"]) == 0
    assert Counting.passes == 1
    assert "test-counter" in read_recon_cache(str(tmp_path / "recon" / "object.recon"))


def test_run_daemon_exit_codes_for_a_bad_config_and_a_failed_pass(tmp_path, capsys):
    assert run_daemon(Counting, [str(tmp_path / "missing.conf"), "--once"]) == 2
    assert "missing.conf" in capsys.readouterr().err
    conf = tmp_path / "x.conf"
    conf.write_text("[DEFAULT]\nrecon_cache_path = %s\nlog_file = %s\n"
                    % (tmp_path / "recon", tmp_path / "log"))
    Counting.passes = 0
    Counting.fail_on = (1,)
    try:
        assert run_daemon(Counting, [str(conf), "--once"]) == 1
    finally:
        Counting.fail_on = ()
    with pytest.raises(SystemExit):
        run_daemon(Counting, ["--no-such-flag"])


def test_once_limits_are_offered_as_declared_and_count_only_with_once():
    limits = ("devices", "partitions", "policies")
    args = parse_args(["x.conf", "--once", "-d", "sdb1,sdb2", "--partitions", "7",
                       "-i", " 0 , "], "objstore-x", limits)
    assert once_only(args, limits) == {"devices": {"sdb1", "sdb2"}, "partitions": {"7"},
                                       "policies": {"0"}}
    assert once_only(parse_args(["x.conf", "--once"], "objstore-x", limits), limits) == {}
    # as with Swift, the limits have no effect on a daemon that runs forever
    assert once_only(parse_args(["x.conf", "-p", "7"], "objstore-x", limits), limits) == {}
    with pytest.raises(SystemExit):  # a daemon that declares none offers none
        parse_args(["x.conf", "--once", "-p", "7"], "objstore-x")


def test_a_running_daemon_exits_cleanly_on_sigterm(tmp_path):
    conf = tmp_path / "x.conf"
    conf.write_text("[DEFAULT]\nrecon_cache_path = %s\ninterval = 0.05\n"
                    "devices = %s\nmount_check = false\n" % (tmp_path / "recon", tmp_path))
    proc = subprocess.Popen([sys.executable, "-c",
                             "import sys; from objstore.account.auditor import main; "
                             "sys.exit(main(sys.argv[1:]))", str(conf)],
                            stderr=subprocess.PIPE)
    recon = tmp_path / "recon" / "account.recon"
    deadline = time.time() + 20
    while not recon.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert recon.exists(), proc.stderr.read() if proc.poll() is not None else "no pass"
    proc.terminate()
    assert proc.wait(10) == 0


def test_local_devices_are_matched_by_replication_address_and_port():
    ips = {"10.0.0.1"}
    assert is_local_device({"ip": "10.0.0.1", "port": 6201}, ips, 6201)
    assert not is_local_device({"ip": "10.0.0.1", "port": 6202}, ips, 6201)
    assert is_local_device({"ip": "1.1.1.1", "port": 1, "replication_ip": "10.0.0.1",
                            "replication_port": 6201}, ips, 6201)
    assert not is_local_device(None, ips, 6201)


def test_my_ips_is_the_bind_ip_or_every_address_for_a_wildcard():
    assert my_ips("10.1.2.3") == {"10.1.2.3"}
    assert "127.0.0.1" in my_ips("0.0.0.0")


def test_unusable_devices_are_skipped(tmp_path):
    (tmp_path / "devs" / "sda").mkdir(parents=True)
    (tmp_path / "devs" / "not-a-dir").write_text("")
    d, log = make(tmp_path, devices=str(tmp_path / "devs"), mount_check="false")
    assert d.local_device_dirs() == ["sda"]
    d, log = make(tmp_path, devices=str(tmp_path / "devs"), mount_check="true")
    assert d.local_device_dirs() == []
    assert any("not mounted" in line for line in log.lines)
    d, log = make(tmp_path, devices=str(tmp_path / "nowhere"))
    assert d.local_device_dirs() == []


def test_the_summary_names_only_numeric_counters():
    d = Counting({"recon_cache_path": "/nonexistent"}, logger=logging.getLogger("x"))
    line = d.summary({"a": 1, "b": 2.5, "c": "x"}, 1.234)
    assert line == "test-counter pass completed in 1.23s: a=1 b=2.5"
    assert daemon_mod.DEFAULT_RECON_CACHE_PATH == "/var/cache/objstore"


def test_a_wildcard_bind_finds_every_interface_address_even_unresolvable_ones():
    """What ``ip -o addr`` lists is what a node bound to 0.0.0.0 answers on."""
    import shutil
    import subprocess

    import pytest

    if shutil.which("ip") is None:
        pytest.skip("needs iproute2's ip to list the addresses")
    out = subprocess.run(["ip", "-o", "addr", "show"], stdout=subprocess.PIPE, text=True).stdout
    listed = {line.split()[3].split("/")[0] for line in out.splitlines()
              if line.split()[2] in ("inet", "inet6")}
    assert listed and listed <= my_ips("0.0.0.0")


class Stepping(Daemon):
    """A pass of three steps that reports its progress after each and
    records what the recon cache held meanwhile."""
    name = "test-stepper"
    server_type = "object"
    seen = []

    def run_pass(self):
        stats = {"checked": 0, "note": "x"}
        for _ in range(3):
            stats["checked"] += 1
            self.progress(stats)
            type(self).seen.append(read_recon_cache(
                os.path.join(self.recon_cache_path, "object.recon")).get("test-stepper-progress"))
        return stats


def test_a_running_pass_records_its_progress_at_most_every_interval_and_clears_it(
        tmp_path, monkeypatch):
    d, _log = make(tmp_path, cls=Stepping)
    Stepping.seen = []
    monkeypatch.setattr(daemon_mod, "PROGRESS_INTERVAL", 0)
    started = time.time()
    d.run_once()
    assert [s["stats"] for s in Stepping.seen] == [{"checked": 1}, {"checked": 2}, {"checked": 3}]
    assert started <= Stepping.seen[0]["started"] <= Stepping.seen[2]["updated"]
    recon = read_recon_cache(str(tmp_path / "recon" / "object.recon"))
    assert recon["test-stepper-progress"] is None and recon["test-stepper"]["stats"]["checked"] == 3
    monkeypatch.setattr(daemon_mod, "PROGRESS_INTERVAL", 3600)
    Stepping.seen = []
    d.run_once()
    assert Stepping.seen == [None, None, None]  # not yet due: nothing written mid-pass
    d.progress({"checked": 9})  # outside a pass: nothing
    assert read_recon_cache(str(tmp_path / "recon" / "object.recon"))["test-stepper-progress"] is None
