"""Swift's error answers: status, reason, body and Content-Type, in one place.

Clients written for Swift match on these (the CLI prints the body, scripts
grep for "Bad URL" or "X-Delete-At in past"), so objstore sends exactly what
Swift 2.38.3 sends:

* an answer with nothing more to say carries the short HTML page of its
  status (``<html><h1>Not Found</h1><p>The resource could not be
  found.</p></html>``) as ``text/html; charset=UTF-8``; a HEAD gets the
  headers with ``Content-Length: 0``;
* an answer that names the problem carries that one line, with no
  trailing newline: ``text/html; charset=UTF-8`` for the proxy's path
  checks ("Bad URL", "Invalid UTF8 or contains NULL") and ``text/plain``
  for header and constraint checks ("Non-integer X-Delete-After") -- the
  content types differ in Swift too, and clients see them.

Nothing here reads a request: every server and middleware builds its
error with :func:`swift_error` (or a named helper below) and returns it.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, Optional, Tuple

from webob import Response

HTML = "text/html; charset=UTF-8"
PLAIN = "text/plain"
PLAIN_UTF8 = "text/plain; charset=UTF-8"

#: status -> (reason phrase, explanation) of Swift's default error pages.
STATUSES: Dict[int, Tuple[str, str]] = {
    202: ("Accepted", "The request is accepted for processing."),
    301: ("Moved Permanently", "The resource has moved permanently."),
    400: ("Bad Request", "The server could not comply with the request since it is "
                         "either malformed or otherwise incorrect."),
    401: ("Unauthorized", "This server could not verify that you are authorized to "
                          "access the document you requested."),
    402: ("Payment Required", "Access was denied for financial reasons."),
    403: ("Forbidden", "Access was denied to this resource."),
    404: ("Not Found", "The resource could not be found."),
    405: ("Method Not Allowed", "The method is not allowed for this resource."),
    406: ("Not Acceptable", "The resource is not available in a format acceptable "
                            "to your browser."),
    408: ("Request Timeout", "The server has waited too long for the request to be "
                             "sent by the client."),
    409: ("Conflict", "There was a conflict when trying to complete your request."),
    410: ("Gone", "This resource is no longer available."),
    411: ("Length Required", "Content-Length header required."),
    412: ("Precondition Failed", "A precondition for this request was not met."),
    413: ("Request Entity Too Large", "The body of your request was too large for "
                                     "this server."),
    414: ("Request URI Too Long", "The request URI was too long for this server."),
    415: ("Unsupported Media Type", "The request media type is not supported by this "
                                   "server."),
    416: ("Requested Range Not Satisfiable", "The Range requested is not available."),
    417: ("Expectation Failed", "Expectation failed."),
    422: ("Unprocessable Entity", "Unable to process the contained instructions"),
    429: ("Too Many Requests", "The client has sent too many requests."),
    497: ("Blacklisted", "Your account has been blacklisted."),
    498: ("Rate Limited", "Slow down."),
    499: ("Client Disconnect", "The client was disconnected during request."),
    500: ("Internal Error", "The server has either erred or is incapable of performing "
                           "the requested operation."),
    501: ("Not Implemented", "The requested method is not implemented by this server."),
    502: ("Bad Gateway", "Bad gateway."),
    503: ("Service Unavailable", "The server is currently unavailable. Please try again "
                                "at a later time."),
    504: ("Gateway Timeout", "A timeout has occurred speaking to a backend server."),
    507: ("Insufficient Storage", "There was not enough space to save the resource."),
    529: ("Too Many Backend Requests", "This device is serving too many requests; "
                                       "retry later."),
}

# The texts Swift sends for the checks every server shares.
BAD_URL = "Bad URL"
INVALID_UTF8 = "Invalid UTF8 or contains NULL"
TOO_LARGE = "Your request is too large."
MISSING_LENGTH = "Missing Content-Length header."
INVALID_TRANSFER_ENCODING = "Invalid Transfer-Encoding header value"
UNSUPPORTED_TRANSFER_CODING = ("Unsupported Transfer-Coding header value specified in "
                               "Transfer-Encoding header")
METADATA_NOT_UTF8 = "Metadata must be valid UTF-8"


def reason(status: int) -> str:
    """The reason phrase Swift puts on the status line."""
    known = STATUSES.get(status)
    if known:
        return known[0]
    from http import HTTPStatus
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def status_line(status: int) -> str:
    """``"404 Not Found"``: a WSGI status string."""
    return "%d %s" % (status, reason(status))


def default_body(status: int) -> bytes:
    """The HTML page Swift sends with a bare ``status`` (empty if none)."""
    known = STATUSES.get(status)
    if not known:
        return b""
    return ("<html><h1>%s</h1><p>%s</p></html>" % known).encode("utf-8")


class SwiftErrorResponse(Response):
    """A webob response that answers a HEAD as Swift does: a default page
    counts as no body at all (``Content-Length: 0``), a one-line message
    keeps its length but is not sent."""

    default_page = False

    def __call__(self, environ: Dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if self.default_page and environ.get("REQUEST_METHOD") == "HEAD":
            # the length set to 0 where it stands (webob's setters would
            # drop it or move it last)
            kept = [(name, "0" if name == "Content-Length" else value)
                    for name, value in self.headerlist]
            self.app_iter = [b""]
            self.headerlist[:] = kept
        return super().__call__(environ, start_response)


def swift_error(status: int, text: Optional[str] = None,
                headers: Optional[Mapping[str, str]] = None,
                content_type: Optional[str] = None) -> Response:
    """The error answer for ``status``.

    ``text`` is the one-line message (sent as is, no newline added); without
    it the status's default HTML page is sent. ``content_type`` defaults to
    ``text/html; charset=UTF-8``, Swift's type for both.

    The headers come in Swift's order, which raw clients see: Content-Type
    first, then a message's Content-Length and ``headers``; a default page's
    length comes after ``headers`` (Swift makes that page as it sends it:
    ``Www-Authenticate`` or ``Allow`` before ``Content-Length``).
    """
    body = default_body(status) if text is None else text.encode("utf-8")
    extra = [(key, value) for key, value in (headers or {}).items()
             if key.lower() not in ("content-type", "content-length")]  # made here
    length = [("Content-Length", str(len(body)))]
    given = [value for key, value in (headers or {}).items() if key.lower() == "content-type"]
    typed = [("Content-Type", given[-1] if given else content_type or HTML)]
    resp = SwiftErrorResponse(status=status_line(status), app_iter=[body],
                              headerlist=typed + (extra + length if text is None
                                                  else length + extra))
    resp.default_page = text is None
    return resp


def plain_error(status: int, text: str, headers: Optional[Mapping[str, str]] = None) -> Response:
    """A one-line ``text/plain`` answer: Swift's type for header and
    constraint checks (X-Delete-At, metadata limits, name lengths...)."""
    return swift_error(status, text, headers, PLAIN)


def bad_url() -> Response:
    """412 "Bad URL": a path that names no account under a known version."""
    return swift_error(412, BAD_URL)


def invalid_utf8() -> Response:
    """412 "Invalid UTF8 or contains NULL": a name that is not valid UTF-8
    or holds a NUL, at the proxy and on every storage server alike."""
    return swift_error(412, INVALID_UTF8)
