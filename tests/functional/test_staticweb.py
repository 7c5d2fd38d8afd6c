"""StaticWeb: a container served as a website, checked with raw HTTP, the
swift CLI (``swift post -m``) and headless Chromium."""

import uuid

import pytest

from tests.functional.browser import dump_dom

SITE = {
    "index.html": (b'<html><body><h1 id="t">home</h1><a href="docs/">docs</a></body></html>',
                   "text/html"),
    "docs/index.html": (b"<html><body><p>docs index</p></body></html>", "text/html"),
    "files/a.txt": (b"a", "text/plain"),
    "files/b <&>.txt": (b"bb", "text/plain"),
    "404error.html": (b"<html><body><p>custom not found</p></body></html>", "text/html"),
    "401error.html": (b"<html><body><p>custom unauthorized</p></body></html>", "text/html"),
    "marker": (b"", "application/directory"),
    "marker/inside.txt": (b"i", "text/plain"),
}


def ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def site(conn, cli, tmp_path):
    """A public container holding SITE (the files uploaded with ``swift upload``),
    made a website with ``swift post -m``."""
    name = "web-" + uuid.uuid4().hex[:12]
    ok(cli("post", "-r", ".r:*,.rlistings", "-m", "web-index:index.html",
           "-m", "web-error:error.html", name))
    files = [obj for obj, (_d, ctype) in SITE.items() if ctype != "application/directory"]
    for obj in files:
        (tmp_path / obj).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / obj).write_bytes(SITE[obj][0])
    ok(cli("upload", name, *files, cwd=str(tmp_path)))
    conn.put_object(name, "marker", b"", content_type="application/directory")
    for obj in files:  # the CLI guesses types from names; the site's are set here
        conn.post_object(name, obj, {"Content-Type": SITE[obj][1]})
    yield name
    for obj in conn.get_container(name, full_listing=True)[1]:
        conn.delete_object(name, obj["name"])
    conn.delete_container(name)


def anon(http_api, path):
    return http_api.request("GET", path, user=None)


def test_index_pages_and_directory_redirects(http_api, site, saio):
    root = http_api.path(site)
    resp = anon(http_api, root)
    assert resp.status == 301 and resp.headers["Location"] == saio + root + "/"
    resp = anon(http_api, root + "/")
    assert resp.status == 200 and b"home" in resp.body
    resp = anon(http_api, root + "/docs")
    assert resp.status == 301 and resp.headers["Location"] == saio + root + "/docs/"
    assert anon(http_api, root + "/docs/").body == SITE["docs/index.html"][0]
    resp = anon(http_api, root + "/marker")
    assert resp.status == 301 and resp.headers["Location"].endswith("/marker/")
    # An object is served as itself.
    assert anon(http_api, root + "/files/a.txt").body == b"a"


def test_error_pages_keep_the_status(http_api, site, conn):
    root = http_api.path(site)
    resp = anon(http_api, root + "/nothing.html")
    assert resp.status == 404 and b"custom not found" in resp.body
    # No index and no listings: a directory is not found either.
    resp = anon(http_api, root + "/files/")
    assert resp.status == 404 and b"custom not found" in resp.body
    # Without .rlistings a listing is refused with the custom 401 page.
    conn.post_container(site, {"X-Container-Read": ".r:*",
                               "X-Container-Meta-Web-Listings": "true"})
    resp = anon(http_api, root + "/files/")
    assert resp.status == 401 and b"custom unauthorized" in resp.body


def test_tokens_see_the_api_unless_they_ask_for_web_mode(http_api, site):
    root = http_api.path(site)
    assert http_api.request("GET", root + "/docs/").status == 404
    resp = http_api.request("GET", root + "/docs/", headers={"X-Web-Mode": "true"})
    assert resp.status == 200 and resp.body == SITE["docs/index.html"][0]


def test_listings_escape_names_and_link_the_stylesheet(http_api, site, conn):
    conn.post_container(site, {"X-Container-Meta-Web-Listings": "true",
                               "X-Container-Meta-Web-Listings-CSS": "style.css"})
    root = http_api.path(site)
    resp = anon(http_api, root + "/files/")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/html; charset=UTF-8"
    page = resp.body.decode()
    assert "<title>Listing of %s/files/</title>" % root in page
    assert '<a href="./a%2Etxt">a.txt</a>' in page
    assert "b &lt;&amp;&gt;.txt</a>" in page and "<&>" not in page
    assert 'href="../style.css"' in page and '<a href="../">../</a>' in page
    assert anon(http_api, root + "/empty/").status == 404


def test_a_private_container_stays_private(http_api, site, conn):
    conn.post_container(site, {"X-Container-Read": ""})
    root = http_api.path(site)
    assert anon(http_api, root + "/").status == 401
    assert anon(http_api, root + "/index.html").status == 401


def test_chromium_renders_the_site_and_its_listing(http_api, site, conn, saio):
    root = saio + http_api.path(site)
    dom = dump_dom(root)  # redirected to the slash, then the index page
    assert '<h1 id="t">home</h1>' in dom, dom
    conn.post_container(site, {"X-Container-Meta-Web-Listings": "true"})
    dom = dump_dom(root + "/files/")
    assert 'id="listing"' in dom and ">a.txt</a>" in dom, dom
    dom = dump_dom(root + "/missing")
    assert "custom not found" in dom, dom


def test_a_container_created_again_inherits_no_acl_or_web_settings(http_api, conn):
    name = "web-" + uuid.uuid4().hex[:12]
    conn.put_container(name, headers={"X-Container-Read": ".r:*,.rlistings",
                                      "X-Container-Meta-Web-Listings": "true",
                                      "X-Container-Meta-Temp-URL-Key": "k"})
    conn.delete_container(name)
    conn.put_container(name)
    try:
        headers = conn.head_container(name)
        assert "x-container-read" not in headers
        assert not [h for h in headers if h.startswith("x-container-meta-")]
        assert http_api.request("GET", http_api.path(name) + "/", user=None).status == 401
    finally:
        conn.delete_container(name)


def test_web_mode_on_a_container_that_is_no_site_is_not_found(http_api, conn):
    name = "web-" + uuid.uuid4().hex[:12]
    conn.put_container(name, headers={"X-Container-Read": ".r:*,.rlistings",
                                      "X-Container-Meta-Web-Error": "error.html"})
    conn.put_object(name, "a.txt", b"a")
    try:
        root = http_api.path(name)
        for path in (root, root + "/"):
            resp = http_api.request("GET", path, headers={"X-Web-Mode": "true"})
            assert resp.status == 404 and b"<h1>Not Found</h1>" in resp.body
        # an error page alone makes no site: the API answers the rest
        assert http_api.request("GET", root + "/", user=None).body == b"a.txt\n"
        assert http_api.request("GET", root + "/a.txt", headers={"X-Web-Mode": "true"}).body == b"a"
    finally:
        conn.delete_object(name, "a.txt")
        conn.delete_container(name)


def test_listings_turned_off_still_make_a_site_whose_directories_are_404(http_api, site, conn):
    conn.post_container(site, {"X-Container-Meta-Web-Index": "",
                               "X-Container-Meta-Web-Error": "",
                               "X-Container-Meta-Web-Listings": "false",
                               "X-Container-Meta-Web-Listings-Label": "My site"})
    root = http_api.path(site)
    resp = anon(http_api, root + "/")
    assert resp.status == 404 and resp.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert b"<title>Listing of My site/</title>" in resp.body
    assert b"<h1>Web Listing Disabled</h1>" in resp.body
    resp = anon(http_api, root + "/files")
    assert resp.status == 301 and resp.headers["Location"].endswith("/files/")
    head = http_api.request("HEAD", root + "/files", user=None)
    assert head.status == 301 and head.headers["Content-Length"] == "0"
    # the objects themselves are served as ever
    assert anon(http_api, root + "/files/a.txt").body == b"a"
