"""domain_remap and crossdomain on the live proxy."""
import urllib.parse
import uuid


def test_container_and_account_hosts_reach_the_same_object(http_api, conn):
    name = "dr-" + uuid.uuid4().hex[:12]
    conn.put_container(name, headers={"X-Container-Read": ".r:*,.rlistings"})
    conn.put_object(name, "page.html", b"<p>hi</p>", content_type="text/html")
    try:
        account = http_api.auth("admin")[0].rsplit("/", 1)[-1]   # AUTH_test
        label = account.replace("_", "-", 1).lower()              # auth-test
        resp = http_api.request("GET", "/page.html", user=None,
                                headers={"Host": "%s.%s.example.com" % (name, label)})
        assert (resp.status, resp.body) == (200, b"<p>hi</p>")
        resp = http_api.request("GET", "/%s/page.html" % name, user=None,
                                headers={"Host": "%s.example.com:8080" % label})
        assert (resp.status, resp.body) == (200, b"<p>hi</p>")
        resp = http_api.request("GET", "/", user=None,
                                headers={"Host": "%s.%s.example.com" % (name, label)})
        assert resp.status == 200 and b"page.html" in resp.body
        resp = http_api.request("GET", "/", user=None,
                                headers={"Host": "x.y.%s.example.com" % label})
        assert (resp.status, resp.body) == (400, b"Bad domain in host header")
    finally:
        conn.delete_object(name, "page.html")
        conn.delete_container(name)


def test_crossdomain_xml_is_served_without_auth(http_api):
    resp = http_api.request("GET", "/crossdomain.xml", user=None)
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert b'<allow-access-from domain="*" secure="false" />' in resp.body
    info = http_api.request("GET", "/info", user=None).json()
    assert "crossdomain" in info and "domain_remap" in info


def _site(http_api, conn):
    name = "Dr-\u00e9-" + uuid.uuid4().hex[:8]
    conn.put_container(name, headers={"X-Container-Read": ".r:*,.rlistings",
                                      "X-Container-Meta-Web-Listings": "true"})
    conn.put_object(name, "d/page.html", b"<p>hi</p>", content_type="text/html")
    label = http_api.auth("admin")[0].rsplit("/", 1)[-1].replace("_", "-", 1)
    wire = name.encode("utf-8").decode("latin-1")  # the Host header's bytes
    return name, "%s.%s.example.com" % (wire, label), "%s.example.com" % label


def _gone(conn, name):
    conn.delete_object(name, "d/page.html")
    conn.delete_container(name)


def test_a_container_label_keeps_its_case_and_utf8(http_api, conn):
    name, cont_host, _acct_host = _site(http_api, conn)
    try:
        resp = http_api.request("GET", "/d/page.html", user=None, headers={"Host": cont_host})
        assert (resp.status, resp.body) == (200, b"<p>hi</p>")
        resp = http_api.request("GET", "/d/", user=None, headers={"Host": cont_host})
        assert resp.status == 200 and b"page.html" in resp.body
    finally:
        _gone(conn, name)


def test_a_redirect_on_a_remapped_host_names_the_path_the_host_was_asked_for(http_api, conn):
    """staticweb's redirect to the slashed path is put back under the
    host's own path, not /v1/... (as Swift 2.38.3)."""
    name, cont_host, acct_host = _site(http_api, conn)
    try:
        resp = http_api.request("GET", "/d", user=None, headers={"Host": cont_host})
        assert resp.status == 301
        assert resp.headers["Location"] == "http://%s/d/" % cont_host
        quoted = urllib.parse.quote(name)
        resp = http_api.request("GET", "/" + quoted, user=None, headers={"Host": acct_host})
        assert resp.status == 301
        assert resp.headers["Location"] == "http://%s/%s/" % (acct_host, quoted)
    finally:
        _gone(conn, name)
