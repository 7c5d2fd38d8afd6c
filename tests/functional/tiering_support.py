"""Running the SAIO's tierer from tests, and reading what it did.

Passes run in this process (``Tierer.run_once``), one tierer kept per set
of options, so a pass costs its own work and not a process start and a
pipeline load. The SAIO's continuous tierer is held back meanwhile
(tests/support/tierer_pause.py)."""

import hashlib
import json
import os
import tempfile
import time
import urllib.request
from urllib.parse import quote

import pytest

from objstore.common.daemon import load_daemon_conf
from objstore.common.internal_client import InternalClient
from objstore.tiering.tierer import Tierer
from tests.functional.conftest import connect

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAIO_DIR = os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio"))
TIERER_CONF = os.path.join(SAIO_DIR, "etc", "tierer.conf")
PROXY = "http://127.0.0.1:%s" % os.environ.get("SAIO_PROXY_PORT", "8080")
#: the SAIO's tiers (saio/build.py): a 60 s window
WINDOW = 60
#: a tierer clock this far ahead sees every count of now out of its window
#: and every object as having sat in its tier a whole window
LATER = 3 * WINDOW

_TIERERS = {}


@pytest.fixture(scope="module")
def reseller(saio):
    """The reseller admin, who may use the tiering admin API."""
    return connect("reseller")


@pytest.fixture(scope="module")
def internal(saio):
    """The tierer's own way in (the proxy's [pipeline:tierer], in process)."""
    return InternalClient(os.path.join(SAIO_DIR, "etc", "proxy-server.conf"))


def tierer_conf(**options) -> str:
    """A copy of the SAIO's tierer.conf with ``options`` added to
    ``[object-tierer]``."""
    with open(TIERER_CONF) as fp:
        text = fp.read()
    text += "".join("%s = %s\n" % item for item in options.items())
    fd, path = tempfile.mkstemp(prefix="tierer-", suffix=".conf")
    with os.fdopen(fd, "w") as fp:
        fp.write(text)
    return path


def new_tierer(**options) -> Tierer:
    """A tierer of the SAIO's config with ``options`` (close its ``db``)."""
    conf = tierer_conf(**options)
    try:
        return Tierer(load_daemon_conf(conf, "object-tierer"))
    finally:
        os.unlink(conf)


def run_tierer(clock_offset=0.0, **options) -> str:
    """One pass of the tierer, ``clock_offset`` seconds "later"; returns
    its stats as text (for assertion messages)."""
    key = tuple(sorted(options.items()))
    if key not in _TIERERS:
        _TIERERS[key] = new_tierer(**options)
    tierer = _TIERERS[key]
    tierer.tiering.clock_offset = float(clock_offset)
    return repr(tierer.run_once())


def tier_of(conn, container, name):
    """The object's X-Object-Storage-Tier (its container's tier when not
    moved; None when its policy is no tier's)."""
    return conn.head_object(container, name).get("x-object-storage-tier")


def wait_for_tier(conn, container, name, tier, deadline_s=60, **options):
    """Run the tierer until the object is in ``tier`` (the proxies append
    their counts every second, so the first pass may not see them yet)."""
    deadline = time.time() + deadline_s
    while True:
        run_tierer(**options)
        got = tier_of(conn, container, name)
        if got == tier:
            return
        assert time.time() < deadline, "still in %r, not %r" % (got, tier)
        time.sleep(0.3)


def admin_get(proxy, token, what):
    req = urllib.request.Request(proxy + "/tiering/" + what, headers={"X-Auth-Token": token})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def wait_tracked(proxy, token, path, deadline_s=30):
    """Run the tierer (on the real clock) until it tracks ``path``: the
    proxies append their counts every second, so a PUT just made may not
    be in the first pass it runs."""
    deadline = time.time() + deadline_s
    while True:
        run_tierer()
        if admin_get(proxy, token, "status?path=" + path)["tracked"]:
            return
        assert time.time() < deadline, "the tierer never learnt of %s" % path
        time.sleep(0.3)


def hot(reseller, paths, count=50):
    """Make ``paths`` hot at once (a counts batch, as a CDN would send)."""
    req = urllib.request.Request(PROXY + "/tiering/counts", method="POST",
                                 data=json.dumps([{"path": p, "count": count}
                                                  for p in paths]).encode(),
                                 headers={"X-Auth-Token": reseller.get_auth()[1]})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 202


def tiers_bodies(internal, policy, path):
    """The bodies ``.tiers/<policy>`` holds for the object ``path`` (read
    as the tierer reads it: the hidden account is no client's)."""
    prefix = hashlib.md5(path.encode()).hexdigest() + "/"
    resp = internal.request("GET", "/v1/.tiers/" + policy,
                            query="format=json&prefix=" + quote(prefix))
    if resp.status_int == 404:
        return []
    assert resp.status_int == 200, resp.status
    return [r["name"] for r in json.loads(resp.body)]


def pass_with(step, action, enqueue=()):
    """One pass of the SAIO's tierer, in this process, that runs ``action()``
    once right after the move step ``step`` of its first move (a client's
    write landing exactly there), after queueing the moves ``enqueue``
    (``(path, to_tier)`` each). ``(stats, [path of that move])``."""
    tierer = new_tierer()
    real = tierer.mover.step_done
    fired = []

    def step_done(name, path):
        real(name, path)
        if name == step and not fired:
            fired.append(path)
            action()
    tierer.mover.step_done = step_done
    try:
        for path, to_tier in enqueue:
            assert tierer.db.enqueue(path, None, to_tier, "test", tierer.now())
        return tierer.run_once(), fired
    finally:
        tierer.db.close()
