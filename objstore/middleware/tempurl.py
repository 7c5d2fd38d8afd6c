"""tempurl: links that grant one method on one object (or prefix) until a
time, signed with a secret key of the account or container.

``?temp_url_sig=<sig>&temp_url_expires=<unix time or YYYY-MM-DDThh:mm:ssZ>``
on an object URL. The signature is the HMAC of::

    [ip=<range>\\n]<METHOD>\\n<expires>\\n[prefix:]<path>

under one of ``X-Account-Meta-Temp-URL-Key[-2]`` or
``X-Container-Meta-Temp-URL-Key[-2]`` (``swift tempurl`` prints such
URLs). ``temp_url_prefix=<p>`` signs ``prefix:/v1/a/c/<p>`` and then
admits every object whose name starts with ``<p>``;
``temp_url_ip_range=<ip or CIDR>`` signs ``ip=<range>`` and admits only
clients from it. A HEAD is allowed by a GET, PUT or POST signature. A
whole container's link (``temp_url_prefix=`` empty) may also GET or HEAD
the container's root, for staticweb's listing of it: any other successful
answer there (the container's own listing) is refused.

A valid link stands in for authentication (``swift.authorize_override``)
for that object only: the request may not copy from elsewhere
(``X-Copy-From``), make a manifest or a symlink, since each of those would
reach beyond the signed object. Downloads get ``Content-Disposition``
(``attachment`` with the object's name, ``filename=`` overrides, ``inline``
shows it in the browser) and ``Expires``; the object's private metadata is
not shown (``outgoing_remove_headers`` minus ``outgoing_allow_headers``).

Every refusal is the same ``401 Temp URL invalid``: a forger learns neither
whether the key, the time, the method or the path was wrong.

Keys are shown only to the account's owner (the proxy's rule:
``objstore.common.owner_headers``), and never in an answer to a temp URL.
"""

from __future__ import annotations

import calendar
import fnmatch
import ipaddress
import time
from email.utils import formatdate
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs, quote, urlencode

from webob import Request, Response

from objstore.common import registry
from objstore.common.temp_url_marks import CONTENT_GENERATOR, STATICWEB, TEMPURL_USER
from objstore.common.utils import close_if_possible, split_path
from objstore.common.http.errors import swift_error
from objstore.common.http.wsgi_str import wsgi_to_str
from objstore.middleware import hmac_keys

DEFAULT_METHODS = "GET HEAD PUT POST DELETE"
DEFAULT_INCOMING_REMOVE = "x-timestamp x-open-expired"
DEFAULT_OUTGOING_REMOVE = "x-object-meta-*"
DEFAULT_OUTGOING_ALLOW = "x-object-meta-public-*"
ISO8601 = "%Y-%m-%dT%H:%M:%SZ"
# Headers a write (PUT, POST, DELETE) through a temp URL may not carry: each
# reaches another object.
DISALLOWED_HEADERS = ("X-Copy-From", "X-Object-Manifest", "X-Symlink-Target")
# Methods whose signature also admits a HEAD of the same object.
HEAD_ADMITTED_BY = ("HEAD", "GET", "PUT", "POST")
REMOTE_USER = TEMPURL_USER
INVALID_BODY = b"401 Unauthorized: Temp URL invalid\n"
TEMPURL_PARAMS = ("temp_url_sig", "temp_url_expires", "temp_url_prefix",
                  "temp_url_ip_range", "filename", "inline")



#: the parameters a link's request keeps: its own (so that staticweb can
#: build links from them); every other one is dropped, as Swift 2.38.3
#: drops them, so a link reads the object its signature names as it is
#: (``?version-id=`` reads the current version, ``?multipart-manifest=get``
#: the whole object), not what a parameter added to the link would select
_LINK_PARAMS = ("temp_url_sig", "temp_url_expires", "temp_url_prefix", "filename")


def _link_query(params: Dict[str, List[str]]) -> str:
    """The query a validated link's request goes on with."""
    kept = [(name, params[name][0]) for name in _LINK_PARAMS if name in params]
    if "inline" in params:
        kept.append(("inline", ""))
    return urlencode(kept)

class TempURLError(Exception):
    """The link cannot be honoured (the client sees 401)."""


def parse_expires(value: str) -> int:
    """Seconds since the epoch from a unix time or ``YYYY-MM-DDThh:mm:ssZ``."""
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return calendar.timegm(time.strptime(value, ISO8601))
    except ValueError:
        raise TempURLError("bad temp_url_expires %r" % value) from None


def _one(params: Dict[str, List[str]], name: str) -> Optional[str]:
    values = params.get(name)
    return values[0] if values else None


def signed_messages(methods: Iterable[str], expires: str, path: str,
                    prefix: Optional[str], ip_range: Optional[str]) -> List[str]:
    """Every string a valid signature of this request may be the HMAC of."""
    target = "prefix:%s" % path if prefix is not None else path
    ip_line = "ip=%s\n" % ip_range if ip_range else ""
    return ["%s%s\n%s\n%s" % (ip_line, method, expires, target) for method in methods]


def content_disposition(name: str, inline: bool, filename: Optional[str]) -> str:
    """``attachment; filename=...`` (or ``inline``) for a download."""
    if inline and filename is None:
        return "inline"
    shown = filename if filename is not None else name
    kind = "inline" if inline else "attachment"
    return "%s; filename=\"%s\"; filename*=UTF-8''%s" % (
        kind, quote(shown, safe=" /"), quote(shown))


def _is_container_root(env: Dict[str, Any]) -> bool:
    try:
        return not split_path(env["PATH_INFO"], 3, 4, True)[3]
    except ValueError:
        return False


def invalid_response() -> Response:
    """The one refusal of a temp URL, whatever was wrong with it."""
    return swift_error(401, INVALID_BODY.decode(),
                       {"Www-Authenticate": 'Swift realm="unknown"'})


class _Patterns:
    """Header names and ``prefix-*`` patterns, matched case-insensitively."""

    def __init__(self, value: str) -> None:
        self.names = [p.lower() for p in value.split()]

    def matches(self, header: str) -> bool:
        header = header.lower()
        return any(fnmatch.fnmatchcase(header, p) for p in self.names)


class TempURL:
    """Checks temp URL signatures."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.methods = [m.upper() for m in conf.get("methods", DEFAULT_METHODS).split()]
        self.incoming_remove = _Patterns(conf.get("incoming_remove_headers",
                                                  DEFAULT_INCOMING_REMOVE))
        self.incoming_allow = _Patterns(conf.get("incoming_allow_headers", ""))
        self.outgoing_remove = _Patterns(conf.get("outgoing_remove_headers",
                                                  DEFAULT_OUTGOING_REMOVE))
        self.outgoing_allow = _Patterns(conf.get("outgoing_allow_headers",
                                                 DEFAULT_OUTGOING_ALLOW))
        self.allowed_digests = hmac_keys.parse_allowed_digests(conf.get("allowed_digests"))
        registry.register_info(
            "tempurl", methods=self.methods,
            incoming_remove_headers=self.incoming_remove.names,
            incoming_allow_headers=self.incoming_allow.names,
            outgoing_remove_headers=self.outgoing_remove.names,
            outgoing_allow_headers=self.outgoing_allow.names,
            **hmac_keys.digest_info(self.allowed_digests))

    # ------------------------------------------------------------- entry
    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        params = parse_qs(env.get("QUERY_STRING", ""), keep_blank_values=True)
        if env["REQUEST_METHOD"] == "OPTIONS" or not (
                "temp_url_sig" in params or "temp_url_expires" in params):
            return self.app(env, start_response)
        try:
            account, scope, name, expires = self._validate(env, params)
        except TempURLError:
            return self._invalid(env, start_response)
        if env["REQUEST_METHOD"] not in ("GET", "HEAD", "OPTIONS"):
            for header in DISALLOWED_HEADERS:
                if "HTTP_" + header.upper().replace("-", "_") in env:
                    text = "The header %r is not allowed in this tempurl" % header
                    return swift_error(400, text)(env, start_response)
        self._clean_incoming(env)
        env["swift.authorize_override"] = True
        env["swift.authorize"] = self._authorizer(account, scope)
        env["REMOTE_USER"] = REMOTE_USER
        env["swift.source"] = env.get("swift.source") or "TU"
        inline = "inline" in params
        filename = _one(params, "filename")
        env["QUERY_STRING"] = _link_query(params)
        if _is_container_root(env):
            return self._site_only(env, start_response, name, expires, inline, filename)
        return self.app(env, self._outgoing(env, start_response, name, expires, inline,
                                            filename))

    def _site_only(self, env: Dict[str, Any], start_response: Callable[..., Any], name: str,
                   expires: int, inline: bool, filename: Optional[str]) -> Iterable[bytes]:
        """A container root read through a link: only what staticweb makes
        of it (a listing page, a redirect, an error) is answered; a
        successful answer staticweb did not make (the container's own
        listing, its site off) is the link's 401, as in Swift 2.38.3."""
        refused: List[bool] = []

        def wrapped(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
            if status.startswith("2") and not any(
                    k.lower() == CONTENT_GENERATOR.lower() and v == STATICWEB
                    for k, v in headers):
                refused.append(True)
                bad = invalid_response()
                return start_response(bad.status, bad.headerlist, exc_info)
            return self._outgoing(env, start_response, name, expires, inline, filename)(
                status, headers, exc_info)

        app_iter = self.app(env, wrapped)

        def body() -> Iterator[bytes]:
            try:
                for chunk in app_iter:
                    if refused:
                        break
                    yield chunk
            finally:
                close_if_possible(app_iter)
            if refused:
                yield INVALID_BODY
        return body()

    # -------------------------------------------------------- validation
    def _validate(self, env: Dict[str, Any],
                  params: Dict[str, List[str]]) -> Tuple[str, Optional[str], str, int]:
        """``(account, scope, object name, expires)`` of a valid link; the
        account, and ``scope``, the container when a container's key signed
        it (``None`` for an account's key), as text (webob's
        ``req.path_info`` gives the authorizer the path as text)."""
        sig = _one(params, "temp_url_sig")
        expires_text = _one(params, "temp_url_expires")
        if not sig or expires_text is None:
            raise TempURLError("temp_url_sig and temp_url_expires are both required")
        expires = parse_expires(expires_text)
        if expires < time.time():
            raise TempURLError("expired")
        method = env["REQUEST_METHOD"]
        if method not in self.methods:
            raise TempURLError("method %s not allowed" % method)
        prefix = _one(params, "temp_url_prefix")
        # A whole container's link (empty prefix) may read its root, for
        # staticweb's listing of it (see _site_only).
        root_ok = method in ("GET", "HEAD") and prefix == ""
        try:
            path = wsgi_to_str(env["PATH_INFO"])
            version, account, container, obj = split_path(path, 3 if root_ok else 4, 4, True)
        except (ValueError, UnicodeError):
            raise TempURLError("not an object path") from None
        obj = obj or ""
        if not (root_ok or obj.strip("/")):
            raise TempURLError("not an object path")
        if prefix is not None and not obj.startswith(prefix):
            raise TempURLError("object outside the signed prefix")
        ip_range = _one(params, "temp_url_ip_range")
        if ip_range:
            self._check_ip(env, ip_range)
        signed_path = ("/%s/%s/%s/%s" % (version, account, container, prefix)
                       if prefix is not None else path)
        methods = HEAD_ADMITTED_BY if method == "HEAD" else (method,)
        # The expiry is signed as a unix time, whichever format the link shows.
        messages = signed_messages(methods, str(expires), signed_path, prefix, ip_range)
        name = path.rstrip("/").rsplit("/", 1)[-1]
        if hmac_keys.signature_matches(sig, hmac_keys.account_keys(env, self.app, account),
                                       messages, self.allowed_digests):
            return account, None, name, expires
        if hmac_keys.signature_matches(
                sig, hmac_keys.container_keys(env, self.app, account, container),
                messages, self.allowed_digests):
            return account, container, name, expires
        raise TempURLError("signature does not match")

    @staticmethod
    def _check_ip(env: Dict[str, Any], ip_range: str) -> None:
        try:
            network = ipaddress.ip_network(ip_range, strict=False)
            client = ipaddress.ip_address(env.get("REMOTE_ADDR", ""))
        except ValueError:
            raise TempURLError("bad temp_url_ip_range") from None
        if client not in network:
            raise TempURLError("client outside temp_url_ip_range")

    def _invalid(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return invalid_response()(env, start_response)

    # ----------------------------------------------------------- headers
    def _clean_incoming(self, env: Dict[str, Any]) -> None:
        """Drop the request headers a link may not send (see the config)."""
        for key in [k for k in env if k.startswith("HTTP_")]:
            header = key[5:].replace("_", "-").lower()
            if self.incoming_remove.matches(header) and not self.incoming_allow.matches(header):
                del env[key]

    def _authorizer(self, account: str,
                    container: Optional[str]) -> Callable[[Request], Optional[Response]]:
        """Allow requests in the link's account (large-object segments are
        read as the link's holder) or, for a link a container's key signed,
        in that container only (as Swift: such a key's owner may not reach
        other containers); refuse everything else."""
        def authorize(req: Request) -> Optional[Response]:
            try:
                _v, acct, cont, _rest = split_path(req.path_info, 2, 4, True)
            except ValueError:
                acct = cont = None
            if acct == account and (container is None or cont == container):
                return None
            # Swift's plain 401 here (the link itself was valid), naming
            # the account asked for as the realm to authenticate to.
            return swift_error(401, headers={
                "Www-Authenticate": 'Swift realm="%s"' % quote(acct or "unknown")})
        return authorize

    def _outgoing(self, env: Dict[str, Any], start_response: Callable[..., Any], name: str,
                  expires: int, inline: bool, filename: Optional[str]) -> Callable[..., Any]:
        method = env["REQUEST_METHOD"]

        def wrapped(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
            out = [(k, v) for k, v in hmac_keys.hide_keys(headers)
                   if not (self.outgoing_remove.matches(k)
                           and not self.outgoing_allow.matches(k))]
            if method in ("GET", "HEAD") and status.startswith("2"):
                existing = [v for k, v in out if k.lower() == "content-disposition"]
                # a page staticweb made is shown, not downloaded
                shown = inline or any(k.lower() == CONTENT_GENERATOR.lower()
                                      and v == STATICWEB for k, v in out)
                if shown or filename is not None or not existing:
                    out = [(k, v) for k, v in out if k.lower() != "content-disposition"]
                    out.append(("Content-Disposition",
                                content_disposition(name, shown, filename)))
                out.append(("Expires", formatdate(expires, usegmt=True)))
            return start_response(status, out, exc_info)
        return wrapped


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: TempURL(app, conf)
