"""The object server never keeps an object's file open once it has
answered: every way a GET or HEAD can end (a client gone mid-body, no body
at all, a conditional or range refusal, a quarantine) gives the ``.data``
file back. Counted in the real server's ``/proc/<pid>/fd``."""

import http.client
import os
import socket
import uuid

import pytest

from objstore.common.timestamp import Timestamp

SMALL = b"s" * 3000
#: past the server's check-before-send limit (VERIFY_FIRST_BYTES): streamed unchecked
BIG = b"b" * (9 * 1024 * 1024 + 5)
ROUNDS = 8


def _open_data_files(server):
    fd_dir = "/proc/%d/fd" % server.proc.pid
    found = []
    for name in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, name))
        except OSError:
            continue  # closed while listed
        if ".data" in target:
            found.append(target)
    return found


def _put(server, body):
    path = "/sda1/7/a/c/fd-%s" % uuid.uuid4().hex
    headers = {"X-Timestamp": Timestamp.now().internal, "Content-Type": "text/plain",
               "Content-Length": str(len(body))}
    status, _h, _b = server.request("PUT", path, headers, body)
    assert status == 201
    return path


def _send(server, method, path, headers=None, read=0):
    """Send one request on a raw socket, read ``read`` bytes of the answer
    (head included) and hang up."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        head = "%s %s HTTP/1.1\r\nHost: x\r\n" % (method, path)
        head += "".join("%s: %s\r\n" % kv for kv in (headers or {}).items())
        sock.sendall(head.encode() + b"\r\n")
        got = b""
        while len(got) < read:
            piece = sock.recv(min(65536, read - len(got)))
            if not piece:
                break
            got += piece
        return got
    finally:
        sock.close()


@pytest.fixture(scope="module")
def objects(shared_server):
    return {"small": _put(shared_server, SMALL), "big": _put(shared_server, BIG)}


def _settles_to_none(server, helpers):
    return helpers.poll(lambda: not _open_data_files(server), deadline=20)


CASES = {
    "full GET, client gone after the head": ("GET", {}, 200),
    "full GET, client gone mid-body": ("GET", {}, 70000),
    "HEAD": ("HEAD", {}, 200),
    "304": ("GET", {"If-None-Match": "*"}, 100),
    "412": ("GET", {"If-Match": '"nope"'}, 100),
    "416": ("GET", {"Range": "bytes=99999999-"}, 100),
    "ranged GET, client gone mid-body": ("GET", {"Range": "bytes=10-2000000"}, 70000),
    "multi-range GET, client gone mid-body": (
        "GET", {"Range": "bytes=0-1,5-6,100-3000000"}, 70000),
    "ranged GET, client gone before the body": ("GET", {"Range": "bytes=10-20"}, 0),
}


@pytest.mark.parametrize("size", ["small", "big"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_an_answered_read_gives_the_data_file_back(shared_server, objects, helpers, case, size):
    method, headers, read = CASES[case]
    if size == "small":
        read = min(read, 1500)  # still mid-body: the answer is longer than that
    for _ in range(ROUNDS):
        _send(shared_server, method, objects[size], headers, read)
    # a request still in flight holds its file: wait for none, then judge
    assert _settles_to_none(shared_server, helpers), _open_data_files(shared_server)
    assert shared_server.request("GET", objects[size])[0] == 200


def _data_file(server, path):
    from objstore.obj.diskfile import DiskFileManager

    _, dev, part, a, c, o = path.split("/", 5)
    df = DiskFileManager(server.conf).get_diskfile(dev, part, a, c, o)
    names = [n for n in os.listdir(df.datadir) if n.endswith(".data")]
    return os.path.join(df.datadir, names[0])


@pytest.mark.parametrize("body", [SMALL, BIG], ids=["checked before sending", "streamed"])
def test_a_damaged_object_is_quarantined_and_its_file_given_back(shared_server, helpers, body):
    path = _put(shared_server, body)
    with open(_data_file(shared_server, path), "r+b") as fp:
        fp.write(b"X")  # same length, other bytes
    try:
        got = shared_server.request("GET", path)[2]
    except http.client.IncompleteRead as err:
        got = err.partial
    assert got != body  # a 404 before any byte, or a body ended short
    assert helpers.poll(lambda: shared_server.request("GET", path)[0] == 404)
    assert _settles_to_none(shared_server, helpers), _open_data_files(shared_server)


# -- in-process: the callers the socket server does not stand for ----------

def _data_fds_here():
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink("/proc/self/fd/" + name)
        except OSError:
            continue
        if ".data" in target:
            found.append(target)
    return found


def _in_process_put(app, body, path="/sda1/7/a/c/o"):
    from webob import Request

    req = Request.blank(path, method="PUT", headers={
        "X-Timestamp": Timestamp.now().internal, "Content-Type": "text/plain"})
    req.body = body
    assert req.get_response(app).status_int == 201
    return path


def _environ(path, headers=None):
    from webob import Request

    return Request.blank(path, headers=headers or {}).environ


@pytest.mark.parametrize("headers", [{}, {"Range": "bytes=1-5"}, {"Range": "bytes=0-1,3-4"}],
                         ids=["whole", "ranged", "multi-range"])
def test_an_answer_dropped_unclosed_by_an_in_process_caller_gives_the_file_back(app, headers):
    path = _in_process_put(app, SMALL)
    before = _data_fds_here()
    for _ in range(ROUNDS):
        body = app(_environ(path, headers), lambda *args: None)
        del body  # neither iterated nor closed
    assert _data_fds_here() == before


def test_a_read_error_before_the_answer_gives_the_file_back(app, monkeypatch):
    from objstore.obj import reader

    def failing_read(self):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(reader.DiskFileReader, "verify_whole", failing_read)
    path = _in_process_put(app, SMALL)
    before = _data_fds_here()
    statuses = []
    for _ in range(ROUNDS):
        body = app(_environ(path), lambda status, *args: statuses.append(status))
        body.close()
    assert [s[:3] for s in statuses] == ["500"] * ROUNDS
    assert _data_fds_here() == before


def test_a_quarantine_that_fails_still_gives_the_file_back(app, monkeypatch):
    path = _in_process_put(app, SMALL)
    df = app.mgr.get_diskfile("sda1", "7", "a", "c", "o")
    data = [n for n in os.listdir(df.datadir) if n.endswith(".data")][0]
    with open(os.path.join(df.datadir, data), "r+b") as fp:
        fp.write(b"X")

    def failing_quarantine(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(app.mgr, "quarantine", failing_quarantine)
    before = _data_fds_here()
    statuses = []
    for _ in range(ROUNDS):
        body = app(_environ(path), lambda status, *args: statuses.append(status))
        body.close()
    assert [s[:3] for s in statuses] == ["500"] * ROUNDS
    assert _data_fds_here() == before
