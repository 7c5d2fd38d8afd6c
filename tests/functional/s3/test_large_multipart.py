"""A 2 GiB ``aws s3 cp`` that goes multipart, up and down, while the proxy
workers' memory stays flat: the body must stream, never be held.

Parts of 64 MiB, not the CLI's 8 MiB: ten uploads at a time (its default)
spread over the proxy's workers, so a proxy that held whole parts would
pass the limit as surely as one that held the body; and 32 parts and
ranged GETs of 64 MiB instead of 256 of 8 took the servers ~40 % less CPU
(per-request work of the proxy, container updates) for the same bytes.
2**31 bytes: the object's size and last ranges are past a 32-bit signed int."""

import os
import subprocess
import uuid

import pytest

from tests.functional.conftest import PROXY, REPO
from tests.functional.memory import RssSampler
from tests.functional.s3.test_s3_clients import ACCESS, SECRET, client

SIZE = 2 * 1024 ** 3
PART = 64 * 1024 ** 2
RSS_LIMIT_KB = 200 * 1024


BLOCK = 8 << 20


def _marker(number: int) -> bytes:
    """What block ``number`` (of ``BLOCK`` bytes) of the object starts with;
    the rest of it is zeros (a sparse file: written in no time)."""
    return b"objstore large multipart test, block %d\n" % number


def _write_source(path) -> None:
    with open(path, "wb") as fp:
        for number in range(-(-SIZE // BLOCK)):
            fp.seek(number * BLOCK)
            fp.write(_marker(number))
        fp.truncate(SIZE)


def _check_download(stream) -> int:
    """Read the download block by block, each compared byte for byte with
    what was uploaded (a misplaced part or range shows as a wrong marker);
    its size. A comparison, not a digest: cheap next to the servers' work."""
    zeros = bytes(BLOCK)
    size = 0
    for number, block in enumerate(iter(lambda: stream.read(BLOCK), b"")):
        marker = _marker(number)
        assert block[:len(marker)] == marker, "block %d: %r" % (number, block[:60])
        assert block[len(marker):] == zeros[len(marker):len(block)], "block %d" % number
        size += len(block)
    return size


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
    _write_source(source)
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
        size = _check_download(download.stdout)
        assert download.wait() == 0
        assert size == SIZE
    finally:
        sampler.done.set()
        sampler.join()
        subprocess.run(base + ["rb", "--force", "s3://%s" % bucket], env=env,
                       capture_output=True)
    assert 0 < sampler.peak["proxy"] < RSS_LIMIT_KB, "a proxy worker reached %d MB" % (
        sampler.peak["proxy"] // 1024)
