"""PUT of an erasure-coded object: encode, stream archives, commit.

The body is cut into segments; each segment is encoded into ``k + m``
fragments and fragment ``i`` goes to the node of archive ``i`` (primary
``i``, or a handoff standing in for it). Memory is bounded by one segment
plus the putters' queues, whatever the object size.

Two phases, so that a reader never sees an object that cannot be decoded:

1. every node writes its archive as ``<ts>#<i>.data`` (not durable: never
   served);
2. once ``put_quorum`` (``k + 1``) archives are written, the proxy sends
   each of those nodes ``POST`` + ``X-Backend-Ec-Commit: <ts>`` with the
   sysmeta only known at the end (client ETag, length) and the container
   update headers; 201 once ``put_quorum`` commits succeeded.

A failure before the commits leaves only non-durable fragments, which
are invisible and removed after ``reclaim_age``.

A body of known length that fits in one segment is read whole before any
node is asked (unless the client waits for ``100 Continue`` or the nodes
may refuse the write for what they hold, ``may_read_first``): its MD5
goes in each archive's PUT headers (a wrong client ETag is refused before
anything is written), and so do the metadata footers learnt from it. The
archives are written with that metadata in place, and the commit only
makes them durable (rename, directory fsync) instead of rewriting their
metadata and fsyncing each archive a second time. Each archive goes in
the same send as its request head (``_put_whole``), without waiting for
``100 Continue``: one round trip per node fewer.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from webob import Response

from objstore.common import concurrency, constraints, footers
from objstore.common.ec import ECError, codec_for
from objstore.common.http import errors
from objstore.common.http.conditional import ETAG_IS_AT, WRITE_IF_MATCH
from objstore.common.http_client import http_connect
from objstore.common.storage_policy import StoragePolicy
from objstore.common.timestamp import Timestamp
from objstore.common.utils import new_md5
from objstore.proxy import lock_guard
from objstore.proxy.controllers.base import error_response
from objstore.proxy.controllers.obj_put import ClientDisconnect, may_read_first, read_body
from objstore.proxy.nodes import Node
from objstore.proxy.putter import Putter, PutterError

FRAG_INDEX = "X-Object-Sysmeta-Ec-Frag-Index"
EC_ETAG = "X-Object-Sysmeta-Ec-Etag"
EC_LENGTH = "X-Object-Sysmeta-Ec-Content-Length"
EC_SEGMENT = "X-Object-Sysmeta-Ec-Segment-Size"
EC_SCHEME = "X-Object-Sysmeta-Ec-Scheme"
COMMIT = "X-Backend-Ec-Commit"
#: headers kept for the commit: the container must not list an object
#: before it is readable
_CONTAINER_UPDATE = ("X-Container-Host", "X-Container-Partition", "X-Container-Device")


def scheme(policy: StoragePolicy) -> str:
    ec = policy.ec
    assert ec is not None
    return "%s %d+%d" % (ec.ec_type, ec.ndata, ec.nparity)


def archive_headers(base: Dict[str, str], index: int, policy: StoragePolicy,
                    length: Optional[int], archive_length: Optional[int],
                    etag: Optional[str] = None) -> Dict[str, str]:
    """The PUT headers of fragment archive ``index`` (pure); ``etag``, the
    object's MD5 when the body was read before the nodes were asked."""
    ec = policy.ec
    assert ec is not None
    headers = {k: v for k, v in base.items()
               if k not in _CONTAINER_UPDATE and k.lower() not in ("etag", "content-length",
                                                                  "transfer-encoding")}
    headers.update({FRAG_INDEX: str(index), EC_SCHEME: scheme(policy),
                    EC_SEGMENT: str(ec.segment_size)})
    if length is not None:
        headers[EC_LENGTH] = str(length)
        headers["X-Backend-Obj-Content-Length"] = str(length)
        headers["Content-Length"] = str(archive_length)
    else:
        headers["Transfer-Encoding"] = "chunked"
    if etag is not None:
        headers[EC_ETAG] = etag
    return headers


def _candidates(app: Any, ring: Any, part: int) -> Callable[[int], Iterator[Node]]:
    """The nodes to try for archive ``i``: primary ``i`` first (under write
    affinity, a local handoff first when primary ``i`` is remote), then
    handoffs taken from shared lists, local ones first (so two indexes
    never share a node)."""
    primaries = ring.get_part_nodes(part)
    primary_first, local_handoffs, other_handoffs = app.affinity_for(ring).ec_write_plan(
        primaries, ring, part)
    budget = [app.request_node_count(ring)]

    def next_handoff() -> Optional[Node]:
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        if local_handoffs:
            return local_handoffs.popleft()
        return next(other_handoffs, None)

    def candidates(index: int) -> Iterator[Node]:
        if not primary_first[index] and local_handoffs:
            node = next_handoff()
            if node is not None and not app.error_limiter.is_limited(node):
                yield node
        if not app.error_limiter.is_limited(primaries[index]):
            yield primaries[index]
        while True:
            node = next_handoff()
            if node is None:
                return
            if not app.error_limiter.is_limited(node):
                yield node

    return candidates


def _note(app: Any, node: Node, path: str, err: PutterError) -> None:
    if "507" in str(err):
        app.error_limit(node, str(err))
    else:
        app.error_occurred(node, "PUT %s: %s" % (path, err), err.cause)


def _connect(app: Any, ring: Any, part: int, path: str,
             headers_list: List[Dict[str, str]], expect: bool, chunked: bool
             ) -> Dict[int, Putter]:
    """One putter per archive index, on the first candidate that takes it."""
    candidates = _candidates(app, ring, part)

    def connect_one(index: int) -> Tuple[int, Optional[Putter]]:
        for node in candidates(index):
            try:
                return index, Putter.connect(node, part, path, headers_list[index],
                                             app.conn_timeout, app.node_timeout, expect,
                                             chunked)
            except PutterError as err:
                _note(app, node, path, err)
        return index, None

    pile = concurrency.GreenPile(len(headers_list))
    for index in range(len(headers_list)):
        pile.spawn(connect_one, index)
    return {i: p for i, p in pile if p is not None}


def judge_if_match_by_object_etag(headers: Dict[str, str]) -> None:
    """Make a write's ``X-Backend-If-Match`` (PUT or DELETE) judge the
    object's ETag: an archive's own ETag is its fragment's MD5."""
    if WRITE_IF_MATCH in headers:
        named = headers.get(ETAG_IS_AT)
        headers[ETAG_IS_AT] = "%s,%s" % (named, EC_ETAG) if named else EC_ETAG


def ec_stream_put(app: Any, env: Dict[str, Any], ring: Any, part: int, path: str,
                  headers_list: List[Dict[str, str]], length: Optional[int],
                  timestamp: Timestamp, client_etag: Optional[str],
                  policy: StoragePolicy) -> Response:
    """Store one EC object; the client's answer."""
    ec = policy.ec
    assert ec is not None
    if len(headers_list) != ec.nodes:
        return error_response(503, "Service Unavailable: the ring %s has %d replicas but "
                                   "policy %s needs %d (ec_num_data_fragments + "
                                   "ec_num_parity_fragments); rebuild the ring"
                              % (policy.ring_name, len(headers_list), policy.name, ec.nodes))
    try:
        codec = codec_for(ec)
    except ECError as err:
        return error_response(503, "Service Unavailable: %s" % err)
    quorum = ec.put_quorum
    for headers in headers_list:
        judge_if_match_by_object_etag(headers)
    archive_length = codec.layout(length).archive_length if length is not None else None
    known_etag = None
    learnt: Optional[Dict[str, str]] = None  # the footers, when known before the nodes
    read: Optional[bytes] = None
    if length is not None and 0 < length <= ec.segment_size and \
            may_read_first(env, headers_list[0]):
        # One segment: read it before any node is asked (memory: the one
        # segment the segmenter would hold anyway).
        whole = _read_whole(app, env, path, length)
        if isinstance(whole, Response):
            return whole
        read = whole
        md5 = new_md5()
        md5.update(read)
        known_etag = md5.hexdigest()
        if client_etag and client_etag.strip('"').lower() != known_etag:
            return _etag_mismatch(known_etag, timestamp)
        learnt = dict(footers.stored_footers(footers.collect_footers(env)))
    put_headers = [archive_headers(h, i, policy, length, archive_length, known_etag)
                   for i, h in enumerate(headers_list)]
    if learnt:
        in_headers = _header_safe(learnt)
        for headers in put_headers:
            headers.update(in_headers)
    if read is not None:
        assert known_etag is not None
        return _put_whole(app, env, ring, part, path, headers_list, put_headers,
                          codec.encode(read), known_etag, len(read), learnt, timestamp,
                          quorum)
    chunked = length is None
    putters = _connect(app, ring, part, path, put_headers, chunked or bool(archive_length),
                       chunked)
    early = [p.final_status for p in putters.values() if p.final_status is not None]
    if 412 in early:
        _abort(putters)
        return error_response(412, "Precondition Failed: the object exists (If-None-Match: *)")
    if 409 in early:
        _abort(putters)
        return Response(status=202, body=b"")
    live = {i: p for i, p in putters.items() if p.live}
    if len(live) < quorum:
        _abort(putters)
        app.logger.error("EC PUT %s: only %d of %d fragment nodes reachable", path,
                         len(live), ec.nodes)
        return error_response(503, "Service Unavailable: %d of %d fragment archives must be "
                                   "stored, only %d object servers reachable"
                              % (quorum, ec.nodes, len(live)))
    refusal = lock_guard.put_refusal(env, [p.node for p in live.values()])
    if refusal is not None:
        _abort(putters)
        return error_response(*refusal)
    for putter in live.values():
        putter.start(codec.fragment_size(ec.segment_size))
    try:
        outcome = _send_body(app, env, path, length, codec, live, quorum)
    except BaseException:
        # e.g. a middleware's body check failing inside read(): the
        # fragment nodes' connections and senders must not wait forever.
        _abort(putters)
        raise
    if isinstance(outcome, Response):
        _abort(putters)
        return outcome
    etag, received = outcome
    if client_etag and client_etag.strip('"').lower() != etag:
        _abort(putters)
        return _etag_mismatch(etag, timestamp)
    written, refused = _finish_all(app, path, live)
    return _commit_or_fail(app, env, part, path, headers_list, written, refused, etag,
                           received, learnt, timestamp, quorum)


def _commit_or_fail(app: Any, env: Dict[str, Any], part: int, path: str,
                    headers_list: List[Dict[str, str]], written: Dict[int, Node],
                    refused: List[int], etag: str, received: int,
                    learnt: Optional[Dict[str, str]], timestamp: Timestamp,
                    quorum: int) -> Response:
    """Phase two once the archives were sent; the client's answer."""
    nodes = len(headers_list)
    if len(written) < quorum and refused:
        # The nodes judged the request (a conditional write that lost a race
        # is 409): nothing was committed, and the client learns why.
        return error_response(max(set(refused), key=refused.count),
                              "Object PUT refused by the object servers")
    if len(written) < quorum:
        app.logger.error("EC PUT %s: %d of %d archives written, %d needed", path,
                         len(written), nodes, quorum)
        return error_response(503, "Service Unavailable: only %d of %d fragment archives were "
                                   "stored (%d needed); nothing was committed"
                              % (len(written), nodes, quorum))
    # Metadata learnt from the body (footers) is committed with the archives.
    commit_extra = dict(learnt if learnt is not None else
                        footers.stored_footers(footers.collect_footers(env)))
    commit_extra.update({COMMIT: timestamp.internal, EC_ETAG: etag, EC_LENGTH: str(received)})
    committed = _commit_all(app, part, path, written, headers_list, commit_extra)
    if committed < quorum:
        app.logger.error("EC PUT %s: %d commits, %d needed", path, committed, quorum)
        return error_response(503, "Service Unavailable: only %d of %d fragment archives "
                                   "could be made durable (%d needed)"
                              % (committed, nodes, quorum))
    return Response(status=201, body=b"", headerlist=[
        ("ETag", etag), ("Last-Modified", timestamp.http_date),
        ("Content-Type", "text/html; charset=UTF-8"), ("Content-Length", "0")])


def _put_whole(app: Any, env: Dict[str, Any], ring: Any, part: int, path: str,
               headers_list: List[Dict[str, str]], put_headers: List[Dict[str, str]],
               fragments: List[bytes], etag: str, received: int,
               learnt: Optional[Dict[str, str]], timestamp: Timestamp,
               quorum: int) -> Response:
    """A one-segment object: each archive goes with its request head, no
    ``Expect: 100-continue`` (one round trip per node instead of two, and
    no sender green thread). A node per index is connected to first, so a
    PUT that cannot reach a quorum writes nothing; a node that does not
    take its archive is replaced by the index's next candidate."""
    candidates = _candidates(app, ring, part)
    tries = {i: candidates(i) for i in range(len(put_headers))}

    def open_next(index: int) -> Optional[Any]:
        for node in tries[index]:
            try:
                return Putter.open_whole(node, part, path, put_headers[index],
                                         app.conn_timeout, app.node_timeout)
            except PutterError as err:
                _note(app, node, path, err)
        return None

    pile = concurrency.GreenPile(len(put_headers))
    for index in range(len(put_headers)):
        pile.spawn(lambda i: (i, open_next(i)), index)
    opened = {i: conn for i, conn in pile if conn is not None}
    refusal = lock_guard.put_refusal(env, [conn.node for conn in opened.values()])
    if len(opened) < quorum or refusal is not None:
        for conn in opened.values():
            conn.close()
        if refusal is not None:
            return error_response(*refusal)
        app.logger.error("EC PUT %s: only %d of %d fragment nodes reachable", path,
                         len(opened), len(put_headers))
        return error_response(503, "Service Unavailable: %d of %d fragment archives must be "
                                   "stored, only %d object servers reachable"
                              % (quorum, len(put_headers), len(opened)))

    def store(index: int, conn: Any) -> Tuple[int, Node, Optional[int]]:
        while True:
            node = conn.node
            try:
                return index, node, Putter.put_whole(conn, fragments[index],
                                                     app.node_timeout)[0]
            except PutterError as err:
                _note(app, node, path, err)
            conn = open_next(index)
            if conn is None:
                return index, node, None

    pile = concurrency.GreenPile(len(opened))
    for index, conn in opened.items():
        pile.spawn(store, index, conn)
    written: Dict[int, Node] = {}
    refused: List[int] = []
    for index, node, status in pile:
        if status is not None and 200 <= status < 300:
            written[index] = node
        elif status in (409, 412):
            refused.append(status)  # a newer version is there: judged, not a fault
        elif status is not None:
            app.error_occurred(node, "EC PUT %s archive %d: %d" % (path, index, status))
    if 409 in refused and len(written) < quorum:
        return Response(status=202, body=b"")  # as when the nodes say so before the body
    return _commit_or_fail(app, env, part, path, headers_list, written, refused, etag,
                            received, learnt, timestamp, quorum)


def _header_safe(learnt: Dict[str, str]) -> Dict[str, str]:
    """The footers that can travel as PUT headers (short printable ASCII);
    the others are written by the commit only, as for a streamed body."""
    return {k: v for k, v in learnt.items()
            if len(v) <= 4096 and v.isascii() and v.isprintable()}


def _etag_mismatch(etag: str, timestamp: Timestamp) -> Response:
    return error_response(422, "Unprocessable Entity: the body's MD5 %s does not match "
                               "the ETag header you sent" % etag,
                          {"Last-Modified": timestamp.http_date})  # as Swift


def _read_whole(app: Any, env: Dict[str, Any], path: str, length: int) -> Any:
    """A one-segment body, read whole; or the error Response."""
    try:
        return b"".join(read_body(env, length, length, app.client_timeout))
    except concurrency.ChunkReadTimeout:
        return _client_timeout(app, path)
    except ClientDisconnect as err:
        return _client_gone(app, path, err)


def _client_timeout(app: Any, path: str) -> Response:
    app.logger.warning("EC PUT %s: client sent nothing for %ss", path, app.client_timeout)
    return error_response(408, "Request Timeout: no body data for %ss" % app.client_timeout)


def _client_gone(app: Any, path: str, err: BaseException) -> Response:
    app.logger.warning("EC PUT %s: client disconnected: %s", path, err)
    return error_response(499, "Client Disconnect")


def _send_body(app: Any, env: Dict[str, Any], path: str, length: Optional[int], codec: Any,
               live: Dict[int, Putter], quorum: int) -> Any:
    """Stream the encoded body; ``(etag, bytes)`` or an error Response."""
    from objstore.common.ec import Segmenter
    md5 = new_md5()
    received = 0
    segmenter = Segmenter(codec.params.segment_size)

    def ship(segment: bytes) -> bool:
        # MD5 and encode on this green thread, as the GET decodes: a 1 MiB
        # segment costs ~3 ms of CPU, a thread-pool hand-off two thread
        # wake-ups, which on a busy box waited longer than the work took.
        md5.update(segment)  # segments come in order and cover every byte
        fragments = codec.encode(segment)
        for index, putter in live.items():
            putter.send_chunk(fragments[index])
        return sum(1 for p in live.values() if p.live) >= quorum

    try:
        for chunk in read_body(env, length, app.client_chunk_size, app.client_timeout):
            received += len(chunk)
            if length is None and received > constraints.LIMITS["max_file_size"]:
                return error_response(413, errors.TOO_LARGE)
            for segment in segmenter.feed(chunk):
                if not ship(segment):
                    return _mid_body_failure(app, path)
        for segment in segmenter.finish():
            if not ship(segment):
                return _mid_body_failure(app, path)
    except concurrency.ChunkReadTimeout:
        return _client_timeout(app, path)
    except ClientDisconnect as err:
        return _client_gone(app, path, err)
    return md5.hexdigest(), received


def _mid_body_failure(app: Any, path: str) -> Response:
    app.logger.error("EC PUT %s: too many fragment nodes failed mid-body", path)
    return error_response(503, "Service Unavailable: object servers failed while receiving "
                               "the fragment archives")


def _finish_all(app: Any, path: str, live: Dict[int, Putter]
                ) -> Tuple[Dict[int, Node], List[int]]:
    """The nodes that stored their archive (2xx), by index, and the 409/412 of the
    nodes that refused a conditional write (not counted against them)."""
    def finish(item: Tuple[int, Putter]) -> Tuple[int, Putter, Optional[tuple]]:
        index, putter = item
        putter.finish()
        return index, putter, putter.await_response()

    pile = concurrency.GreenPile(len(live))
    for item in live.items():
        pile.spawn(finish, item)
    written, refused = {}, []
    for index, putter, answer in pile:
        if answer is not None and 200 <= answer[0] < 300:
            written[index] = putter.node
        elif answer is not None and answer[0] in (409, 412):
            refused.append(answer[0])  # a conditional write's verdict, not a node fault
        else:
            app.error_occurred(putter.node, "EC PUT %s archive %d: %s" % (
                path, index, putter.error or (answer and answer[0])), putter.cause)
    return written, refused


def _commit_all(app: Any, part: int, path: str, written: Dict[int, Node],
                headers_list: List[Dict[str, str]], extra: Dict[str, str]) -> int:
    """Send phase two to every node that stored an archive; how many said 202."""
    def commit(index: int) -> bool:
        headers = {k: v for k, v in headers_list[index].items()
                   if k.startswith(("X-Backend-", "X-Trans-Id")) or k in _CONTAINER_UPDATE}
        headers.update(extra)
        headers["X-Timestamp"] = extra[COMMIT]
        node = written[index]
        try:
            with concurrency.ConnectionTimeout(app.conn_timeout):
                conn = http_connect(node["ip"], node["port"], node["device"], part, "POST",
                                    path, headers=headers, timeout=app.node_timeout,
                                    pooled=True)
            with concurrency.Timeout(app.node_timeout):
                resp = conn.getresponse()
                resp.read()
            conn.close()
        except (Exception, concurrency.Timeout) as err:
            app.error_occurred(node, "EC commit %s: %s" % (path, type(err).__name__), err)
            return False
        return resp.status == 202

    pile = concurrency.GreenPile(len(written))
    for index in written:
        pile.spawn(commit, index)
    return sum(1 for ok in pile if ok)


def _abort(putters: Dict[int, Putter]) -> None:
    for putter in putters.values():
        putter.abort()
