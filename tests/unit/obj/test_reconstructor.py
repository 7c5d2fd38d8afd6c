"""The object reconstructor on a real cluster: a wiped device gets its
fragment archives rebuilt by its neighbours; handoff archives go home."""

import glob
import os
import shutil
import sys
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "proxy"))
from cluster import Cluster  # noqa: E402

from objstore.obj.ondisk import parse_data_name  # noqa: E402
from objstore.obj.reconstructor import ObjectReconstructor  # noqa: E402
from ring import Ring  # noqa: E402

ACCOUNT = "AUTH_rc"
SEG = 4096
EC_POLICY = ("[storage-policy:2]\nname = ec21\npolicy_type = erasure_coding\n"
             "ec_type = liberasurecode_rs_vand\nec_num_data_fragments = 2\n"
             "ec_num_parity_fragments = 1\nec_object_segment_size = %d\n" % SEG)


@pytest.fixture(scope="module")
def rc_cluster(tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("rc")), object_servers=4,
                extra_policies=EC_POLICY, extra_rings={"object-2": 3})
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture(autouse=True)
def _heal(rc_cluster):
    yield
    for relay in rc_cluster.relays:
        relay.reset()


def _run_all(c, only=None):
    """A pass on every node (limited as ``--once -p/-d`` would: ``only``)."""
    totals = {}
    for i, relay in enumerate(c.relays, 1):
        conf = {"devices": os.path.join(c.root, "obj%d" % i), "mount_check": "false",
                "swift_dir": c.swift_dir, "bind_ip": "127.0.0.1", "bind_port": str(relay.port),
                "recon_cache_path": os.path.join(c.root, "recon%d" % i),
                "log_level": "WARNING", "node_timeout": "5"}
        reconstructor = ObjectReconstructor(conf)
        reconstructor.only = only or {}
        for k, v in reconstructor.run_once().items():
            totals[k] = totals.get(k, 0) + v
    return totals


def _archives(c, cont, name):
    from ring.utils import hash_path
    object_hash = hash_path(ACCOUNT, cont, name, prefix=b"pre", suffix=b"suf")
    out = {}
    for path in glob.glob(os.path.join(c.root, "obj*", "*", "objects-2", "*", "*",
                                       object_hash, "*.data")):
        info = parse_data_name(os.path.basename(path))
        if info and info[1] is not None and info[2]:
            out.setdefault(info[1], []).append(path.split(os.sep)[-7])
    return out


def _object(c, size):
    cont = "rc-" + uuid.uuid4().hex[:8]
    assert c.request("PUT", "/v1/%s/%s" % (ACCOUNT, cont), {"X-Storage-Policy": "ec21"})[0] == 201
    name = "o-" + uuid.uuid4().hex[:8]
    path = "/v1/%s/%s/%s" % (ACCOUNT, cont, name)
    body = os.urandom(size)
    assert c.request("PUT", path, {}, body)[0] == 201
    return cont, name, path, body


def test_a_wiped_device_gets_its_archives_rebuilt(rc_cluster):
    c = rc_cluster
    cont, name, path, body = _object(c, 3 * SEG + 11)
    ring = Ring(c.swift_dir, ring_name="object-2")
    part, nodes = ring.get_nodes(ACCOUNT, cont, name)
    victim = nodes[1]
    server = [i for i, r in enumerate(c.relays, 1) if r.port == victim["port"]][0]
    shutil.rmtree(os.path.join(c.root, "obj%d" % server, victim["device"], "objects-2"))
    assert 1 not in _archives(c, cont, name)
    # a pass limited to another partition, or to another device, leaves it
    _run_all(c, {"partitions": {str(part + 1)}})
    _run_all(c, {"devices": {victim["device"] + "x"}})
    assert 1 not in _archives(c, cont, name)
    stats = _run_all(c, {"partitions": {str(part)}, "devices": {n["device"] for n in nodes}})
    assert stats["rebuilt"] >= 1
    assert _archives(c, cont, name)[1] == ["obj%d" % server]
    # the rebuilt archive decodes: read with another primary down
    c.object_relays(ACCOUNT, cont, name, "object-2")[0].mode = "down"
    assert c.request("GET", path)[2] == body


def test_handoff_archives_are_reverted_to_their_primary(rc_cluster):
    c = rc_cluster
    cont = "rc-" + uuid.uuid4().hex[:8]
    c.request("PUT", "/v1/%s/%s" % (ACCOUNT, cont), {"X-Storage-Policy": "ec21"})
    name = "o-" + uuid.uuid4().hex[:8]
    path = "/v1/%s/%s/%s" % (ACCOUNT, cont, name)
    body = os.urandom(2 * SEG + 5)
    primaries = c.object_relays(ACCOUNT, cont, name, "object-2")
    primaries[2].mode = "down"
    assert c.request("PUT", path, {}, body)[0] == 201  # quorum 3 = 2 primaries + 1 handoff
    primaries[2].reset()
    held = _archives(c, cont, name)
    handoff_port = [r.port for r in c.relays if r not in primaries][0]
    handoff_server = "obj%d" % ([r.port for r in c.relays].index(handoff_port) + 1)
    assert handoff_server in held[2]
    stats = _run_all(c)
    assert stats["reverted"] >= 1
    held = _archives(c, cont, name)
    primary_server = "obj%d" % ([r.port for r in c.relays].index(primaries[2].port) + 1)
    assert held[2] == [primary_server]
    primaries[0].mode = "down"
    assert c.request("GET", path)[2] == body


def test_a_pass_with_everything_in_place_rebuilds_nothing(rc_cluster):
    _object(rc_cluster, 100)
    _run_all(rc_cluster)
    stats = _run_all(rc_cluster)
    assert stats["rebuilt"] == 0 and stats["failures"] == 0
