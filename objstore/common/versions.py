"""What the versioning middlewares share: their pre-authorized
subrequests, the copy of a stored version, and the names of the legacy
archive layout.

``versioned_writes`` (``X-Versions-Location`` / ``X-History-Location``),
``object_versioning`` (``X-Versions-Enabled``) and s3api's bucket
versioning each keep old versions by copying an object somewhere else.
They live here, not in one of those middlewares, so that each can be
taken out of the pipeline without breaking another (ARCHITECTURE.md: a
middleware imports only ``common``).

A version is copied *as it is stored*: with encryption at rest the
ciphertext and its crypto metadata move untouched (``RAW_ENV``), so
keeping a version never needs its key. That is what lets an SSE-C object
(whose key is never stored) be overwritten or deleted in a versioned
bucket, and it saves a decrypt and an encrypt per archived version. The
keys stay right because an object's key id names the path it was written
under (``keymaster``), not the path it is read from.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Iterator, Optional, Tuple
from urllib.parse import quote, unquote

from webob import Request, Response

from objstore.common import constraints
from objstore.common.reserved import ALLOW_HEADER, reserved_name
from objstore.common.subrequest import (IterReader, close_response, stored_metadata,
                                        sub_request)
from objstore.common.timestamp import Timestamp

#: set on the subrequests of a middleware that manages versions itself, so
#: ``versioned_writes`` and ``object_versioning`` do not archive them again
BYPASS_ENV = "objstore.versioned_writes.bypass"
#: set on a subrequest that reads or writes an object as stored: the
#: encryption middleware passes it through (no decrypt on GET, no encrypt
#: on PUT, the crypto metadata kept as given). Only middlewares set it; a
#: client cannot (it is not an ``HTTP_`` key).
RAW_ENV = "objstore.crypto.raw"
#: object_versioning's sysmeta: a version's id (the object's), and the
#: versions container of a container (named here for daemons, which may not
#: import middlewares: the tierer follows versions through them)
VERSION_ID_SYSMETA = "X-Object-Sysmeta-Versions-Id"
SYSMETA_LOCATION = "X-Container-Sysmeta-Versions-Container"
#: the content type of a delete marker (both Swift versioning modes)
DELETE_MARKER_TYPE = "application/x-deleted;swift_versions_deleted=1"
#: the query of a versioning middleware's look at the object at a name: a
#: symlink there is that version itself (its own id, timestamp and
#: metadata), not the object it points at, which the symlink middleware
#: below would otherwise answer with (and refuse, 409, when a static
#: link's target has changed)
THE_LINK_ITSELF = "symlink=get"
LISTING_PAGE = 1000

WsgiApp = Callable[..., Any]


def reserved_versions_container(container: str) -> str:
    """Where ``object_versioning`` keeps the versions of a container first
    versioned since reserved names: ``\\x00versions\\x00<container>``, which
    no client can create, read, list or delete (``common/reserved.py``);
    s3api reads it for the buckets it versions that way."""
    return reserved_name("versions", container)


def location_to_store(location: str) -> str:
    """The versions container's name as its sysmeta header keeps it: a
    reserved name %-quoted, since a NUL may not travel in a header (every
    response carrying it raw would be refused on the way out)."""
    return quote(location, safe="") if location.startswith("\x00") else location


def stored_location(value: Optional[str]) -> Optional[str]:
    """The versions container a sysmeta value names (legacy ``.versions-``
    names are kept as they are; a reserved one was quoted, or, written
    before that, raw)."""
    if value is not None and value.startswith("%00"):
        return unquote(value)
    return value


def archive_prefix(obj: str) -> str:
    """``<len as 3 hex digits><name>/``: the legacy archive prefix of ``obj``
    (``X-Versions-Location``/``X-History-Location`` and s3api's old
    ``<bucket>+versions``).

    The length counts UTF-8 bytes, so every client computes the same prefix.
    """
    return "%03x%s/" % (len(obj.encode("utf-8")), obj)


def archive_name(obj: str, timestamp: str) -> str:
    """Where the version of ``obj`` written at ``timestamp`` is archived."""
    return archive_prefix(obj) + Timestamp(timestamp).internal


def is_delete_marker(content_type: Optional[str]) -> bool:
    """Whether an archive entry is a delete marker."""
    return (content_type or "").split(";", 1)[0].strip() == "application/x-deleted"


def allow_all(_req: Request) -> None:
    return None


def authorize(env: Dict[str, Any], info: Dict[str, Any], acl: str = "write_acl"
              ) -> Optional[Response]:
    """The client's own request, judged against the versioned container's
    write ACL (or ``acl``) before anything is archived for it (or shown to
    it): the archive work that follows is pre-authorized."""
    check = env.get("swift.authorize")
    if check is None:
        return None
    req = Request(env)
    req.acl = info.get(acl)
    return check(req)


#: A backend header: the object servers answer an object past its
#: X-Delete-At (not yet removed by the expirer) as if it had none. Sent only
#: from inside the proxy (the gatekeeper strips X-Backend-* from clients) by
#: object_versioning, which keeps an expiring write as a version a moment
#: after writing it: the expiry must not take the version's bytes with it.
OPEN_EXPIRED = "X-Backend-Open-Expired"

class VersionsClient:
    """Pre-authorized subrequests of a versioning middleware, never archived
    themselves (``source`` names the middleware in the logs).

    ``reserved``: the middleware keeps its versions under reserved names
    (``common/reserved.py``), so its subrequests may name them. Not for
    one that writes where a client's header says (``versioned_writes``):
    a client could then aim it at a reserved container."""

    def __init__(self, app: WsgiApp, source: str, reserved: bool = False) -> None:
        self.app = app
        self.source = source
        self.reserved = reserved

    def request(self, env: Dict[str, Any], method: str, path: str,
                headers: Optional[Dict[str, str]] = None, query: str = "",
                body: Any = b"", content_length: Optional[int] = 0,
                raw: bool = False) -> Response:
        extra = {"swift.authorize": allow_all, BYPASS_ENV: True,
                 # copies keep a manifest's swift_bytes
                 constraints.CONTENT_TYPE_PARAMS_ENV: True}
        if raw:
            extra[RAW_ENV] = True
        if self.reserved:
            headers = dict(headers or {}, **{ALLOW_HEADER: "true"})
        return sub_request(self.app, env, method, path, query=query, headers=headers,
                           body=body, content_length=content_length, source=self.source,
                           extra=extra)

    def copy(self, env: Dict[str, Any], account: str, src: Tuple[str, str],
             dst: Tuple[str, str], timestamp: Optional[str] = None,
             headers: Optional[Dict[str, str]] = None, without: Tuple[str, ...] = (),
             open_expired: bool = False) -> Response:
        """Copy the stored object ``src`` to ``dst`` (``(container, object)``
        each) as it is stored: its bytes (streamed; ciphertext stays
        ciphertext) and every stored header but the timestamp (written with
        ``timestamp`` if given, else now) and those named in ``without``,
        with ``headers`` on top. A large object's manifest is copied as it
        is stored, and a symlink as the link (not its target). ``open_expired``:
        read ``src`` even past its X-Delete-At (``OPEN_EXPIRED``)."""
        read_headers = {"X-Newest": "true"}
        if open_expired:
            read_headers[OPEN_EXPIRED] = "true"
        source = self.request(env, "GET", "/v1/%s/%s/%s" % ((account,) + src),
                              headers=read_headers, query=THE_LINK_ITSELF, raw=True)
        if not 200 <= source.status_int < 300:
            close_response(source)
            return source
        try:
            put_headers = {name: value for name, value in
                           stored_metadata(source.headers, manifests=True).items()
                           if name.lower() not in {w.lower() for w in without}}
            etag = (source.headers.get("ETag") or "").strip('"')
            if etag:
                put_headers["ETag"] = etag
            if timestamp:
                put_headers["X-Timestamp"] = timestamp
            put_headers.update(headers or {})
            length = source.headers.get("Content-Length")
            return self.request(env, "PUT", "/v1/%s/%s/%s" % ((account,) + dst),
                                put_headers, body=IterReader(source.app_iter),
                                content_length=int(length) if length else None, raw=True)
        finally:
            close_response(source)

    def listing(self, env: Dict[str, Any], account: str, container: str, prefix: str,
                reverse: bool = False, marker: str = "") -> Iterator[Dict[str, Any]]:
        """Every row of ``container``'s JSON listing under ``prefix`` (after
        ``marker``), one page in memory at a time."""
        while True:
            query = [("format", "json"), ("prefix", prefix), ("limit", str(LISTING_PAGE))]
            if reverse:
                query.append(("reverse", "on"))
            if marker:
                query.append(("marker", marker))
            resp = self.request(env, "GET", "/v1/%s/%s" % (account, container),
                                query="&".join("%s=%s" % (k, quote(v, safe=""))
                                               for k, v in query))
            if resp.status_int != 200:
                close_response(resp)
                return
            page = json.loads(resp.body or b"[]")
            yield from page
            if len(page) < LISTING_PAGE:
                return
            marker = page[-1]["name"]
