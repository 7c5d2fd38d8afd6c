"""A small cluster directory (objstore.conf and real ring files) for the
dashboard's data functions."""

import pytest

from ring import RingBuilder

CONF = """[objstore-hash]
swift_hash_path_prefix = pre
swift_hash_path_suffix = suf

[storage-policy:0]
name = gold
default = yes
"""


def build_ring(path: str, weights, port_base: int = 0) -> None:
    """A 2^6-partition, 3-replica ring with one device per zone, on ports
    (100, 200, ... + port_base) where no server listens."""
    builder = RingBuilder(6, 3, 1)
    for zone, weight in enumerate(weights, 1):
        builder.add_dev({"region": 1, "zone": zone, "ip": "127.0.0.1",
                         "port": port_base + zone * 100, "device": "sdb%d" % zone,
                         "weight": weight})
    builder.rebalance(seed=1)
    builder.get_ring().save(path)


@pytest.fixture
def swift_dir(tmp_path):
    (tmp_path / "objstore.conf").write_text(CONF)
    for kind, offset in (("object", 0), ("container", 1), ("account", 2)):
        build_ring(str(tmp_path / ("%s.ring.gz" % kind)), [1, 1, 1, 1], offset)
    return str(tmp_path)
