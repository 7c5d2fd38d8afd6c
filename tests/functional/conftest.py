"""Functional tests run against the live all-in-one cluster (saio/start).

One cluster is shared by the whole run; if it is not up, the first test
that needs it starts it. Each test works in containers with unique names,
so tests never see each other's data.
"""

import os
import subprocess
import time
import urllib.request
import uuid

import pytest
import swiftclient

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROXY = os.environ.get("OBJSTORE_PROXY", "http://127.0.0.1:8080")
AUTH_URL = PROXY + "/auth/v1.0"
USERS = {
    "admin": ("test:tester", "testing"),
    "other": ("test2:tester2", "testing2"),
    "nonadmin": ("test:tester3", "testing3"),
    "service": ("test5:tester5", "testing5"),
    "reseller": ("admin:admin", "admin"),
}


def _healthy() -> bool:
    try:
        return urllib.request.urlopen(PROXY + "/healthcheck", timeout=2).status == 200
    except Exception:
        return False


@pytest.fixture(scope="session")
def saio():
    """Make sure the cluster is up (start it if needed)."""
    if not _healthy():
        subprocess.run([os.path.join(REPO, "saio", "start")], check=True)
    deadline = time.time() + 60
    while not _healthy():
        assert time.time() < deadline, "the all-in-one cluster never became healthy"
        time.sleep(0.2)
    return PROXY


def connect(user: str = "admin", **kwargs) -> swiftclient.Connection:
    name, key = USERS[user]
    return swiftclient.Connection(AUTH_URL, name, key, retries=0, **kwargs)


@pytest.fixture(scope="session")
def conn(saio):
    return connect("admin")


@pytest.fixture(scope="session")
def conn_nonadmin(saio):
    return connect("nonadmin")


@pytest.fixture(scope="session")
def conn_other(saio):
    return connect("other")


@pytest.fixture
def container(conn):
    """A fresh container for one test, removed (with its objects) afterwards."""
    name = "fn-" + uuid.uuid4().hex[:12]
    conn.put_container(name)
    yield name
    try:
        _, objs = conn.get_container(name, full_listing=True)
        for obj in objs:
            conn.delete_object(name, obj["name"])
        conn.delete_container(name)
    except swiftclient.ClientException:
        pass


def swift_cli(*args: str, user: str = "admin", cwd: str = None) -> subprocess.CompletedProcess:
    """Run the real ``swift`` CLI against the cluster."""
    name, key = USERS[user]
    exe = os.path.join(REPO, ".venv", "bin", "swift")
    return subprocess.run([exe, "-A", AUTH_URL, "-U", name, "-K", key, *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)
