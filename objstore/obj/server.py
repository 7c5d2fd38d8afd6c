"""The object server: the backend HTTP API over ``DiskFile``.

``/<device>/<partition>/<account>/<container>/<object>`` for GET, HEAD,
PUT, POST and DELETE, ``/<device>/<partition>[/<suffixes>]`` for REPLICATE,
and ``/healthcheck``. Every decision about files is ``DiskFile``'s; this
module maps requests to it and its errors to statuses (docs/internals.md
is the contract with the proxy and the daemons).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from webob import Request, Response

from objstore.common import body_sums, constraints, footers, object_lock
from objstore.common.config import config_float, config_int, config_true_value, swift_dir
from objstore.common.http import conditional, errors, ranges
from objstore.common.logs import get_logger
from objstore.common.part_power import NEXT_PART_POWER, parse_next_part_power
from objstore.common.storage_server import HTTPError, StorageServer, split_target
from objstore.common.storage_policy import load_policies
from objstore.common.timestamp import Timestamp
from objstore.common.versions import OPEN_EXPIRED
from objstore.common.wsgi import run_wsgi
from objstore.obj import ec_fragments, ssync, updates, write_conditions
from objstore.obj.diskfile import (DiskFile, DiskFileCollision, DiskFileDeleted,
                                   DiskFileDeviceUnavailable, DiskFileExpired, DiskFileManager,
                                   DiskFileNoSpace, DiskFileNotExist)
from objstore.obj.hashes import LockTimeout
from objstore.obj.post import handle_post
from objstore.obj.request_body import BodyReader
from objstore.obj.responses import (Answer, ClosingBody, make_response, request_delete_at,
                                    request_timestamp)
from objstore.obj.reader import VERIFY_FIRST_BYTES, DamagedObject, DiskFileReader

DEFAULT_PORT = 6200
#: Headers a client may set on PUT (and replace on POST) besides metadata.
ALLOWED_HEADERS = constraints.OBJECT_STORED_HEADERS
_META_PREFIXES = constraints.OBJECT_META_PREFIXES


def _refuse_if_locked(req: Request, meta: Dict[str, str]) -> None:
    """403 when the object there is locked (common/object_lock.py) against
    this DELETE or replacing PUT, whoever sends it (a client through either
    API, the expirer, the reaper)."""
    why = object_lock.refusal(meta, req.headers.get(object_lock.BYPASS, ""))
    if why:
        raise HTTPError(403, "Object lock: " + why)


class ObjectController(StorageServer):
    """The WSGI app of one object server process."""

    server_type = "object"
    allowed_methods = ("GET", "HEAD", "PUT", "POST", "DELETE", "REPLICATE", "SSYNC")

    def __init__(self, conf: Dict[str, str], logger: Any = None) -> None:
        self.conf = conf
        self.logger = logger or get_logger(conf, "object-server")
        directory = swift_dir(conf)
        constraints.load_constraints(directory)
        self.policies = load_policies(directory)
        self.mgr = DiskFileManager(conf, self.logger)
        self.node_timeout = config_float(conf, "node_timeout", 3)
        self.conn_timeout = config_float(conf, "conn_timeout", 0.5)
        self.client_timeout = config_float(conf, "client_timeout", 60)
        self.network_chunk_size = config_int(conf, "network_chunk_size", 1048576, 1)
        self.body_reader = BodyReader(self.client_timeout, self.network_chunk_size)

    # -- parsing -------------------------------------------------------------
    def SSYNC(self, req: Request) -> Response:
        return ssync.receive(self, req)

    def _path(self, req: Request, minsegs: int, maxsegs: int) -> List[Optional[str]]:
        return split_target(req, minsegs, maxsegs, rest_with_last=True)

    def _policy_index(self, req: Request) -> int:
        raw = req.headers.get("X-Backend-Storage-Policy-Index", "0")
        policy = self.policies.get_by_index(raw)
        if policy is None:
            raise HTTPError(400, "No storage policy with index %r" % raw)
        return policy.index

    def diskfile(self, req: Request) -> Tuple[DiskFile, List[Optional[str]], int]:
        segs = self._path(req, 5, 5)
        policy_index = self._policy_index(req)
        device, partition, account, container, obj = segs
        try:
            df = self.mgr.get_diskfile(device, partition, account, container, obj,  # type: ignore[arg-type]
                                       policy_index)
        except DiskFileDeviceUnavailable:
            raise HTTPError(507, "Device %s is not mounted" % device) from None
        df.next_part_power = parse_next_part_power(req.headers.get(NEXT_PART_POWER))
        return df, segs, policy_index

    # -- handlers ------------------------------------------------------------
    def GET(self, req: Request) -> Answer:
        df, _segs, _policy = self.diskfile(req)
        df.wanted_frag = ec_fragments.wanted_frag(req)
        # past its X-Delete-At but asked for anyway (from inside the proxy only)
        now = 0.0 if config_true_value(req.headers.get(OPEN_EXPIRED)) else None
        try:
            df.open(now=now)
        except DiskFileDeleted as err:
            return make_response(404, headers={"X-Backend-Timestamp": err.timestamp.internal})
        except DiskFileExpired as err:
            return make_response(404, headers={
                "X-Backend-Timestamp": err.metadata.get("X-Timestamp", "")})
        except DiskFileNotExist:
            return make_response(404)
        except DiskFileCollision as err:
            return make_response(403, str(err).encode("utf-8"))
        try:
            return self._object_response(req, df)
        except BaseException:
            df.close()
            raise

    HEAD = GET

    def _object_response(self, req: Request, df: DiskFile) -> Answer:
        meta = df.get_metadata()
        ts = df.timestamp
        # EC and SLO: conditions are judged against the client's ETag
        etag = conditional.resolve_etag(meta, req.headers.get(conditional.ETAG_IS_AT))
        size = int(meta.get("Content-Length", 0))
        headers = {k: v for k, v in meta.items()
                   if k.lower().startswith(_META_PREFIXES) or k in ALLOWED_HEADERS}
        headers.update({
            "Content-Type": meta.get("Content-Type", "application/octet-stream"),
            "ETag": etag,
            "Last-Modified": ts.http_date,
            "X-Timestamp": ts.normal,
            "X-Backend-Timestamp": ts.internal,
            "X-Backend-Data-Timestamp": df.data_timestamp.internal,
            "Accept-Ranges": "bytes",
        })
        last_modified = conditional.last_modified(ts)
        verdict = conditional.swift_verdict(conditional.Preconditions.from_headers(req.headers),
                                            etag, last_modified)
        if verdict is not None:
            df.close()
            if verdict == 304:
                return make_response(304, headers=conditional.not_modified_headers(headers))
            return make_response(412, headers=conditional.precondition_failed_headers(headers))
        if req.method == "HEAD":
            df.close()
            headers["Content-Length"] = str(size)
            return make_response(200, headers=headers, app_iter=[])
        spans = None
        if conditional.if_range_allows(req.headers, etag, last_modified):
            try:
                spans = ranges.ranges_for_length(req.headers.get("Range"), size)
            except ranges.Unsatisfiable:
                df.close()
                return make_response(416, ranges.NOT_SATISFIABLE_BODY, dict(
                    headers, **{"Content-Range": ranges.unsatisfiable_content_range(size)}))
        reader = df.reader()
        try:
            return self._body_response(req, reader, headers, size, spans)
        except BaseException:
            reader.close()  # the reader owns the file now: df.close() cannot
            raise

    def _body_response(self, req: Request, reader: DiskFileReader, headers: Dict[str, str],
                       size: int, spans: Optional[List[Tuple[int, int]]]) -> Answer:
        if spans is None:
            if size <= VERIFY_FIRST_BYTES and req.method == "GET":
                # Never send a small damaged object: check it first, and let
                # the proxy read another replica (the replicator restores
                # this one from the quarantine).
                try:
                    reader.verify_whole()
                except DamagedObject as err:
                    return make_response(404, b"Object was damaged and has been quarantined\n",
                                         {"X-Backend-Quarantined": str(err)[:200]})
            headers["Content-Length"] = str(size)
            if reader.body_crc:  # the proxy judges a body it resumed across replicas by it
                headers[body_sums.BACKEND_CRC] = reader.body_crc
            return make_response(200, headers=headers, app_iter=reader)
        if len(spans) == 1:
            start, stop = spans[0]
            headers["Content-Length"] = str(stop - start)
            headers["Content-Range"] = ranges.content_range(spans[0], size)
            return make_response(206, headers=headers,
                                 app_iter=ClosingBody(reader.read_range(start, stop), reader))
        boundary = ranges.new_boundary()
        content_type = headers["Content-Type"]
        headers["Content-Type"] = ranges.multipart_content_type(boundary)
        headers["Content-Length"] = str(ranges.multipart_length(spans, size, content_type,
                                                                boundary))
        body = ranges.multipart_body(reader.read_range, spans, size, content_type, boundary)
        return make_response(206, headers=headers, app_iter=ClosingBody(body, reader))

    def PUT(self, req: Request) -> Answer:
        df, segs, policy_index = self.diskfile(req)
        ts = request_timestamp(req)
        obj = str(segs[4])
        headers = dict(req.headers.items())  # named once: looked through twice below
        error = constraints.check_object_creation(headers, obj)
        if error:
            raise HTTPError(413 if error == errors.TOO_LARGE else 400, error)
        delete_at = request_delete_at(req, ts)
        targets, error = updates.parse_targets(req.headers)
        if error:
            raise HTTPError(400, error)
        old_delete_at = self._check_put_conflict(req, df, ts)
        length, stream, document = self.body_reader.open(req)
        try:
            writer = df.create(length)
        except DiskFileNoSpace:
            raise HTTPError(507, "Not enough space on %s" % df.device) from None
        with writer:
            etag = self.body_reader.receive(req, stream, writer, length)
            metadata = self._put_metadata(headers, df, ts, etag, writer.bytes_written,
                                          delete_at)
            if document is not None:  # committed with the data, in the same xattrs
                metadata.update(self.body_reader.footer_metadata(document, etag))
            try:
                writer.put(metadata, self._data_ext(req, policy_index),
                           write_conditions.at_publish(req.headers, lambda: self._current_metadata(req)))
            except DiskFileNoSpace:
                raise HTTPError(507, "Not enough space on %s" % df.device) from None
        self.update_containers(req, df, targets, "PUT", segs, policy_index, {
            "X-Timestamp": ts.internal,
            "X-Size": updates.listed_size(metadata),
            "X-Content-Type": metadata["Content-Type"],
            "X-Etag": metadata.get(footers.LISTING_ETAG) or etag})
        self.update_expirer_queue(req, df, segs, policy_index, ts, old_delete_at, delete_at)
        return make_response(201, headers={"ETag": etag,
                                           "X-Backend-Timestamp": ts.internal})

    def _check_put_conflict(self, req: Request, df: DiskFile, ts: Timestamp) -> Optional[str]:
        """Refuse a PUT that loses to what is there; returns the existing
        object's X-Delete-At (its expirer queue entry must go)."""
        existing: Optional[Timestamp] = None
        newest: Optional[Timestamp] = None
        exists = False
        old_delete_at = None
        try:
            df.open()
            existing, exists, newest = df.data_timestamp, True, df.timestamp
            old_delete_at = df.get_metadata().get("X-Delete-At")
            df.close()
        except DiskFileDeleted as err:
            existing = err.timestamp
        except DiskFileExpired as err:
            existing = Timestamp(err.metadata.get("X-Timestamp", "0"))
            old_delete_at = err.metadata.get("X-Delete-At")
        except DiskFileNotExist:
            pass
        except DiskFileCollision as err:
            raise HTTPError(403, str(err)) from None
        if exists:
            _refuse_if_locked(req, df.get_metadata())
        reason = write_conditions.failure(req.headers, df.get_metadata() if exists else None)
        if reason:
            raise HTTPError(412, "Precondition failed: " + reason,
                            {"X-Backend-Timestamp": existing.internal} if existing else {})
        if existing is not None and existing >= ts:
            raise HTTPError(409, "A newer or equal version exists (X-Backend-Timestamp)",
                            {"X-Backend-Timestamp": existing.internal})
        write_conditions.refuse_if_newer_than(req.headers, newest or existing)
        return old_delete_at

    def _current_metadata(self, req: Request) -> Optional[Dict[str, str]]:
        """The object's metadata as on disk now (``None`` if there is none),
        read afresh for a conditional PUT's check at publish time."""
        df, _segs, _policy = self.diskfile(req)
        try:
            df.open()
        except DiskFileNotExist:
            return None
        df.close()
        return dict(df.get_metadata())

    def _put_metadata(self, headers: Dict[str, str], df: DiskFile, ts: Timestamp, etag: str,
                      size: int, delete_at: Optional[str]) -> Dict[str, str]:
        """``headers``: the request's, as ``req.headers`` names them."""
        metadata = {k: v for k, v in headers.items()
                    if k.lower().startswith(_META_PREFIXES) or k in ALLOWED_HEADERS}
        metadata.update({
            "name": df.name or "", "X-Timestamp": ts.internal, "ETag": etag,
            "Content-Length": str(size),
            "Content-Type": headers.get("Content-Type") or "application/octet-stream"})
        if delete_at:
            metadata["X-Delete-At"] = delete_at
        return metadata

    def _data_ext(self, req: Request, policy_index: int) -> str:
        try:
            return ec_fragments.data_ext(req, ec_fragments.is_ec(self.policies, policy_index))
        except ec_fragments.FragmentRequestError as err:
            raise HTTPError(400, str(err)) from None

    def POST(self, req: Request) -> Answer:
        return handle_post(self, req)

    def DELETE(self, req: Request) -> Answer:
        df, segs, policy_index = self.diskfile(req)
        ts = request_timestamp(req)
        targets, error = updates.parse_targets(req.headers)
        if error:
            raise HTTPError(400, error)
        existing = Timestamp(0)
        status = 404
        delete_at = "0"
        current = None
        expired = False
        try:
            df.open()
            existing, status, current = df.data_timestamp, 204, df.get_metadata()
            delete_at = current.get("X-Delete-At", "0")
            df.close()
            _refuse_if_locked(req, current)
        except DiskFileDeleted as err:
            existing = err.timestamp
        except DiskFileExpired as err:
            existing = Timestamp(err.metadata.get("X-Timestamp", "0"))
            delete_at = err.metadata.get("X-Delete-At", "0")
            expired = True
        except DiskFileNotExist:
            pass
        except DiskFileCollision as err:
            raise HTTPError(403, str(err)) from None
        reason = write_conditions.delete_failure(req.headers, current)  # s3api's If-Match
        if reason:
            raise HTTPError(412, "Precondition failed: " + reason)
        if_delete_at = req.headers.get("X-If-Delete-At")
        if if_delete_at is not None:
            try:
                wanted = int(if_delete_at)
            except ValueError:  # a client's (Swift's texts: the proxy passes them on)
                raise HTTPError(400, "Bad X-If-Delete-At header value",
                                content_type=errors.HTML) from None
            if current is not None or expired:  # an absent object stays a 404
                if int(delete_at or 0) != wanted:
                    raise HTTPError(412, "X-If-Delete-At and X-Delete-At do not match",
                                    content_type=errors.HTML)
                status = 204  # an expired object removed as it expires: success
        if existing >= ts:
            raise HTTPError(409, "A newer or equal version exists (X-Backend-Timestamp)",
                            {"X-Backend-Timestamp": existing.internal})
        try:
            df.delete(ts)
        except DiskFileNoSpace:
            raise HTTPError(507, "Not enough space on %s" % df.device) from None
        self.update_containers(req, df, targets, "DELETE", segs, policy_index,
                                {"X-Timestamp": ts.internal})
        if config_true_value(req.headers.get(updates.CLEAN_EXPIRER_QUEUE, "true")):
            # the expirer removes its own queue entry (and says so)
            self.update_expirer_queue(req, df, segs, policy_index, ts, delete_at, None)
        return make_response(status, headers={"X-Backend-Timestamp": ts.internal})

    def REPLICATE(self, req: Request) -> Answer:
        device, partition, suffixes = self._path(req, 2, 3)
        policy_index = self._policy_index(req)
        wanted = [s for s in (suffixes or "").split("-") if s]
        try:
            hashes = self.mgr.get_hashes(device, partition, wanted, policy_index)  # type: ignore[arg-type]
        except DiskFileDeviceUnavailable:
            raise HTTPError(507, "Device %s is not mounted" % device) from None
        except LockTimeout as err:
            raise HTTPError(500, str(err)) from None
        return make_response(200, json.dumps(hashes, sort_keys=True).encode("utf-8"),
                             {"Content-Type": "application/json"})

    # -- container updates ---------------------------------------------------
    def update_expirer_queue(self, req: Request, df: DiskFile, segs: List[Optional[str]],
                              policy_index: int, ts: Timestamp, old: Optional[str],
                              new: Optional[str]) -> None:
        """Keep the object's entry in the hidden ``.expiring_objects``
        queue (read by the object expirer) in step with its X-Delete-At.

        A new X-Delete-At is queued on the container servers the proxy
        named (``X-Delete-At-Host`` ...); a replaced one is removed through
        an async pending, since nobody told us which nodes hold it (the
        updater finds them in the ring). Either way a failure only delays
        the expirer: GET already hides an expired object.
        """
        old = None if old in (None, "", "0") else str(old)
        if old == new:
            return
        _dev, _part, account, container, obj = (str(x) for x in segs)
        if new:
            targets, _error = updates.parse_targets(req.headers, "X-Delete-At")
            queue = req.headers.get("X-Delete-At-Container") or updates.expirer_container(
                int(new))
            entry = updates.expirer_entry(new, account, container, obj)
            headers = {"X-Timestamp": ts.internal, "X-Size": "0",
                       "X-Content-Type": updates.expirer_content_type(policy_index),
                       "X-Etag": updates.EMPTY_ETAG,
                       "X-Trans-Id": req.headers.get("X-Trans-Id", "-")}
            failed = updates.send_updates(targets, "PUT", "/%s/%s/%s" % (
                updates.EXPIRING_OBJECTS_ACCOUNT, queue, entry), headers, self.conn_timeout,
                self.node_timeout) if targets else []
            if failed:
                self._queue_pending(df, policy_index, "PUT", queue, entry, headers, failed)
        if old:
            self._queue_pending(df, policy_index, "DELETE", updates.expirer_container(int(old)),
                                updates.expirer_entry(old, account, container, obj),
                                {"X-Timestamp": ts.internal}, [])

    def _queue_pending(self, df: DiskFile, policy_index: int, op: str, queue: str, entry: str,
                       headers: Dict[str, str], failed: List[updates.UpdateTarget]) -> None:
        """An async pending for one expirer queue row, filed under the
        row's own hash so it never collides with the object's update."""
        account = updates.EXPIRING_OBJECTS_ACCOUNT
        ts = Timestamp(headers["X-Timestamp"])
        record = {"op": op, "account": account, "container": queue, "obj": entry,
                  "headers": dict(headers, **{"X-Backend-Storage-Policy-Index": "0"}),
                  "failed": [t.label for t in failed]}
        try:
            updates.write_async_pending(
                self.mgr.async_pending_path(df.device, 0, self.mgr.object_hash(
                    account, queue, entry), ts),
                self.mgr.tmp_dir(df.device_path), record)
        except OSError as err:
            self.logger.error("cannot write async pending for expirer queue %s/%s: %s",
                              queue, entry, err)

    def update_containers(self, req: Request, df: DiskFile, targets: List[updates.UpdateTarget],
                           op: str, segs: List[Optional[str]], policy_index: int,
                           headers: Dict[str, str]) -> None:
        """Tell the container replicas; leave an async pending on failure."""
        if not targets:
            return
        _dev, _part, account, container, obj = segs
        headers = dict(headers, **{"X-Backend-Storage-Policy-Index": str(policy_index),
                                   "X-Trans-Id": req.headers.get("X-Trans-Id", "-")})
        path = "/%s/%s/%s" % (account, container, obj)
        failed = updates.send_updates(targets, op, path, headers,
                                      self.conn_timeout, self.node_timeout)
        if not failed:
            return
        ts = Timestamp(headers["X-Timestamp"])
        record = {"op": op, "account": str(account),
                  "container": str(container), "obj": str(obj),
                  "headers": headers, "failed": [t.label for t in failed]}
        try:
            updates.write_async_pending(
                self.mgr.async_pending_path(df.device, policy_index, df.object_hash, ts),
                self.mgr.tmp_dir(df.device_path), record)
        except OSError as err:  # the object is safe; only the listing lags
            self.logger.error("cannot write async pending for %s: %s", path, err)
        self.logger.warning("container update %s %s failed on %s; async pending written",
                            op, path, ", ".join(t.label for t in failed))


def app_factory(conf: Dict[str, str]) -> Any:
    """The WSGI app for ``run_wsgi`` (conf: app section merged over DEFAULT),
    with ``/recon/...`` answered in front of it."""
    from objstore.common import backend_ratelimit
    from objstore.common.recon import ReconMiddleware

    return ReconMiddleware(backend_ratelimit.wrap(ObjectController(conf), conf), conf, "object")


def main(argv: Optional[List[str]] = None) -> int:
    """``objstore-object-server <conf>``."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: objstore-object-server <config file>\n")
        return 2
    return run_wsgi(args[0], "app:object-server", app_factory, DEFAULT_PORT)


if __name__ == "__main__":
    raise SystemExit(main())
