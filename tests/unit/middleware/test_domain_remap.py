"""domain_remap: host names to account/container paths."""
import pytest
from webob import Request

from objstore.middleware import domain_remap


def remap(host, path="/", conf=None, headers=None):
    seen = {}

    def below(env, start_response):
        seen["path"] = env["PATH_INFO"]
        start_response("200 OK", [])
        return [b""]
    app = domain_remap.DomainRemap(below, conf or {})
    resp = Request.blank(path, headers=dict({"Host": host}, **(headers or {}))).get_response(app)
    return resp.status_int, seen.get("path")


@pytest.mark.parametrize("host,path,expected", [
    ("c.auth-test.example.com", "/o", "/v1/AUTH_test/c/o"),
    ("c.AUTH_test.example.com:8080", "/o/p", "/v1/AUTH_test/c/o/p"),
    ("c.auth-test.example.com", "/", "/v1/AUTH_test/c/"),
    ("auth-test.example.com", "/c/o", "/v1/AUTH_test/c/o"),
    ("auth-test.example.com", "/", "/v1/AUTH_test"),
    ("auth-test.example.com", "/v1/AUTH_test/c", "/v1/AUTH_test/c"),  # already a path
    ("www.other.org", "/v1/AUTH_x/c", "/v1/AUTH_x/c"),
    ("c.test.example.com", "/o", "/o"),  # no reseller prefix: left alone
])
def test_hosts_map_to_paths(host, path, expected):
    assert remap(host, path) == (200, expected)


def test_default_prefix_mangling_and_bad_hosts():
    conf = {"default_reseller_prefix": "AUTH", "storage_domain": "store.test, example.com"}
    assert remap("c.test.store.test", "/o", conf) == (200, "/v1/AUTH_test/c/o")
    conf = {"mangle_client_paths": "true"}
    assert remap("auth-a.example.com", "/v1/x", conf) == (200, "/v1/AUTH_a/v1/x")
    assert remap("a.b.auth-test.example.com", "/o")[0] == 400
    s3 = {"Authorization": "AWS4-HMAC-SHA256 Credential=x"}
    assert remap("bucket.auth-test.example.com", "/k", headers=s3) == (200, "/k")


def test_cname_map_sends_chosen_hosts_to_an_account_or_container():
    conf = {"cname_map": "www.example.org = AUTH_test/site, Files.Example.net=AUTH_test"}
    assert remap("www.example.org", "/", conf) == (200, "/v1/AUTH_test/site/")
    assert remap("www.example.org:443", "/a/b.html", conf) == (200, "/v1/AUTH_test/site/a/b.html")
    assert remap("files.example.net", "/c/o", conf) == (200, "/v1/AUTH_test/c/o")
    assert remap("other.example.org", "/x", conf) == (200, "/x")
    with pytest.raises(domain_remap.ConfigError):
        domain_remap.parse_cname_map("no-equals-sign")
    with pytest.raises(domain_remap.ConfigError):
        domain_remap.parse_cname_map("h = AUTH_a/c/o")
