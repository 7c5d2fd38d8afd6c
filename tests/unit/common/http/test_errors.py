from webob import Request

from objstore.common.http import errors


def _answer(resp, method="GET"):
    got = Request.blank("/", method=method).get_response(resp)
    return got.status, got.headers["Content-Type"], got.headers["Content-Length"], got.body


def test_a_bare_status_carries_swifts_html_page():
    assert _answer(errors.swift_error(404)) == (
        "404 Not Found", "text/html; charset=UTF-8", "70",
        b"<html><h1>Not Found</h1><p>The resource could not be found.</p></html>")
    assert _answer(errors.swift_error(401))[3] == (
        b"<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized "
        b"to access the document you requested.</p></html>")


def test_a_head_of_a_default_page_has_length_zero_and_a_message_keeps_its_length():
    assert _answer(errors.swift_error(403), "HEAD") == (
        "403 Forbidden", "text/html; charset=UTF-8", "0", b"")
    assert _answer(errors.bad_url(), "HEAD") == (
        "412 Precondition Failed", "text/html; charset=UTF-8", "7", b"")


def test_named_messages_are_sent_without_a_newline_in_swifts_content_type():
    assert _answer(errors.bad_url()) == ("412 Precondition Failed", "text/html; charset=UTF-8",
                                         "7", b"Bad URL")
    assert _answer(errors.invalid_utf8())[3] == b"Invalid UTF8 or contains NULL"
    assert _answer(errors.plain_error(400, "X-Delete-At in past")) == (
        "400 Bad Request", "text/plain", "19", b"X-Delete-At in past")


def test_extra_headers_are_kept_and_unknown_statuses_get_the_standard_phrase():
    resp = errors.swift_error(405, headers={"Allow": "GET, HEAD"})
    assert resp.headers["Allow"] == "GET, HEAD"
    assert errors.status_line(418) == "418 I'm a Teapot"
    assert errors.default_body(418) == b""
    assert errors.reason(416) == "Requested Range Not Satisfiable"


def _names(resp, method="GET"):
    sent = []
    resp(Request.blank("/", method=method).environ, lambda status, headers: sent.extend(headers))
    return [name for name, _ in sent]


def test_headers_come_in_swifts_order():
    """A message's length right after its type, a default page's after
    the other headers (Swift makes that page as it sends it)."""
    assert _names(errors.plain_error(400, "bad", {"X-A": "1"})) == \
        ["Content-Type", "Content-Length", "X-A"]
    assert _names(errors.swift_error(405, headers={"Allow": "GET"})) == \
        ["Content-Type", "Allow", "Content-Length"]
    assert _names(errors.swift_error(401, headers={"Www-Authenticate": "x"}), "HEAD") == \
        ["Content-Type", "Www-Authenticate", "Content-Length"]
    assert _names(errors.swift_error(404, headers={"Content-Type": "text/plain"})) == \
        ["Content-Type", "Content-Length"]
