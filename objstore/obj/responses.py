"""Response helpers of the object server: exact-header responses, errors
raised from deep inside a handler, and bodies that log or close when done."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from webob import Request, Response

from objstore.common.timestamp import Timestamp


class HTTPError(Exception):
    """A finished error response, raised from deep inside a handler."""

    def __init__(self, status: int, body: str = "", headers: Optional[Dict[str, str]] = None) -> None:
        super().__init__(status, body)
        self.response = make_response(status, body.encode("utf-8"), headers)


def make_response(status: int, body: bytes = b"", headers: Optional[Dict[str, str]] = None,
                  app_iter: Optional[Iterable[bytes]] = None) -> Response:
    """A response whose headers are exactly ``headers`` (webob adds no
    charset to an object's Content-Type)."""
    headerlist: List[Tuple[str, str]] = list((headers or {}).items())
    if app_iter is None:
        if not any(k.lower() == "content-type" for k, _v in headerlist):
            headerlist.append(("Content-Type", "text/plain; charset=UTF-8"))
        headerlist = [(k, v) for k, v in headerlist if k.lower() != "content-length"]
        headerlist.append(("Content-Length", str(len(body))))
        return Response(status=status, headerlist=headerlist, body=body)
    return Response(status=status, headerlist=headerlist, app_iter=app_iter)


def wsgi_to_str(value: str) -> str:
    """A WSGI (latin-1) string as the UTF-8 text the client sent."""
    return value.encode("latin-1").decode("utf-8", "surrogateescape")


def request_timestamp(req: Request) -> Timestamp:
    raw = req.headers.get("X-Timestamp")
    if not raw:
        raise HTTPError(400, "Missing X-Timestamp header; every write needs one")
    try:
        return Timestamp(raw)
    except ValueError:
        raise HTTPError(400, "Invalid X-Timestamp %r" % raw) from None


class LoggedBody:
    """Counts what a response sends and writes the access log line at the end."""

    def __init__(self, inner: Iterable[bytes], done: Callable[[int], None]) -> None:
        self.inner = inner
        self.done = done
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.inner, "close", None)
            if close:
                close()
        finally:
            self.done(self.sent)


class ClosingBody:
    """A body that closes the object's file when the server is done with it,
    even if iteration never started (client gone before the first byte)."""

    def __init__(self, body: Iterable[bytes], reader: Any) -> None:
        self.body = body
        self.reader = reader

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        close = getattr(self.body, "close", None)
        if close:
            close()
        self.reader.close()
