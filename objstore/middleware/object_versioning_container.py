"""Object versioning, the container side: enabling and suspending, the
``?versions`` listing, and how a versioned container and its account look.

``object_versioning.py`` is the middleware (and keeps the objects' side:
archiving on PUT/DELETE, reads and deletes by version id); it hands every
account and container request here. The names a container keeps its
state under live here, since both halves read them.

* ``X-Versions-Enabled`` on container PUT/POST is kept as sysmeta; the
  first enabling creates the versions container (a reserved name, see
  ``common/reserved.py``) and records that every versioned write lists its
  id. HEAD/GET show ``X-Versions-Enabled`` and count the kept versions'
  bytes; a plain JSON listing names each row's version as Swift's version
  symlinks do.
* A container still keeping versions is not deleted (409); its versions
  container goes with it.
* ``?versions``: every version, newest first per object, with
  ``version_id`` and ``is_latest``; read a page at a time from both
  containers and merged (``common/versions_listing.py``).
* An account listing leaves out the ``.versions-<container>`` containers of
  containers versioned before reserved names were used.
"""

from __future__ import annotations

import json
from itertools import islice
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qsl, quote, urlencode

from webob import Request, Response

from objstore.common import concurrency, constraints
from objstore.common.config import config_true_value
from objstore.common.http import listing
from objstore.common.http.errors import PLAIN, swift_error
from objstore.common.info import clear_info_cache, get_container_info
from objstore.common.subrequest import close_response
from objstore.common.timestamp import Timestamp
from objstore.common.versions import (SYSMETA_LOCATION, VERSION_ID_SYSMETA, VersionsClient,
                                      authorize, location_to_store,
                                      reserved_versions_container, stored_location)
from objstore.common.versions_listing import NULL_ID, VersionsListing

CLIENT_HEADER = "X-Versions-Enabled"
SYSMETA_ENABLED = "X-Container-Sysmeta-Versions-Enabled"
#: set when versioning is first enabled on a container by this version of
#: the middleware: every versioned write in it lists its id
#: (``listing.VERSION_ID_PARAM``), so ``?versions`` needs no HEAD per row
SYSMETA_IDS_LISTED = "X-Container-Sysmeta-Versions-Ids-Listed"
VERSION_ID_HEADER = "X-Object-Version-Id"
VERSIONS_PREFIX = ".versions-"
# how such a name shows in a JSON listing (json.dumps escapes none of it)
_PREFIX_IN_JSON = ('"%s' % VERSIONS_PREFIX).encode("ascii")
#: HEADs in flight at once for the version ids of a ?versions page
ID_HEADS = 8
_ID_KEY = "_objstore_version_id"


#: where a container first versioned now keeps its versions (containers
#: versioned before reserved names were used keep their
#: ``.versions-<container>``, named in their sysmeta)
versions_container = reserved_versions_container


def valid_version_id(value: str) -> bool:
    """Whether ``value`` can name a version: ``null`` or a timestamp."""
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


def plain(status: int, text: str) -> Response:
    """A Swift error answer with a text/plain body."""
    return swift_error(status, text, content_type=PLAIN)


def stored_id(headers: Any) -> str:
    """The version id an object's headers carry (``null`` for none)."""
    return headers.get(VERSION_ID_SYSMETA) or NULL_ID


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


class ContainerVersioning:
    """The account and container requests of ``ObjectVersioning``."""

    def __init__(self, app: Callable[..., Any], client: VersionsClient) -> None:
        self.app = app
        self.client = client

    def account_listing(self, env: Dict[str, Any], account: str) -> Response:
        """The account's JSON listing without the versions containers this
        middleware keeps (Swift hides its own with reserved names); a page
        they thinned is filled from what follows, so paging by the last
        name still works."""
        resp = Request(env.copy()).get_response(self.app)
        if resp.status_int != 200 or not resp.content_type.startswith(listing.JSON_TYPE) \
                or _PREFIX_IN_JSON not in resp.body:
            return resp  # (a page naming no legacy versions container: nothing to hide)
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

    def handle(self, env: Dict[str, Any], start_response: Callable[..., Any],
               account: str, container: str) -> Iterable[bytes]:
        """A container request (``?versions`` listings included)."""
        method = env["REQUEST_METHOD"]
        given = env.pop("HTTP_" + CLIENT_HEADER.upper().replace("-", "_"), None)
        if given is not None and method in ("PUT", "POST"):
            enabled = config_true_value(given)
            if enabled and len(versions_container(container).encode("utf-8")) > \
                    constraints.MAX_CONTAINER_NAME_LENGTH:
                return plain(400, "Container name too long to be versioned: its "
                                   "versions container would be longer than %d bytes"
                              % constraints.MAX_CONTAINER_NAME_LENGTH)(env, start_response)
            if enabled and self._legacy(env, account, container):
                return plain(400, "Cannot enable object versioning on a container that "
                                   "is already using the legacy versioned writes "
                                   "feature.")(env, start_response)
            env["HTTP_" + SYSMETA_ENABLED.upper().replace("-", "_")] = str(enabled)
            _info, known = self.enabled(env, account, container)
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
                made = self.make_versions_container(env, account, location)
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

    def make_versions_container(self, env: Dict[str, Any], account: str,
                                 location: str) -> Optional[Response]:
        made = self.client.request(env, "PUT", "/v1/%s/%s" % (account, location))
        close_response(made)
        return None if 200 <= made.status_int < 300 else made

    def _delete_container(self, env: Dict[str, Any], account: str, container: str
                          ) -> Response:
        """409 while versions are kept; the versions container goes with
        the container."""
        _info, location = self.enabled(env, account, container)
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

    def enabled(self, env: Dict[str, Any], account: str, container: str
                 ) -> Tuple[Dict[str, Any], Optional[str]]:
        """The container's info and its versions container, if versioned
        (enabled now, or once: suspended containers keep their versions)."""
        info = get_container_info(env, self.app, account, container)
        sysmeta = info.get("sysmeta") or {}
        return info, stored_location(sysmeta.get("versions-container"))


    def _row_id(self, env: Dict[str, Any], account: str, container: str,
                row: Dict[str, Any], listed: bool) -> str:
        """The version id of a current object: the one its row lists; none
        is ``null`` where every versioned write lists its id (``listed``),
        else a HEAD (containers versioned before ids were listed)."""
        if "version_id" in row or listed:
            return row.get("version_id") or NULL_ID
        head = self.client.request(env, "HEAD", "/v1/%s/%s/%s" % (account, container, row["name"]))
        close_response(head)
        return stored_id(head.headers) if head.status_int == 200 else NULL_ID

    def _versions_listing(self, env: Dict[str, Any], account: str, container: str,
                          query: Dict[str, str]) -> Response:
        info, location = self.enabled(env, account, container)
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

