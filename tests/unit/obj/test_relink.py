"""Relinking objects into their partition under the next power, and the
cleanup after: hard links, nothing copied, nothing lost."""
import os

import pytest

from objstore.common.part_power import partition_for_hash
from objstore.common.timestamp import Timestamp
from objstore.common.utils import md5_hex
from objstore.obj.diskfile import DiskFileManager
from objstore.obj.relink import cleanup_device, relink_device

POWER = 4


@pytest.fixture
def mgr(obj_conf):
    return DiskFileManager(obj_conf)


def _put(mgr, name, body=b"data", next_part_power=None):
    object_hash = mgr.object_hash("a", "c", name)
    part = str(partition_for_hash(object_hash, POWER))
    df = mgr.get_diskfile("sda1", part, "a", "c", name)
    df.next_part_power = next_part_power
    with df.create(len(body)) as writer:
        writer.write(body)
        writer.put({"name": "/a/c/%s" % name, "X-Timestamp": Timestamp.now().internal,
                    "Content-Length": str(len(body)), "ETag": md5_hex(body),
                    "Content-Type": "text/plain"})
    return df, part, str(partition_for_hash(object_hash, POWER + 1))


def _read(mgr, name, part):
    df = mgr.get_diskfile("sda1", part, "a", "c", name).open()
    return b"".join(df.reader())


def _data_file(df_dir):
    return [os.path.join(df_dir, n) for n in os.listdir(df_dir) if n.endswith(".data")][0]


def test_relink_hard_links_every_object_into_its_next_partition(mgr):
    placed = [(_put(mgr, "o%d" % i, b"body%d" % i), "o%d" % i) for i in range(12)]
    stats = relink_device(mgr, "sda1", 0, POWER + 1)
    assert stats.errors == 0 and stats.files_linked == 12
    for (df, old, new), name in placed:
        assert _read(mgr, name, new) == _read(mgr, name, old)
        new_dir = mgr.hash_dir(df.device_path, new, df.object_hash, 0)
        assert os.stat(_data_file(new_dir)).st_ino == os.stat(_data_file(df.datadir)).st_ino
    assert relink_device(mgr, "sda1", 0, POWER + 1).files_linked == 0  # idempotent


def test_a_write_during_the_increase_is_linked_by_the_diskfile_itself(mgr):
    df, old, new = _put(mgr, "live", b"fresh", next_part_power=POWER + 1)
    assert _read(mgr, "live", new) == b"fresh"
    df2 = mgr.get_diskfile("sda1", old, "a", "c", "live")
    df2.next_part_power = POWER + 1
    df2.delete(Timestamp.now())
    with pytest.raises(Exception):
        _read(mgr, "live", new)  # the tombstone was linked too


def test_cleanup_removes_old_names_relinks_late_writes_and_keeps_every_object(mgr):
    placed = [(_put(mgr, "o%d" % i, b"body%d" % i), "o%d" % i) for i in range(10)]
    relink_device(mgr, "sda1", 0, POWER + 1)
    (late_df, late_old, late_new) = _put(mgr, "late", b"after relink")  # not linked
    stats = cleanup_device(mgr, "sda1", 0, POWER + 1)
    assert stats.errors == 0 and stats.files_linked == 1
    for (df, old, new), name in placed + [((late_df, late_old, late_new), "late")]:
        assert not os.path.exists(df.datadir) or old == new
        assert _read(mgr, name, new) in (b"after relink", name.replace("o", "body").encode())
    # only the partitions of the next power are left
    assert set(mgr.list_partitions("sda1")) == {new for (_d, _o, new), _n in placed} | {late_new}
