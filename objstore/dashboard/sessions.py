"""Dashboard login: tempauth decides who may look, the dashboard keeps a
session cookie.

A user logs in with the same name and key the Swift API takes; the
dashboard asks the proxy's ``/auth/v1.0`` for a token and then checks the
user administers the account (a ``POST`` of no metadata to its own
account, which tempauth allows only to ``.admin`` users, admin ACLs and
reseller admins, and which changes nothing). The session id is random,
kept only in this process, sent back as an ``HttpOnly; SameSite=Strict``
cookie, and expires after ``session_ttl`` seconds.
"""

from __future__ import annotations

import http.client
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Dict, Optional, Tuple
from urllib.parse import urlsplit

COOKIE_NAME = "objstore_dashboard"
DEFAULT_TTL = 8 * 3600


class LoginRefused(Exception):
    """Login failed; the message is safe to show the user."""


@dataclass
class Session:
    user: str
    storage_url: str
    expires: float


def _request(url: str, method: str, headers: Dict[str, str], timeout: float
             ) -> Tuple[int, Dict[str, str]]:
    parts = urlsplit(url)
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" \
        else http.client.HTTPConnection
    conn = conn_class(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        conn.request(method, parts.path or "/", headers=headers)
        resp = conn.getresponse()
        resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


def check_admin_login(auth_url: str, user: str, key: str, timeout: float = 5.0) -> str:
    """The user's storage URL when ``user``/``key`` log in through tempauth
    and the user administers that account; LoginRefused otherwise."""
    if not user or not key or ":" not in user:
        raise LoginRefused("give a user as account:user and its key")
    try:
        status, headers = _request(auth_url, "GET",
                                   {"X-Auth-User": user, "X-Auth-Key": key}, timeout)
    except (OSError, http.client.HTTPException) as err:
        raise LoginRefused("the proxy's auth endpoint %s does not answer (%s)"
                           % (auth_url, err))
    if status != 200 or "x-auth-token" not in headers or "x-storage-url" not in headers:
        raise LoginRefused("wrong user or key")
    storage_url = headers["x-storage-url"]
    try:
        status, _ = _request(storage_url, "POST",
                             {"X-Auth-Token": headers["x-auth-token"]}, timeout)
    except (OSError, http.client.HTTPException) as err:
        raise LoginRefused("the proxy does not answer (%s)" % err)
    if not 200 <= status < 300:
        raise LoginRefused("%s is not an admin of its account nor a reseller admin; "
                           "log in with an .admin user" % user)
    return storage_url


class SessionStore:
    """Live sessions by id (one dashboard process holds them all)."""

    def __init__(self, ttl: float = DEFAULT_TTL) -> None:
        self.ttl = ttl
        self._sessions: Dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, user: str, storage_url: str) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            now = time.time()
            self._sessions = {k: s for k, s in self._sessions.items() if s.expires > now}
            self._sessions[sid] = Session(user, storage_url, now + self.ttl)
        return sid

    def get(self, sid: Optional[str]) -> Optional[Session]:
        if not sid:
            return None
        with self._lock:
            session = self._sessions.get(sid)
            if session is not None and session.expires <= time.time():
                del self._sessions[sid]
                session = None
        return session

    def drop(self, sid: Optional[str]) -> None:
        with self._lock:
            self._sessions.pop(sid or "", None)


def session_cookie(sid: str, max_age: int) -> str:
    """``Set-Cookie`` value carrying a session id."""
    return "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d" % (COOKIE_NAME, sid, max_age)


def cookie_session_id(cookie_header: str) -> Optional[str]:
    """The session id in a ``Cookie`` header, if any."""
    for item in (cookie_header or "").split(";"):
        name, _, value = item.strip().partition("=")
        if name == COOKIE_NAME and value:
            return value
    return None
