"""FormPost: signed HTML form uploads, by raw HTTP and by headless Chromium."""

import hashlib
import hmac
import time
import urllib.parse
import uuid

import pytest

from tests.functional.browser import PageServer, dump_dom

BOUNDARY = "----objstoreFormBoundary7MA4YWxkTrZu0gW"
CT = {"Content-Type": "multipart/form-data; boundary=%s" % BOUNDARY}


def form_body(fields, files):
    out = b""
    for name, value in fields:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                % (BOUNDARY, name, value)).encode()
    for name, filename, data, ctype in files:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                "Content-Type: %s\r\n\r\n" % (BOUNDARY, name, filename, ctype)).encode()
        out += data + b"\r\n"
    return out + ("--%s--\r\n" % BOUNDARY).encode()


def signature(key, path, redirect, max_size, max_count, expires, digest="sha256"):
    message = "%s\n%s\n%s\n%s\n%s" % (path, redirect, max_size, max_count, expires)
    return hmac.new(key.encode(), message.encode(), getattr(hashlib, digest)).hexdigest()


@pytest.fixture
def target(http_api, conn):
    """(key, container, form path ending in a prefix); all removed after."""
    key = "fk-" + uuid.uuid4().hex
    name = "fp-" + uuid.uuid4().hex[:12]
    conn.put_container(name, headers={"X-Container-Meta-Temp-URL-Key": key})
    yield key, name, http_api.path(name) + "/up_"
    for obj in conn.get_container(name, full_listing=True)[1]:
        conn.delete_object(name, obj["name"])
    conn.delete_container(name)


def post_form(http_api, key, path, files, redirect="", max_size=1024, max_count=5,
              expires=None, extra=(), sig=None):
    expires = int(time.time()) + 300 if expires is None else expires
    sig = sig or signature(key, path, redirect, max_size, max_count, expires)
    fields = [("redirect", redirect), ("max_file_size", max_size),
              ("max_file_count", max_count), ("expires", expires)] + list(extra) + [
        ("signature", sig)]
    return http_api.request("POST", path, headers=CT, body=form_body(fields, files), user=None)


def names(conn, container):
    return sorted(o["name"] for o in conn.get_container(container)[1])


def test_a_signed_form_stores_each_file_under_the_prefix(http_api, conn, target):
    key, name, path = target
    resp = post_form(http_api, key, path, [("f1", "a.txt", b"AAA", "text/plain"),
                                           ("f2", "", b"", "application/octet-stream"),
                                           ("f3", "b.bin", b"\x00\x01", "application/x-b")],
                     extra=[("x_delete_after", "3600")])
    assert (resp.status, resp.body) == (201, b"201 Created")
    assert names(conn, name) == ["up_a.txt", "up_b.bin"]
    headers, data = conn.get_object(name, "up_b.bin")
    assert data == b"\x00\x01" and headers["content-type"] == "application/x-b"
    assert abs(int(headers["x-delete-at"]) - (time.time() + 3600)) < 60


def test_redirect_carries_the_status_and_message(http_api, conn, target):
    key, name, path = target
    resp = post_form(http_api, key, path, [("f", "r.txt", b"R", "text/plain")],
                     redirect="http://example.com/done?x=1")
    assert resp.status == 303
    assert resp.headers["Location"] == "http://example.com/done?x=1&status=201&message="
    resp = post_form(http_api, key, path, [("f", "m1", b"1", "text/plain"),
                                           ("f", "m2", b"2", "text/plain")],
                     redirect="http://example.com/done", max_count=1)
    assert resp.headers["Location"] == (
        "http://example.com/done?status=400&message=max%20file%20count%20exceeded")
    assert names(conn, name) == ["up_m1", "up_r.txt"]


def test_bad_forms_answer_swift_statuses_and_store_nothing(http_api, conn, target):
    key, name, path = target
    f = [("f", "x.txt", b"x", "text/plain")]
    cases = [
        (dict(sig="0" * 64), 401, b"FormPost: Invalid Signature"),
        (dict(expires=int(time.time()) - 5), 401, b"FormPost: Form Expired"),
        (dict(expires="abc"), 400, b"FormPost: expired not an integer"),
        (dict(max_size="big"), 400, b"FormPost: max_file_size not an integer"),
        (dict(max_count="many"), 400, b"FormPost: max_file_count not an integer"),
        (dict(extra=[("x_delete_at", "soon")]), 400,
         b"FormPost: x_delete_at not an integer: Unix timestamp required."),
        (dict(max_count=0), 400, b"400 Bad Request\r\nFormPost: Max File Count Exceeded"),
    ]
    for kwargs, status, body in cases:
        resp = post_form(http_api, key, path, f, **kwargs)
        assert (resp.status, resp.body) == (status, body), kwargs
    resp = post_form(http_api, key, path, [])
    assert (resp.status, resp.body) == (400, b"400 Bad Request\r\nFormPost: No Files To Process")
    assert names(conn, name) == []
    # A form signed for another container does not reach this one.
    other = http_api.path("elsewhere") + "/up_"
    resp = post_form(http_api, key, path, f, sig=signature(key, other, "", 1024, 5,
                                                           int(time.time()) + 300))
    assert resp.status == 401
    assert names(conn, name) == []


def test_a_file_over_max_file_size_is_not_stored_and_earlier_files_stay(http_api, conn, target):
    key, name, path = target
    big = b"B" * 300000  # several chunks: cut off mid-stream
    resp = post_form(http_api, key, path, [("f1", "small", b"ok", "text/plain"),
                                           ("f2", "big", big, "text/plain")], max_size=100000)
    assert (resp.status, resp.body) == (400, b"FormPost: max_file_size exceeded")
    assert names(conn, name) == ["up_small"]


def test_a_non_form_post_is_left_to_the_rest_of_the_pipeline(http_api, target):
    _key, _name, path = target
    resp = http_api.request("POST", path, headers={"Content-Type": "text/plain"},
                            body=b"a=b", user=None)
    assert resp.status == 401


def test_info_lists_formpost_digests(http_api):
    info = http_api.request("GET", "/info", user=None).json()
    assert info["formpost"] == {"allowed_digests": ["sha1", "sha256", "sha512"],
                                "deprecated_digests": ["sha1"]}


FORM_PAGE = """<!doctype html><html><body>
<form id="f" method="POST" enctype="multipart/form-data" action="%(action)s">
<input type="hidden" name="redirect" value="%(redirect)s">
<input type="hidden" name="max_file_size" value="%(max_size)s">
<input type="hidden" name="max_file_count" value="%(max_count)s">
<input type="hidden" name="expires" value="%(expires)s">
<input type="hidden" name="signature" value="%(sig)s">
<input type="file" name="file1" id="file1">
</form>
<script>
const dt = new DataTransfer();
dt.items.add(new File(["uploaded by chromium\\n"], "from-browser.txt", {type: "text/plain"}));
document.getElementById("file1").files = dt.files;
document.getElementById("f").submit();
</script></body></html>"""

DONE_PAGE = """<!doctype html><html><body><p id="result"></p>
<script>document.getElementById("result").textContent = "done:" + location.search;</script>
</body></html>"""


def test_chromium_submits_a_real_form_and_follows_the_redirect(http_api, conn, target, saio):
    key, name, path = target
    with PageServer({"/done.html": DONE_PAGE}) as site:
        redirect = site.origin + "/done.html"
        expires = int(time.time()) + 300
        page = FORM_PAGE % dict(action=saio + path, redirect=redirect, max_size=1024,
                                max_count=1, expires=expires,
                                sig=signature(key, path, redirect, 1024, 1, expires))
        with PageServer({"/form.html": page}) as form_site:
            dom = dump_dom(form_site.origin + "/form.html")
    assert "done:?status=201&amp;message=" in dom or "done:?status=201&message=" in dom, dom
    headers, data = conn.get_object(name, "up_from-browser.txt")
    assert data == b"uploaded by chromium\n"
    assert headers["content-type"] == "text/plain"
    assert urllib.parse.unquote(path).endswith("/up_")


def test_a_large_upload_streams_through_the_proxy_in_bounded_memory(http_api, conn, target):
    """256 MiB in one form: the proxy's RSS stays flat (the part is never held)."""
    from tests.functional.memory import RssSampler

    key, name, path = target
    size, mib = 256 * 1024 * 1024, 1024 * 1024
    expires = int(time.time()) + 600
    max_size = size + 1
    sig = signature(key, path, "", max_size, 1, expires)
    head = form_body([("redirect", ""), ("max_file_size", max_size), ("max_file_count", 1),
                      ("expires", expires), ("signature", sig)], [])
    head = head[:-len(("--%s--\r\n" % BOUNDARY).encode())]
    head += ("--%s\r\nContent-Disposition: form-data; name=\"f\"; filename=\"big.bin\"\r\n"
             "Content-Type: application/octet-stream\r\n\r\n" % BOUNDARY).encode()
    tail = ("\r\n--%s--\r\n" % BOUNDARY).encode()
    block = hashlib.md5(b"seed").digest() * (mib // 16)
    digest = hashlib.md5()

    def body():
        yield head
        for _ in range(size // mib):
            digest.update(block)
            yield block
        yield tail
    connection = http_api.connection(timeout=600)
    with RssSampler(["proxy"]) as sampler:
        connection.request("POST", path, body=body(), headers=dict(CT, **{
            "Content-Length": str(len(head) + size + len(tail))}))
        resp = connection.getresponse()
        answer = resp.read()
    connection.close()
    assert (resp.status, answer) == (201, b"201 Created")
    assert conn.head_object(name, "up_big.bin")["etag"] == digest.hexdigest()
    assert 0 < sampler.peak["proxy"] < 200 * 1024, "proxy reached %d MB" % (
        sampler.peak["proxy"] // 1024)
