"""objstore-init against real servers started from temp configs on free ports."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from objstore.cli import init
from ring import RingBuilder

HASH_CONF = """[objstore-hash]
swift_hash_path_prefix = initprefix
swift_hash_path_suffix = initsuffix

[storage-policy:0]
name = gold
default = yes
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthcheck" % port, timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def poll(cond, deadline=30.0):
    end = time.time() + deadline
    while time.time() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    return cond()


def server_conf(root, swift_dir, kind, port, name):
    devices = os.path.join(root, "srv", name)
    os.makedirs(os.path.join(devices, "sdb1"), exist_ok=True)
    return ("[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %d\nworkers = 1\ndevices = %s\n"
            "mount_check = false\nswift_dir = %s\nrecon_cache_path = %s\n"
            "log_file = %s\n\n[app:%s-server]\n\n[%s-updater]\ninterval = 3600\n"
            % (port, devices, swift_dir, os.path.join(root, "cache"),
               os.path.join(root, "log", name + ".log"), kind, kind))


@pytest.fixture
def node(tmp_path):
    """A swift dir with object-server/1.conf, object-server/2.conf and
    account-server.conf; everything started is stopped afterwards."""
    root = str(tmp_path)
    swift_dir = os.path.join(root, "etc")
    os.makedirs(os.path.join(swift_dir, "object-server"))
    os.makedirs(os.path.join(root, "log"))
    with open(os.path.join(swift_dir, "objstore.conf"), "w") as fp:
        fp.write(HASH_CONF)
    ports = {"object/1": free_port(), "object/2": free_port(), "account": free_port()}
    for n in ("1", "2"):
        with open(os.path.join(swift_dir, "object-server", n + ".conf"), "w") as fp:
            fp.write(server_conf(root, swift_dir, "object", ports["object/" + n], "object" + n))
    with open(os.path.join(swift_dir, "account-server.conf"), "w") as fp:
        fp.write(server_conf(root, swift_dir, "account", ports["account"], "account"))
    builder = RingBuilder(4, 1, 0)  # the object updater reads the container ring
    builder.add_dev({"region": 1, "zone": 1, "ip": "127.0.0.1", "port": free_port(),
                     "device": "sdb1", "weight": 100})
    builder.rebalance(seed=1)
    builder.get_ring().save(os.path.join(swift_dir, "container.ring.gz"))
    ctx = {"root": root, "swift_dir": swift_dir, "run_dir": os.path.join(root, "run"),
           "ports": ports}
    yield ctx
    init.main(["stop", "all"] + opts(ctx) + ["--kill-wait", "5"])


def opts(ctx):
    return ["--swift-dir", ctx["swift_dir"], "--run-dir", ctx["run_dir"]]


def run(ctx, *args):
    return init.main(list(args) + opts(ctx))


def pid_of(ctx, rel):
    return init.read_pid(os.path.join(ctx["run_dir"], rel))


def test_start_runs_one_server_per_config_file_and_status_says_so(node, capsys):
    assert run(node, "start", "object", "account") == 0
    assert all(healthy(p) for p in node["ports"].values())
    assert pid_of(node, "object-server/1.pid") != pid_of(node, "object-server/2.pid")
    assert pid_of(node, "account-server.pid")
    assert run(node, "status", "object", "account") == 0
    out = capsys.readouterr().out
    assert "object-server/2 running" in out and "account-server running" in out


def test_start_twice_leaves_the_running_servers_alone(node, capsys):
    assert run(node, "start", "account") == 0
    first = pid_of(node, "account-server.pid")
    assert run(node, "start", "account") == 0
    assert pid_of(node, "account-server.pid") == first
    assert "account-server running (%d" % first in capsys.readouterr().out


def test_status_exits_1_when_one_process_is_down(node, capsys):
    assert run(node, "start", "object") == 0
    os.killpg(pid_of(node, "object-server/2.pid"), signal.SIGKILL)  # server and workers
    assert poll(lambda: run(node, "status", "object") == 1)
    assert "object-server/2 not running" in capsys.readouterr().out


def test_stop_terminates_the_servers_and_removes_pid_files(node):
    assert run(node, "start", "main") == 0  # no proxy config: the group skips it
    assert run(node, "stop", "main") == 0
    assert not any(healthy(p) for p in node["ports"].values())
    assert not os.path.exists(os.path.join(node["run_dir"], "object-server", "1.pid"))
    assert run(node, "status", "main") == 1


def test_stop_of_a_stopped_server_is_not_an_error(node, capsys):
    assert run(node, "stop", "account") == 0
    assert "No account-server running" in capsys.readouterr().out


def test_a_stale_pid_file_is_not_trusted_or_signalled(node, capsys):
    pid_file = os.path.join(node["run_dir"], "account-server.pid")
    os.makedirs(node["run_dir"])
    with open(pid_file, "w") as fp:
        fp.write("%d\n" % os.getpid())  # alive, but not an account server
    assert run(node, "status", "account") == 1
    assert run(node, "stop", "account") == 0
    assert "Removing stale pid file" in capsys.readouterr().out
    assert not os.path.exists(pid_file)


def test_reload_keeps_the_server_process_and_it_keeps_answering(node):
    assert run(node, "start", "account") == 0
    pid = pid_of(node, "account-server.pid")
    assert run(node, "reload", "account") == 0
    assert pid_of(node, "account-server.pid") == pid
    assert poll(lambda: healthy(node["ports"]["account"]))
    assert init.process_alive(pid)


def test_restart_replaces_the_process(node):
    assert run(node, "start", "account") == 0
    pid = pid_of(node, "account-server.pid")
    assert run(node, "restart", "account") == 0
    assert pid_of(node, "account-server.pid") != pid
    assert healthy(node["ports"]["account"])


def test_once_runs_one_daemon_pass_per_config_and_returns(node, capsys):
    assert run(node, "once", "object-updater") == 0
    assert capsys.readouterr().out.count("Running object-updater/") == 2


def test_a_server_that_cannot_start_is_reported_and_fails_start(node, capsys):
    with open(os.path.join(node["swift_dir"], "container-server.conf"), "w") as fp:
        # an address this host does not have: the bind fails at once
        fp.write("[DEFAULT]\nbind_port = %d\nbind_ip = 192.0.2.1\nswift_dir = %s\n"
                 % (free_port(), node["swift_dir"]))
    assert run(node, "start", "container", "--log-dir", os.path.join(node["root"], "l2")) == 1
    out = capsys.readouterr().out
    assert "ERROR container-server exited at start" in out and "l2" in out
    assert not os.path.exists(os.path.join(node["run_dir"], "container-server.pid"))


def test_unknown_server_name_is_a_usage_error(node, capsys):
    assert run(node, "start", "frobnicator") == 2
    assert "unknown server 'frobnicator'" in capsys.readouterr().err


def test_missing_config_names_the_files_looked_for(node, capsys):
    assert run(node, "status", "proxy") == 1
    assert "proxy-server.conf or proxy-server/*.conf" in capsys.readouterr().out


def test_command_after_the_names_is_accepted_as_swift_init_does(node):
    assert init.main(["account", "start"] + opts(node)) == 0
    assert healthy(node["ports"]["account"])


def test_watch_restarts_a_crashed_server_and_stops_all_on_sigterm(node):
    watcher = subprocess.Popen(
        [sys.executable, "-m", "objstore.cli.init", "start", "object", "--watch",
         "--kill-wait", "5"] + opts(node), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert poll(lambda: healthy(node["ports"]["object/1"]) and
                    healthy(node["ports"]["object/2"]))
        first = pid_of(node, "object-server/1.pid")
        os.killpg(first, signal.SIGKILL)  # a crash of the server and its workers
        assert poll(lambda: pid_of(node, "object-server/1.pid") not in (None, first)
                    and healthy(node["ports"]["object/1"]))
        second = pid_of(node, "object-server/1.pid")
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=20) == 0
        assert not init.process_alive(second)
        assert not healthy(node["ports"]["object/2"])
        out = watcher.stdout.read().decode()
        assert "object-server/1 died; restarting" in out and "Restarted object-server/1" in out
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
