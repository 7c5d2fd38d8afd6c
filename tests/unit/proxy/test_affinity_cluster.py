"""Write affinity through a real proxy and seven object servers, set per
policy in ``[proxy-server:policy:N]`` sections: a replicated and an
erasure-coded PUT go to local handoffs instead of remote primaries, and a
DELETE reaches those handoffs too. Device ``i`` is in zone ``i``."""

import glob
import os
import uuid

import pytest

from cluster import Cluster
from objstore.obj.ondisk import parse_data_name
from ring import Ring
from ring.utils import hash_path

ACCOUNT = "AUTH_aff"
EC_POLICY = ("[storage-policy:2]\nname = ec42\npolicy_type = erasure_coding\n"
             "ec_type = liberasurecode_rs_vand\nec_num_data_fragments = 4\n"
             "ec_num_parity_fragments = 2\nec_object_segment_size = 65536\n")
#: policy 0 keeps the proxy's options (no write affinity)
POLICY_SECTIONS = ("[proxy-server:policy:1]\nwrite_affinity = r1z1, r1z2\n"
                   "[proxy-server:policy:2]\nwrite_affinity = r1z1, r1z2, r1z3, r1z4\n")
LOCAL = {1: {1, 2}, 2: {1, 2, 3, 4}}
RING_NAMES = {0: "object", 1: "object-1", 2: "object-2"}
POLICY_NAMES = {0: "gold", 1: "silver", 2: "ec42"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("aff")), object_servers=7,
                proxy_options=POLICY_SECTIONS, extra_policies=EC_POLICY,
                extra_rings={"object-2": 6})
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture
def container(cluster):
    made = []

    def make(policy):
        name = "aff-%d-%s" % (policy, uuid.uuid4().hex[:8])
        status = cluster.request("PUT", "/v1/%s/%s" % (ACCOUNT, name),
                                 {"X-Storage-Policy": POLICY_NAMES[policy]})[0]
        assert status == 201
        made.append(name)
        return name
    yield make
    for name in made:
        path = "/v1/%s/%s" % (ACCOUNT, name)
        listing = cluster.request("GET", path)[2].decode().split()
        for obj in listing:
            cluster.request("DELETE", "%s/%s" % (path, obj))
        cluster.request("DELETE", path)


def _pick(cluster, policy, cont, wanted):
    """An object name whose (primary zones, handoff zones) satisfy ``wanted``."""
    ring = Ring(cluster.swift_dir, ring_name=RING_NAMES[policy])
    for _ in range(300):
        name = "o-" + uuid.uuid4().hex[:10]
        part, primaries = ring.get_nodes(ACCOUNT, cont, name)
        handoffs = list(ring.get_more_nodes(part))
        if wanted([n["zone"] for n in primaries], [n["zone"] for n in handoffs]):
            return name, primaries, handoffs
    raise AssertionError("no object name fits")


def _files(cluster, policy, cont, name, suffix):
    """{zone: [file names]} of one object's files on every device."""
    folder = "objects" if policy == 0 else "objects-%d" % policy
    object_hash = hash_path(ACCOUNT, cont, name, prefix=b"pre", suffix=b"suf")
    out = {}
    for path in glob.glob(os.path.join(cluster.root, "obj*", "sdb*", folder, "*", "*",
                                       object_hash, "*" + suffix)):
        zone = int(path.split(os.sep + "sdb")[1].split(os.sep)[0])
        out.setdefault(zone, []).append(os.path.basename(path))
    return out


def test_a_policy_without_a_section_writes_to_its_primaries(cluster, container):
    cont = container(0)
    name, primaries, _ = _pick(cluster, 0, cont, lambda p, h: not {1, 2} & set(p))
    path = "/v1/%s/%s/%s" % (ACCOUNT, cont, name)
    assert cluster.request("PUT", path, {}, b"plain")[0] == 201
    assert set(_files(cluster, 0, cont, name, ".data")) == {n["zone"] for n in primaries}


def test_replicated_put_goes_to_a_local_handoff_and_delete_reaches_it(cluster, container):
    cont = container(1)
    # one local primary; the other local device is a handoff
    name, primaries, handoffs = _pick(
        cluster, 1, cont, lambda p, h: len(LOCAL[1] & set(p)) == 1)
    local_handoff = (LOCAL[1] - {n["zone"] for n in primaries}).pop()
    remote = [n["zone"] for n in primaries if n["zone"] not in LOCAL[1]]
    path = "/v1/%s/%s/%s" % (ACCOUNT, cont, name)
    assert cluster.request("PUT", path, {}, b"near")[0] == 201
    placed = set(_files(cluster, 1, cont, name, ".data"))
    # both local devices, and the first remote primary for the third copy
    assert placed == LOCAL[1] | {remote[0]}
    assert remote[1] not in placed and local_handoff in placed
    assert cluster.request("GET", path)[2] == b"near"

    status = cluster.request("DELETE", path)[0]
    assert status == 204
    assert _files(cluster, 1, cont, name, ".data") == {}
    assert local_handoff in _files(cluster, 1, cont, name, ".ts")
    assert cluster.request("GET", path)[0] == 404


def test_ec_put_sends_a_remote_primarys_fragment_to_a_local_handoff(cluster, container):
    cont = container(2)
    name, primaries, handoffs = _pick(
        cluster, 2, cont, lambda p, h: h[0] in LOCAL[2])
    handoff_zone = handoffs[0]["zone"]
    remote = {i: n["zone"] for i, n in enumerate(primaries) if n["zone"] not in LOCAL[2]}
    body = os.urandom(200000)
    path = "/v1/%s/%s/%s" % (ACCOUNT, cont, name)
    assert cluster.request("PUT", path, {}, body)[0] == 201

    by_zone = {zone: [parse_data_name(f)[1] for f in files]
               for zone, files in _files(cluster, 2, cont, name, ".data").items()}
    assert len(by_zone[handoff_zone]) == 1
    moved = by_zone[handoff_zone][0]
    # the handoff holds the fragment of a remote primary, which has none
    assert moved in remote and remote[moved] not in by_zone
    assert sorted(i for frags in by_zone.values() for i in frags) == list(range(6))
    assert cluster.request("GET", path)[2] == body

    assert cluster.request("DELETE", path)[0] == 204
    assert _files(cluster, 2, cont, name, ".data") == {}
    assert handoff_zone in _files(cluster, 2, cont, name, ".ts")
