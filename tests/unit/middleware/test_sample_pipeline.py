"""The sample proxy config's pipeline, built for real around a fake proxy app."""
import logging
import os
import re

import pytest
from webob import Request, Response

from objstore.common import registry
from objstore.common.pipeline import load_pipeline

SAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "etc", "proxy-server.conf")

FAKE_PROXY = '''
from webob import Request, Response

def app_factory(global_conf, **local_conf):
    def app(env, start_response):
        req = Request(env)
        req.acl = None
        authorize = env.get("swift.authorize")
        if authorize and req.path_info.startswith("/v1/"):
            denied = authorize(req)
            if denied is not None:
                return denied(env, start_response)
        resp = Response(body=("user=%s owner=%s" % (
            env.get("REMOTE_USER"), bool(env.get("swift.owner")))).encode())
        resp.headers["X-Backend-Timestamp"] = "1"
        return resp(env, start_response)
    return app
'''


@pytest.fixture
def proxy(tmp_path, monkeypatch):
    (tmp_path / "fake_proxy.py").write_text(FAKE_PROXY)
    monkeypatch.syspath_prepend(str(tmp_path))
    text = open(SAMPLE).read()
    text = text.replace("use = egg:objstore#proxy\n", "use = python:fake_proxy:app_factory\n")
    text = re.sub(r"(?m)^memcache_servers = .*$", "memcache_servers =", text)
    conf = tmp_path / "proxy-server.conf"
    conf.write_text(text)
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())
    handler = Capture()
    app = load_pipeline(str(conf))
    logging.getLogger("objstore.proxy-access").addHandler(handler)
    yield app, lines
    logging.getLogger("objstore.proxy-access").removeHandler(handler)


def test_the_sample_pipeline_authenticates_authorizes_and_logs_once(proxy):
    app, lines = proxy
    resp = Request.blank("/auth/v1.0", headers={"X-Auth-User": "test:tester",
                                                "X-Auth-Key": "testing"}).get_response(app)
    assert resp.status_int == 200 and resp.headers["X-Storage-Url"].endswith("/v1/AUTH_test")
    assert resp.body == b""  # (reading it ends the request: its access log line)
    token = resp.headers["X-Auth-Token"]
    resp = Request.blank("/v1/AUTH_test/c", headers={"X-Auth-Token": token}).get_response(app)
    assert resp.body == b"user=test:tester,test,AUTH_test owner=True"
    assert resp.headers["X-Trans-Id"] == resp.headers["X-Openstack-Request-Id"]
    assert "X-Backend-Timestamp" not in resp.headers
    assert len(lines) == 2
    assert resp.headers["X-Trans-Id"] in lines[1]
    assert Request.blank("/v1/AUTH_test/c").get_response(app).status_int == 401
    assert Request.blank("/v1/AUTH_test/c", headers={
        "X-Auth-Token": "AUTH_tkbogus"}).get_response(app).status_int == 401


def test_the_sample_pipeline_answers_healthcheck_and_registers_tempauth(proxy):
    app, lines = proxy
    resp = Request.blank("/healthcheck").get_response(app)
    assert (resp.status_int, resp.body) == (200, b"OK")
    assert "X-Trans-Id" in resp.headers
    assert lines == []  # healthchecks sit left of the access log
    assert registry.get_info()["tempauth"] == {"account_acls": True}
