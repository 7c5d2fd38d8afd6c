"""The streaming, quorum-deciding part of an object PUT.

Connect to the object's primaries (handoffs standing in for dead or full
ones), stream the body to all of them at once, and report success only
when a quorum stored the same bytes. Memory stays bounded by a few chunks
per node whatever the object size. Metadata a middleware learns from the
body (``objstore.common.footers``) follows it in the same request.

A streamed body of known length is hashed here once, MD5 and CRC (from
``body_sums.THREAD_BYTES`` up in an OS thread beside the reads and the
sends), and followed to each node by those sums (``common/body_sums``): each node
checks the CRC against what it stored and keeps the MD5, instead of every
node taking an MD5 of its own (three MD5s of each byte). A node refuses
(422) a body whose MD5 is not the client's ETag, which it is sent, and
answers the MD5; the ETag of the write is the one a quorum of nodes agree
on. Other bodies (small, chunked, with footers) are hashed by the nodes.

A small body of known length (``WHOLE_BODY_BYTES``) is read first and sent
to each node in the same send as the request head, without ``Expect:
100-continue``: one round trip per node instead of two and no sender green
thread (docs/performance.md). The nodes this process holds an idle
kept-alive connection to are taken without I/O, every request is sent
before any answer is read, and the answers are read in turn: no green
thread per node unless a connection has to be made (``_open_for_whole``,
``_store_whole``). The nodes are connected to first, so a PUT
that cannot reach a quorum still writes nothing; a node that fails the
request is replaced by a handoff that is asked first, as streaming asks.
What is lost against streaming: a node that takes the connection and then
fails can leave a copy on fewer than a quorum (answered 503), as a node
failing mid-body does. A small body with metadata footers (encryption, S3
checksums) goes the same way, in its whole footer document
(``_footer_document``).
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, TypeVar

from webob import Response

from objstore.common import body_sums, concurrency, constraints, footers, object_lock
from objstore.common.utils import new_md5
from objstore.common.http import errors
from objstore.common.http.conditional import WRITE_IF_MATCH
from objstore.common.tiering.config import IF_TIMESTAMP
from objstore.common.timestamp import Timestamp
from objstore.proxy import lock_guard
from objstore.proxy.controllers.base import error_response
from objstore.proxy.nodes import Node, node_desc
from objstore.proxy.putter import Putter, PutterError
from objstore.proxy.quorum import (TOO_MANY_BACKEND_REQUESTS, agreed_etag, best_status, is_success,
                                   quorum_size)


T = TypeVar("T")

#: A body of known length up to this size is read first, then sent to each
#: node in the same send as the request head, without ``Expect:
#: 100-continue``: one round trip per node instead of two, and no sender
#: green thread (``_sends_whole`` says when).
WHOLE_BODY_BYTES = 65536
#: backend headers with which a node may refuse a write for what it holds
_REFUSABLE = ("if-none-match", WRITE_IF_MATCH.lower(), IF_TIMESTAMP.lower(),
              object_lock.BYPASS.lower())


class ClientDisconnect(Exception):
    """The client went away before sending the whole body."""


def read_body(env: Dict[str, Any], length: Optional[int], chunk_size: int,
              timeout: float) -> Iterator[bytes]:
    """The request body in chunks; ``ClientDisconnect`` if it ends short,
    ``ChunkReadTimeout`` if the client stalls for ``timeout`` seconds."""
    stream = env["wsgi.input"]
    remaining = length
    while remaining is None or remaining > 0:
        size = chunk_size if remaining is None else min(chunk_size, remaining)
        try:
            with concurrency.ChunkReadTimeout(timeout):
                chunk = stream.read(size)
        except (OSError, ValueError) as err:
            raise ClientDisconnect(str(err)) from None
        if not chunk:
            if remaining is not None:
                raise ClientDisconnect("body ended %d bytes short" % remaining)
            return
        if remaining is not None:
            remaining -= len(chunk)
        yield chunk


def _note_failure(app: Any, node: Node, path: str, err: PutterError) -> None:
    if "507" in str(err):
        app.error_limit(node, str(err))
    elif "answered %d" % TOO_MANY_BACKEND_REQUESTS not in str(err):
        app.error_occurred(node, "PUT %s: %s" % (path, err), err.cause)


def _on_nodes(app: Any, nodes: Iterator[Node], path: str, headers_list: List[Dict[str, str]],
              attempt: Callable[[Node, Dict[str, str]], T]) -> List[T]:
    """``attempt(node, headers)`` for each replica's headers, at once, each
    on the next node of ``nodes`` (handoffs after the primaries) until one
    does not raise ``PutterError``; the results of those that succeeded."""
    def on_one(headers: Dict[str, str]) -> Optional[T]:
        for node in nodes:
            try:
                return attempt(node, headers)
            except PutterError as err:
                _note_failure(app, node, path, err)
        return None

    pile = concurrency.GreenPile(max(1, len(headers_list)))
    for headers in headers_list:
        pile.spawn(on_one, headers)
    return [r for r in pile if r is not None]


def _connect_all(app: Any, ring: Any, part: int, path: str,
                 headers_list: List[Dict[str, str]], expect: bool,
                 chunked: bool) -> List[Putter]:
    return _on_nodes(app, app.iter_nodes(ring, part, write=True), path, headers_list,
                     lambda node, headers: Putter.connect(node, part, path, headers,
                                                          app.conn_timeout, app.node_timeout,
                                                          expect, chunked))


def _sends_whole(env: Dict[str, Any], headers: Dict[str, str], length: Optional[int]) -> bool:
    """Whether the body goes with the head in one request per node (a
    small body of known length, read before any node is asked; with
    metadata footers too, ``_footer_document``).

    Not when the client waits for ``100 Continue`` itself, and not for a
    write whose nodes may refuse it for what they hold (a condition, an
    object lock, a tier move): there the ``100 Continue`` round trip lets
    one node's refusal stop the write before any node stores a byte.
    """
    if length is None or not 0 < length <= WHOLE_BODY_BYTES:
        return False
    return may_read_first(env, headers)


def may_read_first(env: Dict[str, Any], headers: Dict[str, str]) -> bool:
    """Whether a PUT may read the client's body before asking any node
    (``_sends_whole``; an EC PUT of one segment): not when the client waits
    for ``100 Continue``, nor when the nodes may refuse the write for what
    they hold, which they should get to say before the body is read."""
    if env.get("HTTP_EXPECT") or lock_guard.PUT_ENV in env:
        return False
    named = {k.lower() for k in headers}
    return not any(h in named for h in _REFUSABLE)


def _footer_document(env: Dict[str, Any], boundary: str, body: bytes,
                     headers_list: List[Dict[str, str]]
                     ) -> Tuple[bytes, List[Dict[str, str]]]:
    """A small body read whole, in its footer document, and the headers
    that send the document whole (``Content-Length``, not chunked).

    No ``100 Continue`` says the node reads footer documents; the ETag
    stands in for it: each request names the data part's MD5 (unless the
    client named one, which the node checks as ever). A node that reads
    the document checks it against the data part; one that did not would
    take the whole document for the object, whose MD5 differs, and refuse
    it (422): it can never store the document as the object's bytes."""
    document = footers.body_head(boundary) + body + \
        footers.footer_tail(boundary, footers.collect_footers(env))
    md5 = new_md5()
    md5.update(body)
    out = []
    for headers in headers_list:
        one = {k: v for k, v in headers.items() if k.lower() != "transfer-encoding"}
        one["Content-Length"] = str(len(document))
        if not any(k.lower() == "etag" for k in one):
            one["ETag"] = md5.hexdigest()
        out.append(one)
    return document, out


def _put_whole(app: Any, env: Dict[str, Any], ring: Any, part: int, path: str,
               headers_list: List[Dict[str, str]], length: int,
               timestamp: Timestamp, boundary: Optional[str]) -> Response:
    """Read the small body; connect to a node per replica and, when a
    quorum is reachable (else 503 and nothing is written, as when streaming),
    send each the body (in its footer document when ``boundary``) with the
    head. A node that does not take it is replaced by the next handoff,
    which gets the same bytes."""
    try:
        body = b"".join(read_body(env, length, length, app.client_timeout))
    except (concurrency.ChunkReadTimeout, ClientDisconnect) as err:
        return _body_failed(app, path, err)
    if boundary is not None:
        body, headers_list = _footer_document(env, boundary, body, headers_list)
    replicas = len(headers_list)
    nodes = app.iter_nodes(ring, part, write=True)
    opened = _open_for_whole(app, nodes, part, path, headers_list)
    if len(opened) < quorum_size(replicas):
        for _headers, conn in opened:
            conn.close()
        return _too_few(app, path, len(opened), replicas)
    first = _store_whole(app, path, [conn for _headers, conn in opened], body)
    answers = [a for a in first if a is not None]
    failed = [headers for (headers, _conn), a in zip(opened, first) if a is None]
    if failed:
        answers += _put_on_handoffs(app, nodes, part, path, failed, body, len(answers))
    return _refusal([s for s, _h in answers]) or \
        _verdict(app, path, answers, replicas, timestamp)


def _open_for_whole(app: Any, nodes: Iterator[Node], part: int, path: str,
                    headers_list: List[Dict[str, str]]) -> List[Tuple[Dict[str, str], Any]]:
    """``(headers, connection)`` for each replica whose node (or a handoff
    after it) can take a whole small body, nothing sent yet. A node this
    process holds an idle kept-alive connection to is taken at once (no
    I/O, no green thread: the usual case); the others are connected to
    together, each replica on the next node until one answers (``_on_nodes``).
    """
    opened: List[Tuple[int, Dict[str, str], Any]] = []
    to_connect: List[Tuple[int, Dict[str, str], Node]] = []
    for index, headers in enumerate(headers_list):
        node = next(nodes, None)
        if node is None:
            break
        try:
            conn = Putter.open_idle(node, part, path, headers, app.node_timeout)
        except PutterError as err:
            _note_failure(app, node, path, err)
            to_connect.append((index, headers, None))
            continue
        if conn is None:
            to_connect.append((index, headers, node))
        else:
            opened.append((index, headers, conn))

    def connect(todo: Tuple[int, Dict[str, str], Optional[Node]]
                ) -> Optional[Tuple[int, Dict[str, str], Any]]:
        index, headers, first = todo
        for node in itertools.chain([first] if first is not None else [], nodes):
            try:
                return index, headers, Putter.open_whole(node, part, path, headers,
                                                         app.conn_timeout, app.node_timeout)
            except PutterError as err:
                _note_failure(app, node, path, err)
        return None

    if len(to_connect) == 1:
        made = [connect(to_connect[0])]
    elif to_connect:
        pile = concurrency.GreenPile(len(to_connect))
        for todo in to_connect:
            pile.spawn(connect, todo)
        made = list(pile)
    else:
        made = []
    opened += [m for m in made if m is not None]
    opened.sort(key=lambda one: one[0])
    return [(headers, conn) for _index, headers, conn in opened]


def _store_whole(app: Any, path: str, conns: List[Any], body: bytes
                 ) -> List[Optional[Tuple[int, Dict[str, str]]]]:
    """Send each connection its request with the whole small ``body``, one
    after the other (such a send does not wait for the node), then read
    their answers in turn: the nodes store at once, without a green thread
    each. Per connection the node's ``(status, headers)``, or ``None`` (the
    failure noted against the node) when it did not take the body."""
    sent = []
    for conn in conns:
        try:
            Putter.send_whole_request(conn, body)
            sent.append(True)
        except PutterError as err:
            _note_failure(app, conn.node, path, err)
            sent.append(False)
    results: List[Optional[Tuple[int, Dict[str, str]]]] = []
    for conn, ok in zip(conns, sent):
        answer = None
        if ok:
            try:
                answer = Putter.whole_answer(conn, app.node_timeout)
            except PutterError as err:
                _note_failure(app, conn.node, path, err)
        results.append(answer)
    return results


def _put_on_handoffs(app: Any, nodes: Iterator[Node], part: int, path: str,
                     headers_list: List[Dict[str, str]], body: bytes, stored: int
                     ) -> List[Tuple[int, Dict[str, str]]]:
    """The replicas whose node did not take a small body, on the next
    nodes, asked first (``100 Continue``) as a streamed PUT asks: they get
    it only if, with the ``stored`` copies, a quorum can still be reached,
    so a write that fails does not leave copies on handoffs."""
    putters = _on_nodes(app, nodes, path, headers_list, lambda node, headers: Putter.connect(
        node, part, path, headers, app.conn_timeout, app.node_timeout, True, False))
    if stored + sum(1 for p in putters if p.live) < quorum_size(len(headers_list) + stored):
        _abort(putters)
        return []
    pile = concurrency.GreenPile(max(1, len(putters)))
    for putter in putters:
        pile.spawn(putter.send_whole, body)
    return [a for a in pile if a is not None]


def _too_few(app: Any, path: str, reachable: int, replicas: int) -> Response:
    quorum = quorum_size(replicas)
    app.logger.error("PUT %s: only %d of %d nodes could take it", path, reachable, replicas)
    return error_response(503, "Service Unavailable: %d of %d object servers needed, "
                               "%d reachable" % (quorum, replicas, reachable))


def _refusal(statuses: List[int]) -> Optional[Response]:
    """The answer when a node refused the write for what it holds."""
    if 412 in statuses:
        return error_response(412, "Precondition Failed: the object exists "
                                   "(If-None-Match: *)")
    if 403 in statuses:  # a locked version is there (common/object_lock.py)
        return error_response(403, "Forbidden: the object there is locked")
    if 409 in statuses:
        # A newer version is already there: this write is accepted and lost.
        return Response(status=202, body=b"")
    return None


def _body_failed(app: Any, path: str, err: BaseException) -> Response:
    """The answer when the client's body did not come whole."""
    if isinstance(err, ClientDisconnect):
        app.logger.warning("PUT %s: client disconnected: %s", path, err)
        return error_response(499, "Client Disconnect")
    app.logger.warning("PUT %s: client sent nothing for %ss", path, app.client_timeout)
    return error_response(408, "Request Timeout: no body data for %ss" % app.client_timeout)


def stream_put(app: Any, env: Dict[str, Any], ring: Any, part: int, path: str,
               headers_list: List[Dict[str, str]], length: Optional[int],
               timestamp: Timestamp) -> Response:
    """Write one object to ``len(headers_list)`` nodes; the client's answer."""
    replicas = len(headers_list)
    quorum = quorum_size(replicas)
    boundary = None
    if footers.wants_footers(env):
        # Metadata learnt from the body goes after it, in the same request.
        boundary, extra = footers.footer_headers(length)
        headers_list = [dict({k: v for k, v in h.items() if k != "Content-Length"}, **extra)
                        for h in headers_list]
    if _sends_whole(env, headers_list[0], length):
        assert length is not None
        return _put_whole(app, env, ring, part, path, headers_list, length, timestamp,
                          boundary)
    chunked = length is None or boundary is not None
    expect = chunked or bool(length)
    trailed = not chunked and bool(length) and body_sums.trailer_possible() and \
        length + body_sums.TRAILER_BYTES <= constraints.LIMITS["max_file_size"]
    if trailed:
        headers_list = [dict(h, **{"Content-Length": str(length + body_sums.TRAILER_BYTES),
                                   footers.OBJ_CONTENT_LENGTH: str(length),
                                   body_sums.TRAILER: body_sums.TRAILER_KIND})
                        for h in headers_list]
    putters = _connect_all(app, ring, part, path, headers_list, expect, chunked)
    refused = _refusal([p.final_status for p in putters if p.final_status is not None])
    if refused is not None:
        _abort(putters)
        return refused
    live = [p for p in putters if p.live]
    if len(live) < quorum:
        _abort(putters)
        return _too_few(app, path, len(live), replicas)
    refusal = lock_guard.put_refusal(env, [p.node for p in live])
    if refusal is not None:
        _abort(putters)
        return error_response(*refusal)
    for putter in live:
        putter.start(app.client_chunk_size)
        if boundary is not None:
            putter.send_chunk(footers.body_head(boundary))
    sums = body_sums.body_sums_for(length or 0, app.client_chunk_size) if trailed else None
    try:
        return _send_body(app, env, path, putters, live, quorum, length, chunked, boundary,
                          sums, replicas, timestamp)
    finally:
        if sums is not None:
            sums.cancel()  # a body that ended early: its hashing thread ends too


def _send_body(app: Any, env: Dict[str, Any], path: str, putters: List[Putter],
               live: List[Putter], quorum: int, length: Optional[int], chunked: bool,
               boundary: Optional[str], sums: Optional[body_sums.BodySums], replicas: int,
               timestamp: Timestamp) -> Response:
    """Read the client's body into the live putters (and ``sums``), then
    the footers or the trailer; the client's answer."""
    received = 0
    try:
        for chunk in read_body(env, length, app.client_chunk_size, app.client_timeout):
            received += len(chunk)
            if sums is not None:
                sums.update(chunk)
            if chunked and received > constraints.LIMITS["max_file_size"]:
                _abort(putters)
                return error_response(413, errors.TOO_LARGE)
            for putter in live:
                putter.send_chunk(chunk)
            if sum(1 for p in live if p.live) < quorum:
                _abort(putters)
                app.logger.error("PUT %s: too many nodes failed mid-body", path)
                return error_response(503, "Service Unavailable: object servers failed "
                                           "while receiving the body")
    except (concurrency.ChunkReadTimeout, ClientDisconnect) as err:
        _abort(putters)
        return _body_failed(app, path, err)
    except BaseException:
        # Whatever else ends the body (a middleware's body check failing, a
        # killed green thread): the nodes' connections and senders go too.
        _abort(putters)
        raise
    if boundary is not None:
        tail = footers.footer_tail(boundary, footers.collect_footers(env))
        for putter in live:
            putter.send_chunk(tail)
    if sums is not None:
        trailer = sums.trailer()
        for putter in live:
            putter.send_chunk(trailer)
    pile = concurrency.GreenPile(len(live))
    for putter in live:
        pile.spawn(_finish, putter)
    answers = [a for a in pile if a is not None]
    for putter in live:
        if putter.failed:
            app.error_occurred(putter.node, "PUT %s: %s" % (path, putter.error), putter.cause)
    return _verdict(app, path, answers, replicas, timestamp)


def _verdict(app: Any, path: str, answers: List[Tuple[int, Dict[str, str]]], replicas: int,
             timestamp: Timestamp) -> Response:
    """The client's answer from the nodes' final ``(status, headers)``."""
    quorum = quorum_size(replicas)
    statuses = [status for status, _h in answers]
    status = best_status(statuses, replicas)
    if is_success(status):
        etags = [h.get("Etag") or h.get("ETag") for s, h in answers if is_success(s)]
        etag = agreed_etag(etags, quorum)
        if etag is None:
            app.logger.error("PUT %s: nodes disagree on the ETag: %s", path, etags)
            return error_response(503, "Service Unavailable: object servers did not store "
                                       "matching data")
        return Response(status=201, body=b"", headerlist=[
            ("ETag", etag), ("Last-Modified", timestamp.http_date),
            ("Content-Type", "text/html; charset=UTF-8"), ("Content-Length", "0")])
    if status == 422:  # the nodes found the body's MD5 is not the client's ETag
        return error_response(422, "Unprocessable Entity: the body's MD5 does not match "
                                   "the ETag header you sent",
                              {"Last-Modified": timestamp.http_date})  # as Swift
    if status == 503:
        app.logger.error("PUT %s: no quorum in %s", path, statuses)
        return error_response(503, "Service Unavailable: %d of %d object servers must store "
                                   "the object; answers were %s" % (quorum, replicas, statuses))
    return error_response(status, "Object PUT failed on the object servers")


def _finish(putter: Putter) -> Optional[tuple]:
    putter.finish()
    return putter.await_response()


def _abort(putters: List[Putter]) -> None:
    for putter in putters:
        putter.abort()


__all__ = ["stream_put", "read_body", "ClientDisconnect", "node_desc"]
