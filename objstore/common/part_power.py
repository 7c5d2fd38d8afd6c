"""Partition power increase: the one header and the one partition formula
the proxy, the object server and the relinker share.

While an operator doubles a ring's partitions (``objstore-ring-builder
prepare_increase_partition_power``, ``objstore-relinker relink``,
``increase_partition_power``, ``objstore-relinker cleanup``,
``finish_increase_partition_power``), the object ring carries
``next_part_power``. The proxy then tells the object servers with every
object write, and each server hard-links what it wrote into the partition
the object will have under the next power, so nothing written during the
relink is missed by it.
"""

from __future__ import annotations

from typing import Optional

NEXT_PART_POWER = "X-Backend-Next-Part-Power"
MAX_PART_POWER = 32


def partition_for_hash(object_hash: str, part_power: int) -> int:
    """The partition of an object hash (hex MD5) under ``part_power``: the
    top ``part_power`` bits, as ``Ring.get_part`` computes it, so under
    power P+1 an object of partition p lands in 2p or 2p+1."""
    return int(object_hash[:8], 16) >> (32 - part_power)


def parse_next_part_power(value: Optional[str]) -> Optional[int]:
    """The header's power, or None when absent or not a power we can use."""
    if not value:
        return None
    try:
        power = int(value)
    except ValueError:
        return None
    return power if 1 <= power <= MAX_PART_POWER else None
