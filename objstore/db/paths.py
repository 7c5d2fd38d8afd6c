"""Where a container or account database lives on a device.

``<devices>/<device>/<datadir>/<partition>/<suffix>/<hash>/<hash>.db``,
with ``hash`` the placement hash of ``/account[/container]`` and
``suffix`` its last three hex digits. The servers, the replicator and the
auditors all build paths here, so the layout is defined once.
"""

from __future__ import annotations

import os
import re
from typing import Optional

from ring.utils import hash_path

CONTAINER_DATADIR = "containers"
ACCOUNT_DATADIR = "accounts"
_HASH_RE = re.compile(r"^[0-9a-f]{32}$")


def name_hash(account: str, container: Optional[str] = None,
              prefix: bytes = b"", suffix: bytes = b"") -> str:
    """The placement hash of ``/account`` or ``/account/container``."""
    return str(hash_path(account, container, prefix=prefix, suffix=suffix))


def db_path(devices: str, device: str, datadir: str, partition: object, hash_: str) -> str:
    """The database file for ``hash_`` in ``partition`` on ``device``."""
    return os.path.join(devices, device, datadir, str(partition), hash_[-3:], hash_,
                        hash_ + ".db")


def valid_hash(hash_: str) -> bool:
    """True for a 32-digit lowercase hex hash (what REPLICATE paths carry)."""
    return bool(_HASH_RE.match(hash_ or ""))


def device_tmp_dir(devices: str, device: str) -> str:
    """Per-device scratch space for whole databases pushed by replicators
    (same filesystem as the data, so moving one into place is a rename)."""
    return os.path.join(devices, device, "tmp")
