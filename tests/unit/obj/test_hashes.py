import json
import os

import pytest

from objstore.obj import hashes


def _object(part_dir, suffix="abc", name="0000000001.00000.data"):
    hash_dir = os.path.join(part_dir, suffix, "f" * 29 + suffix)
    os.makedirs(hash_dir, exist_ok=True)
    open(os.path.join(hash_dir, name), "wb").close()
    return hash_dir


def test_an_invalidation_during_recalculation_is_not_lost(tmp_path, monkeypatch):
    part = str(tmp_path / "7")
    os.makedirs(part)
    hash_dir = _object(part)
    first = hashes.get_hashes(part)
    real = hashes.hash_suffix

    def racing(suffix_dir, reclaim_age):
        value = real(suffix_dir, reclaim_age)
        # a write lands after we hashed, and another reader folds it in
        open(os.path.join(hash_dir, "0000000002.00000.ts"), "wb").close()
        hashes.invalidate_hash(suffix_dir)
        with hashes.lock_dir(part):
            hashes._consolidate(part)
        return value

    hashes.invalidate_hash(os.path.dirname(hash_dir))
    monkeypatch.setattr(hashes, "hash_suffix", racing)
    stale = hashes.get_hashes(part)
    monkeypatch.setattr(hashes, "hash_suffix", real)
    assert stale == first  # what this call saw...
    fresh = hashes.get_hashes(part)
    assert fresh["abc"] != first["abc"]  # ...but the next call sees the write


def test_invalid_log_entries_that_are_not_suffixes_are_ignored(tmp_path):
    part = str(tmp_path / "7")
    os.makedirs(part)
    _object(part)
    with open(os.path.join(part, hashes.INVALID_FILE), "w") as fp:
        fp.write("abc\n../../x\nzzzz\n")
    assert list(hashes.get_hashes(part)) == ["abc"]
    assert hashes._read_cache(part) == hashes.get_hashes(part)


def test_a_held_lock_times_out_with_a_clear_error(tmp_path):
    import fcntl

    fd = os.open(str(tmp_path / hashes.LOCK_FILE), os.O_WRONLY | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(hashes.LockTimeout, match="held"):
            with hashes.lock_dir(str(tmp_path), timeout=0.05):
                pass
    finally:
        os.close(fd)


def test_named_suffixes_that_vanished_are_dropped(tmp_path):
    part = str(tmp_path / "7")
    os.makedirs(part)
    _object(part, "abc")
    assert hashes.get_hashes(part, ["def"]) == hashes.get_hashes(part)
    assert "def" not in json.load(open(os.path.join(part, hashes.HASHES_FILE)))


def test_a_blocking_invalidation_waits_for_the_partition_lock(tmp_path):
    """A write's thread-pool call logs its suffix after taking the lock in
    ``flock`` itself: while a reader consolidates (holding the lock) the
    log is not touched, and the entry lands once the lock is let go."""
    import fcntl
    import threading

    part = str(tmp_path / "7")
    os.makedirs(part)
    hash_dir = _object(part)
    holder = os.open(os.path.join(part, hashes.LOCK_FILE), os.O_WRONLY | os.O_CREAT, 0o644)
    fcntl.flock(holder, fcntl.LOCK_EX)
    writer = threading.Thread(target=hashes.invalidate_hash,
                              args=(os.path.dirname(hash_dir), True))
    writer.start()
    writer.join(0.2)
    try:
        assert writer.is_alive()
        assert not os.path.exists(os.path.join(part, hashes.INVALID_FILE))
    finally:
        os.close(holder)  # lets the writer in
        writer.join()
    with open(os.path.join(part, hashes.INVALID_FILE)) as fp:
        assert fp.read() == "abc\n"
