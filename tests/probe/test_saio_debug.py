"""``saio/debug``: one server of the live cluster run in the foreground as a
single process (no fork, its usual config), serving real requests, and the
normal server put back afterwards (Ctrl-C, or ``saio/debug --restore`` when
the debug session was killed outright)."""

import os
import signal
import subprocess
import time
import urllib.request
import uuid

from probe_helpers import REPO, _children, server_pid
from targeted import down, restart

DEBUG = os.path.join(REPO, "saio", "debug")
PORT_BASE = int(os.environ.get("SAIO_PORT_BASE", "6200"))


def _answers(port: int) -> bool:
    try:
        return urllib.request.urlopen("http://127.0.0.1:%d/healthcheck" % port,
                                      timeout=2).status == 200
    except Exception:
        return False


def _start_debug(args, out_path, old_pid):
    """``saio/debug ARGS`` in its own process group (as in a terminal), and
    the pid of the foreground server once it answers."""
    out = open(out_path, "w")
    proc = subprocess.Popen([DEBUG] + args, stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    out.close()
    deadline = time.time() + 60
    while True:
        pid = server_pid(args[0] if args[0] == "proxy" else "%s-%s" % tuple(args))
        if pid not in (None, old_pid) and b"/debug/" in _cmdline(pid):
            return proc, pid
        assert proc.poll() is None, open(out_path).read()
        assert time.time() < deadline, "saio/debug never started the server"
        time.sleep(0.1)


def _cmdline(pid: int) -> bytes:
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as fp:
            return fp.read()
    except OSError:
        return b""


def _wait_back(name: str, debug_pid: int, port: int) -> int:
    deadline = time.time() + 60
    while True:
        pid = server_pid(name)
        if pid not in (None, debug_pid) and _answers(port) and b"/debug/" not in _cmdline(pid):
            return pid
        assert time.time() < deadline, "%s never came back" % name
        time.sleep(0.2)


def test_the_proxy_runs_in_one_foreground_process_serves_a_request_and_ctrl_c_restores_it(
        conn, container, tmp_path):
    old = server_pid("proxy")
    port = int(os.environ.get("SAIO_PROXY_PORT", "8080"))
    out = str(tmp_path / "debug.out")
    proc, pid = _start_debug(["proxy"], out, old)
    try:
        deadline = time.time() + 60
        while not _answers(port):
            assert time.time() < deadline, open(out).read()
            time.sleep(0.1)
        assert _children(pid) == []  # no worker forked: a breakpoint stops right here
        name = "debugged-" + uuid.uuid4().hex[:8]
        conn.put_object(container, name, b"stepped through")
        assert conn.get_object(container, name)[1] == b"stepped through"
        assert _children(pid) == []
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        assert proc.wait(120) == 0  # the normal proxy is back before it exits
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            subprocess.run([DEBUG, "--restore"], check=True, stdout=subprocess.DEVNULL)
    text = open(out).read()
    assert "PUT /v1/" in text and name in text  # the debugged process logged our request
    back = _wait_back("proxy", pid, port)
    # the SAIO's normal proxy again, with its workers (the first one answers
    # /healthcheck while the second may still be forking)
    deadline = time.time() + 30
    while len(_children(back)) < 2 and time.time() < deadline:
        time.sleep(0.1)
    assert len(_children(back)) == 2
    assert conn.get_object(container, name)[1] == b"stepped through"


def test_a_storage_server_killed_with_its_debug_session_comes_back_with_restore(saio, tmp_path):
    port = PORT_BASE + 2 * 10  # object server of node 2
    old = server_pid("object-2")
    proc, pid = _start_debug(["object", "2"], str(tmp_path / "debug.out"), old)
    try:
        deadline = time.time() + 60
        while not _answers(port):
            assert time.time() < deadline
            time.sleep(0.1)
        assert _children(pid) == []
        os.killpg(proc.pid, signal.SIGKILL)  # the script cannot restore anything now
        proc.wait()
        deadline = time.time() + 30
        while _answers(port):
            assert time.time() < deadline
            time.sleep(0.1)
        done = subprocess.run([DEBUG, "--restore"], stdout=subprocess.PIPE, text=True, check=True)
        assert "object-2 is back" in done.stdout
        back = _wait_back("object-2", pid, port)
        assert back != old
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        restart(down())  # what --restore did not bring back (saio/start if that fails)


def test_an_unknown_server_or_node_is_refused_and_stops_nothing(saio):
    before = server_pid("object-1")
    for args in (["objects"], ["object", "5"], []):
        done = subprocess.run([DEBUG] + args, stderr=subprocess.PIPE, text=True)
        assert done.returncode == 2 and "usage: saio/debug" in done.stderr
    assert server_pid("object-1") == before and _answers(PORT_BASE + 10)
