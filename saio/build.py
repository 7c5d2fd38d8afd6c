"""Write the all-in-one cluster's configs, devices and rings (idempotent).

Four "nodes" on one machine, each with one device and its own object,
container and account server; 3 replicas, part power 10. Existing rings
and the hash prefix/suffix are kept, so stored data stays reachable.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import secrets
import subprocess
import sys
from typing import List, Optional, Tuple

NODES = (1, 2, 3, 4)
PART_POWER = 10
REPLICAS = 3
MIN_PART_HOURS = 1
#: EC policy 1: 2 data + 1 parity over the four devices (one archive per
#: server, so losing any one server loses one archive; a fourth device is
#: left as handoff). See docs/erasure-coding.md for why not 4+2. The
#: reference Swift of bench/swift_saio.py gets the same section.
EC_POLICY_NAME = "ec21"
EC_POLICY = f"""
[storage-policy:1]
name = {EC_POLICY_NAME}
policy_type = erasure_coding
ec_type = liberasurecode_rs_vand
ec_num_data_fragments = 2
ec_num_parity_fragments = 1
ec_object_segment_size = 1048576
"""
EC_RING = "object-1"
EC_REPLICAS = 3
#: policy 2: a second replicated policy, the silver tier (docs/tiering.md)
SILVER_POLICY = """
[storage-policy:2]
name = silver
"""
SILVER_RING = "object-2"


def tiering_sections(saio: str) -> str:
    """Three tiers on the SAIO's three policies, with thresholds a test
    crosses in seconds: 2 reads in a minute make an object silver, 5 gold;
    bronze (EC) takes the rest once it sat a whole window unread."""
    return f"""
[tiering]
window = 60
bucket = 5
hysteresis = 0.5
flush_interval = 1
journal_dir = {os.path.join(saio, "tiering", "journal")}
state_dir = {os.path.join(saio, "tiering")}

[tier:gold]
policy = gold
min_reads = 5

[tier:silver]
policy = silver
min_reads = 2

[tier:bronze]
policy = {EC_POLICY_NAME}
min_reads = 0
"""


PORT_BASE = int(os.environ.get("SAIO_PORT_BASE", "6200"))


def port(kind: str, node: int) -> int:
    return PORT_BASE + node * 10 + {"object": 0, "container": 1, "account": 2}[kind]


def write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fp:
        fp.write(text)


def objstore_conf(etc: str, saio: str, more_policies: bool = True) -> None:
    """objstore.conf: a fresh hash prefix/suffix and the storage policies:
    the replicated "gold", and unless ``more_policies`` is false the EC
    policy, the silver policy and the tiers."""
    path = os.path.join(etc, "objstore.conf")
    if os.path.exists(path) and not more_policies:
        return
    if os.path.exists(path):
        # the hash prefix/suffix must never change under stored data; an
        # older .saio only gains the EC policy, the silver policy and tiers
        with open(path) as fp:
            text = fp.read()
        with open(path, "a") as fp:
            if "[storage-policy:1]" not in text:
                fp.write(EC_POLICY)
            if "[storage-policy:2]" not in text:
                fp.write(SILVER_POLICY)
            if "[tiering]" not in text:
                fp.write(tiering_sections(saio))
        return
    write(path, f"""# objstore cluster settings shared by every server.
[objstore-hash]
swift_hash_path_prefix = {secrets.token_hex(8)}
swift_hash_path_suffix = {secrets.token_hex(8)}

[storage-policy:0]
name = gold
aliases = yellow, orange
default = yes
""" + (EC_POLICY + SILVER_POLICY + tiering_sections(saio) if more_policies else ""))


def daemon_sections(kind: str, node: int) -> str:
    """Extra daemon sections of one node's config: each node's expirer
    takes its share of the queue, so `saio/daemons once` does it once."""
    if kind != "object":
        return ""
    return f"""
[object-expirer]
processes = {len(NODES)}
process = {node - 1}

[object-reconstructor]
"""


def auditor_options(kind: str) -> str:
    """The SAIO's disks are small and fast: audit at full speed so a
    `saio/daemons once` pass is quick."""
    if kind != "object":
        return ""
    return "files_per_second = 0\nbytes_per_second = 0\nzero_byte_files_per_second = 0\n"


def backend_ratelimit_conf_path(etc: str, kind: str, node: int) -> str:
    """Where one storage server reads its backend_ratelimit rates from
    (absent by default; tests/functional/test_backend_ratelimit.py writes
    it to throttle one device)."""
    return os.path.join(etc, "%s-server" % kind, "%d-backend-ratelimit.conf" % node)


def backend_ratelimit_options(etc: str, kind: str, node: int) -> str:
    """backend_ratelimit on every storage server, far above what the tests
    and benches ask of one device (so it never disturbs them), with a
    rates file re-read every second."""
    return ("requests_per_device_per_second = 1000\n"
            "requests_per_device_rate_buffer = 1\n"
            "backend_ratelimit_conf_path = %s\n"
            "config_reload_interval = 1\n" % backend_ratelimit_conf_path(etc, kind, node))


def storage_conf(kind: str, *, devices: str, bind_ip: str, bind_port: int, etc: str,
                 log_name: str, rsync_module: str, rsync_port: int, recon_cache: str,
                 app_options: str = "", daemons: str = "", workers: int = 1,
                 default_options: str = "") -> str:
    """One object/container/account server's config (its daemons read it too)."""
    return f"""[DEFAULT]
devices = {devices}
mount_check = false
bind_ip = {bind_ip}
bind_port = {bind_port}
workers = {workers}
swift_dir = {etc}
log_name = {log_name}
log_level = INFO
rsync_module = {rsync_module}
rsync_port = {rsync_port}
recon_cache_path = {recon_cache}
{default_options}
[app:{kind}-server]
{app_options}
[{kind}-replicator]

[{kind}-auditor]
{auditor_options(kind)}
[{kind}-updater]
{daemons}"""


def server_confs(saio: str, etc: str, rsync_port: int) -> None:
    for node in NODES:
        devices = os.path.join(saio, "srv", str(node), "node")
        os.makedirs(os.path.join(devices, "sdb%d" % node), exist_ok=True)
        for kind in ("object", "container", "account"):
            write(os.path.join(etc, "%s-server" % kind, "%d.conf" % node), storage_conf(
                kind, devices=devices, bind_ip="127.0.0.1", bind_port=port(kind, node),
                etc=etc, log_name="%s-server-%d" % (kind, node),
                rsync_module="{replication_ip}::%s{replication_port}" % kind,
                rsync_port=rsync_port, recon_cache=os.path.join(saio, "cache", str(node)),
                app_options=backend_ratelimit_options(etc, kind, node),
                daemons=daemon_sections(kind, node) + container_sync_section(kind),
                default_options=lab_state_option(saio, kind)))


def lab_dir(saio: str) -> str:
    """The fault lab's journal and device state (docs/dashboard.md)."""
    return os.path.join(saio, "run", "fault-lab")


def lab_state_option(saio: str, kind: str) -> str:
    """The object servers play the lab's slow and full disks."""
    if kind != "object":
        return ""
    return "fault_lab_state = %s\n" % os.path.join(lab_dir(saio), "devices.json")


def container_sync_section(kind: str) -> str:
    """The container sync daemon of a node: a short interval and small
    batches, so the probe tests see passes and batches quickly."""
    if kind != "container":
        return ""
    return """
[container-sync]
interval = 10
batch_size = 20
concurrency = 8
retry_backoff = 0.2
container_time = 60
"""


def sync_realms_conf(etc: str, cluster: str, peers: str, key_file: str,
                     default_peers: str = "") -> None:
    """container-sync-realms.conf: realm ``saio`` with this cluster and its
    peer (the second cluster saio/remote starts), sharing one realm key
    kept in ``key_file`` (made once, by whichever cluster is built first).
    Without ``peers`` the peers the file already names are kept, else
    ``default_peers``."""
    path = os.path.join(etc, "container-sync-realms.conf")
    if not peers:
        me = "cluster_%s " % cluster.partition("=")[0]
        old = open(path).read().splitlines() if os.path.exists(path) else []
        kept = [line[len("cluster_"):].replace(" = ", "=", 1) for line in old
                if line.startswith("cluster_") and not line.startswith(me)]
        peers = " ".join(kept) or default_peers
    if not os.path.exists(key_file):
        write(key_file, secrets.token_hex(16) + "\n")
        os.chmod(key_file, 0o600)
    with open(key_file) as fp:
        key = fp.read().strip()
    lines = ["# Container sync realms of the all-in-one clusters (docs/container-sync.md).",
             "[DEFAULT]", "mtime_check_interval = 1", "", "[saio]", "key = %s" % key, "key2 ="]
    for spec in [cluster] + peers.split():
        name, _, url = spec.partition("=")
        lines.append("cluster_%s = %s" % (name, url))
    write(path, "\n".join(lines) + "\n")


def rsyncd_text(pid_file: str, port: int, address: str, uid: int, gid: int,
                modules: List[Tuple[str, str, str]]) -> str:
    """An rsync daemon config serving ``(module name, path, lock file)``s."""
    lines = ["# rsync daemon for the objstore replicators",
             "pid file = %s" % pid_file, "port = %d" % port, "address = %s" % address,
             "use chroot = no", "uid = %d" % uid, "gid = %d" % gid, ""]
    for name, path, lock in modules:
        lines += ["[%s]" % name, "path = %s" % path, "read only = false",
                  "max connections = 16", "lock file = %s" % lock, ""]
    return "\n".join(lines)


def rsyncd_conf(saio: str, etc: str, rsync_port: int) -> None:
    """One rsync module per node and kind, as the replicators expect."""
    # Named by port: a replicator formats rsync_module with the *peer's*
    # ring entry, so the name must follow from it.
    modules = [("%s%d" % (kind, port(kind, node)),
                os.path.join(saio, "srv", str(node), "node"),
                os.path.join(saio, "run", "rsync-%s%d.lock" % (kind, node)))
               for node in NODES for kind in ("object", "container", "account")]
    write(os.path.join(etc, "rsyncd.conf"), rsyncd_text(
        os.path.join(saio, "run", "rsyncd.pid"), rsync_port, "127.0.0.1",
        os.getuid(), os.getgid(), modules))


def keymaster_conf(etc: str) -> str:
    """The cluster's root secret for encryption at rest: made once, kept
    (objects written with it must stay readable), readable by us only."""
    path = os.path.join(etc, "keymaster.conf")
    if not os.path.exists(path):
        secret = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
        write(path, "[keymaster]\nencryption_root_secret = %s\n" % secret)
    os.chmod(path, 0o600)
    return path


def proxy_conf(etc: str, template: str, proxy_port: int, memcached_port: int,
               statsd_port: Optional[int], bind_ip: str = "127.0.0.1",
               memcached_ip: str = "127.0.0.1", app_options: str = "",
               name: str = "proxy-server.conf", current_sync_cluster: str = "") -> None:
    """The proxy's config from etc/proxy-server.conf: ports, the shared
    memcached, encryption at rest with ``etc``'s keymaster.conf, StatsD
    metrics to ``statsd_port`` (None: none), ``app_options`` lines set
    in [app:proxy-server], and this cluster's name in the container sync
    realm ``saio`` (/info marks it current)."""
    with open(template) as fp:
        text = fp.read()
    if statsd_port is not None:
        # proxy-logging's metrics go to the dashboard's traffic view (same port
        # number as the dashboard's page, over UDP)
        text = text.replace("# log_statsd_host =\n# log_statsd_port = 8125\n",
                            "log_statsd_host = 127.0.0.1\nlog_statsd_port = %d\n" % statsd_port)
    text = text.replace("bind_ip = 127.0.0.1", "bind_ip = %s" % bind_ip)
    text = text.replace("bind_port = 8080", "bind_port = %d" % proxy_port)
    text = text.replace("workers = 1", "workers = 2")
    text = text.replace("swift_dir = /etc/objstore", "swift_dir = %s" % etc)
    text = text.replace("memcache_servers = 127.0.0.1:11211",
                        "memcache_servers = %s:%d" % (memcached_ip, memcached_port))
    text = text.replace("allow_account_management = false", "allow_account_management = true")
    # Encryption at rest, with the cluster's own root secret.
    # (in the tierer's pipeline too: it reads and writes plaintext)
    text = text.replace(" proxy-logging proxy-server\n",
                        " keymaster encryption proxy-logging proxy-server\n")
    text = text.replace("# keymaster_config_path = /etc/objstore/keymaster.conf",
                        "keymaster_config_path = %s" % keymaster_conf(etc))
    for line in app_options.splitlines():
        key = line.partition("=")[0].strip()
        # the template's own (or commented) line for the option, else a new one
        text, found = re.subn(r"(?m)^(# )?%s *=.*$" % re.escape(key), line, text, count=1)
        if not found:
            text = text.replace("use = egg:objstore#proxy\n",
                                "use = egg:objstore#proxy\n%s\n" % line, 1)
    if current_sync_cluster:
        text = text.replace("\ncurrent =\n", "\ncurrent = //saio/%s\n" % current_sync_cluster, 1)
    write(os.path.join(etc, name), text)


def dashboard_conf(etc: str, template: str, dashboard_port: int, proxy_port: int) -> None:
    with open(template) as fp:
        text = fp.read()
    saio = os.path.dirname(etc)
    text = text.replace("fault_lab = false\n", "fault_lab = true\nfault_lab_dir = %s\n"
                        "fault_lab_run_dir = %s\nfault_lab_log_dir = %s\n" % (
                            lab_dir(saio), os.path.join(saio, "run"), os.path.join(saio, "log")))
    text = text.replace("bind_port = 8090", "bind_port = %d" % dashboard_port)
    text = text.replace("statsd_port = 0", "statsd_port = %d" % dashboard_port)
    text = text.replace("swift_dir = /etc/objstore", "swift_dir = %s" % etc)
    text = text.replace("http://127.0.0.1:8080/auth/v1.0",
                        "http://127.0.0.1:%d/auth/v1.0" % proxy_port)
    write(os.path.join(etc, "dashboard.conf"), text)


def tierer_conf(saio: str, etc: str) -> None:
    """The tierer runs beside node 1 (its recon is node 1's /recon/tiering),
    continuously (saio/start); test sessions hold it back and run passes
    themselves (tests/support/tierer_pause.py)."""
    write(os.path.join(etc, "tierer.conf"), f"""[DEFAULT]
swift_dir = {etc}
devices = {os.path.join(saio, "srv", "1", "node")}
mount_check = false
recon_cache_path = {os.path.join(saio, "cache", "1")}
log_name = object-tierer
log_level = INFO

[object-tierer]
proxy_conf = {os.path.join(etc, "proxy-server.conf")}
pipeline = tierer
interval = 10
workers = 4
lease_seconds = 30
""")


def rings(etc: str, builder_cmd: str) -> None:
    for kind in ("object", "container", "account", EC_RING, SILVER_RING):
        replicas = EC_REPLICAS if kind == EC_RING else REPLICAS
        server = "object" if kind in (EC_RING, SILVER_RING) else kind
        builder = os.path.join(etc, "%s.builder" % kind)
        ring = os.path.join(etc, "%s.ring.gz" % kind)
        if os.path.exists(ring):
            continue
        run = lambda *args: subprocess.run([builder_cmd, builder, *args],  # noqa: E731
                                           stdout=subprocess.DEVNULL, check=False).returncode
        if run("create", str(PART_POWER), str(replicas), str(MIN_PART_HOURS)) != 0:
            sys.exit("saio: could not create %s" % builder)
        for node in NODES:
            dev = "r1z%d-127.0.0.1:%d/sdb%d" % (node, port(server, node), node)
            if run("add", dev, "1") != 0:
                sys.exit("saio: could not add %s to %s" % (dev, builder))
        if run("rebalance", "--seed", "1") >= 2:
            sys.exit("saio: could not rebalance %s" % builder)
        if not os.path.exists(ring):
            sys.exit("saio: rebalance wrote no %s" % ring)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saio-dir", required=True)
    parser.add_argument("--proxy-port", type=int, default=8080)
    parser.add_argument("--memcached-port", type=int, default=11211)
    parser.add_argument("--rsync-port", type=int, default=8873)
    parser.add_argument("--dashboard-port", type=int, default=8090)
    parser.add_argument("--sync-cluster", default="east=http://127.0.0.1:8080/v1/",
                        help="this cluster's name=endpoint in the container sync realm")
    parser.add_argument("--sync-peers", default="",
                        help="the other clusters of the realm, name=endpoint ...")
    parser.add_argument("--sync-default-peers", default="",
                        help="the peers when --sync-peers is empty and the realm file names none")
    parser.add_argument("--sync-key-file", default="",
                        help="file holding the realm key (made if missing)")
    args = parser.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    etc = os.path.join(args.saio_dir, "etc")
    objstore_conf(etc, args.saio_dir)
    tierer_conf(args.saio_dir, etc)
    server_confs(args.saio_dir, etc, args.rsync_port)
    rsyncd_conf(args.saio_dir, etc, args.rsync_port)
    proxy_conf(etc, os.path.join(repo, "etc", "proxy-server.conf"), args.proxy_port,
               args.memcached_port, args.dashboard_port,
               current_sync_cluster=args.sync_cluster.partition("=")[0])
    sync_realms_conf(etc, args.sync_cluster, args.sync_peers,
                     args.sync_key_file or os.path.join(args.saio_dir, "sync-realm.key"),
                     args.sync_default_peers)
    dashboard_conf(etc, os.path.join(repo, "etc", "dashboard.conf"), args.dashboard_port,
                   args.proxy_port)
    builder_cmd = os.path.join(os.path.dirname(sys.executable), "objstore-ring-builder")
    rings(etc, builder_cmd)


if __name__ == "__main__":
    main()
