"""The cluster's processes as the lab sees them: which servers there are,
stopping and starting one, kill -9 of a worker, a daemon's ``--once``.

Servers are found the way an SAIO lays them out: ``<swift_dir>/<kind>-
server/<n>.conf`` is server ``<kind>-<n>`` with pid file ``<run_dir>/<kind>-
<n>.pid``, and ``<swift_dir>/proxy-server.conf`` is ``proxy``. A pid is
signalled only while its ``/proc/<pid>/cmdline`` names that config, so a
stale pid file whose pid now belongs to another process is never used.
"""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

from objstore.cli import init
from objstore.common.config import read_conf
from objstore.dashboard.health import healthcheck

KINDS = ("object", "container", "account")
#: daemon name (``object-replicator``) -> module (its ``main(argv)`` runs
#: it); it runs with the configs of the server kind its name starts with
DAEMONS = dict(init.DAEMONS, **{"container-sync": "objstore.container.sync",
                                "object-tierer": "objstore.tiering.tierer"})
#: daemons whose ``--once`` pass can be limited to partitions (``--partitions``)
PARTITION_DAEMONS = ("object-replicator",)
#: daemons that run once per cluster with a config of their own in swift_dir
OWN_CONF = {"object-tierer": "tierer.conf"}
STOP_WAIT = 10.0
#: seconds a started server has to answer /healthcheck
START_WAIT = 60.0
OUTPUT_TAIL = 2000


class ProcessError(Exception):
    """A process action that cannot be done; the message says why."""


@dataclass(frozen=True)
class Server:
    name: str   # "object-2", "proxy"
    kind: str   # "object", ..., "proxy"
    node: Optional[int]
    conf: str
    pid_file: str
    ip: str
    port: int
    devices: str


def find_servers(swift_dir: str, run_dir: str) -> Dict[str, Server]:
    """Every server config under ``swift_dir``, by name."""
    out: Dict[str, Server] = {}
    confs = [("proxy", None, os.path.join(swift_dir, "proxy-server.conf"))]
    for kind in KINDS:
        for path in glob.glob(os.path.join(swift_dir, "%s-server" % kind, "*.conf")):
            stem = os.path.basename(path)[:-5]
            if stem.isdigit():
                confs.append((kind, int(stem), path))
    for kind, node, path in confs:
        if not os.path.isfile(path):
            continue
        default = read_conf(path).get("DEFAULT", {})
        name = kind if node is None else "%s-%d" % (kind, node)
        out[name] = Server(name, kind, node, os.path.abspath(path),
                           os.path.join(run_dir, name + ".pid"),
                           default.get("bind_ip", "127.0.0.1"),
                           int(default.get("bind_port", "0") or 0),
                           default.get("devices", "/srv/node"))
    return out


def _cmdline(pid: int) -> List[str]:
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as fp:
            return [a.decode("utf-8", "replace") for a in fp.read().split(b"\0") if a]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open("/proc/%d/stat" % pid) as fp:
            return fp.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def server_pid(server: Server) -> Optional[int]:
    """The running server's pid (its pid file, checked against /proc)."""
    try:
        with open(server.pid_file) as fp:
            pid = int(fp.read().strip())
    except (OSError, ValueError):
        return None
    if not _alive(pid) or server.conf not in [os.path.abspath(a) for a in _cmdline(pid)]:
        return None
    return pid


def children(pid: int) -> List[int]:
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as fp:
            return [int(p) for p in fp.read().split()]
    except OSError:
        return []


def stop_server(server: Server) -> int:
    """SIGTERM (SIGKILL after ``STOP_WAIT`` s), forget the pid file; the pid."""
    pid = server_pid(server)
    if pid is None:
        raise ProcessError("%s is not running" % server.name)
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + STOP_WAIT
    while _alive(pid) and time.time() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        for one in [pid] + children(pid):
            try:
                os.kill(one, signal.SIGKILL)
            except ProcessLookupError:
                pass
    try:
        os.unlink(server.pid_file)
    except FileNotFoundError:
        pass
    return pid


def _reap(proc: subprocess.Popen) -> None:
    threading.Thread(target=proc.wait, daemon=True).start()


def start_server(server: Server, log_dir: str) -> int:
    """Start it detached (its own session, output to ``<log_dir>/<name>.log``),
    write its pid file and wait until it answers ``/healthcheck``;
    ProcessError if it runs already, dies or never answers."""
    if server_pid(server) is not None:
        raise ProcessError("%s is already running" % server.name)
    os.makedirs(log_dir, exist_ok=True)
    with open(os.path.join(log_dir, server.name + ".log"), "ab") as log:
        module = init.SERVERS["%s-server" % server.kind]
        proc = subprocess.Popen([sys.executable, "-m", module, server.conf],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True, close_fds=True)
    os.makedirs(os.path.dirname(server.pid_file), exist_ok=True)
    with open(server.pid_file, "w") as fp:
        fp.write("%d\n" % proc.pid)
    deadline = time.time() + START_WAIT
    while not healthcheck(server.ip, server.port, 2.0)["up"]:
        if proc.poll() is not None or time.time() > deadline:
            _reap(proc)
            raise ProcessError("%s %s; see %s" % (
                server.name, "exited at start (status %s)" % proc.returncode
                if proc.poll() is not None else "did not answer /healthcheck in %d s" % START_WAIT,
                os.path.join(log_dir, server.name + ".log")))
        time.sleep(0.2)
    _reap(proc)  # a server that later dies must not stay a zombie of this process
    return proc.pid


def kill_worker(server: Server) -> int:
    """kill -9 one worker of the server (its parent starts a new one); the
    killed pid. With no workers (``workers = 0``) the server itself."""
    pid = server_pid(server)
    if pid is None:
        raise ProcessError("%s is not running" % server.name)
    workers = children(pid)
    victim = workers[0] if workers else pid
    os.kill(victim, signal.SIGKILL)
    return victim


def run_once(daemon: str, confs: Dict[str, str], timeout: float = 600.0,
             args: Sequence[str] = ()) -> List[Dict]:
    """One ``--once`` pass of ``daemon`` with each config (label -> path),
    in parallel, with more command line ``args`` (``--partitions 7``):
    ``[{"server", "status", "output"}]`` (output's tail)."""
    code = "import sys; from %s import main; sys.exit(main(sys.argv[1:]))" % DAEMONS[daemon]
    procs = [(label, subprocess.Popen([sys.executable, "-c", code, conf, "--once", *args],
                                      stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT))
             for label, conf in confs.items()]
    out = []
    for label, proc in procs:
        try:
            text, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            text, _ = proc.communicate()
        out.append({"server": label, "status": proc.returncode,
                    "output": text.decode("utf-8", "replace")[-OUTPUT_TAIL:]})
    return out
