"""A 2 GiB ``aws s3 cp`` that goes multipart, up and down, while the proxy
workers' memory stays flat: the body must stream, never be held.

Parts of 64 MiB, not the CLI's 8 MiB: ten uploads at a time (its default)
spread over the proxy's workers, so a proxy that held whole parts would
pass the limit as surely as one that held the body; and 32 parts and
ranged GETs of 64 MiB instead of 256 of 8 took the servers ~40 % less CPU
(per-request work of the proxy, container updates) for the same bytes.
2**31 bytes: the object's size and last ranges are past a 32-bit signed int."""

import hashlib
import os
import subprocess
import threading
import uuid

import pytest

from tests.functional.conftest import PROXY, REPO
from tests.functional.memory import RssSampler
from tests.functional.s3.test_s3_clients import ACCESS, SECRET, client

SIZE = 2 * 1024 ** 3
PART = 64 * 1024 ** 2
RSS_LIMIT_KB = 200 * 1024


def _sha256_of_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fp:
        for block in iter(lambda: fp.read(8 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_aws_cp_of_2_gib_goes_multipart_in_flat_proxy_memory(saio, tmp_path):
    aws = os.path.join(REPO, ".venv", "bin", "aws")
    statvfs = os.statvfs(str(tmp_path))
    if statvfs.f_bavail * statvfs.f_frsize < 10 * SIZE:  # 3 replicas + slack
        pytest.skip("needs about 20 GiB free for the upload and its replicas")
    s3 = client()
    bucket = "s3big-" + uuid.uuid4().hex[:10]
    s3.create_bucket(Bucket=bucket)
    source = tmp_path / "big.bin"
    with open(source, "wb") as fp:
        fp.write(b"objstore large multipart test\n")
        fp.truncate(SIZE)  # sparse: created in no time, reads as zeros
    want = _sha256_of_file(source)
    config = tmp_path / "aws.conf"
    config.write_text("[default]\ns3 =\n  multipart_chunksize = %d\n" % PART)
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET,
               AWS_DEFAULT_REGION="us-east-1", AWS_MAX_ATTEMPTS="1",
               AWS_CONFIG_FILE=str(config))
    base = [aws, "--endpoint-url", PROXY, "s3"]
    sampler = RssSampler(["proxy"])
    sampler.start()
    try:
        subprocess.run(base + ["cp", "--only-show-errors", str(source),
                               "s3://%s/big.bin" % bucket], env=env, check=True)
        head = s3.head_object(Bucket=bucket, Key="big.bin")
        assert head["ContentLength"] == SIZE
        assert head["ETag"].strip('"').rsplit("-", 1)[1] == str(SIZE // PART)  # multipart
        source.unlink()
        download = subprocess.Popen(base + ["cp", "s3://%s/big.bin" % bucket, "-"], env=env,
                                    stdout=subprocess.PIPE)
        got = hashlib.sha256()
        size = 0
        for block in iter(lambda: download.stdout.read(8 << 20), b""):
            got.update(block)
            size += len(block)
        assert download.wait() == 0
        assert size == SIZE and got.hexdigest() == want
    finally:
        sampler.done.set()
        sampler.join()
        subprocess.run(base + ["rb", "--force", "s3://%s" % bucket], env=env,
                       capture_output=True)
    assert 0 < sampler.peak["proxy"] < RSS_LIMIT_KB, "a proxy worker reached %d MB" % (
        sampler.peak["proxy"] // 1024)
