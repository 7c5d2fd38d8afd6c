"""Response helpers of the object server: exact-header responses and
bodies that close the object's file when done."""

from __future__ import annotations

import time
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

from webob import Request, Response

from objstore.common.http import errors
from objstore.common.storage_server import HTTPError
from objstore.common.timestamp import Timestamp
from objstore.common.utils import close_if_possible
from objstore.obj import ssync


def make_response(status: int, body: bytes = b"", headers: Optional[Dict[str, str]] = None,
                  app_iter: Optional[Iterable[bytes]] = None) -> Response:
    """A response whose headers are exactly ``headers`` (webob adds no
    charset to an object's Content-Type)."""
    headerlist: List[Tuple[str, str]] = list((headers or {}).items())
    if app_iter is None:
        if not any(k.lower() == "content-type" for k, _v in headerlist):
            headerlist.append(("Content-Type", errors.HTML))
        headerlist = [(k, v) for k, v in headerlist if k.lower() != "content-length"]
        headerlist.append(("Content-Length", str(len(body))))
        return Response(status=status, headerlist=headerlist, body=body)
    return Response(status=status, headerlist=headerlist, app_iter=app_iter)


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
