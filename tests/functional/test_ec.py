"""Erasure-coded containers on the SAIO (policy ``ec21``) with the real
swift CLI, swiftclient and boto3 (S3 on the same proxy)."""

import hashlib
import json
import os
import urllib.request
import uuid

import pytest
from swift_cleanup import delete_container  # tests/support, on sys.path by conftest

POLICY = "ec21"
S3_ENDPOINT = "http://127.0.0.1:%s" % os.environ.get("SAIO_PROXY_PORT", "8080")


@pytest.fixture(scope="module")
def ec_container(saio, conn):
    info = json.loads(urllib.request.urlopen(S3_ENDPOINT + "/info", timeout=10).read())
    if POLICY not in [p["name"] for p in info["swift"]["policies"]]:
        pytest.skip("the running SAIO has no %s policy; restart it after saio/build.py" % POLICY)
    name = "ec-" + uuid.uuid4().hex[:10]
    conn.put_container(name, headers={"X-Storage-Policy": POLICY})
    yield name
    delete_container(conn, name)


def test_container_reports_the_ec_policy(conn, ec_container):
    headers = conn.head_container(ec_container)
    assert headers["x-storage-policy"] == POLICY


def test_swift_cli_upload_download_roundtrip(cli, ec_container, tmp_path):
    body = os.urandom(3 * 1048576 + 4321)
    src = tmp_path / "big.bin"
    src.write_bytes(body)
    up = cli("upload", ec_container, "big.bin", cwd=str(tmp_path))
    assert up.returncode == 0, up.stderr
    out = tmp_path / "out.bin"
    down = cli("download", ec_container, "big.bin", "-o", str(out))
    assert down.returncode == 0, down.stderr
    assert out.read_bytes() == body


def test_swiftclient_put_get_and_ranged_get(conn, ec_container):
    body = os.urandom(2 * 1048576 + 17)
    etag = conn.put_object(ec_container, "o", body)
    assert etag == hashlib.md5(body).hexdigest()
    headers, got = conn.get_object(ec_container, "o")
    assert got == body and headers["content-length"] == str(len(body))
    headers, got = conn.get_object(ec_container, "o",
                                   headers={"Range": "bytes=1048570-1048590"})
    assert got == body[1048570:1048591]
    _h, got = conn.get_object(ec_container, "o", headers={"Range": "bytes=-10"})
    assert got == body[-10:]


def test_boto3_put_get_and_ranged_get(conn, ec_container):
    boto3 = pytest.importorskip("boto3")
    from botocore.config import Config
    s3 = boto3.client("s3", endpoint_url=S3_ENDPOINT, aws_access_key_id="test:tester",
                      aws_secret_access_key="testing", region_name="us-east-1",
                      config=Config(s3={"addressing_style": "path"}))
    body = os.urandom(1048576 + 99)
    s3.put_object(Bucket=ec_container, Key="s3obj", Body=body)
    got = s3.get_object(Bucket=ec_container, Key="s3obj")["Body"].read()
    assert got == body
    part = s3.get_object(Bucket=ec_container, Key="s3obj", Range="bytes=100-199")
    assert part["Body"].read() == body[100:200]
