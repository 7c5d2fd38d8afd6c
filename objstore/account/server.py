"""The account server: account databases over the backend protocol.

``PUT /d/p/a`` creates an account, ``DELETE`` marks it deleted for the
reaper, ``PUT /d/p/a/c`` is a container server reporting a container's
stats, ``GET`` lists containers, ``HEAD`` gives totals (also per storage
policy), ``POST`` sets metadata, ``REPLICATE`` serves the replicator.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, List, Optional

from webob import Request, Response
from webob.exc import HTTPBadRequest, HTTPForbidden, HTTPNoContent, HTTPNotFound

from objstore.account.broker import AccountBroker
from objstore.common import concurrency, constraints, reserved
from objstore.common.config import config_true_value
from objstore.common.timestamp import Timestamp
from objstore.common.wsgi import run_wsgi
from objstore.db.broker import DatabaseAlreadyExists, DatabaseNotFound
from objstore.db.listing import container_item, container_json
from objstore.db.paths import ACCOUNT_DATADIR, name_hash
from objstore.db.server_common import (DatabaseServer, Target, apply_metadata,
                                       header_int, metadata_headers, metadata_updates,
                                       not_found, req_timestamp, stat_headers,
                                       timestamp_headers)

DEFAULT_PORT = 6202
SECTION = "app:account-server"
META_PREFIXES = ("x-account-meta-", "x-account-sysmeta-")
SAVED_HEADERS = ("x-account-access-control",)
POLICY_HEADER = "X-Backend-Storage-Policy-Index"


class AccountServer(DatabaseServer):
    """WSGI app of the account server."""

    server_type = "account"
    datadir = ACCOUNT_DATADIR
    broker_class = AccountBroker

    def get_broker(self, t: Target) -> AccountBroker:  # type: ignore[override]
        """The account's database (a container path names its account's)."""
        hash_ = name_hash(t.account, None, self.hash_prefix, self.hash_suffix)
        return self._broker_for(t.device, t.partition, hash_, t.account)  # type: ignore[return-value]

    # ------------------------------------------------------------- PUT

    def PUT(self, req: Request) -> Response:
        t = self.parse_target(req, 3, 4)
        broker = self.get_broker(t)
        if t.container is not None:
            return self._put_container(req, t, broker)
        ts = req_timestamp(req)
        updates = metadata_updates(req, META_PREFIXES, SAVED_HEADERS, ts)
        created = False
        if not broker.exists():
            try:
                broker.initialize(ts.internal)
                created = True
            except DatabaseAlreadyExists:
                pass
        if not created:
            if broker.is_status_deleted():
                return HTTPForbidden(body=b"Recently deleted; the reaper is still at work")
            created = broker.update_put_timestamp(ts.internal)
        apply_metadata(broker, updates)
        return Response(status=201 if created else 202)

    def _put_container(self, req: Request, t: Target, broker: AccountBroker) -> Response:
        put_ts = req_timestamp(req, "X-Put-Timestamp")
        delete_ts = req_timestamp(req, "X-Delete-Timestamp")
        count = header_int(req, "X-Object-Count")
        used = header_int(req, "X-Bytes-Used")
        policy_index = header_int(req, POLICY_HEADER, 0)
        stats_ts = req.headers.get("X-Timestamp")
        try:
            stats_ts = Timestamp(stats_ts).internal if stats_ts else Timestamp.now().internal
        except ValueError:
            raise HTTPBadRequest(body=b"Invalid X-Timestamp header")
        override = config_true_value(req.headers.get("X-Account-Override-Deleted", "no"))
        problem = concurrency.run_in_thread(
            self._record_report, t, broker, override,
            [put_ts.internal, delete_ts.internal, count, used, policy_index, stats_ts])
        if problem:
            return HTTPNotFound(body=problem)
        if delete_ts > put_ts:
            return HTTPNoContent()
        return Response(status=201)

    def _record_report(self, t: Target, broker: AccountBroker, override: bool,
                       report: List[Any]) -> bytes:
        """Append a container report to the account's pending file
        (fsynced); the reason for a 404, or b"" when recorded. Runs in a
        worker thread: it blocks on flock and fsync."""
        if not broker.exists():
            if not (self.auto_create_account_prefix
                    and t.account.startswith(self.auto_create_account_prefix)):
                return b"The account does not exist"
            try:
                broker.initialize(Timestamp.now().internal)
            except DatabaseAlreadyExists:
                pass
        try:
            if broker.is_deleted() and not override:
                return b"The account is deleted"
            broker.put_container(t.container or "", *report, pending=True)
        except DatabaseNotFound:
            return b"The account does not exist"
        return b""

    # ---------------------------------------------------------- DELETE

    def DELETE(self, req: Request) -> Response:
        t = self.parse_target(req, 3, 4)
        if t.container is not None:
            return HTTPBadRequest(body=b"Container deletions are reported with "
                                       b"PUT /<dev>/<part>/<account>/<container>")
        ts = req_timestamp(req)
        broker = self.get_broker(t)
        self._info_or_404(broker)
        broker.mark_deleted(ts.internal)
        return HTTPNoContent()

    # ------------------------------------------------------- HEAD / GET

    def _info_or_404(self, broker: AccountBroker) -> Dict[str, Any]:
        if not broker.exists():
            raise HTTPNotFound()
        self.merge_pending(broker)
        info = broker.get_info()
        if broker.is_deleted_at(info):
            raise self._deleted(info)
        return info

    @staticmethod
    def _deleted(info: Dict[str, Any]) -> HTTPNotFound:
        headers = timestamp_headers(info)
        headers["X-Account-Status"] = "Deleted"
        return not_found(headers)

    def _read_or_404(self, broker: AccountBroker,
                     read: Callable[[Dict[str, Any]], Response]) -> Response:
        """``read(info)`` of a live account, every read of the request (info
        row, deletion, policy stats, listing) on one kept connection
        (``request_reads``); else its 404."""
        self.merge_pending(broker)
        try:
            with broker.request_reads(merge=False):
                info = broker.get_info()
                resp = None if broker.is_deleted_at(info) else read(info)
        except DatabaseNotFound:
            raise HTTPNotFound() from None
        if resp is None:
            raise self._deleted(info)
        return resp

    def _headers(self, info: Dict[str, Any], broker: AccountBroker) -> Dict[str, str]:
        headers = stat_headers(info)
        headers.pop("Last-Modified")  # Swift's account server sends none (containers do)
        headers.update({"X-Account-Container-Count": str(info["container_count"]),
                        "X-Account-Object-Count": str(info["object_count"]),
                        "X-Account-Bytes-Used": str(info["bytes_used"])})
        for index, stats in sorted(broker.get_policy_stats().items()):
            policy = self.policies.get_by_index(index)
            if policy is None:
                continue
            base = "X-Account-Storage-Policy-%s-" % policy.name
            headers[base + "Container-Count"] = str(stats["container_count"])
            headers[base + "Object-Count"] = str(stats["object_count"])
            headers[base + "Bytes-Used"] = str(stats["bytes_used"])
        headers.update(metadata_headers(broker, info))
        return headers

    def _policy_name(self, index: int) -> Optional[str]:
        policy = self.policies.get_by_index(index)
        return policy.name if policy is not None else None

    def HEAD(self, req: Request) -> Response:
        t = self.parse_target(req, 3, 3)
        broker = self.get_broker(t)
        return self._read_or_404(broker, lambda info: self.head_response(
            req, self._headers(info, broker)))

    def GET(self, req: Request) -> Response:
        t = self.parse_target(req, 3, 3)
        broker = self.get_broker(t)
        # reserved containers (common/reserved.py) only for a middleware's own request
        lister = broker.list_containers if reserved.allowed(req.headers) else \
            (lambda params: broker.list_containers(reserved.hide_reserved(params)))
        names: Dict[int, Optional[str]] = {}  # a policy's name, looked up once a request

        def policy_name(index: int) -> Optional[str]:
            if index not in names:
                names[index] = self._policy_name(index)
            return names[index]
        return self._read_or_404(broker, lambda info: self.listing_response(
            req, "account", t.account, lister, lambda e: container_item(e, policy_name),
            self._headers(info, broker), constraints.LIMITS["account_listing_limit"],
            lambda e: container_json(e, policy_name)))

    # ------------------------------------------------------------- POST

    def POST(self, req: Request) -> Response:
        t = self.parse_target(req, 3, 3)
        ts = req_timestamp(req)
        broker = self.get_broker(t)
        self._info_or_404(broker)
        apply_metadata(broker, metadata_updates(req, META_PREFIXES, SAVED_HEADERS, ts))
        return HTTPNoContent()


def app_factory(conf: Dict[str, str]) -> Any:
    """The account server WSGI app for a config section, with ``/recon/...``
    answered in front of it (replicator, auditor, ... stats, disks, rings)."""
    from objstore.common import backend_ratelimit
    from objstore.common.recon import ReconMiddleware

    return ReconMiddleware(backend_ratelimit.wrap(AccountServer(conf), conf), conf, "account")


def main(argv: Optional[List[str]] = None) -> int:
    """``objstore-account-server <config>``: serve until SIGTERM."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        sys.stderr.write("usage: objstore-account-server <config file>\n")
        return 2
    return run_wsgi(args[0], SECTION, app_factory, DEFAULT_PORT)


if __name__ == "__main__":
    sys.exit(main())
