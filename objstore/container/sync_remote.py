"""Requests of the container sync daemon to the other cluster's proxy.

Every request is signed for the container it writes to (see
``objstore.common.sync_realms``): ``X-Container-Sync-Auth`` for a
``//realm/cluster/...`` target, or the old ``X-Container-Sync-Key`` header
for a full-URL target. It carries the object's own ``X-Timestamp``, which
the receiving proxy keeps, so a request that is sent again (after a crash,
a timeout or a lost response) can only be refused as not newer: it never
makes a second version, and an older write never replaces a newer one.

Failures that may pass (no connection, timeouts, 5xx, 429/498) are tried
again ``request_tries`` times with exponential backoff; the rest are
answered at once.
"""

from __future__ import annotations

import http.client
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, Optional
from urllib.parse import quote, unquote, urlparse

from objstore.common import sync_realms

RETRYABLE = frozenset((408, 429, 498, 500, 502, 503, 504, 507))
CHUNK = 65536


@dataclass
class RemoteAnswer:
    """What the other cluster said (status 0: no answer at all)."""
    status: int
    headers: Dict[str, str] = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class SyncRemote:
    """The remote container of one sync target."""

    def __init__(self, target: sync_realms.SyncTarget, user_key: str, conn_timeout: float = 5.0,
                 node_timeout: float = 20.0, request_tries: int = 3, backoff: float = 1.0,
                 user_agent: str = "objstore-container-sync",
                 sleep: Callable[[float], None] = time.sleep) -> None:
        parsed = urlparse(target.url)
        self.scheme = parsed.scheme
        self.host = parsed.hostname or ""
        self.port = parsed.port or (443 if parsed.scheme == "https" else 80)
        self.path = unquote(parsed.path.rstrip("/"))  # /v1/AUTH_x/c
        self.target = target
        self.user_key = user_key
        self.conn_timeout = conn_timeout
        self.node_timeout = node_timeout
        self.request_tries = max(1, request_tries)
        self.backoff = backoff
        self.user_agent = user_agent
        self.sleep = sleep

    def object_path(self, name: str) -> str:
        return "%s/%s" % (self.path, name)

    def _auth_headers(self, method: str, path: str, x_timestamp: str) -> Dict[str, str]:
        if not self.target.realm:
            return {"X-Container-Sync-Key": self.user_key}
        nonce = uuid.uuid4().hex
        sig = sync_realms.sign(method, path, x_timestamp, nonce, self.target.realm_key,
                               self.user_key)
        return {sync_realms.SYNC_AUTH_HEADER: sync_realms.auth_header(self.target.realm,
                                                                      nonce, sig)}

    def request(self, method: str, name: str, x_timestamp: str,
                headers: Optional[Dict[str, str]] = None,
                body: Optional[Callable[[], Iterable[bytes]]] = None,
                query: str = "") -> RemoteAnswer:
        """``method`` on the remote object ``name``, tried again with backoff
        while the failure may pass. ``body`` makes a fresh iterator of the
        body for each try (the caller re-reads the local object). ``query``
        goes with the path; the signature covers the path alone."""
        answer = RemoteAnswer(0, error="not tried")
        for attempt in range(self.request_tries):
            if attempt:
                self.sleep(self.backoff * (2 ** (attempt - 1)))
            answer = self._once(method, name, x_timestamp, headers or {}, body, query)
            if answer.status not in RETRYABLE and answer.status != 0:
                return answer
        return answer

    def _once(self, method: str, name: str, x_timestamp: str, headers: Dict[str, str],
              body: Optional[Callable[[], Iterable[bytes]]], query: str = "") -> RemoteAnswer:
        path = self.object_path(name)
        send = dict(headers)
        send.update({"X-Timestamp": x_timestamp, "User-Agent": self.user_agent})
        send.update(self._auth_headers(method, path, x_timestamp))
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        conn = cls(self.host, self.port, timeout=self.conn_timeout)
        try:
            conn.connect()
            if conn.sock is not None:
                conn.sock.settimeout(self.node_timeout)
            conn.putrequest(method, quote(path) + ("?" + query if query else ""))
            chunked = body is not None and "Content-Length" not in send
            if chunked:
                send["Transfer-Encoding"] = "chunked"
            for key, value in send.items():
                conn.putheader(key, value)
            conn.endheaders()
            if body is not None:
                try:
                    for chunk in body():
                        if chunk:
                            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked
                                      else chunk)
                    if chunked:
                        conn.send(b"0\r\n\r\n")
                except OSError:
                    # the remote may have answered before taking the body
                    # (202: it holds a newer version); read that answer
                    pass
            resp = conn.getresponse()
            text = resp.read(1024).decode("utf-8", "replace")
            answer = RemoteAnswer(resp.status, {k.title(): v for k, v in resp.getheaders()})
            if not answer.ok:
                answer.error = "%s %s answered %d %s" % (method, path, resp.status, text[:200])
            return answer
        except (OSError, http.client.HTTPException) as err:
            return RemoteAnswer(0, error="%s %s to %s:%s failed: %s" % (
                method, path, self.host, self.port, err or type(err).__name__))
        except LocalReadError as err:
            return RemoteAnswer(0, error="reading the local object failed: %s" % err)
        finally:
            conn.close()


class LocalReadError(Exception):
    """The local object could not be read to the end while it was sent."""
