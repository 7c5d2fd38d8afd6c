"""The deployment files: Dockerfile, docker-compose.yml, the image's
scripts and the systemd units.

No container runtime runs here, so the image is not built; each file is
checked with a real parser instead: systemd-analyze verify for the units,
PyYAML for the compose file, sh -n for the scripts, and the scripts
themselves run against a temp dir with this checkout's tools.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from objstore.cli.init import DAEMONS, SERVERS
from objstore.common.config import read_conf
from ring import Ring

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNITS = os.path.join(REPO, "etc", "systemd")
SCRIPTS = os.path.join(REPO, "deploy", "docker")
BIN = os.path.dirname(sys.executable)
NODES = ["1:172.28.0.11", "2:172.28.0.12", "3:172.28.0.13"]


def _env(etc):
    return dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
                OBJSTORE_ETC=str(etc), OBJSTORE_SHARE=REPO)


# ------------------------------------------------------------------ systemd

def test_there_is_a_unit_for_every_server_and_daemon_and_the_rsync_daemon():
    names = {f[:-len(".service")] for f in os.listdir(UNITS) if f.endswith(".service")}
    want = {"objstore-%s" % n for n in list(SERVERS) + list(DAEMONS)} | {"objstore-rsync"}
    assert names == want
    for name in SERVERS:
        text = open(os.path.join(UNITS, "objstore-%s.service" % name)).read()
        assert "ExecStart=/usr/local/bin/objstore-%s /etc/objstore/%s.conf\n" % (
            name, name) in text
        assert "ExecReload=/bin/kill -HUP $MAINPID" in text
    for name in DAEMONS:
        text = open(os.path.join(UNITS, "objstore-%s.service" % name)).read()
        assert "ExecStart=/usr/local/bin/objstore-%s /etc/objstore/%s-server.conf\n" % (
            name, name.split("-")[0]) in text
        assert "ExecReload" not in text  # daemons do not reload: restart them


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_every_unit_passes_systemd_analyze_verify(tmp_path):
    for name in os.listdir(UNITS):
        text = open(os.path.join(UNITS, name)).read()
        # verify insists that ExecStart programs exist: point at this checkout's
        (tmp_path / name).write_text(text.replace("/usr/local/bin/", BIN + "/"))
    files = sorted(str(p) for p in tmp_path.iterdir())
    out = subprocess.run(["systemd-analyze", "verify", "--man=no", *files], cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "", out.stdout


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_analyze_verify_does_catch_a_broken_unit(tmp_path):
    (tmp_path / "broken.service").write_text("[Service]\nExecStart=relative/objstore\n")
    out = subprocess.run(["systemd-analyze", "verify", "--man=no", "broken.service"],
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert out.returncode != 0


# -------------------------------------------------------------- Dockerfile

def _dockerfile():
    """Instructions as (KEYWORD, argument text), continuations joined."""
    text = open(os.path.join(REPO, "Dockerfile")).read()
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_the_dockerfile_copies_what_exists_and_enters_through_the_entrypoint():
    steps = _dockerfile()
    assert steps[0][0] == "FROM"
    known = {"FROM", "RUN", "WORKDIR", "COPY", "EXPOSE", "VOLUME", "ENTRYPOINT", "CMD", "ENV"}
    assert {k for k, _ in steps} <= known
    ignored = [line.strip() for line in open(os.path.join(REPO, ".dockerignore"))
               if line.strip() and not line.startswith("#")]
    copied = []
    for keyword, rest in steps:
        if keyword == "COPY":
            sources = rest.split()[:-1]
            for src in sources:
                assert os.path.exists(os.path.join(REPO, src)), src
                assert src not in ignored and src.rstrip("/") not in ignored, src
            copied += sources
    assert "deploy/docker/entrypoint.sh" in copied and "deploy/docker/setup-cluster.sh" in copied
    entry = [json.loads(rest) for k, rest in steps if k == "ENTRYPOINT"]
    assert entry == [["objstore-entrypoint"]]
    assert [json.loads(rest) for k, rest in steps if k == "CMD"] == [["help"]]


@pytest.mark.parametrize("script", ["entrypoint.sh", "setup-cluster.sh"])
def test_the_image_scripts_parse_as_posix_shell(script):
    out = subprocess.run(["sh", "-n", os.path.join(SCRIPTS, script)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert out.returncode == 0, out.stdout


# ------------------------------------------------------------------ compose

def test_the_compose_file_is_three_nodes_a_proxy_and_memcached_on_one_network():
    doc = yaml.safe_load(open(os.path.join(REPO, "docker-compose.yml")))
    services = doc["services"]
    assert set(services) == {"setup", "memcached", "node1", "node2", "node3", "proxy"}
    subnet = doc["networks"]["cluster"]["ipam"]["config"][0]["subnet"]
    assert subnet == "172.28.0.0/24"
    assert services["setup"]["command"] == ["setup"] + NODES
    for n in (1, 2, 3):
        node = services["node%d" % n]
        assert node["command"] == ["storage"]
        assert node["image"] == "objstore:latest" and node["build"] == "."
        assert node["networks"]["cluster"]["ipv4_address"] == NODES[n - 1].split(":")[1]
        assert "node%d:/srv/node" % n in node["volumes"] and "etc:/etc/objstore" in node["volumes"]
        assert node["depends_on"]["setup"]["condition"] == "service_completed_successfully"
    proxy = services["proxy"]
    assert proxy["command"] == ["proxy"] and "8080:8080" in proxy["ports"]
    assert set(proxy["depends_on"]) == {"setup", "memcached", "node1", "node2", "node3"}
    # the proxy's memcache_servers (setup-cluster.sh's default) names this service
    assert "memcached:11211" in open(os.path.join(SCRIPTS, "setup-cluster.sh")).read()
    assert set(doc["volumes"]) == {"etc", "node1", "node2", "node3"}


# --------------------------------------------------- the scripts themselves

def test_setup_writes_configs_and_rings_for_the_nodes_and_keeps_them_on_a_rerun(tmp_path):
    etc = tmp_path / "etc"
    out = subprocess.run(["sh", os.path.join(SCRIPTS, "setup-cluster.sh"), *NODES],
                         env=_env(etc), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    assert out.returncode == 0, out.stdout
    for kind in ("object", "container", "account"):
        conf = read_conf(str(etc / ("%s-server.conf" % kind)))["DEFAULT"]
        assert conf["bind_ip"] == "0.0.0.0" and conf["mount_check"] == "false"
        ring = Ring(str(etc), ring_name=kind)
        assert sorted((d["zone"], d["ip"], d["device"]) for d in ring.devs) == [
            (1, "172.28.0.11", "d1"), (2, "172.28.0.12", "d1"), (3, "172.28.0.13", "d1")]
        assert ring.replica_count == 3
    proxy = read_conf(str(etc / "proxy-server.conf"))
    assert proxy["filter:cache"]["memcache_servers"] == "memcached:11211"
    rsyncd = (etc / "rsyncd.conf").read_text()
    assert all("[%s]" % kind in rsyncd for kind in ("object", "container", "account"))
    salt = (etc / "objstore.conf").read_text()
    ring_bytes = (etc / "object.ring.gz").read_bytes()
    again = subprocess.run(["sh", os.path.join(SCRIPTS, "setup-cluster.sh"), *NODES],
                           env=_env(etc), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert again.returncode == 0
    assert (etc / "objstore.conf").read_text() == salt
    assert (etc / "object.ring.gz").read_bytes() == ring_bytes


def test_the_entrypoint_runs_the_kind_it_is_given(tmp_path):
    etc = tmp_path / "etc"
    subprocess.run(["sh", os.path.join(SCRIPTS, "setup-cluster.sh"), *NODES], env=_env(etc),
                   stdout=subprocess.DEVNULL, check=True)
    entry = os.path.join(SCRIPTS, "entrypoint.sh")
    out = subprocess.run(["sh", entry, "ring-builder", str(etc / "object.builder")],
                         env=_env(etc), stdout=subprocess.PIPE, text=True)
    assert out.returncode == 0 and "3 devices" in out.stdout
    helped = subprocess.run(["sh", entry], env=_env(etc), stdout=subprocess.PIPE, text=True)
    assert "storage" in helped.stdout and "set -eu" not in helped.stdout
    missing = subprocess.run(["sh", entry, "object"], env=_env(tmp_path / "none"),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert missing.returncode != 0 and "object-server.conf" in missing.stdout
