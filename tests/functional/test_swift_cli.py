"""The real ``swift`` CLI (python-swiftclient) against the cluster."""

import hashlib
import os
import uuid

import pytest

TREE = {
    "a.txt": b"alpha\n",
    "empty.txt": b"",
    "sub/b.bin": bytes(range(256)) * 400,
    "sub/deeper/c.txt": "ünïcødé\n".encode(),
}


def ok(result):
    assert result.returncode == 0, "swift exited %d\nstdout: %s\nstderr: %s" % (
        result.returncode, result.stdout, result.stderr)
    return result.stdout


def stat_fields(output: str) -> dict:
    fields = {}
    for line in output.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


@pytest.fixture
def uploaded(cli, tmp_path, conn):
    """TREE written under tmp_path/src and uploaded with ``swift upload``."""
    src = tmp_path / "src"
    for name, data in TREE.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(data)
    container = "cli-" + uuid.uuid4().hex[:12]
    ok(cli("upload", container, "a.txt", "empty.txt", "sub", cwd=str(src)))
    yield container
    cli("delete", container)


def test_upload_of_a_directory_tree_lists_every_file(cli, uploaded):
    assert ok(cli("list", uploaded)).splitlines() == sorted(TREE)
    assert ok(cli("list", uploaded, "--prefix", "sub/")).splitlines() == ["sub/b.bin", "sub/deeper/c.txt"]
    assert uploaded in ok(cli("list")).splitlines()


def test_download_returns_the_same_bytes(cli, uploaded, tmp_path):
    out = tmp_path / "out"
    ok(cli("download", uploaded, "-D", str(out)))
    for name, data in TREE.items():
        assert (out / name).read_bytes() == data, name


def test_download_of_one_object_to_a_file(cli, uploaded, tmp_path):
    target = tmp_path / "b.bin"
    ok(cli("download", uploaded, "sub/b.bin", "-o", str(target)))
    assert target.read_bytes() == TREE["sub/b.bin"]


def test_stat_of_an_object_shows_etag_and_length(cli, uploaded):
    fields = stat_fields(ok(cli("stat", uploaded, "sub/b.bin")))
    assert fields["ETag"] == hashlib.md5(TREE["sub/b.bin"]).hexdigest()
    assert fields["Content Length"] == str(len(TREE["sub/b.bin"]))
    assert fields["Object"] == "sub/b.bin"


def test_stat_of_container_and_account(cli, uploaded):
    fields = stat_fields(ok(cli("stat", uploaded)))
    assert fields["Container"] == uploaded
    assert fields["Objects"] == str(len(TREE))
    assert fields["Bytes"] == str(sum(len(d) for d in TREE.values()))
    account = stat_fields(ok(cli("stat")))
    assert account["Account"] == "AUTH_test"
    assert int(account["Containers"]) >= 1


def test_post_sets_object_and_container_metadata(cli, uploaded):
    ok(cli("post", uploaded, "a.txt", "-m", "color:blue"))
    assert stat_fields(ok(cli("stat", uploaded, "a.txt")))["Meta Color"] == "blue"
    ok(cli("post", uploaded, "-m", "shelf:top", "-r", "test:tester3"))
    fields = stat_fields(ok(cli("stat", uploaded)))
    assert fields["Meta Shelf"] == "top"
    assert fields["Read ACL"] == "test:tester3"


def test_delete_of_an_object_then_of_the_whole_container(cli, uploaded):
    ok(cli("delete", uploaded, "a.txt"))
    assert "a.txt" not in ok(cli("list", uploaded)).splitlines()
    ok(cli("delete", uploaded))
    assert uploaded not in ok(cli("list")).splitlines()


def test_stat_of_a_missing_object_fails_with_404(cli, uploaded):
    result = cli("stat", uploaded, "no-such-object")
    assert result.returncode != 0
    assert "404" in result.stdout + result.stderr


def test_segmented_upload_downloads_whole(cli, tmp_path, http_api):
    data = os.urandom(5000)
    (tmp_path / "seg.bin").write_bytes(data)
    container = "cli-" + uuid.uuid4().hex[:12]
    try:
        ok(cli("upload", container, "seg.bin", "--segment-size", "1024", cwd=str(tmp_path)))
        ok(cli("download", container, "seg.bin", "-o", str(tmp_path / "back.bin")))
        assert (tmp_path / "back.bin").read_bytes() == data
    finally:
        cli("delete", container)
        cli("delete", container + "_segments")
