"""Object reads that survive a node failing mid-stream.

The first node with the object starts the answer. If it stops sending
(error, or nothing for ``recoverable_node_timeout``) the read goes on from the next
node at the byte reached, with ``Range`` and ``If-Match`` on the ETag so
the bytes spliced in are from the very same object version. The client
sees one uninterrupted body.

An object server ends a large body short when it finds the file damaged
at the end (``obj/reader``), which looks like a broken connection here: a
resume would splice good bytes after damaged ones into a complete,
good-looking body. So a whole-object body is judged by the object's
CRC-64/NVME (``iter_body``) and ends short too if it is wrong.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

from objstore.common import body_sums, concurrency
from objstore.common.body_sums import new_body_crc
from objstore.common.http import conditional, ranges
from objstore.common.http_client import BackendConnection, http_connect
from objstore.common.timestamp import Timestamp
from objstore.proxy.nodes import Node
from objstore.proxy.quorum import is_node_fault, is_server_error, is_success

INSUFFICIENT_STORAGE = 507
_GOOD_STATUSES = (304, 412, 416)


@dataclass
class Source:
    """One node's answer to a GET/HEAD, body not yet read."""

    conn: BackendConnection
    resp: Any
    node: Node
    status: int
    headers: Dict[str, str] = field(default_factory=dict)

    @property
    def timestamp(self) -> Timestamp:
        for name in ("X-Backend-Timestamp", "X-Timestamp"):
            value = self.headers.get(name)
            if value:
                try:
                    return Timestamp(value)
                except ValueError:
                    pass
        return Timestamp(0)

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:
            pass


def byte_span(status: int, headers: Dict[str, str]) -> Optional[Tuple[int, int]]:
    """The ``(first, last)`` byte positions a body covers, if it is one
    contiguous span we could resume (``None`` for multipart ranges)."""
    ctype = headers.get("Content-Type", "")
    if status == 206:
        if ctype.startswith("multipart/byteranges"):
            return None
        parsed = ranges.parse_content_range(headers.get("Content-Range"))
        return None if parsed is None else (parsed[0], parsed[1])
    if status == 200:
        try:
            length = int(headers.get("Content-Length", ""))
        except ValueError:
            return None
        return 0, length - 1
    return None


def _header(headers: Dict[str, str], name: str) -> str:
    """``headers[name]`` whatever the case the node sent it in, or ``""``."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), "")
    return value


class ObjectGetter:
    """Finds a node for a GET/HEAD and streams the body with failover."""

    def __init__(self, app: Any, ring: Any, part: int, path: str,
                 method: str, headers: Dict[str, str], newest: bool = False) -> None:
        self.app = app
        self.ring = ring
        self.part = part
        self.path = path
        self.method = method
        self.headers = headers
        self.newest = newest
        #: a node this slow is given up for the next (X-Newest waits for each)
        self.timeout = app.node_timeout if newest else app.recoverable_node_timeout
        self.nodes = app.iter_nodes(ring, part)
        self.replicas = len(self.nodes.primaries)
        self.answers: List[Tuple[int, Dict[str, str], bytes]] = []

    # ----------------------------------------------------------- one node
    def _ask(self, node: Node, headers: Dict[str, str]) -> Optional[Source]:
        app = self.app
        started = time.monotonic()
        try:
            with concurrency.ConnectionTimeout(app.conn_timeout):
                conn = http_connect(node["ip"], node["port"], node["device"], self.part,
                                    self.method, self.path, headers=headers,
                                    timeout=self.timeout, pooled=True)
            with concurrency.Timeout(self.timeout):
                resp = conn.getresponse()
                app.node_answered(node, time.monotonic() - started)
        except (Exception, concurrency.Timeout) as err:
            app.error_occurred(node, "%s %s: %s" % (self.method, self.path,
                                                    type(err).__name__), err)
            return None
        source = Source(conn, resp, node, resp.status, dict(resp.getheaders()))
        if source.status == INSUFFICIENT_STORAGE:
            app.error_limit(node, "507 Insufficient Storage")
        elif is_node_fault(source.status):
            app.error_occurred(node, "%s %s answered %d" % (self.method, self.path,
                                                            source.status))
        return source

    def _keep_answer(self, source: Source) -> None:
        """Remember a non-winning answer (with a small body) for later."""
        body = b""
        try:
            with concurrency.Timeout(self.timeout):
                body = source.resp.read(65536)
        except (Exception, concurrency.Timeout):
            pass
        source.close()
        self.answers.append((source.status, source.headers, body))

    # ----------------------------------------------------------- first source
    def first_source(self) -> Optional[Source]:
        """The node answer to serve, or ``None``; other answers are kept in
        ``self.answers`` so the caller can pick the right error.

        With ``newest`` every primary (or its stand-in) is asked in
        parallel and the most recent version wins, tombstones included.
        """
        if self.newest:
            return self._newest_source()
        not_found = 0
        for node in self.nodes:
            source = self._ask(node, dict(self.headers))
            if source is None:
                continue
            if is_success(source.status) or source.status in _GOOD_STATUSES:
                return source
            self._keep_answer(source)
            if source.status == 404:
                not_found += 1
                if not_found >= self.replicas:
                    break
            elif not is_server_error(source.status):
                break
        return None

    def each_answer(self) -> Iterator[Source]:
        """Every reachable node's answer in node order (primaries, then
        handoffs), for a caller that judges each one (``lock_guard``); the
        caller closes each and stops when it has seen enough."""
        for node in self.nodes:
            source = self._ask(node, dict(self.headers))
            if source is not None:
                yield source

    def _ask_some(self) -> Optional[Source]:
        for node in self.nodes:
            source = self._ask(node, dict(self.headers))
            if source is not None and not is_server_error(source.status):
                return source
            if source is not None:
                self._keep_answer(source)
        return None

    def _newest_source(self) -> Optional[Source]:
        pile = concurrency.GreenPile(max(1, self.replicas))
        for _ in range(self.replicas):
            pile.spawn(self._ask_some)
        sources = [s for s in pile if s is not None]
        best: Optional[Source] = None
        for source in sources:
            if best is None or source.timestamp > best.timestamp:
                best = source
        for source in sources:
            if source is not best:
                self._keep_answer(source)
        if best is not None and not (is_success(best.status) or best.status in _GOOD_STATUSES):
            self._keep_answer(best)
            return None
        return best

    # ------------------------------------------------------------------ body
    def _resume(self, etag: str, first: int, last: int) -> Optional[Source]:
        """A node serving bytes ``first..last`` of the object with ``etag``."""
        headers = dict(self.headers)
        for name in list(headers):
            if name.lower() == "range" or name.lower() in conditional.CONDITION_HEADERS:
                del headers[name]
        headers["Range"] = "bytes=%d-%d" % (first, last)
        headers["If-Match"] = etag
        for node in self.nodes:
            source = self._ask(node, dict(headers))
            if source is None:
                continue
            if source.status == 206 and source.headers.get("Etag", source.headers.get(
                    "ETag", "")).strip('"') == etag.strip('"'):
                return source
            source.close()
        return None

    def _read(self, source: Source, size: int) -> bytes:
        with concurrency.ChunkReadTimeout(self.timeout):
            return source.resp.read(size)  # type: ignore[no-any-return]

    def iter_body(self, source: Source) -> Iterator[bytes]:
        """The body of ``source``, continued from other nodes on failure.

        A whole-object body (200) is resumed only when its node sent the
        object's CRC (``body_sums.BACKEND_CRC``): the CRC of the bytes passed
        on is taken across resumes and the last chunk held back until it
        agrees; on a mismatch the body ends short. A 200 without a CRC
        (a file older than CRCs, or no ``awscrt`` here) is not resumed. A
        ranged body is resumed unchecked: no node checks a range's bytes."""
        expected = _header(source.headers, body_sums.BACKEND_CRC) if source.status == 200 else ""
        crc = new_body_crc() if expected else None
        if crc is None:
            yield from self._spliced(source, resumable=source.status != 200)
            return
        span = byte_span(source.status, source.headers)
        body = self._spliced(source, resumable=True)
        held: Optional[bytes] = None
        length = 0
        try:
            for chunk in body:
                crc.update(chunk)
                length += len(chunk)
                if held is not None:
                    yield held
                held = chunk
        finally:
            body.close()
        short = span is not None and length != span[1] + 1
        if short or crc.hexdigest() != expected.lower():
            self.app.logger.error("GET %s: body of %d bytes has CRC-64/NVME %s, the object's is"
                                  " %s: ended short", self.path, length, crc.hexdigest(), expected)
            return
        if held is not None:
            yield held

    def _spliced(self, source: Source, resumable: bool) -> Iterator[bytes]:
        """The body of ``source``; if ``resumable``, continued from other
        nodes on failure.

        A body longer than one chunk is read one chunk ahead: the next
        chunk comes from the object server (its own green thread) while
        the current one goes to the client."""
        span = byte_span(source.status, source.headers)
        etag = source.headers.get("Etag") or source.headers.get("ETag") or ""
        sent = 0
        chunk_size = self.app.object_chunk_size
        ahead = span is not None and span[1] - span[0] + 1 > chunk_size
        pending: Any = None
        try:
            while True:
                try:
                    while True:
                        if pending is None:
                            chunk = self._read(source, chunk_size)
                        else:
                            waiting, pending = pending, None
                            chunk = waiting.wait()
                        if not chunk:
                            break
                        sent += len(chunk)
                        if ahead:
                            pending = concurrency.spawn(self._read, source, chunk_size)
                        yield chunk
                    if span is not None and sent < span[1] - span[0] + 1:
                        raise http.client.IncompleteRead(b"", span[1] - span[0] + 1 - sent)
                    return
                except (Exception, concurrency.Timeout) as err:
                    if isinstance(err, GeneratorExit):
                        raise
                    self.app.error_occurred(source.node, "GET %s broke after %d bytes: %s"
                                            % (self.path, sent, type(err).__name__), err)
                    source.close()
                    if span is None or not etag or not resumable:
                        return  # cannot splice safely; the client sees a short body
                    replacement = self._resume(etag, span[0] + sent, span[1])
                    if replacement is None:
                        self.app.logger.error("GET %s: no node could resume at byte %d",
                                              self.path, span[0] + sent)
                        return
                    source = replacement
        finally:
            if pending is not None:  # the client left: stop the read before closing
                pending.kill()
            source.close()
