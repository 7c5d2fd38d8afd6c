"""GET and HEAD of an erasure-coded object: any ``k`` archives, decoded.

The proxy asks ``k`` nodes (the primaries of the data fragments first:
decoding from data fragments is cheapest), and more only when some do not
answer, answer with another version, or hold a duplicate index. The body
is decoded one segment at a time from ``k`` archives of the same
timestamp. A fragment that fails its checksum, a node that errors or
stalls mid-stream, is dropped and replaced by another node (a parity
primary, or a handoff) asked for the rest of *its* archive from the
current segment on: the client sees one uninterrupted body.

A ranged GET first learns the object's length (a HEAD round), then asks
each node only for the archive bytes of the covering segments. A single
range gets a 206; several ranges a ``multipart/byteranges`` 206 whose
parts are decoded one after the other, each from its own ``k`` archive
reads (so memory stays one segment per archive whatever the ranges).
"""

from __future__ import annotations

import dataclasses
import http.client
from typing import Any, Dict, Iterator, List, Optional, Tuple

from webob import Request, Response

from objstore.common import concurrency
from objstore.common.ec import (CorruptFragment, ECError, Layout, codec_for, span_for_range,
                                trim_segments)
from objstore.common.http import conditional, ranges
from objstore.common.http.errors import swift_error
from objstore.common.http_client import BackendConnection, http_connect
from objstore.common.storage_policy import StoragePolicy
from objstore.common.timestamp import Timestamp
from objstore.proxy.controllers.base import error_response, filtered_headers
from objstore.proxy.ec_put import EC_ETAG, EC_LENGTH, EC_SEGMENT, FRAG_INDEX
from objstore.proxy.nodes import Node, NodeIter
from objstore.proxy.quorum import is_node_fault
from objstore.proxy.read_ahead import read_ahead
from objstore.common.utils import close_if_possible

_CONDITIONAL = conditional.CONDITION_HEADERS
_DROPPED = ("range", "if-range")


@dataclasses.dataclass
class FragSource:
    """One node's answer carrying fragment archive ``index``."""

    conn: BackendConnection
    resp: Any
    node: Node
    status: int
    headers: Dict[str, str]
    index: int = -1

    @property
    def data_timestamp(self) -> Timestamp:
        return _ts(self.headers.get("X-Backend-Data-Timestamp")
                   or self.headers.get("X-Backend-Timestamp"))

    @property
    def timestamp(self) -> Timestamp:
        return _ts(self.headers.get("X-Backend-Timestamp"))

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:
            pass


def _ts(value: Optional[str]) -> Timestamp:
    try:
        return Timestamp(value or 0)
    except ValueError:
        return Timestamp(0)


class ECGetter:
    """Serves one GET/HEAD of an EC object."""

    def __init__(self, app: Any, ring: Any, part: int, path: str,
                 headers: Dict[str, str], policy: StoragePolicy) -> None:
        assert policy.ec is not None
        self.app = app
        self.part = part
        self.path = path
        self.policy = policy
        self.ec = policy.ec
        self.headers = {k: v for k, v in headers.items() if k.lower() not in _DROPPED}
        # After any a middleware named (SLO's, encryption's MAC): first found wins.
        named = self.headers.pop("X-Backend-Etag-Is-At", None)
        self.headers["X-Backend-Etag-Is-At"] = "%s,%s" % (named, EC_ETAG) if named else EC_ETAG
        self.ring = ring
        self.nodes = self._fresh_nodes()
        self.answers: List[Tuple[int, Dict[str, str]]] = []

    # ------------------------------------------------------------ asking
    def _fresh_nodes(self) -> NodeIter:
        return self.app.iter_nodes(self.ring, self.part)

    def _ask(self, node: Node, method: str, headers: Dict[str, str]) -> Optional[FragSource]:
        app = self.app
        try:
            with concurrency.ConnectionTimeout(app.conn_timeout):
                conn = http_connect(node["ip"], node["port"], node["device"], self.part,
                                    method, self.path, headers=headers,
                                    timeout=app.recoverable_node_timeout, pooled=True)
            with concurrency.Timeout(app.recoverable_node_timeout):
                resp = conn.getresponse()
        except (Exception, concurrency.Timeout) as err:
            app.error_occurred(node, "EC %s %s: %s" % (method, self.path, type(err).__name__),
                               err)
            return None
        source = FragSource(conn, resp, node, resp.status, dict(resp.getheaders()))
        if source.status == 507:
            app.error_limit(node, "507 Insufficient Storage")
        elif is_node_fault(source.status):
            app.error_occurred(node, "EC %s %s answered %d" % (method, self.path, source.status))
        if 200 <= source.status < 300:
            try:
                source.index = int(source.headers.get(FRAG_INDEX, ""))
            except ValueError:
                source.status = 500  # not a fragment archive: unusable
        if not 200 <= source.status < 300 or method == "HEAD":
            try:
                with concurrency.Timeout(app.recoverable_node_timeout):
                    source.resp.read()
            except (Exception, concurrency.Timeout):
                pass
            source.close()
        return source

    def gather(self, method: str, headers: Dict[str, str]
               ) -> Tuple[Dict[int, FragSource], Optional[FragSource]]:
        """Up to ``k`` sources of the newest durable version, by archive
        index, and a non-2xx answer to give instead (conditional 304/412,
        or a tombstone newer than every fragment found), if any."""
        ndata = self.ec.ndata
        self.nodes = self._fresh_nodes()  # later replacements continue from here
        by_ts: Dict[Timestamp, Dict[int, FragSource]] = {}
        others: List[FragSource] = []
        need = ndata
        while need > 0:
            batch = []
            for node in self.nodes:
                batch.append(node)
                if len(batch) >= need:
                    break
            if not batch:
                break
            pile = concurrency.GreenPile(len(batch))
            for node in batch:
                pile.spawn(self._ask, node, method, dict(headers))
            for source in pile:
                if source is None:
                    continue
                if 200 <= source.status < 300:
                    group = by_ts.setdefault(source.data_timestamp, {})
                    if source.index in group:
                        source.close()  # a duplicate index is no help
                    else:
                        group[source.index] = source
                else:
                    others.append(source)
                    self.answers.append((source.status, source.headers))
            best = by_ts[max(by_ts)] if by_ts else {}
            need = ndata - len(best)
        best_ts = max(by_ts) if by_ts else None
        chosen = by_ts.get(best_ts, {}) if best_ts is not None else {}
        for ts, group in by_ts.items():
            if ts != best_ts:
                for source in group.values():
                    source.close()
        instead = None
        for source in others:
            newer = best_ts is None or source.timestamp >= best_ts
            if source.status in (304, 412) and newer:
                instead = source
                break
            if source.status == 404 and best_ts is not None and source.timestamp > best_ts:
                instead = source
        return dict(sorted(chosen.items())[:ndata]), instead

    def _replacement(self, index_taken: List[int], ts: Timestamp, first: int,
                     last: int) -> Optional[FragSource]:
        """Another archive of version ``ts`` from byte ``first`` on."""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _CONDITIONAL}
        headers["Range"] = "bytes=%d-%d" % (first, last)
        for node in self.nodes:
            source = self._ask(node, "GET", headers)
            if source is None or not 200 <= source.status < 300:
                continue
            if source.data_timestamp != ts or source.index in index_taken:
                source.close()
                continue
            return source
        return None

    # ------------------------------------------------------------- serving
    def respond(self, req: Request) -> Response:
        """The client's answer."""
        cond = {k: v for k, v in self.headers.items()}
        if req.method == "HEAD" or req.headers.get("Range"):
            sources, instead = self.gather("HEAD", cond)
            if not sources:
                if instead is not None and instead.status in (304, 412):
                    return self._conditional(instead)
                return self._failure(req, instead)
            meta = self._newest(sources)
            layout = self._layout(meta.headers)
            if isinstance(layout, Response):
                return layout
            if instead is not None and instead.status in (304, 412):
                return self._conditional(instead)
            if req.method == "HEAD":
                return self._head_response(meta, layout)
            try:
                spans = ranges.ranges_for_length(req.headers.get("Range"), layout.length)
            except ranges.Unsatisfiable:
                return self._unsatisfiable(meta, layout)
            if spans is not None and not conditional.if_range_allows(
                    req.headers, meta.headers.get(EC_ETAG, ""),
                    conditional.last_modified(meta.timestamp)):
                spans = None
            if spans is None:
                return self._serve(req, cond, None, layout)
            plain = {k: v for k, v in cond.items() if k.lower() not in _CONDITIONAL}
            if len(spans) > 1:
                return self._serve_multi(plain, spans, layout, meta)
            return self._serve(req, plain, (spans[0][0], spans[0][1] - 1), layout)
        return self._serve(req, cond, None, None)

    def _serve_multi(self, headers: Dict[str, str], spans: List[ranges.Span], layout: Layout,
                     meta: FragSource) -> Response:
        """A ``multipart/byteranges`` 206; each part decoded from its own
        archive reads of version ``meta``. A version that changed between
        parts ends the body short (the client sees fewer bytes than the
        Content-Length), never bytes of two versions."""
        headerlist = self._client_headers(meta)
        content_type = meta.headers.get("Content-Type", "application/octet-stream")
        boundary = ranges.new_boundary()
        headerlist = [(k, v) for k, v in headerlist if k.lower() != "content-type"]
        headerlist.append(("Content-Type", ranges.multipart_content_type(boundary)))
        headerlist.append(("Content-Length", str(ranges.multipart_length(
            spans, layout.length, content_type, boundary))))

        def read_span(start: int, stop: int) -> Iterator[bytes]:
            span = span_for_range(layout, start, stop - 1)
            sources, _instead = self.gather("GET", dict(headers, Range="bytes=%d-%d" % (
                span.archive_start, span.archive_end)))
            try:
                if len(sources) < self.ec.ndata or \
                        self._newest(sources).data_timestamp != meta.data_timestamp:
                    raise ECError("only %d archives of the version being sent for bytes "
                                  "%d-%d" % (len(sources), start, stop - 1))
                yield from trim_segments(self._segments(sources, layout, span.first, span.last,
                                                        meta.data_timestamp),
                                         span.skip, span.take)
            finally:
                _close_all(sources)

        body = ranges.multipart_body(read_span, spans, layout.length, content_type, boundary)
        resp = Response(status=206, headerlist=headerlist,
                        app_iter=_Closing(body, {}, self.app.logger))
        resp.conditional_response = False
        return resp

    def _unsatisfiable(self, meta: FragSource, layout: Layout) -> Response:
        """416 with the object's headers, as the replicated path answers."""
        headerlist = self._client_headers(meta)
        headerlist.append(("Content-Range", ranges.unsatisfiable_content_range(layout.length)))
        resp = Response(status=416, headerlist=headerlist, body=ranges.NOT_SATISFIABLE_BODY)
        resp.conditional_response = False
        return resp

    def _serve(self, req: Request, headers: Dict[str, str], wanted: Optional[Tuple[int, int]],
               layout: Optional[Layout]) -> Response:
        if wanted is not None and layout is not None:
            span = span_for_range(layout, wanted[0], wanted[1])
            headers = dict(headers, Range="bytes=%d-%d" % (span.archive_start, span.archive_end))
        sources, instead = self.gather("GET", headers)
        if instead is not None and instead.status in (304, 412):
            _close_all(sources)
            return self._conditional(instead)
        if len(sources) < self.ec.ndata:
            _close_all(sources)
            return self._failure(req, instead, len(sources))
        meta = self._newest(sources)
        found = self._layout(meta.headers)
        if isinstance(found, Response):
            _close_all(sources)
            return found
        if layout is not None and (found.length, found.segment_size) != (
                layout.length, layout.segment_size):
            _close_all(sources)  # overwritten between HEAD and GET: start over
            return self._serve(req, headers, None, None) if wanted is None else \
                error_response(503, "Service Unavailable: the object changed while being "
                                    "read; retry")
        layout = found
        headerlist = self._client_headers(meta)
        if wanted is None:
            first, last, skip, take = 0, layout.segments - 1, 0, layout.length
            status = 200
        else:
            span = span_for_range(layout, wanted[0], wanted[1])
            first, last, skip, take = span.first, span.last, span.skip, span.take
            status = 206
            headerlist.append(("Content-Range", "bytes %d-%d/%d" % (
                wanted[0], wanted[1], layout.length)))
        headerlist.append(("Content-Length", str(take)))
        segments = self._segments(sources, layout, first, last, meta.data_timestamp)
        if last > first:  # decode the next segment while this one goes to the client
            segments = read_ahead(segments)
        body = trim_segments(segments, skip, take)
        resp = Response(status=status, headerlist=headerlist, app_iter=_Closing(body, sources, self.app.logger))
        resp.conditional_response = False
        return resp

    def _segments(self, sources: Dict[int, FragSource], layout: Layout, first: int, last: int,
                  ts: Timestamp) -> Iterator[bytes]:
        """Decoded segments ``first..last``, replacing failed archives."""
        codec = codec_for(dataclasses.replace(self.ec, segment_size=layout.segment_size))
        archive_end = layout.archive_length - 1
        for seg in range(first, last + 1):
            size = layout.fragment_length(seg)
            got: Dict[int, bytes] = {}
            while len(got) < self.ec.ndata:
                pending = [i for i in sources if i not in got]
                if not pending:
                    raise ECError("segment %d of %s: only %d fragments" % (seg, self.path,
                                                                           len(got)))
                pile = concurrency.GreenPile(len(pending))
                for index in pending:
                    pile.spawn(self._read_fragment, sources[index], size, codec)
                for index, fragment in pile:
                    if fragment is not None:
                        got[index] = fragment
                        continue
                    sources.pop(index).close()
                    new = self._replacement(list(sources) + list(got), ts,
                                            layout.fragment_offset(seg), archive_end)
                    if new is None:
                        self.app.logger.error("EC GET %s: no archive can replace %d at "
                                              "segment %d", self.path, index, seg)
                    else:
                        sources[new.index] = new
            chosen = sorted(got)[:self.ec.ndata]
            # On this green thread (read_ahead's, while the previous segment
            # goes to the client): from the data fragments a decode is a
            # copy (<1 ms per MiB), cheaper than a thread-pool hand-off.
            segment = codec.decode([got[i] for i in chosen])
            if len(segment) != layout.segment_length(seg):
                raise ECError("segment %d decoded to %d bytes, expected %d" % (
                    seg, len(segment), layout.segment_length(seg)))
            yield segment

    def _read_fragment(self, source: FragSource, size: int, codec: Any
                       ) -> Tuple[int, Optional[bytes]]:
        """``(index, fragment)``; fragment None if the node failed, stalled
        or sent bytes that fail the fragment checksum."""
        parts = []
        got = 0
        try:
            while got < size:
                with concurrency.ChunkReadTimeout(self.app.recoverable_node_timeout):
                    chunk = source.resp.read(size - got)
                if not chunk:
                    # the node's fault (node_to_blame), unlike a local ECError
                    raise http.client.IncompleteRead(b"".join(parts), size - got)
                parts.append(chunk)
                got += len(chunk)
            fragment = b"".join(parts)
            if codec.check(fragment) != source.index:
                raise CorruptFragment("fragment index does not match the archive's")
            return source.index, fragment
        except CorruptFragment as err:
            self.app.logger.error("EC GET %s: archive %d from %s is corrupt (%s); using "
                                  "another", self.path, source.index, source.node["device"], err)
        except (Exception, concurrency.Timeout) as err:
            if isinstance(err, GeneratorExit):
                raise
            self.app.error_occurred(source.node, "EC GET %s archive %d: %s" % (
                self.path, source.index, type(err).__name__), err)
        return source.index, None

    # ------------------------------------------------------------- answers
    def _newest(self, sources: Dict[int, FragSource]) -> FragSource:
        return max(sources.values(), key=lambda s: s.timestamp)

    def _layout(self, headers: Dict[str, str]) -> Any:
        try:
            length = int(headers[EC_LENGTH])
            seg = int(headers.get(EC_SEGMENT) or self.ec.segment_size)
        except (KeyError, ValueError):
            return error_response(503, "Service Unavailable: fragment archive of %s lacks "
                                       "its EC metadata" % self.path)
        try:
            return codec_for(dataclasses.replace(self.ec, segment_size=seg)).layout(length)
        except ECError as err:
            return error_response(503, "Service Unavailable: %s" % err)

    def _client_headers(self, meta: FragSource) -> List[Tuple[str, str]]:
        skip = ("content-length", "content-range", "etag", "accept-ranges")
        out = [(k, v) for k, v in filtered_headers(meta.headers)
               if k.lower() not in skip and not k.lower().startswith("x-object-sysmeta-ec-")]
        out.append(("ETag", meta.headers.get(EC_ETAG, "")))
        out.append(("Accept-Ranges", "bytes"))
        return out

    def _head_response(self, meta: FragSource, layout: Layout) -> Response:
        headerlist = self._client_headers(meta)
        headerlist.append(("Content-Length", str(layout.length)))
        resp = Response(status=200, headerlist=headerlist, app_iter=[])
        resp.conditional_response = False
        return resp

    def _conditional(self, source: FragSource) -> Response:
        """The 304 or 412 of the archives, with the object's headers."""
        headers = dict(self._client_headers(source))
        if source.status == 304:
            headers = conditional.not_modified_headers(headers)
        else:
            headers = conditional.precondition_failed_headers(headers)
        resp = Response(status=source.status, headerlist=list(headers.items()))
        resp.conditional_response = False
        return resp

    def _failure(self, req: Request, instead: Optional[FragSource], found: int = 0) -> Response:
        resp = self._failure_status(req, instead, found)
        if resp.status_int == 404 and conditional.missing_verdict(req.headers):
            return swift_error(412, "")
        return resp

    def _failure_status(self, req: Request, instead: Optional[FragSource],
                        found: int) -> Response:
        if instead is not None and instead.status == 404:
            return error_response(404, "Not Found")
        statuses = [s for s, _h in self.answers]
        if found == 0 and statuses and all(s == 404 for s in statuses):
            return error_response(404, "Not Found")
        if found == 0 and not statuses:
            return error_response(503, "Service Unavailable: no object server answered %s %s"
                                  % (req.method, req.path))
        if found == 0 and 404 in statuses and not any(s >= 500 for s in statuses):
            return error_response(404, "Not Found")
        return error_response(503, "Service Unavailable: only %d of the %d fragment archives "
                                   "needed to decode %s could be read"
                              % (found, self.ec.ndata, req.path))


class _Closing:
    """The decoded body; closes every fragment connection at the end, also
    when the client goes away early."""

    def __init__(self, body: Iterator[bytes], sources: Dict[int, FragSource],
                 logger: Any) -> None:
        self.body = body
        self.sources = sources
        self.logger = logger

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.body
        except ECError as err:
            # Too late for a status: the client sees a body shorter than
            # its Content-Length, which every HTTP client reports.
            self.logger.error("EC GET stopped: %s", err)

    def close(self) -> None:
        close_if_possible(self.body)
        _close_all(self.sources)


def _close_all(sources: Dict[int, FragSource]) -> None:
    for source in sources.values():
        source.close()
