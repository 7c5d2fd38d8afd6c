"""``objstore-recon [account|container|object] [--replication ...]``.

Asks every storage node in the rings its ``/recon/<what>`` answers and
prints one summary per question across the cluster, so an operator sees
at a glance which node is behind: low/high/average of each figure, how
many nodes did not answer, and the oldest and newest daemon pass.
``--json`` prints the raw answers instead, one line per node and
question, for ``jq`` and monitoring.

Exit status: 0 when every node answered every question (and, with
``--md5``, every node's rings match the local ones), 1 otherwise, 2 for a
bad command line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Tuple

from objstore.common.config import DEFAULT_SWIFT_DIR
from objstore.common.recon import fetch_recon as fetch
from ring import Ring

SERVER_TYPES = ("account", "container", "object")
#: option -> (recon path, which server types answer it)
CHECKS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "async": ("async", ("object",)),
    "replication": ("replication", SERVER_TYPES),
    "auditor": ("auditor", SERVER_TYPES),
    "updater": ("updater", ("container", "object")),
    "expirer": ("expirer", ("object",)),
    "quarantined": ("quarantined", SERVER_TYPES),
    "diskusage": ("diskusage", SERVER_TYPES),
    "md5": ("ringmd5", SERVER_TYPES),
    "load": ("load", SERVER_TYPES),
    "sync": ("container_sync", ("container",)),
    "tiering": ("tiering", ("object",)),
}
RULE = "=" * 79
Host = str  # "ip:port"
Answers = Dict[Host, Any]  # None for a node that did not answer


def ring_hosts(swift_dir: str, server_type: str) -> List[Tuple[str, int]]:
    ring = Ring(swift_dir, ring_name=server_type)
    return sorted({(d["ip"], int(d["port"])) for d in ring.devs if d})


def ask_all(hosts: List[Tuple[str, int]], what: str, timeout: float
            ) -> Dict[Host, Tuple[int, Any]]:
    """Every host's ``(status, answer)``, asked in parallel: one slow node
    must not make a cluster-wide check take minutes."""
    with ThreadPoolExecutor(max_workers=min(32, max(1, len(hosts)))) as pool:
        results = list(pool.map(lambda h: fetch(h[0], h[1], what, timeout), hosts))
    return {"%s:%d" % h: r for h, r in zip(hosts, results)}


# ------------------------------------------------------------------ figures

def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else "%.2f" % value


def stats_line(name: str, values: Dict[Host, Optional[float]]) -> str:
    """``[name] low: .., high: .., avg: .., total: .., Failed: ..%,
    no_result: .., reported: ..`` over the hosts that gave a number."""
    reported = [v for v in values.values() if v is not None]
    if not reported:
        return "[%s] - No hosts returned valid data." % name
    missing = len(values) - len(reported)
    return ("[%s] low: %s, high: %s, avg: %.1f, total: %s, Failed: %.1f%%, no_result: %d, "
            "reported: %d" % (name, _num(min(reported)), _num(max(reported)),
                              sum(reported) / len(reported), _num(sum(reported)),
                              100.0 * missing / len(values), missing, len(reported)))


def _when(ts: float, now: float) -> str:
    return "%s (%s ago)" % (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)),
                            _ago(now - ts))


def _ago(seconds: float) -> str:
    whole = max(0, int(seconds))
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if whole >= size:
            return "%d %s" % (whole // size, unit)
    return "%d seconds" % whole


def completion_lines(answers: Answers, now: float) -> List[str]:
    """The oldest and most recent ``last_pass`` and who reported it."""
    passes = {h: a["last_pass"] for h, a in answers.items()
              if isinstance(a, dict) and isinstance(a.get("last_pass"), (int, float))}
    if not passes:
        return ["[last_completion] - No hosts returned valid data."]
    oldest = min(passes, key=lambda h: passes[h])
    newest = max(passes, key=lambda h: passes[h])
    return ["Oldest completion was %s by %s." % (_when(passes[oldest], now), oldest),
            "Most recent completion was %s by %s." % (_when(passes[newest], now), newest)]


def daemon_lines(prefix: str, answers: Answers, time_name: str, now: float) -> List[str]:
    """A daemon's pass time, each numeric counter of its stats, and the
    oldest/newest pass."""
    lines = [stats_line(time_name, {h: a.get("pass_time") if isinstance(a, dict) else None
                                    for h, a in answers.items()})]
    keys = sorted({k for a in answers.values() if isinstance(a, dict)
                   for k, v in (a.get("stats") or {}).items() if isinstance(v, (int, float))})
    for key in keys:
        lines.append(stats_line("%s_%s" % (prefix, key), {
            h: (a.get("stats") or {}).get(key) if isinstance(a, dict) else None
            for h, a in answers.items()}))
    return lines + completion_lines(answers, now)


def quarantined_lines(server_type: str, answers: Answers) -> List[str]:
    kinds = sorted({k for a in answers.values() if isinstance(a, dict) for k in a}
                   | {server_type + "s"})
    return [stats_line("quarantined_%s" % kind, {
        h: (a.get(kind, 0) if isinstance(a, dict) else None) for h, a in answers.items()})
        for kind in kinds]


def disk_lines(answers: Answers) -> List[str]:
    """Used % per device: lowest/highest/average, totals, and the fullest."""
    percent: Dict[str, float] = {}
    used = size = 0
    for host, devices in answers.items():
        for dev in devices if isinstance(devices, list) else []:
            if dev.get("size"):
                percent["%s/%s" % (host, dev["device"])] = 100.0 * dev["used"] / dev["size"]
                used += dev["used"]
                size += dev["size"]
    if not percent:
        return ["[disk_usage] - No hosts returned valid data."]
    fullest = max(percent, key=lambda d: percent[d])
    return ["Disk usage: space used: %d of %d (%.1f%%)" % (used, size, 100.0 * used / size),
            "Disk usage: lowest: %.2f%%, highest: %.2f%%, avg: %.2f%% over %d devices"
            % (min(percent.values()), max(percent.values()),
               sum(percent.values()) / len(percent), len(percent)),
            "Fullest device: %s at %.2f%%" % (fullest, percent[fullest])]


def local_ring_md5s(swift_dir: str) -> Dict[str, str]:
    out = {}
    for name in sorted(os.listdir(swift_dir)):
        if name.endswith(".ring.gz"):
            with open(os.path.join(swift_dir, name), "rb") as fp:
                out[name] = hashlib.md5(fp.read(), usedforsecurity=False).hexdigest()
    return out


def md5_lines(answers: Answers, swift_dir: str) -> Tuple[List[str], bool]:
    """Compare each node's ring md5s with the local ring files."""
    local = local_ring_md5s(swift_dir)
    lines, matched, errors = [], 0, 0
    for host, theirs in sorted(answers.items()):
        if not isinstance(theirs, dict):
            errors += 1
            continue
        bad = [n for n in local if theirs.get(n) != local[n]]
        for name in bad:
            lines.append("!! %s/recon/ringmd5 (%s => %s) doesn't match on disk md5sum %s"
                         % (host, name, theirs.get(name), local[name]))
        matched += not bad
    lines.append("%d/%d hosts matched, %d error[s] while checking hosts."
                 % (matched, len(answers), errors))
    return lines, matched == len(answers)


def load_lines(answers: Answers) -> List[str]:
    return [stats_line("%s_load_avg" % k, {
        h: a.get(k) if isinstance(a, dict) else None for h, a in answers.items()})
        for k in ("1m", "5m", "15m")]


# -------------------------------------------------------------- command line

TITLES = {"async": "Checking async pendings", "replication": "Checking on replication",
          "auditor": "Checking auditor stats", "updater": "Checking updater times",
          "expirer": "Checking on expirers", "quarantined": "Checking quarantine",
          "diskusage": "Checking disk usage now", "md5": "Checking ring md5sums",
          "load": "Checking load averages", "sync": "Checking container sync",
          "tiering": "Checking the tierer"}


def summarize(check: str, server_type: str, answers: Answers, swift_dir: str,
              now: float) -> Tuple[List[str], bool]:
    """The summary lines of one check; False when something is wrong
    beyond a node not answering (ring md5 mismatch)."""
    if check == "async":
        return [stats_line("async_pending", {h: a.get("async_pending") if isinstance(
            a, dict) else None for h, a in answers.items()})], True
    if check in ("replication", "auditor", "updater", "expirer"):
        time_name = {"replication": "replication_time", "auditor": "auditor_pass_time",
                     "updater": "updater_last_sweep", "expirer": "expirer_pass_time"}[check]
        return daemon_lines(check, answers, time_name, now), True
    if check == "quarantined":
        return quarantined_lines(server_type, answers), True
    if check == "diskusage":
        return disk_lines(answers), True
    if check == "md5":
        return md5_lines(answers, swift_dir)
    if check == "sync":
        return (daemon_lines("sync", answers, "sync_pass_time", now)
                + sync_container_lines(answers, now)), True
    if check == "tiering":
        return (daemon_lines("tiering", answers, "tiering_pass_time", now)
                + tiering_lines(answers)), True
    return load_lines(answers), True


def sync_container_lines(answers: Answers, now: float) -> List[str]:
    """One line per synced container over its primaries: the most rows any
    replica is behind, the oldest last success, and the newest error if it
    came after that replica's last success."""
    merged: Dict[str, List[Tuple[Host, Dict[str, Any]]]] = {}
    for host, answer in answers.items():
        if isinstance(answer, dict):
            for name, entry in (answer.get("containers") or {}).items():
                merged.setdefault(name, []).append((host, entry))
    if not merged:
        return ["[container_sync] - No synced containers reported."]
    lines = []
    for name in sorted(merged):
        entries = merged[name]
        behind = max(int(e.get("rows_behind") or 0) for _h, e in entries)
        success = min(float(e.get("last_success") or 0) for _h, e in entries)
        line = "%s -> %s: %d rows behind, last success %s" % (
            name, entries[0][1].get("sync_to", ""), behind,
            _when(success, now) if success else "never")
        failing = [(float(e.get("last_error_at") or 0), h, e.get("last_error", ""))
                   for h, e in entries
                   if float(e.get("last_error_at") or 0) > float(e.get("last_success") or 0)]
        if failing:
            at, host, error = max(failing)
            line += "; failing on %s since %s: %s" % (host, _when(at, now), error)
        lines.append(line)
    return lines


def tiering_lines(answers: Answers) -> List[str]:
    """Per node running a tierer: objects per tier and move rows per state
    (docs/tiering.md)."""
    lines = []
    for host, answer in sorted(answers.items()):
        if not isinstance(answer, dict) or "tiers" not in answer:
            continue
        tiers = ", ".join("%s %d" % (name, int(t.get("objects") or 0))
                          for name, t in sorted(answer["tiers"].items(),
                                                key=lambda i: -int(i[1].get("min_reads", 0))))
        moves = ", ".join("%s %d" % kv for kv in sorted((answer.get("moves") or {}).items()))
        lines.append("[tiering] %s: objects per tier: %s; moves: %s"
                     % (host, tiers, moves or "none"))
    return lines or ["[tiering] - No tierer reported."]


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="objstore-recon", description="Summarize what every storage node reports on "
        "/recon: daemon passes, async pendings, quarantines, disks, rings, load.")
    parser.add_argument("server_types", nargs="*", metavar="server_type",
                        help="account, container and/or object (default: every ring found)")
    for check in CHECKS:
        short = {"replication": ["-r"], "diskusage": ["-d"], "load": ["-l"],
                 "quarantined": ["-q"], "updater": ["-u"]}.get(check, [])
        parser.add_argument(*short, "--%s" % check, action="store_true",
                            help="%s (%s servers)" % (TITLES[check].lower(),
                                                      "/".join(CHECKS[check][1])))
    parser.add_argument("-a", "--all", action="store_true", help="every check")
    parser.add_argument("--json", action="store_true",
                        help="print the raw answers, one JSON line per node and check")
    parser.add_argument("--swift-dir", default=DEFAULT_SWIFT_DIR)
    parser.add_argument("--timeout", type=float, default=5.0)
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None, out: Callable[[str], None] = print) -> int:
    """Run the checks asked for (``--all`` by default) on each server type."""
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    bad = [t for t in args.server_types if t not in SERVER_TYPES]
    if bad:
        sys.stderr.write("objstore-recon: unknown server type %s; use account, container or "
                         "object\n" % ", ".join(bad))
        return 2
    types = args.server_types or [t for t in SERVER_TYPES if os.path.exists(
        os.path.join(args.swift_dir, "%s.ring.gz" % t))]
    if not types:
        sys.stderr.write("objstore-recon: no rings in %s (use --swift-dir)\n" % args.swift_dir)
        return 2
    checks = [c for c in CHECKS if args.all or getattr(args, c)] or list(CHECKS)
    rc = 0
    for server_type in types:
        try:
            hosts = ring_hosts(args.swift_dir, server_type)
        except Exception as err:  # a missing or unreadable ring: say which
            sys.stderr.write("objstore-recon: cannot read the %s ring in %s: %s\n"
                             % (server_type, args.swift_dir, err))
            rc = 1
            continue
        if not args.json:
            out(RULE)
            out("--> Starting reconnaissance on %d hosts (%s)" % (len(hosts), server_type))
            out(RULE)
        for check in checks:
            what, types_answering = CHECKS[check]
            if server_type not in types_answering:
                continue
            raw = ask_all(hosts, what, args.timeout)
            if any(status != 200 for status, _a in raw.values()):
                rc = 1
            if args.json:
                for host, (status, answer) in sorted(raw.items()):
                    out(json.dumps({"server_type": server_type, "host": host, "what": what,
                                    "status": status, "answer": answer}, sort_keys=True))
                continue
            now = time.time()
            out("[%s] %s" % (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)),
                             TITLES[check]))
            answers = {h: (a if status == 200 else None) for h, (status, a) in raw.items()}
            lines, ok = summarize(check, server_type, answers, args.swift_dir, now)
            for line in lines:
                out(line)
            out(RULE)
            rc |= 0 if ok else 1
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
