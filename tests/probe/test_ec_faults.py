"""EC faults on the SAIO (policy ``ec21``: 2+1 over the four servers):
kill m object servers and GET still works; wipe a device and the
reconstructor rebuilds its archives."""

import glob
import json
import os
import shutil
import urllib.request
import uuid

import pytest

from probe_helpers import (NODES, REPO, account_of, copies_home, delete_container,
                           stop_server)

POLICY = "ec21"


@pytest.fixture
def ec_object(saio, conn):
    info = json.loads(urllib.request.urlopen("http://127.0.0.1:%s/info" % os.environ.get(
        "SAIO_PROXY_PORT", "8080"), timeout=10).read())
    if POLICY not in [p["name"] for p in info["swift"]["policies"]]:
        pytest.skip("the running SAIO has no %s policy; restart it" % POLICY)
    cont = "ecp-" + uuid.uuid4().hex[:8]
    conn.put_container(cont, headers={"X-Storage-Policy": POLICY})
    body = os.urandom(3 * 1048576 + 5)
    conn.put_object(cont, "o", body)
    # each primary holds its own fragment (the tests stop and wipe primaries)
    part, primaries = copies_home(account_of(conn), cont, "o", policy=POLICY)
    yield cont, body, part, primaries
    from targeted import down, restart
    restart(down())  # the servers a test stopped (saio/start if that fails)
    delete_container(conn, cont)


def test_get_survives_m_dead_object_servers(conn, ec_object):
    cont, body, _part, primaries = ec_object
    stop_server("object-%d" % primaries[0])  # m = 1
    assert conn.get_object(cont, "o")[1] == body


def test_reconstructor_rebuilds_a_wiped_device(conn, ec_object):
    cont, body, part, primaries = ec_object
    victim = primaries[1]
    found = glob.glob(os.path.join(REPO, ".saio", "srv", "*", "node", "sdb%d" % victim,
                                   "objects-1", str(part)))
    assert found, "the victim holds no archive of the object"
    for path in found:
        shutil.rmtree(path)
    from targeted import replicate
    replicate([part], NODES, "object-reconstructor")  # the object's partition, every node
    rebuilt = glob.glob(os.path.join(REPO, ".saio", "srv", "*", "node", "sdb%d" % victim,
                                     "objects-1", str(part), "*", "*", "*#1#d.data"))
    assert rebuilt
    stop_server("object-%d" % primaries[0])  # now decode needs the rebuilt archive
    assert conn.get_object(cont, "o")[1] == body
