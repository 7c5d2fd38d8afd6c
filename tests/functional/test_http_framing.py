"""How the proxy's HTTP server frames requests, as Swift 2.38.3's does (each
answer read from a real Swift with raw sockets): header lines after one the
stdlib's parser stops at are still headers, a request line it refuses gets
a whole answer, and stacked transfer codings are 501."""

import socket
import urllib.parse
import uuid

import pytest

from tests.functional.conftest import PROXY, connect


def exchange(data: bytes, answers: int = 1) -> bytes:
    """Send ``data`` on one connection; read until the server closes it or
    ``answers`` complete answers (with Content-Length) have come."""
    host = urllib.parse.urlsplit(PROXY)
    with socket.create_connection((host.hostname, host.port or 80), timeout=10) as sock:
        sock.sendall(data)
        got = b""
        while got.count(b"HTTP/1.") < answers or not _complete(got):
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
        return got


def _complete(got: bytes) -> bool:
    head, sep, body = got.rpartition(b"HTTP/1.")[2].partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return True


@pytest.fixture
def target():
    conn = connect("admin")
    url, token = conn.get_auth()
    container = "fn-frame-" + uuid.uuid4().hex[:10]
    conn.put_container(container)
    path = urllib.parse.urlsplit(url).path + "/" + container
    yield path.encode(), b"X-Auth-Token: %s\r\n" % token.encode()
    for obj in conn.get_container(container)[1]:
        conn.delete_object(container, obj["name"])
    conn.delete_container(container)


def test_headers_after_a_space_before_a_colon_still_frame_the_request(target):
    """``X-Foo : bar`` ends the stdlib parser's headers; the Content-Length
    after it must still count, or "hello" would be read as a second
    request on the same connection."""
    path, auth = target
    got = exchange(b"PUT %s/o HTTP/1.1\r\nHost: x\r\n%sX-Foo : bar\r\nContent-Length: 5\r\n\r\nhello"
                   b"GET %s/o HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n"
                   % (path, auth, path, auth), answers=2)
    first, second = got.split(b"HTTP/1.1 ")[1:3]
    assert first.startswith(b"201 Created\r\n")
    assert second.startswith(b"200 OK\r\n") and second.endswith(b"\r\n\r\nhello")


def test_connection_close_after_such_a_line_is_honoured(target):
    path, auth = target
    got = exchange(b"GET %s HTTP/1.1\r\nHost: x\r\n%sX-Foo : bar\r\nConnection: close\r\n\r\n"
                   % (path, auth))
    assert got.startswith(b"HTTP/1.1 204 No Content\r\n")
    assert b"\r\nConnection: close\r\n" in got


@pytest.mark.parametrize("line, status", [
    (b"GET /info HTTP/2.0", b"HTTP/1.1 505 Invalid HTTP version (2.0)\r\n"),
    (b"GET /info FOO/1.1", b"HTTP/1.1 400 Bad request version ('FOO/1.1')\r\n"),
    # raw high bytes in the version word: judged and named as sent (latin-1)
    (b"GET /info HTTP/1.\xff1", b"HTTP/1.1 400 Bad request version ('HTTP/1.\xff1')\r\n"),
    (b"GET /info HTTP/\xc3\xa91.1",
     b"HTTP/1.1 400 Bad request version ('HTTP/\xc3\xa91.1')\r\n"),
    (b"GET /info \xa0HTTP/1.1", b"HTTP/1.1 400 Bad request version ('\\xa0HTTP/1.1')\r\n"),
    (b"GET /a\xff b HTTP/1.1", b"HTTP/1.1 400 Bad request syntax ('GET /a\xff b HTTP/1.1')\r\n"),
])
def test_a_refused_request_line_gets_a_status_line_headers_and_a_transaction_id(line, status):
    got = exchange(line + b"\r\nHost: x\r\n\r\n")
    assert got.startswith(status)
    head = got.partition(b"\r\n\r\n")[0]
    assert b"\r\nConnection: close" in head and b"\r\nX-Trans-Id: tx" in head
    assert b"\r\nX-Openstack-Request-Id: tx" in head


@pytest.mark.parametrize("version", [b"HTTP/1.1\xa0", b"HTTP/1.\x851", b"HTTP/\xa01.1"])
def test_a_version_with_a_latin1_blank_in_its_numbers_is_served_and_closes(version):
    """Swift reads each number of the version with ``int()``, which takes
    blanks around it, 0x85 and 0xA0 among them; the word is not
    ``HTTP/1.1`` itself, so the connection ends with the answer."""
    got = exchange(b"GET /info " + version + b"\r\nHost: x\r\n\r\n")
    assert got.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close\r\n\r\n" in got


@pytest.mark.parametrize("coding", [b"gzip, chunked", b"chunked,chunked"])
def test_stacked_transfer_codings_are_501_and_store_nothing(target, coding):
    path, auth = target
    got = exchange(b"PUT %s/o HTTP/1.1\r\nHost: x\r\n%sTransfer-Encoding: %s\r\n"
                   b"Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n" % (path, auth, coding))
    assert got.startswith(b"HTTP/1.1 501 Not Implemented\r\n")
    assert got.endswith(b"\r\n\r\nUnsupported Transfer-Coding header value specified in "
                        b"Transfer-Encoding header")
    assert exchange(b"HEAD %s/o HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n"
                    % (path, auth)).startswith(b"HTTP/1.1 404 Not Found\r\n")


@pytest.mark.parametrize("auth", [False, True])
def test_an_answer_given_without_reading_an_expected_body_says_connection_close(target, auth):
    """``Expect: 100-continue`` and an answer before the body is asked
    for (401 without a token, 404 for a container that is not there): the
    client may still send the body, so the connection ends with the
    answer, and the answer says so (``Connection: close``), as Swift's."""
    path, token = target
    got = exchange(b"PUT %s-not-there/o HTTP/1.1\r\nHost: x\r\n%sContent-Length: 5\r\n"
                   b"Expect: 100-continue\r\n\r\n" % (path, token if auth else b""))
    assert got.startswith(b"HTTP/1.1 404 Not Found\r\n" if auth else b"HTTP/1.1 401 ")
    head = got.partition(b"\r\n\r\n")[0]
    assert b"\r\nConnection: close" in head and b"100 Continue" not in got


def _header_names(got: bytes) -> list:
    head = got.partition(b"\r\n\r\n")[0].split(b"\r\n")[1:]
    return [line.partition(b":")[0].decode() for line in head
            if not line.startswith((b"X-Trans-Id", b"X-Openstack-Request-Id", b"Date"))]


@pytest.mark.parametrize("request_, status, names", [
    # a default page: its length after the other headers (Swift makes it last)
    (b"GET %(p)s HTTP/1.1\r\nX-Auth-Token: AUTH_tknot-valid\r\n", b"401",
     ["Content-Type", "Www-Authenticate", "Content-Length"]),
    (b"POST /info HTTP/1.1\r\nContent-Length: 0\r\n", b"405",
     ["Content-Type", "Allow", "Content-Length"]),
    (b"HEAD %(p)s HTTP/1.1\r\n", b"401", ["Content-Type", "Www-Authenticate", "Content-Length"]),
    # a message: its length right after its type
    (b"PUT %(p)s/o HTTP/1.1\r\n%(t)s", b"411", ["Content-Type", "Content-Length"]),
    (b"PUT %(p)s/o HTTP/1.1\r\n%(t)sContent-Length: 99999999999\r\n", b"413",
     ["Content-Type", "Content-Length"]),
])
def test_error_answers_list_their_headers_in_swifts_order(target, request_, status, names):
    """Raw clients see the order: Swift 2.38.3's, read with a raw socket."""
    path, token = target
    got = exchange(request_ % {b"p": path, b"t": token} + b"Host: x\r\nConnection: close\r\n\r\n")
    assert got.startswith(b"HTTP/1.1 " + status + b" ")
    assert _header_names(got)[:len(names)] == names and "Content-Length" not in \
        _header_names(got)[len(names):]


def test_info_lists_its_methods_as_swift_does():
    """Swift lists them in one order for OPTIONS and another in a 405."""
    options = exchange(b"OPTIONS /info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert b"\r\nAllow: HEAD, GET, OPTIONS\r\n" in options
    refused = exchange(b"DELETE /info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert refused.startswith(b"HTTP/1.1 405 ") and b"\r\nAllow: HEAD, OPTIONS, GET\r\n" in refused
