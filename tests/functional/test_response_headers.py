"""What catch_errors lets through on the wire: a control character that
cannot split a response (stored in metadata through the Swift API, as Swift
2.38.3 stores and returns it) leaves the object readable."""

import socket
import urllib.parse
import uuid

from tests.functional.conftest import PROXY, connect


def raw(method, path, token, extra=b"", body=b""):
    host = urllib.parse.urlsplit(PROXY)
    sock = socket.create_connection((host.hostname, host.port), timeout=30)
    try:
        sock.sendall(b"%s %s HTTP/1.1\r\nHost: x\r\nX-Auth-Token: %s\r\n%sContent-Length: %d\r\n"
                     b"Connection: close\r\n\r\n%s" % (method.encode(), path.encode(),
                                                       token.encode(), extra, len(body), body))
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
    finally:
        sock.close()


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
