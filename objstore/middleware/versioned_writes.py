"""Object versioning for the Swift API: ``X-Versions-Location`` and
``X-History-Location`` on a container.

A container that names an archive container keeps the versions its
objects had before they were overwritten or deleted. Before an object is
overwritten (PUT) the current version is copied into the archive as
``<len of name as 3 hex digits><name>/<timestamp of that version>``; the
length prefix keeps ``a`` and ``ab`` apart in a prefix listing, and the
fixed-width timestamp makes the archive list versions oldest first.

The two modes differ only on DELETE:

* stack mode (``X-Versions-Location``): the newest archived version is
  copied back over the object and removed from the archive, so DELETE
  peels one version off; with nothing archived the object is deleted.
* history mode (``X-History-Location``): the current version is archived,
  a zero-byte delete marker (``application/x-deleted;
  swift_versions_deleted=1``) is written beside it, and the object is
  deleted; nothing is ever taken out of the archive.

Every subrequest runs through the rest of the pipeline as the client, so
the client needs write access to the archive container, as with Swift.
Other middlewares that manage versions themselves (s3api) set
``env[BYPASS_ENV]`` on their own subrequests to write without archiving.
"""

from __future__ import annotations

import io
import json
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote, unquote

from webob import Request, Response

from objstore.common import registry
from objstore.common.timestamp import Timestamp
from objstore.common.utils import split_path
from objstore.common.info import get_container_info
from objstore.common.http.wsgi_str import str_to_wsgi as _to_wsgi, wsgi_to_str as _to_str

VERSIONS_HEADER = "X-Versions-Location"
HISTORY_HEADER = "X-History-Location"
DELETE_MARKER_TYPE = "application/x-deleted;swift_versions_deleted=1"
BYPASS_ENV = "objstore.versioned_writes.bypass"
_ORIGINAL_AUTHORIZE = "objstore.original_authorize"
# Environ keys a subrequest shares with the client's request: who it is,
# the caches, and the transaction id for the logs.
_SHARED_ENV = ("swift.cache", "swift.infocache", "swift.trans_id", "objstore.local_cache",
               "REMOTE_USER", "swift.clean_acl", "reseller_request", "HTTP_X_AUTH_TOKEN",
               "HTTP_X_STORAGE_TOKEN", "HTTP_X_SERVICE_TOKEN", "SERVER_NAME", "SERVER_PORT",
               "wsgi.url_scheme", "SERVER_PROTOCOL", "HTTP_HOST", "wsgi.errors",
               "wsgi.version", "REMOTE_ADDR", "HTTP_REFERER")
LISTING_PAGE = 1000

WsgiApp = Callable[..., Any]


def archive_prefix(obj: str) -> str:
    """``<len as 3 hex digits><name>/``: the archive prefix of object ``obj``.

    The length counts UTF-8 bytes, so every client computes the same prefix.
    """
    return "%03x%s/" % (len(obj.encode("utf-8")), obj)


def archive_name(obj: str, timestamp: str) -> str:
    """Where the version of ``obj`` written at ``timestamp`` is archived."""
    return archive_prefix(obj) + Timestamp(timestamp).internal


def is_delete_marker(content_type: Optional[str]) -> bool:
    """Whether an archive entry is a history-mode delete marker."""
    return (content_type or "").split(";", 1)[0].strip() == "application/x-deleted"


def _error(status: int, text: str) -> Response:
    return Response(status=status, content_type="text/plain", charset="utf-8",
                    text=text + "\n")


class VersionedWrites:
    """Archive old object versions into the container's versions location."""

    def __init__(self, app: WsgiApp, conf: Dict[str, str]) -> None:
        self.app = app
        self.conf = conf
        registry.register_info("versioned_writes", allowed_flags=[VERSIONS_HEADER,
                                                                  HISTORY_HEADER])

    # -- entry ------------------------------------------------------------

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        method = env.get("REQUEST_METHOD")
        if env.get(BYPASS_ENV) or method not in ("PUT", "POST", "DELETE"):
            return self.app(env, start_response)
        try:
            version, account, container, obj = split_path(
                _to_str(env.get("PATH_INFO", "")), 1, 4, True)
        except (ValueError, UnicodeDecodeError):
            return self.app(env, start_response)
        if not container or version != "v1":
            return self.app(env, start_response)
        if obj is None:
            bad = self._container_write(env)
            if bad is not None:
                return bad(env, start_response)
            return self.app(env, start_response)
        if method == "POST" or env.get("QUERY_STRING"):
            return self.app(env, start_response)
        location, history = self._location(env, account, container)
        if location is None:
            return self.app(env, start_response)
        if method == "PUT":
            resp = self._archive_current(env, account, container, obj, location)
        elif history:
            resp = self._delete_history(env, account, container, obj, location)
        else:
            resp = self._delete_stack(env, account, container, obj, location)
        if resp is not None:
            return resp(env, start_response)
        return self.app(env, start_response)

    # -- containers -------------------------------------------------------

    @staticmethod
    def _container_write(env: Dict[str, Any]) -> Optional[Response]:
        """Check the location headers; setting one mode clears the other."""
        if env.get("REQUEST_METHOD") not in ("PUT", "POST"):
            return None
        given = {name: env.get("HTTP_" + name.upper().replace("-", "_"))
                 for name in (VERSIONS_HEADER, HISTORY_HEADER)}
        set_ = [name for name, value in given.items() if value]
        if len(set_) > 1:
            return _error(400, "Give only one of %s (stack mode) and %s (history mode)"
                          % (VERSIONS_HEADER, HISTORY_HEADER))
        if set_:
            name = set_[0]
            target = unquote(_to_str(given[name] or ""))
            if "/" in target.strip("/") or not target.strip("/"):
                return _error(400, "%s must name a container in this account, without '/'"
                              % name)
            other = HISTORY_HEADER if name == VERSIONS_HEADER else VERSIONS_HEADER
            env["HTTP_X_REMOVE_" + other[2:].upper().replace("-", "_")] = "1"
        return None

    def _location(self, env: Dict[str, Any], account: str,
                  container: str) -> Tuple[Optional[str], bool]:
        """``(archive container, history mode?)`` of ``container``, or ``(None, False)``.

        From the proxy's cached container info, so a write to an unversioned
        container costs no extra backend request.
        """
        info = get_container_info(env, self.app, account, container)
        if not 200 <= info.get("status", 0) < 300:
            return None, False
        history = info.get("history")
        value = history or info.get("versions")
        if not value:
            return None, False
        return unquote(value).strip("/"), bool(history)

    # -- subrequests ------------------------------------------------------

    @staticmethod
    def _sub_env(env: Dict[str, Any], method: str, path: str,
                 query: str = "") -> Dict[str, Any]:
        sub = {key: env[key] for key in _SHARED_ENV if key in env}
        authorize = env.get(_ORIGINAL_AUTHORIZE, env.get("swift.authorize"))
        if authorize is not None:
            sub["swift.authorize"] = authorize
        sub.update({"REQUEST_METHOD": method, "PATH_INFO": _to_wsgi(path),
                    "SCRIPT_NAME": "", "QUERY_STRING": query, "wsgi.input": io.BytesIO(b""),
                    "swift.source": "VW", BYPASS_ENV: True})
        if method in ("PUT", "POST"):
            sub["CONTENT_LENGTH"] = "0"
        return sub

    def _request(self, env: Dict[str, Any], method: str, path: str,
                 headers: Optional[Dict[str, str]] = None, query: str = "") -> Response:
        sub = self._sub_env(env, method, path, query)
        req = Request(sub)
        for name, value in (headers or {}).items():
            req.headers[name] = value
        return req.get_response(self.app)

    def _copy(self, env: Dict[str, Any], account: str, src: Tuple[str, str],
              dst: Tuple[str, str], extra: Optional[Dict[str, str]] = None) -> Response:
        """Server-side copy ``src`` -> ``dst`` (both ``(container, object)``)."""
        headers = {"X-Copy-From": quote("/%s/%s" % src)}
        headers.update(extra or {})
        return self._request(env, "PUT", "/v1/%s/%s/%s" % ((account,) + dst), headers)

    def _head(self, env: Dict[str, Any], account: str, container: str,
              obj: str) -> Response:
        return self._request(env, "HEAD", "/v1/%s/%s/%s" % (account, container, obj))

    def list_versions(self, env: Dict[str, Any], account: str, location: str,
                      obj: str, newest_first: bool = True) -> List[Dict[str, Any]]:
        """The archive's entries for ``obj`` (JSON listing rows)."""
        prefix = archive_prefix(obj)
        rows: List[Dict[str, Any]] = []
        marker = ""
        while True:
            query = [("format", "json"), ("prefix", prefix), ("limit", str(LISTING_PAGE))]
            if newest_first:
                query.append(("reverse", "on"))
            if marker:
                query.append(("marker", marker))
            resp = self._request(env, "GET", "/v1/%s/%s" % (account, location),
                                 query="&".join("%s=%s" % (k, quote(v, safe=""))
                                                for k, v in query))
            if resp.status_int != 200:
                return rows
            page = json.loads(resp.body or b"[]")
            rows.extend(page)
            if len(page) < LISTING_PAGE:
                return rows
            marker = page[-1]["name"]

    # -- the versioning itself --------------------------------------------

    def _archive_current(self, env: Dict[str, Any], account: str, container: str,
                         obj: str, location: str) -> Optional[Response]:
        """Copy the current version into the archive; ``None`` when done or
        there is nothing to keep, else the error to send instead."""
        head = self._head(env, account, container, obj)
        if head.status_int == 404:
            return None
        if not 200 <= head.status_int < 300:
            return head
        timestamp = head.headers.get("X-Timestamp")
        if not timestamp:
            return _error(500, "The current version of %s has no X-Timestamp; it cannot "
                          "be archived" % obj)
        # A copy drops transient sysmeta (ACLs, tags); the archive keeps them.
        extra = {k: v for k, v in head.headers.items()
                 if k.lower().startswith("x-object-transient-sysmeta-")}
        resp = self._copy(env, account, (container, obj),
                          (location, archive_name(obj, timestamp)), extra)
        if resp.status_int == 404:
            if self._request(env, "HEAD", "/v1/%s/%s" % (account, location)).status_int \
                    != 404:
                return None  # the current version went away meanwhile: nothing to keep
            return _error(412, "The versions container %s does not exist; create it or "
                          "remove the container's %s/%s" % (location, VERSIONS_HEADER,
                                                            HISTORY_HEADER))
        if not 200 <= resp.status_int < 300:
            return resp
        return None

    def _delete_history(self, env: Dict[str, Any], account: str, container: str,
                        obj: str, location: str) -> Optional[Response]:
        """History mode: archive, leave a delete marker, then delete."""
        head = self._head(env, account, container, obj)
        if head.status_int == 404:
            return None
        bad = self._archive_current(env, account, container, obj, location)
        if bad is not None:
            return bad
        given = env.get("HTTP_X_TIMESTAMP")
        when = Timestamp(given) if given else Timestamp.now()
        marker = self._request(env, "PUT", "/v1/%s/%s/%s" % (
            account, location, archive_name(obj, when.internal)),
            {"Content-Type": DELETE_MARKER_TYPE, "Content-Length": "0"})
        if not 200 <= marker.status_int < 300:
            return marker
        return None

    def _delete_stack(self, env: Dict[str, Any], account: str, container: str,
                      obj: str, location: str) -> Optional[Response]:
        """Stack mode: the newest archived version replaces the object."""
        for row in self.list_versions(env, account, location, obj):
            if is_delete_marker(row.get("content_type")):
                # Left by history mode before the container switched modes.
                continue
            resp = self._copy(env, account, (location, row["name"]), (container, obj))
            if resp.status_int == 404:
                continue  # gone meanwhile (or a stale listing): try the next one
            if not 200 <= resp.status_int < 300:
                return resp
            gone = self._request(env, "DELETE", "/v1/%s/%s/%s" % (account, location,
                                                                  row["name"]))
            if not (200 <= gone.status_int < 300 or gone.status_int == 404):
                return gone
            return Response(status=204)
        return None


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: VersionedWrites(app, conf)
