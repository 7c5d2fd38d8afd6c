import os

import pytest

from objstore.faultlab import copies


@pytest.fixture
def hash_dir(tmp_path):
    d = tmp_path / "objects" / "1" / "abc" / ("0" * 29 + "abc")
    d.mkdir(parents=True)
    (d / "1700000000.00000.data").write_bytes(b"the body of the copy")
    (d / "1690000000.00000.ts").write_bytes(b"")
    return d


def test_corrupt_flips_bytes_and_undo_puts_them_back(hash_dir):
    undo = copies.corrupt({"hash_dir": str(hash_dir)})
    data = hash_dir / "1700000000.00000.data"
    assert data.read_bytes()[16:] == b"copy" and data.read_bytes()[:16] != b"the body of the "
    assert copies.uncorrupt(undo).startswith("restored 16 bytes")
    assert data.read_bytes() == b"the body of the copy"


def test_undo_never_touches_a_copy_the_replicator_put_back_under_the_same_name(hash_dir):
    undo = copies.corrupt({"hash_dir": str(hash_dir)})
    data = hash_dir / "1700000000.00000.data"
    os.rename(data, hash_dir.parent / "quarantined")  # the auditor
    data.write_bytes(b"the body of the copy")          # the replicator
    assert "nothing to restore" in copies.uncorrupt(undo)
    assert data.read_bytes() == b"the body of the copy"
    os.unlink(data)
    assert "nothing to restore" in copies.uncorrupt(undo)


def test_there_is_nothing_to_corrupt_without_a_data_file_or_bytes(tmp_path, hash_dir):
    with pytest.raises(copies.CopyError, match="holds no copy"):
        copies.corrupt({"hash_dir": str(tmp_path / "nowhere")})
    (hash_dir / "1700000000.00000.data").write_bytes(b"")
    with pytest.raises(copies.CopyError, match="empty"):
        copies.corrupt({"hash_dir": str(hash_dir)})


def test_delete_holds_the_copy_and_undo_returns_it_unless_repaired(tmp_path, hash_dir):
    undo = copies.delete({"hash_dir": str(hash_dir)}, str(tmp_path / "held" / "1"))
    assert not hash_dir.exists() and (tmp_path / "held" / "1" / "1700000000.00000.data").exists()
    assert copies.undelete(undo).startswith("moved the copy back")
    assert (hash_dir / "1700000000.00000.data").read_bytes() == b"the body of the copy"
    undo = copies.delete({"hash_dir": str(hash_dir)}, str(tmp_path / "held" / "2"))
    hash_dir.mkdir()
    assert "repaired" in copies.undelete(undo) and not (tmp_path / "held" / "2").exists()
