import pytest

from objstore.dashboard import rings
from tests.unit.dashboard.conftest import build_ring


def test_summary_counts_partitions_per_device_against_the_fair_share(swift_dir):
    build_ring(swift_dir + "/object.ring.gz", [2, 1, 1, 0.5])
    summary = rings.ring_summary(swift_dir, "object")
    assert summary["partitions"] == 64 and summary["replicas"] == 3.0
    devs = {d["device"]: d for d in summary["devices"]}
    assert sum(d["parts"] for d in devs.values()) == 64 * 3
    # fair share is by weight: 2/4.5, 1/4.5, 1/4.5, 0.5/4.5 of 192 slots
    assert devs["sdb1"]["parts_wanted"] == pytest.approx(192 * 2 / 4.5, abs=0.01)
    assert devs["sdb4"]["parts_wanted"] == pytest.approx(192 * 0.5 / 4.5, abs=0.01)
    for dev in devs.values():
        expected = 100.0 * dev["parts"] / (192 * dev["weight"] / 4.5) - 100.0
        assert dev["balance"] == pytest.approx(expected, abs=0.01)
    assert summary["balance"] == pytest.approx(max(abs(d["balance"]) for d in devs.values()),
                                               abs=0.01)


def test_equal_weights_give_a_perfect_ring(swift_dir):
    summary = rings.ring_summary(swift_dir, "account")
    assert [d["parts"] for d in summary["devices"]] == [48, 48, 48, 48]
    assert summary["balance"] == 0.0 and summary["dispersion"] == 0.0


def test_all_summaries_name_the_policy_of_each_object_ring(swift_dir):
    got = rings.all_ring_summaries(swift_dir)
    assert [(s["ring"], s["policy"], s["policy_name"]) for s in got] == [
        ("account", None, None), ("container", None, None), ("object", 0, "gold")]


def test_a_missing_ring_file_is_reported_not_raised(swift_dir):
    import os
    os.unlink(swift_dir + "/container.ring.gz")
    summary = rings.ring_summary(swift_dir, "container")
    assert "devices" not in summary and "container.ring.gz" in summary["error"]


def test_open_ring_refuses_names_that_are_not_the_clusters_rings(swift_dir):
    for name in ("../account", "object-7", "/etc/passwd", ""):
        with pytest.raises(ValueError, match="no ring named"):
            rings.open_ring(swift_dir, name)


def test_partition_nodes_lists_primaries_then_as_many_handoffs(swift_dir):
    ring = rings.open_ring(swift_dir, "object")
    nodes = rings.partition_nodes(ring, 7)
    assert [n["role"] for n in nodes] == ["primary"] * 3 + ["handoff"]
    assert [n["id"] for n in nodes[:3]] == [d["id"] for d in ring.get_part_nodes(7)]
    assert len({n["id"] for n in nodes}) == 4
    assert [n["index"] for n in nodes[:3]] == [0, 1, 2]


def test_partition_nodes_refuses_a_partition_outside_the_ring(swift_dir):
    ring = rings.open_ring(swift_dir, "object")
    for part in (-1, 64):
        with pytest.raises(ValueError, match="outside 0..63"):
            rings.partition_nodes(ring, part)


def test_dry_run_of_a_doubled_weight_moves_partitions_to_that_device(swift_dir):
    got = rings.rebalance_dry_run(swift_dir, "object", 0, 2.0)
    devs = {d["id"]: d for d in got["devices"]}
    assert [d["parts_before"] for d in got["devices"]] == [48, 48, 48, 48]
    assert devs[0]["weight"] == 2.0 and devs[0]["parts"] > 48
    assert sum(d["parts"] for d in got["devices"]) == 192
    gained = devs[0]["parts"] - 48
    assert got["moved_replicas"] == gained and got["moved_partitions"] >= 1
    # nothing was written: the ring file still holds the old layout
    assert [d["parts"] for d in rings.ring_summary(swift_dir, "object")["devices"]] == [48] * 4


def test_dry_run_with_the_same_weight_moves_nothing(swift_dir):
    got = rings.rebalance_dry_run(swift_dir, "object", 2, 1.0)
    assert got["moved_replicas"] == 0 and got["balance"] == 0.0


@pytest.mark.parametrize("ring,dev,weight,message", [
    ("object", 9, 1.0, "has no device 9"), ("object", 0, -1.0, "number >= 0"),
    ("object", 0, float("nan"), "number >= 0"), ("object", 0, float("inf"), "number >= 0"),
    ("../x", 0, 1.0, "no ring named")])
def test_dry_run_refuses_bad_input(swift_dir, ring, dev, weight, message):
    with pytest.raises(ValueError, match=message):
        rings.rebalance_dry_run(swift_dir, ring, dev, weight)
