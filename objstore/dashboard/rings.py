"""Ring figures for the dashboard: how partitions spread over devices.

Everything is read from the ``*.ring.gz`` files (the builder files may not
be on the dashboard's host), through the ``ring`` package alone; balance
and dispersion are the builder's own figures, computed on a builder
rebuilt from the ring file so the numbers match ``objstore-ring-builder``.
"""

from __future__ import annotations

import math
import os
from typing import Any, Dict, List, Optional

from objstore.common.storage_policy import StoragePolicies, load_policies
from ring.builder import RingBuilder, RingBuilderError
from ring.formats import RingLoadError, load_ring_file
from ring.ring import Ring
from ring.utils import load_hash_settings

#: The rings that are not object rings, in the order the page shows them.
SERVICE_RINGS = ("account", "container")


def ring_names(policies: StoragePolicies) -> List[Dict[str, Any]]:
    """``[{"ring": name, "policy": index|None, "policy_name": ...}]`` for
    the account and container rings and every policy's object ring."""
    out: List[Dict[str, Any]] = [{"ring": n, "policy": None, "policy_name": None}
                                 for n in SERVICE_RINGS]
    for policy in policies:
        out.append({"ring": policy.ring_name, "policy": policy.index,
                    "policy_name": policy.name,
                    "policy_type": policy.policy_type})
    return out


def device_rows(builder: RingBuilder) -> List[Dict[str, Any]]:
    """Per device: where it is, its weight, the partition-replicas it holds,
    its weight-fair share and its balance (% off that share)."""
    counts = builder.dev_part_counts()
    wanted = builder.weighted_parts()
    balances = builder.dev_balances()
    devices = []
    for dev in builder.devs:
        if dev is None:
            continue
        devices.append({
            "id": dev["id"], "region": dev.get("region"), "zone": dev.get("zone"),
            "ip": dev.get("ip"), "port": dev.get("port"), "device": dev.get("device"),
            "weight": dev.get("weight", 0), "parts": counts.get(dev["id"], 0),
            "parts_wanted": round(wanted.get(dev["id"], 0.0), 2),
            "balance": round(balances.get(dev["id"], 0.0), 2)})
    return devices


def ring_summary(swift_dir: str, ring_name: str) -> Dict[str, Any]:
    """Per device: partition-replicas held against the weight-fair share,
    and the ring's balance and dispersion (both in %, 0 is perfect).

    A missing or unreadable ring file gives ``{"error": ...}`` rather than
    an exception: the page shows the other rings and names the broken one.
    """
    path = os.path.join(swift_dir, "%s.ring.gz" % ring_name)
    try:
        data, _md5 = load_ring_file(path)
    except (OSError, RingLoadError) as err:
        return {"ring": ring_name, "error": "cannot read %s: %s" % (path, err)}
    builder = RingBuilder.from_ring(data)
    devices = device_rows(builder)
    return {"ring": ring_name, "part_power": builder.part_power,
            "partitions": builder.parts, "replicas": builder.replicas,
            "balance": round(builder.get_balance(), 2),
            "dispersion": round(builder.dispersion, 2), "devices": devices}


def all_ring_summaries(swift_dir: str) -> List[Dict[str, Any]]:
    """:func:`ring_summary` of every ring, tagged with its policy."""
    out = []
    for entry in ring_names(load_policies(swift_dir)):
        summary = ring_summary(swift_dir, entry["ring"])
        summary.update(entry)
        out.append(summary)
    return out


def _check_ring_name(swift_dir: str, ring_name: str) -> None:
    known = {e["ring"] for e in ring_names(load_policies(swift_dir))}
    if ring_name not in known:
        raise ValueError("no ring named %r; the rings are %s"
                         % (ring_name, ", ".join(sorted(known))))


def rebalance_dry_run(swift_dir: str, ring_name: str, dev_id: int, weight: float
                      ) -> Dict[str, Any]:
    """What a rebalance would move if device ``dev_id`` had ``weight``.

    Works on a copy rebuilt from the ring file (nothing is written) and
    lets every partition move, as after ``min_part_hours``; a fixed seed
    makes the answer repeatable. ValueError for an unknown ring or device
    or a weight that is not a finite number >= 0.
    """
    _check_ring_name(swift_dir, ring_name)
    if not (weight >= 0 and math.isfinite(weight)):
        raise ValueError("a weight is a number >= 0 (got %r)" % weight)
    data, _md5 = load_ring_file(os.path.join(swift_dir, "%s.ring.gz" % ring_name))
    builder = RingBuilder.from_ring(data)
    if not any(d is not None and d["id"] == dev_id for d in builder.devs):
        raise ValueError("the %s ring has no device %d" % (ring_name, dev_id))
    before = {d["id"]: d["parts"] for d in device_rows(builder)}
    old_rows = [row[:] for row in builder.replica2part2dev or []]
    builder.set_dev_weight(dev_id, weight)
    builder.pretend_min_part_hours_passed()
    try:
        moved_parts, balance, _removed = builder.rebalance(seed=1)
    except RingBuilderError as err:
        raise ValueError(str(err))
    new_rows = builder.replica2part2dev or []
    moved_replicas = sum(1 for old, new in zip(old_rows, new_rows)
                         for a, b in zip(old, new) if a != b)
    devices = device_rows(builder)
    for dev in devices:
        dev["parts_before"] = before.get(dev["id"], 0)
    return {"ring": ring_name, "device": dev_id, "weight": weight,
            "moved_partitions": moved_parts, "moved_replicas": moved_replicas,
            "balance": round(balance, 2), "dispersion": round(builder.dispersion, 2),
            "devices": devices}


def open_ring(swift_dir: str, ring_name: str) -> Ring:
    """The ring ``ring_name`` of this cluster, salted with its hash settings.

    ValueError for a name that is not one of the cluster's rings (the name
    comes from a web request: it must never become an arbitrary path).
    """
    _check_ring_name(swift_dir, ring_name)
    prefix, suffix = load_hash_settings(swift_dir)
    return Ring(swift_dir, ring_name=ring_name, hash_prefix=prefix, hash_suffix=suffix)


def _node(dev: Dict[str, Any], role: str) -> Dict[str, Any]:
    return {"role": role, "id": dev["id"], "ip": dev["ip"], "port": dev["port"],
            "device": dev["device"], "zone": dev.get("zone"), "region": dev.get("region"),
            "index": dev.get("index")}


def partition_nodes(ring: Ring, part: int, handoffs: Optional[int] = None
                    ) -> List[Dict[str, Any]]:
    """The primaries of ``part`` then its first handoffs (as many as there
    are primaries unless ``handoffs`` says otherwise). ValueError when the
    partition is outside the ring."""
    if not 0 <= part < ring.partition_count:
        raise ValueError("partition %d is outside 0..%d" % (part, ring.partition_count - 1))
    primaries = ring.get_part_nodes(part)
    limit = len(primaries) if handoffs is None else handoffs
    more = []
    for dev in ring.get_more_nodes(part):
        if len(more) >= limit:
            break
        more.append(dev)
    return [_node(d, "primary") for d in primaries] + [_node(d, "handoff") for d in more]
