import json

import pytest

from objstore.cli import fault as fault_cli
from objstore.faultlab.lab import ACTIONS, FaultLab, LabConfig, LabDisabled, LabError, NotFound


@pytest.fixture
def cluster(tmp_path):
    """Two object server configs (nothing running) and a lab config."""
    lab_dir = tmp_path / "run" / "fault-lab"
    for node in (1, 2):
        (tmp_path / "srv" / str(node) / ("sdb%d" % node)).mkdir(parents=True)
        conf = tmp_path / "etc" / "object-server" / ("%d.conf" % node)
        conf.parent.mkdir(parents=True, exist_ok=True)
        conf.write_text("[DEFAULT]\nbind_port = %d\ndevices = %s\nfault_lab_state = %s\n" % (
            6000 + node * 10, tmp_path / "srv" / str(node), lab_dir / "devices.json"))
    (tmp_path / "etc" / "proxy-server.conf").write_text("[DEFAULT]\nbind_port = 8080\n")
    conf = {"fault_lab": "true", "swift_dir": str(tmp_path / "etc"),
            "fault_lab_dir": str(lab_dir), "fault_lab_run_dir": str(tmp_path / "run"),
            "fault_lab_log_dir": str(tmp_path / "log")}
    dash = tmp_path / "dashboard.conf"
    dash.write_text("[dashboard]\n" + "".join("%s = %s\n" % kv for kv in conf.items()))
    return tmp_path, conf, str(dash)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_is_refused_when_the_lab_is_off(cluster, action):
    _tmp, conf, _dash = cluster
    lab = FaultLab(LabConfig.from_conf(dict(conf, fault_lab="false")))
    with pytest.raises(LabDisabled, match="fault_lab = false"):
        lab.apply(action, {"server": "object-1", "device": "sdb1", "path": "/a/c/o",
                           "replica": "0", "delay": "1", "daemon": "object-auditor", "id": "1"})
    assert lab.describe() == {"enabled": False, "faults": [], "servers": [], "daemons": []}


def test_the_lab_is_off_unless_the_config_turns_it_on():
    assert LabConfig.from_conf({}).enabled is False


def test_servers_are_found_by_name_or_address(cluster):
    _tmp, conf, _dash = cluster
    lab = FaultLab(LabConfig.from_conf(conf))
    assert sorted(lab.servers()) == ["object-1", "object-2", "proxy"]
    assert lab.server("127.0.0.1:6020").name == "object-2"
    with pytest.raises(NotFound, match="the servers are object-1, object-2, proxy"):
        lab.server("object-9")


@pytest.mark.parametrize("action,args,error,message", [
    ("explode", {}, NotFound, "no lab action 'explode'"),
    ("stop", {}, LabError, "stop needs server"),
    ("stop", {"server": "object-1"}, LabError, "object-1 is not running"),
    ("kill-worker", {"server": "proxy"}, LabError, "proxy is not running"),
    ("slow", {"server": "object-1", "device": "sdb1", "delay": "soon"}, LabError, "seconds"),
    ("slow", {"server": "object-1", "device": "sdb1", "delay": "60"}, LabError, "at most"),
    ("fill", {"server": "object-1", "device": "sdb9"}, NotFound, "has no device sdb9"),
    ("fill", {"server": "object-1", "device": "../x"}, LabError, "one name"),
    ("fill", {"server": "proxy", "device": "sdb1"}, LabError, "only object servers"),
    ("unmount", {"server": "object-1", "device": "sdb9"}, LabError, "no device sdb9"),
    ("run", {"daemon": "object-destroyer"}, NotFound, "no daemon 'object-destroyer'"),
    ("run", {"daemon": "object-auditor", "node": "7"}, NotFound, "no object server on node 7"),
    ("run", {"daemon": "object-tierer"}, NotFound, "not configured on this cluster"),
    ("run", {"daemon": "object-auditor", "partition": "3"}, LabError,
     "only object-replicator can be limited to a partition"),
    ("run", {"daemon": "object-replicator", "partition": "3,4"}, LabError,
     "partition is a partition number"),
    ("undo", {"id": "42"}, NotFound, "no live fault 42"),
])
def test_bad_actions_say_what_is_wrong_and_record_nothing(cluster, action, args, error, message):
    _tmp, conf, _dash = cluster
    lab = FaultLab(LabConfig.from_conf(conf))
    with pytest.raises(error, match=message):
        lab.apply(action, args)
    assert lab.journal.faults() == [] and lab.state.read() == {}


def test_fill_and_slow_are_recorded_and_undone(cluster):
    tmp, conf, _dash = cluster
    lab = FaultLab(LabConfig.from_conf(conf))
    fill = lab.apply("fill", {"server": "object-1", "device": "sdb1"})
    slow = lab.apply("slow", {"server": "127.0.0.1:6010", "device": "sdb1", "delay": "0.5"})
    path = str(tmp / "srv" / "1" / "sdb1")
    assert lab.state.read() == {path: {"full": True, "delay": 0.5}}
    with pytest.raises(LabError, match="full already"):
        lab.apply("fill", {"server": "object-1", "device": "sdb1"})
    assert [f["action"] for f in lab.describe()["faults"]] == ["fill", "slow"]
    assert "undo" not in lab.describe()["faults"][0]
    assert "fast again" in lab.apply("undo", {"id": str(slow["id"])})["detail"]
    assert lab.state.read() == {path: {"full": True}}
    assert "writable again" in lab.apply("undo", {"id": "all"})["detail"]
    assert lab.state.read() == {} and lab.journal.faults() == [] and fill["id"] == 1


def test_the_cli_does_the_same_and_refuses_when_the_lab_is_off(cluster, capsys):
    tmp, _conf, dash = cluster
    assert fault_cli.main(["-c", dash, "unmount", "object-2", "sdb2"]) == 0
    assert "fault 1: unmount object-2/sdb2" in capsys.readouterr().out
    assert not (tmp / "srv" / "2" / "sdb2").exists()
    assert fault_cli.main(["-c", dash, "--json", "list"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [f["target"] for f in doc["faults"]] == ["object-2/sdb2"]
    assert fault_cli.main(["-c", dash, "undo", "1"]) == 0
    assert (tmp / "srv" / "2" / "sdb2").is_dir()
    off = tmp / "off.conf"
    off.write_text(open(dash).read().replace("fault_lab = true", "fault_lab = false"))
    assert fault_cli.main(["-c", str(off), "unmount", "object-2", "sdb2"]) == 1
    assert "the fault lab is off" in capsys.readouterr().err
    assert (tmp / "srv" / "2" / "sdb2").is_dir()
    assert fault_cli.main(["-c", str(tmp / "missing.conf"), "list"]) == 2
    assert "cannot read" in capsys.readouterr().err
