"""The account auditor: ``objstore-account-auditor <conf> [--once]``.

Checks every account database and quarantines a corrupt one (see
``objstore.db.auditor``).
"""

from __future__ import annotations

from typing import List, Optional

from objstore.account.broker import AccountBroker
from objstore.common.daemon import run_daemon
from objstore.db.auditor import DBAuditor
from objstore.db.paths import ACCOUNT_DATADIR


class AccountAuditor(DBAuditor):
    """Audits account databases."""

    name = "account-auditor"
    server_type = "account"
    datadir = ACCOUNT_DATADIR
    broker_class = AccountBroker


def main(argv: Optional[List[str]] = None) -> int:
    """Console script entry point."""
    return run_daemon(AccountAuditor, argv)


if __name__ == "__main__":
    raise SystemExit(main())
