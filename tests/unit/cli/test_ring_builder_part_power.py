"""objstore-ring-builder's partition power increase: prepare, increase,
finish; every name keeps its devices; nothing else may happen meanwhile."""
import pytest

from objstore.cli.ring_builder import main
from ring import Ring

NAMES = [("AUTH_a", "c%d" % i, "o%d" % j) for i in range(5) for j in range(40)]


@pytest.fixture
def ring_dir(tmp_path, capsys):
    bfile = str(tmp_path / "object.builder")
    assert main([bfile, "create", "6", "3", "1"]) == 0
    for i in range(5):
        assert main([bfile, "add", "r%dz%d-10.0.0.%d:6200/d1" % (1 + i % 2, i, i + 1),
                     "1"]) == 0
    assert main([bfile, "rebalance", "--seed", "3"]) in (0, 1)
    capsys.readouterr()
    return tmp_path


def _run(capsys, ring_dir, command):
    code = main([str(ring_dir / "object.builder"), command])
    return code, capsys.readouterr().out


def _placement(ring_dir):
    ring = Ring(str(ring_dir), ring_name="object", hash_prefix=b"p", hash_suffix=b"s")
    return ring, {name: sorted(n["id"] for n in ring.get_nodes(*name)[1]) for name in NAMES}


def test_the_three_steps_double_the_partitions_and_no_name_changes_devices(capsys, ring_dir):
    ring, before = _placement(ring_dir)
    assert ring.part_power == 6 and ring.next_part_power is None
    old_parts = {name: ring.get_part(*name) for name in NAMES}
    code, out = _run(capsys, ring_dir, "prepare_increase_partition_power")
    assert code == 0 and "objstore-relinker relink" in out
    ring, during = _placement(ring_dir)
    assert ring.part_power == 6 and ring.next_part_power == 7 and during == before
    code, out = _run(capsys, ring_dir, "increase_partition_power")
    assert code == 0 and "objstore-relinker cleanup" in out
    ring, after = _placement(ring_dir)
    assert ring.part_power == 7 and ring.partition_count == 128
    assert after == before
    for name in NAMES:
        assert ring.get_part(*name) in (2 * old_parts[name], 2 * old_parts[name] + 1)
    assert _run(capsys, ring_dir, "finish_increase_partition_power")[0] == 0
    ring, final = _placement(ring_dir)
    assert ring.next_part_power is None and ring.part_power == 7 and final == before


def test_steps_out_of_order_are_refused_and_write_nothing(capsys, ring_dir):
    ring_file = ring_dir / "object.ring.gz"
    stamp = ring_file.stat().st_mtime_ns
    code, out = _run(capsys, ring_dir, "increase_partition_power")
    assert code == 2 and "prepare_increase_partition_power" in out
    code, out = _run(capsys, ring_dir, "finish_increase_partition_power")
    assert code == 2 and "increase_partition_power first" in out
    assert ring_file.stat().st_mtime_ns == stamp
    assert _run(capsys, ring_dir, "prepare_increase_partition_power")[0] == 0
    code, out = _run(capsys, ring_dir, "prepare_increase_partition_power")
    assert code == 2 and "already under way" in out


def test_a_rebalance_waits_for_the_increase_to_finish(capsys, ring_dir):
    assert _run(capsys, ring_dir, "prepare_increase_partition_power")[0] == 0
    bfile = str(ring_dir / "object.builder")
    assert main([bfile, "add", "r2z9-10.0.0.9:6200/d1", "1"]) == 0
    capsys.readouterr()
    code, out = _run(capsys, ring_dir, "rebalance")
    assert code == 2 and "finish_increase_partition_power" in out


def test_the_summary_says_where_the_increase_stands(capsys, ring_dir):
    _run(capsys, ring_dir, "prepare_increase_partition_power")
    assert _run(capsys, ring_dir, "default")[1].splitlines()[-3:] == [
        "", "Preparing increase of partition power (6 -> 7)",
        'Run "objstore-relinker relink" on all nodes before moving on to '
        'increase_partition_power.']
    _run(capsys, ring_dir, "increase_partition_power")
    assert _run(capsys, ring_dir, "default")[1].splitlines()[-2:] == [
        "Increased partition power (7 -> 7)",
        'Run "objstore-relinker cleanup" on all nodes before moving on to '
        'finish_increase_partition_power.']
    _run(capsys, ring_dir, "finish_increase_partition_power")
    assert "partition power" not in _run(capsys, ring_dir, "default")[1]


def test_only_object_rings_have_their_partition_power_increased(capsys, tmp_path):
    bfile = str(tmp_path / "container.builder")
    main([bfile, "create", "4", "1", "1"])
    main([bfile, "add", "r1z1-10.0.0.1:6201/d1", "1"])
    main([bfile, "rebalance"])
    capsys.readouterr()
    assert main([bfile, "prepare_increase_partition_power"]) == 2
    assert capsys.readouterr().out == (
        "Partition power increase is only supported for object rings.\n")
