"""One multi-host cluster (saio/multihost) shared by every test here.

The hosts are network namespaces with their own addresses, so the faults
are real network faults: a host cut off is a link taken down, not a
process stopped. The cluster lives under a temp dir with its own name
prefix and subnet (``osmt``, 10.232.0.0/24), so a cluster an engineer
started by hand is left alone; at the end ``stop`` runs twice and the
session fails if any namespace, link or process it made is left.
Background daemons are off: tests run the daemons' ``--once`` passes
when they want the cluster to converge.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "saio"))
sys.path.insert(0, os.path.join(REPO, "tests", "support"))

# made by the cluster's start, removed at its end (nothing if no test here runs)
_TMP = os.path.join(tempfile.gettempdir(), "objstore-multihost-%d" % os.getpid())
os.environ["MULTIHOST_DIR"] = os.path.join(_TMP, "cluster")
os.environ["MULTIHOST_PREFIX"] = "osmt"
os.environ["MULTIHOST_NET"] = "10.232.0"
os.environ.setdefault("OBJSTORE_VENV", os.path.join(REPO, ".venv"))

import multihost  # noqa: E402  (saio/multihost.py, configured by the lines above)
from swift_cleanup import delete_container  # noqa: E402
import multihost_helpers as mh  # noqa: E402


def _why_no_namespaces():
    """None when this machine lets us build the cluster, else the reason."""
    if os.geteuid() != 0:
        return "multi-host probe tests need root to create network namespaces"
    for tool in ("ip", "rsync", "memcached"):
        if shutil.which(tool) is None:
            return "multi-host probe tests need %s on PATH" % tool
    probe = "osmt-canary-%d" % os.getpid()
    made = subprocess.run(["ip", "netns", "add", probe], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    if made.returncode != 0:
        return "cannot create a network namespace here: %s" % made.stderr.strip()
    subprocess.run(["ip", "netns", "del", probe], check=False)
    return None


def _leftovers():
    procs = []
    for n in multihost.LAYOUT:
        run = multihost.Host(n).path("run")
        if os.path.isdir(run):
            procs += [name for name in os.listdir(run) if name.endswith(".pid")
                      and multihost.pid_of(multihost.Host(n), name[:-4]) is not None]
    return multihost.our_namespaces() + multihost.our_links() + procs


@pytest.fixture(scope="session")
def nothing_left_behind():
    """Not the SAIO's leftover check (tests/probe/conftest.py): these tests
    never use the SAIO, and may run beside the tests that do; the cluster
    here is checked for leftovers when it stops (see ``cluster``)."""
    return None


@pytest.fixture(scope="session")
def cluster():
    reason = _why_no_namespaces()
    if reason:
        pytest.skip(reason)
    try:
        multihost.start(multihost.DEFAULT_HOSTS, daemons=False)
        yield multihost
    finally:
        multihost.stop()
        multihost.stop()  # idempotent: a second stop finds nothing and fails on nothing
        left = _leftovers()
        shutil.rmtree(_TMP, ignore_errors=True)
        assert not left, "saio/multihost stop left these behind: %s" % left


@pytest.fixture
def conn(cluster):
    return mh.connection(1)


@pytest.fixture
def container(conn):
    """A fresh container (3 replicas across the hosts), deleted afterwards
    with whatever the test left in it."""
    name = "mh-" + uuid.uuid4().hex[:10]
    conn.put_container(name)
    yield name
    delete_container(mh.connection(1), name)
