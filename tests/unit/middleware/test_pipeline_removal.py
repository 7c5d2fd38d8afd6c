"""Each sharing/web middleware can be taken out of the sample pipeline: the
rest still builds, authenticates and serves, and /info stops listing it."""
import os
import re

import pytest
from webob import Request

from objstore.common import registry
from objstore.common.pipeline import load_pipeline

SAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "etc", "proxy-server.conf")
FAKE = '''
from webob import Response

def app_factory(global_conf, **local_conf):
    def app(env, start_response):
        authorize = env.get("swift.authorize")
        if authorize and env["PATH_INFO"].startswith("/v1/"):
            from webob import Request
            req = Request(env)
            req.acl = None
            denied = authorize(req)
            if denied is not None:
                return denied(env, start_response)
        return Response(body=b"stored", headers={"ETag": "abc"})(env, start_response)
    return app
'''
# Middleware -> the /info section it registers.
MIDDLEWARES = {"tempurl": "tempurl", "formpost": "formpost", "cors": None,
               "staticweb": "staticweb", "symlink": "symlink", "bulk": "bulk_upload",
               "domain_remap": "domain_remap", "crossdomain": "crossdomain",
               "etag_quoter": "etag_quoter", "listing_formats": None}


@pytest.mark.parametrize("name", sorted(MIDDLEWARES))
def test_a_pipeline_without_it_still_serves(tmp_path, monkeypatch, name):
    (tmp_path / "fake_store_removal.py").write_text(FAKE)
    monkeypatch.syspath_prepend(str(tmp_path))
    text = open(SAMPLE).read()
    line = re.search(r"(?m)^pipeline = .*$", text).group(0)
    assert " %s " % name in line
    text = text.replace(line, line.replace(" %s " % name, " "))
    text = text.replace("use = egg:objstore#proxy\n", "use = python:fake_store_removal:app_factory\n")
    text = re.sub(r"(?m)^memcache_servers = .*$", "memcache_servers =", text)
    conf = tmp_path / "proxy-server.conf"
    conf.write_text(text)
    app = load_pipeline(str(conf))
    resp = Request.blank("/auth/v1.0", headers={"X-Auth-User": "test:tester",
                                                "X-Auth-Key": "testing"}).get_response(app)
    token = resp.headers["X-Auth-Token"]
    resp = Request.blank("/v1/AUTH_test/c/o", headers={"X-Auth-Token": token}).get_response(app)
    assert (resp.status_int, resp.body) == (200, b"stored")
    assert Request.blank("/v1/AUTH_test/c/o").get_response(app).status_int == 401
    section = MIDDLEWARES[name]
    if section:
        assert section not in registry.get_info()
