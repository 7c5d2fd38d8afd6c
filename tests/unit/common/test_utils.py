import os

import pytest

from objstore.common.utils import (check_drive, close_if_possible, drain_and_close,
                                   file_version, generate_trans_id, ismount, renamer,
                                   split_path, write_file_atomic)


@pytest.mark.parametrize("path,args,expected", [
    ("/a", (1, 3, True), ["a", None, None]),
    ("/a/c", (1, 3, True), ["a", "c", None]),
    ("/a/c/o/with/slashes", (1, 3, True), ["a", "c", "o/with/slashes"]),
    ("/a/c/", (1, 3, True), ["a", "c", None]),
    ("/d/1/a/c", (3, 5), ["d", "1", "a", "c", None]),
    ("/d/1/a/", (3, 5), ["d", "1", "a", None, None]),
])
def test_split_path_accepts(path, args, expected):
    assert split_path(path, *args) == expected


@pytest.mark.parametrize("path,args", [
    ("a", (1, 3)), ("//c", (1, 3)), ("/a/c/o/x", (1, 3)), ("/a//o", (1, 3, True)),
    ("/", (1, 1)), ("/d/p", (3, 5)),
])
def test_split_path_refuses(path, args):
    with pytest.raises(ValueError):
        split_path(path, *args)


def test_renamer_creates_the_target_directory(tmp_path):
    src = tmp_path / "f"
    src.write_bytes(b"x")
    dst = tmp_path / "a" / "b" / "f"
    renamer(str(src), str(dst))
    assert dst.read_bytes() == b"x" and not src.exists()


def test_write_file_atomic_leaves_no_temp_files(tmp_path):
    target = tmp_path / "d" / "file"
    write_file_atomic(str(target), b"one")
    write_file_atomic(str(target), b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(tmp_path / "d") == ["file"]


def test_check_drive(tmp_path):
    (tmp_path / "sdb1").mkdir()
    assert check_drive(str(tmp_path), "sdb1", False) == str(tmp_path / "sdb1")
    assert check_drive(str(tmp_path), "sdb2", False) is None
    assert check_drive(str(tmp_path), "../x", False) is None
    assert check_drive(str(tmp_path), "", False) is None
    assert check_drive(str(tmp_path), "sdb1", True) is None  # not a mount point
    assert ismount("/")


def test_trans_ids_are_unique_and_carry_the_suffix():
    a, b = generate_trans_id("-x"), generate_trans_id("-x")
    assert a != b and a.startswith("tx") and a.endswith("-x")


class _Body:
    def __init__(self, chunks):
        self.chunks = list(chunks)
        self.read = 0
        self.closed = False

    def __iter__(self):
        for chunk in self.chunks:
            self.read += 1
            yield chunk

    def close(self):
        self.closed = True


def test_close_if_possible_closes_what_has_close_and_ignores_lists():
    body = _Body([b"a"])
    close_if_possible(body)
    assert body.closed
    close_if_possible([b"a", b"b"])  # a list has no close: nothing to do


def test_drain_and_close_reads_every_chunk_then_closes():
    body = _Body([b"a", b"b", b"c"])
    drain_and_close(body)
    assert (body.read, body.closed) == (3, True)


def test_drain_and_close_closes_even_when_the_body_fails():
    class Failing(_Body):
        def __iter__(self):
            yield b"a"
            raise IOError("backend went away")
    body = Failing([])
    with pytest.raises(IOError):
        drain_and_close(body)
    assert body.closed


def test_a_file_replaced_within_one_mtime_tick_is_a_new_version(tmp_path):
    """Two replacements stamped with the same mtime (a coarse filesystem
    clock) are still told apart; a missing file is None."""
    path = str(tmp_path / "rates.conf")
    assert file_version(path) is None

    def replace(text, mtime_ns):
        tmp = path + ".tmp"
        with open(tmp, "w") as fp:
            fp.write(text)
        os.utime(tmp, ns=(mtime_ns, mtime_ns))
        os.replace(tmp, path)
    replace("[a]\nx = 1\n", 10**18)
    first = file_version(path)
    replace("[a]\nx = 1\n", 10**18)  # same text, same mtime: a new inode
    second = file_version(path)
    assert first[2] == second[2] and first != second
    assert file_version(path) == second  # unchanged: the same version
