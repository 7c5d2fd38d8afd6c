import http.client
import os
import socket
import signal
import threading
import time
import urllib.request

from tests.support.sockets import read_to_close
from tests.unit.common.conftest import free_port


def _get(port, path, timeout=60):
    return urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout).read()


def _children(pid):
    out = os.popen("ps --ppid %d -o pid=" % pid).read().split()
    return {int(p) for p in out}


def _poll(cond, deadline=30.0):
    end = time.time() + deadline
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def test_a_dead_worker_is_replaced(tiny_server):
    port, proc = tiny_server
    assert _poll(lambda: len(_children(proc.pid)) == 2)
    victim = sorted(_children(proc.pid))[0]
    os.kill(victim, signal.SIGKILL)
    assert _poll(lambda: len(_children(proc.pid)) == 2 and victim not in _children(proc.pid))
    assert _get(port, "/pid")


def test_sighup_finishes_in_flight_requests_and_replaces_workers(tiny_server):
    port, proc = tiny_server
    assert _poll(lambda: len(_children(proc.pid)) == 2)
    old = _children(proc.pid)
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("body", _get(port, "/slow")))
    t.start()
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGHUP)
    t.join(10)
    assert len(result["body"]) == 32  # the slow request completed
    assert _poll(lambda: not (_children(proc.pid) & old) and len(_children(proc.pid)) == 2)
    assert _get(port, "/pid")


def test_sigterm_stops_the_server(tiny_server):
    port, proc = tiny_server
    proc.terminate()
    assert proc.wait(60) == 0


def test_workers_exit_when_the_supervisor_is_killed(tiny_server):
    port, proc = tiny_server
    assert _poll(lambda: len(_children(proc.pid)) == 2)
    workers = _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert _poll(lambda: not any(_running(w) for w in workers))


def _epoll_watches(pid):
    """Per epoll descriptor of ``pid``: the inodes of the files it watches."""
    found = {}
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) != "anon_inode:[eventpoll]":
                continue
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as info:
                found[fd] = {int(field[4:], 16) for line in info if line.startswith("tfd:")
                             for field in line.split() if field.startswith("ino:")}
        except FileNotFoundError:
            pass
    return found


def _own_inodes(pid):
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            st = os.stat("/proc/%d/fd/%s" % (pid, fd))
        except FileNotFoundError:
            continue
        inodes.add(st.st_ino)
    return inodes


def test_each_worker_polls_with_an_epoll_instance_of_its_own(tiny_server):
    """A shared epoll instance (made before the fork) woke every worker for
    the other workers' sockets: no worker's epoll watches a file that only
    another worker has open (its wake-up pipe, its connections)."""
    port, proc = tiny_server
    assert _poll(lambda: len(_children(proc.pid)) == 2)
    assert _get(port, "/pid")
    first, second = sorted(_children(proc.pid))

    def foreign_watches():
        # a connection may close between two reads of /proc: read each
        # side's files before and after its epoll's watches
        found = set()
        for worker, other in ((first, second), (second, first)):
            mine = _own_inodes(worker)
            watched = set().union(*_epoll_watches(worker).values())
            mine |= _own_inodes(worker)
            found |= watched & (_own_inodes(other) - mine)
        return found

    assert _poll(lambda: not foreign_watches(), deadline=5.0), foreign_watches()


def _running(pid):
    """Alive and not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as fp:
            return fp.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_quote_high_bytes_keeps_ascii_lines_and_quotes_only_bytes_above_0x7f():
    from objstore.common.wsgi import quote_high_bytes

    assert quote_high_bytes(b"GET /a/b?c=d HTTP/1.1\r\n") == b"GET /a/b?c=d HTTP/1.1\r\n"
    assert quote_high_bytes("GET /voil\u00e0\u2026 HTTP/1.1\r\n".encode("utf-8")) == \
        b"GET /voil%C3%A0%E2%80%A6 HTTP/1.1\r\n"


def test_a_request_line_with_raw_utf8_reaches_the_app_with_the_same_path(tiny_server):
    """0xA0 (in "à") and 0x85 (in "…") are whitespace in latin-1: the stdlib
    parser alone would answer 400 Bad request syntax."""
    import socket

    port, _proc = tiny_server
    raw = "/c/voil\u00e0\u2026\u2603".encode("utf-8")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"PUT " + raw + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                     b"Connection: close\r\n\r\nhi")
        answer = read_to_close(sock)
    head = answer.split(b"\r\n\r\n")[0].split(b"\r\n")
    assert head[0] == b"HTTP/1.1 201 Created"
    assert b"X-Path: " + raw in head


def test_a_path_starting_with_two_slashes_reaches_the_app_as_sent(tiny_server):
    port, _proc = tiny_server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("PUT", "//v1/a", body=b"x")
        resp = conn.getresponse()
        resp.read()
        assert (resp.status, resp.getheader("X-Path")) == (201, "//v1/a")
    finally:
        conn.close()


def test_origin_form_of_absolute_and_other_targets():
    from objstore.common.wsgi import origin_form

    assert origin_form("http://127.0.0.1:8080/v1/a/c/o?x=1") == "/v1/a/c/o?x=1"
    assert origin_form("HTTPS://h/v1/a") == "/v1/a"
    assert origin_form("http://h") == "/"
    assert origin_form("/v1/a/http://x") == "/v1/a/http://x"
    assert origin_form("//v1/a") == "//v1/a"


def test_an_absolute_form_request_target_reaches_the_app_as_its_path(tiny_server):
    port, _proc = tiny_server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("PUT", "http://127.0.0.1:%d/v1/a/c/o" % port, body=b"x")
        resp = conn.getresponse()
        resp.read()
        assert (resp.status, resp.getheader("X-Path")) == (201, "/v1/a/c/o")
    finally:
        conn.close()


VERSIONED_APP = '''
import sys
sys.path.insert(0, sys.argv[2])
from objstore.common.wsgi import run_wsgi

def factory(conf):
    import os, time
    if os.path.exists(os.path.join(sys.argv[2], "slow")):
        time.sleep(2)  # a config that takes time to check
    import app_version  # the code an upgrade replaces
    return app_version.app

sys.exit(run_wsgi(sys.argv[1], "app:test", factory, 0))
'''
VERSION_MODULE = '''
import os

def app(env, start):
    body = ("%s %d" % ({version!r}, os.getppid())).encode()
    start("200 OK", [("Content-Length", str(len(body)))])
    return [body]
'''


def _versioned_server(tmp_path):
    import subprocess
    import sys

    port = free_port()
    (tmp_path / "server.py").write_text(VERSIONED_APP)
    (tmp_path / "app_version.py").write_text(VERSION_MODULE.format(version="v1"))
    conf = tmp_path / "app.conf"
    conf.write_text("[DEFAULT]\nbind_port = %d\nworkers = 2\n[app:test]\n" % port)
    proc = subprocess.Popen([sys.executable, str(tmp_path / "server.py"), str(conf),
                             str(tmp_path)])
    return port, proc


def test_sighup_runs_the_code_installed_now_on_the_same_socket_and_pid(tmp_path):
    """An upgrade: new code on disk, SIGHUP, and the new workers run it;
    the supervisor keeps its pid and clients never see a refused connection."""
    port, proc = _versioned_server(tmp_path)
    try:
        assert _poll(lambda: _answers(port))
        assert _get(port, "/") == b"v1 %d" % proc.pid
        (tmp_path / "app_version.py").write_text(VERSION_MODULE.format(version="v2"))
        os.kill(proc.pid, signal.SIGHUP)
        answers = []
        deadline = time.time() + 60
        while time.time() < deadline and (not answers or not answers[-1].startswith(b"v2")):
            answers.append(_get(port, "/"))  # a refused connection raises here
        assert answers[-1] == b"v2 %d" % proc.pid
        assert proc.poll() is None
        assert _poll(lambda: len(_children(proc.pid)) == 2)
    finally:
        proc.terminate()
        proc.wait(10)


def _answers(port):
    try:
        return bool(_get(port, "/", timeout=1))
    except OSError:
        return False


def test_sighup_with_a_broken_config_keeps_the_old_workers_serving(tiny_server, tmp_path):
    port, proc = tiny_server
    assert _poll(lambda: len(_children(proc.pid)) == 2)
    old = _children(proc.pid)
    conf = [a for a in open("/proc/%d/cmdline" % proc.pid).read().split("\0") if a][-1]
    with open(conf, "w") as fp:
        fp.write("this is [not an ini file\n")
    os.kill(proc.pid, signal.SIGHUP)
    time.sleep(1)
    assert _children(proc.pid) == old
    assert _get(port, "/pid")


def test_a_sigterm_during_a_reload_stops_the_server_and_its_workers(tmp_path):
    """A stop sent while a reload checks the new config (before the server
    re-executes itself) is not lost with the old program image."""
    port, proc = _versioned_server(tmp_path)
    try:
        assert _poll(lambda: _answers(port) and len(_children(proc.pid)) == 2)
        workers = _children(proc.pid)
        (tmp_path / "slow").write_text("")
        os.kill(proc.pid, signal.SIGHUP)
        time.sleep(0.5)  # the supervisor is inside the 2 s config check
        proc.terminate()
        assert proc.wait(60) == 0
        assert _poll(lambda: not any(_running(p) for p in workers))
        assert not _answers(port)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_a_connection_accepted_just_before_a_reload_is_answered(tiny_server):
    """A client that connected before the SIGHUP but sends its request after
    it is answered by the draining worker (then the connection closes),
    not dropped unanswered."""
    port, proc = tiny_server
    assert _poll(lambda: len(_children(proc.pid)) == 2)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        time.sleep(0.3)  # accepted by a worker, nothing sent yet
        os.kill(proc.pid, signal.SIGHUP)
        time.sleep(0.5)  # the old workers are draining
        client.sendall(b"GET /pid HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = read_to_close(client)
    assert answer.startswith(b"HTTP/1.1 200 "), answer


def test_a_server_sends_without_nagle_on_every_connection_it_accepts(tmp_path):
    """Answers leave through a 16 KiB write buffer; with Nagle the short
    rest of a body over it waited for the client's delayed ACK (40 ms on a
    kept-alive connection). The server sets TCP_NODELAY on its listening
    socket, and the sockets it accepts inherit it."""
    import sys
    from tests.unit.common.conftest import APP, listeners, wait_http
    sock = listeners.listener()
    ours = sock.dup()  # the same socket, seen from here
    assert ours.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
    port = sock.getsockname()[1]
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "app.conf").write_text("[DEFAULT]\nbind_port = %d\nworkers = 1\n[app:test]\n"
                                       % port)
    proc = listeners.spawn([sys.executable, str(tmp_path / "app.py"),
                            str(tmp_path / "app.conf")], sock)
    try:
        wait_http("http://127.0.0.1:%d/pid" % port)
        assert ours.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        proc.terminate()
        proc.wait(10)
        ours.close()
    probe = socket.socket()
    try:
        from objstore.common.wsgi import no_delay
        probe.bind(("127.0.0.1", 0))
        probe.listen()
        no_delay(probe)
        client = socket.create_connection(probe.getsockname())
        accepted, _addr = probe.accept()
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        accepted.close()
        client.close()
    finally:
        probe.close()


def test_read_body_into_fills_the_view_from_eventlets_input_and_keeps_its_count():
    """``read_body_into`` reads a body of known length straight into a
    buffer through eventlet's own ``Input`` (its limit and position kept,
    so a later ``read`` and the next request see the right bytes), and
    declines (``None``) a chunked body or a stream that is not eventlet's.
    In a process of its own, as ``test_http_server`` explains."""
    import subprocess
    import sys as _sys

    done = subprocess.run([_sys.executable, "-c", READ_INTO_CHECK], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


READ_INTO_CHECK = r'''
import io, socket
import eventlet.wsgi as ew
from objstore.common.wsgi import read_body_into

a, b = socket.socketpair()
a.sendall(b"0123456789" + b"NEXT")
rfile = b.makefile("rb")
body = ew.Input(rfile, 10, b)
view = memoryview(bytearray(8))
assert read_body_into(body, view) == 8 and bytes(view) == b"01234567"
assert read_body_into(body, view) == 2 and bytes(view[:2]) == b"89"  # the body's limit
assert read_body_into(body, view) == 0 and body.position == 10
assert body.read() == b""
assert rfile.read(4) == b"NEXT"  # what follows the body is left to the next request
assert read_body_into(ew.Input(rfile, None, b, chunked_input=True), view) is None
assert read_body_into(io.BytesIO(b"x"), view) is None
print("ok")
'''
