"""bench/s3_load.py's SigV4 signer agrees with botocore's (no server)."""
import hashlib
import importlib.util
import os
import sys
import time

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "..", "bench")
sys.path.insert(0, BENCH)
spec = importlib.util.spec_from_file_location("s3_load", os.path.join(BENCH, "s3_load.py"))
s3_load = importlib.util.module_from_spec(spec)
sys.modules["s3_load"] = s3_load
spec.loader.exec_module(s3_load)


@pytest.mark.parametrize("method,path,query,body", [
    ("PUT", "/bucket/o%201", "", b"x" * 4096),
    ("GET", "/bucket", "list-type=2&max-keys=100", b""),
    ("DELETE", "/bucket/k", "", b""),
])
def test_signature_matches_botocores(monkeypatch, method, path, query, body):
    digest = hashlib.sha256(body).hexdigest()
    url = "http://127.0.0.1:8080" + path + ("?" + query if query else "")
    request = AWSRequest(method=method, url=url, data=body,
                         headers={"x-amz-content-sha256": digest})
    S3SigV4Auth(Credentials("test:tester", "testing"), "s3", "us-east-1").add_auth(request)
    when = time.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    monkeypatch.setattr(s3_load.time, "gmtime", lambda *a: when)
    ep = s3_load.S3Endpoint("objstore", "127.0.0.1", 8080, "test:tester", "testing")
    ours = ep.headers(method, path, query, digest)
    assert ours["x-amz-date"] == request.headers["X-Amz-Date"]
    assert ours["Authorization"] == request.headers["Authorization"]
