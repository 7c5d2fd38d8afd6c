"""Subrequests: a middleware asking the rest of the pipeline for something
on behalf of the client whose request it is handling.

A middleware that serves a large object reads its segments, a server-side
copy reads the source and writes the destination, versioning archives the
old version: each sends new requests through the WSGI app below it, *as
the client*. The subrequest therefore shares the client's identity (the
auth middleware's ``swift.authorize`` and ``REMOTE_USER``), the caches and
the transaction id, and nothing else: no body, no query, no headers but
those given, so the client cannot steer it. The storage servers are never
called directly: every subrequest crosses the proxy's own checks.
"""

from __future__ import annotations

import io
from typing import Any, Callable, Dict, Iterable, Iterator, Mapping, Optional

from webob import Request, Response

from objstore.common.constraints import OBJECT_META_PREFIXES, OBJECT_STORED_HEADERS
from objstore.common.http.wsgi_str import str_to_wsgi
from objstore.common.utils import close_if_possible

WsgiApp = Callable[..., Any]

# Environ keys a subrequest shares with the client's request: who it is,
# the caches, and the transaction id for the logs.
SHARED_ENV = ("swift.cache", "swift.infocache", "swift.trans_id", "objstore.local_cache",
              "REMOTE_USER", "swift.clean_acl", "reseller_request", "HTTP_X_AUTH_TOKEN",
              "HTTP_X_STORAGE_TOKEN", "HTTP_X_SERVICE_TOKEN", "SERVER_NAME", "SERVER_PORT",
              "wsgi.url_scheme", "SERVER_PROTOCOL", "HTTP_HOST", "wsgi.errors",
              "wsgi.version", "REMOTE_ADDR", "HTTP_REFERER", "HTTP_USER_AGENT")
# Set by the proxy to the auth callback it first saw, so a middleware that
# replaced ``swift.authorize`` for one request does not vouch for others.
ORIGINAL_AUTHORIZE = "objstore.original_authorize"


class IterReader:
    """A file-like ``read(n)`` over an iterator of byte chunks, keeping at
    most one chunk buffered, so a body can be streamed from a response
    into a request."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._iter: Iterator[bytes] = iter(chunks)
        self._buf = b""
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            out = [self._buf[self._pos:]] + list(self._iter)
            self._buf, self._pos = b"", 0
            return b"".join(out)
        while self._pos >= len(self._buf):
            try:
                self._buf, self._pos = next(self._iter), 0
            except StopIteration:
                return b""
        out = self._buf[self._pos:self._pos + size]
        self._pos += len(out)
        return out

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


_MANIFEST_HEADERS = ("x-object-manifest", "x-static-large-object")
_STORED = frozenset(h.lower() for h in OBJECT_STORED_HEADERS) - set(_MANIFEST_HEADERS)


def stored_metadata(headers: Mapping[str, str], manifests: bool) -> Dict[str, str]:
    """The headers of an object's GET answer that a copy of it stores:
    Content-Type, metadata (user, system, transient system) and the other
    stored headers (``Content-Disposition``, ``X-Delete-At``, ...).

    ``manifests``: also the headers that make it a large object manifest
    (``X-Object-Manifest``, ``X-Static-Large-Object``), for a copy of the
    stored object as it is rather than of its assembled bytes.
    """
    out: Dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower == "content-type" or lower.startswith(OBJECT_META_PREFIXES) \
                or lower in _STORED or (manifests and lower in _MANIFEST_HEADERS):
            out[name] = value
    return out


def make_env(env: Mapping[str, Any], method: str, path: str, query: str = "",
             headers: Optional[Mapping[str, str]] = None, body: Any = b"",
             content_length: Optional[int] = None, source: str = "",
             extra: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """The environ of ``method path`` (a ``/v1/...`` path as real text) sent
    as the client of ``env``.

    ``body`` is bytes or a file-like object; ``content_length`` defaults to
    the length of bytes and must be given (or ``None`` for chunked) with a
    file-like body.
    """
    sub = {key: env[key] for key in SHARED_ENV if key in env}
    authorize = env.get(ORIGINAL_AUTHORIZE, env.get("swift.authorize"))
    if authorize is not None:
        sub["swift.authorize"] = authorize
    if isinstance(body, bytes):
        content_length = len(body) if content_length is None else content_length
        body = io.BytesIO(body)
    sub.update({"REQUEST_METHOD": method, "PATH_INFO": str_to_wsgi(path), "SCRIPT_NAME": "",
                "QUERY_STRING": query, "wsgi.input": body, "swift.source": source})
    if content_length is not None:
        sub["CONTENT_LENGTH"] = str(content_length)
    else:
        sub["HTTP_TRANSFER_ENCODING"] = "chunked"
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        sub[key] = value
    sub.update(extra or {})
    return sub


def sub_request(app: WsgiApp, env: Mapping[str, Any], method: str, path: str,
                query: str = "", headers: Optional[Mapping[str, str]] = None,
                body: Any = b"", content_length: Optional[int] = None, source: str = "",
                extra: Optional[Mapping[str, Any]] = None) -> Response:
    """Send ``method path`` through ``app`` as the client of ``env`` (see
    ``make_env``). The response body is not read: iterate it or call
    ``close_response``."""
    sub = make_env(env, method, path, query, headers, body, content_length, source, extra)
    return Request(sub).get_response(app)


def close_response(resp: Response) -> None:
    """Release a response's body without reading it."""
    close_if_possible(resp.app_iter)
