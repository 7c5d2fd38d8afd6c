"""read_only on the live SAIO: a reseller admin freezes an account (here
AUTH_test2, so other tests' accounts stay writable) and thaws it."""

import time
import uuid

import pytest


@pytest.fixture
def frozen_later(http_api, cli):
    account = http_api.path(user="other")
    name = "fn-ro-" + uuid.uuid4().hex[:8]
    assert cli("post", name, user="other").returncode == 0
    yield account, name
    http_api.request("POST", account, {"X-Account-Read-Only": "false"}, user="reseller")
    time.sleep(0.5)
    cli("delete", name, user="other")


def test_a_frozen_account_reads_but_refuses_writes_until_thawed(http_api, cli, frozen_later,
                                                                tmp_path):
    account, name = frozen_later
    (tmp_path / "f").write_bytes(b"data")
    assert cli("upload", name, "f", user="other", cwd=str(tmp_path)).returncode == 0
    assert http_api.request("POST", account, {"X-Account-Read-Only": "true"},
                            user="other").status == 403
    assert http_api.request("POST", account, {"X-Account-Read-Only": "true"},
                            user="reseller").status == 204
    assert http_api.request("HEAD", account, user="other").headers["X-Account-Read-Only"] == "true"
    deadline = time.time() + 90  # the proxies' cached account info expires
    while http_api.request("PUT", http_api.path(name, "g", user="other"), body=b"x",
                           user="other").status != 405:
        assert time.time() < deadline
        time.sleep(1)
    result = cli("delete", name, "f", user="other")
    assert result.returncode != 0 and "405" in result.stderr
    assert cli("download", name, "f", "-o", "-", user="other").stdout == "data"
    # boto3 too: reads go on, a write is refused and stores nothing.
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
    s3 = boto3.client("s3", endpoint_url="http://%s:%d" % (http_api.host, http_api.port),
                      aws_access_key_id="test2:tester2",
                      aws_secret_access_key="testing2", region_name="us-east-1",
                      config=Config(retries={"max_attempts": 1}))
    assert s3.get_object(Bucket=name, Key="f")["Body"].read() == b"data"
    with pytest.raises(ClientError):
        s3.put_object(Bucket=name, Key="g3", Body=b"refused")
    assert "g3" not in cli("list", name, user="other").stdout.split()
    assert http_api.request("POST", account, {"X-Account-Read-Only": "false"},
                            user="reseller").status == 204
