"""name_check, built from the sample config's section in front of a tiny app."""
import os
import re

from webob import Request

from objstore.common import registry
from objstore.common.pipeline import load_pipeline

SAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "etc", "proxy-server.conf")
FAKE = '''
def app_factory(global_conf, **local_conf):
    def app(env, start_response):
        start_response("201 Created", [("Content-Length", "0")])
        return [b""]
    return app
'''


def _pipeline(tmp_path, monkeypatch):
    (tmp_path / "fake_store_name_check.py").write_text(FAKE)
    monkeypatch.syspath_prepend(str(tmp_path))
    text = open(SAMPLE).read()
    section = re.search(r"(?ms)^\[filter:name_check\].*?(?=^\[)", text).group(0)
    conf = tmp_path / "p.conf"
    conf.write_text("[DEFAULT]\n[pipeline:main]\npipeline = name_check store\n%s\n"
                    "[app:store]\nuse = python:fake_store_name_check:app_factory\n" % section)
    return load_pipeline(str(conf))


def test_sample_section_refuses_chars_length_and_dot_segments(tmp_path, monkeypatch):
    app = _pipeline(tmp_path, monkeypatch)
    ok = Request.blank("/v1/AUTH_a/c/fine%20name.txt", method="PUT").get_response(app)
    assert ok.status_int == 201
    bad = Request.blank("/v1/AUTH_a/c/a%3Cb", method="PUT").get_response(app)
    assert bad.status_int == 400
    assert bad.body.startswith(b"Object/Container/Account name contains forbidden chars")
    long = Request.blank("/v1/AUTH_a/c/" + "x" * 300, method="PUT").get_response(app)
    assert long.body == b"Object/Container/Account name longer than the allowed maximum 255"
    for path in ("/v1/AUTH_a/c/./x", "/v1/AUTH_a/c/..", "/v1/AUTH_a/c/a/../b"):
        resp = Request.blank(path, method="PUT").get_response(app)
        assert resp.status_int == 400 and b"forbidden substring" in resp.body, path
    assert registry.get_info()["name_check"]["maximum_length"] == 255
