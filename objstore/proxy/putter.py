"""One backend object PUT: connect, wait for ``100 Continue``, stream the
body from a queue in its own green thread, then read the final answer.

A slow or dead node must not stall the others: each putter sends from its
own green thread with ``node_timeout`` per chunk, and a putter that fails
drains its queue and is dropped from the write instead of blocking it.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from objstore.common import body_sums, concurrency, footers
from objstore.common.http_client import BackendConnection, http_connect
from objstore.proxy.nodes import Node

CONTINUE = 100
INSUFFICIENT_STORAGE = 507
# Bytes buffered per node (at least two chunks, so 2 MiB with the default
# 1 MiB client chunks): bounds memory while letting nodes run unequal,
# whatever the chunk size.
QUEUE_BYTES = 1024 * 1024


class PutterError(Exception):
    """A node could not take part in the write; ``cause`` is the exception
    met, if one was (the caller asks ``nodes.node_to_blame`` about it)."""

    def __init__(self, message: str, cause: Optional[BaseException] = None) -> None:
        super().__init__(message)
        self.cause = cause


class Putter:
    """Streams one object body to one node.

    ``final_status`` is set when the node answered before the body (e.g.
    412 for ``If-None-Match: *`` when the object exists, 409 when a newer
    version is there); such a putter takes no body.
    """

    def __init__(self, conn: BackendConnection, node: Node, chunked: bool,
                 node_timeout: float, final_status: Optional[int] = None,
                 final_headers: Optional[Dict[str, str]] = None) -> None:
        self.conn = conn
        self.node = node
        self.chunked = chunked
        self.node_timeout = node_timeout
        self.final_status = final_status
        self.final_headers = final_headers or {}
        self.failed = False
        self.error: Optional[str] = None
        #: the exception that failed the putter, if one did
        self.cause: Optional[BaseException] = None
        self._queue: Any = None
        self._done: Any = None

    @property
    def live(self) -> bool:
        """Still expected to store the body."""
        return self.final_status is None and not self.failed

    @classmethod
    def connect(cls, node: Node, part: int, path: str, headers: Dict[str, str],
                conn_timeout: float, node_timeout: float, expect: bool,
                chunked: bool) -> "Putter":
        """Open the request; raises ``PutterError`` when the node cannot
        take it (connection failure, 5xx, 507) so a handoff is tried."""
        headers = dict(headers)
        if expect:
            headers["Expect"] = "100-continue"
        try:
            with concurrency.ConnectionTimeout(conn_timeout):
                conn = http_connect(node["ip"], node["port"], node["device"], part, "PUT", path,
                                    headers=headers, timeout=node_timeout, pooled=True)
            if not expect:
                return cls(conn, node, chunked, node_timeout)
            with concurrency.Timeout(node_timeout):
                resp = conn.getexpect()
        except (Exception, concurrency.Timeout) as err:
            raise PutterError("connect: %s" % (type(err).__name__,), err) from None
        if resp.status == CONTINUE:
            if footers.METADATA_FOOTER in headers and \
                    resp.interim_headers.get(footers.FOOTER_ACK, "").lower() != "yes":
                conn.close()  # it would store the footer document as the object
                raise PutterError("does not take metadata footers")
            if body_sums.TRAILER in headers and \
                    resp.interim_headers.get(body_sums.TRAILER_ACK, "").lower() != "yes":
                conn.close()  # it would store the trailer as part of the object
                raise PutterError("does not take a body sums trailer")
            return cls(conn, node, chunked, node_timeout)
        if resp.status == INSUFFICIENT_STORAGE or resp.status >= 500:
            conn.close()
            raise PutterError("answered %d before the body" % resp.status)
        headers_in = dict(resp.getheaders())
        try:
            resp.read()
        except Exception:
            pass
        conn.close()
        return cls(conn, node, chunked, node_timeout, final_status=resp.status,
                   final_headers=headers_in)

    @staticmethod
    def open_whole(node: Node, part: int, path: str, headers: Dict[str, str],
                   conn_timeout: float, node_timeout: float) -> BackendConnection:
        """A connection to ``node`` for ``put_whole``, nothing sent yet;
        ``PutterError`` if the node cannot be reached (a handoff is tried)."""
        try:
            with concurrency.ConnectionTimeout(conn_timeout):
                conn = http_connect(node["ip"], node["port"], node["device"], part, "PUT", path,
                                    headers=headers, timeout=node_timeout, pooled=True,
                                    defer=True)
        except (Exception, concurrency.Timeout) as err:
            raise PutterError("connect: %s" % (type(err).__name__,), err) from None
        conn.node = node
        return conn

    @staticmethod
    def open_idle(node: Node, part: int, path: str, headers: Dict[str, str],
                  node_timeout: float) -> Optional[BackendConnection]:
        """An idle kept-alive connection to ``node`` for ``put_whole`` when
        this process holds one (taken without I/O or waiting); ``None``
        when one would have to be made (``open_whole``)."""
        try:
            conn = http_connect(node["ip"], node["port"], node["device"], part, "PUT", path,
                                headers=headers, timeout=node_timeout, pooled=True,
                                defer=True, connect=False)
        except Exception as err:
            raise PutterError("connect: %s" % (type(err).__name__,), err) from None
        if not conn.connected:
            conn.close()
            return None
        conn.node = node
        return conn

    @staticmethod
    def put_whole(conn: BackendConnection, body: bytes, node_timeout: float
                  ) -> Tuple[int, Dict[str, str]]:
        """Send the request with the whole small ``body`` in the same send,
        without ``Expect: 100-continue``: the node's final ``(status,
        headers)``. ``PutterError`` when the node did not take it (no
        answer, 5xx, 507), so the caller tries a handoff with the same bytes.
        """
        Putter.send_whole_request(conn, body)
        return Putter.whole_answer(conn, node_timeout)

    @staticmethod
    def send_whole_request(conn: BackendConnection, body: bytes) -> None:
        """``put_whole``'s send: the head and the whole small ``body`` in
        one send, bounded by the socket's own timeout (``node_timeout``,
        set when the connection was opened) as any send to a node that
        does not read. ``PutterError`` (the connection closed) on failure."""
        try:
            conn.send_request(body)
        except BaseException as err:
            conn.close()
            if isinstance(err, Exception):
                raise PutterError("put: %s" % (type(err).__name__,), err) from None
            raise

    @staticmethod
    def whole_answer(conn: BackendConnection, node_timeout: float
                     ) -> Tuple[int, Dict[str, str]]:
        """``put_whole``'s answer, once ``send_whole_request`` sent it: the
        node's final ``(status, headers)``, ``PutterError`` as ``put_whole``."""
        try:
            with concurrency.Timeout(node_timeout):
                resp = conn.getresponse()
                answer = dict(resp.getheaders())
                resp.read()
        except (Exception, concurrency.Timeout) as err:
            raise PutterError("put: %s" % (type(err).__name__,), err) from None
        finally:
            conn.close()
        if resp.status == INSUFFICIENT_STORAGE or resp.status >= 500:
            raise PutterError("answered %d" % resp.status)
        return resp.status, answer

    # ----------------------------------------------------------------- body
    def start(self, chunk_size: int = 65536) -> None:
        """Start sending; chunks of about ``chunk_size`` will be queued."""
        self._queue = concurrency.Queue(max(2, QUEUE_BYTES // max(1, chunk_size)))
        self._done = concurrency.Event()
        concurrency.spawn_n(self._sender)

    def _sender(self) -> None:
        try:
            while True:
                chunk = self._queue.get()
                if chunk is None:
                    if not self.failed and self.chunked:
                        with concurrency.ChunkWriteTimeout(self.node_timeout):
                            self.conn.end_chunks()
                    return
                if self.failed:
                    continue  # drain so the producer never blocks on us
                try:
                    with concurrency.ChunkWriteTimeout(self.node_timeout):
                        if self.chunked:
                            self.conn.send_chunk(chunk)
                        else:
                            self.conn.send(chunk)
                except (Exception, concurrency.Timeout) as err:
                    self.failed = True
                    self.error = "send: %s" % type(err).__name__
                    self.cause = err
        except (Exception, concurrency.Timeout) as err:
            self.failed = True
            self.error = "finish: %s" % type(err).__name__
            self.cause = err
        finally:
            self._done.send(True)

    def send_whole(self, body: bytes) -> Optional[tuple]:
        """Send all of a small body on this connection (no sender green
        thread), then ``await_response``."""
        if self.live:
            try:
                with concurrency.ChunkWriteTimeout(self.node_timeout):
                    self.conn.send(body)
            except (Exception, concurrency.Timeout) as err:
                self.failed = True
                self.error = "send: %s" % type(err).__name__
                self.cause = err
                self.conn.close()
        return self.await_response()

    def send_chunk(self, chunk: bytes) -> None:
        if self.live and chunk:
            self._queue.put(chunk)

    def finish(self) -> None:
        """Queue the end of the body and wait until it was sent."""
        if self._queue is None:
            return
        self._queue.put(None)
        self._done.wait()

    def abort(self) -> None:
        """Drop the connection mid-body: the node discards what it got, and
        the sender green thread ends (it must never wait on an empty queue
        that nobody fills again, which would hold it and its socket forever)."""
        self.failed = True
        try:
            self.conn.close()
        except Exception:
            pass
        if self._queue is None:
            return
        # Make room, then queue the end marker: the sender drains (failed)
        # chunks and returns at the marker.
        while True:
            try:
                self._queue.get_nowait()
            except concurrency.QueueEmpty:
                break
        try:
            self._queue.put_nowait(None)
        except Exception:
            pass

    def await_response(self) -> Optional[tuple]:
        """``(status, headers)`` of the node's final answer, or ``None``."""
        if self.final_status is not None:
            return self.final_status, self.final_headers
        if self.failed:
            return None
        try:
            with concurrency.Timeout(self.node_timeout):
                resp = self.conn.getresponse()
                headers = dict(resp.getheaders())
                resp.read()
        except (Exception, concurrency.Timeout) as err:
            self.failed = True
            self.error = "response: %s" % type(err).__name__
            self.cause = err
            return None
        finally:
            self.conn.close()
        return resp.status, headers
