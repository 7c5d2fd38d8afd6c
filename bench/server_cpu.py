"""CPU seconds the servers of one cluster spent, per kind of server.

A phase's wall-clock figures swing with whatever else runs on a shared
machine; the CPU time the servers themselves used per request swings far
less, so the load benchmark prints it beside ops/s. The servers of a
cluster are the processes whose command line contains one of its markers
(the cluster's config directories) and that run a server (see
:func:`server_kind`: daemons such as a replicator read the same config
files and are left out), put under its kind (``proxy``, ``object``,
``container``, ``account``).
Figures come from ``/proc/<pid>/stat`` (user + system time), read before
and after a phase; a process that started during the phase counts whole,
one that ended is lost (the benchmark notes restarts separately).
"""

from __future__ import annotations

import os
import re
from typing import Dict, Optional, Sequence, Tuple

from objstore.cli.init import SERVERS

KINDS = ("proxy", "object", "container", "account")
_TICK = float(os.sysconf("SC_CLK_TCK")) if hasattr(os, "sysconf") else 100.0


_SERVER = re.compile(r"^[a-z]+-(%s)-server$" % "|".join(KINDS))
#: module run with ``-m`` -> kind (``objstore.obj.server`` -> ``object``)
_MODULES = {module: name.split("-", 1)[0] for name, module in SERVERS.items()}


def server_kind(argv: Sequence[str]) -> Optional[str]:
    """The kind of server a command line runs, or None (a daemon, a tool).

    A server runs as its console script (``objstore-object-server``,
    ``swift-proxy-server``: ``saio/start``, the benchmark's proxies,
    Swift's), alone or after the interpreter, or as its module through the
    interpreter's ``-m`` (``python -m objstore.obj.server``: ``objstore-init``
    and the fault lab restart servers so, e.g. after a kill -9 probe). Its
    workers and a reload's re-executed process keep the same command line.
    """
    if not argv:
        return None
    program = os.path.basename(argv[0])
    found = _SERVER.match(program)
    if found or not program.startswith("python"):
        return found.group(1) if found else None
    args = iter(argv[1:])
    for arg in args:  # the interpreter's options, then what it runs
        if arg == "-m":
            return _MODULES.get(next(args, ""))
        if arg == "-c":
            return None
        if arg in ("-X", "-W"):  # options that take a value
            next(args, None)
        elif not arg.startswith("-"):
            found = _SERVER.match(os.path.basename(arg))
            return found.group(1) if found else None
    return None


def _cpu_seconds(pid: str) -> Optional[float]:
    try:
        with open("/proc/%s/stat" % pid) as fh:
            raw = fh.read()
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2:].split()  # the name may hold spaces
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


def snapshot(markers: Sequence[str]) -> Dict[str, Tuple[str, float]]:
    """``{pid: (kind, cpu seconds so far)}`` of every server whose command
    line contains one of ``markers``."""
    out: Dict[str, Tuple[str, float]] = {}
    markers = [m for m in markers if m]
    if not markers:
        return out
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as fh:
                argv = fh.read().decode("utf-8", "replace").split("\0")
        except OSError:
            continue
        if not any(m in arg for m in markers for arg in argv):
            continue
        kind = server_kind(argv)
        cpu = _cpu_seconds(pid) if kind else None
        if kind and cpu is not None:
            out[pid] = (kind, cpu)
    return out


def peak_rss_mib(snap: Dict[str, Tuple[str, float]]) -> Dict[str, float]:
    """The largest peak resident memory (VmHWM, MiB) of one process of each
    kind: a process's high-water mark since it started, so a phase that
    raises it is one that needed more memory than every phase before."""
    out: Dict[str, float] = {}
    for pid, (kind, _cpu) in snap.items():
        try:
            with open("/proc/%s/status" % pid) as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        mib = int(line.split()[1]) / 1024.0
                        out[kind] = round(max(out.get(kind, 0.0), mib), 1)
        except (OSError, ValueError, IndexError):
            continue
    return out


def used(before: Dict[str, Tuple[str, float]],
         after: Dict[str, Tuple[str, float]]) -> Dict[str, float]:
    """CPU seconds per kind between two snapshots (and ``total``)."""
    per: Dict[str, float] = {kind: 0.0 for kind in KINDS}
    for pid, (kind, cpu) in after.items():
        start = before.get(pid, (kind, 0.0))[1]
        per[kind] += max(0.0, cpu - start)
    per["total"] = sum(per[k] for k in KINDS)
    return per


def per_op_ms(seconds: Dict[str, float], ops: int) -> Dict[str, float]:
    """Milliseconds of CPU per op, per kind (empty when nothing was done)."""
    if ops <= 0:
        return {}
    return {kind: round(1000 * value / ops, 2) for kind, value in seconds.items()}
