"""GET/HEAD of an account or container: ask the storage servers for JSON,
answer in the format the client wants, with the right Content-Type."""

from __future__ import annotations

import json
from typing import Optional, Tuple

from webob import Request, Response

from objstore.common import constraints
from objstore.proxy import listing
from objstore.proxy.controllers.base import error_response

# Query parameters a listing request may carry on to the storage servers.
LISTING_PARAMS = ("limit", "marker", "end_marker", "prefix", "delimiter", "path", "reverse",
                  "states", "includes")


def listing_query(req: Request, kind: str) -> Tuple[Optional[str], Optional[Response]]:
    """The backend query string for a listing (always JSON), or an error.

    ``limit`` above the configured listing limit is a 412, as documented;
    a format the client would not accept is a 406.
    """
    try:
        listing.listing_format(req.GET.get("format"), req.headers.get("Accept"))
    except listing.ListingFormatError as err:
        return None, error_response(406, "Not Acceptable: %s" % err)
    max_limit = constraints.LIMITS["%s_listing_limit" % kind]
    params = []
    for key in LISTING_PARAMS:
        value = req.GET.get(key)
        if value is None:
            continue
        if key == "limit":
            try:
                if int(value) < 0:
                    raise ValueError(value)
            except ValueError:
                return None, error_response(412, "Value of limit must be a positive "
                                                 "integer, not %r" % value)
            if int(value) > max_limit:
                return None, error_response(412, "Maximum limit is %d" % max_limit)
        for bad in ("marker", "end_marker", "prefix", "delimiter", "path"):
            if key == bad and not constraints.valid_utf8(value):
                return None, error_response(400, "%s must be valid UTF-8" % key)
        params.append((key, value))
    params.append(("format", "json"))
    from urllib.parse import urlencode

    return urlencode(params), None


def finish_listing(req: Request, resp: Response, kind: str, name: str) -> Response:
    """Turn a backend's JSON listing answer into the client's answer."""
    fmt = listing.listing_format(req.GET.get("format"), req.headers.get("Accept"))
    if not 200 <= resp.status_int < 300:
        return resp
    resp.headers["Content-Type"] = listing.CONTENT_TYPES[fmt]
    if req.method == "HEAD":
        resp.body = b""
        resp.headers["Content-Type"] = listing.CONTENT_TYPES[fmt]
        resp.headers["Content-Length"] = "0"
        if resp.status_int == 200:
            resp.status = 204
        return resp
    try:
        entries = json.loads(resp.body or b"[]")
    except ValueError:
        return error_response(503, "Service Unavailable: the %s server sent a listing "
                                   "that is not JSON" % kind)
    if fmt == listing.PLAIN and not entries:
        resp.status = 204
        resp.body = b""
        resp.headers["Content-Type"] = listing.CONTENT_TYPES[fmt]
        return resp
    resp.status = 200
    resp.body = listing.render_listing(entries, fmt, kind, name)
    resp.headers["Content-Type"] = listing.CONTENT_TYPES[fmt]
    return resp
