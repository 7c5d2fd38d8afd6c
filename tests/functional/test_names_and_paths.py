"""Names and paths as Swift 2.38.3 answers them: UTF-8 names through
headers, listings and raw request lines; bad paths, bad UTF-8 and NUL;
expiry headers; invalid metadata; backend-only headers from clients.

Every expected status, body and Content-Type here was read from a real
Swift 2.38.3 with curl.
"""

import json
import time
import urllib.parse
import uuid

import pytest
import swiftclient

from tests.functional.conftest import raw_http

HTML = "text/html; charset=UTF-8"
NOT_FOUND_PAGE = b"<html><h1>Not Found</h1><p>The resource could not be found.</p></html>"
BAD_REQUEST_PAGE = (b"<html><h1>Bad Request</h1><p>The server could not comply with the request "
                    b"since it is either malformed or otherwise incorrect.</p></html>")
UNAUTHORIZED_PAGE = (b"<html><h1>Unauthorized</h1><p>This server could not verify that you are "
                     b"authorized to access the document you requested.</p></html>")
FORBIDDEN_PAGE = b"<html><h1>Forbidden</h1><p>Access was denied to this resource.</p></html>"
NAME = "caf\u00e9-\u2603 voil\u00e0\u2026"


@pytest.fixture
def utf8_container(conn, delete_container):
    name = "fn-\u00e9t\u00e9-" + uuid.uuid4().hex[:8]
    conn.put_container(name)
    yield name
    delete_container(conn, name)


def raw_request(http_api, method: str, raw_path: bytes, body: bytes = b"",
                user: str = "admin") -> bytes:
    """One request whose request line carries ``raw_path`` byte for byte
    (http.client refuses non-ASCII), answered as raw bytes."""
    token = http_api.auth(user)[1].encode()
    return raw_http(method, raw_path, b"X-Auth-Token: %s\r\n" % token, body)


def test_a_utf8_name_round_trips_through_listings_and_copy_headers(conn, utf8_container):
    conn.put_object(utf8_container, NAME, b"abc")
    _, listing = conn.get_container(utf8_container)
    assert [o["name"] for o in listing] == [NAME]
    _, by_prefix = conn.get_container(utf8_container, prefix="caf\u00e9", delimiter="\u2603")
    assert by_prefix == [{"subdir": "caf\u00e9-\u2603"}]
    _, containers = conn.get_account(prefix=utf8_container)
    assert [c["name"] for c in containers] == [utf8_container]
    source = "%s/%s" % (utf8_container, NAME)
    conn.put_object(utf8_container, "copy-quoted", b"",
                    headers={"X-Copy-From": urllib.parse.quote(source)})
    conn.put_object(utf8_container, "copy-raw", b"", headers={"X-Copy-From": source})
    assert conn.get_object(utf8_container, "copy-quoted")[1] == b"abc"
    assert conn.get_object(utf8_container, "copy-raw")[1] == b"abc"


def test_a_utf8_manifest_header_reads_back_as_written(conn, utf8_container):
    value = "%s/%s/" % (utf8_container, NAME)
    conn.put_object(utf8_container, NAME + "/1", b"seg")
    conn.put_object(utf8_container, "manifest", b"", headers={"X-Object-Manifest": value})
    headers, _ = conn.get_object(utf8_container, "manifest",
                                 query_string="multipart-manifest=get")
    assert headers["x-object-manifest"] == value
    head = conn.head_object(utf8_container, "manifest")
    assert (head["x-object-manifest"], head["content-length"]) == (value, "3")
    assert conn.get_object(utf8_container, "manifest")[1] == b"seg"


def test_a_raw_utf8_request_line_is_accepted_as_swift_accepts_it(http_api, utf8_container):
    raw = http_api.path(utf8_container).encode("ascii") + b"/" + NAME.replace(" ", "_").encode(
        "utf-8")
    put = raw_request(http_api, "PUT", raw, b"hi")
    assert put.startswith(b"HTTP/1.1 201 Created\r\n"), put[:200]
    got = raw_request(http_api, "GET", raw)
    assert got.startswith(b"HTTP/1.1 200 OK\r\n") and got.endswith(b"\r\n\r\nhi")
    quoted = http_api.request("GET", http_api.path(utf8_container, NAME.replace(" ", "_")))
    assert (quoted.status, quoted.body) == (200, b"hi")


def test_a_name_whose_request_line_just_fits_works_with_every_method(http_api, container):
    """The proxy holds a request line to 8,192 bytes; the line it sends an
    object server is longer (device and partition in front), so the
    storage servers allow more. Swift 2.38.3's storage servers do not: for
    such a name its proxy answers 503 to every method (docs/swift-differences.md).
    Here a name whose DELETE line is 8,191 bytes with its CRLF can be
    written, read, changed, listed and deleted, and one byte more is 414."""
    prefix = http_api.path(container).encode("ascii") + b"/"
    frame = len(b"DELETE ") + len(prefix) + len(b" HTTP/1.1\r\n")
    wide = urllib.parse.quote("\u4e16").encode("ascii")  # 9 bytes on the line per character
    count, pad = divmod(8191 - frame, len(wide))
    name = "\u4e16" * count + "p" * pad
    target = prefix + urllib.parse.quote(name).encode("ascii")
    assert len(b"DELETE ") + len(target) + len(b" HTTP/1.1\r\n") == 8191
    assert len(name) <= 1024
    answers = [raw_request(http_api, "PUT", target, b"fits"), raw_request(http_api, "HEAD", target),
               raw_request(http_api, "GET", target), raw_request(http_api, "POST", target)]
    assert [a.split(b"\r\n", 1)[0] for a in answers] == [
        b"HTTP/1.1 201 Created", b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK", b"HTTP/1.1 202 Accepted"]
    assert answers[2].endswith(b"\r\n\r\nfits")
    listing = http_api.request("GET", http_api.path(container) + "?format=json")
    assert [o["name"] for o in json.loads(listing.body)] == [name]
    longer = raw_request(http_api, "DELETE", target + b"p")
    assert longer.startswith(b"HTTP/1.0 414 Request URI Too Long\r\n"), longer[:100]
    deleted = raw_request(http_api, "DELETE", target)
    assert deleted.startswith(b"HTTP/1.1 204 No Content\r\n"), deleted[:200]
    assert raw_request(http_api, "HEAD", target).startswith(b"HTTP/1.1 404 Not Found\r\n")


def test_a_raw_space_in_the_request_line_is_still_bad_syntax(http_api):
    answer = raw_request(http_api, "GET", b"/v1/AUTH_test/a b")
    assert answer.startswith(b"HTTP/1.1 400 Bad request syntax")


@pytest.mark.parametrize("path", ["/v1", "/v1/", "/foo"])
def test_a_path_naming_no_account_is_412_bad_url(http_api, path):
    resp = http_api.request("GET", path)
    assert (resp.status, resp.body, resp.headers["Content-Type"]) == (412, b"Bad URL", HTML)
    head = http_api.request("HEAD", path)
    assert (head.status, head.headers["Content-Length"], head.body) == (412, "7", b"")


def test_an_unknown_api_version_is_400_and_an_empty_segment_404(http_api):
    resp = http_api.request("GET", "/v2/AUTH_test")
    assert (resp.status, resp.body) == (400, BAD_REQUEST_PAGE)
    resp = http_api.request("GET", "/v1//c")
    assert (resp.status, resp.body, resp.headers["Content-Type"]) == (404, NOT_FOUND_PAGE, HTML)


def test_a_container_read_under_an_unknown_version_asks_a_browser_for_a_token(http_api):
    """Staticweb takes a container read without an identity first: 401 with
    the path's account as realm; with a token the proxy's 400 for the version;
    in web mode the token's own verdict (403 elsewhere, 404 in its account)."""
    for method, path in (("GET", "/foo/bar/baz"), ("HEAD", "/v2/AUTH_test/c"),
                         ("GET", "/foo/bar/baz/")):
        for headers in ({}, {"X-Auth-Token": "not-ours"}):
            resp = http_api.request(method, path, user=None, headers=headers)
            realm = path.split("/")[2]
            assert (resp.status, resp.headers["WWW-Authenticate"]) == (
                401, 'Swift realm="%s"' % realm), (method, path, headers)
            assert resp.body == (UNAUTHORIZED_PAGE if method == "GET" else b"")
        resp = http_api.request(method, path)
        assert resp.status == 400 and "WWW-Authenticate" not in resp.headers, (method, path)
    web = {"X-Web-Mode": "true"}
    assert http_api.request("GET", "/foo/bar/baz", headers=web).status == 403
    resp = http_api.request("GET", "/v2/AUTH_test/c", headers=web)
    assert (resp.status, resp.body) == (404, NOT_FOUND_PAGE)
    # Writes and object paths meet the proxy's 400 at once.
    for method, path in (("PUT", "/foo/bar/baz"), ("GET", "/foo/bar/baz/qux"),
                         ("GET", "/foo/bar")):
        resp = http_api.request(method, path, user=None, body=b"" if method == "PUT" else None)
        assert (resp.status, resp.body) == (400, BAD_REQUEST_PAGE), (method, path)


@pytest.mark.parametrize("suffix", ["/%FF", "/c%00d", "/fn-x/%C3", "/fn-x/a%00b"])
def test_invalid_utf8_or_nul_in_a_name_is_412(http_api, suffix):
    for method in ("GET", "PUT", "POST", "DELETE"):
        resp = http_api.request(method, http_api.path() + suffix, body=b"" if method == "PUT"
                                else None)
        assert (resp.status, resp.body) == (412, b"Invalid UTF8 or contains NULL"), method
        assert resp.headers["Content-Type"] == HTML


def test_an_invalid_utf8_account_is_412_too(http_api):
    resp = http_api.request("GET", "/v1/AUTH_%FF")
    assert (resp.status, resp.body) == (412, b"Invalid UTF8 or contains NULL")
    assert http_api.request("GET", "/v1/AUTH_%FF", user=None).status == 412


def test_anonymous_requests_for_invalid_names_in_an_account_are_401_first(http_api):
    """No ACL can admit a name that is not UTF-8: Swift asks for a token."""
    for suffix in ("/%FF", "/c/%FF", "/c%00"):
        resp = http_api.request("GET", http_api.path() + suffix, user=None)
        assert resp.status == 401, suffix


def test_a_path_starting_with_two_slashes_is_not_collapsed(http_api):
    resp = http_api.request("GET", "/" + http_api.path())
    assert (resp.status, resp.body) == (404, NOT_FOUND_PAGE)


def test_a_put_into_a_missing_container_is_404_with_swifts_page(http_api):
    resp = http_api.request("PUT", http_api.path("fn-missing-" + uuid.uuid4().hex, "b"),
                            body=b"x")
    assert (resp.status, resp.body) == (404, NOT_FOUND_PAGE)
    head = http_api.request("HEAD", http_api.path("fn-missing-" + uuid.uuid4().hex, "b"))
    assert (head.status, head.headers["Content-Length"]) == (404, "0")


def test_a_missing_token_is_401_with_the_quoted_realm(http_api):
    resp = http_api.request("GET", http_api.path(), user=None)
    assert (resp.status, resp.body) == (401, UNAUTHORIZED_PAGE)
    assert resp.headers["WWW-Authenticate"] == 'Swift realm="%s"' % http_api.path()[4:]
    bad_login = http_api.request("GET", "/auth/v1.0", user=None,
                                 headers={"X-Auth-User": "test:tester", "X-Auth-Key": "no"})
    assert (bad_login.status, bad_login.headers["WWW-Authenticate"]) == (
        401, 'Swift realm="test"')


def test_a_token_without_rights_is_403_with_swifts_page(http_api):
    resp = http_api.request("GET", http_api.path(account="AUTH_test2"), user="nonadmin")
    assert (resp.status, resp.body, resp.headers["Content-Type"]) == (403, FORBIDDEN_PAGE, HTML)


@pytest.mark.parametrize("header, value, text", [
    ("X-Delete-After", "abc", b"Non-integer X-Delete-After"),
    ("X-Delete-After", "1.5", b"Non-integer X-Delete-After"),
    ("X-Delete-After", "0", b"X-Delete-After in past"),
    ("X-Delete-After", "-5", b"X-Delete-After in past"),
    ("X-Delete-At", "soon", b"Non-integer X-Delete-At"),
    ("X-Delete-At", "1.5e10", b"Non-integer X-Delete-At"),
    ("X-Delete-At", "100", b"X-Delete-At in past")])
def test_bad_expiry_headers_are_400_with_swifts_text_and_store_nothing(
        http_api, container, header, value, text):
    for method in ("PUT", "POST"):
        if method == "POST":
            assert http_api.request("PUT", http_api.path(container, "o"), body=b"old").status \
                == 201
        resp = http_api.request(method, http_api.path(container, "o"), body=b"new",
                                headers={header: value})
        assert (resp.status, resp.body, resp.headers["Content-Type"]) == (400, text,
                                                                          "text/plain"), method
    got = http_api.request("GET", http_api.path(container, "o"))
    assert (got.status, got.body, got.headers.get("X-Delete-At")) == (200, b"old", None)


@pytest.mark.parametrize("header, value", [("X-Delete-At", "99999999999"),
                                           ("X-Delete-After", "99999999999")])
def test_a_far_future_expiry_is_clamped_to_ten_digits(http_api, container, header, value):
    resp = http_api.request("PUT", http_api.path(container, "o"), body=b"x",
                            headers={header: value})
    assert resp.status == 201
    head = http_api.request("HEAD", http_api.path(container, "o"))
    assert head.headers["X-Delete-At"] == "9999999999"


def test_a_client_cannot_read_an_expired_object_with_the_backend_open_expired_header(
        http_api, container):
    """X-Backend-Open-Expired lets object_versioning read an expiring write
    it is keeping; a client sending it still sees an expired object gone."""
    path = http_api.path(container, "o")
    assert http_api.request("PUT", path, body=b"x", headers={"X-Delete-After": "1"}).status == 201
    time.sleep(1.2)
    for method in ("GET", "HEAD"):
        resp = http_api.request(method, path, headers={"X-Backend-Open-Expired": "true"})
        assert resp.status == 404, method


def test_object_metadata_that_is_not_utf8_is_kept_as_sent_and_a_container_refuses_it(
        http_api, container):
    """As Swift 2.38.3: an object stores and returns the bytes of a metadata
    value that is not UTF-8 (its functional suite writes such values); a
    container's metadata must be UTF-8 (400), and nothing is changed."""
    path = http_api.path(container, "o")
    bad = {"X-Object-Meta-Color": "\xff\xfe"}  # http.client sends it as those two bytes
    assert http_api.request("PUT", path, body=b"new", headers=bad).status == 201
    got = http_api.request("GET", path)
    assert (got.body, got.headers.get("X-Object-Meta-Color")) == (b"new", "\xff\xfe")
    resp = http_api.request("POST", path, headers={"X-Object-Meta-Shade": "ab\xc3"})
    assert resp.status == 202
    head = http_api.request("HEAD", path)
    assert (head.headers.get("X-Object-Meta-Shade"), head.headers.get("X-Object-Meta-Color")) \
        == ("ab\xc3", None)
    resp = http_api.request("POST", http_api.path(container),
                            headers={"X-Container-Meta-Color": "\xff\xfe"})
    assert (resp.status, resp.body) == (400, b"Metadata must be valid UTF-8")
    head = http_api.request("HEAD", http_api.path(container))
    assert head.headers.get("X-Container-Meta-Color") is None


def test_a_client_sent_x_if_delete_at_makes_the_delete_conditional(http_api, container):
    """As in Swift: a DELETE whose X-If-Delete-At is not the object's
    expiry is refused (412) and deletes nothing; one that is no integer is
    400; a matching one deletes."""
    path = http_api.path(container, "o")
    when = str(int(time.time()) + 3600)
    assert http_api.request("PUT", path, body=b"x", headers={"X-Delete-At": when}).status == 201
    assert http_api.request("DELETE", path, headers={"X-If-Delete-At": "12345"}).status == 412
    assert http_api.request("DELETE", path, headers={"X-If-Delete-At": "soon"}).status == 400
    assert http_api.request("HEAD", path).status == 200
    assert http_api.request("DELETE", path, headers={"X-If-Delete-At": when}).status == 204
    assert http_api.request("HEAD", path).status == 404


def test_client_sent_update_targets_do_not_reach_the_object_servers(http_api, container):
    """X-Container-Host & co. name the servers an object server reports
    to: a client naming its own host must not make the write fail or go
    elsewhere; the listing shows the object as usual."""
    path = http_api.path(container, "o")
    resp = http_api.request("PUT", path, body=b"x", headers={
        "X-Container-Host": "127.0.0.1:1", "X-Container-Partition": "0",
        "X-Container-Device": "nodev", "X-Delete-At-Host": "127.0.0.1:1",
        "X-Delete-At-Container": "0", "X-Account-Override-Deleted": "yes"})
    assert resp.status == 201
    listing = http_api.request("GET", http_api.path(container) + "?format=json")
    assert [o["name"] for o in listing.json()] == ["o"]


def test_swiftclient_sees_a_missing_object_as_404(conn, container):
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(container, "nope")
    assert err.value.http_status == 404
