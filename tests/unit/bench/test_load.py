"""The load benchmark's own arithmetic and argument handling (no server, no timing)."""
import argparse
import hashlib
import importlib.util
import os
import sys
import types

import pytest

BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "..", "bench")


def _load(name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, os.path.join(BENCH, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


load = _load("load")
disk = _load("disk")


def test_percentile_is_nearest_rank():
    vals = [float(v) for v in range(1, 101)]
    assert load.percentile(vals, 50) == 50.0
    assert load.percentile(vals, 99) == 99.0
    assert load.percentile(vals, 100) == 100.0
    assert load.percentile(vals, 0) == 1.0
    assert load.percentile([7.0], 99) == 7.0


def test_percentile_of_nothing_is_none_and_out_of_range_is_refused():
    assert load.percentile([], 50) is None
    with pytest.raises(ValueError):
        load.percentile([1.0], 101)


def test_summarize_reports_rates_in_ops_and_decimal_megabytes():
    r = load.summarize("objstore", "PUT 4k", 16, [0.002, 0.001, 0.004, 0.003], errors=1,
                       elapsed=2.0, nbytes=4_000_000, client_cpu=0.5, host_cpu_pct=80.0)
    assert r.ops == 4 and r.errors == 1
    assert r.ops_per_s == 2.0
    assert r.mb_per_s == 2.0
    assert r.p50_ms == 2.0 and r.p99_ms == 4.0 and r.max_ms == 4.0
    assert r.client_cpu_pct == 25.0


def test_summarize_of_a_phase_with_no_successes_has_no_latencies():
    r = load.summarize("swift", "GET 4k", 1, [], errors=3, elapsed=1.0, nbytes=0,
                       client_cpu=0.0, host_cpu_pct=None, first_error="boom")
    assert r.ops == 0 and r.ops_per_s == 0.0 and r.p50_ms is None and r.first_error == "boom"


def test_concurrency_list_parses_and_rejects_nonsense():
    assert load.parse_concurrency("1,16,64") == [1, 16, 64]
    assert load.parse_concurrency("8") == [8]
    for bad in ("", "0", "1,x", "-4"):
        with pytest.raises(argparse.ArgumentTypeError):
            load.parse_concurrency(bad)


def test_defaults_match_the_saio_and_the_issue():
    a = load.parse_args([])
    assert a.auth == "http://127.0.0.1:8080/auth/v1.0"
    assert (a.user, a.key) == ("test:tester", "testing")
    assert a.seconds == 10.0 and a.concurrency == [1, 16, 64]
    assert a.small_kib == 4 and a.large_mib == 256


def test_quick_shortens_phases_and_large_objects():
    a = load.parse_args(["--quick"])
    assert a.seconds == 3.0 and a.large_mib == 64 and a.disk_seq_mib == 256


def test_an_endpoint_off_this_machine_is_refused():
    with pytest.raises(SystemExit) as exc:
        load.parse_args(["--auth", "http://10.0.0.5:8080/auth/v1.0"])
    assert "loopback" in str(exc.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/a", "http://127.9.9.9/a",
                                 "http://localhost:1/a", "http://[::1]:8080/a"])
def test_loopback_endpoints_are_accepted(url):
    load.check_loopback(url)


def test_bad_numbers_are_refused():
    with pytest.raises(SystemExit):
        load.parse_args(["--seconds", "0"])
    with pytest.raises(SystemExit):
        load.parse_args(["--concurrency", "0"])


def test_large_body_is_streamed_and_its_etag_is_the_md5_of_the_stream():
    body = load.LargeBody(3)
    gen = body.chunks()
    assert isinstance(gen, types.GeneratorType)
    data = b"".join(gen)
    assert len(data) == body.size == 3 * load.MiB
    assert body.etag == hashlib.md5(data).hexdigest()


def _res(target, op, conc, ops_s=0.0, mb_s=0.0):
    return load.PhaseResult(target, op, conc, 1, 0, 1.0, 0, ops_s, mb_s, 1.0, 1.0, 1.0, 1.0, 50.0)


def test_ratios_compare_with_the_disk_and_with_swift():
    disk_figs = {"fsync_4k_c1": {"ops_per_s": 1000.0, "concurrency": 1},
                 "fsync_4k_cN": {"ops_per_s": 4000.0, "concurrency": 64},
                 "create_4k": {"ops_per_s": 500.0},
                 "seq_write": {"mb_per_s": 300.0}, "seq_read": {"mb_per_s": 400.0}}
    results = [_res("objstore", "PUT 4k", 1, ops_s=100.0), _res("swift", "PUT 4k", 1, ops_s=50.0),
               _res("objstore", "PUT 4k", 64, ops_s=400.0),
               _res("objstore", "PUT large", 1, mb_s=50.0), _res("swift", "PUT large", 1, mb_s=100.0),
               _res("objstore", "GET large", 1, mb_s=200.0)]
    r = load.compute_ratios(results, disk_figs)
    assert r["objstore"]["PUT 4k c1 / disk fsync c1"] == 0.1
    assert r["objstore"]["PUT 4k c1 / disk create c1"] == 0.2
    assert r["objstore"]["PUT 4k c64 / disk fsync c64"] == 0.1
    assert r["objstore"]["PUT large / (disk seq write / 3)"] == 0.5
    assert r["objstore"]["GET large / disk seq read"] == 0.5
    assert r["objstore / swift"]["PUT 4k c1"] == 2.0
    assert r["objstore / swift"]["PUT large c1"] == 0.5
    assert "PUT 4k c64" not in r["objstore / swift"]  # swift has no such phase here


def test_ratio_of_a_missing_figure_is_none():
    assert load.ratio(None, 3.0) is None and load.ratio(3.0, 0.0) is None


def test_disk_figures_respect_their_op_bound(tmp_path):
    assert disk.fsync_rate(str(tmp_path), 60.0, 5, concurrency=2)["ops"] == 5
    assert disk.create_rate(str(tmp_path), 60.0, 3)["ops"] == 3
    w = disk.seq_write(str(tmp_path / "f"), 2 * disk.BLOCK, 60.0)
    assert w["bytes"] == 2 * disk.BLOCK
    assert disk.seq_read(str(tmp_path / "f"), 60.0)["bytes"] == 2 * disk.BLOCK


server_cpu = _load("server_cpu")


def test_server_cpu_is_grouped_by_the_kind_of_server_a_process_runs():
    assert server_cpu.server_kind(["/v/bin/python", "/v/bin/objstore-object-server", "x.conf"]) \
        == "object"
    assert server_cpu.server_kind(["/s/bin/python3", "/s/bin/swift-proxy-server", "p.conf"]) \
        == "proxy"
    # a daemon reading a server's config file is not a server
    assert server_cpu.server_kind(["/v/bin/python", "/v/bin/objstore-object-replicator",
                                   "/e/object-server/1.conf"]) is None


@pytest.mark.parametrize("argv, kind", [
    (["/v/bin/python", "-m", "objstore.obj.server", "/e/object-server/1.conf"], "object"),
    (["/v/bin/python3", "-u", "-m", "objstore.container.server", "c.conf"], "container"),
    (["/v/bin/python", "-m", "objstore.proxy.server", "p.conf"], "proxy"),
    (["/v/bin/python", "-m", "objstore.account.server", "a.conf"], "account"),
    (["/v/bin/python", "-m", "objstore.obj.replicator", "/e/object-server/1.conf"], None),
    (["/v/bin/python", "-m"], None),
    (["/v/bin/python", "-X", "dev", "-m", "objstore.obj.server", "o.conf"], "object"),
    (["/v/bin/python", "-c", "pass", "-m", "objstore.obj.server", "o.conf"], None),
    (["/v/bin/python", "/v/bin/objstore-init", "-m", "objstore.obj.server"], None),
    (["/usr/bin/objstore-object-server", "o.conf"], "object"),
])
def test_server_cpu_counts_servers_started_as_modules(argv, kind):
    """The kill -9 probe (the fault lab) and objstore-init restart servers
    as ``python -m objstore.obj.server``: they are servers all the same."""
    assert server_cpu.server_kind(argv) == kind


def test_server_cpu_snapshot_finds_a_server_started_as_a_module(tmp_path):
    """A real process started as the fault lab starts an object server
    (``python -m objstore.obj.server <conf>``; here a stand-in package
    first on its path that only sleeps), found by its config's directory
    and counted as an object server; a script that only carries those
    words after ``-c`` is not."""
    import subprocess
    package = tmp_path / "code" / "objstore" / "obj"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "server.py").write_text("import time\ntime.sleep(60)\n")
    marker = str(tmp_path / "etc")
    conf = marker + "/object-server/1.conf"
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "code"))
    server = subprocess.Popen([sys.executable, "-m", "objstore.obj.server", conf], env=env)
    script = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)",
                               "-m", "objstore.obj.server", conf])
    try:
        found = server_cpu.snapshot([marker])
        assert {pid: kind for pid, (kind, _cpu) in found.items()} == {str(server.pid): "object"}
    finally:
        for proc in (server, script):
            proc.kill()
            proc.wait()


def test_server_cpu_per_op_counts_new_processes_whole_and_divides_by_ops():
    before = {"1": ("proxy", 10.0), "2": ("object", 5.0)}
    after = {"1": ("proxy", 10.5), "2": ("object", 5.25), "3": ("container", 0.25)}
    used = server_cpu.used(before, after)
    assert used == {"proxy": 0.5, "object": 0.25, "container": 0.25, "account": 0.0,
                    "total": 1.0}
    assert server_cpu.per_op_ms(used, 100) == {"proxy": 5.0, "object": 2.5, "container": 2.5,
                                               "account": 0.0, "total": 10.0}
    assert server_cpu.per_op_ms(used, 0) == {}


def test_server_cpu_snapshot_finds_this_process_only_by_its_marker():
    assert server_cpu.snapshot([]) == {}
    assert server_cpu.snapshot(["/no/such/cluster/marker"]) == {}


def test_ratios_compare_server_cpu_per_op_with_swift():
    mk = lambda target, cpu: load.PhaseResult(target, "PUT 4k", 16, 100, 0, 1.0, 0, 100.0, 0.0,
                                              1.0, 2.0, 3.0, 1.0, 50.0, server_cpu_ms={"total": cpu})
    ratios = load.compute_ratios([mk("objstore", 10.0), mk("swift", 20.0)], None)
    assert ratios["objstore / swift"]["PUT 4k c16 server CPU/op"] == 0.5


def test_server_peak_rss_is_read_per_kind_and_a_gone_process_is_skipped():
    import os
    peaks = server_cpu.peak_rss_mib({str(os.getpid()): ("proxy", 0.0), "999999999": ("object", 0.0)})
    assert set(peaks) == {"proxy"} and 5 < peaks["proxy"] < 100000


def test_only_the_policy_the_comparison_swift_can_have_is_compared():
    a = load.parse_args(["--policy", "ec21", "--compare-swift"])
    assert a.policy == "ec21"  # bench/swift_saio.py adds it to the Swift it starts
    assert load.parse_args(["--policy", "silver"]).policy == "silver"  # objstore alone
    with pytest.raises(SystemExit):
        load.parse_args(["--policy", "silver", "--compare-swift"])
