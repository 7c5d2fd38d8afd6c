"""objstore-tier prints what the tierer's database holds."""

import json

from objstore.cli import tier
from objstore.common.tiering.queue import TierQueue

CONF = """
[storage-policy:0]
name = gold
default = yes
[storage-policy:1]
name = cold
[tiering]
window = 60
bucket = 5
state_dir = %s
[tier:gold]
policy = gold
min_reads = 5
[tier:bronze]
policy = cold
min_reads = 0
"""


def _setup(tmp_path):
    (tmp_path / "objstore.conf").write_text(CONF % (tmp_path / "state"))
    db = TierQueue(str(tmp_path / "state"))
    db.set_tier("/v1/AUTH_a/c/o", "bronze", 1.0)
    db.enqueue("/v1/AUTH_a/c/o", "bronze", "gold", "reads: 9 in 60s", 2.0)
    db.close()


def test_status_history_and_queue_print_json(tmp_path, capsys):
    _setup(tmp_path)
    assert tier.main(["--swift-dir", str(tmp_path), "status", "/v1/AUTH_a/c/o"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["tier"] == "bronze" and status["open_move"]["to_tier"] == "gold"
    assert tier.main(["--swift-dir", str(tmp_path), "queue"]) == 0
    assert [m["path"] for m in json.loads(capsys.readouterr().out)] == ["/v1/AUTH_a/c/o"]
    assert tier.main(["--swift-dir", str(tmp_path), "history", "--since", "3"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_no_tiers_or_no_database_is_said_plainly(tmp_path, capsys):
    (tmp_path / "objstore.conf").write_text("[storage-policy:0]\nname = gold\n")
    assert tier.main(["--swift-dir", str(tmp_path), "queue"]) == 2
    assert "declares no [tier:NAME]" in capsys.readouterr().err
    (tmp_path / "objstore.conf").write_text(CONF % (tmp_path / "nothing-yet"))
    assert tier.main(["--swift-dir", str(tmp_path), "queue"]) == 1
    assert "no tierer database" in capsys.readouterr().err
