"""Linux plumbing for saio/multihost: network namespaces joined by veth
links to one bridge, found again by name prefix, and processes stopped
with their whole session. iproute2 only; needs root (CAP_NET_ADMIN)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import List


def sh(*cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run a command; with ``check``, its failure raises with its stderr."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), proc.returncode,
                                                    proc.stderr.strip()))
    return proc


def namespaces(prefix: str) -> List[str]:
    """Network namespaces whose name starts with ``prefix``."""
    out = sh("ip", "netns", "list", check=False).stdout
    return [line.split()[0] for line in out.splitlines()
            if line.split() and line.split()[0].startswith(prefix)]


def links(prefix: str) -> List[str]:
    """Links of the root namespace whose name starts with ``prefix``."""
    out = sh("ip", "-o", "link", "show", check=False).stdout
    names = [line.split(":")[1].strip().split("@")[0] for line in out.splitlines()
             if line.count(":") >= 2]
    return [name for name in names if name.startswith(prefix)]


def make_bridge(name: str, cidr: str) -> None:
    """A bridge with address ``cidr`` (the root namespace's way in), up."""
    if name not in links(name):
        sh("ip", "link", "add", name, "type", "bridge")
        sh("ip", "addr", "add", cidr, "dev", name)
    sh("ip", "link", "set", name, "up")


def make_namespace(ns: str, link: str, bridge: str, cidr: str) -> None:
    """Namespace ``ns`` whose ``eth0`` (address ``cidr``) is the far end of
    veth ``link`` on ``bridge``; loopback up too. Idempotent."""
    if ns not in namespaces(ns):
        sh("ip", "netns", "add", ns)
    if link not in links(link):
        sh("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns)
        sh("ip", "-n", ns, "addr", "add", cidr, "dev", "eth0")
    sh("ip", "link", "set", link, "master", bridge, "up")
    sh("ip", "-n", ns, "link", "set", "eth0", "up")
    sh("ip", "-n", ns, "link", "set", "lo", "up")


def delete_namespaces(names: List[str]) -> None:
    """Stop every process in these namespaces (all signalled at once) and
    delete them (their veth ends go too)."""
    pids = [int(pid) for ns in names
            for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split()]
    kill_groups(pids)
    for ns in names:
        sh("ip", "netns", "del", ns, check=False)


def kill_group(pid: int, sig: int = signal.SIGTERM, wait: float = 5.0) -> None:
    """Signal a process and its session (workers); SIGKILL after ``wait``."""
    kill_groups([pid], sig, wait)


def kill_groups(pids: List[int], sig: int = signal.SIGTERM, wait: float = 5.0) -> None:
    """Signal processes and their sessions together; SIGKILL what is left
    after ``wait`` seconds."""
    for s in (sig, signal.SIGKILL):
        for pid in pids:
            try:
                os.killpg(pid, s)
            except (ProcessLookupError, PermissionError):
                try:
                    os.kill(pid, s)
                except ProcessLookupError:
                    pass
        deadline = time.time() + wait
        while time.time() < deadline:
            for pid in pids:
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
            pids = [p for p in pids if os.path.exists("/proc/%d" % p) and not is_zombie(p)]
            if not pids:
                return
            time.sleep(0.05)


def is_zombie(pid: int) -> bool:
    """Exited but not reaped (or gone): not running, whatever kill -0 says."""
    try:
        with open("/proc/%d/stat" % pid) as fp:
            return fp.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True
