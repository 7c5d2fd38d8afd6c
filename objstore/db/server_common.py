"""What the container and account servers share beyond the storage-server
shell (``common.storage_server``: transaction id, path checks, error
mapping, access log): the database target, timestamps and metadata from
headers, listings and the REPLICATE verb. Each server only adds its verbs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from webob import Request, Response
from webob.exc import HTTPBadRequest, HTTPNoContent, HTTPNotFound

from objstore.common import concurrency, constraints
from objstore.common.config import (config_float, config_true_value, load_hash_settings,
                                    swift_dir)
from objstore.common.logs import get_logger
from objstore.common.storage_policy import load_policies
from objstore.common.storage_server import StorageServer, check_device, split_target
from objstore.common.timestamp import Timestamp
from objstore.db import replication
from objstore.db.broker import DatabaseBroker, MetadataError
from objstore.common.http import listing as http_listing
from objstore.common.http.errors import swift_error
from objstore.common.http.header_names import ascii_title
from objstore.db.listing import Entry, json_listing
from objstore.db.paths import db_path, device_tmp_dir, name_hash, valid_hash

ALLOWED_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE", "REPLICATE")


@dataclass
class Target:
    """The parsed ``/<device>/<partition>/<account>[/<container>[/<obj>]]``."""
    device: str
    partition: str
    account: str
    container: Optional[str] = None
    obj: Optional[str] = None


class DatabaseServer(StorageServer):
    """Base WSGI app of a server that keeps one SQLite database per name.

    Verb handlers are methods named after the verb; they raise or return
    webob responses. Anything unexpected becomes a logged 500.
    """

    server_type = "container"
    allowed_methods = ALLOWED_METHODS
    datadir = "containers"
    broker_class: Callable[..., DatabaseBroker] = DatabaseBroker

    def __init__(self, conf: Dict[str, str], logger: Any = None) -> None:
        self.conf = conf
        self.logger = logger or get_logger(conf, "%s-server" % self.server_type)
        self.devices = conf.get("devices", "/srv/node")
        self.mount_check = config_true_value(conf.get("mount_check", "true"))
        self.swift_dir = swift_dir(conf)
        self.node_timeout = config_float(conf, "node_timeout", 3.0)
        self.conn_timeout = config_float(conf, "conn_timeout", 0.5)
        self.busy_timeout = config_float(conf, "db_busy_timeout", 25.0)
        self.synchronous = conf.get("db_synchronous", "full").strip().upper()
        self.auto_create_account_prefix = conf.get("auto_create_account_prefix", ".")
        self.hash_prefix, self.hash_suffix = load_hash_settings(self.swift_dir)
        self.policies = load_policies(self.swift_dir)
        constraints.load_constraints(self.swift_dir)
        # Fail at start-up, not on the first request, if the option is bad.
        self.broker_class(os.devnull, synchronous=self.synchronous)

    # ----------------------------------------------------------- parsing

    def parse_target(self, req: Request, minsegs: int, maxsegs: int) -> Target:
        """Split and check the request path; 412, 400 or 507 if it is unusable."""
        # Only object names (the fifth segment) may contain slashes.
        segs = split_target(req, minsegs, maxsegs, rest_with_last=(maxsegs == 5))
        check_device(self.devices, str(segs[0]), self.mount_check)
        return Target(str(segs[0]), str(segs[1]), *segs[2:])  # type: ignore[arg-type]

    def get_broker(self, t: Target) -> DatabaseBroker:
        hash_ = name_hash(t.account, t.container, self.hash_prefix, self.hash_suffix)
        return self._broker_for(t.device, t.partition, hash_, t.account, t.container)

    def _broker_for(self, device: str, partition: str, hash_: str,
                    account: Optional[str] = None, container: Optional[str] = None) -> DatabaseBroker:
        path = db_path(self.devices, device, self.datadir, partition, hash_)
        return self.broker_class(path, account, container, busy_timeout=self.busy_timeout,
                                 synchronous=self.synchronous, logger=self.logger)

    def open_pushed(self, path: str) -> DatabaseBroker:
        return self.broker_class(path, busy_timeout=self.busy_timeout,
                                 synchronous=self.synchronous, logger=self.logger)

    @staticmethod
    def merge_pending(broker: DatabaseBroker) -> None:
        """Fold the pending updates into the database in a worker thread,
        before a read that needs them: a big merge (an fsynced transaction
        of hundreds of rows) must not stall every other request on the
        hub. Reads merge by themselves too; this only moves the work."""
        if broker.has_pending():
            concurrency.run_in_thread(broker.merge_pending)

    # --------------------------------------------------------- listings

    def listing_response(self, req: Request, kind: str, name: str,
                         lister: Callable[[http_listing.ListingParams], List[Entry]],
                         to_item: Callable[[Entry], Dict[str, object]],
                         headers: Dict[str, str], max_limit: int,
                         to_json: Optional[Callable[[Entry], str]] = None) -> Response:
        """A listing in the format the client asked for.

        ``lister`` is the broker's ``list_objects``/``list_containers``. An
        empty plain-text listing is a 204, as clients expect; JSON and XML
        always have a body (``[]``, an empty element). ``to_json``, if
        given, writes an entry's JSON text as ``json.dumps(to_item(e))``
        would, without the dict (what the proxy asks for and passes on).
        """
        query = query_params(req)
        fmt = query.get("format")
        try:
            ctype = http_listing.listing_media_type(fmt, req.headers.get("Accept"))
            if ctype is None:
                return swift_error(406)
            params = http_listing.parse_listing_params(query, max_limit,
                                                       allow_path=(kind == "container"))
        except http_listing.ListingParamError as err:
            return swift_error(err.status, str(err))
        entries = lister(params)
        if ctype == http_listing.JSON_TYPE and to_json is not None:
            resp = Response(status=200, body=json_listing(entries, to_json))
        elif ctype == http_listing.PLAIN_TYPE and not entries:
            resp = Response(status=204)
        else:
            items = [to_item(e) for e in entries]
            resp = Response(status=200,
                            body=http_listing.render_listing(items, ctype, kind, name))
        resp.headers.update(headers)
        resp.headers.update(http_listing.listing_headers(ctype, fmt))
        return resp

    def head_response(self, req: Request, headers: Dict[str, str]) -> Response:
        """A HEAD's answer: ``headers`` and the type a GET would have."""
        resp = HTTPNoContent(headers=headers)
        resp.content_type = self.head_content_type(req)
        resp.charset = "utf-8"
        return resp

    def head_content_type(self, req: Request) -> str:
        """The type a GET would have: HEAD answers carry it too."""
        query = query_params(req)
        try:
            return http_listing.listing_media_type(
                query.get("format"), req.headers.get("Accept")) or http_listing.PLAIN_TYPE
        except http_listing.ListingParamError:
            return http_listing.PLAIN_TYPE

    # -------------------------------------------------------- REPLICATE

    def REPLICATE(self, req: Request) -> Response:
        """``REPLICATE /<device>/<partition>/<hash>`` (see ``db.replication``)."""
        t = self.parse_target(req, 3, 3)
        if not valid_hash(t.account):
            raise HTTPBadRequest(body=b"REPLICATE path must end in a database hash")
        broker = self._broker_for(t.device, t.partition, t.account)
        try:
            op, args = replication.parse_body(req.body)
            # Merging rows and pending updates is SQLite work: off the hub.
            status, body = concurrency.run_in_thread(
                replication.handle, op, args, broker,
                device_tmp_dir(self.devices, t.device), self.open_pushed)
        except replication.ReplicationRequestError as err:
            raise HTTPBadRequest(body=str(err).encode("utf-8"))
        if body is None:
            return Response(status=status)
        return Response(status=status, json_body=body)


# ------------------------------------------------------------- helpers

def query_params(req: Request) -> Dict[str, str]:
    """The query string as a dict (see ``http_listing.query_params``)."""
    return http_listing.query_params(req.environ.get("QUERY_STRING", ""))


def req_timestamp(req: Request, header: str = "X-Timestamp") -> Timestamp:
    """The request's timestamp; 400 if missing or malformed."""
    return header_timestamp(req.headers, header)


def header_timestamp(headers: Mapping[str, str], header: str = "X-Timestamp") -> Timestamp:
    """``req_timestamp`` of a request's (or a batched row's) headers."""
    raw = headers.get(header)
    if raw is None:
        raise HTTPBadRequest(body=("Missing %s header" % header).encode("utf-8"))
    try:
        return Timestamp(raw)
    except ValueError:
        raise HTTPBadRequest(body=("Invalid %s header: %r" % (header, raw)).encode("utf-8"))


def header_int(req: Request, header: str, default: Optional[int] = None) -> int:
    """A non-negative integer header; 400 if it is missing or bad."""
    return headers_int(req.headers, header, default)


def headers_int(headers: Mapping[str, str], header: str, default: Optional[int] = None) -> int:
    """``header_int`` of a request's (or a batched row's) headers."""
    raw = headers.get(header)
    if raw is None:
        if default is None:
            raise HTTPBadRequest(body=("Missing %s header" % header).encode("utf-8"))
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise HTTPBadRequest(body=("Invalid %s header: %r" % (header, raw)).encode("utf-8"))
    return value


def metadata_updates(req: Request, prefixes: Tuple[str, ...], names: Tuple[str, ...],
                     timestamp: Timestamp) -> Dict[str, Tuple[str, str]]:
    """The metadata a PUT/POST sets, as ``{header: (value, timestamp)}``.

    An empty value is kept: it deletes the key (and replicates as such).
    The request's own user metadata is checked against the limits first
    (400), so a PUT that is refused creates nothing.
    """
    target = prefixes[0].split("-")[1]
    problem = constraints.check_metadata(req.headers, target)
    if problem:
        raise HTTPBadRequest(body=problem.encode("utf-8"))
    updates: Dict[str, Tuple[str, str]] = {}
    for key, value in req.headers.items():
        lower = key.lower()
        if lower.startswith(prefixes) or lower in names:
            # Only HTTP's blanks: a WSGI string's str.strip() would also take
            # a last byte 0x85 or 0xA0 (NEL, NBSP in Latin-1), the end of
            # many a UTF-8 character (U+3705 is E3 9C 85).
            # ASCII case only: a UTF-8 name (X-Container-Meta-👍) is bytes
            # as latin-1, which str.title() would change
            updates[ascii_title(key)] = (value.strip(" \t"), timestamp.internal)
    return updates


def apply_metadata(broker: DatabaseBroker, updates: Dict[str, Tuple[str, str]]) -> None:
    """Store metadata; 400 naming the broken limit if it does not fit."""
    try:
        broker.update_metadata(updates)
    except MetadataError as err:
        raise HTTPBadRequest(body=str(err).encode("utf-8"))


def metadata_headers(broker: DatabaseBroker,
                     info: Optional[Dict[str, Any]] = None) -> Dict[str, str]:
    """The user and system metadata headers; ``info`` (the ``get_info``
    the request already made) saves a database open per HEAD/GET."""
    return dict(broker.live_metadata(info))


def not_found(headers: Optional[Dict[str, str]] = None, body: bytes = b"") -> HTTPNotFound:
    return HTTPNotFound(headers=headers or {}, body=body)


def timestamp_headers(info: Dict[str, Any]) -> Dict[str, str]:
    """The ``X-Backend-*`` timestamps the proxy uses to pick the newest
    answer among replicas (also sent with a 404 for a deleted database)."""
    return {"X-Backend-Timestamp": Timestamp(info["created_at"]).internal,
            "X-Backend-Put-Timestamp": Timestamp(info["put_timestamp"]).internal,
            "X-Backend-Delete-Timestamp": Timestamp(info["delete_timestamp"]).internal,
            "X-Backend-Status-Changed-At": Timestamp(info["status_changed_at"]).internal}


def stat_headers(info: Dict[str, Any]) -> Dict[str, str]:
    """Timestamps every HEAD/GET of a live database carries."""
    put = Timestamp(info["put_timestamp"])
    headers = timestamp_headers(info)
    headers.update({"X-Timestamp": Timestamp(info["created_at"]).normal,
                    "X-PUT-Timestamp": put.normal,
                    "Last-Modified": put.http_date})
    return headers


def split_list(value: Optional[str]) -> List[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]
