"""The bodies and types of everyday answers, as Swift 2.38.3 sends them
(read from a real Swift with curl): clients print them, and scripts match
on them."""

import uuid

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
