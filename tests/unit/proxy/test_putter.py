"""A putter's sender green thread always ends when the write is aborted,
whatever state its queue is in (it held a backend socket forever before)."""

from objstore.common import concurrency
from objstore.proxy.putter import QUEUE_BYTES, Putter


class StuckConnection:
    """A node that never takes a byte (send blocks) until it is closed."""

    def __init__(self):
        self.closed = concurrency.Event()
        self.sent = 0

    def send(self, chunk):
        self.closed.wait()
        raise OSError("closed")

    send_chunk = send

    def close(self):
        if not self.closed.ready():
            self.closed.send(True)


class IdleConnection(StuckConnection):
    def send(self, chunk):
        self.sent += len(chunk)


def _putter(conn):
    putter = Putter(conn, {"ip": "127.0.0.1", "port": 1, "device": "d"}, chunked=False,
                    node_timeout=30)
    putter.start()
    return putter


def _ends(putter, seconds=5.0):
    with concurrency.Timeout(seconds, False):
        putter._done.wait()
        return True
    return False


def test_abort_with_a_full_queue_ends_the_sender():
    conn = StuckConnection()
    putter = _putter(conn)
    for _ in range(QUEUE_BYTES // 65536 + 1):  # one in the sender's hands, the queue full
        putter.send_chunk(b"x" * 10)
    assert putter._queue.full()
    putter.abort()
    assert _ends(putter)
    assert conn.closed.ready() and not putter.live


def test_the_queue_holds_about_a_mebibyte_whatever_the_chunk_size():
    for chunk_size, depth in ((65536, 16), (262144, 4), (4 * 1024 * 1024, 2)):
        putter = Putter(IdleConnection(), {"ip": "127.0.0.1", "port": 1, "device": "d"},
                        chunked=False, node_timeout=30)
        putter.start(chunk_size)
        assert putter._queue.maxsize == depth
        putter.abort()
        assert _ends(putter)


def test_abort_with_an_empty_queue_ends_the_sender():
    conn = IdleConnection()
    putter = _putter(conn)
    putter.send_chunk(b"abc")
    concurrency.sleep(0)
    assert conn.sent == 3
    putter.abort()
    assert _ends(putter)
    assert conn.closed.ready()


def _serve_one_connection(handle):
    """A loopback server that accepts one connection, runs ``handle`` on it
    in a thread and closes; gives its port."""
    import socket
    import threading
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)

    def serve():
        conn, _ = sock.accept()
        try:
            handle(conn)
        finally:
            conn.close()
            sock.close()
    threading.Thread(target=serve, daemon=True).start()
    return sock.getsockname()[1]


def _read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    return data


def _old_object_server():
    """A server that answers 100 Continue as an object server that does not
    know metadata footers would (no X-Obj-Metadata-Footer), then waits."""
    seen = []

    def handle(conn):
        seen.append(_read_head(conn))
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        conn.recv(4096)  # until the putter hangs up
    return _serve_one_connection(handle), seen


def test_a_footer_put_is_never_sent_to_a_server_that_does_not_acknowledge_footers():
    import pytest
    from objstore.common import footers
    from objstore.proxy.putter import PutterError
    port, seen = _old_object_server()
    _boundary, headers = footers.footer_headers(3)
    node = {"ip": "127.0.0.1", "port": port, "device": "sda1"}
    with pytest.raises(PutterError, match="does not take metadata footers"):
        Putter.connect(node, 1, "/a/c/o", dict(headers, **{"X-Timestamp": "1.00000"}),
                       conn_timeout=2, node_timeout=5, expect=True, chunked=True)
    assert b"X-Backend-Obj-Metadata-Footer: yes" in seen[0]


def test_a_put_with_a_sums_trailer_is_never_sent_to_a_server_that_does_not_acknowledge_it():
    import pytest
    from objstore.common import body_sums
    from objstore.proxy.putter import PutterError
    port, seen = _old_object_server()
    node = {"ip": "127.0.0.1", "port": port, "device": "sda1"}
    headers = {"X-Timestamp": "1.00000", "Content-Length": str(3 + body_sums.TRAILER_BYTES),
               "X-Backend-Obj-Content-Length": "3", body_sums.TRAILER: body_sums.TRAILER_KIND}
    with pytest.raises(PutterError, match="does not take a body sums trailer"):
        Putter.connect(node, 1, "/a/c/o", headers, conn_timeout=2, node_timeout=5,
                       expect=True, chunked=False)
    assert b"X-Backend-Obj-Body-Sums: md5,crc64nvme" in seen[0]


def _one_answer_server(answer):
    """A server that reads one request whole (head and Content-Length
    bytes), keeps what it read, and sends ``answer``."""
    seen = []

    def handle(conn):
        head, _sep, body = _read_head(conn).partition(b"\r\n\r\n")
        length = int([line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")][0])
        while len(body) < length:
            body += conn.recv(65536)
        seen.append((head, body))
        conn.sendall(answer)
        conn.recv(4096)  # until the proxy hangs up
    return _serve_one_connection(handle), seen


def test_a_small_body_goes_with_the_head_and_no_100_continue_is_asked():
    port, seen = _one_answer_server(b"HTTP/1.1 201 Created\r\nEtag: abc\r\n"
                                    b"Content-Length: 0\r\n\r\n")
    node = {"ip": "127.0.0.1", "port": port, "device": "sda1"}
    conn = Putter.open_whole(node, 1, "/a/c/o", {"X-Timestamp": "1.00000",
                                                 "Content-Length": "5"}, 2, 5)
    assert not seen  # connected, nothing sent yet
    status, headers = Putter.put_whole(conn, b"hello", 5)
    assert (status, headers["Etag"]) == (201, "abc")
    head, body = seen[0]
    assert head.startswith(b"PUT /sda1/1/a/c/o HTTP/1.1") and body == b"hello"
    assert b"expect" not in head.lower()


def test_a_small_body_refused_for_lack_of_space_is_a_putter_error():
    import pytest
    from objstore.proxy.putter import PutterError
    port, _seen = _one_answer_server(b"HTTP/1.1 507 Insufficient Storage\r\n"
                                     b"Content-Length: 0\r\n\r\n")
    node = {"ip": "127.0.0.1", "port": port, "device": "sda1"}
    conn = Putter.open_whole(node, 1, "/a/c/o", {"Content-Length": "3"}, 2, 5)
    with pytest.raises(PutterError, match="answered 507"):
        Putter.put_whole(conn, b"abc", 5)
