"""``objstore-init <command> <server>...``: run a node's servers and daemons.

Operators manage a node as a set of processes, one per config file: the
proxy, the three storage servers and their daemons. This tool finds the
configs, starts each process detached with a pid file, and answers
"is everything up?" with an exit code a monitoring check can use.

Configs: ``<swift-dir>/<kind>-server.conf``, or every ``*.conf`` in
``<swift-dir>/<kind>-server/`` (one process per file, as a test cluster
runs several nodes on one host). A daemon (``object-replicator``) runs
once per config of its kind (``object-server``), reading its own section.

Pid files: ``<run-dir>/<name>.pid`` for a single config,
``<run-dir>/<name>/<n>.pid`` for ``<kind>-server/<n>.conf``. A pid file is
trusted only while that pid is alive *and* was started with that config
(``/proc/<pid>/cmdline``), so a stale file whose pid was reused by an
unrelated process is never signalled.

Output: with ``--log-dir``, each process's stdout/stderr goes to
``<log-dir>/<name>[-<n>].log``; otherwise to the config's ``log_file``
(so a crash traceback lands next to the log lines), else nowhere.

``reload`` sends SIGHUP to servers (new workers start from the re-read
config, old ones finish their requests); daemons do not reload, so for
them it is a stop and start between passes. ``--watch`` (with ``start``)
stays in the foreground, restarts a process that died (1 s, doubling to
``MAX_BACKOFF`` for one that keeps dying) and stops them all on SIGTERM.
"""

from __future__ import annotations

import argparse
import glob
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from objstore.common.config import DEFAULT_SWIFT_DIR, ConfigError, read_conf

DEFAULT_RUN_DIR = "/var/run/objstore"
#: server name -> module whose ``main(argv)`` runs it.
SERVERS: Dict[str, str] = {
    "proxy-server": "objstore.proxy.server",
    "account-server": "objstore.account.server",
    "container-server": "objstore.container.server",
    "object-server": "objstore.obj.server",
}
DAEMONS: Dict[str, str] = {
    "account-replicator": "objstore.account.replicator",
    "account-auditor": "objstore.account.auditor",
    "account-reaper": "objstore.account.reaper",
    "container-replicator": "objstore.container.replicator",
    "container-updater": "objstore.container.updater",
    "container-auditor": "objstore.container.auditor",
    "object-replicator": "objstore.obj.replicator",
    "object-reconstructor": "objstore.obj.reconstructor",
    "object-auditor": "objstore.obj.auditor",
    "object-updater": "objstore.obj.updater",
    "object-expirer": "objstore.obj.expirer",
}
GROUPS = {"all": list(SERVERS) + list(DAEMONS), "main": list(SERVERS), "rest": list(DAEMONS)}
COMMANDS = ("start", "stop", "restart", "reload", "status", "once", "no-daemon")
START_GRACE = 0.5
MAX_BACKOFF = 60.0
#: a process that stayed up this long is healthy again: next restart is quick
STABLE_AFTER = 60.0


class InitError(Exception):
    """A problem the operator must fix (unknown name, no config)."""


@dataclass(frozen=True)
class Instance:
    """One process: a server or daemon with one config file."""

    name: str
    conf: str
    pid_file: str
    label: str  # "object-server" or "object-server/2": for messages and log names

    @property
    def is_server(self) -> bool:
        return self.name in SERVERS

    def argv(self, once: bool = False) -> List[str]:
        module = SERVERS.get(self.name) or DAEMONS[self.name]
        return [sys.executable, "-m", module, self.conf] + (["--once"] if once else [])


def normalize(token: str) -> List[str]:
    """``object`` -> object-server, ``all`` -> everything; else InitError."""
    if token in GROUPS:
        return list(GROUPS[token])
    name = token if token in SERVERS or token in DAEMONS else "%s-server" % token
    if name not in SERVERS and name not in DAEMONS:
        raise InitError("unknown server %r; try one of: %s, or all, main, rest"
                        % (token, ", ".join(list(SERVERS) + list(DAEMONS))))
    return [name]


def find_instances(name: str, swift_dir: str, run_dir: str) -> List[Instance]:
    """Every config of ``name``'s kind, as instances (empty if none)."""
    kind = name.split("-", 1)[0]
    base = "%s-server" % kind
    single = os.path.join(swift_dir, base + ".conf")
    found = []
    if os.path.isfile(single):
        found.append(Instance(name, os.path.abspath(single),
                              os.path.join(run_dir, name + ".pid"), name))
    for path in sorted(glob.glob(os.path.join(swift_dir, base, "*.conf")), key=_natural):
        n = os.path.basename(path)[:-len(".conf")]
        found.append(Instance(name, os.path.abspath(path),
                              os.path.join(run_dir, name, n + ".pid"), "%s/%s" % (name, n)))
    return found


def _natural(path: str) -> Tuple[int, str]:
    stem = os.path.basename(path)[:-len(".conf")]
    return (int(stem), "") if stem.isdigit() else (sys.maxsize, stem)


# ------------------------------------------------------------ process checks

def read_pid(pid_file: str) -> Optional[int]:
    try:
        with open(pid_file) as fp:
            return int(fp.read().strip())
    except (OSError, ValueError):
        return None


def write_pid(pid_file: str, pid: int) -> None:
    os.makedirs(os.path.dirname(pid_file), exist_ok=True)
    tmp = "%s.%d.tmp" % (pid_file, os.getpid())
    with open(tmp, "w") as fp:
        fp.write("%d\n" % pid)
    os.replace(tmp, pid_file)


def remove_pid(pid_file: str) -> None:
    try:
        os.unlink(pid_file)
    except FileNotFoundError:
        pass


def process_alive(pid: int, conf: Optional[str] = None) -> bool:
    """True if ``pid`` runs (not a zombie) and, where /proc tells, was
    started with ``conf`` on its command line."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        with open("/proc/%d/stat" % pid, "rb") as fp:
            state = fp.read().rsplit(b")", 1)[1].split()[0]
        if state in (b"Z", b"X"):
            return False
        if conf is not None:
            cmdline = _cmdline(pid)
            return not cmdline or conf.encode() in cmdline.split(b"\0")
    except (OSError, IndexError):
        pass
    return True


def _cmdline(pid: int, tries: int = 20) -> bytes:
    """``pid``'s command line. While a process re-executes itself (a
    server's reload) it reads empty for a moment: read again, so a server
    mid-reload is not taken for a stale pid file and left running; empty
    after a second (a kernel thread) counts as alive."""
    for _ in range(tries):
        with open("/proc/%d/cmdline" % pid, "rb") as fp:
            cmdline = fp.read()
        if cmdline:
            return cmdline
        time.sleep(0.05)
    return b""


def running_pid(inst: Instance) -> Optional[int]:
    pid = read_pid(inst.pid_file)
    return pid if pid is not None and process_alive(pid, inst.conf) else None


def server_address(conf_path: str, name: str) -> Optional[Tuple[str, int]]:
    """``(ip, port)`` a server binds, to wait until it accepts; None if the
    config does not say (then only liveness is checked)."""
    try:
        sections = read_conf(conf_path)
    except (ConfigError, OSError):
        return None
    section = sections.get("app:%s" % name, sections.get("DEFAULT", {}))
    port = section.get("bind_port")
    if not port or not str(port).isdigit():
        return None
    ip = section.get("bind_ip", "127.0.0.1")
    return ("127.0.0.1" if ip in ("0.0.0.0", "") else "::1" if ip == "::" else ip), int(port)


def _answers(addr: Tuple[str, int]) -> bool:
    """True once a worker answers HTTP (any status): the listening socket
    alone accepts as soon as the supervisor binds, before a worker runs."""
    try:
        with socket.create_connection(addr, timeout=1.0) as sock:
            sock.sendall(b"GET /healthcheck HTTP/1.0\r\nHost: init\r\n\r\n")
            return sock.recv(5) == b"HTTP/"
    except OSError:
        return False


# ------------------------------------------------------------------ manager

class Manager:
    """Starts, signals and watches a set of instances."""

    def __init__(self, instances: Sequence[Instance], log_dir: Optional[str] = None,
                 kill_wait: float = 15.0, start_wait: float = 15.0,
                 out: Optional[Callable[[str], None]] = None) -> None:
        self.instances = list(instances)
        self.log_dir = log_dir
        self.kill_wait = kill_wait
        self.start_wait = start_wait
        self.out = out or (lambda line: print(line, flush=True))
        self._stopping = False

    # -- output of a process -------------------------------------------
    def log_path(self, inst: Instance) -> Optional[str]:
        if self.log_dir:
            return os.path.join(self.log_dir, inst.label.replace("/", "-") + ".log")
        try:
            sections = read_conf(inst.conf)
        except (ConfigError, OSError):
            return None
        for key in (inst.name, "app:%s" % inst.name, "DEFAULT"):
            if sections.get(key, {}).get("log_file"):
                return sections[key]["log_file"]
        return None

    def spawn(self, inst: Instance, once: bool = False,
              foreground: bool = False) -> subprocess.Popen:
        """Start one process; detached (own session, output to its log)
        unless ``foreground``."""
        if foreground:
            return subprocess.Popen(inst.argv(once), stdin=subprocess.DEVNULL)
        path = self.log_path(inst)
        if path:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            out = open(path, "ab")
        else:
            out = open(os.devnull, "wb")
        with out:
            return subprocess.Popen(inst.argv(once), stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True,
                                    close_fds=True)

    # -- commands -------------------------------------------------------
    def start(self) -> Tuple[int, Dict[Instance, subprocess.Popen]]:
        """Start what is not running; 0 if everything ends up running."""
        started: Dict[Instance, subprocess.Popen] = {}
        rc = 0
        for inst in self.instances:
            pid = running_pid(inst)
            if pid is not None:
                self.out("%s running (%d - %s)" % (inst.label, pid, inst.conf))
                continue
            self.out("Starting %s...(%s)" % (inst.label, inst.conf))
            try:
                proc = self.spawn(inst)
            except OSError as err:
                self.out("ERROR cannot start %s: %s" % (inst.label, err))
                rc = 1
                continue
            write_pid(inst.pid_file, proc.pid)
            started[inst] = proc
        for inst, proc in started.items():
            if not self._came_up(inst, proc):
                where = self.log_path(inst)
                self.out("ERROR %s exited at start (status %s)%s" % (
                    inst.label, proc.poll(), "; see %s" % where if where else
                    "; use --log-dir or no-daemon to see why"))
                remove_pid(inst.pid_file)
                rc = 1
        return rc, started

    def _came_up(self, inst: Instance, proc: subprocess.Popen) -> bool:
        """Alive after a grace period; a server also accepting on its port."""
        addr = server_address(inst.conf, inst.name) if inst.is_server else None
        deadline = time.time() + (self.start_wait if addr else START_GRACE)
        while time.time() < deadline:
            if proc.poll() is not None:
                return False
            if addr and _answers(addr):
                return True
            time.sleep(0.05)
        return proc.poll() is None

    def stop(self, graceful: bool = False) -> int:
        """SIGTERM (SIGHUP with ``graceful`` for servers), SIGKILL whoever
        outlives ``kill_wait``; pid files removed. Always 0: stopping what
        is not running is not an error."""
        signalled: List[Tuple[Instance, int]] = []
        for inst in self.instances:
            pid = running_pid(inst)
            if pid is None:
                if os.path.exists(inst.pid_file):
                    self.out("Removing stale pid file %s" % inst.pid_file)
                    remove_pid(inst.pid_file)
                else:
                    self.out("No %s running" % inst.label)
                continue
            sig = signal.SIGHUP if graceful and inst.is_server else signal.SIGTERM
            self.out("Signal %s  pid: %d  signal: %d" % (inst.label, pid, sig))
            _signal(pid, sig)
            signalled.append((inst, pid))
        deadline = time.time() + self.kill_wait
        for inst, pid in signalled:
            while process_alive(pid) and time.time() < deadline:
                time.sleep(0.05)
            if process_alive(pid):
                self.out("%s (%d) did not stop in %.0fs; killing it" % (inst.label, pid,
                                                                        self.kill_wait))
                _signal(pid, signal.SIGKILL)
                try:  # its workers too: they share its session (see spawn)
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
            else:
                self.out("%s (%d) stopped" % (inst.label, pid))
            remove_pid(inst.pid_file)
        return 0

    def reload(self) -> int:
        """Servers: SIGHUP (graceful worker restart). Daemons: restart."""
        rc = 0
        daemons = []
        for inst in self.instances:
            pid = running_pid(inst)
            if not inst.is_server:
                daemons.append(inst)
            elif pid is None:
                self.out("%s not running (%s); starting it" % (inst.label, inst.conf))
                rc |= Manager([inst], self.log_dir, self.kill_wait, self.start_wait,
                              self.out).start()[0]
            else:
                self.out("Signal %s  pid: %d  signal: %d" % (inst.label, pid, signal.SIGHUP))
                _signal(pid, signal.SIGHUP)
        if daemons:
            sub = Manager(daemons, self.log_dir, self.kill_wait, self.start_wait, self.out)
            sub.stop()
            rc |= sub.start()[0]
        return rc

    def status(self) -> int:
        rc = 0
        for inst in self.instances:
            pid = running_pid(inst)
            if pid is None:
                self.out("%s not running (%s)" % (inst.label, inst.conf))
                rc = 1
            else:
                self.out("%s running (%d - %s)" % (inst.label, pid, inst.conf))
        return rc

    def once(self) -> int:
        """One pass of each daemon (servers are skipped), in parallel; 1 if
        any pass failed."""
        procs = []
        for inst in self.instances:
            if inst.is_server:
                continue
            self.out("Running %s once...(%s)" % (inst.label, inst.conf))
            procs.append((inst, self.spawn(inst, once=True)))
        rc = 0
        for inst, proc in procs:
            if proc.wait() != 0:
                where = self.log_path(inst)
                self.out("ERROR %s pass failed (exit %d)%s" % (
                    inst.label, proc.returncode, "; see %s" % where if where else ""))
                rc = 1
        if not procs:
            self.out("Nothing to run once: only daemons have passes")
        return rc

    def no_daemon(self) -> int:
        """Run in the foreground, output on this terminal, until they exit
        or this process gets SIGTERM/SIGINT."""
        procs = {inst: self.spawn(inst, foreground=True) for inst in self.instances}
        self._on_signals(lambda: [_signal(p.pid, signal.SIGTERM) for p in procs.values()
                                  if p.poll() is None])
        rc = 0
        for proc in procs.values():
            while True:
                try:
                    rc |= 1 if proc.wait() not in (0, -signal.SIGTERM) else 0
                    break
                except InterruptedError:
                    continue
        return rc

    def watch(self, started: Dict[Instance, subprocess.Popen], poll: float = 0.2) -> int:
        """Keep every instance running until SIGTERM/SIGINT, then stop all.

        A process that dies is restarted after a backoff that doubles while
        it keeps dying (1 s up to ``MAX_BACKOFF``), so a broken config does
        not spin; one that stayed up ``STABLE_AFTER`` seconds starts from
        1 s again. A pid file that names another live process (someone ran
        ``objstore-init restart``) is adopted rather than doubled.
        """
        procs: Dict[Instance, Optional[subprocess.Popen]] = dict(started)
        since = {inst: time.time() for inst in self.instances}
        backoff = {inst: 1.0 for inst in self.instances}
        due: Dict[Instance, float] = {}
        self._on_signals(self._request_stop)
        while not self._stopping:
            now = time.time()
            for inst in self.instances:
                if inst in due:
                    if now >= due[inst]:
                        del due[inst]
                        self._restart(inst, procs, due, backoff, since)
                    continue
                proc = procs.get(inst)
                alive = proc.poll() is None if proc is not None else running_pid(inst) is not None
                if alive:
                    continue
                if proc is not None:
                    procs[inst] = None
                    if running_pid(inst) is not None:
                        continue  # someone else restarted it: watch that one
                if now - since[inst] >= STABLE_AFTER:
                    backoff[inst] = 1.0
                due[inst] = now + backoff[inst]
                self.out("%s died; restarting in %.0fs" % (inst.label, backoff[inst]))
            time.sleep(poll)
        self.stop()
        for proc in procs.values():
            if proc is not None:
                proc.wait()  # reap: they are our children
        return 0

    def _restart(self, inst: Instance, procs: Dict[Instance, Optional[subprocess.Popen]],
                 due: Dict[Instance, float], backoff: Dict[Instance, float],
                 since: Dict[Instance, float]) -> None:
        now = time.time()
        since[inst] = now
        backoff[inst] = min(backoff[inst] * 2, MAX_BACKOFF)
        try:
            proc = self.spawn(inst)
        except OSError as err:
            self.out("ERROR cannot restart %s: %s" % (inst.label, err))
            due[inst] = now + backoff[inst]
            return
        write_pid(inst.pid_file, proc.pid)
        procs[inst] = proc
        self.out("Restarted %s (%d)" % (inst.label, proc.pid))

    def _request_stop(self) -> None:
        self._stopping = True

    def _on_signals(self, action: Callable[[], object]) -> None:
        def handler(_signum: int, _frame: object) -> None:
            action()
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


# -------------------------------------------------------------- command line

def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="objstore-init", description="Start, stop and check a node's objstore servers "
        "and daemons, one process per config file.",
        epilog="servers: %s; groups: all, main (servers), rest (daemons). The command may "
               "also come after the names (swift-init order)."
               % ", ".join(list(SERVERS) + list(DAEMONS)))
    parser.add_argument("command", help="|".join(COMMANDS))
    parser.add_argument("servers", nargs="+", help="server, daemon or group names")
    parser.add_argument("--swift-dir", default=DEFAULT_SWIFT_DIR,
                        help="where the configs are (default %(default)s)")
    parser.add_argument("--run-dir", default=DEFAULT_RUN_DIR,
                        help="where pid files go (default %(default)s)")
    parser.add_argument("--log-dir", help="send each process's output to "
                        "<log-dir>/<name>.log (default: the config's log_file)")
    parser.add_argument("--watch", action="store_true", help="with start/restart: stay in "
                        "the foreground, restart what dies, stop all on SIGTERM")
    parser.add_argument("--kill-wait", type=float, default=15.0,
                        help="seconds to wait for a stop before SIGKILL")
    parser.add_argument("--start-wait", type=float, default=15.0,
                        help="seconds to wait for a server to accept connections")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """``objstore-init <command> <server>...``; exit 0 on success, 1 if
    something is not (or could not be made) running, 2 for bad usage."""
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command not in COMMANDS and args.servers[-1] in COMMANDS:
        args.servers, args.command = [args.command] + args.servers[:-1], args.servers[-1]
    if args.command not in COMMANDS:
        sys.stderr.write("objstore-init: unknown command %r; use one of %s\n"
                         % (args.command, ", ".join(COMMANDS)))
        return 2
    try:
        names: List[str] = []
        for token in args.servers:
            names += [n for n in normalize(token) if n not in names]
    except InitError as err:
        sys.stderr.write("objstore-init: %s\n" % err)
        return 2
    explicit = {n for t in args.servers if t not in GROUPS for n in normalize(t)}
    instances: List[Instance] = []
    missing = []
    for name in names:
        found = find_instances(name, args.swift_dir, args.run_dir)
        if not found and name in explicit:
            missing.append(name)
        instances += found
    for name in missing:
        print("Unable to locate config for %s in %s (want %s-server.conf or %s-server/*.conf)"
              % (name, args.swift_dir, name.split("-")[0], name.split("-")[0]))
    if not instances:
        print("objstore-init: no configs found in %s for %s" % (args.swift_dir,
                                                             " ".join(args.servers)))
        return 1
    manager = Manager(instances, args.log_dir, args.kill_wait, args.start_wait)
    rc = 1 if missing else 0
    if args.command in ("start", "restart"):
        if args.command == "restart":
            manager.stop()
        start_rc, started = manager.start()
        if args.watch:
            return manager.watch(started)
        return rc | start_rc
    action = {"stop": manager.stop, "reload": manager.reload, "status": manager.status,
              "once": manager.once, "no-daemon": manager.no_daemon}[args.command]
    return rc | action()


if __name__ == "__main__":
    raise SystemExit(main())
