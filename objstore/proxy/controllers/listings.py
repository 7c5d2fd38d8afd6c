"""GET/HEAD of an account or container: ask the storage servers for JSON,
answer in the format the client wants, shaped by the one listing module
(``objstore.common.http.listing``) the storage servers render with too."""

from __future__ import annotations

from typing import Optional, Tuple
from urllib.parse import urlencode

from webob import Request, Response

from objstore.common import constraints
from objstore.common.http import listing
from objstore.common.http.errors import HTML, PLAIN, swift_error
from objstore.proxy.controllers.base import error_response

# Query parameters a listing request may carry on to the storage servers.
LISTING_PARAMS = ("limit", "marker", "end_marker", "prefix", "delimiter", "path", "reverse",
                  "states", "includes")
# Backend headers of a listing that Swift does not show a client.
_NOT_SHOWN = ("X-Put-Timestamp",)


def listing_query(req: Request, kind: str) -> Tuple[Optional[str], Optional[Response]]:
    """The backend query string for a listing (always JSON), or the error
    to answer: 406 for a format the client would not accept, 412 for a
    limit above the configured maximum, 400 for text that is not UTF-8."""
    query = listing.query_params(req.environ.get("QUERY_STRING", ""))
    try:
        if listing.listing_media_type(query.get("format"), req.headers.get("Accept")) is None:
            return None, swift_error(406)
    except listing.ListingParamError as err:
        return None, swift_error(err.status, str(err))
    max_limit = constraints.LIMITS["%s_listing_limit" % kind]
    try:
        listing.parse_listing_params(query, max_limit)
    except listing.ListingParamError as err:
        # Swift labels a container's bad-UTF-8 answer text/plain.
        ctype = PLAIN if err.status == 400 and kind == "container" else HTML
        return None, swift_error(err.status, str(err), content_type=ctype)
    params = []
    for key in LISTING_PARAMS:
        value = query.get(key)
        if key == "limit":
            limit = listing.parse_limit(value, max_limit)
            value = None if limit is None else str(limit)
        if value is not None:
            params.append((key, value))
    params.append(("format", "json"))
    return urlencode(params), None


def finish_listing(req: Request, resp: Response, kind: str, name: str) -> Response:
    """Turn a backend's JSON listing answer into the client's answer."""
    fmt = listing.query_params(req.environ.get("QUERY_STRING", "")).get("format")
    media = listing.listing_media_type(fmt, req.headers.get("Accept")) or listing.PLAIN_TYPE
    if not 200 <= resp.status_int < 300:
        return resp
    for header in _NOT_SHOWN:
        resp.headers.pop(header, None)
    resp.headers["Accept-Ranges"] = "bytes"
    if req.method == "HEAD":
        resp.body = b""
        if resp.status_int == 200:
            resp.status = 204
        resp.headers.update(listing.listing_headers(media, fmt))
        return resp
    if media == listing.JSON_TYPE and resp.body[:1] == b"[" and resp.body[-1:] == b"]":
        # The storage server rendered it with the same renderer: parsing
        # and rendering it again (two passes over up to 10,000 rows) would
        # give back the same bytes.
        resp.status = 200
        resp.headers.update(listing.listing_headers(media, fmt))
        return resp
    try:
        items = listing.items_from_json(resp.body)
    except ValueError:
        return error_response(503, "Service Unavailable: the %s server sent a listing "
                                   "that is not JSON" % kind)
    if media == listing.PLAIN_TYPE and not items:
        resp.status = 204
        resp.body = b""
    else:
        resp.status = 200
        resp.body = listing.render_listing(items, media, kind, name)
    resp.headers.update(listing.listing_headers(media, fmt))
    return resp
