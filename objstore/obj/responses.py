"""Response helpers of the object server: exact-header responses (the
body-less ones built without webob: most answers of a write), and bodies
that close the object's file when done."""

from __future__ import annotations

import time
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from webob import Request, Response
from webob.headers import ResponseHeaders

from objstore.common.http import errors
from objstore.common.storage_server import HTTPError
from objstore.common.timestamp import Timestamp
from objstore.common.utils import close_if_possible
from objstore.obj import ssync


class BareAnswer:
    """A body-less answer (a write's 201/202/204, a 404, a 304): the same
    status line, headers and empty body as the webob ``Response`` that
    :func:`make_response` made before, for about a third of its CPU (a
    ``Response`` built and called costs some 6 us; each replica of every
    PUT and DELETE answers one).

    What the storage shell and ssync use of a response is here: ``status``,
    ``status_int``, ``headers`` (webob's own header view, so setting
    ``X-Trans-Id`` replaces and appends as on a ``Response``), ``body`` and
    the WSGI call."""

    __slots__ = ("status", "status_int", "headerlist", "headers")
    body = b""

    def __init__(self, status: int, headerlist: List[Tuple[str, str]]) -> None:
        self.status_int = status
        self.status = errors.status_line(status)
        self.headerlist = headerlist
        self.headers = ResponseHeaders.view_list(headerlist)

    def __call__(self, environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        start_response(self.status, self.headerlist)
        return [b""]


#: what a handler of the object server answers
Answer = Union[Response, BareAnswer]


def make_response(status: int, body: bytes = b"", headers: Optional[Dict[str, str]] = None,
                  app_iter: Optional[Iterable[bytes]] = None) -> Answer:
    """A response whose headers are exactly ``headers`` (webob adds no
    charset to an object's Content-Type); a :class:`BareAnswer` when it has
    no body."""
    headerlist: List[Tuple[str, str]] = list((headers or {}).items())
    if app_iter is not None:
        return Response(status=status, headerlist=headerlist, app_iter=app_iter)
    if not any(k.lower() == "content-type" for k, _v in headerlist):
        headerlist.append(("Content-Type", errors.HTML))
    headerlist = [(k, v) for k, v in headerlist if k.lower() != "content-length"]
    headerlist.append(("Content-Length", str(len(body))))
    if not body:
        return BareAnswer(status, headerlist)
    return Response(status=status, headerlist=headerlist, body=body)


def request_timestamp(req: Request) -> Timestamp:
    raw = req.headers.get("X-Timestamp")
    if not raw:
        raise HTTPError(400, "Missing X-Timestamp header; every write needs one")
    try:
        return Timestamp(raw)
    except ValueError:
        raise HTTPError(400, "Invalid X-Timestamp %r" % raw) from None


def request_delete_at(req: Request, ts: Timestamp) -> Optional[str]:
    """The write's X-Delete-At, checked (an integer, after the write's own
    timestamp unless a replica is being copied over, which may be expired
    already).

    The proxy judged the moment against its clock when the request came in
    and turned an X-Delete-After into an integer second after the write's
    timestamp; judging it again here against this server's later clock would
    refuse a write whose second began while it travelled (a one-second
    X-Delete-After, an SLO's async delete).
    """
    now = min(time.time(), float(ts))
    raw = req.headers.get("X-Delete-At")
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise HTTPError(400, "Non-integer X-Delete-At") from None
    if value <= now and not req.environ.get(ssync.REPLICATED):  # replicas may be expired
        raise HTTPError(400, "X-Delete-At in past")
    return str(value)


class ClosingBody:
    """A body that closes the object's file when the server is done with it,
    even if iteration never started (client gone before the first byte)."""

    def __init__(self, body: Iterable[bytes], reader: Any) -> None:
        self.body = body
        self.reader = reader

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        close_if_possible(self.body)
        self.reader.close()
