"""CORS for the Swift API: preflights, marked answers, and a real browser
page on another origin that uploads and downloads."""

import uuid

import pytest

from tests.functional.browser import PageServer, dump_dom


@pytest.fixture
def cors_container(http_api, conn):
    """A container allowing one origin (set by the test); removed after."""
    name = "cors-" + uuid.uuid4().hex[:12]
    conn.put_container(name)
    yield name
    for obj in conn.get_container(name, full_listing=True)[1]:
        conn.delete_object(name, obj["name"])
    conn.delete_container(name)


def allow(conn, name, origin, max_age="77", expose="X-Object-Meta-Color"):
    conn.post_container(name, {"X-Container-Meta-Access-Control-Allow-Origin": origin,
                               "X-Container-Meta-Access-Control-Max-Age": max_age,
                               "X-Container-Meta-Access-Control-Expose-Headers": expose})


def preflight(http_api, path, origin, method="PUT", headers="x-auth-token, content-type"):
    h = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        h["Access-Control-Request-Headers"] = headers
    return http_api.request("OPTIONS", path, headers=h, user=None)


def test_preflight_from_an_allowed_origin_lists_methods_and_headers(http_api, conn, cors_container):
    allow(conn, cors_container, "http://a.example http://b.example")
    resp = preflight(http_api, http_api.path(cors_container, "o"), "http://b.example")
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "http://b.example"
    assert resp.headers["Access-Control-Allow-Headers"] == "content-type, x-auth-token"
    assert resp.headers["Access-Control-Max-Age"] == "77"
    assert resp.headers["Vary"] == "Origin, Access-Control-Request-Headers"
    methods = {m.strip() for m in resp.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "PUT", "DELETE", "COPY"} <= methods
    resp = preflight(http_api, http_api.path(cors_container), "http://a.example", "GET", None)
    assert resp.status == 200 and "COPY" not in resp.headers["Access-Control-Allow-Methods"]


def test_preflight_refusals_answer_401(http_api, conn, cors_container):
    allow(conn, cors_container, "http://a.example")
    path = http_api.path(cors_container, "o")
    assert preflight(http_api, path, "http://evil.example").status == 401
    assert preflight(http_api, path, "http://a.example", method="FOO").status == 401
    assert preflight(http_api, http_api.path("no-such-" + uuid.uuid4().hex, "o"),
                     "http://a.example").status == 401
    resp = http_api.request("OPTIONS", path, headers={"Origin": "http://a.example"}, user=None)
    assert resp.status == 401
    assert "Access-Control-Allow-Origin" not in resp.headers
    # Without Origin, OPTIONS is the plain answer.
    assert http_api.request("OPTIONS", path, user=None).status == 200


def test_star_allows_every_origin_without_vary(http_api, conn, cors_container):
    allow(conn, cors_container, "*", max_age="")
    resp = preflight(http_api, http_api.path(cors_container, "o"), "http://any.example", "GET", None)
    assert resp.status == 200 and resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "Vary" not in resp.headers and "Access-Control-Max-Age" not in resp.headers


def test_answers_to_allowed_origins_expose_headers_even_on_errors(http_api, conn, cors_container):
    allow(conn, cors_container, "http://a.example", expose="X-Foo")
    conn.put_object(cors_container, "o", b"hi", headers={"X-Object-Meta-Color": "red"})
    path = http_api.path(cors_container, "o")
    resp = http_api.request("GET", path, headers={"Origin": "http://a.example"})
    assert resp.headers["Access-Control-Allow-Origin"] == "http://a.example"
    exposed = [h.strip() for h in resp.headers["Access-Control-Expose-Headers"].split(",")]
    assert {"etag", "x-foo", "x-object-meta-color", "content-type"} <= set(exposed)
    assert resp.headers["Vary"] == "Origin"
    missing = http_api.request("GET", http_api.path(cors_container, "gone"),
                               headers={"Origin": "http://a.example"})
    assert missing.status == 404
    assert missing.headers["Access-Control-Allow-Origin"] == "http://a.example"
    evil = http_api.request("GET", path, headers={"Origin": "http://evil.example"})
    assert evil.status == 200 and "Access-Control-Allow-Origin" not in evil.headers


def test_info_reports_strict_cors_mode(http_api):
    assert http_api.request("GET", "/info", user=None).json()["swift"]["strict_cors_mode"] is True


PAGE = """<!doctype html><html><body><pre id="out">running</pre><script>
const out = document.getElementById("out");
const url = "%(url)s";
async function run() {
  const lines = [];
  try {
    const put = await fetch(url, {method: "PUT", body: "from another origin",
      headers: {"X-Auth-Token": "%(token)s", "Content-Type": "text/plain",
                "X-Object-Meta-Color": "blue"}});
    lines.push("put=" + put.status);
    const get = await fetch(url, {headers: {"X-Auth-Token": "%(token)s"}});
    lines.push("get=" + get.status + " body=" + (await get.text()) +
               " color=" + get.headers.get("X-Object-Meta-Color"));
  } catch (err) {
    lines.push("blocked=" + err.name);
  }
  out.textContent = lines.join("\\n");
}
run();
</script></body></html>"""


def test_a_page_on_another_origin_uploads_and_downloads_in_chromium(http_api, conn,
                                                                    cors_container, saio):
    token = http_api.auth("admin")[1]
    url = saio + http_api.path(cors_container, "browser.txt")
    with PageServer({}) as site:
        allow(conn, cors_container, site.origin)
        site_pages = {"/page.html": PAGE % dict(url=url, token=token)}
        with PageServer(site_pages) as page_site:
            # The page is served from a second origin, which is not allowed yet.
            dom = dump_dom(page_site.origin + "/page.html")
            assert "blocked=TypeError" in dom, dom
            assert "browser.txt" not in [o["name"] for o in conn.get_container(cors_container)[1]]
            allow(conn, cors_container, page_site.origin)
            dom = dump_dom(page_site.origin + "/page.html")
    assert "put=201" in dom, dom
    assert "get=200 body=from another origin color=blue" in dom, dom
    assert conn.get_object(cors_container, "browser.txt")[1] == b"from another origin"
