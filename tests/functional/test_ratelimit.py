"""ratelimit against the live SAIO's storage servers and its real memcached:
two more proxies with tight limits share one count, so a client cannot get
past a limit by spreading its requests over proxies; a blacklisted account
is refused. The SAIO's own proxy keeps its (unlimited) settings."""

import os
import re
import socket
import subprocess
import time
import urllib.request
import uuid

import pytest
import swiftclient

from tests.functional.conftest import REPO, USERS

SAIO_ETC = os.path.join(os.environ.get("SAIO_DIR", os.path.join(REPO, ".saio")), "etc")
LIMITS = {"account_ratelimit": "0.1", "max_sleep_time_seconds": "0.5",
          "rate_buffer_seconds": "0", "account_blacklist": "AUTH_test2"}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proxy_conf(tmp_path, port):
    text = open(os.path.join(SAIO_ETC, "proxy-server.conf")).read()
    text = re.sub(r"(?m)^bind_port = \d+$", "bind_port = %d" % port, text)
    text = re.sub(r"(?m)^workers = \d+$", "workers = 0", text)
    for key, value in LIMITS.items():
        text, found = re.subn(r"(?m)^%s =.*$" % key, "%s = %s" % (key, value), text)
        assert found == 1, key
    path = tmp_path / ("proxy-%d.conf" % port)
    path.write_text(text)
    return str(path)


@pytest.fixture(scope="module")
def proxies(saio, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("ratelimit-proxies")
    ports = [_free_port(), _free_port()]
    procs = []
    try:
        for port in ports:
            log = open(str(tmp_path / ("proxy-%d.log" % port)), "ab")
            procs.append(subprocess.Popen([os.path.join(REPO, ".venv", "bin",
                                                        "objstore-proxy-server"),
                                           _proxy_conf(tmp_path, port)],
                                          stdout=log, stderr=log))
        for port in ports:
            deadline = time.time() + 30
            while True:
                try:
                    urllib.request.urlopen("http://127.0.0.1:%d/healthcheck" % port, timeout=1)
                    break
                except OSError:
                    assert time.time() < deadline, "extra proxy on %d did not start" % port
                    time.sleep(0.2)
        yield ["http://127.0.0.1:%d" % port for port in ports]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)


def _cli(proxy, *args, user="admin"):
    name, key = USERS[user]
    return subprocess.run([os.path.join(REPO, ".venv", "bin", "swift"), "-A",
                           proxy + "/auth/v1.0", "-U", name, "-K", key, "--retries", "0", *args],
                          capture_output=True, text=True, timeout=120)


def test_container_puts_through_two_proxies_share_one_account_rate(proxies, cli):
    # One container PUT per 10 s per account, 0.5 s of sleep at most.
    first, second = proxies
    names = ["rl-" + uuid.uuid4().hex[:10] for _ in range(2)]
    try:
        assert _cli(first, "post", names[0]).returncode == 0
        refused = _cli(second, "post", names[1])
        assert refused.returncode != 0
        assert "498" in refused.stderr and "Slow down" in refused.stderr
        assert names[1] not in _cli(first, "list").stdout.split()
    finally:
        for name in names:
            cli("delete", name)  # through the SAIO's own proxy: not limited


def test_a_blacklisted_account_gets_497(proxies):
    name, key = USERS["other"]
    conn = swiftclient.Connection(proxies[0] + "/auth/v1.0", name, key, retries=0)
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_account()
    assert err.value.http_status == 497
    assert err.value.http_response_content == b"Your account has been blacklisted"


def test_the_saio_proxy_lists_ratelimit_in_info(http_api):
    info = http_api.request("GET", "/info", user=None).json()
    assert info["ratelimit"]["account_ratelimit"] == 0.0
    assert info["ratelimit"]["max_sleep_time_seconds"] == 60.0


def _s3(proxy, user="admin"):
    import boto3
    from botocore.config import Config
    name, key = USERS[user]
    return boto3.client("s3", endpoint_url=proxy, aws_access_key_id=name,
                        aws_secret_access_key=key, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}))


def test_boto3_bucket_creations_past_the_account_rate_are_slow_down(proxies, saio):
    from botocore.exceptions import ClientError
    # AUTH_admin: an account no other test here writes to, so its one
    # container PUT per 10 s is this test's own.
    first, second = proxies
    names = ["rl3-" + uuid.uuid4().hex[:10] for _ in range(2)]
    try:
        _s3(first, user="reseller").create_bucket(Bucket=names[0])
        with pytest.raises(ClientError) as err:
            _s3(second, user="reseller").create_bucket(Bucket=names[1])
        assert err.value.response["Error"]["Code"] == "SlowDown"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        assert names[1] not in [b["Name"] for b in
                                _s3(saio, user="reseller").list_buckets()["Buckets"]]
    finally:
        # through S3 (and the SAIO's own proxy, not limited), so the name
        # leaves the bucket index too
        try:
            _s3(saio, user="reseller").delete_bucket(Bucket=names[0])
        except ClientError as err:  # the test failed before making it
            if err.response["Error"]["Code"] != "NoSuchBucket":
                raise

