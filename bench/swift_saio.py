"""A minimal real OpenStack Swift cluster on loopback, for comparison runs.

    .venv/bin/python bench/swift_saio.py start [--swift-venv /tmp/swiftvenv]
    .venv/bin/python bench/swift_saio.py status
    .venv/bin/python bench/swift_saio.py stop      # stops it and deletes its data

Why a cluster of our own rather than a container image: the figures in
``docs/performance.md`` compare objstore with Swift on the same disk, the
same two cores and in the same run, so both must be plain processes here.

Layout, shaped like objstore's SAIO so the two do the same work per request:

- 4 devices as directories (``mount_check = false``), one per "node";
- node N (1..4): object server ``160N0``, container ``160N1``, account
  ``160N2``, one worker each; proxy on ``16080`` with 2 workers, tempauth
  (``test:tester`` / ``testing``) and a memcached of its own on ``16000``
  (tempauth keeps its tokens there; objstore's memcached is not shared);
- rings built with ``swift-ring-builder``: part power 10, 3 replicas.

``SWIFT_REF_PORT_BASE`` (default 16000) moves every port: memcached on the
base, node servers on base + 10 N + 0/1/2, the proxy on base + 80, so a
second reference can run beside the first (with its own ``--dir``: the
rings of a directory keep the ports they were built with).

Everything lives under ``--dir`` (default ``/tmp/objstore-bench-swift``).
Swift is not installed into the project venv: it comes from a venv of its
own (``python3 -m venv /tmp/swiftvenv && /tmp/swiftvenv/bin/pip install
swift==2.38.3``), and only its console scripts are run.

What can go wrong: the object server needs user xattrs on the filesystem
holding ``--dir`` (ext4 and xfs have them; tmpfs only with a recent kernel);
Swift logs to syslog, and with no ``/dev/log`` it falls back to UDP on
127.0.0.1:514 where nothing listens, so its logs are lost (``log/*.log``
holds only what the servers print at start and on a crash).
"""
from __future__ import annotations

import argparse
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from typing import Dict, List, Tuple

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "saio"))
import build  # noqa: E402  (saio/build.py: the SAIO's EC policy)

DEFAULT_DIR = "/tmp/objstore-bench-swift"
DEFAULT_VENV = "/tmp/swiftvenv"
PORT_BASE = int(os.environ.get("SWIFT_REF_PORT_BASE", "16000"))
PROXY_PORT = PORT_BASE + 80
MEMCACHED_PORT = PORT_BASE
NODES = 4
PART_POWER = 10
REPLICAS = 3
AUTH_URL = "http://127.0.0.1:%d/auth/v1.0" % PROXY_PORT

_SERVER_KINDS = (("object", 0), ("container", 1), ("account", 2))


def _port(kind: str, node: int) -> int:
    return PORT_BASE + node * 10 + dict(_SERVER_KINDS)[kind]


def _servers(root: str) -> List[Tuple[str, str, str, int]]:
    """(name, console script, conf path, port) of every server."""
    out = []
    for kind, _ in _SERVER_KINDS:
        for n in range(1, NODES + 1):
            out.append(("%s-%d" % (kind, n), "swift-%s-server" % kind,
                        os.path.join(root, "etc", "%s-server" % kind, "%d.conf" % n),
                        _port(kind, n)))
    out.append(("proxy", "swift-proxy-server",
                os.path.join(root, "etc", "proxy-server.conf"), PROXY_PORT))
    return out


_SWIFT_CONF = """\
[swift-hash]
swift_hash_path_prefix = objstore-bench
swift_hash_path_suffix = objstore-bench

[storage-policy:0]
name = gold
default = yes
"""

#: ``--ec``: an erasure-coded policy beside the default one, the SAIO's own
#: section (saio/build.py), so both clusters cut objects the same way.
EC_POLICY_NAME = build.EC_POLICY_NAME
_EC_POLICY = build.EC_POLICY
#: a copy of /etc holding swift/swift.conf, seen as /etc by this cluster only
_PRIVATE_ETC = "sysetc"
_BIND_ETC = 'mount --bind "$0" /etc && exec "$@"'

_PROXY_CONF = """\
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
workers = {workers}
user = {user}
swift_dir = {etc}
log_name = proxy-server

[pipeline:main]
pipeline = {pipeline}

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:{memcached}
# As objstore's SAIO: 4 idle connections a worker (Swift's default is 2).
memcache_max_connections = 4

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
{more_users}
{more_filters}"""

# The bench compares request paths of equal weight: the few middlewares both
# proxies need. The conformance harness compares what a client sees, so its
# Swift runs the pipeline a Swift SAIO ships with (plus s3api, and
# domain_remap for storage_domain example.com as objstore's SAIO has it, so
# Swift's own domain_remap tests run on both), and the same users as
# objstore's SAIO.
_MINIMAL_PIPELINE = ("catch_errors gatekeeper healthcheck proxy-logging cache tempauth "
                     "proxy-logging proxy-server")
_FULL_PIPELINE = ("catch_errors gatekeeper healthcheck proxy-logging domain_remap cache "
                  "listing_formats "
                  "bulk tempurl ratelimit formpost s3api tempauth staticweb copy "
                  "container-quotas account-quotas slo dlo versioned_writes symlink "
                  "proxy-logging proxy-server")
_FULL_USERS = """\
user_test_tester2 = testing2 .admin
user_test_tester3 = testing3
user_test2_tester2 = testing2 .admin
user_test5_tester5 = testing5 service
user_admin_admin = admin .admin .reseller_admin
"""
_FULL_FILTERS = """\
[filter:domain_remap]
use = egg:swift#domain_remap
storage_domain = example.com

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:bulk]
use = egg:swift#bulk

[filter:tempurl]
use = egg:swift#tempurl

[filter:ratelimit]
use = egg:swift#ratelimit

[filter:formpost]
use = egg:swift#formpost

[filter:s3api]
use = egg:swift#s3api
location = us-east-1

[filter:staticweb]
use = egg:swift#staticweb

[filter:copy]
use = egg:swift#copy

[filter:container-quotas]
use = egg:swift#container_quotas

[filter:account-quotas]
use = egg:swift#account_quotas

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_versioned_writes = true
allow_object_versioning = true

[filter:symlink]
use = egg:swift#symlink
"""

_STORAGE_CONF = """\
[DEFAULT]
devices = {devices}
mount_check = false
bind_ip = 127.0.0.1
bind_port = {port}
workers = {workers}
user = {user}
swift_dir = {etc}
log_name = {kind}-server-{node}

[pipeline:main]
pipeline = healthcheck {kind}-server

[filter:healthcheck]
use = egg:swift#healthcheck

[app:{kind}-server]
use = egg:swift#{kind}

[{kind}-replicator]

[{kind}-auditor]

[{kind}-updater]
"""


def _user() -> str:
    # Swift's workers drop privileges to this user (default "swift").
    return pwd.getpwuid(os.getuid()).pw_name


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)


def build(root: str, venv: str, full: bool = False, ec: bool = False,
          single: bool = False) -> None:
    """Write configs, make device dirs and build the three rings (once).

    ``single`` runs each server as one process (``workers = 0``) instead of
    a parent and its workers: an idle Swift parent polls its children 100
    times a second, about 1% of a core each, 13% for the cluster, which a
    reference idling through a whole test session should not cost.

    ``full`` runs the proxy with a Swift SAIO's middlewares (for conformance
    comparisons) instead of the bench's minimal pipeline.

    Swift reads its storage policies from ``/etc/swift/swift.conf`` whatever
    ``swift_dir`` says (only rings come from there), and that file is the
    machine's, read by every Swift here. So ``ec`` (a 2+1 policy named
    ``ec21`` with its ring) puts a copy of ``/etc`` with ``swift/swift.conf``
    under ``root`` and ``start`` runs each server in a mount namespace of
    its own where that copy is ``/etc`` (``unshare -m``): nothing outside
    this cluster sees it.
    """
    etc = os.path.join(root, "etc")
    swift_conf = _SWIFT_CONF + (_EC_POLICY if ec else "")
    _write(os.path.join(etc, "swift.conf"), swift_conf)
    if ec:
        private = os.path.join(root, _PRIVATE_ETC)
        if not os.path.isdir(private):
            os.makedirs(private)
            # unreadable odds and ends of /etc may fail to copy; Swift needs none of them
            subprocess.run(["cp", "-a", "/etc/.", private], stderr=subprocess.DEVNULL)
        _write(os.path.join(private, "swift", "swift.conf"), swift_conf)
    _write(os.path.join(etc, "proxy-server.conf"),
           _PROXY_CONF.format(port=PROXY_PORT, etc=etc, memcached=MEMCACHED_PORT,
                               user=_user(), workers=0 if single else 2,
                               pipeline=_FULL_PIPELINE if full else _MINIMAL_PIPELINE,
                               more_users=_FULL_USERS if full else "",
                               more_filters=_FULL_FILTERS if full else ""))
    for kind, _ in _SERVER_KINDS:
        for n in range(1, NODES + 1):
            devices = os.path.join(root, "srv", str(n), "node")
            os.makedirs(os.path.join(devices, "sdb%d" % n), exist_ok=True)
            _write(os.path.join(etc, "%s-server" % kind, "%d.conf" % n),
                   _STORAGE_CONF.format(devices=devices, port=_port(kind, n), etc=etc,
                                        kind=kind, node=n, user=_user(),
                                        workers=0 if single else 1))
    rb = os.path.join(venv, "bin", "swift-ring-builder")
    rings = [(kind, kind) for kind, _ in _SERVER_KINDS] + ([("object-1", "object")] if ec else [])
    for ring, kind in rings:
        builder = os.path.join(etc, "%s.builder" % ring)
        if os.path.exists(os.path.join(etc, "%s.ring.gz" % ring)):
            continue
        subprocess.run([rb, builder, "create", str(PART_POWER), str(REPLICAS), "1"],
                       check=True, stdout=subprocess.DEVNULL)
        for n in range(1, NODES + 1):
            subprocess.run([rb, builder, "add", "r1z%d-127.0.0.1:%d/sdb%d" % (n, _port(kind, n), n),
                            "100"], check=True, stdout=subprocess.DEVNULL)
        # rebalance exits 1 on warnings (e.g. few devices); the ring file decides.
        subprocess.run([rb, builder, "rebalance"], stdout=subprocess.DEVNULL)
        if not os.path.exists(os.path.join(etc, "%s.ring.gz" % ring)):
            raise RuntimeError("swift-ring-builder did not write %s.ring.gz; run "
                               "%s %s rebalance to see why" % (ring, rb, builder))


def _pid_alive(pidfile: str) -> bool:
    try:
        with open(pidfile) as fh:
            os.kill(int(fh.read().strip()), 0)
        return True
    except (OSError, ValueError):
        return False


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthcheck" % port, timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def start(root: str = DEFAULT_DIR, venv: str = DEFAULT_VENV, timeout: float = 60.0,
          full: bool = False, ec: bool = False, single: bool = False) -> str:
    """Bring the cluster up (building it first if needed); return the auth URL.
    ``ec``: with the ``ec21`` policy too (see ``build``)."""
    if not os.path.exists(os.path.join(venv, "bin", "swift-proxy-server")):
        raise RuntimeError("no Swift in %s: python3 -m venv %s && %s/bin/pip install swift==2.38.3"
                           % (venv, venv, venv))
    build(root, venv, full, ec, single)
    private = os.path.join(root, _PRIVATE_ETC)
    namespace = ["unshare", "-m", "sh", "-c", _BIND_ETC, private] if os.path.isdir(private) \
        else []
    run, log = os.path.join(root, "run"), os.path.join(root, "log")
    os.makedirs(run, exist_ok=True)
    os.makedirs(log, exist_ok=True)
    mc_pid = os.path.join(run, "memcached.pid")
    if not _pid_alive(mc_pid):
        subprocess.run(["memcached", "-d", "-l", "127.0.0.1", "-p", str(MEMCACHED_PORT), "-U", "0",
                        "-m", "64", "-P", mc_pid, "-u", _user()], check=True)
    for name, script, conf, port in _servers(root):
        pidfile = os.path.join(run, name + ".pid")
        if _pid_alive(pidfile):
            continue
        if _healthy(port):
            raise RuntimeError("port %d (%s) is served by a process this script did not start"
                               % (port, name))
        with open(os.path.join(log, name + ".log"), "ab") as out:
            proc = subprocess.Popen(namespace + [os.path.join(venv, "bin", script), conf],
                                    stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        _write(pidfile, str(proc.pid))
    deadline = time.time() + timeout
    for name, _, _, port in _servers(root):
        while not _healthy(port):
            if not _pid_alive(os.path.join(run, name + ".pid")):
                raise RuntimeError("swift %s died at start; see %s" %
                                   (name, os.path.join(log, name + ".log")))
            if time.time() > deadline:
                raise RuntimeError("swift %s not healthy on :%d after %.0fs" % (name, port, timeout))
            time.sleep(0.2)
    return AUTH_URL


def stop(root: str = DEFAULT_DIR, wipe: bool = True) -> None:
    """Stop every process this script started (by pid file); delete the data
    unless ``wipe`` is false."""
    run = os.path.join(root, "run")
    pids: Dict[str, int] = {}
    if os.path.isdir(run):
        for fn in os.listdir(run):
            try:
                with open(os.path.join(run, fn)) as fh:
                    pids[fn] = int(fh.read().strip())
            except (OSError, ValueError):
                continue
    for fn, pid in pids.items():
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.time() + 10
    for pid in pids.values():
        while time.time() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.1)
    if wipe:
        shutil.rmtree(root, ignore_errors=True)
    else:  # a stale pid file would name some other process by the next start
        for fn in pids:
            try:
                os.unlink(os.path.join(run, fn))
            except OSError:
                pass


def status_quiet(root: str = DEFAULT_DIR) -> bool:
    """True when every server of the cluster answers its healthcheck."""
    return all(_healthy(port) for _, _, _, port in _servers(root))


def status(root: str = DEFAULT_DIR) -> bool:
    up = True
    for name, _, _, port in _servers(root):
        ok = _healthy(port)
        up = up and ok
        print("  %-12s port %-6d %s" % (name, port, "running" if ok else "down"))
    return up


def main(argv: List[str] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("action", choices=["start", "stop", "status"])
    p.add_argument("--dir", default=DEFAULT_DIR)
    p.add_argument("--swift-venv", default=DEFAULT_VENV)
    p.add_argument("--keep-data", action="store_true", help="stop without deleting --dir")
    p.add_argument("--full", action="store_true",
                   help="run a Swift SAIO's middlewares (slo, dlo, copy, s3api, ...) and its users")
    p.add_argument("--single-process", action="store_true",
                   help="each server one process (workers = 0), no parent polling its workers")
    p.add_argument("--ec", action="store_true",
                   help="add an erasure-coded 2+1 policy named %s (needs unshare -m)"
                   % EC_POLICY_NAME)
    a = p.parse_args(argv)
    if a.action == "start":
        print(start(a.dir, a.swift_venv, full=a.full, ec=a.ec, single=a.single_process))
    elif a.action == "stop":
        stop(a.dir, wipe=not a.keep_data)
    else:
        return 0 if status(a.dir) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
