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

As with Swift, the client's request is first authorized against the
versioned container (its write ACL); the archive reads and writes that
follow are then made by the middleware itself, pre-authorized, so a user
allowed to write the container needs no ACL on the archive container.
This middleware sits after ``slo`` and ``dlo``, so a large object's
version is its manifest (stored object and metadata as they are), which
keeps an archived version a working large object. Bodies stream through
in bounded memory and archive listings are read a page at a time.

Other middlewares that manage versions themselves (s3api) set
``env[BYPASS_ENV]`` on their own subrequests to write without archiving.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Tuple
from urllib.parse import parse_qsl, unquote

from webob import Response

from objstore.common.http.errors import HTML, PLAIN, swift_error
from objstore.common import object_lock, registry
from objstore.common.info import get_container_info
from objstore.common.http.wsgi_str import wsgi_to_str
from objstore.common.subrequest import close_response
from objstore.common.timestamp import Timestamp
from objstore.common.http.paths import split_swift_path
from objstore.common.versions import (BYPASS_ENV, DELETE_MARKER_TYPE, THE_LINK_ITSELF,
                                      VersionsClient, archive_name, archive_prefix,
                                      authorize, is_delete_marker)

VERSIONS_HEADER = "X-Versions-Location"
HISTORY_HEADER = "X-History-Location"
SOURCE = "VW"

WsgiApp = Callable[..., Any]


def _error(status: int, text: str, content_type: str = HTML) -> Response:
    return swift_error(status, text, content_type=content_type)


#: the query parameters of a PUT that still replaces the object at its
#: name, so the version there is archived first, as Swift's: an SLO
#: manifest's PUT (``multipart-manifest=put``, ``heartbeat``) and a copy
#: of a symlink as itself (``symlink=get``)
_ARCHIVING_PUT_PARAMS = frozenset(("multipart-manifest", "heartbeat", "symlink"))


def _versions_this(method: str, query: str) -> bool:
    """Whether an object ``method`` with ``query`` is versioned: any
    without a query; a DELETE whatever its query (as Swift 2.38.3's:
    ``?version-id=null``, which object versioning lets through for a
    container it does not version, restores the previous version too); a
    PUT whose parameters only say how to write."""
    if not query or method == "DELETE":
        return True
    return method == "PUT" and all(
        key in _ARCHIVING_PUT_PARAMS for key, _value in parse_qsl(query, keep_blank_values=True))


class VersionedWrites:
    """Archive old object versions into the container's versions location."""

    def __init__(self, app: WsgiApp, conf: Dict[str, str]) -> None:
        self.app = app
        self.conf = conf
        self.client = VersionsClient(app, SOURCE)
        registry.register_info("versioned_writes", allowed_flags=[VERSIONS_HEADER.lower(),
                                                                  HISTORY_HEADER.lower()])

    # -- entry ------------------------------------------------------------

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        method = env.get("REQUEST_METHOD")
        if env.get(BYPASS_ENV) or method not in ("PUT", "POST", "DELETE"):
            return self.app(env, start_response)
        target = split_swift_path(env)
        if target is None or target[1] is None:
            return self.app(env, start_response)
        account, container, obj = target
        if obj is None:
            bad = self._container_write(env)
            if bad is not None:
                return bad(env, start_response)
            return self.app(env, start_response)
        if method == "POST" or not _versions_this(method, env.get("QUERY_STRING", "")):
            return self.app(env, start_response)
        info = get_container_info(env, self.app, account, container)
        location, history = self._location(info)
        if location is None:
            return self.app(env, start_response)
        denied = authorize(env, info)
        if denied is not None:
            return denied(env, start_response)
        if method == "PUT":
            resp = self._archive_current(env, account, container, obj, location)
        elif history:
            resp = self._delete_history(env, account, container, obj, location)
        else:
            resp = self._delete_stack(env, account, container, obj, location)
        if resp is not None:
            return resp(env, start_response)
        # The current version, lock included, is now in the archive: a lock
        # on it no longer stops replacing or deleting it here.
        env["HTTP_" + object_lock.BYPASS.upper().replace("-", "_")] = \
            object_lock.BYPASS_ARCHIVED
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
            return _error(400, "Only one of x-versions-location or x-history-location "
                               "may be specified", PLAIN)
        if set_:
            name = set_[0]
            target = unquote(wsgi_to_str(given[name] or ""))
            if "/" in target.strip("/") or not target.strip("/"):
                return _error(412, "Container name cannot contain slashes")
            other = HISTORY_HEADER if name == VERSIONS_HEADER else VERSIONS_HEADER
            env["HTTP_X_REMOVE_" + other[2:].upper().replace("-", "_")] = "1"
        return None

    @staticmethod
    def _location(info: Dict[str, Any]) -> Tuple[Optional[str], bool]:
        """``(archive container, history mode?)``, or ``(None, False)``.

        From the cached container info, so a write to an unversioned
        container costs no extra backend request.
        """
        if not 200 <= info.get("status", 0) < 300:
            return None, False
        history = info.get("history")
        value = history or info.get("versions")
        if not value:
            return None, False
        # as the container server sent it: a header's bytes as latin-1
        # (raw UTF-8 a client sent stays so; a quoted name is ASCII)
        try:
            value = wsgi_to_str(value)
        except UnicodeError:
            pass
        return unquote(value).strip("/"), bool(history)

    def _pages(self, env: Dict[str, Any], account: str, location: str,
               obj: str) -> Iterator[Dict[str, Any]]:
        """The archive's entries for ``obj``, newest first, one listing page
        in memory at a time."""
        return self.client.listing(env, account, location, archive_prefix(obj), reverse=True)

    # -- the versioning itself --------------------------------------------

    def _archive_current(self, env: Dict[str, Any], account: str, container: str,
                         obj: str, location: str) -> Optional[Response]:
        """Copy the current version into the archive; ``None`` when done or
        there is nothing to keep, else the error to send instead."""
        head = self.client.request(env, "HEAD", "/v1/%s/%s/%s" % (account, container, obj),
                                   headers={"X-Newest": "true"}, query=THE_LINK_ITSELF)
        if head.status_int == 404:
            return None
        if not 200 <= head.status_int < 300:
            return head
        timestamp = head.headers.get("X-Timestamp")
        if not timestamp:
            return _error(500, "The current version of %s has no X-Timestamp; it cannot "
                          "be archived" % obj)
        resp = self.client.copy(env, account, (container, obj),
                          (location, archive_name(obj, timestamp)))
        close_response(resp)
        if resp.status_int == 404:
            if self.client.request(env, "HEAD", "/v1/%s/%s" % (account, location)).status_int \
                    != 404:
                return None  # the current version went away meanwhile: nothing to keep
            return swift_error(412)  # as Swift: the archive container is missing
        if not 200 <= resp.status_int < 300:
            return resp
        return None

    def _delete_history(self, env: Dict[str, Any], account: str, container: str,
                        obj: str, location: str) -> Optional[Response]:
        """History mode: archive, leave a delete marker, then delete. A
        DELETE of nothing leaves a marker too (and answers 404), as Swift's."""
        bad = self._archive_current(env, account, container, obj, location)
        if bad is not None:
            return bad
        given = env.get("HTTP_X_TIMESTAMP")
        when = Timestamp(given) if given else Timestamp.now()
        marker = self.client.request(env, "PUT", "/v1/%s/%s/%s" % (
            account, location, archive_name(obj, when.internal)),
            {"Content-Type": DELETE_MARKER_TYPE})
        close_response(marker)
        if not 200 <= marker.status_int < 300:
            return marker
        return None

    def _delete_stack(self, env: Dict[str, Any], account: str, container: str,
                      obj: str, location: str) -> Optional[Response]:
        """Stack mode: the newest archived version replaces the object.

        A delete marker on top (history mode, before the container switched
        modes), as Swift's: with an object at the name the DELETE just
        deletes it; with none, the version under the marker (up to the next
        marker) is restored and the DELETE takes the marker away instead."""
        rows = self._pages(env, account, location, obj)
        for row in rows:
            if is_delete_marker(row.get("content_type")):
                head = self.client.request(env, "HEAD", "/v1/%s/%s/%s" % (
                    account, container, obj), headers={"X-Newest": "true"},
                    query=THE_LINK_ITSELF)
                close_response(head)
                if head.status_int != 404:
                    return None if 200 <= head.status_int < 300 else swift_error(412)
                for older in rows:
                    if is_delete_marker(older.get("content_type")):
                        break
                    restored = self._restore(env, account, container, obj, location, older)
                    if restored is not False:
                        if restored is not None:
                            return restored
                        break
                gone = self.client.request(env, "DELETE", "/v1/%s/%s/%s" % (
                    account, location, row["name"]))
                close_response(gone)
                return swift_error(404) if gone.status_int == 404 else Response(
                    status=gone.status, headerlist=[("Content-Type", HTML),
                                                    ("Content-Length", "0")])
            restored = self._restore(env, account, container, obj, location, row)
            if restored is False:
                continue  # gone meanwhile (or a stale listing): try the next one
            return restored or Response(status=204, headerlist=[
                ("Content-Type", HTML), ("Content-Length", "0")])
        return None

    def _restore(self, env: Dict[str, Any], account: str, container: str, obj: str,
                 location: str, row: Dict[str, Any]) -> Any:
        """Copy the archived ``row`` back to the object's name and take it
        out of the archive: ``None`` once done, ``False`` when it was gone,
        else the error to answer."""
        resp = self.client.copy(env, account, (location, row["name"]), (container, obj))
        close_response(resp)
        if resp.status_int == 404:
            return False
        if not 200 <= resp.status_int < 300:
            return resp
        gone = self.client.request(env, "DELETE", "/v1/%s/%s/%s" % (account, location,
                                                              row["name"]))
        close_response(gone)
        if not (200 <= gone.status_int < 300 or gone.status_int == 404):
            return gone
        return None


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: VersionedWrites(app, conf)
