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

Handled here:

* ``X-Versions-Enabled`` on container PUT/POST; shown on HEAD/GET.
* object PUT: the current version is archived first; the answer carries
  ``X-Object-Version-Id``.
* object GET/HEAD: ``X-Object-Version-Id`` (and ``Content-Location``);
  ``?version-id=<id>`` reads an archived version.
* object DELETE: the current version is kept and a delete marker written;
  ``DELETE ?version-id=`` removes one version; a container still keeping
  versions is not deleted (409).
* restore: COPY ``?version-id=`` (or PUT + ``X-Copy-From`` with the
  PUT's ``?version-id=``) copies a kept version (``copy`` reads the source
  with the id); POST to one version is refused (400).
* container ``?versions``: every version, newest first per object, with
  ``version_id`` and ``is_latest``; read a page at a time from both
  containers and merged.
"""

from __future__ import annotations

import json
from itertools import islice
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qsl, quote, urlencode

from webob import Request, Response

from objstore.common import concurrency, constraints, object_lock, registry
from objstore.common.http import listing
from objstore.common.http.paths import split_swift_path
from objstore.common.config import config_true_value
from objstore.common.http.errors import PLAIN, swift_error
from objstore.common.info import clear_info_cache, get_container_info
from objstore.common.subrequest import close_response
from objstore.common.timestamp import Timestamp
from objstore.common.versions import (BYPASS_ENV, VersionsClient, authorize,
                                      location_to_store, reserved_versions_container,
                                      stored_location)
from objstore.common.versions_listing import (  # noqa: F401 (names of this API)
    DELETE_MARKER_TYPE, NULL_ID, SEPARATOR, VersionsListing, invert, split_version_name,
    uninvert, version_name)

CLIENT_HEADER = "X-Versions-Enabled"
SYSMETA_ENABLED = "X-Container-Sysmeta-Versions-Enabled"
SYSMETA_LOCATION = "X-Container-Sysmeta-Versions-Container"
VERSION_ID_SYSMETA = "X-Object-Sysmeta-Versions-Id"
#: set when versioning is first enabled on a container by this version of
#: the middleware: every versioned write in it lists its id
#: (``listing.VERSION_ID_PARAM``), so ``?versions`` needs no HEAD per row
SYSMETA_IDS_LISTED = "X-Container-Sysmeta-Versions-Ids-Listed"
VERSION_ID_HEADER = "X-Object-Version-Id"
VERSIONS_PREFIX = ".versions-"

SOURCE = "OV"
WsgiApp = Callable[..., Any]
#: HEADs in flight at once for the version ids of a ?versions page
ID_HEADS = 8
_ID_KEY = "_objstore_version_id"


#: where a container first versioned now keeps its versions (containers
#: versioned before reserved names were used keep their
#: ``.versions-<container>``, named in their sysmeta)
versions_container = reserved_versions_container


def valid_version_id(value: str) -> bool:
    if value == NULL_ID:
        return True
    try:
        Timestamp(value)
    except ValueError:
        return False
    return True


def _wants_json(fmt: Optional[str], accept: Optional[str]) -> bool:
    """``?versions`` listings are JSON only: a request for another format
    is 406, as Swift."""
    if fmt:
        return fmt.lower() == "json"
    if not accept:
        return True
    accept = accept.lower()
    return "json" in accept or "*/*" in accept


def _plain(status: int, text: str) -> Response:
    return swift_error(status, text, content_type=PLAIN)


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


def _strip_id_param(content_type: str) -> str:
    """``content_type`` without the listed version id parameter."""
    return ";".join(part for part in content_type.split(";")
                    if not part.strip().startswith(listing.VERSION_ID_PARAM + "="))


def _links_for_ids(resp: Response, account: str, container: str) -> None:
    """A plain JSON listing of a versioned container as Swift's shows it: a
    row whose id is listed names its version as Swift's version symlink
    does (``symlink_path`` to ``?version-id=<id>``, ``version_symlink``)
    instead of the ``version_id`` it carries for ``?versions``; a ``null``
    version is a plain row."""
    if not resp.content_type.startswith(listing.JSON_TYPE) or b'"version_id"' not in resp.body:
        return
    rows = json.loads(resp.body)
    for row in rows:
        version_id = row.pop("version_id", None)
        if version_id is not None and "name" in row:
            row["symlink_path"] = "/v1/%s/%s/%s?version-id=%s" % (
                quote(account), quote(container), quote(row["name"]), version_id)
            row["version_symlink"] = True
    resp.body = json.dumps(rows).encode("utf-8")



class ObjectVersioning:
    """Keep every version of the objects of a versioned container (its
    archive copies and other subrequests are ``common.versions``')."""

    def __init__(self, app: WsgiApp, conf: Dict[str, str]) -> None:
        self.app = app
        self.conf = conf
        self.client = VersionsClient(app, SOURCE, reserved=True)
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
                return self._account_listing(env, account)(env, start_response)
            return self.app(env, start_response)
        if obj is None:
            return self._container(env, start_response, account, container)
        return self._object(env, start_response, account, container, obj)

    # -- account listings -------------------------------------------------

    def _account_listing(self, env: Dict[str, Any], account: str) -> Response:
        """The account's JSON listing without the versions containers this
        middleware keeps (Swift hides its own with reserved names); a page
        they thinned is filled from what follows, so paging by the last
        name still works."""
        resp = Request(env.copy()).get_response(self.app)
        if resp.status_int != 200 or not resp.content_type.startswith(listing.JSON_TYPE):
            return resp
        query = listing.query_params(env.get("QUERY_STRING", ""))
        limit = listing.parse_limit(query.get("limit"), 10 ** 9) or \
            constraints.LIMITS["account_listing_limit"]
        page = json.loads(resp.body or b"[]")
        visible = [r for r in page if not self._hidden(env, account, r)]
        if len(visible) == len(page):
            return resp
        while len(page) >= limit and len(visible) < limit:
            last = page[-1].get("name") or page[-1].get("subdir", "")
            more = self.client.request(env, "GET", "/v1/%s" % account, query=urlencode(
                dict(query, marker=last, limit=str(limit), format="json")))
            page = json.loads(more.body or b"[]") if more.status_int == 200 else []
            visible += [r for r in page if not self._hidden(env, account, r)]
        resp.body = json.dumps(visible[:limit]).encode("utf-8")
        return resp

    def _hidden(self, env: Dict[str, Any], account: str, row: Dict[str, Any]) -> bool:
        """Whether ``row`` is the versions container of a container in
        ``account`` (one cached container info per such name)."""
        name = row.get("name") or ""
        if not name.startswith(VERSIONS_PREFIX):
            return False
        info = get_container_info(env, self.app, account, name[len(VERSIONS_PREFIX):])
        return stored_location((info.get("sysmeta") or {}).get("versions-container")) == name

    # -- containers -------------------------------------------------------

    def _container(self, env: Dict[str, Any], start_response: Callable[..., Any],
                   account: str, container: str) -> Iterable[bytes]:
        method = env["REQUEST_METHOD"]
        given = env.pop("HTTP_" + CLIENT_HEADER.upper().replace("-", "_"), None)
        if given is not None and method in ("PUT", "POST"):
            enabled = config_true_value(given)
            if enabled and len(versions_container(container).encode("utf-8")) > \
                    constraints.MAX_CONTAINER_NAME_LENGTH:
                return _plain(400, "Container name too long to be versioned: its "
                                   "versions container would be longer than %d bytes"
                              % constraints.MAX_CONTAINER_NAME_LENGTH)(env, start_response)
            if enabled and self._legacy(env, account, container):
                return _plain(400, "Cannot enable object versioning on a container that "
                                   "is already using the legacy versioned writes "
                                   "feature.")(env, start_response)
            env["HTTP_" + SYSMETA_ENABLED.upper().replace("-", "_")] = str(enabled)
            _info, known = self._enabled(env, account, container)
            location = known or versions_container(container)
            if enabled:
                env["HTTP_" + SYSMETA_LOCATION.upper().replace("-", "_")] = \
                    location_to_store(location)
                if known is None:
                    env["HTTP_" + SYSMETA_IDS_LISTED.upper().replace("-", "_")] = "1"
            clear_info_cache(env, account, container)
            resp = Request(env).get_response(self.app)
            if enabled and 200 <= resp.status_int < 300:
                # only once the client's own write was allowed and done
                made = self._make_versions_container(env, account, location)
                if made is not None:
                    return made(env, start_response)
            return resp(env, start_response)
        if method == "DELETE":
            return self._delete_container(env, account, container)(env, start_response)
        query = dict(parse_qsl(env.get("QUERY_STRING", ""), keep_blank_values=True))
        if method == "GET" and "versions" in query:
            return self._versions_listing(env, account, container, query)(env, start_response)
        resp = Request(env).get_response(self.app)
        if method in ("GET", "HEAD") and 200 <= resp.status_int < 300:
            sysmeta = {k.lower(): v for k, v in resp.headers.items()}
            location = stored_location(sysmeta.get(SYSMETA_LOCATION.lower()))
            self._container_headers(env, resp, account, location)
            if method == "GET" and location is not None:
                _links_for_ids(resp, account, container)
        else:
            resp.headers.pop(SYSMETA_ENABLED, None)
            resp.headers.pop(SYSMETA_LOCATION, None)
        resp.headers.pop(SYSMETA_IDS_LISTED, None)
        return resp(env, start_response)

    def _legacy(self, env: Dict[str, Any], account: str, container: str) -> bool:
        """Whether the container (as it is, or as this request sets it)
        uses X-Versions-Location / X-History-Location."""
        if env.get("HTTP_X_VERSIONS_LOCATION") or env.get("HTTP_X_HISTORY_LOCATION"):
            return True
        info = get_container_info(env, self.app, account, container)
        return 200 <= info.get("status", 0) < 300 and bool(
            info.get("versions") or info.get("history"))

    def _make_versions_container(self, env: Dict[str, Any], account: str,
                                 location: str) -> Optional[Response]:
        made = self.client.request(env, "PUT", "/v1/%s/%s" % (account, location))
        close_response(made)
        return None if 200 <= made.status_int < 300 else made

    def _delete_container(self, env: Dict[str, Any], account: str, container: str
                          ) -> Response:
        """409 while versions are kept; the versions container goes with
        the container."""
        _info, location = self._enabled(env, account, container)
        if location is None:
            return Request(env).get_response(self.app)
        check = env.get("swift.authorize")
        denied = check(Request(env)) if check is not None else None
        if denied is not None:
            return denied
        path = "/v1/%s/%s" % (account, location)
        head = self.client.request(env, "HEAD", path)
        close_response(head)
        if head.status_int // 100 == 2 and head.headers.get("X-Container-Object-Count",
                                                             "0") != "0":
            return swift_error(409, "Delete all versions before deleting container.")
        resp = Request(env).get_response(self.app)
        if 200 <= resp.status_int < 300:
            close_response(self.client.request(env, "DELETE", path))
        return resp

    def _enabled(self, env: Dict[str, Any], account: str, container: str
                 ) -> Tuple[Dict[str, Any], Optional[str]]:
        """The container's info and its versions container, if versioned
        (enabled now, or once: suspended containers keep their versions)."""
        info = get_container_info(env, self.app, account, container)
        sysmeta = info.get("sysmeta") or {}
        return info, stored_location(sysmeta.get("versions-container"))

    # -- objects ----------------------------------------------------------

    def _object(self, env: Dict[str, Any], start_response: Callable[..., Any],
                account: str, container: str, obj: str) -> Iterable[bytes]:
        method = env["REQUEST_METHOD"]
        query = dict(parse_qsl(env.get("QUERY_STRING", ""), keep_blank_values=True))
        version_id = query.get("version-id")
        if method == "PUT":
            # a copy carries its source's id: the version id is set here only
            env.pop("HTTP_" + VERSION_ID_SYSMETA.upper().replace("-", "_"), None)
            if version_id is not None and env.get("CONTENT_LENGTH") not in (None, "", "0"):
                return _plain(400, "PUT version-id requests require a zero byte body")(
                    env, start_response)
        if method == "POST" and version_id is not None:
            return swift_error(400, "POST to a specific version is not allowed")(
                env, start_response)
        if version_id is None and method not in ("PUT", "GET", "HEAD", "DELETE"):
            return self.app(env, start_response)
        info, location = self._enabled(env, account, container)
        if version_id is not None and method != "PUT":
            if not valid_version_id(version_id):
                return swift_error(400, "Invalid version parameter")(env, start_response)
            if location is None:
                return _plain(400, "version-aware operations require that the "
                                   "container is versioned")(env, start_response)
            if method in ("GET", "HEAD"):
                denied = authorize(env, info, "read_acl")
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

    @staticmethod
    def _list_id(env: Dict[str, Any], obj: str, version_id: Optional[str]) -> Optional[Response]:
        """Put the version id a PUT writes into its Content-Type (as
        ``listing.VERSION_ID_PARAM``), so the container lists it; none for a
        ``null`` version. A parameter of that name the writer sent goes;
        a client's own ``swift_*`` parameter is refused as the proxy would
        (the proxy lets this one through)."""
        given = env.get("CONTENT_TYPE")
        if not env.get(constraints.CONTENT_TYPE_PARAMS_ENV):
            refused = constraints.check_content_type_params(given)
            if refused:
                return swift_error(400, refused)
        if not given and version_id is None:
            return None
        ctype = constraints.content_type_for(
            {"Content-Type": given or "", "X-Detect-Content-Type":
             env.pop("HTTP_X_DETECT_CONTENT_TYPE", "")}, obj)
        ctype = _strip_id_param(ctype)
        if version_id is not None:
            ctype += ";%s=%s" % (listing.VERSION_ID_PARAM, version_id)
            env[constraints.CONTENT_TYPE_PARAMS_ENV] = True
        env["CONTENT_TYPE"] = ctype
        return None

    @staticmethod
    def _stored_id(headers: Any) -> str:
        return headers.get(VERSION_ID_SYSMETA) or NULL_ID

    def _show_id(self, resp: Response, account: str, container: str, obj: str,
                 location: bool = True) -> None:
        if "Content-Type" in resp.headers and listing.VERSION_ID_PARAM in \
                resp.headers["Content-Type"]:
            resp.headers["Content-Type"] = _strip_id_param(resp.headers["Content-Type"])
        if not 200 <= resp.status_int < 300:
            return
        version_id = self._stored_id(resp.headers)
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
        bad = self._archive(env, account, container, obj, location, info, enabled)
        if bad is not None or not enabled:
            return bad or Request(env).get_response(self.app)
        env["HTTP_X_TIMESTAMP"] = now.internal
        env["HTTP_" + VERSION_ID_SYSMETA.upper().replace("-", "_")] = now.normal
        resp = Request(env).get_response(self.app)
        if 200 <= resp.status_int < 300:
            resp.headers[VERSION_ID_HEADER] = now.normal
        return resp

    def _archive(self, env: Dict[str, Any], account: str, container: str, obj: str,
                 location: str, info: Dict[str, Any], enabled: bool = True
                 ) -> Optional[Response]:
        """The client's write authorized, copy the current version (if any;
        while suspended only one with a version id) into the versions
        container; ``None``, or the error to answer."""
        denied = authorize(env, info)
        if denied is not None:
            return denied
        head = self.client.request(env, "HEAD", "/v1/%s/%s/%s" % (account, container, obj),
                             headers={"X-Newest": "true"})
        if head.status_int == 404:
            return None
        if not 200 <= head.status_int < 300:
            return head
        if not enabled and not head.headers.get(VERSION_ID_SYSMETA):
            return None
        written = Timestamp(head.headers.get("X-Timestamp") or "0")
        # written before versioning: archived under its write time and
        # labelled with that id from now on
        version_id = head.headers.get(VERSION_ID_SYSMETA) or written.normal
        for attempt in (1, 2):
            resp = self.client.copy(env, account, (container, obj),
                              (location, version_name(obj, version_id)), written.internal)
            close_response(resp)
            if 200 <= resp.status_int < 300:
                # the current version, lock included, is kept now: a lock on
                # it no longer stops replacing or deleting it at its name
                env["HTTP_" + object_lock.BYPASS.upper().replace("-", "_")] = \
                    object_lock.BYPASS_ARCHIVED
                return None
            if resp.status_int != 404:
                return resp
            gone = self.client.request(env, "HEAD", "/v1/%s/%s" % (account, location))
            close_response(gone)
            if gone.status_int != 404 or attempt == 2:
                return None  # the current version went away meanwhile
            made = self._make_versions_container(env, account, location)
            if made is not None:
                return made
        return None

    def _delete(self, env: Dict[str, Any], account: str, container: str, obj: str,
                location: str, info: Dict[str, Any], enabled: bool) -> Response:
        """DELETE: keep the current version, leave a delete marker (the
        newest version, listed), then delete the object. Suspended: no
        marker, and a ``null`` current version is not kept."""
        now = _write_time(env)
        if now is None:
            return Request(env).get_response(self.app)  # the proxy's 400
        bad = self._archive(env, account, container, obj, location, info, enabled)
        if bad is not None or not enabled:
            return bad or Request(env).get_response(self.app)
        marker = self.client.request(env, "PUT", "/v1/%s/%s/%s" % (
            account, location, version_name(obj, now.normal)),
            {"Content-Type": DELETE_MARKER_TYPE, "X-Timestamp": now.internal})
        close_response(marker)
        if not 200 <= marker.status_int < 300:
            return marker
        resp = Request(env).get_response(self.app)
        resp.headers[VERSION_ID_HEADER] = now.normal
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
        denied = authorize(env, info)
        if denied is not None:
            return denied
        path = "/v1/%s/%s/%s" % (account, container, obj)
        head = self.client.request(env, "HEAD", path, headers={"X-Newest": "true"})
        close_response(head)
        current = self._stored_id(head.headers) if head.status_int == 200 else None
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
        else the archived one."""
        env["QUERY_STRING"] = ""
        current = Request(env.copy()).get_response(self.app)
        if 200 <= current.status_int < 300 and self._stored_id(current.headers) == version_id:
            self._show_id(current, account, container, obj, location=False)
            return current
        close_response(current)
        if version_id == NULL_ID:
            return swift_error(404)
        resp = self.client.request(env, env["REQUEST_METHOD"], "/v1/%s/%s/%s" % (
            account, location, version_name(obj, version_id)),
            headers={k[5:].replace("_", "-"): v for k, v in env.items()
                     if k in ("HTTP_RANGE", "HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH")})
        if resp.status_int == 404:
            close_response(resp)
            return swift_error(404)
        if resp.headers.get("Content-Type") == DELETE_MARKER_TYPE:
            close_response(resp)
            gone = swift_error(404)
            gone.headers[VERSION_ID_HEADER] = version_id
            return gone
        resp.headers[VERSION_ID_HEADER] = version_id
        if listing.VERSION_ID_PARAM in resp.headers.get("Content-Type", ""):
            resp.headers["Content-Type"] = _strip_id_param(resp.headers["Content-Type"])
        return resp

    # -- ?versions listings -----------------------------------------------

    def _row_id(self, env: Dict[str, Any], account: str, container: str,
                row: Dict[str, Any], listed: bool) -> str:
        """The version id of a current object: the one its row lists; none
        is ``null`` where every versioned write lists its id (``listed``),
        else a HEAD (containers versioned before ids were listed)."""
        if "version_id" in row or listed:
            return row.get("version_id") or NULL_ID
        head = self.client.request(env, "HEAD", "/v1/%s/%s/%s" % (account, container, row["name"]))
        close_response(head)
        return self._stored_id(head.headers) if head.status_int == 200 else NULL_ID

    def _versions_listing(self, env: Dict[str, Any], account: str, container: str,
                          query: Dict[str, str]) -> Response:
        info, location = self._enabled(env, account, container)
        if not 200 <= info.get("status", 0) < 300:
            return Request(env).get_response(self.app)
        denied = authorize(env, info, "read_acl")
        if denied is not None:
            return denied
        if not _wants_json(query.get("format"), env.get("HTTP_ACCEPT")):
            return swift_error(406)
        try:
            params = listing.parse_listing_params(listing.query_params(
                env.get("QUERY_STRING", "")), constraints.LIMITS["container_listing_limit"])
        except listing.ListingParamError as err:
            return swift_error(err.status, str(err),
                               content_type=PLAIN if err.status == 400 else None)
        listed = bool((info.get("sysmeta") or {}).get("versions-ids-listed"))
        marker, version_marker = query.get("marker", ""), query.get("version_marker", "")
        if version_marker and not marker:
            return swift_error(400, "version_marker param requires marker")
        if version_marker and not valid_version_id(version_marker):
            return swift_error(400, "invalid version_marker param")

        first: List[Response] = []  # the container's headers come from its first page

        def fetch(kind: str, page_query: Dict[str, str]) -> Optional[List[Dict[str, Any]]]:
            path = "/v1/%s/%s" % (account, container if kind == "current" else location)
            resp = self.client.request(env, "GET", path, query=urlencode(
                dict(page_query, format="json")))
            if resp.status_int != 200:
                close_response(resp)
                return None
            page = json.loads(resp.body or b"[]")
            if kind == "current":
                if not first:
                    first.append(resp)
                # the ids of a page's objects: listed, or (containers
                # versioned before they were) asked for side by side
                pool = concurrency.GreenPool(ID_HEADS)
                named = [row for row in page if "name" in row]
                for row, version_id in zip(named, pool.imap(
                        lambda row: self._row_id(env, account, container, row, listed),
                        named)):
                    row[_ID_KEY] = version_id
            for row in page:  # each answer row gets its id last, as Swift's
                row.pop("version_id", None)
            return page
        rows = list(islice(VersionsListing(fetch, lambda row: row.pop(_ID_KEY, NULL_ID),
                                           query, location is not None, params.limit),
                           params.limit))
        if not first:  # limit=0 reads nothing: the headers still come
            fetch("current", {"limit": "0"})
        resp = Response(status=200, body=json.dumps(rows).encode("utf-8"))
        for key, value in first[0].headers.items() if first else ():
            if key.lower() not in ("content-length", "content-type", "vary"):
                resp.headers[key] = value
        resp.headers["Content-Type"] = "application/json; charset=utf-8"
        self._container_headers(env, resp, account, location)
        return resp

    def _container_headers(self, env: Dict[str, Any], resp: Response, account: str,
                           location: Optional[str]) -> None:
        """A versioned container as a client sees it: ``X-Versions-Enabled``
        for the sysmeta, and its bytes counting every kept version (as
        Swift's, whose versions all live in its versions container)."""
        value = resp.headers.pop(SYSMETA_ENABLED, None)
        resp.headers.pop(SYSMETA_LOCATION, None)
        if value is not None:
            resp.headers[CLIENT_HEADER] = str(config_true_value(value))
        if location is None or "X-Container-Bytes-Used" not in resp.headers:
            return
        kept = self.client.request(env, "HEAD", "/v1/%s/%s" % (account, location))
        close_response(kept)
        used = kept.headers.get("X-Container-Bytes-Used", "0")
        if 200 <= kept.status_int < 300 and used.isdigit():
            resp.headers["X-Container-Bytes-Used"] = str(
                int(resp.headers["X-Container-Bytes-Used"]) + int(used))


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: ObjectVersioning(app, conf)
