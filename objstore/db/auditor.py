"""The database auditor shared by containers and accounts.

A database file can rot where nobody reads it: a bad sector, a torn write
after a crash, an operator's stray copy. The auditor opens every database
on this node's devices, at most ``<kind>s_per_second``, and asks SQLite
to check its own structure (``PRAGMA integrity_check``) and reads the
info row the servers rely on. A database that fails is moved aside to
``<device>/quarantined/<datadir>/<hash>`` (kept for inspection) so that
no server answers from it any more; the replicators on the other
primaries then push a good copy back, as to any missing replica.

Passing trouble (a lock held too long by a busy server) is only logged:
quarantining a sound database would throw away the newest rows.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Dict, Optional

from objstore.common.config import config_float
from objstore.common.daemon import Daemon
from objstore.db.broker import DatabaseBroker, DatabaseNotFound, is_corruption
from objstore.db.ondisk import LocalDB, iter_local_dbs, quarantine_db

STAT_KEYS = ("checked", "passed", "quarantined", "errors")


class DBAuditor(Daemon):
    """Checks one kind of database; subclasses say which."""

    name = "db-auditor"
    server_type = "container"
    datadir = "containers"
    default_interval = 1800.0
    broker_class: Callable[..., DatabaseBroker] = DatabaseBroker

    def __init__(self, conf: Dict[str, str], logger: Optional[logging.Logger] = None) -> None:
        super().__init__(conf, logger)
        self.per_second = config_float(conf, "%ss_per_second" % self.server_type, 200.0)
        self.db_busy_timeout = config_float(conf, "db_busy_timeout", 25.0)
        self.stats: Dict[str, int] = {}
        self._next_slot = 0.0

    def run_pass(self) -> Dict[str, Any]:
        self.stats = {k: 0 for k in STAT_KEYS}
        for device in self.local_device_dirs():
            for db in iter_local_dbs(self.devices, device, self.datadir):
                self._rate_limit()
                self.audit(db)
        return dict(self.stats)

    def summary(self, stats: Dict[str, Any], elapsed: float) -> str:
        return ("%s pass completed in %.2fs: %d databases checked, %d passed, "
                "%d quarantined, %d errors" % (self.name, elapsed, stats["checked"],
                                              stats["passed"], stats["quarantined"],
                                              stats["errors"]))

    def _rate_limit(self) -> None:
        """Sleep so a pass never reads more than ``per_second`` databases a
        second: the disks are shared with the servers' requests."""
        if self.per_second <= 0:
            return
        now = time.monotonic()
        if self._next_slot > now:
            time.sleep(self._next_slot - now)
            now = self._next_slot
        self._next_slot = max(now, self._next_slot) + 1.0 / self.per_second

    def audit(self, db: LocalDB) -> bool:
        """Check one database; quarantine it if damaged. True if sound."""
        self.stats["checked"] += 1
        broker = self.broker_class(db.path, busy_timeout=self.db_busy_timeout,
                                   logger=self.logger)
        try:
            broker.merge_pending()  # a quiet container's updates reach SQLite here
            problems = broker.check_integrity()
        except DatabaseNotFound:
            self.stats["checked"] -= 1  # deleted meanwhile: nothing to audit
            return True
        except Exception as err:
            if not is_corruption(err):
                self.stats["errors"] += 1
                self.logger.error("ERROR could not audit %s (will retry next pass): %s",
                                  db.path, err)
                return False
            problems = [str(err)]
        finally:
            broker.close()
        if not problems:
            self.stats["passed"] += 1
            return True
        target = quarantine_db(self.devices, db, self.datadir)
        self.stats["quarantined"] += 1
        self.logger.error("Quarantined %s to %s: %s", db.path, target, "; ".join(problems)[:300])
        return False
