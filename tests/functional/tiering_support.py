"""Running the SAIO's tierer from tests, and reading what it did."""

import os
import subprocess
import tempfile
import time
import urllib.request
import json

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAIO_DIR = os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio"))
TIERER_CONF = os.path.join(SAIO_DIR, "etc", "tierer.conf")
TIERER = os.path.join(REPO, ".venv", "bin", "objstore-tierer")
#: the SAIO's tiers (saio/build.py): a 60 s window
WINDOW = 60
#: a tierer clock this far ahead sees every count of now out of its window
#: and every object as having sat in its tier a whole window
LATER = 3 * WINDOW


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


def run_tierer(**options) -> str:
    """One pass of the tierer (``--once``); returns its log."""
    conf = tierer_conf(**options)
    try:
        done = subprocess.run([TIERER, conf, "--once", "-v"], capture_output=True, text=True,
                              timeout=300)
    finally:
        os.unlink(conf)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr


def tier_of(conn, container, name):
    """The object's X-Object-Storage-Tier (None when in its container's own)."""
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
        time.sleep(0.5)


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
        time.sleep(0.5)
