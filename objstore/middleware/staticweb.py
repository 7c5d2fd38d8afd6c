"""staticweb: a container served as a website to anonymous browsers.

Active for GET/HEAD without a token (or with ``X-Web-Mode: true``) on a
container whose metadata makes it a site, that is sets either of:

* ``X-Container-Meta-Web-Index: index.html``: a path ending in ``/``
  serves ``<path>index.html``; a path without the slash that names such a
  directory is redirected (301) to the path with it, so relative links in
  the page work.
* ``X-Container-Meta-Web-Listings``: ``true`` shows a directory without an
  index page as an HTML listing (``-Web-Listings-CSS`` names a style
  sheet, ``-Web-Listings-Label`` replaces ``/v1/<account>/<container>`` in
  its title); any other value still makes the container a site, whose
  directories then answer 404 "Web Listing Disabled".

On a site, ``X-Container-Meta-Web-Error: error.html`` replaces the body
of an error (``404error.html`` for a 404...) keeping its status; objects
that exist are served as they are, an error other than 404 on an object
is sent as it is. ``X-Container-Meta-Web-Directory-Type`` (default
``application/directory``) names the content type of directory markers:
such an object of at most one byte counts as missing, so its path leads
to the directory. A container that is no site is left to the API (for a
token holder in web mode: 404).

Everything is read with subrequests made as the browser, so the
container's read ACL decides: ``.r:*`` for pages, ``.rlistings`` for the
site's own directories (its root and listings, checked first);
staticweb never widens access. These rules, their order and the pages
were measured against Swift 2.38.3; where Swift answers 500 (a HEAD
whose answer would carry an error page or a refused listing, a
subdirectory's index page that answers an error) objstore answers what
the GET would, without the body (see docs/swift-differences.md).
Listings are read a page at a time and written out as they come.

A browser holding a prefix temp URL (``temp_url_prefix``; an empty one,
signed for ``prefix:/v1/<account>/<container>/``, also reaches the
container's root) is a browser too: it walks the listings the prefix
covers, each link carrying the URL's parameters, with no link up out of
the prefix. Listing pages are marked ``X-Backend-Content-Generator:
staticweb`` for tempurl, which answers a container root's link with
nothing else (as Swift 2.38.3).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs, quote

from webob import Request

from objstore.common import registry
from objstore.common.config import config_true_value
from objstore.common.constraints import VALID_API_VERSIONS
from objstore.common.http import errors
from objstore.common.info import get_container_info
from objstore.common.subrequest import make_env
from objstore.common.temp_url_marks import CONTENT_GENERATOR, STATICWEB, TEMPURL_USER
from objstore.common.utils import close_if_possible, split_path
from objstore.common.http.wsgi_str import wsgi_to_str
from objstore.middleware.staticweb_html import (LISTING_TAIL, disabled_page, entry_row,
                                                listing_head, page_title)

StartResponse = Callable[..., Any]
DEFAULT_DIRECTORY_TYPE = "application/directory"
LISTING_PAGE = 1000
# Request headers a page's subrequest carries on (ranges and conditionals).
_PASSED_ON = ("Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since")


class _Answer:
    """A subrequest's answer: status, headers, and its unread body."""

    def __init__(self, status: str, headers: List[Tuple[str, str]], body: Iterable[bytes]) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def code(self) -> int:
        return int(self.status[:3])

    @property
    def found(self) -> bool:
        """A success or a redirection (304 included): the thing exists."""
        return 200 <= self.code < 400

    def header(self, name: str) -> Optional[str]:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def close(self) -> None:
        close_if_possible(self.body)

    def read(self) -> bytes:
        try:
            return b"".join(self.body)
        finally:
            self.close()

    def send(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response(self.status, self.headers)
        if env["REQUEST_METHOD"] == "HEAD":
            self.close()
            return [b""]
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


def _own(env: Dict[str, Any], response: Any) -> _Answer:
    """An answer staticweb makes itself (a webob response), as the client's
    method would get it (a HEAD of a default page has no body)."""
    return _call(response, env)


class _Prepend:
    def __init__(self, first: bytes, rest: Iterable[bytes]) -> None:
        self.first, self.rest = first, rest

    def __iter__(self) -> Iterator[bytes]:
        if self.first:
            yield self.first
        yield from self.rest

    def close(self) -> None:
        close_if_possible(self.rest)


class _Site:
    """The container's web settings, from its metadata (none when the
    container could not be read)."""

    def __init__(self, info: Dict[str, Any]) -> None:
        raw = (info.get("meta") or {}) if 200 <= info["status"] < 300 else {}
        # Info holds metadata as it came off the wire (WSGI strings: one code
        # point a byte); the settings are the text the owner set.
        meta = {k: wsgi_to_str(v, "replace") for k, v in raw.items() if k.startswith("web-")}
        self.read_acl = info.get("read_acl")
        self.index = (meta.get("web-index") or "").strip()
        self.error = (meta.get("web-error") or "").strip()
        listings = (meta.get("web-listings") or "").strip()
        self.listings = config_true_value(listings)
        self.label = (meta.get("web-listings-label") or "").strip() or None
        self.css = (meta.get("web-listings-css") or "").strip() or None
        self.directory_type = ((meta.get("web-directory-type") or "").strip()
                               or DEFAULT_DIRECTORY_TYPE)
        # any Web-Listings value, "false" too, makes the container a site
        self.active = bool(self.index or listings)


class _Visit:
    """One browser request on one site: the answers it can get."""

    def __init__(self, app: Callable[..., Any], env: Dict[str, Any], site: _Site,
                 account: str, container: str, path: str) -> None:
        self.app, self.env, self.site, self.path = app, env, site, path
        self.base = "/v1/%s/%s" % (account, container)

    def _sub(self, method: str, path: str, query: str = "",
             conditional: bool = False) -> _Answer:
        env = self.env
        headers = {h: env["HTTP_" + h.upper().replace("-", "_")] for h in _PASSED_ON
                   if conditional and "HTTP_" + h.upper().replace("-", "_") in env}
        return _call(self.app, make_env(env, method, path, query, headers, source="SW"))

    def send(self, answer: _Answer, start_response: StartResponse) -> Iterable[bytes]:
        return answer.send(self.env, start_response)

    def redirect(self) -> _Answer:
        """301 to the path with a slash, so relative links work."""
        env = self.env
        host = env.get("HTTP_HOST") or "%s:%s" % (env.get("SERVER_NAME"), env.get("SERVER_PORT"))
        location = "%s://%s%s/" % (env.get("wsgi.url_scheme", "http"), host, quote(self.path))
        return _own(env, errors.swift_error(301, headers={"Location": location}))

    def not_found(self) -> _Answer:
        return self.error_page(_own(self.env, errors.swift_error(404)))

    def error_page(self, answer: _Answer) -> _Answer:
        """``answer`` (an error), with the body of the site's page for its
        status (``<status><Web-Error>``) when there is one to read."""
        if not self.site.error:
            return answer
        page = self._sub("GET", "%s/%d%s" % (self.base, answer.code, self.site.error))
        if not 200 <= page.code < 300:
            page.close()
            return answer
        answer.close()
        return _Answer(answer.status, page.headers, page.body)

    def authorize_site(self) -> Optional[_Answer]:
        """The refusal (401/403, with the error page of the container's
        ``Web-Error``) of a browser that may not list the container, else
        None: asked first of every container read, site or not, as a
        site's root stands for its listing even when an index page is
        shown instead."""
        authorize = self.env.get("swift.authorize")
        if authorize is None:
            return None
        req = Request(dict(self.env))
        req.acl = self.site.read_acl
        denied = authorize(req)
        return None if denied is None else self.error_page(_own(self.env, denied))

    # ------------------------------------------------------- directories
    def container(self) -> _Answer:
        """``/v1/a/c`` or ``/v1/a/c/`` of a site, once the browser may
        list it: the site's root."""
        if not self.path.endswith("/"):
            return self.redirect()
        if self.site.index:
            page = self._sub(self.env["REQUEST_METHOD"], "%s/%s" % (self.base, self.site.index),
                             conditional=True)
            if page.code != 404:
                return page if page.found else self.error_page(page)
            page.close()
        return self.listing("")

    def listing(self, prefix: str) -> _Answer:
        """The directory ``prefix`` as an HTML listing, or why not."""
        site = self.site
        title = page_title(self.path, site.label, prefix)
        if not site.listings:
            page = disabled_page(title, site.index or None)
            return self.error_page(_own(self.env, errors.swift_error(
                404, page.decode("utf-8"))))
        answer, entries = self._listing_page(prefix, "")
        if not 200 <= answer.code < 300:
            return self.error_page(answer)
        if prefix and not entries:
            return self.not_found()
        query, link_prefix = _temp_url_link(self.env)
        # no way up out of what a temp URL reaches
        head = listing_head(title, site.css, prefix.count("/"), len(prefix) > len(link_prefix),
                            query)

        def rows(first: List[Dict[str, Any]]) -> Iterator[bytes]:
            page = first
            while page:
                # Subdirectories first, then objects (as one page shows them).
                text = "".join(entry_row(e, prefix, query) for e in page if "subdir" in e)
                text += "".join(entry_row(e, prefix, query) for e in page if "subdir" not in e)
                yield text.encode("utf-8")
                if len(page) < LISTING_PAGE:
                    return
                last = page[-1]
                _a, page = self._listing_page(prefix, last.get("name") or last.get("subdir", ""))
        headers = [("Content-Type", errors.HTML), (CONTENT_GENERATOR, STATICWEB)]
        if len(entries) < LISTING_PAGE:
            body = head.encode() + b"".join(rows(entries)) + LISTING_TAIL.encode()
            headers.append(("Content-Length", str(len(body))))
            return _Answer("200 OK", headers, [body])
        return _Answer("200 OK", headers, _chain([head.encode()], rows(entries),
                                                 [LISTING_TAIL.encode()]))

    def _listing_page(self, prefix: str, marker: str) -> Tuple[_Answer, List[Dict[str, Any]]]:
        query = "format=json&delimiter=/&limit=%d&prefix=%s" % (LISTING_PAGE, quote(prefix))
        if marker:
            query += "&marker=%s" % quote(marker)
        answer = self._sub("GET", self.base, query)
        if not 200 <= answer.code < 300:
            return answer, []
        return answer, json.loads(answer.read() or b"[]")

    # ----------------------------------------------------------- objects
    def object(self, obj: str) -> _Answer:
        """``/v1/a/c/<obj>``: the object, else the directory it names."""
        answer = _call(self.app, self.env)
        if answer.found and not self._is_marker(answer):
            return answer
        if not answer.found and answer.code != 404:
            return answer  # Swift keeps the error pages for 404s here
        answer.close()
        if self.path.endswith("/"):
            if self.site.index:
                page = self._sub(self.env["REQUEST_METHOD"], "%s/%s%s" % (
                    self.base, obj, self.site.index), conditional=True)
                if page.code != 404:
                    return page if page.found else self.error_page(page)
                page.close()
            return self.listing(obj)
        return self.redirect() if self._is_directory(obj + "/") else self.not_found()

    def _is_marker(self, answer: _Answer) -> bool:
        """A directory marker: an object of the site's directory type and
        at most one byte, which counts as missing."""
        if answer.header("Content-Type") != self.site.directory_type:
            return False
        try:
            return int(answer.header("Content-Length") or 0) <= 1
        except ValueError:
            return False

    def _is_directory(self, prefix: str) -> bool:
        """Whether ``prefix`` has an index page or any entry the browser
        may list (whether or not listings are shown)."""
        if self.site.index:
            head = self._sub("HEAD", "%s/%s%s" % (self.base, prefix, self.site.index))
            head.close()
            if head.found:
                return True
        page = self._sub("GET", self.base, "format=json&limit=1&delimiter=/&prefix=%s"
                         % quote(prefix))
        body = page.read()
        return 200 <= page.code < 300 and bool(json.loads(body or b"[]"))


def _chain(*parts: Iterable[bytes]) -> Iterator[bytes]:
    for part in parts:
        yield from part


class StaticWeb:
    """Serves web indexes, listings, error pages and directory redirects."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        registry.register_info("staticweb")

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if env["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return self.app(env, start_response)
        web_mode = config_true_value(env.get("HTTP_X_WEB_MODE", "f"))
        # A token the auth middleware did not accept leaves no identity:
        # the browser is anonymous (an unknown token of its own format
        # already got a 401 there).
        if env.get("REMOTE_USER") not in (None, "", TEMPURL_USER) and not web_mode:
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
        site = _Site(get_container_info(env, self.app, account, container))
        visit = _Visit(self.app, env, site, account, container, path)
        if obj:
            if not site.active:
                return self.app(env, start_response)
            return visit.send(visit.object(obj), start_response)
        denied = visit.authorize_site()
        if denied is not None:
            return visit.send(denied, start_response)
        if not site.active:
            if web_mode:
                return errors.swift_error(404)(env, start_response)
            return self.app(env, start_response)
        return visit.send(visit.container(), start_response)


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: StaticWeb(app, conf)


def _temp_url_link(env: Dict[str, Any]) -> Tuple[str, str]:
    """``(query, prefix)``: for a listing read through a prefix temp URL,
    its parameters to put on every link of the page (so the browser can
    follow them) and the prefix it reaches; else ``("", "")``."""
    if env.get("REMOTE_USER") != TEMPURL_USER:
        return "", ""
    params = parse_qs(env.get("QUERY_STRING", ""), keep_blank_values=True)
    prefix = params.get("temp_url_prefix", [None])[0]
    if prefix is None:
        return "", ""
    parts = ["temp_url_prefix=%s" % quote(prefix),
             "temp_url_expires=%s" % quote(params.get("temp_url_expires", [""])[0]),
             "temp_url_sig=%s" % params.get("temp_url_sig", [""])[0]]
    ip_range = params.get("temp_url_ip_range", [""])[0]
    if ip_range:
        parts.append("temp_url_ip_range=%s" % quote(ip_range))
    if "inline" in params:
        parts.append("inline")
    return "?" + "&".join(parts), prefix


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
