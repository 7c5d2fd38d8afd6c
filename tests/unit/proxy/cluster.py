"""A real little cluster for proxy tests: account, container and four
object servers on loopback ports with temp devices, rings built with the
ring builder, and the proxy itself running ``objstore-proxy-server``.

Each object server sits behind a ``Relay``: a TCP forwarder that can play
a dead node (accepts, then hangs up) or a node that stalls mid-response.
"""

from __future__ import annotations

import hashlib
import http.client
import importlib.util
import os
import re
import socket
import subprocess
import sys
import threading
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import quote

from ring import Ring, RingBuilder

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "support"))
import listeners  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OBJECT_SERVERS = 4
REPLICAS = 3


class HeaderDict(dict):
    """Response headers looked up without regard to case, as HTTP means."""

    def __init__(self, items) -> None:
        super().__init__((k.title(), v) for k, v in items)

    def __getitem__(self, key):
        return super().__getitem__(key.title())

    def get(self, key, default=None):
        return super().get(key.title(), default)

    def __contains__(self, key) -> bool:
        return super().__contains__(key.title())


class Relay:
    """Forwards TCP to a server; ``mode`` is ``pass``, ``down``,
    ``stall`` (stop forwarding the answer after ``stall_after`` bytes) or
    ``etag`` (answers carry an ETag of this relay's own, as from a node that
    stored other bytes).
    ``requests`` counts the request lines sent through it (a request's
    head goes in one send), ``answered`` counts the bytes the server sent back, so a test can see
    how much a request read from it. ``heads`` keeps the request heads
    (method line and headers) sent through it, newest last.

    The proxy keeps connections alive between requests: a change of
    ``mode`` drops every connection open through the relay, as a server
    going down (or turning slow) does, so the next request connects anew
    and meets the new mode."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._mode = "pass"
        self._open: set = set()
        self._open_lock = threading.Lock()
        self.stall_after = 0
        self.connections = 0
        self.requests = 0
        self.answered = 0
        self.heads: List[bytes] = []
        self._count_lock = threading.Lock()
        self.release = threading.Event()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        # The new mode first, then the drop: a connection accepted meanwhile
        # meets the new mode or is among those dropped, never neither.
        changed, self._mode = value != self._mode, value
        if changed:
            with self._open_lock:
                live, self._open = list(self._open), set()
            for sock in live:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def reset(self) -> None:
        self.release.set()
        self.mode = "pass"
        self.heads = []
        self.release = threading.Event()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with self._open_lock:  # open from its accept on (its thread may start late)
                mode = self._mode
                self._open.add(client)
            threading.Thread(target=self._handle, args=(client, mode), daemon=True).start()

    def _handle(self, client: socket.socket, mode: str) -> None:
        if mode == "down":
            self._drop(client)
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
        except OSError:
            self._drop(client)
            return
        release = self.release
        threading.Thread(target=self._pump, args=(client, upstream, None, release,
                                                  self._count_requests),
                         daemon=True).start()
        self._pump(upstream, client, self.stall_after if mode == "stall" else None, release,
                   self._count, self._false_etag if mode == "etag" else None)
        with self._open_lock:
            self._open.discard(client)

    def _drop(self, client: socket.socket) -> None:
        with self._open_lock:
            self._open.discard(client)
        client.close()

    def _false_etag(self, data: bytes) -> bytes:
        fake = hashlib.md5(b"relay %d" % self.port).hexdigest().encode()
        return re.sub(rb"(?i)(\r\netag: *)[0-9a-f]{32}", lambda m: m.group(1) + fake, data)

    def _count(self, data: bytes) -> None:
        with self._count_lock:
            self.answered += len(data)

    def _count_requests(self, data: bytes) -> None:
        with self._count_lock:
            self.requests += data.count(b" HTTP/1.1\r\n")
            for match in re.finditer(rb"[A-Z]+ /[^ ]* HTTP/1\.1\r\n.*?\r\n\r\n", data, re.S):
                self.heads.append(match.group(0))

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, limit: Optional[int],
              release: threading.Event, count: Optional[Callable[[bytes], None]] = None,
              rewrite: Optional[Callable[[bytes], bytes]] = None) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if limit is not None and sent + len(data) > limit:
                    dst.sendall(data[:limit - sent])
                    release.wait(30)
                    break
                if rewrite is not None:
                    data = rewrite(data)
                if count is not None:
                    count(data)  # before it is passed on: counted once answered
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def _write(path: str, text: str) -> None:
    with open(path, "w") as fp:
        fp.write(text)


def _build_ring(swift_dir: str, name: str, devs: List[Tuple[int, str]],
                replicas: int = REPLICAS) -> None:
    builder = RingBuilder(4, replicas, 0)
    for zone, (port, device) in enumerate(devs, 1):
        builder.add_dev({"region": 1, "zone": zone, "ip": "127.0.0.1", "port": port,
                         "device": device, "weight": 100})
    builder.rebalance(seed=1)
    builder.get_ring().save(os.path.join(swift_dir, "%s.ring.gz" % name))


def _server_cmd(module: str, conf: str) -> List[str]:
    code = "import sys; from %s import main; sys.exit(main([%r]))" % (module, conf)
    return [sys.executable, "-c", code]


class Cluster:
    def __init__(self, root: str, proxy_options: str = "",
                 pipeline: str = "catch_errors proxy-server", filters: str = "",
                 object_servers: int = OBJECT_SERVERS, extra_policies: str = "",
                 extra_rings: Optional[Dict[str, int]] = None) -> None:
        """``extra_policies`` is appended to objstore.conf; ``extra_rings``
        names more object rings (``{"object-2": 6}``: name to replicas)
        over all object servers."""
        self.root = root
        self.procs: Dict[str, subprocess.Popen] = {}
        #: listening sockets bound here, each handed to the server of its port
        self._listeners: Dict[int, socket.socket] = {}
        self._ports: Dict[str, int] = {}
        self.swift_dir = os.path.join(root, "etc")
        os.makedirs(self.swift_dir)
        _write(os.path.join(self.swift_dir, "objstore.conf"),
               "[objstore-hash]\nswift_hash_path_prefix = pre\nswift_hash_path_suffix = suf\n"
               "[storage-policy:0]\nname = gold\ndefault = yes\n"
               "[storage-policy:1]\nname = silver\n" + extra_policies)
        self.account_port = self.listen()
        self.container_port = self.listen()
        self.object_ports = [self.listen() for _ in range(object_servers)]
        self.relays = [Relay(p) for p in self.object_ports]
        self.proxy_port = self.listen()
        shared_devices = os.path.join(root, "shared")
        for i in range(1, 5):
            os.makedirs(os.path.join(shared_devices, "sda%d" % i))
        _build_ring(self.swift_dir, "account", [(self.account_port, "sda%d" % i)
                                                for i in range(1, 5)])
        _build_ring(self.swift_dir, "container", [(self.container_port, "sda%d" % i)
                                                  for i in range(1, 5)])
        obj_devs = [(relay.port, "sdb%d" % i) for i, relay in enumerate(self.relays, 1)]
        _build_ring(self.swift_dir, "object", obj_devs)
        _build_ring(self.swift_dir, "object-1", obj_devs)
        for ring_name, replicas in (extra_rings or {}).items():
            _build_ring(self.swift_dir, ring_name, obj_devs, replicas)
        self.real_object_server = importlib.util.find_spec("objstore.obj.server") is not None
        self._start("account", "objstore.account.server", "app:account-server",
                    self.account_port, shared_devices)
        self._start("container", "objstore.container.server", "app:container-server",
                    self.container_port, shared_devices)
        for i, port in enumerate(self.object_ports, 1):
            devices = os.path.join(root, "obj%d" % i)
            os.makedirs(os.path.join(devices, "sdb%d" % i))
            self._start("object%d" % i, "objstore.obj.server", "app:object-server", port,
                        devices)
        conf = os.path.join(root, "proxy-server.conf")
        # Timeouts that hold on a loaded box (CI runs two of these at once on
        # two cores): a write waits node_timeout for each node, and for every
        # node that answers in it (post_quorum_timeout), so a read that
        # follows sees the write on whichever node it asks; a stalled read
        # goes on from another node after recoverable_node_timeout.
        _write(conf, "[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %d\nworkers = 0\n"
                     "swift_dir = %s\nlog_level = WARNING\n"
                     "[pipeline:main]\npipeline = %s\n"
                     "[filter:catch_errors]\nuse = egg:objstore#catch_errors\n%s"
                     "[app:proxy-server]\nuse = egg:objstore#proxy\nconn_timeout = 0.5\n"
                     "node_timeout = 10\nrecoverable_node_timeout = 3\nclient_timeout = 2\n"
                     "error_suppression_interval = 1\npost_quorum_timeout = 10\n"
                     "recheck_container_existence = 1\nrecheck_account_existence = 1\n%s"
               % (self.proxy_port, self.swift_dir, pipeline, filters, proxy_options))
        # every server has its socket from the start (no port to race for):
        # all start at once and are waited for together, their start-ups overlap
        self._spawn("proxy", _server_cmd("objstore.proxy.server", conf), self.proxy_port,
                    wait=False)
        self._wait_all()

    def _start(self, name: str, module: str, section: str, port: int, devices: str) -> None:
        conf = os.path.join(self.root, "%s.conf" % name)
        _write(conf, "[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %d\nworkers = 0\n"
                     "devices = %s\nmount_check = false\nswift_dir = %s\nlog_level = WARNING\n"
                     "[%s]\nuse = egg:objstore#%s\n" % (port, devices, self.swift_dir, section,
                                                       name.rstrip("0123456789")))
        if module == "objstore.obj.server" and not self.real_object_server:
            cmd = [sys.executable, os.path.join(HERE, "fake_object_server.py"), conf]
        else:
            cmd = _server_cmd(module, conf)
        self._spawn(name, cmd, port, wait=False)

    def listen(self) -> int:
        """A port bound and listening here, for a server started on it with
        ``_spawn`` (tests/support/listeners.py: no other process can take
        it meanwhile)."""
        sock = listeners.listener()
        port = sock.getsockname()[1]
        self._listeners[port] = sock
        return port

    def _spawn(self, name: str, cmd: List[str], port: int, wait: bool = True) -> None:
        """Start a server on ``port``; ``wait``: until it serves (else the
        caller waits, with ``_wait_all``, for several started at once)."""
        log = open(os.path.join(self.root, "%s.log" % name), "ab")
        sock = self._listeners.pop(port, None)
        if sock is None:  # a port given up before (a restart): bound by number
            proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        else:
            proc = listeners.spawn(cmd, sock, stdout=log, stderr=log)
        self.procs[name] = proc
        self._ports[name] = port
        if wait:
            listeners.wait_serving(port, proc, name)

    def _wait_all(self) -> None:
        for name, proc in self.procs.items():
            listeners.wait_serving(self._ports[name], proc, name)

    def log(self, name: str) -> str:
        with open(os.path.join(self.root, "%s.log" % name), "rb") as fp:
            return fp.read().decode("utf-8", "replace")

    def stop(self) -> None:
        for sock in self._listeners.values():
            sock.close()
        for relay in self.relays:
            relay.release.set()
            relay.sock.close()
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()

    # ---------------------------------------------------------------- client
    def request(self, method: str, path: str, headers: Optional[Dict[str, str]] = None,
                body: object = None, timeout: float = 30,
                encode_chunked: bool = False) -> Tuple[int, Dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.proxy_port, timeout=timeout)
        path, sep, query = path.partition("?")
        conn.request(method, quote(path) + sep + query, body=body, headers=headers or {},
                     encode_chunked=encode_chunked)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, HeaderDict(resp.getheaders()), data

    def object_relays(self, account: str, container: str, obj: str,
                      ring_name: str = "object") -> List[Relay]:
        """The relays of an object's primaries, in the proxy's order."""
        ring = Ring(self.swift_dir, ring_name=ring_name)
        _part, nodes = ring.get_nodes(account, container, obj)
        by_port = {relay.port: relay for relay in self.relays}
        return [by_port[n["port"]] for n in nodes]
