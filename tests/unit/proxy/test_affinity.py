"""Read and write affinity: the order a proxy asks nodes in."""

import pytest

from objstore.proxy.affinity import (UNNAMED_PRIORITY, Affinity, AffinityError,
                                     NodeTimings, parse_read_affinity, parse_write_affinity,
                                     policy_affinities)
from objstore.proxy.nodes import ErrorLimiter, NodeIter


def _node(i, region, zone):
    return {"id": i, "ip": "10.0.%d.%d" % (region, i), "port": 6200, "device": "d%d" % i,
            "region": region, "zone": zone}


class TwoRegionRing:
    """Primaries: one in r2, two in r1; handoffs alternate regions."""

    replica_count = 3

    def __init__(self):
        self.primaries = [_node(0, 2, 3), _node(1, 1, 1), _node(2, 1, 2)]
        self.handoffs = [_node(3, 2, 4), _node(4, 1, 1), _node(5, 2, 3), _node(6, 1, 2)]

    def get_part_nodes(self, part):
        return [dict(n) for n in self.primaries]

    def get_more_nodes(self, part):
        return iter([dict(n) for n in self.handoffs])


def _ids(nodes):
    return [n["id"] for n in nodes]


def test_read_affinity_gives_the_lowest_matching_rule_and_unnamed_nodes_come_last():
    priority = parse_read_affinity("r1z1=100, r1=200")
    assert priority(_node(0, 1, 1)) == 100
    assert priority(_node(0, 1, 2)) == 200
    assert priority(_node(0, 2, 1)) == UNNAMED_PRIORITY


@pytest.mark.parametrize("value", ["r1", "r1=x", "z1=10", "region1=5", "r1z=3"])
def test_a_read_affinity_rule_that_cannot_be_read_is_refused_with_its_text(value):
    with pytest.raises(AffinityError) as err:
        parse_read_affinity(value)
    assert "read_affinity" in str(err.value)


def test_write_affinity_names_regions_and_zones_and_empty_means_none():
    is_local = parse_write_affinity("r1, r2z3")
    assert is_local(_node(0, 1, 9)) and is_local(_node(0, 2, 3))
    assert not is_local(_node(0, 2, 4))
    assert parse_write_affinity("  ") is None
    with pytest.raises(AffinityError):
        parse_write_affinity("r1, east")


def test_read_affinity_asks_local_primaries_first_then_remote_then_handoffs():
    ring = TwoRegionRing()
    aff = Affinity.from_conf({"sorting_method": "affinity", "read_affinity": "r1=100"})
    nodes = NodeIter(ring, 0, ErrorLimiter(), 6, primaries=ring.get_part_nodes(0),
                     order=aff.read_order(ring.get_part_nodes(0), ring.get_more_nodes(0)))
    got = _ids(nodes)
    # the two local ones in either order (shuffled, as Swift does)
    assert set(got[:2]) == {1, 2} and got[2:] == [0, 3, 4, 5]


@pytest.mark.parametrize("conf", [{}, {"sorting_method": "shuffle", "read_affinity": "r1=100"},
                                  {"read_affinity": "r1=100"}])
def test_shuffle_the_default_asks_primaries_in_random_orders_then_handoffs(conf):
    ring = TwoRegionRing()
    aff = Affinity.from_conf(conf)
    orders = set()
    for _ in range(60):
        order = _ids(aff.read_order(ring.get_part_nodes(0), ring.get_more_nodes(0)))
        assert sorted(order[:3]) == [0, 1, 2] and order[3:] == [3, 4, 5, 6]
        orders.add(tuple(order[:3]))
    assert len(orders) > 1


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_timing_asks_unheard_nodes_first_then_the_fastest_until_the_timings_expire():
    ring = TwoRegionRing()
    clock = Clock()
    timings = NodeTimings(expiry=300, clock=clock)
    timings.record(ring.primaries[0], 0.5)
    timings.record(ring.primaries[2], 0.01)
    aff = Affinity.from_conf({"sorting_method": "timing"})
    order = aff.read_order(ring.get_part_nodes(0), ring.get_more_nodes(0), timings)
    assert _ids(order) == [1, 2, 0, 3, 4, 5, 6]
    clock.now += 301
    assert timings.timing(ring.primaries[0]) == -1.0


def test_write_affinity_writes_to_local_primaries_and_local_handoffs_first():
    ring = TwoRegionRing()
    aff = Affinity.from_conf({"write_affinity": "r1", "write_affinity_node_count": "2 * replicas"})
    nodes = list(NodeIter(ring, 0, ErrorLimiter(), 6, primaries=ring.get_part_nodes(0),
                          order=aff.write_order(ring.get_part_nodes(0), ring, 0)))
    # the first three (what a 3-replica PUT connects to) are all in region 1
    assert _ids(nodes[:3]) == [1, 2, 4]
    assert [n["region"] for n in nodes[:4]] == [1, 1, 1, 1]
    assert _ids(nodes[4:]) == [0, 3]
    assert "handoff_index" in nodes[2] and "handoff_index" not in nodes[0]


def test_write_affinity_node_count_bounds_how_many_local_nodes_go_first():
    ring = TwoRegionRing()
    aff = Affinity.from_conf({"write_affinity": "r1", "write_affinity_node_count": "2"})
    order = list(aff.write_order(ring.get_part_nodes(0), ring, 0))
    assert _ids(order) == [1, 2, 0, 3, 4, 5, 6]


def test_an_error_limited_local_node_is_replaced_by_the_next_local_one():
    ring = TwoRegionRing()
    limiter = ErrorLimiter(60, 10)
    limiter.limit_now(ring.primaries[1])
    aff = Affinity.from_conf({"write_affinity": "r1"})
    nodes = list(NodeIter(ring, 0, limiter, 6, primaries=ring.get_part_nodes(0),
                          order=aff.write_order(ring.get_part_nodes(0), ring, 0)))
    assert _ids(nodes[:3]) == [2, 4, 6]


@pytest.mark.parametrize("conf", [{"sorting_method": "nearest"},
                                  {"write_affinity_node_count": "lots"}])
def test_bad_affinity_settings_stop_the_proxy_with_a_message(conf):
    with pytest.raises(AffinityError):
        Affinity.from_conf(conf)


@pytest.mark.parametrize("value,count", [("auto", None), ("", None), ("0", 0), ("2", 2)])
def test_handoff_delete_count_reads_auto_or_a_number(value, count):
    aff = Affinity.from_conf({"write_affinity_handoff_delete_count": value})
    assert aff.handoff_delete_count == count


@pytest.mark.parametrize("value", ["-1", "many", "2 * replicas"])
def test_a_bad_handoff_delete_count_stops_the_proxy(value):
    with pytest.raises(AffinityError) as err:
        Affinity.from_conf({"write_affinity_handoff_delete_count": value})
    assert "write_affinity_handoff_delete_count" in str(err.value)


def test_delete_goes_to_every_primary_then_as_many_local_handoffs_as_remote_primaries():
    ring = TwoRegionRing()
    aff = Affinity.from_conf({"write_affinity": "r1"})
    extra, order = aff.delete_order(ring.get_part_nodes(0), ring, 0)
    # one primary is remote (region 2): one local handoff more
    assert extra == 1
    assert _ids(order) == [0, 1, 2, 4, 3, 5, 6]


def test_delete_handoff_count_set_explicitly_and_none_without_write_affinity():
    ring = TwoRegionRing()
    aff = Affinity.from_conf({"write_affinity": "r1",
                              "write_affinity_handoff_delete_count": "2"})
    extra, order = aff.delete_order(ring.get_part_nodes(0), ring, 0)
    assert extra == 2
    assert _ids(order) == [0, 1, 2, 4, 6, 3, 5]
    assert Affinity.from_conf({}).delete_order(ring.get_part_nodes(0), ring, 0) is None


def test_ec_write_plan_gives_a_remote_primarys_fragment_to_a_local_handoff():
    ring = TwoRegionRing()
    aff = Affinity.from_conf({"write_affinity": "r1"})
    primary_first, local, others = aff.ec_write_plan(ring.get_part_nodes(0), ring, 0)
    assert primary_first == [False, True, True]
    assert _ids(local) == [4, 6]
    assert _ids(others) == [3, 5]


def test_ec_write_plan_without_write_affinity_is_primaries_then_ring_handoffs():
    ring = TwoRegionRing()
    primary_first, local, others = Affinity.from_conf({}).ec_write_plan(
        ring.get_part_nodes(0), ring, 0)
    assert primary_first == [True, True, True]
    assert not local and _ids(others) == [3, 4, 5, 6]


def _proxy_conf(tmp_path, text):
    path = tmp_path / "proxy-server.conf"
    path.write_text("[DEFAULT]\nswift_dir = /nowhere\n[app:proxy-server]\nuse = x\n"
                    "write_affinity = r1\n" + text)
    return {"__file__": str(path), "write_affinity": "r1", "sorting_method": "affinity",
            "read_affinity": "r1=100"}


def test_a_policy_section_overrides_the_proxys_options_for_that_policy_only(tmp_path):
    conf = _proxy_conf(tmp_path, "[proxy-server:policy:1]\nwrite_affinity = r2\n"
                                 "write_affinity_handoff_delete_count = 3\n")
    found = policy_affinities(conf, [0, 1])
    assert list(found) == [1]
    one = found[1]
    assert one.write_is_local(_node(0, 2, 1)) and not one.write_is_local(_node(0, 1, 1))
    assert one.handoff_delete_count == 3
    # what the section leaves unset comes from [app:proxy-server]
    assert one.read_priority(_node(0, 1, 1)) == 100


def test_no_config_file_means_no_policy_sections():
    assert policy_affinities({"write_affinity": "r1"}, [0]) == {}


@pytest.mark.parametrize("section,words", [
    ("[proxy-server:policy:7]\nwrite_affinity = r1\n", "no storage policy with index '7'"),
    ("[proxy-server:policy:gold]\nwrite_affinity = r1\n", "no storage policy"),
    ("[proxy-server:policy:1]\nnode_timeout = 3\n", "node_timeout cannot be set per policy"),
    ("[proxy-server:policy:1]\nwrite_affinity = east\n",
     "[proxy-server:policy:1]: write_affinity: 'east'"),
])
def test_a_bad_policy_section_stops_the_proxy_naming_the_section(tmp_path, section, words):
    with pytest.raises(AffinityError) as err:
        policy_affinities(_proxy_conf(tmp_path, section), [0, 1])
    assert words in str(err.value)
