"""crossdomain: the policy document and the one path it answers."""
from webob import Request

from objstore.middleware import crossdomain


def _app(conf=None):
    def below(env, start_response):
        start_response("204 No Content", [])
        return [b""]
    return crossdomain.CrossDomain(below, conf or {})


def test_default_policy_allows_every_domain():
    resp = Request.blank("/crossdomain.xml").get_response(_app())
    assert resp.status_int == 200 and resp.content_type == "application/xml"
    assert resp.body.startswith(b'<?xml version="1.0"?>\n<!DOCTYPE cross-domain-policy')
    assert b'<allow-access-from domain="*" secure="false" />' in resp.body


def test_configured_lines_and_other_paths_and_methods_pass_through():
    conf = {"cross_domain_policy": '<allow-access-from domain="a.example" />\n'
                                   '<allow-access-from domain="b.example" />'}
    body = Request.blank("/crossdomain.xml").get_response(_app(conf)).body
    assert b'domain="a.example" />\n<allow-access-from domain="b.example" />\n</cross' in body
    assert Request.blank("/v1/a/crossdomain.xml").get_response(_app()).status_int == 204
    req = Request.blank("/crossdomain.xml", environ={"REQUEST_METHOD": "PUT"})
    assert req.get_response(_app()).status_int == 204
