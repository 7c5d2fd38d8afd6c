"""Two all-in-one clusters for the container sync probes: "east" (the SAIO
of this checkout, saio/start) and "west" (saio/remote start, its own
directory and the SAIO2_* ports), in one container sync realm "saio".

Helpers run the sync daemons (``--once`` passes, or forever in the
background to be killed), read their recon status, compare the two sides,
and put a fault-injecting HTTP relay between them.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Tuple

import swiftclient

from objstore.common.config import load_hash_settings
from objstore.common.recon import fetch_recon
from objstore.container.broker import ContainerBroker
from objstore.db.paths import CONTAINER_DATADIR, db_path, name_hash
from probe_helpers import REPO, SAIO, VENV_BIN, start_cluster
from ring import Ring

NODES = (1, 2, 3, 4)
REMOTE_DIR = os.environ.get("SAIO_REMOTE_DIR", os.path.join(REPO, ".saio-remote"))


@dataclass
class Cluster:
    name: str
    saio_dir: str
    proxy_port: int
    port_base: int
    procs: List[subprocess.Popen] = field(default_factory=list)

    @property
    def etc(self) -> str:
        return os.path.join(self.saio_dir, "etc")

    def conn(self) -> swiftclient.Connection:
        return swiftclient.Connection("http://127.0.0.1:%d/auth/v1.0" % self.proxy_port,
                                      "test:tester", "testing", retries=0)

    def conf(self, node: int) -> str:
        return os.path.join(self.etc, "container-server", "%d.conf" % node)

    def sync_once(self, timeout: float = 300) -> None:
        """One ``--once`` pass of the sync daemon on every node, in parallel."""
        procs = [subprocess.Popen([os.path.join(VENV_BIN, "objstore-container-sync"),
                                   self.conf(n), "--once"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE) for n in NODES]
        for proc in procs:
            _out, err = proc.communicate(timeout=timeout)
            assert proc.returncode == 0, err.decode("utf-8", "replace")[-2000:]

    def start_daemons(self) -> None:
        """The sync daemons running forever (a pass every 10 s), as in production."""
        self.procs = [subprocess.Popen([os.path.join(VENV_BIN, "objstore-container-sync"),
                                        self.conf(n)], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL) for n in NODES]

    def kill_daemons(self) -> None:
        """kill -9: no chance to finish a batch or record anything."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        self.procs = []

    def sync_status(self, account: str, container: str) -> List[dict]:
        """The status each container server's recon reports for the container."""
        out = []
        for n in NODES:
            status, answer = fetch_recon("127.0.0.1", self.port_base + 1 + n * 10,
                                         "container_sync", 5)
            assert status == 200
            entry = (answer.get("containers") or {}).get("%s/%s" % (account, container))
            if entry:
                out.append(entry)
        return out


EAST = Cluster("east", SAIO, int(os.environ.get("SAIO_PROXY_PORT", "8080")),
               int(os.environ.get("SAIO_PORT_BASE", "6200")))
WEST = Cluster("west", REMOTE_DIR, int(os.environ.get("SAIO2_PROXY_PORT", "8081")),
               int(os.environ.get("SAIO2_PORT_BASE", "6300")))


def healthy(cluster: Cluster) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", cluster.proxy_port, timeout=2)
        conn.request("GET", "/healthcheck")
        return conn.getresponse().status == 200
    except OSError:
        return False


def start_west() -> None:
    subprocess.run([os.path.join(REPO, "saio", "remote"), "start"], check=True,
                   stdout=subprocess.DEVNULL)
    wait_for(lambda: healthy(WEST), 60, "the west cluster never became healthy")


def stop_west() -> None:
    """The whole west cluster down: its proxy killed at once (so the sync is
    cut mid-way, not after a polite shutdown), then every other server."""
    try:
        with open(os.path.join(WEST.saio_dir, "run", "proxy.pid")) as fp:
            pid = int(fp.read().strip())
        with open("/proc/%d/task/%d/children" % (pid, pid)) as fp:
            workers = [int(p) for p in fp.read().split()]
        for one in [pid] + workers:
            os.kill(one, signal.SIGKILL)
    except (OSError, ValueError):
        pass
    subprocess.run([os.path.join(REPO, "saio", "remote"), "stop"], check=True,
                   stdout=subprocess.DEVNULL)


def ensure_both() -> None:
    if not healthy(EAST):
        start_cluster()
    if not healthy(WEST):
        start_west()


def wait_for(predicate: Callable[[], bool], timeout: float, what: str,
             interval: float = 0.1) -> None:
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, what
        time.sleep(interval)


# ------------------------------------------------------------------ contents

def put_many(cluster: Cluster, container: str, names: List[str], size: int) -> None:
    """PUT each name (distinct bytes per name), 8 at a time."""
    local = threading.local()

    def put(name: str) -> None:
        if not hasattr(local, "conn"):
            local.conn = cluster.conn()
        local.conn.put_object(container, name, name.encode() * (size // len(name) + 1))
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, names))


def state(cluster: Cluster, container: str) -> Dict[str, Tuple[str, str]]:
    """``{name: (listed etag, x-timestamp)}`` of every listed object, each
    HEADed (the listing's time has less precision than X-Timestamp; a large
    object's listed ETag is its manifest's)."""
    conn = cluster.conn()
    _h, rows = conn.get_container(container, full_listing=True)
    return {row["name"]: (row["hash"], conn.head_object(container, row["name"])["x-timestamp"])
            for row in rows}


def listing_names(cluster: Cluster, container: str) -> List[str]:
    return [r["name"] for r in cluster.conn().get_container(container, full_listing=True)[1]]


def converge(container: str, clusters: Tuple[Cluster, ...], expected: Dict[str, Tuple[str, str]],
             rounds: int = 6) -> None:
    """Run sync passes until every cluster holds exactly ``expected``."""
    for _round in range(rounds):
        for cluster in clusters:
            cluster.sync_once()
        if all(state(c, container) == expected for c in (EAST, WEST)):
            return
    for cluster in (EAST, WEST):
        assert state(cluster, container) == expected, "%s never converged" % cluster.name


# -------------------------------------------------------- a faulty network

class DroppingRelay:
    """An HTTP relay on a loopback port in front of a proxy that forwards
    each request whole, reads the proxy's whole answer, and -- for the
    requests ``drop`` picks -- closes the client's connection instead of
    answering: the request was applied, its response is lost."""

    def __init__(self, target_port: int, drop: Callable[[str, str], bool]) -> None:
        self.target_port = target_port
        self.drop = drop
        self.seen: List[Tuple[str, str, int, bool]] = []  # method, path, status, dropped
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def close(self) -> None:
        self._stop = True
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop:
            try:
                client, _addr = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        with client:
            reader = client.makefile("rb")
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = reader.readline()
                if not line:
                    return
                head += line
            lines = head.decode("latin-1").split("\r\n")
            method, path, _version = lines[0].split(" ", 2)
            headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
            length = int(next((v for k, v in headers.items()
                               if k.lower() == "content-length"), "0"))
            body = reader.read(length) if length else b""
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
            with upstream:
                upstream.sendall(head + body)
                resp = http.client.HTTPResponse(upstream, method=method)
                resp.begin()
                data = resp.read()
            dropped = self.drop(method, path)
            self.seen.append((method, path, resp.status, dropped))
            if dropped:
                return  # applied upstream; the client never hears of it
            out = ["HTTP/1.1 %d %s" % (resp.status, resp.reason)]
            out += ["%s: %s" % (k, v) for k, v in resp.getheaders()
                    if k.lower() not in ("content-length", "transfer-encoding", "connection")]
            out += ["Content-Length: %d" % len(data), "Connection: close", "", ""]
            client.sendall("\r\n".join(out).encode("latin-1") + data)


def unique(prefix: str) -> str:
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def realms_file(cluster: Cluster) -> str:
    return os.path.join(cluster.etc, "container-sync-realms.conf")


def wait_rows(cluster: Cluster, account: str, container: str,
              predicate: Callable[[List[dict]], bool], timeout: float, what: str) -> List[dict]:
    """Poll the recon status until ``predicate(entries)``; the entries."""
    found: List[dict] = []

    def check() -> bool:
        found[:] = cluster.sync_status(account, container)
        return predicate(found)
    wait_for(check, timeout, what, interval=0.5)
    return found


def primary_dbs(cluster: Cluster, account: str, container: str) -> List[Tuple[int, ContainerBroker]]:
    """``(replica index, broker)`` of each primary database of a container."""
    ring = Ring(cluster.etc, ring_name="container")
    prefix, suffix = load_hash_settings(cluster.etc)
    hash_ = name_hash(account, container, prefix, suffix)
    part = ring.get_part(account, container)
    out = []
    for index, dev in enumerate(ring.get_part_nodes(part)):
        node = (dev["port"] - 1 - cluster.port_base) // 10
        devices = os.path.join(cluster.saio_dir, "srv", str(node), "node")
        out.append((index, ContainerBroker(db_path(devices, dev["device"], CONTAINER_DATADIR,
                                                   part, hash_))))
    return out
