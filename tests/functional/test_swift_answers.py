"""The bodies and types of everyday answers, as Swift 2.38.3 sends them
(read from a real Swift with curl): clients print them, and scripts match
on them."""

import time
import uuid

import pytest

HTML = "text/html; charset=UTF-8"
ACCEPTED_PAGE = b"<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>"
NOT_FOUND_PAGE = b"<html><h1>Not Found</h1><p>The resource could not be found.</p></html>"
UNPROCESSABLE_PAGE = (b"<html><h1>Unprocessable Entity</h1><p>Unable to process the contained "
                      b"instructions</p></html>")


def _answer(resp):
    return resp.status, resp.headers.get("Content-Type"), resp.headers.get("Content-Length"), \
        resp.body


def test_a_202_carries_the_accepted_page(http_api, container):
    assert http_api.request("PUT", http_api.path(container, "o"), body=b"x").status == 201
    assert _answer(http_api.request("POST", http_api.path(container, "o"))) == (
        202, HTML, "76", ACCEPTED_PAGE)
    assert _answer(http_api.request("PUT", http_api.path(container))) == (
        202, HTML, "76", ACCEPTED_PAGE)


def test_a_204_says_content_length_0(http_api, container):
    assert http_api.request("PUT", http_api.path(container, "o"), body=b"x").status == 201
    assert _answer(http_api.request("DELETE", http_api.path(container, "o"))) == (
        204, HTML, "0", b"")
    assert _answer(http_api.request("POST", http_api.path(container),
                                    headers={"X-Container-Meta-A": "b"})) == (204, HTML, "0", b"")


def test_writes_to_a_missing_object_get_the_not_found_page(http_api, container):
    for method in ("POST", "DELETE", "GET"):
        assert _answer(http_api.request(method, http_api.path(container, "nope"))) == (
            404, HTML, "70", NOT_FOUND_PAGE), method


def test_options_lists_the_verbs_in_swifts_order(http_api, container):
    resp = http_api.request("OPTIONS", http_api.path(container, "o"))
    assert (resp.status, resp.headers["Allow"], resp.headers["Content-Type"]) == (
        200, "HEAD, PUT, POST, DELETE, OPTIONS, GET, COPY", HTML)
    resp = http_api.request("OPTIONS", http_api.path(container))
    assert resp.headers["Allow"] == "HEAD, PUT, POST, DELETE, OPTIONS, GET"


def test_copy_header_errors_are_412_with_swifts_text(http_api, container):
    assert http_api.request("PUT", http_api.path(container, "o"), body=b"x").status == 201
    resp = http_api.request("COPY", http_api.path(container, "o"))
    assert _answer(resp) == (412, HTML, "27", b"Destination header required")
    resp = http_api.request("COPY", http_api.path(container, "o"),
                            headers={"Destination": "nocontainer"})
    assert resp.status == 412 and resp.body == (
        b"Destination header must be of the form <container name>/<object name>")


def test_a_malformed_etag_is_422_with_the_page(http_api, container):
    resp = http_api.request("PUT", http_api.path(container, "o"), body=b"x",
                            headers={"ETag": "zz"})
    assert _answer(resp) == (422, HTML, "93", UNPROCESSABLE_PAGE)


def test_name_length_errors_carry_swifts_text_and_type(http_api, container):
    long_container = "c" * 257
    resp = http_api.request("PUT", http_api.path(long_container))
    assert _answer(resp) == (400, HTML, "44", b"Container name length of 257 longer than 256")
    resp = http_api.request("PUT", http_api.path(container, "o" * 1025), body=b"x")
    assert _answer(resp) == (400, "text/plain", "43",
                             b"Object name length of 1025 longer than 1024")


def test_a_missing_length_is_411_with_swifts_text(http_api, container):
    conn = http_api.connection()
    try:
        conn.putrequest("PUT", http_api.path(container, "o-" + uuid.uuid4().hex))
        conn.putheader("X-Auth-Token", http_api.auth()[1])
        conn.endheaders()
        resp = conn.getresponse()
        assert (resp.status, resp.getheader("Content-Type"), resp.read()) == (
            411, "text/plain", b"Missing Content-Length header.")
    finally:
        conn.close()


def test_a_token_comes_in_headers_with_an_empty_body_and_only_for_get(http_api):
    creds = {"X-Auth-User": "test:tester", "X-Auth-Key": "testing"}
    resp = http_api.request("GET", "/auth/v1.0", user=None, headers=creds)
    assert (resp.status, resp.headers["Content-Type"], resp.headers["Content-Length"],
            resp.body) == (200, HTML, "0", b"")
    assert resp.headers["X-Auth-Token"] and resp.headers["X-Storage-Url"].endswith("/AUTH_test")
    head = http_api.request("HEAD", "/auth/v1.0", user=None, headers=creds)
    assert (head.status, head.headers.get("X-Auth-Token")) == (405, None)
    bad = http_api.request("GET", "/auth/v1.0", user=None,
                           headers={"X-Auth-User": "tester", "X-Auth-Key": "testing"})
    assert (bad.status, bad.headers["WWW-Authenticate"]) == (401, 'Swift realm="unknown"')


def test_an_account_not_yet_created_answers_head_200_with_its_timestamps(http_api):
    account = "AUTH_fnnever" + uuid.uuid4().hex[:8]
    resp = http_api.request("HEAD", "/v1/" + account, user="reseller")
    assert resp.status == 200 and resp.headers["X-Account-Container-Count"] == "0"
    assert resp.headers["X-Put-Timestamp"] == resp.headers["X-Timestamp"]
    assert resp.headers.get("Accept-Ranges") is None


def test_names_too_long_for_a_container_or_object_are_simply_not_found(http_api, container):
    for path in (http_api.path("c" * 300), http_api.path("c" * 300, "o"),
                 http_api.path(container, "o" * 1100)):
        for method in ("HEAD", "GET", "POST", "DELETE"):
            assert http_api.request(method, path).status == 404, (method, path[:40])
    # an object PUT finds the missing container before judging the name
    assert http_api.request("PUT", http_api.path("c" * 300, "o" * 1100), body=b"x").status \
        == 404


def test_bad_container_acls_and_policies_are_400_in_swifts_words(http_api, delete_container,
                                                                conn):
    name = "fn-acl-" + uuid.uuid4().hex[:8]
    for header, value, text in (
            ("X-Container-Read", ".r:", b"No host/domain value after referrer designation "
                                        b"in ACL: '.r:'"),
            ("X-Container-Read", ".bogus:x", b"Unknown designator '.bogus' in ACL: '.bogus:x'"),
            ("X-Container-Write", ".r:*", b"Referrers not allowed in write ACL: '.r:*'")):
        resp = http_api.request("PUT", http_api.path(name), headers={header: value})
        assert _answer(resp) == (400, HTML, str(len(text)), text)
    resp = http_api.request("PUT", http_api.path(name), headers={"X-Storage-Policy": "nosuch"})
    assert (resp.status, resp.body) == (400, b"Invalid X-Storage-Policy 'nosuch'")
    assert http_api.request("HEAD", http_api.path(name)).status == 404  # nothing was created
    try:
        resp = http_api.request("PUT", http_api.path(name), headers={"X-Storage-Policy": ""})
        assert resp.status == 201  # an empty policy is the default one
    finally:
        delete_container(conn, name)


def test_an_absolute_form_request_target_is_served(http_api, container):
    assert http_api.request("PUT", http_api.path(container, "o"), body=b"hello").status == 201
    url = "http://%s:%d%s" % (http_api.host, http_api.port, http_api.path(container, "o"))
    resp = http_api.request("GET", url)
    assert (resp.status, resp.body) == (200, b"hello")


def test_a_deleted_account_is_410_with_its_status_and_no_body(http_api):
    account = "/v1/AUTH_fndel" + uuid.uuid4().hex[:8]
    put = http_api.request("PUT", account, user="reseller")
    if put.status == 405:
        pytest.skip("allow_account_management is off in this cluster")
    assert put.status == 201
    resp = http_api.request("DELETE", account, user="reseller")
    assert (resp.status, resp.headers["X-Account-Status"]) == (204, "Deleted")
    for method in ("HEAD", "GET"):
        resp = http_api.request(method, account, user="reseller")
        assert (resp.status, resp.headers["X-Account-Status"], resp.headers["Content-Length"],
                resp.body) == (410, "Deleted", "0", b""), method
    assert http_api.request("PUT", account + "/c", user="reseller").status == 503


@pytest.mark.parametrize("policy", [None, "ec21"])
def test_a_post_with_a_content_type_changes_the_type_and_the_listing(http_api, conn,
                                                                   delete_container, policy):
    name = "fn-ctype-" + uuid.uuid4().hex[:8]
    headers = {"X-Storage-Policy": policy} if policy else {}
    assert http_api.request("PUT", http_api.path(name), headers=headers).status == 201
    try:
        path = http_api.path(name, "o")
        assert http_api.request("PUT", path, body=b"abcdef",
                                headers={"Content-Type": "text/plain"}).status == 201
        assert http_api.request("POST", path,
                                headers={"Content-Type": "application/x-new"}).status == 202
        got = http_api.request("GET", path)
        assert (got.headers["Content-Type"], got.body) == ("application/x-new", b"abcdef")
        assert http_api.request("POST", path, headers={"X-Object-Meta-A": "1"}).status == 202
        assert http_api.request("HEAD", path).headers["Content-Type"] == "application/x-new"
        deadline = time.time() + 30  # the listing may lag its object a moment
        while True:
            [row] = http_api.request("GET", http_api.path(name) + "?format=json").json()
            if row["content_type"] == "application/x-new" or time.time() > deadline:
                break
            time.sleep(0.1)
        assert (row["content_type"], row["bytes"]) == ("application/x-new", 6)
    finally:
        delete_container(conn, name)
