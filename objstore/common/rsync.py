"""Pushing files to a peer with rsync, shared by the object and DB replicators.

Where a peer's files go is a template (``rsync_module``) filled from the
peer's ring entry; running rsync and reporting why it failed is the same
for every replicator, so it lives here once.
"""

from __future__ import annotations

import logging
import math
import subprocess
from typing import Any, Dict, List, Optional


def bracket(ip: str) -> str:
    """An IPv6 address in brackets, as rsync and URLs want it."""
    return "[%s]" % ip if ":" in ip and not ip.startswith("[") else ip


def module_for(template: str, node: Dict[str, Any]) -> str:
    """``rsync_module`` filled in for ``node`` (``{replication_ip}::object``
    style placeholders: ip, port, replication_ip, replication_port, device,
    region, zone)."""
    ip = node.get("replication_ip") or node["ip"]
    return template.format(
        ip=bracket(node["ip"]), port=node["port"], replication_ip=bracket(ip),
        replication_port=node.get("replication_port") or node["port"],
        device=node["device"], region=node.get("region", ""), zone=node.get("zone", ""))


def transport_options(dest: str, rsync_port: int, conn_timeout: float, compress: bool,
                      bwlimit: str) -> List[str]:
    """Options every replicator passes: daemon port and connect timeout for
    ``host::module`` destinations, compression and bandwidth limit."""
    opts: List[str] = []
    if "::" in dest:
        opts += ["--port=%d" % rsync_port, "--contimeout=%d" % max(1, math.ceil(conn_timeout))]
    if compress:
        opts.append("--compress")
    if bwlimit not in ("", "0"):
        opts.append("--bwlimit=%s" % bwlimit)
    return opts


def run_rsync(cmd: List[str], what: str, timeout: float,
              logger: logging.Logger) -> Optional[subprocess.CompletedProcess]:
    """Run ``cmd``; the finished process, or ``None`` (logged, naming
    ``what`` was being pushed) if it could not run, timed out or failed."""
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        logger.error("ERROR rsync of %s took over rsync_timeout (%ss)", what, timeout)
        return None
    except OSError as err:
        logger.error("ERROR cannot run rsync (%s); is it installed?", err)
        return None
    if proc.returncode != 0:
        logger.error("ERROR rsync of %s failed (exit %d): %s", what, proc.returncode,
                     proc.stderr.decode("utf-8", "replace").strip()[-500:])
        return None
    return proc
