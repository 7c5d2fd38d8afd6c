"""The streaming, quorum-deciding part of an object PUT.

Connect to the object's primaries (handoffs standing in for dead or full
ones), stream the body to all of them at once, and report success only
when a quorum stored the same bytes. Memory stays bounded by a few chunks
per node whatever the object size. Metadata a middleware learns from the
body (``objstore.common.footers``) follows it in the same request.

The proxy does not hash the body: each node takes its MD5 as it writes,
refuses (422) a body that does not match the client's ETag, which it is
sent, and answers its MD5; the ETag of the write is the one a quorum of
nodes agree on. (Hashing here too cost the proxy a core-second per GiB.)
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional

from webob import Response

from objstore.common import concurrency, constraints, footers
from objstore.common.http import errors
from objstore.common.timestamp import Timestamp
from objstore.proxy import lock_guard
from objstore.proxy.controllers.base import error_response
from objstore.proxy.nodes import node_desc
from objstore.proxy.putter import Putter, PutterError
from objstore.proxy.quorum import (TOO_MANY_BACKEND_REQUESTS, agreed_etag, best_status, is_success,
                                   quorum_size)


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


def _connect_all(app: Any, ring: Any, part: int, path: str,
                 headers_list: List[Dict[str, str]], expect: bool,
                 chunked: bool) -> List[Putter]:
    nodes = app.iter_nodes(ring, part, write=True)

    def connect_one(headers: Dict[str, str]) -> Optional[Putter]:
        for node in nodes:
            try:
                return Putter.connect(node, part, path, headers, app.conn_timeout,
                                      app.node_timeout, expect, chunked)
            except PutterError as err:
                if "507" in str(err):
                    app.error_limit(node, str(err))
                elif "answered %d" % TOO_MANY_BACKEND_REQUESTS not in str(err):
                    app.error_occurred(node, "PUT %s: %s" % (path, err))
        return None

    pile = concurrency.GreenPile(len(headers_list))
    for headers in headers_list:
        pile.spawn(connect_one, headers)
    return [p for p in pile if p is not None]


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
    chunked = length is None or boundary is not None
    expect = chunked or length > 0
    putters = _connect_all(app, ring, part, path, headers_list, expect, chunked)
    early = [p.final_status for p in putters if p.final_status is not None]
    if 412 in early:
        _abort(putters)
        return error_response(412, "Precondition Failed: the object exists "
                                   "(If-None-Match: *)")
    if 403 in early:  # a locked version is there (common/object_lock.py)
        _abort(putters)
        return error_response(403, "Forbidden: the object there is locked")
    if 409 in early:
        # A newer version is already there: this write is accepted and lost.
        _abort(putters)
        return Response(status=202, body=b"")
    live = [p for p in putters if p.live]
    if len(live) < quorum:
        _abort(putters)
        app.logger.error("PUT %s: only %d of %d nodes could take it", path, len(live), replicas)
        return error_response(503, "Service Unavailable: %d of %d object servers needed, "
                                   "%d reachable" % (quorum, replicas, len(live)))
    refusal = lock_guard.put_refusal(env, [p.node for p in live])
    if refusal is not None:
        _abort(putters)
        return error_response(*refusal)
    for putter in live:
        putter.start(app.client_chunk_size)
        if boundary is not None:
            putter.send_chunk(footers.body_head(boundary))
    received = 0
    try:
        for chunk in read_body(env, length, app.client_chunk_size, app.client_timeout):
            received += len(chunk)
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
    except concurrency.ChunkReadTimeout:
        _abort(putters)
        app.logger.warning("PUT %s: client sent nothing for %ss", path, app.client_timeout)
        return error_response(408, "Request Timeout: no body data for %ss"
                              % app.client_timeout)
    except ClientDisconnect as err:
        _abort(putters)
        app.logger.warning("PUT %s: client disconnected: %s", path, err)
        return error_response(499, "Client Disconnect")
    except BaseException:
        # Whatever else ends the body (a middleware's body check failing, a
        # killed green thread): the nodes' connections and senders go too.
        _abort(putters)
        raise
    if boundary is not None:
        tail = footers.footer_tail(boundary, footers.collect_footers(env))
        for putter in live:
            putter.send_chunk(tail)
    pile = concurrency.GreenPile(len(live))
    for putter in live:
        pile.spawn(_finish, putter)
    answers = [a for a in pile if a is not None]
    for putter in live:
        if putter.failed:
            app.error_occurred(putter.node, "PUT %s: %s" % (path, putter.error))
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
