"""The container replicator: ``objstore-container-replicator <conf> [--once]``.

Everything but the choice of ring, directory and broker is the shared
database replicator (``objstore.db.replicator``).
"""

from __future__ import annotations

from typing import List, Optional

from objstore.common.daemon import run_daemon
from objstore.container.broker import ContainerBroker
from objstore.db.paths import CONTAINER_DATADIR
from objstore.db.replicator import DBReplicator


class ContainerReplicator(DBReplicator):
    """Keeps the replicas of every container database in step."""

    name = "container-replicator"
    server_type = "container"
    datadir = CONTAINER_DATADIR
    default_port = 6201
    broker_class = ContainerBroker


def main(argv: Optional[List[str]] = None) -> int:
    """Console script entry point."""
    return run_daemon(ContainerReplicator, argv)


if __name__ == "__main__":
    raise SystemExit(main())
