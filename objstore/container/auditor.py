"""The container auditor: ``objstore-container-auditor <conf> [--once]``.

Checks every container database and quarantines a corrupt one (see
``objstore.db.auditor``).
"""

from __future__ import annotations

from typing import List, Optional

from objstore.common.daemon import run_daemon
from objstore.container.broker import ContainerBroker
from objstore.db.auditor import DBAuditor
from objstore.db.paths import CONTAINER_DATADIR


class ContainerAuditor(DBAuditor):
    """Audits container databases."""

    name = "container-auditor"
    server_type = "container"
    datadir = CONTAINER_DATADIR
    broker_class = ContainerBroker


def main(argv: Optional[List[str]] = None) -> int:
    """Console script entry point."""
    return run_daemon(ContainerAuditor, argv)


if __name__ == "__main__":
    raise SystemExit(main())
