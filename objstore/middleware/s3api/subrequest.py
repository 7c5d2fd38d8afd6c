"""Subrequests through the rest of the pipeline, as the authenticated S3 user.

Every S3 operation becomes one or more Swift API requests sent to the next
app (auth first, then the proxy) — never to storage servers. The first one
carries ``s3api.auth_details`` and the access key in the account slot of
the path (``/v1/test:tester/bucket``); the auth middleware checks the
signature, authenticates the request and rewrites that slot to the real
account (``AUTH_test``) in the same environ, which is how we learn it. The
following subrequests reuse the identity (``REMOTE_USER``) it set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import quote, urlencode

from webob import Request

from objstore.common import constraints
from objstore.common.http.wsgi_str import str_to_wsgi
from objstore.common.info import INFOCACHE_KEY, get_container_info
from objstore.common.reserved import ALLOW_HEADER, RESERVED, is_reserved
from objstore.common.tiering.lifecycle_rules import S3_INTERNAL_ACCOUNT_ENV
from objstore.middleware.s3api.auth import AUTH_DETAILS_KEY, IDENTIFY_ONLY_KEY, AuthState
from objstore.middleware.s3api import sigv4
from objstore.middleware.s3api.errors import S3Error

WsgiApp = Callable[..., Any]
# Environ keys copied from the client request into every subrequest.
_INHERITED = ("wsgi.version", "wsgi.errors", "wsgi.multithread", "wsgi.multiprocess",
              "wsgi.run_once", "wsgi.url_scheme", "SERVER_NAME", "SERVER_PORT",
              "SERVER_PROTOCOL", "REMOTE_ADDR", "HTTP_HOST", "swift.cache",
              "swift.trans_id", "HTTP_X_TRANS_ID_EXTRA", "eventlet.posthooks")
#: an unsigned S3 request an in-process caller sends for an account's owner
INTERNAL_ACCOUNT_ENV = S3_INTERNAL_ACCOUNT_ENV
_IDENTITY = ("REMOTE_USER", "swift.authorize", "swift.clean_acl", "reseller_request")
#: access key -> the account the auth middleware last set for it in this
#: worker. A hint of which cache entries a request will want (``access.py``
#: fetches them with the bucket's owner, one round trip), never an identity:
#: every request is still authenticated, and a stale hint costs a lookup.
_ACCOUNT_HINTS: Dict[str, str] = {}
_ACCOUNT_HINTS_MAX = 4096


def _allow(_req: Any) -> None:
    return None


@dataclass
class SwiftResponse:
    """Status, headers (case-insensitive lookups) and the body iterator."""

    status: int
    headers: Dict[str, str]
    app_iter: Iterable[bytes]
    _body: Optional[bytes] = field(default=None, repr=False)

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        return self.headers.get(name.lower(), default)

    @property
    def body(self) -> bytes:
        if self._body is None:
            try:
                self._body = b"".join(self.app_iter)
            finally:
                self.close()
        return self._body

    def close(self) -> None:
        close = getattr(self.app_iter, "close", None)
        if close is not None:
            close()

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self.app_iter:
                yield chunk
        finally:
            self.close()

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Swift:
    """Sends Swift API subrequests for one S3 request."""

    def __init__(self, app: WsgiApp, env: Dict[str, Any], auth_details: Dict[str, Any],
                 auth_state: AuthState, version: str = "v1") -> None:
        self.app = app
        self.client_env = env
        self.auth_details = auth_details
        self.auth_state = auth_state
        self.version = version
        self.account: Optional[str] = None
        self.identity: Dict[str, Any] = {}
        # What a bucket policy allowed (see ``access.py``): subrequests to
        # ``(container, obj)`` of the bucket's account for which ``grant``
        # answers True run with ``grant_env`` (the authorization bypassed).
        self.grant: Optional[Callable[[str, Optional[str]], bool]] = None
        self.grant_env: Dict[str, Any] = {}

    def account_hint(self) -> Optional[str]:
        """The account known, else the one this access key had last time."""
        return self.account or _ACCOUNT_HINTS.get(self.auth_details.get("access_key") or "")

    def path(self, container: Optional[str] = None, obj: Optional[str] = None,
             account: Optional[str] = None) -> str:
        parts = [self.version, account or self.account or self.auth_details["access_key"]]
        if container is not None:
            parts.append(container)
            if obj is not None:
                parts.append(obj)
        return "/" + "/".join(parts)

    def request(self, method: str, container: Optional[str] = None, obj: Optional[str] = None,
                headers: Optional[Dict[str, str]] = None,
                query: Optional[List[Tuple[str, str]]] = None,
                body: Any = None, content_length: Optional[int] = None,
                extra_env: Optional[Dict[str, Any]] = None,
                account: Optional[str] = None) -> SwiftResponse:
        """One subrequest; ``body`` is bytes or a file-like with ``read``;
        ``account`` addresses another account than the caller's."""
        if container is not None and is_reserved(container) and self.account is None:
            self.authenticate()  # a kept version is judged by its bucket's ACLs
        env: Dict[str, Any] = {k: self.client_env[k] for k in _INHERITED
                               if k in self.client_env}
        # One S3 request's subrequests share what they learn of accounts and
        # containers, as the proxy's own subrequests do (a write clears the
        # entry it changes, in this same dict): the bucket's info is looked
        # up once per S3 request, not once per subrequest and middleware.
        env[INFOCACHE_KEY] = self.client_env.setdefault(INFOCACHE_KEY, {})
        # Names are text in s3api; WSGI wants the UTF-8 bytes as latin-1.
        path = str_to_wsgi(self.path(container, obj, account))
        env.update({"REQUEST_METHOD": method, "PATH_INFO": path,
                    "SCRIPT_NAME": "", "QUERY_STRING": urlencode(query or [], quote_via=quote),
                    "swift.source": "S3", "HTTP_USER_AGENT": "objstore-s3api",
                    # manifests keep swift_bytes in their Content-Type
                    constraints.CONTENT_TYPE_PARAMS_ENV: True})
        if isinstance(body, (bytes, bytearray)):
            import io
            env["wsgi.input"] = io.BytesIO(bytes(body))
            env["CONTENT_LENGTH"] = str(len(body))
        elif body is not None:
            env["wsgi.input"] = body
            if content_length is not None:
                env["CONTENT_LENGTH"] = str(content_length)
            else:
                env["HTTP_TRANSFER_ENCODING"] = "chunked"
        else:
            import io
            env["wsgi.input"] = io.BytesIO(b"")
            if method in ("PUT", "POST"):
                env["CONTENT_LENGTH"] = "0"
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                env[key] = value
            else:
                env["HTTP_" + key] = value
        first = self.account is None
        if first:
            env[AUTH_DETAILS_KEY] = self.auth_details
        else:
            env.update(self.identity)
            if self.grant is not None and container is not None and \
                    account in (None, self.account) and self.grant(container, obj):
                env.update(self.grant_env)
        if extra_env:
            env.update(extra_env)  # after the identity: it may bypass authorization
        if container is not None and is_reserved(container):
            denied = self._authorize_kept(env, container)
            if denied is not None:
                return denied
        captured: Dict[str, Any] = {}

        def start_response(status: str, response_headers: List[Tuple[str, str]],
                           exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"] = status
            captured["headers"] = response_headers
            return lambda data: None

        app_iter = self.app(env, start_response)
        if "status" not in captured:
            # Lazy apps call start_response on first iteration.
            app_iter = list(app_iter)
        status = int(captured["status"].split(" ", 1)[0])
        hdrs = {k.lower(): v for k, v in captured["headers"]}
        resp = SwiftResponse(status, hdrs, app_iter)
        if first:
            self._learn_identity(env, resp)
        return resp

    def _authorize_kept(self, env: Dict[str, Any], container: str
                        ) -> Optional[SwiftResponse]:
        """A subrequest to a bucket's reserved versions container (never a
        client's name: a bucket name cannot start with NUL) is the caller's
        request on the bucket, as ``object_versioning`` judges its own: the
        bucket's read ACL (GET/HEAD) or write ACL decide, then it goes
        pre-authorized. ``None`` to send it, else the refusal.
        ``X-Backend-Allow-Reserved-Names`` lets it name the container;
        gatekeeper strips that header from clients."""
        env["HTTP_" + ALLOW_HEADER.upper().replace("-", "_")] = "true"
        check = env.get("swift.authorize")
        if env.get("swift.authorize_override") or check is None:
            return None
        bucket = container.split(RESERVED)[-1]
        info = get_container_info(env, self.app, self.account or "", bucket)
        req = Request(dict(env, PATH_INFO=str_to_wsgi(self.path(bucket))))
        req.acl = info.get("read_acl" if env["REQUEST_METHOD"] in ("GET", "HEAD")
                           else "write_acl")
        denied = check(req)
        if denied is not None:
            return SwiftResponse(denied.status_int, {}, iter([b""]))
        env.update({"swift.authorize_override": True, "swift.authorize": _allow})
        return None

    def _learn_identity(self, env: Dict[str, Any], resp: SwiftResponse) -> None:
        """Read the account the auth middleware put into the path."""
        state = self.auth_state
        if not state.verified:
            resp.close()
            if state.called:
                details = self.auth_details
                raise sigv4.mismatch(details["access_key"], details["string_to_sign"],
                                     details["signature"], details.get("canonical_request"))
            raise S3Error("InvalidAccessKeyId", AWSAccessKeyId=self.auth_details["access_key"])
        parts = env["PATH_INFO"].split("/")
        if len(parts) < 3 or parts[2] == self.auth_details["access_key"]:
            resp.close()
            raise S3Error("AccessDenied", "The auth middleware accepted the signature but "
                          "did not set the account; is s3api placed before tempauth?")
        self.account = parts[2]
        self.identity = {k: env[k] for k in _IDENTITY if k in env}
        if len(_ACCOUNT_HINTS) >= _ACCOUNT_HINTS_MAX:
            _ACCOUNT_HINTS.clear()
        _ACCOUNT_HINTS[self.auth_details["access_key"]] = self.account
        if resp.status == 401:
            resp.close()
            raise S3Error("AccessDenied")

    def authenticate(self) -> None:
        """Make sure the identity is known if nothing else ran: an account
        ``OPTIONS``, which the auth middleware authenticates and answers
        itself (``IDENTIFY_ONLY_KEY``; or else the proxy: no storage server
        is asked either way). Answered by tempauth, it costs no pass through
        the rest of the pipeline and no access log line (it was one of an
        S3 PutObject's two subrequests, one of a DeleteObject's three)."""
        if self.account is None:
            self.request("OPTIONS", extra_env={IDENTIFY_ONLY_KEY: True}).close()


def internal_swift(app: WsgiApp, env: Dict[str, Any], account: str) -> "Swift":
    """The subrequest sender of an ``INTERNAL_ACCOUNT_ENV`` request: the
    account known, every subrequest authorized."""
    swift = Swift(app, env, {"access_key": account}, AuthState(True, True))
    swift.account = account
    swift.identity = {"swift.authorize": _allow,
                      "swift.authorize_override": True}
    return swift
