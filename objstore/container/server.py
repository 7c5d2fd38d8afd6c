"""The container server: container databases over the backend protocol.

``PUT/DELETE /d/p/a/c`` create and delete containers and report them to
the account server; ``PUT/DELETE /d/p/a/c/o`` are object rows sent by
object servers; ``GET`` lists, ``HEAD`` stats, ``POST`` sets metadata,
``REPLICATE`` serves the container replicator.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence

from webob import Request, Response
from webob.exc import HTTPBadRequest, HTTPConflict, HTTPNoContent, HTTPNotFound

from objstore.common import concurrency, constraints, process, row_batch, sync_realms
from objstore.common.http.listing import ROW_CTYPE_TIMESTAMP, ROW_META_TIMESTAMP
from objstore.common.http.wsgi_str import InvalidName, decode_name, str_to_wsgi, wsgi_to_str
from objstore.common.config import config_true_value
from objstore.common.http_client import http_connect
from objstore.common.http import errors
from objstore.common.http.errors import HTML
from objstore.common.storage_server import HTTPError
from objstore.common.timestamp import Timestamp
from objstore.common.wsgi import run_wsgi
from objstore.container.broker import ContainerBroker, object_row
from objstore.db.broker import DatabaseAlreadyExists, DatabaseNotFound
from objstore.db.group_commit import GroupCommit
from objstore.db.listing import object_item, object_json
from objstore.db.paths import CONTAINER_DATADIR
from objstore.db.server_common import (ALLOWED_METHODS, DatabaseServer, Target,
                                       apply_metadata, header_timestamp, headers_int,
                                       metadata_headers, metadata_updates, not_found,
                                       req_timestamp, split_list, stat_headers,
                                       timestamp_headers)

DEFAULT_PORT = 6201
SECTION = "app:container-server"
META_PREFIXES = ("x-container-meta-", "x-container-sysmeta-")
SAVED_HEADERS = ("x-container-read", "x-container-write", "x-container-sync-key",
                 "x-container-sync-to", "x-versions-location", "x-history-location")
POLICY_HEADER = "X-Backend-Storage-Policy-Index"


class _Row(NamedTuple):
    """An object row on its way to the container's pending file."""
    target: Target
    broker: ContainerBroker
    ts: Timestamp
    policy: Optional[int]
    size: int
    ctype: str
    etag: str
    deleted: int
    times: Optional[Dict[str, str]] = None


class ContainerServer(DatabaseServer):
    """WSGI app of the container server."""

    server_type = "container"
    allowed_methods = ALLOWED_METHODS + (row_batch.METHOD,)
    datadir = CONTAINER_DATADIR
    broker_class = ContainerBroker

    def __init__(self, conf: Dict[str, str], logger: Any = None) -> None:
        super().__init__(conf, logger)
        # Hosts a full-URL X-Container-Sync-To may name (//realm values are
        # checked against container-sync-realms.conf instead).
        self.allowed_sync_hosts = sync_realms.split_list(
            conf.get("allowed_sync_hosts", "127.0.0.1"))
        self.sync_realms = sync_realms.SyncRealms.in_dir(self.swift_dir)
        self.row_commits = GroupCommit()

    def _check_sync_to(self, req: Request) -> None:
        """400 with Swift's text for an X-Container-Sync-To the sync daemon
        could not use."""
        value = req.headers.get("X-Container-Sync-To")
        if value is None:
            return
        error, _target = sync_realms.validate_sync_to(value.strip(), self.allowed_sync_hosts,
                                                      self.sync_realms)
        if error:
            raise HTTPError(400, error, content_type=HTML)  # text/html, as Swift's

    @staticmethod
    def _apply_metadata(broker: ContainerBroker, updates: Dict[str, Any]) -> None:
        """Store the metadata; a new sync target starts syncing from the
        first row (its sync points go back to -1), as in Swift."""
        new_to = updates.get("X-Container-Sync-To")
        if new_to is not None:
            old = broker.metadata.get("X-Container-Sync-To")
            if old is None or old[0] != new_to[0]:
                broker.set_sync_points(-1, -1)
        apply_metadata(broker, updates)

    # ------------------------------------------------------------- PUT

    def PUT(self, req: Request) -> Response:
        t = self.parse_target(req, 4, 5)
        ts = req_timestamp(req)
        broker = self.get_broker(t)
        if t.obj is not None:
            return self._put_object(req, t, broker, ts)
        policy_index = self._requested_policy(req.headers)
        self._check_sync_to(req)
        updates = metadata_updates(req, META_PREFIXES, SAVED_HEADERS, ts)
        created = False
        if not broker.exists():
            if policy_index is None:
                policy_index = self._default_policy(req)
            try:
                broker.initialize(ts.internal, storage_policy_index=policy_index)
                created = True
            except DatabaseAlreadyExists:
                pass
        if not created:
            self.merge_pending(broker)
            info = broker.get_info()
            deleted = self._is_deleted(info)
            if policy_index is not None and policy_index != info["storage_policy_index"]:
                if not deleted:
                    return HTTPConflict(
                        headers={POLICY_HEADER: str(info["storage_policy_index"])},
                        body=b"Container exists with another storage policy")
                if ts > Timestamp(info["delete_timestamp"]):
                    broker.set_storage_policy_index(policy_index)  # a re-create may change it
            created = broker.update_put_timestamp(ts.internal)
            if broker.is_deleted():
                return HTTPConflict(headers=timestamp_headers(broker.get_info()),
                                    body=b"A newer DELETE of this container exists")
        self._apply_metadata(broker, updates)
        failure = self._account_update(req, t, broker)
        if failure is not None:
            return failure
        return Response(status=201 if created else 202)

    def _put_object(self, req: Request, t: Target, broker: ContainerBroker,
                    ts: Timestamp) -> Response:
        if not self._record_row(self._put_row(t, broker, ts, req.headers)):
            return errors.swift_error(404)
        return _empty_answer(201)

    def _put_row(self, t: Target, broker: ContainerBroker, ts: Timestamp,
                 headers: Mapping[str, str]) -> "_Row":
        """The row of an object PUT (its own request's headers, or a
        batched row's); 400 if they do not make one."""
        size = headers_int(headers, "X-Size")
        ctype = headers.get("X-Content-Type")
        etag = headers.get("X-Etag")
        if ctype is None or etag is None:
            raise HTTPBadRequest(body=b"Object rows need X-Content-Type and X-Etag")
        # the UTF-8 text the client sent (a header arrives as WSGI latin-1)
        ctype = wsgi_to_str(ctype, "replace")
        policy = self._requested_policy(headers)
        times = {"ctype_timestamp": _row_time(headers, ROW_CTYPE_TIMESTAMP, ts),
                 "meta_timestamp": _row_time(headers, ROW_META_TIMESTAMP, ts)}
        return _Row(t, broker, ts, policy, size, ctype, etag, 0, times)

    def _delete_row(self, t: Target, broker: ContainerBroker, ts: Timestamp,
                    headers: Mapping[str, str]) -> "_Row":
        return _Row(t, broker, ts, self._requested_policy(headers), 0, "application/deleted",
                    "noetag", 1)

    def ROWS(self, req: Request) -> Response:
        """A batch of object rows for one container (``common/row_batch.py``):
        every row checked first (400, nothing merged, if one is bad), then
        all of them merged with one append and fsync; one answer for the
        batch, 204 or the 404 of a container that is not there."""
        t = self.parse_target(req, 4, 4)
        length = req.content_length
        if length is None:
            return errors.plain_error(411, "A row batch needs a Content-Length")
        if length > row_batch.MAX_BYTES:
            return errors.plain_error(413, "A row batch holds at most %d bytes"
                                      % row_batch.MAX_BYTES)
        try:
            updates = row_batch.parse_rows(req.environ["wsgi.input"].read(length))
        except ValueError as err:
            return errors.plain_error(400, str(err))
        broker = self.get_broker(t)
        rows = []
        for update in updates:
            try:
                name = decode_name(str_to_wsgi(update.obj), allow_reserved=True)
            except (InvalidName, UnicodeError):
                return errors.plain_error(400, "A row's object name is not valid UTF-8")
            row_target = Target(t.device, t.partition, t.account, t.container, name)
            ts = header_timestamp(update.headers)
            make = self._put_row if update.op == "PUT" else self._delete_row
            rows.append(make(row_target, broker, ts, update.headers))
        recorded = self.row_commits.submit_many(broker.db_file, rows, self._record_rows)
        if not all(recorded):
            return errors.swift_error(404)
        return _empty_answer(204)

    def _record_row(self, row: "_Row") -> bool:
        """Append an object row to the container's pending file, fsynced
        before this returns; False if the container is not there. Rows of
        one container that arrive together share the append and the fsync
        (``db/group_commit.py``)."""
        return bool(self.row_commits.submit(row.broker.db_file, row, self._record_rows))

    def _record_rows(self, rows: Sequence["_Row"]) -> List[bool]:
        """Append the rows of one container in one append and fsync; for
        each, False if the container is not there. Runs in a worker thread:
        it blocks on flock and fsync."""
        broker = rows[0].broker
        items = []
        try:
            # one container: asked once (made then, for a system account)
            if not self._container_usable(rows[0].target, broker, rows[0].ts, rows[0].policy):
                return [False] * len(rows)
            default_policy = None
            for row in rows:
                policy = row.policy
                if policy is None:
                    if default_policy is None:
                        default_policy = broker.get_raw_info(kept=True)["storage_policy_index"]
                    policy = default_policy
                items.append(object_row(row.target.obj or "", row.ts.internal, row.size,
                                        row.ctype, row.etag, row.deleted, policy,
                                        **(row.times or {})))
            broker.queue_items(items)
        except DatabaseNotFound:
            return [False] * len(rows)  # removed under us (reclaimed, quarantined)
        return [True] * len(rows)

    def _container_usable(self, t: Target, broker: ContainerBroker, ts: Timestamp,
                          policy: Optional[int]) -> bool:
        """True if object rows may go into this container; system accounts
        (``.expiring_objects`` and friends) get theirs made on demand."""
        if not broker.exists():
            if not t.account.startswith(self.auto_create_account_prefix) \
                    or not self.auto_create_account_prefix:
                return False
            try:
                broker.initialize(ts.internal, storage_policy_index=(
                    policy if policy is not None else self.policies.default.index))
            except DatabaseAlreadyExists:
                pass
            return True
        return not broker.is_deleted(kept=True)  # on a kept connection: every update asks

    def _requested_policy(self, headers: Mapping[str, str]) -> Optional[int]:
        raw = headers.get(POLICY_HEADER)
        if raw is None:
            return None
        policy = self.policies.get_by_index(raw)
        if policy is None:
            raise HTTPBadRequest(body=("Invalid %s: %r" % (POLICY_HEADER, raw)).encode("utf-8"))
        return policy.index

    def _default_policy(self, req: Request) -> int:
        raw = req.headers.get("X-Backend-Storage-Policy-Default")
        policy = self.policies.get_by_index(raw) if raw is not None else None
        return (policy or self.policies.default).index

    @staticmethod
    def _is_deleted(info: Dict[str, Any]) -> bool:
        return bool(Timestamp(info["delete_timestamp"]) > Timestamp(info["put_timestamp"])
                    and info["empty"])

    # ---------------------------------------------------------- DELETE

    def DELETE(self, req: Request) -> Response:
        t = self.parse_target(req, 4, 5)
        ts = req_timestamp(req)
        broker = self.get_broker(t)
        if t.obj is not None:
            if not self._record_row(self._delete_row(t, broker, ts, req.headers)):
                return errors.swift_error(404)
            return _empty_answer(204)
        if not broker.exists():
            return HTTPNotFound()
        self.merge_pending(broker)
        info = broker.get_info()
        if self._is_deleted(info):
            # Still report to the account server this request names: of two
            # DELETEs at once each replica is deleted by one, and the account
            # replica named only by the other would otherwise list it for ever.
            failure = self._account_update(req, t, broker)
            return failure if failure is not None else not_found(timestamp_headers(info))
        if not info["empty"]:
            return HTTPConflict(body=b"The container is not empty; delete its objects first")
        broker.mark_deleted(ts.internal)
        if not broker.is_deleted():
            return HTTPConflict(headers=timestamp_headers(broker.get_info()),
                                body=b"A newer PUT of this container exists")
        # Its metadata goes with it: a container created again under the name
        # must not inherit the old ACLs, keys or website settings.
        broker.update_metadata({k: ("", ts.internal) for k in broker.metadata}, validate=False)
        failure = self._account_update(req, t, broker)
        if failure is not None:
            return failure
        return HTTPNoContent()

    # ------------------------------------------------------- HEAD / GET

    def _info_or_404(self, t: Target, broker: ContainerBroker) -> Dict[str, Any]:
        if not broker.exists():
            raise HTTPNotFound()
        self.merge_pending(broker)
        return self._live_info(broker.get_info())

    def _live_info(self, info: Dict[str, Any]) -> Dict[str, Any]:
        """``info``, or the 404 (with the timestamps the proxy compares) of
        a deleted container."""
        if self._is_deleted(info):
            headers = timestamp_headers(info)
            headers[POLICY_HEADER] = str(info["storage_policy_index"])
            raise not_found(headers)
        return info

    def _read_or_404(self, broker: ContainerBroker,
                     read: Callable[[Dict[str, Any]], Response]) -> Response:
        """``read(info)`` of a live container, every read of the request on
        one kept connection (``request_reads``: one ``stat`` and the
        queries, where opening the file for the info row, the columns
        check and the listing cost three opens); else its 404."""
        self.merge_pending(broker)
        try:
            with broker.request_reads(merge=False):
                info = broker.get_info()
                resp = None if self._is_deleted(info) else read(info)
        except DatabaseNotFound:
            raise HTTPNotFound() from None
        if resp is None:
            self._live_info(info)  # raises its 404
        return resp  # type: ignore[return-value]

    def _headers(self, info: Dict[str, Any], broker: ContainerBroker) -> Dict[str, str]:
        headers = stat_headers(info)
        headers.update({"X-Container-Object-Count": str(info["object_count"]),
                        "X-Container-Bytes-Used": str(info["bytes_used"]),
                        POLICY_HEADER: str(info["storage_policy_index"])})
        headers.update(metadata_headers(broker, info))
        return headers

    def HEAD(self, req: Request) -> Response:
        t = self.parse_target(req, 4, 4)
        broker = self.get_broker(t)
        return self._read_or_404(broker, lambda info: self.head_response(
            req, self._headers(info, broker)))

    def GET(self, req: Request) -> Response:
        t = self.parse_target(req, 4, 4)
        broker = self.get_broker(t)
        return self._read_or_404(broker, lambda info: self.listing_response(
            req, "container", t.container or "", broker.list_objects,
            object_item,  # type: ignore[arg-type]
            self._headers(info, broker), constraints.LIMITS["container_listing_limit"],
            object_json))  # type: ignore[arg-type]

    # ------------------------------------------------------------- POST

    def POST(self, req: Request) -> Response:
        t = self.parse_target(req, 4, 4)
        ts = req_timestamp(req)
        self._check_sync_to(req)  # before the container is looked up, as Swift does
        broker = self.get_broker(t)
        self._info_or_404(t, broker)
        if not config_true_value(req.headers.get("X-Backend-No-Timestamp-Update")):
            # a POST is a change to the container: its Last-Modified moves
            # (and the account hears of the newer put time from the updater)
            broker.update_put_timestamp(ts.internal)
        self._apply_metadata(broker, metadata_updates(req, META_PREFIXES, SAVED_HEADERS, ts))
        return HTTPNoContent()

    # -------------------------------------------------- account updates

    def _account_update(self, req: Request, t: Target, broker: ContainerBroker) -> Optional[Response]:
        """Tell the account server(s) about this container's new state.

        Failures are logged and left to the container updater, except a
        404: the account does not exist, and the client must hear that.
        """
        hosts = split_list(req.headers.get("X-Account-Host"))
        devices = split_list(req.headers.get("X-Account-Device"))
        partition = req.headers.get("X-Account-Partition", "")
        if not hosts:
            return None
        if len(hosts) != len(devices):
            return HTTPBadRequest(body=("X-Account-Host lists %d hosts but X-Account-Device "
                                        "lists %d devices" % (len(hosts), len(devices))).encode())
        info = broker.get_info()
        deleted = self._is_deleted(info)
        headers = {
            "X-Put-Timestamp": info["put_timestamp"],
            "X-Delete-Timestamp": info["delete_timestamp"] if deleted else "0",
            "X-Object-Count": str(info["object_count"]),
            "X-Bytes-Used": str(info["bytes_used"]),
            "X-Timestamp": Timestamp.now().internal,
            "X-Trans-Id": req.headers.get("X-Trans-Id", ""),
            POLICY_HEADER: str(info["storage_policy_index"]),
            "User-Agent": "container-server %d" % process.pid(),
        }
        if req.headers.get("X-Account-Override-Deleted"):
            headers["X-Account-Override-Deleted"] = req.headers["X-Account-Override-Deleted"]
        statuses = [self._send_account_update(host, dev, partition, t, headers)
                    for host, dev in zip(hosts, devices)]
        if any(s is not None and 200 <= s < 300 for s in statuses):
            broker.reported(info["put_timestamp"], headers["X-Delete-Timestamp"],
                            info["object_count"], info["bytes_used"])
        if 404 in statuses and not any(s is not None and 200 <= s < 300 for s in statuses):
            return HTTPNotFound(body=b"The account does not exist")
        return None

    def _send_account_update(self, host: str, device: str, partition: str, t: Target,
                             headers: Dict[str, str]) -> Optional[int]:
        ip, _, port = host.rpartition(":")
        ip = ip.strip("[]")
        path = "/%s/%s" % (t.account, t.container)
        try:
            with concurrency.ConnectionTimeout(self.conn_timeout):
                conn = http_connect(ip, int(port), device, partition, "PUT", path,
                                    headers=headers, timeout=self.node_timeout)
            with concurrency.Timeout(self.node_timeout):
                resp = conn.getresponse()
                resp.read()
            conn.close()
        except (Exception, concurrency.Timeout) as err:
            self.logger.error("ERROR account update failed with %s/%s %s: %s "
                              "(will retry later in the updater)", host, device, path, err)
            return None
        if not 200 <= resp.status < 300:
            self.logger.error("ERROR account update to %s/%s %s returned %d", host, device,
                              path, resp.status)
        return resp.status


def _empty_answer(status: int) -> Response:
    """An object row's 201/204: the bytes ``errors.swift_error(status)``
    sends (``Content-Type: text/html; charset=UTF-8``, ``Content-Length:
    0``), made without its header merging; a webob ``HTTPNoContent`` made
    the same bytes in twice ``swift_error``'s time (docs/performance.md,
    session 13)."""
    return Response(status=errors.status_line(status), app_iter=[b""],
                    headerlist=[("Content-Type", HTML), ("Content-Length", "0")])


def _row_time(headers: Mapping[str, str], header: str, data_ts: Timestamp) -> str:
    """One of an object update's later times (the data's when absent); one
    older than the data's is not a time a row can hold."""
    value = headers.get(header)
    if not value:
        return data_ts.internal
    try:
        ts = Timestamp(value)
    except ValueError:
        raise HTTPBadRequest(body=("Bad %s header value" % header).encode("utf-8")) from None
    if ts < data_ts:
        raise HTTPBadRequest(body=("%s older than X-Timestamp" % header).encode("utf-8"))
    return ts.internal


def app_factory(conf: Dict[str, str]) -> Any:
    """The container server WSGI app for a config section, with ``/recon/...``
    answered in front of it (replicator, auditor, ... stats, disks, rings)."""
    from objstore.common import backend_ratelimit
    from objstore.common.recon import ReconMiddleware

    return ReconMiddleware(backend_ratelimit.wrap(ContainerServer(conf), conf), conf, "container")


def main(argv: Optional[List[str]] = None) -> int:
    """``objstore-container-server <config>``: serve until SIGTERM."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        sys.stderr.write("usage: objstore-container-server <config file>\n")
        return 2
    return run_wsgi(args[0], SECTION, app_factory, DEFAULT_PORT)


if __name__ == "__main__":
    sys.exit(main())
