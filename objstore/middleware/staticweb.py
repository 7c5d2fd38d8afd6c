"""staticweb: a container served as a website to anonymous browsers.

Active for GET/HEAD without a token (or with ``X-Web-Mode: true``) on a
container that has any of these metadata:

* ``X-Container-Meta-Web-Index: index.html``: a path ending in ``/``
  serves ``<path>index.html``; a path without the slash that names such a
  directory is redirected (301) to the path with it, so relative links in
  the page work.
* ``X-Container-Meta-Web-Listings: true``: a directory without an index
  page is shown as an HTML listing (``-Web-Listings-CSS`` names a style
  sheet: relative to the container, or absolute if it starts with ``/``).
* ``X-Container-Meta-Web-Error: error.html``: a ``404`` or ``401`` shows
  the object ``404error.html`` / ``401error.html``, with that status.
* ``X-Container-Meta-Web-Directory-Type``: the content type of directory
  marker objects (default ``application/directory``), redirected like
  directories.

Everything is read with subrequests made as the browser, so the
container's read ACL decides (``.r:*`` for pages, ``.rlistings`` for
listings); staticweb never widens access. Listings are read a page at a
time and written out as they come.
"""

from __future__ import annotations

import html
import json
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import quote

from webob import Request

from objstore.common import registry
from objstore.common.config import config_true_value
from objstore.common.constraints import VALID_API_VERSIONS
from objstore.common.http import errors
from objstore.common.info import get_container_info
from objstore.common.subrequest import make_env
from objstore.common.utils import close_if_possible, split_path
from objstore.common.http.wsgi_str import wsgi_to_str

StartResponse = Callable[..., Any]
DEFAULT_DIRECTORY_TYPE = "application/directory"
LISTING_PAGE = 1000
MOVED_BODY = errors.default_body(301)
# Request headers a page's subrequest carries on (ranges and conditionals).
_PASSED_ON = ("Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since")
DEFAULT_STYLE = """  <style type="text/css">
   h1 {font-size: 1em; font-weight: bold;}
   th {text-align: left; padding: 0px 1em 0px 1em;}
   td {padding: 0px 1em 0px 1em;}
   a {text-decoration: none;}
  </style>
"""


class _Answer:
    """A subrequest's answer: status, headers, and its unread body."""

    def __init__(self, status: str, headers: List[Tuple[str, str]], body: Iterable[bytes]) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def code(self) -> int:
        return int(self.status[:3])

    def header(self, name: str) -> Optional[str]:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def close(self) -> None:
        close_if_possible(self.body)

    def read(self) -> bytes:
        try:
            return b"".join(self.body)
        finally:
            self.close()

    def send(self, start_response: StartResponse) -> Iterable[bytes]:
        start_response(self.status, self.headers)
        return self.body


def _call(app: Callable[..., Any], env: Dict[str, Any]) -> _Answer:
    captured: List[Any] = []

    def start(status: str, headers: List[Tuple[str, str]], _exc: Any = None) -> None:
        captured[:] = [status, headers]
    body = app(env, start)
    if not captured:  # an app that starts only when iterated
        first = next(iter(body), b"")
        rest = body
        body = _Prepend(first, rest)
    return _Answer(captured[0], list(captured[1]), body)


class _Prepend:
    def __init__(self, first: bytes, rest: Iterable[bytes]) -> None:
        self.first, self.rest = first, rest

    def __iter__(self) -> Iterator[bytes]:
        if self.first:
            yield self.first
        yield from self.rest

    def close(self) -> None:
        close_if_possible(self.rest)


def listing_row(name: str, href: str, size: str, date: str, classes: str) -> str:
    return ('   <tr class="%s">\n    <td class="colname"><a href="%s">%s</a></td>\n'
            '    <td class="colsize">%s</td>\n    <td class="coldate">%s</td>\n   </tr>\n'
            % (classes, html.escape(href, quote=True), html.escape(name), size, date))


def listing_head(path: str, css: Optional[str], depth: int, has_parent: bool) -> str:
    """The page up to the first entry."""
    title = html.escape("Listing of %s" % path)
    if css:
        href = css if css.startswith("/") else "../" * depth + css
        style = '  <link rel="stylesheet" type="text/css" href="%s" />\n' % html.escape(href, True)
    else:
        style = DEFAULT_STYLE
    out = ('<!DOCTYPE html>\n<html>\n <head>\n  <title>%s</title>\n%s </head>\n <body>\n'
           '  <h1 id="title">%s</h1>\n  <table id="listing">\n   <tr id="heading">\n'
           '    <th class="colname">Name</th>\n    <th class="colsize">Size</th>\n'
           '    <th class="coldate">Date</th>\n   </tr>\n' % (title, style, title))
    if has_parent:
        out += ('   <tr id="parent" class="item">\n    <td class="colname"><a href="../">'
                '../</a></td>\n    <td class="colsize">&nbsp;</td>\n'
                '    <td class="coldate">&nbsp;</td>\n   </tr>\n')
    return out


LISTING_TAIL = "  </table>\n </body>\n</html>\n"


def entry_row(entry: Dict[str, Any], prefix: str) -> str:
    """One listing entry (a subdir or an object) as a table row."""
    if "subdir" in entry:
        name = entry["subdir"][len(prefix):]
        return listing_row(name, "./" + quote(name), "&nbsp;", "&nbsp;", "item subdir")
    name = entry["name"][len(prefix):]
    kinds = " ".join("type-" + html.escape(p, True) for p in
                     (entry.get("content_type") or "").split(";")[0].strip().split("/") if p)
    date = str(entry.get("last_modified", ""))[:19].replace("T", " ")
    href = "./" + quote(name).replace(".", "%2E")
    return listing_row(name, href, str(entry.get("bytes", 0)), html.escape(date),
                       ("item " + kinds).strip())


class StaticWeb:
    """Serves web indexes, listings, error pages and directory redirects."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        registry.register_info("staticweb")

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if env["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return self.app(env, start_response)
        # A token the auth middleware did not accept leaves no identity:
        # the browser is anonymous (an unknown token of its own format
        # already got a 401 there).
        if env.get("REMOTE_USER") and not config_true_value(env.get("HTTP_X_WEB_MODE", "f")):
            return self.app(env, start_response)
        try:
            path = wsgi_to_str(env["PATH_INFO"])
            version, account, container, obj = split_path(path, 2, 4, True)
        except (ValueError, UnicodeError):
            return self.app(env, start_response)
        if version not in VALID_API_VERSIONS and container and not obj:
            return _no_site(env, start_response)
        if version != "v1" or not container:
            return self.app(env, start_response)
        info = get_container_info(env, self.app, account, container)
        meta = info.get("meta") or {}
        site = _Site(meta)
        if not (200 <= info["status"] < 300) or not site.active:
            return self.app(env, start_response)
        base = "/v1/%s/%s" % (account, container)
        if obj is None and not path.endswith("/"):
            return self._redirect(env, start_response, path + "/")
        obj = obj or ""
        if obj == "" or obj.endswith("/"):
            return self._directory(env, start_response, site, base, obj, path)
        return self._object(env, start_response, site, base, obj, path)

    # ----------------------------------------------------------- helpers
    def _sub(self, env: Dict[str, Any], method: str, path: str, query: str = "") -> _Answer:
        headers = {h: env["HTTP_" + h.upper().replace("-", "_")] for h in _PASSED_ON
                   if "HTTP_" + h.upper().replace("-", "_") in env}
        return _call(self.app, make_env(env, method, path, query, headers, source="SW"))

    def _redirect(self, env: Dict[str, Any], start_response: StartResponse,
                  path: str) -> Iterable[bytes]:
        host = env.get("HTTP_HOST") or "%s:%s" % (env.get("SERVER_NAME"), env.get("SERVER_PORT"))
        location = "%s://%s%s" % (env.get("wsgi.url_scheme", "http"), host, quote(path))
        start_response("301 Moved Permanently", [
            ("Content-Type", "text/html; charset=UTF-8"), ("Location", location),
            ("Content-Length", str(len(MOVED_BODY)))])
        return [b"" if env["REQUEST_METHOD"] == "HEAD" else MOVED_BODY]

    def _error(self, env: Dict[str, Any], start_response: StartResponse, site: "_Site",
               base: str, answer: _Answer) -> Iterable[bytes]:
        """``answer`` (a 4xx), or the container's error page for it."""
        if site.error and answer.code in (401, 404):
            page = self._sub(env, "GET", "%s/%d%s" % (base, answer.code, site.error))
            if 200 <= page.code < 300:
                answer.close()
                # The error page's own headers, with the error's status.
                start_response(answer.status, page.headers)
                if env["REQUEST_METHOD"] == "HEAD":
                    page.close()
                    return [b""]
                return page.body
            page.close()
        return answer.send(start_response)

    # ----------------------------------------------------------- objects
    def _object(self, env: Dict[str, Any], start_response: StartResponse, site: "_Site",
                base: str, obj: str, path: str) -> Iterable[bytes]:
        answer = _call(self.app, env)
        ctype = (answer.header("Content-Type") or "").split(";")[0].strip()
        if 200 <= answer.code < 300 and ctype == site.directory_type:
            answer.close()
            return self._redirect(env, start_response, path + "/")
        if answer.code != 404:
            if answer.code == 401:
                return self._error(env, start_response, site, base, answer)
            return answer.send(start_response)
        if self._is_directory(env, site, base, obj + "/"):
            answer.close()
            return self._redirect(env, start_response, path + "/")
        return self._error(env, start_response, site, base, answer)

    def _is_directory(self, env: Dict[str, Any], site: "_Site", base: str, prefix: str) -> bool:
        if site.index:
            head = self._sub(env, "HEAD", "%s/%s%s" % (base, prefix, site.index))
            head.close()
            if 200 <= head.code < 300:
                return True
        if site.listings:
            page = self._sub(env, "GET", base, "format=json&limit=1&prefix=%s" % quote(prefix))
            body = page.read()
            if 200 <= page.code < 300 and json.loads(body or b"[]"):
                return True
        return False

    # ------------------------------------------------------- directories
    def _directory(self, env: Dict[str, Any], start_response: StartResponse, site: "_Site",
                   base: str, prefix: str, path: str) -> Iterable[bytes]:
        method = env["REQUEST_METHOD"]
        if site.index:
            page = self._sub(env, method, "%s/%s%s" % (base, prefix, site.index))
            if 200 <= page.code < 300 or page.code in (304, 412, 416):
                if not prefix:  # the container's own page varies as its listing does
                    page.headers.append(("Vary", "Accept"))
                return page.send(start_response)
            if page.code != 404 or not site.listings:
                return self._error(env, start_response, site, base, page)
            page.close()
        if not site.listings:
            return self._error(env, start_response, site, base,
                               _Answer("404 Not Found", [("Content-Type", "text/plain"),
                                                         ("Content-Length", "10")],
                                       [b"Not Found\n"]))
        return self._listing(env, start_response, site, base, prefix, path)

    def _listing_page(self, env: Dict[str, Any], base: str, prefix: str,
                      marker: str) -> Tuple[_Answer, List[Dict[str, Any]]]:
        query = "format=json&delimiter=/&limit=%d&prefix=%s" % (LISTING_PAGE, quote(prefix))
        if marker:
            query += "&marker=%s" % quote(marker)
        answer = self._sub(env, "GET", base, query)
        if not 200 <= answer.code < 300:
            return answer, []
        return answer, json.loads(answer.read() or b"[]")

    def _listing(self, env: Dict[str, Any], start_response: StartResponse, site: "_Site",
                 base: str, prefix: str, path: str) -> Iterable[bytes]:
        answer, entries = self._listing_page(env, base, prefix, "")
        if not 200 <= answer.code < 300:
            return self._error(env, start_response, site, base, answer)
        if prefix and not entries:
            return self._error(env, start_response, site, base,
                               _Answer("404 Not Found", [("Content-Type", "text/plain"),
                                                         ("Content-Length", "10")],
                                       [b"Not Found\n"]))
        head = listing_head(path, site.css, prefix.count("/"), bool(prefix))

        def rows(first: List[Dict[str, Any]]) -> Iterator[bytes]:
            page = first
            while page:
                # Subdirectories first, then objects (as one page shows them).
                text = "".join(entry_row(e, prefix) for e in page if "subdir" in e)
                text += "".join(entry_row(e, prefix) for e in page if "subdir" not in e)
                yield text.encode("utf-8")
                if len(page) < LISTING_PAGE:
                    return
                last = page[-1]
                _a, page = self._listing_page(env, base, prefix,
                                              last.get("name") or last.get("subdir", ""))
        headers = [("Content-Type", "text/html; charset=UTF-8")]
        if not prefix:
            headers.append(("Vary", "Accept"))
        if len(entries) < LISTING_PAGE:
            body = head.encode() + b"".join(rows(entries)) + LISTING_TAIL.encode()
            headers.append(("Content-Length", str(len(body))))
            start_response("200 OK", headers)
            return [b"" if env["REQUEST_METHOD"] == "HEAD" else body]
        start_response("200 OK", headers)
        if env["REQUEST_METHOD"] == "HEAD":
            return [b""]
        return _chain([head.encode()], rows(entries), [LISTING_TAIL.encode()])


def _chain(*parts: Iterable[bytes]) -> Iterator[bytes]:
    for part in parts:
        yield from part


class _Site:
    """The container's web settings, from its metadata."""

    def __init__(self, meta: Dict[str, str]) -> None:
        self.index = (meta.get("web-index") or "").strip()
        self.error = (meta.get("web-error") or "").strip()
        self.listings = config_true_value(meta.get("web-listings") or "f")
        self.css = (meta.get("web-listings-css") or "").strip() or None
        self.directory_type = ((meta.get("web-directory-type") or "").strip()
                               or DEFAULT_DIRECTORY_TYPE)
        self.active = bool(self.index or self.error or self.listings)


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: StaticWeb(app, conf)


def _no_site(env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """A container read in web mode under a version no API has
    (``/foo/acct/cont``): no site can be there, so the browser gets the
    auth middleware's refusal (401, or 403 for a token holder in web
    mode) or, once allowed, 404 -- as Swift 2.38.3 answers, where the
    proxy's 400 for the version comes only to a request with an identity.
    """
    authorize = env.get("swift.authorize")
    denied = authorize(Request(env)) if authorize is not None else None
    if denied is None:
        denied = errors.swift_error(404)
    return denied(env, start_response)
