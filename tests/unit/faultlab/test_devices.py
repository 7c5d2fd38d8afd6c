import pytest

from objstore.faultlab import devices
from objstore.faultlab.processes import Server


def _server(tmp_path, kind="object"):
    conf = tmp_path / "1.conf"
    conf.write_text("[DEFAULT]\nfault_lab_state = %s\n" % (tmp_path / "lab" / "devices.json"))
    return Server("%s-1" % kind, kind, 1, str(conf), str(tmp_path / "o.pid"), "127.0.0.1", 1,
                  str(tmp_path / "node"))


def test_unmount_moves_the_device_beside_the_devices_dir_and_mount_brings_it_back(tmp_path):
    (tmp_path / "node" / "sdb1" / "objects").mkdir(parents=True)
    server = _server(tmp_path)
    undo = devices.unmount(server, "sdb1")
    assert not (tmp_path / "node" / "sdb1").exists()
    assert (tmp_path / "node.fault-lab-unmounted" / "sdb1" / "objects").is_dir()
    with pytest.raises(devices.DeviceError, match="no device sdb1"):
        devices.unmount(server, "sdb1")
    (tmp_path / "node" / "sdb1").mkdir()  # something made an empty dir meanwhile
    assert devices.mount(undo).startswith("mounted")
    assert (tmp_path / "node" / "sdb1" / "objects").is_dir()
    assert not (tmp_path / "node.fault-lab-unmounted").exists()


def test_mount_refuses_to_hide_files_written_meanwhile(tmp_path):
    (tmp_path / "node" / "sdb1").mkdir(parents=True)
    undo = devices.unmount(_server(tmp_path), "sdb1")
    (tmp_path / "node" / "sdb1").mkdir()
    (tmp_path / "node" / "sdb1" / "stray").write_text("x")
    with pytest.raises(devices.DeviceError, match="not empty"):
        devices.mount(undo)
    assert (tmp_path / "node.fault-lab-unmounted" / "sdb1").is_dir()


@pytest.mark.parametrize("name", ["", "..", "a/b", "."])
def test_a_device_is_one_name(tmp_path, name):
    with pytest.raises(devices.DeviceError):
        devices.device_path(_server(tmp_path), name)


def test_device_state_sets_and_clears_keys(tmp_path):
    state = devices.DeviceState(str(tmp_path / "lab"))
    state.set("/d", "full", True)
    state.set("/d", "delay", 0.5)
    assert state.read() == {"/d": {"full": True, "delay": 0.5}}
    state.set("/d", "full", None)
    state.set("/d", "delay", None)
    assert state.read() == {}


def test_only_an_object_server_reading_the_lab_state_plays_slow_and_full(tmp_path):
    state = devices.DeviceState(str(tmp_path / "lab"))
    devices.check_hooked(_server(tmp_path), state)
    with pytest.raises(devices.DeviceError, match="only object servers"):
        devices.check_hooked(_server(tmp_path, "container"), state)
    other = devices.DeviceState(str(tmp_path / "elsewhere"))
    with pytest.raises(devices.DeviceError, match="fault_lab_state = "):
        devices.check_hooked(_server(tmp_path), other)


@pytest.mark.parametrize("delay", [0, -1, 10.5, float("nan")])
def test_a_delay_is_bounded(delay):
    with pytest.raises(devices.DeviceError):
        devices.check_delay(delay)
