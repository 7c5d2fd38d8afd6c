"""tempauth: users listed in the proxy config, tokens kept in the cache.

Meant for test clusters (the SAIO users) and small deployments. Users are
``user_<account>_<user> = <key> [.admin] [.reseller_admin] [group ...]
[storage_url]`` (``user64_<b64 account>_<b64 user>`` for names holding
``_``). ``GET /auth/v1.0`` with ``X-Auth-User: account:user`` and
``X-Auth-Key`` hands out a token; the token lives in ``env['swift.cache']``
(memcached), so every proxy worker accepts it until it expires.

On every other request this middleware only says *who* the caller is
(``REMOTE_USER`` = comma-separated groups) and installs
``env['swift.authorize']``; the proxy calls that once it knows the
container ACL (``req.acl``), which is when the decision can be made. A
request without a token still goes through, so public containers
(``.r:*``) and listings (``.rlistings``) work for anonymous clients.
Denials are ``401`` when the caller is not authenticated (retry with a
token) and ``403`` when a valid token lacks the right (retrying won't help).
The ACL group ``*:*`` admits every authenticated user, of any account
(never an anonymous one).
"""

from __future__ import annotations

import base64
import hmac
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional
from urllib.parse import quote

from webob import Request, Response

from objstore.common import logs, registry, reserved
from objstore.common.config import ConfigError, config_int, config_true_value
from objstore.common.http import errors
from objstore.common.http.wsgi_str import InvalidName, decode_name, wsgi_to_str
from objstore.common.memcached import LocalCache, MemcacheConnectionError
from objstore.common.owner_headers import ACCOUNT_ACL_HEADER, ACCOUNT_ACL_SYSMETA
from objstore.common.utils import split_path
from objstore.middleware.acl import (account_acl_error, clean_acl, format_account_acl,
                                     parse_account_acl, parse_acl, referrer_allowed)

DEFAULT_TOKEN_LIFE = 86400
DEFAULT_RESELLER_PREFIX = "AUTH"
DEFAULT_AUTH_PREFIX = "/auth/"
ADMIN_GROUP = ".admin"
RESELLER_ADMIN_GROUP = ".reseller_admin"
# In a container ACL, the group that any authenticated user (any account) is in.
AUTHENTICATED_ACL_GROUP = "*:*"
TOKEN_MARK = "tk"
# Tokens one worker remembers for when the cache is too slow to answer.
KNOWN_TOKENS = 10000
# Waits for a cache that cannot answer before an unknown token counts as
# invalid (each up to the cache's ``pool_timeout``).
CACHE_TRIES = 2
# Set by s3api for an S3-signed request (see _authenticate_s3).
S3_AUTH_DETAILS = "s3api.auth_details"
# Set by s3api (with S3_AUTH_DETAILS) when it only wants to learn who signed:
# answered here once the signature is checked (s3api/auth.py IDENTIFY_ONLY_KEY).
S3_IDENTIFY_ONLY = "s3api.identify_only"
_ACCOUNT_ACL_ENV = "objstore.tempauth.account_acls"


@dataclass
class User:
    """One configured user: key, groups and (optionally) a fixed storage URL."""

    account: str
    name: str
    key: str
    groups: List[str] = field(default_factory=list)
    storage_url: Optional[str] = None


def _b64decode(text: str) -> str:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")


def parse_users(conf: Dict[str, str]) -> Dict[str, User]:
    """``{"account:user": User}`` from the ``user_*``/``user64_*`` options."""
    users: Dict[str, User] = {}
    for option, value in conf.items():
        if option.startswith("user64_"):
            enc_account, sep, enc_user = option[len("user64_"):].partition("_")
            if not sep:
                raise ConfigError("tempauth option %s: expected user64_<account>_<user>" % option)
            try:
                account, name = _b64decode(enc_account), _b64decode(enc_user)
            except ValueError:
                raise ConfigError("tempauth option %s: bad base64 name" % option) from None
        elif option.startswith("user_"):
            account, sep, name = option[len("user_"):].partition("_")
            if not sep or not account or not name:
                raise ConfigError("tempauth option %s: expected user_<account>_<user>" % option)
        else:
            continue
        words = value.split()
        if not words:
            raise ConfigError("tempauth option %s: needs at least a key" % option)
        key, rest = words[0], words[1:]
        storage_url = None
        if rest and "://" in rest[-1]:
            storage_url = rest.pop()
        users["%s:%s" % (account, name)] = User(account, name, key, rest, storage_url)
    return users


class TempAuth:
    """Authenticates with config users and authorizes with container ACLs."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.logger = logs.get_logger(conf, "tempauth")
        prefixes = [p.strip() for p in conf.get("reseller_prefix", DEFAULT_RESELLER_PREFIX)
                    .replace(",", " ").split()]
        self.reseller_prefixes = [p if p.endswith("_") else p + "_" for p in prefixes] or [""]
        self.reseller_prefix = self.reseller_prefixes[0]
        # An account under this prefix also needs this group (e.g. a service
        # token's): ``<PREFIX>_require_group = service``.
        self.require_group = {p: conf.get("%srequire_group" % p, "").strip()
                              for p in self.reseller_prefixes}
        self.auth_prefix = conf.get("auth_prefix", DEFAULT_AUTH_PREFIX).strip() or DEFAULT_AUTH_PREFIX
        if not self.auth_prefix.startswith("/"):
            self.auth_prefix = "/" + self.auth_prefix
        if not self.auth_prefix.endswith("/"):
            self.auth_prefix += "/"
        self.token_life = config_int(conf, "token_life", DEFAULT_TOKEN_LIFE, 1)
        self.storage_url_scheme = conf.get("storage_url_scheme", "default").strip()
        if self.storage_url_scheme not in ("default", "http", "https"):
            raise ConfigError("tempauth storage_url_scheme must be default, http or https, "
                              "got %r" % self.storage_url_scheme)
        self.allow_overrides = config_true_value(conf.get("allow_overrides", "true"))
        self.users = parse_users(conf)
        self._fallback_cache = LocalCache()
        # Tokens this worker issued or saw the cache vouch for, until they
        # expire: a token's groups never change while it lives (a token is
        # only ever dropped at its expiry), so the worker's memory answers
        # without a round trip to memcached, and a slow or busy cache does
        # not turn a valid token into a 401.
        self._known_tokens = LocalCache(KNOWN_TOKENS)
        registry.register_info("tempauth", account_acls=True)

    # -- request entry ----------------------------------------------------

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.allow_overrides and env.get("swift.authorize_override"):
            return self.app(env, start_response)  # e.g. tempurl vouched for it
        path = env.get("PATH_INFO", "")
        if path.startswith(self.auth_prefix):
            return self.handle_auth(Request(env))(env, start_response)
        token = env.get("HTTP_X_AUTH_TOKEN") or env.get("HTTP_X_STORAGE_TOKEN")
        if S3_AUTH_DETAILS in env:
            denied = self._authenticate_s3(env)
            if denied is not None:
                return denied(env, start_response)
            if env.get(S3_IDENTIFY_ONLY):
                # the account is in PATH_INFO and the groups in the environ:
                # all s3api asked for, without a pass through the pipeline
                start_response("204 No Content", [("Content-Length", "0")])
                return [b""]
            path = env["PATH_INFO"]
        elif token and self._owns_token(token):
            groups = self.get_groups(env, token)
            if groups is None:
                # Our token format but unknown or expired: say so right away
                # (Swift names the account here as received, unquoted)
                return self._unauthorized(Request(env), _raw_realm(env))(env, start_response)
            env["REMOTE_USER"] = groups
            env["swift.authorize"] = self.authorize
            env["swift.clean_acl"] = clean_acl
            if RESELLER_ADMIN_GROUP in groups.split(","):
                env["reseller_request"] = True
        elif self._is_our_account(path):
            # Anonymous (or another auth's token) on one of our accounts:
            # ACLs may still let it in -- but no ACL can name a container
            # or object that is not valid UTF-8: 401 before the proxy's 412,
            # as Swift answers.
            if _names_invalid_below_account(path, reserved.allowed(Request(env).headers)):
                return self._unauthorized(Request(env))(env, start_response)
            env["swift.authorize"] = self.authorize
            env["swift.clean_acl"] = clean_acl
        elif "swift.authorize" not in env:
            env["swift.authorize"] = self.denied_response
        if self._is_account_request(path):
            bad = self._store_account_acl(env)
            if bad is not None:
                return bad(env, start_response)
            return self.app(env, start_response)
        return self.app(env, start_response)

    # -- account ACLs (X-Account-Access-Control, kept as account sysmeta; the
    # proxy shows them to owners: objstore.common.owner_headers) --

    def _is_account_request(self, path: str) -> bool:
        try:
            _version, account, container = split_path(path, 1, 3, True)
        except ValueError:
            return False
        return container is None and self._account_prefix(account) is not None

    def _store_account_acl(self, env: Dict[str, Any]) -> Optional[Response]:
        """Turn a client's account ACL into sysmeta, or a 400 if it is bad.

        Only the owner gets past ``authorize`` to write it, so a stranger's
        header never lands."""
        if env.get("REQUEST_METHOD") not in ("PUT", "POST"):
            return None
        raw = env.pop("HTTP_" + ACCOUNT_ACL_HEADER.upper().replace("-", "_"), None)
        if raw is None:
            return None
        text = wsgi_to_str(raw, "replace")
        try:
            acl = parse_account_acl(text)
        except ValueError as err:
            return errors.swift_error(400, account_acl_error(text, err),
                                      content_type=errors.PLAIN_UTF8)
        sysmeta_key = "HTTP_" + ACCOUNT_ACL_SYSMETA.upper().replace("-", "_")
        env[sysmeta_key] = format_account_acl(acl) if acl else ""
        return None

    def _account_acl(self, req: Request, account: str) -> Optional[Dict[str, List[str]]]:
        """The account's ACL, read once per request with a HEAD through the
        rest of the pipeline (the proxy caches account info)."""
        seen = req.environ.setdefault(_ACCOUNT_ACL_ENV, {})
        if account in seen:
            return seen[account]
        sub = Request.blank("/v1/%s" % account, method="HEAD", environ={
            "swift.cache": req.environ.get("swift.cache"),
            "swift.infocache": req.environ.setdefault("swift.infocache", {}),
            "swift.authorize": lambda _req: None, "swift_owner": True,
            "swift.source": "TA", "swift.trans_id": req.environ.get("swift.trans_id")})
        acl = None
        try:
            resp = sub.get_response(self.app)
            if 200 <= resp.status_int < 300:
                acl = parse_account_acl(resp.headers.get(ACCOUNT_ACL_SYSMETA))
        except ValueError:
            self.logger.error("account %s has an unreadable ACL; ignoring it", account)
        seen[account] = acl
        return acl

    def _authorize_by_account_acl(self, req: Request, account: str, container: Optional[str],
                                  groups: List[str]) -> bool:
        """Whether the account ACL lets ``groups`` do ``req``: read-only
        reads, read-write also writes containers and objects, admin is
        treated as an owner (but, like owners, cannot PUT/DELETE the account)."""
        acl = self._account_acl(req, account)
        if not acl:
            return False

        def listed(key: str) -> bool:
            return any(g in acl.get(key, []) for g in groups)
        is_read = req.method in ("GET", "HEAD")
        if listed("admin") and (container or req.method not in ("PUT", "DELETE")):
            self._mark_owner(req)
            return True
        if listed("read-write") and (is_read or container):
            return True
        return listed("read-only") and is_read

    def _authenticate_s3(self, env: Dict[str, Any]) -> Optional[Response]:
        """Authenticate an S3-signed request (see ``objstore.middleware.s3api``).

        s3api put the access key (``account:user``) in the account slot of the
        path and a ``check_signature(secret)`` callable in
        ``env['s3api.auth_details']``; the secret is the user's key. On success
        the path gets the real account and the request the user's groups.
        """
        details = env.pop(S3_AUTH_DETAILS)
        access_key = details.get("access_key", "")
        user = self.users.get(access_key)
        if user is None or not details["check_signature"](user.key):
            return self._unauthorized(Request(env))
        prefix, slot = "/v1/", "/v1/%s" % access_key
        path = env.get("PATH_INFO", "")
        if path == slot or path.startswith(slot + "/"):
            env["PATH_INFO"] = prefix + self.reseller_prefix + user.account + path[len(slot):]
        groups = ",".join(self.user_groups(user))
        env["REMOTE_USER"] = groups
        env["swift.authorize"] = self.authorize
        env["swift.clean_acl"] = clean_acl
        if RESELLER_ADMIN_GROUP in groups.split(","):
            env["reseller_request"] = True
        return None

    def _owns_token(self, token: str) -> bool:
        return any(token.startswith(p + TOKEN_MARK) for p in self.reseller_prefixes if p)

    def _account_prefix(self, account: Optional[str]) -> Optional[str]:
        """The reseller prefix ``account`` is under, or ``None``."""
        if not account:
            return None
        for prefix in self.reseller_prefixes:
            if account.startswith(prefix):
                return prefix
        return None

    def _is_our_account(self, path: str) -> bool:
        try:
            _version, account, _rest = split_path(path, 1, 3, True)
        except ValueError:
            return False
        return self._account_prefix(account) is not None

    def _cache(self, env: Dict[str, Any]) -> Any:
        cache = env.get("swift.cache")
        if cache is None:
            # No memcache filter in the pipeline: tokens only work in this
            # worker. Fine for tests and single-process proxies.
            return self._fallback_cache
        return cache

    # -- tokens -----------------------------------------------------------

    def _token_key(self, token: str) -> str:
        return "%s/token/%s" % (self.reseller_prefix, token)

    def _user_key(self, account_user: str) -> str:
        return "%s/user/%s" % (self.reseller_prefix, account_user)

    def _remember_token(self, key: str, expires: float, groups: str) -> None:
        life = expires - time.time()
        if life > 0:
            self._known_tokens.set(key, [expires, groups], time=life)

    def _cached_token(self, env: Dict[str, Any], key: str) -> Any:
        """What the cache holds for the token ``key``. When the cache cannot
        answer (every memcached connection busy past ``pool_timeout``, or no
        server), this worker's own memory of the token answers (it may have
        learnt it meanwhile); a token it never saw gets one more wait for the
        cache, then counts as unknown."""
        for _attempt in range(CACHE_TRIES):
            try:
                return self._cache(env).get(key, raise_on_error=True)
            except MemcacheConnectionError:
                known = self._known_tokens.get(key)
                if known is not None:
                    return known
        return None

    def _token_groups(self, env: Dict[str, Any], token: str) -> Optional[str]:
        """The token's groups: from this worker's memory when it issued or
        saw the token (no round trip to memcached), else from the cache."""
        key = self._token_key(token)
        known = self._known_tokens.get(key)
        cached = known if known is not None else self._cached_token(env, key)
        if not cached or not isinstance(cached, list) or len(cached) != 2:
            return None
        expires, groups = cached
        if float(expires) <= time.time():
            self._cache(env).delete(key)
            return None
        if known is None:
            self._remember_token(key, float(expires), str(groups))
        return str(groups)

    def get_groups(self, env: Dict[str, Any], token: str) -> Optional[str]:
        """The caller's groups as a comma-separated string, or ``None`` if the
        token is unknown or expired. A valid ``X-Service-Token`` adds its
        user's groups (after the user's own, so the first stays the user)."""
        groups = self._token_groups(env, token)
        if groups is None:
            return None
        service_token = env.get("HTTP_X_SERVICE_TOKEN")
        if service_token and self._owns_token(service_token):
            service_groups = self._token_groups(env, service_token)
            if service_groups:
                groups = ",".join([groups, service_groups])
        return groups

    def user_groups(self, user: User) -> List[str]:
        """Groups a token for ``user`` carries: ``account:user``, ``account``,
        the configured groups; ``.admin`` becomes the account id itself
        (``AUTH_test``, and the same account under every other reseller
        prefix), which is what makes the user the account's owner."""
        groups = ["%s:%s" % (user.account, user.name), user.account]
        for group in user.groups:
            if group == ADMIN_GROUP:
                groups.extend(p + user.account for p in self.reseller_prefixes)
            elif group not in groups:
                groups.append(group)
        return groups

    def handle_auth(self, req: Request) -> Response:
        """Answer ``GET /auth/v1.0`` (also ``/auth/auth``, and either with
        more segments) and ``/auth/v1/<acct>/auth``, whose user must be of
        that account; an empty first segment is 404, any other path 400
        (as Swift 2.38.3 answers them)."""
        if req.method != "GET":
            return errors.swift_error(405)
        segments = req.path_info[len(self.auth_prefix):].split("/")
        account_user = req.headers.get("X-Auth-User") or req.headers.get("X-Storage-User") or ""
        key = req.headers.get("X-Auth-Key") or req.headers.get("X-Storage-Pass")
        realm = account_user.partition(":")[0] if ":" in account_user else "unknown"
        if segments[0] == "":
            return errors.swift_error(404)
        if segments[0] == "v1" and len(segments) == 3 and segments[2] == "auth":
            realm = segments[1]
            if account_user.partition(":")[0] != realm:
                return self._unauthorized(req, realm)
        elif segments[0] not in ("v1.0", "auth"):
            return errors.swift_error(400)
        if not account_user or ":" not in account_user or not key:
            return self._unauthorized(req, realm)
        user = self.users.get(account_user)
        if user is None or not hmac.compare_digest(user.key.encode("utf-8"),
                                                   key.encode("utf-8")):
            return self._unauthorized(req, realm)
        return self._issue_token(req, account_user, user)

    def _issue_token(self, req: Request, account_user: str, user: User) -> Response:
        cache = self._cache(req.environ)
        groups = ",".join(self.user_groups(user))
        token = None
        expires = 0.0
        if not config_true_value(req.headers.get("X-Auth-New-Token", "false")):
            old = cache.get(self._user_key(account_user))
            if isinstance(old, str):
                cached = cache.get(self._token_key(old))
                if (isinstance(cached, list) and len(cached) == 2
                        and float(cached[0]) > time.time() and cached[1] == groups):
                    token, expires = old, float(cached[0])
        if token is None:
            token = "%s%s%s" % (self.reseller_prefix, TOKEN_MARK, uuid.uuid4().hex)
            expires = time.time() + self.token_life
            cache.set(self._token_key(token), [expires, groups], time=self.token_life)
            cache.set(self._user_key(account_user), token, time=self.token_life)
        self._remember_token(self._token_key(token), expires, groups)
        url = user.storage_url or "%s://%s/v1/%s%s" % (
            req.environ.get("wsgi.url_scheme", "http") if self.storage_url_scheme == "default"
            else self.storage_url_scheme, req.host, self.reseller_prefix, user.account)
        # As Swift: everything is in the headers, the body is empty.
        return Response(status=200, body=b"", headerlist=[
            ("Content-Type", errors.HTML), ("X-Auth-Token", token), ("X-Storage-Token", token),
            ("X-Auth-Token-Expires", str(max(int(expires - time.time()), 0))),
            ("X-Storage-Url", url)])

    # -- authorization ----------------------------------------------------

    def authorize(self, req: Request) -> Optional[Response]:
        """``None`` to allow ``req``, else the 401/403 response to send.

        Called by the proxy after it set ``req.acl`` (the container's read
        ACL for GET/HEAD, write ACL for PUT/POST/DELETE). Marks the account
        owner with ``env['swift_owner'] = True`` so the proxy shows them
        the privileged headers (ACLs, sync keys).
        """
        try:
            _version, account, container, obj = split_path(req.path_info, 1, 4, True)
        except ValueError:
            return errors.swift_error(404)
        prefix = self._account_prefix(account)
        if prefix is None:
            return self.denied_response(req)
        groups = [g for g in (req.remote_user or "").split(",") if g]
        required = self.require_group.get(prefix)
        if required and required not in groups:
            if req.method == "OPTIONS":
                return None  # a CORS preflight carries no token; the proxy judges it
            return self.denied_response(req)
        is_reseller_admin = RESELLER_ADMIN_GROUP in groups
        if is_reseller_admin and account != prefix and not account[len(prefix):].startswith("."):
            self._mark_owner(req)
            return None
        if account in groups and (req.method not in ("PUT", "DELETE") or container):
            # The owner may do anything but create or delete the account.
            self._mark_owner(req)
            return None
        if req.method == "OPTIONS":
            return None  # CORS preflight: the proxy checks the CORS rules
        referrers, acl_groups = parse_acl(getattr(req, "acl", None))
        if referrer_allowed(req.referer, referrers) and (obj or ".rlistings" in acl_groups):
            return None
        if not groups:
            return self.denied_response(req)
        if AUTHENTICATED_ACL_GROUP in acl_groups or any(g in acl_groups for g in groups):
            return None  # ``*:*`` admits any authenticated user
        if self._authorize_by_account_acl(req, account, container, groups):
            return None
        return self.denied_response(req)

    @staticmethod
    def _mark_owner(req: Request) -> None:
        # ``swift_owner`` is the key the proxy (and Swift) reads;
        # ``swift.owner`` is kept for middlewares written to that spelling.
        req.environ["swift_owner"] = True
        req.environ["swift.owner"] = True

    def denied_response(self, req: Request) -> Response:
        """403 for an authenticated caller, 401 (retry with a token) otherwise."""
        if req.remote_user:
            self.logger.debug("403: %s may not %s %s", req.remote_user.split(",")[0],
                              req.method, req.path_info)
            return errors.swift_error(403)
        return self._unauthorized(req)

    def _unauthorized(self, req: Request, realm: Optional[str] = None) -> Response:
        """401 with ``WWW-Authenticate: Swift realm="<account>"`` (the
        account of the path, or ``unknown``). An account from the path is
        given as the request's quoted path spells it (``%22`` for a quote,
        ``%0A`` for a line feed: it cannot break the header), as Swift
        2.38.3 answers; a realm given (the user's account) loses its
        quotes."""
        if realm is None:
            realm = "unknown"
            try:
                # the WSGI string: one character per byte received
                _version, account, _rest = split_path(req.environ.get("PATH_INFO", ""),
                                                      1, 3, True)
                if account:
                    realm = quote(account.encode("latin-1", "replace"), safe="/")
            except ValueError:
                pass
        return errors.swift_error(401, headers={"Www-Authenticate": 'Swift realm="%s"'
                                                % realm.replace('"', "")})


def _raw_realm(env: Dict[str, Any]) -> Optional[str]:
    """The path's account as its bytes were received (a WSGI string), or
    None (the quoted form) when there is none or it holds a control
    character, which no header may carry."""
    try:
        _version, account, _rest = split_path(env.get("PATH_INFO", ""), 1, 3, True)
    except ValueError:
        return None
    if not account or any(ord(c) < 0x20 or ord(c) == 0x7F for c in account):
        return None
    return account


def _names_invalid_below_account(path: str, allow_reserved: bool = False) -> bool:
    """Whether a valid account is followed by a container or object name
    that is not valid UTF-8 (or holds NUL; a reserved name is valid in a
    middleware's subrequest that allows them, ``common/reserved.py``: the
    header never comes from a client, gatekeeper strips it)."""
    try:
        _version, account, rest = split_path(path, 1, 3, True)
    except ValueError:
        return False
    try:
        decode_name(account or "")
    except InvalidName:
        return False
    try:
        decode_name(rest or "", allow_reserved)
    except InvalidName:
        return True
    return False


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: TempAuth(app, conf)
