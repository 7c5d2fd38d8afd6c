import errno
import os

import pytest

from objstore.obj import metadata as md


def _file(tmp_path, name="obj.data"):
    path = tmp_path / name
    path.write_bytes(b"body")
    return str(path)


def test_small_metadata_round_trips_through_xattrs_without_a_sidecar(tmp_path):
    path = _file(tmp_path)
    meta = {"name": "/a/c/o", "X-Timestamp": "0000000001.00000", "X-Object-Meta-Color": "blue"}
    assert md.write_metadata(path, meta, str(tmp_path / "side")) is None
    assert md.read_metadata(path, str(tmp_path)) == meta
    assert not (tmp_path / "side").exists()


def test_metadata_is_json_not_pickle(tmp_path):
    path = _file(tmp_path)
    md.write_metadata(path, {"k": "v"}, str(tmp_path / "side"))
    assert os.getxattr(path, md.XATTR_KEY) == b'{"k":"v"}'


def test_large_metadata_is_split_across_several_xattr_keys(tmp_path, monkeypatch):
    monkeypatch.setattr(md, "XATTR_CHUNK", 16)
    path = _file(tmp_path)
    meta = {"X-Object-Meta-A": "x" * 100}
    assert md.write_metadata(path, meta, str(tmp_path / "side")) is None
    keys = [k for k in os.listxattr(path) if k.startswith(md.XATTR_KEY)]
    assert len(keys) > 5
    assert md.read_metadata(path, str(tmp_path)) == meta


def test_rewriting_shorter_metadata_leaves_no_stale_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(md, "XATTR_CHUNK", 16)
    path = _file(tmp_path)
    md.write_metadata(path, {"a": "x" * 200}, str(tmp_path / "side"))
    md.write_metadata(path, {"a": "y"}, str(tmp_path / "side"))
    assert md.read_metadata(path, str(tmp_path)) == {"a": "y"}


def _max_object_metadata():
    # 4096 bytes of user metadata (names + values), the constraint's limit,
    # plus the system metadata every object carries.
    meta = {"name": "/AUTH_test/c/" + "o" * 1000, "X-Timestamp": "1700000000.00000",
            "Content-Length": "4", "ETag": "d41d8cd98f00b204e9800998ecf8427e",
            "Content-Type": "application/octet-stream",
            "X-Object-Sysmeta-Crypto": "s" * 500}
    for i in range(16):
        name = "k%03d" % i + "n" * 124  # 128-byte names
        meta["X-Object-Meta-" + name] = "v" * 128  # 16 * 256 = 4096
    return meta


def test_metadata_at_the_limits_spills_to_a_fsynced_sidecar_on_this_filesystem(tmp_path):
    path = _file(tmp_path)
    meta = _max_object_metadata()
    sidecar = str(tmp_path / "obj.data.abc.xmeta")
    assert md.write_metadata(path, meta, sidecar) == sidecar
    assert os.path.exists(sidecar)
    assert md.read_metadata(path, str(tmp_path)) == meta
    # the xattrs still carry the core keys for a quick look
    pointer = md._decode(md._read_xattr_blob(path, path), path)
    assert pointer["name"] == meta["name"] and pointer["ETag"] == meta["ETag"]
    assert md.sidecar_name(path) == "obj.data.abc.xmeta"


def test_a_missing_sidecar_makes_the_metadata_unreadable(tmp_path):
    path = _file(tmp_path)
    sidecar = str(tmp_path / "side.xmeta")
    md.write_metadata(path, _max_object_metadata(), sidecar)
    os.unlink(sidecar)
    with pytest.raises(md.MetadataError, match="unreadable"):
        md.read_metadata(path, str(tmp_path))


def test_a_damaged_sidecar_is_detected_by_its_md5(tmp_path):
    path = _file(tmp_path)
    sidecar = str(tmp_path / "side.xmeta")
    md.write_metadata(path, _max_object_metadata(), sidecar)
    with open(sidecar, "r+b") as fp:
        fp.seek(10)
        fp.write(b"X")
    with pytest.raises(md.MetadataError, match="damaged"):
        md.read_metadata(path, str(tmp_path))


def test_a_file_without_metadata_is_reported_not_crashed_on(tmp_path):
    path = _file(tmp_path)
    with pytest.raises(md.MetadataError, match="no metadata"):
        md.read_metadata(path, str(tmp_path))


def test_garbage_in_the_xattr_is_reported_as_bad_json(tmp_path):
    path = _file(tmp_path)
    os.setxattr(path, md.XATTR_KEY, b"\x80(dp0 pickle")
    with pytest.raises(md.MetadataError, match="JSON"):
        md.read_metadata(path, str(tmp_path))
    os.setxattr(path, md.XATTR_KEY, b"[1, 2]")
    with pytest.raises(md.MetadataError, match="object"):
        md.read_metadata(path, str(tmp_path))


def test_a_sidecar_pointer_cannot_escape_the_directory(tmp_path):
    path = _file(tmp_path)
    os.setxattr(path, md.XATTR_KEY,
                b'{"X-Objstore-Spill": "{\\"file\\": \\"../../etc/passwd\\"}"}')
    with pytest.raises(md.MetadataError, match="bad sidecar pointer"):
        md.read_metadata(path, str(tmp_path))


def test_other_xattr_errors_are_not_mistaken_for_a_full_disk(tmp_path, monkeypatch):
    path = _file(tmp_path)

    def broken(*_args):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "setxattr", broken)
    with pytest.raises(OSError) as info:
        md.write_metadata(path, {"a": "b"}, str(tmp_path / "side"))
    assert info.value.errno == errno.EIO
    assert not (tmp_path / "side").exists()


def test_unicode_metadata_round_trips(tmp_path):
    path = _file(tmp_path)
    meta = {"name": "/a/c/\u00e9\u4e2d", "X-Object-Meta-Snow": "\u2603"}
    md.write_metadata(path, meta, str(tmp_path / "side"))
    assert md.read_metadata(path, str(tmp_path)) == meta


@pytest.mark.parametrize("size,reads", [(10, 1), (15, 1), (16, 2), (40, 3), (48, 4)])
def test_reading_stops_at_the_short_chunk_and_probes_past_a_full_one(tmp_path, monkeypatch,
                                                                     size, reads):
    monkeypatch.setattr(md, "XATTR_CHUNK", 16)
    path = _file(tmp_path)
    meta = {"a": "x" * (size - len('{"a":""}'))}
    md.write_metadata(path, meta, str(tmp_path / "side"))
    assert len(md._encode(meta)) == size
    calls = []
    real = os.getxattr
    monkeypatch.setattr(md.os, "getxattr", lambda ref, key: calls.append(key) or real(ref, key))
    assert md.read_metadata(path, str(tmp_path)) == meta
    assert len(calls) == reads


def test_metadata_keeps_the_order_it_was_given_in(tmp_path):
    """A client's metadata comes back in the order it was sent, as Swift's."""
    path = _file(tmp_path)
    meta = {"X-Timestamp": "0000000001.00000", "X-Object-Meta-Zed": "z",
            "X-Object-Meta-Color": "red", "X-Object-Meta-Alpha": "a"}
    md.write_metadata(path, meta, str(tmp_path / "side"))
    assert list(md.read_metadata(path, str(tmp_path))) == list(meta)
