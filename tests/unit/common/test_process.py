import os
import stat

import pytest

from objstore.common import process
from objstore.common.http_client import ConnectionPool


def _in_child(check) -> int:
    """Run ``check`` in a forked child; its exit status (0: it held)."""
    child = os.fork()
    if child == 0:  # pragma: no cover (the child's coverage is not collected)
        try:
            os._exit(0 if check() else 1)
        except BaseException:
            os._exit(2)
    _pid, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


def test_pid_is_this_process_id_before_and_after_a_fork():
    assert process.pid() == os.getpid()
    parent = os.getpid()
    assert _in_child(lambda: process.pid() == os.getpid() != parent) == 0
    assert process.pid() == parent


def test_a_forked_child_starts_with_an_empty_connection_pool():
    pool = ConnectionPool()
    pool._own()[("127.0.0.1", 1)] = ["inherited socket"]
    assert _in_child(lambda: pool._own() == {} and pool.get("127.0.0.1", 1) is None) == 0
    assert pool._own() == {("127.0.0.1", 1): ["inherited socket"]}


def test_mkstemp_opens_a_new_private_file(tmp_path):
    fd, path = process.mkstemp(str(tmp_path), ".obj-", ".tmp")
    try:
        name = os.path.basename(path)
        assert os.path.isabs(path) and os.path.dirname(path) == str(tmp_path)
        assert name.startswith(".obj-") and name.endswith(".tmp") and len(name) == 5 + 8 + 4
        assert stat.S_IMODE(os.fstat(fd).st_mode) == 0o600
        assert os.path.samestat(os.fstat(fd), os.stat(path)) and os.path.getsize(path) == 0
        assert os.get_inheritable(fd) is False
        os.write(fd, b"x")
        assert os.pread(fd, 1, 0) == b"x"  # read and write
    finally:
        os.close(fd)
    assert len({process.mkstemp(str(tmp_path), "a", "b")[1] for _ in range(50)}) == 50


def test_mkstemp_never_opens_a_name_that_exists(tmp_path, monkeypatch):
    taken = tmp_path / ".obj-aaaaaaaa.tmp"
    taken.write_bytes(b"someone's")
    draws = iter([list("aaaaaaaa"), list("bbbbbbbb")])
    monkeypatch.setattr(process._names, "choices", lambda *_a, **_k: next(draws))
    fd, path = process.mkstemp(str(tmp_path), ".obj-", ".tmp")
    os.close(fd)
    assert path == str(tmp_path / ".obj-bbbbbbbb.tmp")
    assert taken.read_bytes() == b"someone's"


def test_mkstemp_gives_up_when_every_name_is_taken(tmp_path, monkeypatch):
    (tmp_path / "xaaaaaaaa").write_bytes(b"")
    monkeypatch.setattr(process._names, "choices", lambda *_a, **_k: list("aaaaaaaa"))
    monkeypatch.setattr(process, "_ATTEMPTS", 3)
    with pytest.raises(FileExistsError):
        process.mkstemp(str(tmp_path), "x", "")


def test_a_forked_child_draws_other_names(tmp_path):
    r, w = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover
        os.close(r)
        os.write(w, "".join(process._names.choices("ab", k=64)).encode())
        os._exit(0)
    os.close(w)
    os.waitpid(child, 0)
    with os.fdopen(r, "rb") as pipe:
        theirs = pipe.read().decode()
    assert theirs != "".join(process._names.choices("ab", k=64))
