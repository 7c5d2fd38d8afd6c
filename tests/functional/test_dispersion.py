"""objstore-dispersion-populate / -report against the live all-in-one cluster.

A small coverage (0.5% of 1024 partitions: 5 containers, 5 objects) keeps
it fast. The sample lives in AUTH_test (test:tester) and is removed
afterwards.
"""

import json
import os
import re

import pytest
import swiftclient

from objstore.cli import dispersion
from objstore.common.timestamp import Timestamp
from ring import Ring
from tests.probe.probe_helpers import copies_home

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SWIFT_DIR = os.path.join(os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio")), "etc")


@pytest.fixture
def conf_path(saio, conn, tmp_path):
    path = tmp_path / "dispersion.conf"
    path.write_text("[dispersion]\nswift_dir = %s\nauth_url = %s/auth/v1.0\n"
                    "auth_user = test:tester\nauth_key = testing\n"
                    "dispersion_coverage = 0.5\nretries = 1\n" % (SWIFT_DIR, saio))
    yield str(path)
    _h, containers = conn.get_account(prefix="dispersion_", full_listing=True)
    for item in containers:
        try:
            _h, objs = conn.get_container(item["name"], full_listing=True)
            for obj in objs:
                conn.delete_object(item["name"], obj["name"])
            conn.delete_container(item["name"])
        except swiftclient.ClientException:
            pass


def report_json(conf_path, capsys):
    assert dispersion.report_main([conf_path, "--json", "--object-only"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_populate_then_report_counts_every_replica_of_the_sample(conf_path, capsys):
    assert dispersion.populate_main([conf_path]) == 0
    out = capsys.readouterr().out
    assert "Created 5 containers for dispersion reporting" in out
    assert "Created 5 objects for dispersion reporting" in out
    assert dispersion.report_main([conf_path]) == 0
    out = capsys.readouterr().out
    assert "Queried 5 containers for dispersion reporting" in out
    assert "Queried 5 objects for dispersion reporting" in out
    assert re.search(r"\d+\.\d\d% of container copies found \(\d+ of 15\)", out), out
    assert re.search(r"\d+\.\d\d% of object copies found \(\d+ of 15\)", out), out
    assert "Sample represents 0.49% of the object partition space" in out


def test_a_replica_deleted_on_one_storage_node_is_reported_missing(conf_path, capsys):
    assert dispersion.populate_main([conf_path, "--object-only"]) == 0
    capsys.readouterr()
    before = report_json(conf_path, capsys)["object"]
    copies_home("AUTH_test", "dispersion_objects", "dispersion_0")  # nodes[0] holds one
    ring = Ring(SWIFT_DIR, ring_name="object")
    part, nodes = ring.get_nodes("AUTH_test", "dispersion_objects", "dispersion_0")
    node = nodes[0]
    conn = dispersion.http_connect(node["ip"], node["port"], node["device"], part, "DELETE",
                                   "/AUTH_test/dispersion_objects/dispersion_0",
                                   headers={"X-Timestamp": Timestamp.now().internal})
    assert conn.getresponse().status == 204
    conn.close()
    after = report_json(conf_path, capsys)["object"]
    assert after["copies_expected"] == before["copies_expected"] == 15
    assert after["copies_found"] <= before["copies_found"] - 1 or before["copies_found"] < 15
    assert after.get("missing_1", 0) + after.get("missing_2", 0) + after.get(
        "missing_3", 0) >= 1


def test_report_before_populate_says_what_to_run(conf_path, capsys):
    assert dispersion.report_main([conf_path, "--container-only"]) == 1
    assert "run objstore-dispersion-populate first" in capsys.readouterr().err


def test_wrong_credentials_fail_with_a_hint(conf_path, tmp_path, capsys):
    bad = tmp_path / "bad.conf"
    bad.write_text(open(conf_path).read().replace("auth_key = testing", "auth_key = nope"))
    assert dispersion.populate_main([str(bad)]) == 1
    assert "check auth_user/auth_key" in capsys.readouterr().err


def test_a_config_without_auth_settings_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "d.conf"
    path.write_text("[dispersion]\nauth_url = http://127.0.0.1:1/auth/v1.0\n")
    assert dispersion.report_main([str(path)]) == 2
    assert "needs auth_user, auth_key" in capsys.readouterr().err
