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


SERVER = '''
import sys
from objstore.common.pipeline import load_pipeline
from objstore.common.wsgi import run_wsgi
sys.exit(run_wsgi(sys.argv[1], "app:store", lambda conf: load_pipeline(sys.argv[1]), 0))
'''


def test_paths_as_a_real_server_receives_them(tmp_path, monkeypatch):
    """The path is checked as the server decoded it, once; its length in
    bytes; a path that is not UTF-8 is checked too; the query is not (as
    Swift's name_check, compared with a Swift 2.38.3 proxy running it)."""
    import http.client
    import subprocess
    import sys
    from tests.support import listeners
    from tests.unit.common.conftest import wait_http
    (tmp_path / "fake_store_name_check.py").write_text(FAKE)
    text = open(SAMPLE).read()
    section = re.search(r"(?ms)^\[filter:name_check\].*?(?=^\[)", text).group(0)
    sock = listeners.listener()  # bound here: no other process can take the port
    port = sock.getsockname()[1]
    conf = tmp_path / "p.conf"
    conf.write_text("[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %d\nworkers = 1\n"
                    "[pipeline:main]\npipeline = name_check store\n%s\n"
                    "[app:store]\nuse = python:fake_store_name_check:app_factory\n"
                    % (port, section))
    (tmp_path / "server.py").write_text(SERVER)
    env = dict(os.environ, PYTHONPATH=str(tmp_path) + os.pathsep + os.environ.get(
        "PYTHONPATH", ""))
    proc = listeners.spawn([sys.executable, str(tmp_path / "server.py"), str(conf)], sock, env=env)

    def put(path):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.putrequest("PUT", path, skip_accept_encoding=True)
        conn.putheader("Content-Length", "0")
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp.status, resp.getheader("Content-Type"), body
    try:
        wait_http("http://127.0.0.1:%d/v1/AUTH_a/c/ok" % port)
        chars = b"Object/Container/Account name contains forbidden chars from '\"`<>"
        assert put("/v1/AUTH_a/c/a%3Cb") == (400, "text/html; charset=UTF-8", chars)
        assert put("/v1/AUTH_a/c/a%FF%22") == (400, "text/html; charset=UTF-8", chars)
        assert put("/info%60")[2] == chars
        assert put("/v1/AUTH_a/c/a%253Cb")[0] == 201   # the name is "a%3Cb"
        assert put("/v1/AUTH_a/c/ab?x=%3C")[0] == 201  # the query is not a name
        # 13 + 2 x 121 = 255 bytes pass, 256 do not (though 135 characters)
        assert put("/v1/AUTH_a/c/" + "%C3%A9" * 121 + "x")[2] == \
            b"Object/Container/Account name longer than the allowed maximum 255"
        assert put("/v1/AUTH_a/c/" + "%C3%A9" * 121)[0] == 201
        regexp = (b"Object/Container/Account name contains a forbidden substring from "
                  b"regular expression /\\./|/\\.\\./|/\\.$|/\\.\\.$")
        for path in ("/v1/AUTH_a/c/%2e/x", "/v1/AUTH_a/c/a%2F..%2Fb", "/v1/AUTH_a/c/.."):
            assert put(path)[2] == regexp, path
        assert put("/v1/AUTH_a/c/a..b")[0] == 201
    finally:
        proc.terminate()
        proc.wait(10)
