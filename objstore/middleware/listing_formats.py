"""listing_formats: the one place the proxy pipeline answers an account or
container listing in the client's format.

For a GET or HEAD of ``/v1/<account>`` or ``/v1/<account>/<container>``
this filter decides the format (``?format=`` wins over ``Accept``; an
unknown format is plain text; nothing acceptable is a 406), and asks what
is below it for JSON: ``format=json`` replaces the client's ``format``
(every other parameter passes on byte for byte, so the proxy still
answers a bad one) and ``Accept`` says JSON. Every middleware below it and
the proxy therefore see JSON listings only (object_versioning, symlink,
the decrypter read and rewrite rows, not three formats). On the way back a
successful JSON answer is rendered in the client's format by
``objstore.common.http.listing``, the renderer the account and container
servers use too: XML, plain text (an empty one is a 204), JSON as it came,
with ``Content-Type``, its charset and ``Vary: Accept`` as Swift sends
them. Errors and other bodies pass untouched, but a 200 answer that is
no listing (a staticweb page) still gets ``Vary: Accept`` when
the query has no ``format``, as in Swift. A container's ``?versions``
GET is JSON only (a 406 for any other format, as Swift): object_versioning
answers it as the client sent it.

As in Swift it registers nothing in ``/info``. It sits early in the
pipeline (after ``cache``, as Swift's SAIO has it); a pipeline without it
still answers every format, the proxy then rendering with the same module.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import unquote

from objstore.common.http import listing
from objstore.common.http.errors import swift_error
from objstore.middleware.slo_s3 import HIDDEN_PARAMS, S3_SOURCE, shown_type
from objstore.common.http.paths import split_swift_path

StartResponse = Callable[..., Any]
Headers = List[Tuple[str, str]]


def _listing_path(env: Dict[str, Any]) -> Optional[Tuple[str, str]]:
    """``(kind, name)`` of an account or container listing request, else None."""
    if env.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    target = split_swift_path(env)
    if target is None or target[2] is not None:
        return None
    account, container, obj = target
    if container is None:
        return "account", account
    return "container", container


def _json_query(query_string: str) -> str:
    """The query with ``format=json`` for the client's format (kept as sent:
    a parameter that is not UTF-8 still reaches the proxy's 400)."""
    pairs = [p for p in query_string.split("&")
             if p and unquote(p.split("=", 1)[0]) != "format"]
    return "&".join(pairs + ["format=json"])


class ListingFormats:
    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        target = _listing_path(env)
        if target is None:
            return self.app(env, start_response)
        query = listing.query_params(env.get("QUERY_STRING", ""))
        if "versions" in query and env["REQUEST_METHOD"] == "GET" and target[0] == "container":
            return self.app(env, start_response)  # JSON only: object_versioning's
        fmt = query.get("format")
        try:
            media = listing.listing_media_type(fmt, env.get("HTTP_ACCEPT"))
        except listing.ListingParamError:
            return self.app(env, start_response)  # the proxy answers it (400)
        if media is None:
            return swift_error(406)(env, start_response)
        env["QUERY_STRING"] = _json_query(env.get("QUERY_STRING", ""))
        env["HTTP_ACCEPT"] = listing.JSON_TYPE
        captured: List[Any] = []

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Any:
            captured[:] = [status, headers, exc_info]
            return lambda data: None
        app_iter = self.app(env, capture)
        if not captured:  # a generator that starts the response on first use
            app_iter = _started(app_iter)
        status, headers, exc_info = captured
        ctype = next((v for k, v in headers if k.lower() == "content-type"), "")
        if not status.startswith("2") or not ctype.startswith(listing.JSON_TYPE):
            if status.startswith("200") and not any(k.lower() == "vary" for k, _ in headers):
                # another whole answer in place of the listing (a staticweb
                # page) varies as the listing would; a 206 of it does not,
                # as in Swift
                headers = headers + [(k, v) for k, v in listing.listing_headers(media, fmt)
                                     .items() if k == "Vary"]
            start_response(status, headers, exc_info)
            return app_iter
        kind, name = target
        kept = [(k, v) for k, v in headers
                if k.lower() not in ("content-type", "content-length", "vary")]
        kept += list(listing.listing_headers(media, fmt).items())
        if env["REQUEST_METHOD"] == "HEAD":
            _close(app_iter)
            kept.append(("Content-Length", "0"))
            start_response(status, kept, exc_info)
            return [b""]
        try:
            body = b"".join(app_iter)  # one page: bounded by the listing limit
        finally:
            _close(app_iter)
        shown = _hide_storage_class(body) if kind == "container" and \
            env.get("swift.source") != S3_SOURCE else None
        if media == listing.JSON_TYPE and shown is None:
            out = body
        else:
            try:
                items = shown if shown is not None else listing.items_from_json(body)
            except ValueError:
                return swift_error(503, "Service Unavailable: a listing that is not "
                                        "JSON")(env, start_response)
            out = listing.render_listing(items, media, kind, name)
            if media == listing.PLAIN_TYPE and not items:
                status, out = "204 No Content", b""
            elif status.startswith("204"):
                status = "200 OK"
        kept.append(("Content-Length", str(len(out))))
        start_response(status, kept, exc_info)
        return [out]


def _hide_storage_class(body: bytes) -> Optional[List[Dict[str, Any]]]:
    """The rows of a container listing without what s3api keeps in a
    stored content type that Swift's does not (``slo_s3.HIDDEN_PARAMS``: an
    object's storage class, a part's checksum; s3api's own listings, which
    need them, are ``swift.source`` ``S3``), or None when no row carries
    one (or the body is no JSON listing)."""
    if not any((";%s=" % name).encode("ascii") in body for name in HIDDEN_PARAMS):
        return None
    try:
        items = listing.items_from_json(body)
    except ValueError:
        return None
    for item in items:
        ctype = item.get("content_type")
        if isinstance(ctype, str):
            item["content_type"] = shown_type(ctype)
    return items


def _started(app_iter: Iterable[bytes]) -> Iterable[bytes]:
    """Run a lazy app until it starts its response; its body, whole again."""
    iterator = iter(app_iter)
    try:
        first = next(iterator)
    except StopIteration:
        _close(app_iter)
        return [b""]

    def rest() -> Iterable[bytes]:
        try:
            yield first
            yield from iterator
        finally:
            _close(app_iter)
    return rest()


def _close(app_iter: Any) -> None:
    close = getattr(app_iter, "close", None)
    if close is not None:
        close()


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: ListingFormats(app, conf)
