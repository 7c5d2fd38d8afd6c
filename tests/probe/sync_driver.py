"""The container sync daemons of one cluster's four nodes, kept in one
process so a probe can run a pass of all of them without starting four
interpreters and loading the proxy pipeline each time.

    python sync_driver.py <etc dir> [option=value ...]

Each line ``once [account/container ...]`` on stdin runs
``ContainerSync.run_once`` of every node at the same time (green threads,
as the real daemons' I/O interleaves) and answers one line: ``ok`` and the
summed pass stats as JSON, or ``error`` and the traceback's last line.
Containers named: the pass looks at their databases only, as if the
cluster held nothing else (a SAIO the whole test suite has written to holds
thousands; a pass over all of them takes seconds). The options override
the nodes' ``[container-sync]`` sections (shorter retry backoffs for
tests). The daemons are the production class with the production config,
run as ``objstore-container-sync --once`` runs them.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Dict, List, Optional, Set

from objstore.common import concurrency

concurrency.monkey_patch()

from objstore.common.config import load_hash_settings  # noqa: E402
from objstore.common.daemon import load_daemon_conf  # noqa: E402
from objstore.container.sync import STAT_KEYS, ContainerSync  # noqa: E402
from objstore.db.ondisk import LocalDB  # noqa: E402
from objstore.db.paths import name_hash  # noqa: E402

NODES = (1, 2, 3, 4)


class OnlySome(ContainerSync):
    """The daemon, passing over every database but those of ``wanted``
    (database hashes; empty: none passed over)."""

    #: not ``only``, which a Daemon instance holds (its ``--once`` limits)
    #: and which would hide this class's set
    wanted: Set[str] = set()

    def process(self, db: LocalDB) -> Optional[str]:
        if OnlySome.wanted and db.hash not in OnlySome.wanted:
            return None
        return super().process(db)


def daemons(etc: str, overrides: Dict[str, str]) -> List[OnlySome]:
    """One daemon per node, sharing one in-process proxy client."""
    out: List[OnlySome] = []
    client = None
    for node in NODES:
        conf = load_daemon_conf(os.path.join(etc, "container-server", "%d.conf" % node),
                                ContainerSync.name)
        conf.update(overrides)
        daemon = OnlySome(conf, client=client)
        client = client or daemon.client
        out.append(daemon)
    return out


def main(argv: List[str]) -> int:
    etc, options = argv[0], dict(arg.split("=", 1) for arg in argv[1:])
    nodes = daemons(etc, options)
    print("ready", flush=True)
    prefix, suffix = load_hash_settings(etc)
    for line in sys.stdin:
        command, *names = line.split()
        if command != "once":
            print("error unknown command %r" % line.strip(), flush=True)
            continue
        OnlySome.wanted = set()
        for name in names:
            account, container = name.split("/", 1)
            OnlySome.wanted.add(name_hash(account, container, prefix, suffix))
        try:
            pool = concurrency.GreenPool(len(nodes))
            totals = {k: 0 for k in STAT_KEYS}
            for stats in pool.imap(lambda d: d.run_once(), nodes):
                for key in STAT_KEYS:
                    totals[key] += stats.get(key, 0)
            print("ok " + json.dumps(totals), flush=True)
        except Exception:  # the test reads it; the driver stays up for the next pass
            print("error " + traceback.format_exc().strip().splitlines()[-1], flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
