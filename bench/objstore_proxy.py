"""A second objstore proxy on the running SAIO's storage servers, with a
pipeline of the benchmark's choosing: Swift's minimal bench pipeline by
default (objstore and the reference Swift compared through the same
middlewares), or the SAIO's own less some filters (encryption on/off,
tiering on/off). Its config is the SAIO's, with the port and the pipeline
replaced; it is written to ``tmp`` (which also gets its log)."""
from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from typing import Dict, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAIO_ETC = os.path.join(os.environ.get("SAIO_DIR", os.path.join(ROOT, ".saio")), "etc")
#: what bench/swift_saio.py's Swift proxy runs
MINIMAL_PIPELINE = ("catch_errors gatekeeper healthcheck proxy-logging cache tempauth "
                    "proxy-logging proxy-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/healthcheck")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def start(tmp: str, pipeline: Optional[str] = MINIMAL_PIPELINE, drop: str = "",
          name: str = "proxy-minimal", workers: Optional[int] = None,
          settings: Optional[Dict[str, str]] = None, env: Optional[Dict[str, str]] = None
          ) -> Tuple[subprocess.Popen, int]:
    """Start the proxy; ``(process, port)`` once it answers its healthcheck.

    ``pipeline=None`` keeps the SAIO's pipeline; ``drop`` (e.g.
    ``" keymaster encryption "``) is taken out of it; ``workers`` replaces
    the SAIO's number of worker processes; ``settings`` replaces (or adds to
    the proxy's section) other options; ``env`` is the process's environment
    (e.g. a ``PYTHONPATH`` to another tree's code, for an A/B run)."""
    text = open(os.path.join(SAIO_ETC, "proxy-server.conf")).read()
    port = free_port()
    text = re.sub(r"(?m)^bind_port = \d+$", "bind_port = %d" % port, text)
    if workers is not None:
        text = re.sub(r"(?m)^workers = \d+$", "workers = %d" % workers, text)
    if pipeline is not None:
        text = re.sub(r"(?m)^pipeline = .*$", "pipeline = " + pipeline, text)
    if pipeline == MINIMAL_PIPELINE:
        # Swift's bench proxy sends no StatsD metrics (two datagrams a
        # request, about 5% of the proxy's CPU on a small PUT): nor does this.
        text = re.sub(r"(?m)^log_statsd_host = .*$", "log_statsd_host =", text)
    if drop:
        text = text.replace(drop, " ", 1)
    for key, value in (settings or {}).items():
        line = "%s = %s" % (key, value)
        text, found = re.subn(r"(?m)^%s = .*$" % re.escape(key), line, text)
        if not found:
            text = text.replace("[app:proxy-server]\n", "[app:proxy-server]\n%s\n" % line, 1)
    conf = os.path.join(tmp, name + ".conf")
    with open(conf, "w") as fp:
        fp.write(text)
    log = open(os.path.join(tmp, name + ".log"), "ab")
    proc = subprocess.Popen([os.path.join(ROOT, ".venv", "bin", "objstore-proxy-server"), conf],
                            stdout=log, stderr=log, env=env)
    deadline = time.time() + 60
    while not _healthy(port):
        if time.time() > deadline or proc.poll() is not None:
            proc.terminate()
            sys.exit("the objstore proxy %s did not start; see %s" % (name, tmp))
        time.sleep(0.2)
    return proc, port
