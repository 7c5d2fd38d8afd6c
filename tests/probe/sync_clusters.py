"""Two all-in-one clusters for the container sync probes: "east" (the SAIO
of this checkout, saio/start) and "west" (saio/remote start, its own
directory and the SAIO2_* ports), in one container sync realm "saio".

Helpers run the sync daemons (a pass of every node on demand through one
long-lived driver process per cluster, ``sync_driver.py``, or the real
daemons forever in the background to be killed), read their recon status,
compare the two sides, and put a fault-injecting HTTP relay between them.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

import swiftclient

from objstore.common.config import load_hash_settings
from objstore.common.recon import fetch_recon
from objstore.container.broker import ContainerBroker
from objstore.db.paths import CONTAINER_DATADIR, db_path, name_hash
from probe_helpers import REPO, SAIO, VENV_BIN, start_cluster
from ring import Ring

NODES = (1, 2, 3, 4)
T = TypeVar("T")
REMOTE_DIR = os.environ.get("SAIO_REMOTE_DIR", os.path.join(REPO, ".saio-remote"))
DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sync_driver.py")
#: the driver's overrides of the nodes' [container-sync] sections: a failed
#: request is tried as often as in production, with short backoffs
DRIVER_OPTIONS = ("retry_backoff=0.02",)


@dataclass
class Cluster:
    name: str
    saio_dir: str
    proxy_port: int
    port_base: int
    procs: List[subprocess.Popen] = field(default_factory=list)
    driver: Optional[subprocess.Popen] = None
    driver_lock: threading.Lock = field(default_factory=threading.Lock)
    account: str = "AUTH_test"  # test:tester's, as conn() logs in

    @property
    def etc(self) -> str:
        return os.path.join(self.saio_dir, "etc")

    def conn(self) -> swiftclient.Connection:
        return swiftclient.Connection("http://127.0.0.1:%d/auth/v1.0" % self.proxy_port,
                                      "test:tester", "testing", retries=0)

    def conf(self, node: int) -> str:
        return os.path.join(self.etc, "container-server", "%d.conf" % node)

    def start_driver(self) -> None:
        """The long-lived process ``sync_once`` asks for passes (the
        daemons' log lines in the cluster's log/container-sync-driver.log)."""
        with open(os.path.join(self.saio_dir, "log", "container-sync-driver.log"), "ab") as log:
            self.driver = subprocess.Popen(
                [os.path.join(VENV_BIN, "python"), DRIVER, self.etc, *DRIVER_OPTIONS],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                bufsize=1)
        assert self._driver_line() == "ready"

    def stop_driver(self) -> None:
        if self.driver is not None:
            self.driver.stdin.close()
            self.driver.wait(timeout=30)
            self.driver = None

    def _driver_line(self) -> str:
        assert self.driver is not None and self.driver.stdout is not None
        line = self.driver.stdout.readline().strip()
        assert line, "the sync driver of %s died" % self.name
        return line

    def sync_once(self, *containers: str) -> Dict[str, int]:
        """One pass of the sync daemon of every node, at the same time, over
        the databases of ``containers`` (of the test user's account) or of
        all; the pass stats summed over the nodes."""
        command = " ".join(["once"] + ["%s/%s" % (self.account, c) for c in containers])
        with self.driver_lock:  # one pass at a time, each reading its own answer
            if self.driver is None:
                self.start_driver()
            assert self.driver is not None and self.driver.stdin is not None
            self.driver.stdin.write(command + "\n")
            answer = self._driver_line()
        assert answer.startswith("ok "), answer
        return json.loads(answer[3:])

    def start_daemons(self, nodes: Sequence[int] = NODES) -> None:
        """The sync daemons of ``nodes`` running forever (a pass every 10 s),
        as in production."""
        self.procs = [subprocess.Popen([os.path.join(VENV_BIN, "objstore-container-sync"),
                                        self.conf(n)], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL) for n in nodes]

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
    """The whole west cluster down (after the tests, if they started it):
    every server asked to stop at once, then saio/remote stop for what is
    left (it stops one server after the other, ~3 s each)."""
    run = os.path.join(WEST.saio_dir, "run")
    pids = []
    for name in os.listdir(run):
        try:
            with open(os.path.join(run, name)) as fp:
                pid = int(fp.read().strip())
            os.kill(pid, signal.SIGTERM)
            pids.append(pid)
        except (OSError, ValueError):
            continue
    deadline = time.time() + 30
    while any(_alive(pid) for pid in pids) and time.time() < deadline:
        time.sleep(0.2)
    subprocess.run([os.path.join(REPO, "saio", "remote"), "stop"], check=True,
                   stdout=subprocess.DEVNULL)


def _alive(pid: int) -> bool:
    """Running and not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as fp:
            return fp.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _west_proxy_pid() -> str:
    return os.path.join(WEST.saio_dir, "run", "proxy.pid")


def kill_west_proxy() -> None:
    """West's proxy -- the only way into west from another cluster --
    killed at once with its workers: the sync is cut mid-request, not after
    a polite shutdown."""
    with open(_west_proxy_pid()) as fp:
        pid = int(fp.read().strip())
    with open("/proc/%d/task/%d/children" % (pid, pid)) as fp:
        workers = [int(p) for p in fp.read().split()]
    for one in [pid] + workers:
        os.kill(one, signal.SIGKILL)
    wait_for(lambda: not healthy(WEST), 10, "west's proxy still answers")


def restart_west_proxy() -> None:
    """West's proxy started again as saio/start runs it (its log, its pid file)."""
    with open(os.path.join(WEST.saio_dir, "log", "proxy.log"), "ab") as log:
        proc = subprocess.Popen([os.path.join(VENV_BIN, "objstore-proxy-server"),
                                 os.path.join(WEST.etc, "proxy-server.conf")],
                                stdout=log, stderr=log, start_new_session=True)
    with open(_west_proxy_pid(), "w") as fp:
        fp.write("%d\n" % proc.pid)
    wait_for(lambda: healthy(WEST), 60, "west's proxy never came back")


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

def each_name(cluster: Cluster, func: Callable[[swiftclient.Connection, str], T],
              names: List[str]) -> List[T]:
    """``func(connection, name)`` for each name, 8 at a time (a connection
    per thread); the results in the names' order."""
    local = threading.local()

    def one(name: str) -> T:
        if not hasattr(local, "conn"):
            local.conn = cluster.conn()
        return func(local.conn, name)
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, names))


def put_many(cluster: Cluster, container: str, names: List[str], size: int) -> None:
    """PUT each name (distinct bytes per name), 8 at a time."""
    each_name(cluster, lambda conn, name: conn.put_object(
        container, name, name.encode() * (size // len(name) + 1)), names)


def listed(cluster: Cluster, container: str) -> Dict[str, str]:
    """``{name: listed etag}`` of one listing."""
    _h, rows = cluster.conn().get_container(container, full_listing=True)
    return {row["name"]: row["hash"] for row in rows}


def state(cluster: Cluster, container: str) -> Dict[str, Tuple[str, str]]:
    """``{name: (listed etag, x-timestamp)}`` of every listed object, each
    HEADed, 8 at a time (the listing's time has less precision than
    X-Timestamp; a large object's listed ETag is its manifest's)."""
    rows = listed(cluster, container)
    times = each_name(cluster, lambda conn, name: conn.head_object(container, name)[
        "x-timestamp"], list(rows))
    return {name: (etag, ts) for (name, etag), ts in zip(rows.items(), times)}


def listing_names(cluster: Cluster, container: str) -> List[str]:
    return list(listed(cluster, container))


def converge(container: str, clusters: Tuple[Cluster, ...], expected: Dict[str, Tuple[str, str]],
             rounds: int = 6) -> None:
    """Run sync passes until every cluster holds exactly ``expected`` (each
    object HEADed only once the listings agree)."""
    etags = {name: etag for name, (etag, _ts) in expected.items()}
    for _round in range(rounds):
        for cluster in clusters:
            cluster.sync_once(container)
        if all(listed(c, container) == etags for c in (EAST, WEST)) and \
                all(state(c, container) == expected for c in (EAST, WEST)):
            return
    for cluster in (EAST, WEST):
        assert state(cluster, container) == expected, "%s never converged" % cluster.name


# -------------------------------------------------------- a faulty network

class Relay:
    """An HTTP relay on a loopback port in front of a proxy. It forwards
    each request whole and reads the proxy's whole answer; then

    * for the requests ``drop`` picks, it closes the client's connection
      instead of answering: the request was applied, its response is lost;
    * after ``hold_after(n)``, once ``n`` more answers went back, each
      further request is still applied but its answer is held (the client
      waits, its request in flight) until ``release()``;
    * if the proxy refuses the connection (killed), it closes the client's.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.drop: Callable[[str, str], bool] = lambda method, path: False
        self.seen: List[Tuple[str, str, int, bool]] = []  # method, path, status, dropped
        self.held = 0
        self._answers_left: Optional[int] = None
        self._released = threading.Event()
        self._released.set()
        self._lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def hold_after(self, answers: int) -> None:
        with self._lock:
            self._answers_left, self.held = answers, 0
            self._released.clear()

    def release(self) -> None:
        with self._lock:
            self._answers_left = None
            self._released.set()

    def reset(self) -> None:
        self.release()
        self.drop = lambda method, path: False
        self.seen = []

    def close(self) -> None:
        self._stop = True
        self.release()
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop:
            try:
                client, _addr = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _hold(self) -> bool:
        with self._lock:
            if self._answers_left is None:
                return False
            if self._answers_left > 0:
                self._answers_left -= 1
                return False
            self.held += 1
            return True

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
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
            except OSError:
                return  # the proxy is down: so is the connection
            with upstream:
                upstream.sendall(head + body)
                resp = http.client.HTTPResponse(upstream, method=method)
                resp.begin()
                data = resp.read()
            if self._hold():
                self._released.wait(120)
            dropped = self.drop(method, path)
            self.seen.append((method, path, resp.status, dropped))
            if dropped:
                return  # applied upstream; the client never hears of it
            out = ["HTTP/1.1 %d %s" % (resp.status, resp.reason)]
            out += ["%s: %s" % (k, v) for k, v in resp.getheaders()
                    if k.lower() not in ("content-length", "transfer-encoding", "connection")]
            length = resp.getheader("Content-Length", "0") if method == "HEAD" else len(data)
            out += ["Content-Length: %s" % length, "Connection: close", "", ""]
            try:
                client.sendall("\r\n".join(out).encode("latin-1") + data)
            except OSError:
                pass  # the client is gone (killed while it waited)


def unique(prefix: str) -> str:
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def realms_file(cluster: Cluster) -> str:
    return os.path.join(cluster.etc, "container-sync-realms.conf")


def _primaries(cluster: Cluster, account: str, container: str) -> List[Tuple[int, int, str]]:
    """``(replica index, node, database path)`` of each primary of a container."""
    ring = Ring(cluster.etc, ring_name="container")
    prefix, suffix = load_hash_settings(cluster.etc)
    hash_ = name_hash(account, container, prefix, suffix)
    part = ring.get_part(account, container)
    out = []
    for index, dev in enumerate(ring.get_part_nodes(part)):
        node = (dev["port"] - 1 - cluster.port_base) // 10
        devices = os.path.join(cluster.saio_dir, "srv", str(node), "node")
        out.append((index, node, db_path(devices, dev["device"], CONTAINER_DATADIR, part, hash_)))
    return out


def primary_dbs(cluster: Cluster, account: str,
                container: str) -> List[Tuple[int, ContainerBroker]]:
    """``(replica index, broker)`` of each primary database of a container."""
    return [(index, ContainerBroker(path))
            for index, _node, path in _primaries(cluster, account, container)]


def primary_nodes(cluster: Cluster, account: str, container: str) -> List[int]:
    """The nodes holding a primary database of a container."""
    return sorted({node for _i, node, _path in _primaries(cluster, account, container)})
