"""Hooks of every test session.

The suite runs on two pytest-xdist workers (``-n 2`` in pytest.ini, scheduled by
:class:`_ByGroup` over the groups :func:`xdist_group_of` draws). Everything
that uses the shared all-in-one cluster (the functional and probe tests) is
one group, run in order by one worker, because probe tests stop and break
servers that a functional test would be using and every cluster suite
checks at its end that it left the cluster as it found it. The unit tests,
which start their own servers on free ports, and the deployment files'
tests, which need no server, are grouped by module (so a module's fixtures
are set up once) and fill the other worker, with the multi-host probes,
which build a cluster of their own in network namespaces and never touch
the shared one.

The conformance cases compare objstore with a real Swift on a cluster of
their own (``saio/conformance``, started by their fixture) and keep both
cores busy: they are handed out last, when the unit tests are done, so
they run beside the functional tests (which send one request at a time and
leave a core idle) instead of fighting the unit tests for the cores; their
servers run niced (tests/conformance/conftest.py), so they take the CPU
the functional tests leave idle rather than slowing every request of theirs.
"""
import os
import sys

import pytest

#: every server and daemon a test starts inherits this: eventlet's green DNS
#: resolver (dnspython, imported by eventlet unless told not to) costs a
#: process start about 0.3 s of CPU, half of it, and the suite starts
#: hundreds; every name they resolve here is an address or localhost, which
#: the C library's resolver answers at once
os.environ.setdefault("EVENTLET_NO_GREENDNS", "yes")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "support"))
from tierer_pause import tierer_paused  # noqa: E402

#: the group of every test that uses the shared cluster
CLUSTER_GROUP = "saio"
#: the conformance cases' group (their own cluster, saio/conformance)
CONFORMANCE_GROUP = "conformance"


def xdist_group_of(nodeid: str) -> str:
    """Which tests run together, in order, on one xdist worker."""
    if nodeid.startswith(("tests/unit/", "tests/deploy/")):
        return nodeid.split("::", 1)[0]  # own servers on free ports, or none: by module
    if nodeid.startswith("tests/probe/multihost/"):
        return "multihost"  # one namespace cluster of their own
    if nodeid.startswith("tests/conformance/"):
        return CONFORMANCE_GROUP
    return CLUSTER_GROUP


#: the order of the test directories in a run (any other comes last, as collected)
RUN_ORDER = ("tests/deploy/", "tests/functional/", "tests/probe/", "tests/conformance/")


def _run_rank(nodeid: str) -> int:
    return next((i for i, top in enumerate(RUN_ORDER) if nodeid.startswith(top)),
                len(RUN_ORDER))


def pytest_collection_modifyitems(session, config, items):
    """Run the directories in :data:`RUN_ORDER` (a stable sort: each keeps
    its own order; every xdist worker sorts its collection the same way)."""
    items.sort(key=lambda item: _run_rank(item.nodeid))


def pytest_xdist_make_scheduler(config, log):
    """xdist's scope scheduling, with :func:`xdist_group_of` as the scope and
    :func:`_next_group` choosing which group a free worker takes."""
    from xdist.scheduler import LoadScopeScheduling

    class _ByGroup(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group_of(nodeid)

        def _assign_work_unit(self, node) -> None:
            scope = _next_group(list(self.workqueue))
            self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return _ByGroup(config, log)


def _next_group(queued: list) -> str:
    """The group a free worker takes from ``queued`` (largest first, as xdist
    orders them): the shared cluster's first, the conformance cases' last."""
    if CLUSTER_GROUP in queued:
        return CLUSTER_GROUP
    return next((g for g in queued if g != CONFORMANCE_GROUP), queued[0])


def _controller(config) -> bool:
    """The process that runs the session (not an xdist worker)."""
    return not hasattr(config, "workerinput")


def pytest_sessionstart(session):
    """The SAIO's continuous tierer waits while tests run: tiering tests run
    passes themselves, and no other test's objects move under it. Held by
    the controlling process, so it spans every worker."""
    if _controller(session.config):
        saio = os.environ.get("SAIO_DIR", os.path.join(os.path.dirname(HERE), ".saio"))
        session.config._tierer_pause = tierer_paused(saio)
        session.config._tierer_pause.__enter__()


def pytest_sessionfinish(session, exitstatus):
    pause = getattr(session.config, "_tierer_pause", None)
    if pause is not None:
        pause.__exit__(None, None, None)
