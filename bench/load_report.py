"""The load benchmark's arithmetic and tables: phase figures, nearest-rank
percentiles, ratios within one run (against the disk and against Swift).
Pure functions, so they are tested without a server."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

MB = 1000 * 1000


def percentile(sorted_values: Sequence[float], q: float) -> Optional[float]:
    """Nearest-rank percentile (q in 0..100) of an ascending sequence."""
    if not sorted_values:
        return None
    if not 0 <= q <= 100:
        raise ValueError("percentile must be within 0..100, got %r" % q)
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil(n*q/100), at least 1
    return sorted_values[int(rank) - 1]


@dataclass
class PhaseResult:
    target: str
    op: str
    concurrency: int
    ops: int
    errors: int
    seconds: float
    nbytes: int
    ops_per_s: float
    mb_per_s: float
    p50_ms: Optional[float]
    p99_ms: Optional[float]
    max_ms: Optional[float]
    client_cpu_pct: float
    host_cpu_pct: Optional[float]
    first_error: str = ""
    note: str = ""
    #: CPU milliseconds per successful op the cluster's servers spent, per
    #: kind of server and ``total`` (bench/server_cpu.py)
    server_cpu_ms: Dict[str, float] = field(default_factory=dict)
    #: peak resident MiB of the largest server process of each kind so far
    server_peak_rss_mib: Dict[str, float] = field(default_factory=dict)


def summarize(target: str, op: str, concurrency: int, latencies: List[float], errors: int,
              elapsed: float, nbytes: int, client_cpu: float, host_cpu_pct: Optional[float],
              first_error: str = "") -> PhaseResult:
    """One phase's figures from its successful ops' latencies (seconds)."""
    lats = sorted(latencies)

    def ms(v: Optional[float]) -> Optional[float]:
        return None if v is None else round(v * 1000, 2)

    return PhaseResult(
        target=target, op=op, concurrency=concurrency, ops=len(lats), errors=errors,
        seconds=round(elapsed, 3), nbytes=nbytes,
        ops_per_s=round(len(lats) / elapsed, 1) if elapsed > 0 else 0.0,
        mb_per_s=round(nbytes / MB / elapsed, 1) if elapsed > 0 else 0.0,
        p50_ms=ms(percentile(lats, 50)), p99_ms=ms(percentile(lats, 99)),
        max_ms=ms(lats[-1] if lats else None),
        client_cpu_pct=round(100 * client_cpu / elapsed, 1) if elapsed > 0 else 0.0,
        host_cpu_pct=host_cpu_pct, first_error=first_error)


def ratio(num: Optional[float], den: Optional[float]) -> Optional[float]:
    if not num or not den:
        return None
    return round(num / den, 3)


def format_results(results: List[PhaseResult]) -> str:
    head = "%-9s %-10s %5s %7s %6s %9s %8s %8s %8s %5s %5s %8s" % (
        "target", "op", "conc", "ops", "errors", "ops/s", "MB/s", "p50 ms", "p99 ms", "cli%",
        "host%", "srv ms")
    lines = [head]
    for r in results:
        srv = r.server_cpu_ms.get("total")
        lines.append("%-9s %-10s %5d %7d %6d %9.1f %8.1f %8s %8s %5.0f %5s %8s" % (
            r.target, r.op, r.concurrency, r.ops, r.errors, r.ops_per_s, r.mb_per_s,
            "-" if r.p50_ms is None else "%.1f" % r.p50_ms,
            "-" if r.p99_ms is None else "%.1f" % r.p99_ms,
            r.client_cpu_pct, "-" if r.host_cpu_pct is None else "%.0f" % r.host_cpu_pct,
            "-" if srv is None else "%.2f" % srv))
        if srv:
            lines.append("          server CPU ms/op: " + " ".join(
                "%s %.2f" % (k, v) for k, v in r.server_cpu_ms.items() if k != "total"))
        if r.server_peak_rss_mib:
            lines.append("          server peak RSS MiB: " + " ".join(
                "%s %.0f" % (k, v) for k, v in sorted(r.server_peak_rss_mib.items())))
        if r.first_error:
            lines.append("          first error: %s" % r.first_error)
        if r.note:
            lines.append("          note: %s" % r.note)
    return "\n".join(lines)


def compute_ratios(results: List[PhaseResult], disk_figs: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """Ratios within the run: each target against the disk, and objstore against swift."""
    by = {(r.target, r.op, r.concurrency): r for r in results}
    out: Dict[str, Any] = {}
    targets = sorted({r.target for r in results})
    for t in targets:
        mine: Dict[str, Any] = {}
        for (tt, op, c), r in by.items():
            if tt != t or op != "PUT 4k" or not disk_figs:
                continue
            fs = disk_figs["fsync_4k_c1"] if c == 1 else disk_figs["fsync_4k_cN"]
            mine["PUT 4k c%d / disk fsync c%d" % (c, fs["concurrency"])] = ratio(r.ops_per_s, fs["ops_per_s"])
            if c == 1:
                mine["PUT 4k c1 / disk create c1"] = ratio(r.ops_per_s, disk_figs["create_4k"]["ops_per_s"])
        big = [r for r in results if r.target == t and r.op == "PUT large"]
        if big and disk_figs:
            mine["PUT large / (disk seq write / 3)"] = ratio(
                big[0].mb_per_s, disk_figs["seq_write"]["mb_per_s"] / 3)
        big = [r for r in results if r.target == t and r.op == "GET large"]
        if big and disk_figs:
            mine["GET large / disk seq read"] = ratio(big[0].mb_per_s, disk_figs["seq_read"]["mb_per_s"])
        out[t] = mine
    if len(targets) == 2 and "swift" in targets:
        other = [t for t in targets if t != "swift"][0]
        vs = {}
        for (tt, op, c), r in by.items():
            s = by.get(("swift", op, c))
            if tt == other and s:
                key = "%s c%d" % (op, c)
                vs[key] = ratio(r.mb_per_s if "large" in op else r.ops_per_s,
                                s.mb_per_s if "large" in op else s.ops_per_s)
                cpu = ratio(r.server_cpu_ms.get("total"), s.server_cpu_ms.get("total"))
                if cpu is not None:
                    vs[key + " server CPU/op"] = cpu
        out["%s / swift" % other] = vs
    return out


def format_ratios(ratios: Dict[str, Any]) -> str:
    lines = []
    for group, vals in ratios.items():
        lines.append(group + ":")
        for k, v in vals.items():
            lines.append("  %-40s %s" % (k, "-" if v is None else "%.3f" % v))
    return "\n".join(lines)


def finish(report: Dict[str, Any], json_path: Optional[str]) -> int:
    """Write ``report`` to ``json_path`` (if given); the exit status of a
    run: 1 if any phase had errors, else 0."""
    if json_path:
        with open(json_path, "w") as fh:
            json.dump(report, fh, indent=2)
    return 1 if any(r["errors"] for r in report["results"]) else 0
