"""The two clusters the conformance cases run on.

The reference is a real Swift 2.38.3 (``OBJSTORE_REF_SWIFT``, default
http://127.0.0.1:16080, started by ``saio/start``). objstore is an
all-in-one cluster of the conformance cases' own (``saio/conformance``: the
main cluster's configs on ports moved aside, proxy at ``SAIO_PROXY_PORT`` + 2),
started here when it is not up and, if started here, stopped when the
module's cases are done (the fixtures are module-scoped), so the cases run
on one xdist worker while the functional and probe tests, which stop and
break servers, run on the main cluster on the other.
``OBJSTORE_PROXY`` names a running objstore to compare instead. Without a
Swift installed in ``.swift-venv`` the cases are skipped, saying so; with
one installed, a reference that does not answer is an error, not a skip.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Dict, Iterator, List

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from swiftdiff.client import Target  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
#: saio/reference moves the reference's ports with SWIFT_REF_PORT_BASE (proxy at base + 80)
REF_URL = os.environ.get("OBJSTORE_REF_SWIFT", "http://127.0.0.1:%d" % (
    int(os.environ.get("SWIFT_REF_PORT_BASE", "16000")) + 80)).rstrip("/")
#: saio/conformance's proxy: SAIO3_PROXY_PORT, else the main cluster's + 2
OWN_OBJ_URL = "http://127.0.0.1:%s" % os.environ.get(
    "SAIO3_PROXY_PORT", int(os.environ.get("SAIO_PROXY_PORT", "8080")) + 2)
OBJ_URL = os.environ.get("OBJSTORE_PROXY", OWN_OBJ_URL).rstrip("/")
SWIFT_VENV = os.environ.get("OBJSTORE_SWIFT_VENV", os.path.join(REPO, ".swift-venv"))
#: objstore's erasure-coded policy in the all-in-one cluster (saio/build.py)
EC_POLICY = "ec21"


def _wait_healthy(target: Target, what: str, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while not target.healthy():
        if time.time() > deadline:
            pytest.fail("%s at %s never became healthy" % (what, target.url))
        time.sleep(0.3)


@contextmanager
def objstore_cluster() -> Iterator[Target]:
    """objstore as the cases see it: ``OBJSTORE_PROXY`` if given (it must
    answer), else saio/conformance's cluster, started if it is not up and
    then stopped on the way out."""
    obj = Target("objstore", OBJ_URL)
    if obj.healthy():
        yield obj
        return
    if "OBJSTORE_PROXY" in os.environ:
        pytest.fail("objstore at %s (OBJSTORE_PROXY) does not answer" % OBJ_URL)
    script = os.path.join(REPO, "saio", "conformance")
    try:
        # its servers inherit the niceness (see BACKGROUND_NICE)
        subprocess.run(["nice", "-n", str(BACKGROUND_NICE), script, "start"], check=True,
                       stdout=subprocess.DEVNULL)
        _wait_healthy(obj, "the conformance cases' objstore cluster")
        yield obj
    finally:
        subprocess.run([script, "stop"], check=False, stdout=subprocess.DEVNULL)


#: The conformance cases run beside the functional tests, which wait on one
#: request at a time on the main cluster; they would keep both cores busy
#: and slow every functional request down several times. Their servers (the
#: conformance cluster and the reference Swift) run at this niceness, so
#: they take the CPU the functional tests leave idle.
BACKGROUND_NICE = 10
REF_DIR = os.environ.get("SWIFT_REF_DIR", os.path.join(
    os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio")), "reference"))


@contextmanager
def niced(marker: str, value: int) -> Iterator[None]:
    """Every process whose command line holds ``marker`` runs at niceness
    ``value`` inside the block, then at its own again (where the system lets
    a process lower a niceness: root may; else it stays raised)."""
    before: Dict[int, int] = {}
    for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                if marker.encode() not in f.read():
                    continue
            before[pid] = os.getpriority(os.PRIO_PROCESS, pid)
            os.setpriority(os.PRIO_PROCESS, pid, max(value, before[pid]))
        except OSError:
            before.pop(pid, None)  # gone, or not ours
    try:
        yield
    finally:
        for pid, old in before.items():
            try:
                os.setpriority(os.PRIO_PROCESS, pid, old)
            except OSError:
                pass


@dataclass
class Clusters:
    ref: Target
    obj: Target
    run: str


@pytest.fixture(scope="module")
def clusters() -> Iterator[Clusters]:
    ref = Target("swift", REF_URL)
    if not ref.healthy():
        installed = os.path.exists(os.path.join(SWIFT_VENV, "bin", "swift-proxy-server"))
        if not installed and "OBJSTORE_REF_SWIFT" not in os.environ:
            pytest.skip("no reference Swift: Swift 2.38.3 is not installed in %s "
                        "(saio/start installs it, saio/reference starts it)" % SWIFT_VENV)
        if "OBJSTORE_REF_SWIFT" in os.environ:
            pytest.fail("the reference Swift at %s (OBJSTORE_REF_SWIFT) does not answer" % REF_URL)
        subprocess.run([os.path.join(REPO, "saio", "reference"), "start"], check=True)
        _wait_healthy(ref, "the reference Swift")
    with objstore_cluster() as obj, niced(REF_DIR + os.sep, BACKGROUND_NICE):
        ref.discover_policies(EC_POLICY)
        obj.discover_policies(EC_POLICY)
        yield Clusters(ref, obj, uuid.uuid4().hex[:6])


#: cases run at once: each is two request sequences (one per cluster) on
#: names of its own, and most of a case's time is spent waiting for fsyncs
CASES_AT_ONCE = int(os.environ.get("CONFORMANCE_CASES_AT_ONCE", "4"))


class Results:
    """Every selected case started ahead on a few threads, in collection
    order; a test waits only for its own case's two views."""

    def __init__(self, clusters: Clusters, cases: List) -> None:
        from swiftdiff.compare import run_both

        # the client threads run niced too (Linux: a thread's own niceness)
        self._pool = ThreadPoolExecutor(CASES_AT_ONCE, initializer=os.setpriority,
                                        initargs=(os.PRIO_PROCESS, 0, BACKGROUND_NICE))
        self._futures: Dict[str, Future] = {
            c.id: self._pool.submit(run_both, c, clusters.ref, clusters.obj, clusters.run)
            for c in cases}

    def views(self, case):
        return self._futures[case.id].result()

    def close(self) -> None:
        # a run stopped early (-x, Ctrl-C): what started ends and cleans up
        self._pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module")
def results(request, clusters: Clusters):
    cases = [item.callspec.params["c"] for item in request.session.items
             if getattr(item, "callspec", None) is not None and "c" in item.callspec.params
             and "clusters" in item.fixturenames]
    got = Results(clusters, cases)
    yield got
    got.close()
