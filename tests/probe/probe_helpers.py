"""Helpers of the probe tests: real faults injected into the live all-in-one cluster.

Each test breaks something real (stops or kill -9s a server, corrupts or
deletes files on a device), checks what clients see, runs the daemons'
``--once`` passes, and checks the cluster healed. Every test restores the
cluster in ``finally`` with ``saio/start`` (idempotent: it restarts only
what is missing), so a failing probe never leaves the next one a broken
cluster.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from typing import Dict, List, Optional, Tuple

import pytest
import swiftclient

from objstore.common.config import read_conf
from objstore.common.storage_policy import load_policies
from objstore.obj.diskfile import DiskFileManager, DiskFileNotExist
from objstore.common import crypto as cu
from objstore.middleware.encrypter import BODY_META
from objstore.middleware.keymaster import load_secrets
from ring import Ring

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "support"))
from swift_cleanup import delete_container  # noqa: E402
SAIO = os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio"))
ETC = os.path.join(SAIO, "etc")
RUN = os.path.join(SAIO, "run")
VENV_BIN = os.path.join(REPO, ".venv", "bin")
PROXY = os.environ.get("OBJSTORE_PROXY", "http://127.0.0.1:%s" % os.environ.get("SAIO_PROXY_PORT", "8080"))
AUTH_URL = PROXY + "/auth/v1.0"
NODES = (1, 2, 3, 4)


def _healthy() -> bool:
    try:
        return urllib.request.urlopen(PROXY + "/healthcheck", timeout=2).status == 200
    except Exception:
        return False


def start_cluster() -> None:
    """``saio/start``: brings back whatever is stopped, leaves the rest."""
    subprocess.run([os.path.join(REPO, "saio", "start")], check=True,
                   stdout=subprocess.DEVNULL)
    deadline = time.time() + 60
    while not _healthy():
        assert time.time() < deadline, "the all-in-one cluster never became healthy"
        time.sleep(0.2)


@pytest.fixture(scope="session")
def saio():
    if not _healthy():
        start_cluster()
    return PROXY


@pytest.fixture
def conn(saio):
    return swiftclient.Connection(AUTH_URL, "test:tester", "testing", retries=0)


@pytest.fixture
def container(conn):
    """A fresh container, deleted with its objects after the test (once the
    test has brought the cluster back)."""
    name = "probe-" + uuid.uuid4().hex[:12]
    conn.put_container(name)
    conn.head_container(name)  # now in the proxy's cache
    yield name
    delete_container(conn, name)


# ----------------------------------------------------------------- servers

def server_pid(name: str) -> Optional[int]:
    try:
        with open(os.path.join(RUN, "%s.pid" % name)) as fp:
            return int(fp.read().strip())
    except (OSError, ValueError):
        return None


def stop_server(name: str, sig: int = signal.SIGTERM) -> None:
    """Stop one SAIO server (``object-2``, ``container-1``...) and forget
    its pid file, so ``saio/start`` brings it back."""
    pid = server_pid(name)
    if pid is not None:
        # the workers too: with kill -9 the parent cannot take them along
        pids = [pid] + (_children(pid) if sig == signal.SIGKILL else [])
        for one in pids:
            try:
                os.kill(one, sig)
            except ProcessLookupError:
                pass
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
    try:
        os.unlink(os.path.join(RUN, "%s.pid" % name))
    except FileNotFoundError:
        pass


def proxy_forgets_errors() -> None:
    """Make the proxy forget the nodes it error-limits, with a graceful
    reload (SIGHUP) that replaces its workers and their counts; returns
    once no old worker is left and the new ones serve (about 3 s on a
    loaded machine, so only for a fault that error-limits a node at once:
    a 507 makes the proxy skip that node for ``error_suppression_interval``,
    60 s, and the tests after it would see their writes go elsewhere).
    A stopped server needs no reload: its refused connections only count
    towards ``error_suppression_limit``, and a write that missed a primary
    is what ``copies_home`` is for."""
    pid = server_pid("proxy")
    assert pid is not None, "the proxy is not running"
    old = set(_children(pid))
    os.kill(pid, signal.SIGHUP)
    deadline = time.time() + 60
    while True:
        now = set(_children(pid))
        if len(now) >= len(old) and not now & old and _healthy():
            return
        assert time.time() < deadline, "the proxy's workers were not replaced after a reload"
        time.sleep(0.05)


def _children(pid: int) -> List[int]:
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as fp:
            return [int(p) for p in fp.read().split()]
    except OSError:
        return []


def run_daemon(daemon: str, nodes=NODES, timeout: float = 300, args=()) -> None:
    """One ``--once`` pass of ``objstore-<daemon>`` on each node, in
    parallel, as ``saio/daemons once`` does; fails if any pass failed.
    ``args``: more of its command line (``--partitions 12``...)."""
    kind = daemon.split("-")[0]
    procs = [subprocess.Popen([os.path.join(VENV_BIN, "objstore-%s" % daemon),
                               os.path.join(ETC, "%s-server" % kind, "%d.conf" % n), "--once"]
                              + list(args),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for n in nodes]
    for proc in procs:
        _out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, err.decode("utf-8", "replace")[-2000:]


# ------------------------------------------------------------------ placement

def node_of(dev: Dict) -> int:
    return (int(dev["port"]) - int(os.environ.get("SAIO_PORT_BASE", "6200"))) // 10


def object_nodes(account: str, container: str, obj: str) -> Tuple[int, List[int], List[int]]:
    """``(partition, primary node numbers, handoff node numbers)``."""
    ring = Ring(ETC, ring_name="object")
    part, nodes = ring.get_nodes(account, container, obj)
    return part, [node_of(n) for n in nodes], [node_of(n) for n in ring.get_more_nodes(part)]


def container_nodes(account: str, container: str) -> Tuple[int, List[int]]:
    ring = Ring(ETC, ring_name="container")
    part, nodes = ring.get_nodes(account, container)
    return part, [node_of(n) for n in nodes]


def mgr(node: int) -> DiskFileManager:
    conf = read_conf(os.path.join(ETC, "object-server", "%d.conf" % node))["DEFAULT"]
    return DiskFileManager(conf)


def diskfile(node: int, part: int, account: str, container: str, obj: str,
             policy_index: int = 0):
    return mgr(node).get_diskfile("sdb%d" % node, str(part), account, container, obj,
                                  policy_index)


def on_disk(node: int, part: int, account: str, container: str, obj: str,
            policy_index: int = 0) -> Optional[bytes]:
    """The object's bytes on one node's disk, read through the DiskFile
    layer (verified), or None if that node has no good copy."""
    df = diskfile(node, part, account, container, obj, policy_index)
    try:
        df.open()
    except DiskFileNotExist:
        return None
    reader = df.reader(verify=False)
    return _plaintext(df.get_metadata(), b"".join(reader))


def copies_home(account: str, container: str, obj: str, body: Optional[bytes] = None,
                policy: Optional[str] = None) -> Tuple[int, List[int]]:
    """Make sure every primary of an object holds its copy (for EC: its own
    fragment archive) and return ``(partition, primary node numbers)``.

    A proxy PUT promises a quorum, not a copy on every primary: a node the
    proxy error-limits after an earlier fault (a probe test stopped it less
    than ``error_suppression_interval`` ago), or one that did not answer in
    time on a loaded machine, gets no copy, and a handoff may hold it
    instead, exactly as with Swift. A test that then talks to each primary
    straight, or reads each primary's disk, calls this first: where a
    primary lacks its copy, the daemon that puts it there runs (the
    replicator over that partition alone; for EC the reconstructor, which
    also reverts a handoff's fragment, over it too), as many passes as it takes (a push
    refused by a busy rsyncd is only retried next pass), up to three. ``body``: the bytes each
    replicated copy must hold; ``policy``: the container's policy's name
    (the default policy's if None)."""
    policies = load_policies(ETC)
    found = policies.default if policy is None else policies.get_by_name(policy)
    assert found is not None, "no storage policy %r in %s" % (policy, ETC)
    policy_index = found.index
    ring = Ring(ETC, ring_name=found.ring_name)
    part, nodes = ring.get_nodes(account, container, obj)
    primaries = [node_of(n) for n in nodes]

    def lacking() -> List[int]:
        if found.is_ec:
            return [n for index, n in enumerate(primaries) if index not in diskfile(
                n, part, account, container, obj, policy_index).fragments()]
        copies = [on_disk(n, part, account, container, obj, policy_index) for n in primaries]
        return [n for n, copy in zip(primaries, copies)
                if copy is None or (body is not None and copy != body)]

    daemon = "object-reconstructor" if found.is_ec else "object-replicator"
    args = ("--partitions", str(part)) if found.is_ec else (
        "--partitions", str(part), "--policies", str(policy_index))
    for _pass in range(3):
        missing = lacking()
        if not missing:
            return part, primaries
        run_daemon(daemon, args=args)
    missing = lacking()
    assert not missing, "/%s/%s/%s: primaries %s still lack their copy after three %s " \
        "passes" % (account, container, obj, missing, daemon)
    return part, primaries


def container_dbs_home(account: str, container: str) -> Tuple[int, List[Dict]]:
    """Make sure every primary of a container holds its database, and return
    ``(partition, the container ring's primary nodes)``: a container PUT
    through the proxy, too, promises a quorum only. Where a primary answers
    404, the container replicator (which pushes a whole database to a peer
    that has none) runs, up to three passes."""
    ring = Ring(ETC, ring_name="container")
    part, nodes = ring.get_nodes(account, container)
    path = "/%s/%s" % (urllib.parse.quote(account), urllib.parse.quote(container))

    def lacking() -> List[int]:
        missing = []
        for node in nodes:
            conn = http.client.HTTPConnection(node["ip"], node["port"], timeout=30)
            try:
                conn.request("HEAD", "/%s/%d%s" % (node["device"], part, path))
                status = conn.getresponse().status
            finally:
                conn.close()
            if status == 404:
                missing.append(node_of(node))
            else:
                assert 200 <= status < 300, "container server %s answered %d" % (
                    node_of(node), status)
        return missing

    for _pass in range(3):
        if not lacking():
            return part, nodes
        run_daemon("container-replicator")
    missing = lacking()
    assert not missing, "/%s/%s: container servers %s still lack the database after three " \
        "container-replicator passes" % (account, container, missing)
    return part, nodes


def _plaintext(metadata: dict, data: bytes) -> bytes:
    """``data`` as the client wrote it: the SAIO encrypts bodies at rest
    (keymaster + encryption), so a copy on disk is decrypted with the
    SAIO's own root secret, the way the proxy's decrypter does."""
    meta_text = {k.lower(): v for k, v in metadata.items()}.get(BODY_META.lower())
    if meta_text is None:
        return data  # written before encryption, or by a test without it
    meta = cu.load_meta(meta_text)
    secrets = load_secrets({"keymaster_config_path": os.path.join(ETC, "keymaster.conf")})
    secret = secrets[str(meta["key_id"].get("secret_id", ""))]
    object_key = cu.derive_key(secret, meta["key_id"]["path"])
    body_key = cu.unwrap_key(object_key, meta["body_key"])
    return cu.ctr(body_key, cu.unb64(meta["iv"])).update(data)


def account_of(conn: swiftclient.Connection) -> str:
    url, _token = conn.get_auth()
    return url.rstrip("/").rsplit("/", 1)[-1]


def expiry_state(account: str, container: str, obj: str) -> str:
    """Where an expiring object stands, for a failure message: its queue
    entries, each container replica's listing row, async pendings left."""
    import json
    import glob

    from objstore.common.daemon import load_daemon_conf
    from objstore.obj.expirer import ObjectExpirer

    expirer = ObjectExpirer(load_daemon_conf(os.path.join(ETC, "object-server", "1.conf"),
                                             "object-expirer"))
    suffix = "-%s/%s/%s" % (account, container, obj)
    queued = {q: [r for r, _ in (expirer.list_queue(q) or []) if r.endswith(suffix)]
              for q in expirer.queue_containers(time.time())}
    queued = {q: rows for q, rows in queued.items() if rows}
    ring = Ring(ETC, ring_name="container")
    part, nodes = ring.get_nodes(account, container)
    rows = {}
    for node in nodes:
        url = "http://%s:%s/%s/%d/%s/%s?format=json&prefix=%s" % (
            node["ip"], node["port"], node["device"], part, account, container, obj)
        try:
            rows[node["port"]] = [e["name"] for e in json.loads(
                urllib.request.urlopen(url, timeout=10).read() or b"[]")]
        except OSError as err:
            rows[node["port"]] = str(err)
    pending = len(glob.glob(os.path.join(SAIO, "srv", "*", "node", "*", "async_pending*", "*", "*")))
    return ("expired object still listed; queue entries: %s; rows on each container replica: %s; "
            "async pendings on the devices: %d" % (queued, rows, pending))

