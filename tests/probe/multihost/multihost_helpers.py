"""What the multi-host probe tests ask of the cluster: clients per proxy,
where the rings put a name, which host's disks hold it, which servers a
request reached (their access logs)."""

from __future__ import annotations

import os
import subprocess
import time
from typing import Callable, Dict, List, Set, Tuple

import swiftclient

import multihost
from ring import Ring

ACCOUNT = "AUTH_test"


def connection(host_n: int, port: int = multihost.PROXY_PORT) -> swiftclient.Connection:
    url = "http://%s:%d/auth/v1.0" % (multihost.Host(host_n).ip, port)
    return swiftclient.Connection(url, "test:tester", "testing", retries=0, timeout=30)


def ring(kind: str = "object") -> Ring:
    return Ring(multihost.COMMON_ETC, ring_name=kind, reload_time=0)


def host_of(node: Dict) -> int:
    return int(node["ip"].rsplit(".", 1)[1]) - 10


def primaries(container: str, obj: str = None, kind: str = "object") -> Tuple[int, List[Dict]]:
    return ring(kind).get_nodes(ACCOUNT, container, obj)


def name_with_replica_on(host_n: int, container: str, tag: str, present: bool = True) -> str:
    """An object name whose primaries include (or, present=False, exclude) host ``host_n``."""
    for i in range(10000):
        name = "%s-%d" % (tag, i)
        _part, nodes = primaries(container, name)
        if (host_n in {host_of(n) for n in nodes}) == present:
            return name
    raise AssertionError("no name places a replica %s host %d"
                         % ("on" if present else "off", host_n))


def data_files(container: str, obj: str) -> List[Tuple[int, str, str]]:
    """``(host, device, partition)`` of every ``.data`` of the object."""
    return multihost.data_files(ACCOUNT, container, obj)


def placed_as_ring_says(container: str, obj: str) -> bool:
    """The object's .data files are exactly on its primaries, in its partition."""
    return multihost.placed_as_ring_says(ACCOUNT, container, obj)


def request_lines(host_n: int, server: str, needle: str) -> List[str]:
    """Access log lines of one server of one host that contain ``needle``."""
    path = multihost.Host(host_n).path("log", "%s.log" % server)
    try:
        with open(path, errors="replace") as fp:
            return [line for line in fp if needle in line]
    except FileNotFoundError:
        return []


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while not check():
        assert time.time() < deadline, "timed out waiting for %s" % what
        time.sleep(0.2)


def converge(hosts=None, kinds=("object", "container", "account")) -> None:
    """Updaters then replicators, one ``--once`` pass each on every host."""
    if "object" in kinds:
        multihost.run_once("object-updater", hosts)
    for kind in kinds:
        multihost.run_once("%s-replicator" % kind, hosts)


def container_listing_on_each_replica(container: str) -> Dict[int, Set[str]]:
    """Object names each container replica lists, asked of its server directly."""
    import json
    import urllib.request

    part, nodes = primaries(container, kind="container")
    out = {}
    for node in nodes:
        url = "http://%s:%d/%s/%d/%s/%s?format=json" % (node["ip"], node["port"],
                                                         node["device"], part, ACCOUNT,
                                                         container)
        with urllib.request.urlopen(url, timeout=10) as resp:
            out[host_of(node)] = {row["name"] for row in json.loads(resp.read() or b"[]")}
    return out


def dispersion(*args: str) -> subprocess.CompletedProcess:
    """``objstore-dispersion-<args>`` against the cluster's dispersion.conf."""
    tool, rest = args[0], args[1:]
    return subprocess.run([os.path.join(multihost.VENV_BIN, "objstore-dispersion-%s" % tool),
                           os.path.join(multihost.COMMON_ETC, "dispersion.conf"), *rest],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300)
