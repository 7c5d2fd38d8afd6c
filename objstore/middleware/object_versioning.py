"""Object versioning, new style: ``X-Versions-Enabled`` on a container.

A container with ``X-Versions-Enabled: true`` (kept as container sysmeta)
keeps every version of its objects. The current version stays where it is,
in the container; the versions it replaced live in a versions container
with the reserved name ``\\x00versions\\x00<container>`` (created when
versioning is first enabled; no client can address it, see
``common/reserved.py``; containers versioned before reserved names were
used keep ``VERSIONS_PREFIX + <container>``). An archived version is named
``<object>\\x01<inverted version id>``: ``\\x01`` sorts before every
printable character, so the versions container lists objects in the same
order as the container itself, and the inverted id lists each object's
versions newest first.

A version id is the timestamp the version was written with (normal form,
``1700000000.12345``; a middleware below the gatekeeper may choose it with
``X-Timestamp``), kept as object sysmeta so that it survives a copy, and
listed as the Content-Type parameter ``swift_versions_id`` so that
``?versions`` reads it from the listing. Objects written before versioning
was enabled have the id ``null``.

Handled here (the account and container side is
``object_versioning_container.py``):

* object PUT: the current version is archived first; the answer carries
  ``X-Object-Version-Id``.
* object GET/HEAD: ``X-Object-Version-Id`` (and ``Content-Location``);
  ``?version-id=<id>`` reads an archived version.
* object DELETE: the current version is kept and a delete marker written;
  ``DELETE ?version-id=`` removes one version.
* expiry (``X-Delete-At``/``-After`` on a PUT or POST): as in Swift, where
  only the link at the name expires, the version itself never does: it is
  kept at once, without the expiry, so it outlives the current version.
* restore: COPY ``?version-id=`` (or PUT + ``X-Copy-From`` with the
  PUT's ``?version-id=``) copies a kept version (``copy`` reads the source
  with the id); POST to one version is refused (400).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Optional, Tuple
from urllib.parse import parse_qsl, quote

from webob import Request, Response

from objstore.common import constraints, key_lock, object_lock, registry
from objstore.common.config import config_true_value
from objstore.common.http import listing
from objstore.common.http.errors import swift_error
from objstore.common.http.paths import split_swift_path
from objstore.common.subrequest import close_response, stored_metadata
from objstore.common.timestamp import Timestamp
from objstore.common.versions import (BYPASS_ENV, OPEN_EXPIRED, THE_LINK_ITSELF,
                                      VersionsClient, authorize)
from objstore.common.versions_listing import (  # noqa: F401 (names of this API)
    DELETE_MARKER_TYPE, NULL_ID, SEPARATOR, invert, split_version_name, uninvert,
    version_name)
from objstore.middleware.object_versioning_container import (  # noqa: F401 (names of this API)
    CLIENT_HEADER, SYSMETA_ENABLED, SYSMETA_IDS_LISTED, SYSMETA_LOCATION, VERSION_ID_HEADER,
    VERSION_ID_SYSMETA, VERSIONS_PREFIX, ContainerVersioning, plain, stored_id,
    valid_version_id, versions_container)

SOURCE = "OV"
WsgiApp = Callable[..., Any]


def _write_time(env: Dict[str, Any]) -> Optional[Timestamp]:
    """The time, and so the version id, of a versioned PUT or DELETE: now,
    or the ``X-Timestamp`` a middleware below the gatekeeper chose (s3api
    picks its version ids; clients' are stripped); ``None`` for one that is
    not a timestamp (the proxy refuses it)."""
    given = env.get("HTTP_X_TIMESTAMP")
    if not given:
        return Timestamp.now()
    try:
        return Timestamp(given)
    except ValueError:
        return None


#: the request keys that make a write expire its object
_EXPIRY_ENV = ("HTTP_X_DELETE_AT", "HTTP_X_DELETE_AFTER")
#: what a kept version never carries: it outlives an expiring current one
_NOT_KEPT = ("X-Delete-At",)


def _expiring(env: Dict[str, Any]) -> bool:
    return any(env.get(key) for key in _EXPIRY_ENV)


def _after(written: Timestamp) -> Timestamp:
    """Now, or the least time after ``written`` if that is not in the past."""
    now = Timestamp.now()
    return now if now > written else Timestamp(written.timestamp + 0.00001)


def _name_lock(env: Dict[str, Any], account: str, container: str, obj: str
               ) -> Optional[key_lock.KeyLock]:
    """Hold the name's versioning lock (waiting for another writer of it):
    its writes must not interleave, or two writers both keep the same
    current version and the first one's new version is replaced without
    being kept. ``None`` without a cache, or when the holder did not let
    go in time (the write then goes on alone, as it would without a cache)."""
    return key_lock.hold(env.get("swift.cache"), key_lock.VERSIONED_NAME, account,
                         container, obj)


def _strip_id_param(content_type: str) -> str:
    """``content_type`` without the listed version id parameter."""
    return ";".join(part for part in content_type.split(";")
                    if not part.strip().startswith(listing.VERSION_ID_PARAM + "="))


class ObjectVersioning:
    """Keep every version of the objects of a versioned container (its
    archive copies and other subrequests are ``common.versions``')."""

    def __init__(self, app: WsgiApp, conf: Dict[str, str]) -> None:
        self.app = app
        self.conf = conf
        self.client = VersionsClient(app, SOURCE, reserved=True)
        self.containers = ContainerVersioning(app, self.client)
        registry.register_info("object_versioning")

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        if env.get(BYPASS_ENV):
            return self.app(env, start_response)
        target = split_swift_path(env)
        if target is None:
            return self.app(env, start_response)
        account, container, obj = target
        if container is None:
            if env["REQUEST_METHOD"] == "GET":
                return self.containers.account_listing(env, account)(env, start_response)
            return self.app(env, start_response)
        if obj is None:
            return self.containers.handle(env, start_response, account, container)
        return self._object(env, start_response, account, container, obj)

    def _object(self, env: Dict[str, Any], start_response: Callable[..., Any],
                account: str, container: str, obj: str) -> Iterable[bytes]:
        method = env["REQUEST_METHOD"]
        query = dict(parse_qsl(env.get("QUERY_STRING", ""), keep_blank_values=True))
        version_id = query.get("version-id")
        if method == "PUT":
            # a copy carries its source's id: the version id is set here only
            env.pop("HTTP_" + VERSION_ID_SYSMETA.upper().replace("-", "_"), None)
        if method == "POST" and version_id is not None:
            return swift_error(400, "POST to a specific version is not allowed")(
                env, start_response)
        if method == "POST" and version_id is None and _expiring(env):
            return self._post_expiring(env, account, container, obj)(env, start_response)
        if version_id is None and method not in ("PUT", "GET", "HEAD", "DELETE"):
            return self.app(env, start_response)
        info, location = self.containers.enabled(env, account, container)
        if version_id is not None and location is None:
            return self._unversioned(env, method, version_id)(env, start_response)
        if method == "PUT" and version_id is not None and \
                env.get("CONTENT_LENGTH") not in (None, "", "0"):
            return plain(400, "PUT version-id requests require a zero byte body")(
                env, start_response)
        if version_id is not None and method == "PUT":
            return self._make_latest(env, account, container, obj, location, info,
                                     version_id)(env, start_response)
        if version_id is not None and method != "PUT":
            if not valid_version_id(version_id):
                return swift_error(400, "Invalid version parameter")(env, start_response)
            if method in ("GET", "HEAD"):
                # as Swift's, whose versions all live in its hidden
                # container, which no ACL opens: an id names a version only
                # its owners read; null, the object the read ACL opens
                denied = authorize(env, info if version_id == NULL_ID else {}, "read_acl")
                if denied is not None:
                    return denied(env, start_response)
                return self._read_version(env, account, container, obj, location,
                                          version_id)(env, start_response)
            if method == "DELETE":
                return self._delete_version(env, account, container, obj, location, info,
                                            version_id)(env, start_response)
            return self.app(env, start_response)
        if location is None:
            return self.app(env, start_response)
        enabled = config_true_value((info.get("sysmeta") or {}).get("versions-enabled"))
        if method == "PUT":
            return self._put(env, account, container, obj, location, info, enabled)(
                env, start_response)
        if method == "DELETE":
            return self._delete(env, account, container, obj, location, info, enabled)(
                env, start_response)
        resp = Request(env).get_response(self.app)
        if resp.status_int == 404:
            resp.headers[VERSION_ID_HEADER] = NULL_ID
        self._show_id(resp, account, container, obj)
        return resp(env, start_response)

    def _unversioned(self, env: Dict[str, Any], method: str, version_id: str) -> Any:
        """A version-id on a container never versioned, as Swift 2.38.3:
        only ``null`` names something (the object itself; a GET or HEAD of
        it says so), and a PUT may not name even that."""
        if version_id != NULL_ID:
            return swift_error(400, "version-aware operations require that the "
                                    "container is versioned")
        if method == "PUT":
            return swift_error(400, "Invalid version parameter")
        resp = Request(env).get_response(self.app)
        if method in ("GET", "HEAD") and 200 <= resp.status_int < 300:
            resp.headers[VERSION_ID_HEADER] = NULL_ID
        return resp

    @staticmethod
    def _list_id(env: Dict[str, Any], obj: str, version_id: Optional[str]) -> Optional[Response]:
        """Put the version id a PUT writes into its Content-Type (as
        ``listing.VERSION_ID_PARAM``), so the container lists it; none for a
        ``null`` version. A parameter of that name the writer sent goes;
        a client's own ``swift_*`` parameter is refused as the proxy would
        (the proxy lets this one through).

        With no type given, none is chosen here: the parameter alone goes
        down (``constraints.content_type_for``), so that what would choose
        it below still does (the symlink middleware: a link's own default,
        or a static link's target's type)."""
        given = env.get("CONTENT_TYPE")
        if not env.get(constraints.CONTENT_TYPE_PARAMS_ENV):
            refused = constraints.check_content_type_params(given)
            if refused:
                return swift_error(400, refused)
        if not given and version_id is None:
            return None
        detect = env.get("HTTP_X_DETECT_CONTENT_TYPE", "")
        ctype = constraints.content_type_for(
            {"Content-Type": given or "", "X-Detect-Content-Type": detect}, obj) \
            if given or config_true_value(detect) else ""
        env.pop("HTTP_X_DETECT_CONTENT_TYPE", None)
        ctype = _strip_id_param(ctype)
        if version_id is not None:
            ctype += ";%s=%s" % (listing.VERSION_ID_PARAM, version_id)
            env[constraints.CONTENT_TYPE_PARAMS_ENV] = True
        env["CONTENT_TYPE"] = ctype
        return None

    def _show_id(self, resp: Response, account: str, container: str, obj: str,
                 location: bool = True) -> None:
        if "Content-Type" in resp.headers and listing.VERSION_ID_PARAM in \
                resp.headers["Content-Type"]:
            resp.headers["Content-Type"] = _strip_id_param(resp.headers["Content-Type"])
        if not 200 <= resp.status_int < 300:
            return
        version_id = stored_id(resp.headers)
        resp.headers[VERSION_ID_HEADER] = version_id
        if location:
            resp.headers["Content-Location"] = "/v1/%s/%s/%s?version-id=%s" % (
                quote(account), quote(container), quote(obj), version_id)

    def _put(self, env: Dict[str, Any], account: str, container: str, obj: str,
             location: str, info: Dict[str, Any], enabled: bool) -> Response:
        """Keep the current version, then write the new one with its id
        (suspended: a ``null`` version, which replaces a ``null`` one)."""
        now = _write_time(env)
        if now is None:
            return Request(env).get_response(self.app)  # the proxy's 400
        refused = self._list_id(env, obj, now.normal if enabled else None)
        if refused is not None:
            return refused
        lock = _name_lock(env, account, container, obj)
        try:
            answer, now, moved = self._keep_before_write(env, account, container, obj,
                                                         location, info, enabled, now)
            if answer is not None:
                return answer
            if moved:
                self._list_id(env, obj, now.normal)  # its id is in the answer
            env["HTTP_" + VERSION_ID_SYSMETA.upper().replace("-", "_")] = now.normal
            expiring = _expiring(env)
            if lock is not None:
                env["wsgi.input"] = key_lock.RefreshingReader(env["wsgi.input"], lock)
            resp = Request(env).get_response(self.app)
            if 200 <= resp.status_int < 300:
                bad = self._keep_current(env, account, container, obj, location) \
                    if expiring else None
                if bad is not None:
                    close_response(resp)
                    return bad
                resp.headers[VERSION_ID_HEADER] = now.normal
        finally:
            if lock is not None:
                lock.release()
        return resp

    def _post_expiring(self, env: Dict[str, Any], account: str, container: str,
                       obj: str) -> Response:
        """A POST that makes the current version expire: applied to it, and
        the version kept (with the POST's metadata, without the expiry)."""
        info, location = self.containers.enabled(env, account, container)
        enabled = config_true_value((info.get("sysmeta") or {}).get("versions-enabled"))
        resp = Request(env).get_response(self.app)
        if location is None or not enabled or not 200 <= resp.status_int < 300:
            return resp
        bad = self._keep_current(env, account, container, obj, location)
        if bad is not None:
            close_response(resp)
            return bad
        return resp

    def _keep_current(self, env: Dict[str, Any], account: str, container: str, obj: str,
                      location: str) -> Optional[Response]:
        """Keep the current version (one with an id) in the versions
        container now; ``None``, or the error to answer."""
        head = self.client.request(env, "HEAD", "/v1/%s/%s/%s" % (account, container, obj),
                                   headers={"X-Newest": "true", OPEN_EXPIRED: "true"},
                                   query=THE_LINK_ITSELF)
        close_response(head)
        if not 200 <= head.status_int < 300 or not head.headers.get(VERSION_ID_SYSMETA):
            return None
        resp = self._keep(env, account, container, obj, location, head, open_expired=True)
        return None if 200 <= resp.status_int < 300 else resp

    def _keep(self, env: Dict[str, Any], account: str, container: str, obj: str,
              location: str, head: Response, open_expired: bool = False) -> Response:
        """Copy the version ``head`` shows into the versions container,
        under its id and with its write time, without an expiry. One kept
        already (an expiring version is kept when written; the copy, no
        newer, is then accepted and dropped: 202) gets the current one's
        metadata, which POSTs may have changed since."""
        written = Timestamp(head.headers.get("X-Timestamp") or "0")
        # written before versioning: archived under its write time and
        # labelled with that id from now on
        version_id = head.headers.get(VERSION_ID_SYSMETA) or written.normal
        kept = (location, version_name(obj, version_id))
        resp = self.client.copy(env, account, (container, obj), kept, written.internal,
                                without=_NOT_KEPT, open_expired=open_expired)
        close_response(resp)
        if resp.status_int != 202:
            return resp
        meta = {name: value for name, value in
                stored_metadata(head.headers, manifests=False).items()
                if name.lower() not in ("x-delete-at",) and not
                name.lower().startswith(("x-object-sysmeta-", "x-object-transient-sysmeta-"))}
        resp = self.client.request(env, "POST", "/v1/%s/%s/%s" % ((account,) + kept), meta)
        close_response(resp)
        return resp

    def _archive(self, env: Dict[str, Any], account: str, container: str, obj: str,
                 location: str, info: Dict[str, Any], enabled: bool = True
                 ) -> Optional[Response]:
        """The client's write authorized, copy the current version (if any;
        while suspended only one with a version id) into the versions
        container; ``None``, or the error to answer."""
        return self._archive_current(env, account, container, obj, location, info,
                                     enabled)[0]

    def _archive_current(self, env: Dict[str, Any], account: str, container: str,
                         obj: str, location: str, info: Dict[str, Any], enabled: bool = True
                         ) -> Tuple[Optional[Response], Optional[Timestamp]]:
        """``_archive``, and the time the current version was written
        (``None`` without one)."""
        denied = authorize(env, info)
        if denied is not None:
            return denied, None
        head = self.client.request(env, "HEAD", "/v1/%s/%s/%s" % (account, container, obj),
                                   headers={"X-Newest": "true"}, query=THE_LINK_ITSELF)
        if head.status_int == 404:
            return None, None
        if not 200 <= head.status_int < 300:
            return head, None
        written = Timestamp(head.headers.get("X-Timestamp") or "0")
        if not enabled and not head.headers.get(VERSION_ID_SYSMETA):
            return None, written
        for attempt in (1, 2):
            resp = self._keep(env, account, container, obj, location, head)
            if 200 <= resp.status_int < 300:
                # the current version, lock included, is kept now: a lock on
                # it no longer stops replacing or deleting it at its name
                env["HTTP_" + object_lock.BYPASS.upper().replace("-", "_")] = \
                    object_lock.BYPASS_ARCHIVED
                return None, written
            if resp.status_int != 404:
                return resp, written
            gone = self.client.request(env, "HEAD", "/v1/%s/%s" % (account, location))
            close_response(gone)
            if gone.status_int != 404 or attempt == 2:
                return None, None  # the current version went away meanwhile
            made = self.containers.make_versions_container(env, account, location)
            if made is not None:
                return made, written
        return None, written

    def _keep_before_write(self, env: Dict[str, Any], account: str, container: str,
                           obj: str, location: str, info: Dict[str, Any], enabled: bool,
                           now: Timestamp) -> Tuple[Optional[Response], Timestamp, bool]:
        """Keep the current version before a write at ``now`` (under the
        name's lock): (the answer to give instead -- a failure, or the plain
        write when versioning is suspended --, ``now``, False), else (None,
        the write's time, whether it moved): after a version that a writer
        holding the lock first wrote at or after ``now``. The request's
        ``X-Timestamp`` is the write's time."""
        bad, written = self._archive_current(env, account, container, obj, location,
                                             info, enabled)
        if bad is not None or not enabled:
            return bad or Request(env).get_response(self.app), now, False
        moved = written is not None and now <= written
        if moved:
            now = _after(written)
        env["HTTP_X_TIMESTAMP"] = now.internal
        return None, now, moved

    def _delete(self, env: Dict[str, Any], account: str, container: str, obj: str,
                location: str, info: Dict[str, Any], enabled: bool) -> Response:
        """DELETE: keep the current version, leave a delete marker (the
        newest version, listed), then delete the object. Suspended: no
        marker, and a ``null`` current version is not kept."""
        now = _write_time(env)
        if now is None:
            return Request(env).get_response(self.app)  # the proxy's 400
        lock = _name_lock(env, account, container, obj)
        try:
            answer, now, _moved = self._keep_before_write(env, account, container, obj,
                                                          location, info, enabled, now)
            if answer is not None:
                return answer
            marker = self.client.request(env, "PUT", "/v1/%s/%s/%s" % (
                account, location, version_name(obj, now.normal)),
                {"Content-Type": DELETE_MARKER_TYPE, "X-Timestamp": now.internal})
            close_response(marker)
            if not 200 <= marker.status_int < 300:
                return marker
            resp = Request(env).get_response(self.app)
        finally:
            if lock is not None:
                lock.release()
        resp.headers[VERSION_ID_HEADER] = now.normal
        return resp

    def _owners_head(self, env: Dict[str, Any], account: str, container: str, obj: str,
                     info: Dict[str, Any]) -> Tuple[Optional[Response], Response]:
        """(the answer refusing a requester who may not touch versions,
        None) or (None, the newest HEAD of what is at the name, a link read
        as itself)."""
        denied = authorize(env, info)
        if denied is not None:
            return denied, None
        head = self.client.request(env, "HEAD", "/v1/%s/%s/%s" % (account, container, obj),
                                   headers={"X-Newest": "true"}, query=THE_LINK_ITSELF)
        close_response(head)
        return None, head

    def _make_latest(self, env: Dict[str, Any], account: str, container: str, obj: str,
                     location: str, info: Dict[str, Any], version_id: str) -> Response:
        """PUT ``?version-id=`` (no body): that kept version becomes the
        current one again, as Swift's. The current version is kept first
        (under its own id); the restored one comes back with its id, its
        bytes and metadata, and leaves the versions container, so every
        version is still listed once. Never an empty write at the name."""
        if version_id == NULL_ID or not valid_version_id(version_id):
            return swift_error(400, "Invalid version parameter")
        lock = _name_lock(env, account, container, obj)
        try:
            return self._restore(env, account, container, obj, location, info, version_id)
        finally:
            if lock is not None:
                lock.release()

    def _restore(self, env: Dict[str, Any], account: str, container: str, obj: str,
                 location: str, info: Dict[str, Any], version_id: str) -> Response:
        """``_make_latest``'s work, under the name's lock (another writer of the
        name must not keep or replace the current version meanwhile)."""
        denied, head = self._owners_head(env, account, container, obj, info)
        if denied is not None:
            return denied
        kept = version_name(obj, version_id)
        etag = head.headers.get("Etag")
        if not (head.status_int == 200 and stored_id(head.headers) == version_id):
            found = self.client.request(env, "HEAD", "/v1/%s/%s/%s" % (account, location, kept),
                                        query=THE_LINK_ITSELF)
            close_response(found)
            if found.status_int == 404 or found.headers.get("Content-Type") == \
                    DELETE_MARKER_TYPE:
                return plain(404, "The specified version does not exist")
            if not 200 <= found.status_int < 300:
                return found
            etag = found.headers.get("Etag")
            bad = self._archive(env, account, container, obj, location, info)
            if bad is not None:
                return bad
            now = _write_time(env) or Timestamp.now()
            resp = self.client.copy(env, account, (location, kept), (container, obj),
                                    now.internal)
            close_response(resp)
            if not 200 <= resp.status_int < 300:
                return resp
            close_response(self.client.request(env, "DELETE", "/v1/%s/%s/%s" % (
                account, location, kept)))
        resp = Response(status=201, headerlist=[("Content-Type", "text/html; charset=UTF-8"),
                                                ("Content-Length", "0")])
        if etag:
            resp.headers["Etag"] = etag
        resp.headers[VERSION_ID_HEADER] = version_id
        return resp

    def _delete_version(self, env: Dict[str, Any], account: str, container: str,
                        obj: str, location: str, info: Dict[str, Any],
                        version_id: str) -> Response:
        """DELETE ``?version-id=``: that version goes; deleting the current
        one leaves no current version (the older ones stay kept).

        ``null`` names whatever is at the object's name, as Swift's: a
        current version with an id is kept (as if overwritten) and only
        taken off the name; the answer has no version headers, as Swift's.
        """
        denied, head = self._owners_head(env, account, container, obj, info)
        if denied is not None:
            return denied
        current = stored_id(head.headers) if head.status_int == 200 else None
        if version_id == NULL_ID:
            if current is None:
                return swift_error(404)
            if current != NULL_ID:
                bad = self._archive(env, account, container, obj, location, info)
                if bad is not None:
                    return bad
            env["QUERY_STRING"] = ""
            resp = Request(env).get_response(self.app)
            return swift_error(404) if resp.status_int == 404 else resp
        if current == version_id:
            env["QUERY_STRING"] = ""
            resp = Request(env).get_response(self.app)
            current = NULL_ID if 200 <= resp.status_int < 300 else current
            if current == NULL_ID:  # an expiring version was kept too: gone with it
                close_response(self.client.request(env, "DELETE", "/v1/%s/%s/%s" % (
                    account, location, version_name(obj, version_id))))
        else:
            resp = self.client.request(env, "DELETE", "/v1/%s/%s/%s" % (
                account, location, version_name(obj, version_id)))
            close_response(resp)
            resp = swift_error(404) if resp.status_int == 404 else \
                Response(status=resp.status, headerlist=[("Content-Type", "text/html; "
                                                          "charset=UTF-8"),
                                                         ("Content-Length", "0")])
        resp.headers[VERSION_ID_HEADER] = version_id
        resp.headers["X-Object-Current-Version-Id"] = current or NULL_ID
        return resp

    def _read_version(self, env: Dict[str, Any], account: str, container: str, obj: str,
                      location: str, version_id: str) -> Response:
        """GET/HEAD ``?version-id=``: the current version if it has that id,
        else the archived one. With ``symlink=get`` a version that is a
        link is read as the link, else as its target (as Swift's)."""
        as_link = "symlink=get" in env.get("QUERY_STRING", "").split("&")
        env["QUERY_STRING"] = THE_LINK_ITSELF if as_link else ""
        current = Request(env.copy()).get_response(self.app)
        current_id = stored_id(current.headers)
        if 200 <= current.status_int < 300 and current_id != version_id and \
                "Content-Location" in current.headers:
            # a link followed: its own id is the one that names it
            head = self.client.request(env, "HEAD", "/v1/%s/%s/%s" % (
                account, container, obj), query=THE_LINK_ITSELF)
            close_response(head)
            current_id = stored_id(head.headers) if head.status_int == 200 else current_id
        if 200 <= current.status_int < 300 and current_id == version_id:
            self._show_id(current, account, container, obj, location=False)
            current.headers[VERSION_ID_HEADER] = version_id
            return current
        close_response(current)
        if version_id == NULL_ID:
            return swift_error(404)
        resp = self.client.request(env, env["REQUEST_METHOD"], "/v1/%s/%s/%s" % (
            account, location, version_name(obj, version_id)),
            headers={k[5:].replace("_", "-"): v for k, v in env.items()
                     if k in ("HTTP_RANGE", "HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH")},
            query=env["QUERY_STRING"])
        if resp.status_int == 404:
            close_response(resp)
            return swift_error(404)
        if resp.headers.get("Content-Type") == DELETE_MARKER_TYPE:
            close_response(resp)
            gone = swift_error(404)
            gone.headers[VERSION_ID_HEADER] = version_id
            gone.headers["Content-Type"] = DELETE_MARKER_TYPE  # as Swift's: it is a marker
            return gone
        resp.headers[VERSION_ID_HEADER] = version_id
        if listing.VERSION_ID_PARAM in resp.headers.get("Content-Type", ""):
            resp.headers["Content-Type"] = _strip_id_param(resp.headers["Content-Type"])
        return resp



def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: ObjectVersioning(app, conf)
