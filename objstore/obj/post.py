"""The object server's POST: metadata replaced in a ``.meta`` file.

A POST replaces the user metadata, the transient system metadata and the
stored headers (not the data or its system metadata), keeps an object
lock unless the request may weaken it, and may change the content type.
Every POST updates the container listing: the row keeps the data's time,
size and ETag and gets the POST's time (its ``last_modified`` from then
on) and, if the POST set one, the new type with its time. A POST carrying an EC commit is the
second phase of an erasure-coded PUT instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from webob import Request, Response

from objstore.common import constraints, object_lock
from objstore.common.http import listing
from objstore.common.storage_server import HTTPError
from objstore.common.timestamp import Timestamp
from objstore.obj import ec_fragments, updates
from objstore.obj.diskfile import (CONTENT_TYPE_TIMESTAMP, DiskFileCollision,
                                   DiskFileDeleted, DiskFileNoSpace, DiskFileNotExist)
from objstore.obj.responses import make_response, request_delete_at, request_timestamp

if TYPE_CHECKING:
    from objstore.obj.server import ObjectController

#: headers a POST replaces (with the stored headers but X-Static-Large-Object)
POST_PREFIXES = ("x-object-meta-", "x-object-transient-sysmeta-")
USER_META_PREFIX = "x-object-meta-"


def handle_post(server: "ObjectController", req: Request) -> Response:
    """POST: replace the object's metadata (or commit an EC PUT's fragments)."""
    df, segs, policy = server.diskfile(req)
    if ec_fragments.COMMIT in req.headers:  # phase two of an EC PUT
        return ec_fragments.commit(df, req, make_response, lambda headers: (
            server.update_containers(req, df, updates.parse_targets(req.headers)[0], "PUT",
                                     segs, policy, headers)))
    ts = request_timestamp(req)
    error = constraints.check_metadata(req.headers, "object")
    if error:
        raise HTTPError(400, error)
    delete_at = request_delete_at(req, ts)
    try:
        df.open()
    except DiskFileDeleted as err:
        return make_response(404, headers={"X-Backend-Timestamp": err.timestamp.internal})
    except DiskFileNotExist:
        return make_response(404)
    except DiskFileCollision as err:
        return make_response(403, str(err).encode("utf-8"))
    current = df.timestamp
    data_ts = df.data_timestamp
    current_meta = df.get_metadata()
    data_meta = df.get_datafile_metadata()
    data_type = data_meta.get("Content-Type", "")
    old_delete_at = current_meta.get("X-Delete-At")
    df.close()
    if current >= ts:
        raise HTTPError(409, "A newer or equal version exists (X-Backend-Timestamp)",
                        {"X-Backend-Timestamp": current.internal})
    lock = object_lock.lock_headers(req.headers)
    weaker = object_lock.weakening(current_meta, lock, req.headers.get(object_lock.BYPASS, ""))
    if weaker:
        raise HTTPError(403, "Object lock: " + weaker)
    # An empty X-Object-Meta-* is stored empty, as Swift does (and a PUT
    # does); other empty headers are not stored.
    metadata = {k: v for k, v in req.headers.items()
                if (v or k.lower().startswith(USER_META_PREFIX))
                and (k.lower().startswith(POST_PREFIXES)
                     or (k in constraints.OBJECT_STORED_HEADERS
                         and k != "X-Static-Large-Object"))}
    metadata.update(object_lock.lock_headers(current_meta))  # a POST keeps the lock
    metadata.update(lock)
    metadata.update({"X-Timestamp": ts.internal, "name": df.name or ""})
    if delete_at:
        metadata["X-Delete-At"] = delete_at
    new_ctype = req.headers.get("Content-Type")
    if new_ctype:
        metadata.update({"Content-Type": new_ctype, CONTENT_TYPE_TIMESTAMP: ts.internal})
    elif CONTENT_TYPE_TIMESTAMP in current_meta:  # an earlier POST's type stays
        metadata.update({"Content-Type": current_meta["Content-Type"],
                         CONTENT_TYPE_TIMESTAMP: current_meta[CONTENT_TYPE_TIMESTAMP]})
    try:
        df.write_metadata(metadata)
    except DiskFileNoSpace:
        raise HTTPError(507, "Not enough space on %s" % df.device) from None
    server.update_expirer_queue(req, df, segs, policy, ts, old_delete_at, delete_at)
    listed_type, type_ts = (listing.listed_type_after_post(metadata["Content-Type"], data_type),
                            metadata[CONTENT_TYPE_TIMESTAMP]) \
        if CONTENT_TYPE_TIMESTAMP in metadata else (data_type, data_ts.internal)
    server.update_containers(req, df, updates.parse_targets(req.headers)[0], "PUT", segs,
                             policy, {
                                 "X-Timestamp": data_ts.internal,
                                 listing.ROW_CTYPE_TIMESTAMP: type_ts,
                                 listing.ROW_META_TIMESTAMP: ts.internal,
                                 "X-Size": updates.listed_size(data_meta),
                                 "X-Content-Type": listed_type,
                                 "X-Etag": updates.listed_etag(data_meta)})
    return make_response(202, headers={"X-Backend-Timestamp": ts.internal})
