"""A large body of known length goes to its file past the page cache
(``obj/direct_write.py``), and comes back whole."""

import errno
import os
import subprocess

import pytest

from objstore.common.timestamp import Timestamp
from objstore.common.utils import md5_hex
from objstore.obj import direct_write
from objstore.obj.diskfile import DiskFileManager, DiskFileNoSpace

MIB = 1024 * 1024


def _manager(obj_conf, **conf):
    # keep_cache_size high: no page is dropped after the write, so what the
    # cache holds is what the write put there
    return DiskFileManager(dict(obj_conf, **dict({"keep_cache_size": str(64 * MIB),
                                                  "direct_write_size": "65536"}, **conf)))


def _meta(body: bytes) -> dict:
    return {"name": "/a/c/o", "X-Timestamp": Timestamp.now().internal,
            "Content-Length": str(len(body)), "ETag": md5_hex(body),
            "Content-Type": "text/plain"}


def _write(mgr, body: bytes, step: int):
    df = mgr.get_diskfile("sda1", "7", "a", "c", "o")
    with df.create(len(body)) as writer:
        for start in range(0, len(body), step):
            writer.write(body[start:start + step])
        path = writer.put(_meta(body))
    return path, writer


def _read(mgr) -> bytes:
    return b"".join(mgr.get_diskfile("sda1", "7", "a", "c", "o").open().reader())


def _resident_bytes(path: str) -> int:
    out = subprocess.run(["fincore", "-b", "-n", "-r", "-o", "RES", path], check=True,
                         capture_output=True, text=True).stdout
    return int(out.split()[0])


def _takes_direct(path: str) -> bool:
    try:
        os.close(os.open(os.path.join(path, "probe"), os.O_WRONLY | os.O_CREAT | os.O_DIRECT))
        return True
    except OSError:
        return False
    finally:
        if os.path.exists(os.path.join(path, "probe")):
            os.unlink(os.path.join(path, "probe"))


@pytest.fixture
def direct_conf(obj_conf):
    if not _takes_direct(obj_conf["devices"]):
        pytest.skip("the test's file system refuses O_DIRECT")
    return obj_conf


@pytest.mark.parametrize("size", [2 * MIB + 5 * 4096 + 123, 3 * MIB, 65536])
def test_a_large_body_in_odd_chunks_reads_back_whole_and_checked(direct_conf, size):
    mgr = _manager(direct_conf)
    body = os.urandom(size)
    path, writer = _write(mgr, body, 300001)
    assert writer._direct is not None
    assert os.path.getsize(path) == size
    assert _read(mgr) == body  # the reader judges the bytes by the CRC the writer stored


@pytest.mark.skipif(not os.path.exists("/usr/bin/fincore"), reason="needs util-linux fincore")
def test_a_large_body_leaves_no_page_in_the_cache_but_its_tail(direct_conf):
    body = os.urandom(2 * MIB + 100)
    path, _ = _write(_manager(direct_conf), body, MIB)
    assert _resident_bytes(path) <= 4096  # the last, partial block went through the cache
    # the same body through the cache stays there (keep_cache_size is above it)
    path, writer = _write(_manager(direct_conf, direct_write_size="0"), body, MIB)
    assert writer._direct is None
    assert _resident_bytes(path) > MIB


def test_a_body_below_the_size_or_of_unknown_length_goes_through_the_cache(direct_conf):
    mgr = _manager(direct_conf)
    df = mgr.get_diskfile("sda1", "7", "a", "c", "o")
    with df.create(65535) as writer:
        assert writer._direct is None
    with df.create() as writer:
        assert writer._direct is None


def test_a_file_system_refusing_o_direct_gets_the_body_through_the_cache(obj_conf,
                                                                         monkeypatch):
    def refuse(fd, on):
        raise OSError(errno.EINVAL, "Invalid argument")
    monkeypatch.setattr(direct_write, "set_direct", refuse)
    mgr = _manager(obj_conf)
    body = os.urandom(MIB + 7)
    _path, writer = _write(mgr, body, 65536)
    assert writer._direct is None
    assert _read(mgr) == body


def test_a_body_of_one_buffer_reaches_the_disk_in_the_publishing_call(direct_conf,
                                                                       monkeypatch):
    """A full buffer is written only when more bytes need its room: a 1 MiB
    body takes no write before the thread-pool call that fsyncs it."""
    handed = []
    real = direct_write.DirectSink._write_full
    monkeypatch.setattr(direct_write.DirectSink, "_write_full",
                        lambda sink, job: handed.append(job[1]) or real(sink, job))
    mgr = _manager(direct_conf)
    body = os.urandom(direct_write.BUFFER_BYTES)
    _write(mgr, body, 65536)
    assert handed == []
    assert _read(mgr) == body
    body = os.urandom(2 * direct_write.BUFFER_BYTES + 1)
    _write(mgr, body, 65536)
    assert handed == [0, direct_write.BUFFER_BYTES]  # the offsets of the two full buffers
    assert _read(mgr) == body


def test_a_body_that_ends_short_is_not_published_and_its_buffer_is_reused(direct_conf):
    mgr = _manager(direct_conf)
    df = mgr.get_diskfile("sda1", "7", "a", "c", "o")
    tmp_dir = mgr.tmp_dir(df.device_path)
    with df.create(3 * MIB) as writer:
        writer.write(os.urandom(MIB + 10))  # the first buffer is being written
        buffers = list(writer._direct._buffers)
        feed = writer._direct._feed
    assert len(buffers) == 2 and not feed._thread.is_alive()  # waited for, before the close
    assert os.listdir(tmp_dir) == []
    assert not os.path.exists(df.datadir)
    with df.create(3 * MIB) as writer:
        assert writer._direct._buffers[0] in buffers


def test_a_disk_filling_up_under_a_direct_write_is_no_space(direct_conf, monkeypatch):
    def full(fd, data, offset):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(direct_write.os, "pwrite", full)
    mgr = _manager(direct_conf)
    df = mgr.get_diskfile("sda1", "7", "a", "c", "o")
    body = os.urandom(2 * MIB + 1)
    with df.create(len(body)) as writer:
        with pytest.raises(DiskFileNoSpace):
            writer.write(body)
    with df.create(MIB) as writer:  # this time the last buffer fails, in the publishing call
        writer.write(body[:MIB])
        with pytest.raises(DiskFileNoSpace):
            writer.put(_meta(body[:MIB]))
    assert not os.path.exists(df.datadir) or os.listdir(df.datadir) == []


def test_a_body_read_in_place_into_the_buffers_reads_back_whole(direct_conf):
    """``room``/``filled``: the caller reads the body straight into the
    staging buffers (the object server's socket reads); the CRC is of the
    bytes that land there."""
    mgr = _manager(direct_conf)
    body = os.urandom(3 * MIB + 4096 + 17)
    df = mgr.get_diskfile("sda1", "7", "a", "c", "o")
    with df.create(len(body)) as writer:
        while writer.bytes_written < len(body):
            room = writer.room(len(body) - writer.bytes_written)
            step = min(len(room), 200003)  # a short read, as a socket's may be
            room[:step] = body[writer.bytes_written:writer.bytes_written + step]
            writer.filled(room[:step])
        path = writer.put(_meta(body))
    assert os.path.getsize(path) == len(body)
    assert _read(mgr) == body


def _fake_o_direct(monkeypatch, refuse_writes: bool) -> dict:
    """O_DIRECT as a file system that takes the flag (per descriptor, here
    a dict) and, with ``refuse_writes``, refuses every write made with it."""
    flags = {}
    real_pwrite = os.pwrite

    def set_direct(fd, on):
        flags[fd] = on

    def pwrite(fd, data, offset):
        if refuse_writes and flags.get(fd):
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_pwrite(fd, data, offset)
    monkeypatch.setattr(direct_write, "set_direct", set_direct)
    monkeypatch.setattr(direct_write.os, "pwrite", pwrite)
    monkeypatch.setattr(direct_write, "_refusing_devices", set())
    return flags


@pytest.mark.parametrize("size", [MIB, 2 * MIB + 4097])
def test_writes_refused_after_o_direct_was_taken_go_through_the_cache(obj_conf, monkeypatch,
                                                                      size):
    """The refused write (a full buffer in the feed's thread, or the last
    blocks in the publishing call) is made again without O_DIRECT, and so
    is the rest; the device's next files do not try O_DIRECT again."""
    flags = _fake_o_direct(monkeypatch, refuse_writes=True)
    mgr = _manager(obj_conf)
    body = os.urandom(size)
    path, writer = _write(mgr, body, 65536)
    assert writer._direct is not None and not writer._direct.direct
    assert os.path.getsize(path) == size
    assert _read(mgr) == body
    flags.clear()
    body = os.urandom(MIB)
    _path, writer = _write(mgr, body, 65536)
    assert writer._direct is None and flags == {}  # not even the flag asked for
    assert _read(mgr) == body


def test_no_buffer_for_a_direct_write_leaves_no_descriptor_and_no_file(obj_conf, monkeypatch):
    _fake_o_direct(monkeypatch, refuse_writes=False)

    def no_memory():
        raise OSError(errno.ENOMEM, "Cannot allocate memory")
    monkeypatch.setattr(direct_write, "take_buffer", no_memory)
    mgr = _manager(obj_conf)
    df = mgr.get_diskfile("sda1", "7", "a", "c", "o")
    open_before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(OSError):
        df.create(MIB)
    assert len(os.listdir("/proc/self/fd")) == open_before
    assert os.listdir(mgr.tmp_dir(df.device_path)) == []
