import json
import os

from objstore.obj import lab_faults
from objstore.obj.diskfile import DiskFileManager
from objstore.obj.lab_faults import DeviceFaults


def _write(path, doc):
    with open(path, "w") as fp:
        json.dump(doc, fp)
    st = os.stat(path)
    os.utime(path, (st.st_atime, st.st_mtime + 1))  # a new mtime, as a later write has


def test_no_file_means_no_fault(tmp_path):
    faults = DeviceFaults(str(tmp_path / "devices.json"))
    assert faults.delay("/srv/1/node/sdb1") == 0 and faults.full("/srv/1/node/sdb1") is False


def test_delay_and_full_are_read_per_device_and_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(lab_faults, "RELOAD_INTERVAL", 0)
    path = str(tmp_path / "devices.json")
    _write(path, {"/srv/1/node/sdb1": {"delay": 0.5, "full": True},
                  "/srv/2/node/sdb2": {"delay": 1e9, "full": "yes"},
                  "/srv/3/node/sdb3": {"delay": "slow"}})
    faults = DeviceFaults(path)
    assert faults.delay("/srv/1/node/sdb1/") == 0.5 and faults.full("/srv/1/node/sdb1")
    assert faults.delay("/srv/2/node/sdb2") == lab_faults.MAX_DELAY
    assert faults.full("/srv/2/node/sdb2") is False  # only a real true counts
    assert faults.delay("/srv/3/node/sdb3") == 0
    _write(path, {})
    assert faults.full("/srv/1/node/sdb1") is False


def test_a_half_written_file_is_no_fault_and_read_again(tmp_path, monkeypatch):
    monkeypatch.setattr(lab_faults, "RELOAD_INTERVAL", 0)
    path = tmp_path / "devices.json"
    path.write_text('{"/d": {"full": tr')
    faults = DeviceFaults(str(path))
    assert faults.full("/d") is False
    _write(str(path), {"/d": {"full": True}})
    assert faults.full("/d") is True


def test_the_manager_plays_a_full_device_only_when_the_config_names_the_state(tmp_path):
    dev = tmp_path / "node" / "sdb1"
    dev.mkdir(parents=True)
    state = tmp_path / "devices.json"
    _write(str(state), {str(dev): {"full": True}})
    conf = {"devices": str(tmp_path / "node"), "mount_check": "false",
            "swift_dir": str(tmp_path)}
    (tmp_path / "objstore.conf").write_text(
        "[objstore-hash]\nswift_hash_path_prefix = a\nswift_hash_path_suffix = b\n")
    assert DiskFileManager(conf).has_space(str(dev)) is True
    lab = DiskFileManager(dict(conf, fault_lab_state=str(state)))
    assert lab.has_space(str(dev)) is False
    assert lab.get_dev_path("sdb1") == str(dev)


def test_a_second_write_within_the_same_mtime_tick_is_seen(tmp_path, monkeypatch):
    """The lab replaces the file whole; two lab actions a few ms apart can
    share an mtime on a filesystem with a coarse clock, and the server must
    not keep the first state for good."""
    monkeypatch.setattr(lab_faults, "RELOAD_INTERVAL", 0)
    path = str(tmp_path / "devices.json")

    def replace(doc, mtime_ns):
        tmp = path + ".tmp"
        with open(tmp, "w") as fp:
            json.dump(doc, fp)
        os.utime(tmp, ns=(mtime_ns, mtime_ns))
        os.replace(tmp, path)
    stamp = os.stat(str(tmp_path)).st_mtime_ns
    replace({"/d": {"full": True}}, stamp)
    faults = DeviceFaults(path)
    assert faults.full("/d") is True
    replace({"/d": {"full": True, "delay": 0.5}}, stamp)  # same mtime, new inode and size
    assert faults.delay("/d") == 0.5
