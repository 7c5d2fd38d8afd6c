"""The account replicator: ``objstore-account-replicator <conf> [--once]``.

The shared database replicator (``objstore.db.replicator``) with the
account ring and broker. A deleted account's database is kept until the
reaper has emptied it, so its deletion and its containers' tombstones
reach every replica first.
"""

from __future__ import annotations

from typing import List, Optional

from objstore.account.broker import AccountBroker
from objstore.common.daemon import run_daemon
from objstore.common.timestamp import Timestamp
from objstore.db.broker import DatabaseBroker
from objstore.db.paths import ACCOUNT_DATADIR
from objstore.db.replicator import DBReplicator


class AccountReplicator(DBReplicator):
    """Keeps the replicas of every account database in step."""

    name = "account-replicator"
    server_type = "account"
    datadir = ACCOUNT_DATADIR
    default_port = 6202
    broker_class = AccountBroker

    def reclaimable(self, broker: DatabaseBroker, cutoff: Timestamp) -> bool:
        """Only a deleted account with no containers left (reaped) may go."""
        info = broker.get_info()  # type: ignore[attr-defined]
        return (broker.is_status_deleted()  # type: ignore[attr-defined]
                and info["container_count"] == 0
                and Timestamp(info["delete_timestamp"]) < cutoff)


def main(argv: Optional[List[str]] = None) -> int:
    """Console script entry point."""
    return run_daemon(AccountReplicator, argv)


if __name__ == "__main__":
    raise SystemExit(main())
