"""Targeted repairs for the probe tests, through the fault lab's own
process functions: a replicator pass over just the partitions a test
wrote (``--partitions``, as Swift's replicator takes it) and a restart of
just the servers it stopped.

A full pass asks every peer about every partition of every node (~900
each on the SAIO, several seconds on a loaded machine) and ``saio/start``
walks the whole cluster; both prove nothing more about the partition or
server a test broke. Anything that goes wrong falls back to
``start_cluster`` (``saio/start``), so a failing test still leaves the
next one a whole cluster.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Iterable, List

from objstore.dashboard.health import healthcheck
from objstore.faultlab import processes

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # also from tests/functional
from probe_helpers import ETC, NODES, RUN, SAIO, start_cluster  # noqa: E402

LOG = os.path.join(SAIO, "log")


def replicate(partitions: Iterable[int], nodes: Iterable[int] = NODES,
              daemon: str = "object-replicator") -> None:
    """One ``object-replicator --once --partitions ...`` pass (or the
    ``object-reconstructor``'s) on each node, in parallel; fails if any
    pass failed."""
    parts = ",".join(sorted({str(p) for p in partitions}))
    assert parts, "no partition to replicate"
    confs = {"object-%d" % n: os.path.join(ETC, "object-server", "%d.conf" % n) for n in nodes}
    results = processes.run_once(daemon, confs, args=["--partitions", parts])
    failed = [r for r in results if r["status"] != 0]
    assert not failed, failed


def down() -> List[str]:
    """The servers of the cluster that are not running or not healthy."""
    return sorted(name for name, server in processes.find_servers(ETC, RUN).items()
                  if processes.server_pid(server) is None
                  or not healthcheck(server.ip, server.port, 2.0)["up"])


def restart(names: Iterable[str]) -> None:
    """Start the stopped servers ``names`` (in parallel, each until it
    answers /healthcheck); ``saio/start`` if that fails or anything else
    is still down."""
    servers = processes.find_servers(ETC, RUN)
    errors: List[BaseException] = []

    def start(name: str) -> None:
        try:
            processes.start_server(servers[name], LOG)
        except BaseException as err:  # reported below, after the others started
            errors.append(err)

    threads = [threading.Thread(target=start, args=(name,)) for name in names
               if processes.server_pid(servers[name]) is None]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors or down():
        start_cluster()
    assert not errors, errors
