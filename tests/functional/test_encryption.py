"""Encryption at rest on the live SAIO (keymaster + encryption in its
pipeline, root secret in .saio/etc/keymaster.conf): the swift CLI and
boto3 read back what they wrote, and the object servers' files hold no
plaintext, on the replicated and the EC policy."""

import glob
import hashlib
import os
import uuid

import pytest

from objstore.obj.ondisk import SIDECAR_EXT
from tests.functional.conftest import REPO
from tests.functional.s3.test_s3_clients import client

SRV = os.path.join(os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio")), "srv")
MARK = b"plaintext-marker-"


def _xattrs(path):
    try:
        return b"".join(os.getxattr(path, a) for a in os.listxattr(path))
    except OSError:
        return b""


def _files_of(name):
    """Contents + xattrs of every file on the SAIO's disks that belongs to
    the object ``name``: the files of each hash dir whose metadata (an
    xattr, or a spilled ``.xmeta`` sidecar) names it. Only those files'
    bytes are read: a SAIO holding gigabytes of other objects (a benchmark's)
    costs this no memory (reading them all once grew it to 16 GB)."""
    needle = ("/%s\"" % name).encode()  # the end of the metadata's "name" value
    dirs = {}
    for path in glob.glob(os.path.join(SRV, "*", "node", "*", "objects*", "**", "*"),
                          recursive=True):
        if os.path.isfile(path):
            dirs.setdefault(os.path.dirname(path), []).append(path)
    out = []
    for paths in dirs.values():
        attrs = {p: _xattrs(p) for p in paths}
        named = any(needle in a for a in attrs.values())
        for path in paths:
            if not named and path.endswith(SIDECAR_EXT):
                with open(path, "rb") as fp:
                    named = needle in fp.read()
        if not named:
            continue
        for path in paths:
            with open(path, "rb") as fp:
                out.append(fp.read() + attrs[path])
    return out


@pytest.fixture
def ec_container(conn):
    name = "fn-ec-" + uuid.uuid4().hex[:10]
    conn.put_container(name, headers={"X-Storage-Policy": "ec21"})
    yield name
    for obj in conn.get_container(name, full_listing=True)[1]:
        conn.delete_object(name, obj["name"])
    conn.delete_container(name)


@pytest.mark.parametrize("policy", ["replicated", "ec"])
def test_swift_cli_round_trip_leaves_no_plaintext_on_disk(cli, container, ec_container, tmp_path,
                                                          policy):
    target = container if policy == "replicated" else ec_container
    name = "doc-" + uuid.uuid4().hex[:8]
    body = (MARK + b"0123456789abcdef") * 70000  # ~2.3 MiB: several EC segments
    (tmp_path / name).write_bytes(body)
    up = cli("upload", "-m", "Secret:the plaintext meta", target, name, cwd=str(tmp_path))
    assert up.returncode == 0, up.stderr
    out = tmp_path / "out"
    down = cli("download", target, name, "-o", str(out))
    assert down.returncode == 0, down.stderr
    assert out.read_bytes() == body
    stat = cli("stat", target, name).stdout
    assert hashlib.md5(body).hexdigest() in stat
    assert "Meta Secret: the plaintext meta" in stat
    stored = _files_of(name)
    assert stored, "no files found for %s" % name
    for blob in stored:
        assert MARK not in blob
        assert b"the plaintext meta" not in blob


def test_ranged_reads_of_an_ec_object_decrypt_the_bytes_asked(conn, ec_container):
    body = os.urandom(3 * 1024 * 1024 + 17)
    conn.put_object(ec_container, "r", body)
    for first, last in ((0, 9), (1048570, 1048600), (len(body) - 5, len(body) - 1)):
        headers, data = conn.get_object(ec_container, "r",
                                        headers={"Range": "bytes=%d-%d" % (first, last)})
        assert data == body[first:last + 1]
    assert conn.head_object(ec_container, "r")["etag"] == hashlib.md5(body).hexdigest()


def test_boto3_put_get_and_multipart_are_plaintext_to_the_client(saio):
    s3 = client()
    bucket = "s3enc-" + uuid.uuid4().hex[:10]
    s3.create_bucket(Bucket=bucket)
    try:
        body = MARK + os.urandom(1000)
        put = s3.put_object(Bucket=bucket, Key="k", Body=body, Metadata={"note": "hush"})
        assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
        got = s3.get_object(Bucket=bucket, Key="k")
        assert got["Body"].read() == body and got["Metadata"] == {"note": "hush"}
        assert s3.get_object(Bucket=bucket, Key="k", Range="bytes=3-20")["Body"].read() == \
            body[3:21]
        part = 5 * 1024 * 1024
        upload = s3.create_multipart_upload(Bucket=bucket, Key="mpu")["UploadId"]
        parts = []
        for number, data in ((1, b"x" * part), (2, MARK)):
            etag = s3.upload_part(Bucket=bucket, Key="mpu", UploadId=upload, PartNumber=number,
                                  Body=data)["ETag"]
            parts.append({"PartNumber": number, "ETag": etag})
        s3.complete_multipart_upload(Bucket=bucket, Key="mpu", UploadId=upload,
                                     MultipartUpload={"Parts": parts})
        assert s3.get_object(Bucket=bucket, Key="mpu")["Body"].read() == b"x" * part + MARK
        for blob in _files_of("k"):
            assert MARK not in blob and b"hush" not in blob
    finally:
        for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
        s3.delete_bucket(Bucket=bucket)


def test_a_proxy_with_a_short_root_secret_refuses_to_start_and_says_why(saio, tmp_path):
    import re
    import socket
    import subprocess

    etc = os.path.join(os.path.dirname(SRV), "etc")
    text = open(os.path.join(etc, "proxy-server.conf")).read()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    text = re.sub(r"(?m)^bind_port = \d+$", "bind_port = %d" % port, text)
    text = re.sub(r"(?m)^workers = \d+$", "workers = 0", text)
    text = re.sub(r"(?m)^keymaster_config_path = .*$",
                  "encryption_root_secret = c2hvcnQ=", text)
    conf = tmp_path / "proxy.conf"
    conf.write_text(text)
    result = subprocess.run([os.path.join(REPO, ".venv", "bin", "objstore-proxy-server"),
                             str(conf)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert ("encryption_root_secret decodes to 5 bytes; at least 32 are needed"
            in result.stderr)
