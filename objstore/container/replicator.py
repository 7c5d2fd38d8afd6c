"""The container replicator: ``objstore-container-replicator <conf> [--once]``.

Everything but the choice of ring, directory and broker is the shared
database replicator (``objstore.db.replicator``).
"""

from __future__ import annotations

from typing import List, Optional

from objstore.common.daemon import run_daemon
from objstore.common.timestamp import Timestamp
from objstore.container.broker import ContainerBroker
from objstore.db.broker import DatabaseBroker
from objstore.db.paths import CONTAINER_DATADIR
from objstore.db.replicator import DBReplicator


class ContainerReplicator(DBReplicator):
    """Keeps the replicas of every container database in step."""

    name = "container-replicator"
    server_type = "container"
    datadir = CONTAINER_DATADIR
    default_port = 6201
    broker_class = ContainerBroker

    def reclaimable(self, broker: DatabaseBroker, cutoff: Timestamp) -> bool:
        """Old and deleted, and the account has heard of the deletion (as
        Swift): a database removed before its report went through (account
        servers down, the updater never run) would leave the container in
        the account's listing for good."""
        if not super().reclaimable(broker, cutoff):
            return False
        assert isinstance(broker, ContainerBroker)
        return broker.is_reported_current()


def main(argv: Optional[List[str]] = None) -> int:
    """Console script entry point."""
    return run_daemon(ContainerReplicator, argv)


if __name__ == "__main__":
    raise SystemExit(main())
