"""A real little cluster for the database daemons' tests.

Four nodes, each with its own account and container server process (and
object server, when asked) on loopback ports, one device per node and
kind under a temp dir, rings built with the ring builder library, and an
rsync daemon with one module per node and kind, as a real deployment has.

Device dirs are ``<root>/<kind><port>/<device>`` so that both an rsync
daemon module (``{replication_ip}::<kind>{replication_port}``) and a plain
local path (``<root>/<kind>{replication_port}``) can name a peer's
devices from its ring entry alone.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple
from urllib.parse import quote

from ring import Ring, RingBuilder

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "support"))
import listeners  # noqa: E402

NODES = 4
REPLICAS = 3
PART_POWER = 4
HASH_CONF = """[objstore-hash]
swift_hash_path_prefix = pre
swift_hash_path_suffix = suf
[storage-policy:0]
name = gold
default = yes
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Generous: on a loaded 2-core box a server process can take tens of seconds to
# import and bind; a server that died is reported at once.
def wait_port(port: int, proc: subprocess.Popen, what: str, deadline: float = 90.0) -> None:
    """Until the (re)started server on ``port`` answers HTTP: a server
    binds before it loads its app, and a daemon's request in between waits
    its ``node_timeout`` only."""
    listeners.wait_serving(port, proc, what, deadline)


def _wait_listening(port: int, proc: subprocess.Popen, what: str,
                    deadline: float = 90.0) -> None:
    end = time.time() + deadline
    while time.time() < end:
        if proc.poll() is not None:
            raise AssertionError("%s died at start (exit %s)" % (what, proc.returncode))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.03)
    raise AssertionError("%s does not listen on port %d" % (what, port))


@dataclass
class Server:
    kind: str
    node: int
    port: int
    root: str
    conf: str = ""
    proc: Optional[subprocess.Popen] = None
    #: the listening socket bound for the first start (tests/support/listeners.py);
    #: a restart binds the port by number
    sock: Optional[socket.socket] = None

    @property
    def device(self) -> str:
        return "sd%s%d" % ({"object": "b", "container": "c", "account": "a"}[self.kind],
                           self.node)

    @property
    def devices(self) -> str:
        return os.path.join(self.root, "%s%d" % (self.kind, self.port))

    def request(self, method: str, path: str, headers: Optional[Dict[str, str]] = None,
                body: bytes = b"") -> Tuple[int, Dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, quote(path, safe="/?=&"), body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def start(self) -> None:
        module = {"object": "objstore.obj.server", "container": "objstore.container.server",
                  "account": "objstore.account.server"}[self.kind]
        code = "import sys; from %s import main; sys.exit(main([%r]))" % (module, self.conf)
        log = open(os.path.join(self.root, "%s%d.out" % (self.kind, self.node)), "ab")
        if self.sock is not None:
            sock, self.sock = self.sock, None
            self.proc = listeners.spawn([sys.executable, "-c", code], sock, stdout=log,
                                        stderr=log)
        else:
            self.proc = subprocess.Popen([sys.executable, "-c", code], stdout=log, stderr=log)

    def stop(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


@dataclass
class DBCluster:
    root: str
    kinds: Tuple[str, ...] = ("account", "container")
    servers: Dict[Tuple[str, int], Server] = field(default_factory=dict)
    rsync_port: int = 0
    rsync_proc: Optional[subprocess.Popen] = None

    def __post_init__(self) -> None:
        self.swift_dir = os.path.join(self.root, "etc")
        self.recon = os.path.join(self.root, "recon")
        os.makedirs(self.swift_dir)
        with open(os.path.join(self.swift_dir, "objstore.conf"), "w") as fp:
            fp.write(HASH_CONF)
        self.rsync_port = free_port()
        for kind in self.kinds:
            for node in range(1, NODES + 1):
                sock = listeners.listener()
                srv = Server(kind, node, sock.getsockname()[1], self.root, sock=sock)
                os.makedirs(os.path.join(srv.devices, srv.device))
                self.servers[(kind, node)] = srv
            builder = RingBuilder(PART_POWER, REPLICAS, 0)
            for node in range(1, NODES + 1):
                srv = self.servers[(kind, node)]
                builder.add_dev({"region": 1, "zone": node, "ip": "127.0.0.1",
                                 "port": srv.port, "device": srv.device, "weight": 100})
            builder.rebalance(seed=1)
            builder.get_ring().save(os.path.join(self.swift_dir, "%s.ring.gz" % kind))
        for srv in self.servers.values():
            srv.conf = self._write_conf(srv)
        self._start_rsync()
        try:
            for srv in self.servers.values():
                srv.start()
            for srv in self.servers.values():
                wait_port(srv.port, srv.proc, "%s server %d" % (srv.kind, srv.node))
        except BaseException:
            self.stop()
            raise

    def _write_conf(self, srv: Server) -> str:
        path = os.path.join(self.root, "%s%d.conf" % (srv.kind, srv.node))
        with open(path, "w") as fp:
            fp.write(
                "[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %d\nworkers = 0\n"
                "devices = %s\nmount_check = false\nswift_dir = %s\nlog_level = INFO\n"
                "log_file = %s\nrecon_cache_path = %s\n"
                "rsync_module = {replication_ip}::%s{replication_port}\nrsync_port = %d\n"
                "node_timeout = 5\nconn_timeout = 1\ndb_synchronous = normal\n\n[app:%s-server]\n\n"
                "[%s-replicator]\nlog_name = %s-replicator-%d\n\n"
                "[%s-auditor]\nlog_name = %s-auditor-%d\n\n"
                "[container-updater]\nlog_name = container-updater-%d\n\n"
                "[account-reaper]\nlog_name = account-reaper-%d\n"
                % (srv.port, srv.devices, self.swift_dir,
                   os.path.join(self.root, "%s%d.log" % (srv.kind, srv.node)), self.recon,
                   srv.kind, self.rsync_port, srv.kind,
                   srv.kind, srv.kind, srv.node, srv.kind, srv.kind, srv.node,
                   srv.node, srv.node))
        return path

    def _start_rsync(self) -> None:
        lines = ["port = %d" % self.rsync_port, "address = 127.0.0.1", "use chroot = no",
                 "pid file = %s" % os.path.join(self.root, "rsyncd.pid"),
                 "log file = %s" % os.path.join(self.root, "rsyncd.log"),
                 "uid = %d" % os.getuid(), "gid = %d" % os.getgid(), ""]
        for srv in self.servers.values():
            lines += ["[%s%d]" % (srv.kind, srv.port), "path = %s" % srv.devices,
                      "read only = false",
                      "lock file = %s" % os.path.join(self.root, "%s.lock" % srv.port), ""]
        conf = os.path.join(self.root, "rsyncd.conf")
        with open(conf, "w") as fp:
            fp.write("\n".join(lines))
        self.rsync_proc = subprocess.Popen(["rsync", "--daemon", "--no-detach",
                                            "--config=%s" % conf])
        _wait_listening(self.rsync_port, self.rsync_proc, "rsync daemon")

    def stop(self) -> None:
        for srv in self.servers.values():
            srv.stop()
        if self.rsync_proc is not None:
            self.rsync_proc.terminate()
            self.rsync_proc.wait(10)
            self.rsync_proc = None

    # ------------------------------------------------------------ helpers

    def ring(self, kind: str) -> Ring:
        return Ring(self.swift_dir, ring_name=kind)

    def server_for(self, kind: str, dev: Dict) -> Server:
        for srv in self.servers.values():
            if srv.kind == kind and srv.port == dev["port"]:
                return srv
        raise KeyError(dev)

    def placement(self, kind: str, account: str, container: Optional[str] = None,
                  obj: Optional[str] = None) -> Tuple[int, List[Server], List[Server]]:
        """``(partition, primary servers, handoff servers)`` of a name."""
        ring = self.ring(kind)
        part, nodes = ring.get_nodes(account, container, obj)
        handoffs = list(ring.get_more_nodes(part))
        return (part, [self.server_for(kind, n) for n in nodes],
                [self.server_for(kind, n) for n in handoffs])

    def conf_path(self, kind: str, node: int) -> str:
        return self.servers[(kind, node)].conf
