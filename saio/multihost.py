"""A multi-host objstore cluster on one machine: each host a Linux network
namespace with its own address, joined by veth links to one bridge.

    saio/multihost start [--hosts N] [--no-daemons]   build and start (idempotent)
    saio/multihost stop      kill every process, delete every namespace and link
    saio/multihost status    which hosts and servers answer
    saio/multihost cut N / restore N      take host N's link down / up
    saio/multihost add-host N             a new host joins; rings rebalanced and pushed

Host N is namespace ``<prefix>-hN`` at ``<net>.<10+N>``; its end of the
link in the root namespace is ``<prefix>-vN``, on bridge ``<prefix>-br``
(``<net>.1``, where the one memcached the proxies share listens). Every
host runs object/container/account servers on 6200/6201/6202 over two
devices (d1, d2), an rsync daemon on 873, and (unless ``--no-daemons``)
the replicators, updaters and auditors; hosts 1 and 3 also run a proxy on
8080 (region 2's storage servers bound to 0.0.0.0, region 1's to their
address). Hosts 1-2 are region 1 (zones 1, 2), 3-4 region 2 (zones 3, 4);
host 5, the one ``add-host`` brings, region 1 zone 5. Rings (3 replicas; 2 with one host)
are built with ``objstore-ring-builder`` in ``<dir>/etc`` and pushed to
each host's own etc dir, as an operator would copy them.

Configs come from saio/build.py's templates, the same the all-in-one
cluster uses. Needs root (or CAP_NET_ADMIN) and iproute2. Environment:
MULTIHOST_DIR (default <repo>/.multihost), MULTIHOST_PREFIX (osmh),
MULTIHOST_NET (10.231.0), SAIO_MEMCACHED_PORT (11211).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build  # noqa: E402  (saio/build.py: the config templates)
import netns  # noqa: E402  (saio/netns.py: namespaces, links, process groups)
from netns import is_zombie, kill_group, sh  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MH_DIR = os.environ.get("MULTIHOST_DIR", os.path.join(REPO, ".multihost"))
PREFIX = os.environ.get("MULTIHOST_PREFIX", "osmh")
NET = os.environ.get("MULTIHOST_NET", "10.231.0")
VENV_BIN = os.path.join(os.environ.get("OBJSTORE_VENV", os.path.join(REPO, ".venv")), "bin")
MEMCACHED_PORT = int(os.environ.get("SAIO_MEMCACHED_PORT", "11211"))
COMMON_ETC = os.path.join(MH_DIR, "etc")
STATE = os.path.join(MH_DIR, "state.json")
PORTS = {"object": 6200, "container": 6201, "account": 6202}
PROXY_PORT = 8080
RSYNC_PORT = 873
DEVICES = ("d1", "d2")
PART_POWER = 8
REPLICAS = 3
#: host number -> (region, zone, runs a proxy)
LAYOUT = {1: (1, 1, True), 2: (1, 2, False), 3: (2, 3, True), 4: (2, 4, False),
          5: (1, 5, False)}
DEFAULT_HOSTS = 4
DAEMONS = (("object-replicator", "object"), ("object-updater", "object"),
           ("object-auditor", "object"), ("container-replicator", "container"),
           ("container-updater", "container"), ("container-auditor", "container"),
           ("account-replicator", "account"), ("account-auditor", "account"))


@dataclass(frozen=True)
class Host:
    """One namespace "host" and where its files are."""

    n: int

    @property
    def region(self) -> int:
        return LAYOUT[self.n][0]

    @property
    def zone(self) -> int:
        return LAYOUT[self.n][1]

    @property
    def has_proxy(self) -> bool:
        return LAYOUT[self.n][2]

    @property
    def ip(self) -> str:
        return "%s.%d" % (NET, 10 + self.n)

    @property
    def bind_ip(self) -> str:
        """Region 2's storage servers listen on every address, as in the
        compose file; their daemons then find their devices in the ring by
        the host's interface addresses. Region 1's name their address."""
        return "0.0.0.0" if self.region == 2 else self.ip

    @property
    def ns(self) -> str:
        return "%s-h%d" % (PREFIX, self.n)

    @property
    def link(self) -> str:
        return "%s-v%d" % (PREFIX, self.n)

    def path(self, *parts: str) -> str:
        return os.path.join(MH_DIR, "h%d" % self.n, *parts)

    @property
    def etc(self) -> str:
        return self.path("etc")

    @property
    def devices(self) -> str:
        return self.path("srv", "node")

    def conf(self, kind: str) -> str:
        return os.path.join(self.etc, "%s-server.conf" % kind)

    @property
    def proxy_url(self) -> str:
        return "http://%s:%d" % (self.ip, PROXY_PORT)

    def servers(self) -> Dict[str, tuple]:
        """name -> (argv, port) of the HTTP servers this host runs."""
        out = {kind: ([os.path.join(VENV_BIN, "objstore-%s-server" % kind), self.conf(kind)],
                      port) for kind, port in PORTS.items()}
        if self.has_proxy:
            out["proxy"] = ([os.path.join(VENV_BIN, "objstore-proxy-server"),
                             self.conf("proxy")], PROXY_PORT)
        return out


def host(n: int) -> Host:
    if n not in LAYOUT:
        raise SystemExit("multihost: no host %d (hosts are 1..%d)" % (n, max(LAYOUT)))
    return Host(n)


# ------------------------------------------------------------------ shell

def our_namespaces() -> List[str]:
    return netns.namespaces(PREFIX + "-h")


def our_links() -> List[str]:
    return netns.links(PREFIX + "-")


def load_state() -> Dict:
    try:
        with open(STATE) as fp:
            return json.load(fp)
    except (OSError, ValueError):
        return {"hosts": [], "daemons": True}


def save_state(state: Dict) -> None:
    os.makedirs(MH_DIR, exist_ok=True)
    with open(STATE + ".tmp", "w") as fp:
        json.dump(state, fp)
    os.replace(STATE + ".tmp", STATE)


def hosts_up() -> List[Host]:
    return [Host(n) for n in load_state()["hosts"]]


# ---------------------------------------------------------------- network

def make_bridge() -> None:
    netns.make_bridge(PREFIX + "-br", "%s.1/24" % NET)


def make_namespace(h: Host) -> None:
    netns.make_namespace(h.ns, h.link, PREFIX + "-br", "%s/24" % h.ip)


def cut(h: Host) -> None:
    """Take the host off the network (its processes keep running)."""
    sh("ip", "link", "set", h.link, "down")


def restore(h: Host) -> None:
    sh("ip", "link", "set", h.link, "up")
    wait_healthy(h)


# ---------------------------------------------------------------- configs

def common_configs() -> None:
    """objstore.conf (hash salt, policy 0) and the proxies' root secret:
    made once for the whole cluster and copied to every host."""
    os.makedirs(COMMON_ETC, exist_ok=True)
    build.objstore_conf(COMMON_ETC, MH_DIR, more_policies=False)
    build.keymaster_conf(COMMON_ETC)
    build.write(os.path.join(COMMON_ETC, "dispersion.conf"), """[dispersion]
swift_dir = %s
auth_url = %s/auth/v1.0
auth_user = test:tester
auth_key = testing
dispersion_coverage = 5
concurrency = 8
retries = 5
node_timeout = 3
""" % (COMMON_ETC, Host(1).proxy_url))


def host_configs(h: Host) -> None:
    os.makedirs(h.etc, exist_ok=True)
    for name in ("objstore.conf", "keymaster.conf"):
        shutil.copy2(os.path.join(COMMON_ETC, name), os.path.join(h.etc, name))
    for dev in DEVICES:
        os.makedirs(os.path.join(h.devices, dev), exist_ok=True)
    for sub in ("run", "log", "cache"):
        os.makedirs(h.path(sub), exist_ok=True)
    for kind, port in PORTS.items():
        build.write(h.conf(kind), build.storage_conf(
            kind, devices=h.devices, bind_ip=h.bind_ip, bind_port=port, etc=h.etc,
            log_name="%s-server-h%d" % (kind, h.n),
            rsync_module="{replication_ip}::%s" % kind, rsync_port=RSYNC_PORT,
            recon_cache=h.path("cache"), workers=1))
    build.write(os.path.join(h.etc, "rsyncd.conf"), build.rsyncd_text(
        h.path("run", "rsyncd.pid"), RSYNC_PORT, h.ip, os.getuid(), os.getgid(),
        [(kind, h.devices, h.path("run", "rsync-%s.lock" % kind)) for kind in PORTS]))
    if h.has_proxy:
        proxy_conf(h, "proxy-server.conf", PROXY_PORT)


def proxy_conf(h: Host, name: str, port: int, app_options: str = "") -> str:
    """A proxy config on host ``h`` from etc/proxy-server.conf (the path)."""
    build.proxy_conf(h.etc, os.path.join(REPO, "etc", "proxy-server.conf"), port,
                     MEMCACHED_PORT, None, bind_ip=h.ip, memcached_ip="%s.1" % NET,
                     app_options=app_options, name=name)
    return os.path.join(h.etc, name)


# ------------------------------------------------------------------ rings

def ring_builder(kind: str, *args: str) -> subprocess.CompletedProcess:
    """``objstore-ring-builder <etc>/<kind>.builder <args>`` (exit 0/1 ok)."""
    proc = subprocess.run([os.path.join(VENV_BIN, "objstore-ring-builder"),
                           os.path.join(COMMON_ETC, "%s.builder" % kind), *args],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode >= 2:
        raise RuntimeError("objstore-ring-builder %s %s: %s" % (kind, " ".join(args),
                                                                 proc.stdout.strip()))
    return proc


def device_spec(h: Host, kind: str, dev: str) -> str:
    return "r%dz%d-%s:%d/%s" % (h.region, h.zone, h.ip, PORTS[kind], dev)


def build_rings(hosts: List[Host]) -> None:
    for kind in PORTS:
        if os.path.exists(os.path.join(COMMON_ETC, "%s.ring.gz" % kind)):
            continue
        # one host has two devices: as many replicas as there are devices
        replicas = min(REPLICAS, len(hosts) * len(DEVICES))
        ring_builder(kind, "create", str(PART_POWER), str(replicas), "1")
        ring_builder(kind, "add", *_weighted_devices(hosts, kind))
        ring_builder(kind, "rebalance", "--seed", "1")


def _weighted_devices(hosts: List[Host], kind: str) -> List[str]:
    """``add`` arguments for every device of ``hosts``: spec, weight, ..."""
    return [arg for h in hosts for dev in DEVICES for arg in (device_spec(h, kind, dev), "1")]


def rebalance(kinds=tuple(PORTS)) -> None:
    """Rebalance (min_part_hours waived, as in a lab) and push the rings."""
    for kind in kinds:
        ring_builder(kind, "pretend_min_part_hours_passed")
        ring_builder(kind, "rebalance", "--force")
    push_rings()


def push_rings(hosts: Optional[List[Host]] = None) -> None:
    """Copy the rings to every host, each replaced atomically."""
    for h in hosts if hosts is not None else hosts_up():
        for name in os.listdir(COMMON_ETC):
            if name.endswith(".ring.gz"):
                tmp = os.path.join(h.etc, ".%s.tmp" % name)
                shutil.copy2(os.path.join(COMMON_ETC, name), tmp)
                os.replace(tmp, os.path.join(h.etc, name))


# ---------------------------------------------------------- placement

def object_ring() -> Any:
    """The object ring as the admin host has it (re-read at every call)."""
    from ring import Ring
    return Ring(COMMON_ETC, ring_name="object", reload_time=0)


def data_files(account: str, container: str, obj: str) -> List[tuple]:
    """``(host, device, partition)`` of every ``.data`` of an object on any
    host's disks, read straight from the directories."""
    import glob
    from ring import load_hash_settings
    from ring.utils import hash_path

    prefix, suffix = load_hash_settings(COMMON_ETC)
    digest = hash_path(account, container, obj, prefix=prefix, suffix=suffix)
    found = []
    for n in LAYOUT:
        pattern = os.path.join(Host(n).devices, "*", "objects", "*", digest[-3:], digest,
                               "*.data")
        for path in glob.glob(pattern):
            parts = path.split(os.sep)
            found.append((n, parts[-6], parts[-4]))
    return sorted(found)


def placed_as_ring_says(account: str, container: str, obj: str) -> bool:
    """The object's .data files are exactly on its primaries, in its partition."""
    part, nodes = object_ring().get_nodes(account, container, obj)
    want = sorted((int(n["ip"].rsplit(".", 1)[1]) - 10, n["device"], str(part))
                  for n in nodes)
    return data_files(account, container, obj) == want


# -------------------------------------------------------------- processes

def spawn(h: Host, name: str, argv: List[str]) -> int:
    """Run ``argv`` inside the host's namespace, in its own session (so
    stop can signal the process with all its workers)."""
    with open(h.path("log", "%s.log" % name), "ab") as log:
        proc = subprocess.Popen(["ip", "netns", "exec", h.ns, *argv], stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, cwd=h.path())
    with open(h.path("run", "%s.pid" % name), "w") as fp:
        fp.write(str(proc.pid))
    return proc.pid


def pid_of(h: Host, name: str) -> Optional[int]:
    try:
        with open(h.path("run", "%s.pid" % name)) as fp:
            pid = int(fp.read().strip())
        with open("/proc/%d/stat" % pid) as fp:
            state = fp.read().rsplit(")", 1)[1].split()[0]
        return None if state == "Z" else pid
    except (OSError, ValueError, IndexError):
        return None


def stop_process(h: Host, name: str, sig: int = signal.SIGTERM) -> None:
    pid = pid_of(h, name)
    if pid is not None:
        kill_group(pid, sig)
    try:
        os.unlink(h.path("run", "%s.pid" % name))
    except FileNotFoundError:
        pass


def start_servers(h: Host, daemons: bool) -> None:
    if not os.path.exists(h.path("run", "rsyncd.pid")) or not _rsync_alive(h):
        try:
            os.unlink(h.path("run", "rsyncd.pid"))
        except FileNotFoundError:
            pass
        sh("ip", "netns", "exec", h.ns, "rsync", "--daemon",
           "--config=%s" % os.path.join(h.etc, "rsyncd.conf"))
    for name, (argv, _port) in h.servers().items():
        if pid_of(h, name) is None:
            spawn(h, name, argv)
    if daemons:
        for daemon, kind in DAEMONS:
            if pid_of(h, daemon) is None:
                spawn(h, daemon, [os.path.join(VENV_BIN, "objstore-%s" % daemon),
                                  h.conf(kind)])


def _rsync_alive(h: Host) -> bool:
    try:
        with open(h.path("run", "rsyncd.pid")) as fp:
            return not is_zombie(int(fp.read().strip()))
    except (OSError, ValueError):
        return False


def answers(url: str, timeout: float = 2) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=timeout).status == 200
    except Exception:
        return False


def wait_healthy(h: Host, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    for name, (_argv, port) in h.servers().items():
        url = "http://%s:%d/healthcheck" % (h.ip, port)
        while not answers(url):
            if pid_of(h, name) is None:
                raise RuntimeError("multihost: %s on host %d died at start; see %s"
                                   % (name, h.n, h.path("log", "%s.log" % name)))
            if time.time() > deadline:
                raise RuntimeError("multihost: %s on host %d does not answer %s"
                                   % (name, h.n, url))
            time.sleep(0.2)


def start_memcached() -> None:
    pidfile = os.path.join(MH_DIR, "memcached.pid")
    if os.path.exists(pidfile):
        with open(pidfile) as fp:
            if not is_zombie(int(fp.read().strip() or 0)):
                return
    sh("memcached", "-d", "-l", "%s.1" % NET, "-p", str(MEMCACHED_PORT), "-U", "0", "-m", "64",
       "-P", pidfile, "-u", "root")


def run_once(daemon: str, hosts: Optional[List[Host]] = None, timeout: float = 300) -> None:
    """One ``--once`` pass of ``objstore-<daemon>`` on each host, in
    parallel; raises if a pass failed."""
    kind = daemon.split("-")[0]

    def one(h: Host) -> None:
        proc = subprocess.run(["ip", "netns", "exec", h.ns, os.path.join(VENV_BIN, "objstore-"
                                                                        + daemon),
                               h.conf(kind), "--once"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)
        with open(h.path("log", "%s-once.log" % daemon), "ab") as log:
            log.write(proc.stdout)
        if proc.returncode != 0:
            raise RuntimeError("%s --once on host %d failed: %s" % (
                daemon, h.n, proc.stdout.decode("utf-8", "replace")[-1500:]))
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, hosts if hosts is not None else hosts_up()))


def host_exec(h: Host, argv: List[str], timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a tool inside the host's namespace (output captured as text)."""
    return subprocess.run(["ip", "netns", "exec", h.ns, *argv], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout)


def restart_proxies() -> None:
    """Stop and start every proxy (after a ring push, so they serve it now)."""
    for h in hosts_up():
        if h.has_proxy:
            stop_process(h, "proxy")
            start_servers(h, load_state().get("daemons", True))
    for h in hosts_up():
        wait_healthy(h)


# -------------------------------------------------------------- commands

def start(count: int = DEFAULT_HOSTS, daemons: bool = True) -> List[Host]:
    if os.geteuid() != 0:
        raise SystemExit("multihost: network namespaces need root")
    state = load_state()
    numbers = sorted(set(state["hosts"]) | set(range(1, count + 1)))
    hosts = [host(n) for n in numbers]
    common_configs()
    make_bridge()
    start_memcached()
    for h in hosts:
        make_namespace(h)
        host_configs(h)
    build_rings(hosts)
    push_rings(hosts)
    save_state({"hosts": numbers, "daemons": daemons})
    for h in hosts:
        start_servers(h, daemons)
    for h in hosts:
        wait_healthy(h)
    return hosts


def add_host(n: int) -> Host:
    """Host ``n`` joins: namespace, servers, its devices in every ring,
    rebalance, rings pushed to every host."""
    state = load_state()
    h = host(n)
    make_namespace(h)
    host_configs(h)
    push_rings([h])
    state["hosts"] = sorted(set(state["hosts"]) | {n})
    save_state(state)
    start_servers(h, state.get("daemons", True))
    wait_healthy(h)
    for kind in PORTS:
        ring_builder(kind, "add", *_weighted_devices([h], kind))
    rebalance()
    return h


def stop() -> None:
    """Kill every process, delete every namespace, link and the bridge this
    tool made (found by name prefix, so a half-built cluster goes too)."""
    netns.delete_namespaces(our_namespaces())
    for n in LAYOUT:
        h = Host(n)
        if os.path.isdir(h.path("run")):
            for name in os.listdir(h.path("run")):
                if name.endswith(".pid"):
                    stop_process(h, name[:-4])
    pidfile = os.path.join(MH_DIR, "memcached.pid")
    if os.path.exists(pidfile):
        with open(pidfile) as fp:
            text = fp.read().strip()
        if text.isdigit():
            kill_group(int(text))
        try:
            os.unlink(pidfile)
        except FileNotFoundError:
            pass  # memcached removes it on exit
    for link in our_links():
        sh("ip", "link", "del", link, check=False)
    state = load_state()
    state["hosts"] = []
    if os.path.isdir(MH_DIR):
        save_state(state)


def status() -> int:
    rc = 0
    hosts = hosts_up()
    if not hosts:
        print("multihost: not running")
        return 1
    for h in hosts:
        link = sh("ip", "-o", "link", "show", h.link, check=False).stdout
        print("host %d  %-12s r%dz%d  ns %s  link %s" % (
            h.n, h.ip, h.region, h.zone, h.ns, "up" if "state UP" in link or
            ",UP" in link else "DOWN"))
        for name, (_argv, port) in h.servers().items():
            ok = answers("http://%s:%d/healthcheck" % (h.ip, port), timeout=1)
            rc |= 0 if ok else 1
            print("  %-10s :%d  %s" % (name, port, "running" if ok else "not answering"))
    return rc


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="saio/multihost")
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start")
    p_start.add_argument("--hosts", type=int, default=DEFAULT_HOSTS, choices=range(1, 6))
    p_start.add_argument("--no-daemons", action="store_true")
    sub.add_parser("stop")
    sub.add_parser("status")
    for name in ("cut", "restore", "add-host"):
        sub.add_parser(name).add_argument("host", type=int)
    args = parser.parse_args(argv)
    if args.command == "start":
        hosts = start(args.hosts, not args.no_daemons)
        print("multihost: %d hosts up; proxies %s; rings in %s" % (
            len(hosts), " ".join(h.proxy_url for h in hosts if h.has_proxy), COMMON_ETC))
        return 0
    if args.command == "stop":
        stop()
        print("multihost: stopped; no namespace or link left")
        return 0
    if args.command == "status":
        return status()
    if args.command == "cut":
        cut(host(args.host))
    elif args.command == "restore":
        restore(host(args.host))
    elif args.command == "add-host":
        add_host(args.host)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into head
        sys.exit(0)
