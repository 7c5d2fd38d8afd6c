"""Functional tests run against the live all-in-one cluster (saio/start).

One cluster is shared by the whole run; if it is not up, the first test
that needs it starts it. Each test works in containers with unique names,
so tests never see each other's data.
"""

import glob
import os
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
import swiftclient

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "support"))
from swift_cleanup import delete_container as delete_container_eventually  # noqa: E402
from leftovers import SessionCheck  # noqa: E402
from tests.support.sockets import read_to_close  # noqa: E402
PROXY = os.environ.get("OBJSTORE_PROXY", "http://127.0.0.1:%s" % os.environ.get("SAIO_PROXY_PORT", "8080"))
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


@pytest.fixture(scope="session", autouse=True)
def nothing_left_behind(saio):
    """At the end of the session, no container, bucket (or bucket name),
    account header or account the tests made may remain
    (tests/support/leftovers.py)."""
    check = SessionCheck.shared(PROXY, os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio")))
    check.start()
    yield
    left = check.finish()
    assert left == [], "the tests left these behind:\n  " + "\n  ".join(left)


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
    delete_container_eventually(conn, name)


@pytest.fixture(scope="session")
def delete_container(saio):
    """``delete_container(conn, name)``: empty and delete a container a test
    made itself, retrying while its listing lags (tests/support/swift_cleanup)."""
    return delete_container_eventually


def swift_cli(*args: str, user: str = "admin", cwd: str = None) -> subprocess.CompletedProcess:
    """Run the real ``swift`` CLI against the cluster."""
    name, key = USERS[user]
    exe = os.path.join(REPO, ".venv", "bin", "swift")
    return subprocess.run([exe, "-A", AUTH_URL, "-U", name, "-K", key, *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


# --- Added for the Swift API functional tests (issue 5): raw HTTP access. ---
# swiftclient hides statuses and headers the API reference pins down
# (204 vs 200, quoting, exact error codes), so those tests speak HTTP directly.

import http.client  # noqa: E402
import json as _json  # noqa: E402
import socket  # noqa: E402
import urllib.parse  # noqa: E402
from dataclasses import dataclass  # noqa: E402

http.client._MAXHEADERS = 1000  # responses may carry up to 90 metadata headers


@dataclass
class RawResponse:
    status: int
    reason: str
    headers: "http.client.HTTPMessage"
    body: bytes

    def json(self):
        return _json.loads(self.body)


class SwiftHTTP:
    """Raw HTTP requests to the proxy with a tempauth token per user."""

    def __init__(self, proxy: str) -> None:
        parsed = urllib.parse.urlsplit(proxy)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self._auth = {}

    def connection(self, timeout: float = 60) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def auth(self, user: str = "admin"):
        """(storage_url, token) for ``user``, fetched once per session."""
        if user not in self._auth:
            name, key = USERS[user]
            resp = self.request("GET", "/auth/v1.0", user=None,
                                headers={"X-Auth-User": name, "X-Auth-Key": key})
            assert resp.status == 200, "auth for %s failed: %s %r" % (name, resp.status, resp.body)
            self._auth[user] = (resp.headers["X-Storage-Url"], resp.headers["X-Auth-Token"])
        return self._auth[user]

    def path(self, *parts: str, user: str = "admin", account: str = None) -> str:
        """Quoted ``/v1/<account>/<parts...>``; the account is the user's own by default."""
        base = urllib.parse.urlsplit(self.auth(user)[0]).path if account is None else "/v1/" + account
        return "/".join([base] + [urllib.parse.quote(p, safe="") for p in parts])

    @staticmethod
    def eventually(fn, status: int, timeout: float = 30.0) -> RawResponse:
        """Poll ``fn`` until it answers ``status`` (ACLs and account info are
        cached per proxy worker for a moment); the last answer either way."""
        deadline = time.time() + timeout
        while True:
            resp = fn()
            if resp.status == status or time.time() > deadline:
                return resp
            time.sleep(0.1)

    def request(self, method: str, path: str, headers: dict = None, body=None,
                user: str = "admin", timeout: float = 60) -> RawResponse:
        """One request; ``user=None`` sends no token. ``path`` is sent as given."""
        headers = dict(headers or {})
        if user is not None and not any(k.lower() in ("x-auth-token", "x-storage-token")
                                        for k in headers):
            headers["X-Auth-Token"] = self.auth(user)[1]
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            return RawResponse(resp.status, resp.reason, resp.headers, data)
        finally:
            conn.close()


def raw_http(method: str, target: bytes, headers: bytes = b"", body: bytes = b"") -> bytes:
    """One request sent byte for byte (``target`` and ``headers`` as raw
    bytes, e.g. unquoted UTF-8 or control characters, which http.client
    refuses); the whole raw answer. ``headers`` are CRLF-terminated lines."""
    host = urllib.parse.urlsplit(PROXY)
    with socket.create_connection((host.hostname, host.port or 80), timeout=30) as sock:
        sock.sendall(b"%s %s HTTP/1.1\r\nHost: x\r\n%sContent-Length: %d\r\n"
                     b"Connection: close\r\n\r\n%s" % (method.encode(), target, headers,
                                                       len(body), body))
        return read_to_close(sock)


def poll(fn, check, timeout: float = 30.0):
    """Call ``fn`` until ``check(result)`` holds (counts and listings that
    reach the account or container a moment later); the last result."""
    deadline = time.time() + timeout
    while True:
        result = fn()
        if check(result) or time.time() > deadline:
            return result
        time.sleep(0.1)


def run_object_daemon(daemon: str) -> None:
    """One pass (``--once``) of ``daemon`` (``object-expirer``,
    ``object-updater``) on every object server of the SAIO."""
    saio_dir = os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio"))
    confs = sorted(glob.glob(os.path.join(saio_dir, "etc", "object-server", "*.conf")))
    assert confs
    for conf in confs:
        subprocess.run([os.path.join(REPO, ".venv", "bin", "objstore-" + daemon), conf,
                        "--once"], capture_output=True, timeout=120, check=True)


def run_expirers() -> None:
    """One pass of every object server's expirer (``--once``)."""
    run_object_daemon("object-expirer")


def expire_until(delete_at: int, done, timeout: float = 60.0) -> None:
    """Wait for ``delete_at`` (an X-Delete-At) to pass, then run the
    expirers until ``done()`` holds. On a loaded machine a container server
    may answer the expirer's update later than the object server waits, and
    the update is then left to the object-updater: it runs too, before the
    next try. No fixed sleep: the good path costs one expirer pass."""
    deadline = time.time() + timeout
    while time.time() <= delete_at:
        assert time.time() < deadline, "X-Delete-At %d never passed" % delete_at
        time.sleep(0.05)
    run_expirers()
    while not done():
        assert time.time() < deadline, "still not expired %.0f s after X-Delete-At" % timeout
        run_object_daemon("object-updater")
        run_expirers()


@pytest.fixture(scope="session")
def http_api(saio):
    """Raw HTTP client: ``http_api.request(method, path, headers, body, user=...)``."""
    return SwiftHTTP(saio)


@pytest.fixture(scope="session")
def connect_as(saio):
    """``connect_as("nonadmin")``: a swiftclient Connection for another user."""
    return connect


@pytest.fixture(scope="session")
def cli(saio):
    """``cli("list", "c", user="admin")``: run the real swift CLI."""
    return swift_cli
