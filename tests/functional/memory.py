"""Peak memory of the cluster's server processes during a test, so big
uploads and downloads can be shown to stream (flat RSS) instead of buffering."""

import os
import subprocess
import threading
from typing import Dict, Iterable, List

from tests.functional.conftest import REPO

RUN_DIR = os.path.join(REPO, ".saio", "run")


def server_pids(name: str) -> List[int]:
    """The workers of the SAIO server ``name`` (its supervisor if it has none)."""
    with open(os.path.join(RUN_DIR, "%s.pid" % name)) as fp:
        parent = fp.read().strip()
    out = subprocess.run(["ps", "--ppid", parent, "-o", "pid="], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()] or [int(parent)]


def rss_kb(pid: int) -> int:
    try:
        with open("/proc/%d/status" % pid) as fp:
            for line in fp:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    """Highest RSS (KiB) seen per server name, sampled every 0.2 s until stopped."""

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__(daemon=True)
        self.names = list(names)
        self.peak: Dict[str, int] = {name: 0 for name in self.names}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            for name in self.names:
                try:
                    pids = server_pids(name)
                except OSError:
                    continue
                for pid in pids:
                    self.peak[name] = max(self.peak[name], rss_kb(pid))

    def __enter__(self) -> "RssSampler":
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.done.set()
        self.join(5)
