"""What catch_errors lets through on the wire: a control character that
cannot split a response (stored in metadata through the Swift API, as Swift
2.38.3 stores and returns it) leaves the object readable."""

import urllib.parse
import uuid

from tests.functional.conftest import connect, raw_http


def raw(method, path, token, extra=b"", body=b""):
    return raw_http(method, path.encode(), b"X-Auth-Token: %s\r\n%s" % (token.encode(), extra),
                    body)


def test_metadata_with_a_bell_character_is_stored_and_returned_as_swift_does(saio):
    conn = connect("admin")
    url, token = conn.get_auth()
    container = "fn-ctl-" + uuid.uuid4().hex[:10]
    conn.put_container(container)
    try:
        path = urllib.parse.urlsplit(url).path + "/%s/o" % container
        assert raw("PUT", path, token, b"X-Object-Meta-A: a\x01b\r\n", b"hi").startswith(
            b"HTTP/1.1 201")
        answer = raw("GET", path, token)
        assert answer.startswith(b"HTTP/1.1 200")
        assert b"\r\nX-Object-Meta-A: a\x01b\r\n" in answer
        assert answer.endswith(b"\r\n\r\nhi")
    finally:
        conn.delete_object(container, "o")
        conn.delete_container(container)
