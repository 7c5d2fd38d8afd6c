"""symlink: objects that point at other objects.

``PUT`` with ``X-Symlink-Target: <container>/<object>`` (URL-encoded, and
``X-Symlink-Target-Account`` for another account) and an empty body
stores a link. ``GET``/``HEAD`` of the link answer with the target (plus
``Content-Location`` naming it), read as the client, so the client needs
read access to the target: a link never widens access. ``?symlink=get``
answers with the link itself and its ``X-Symlink-Target*`` headers.

A *static* link (``X-Symlink-Target-Etag``) checks at PUT time that the
target exists with that ETag, records its size (``X-Symlink-Target-Bytes``)
and later refuses (409) to serve a target whose ETag has changed. One that
another cluster's container sync sends (``objstore.symlink_override``, set
by the container_sync middleware) is kept with the ETag and size it
carries, as its target may not have been synced yet.

The target is kept as object sysmeta (which clients can neither send nor
see: the gatekeeper strips it) and, so that container listings can show
``symlink_path`` (and ``symlink_etag``/``symlink_bytes``), as parameters of
the stored Content-Type, which this middleware removes from every answer.
Links to links are followed up to ``symloop_max`` times, then 409.
A POST to a link updates the link's metadata and answers 307 to the target.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qs, quote, unquote

from objstore.common import constraints, registry
from objstore.common.config import config_int
from objstore.common.http.errors import HTML, PLAIN, swift_error
from objstore.common.subrequest import make_env
from objstore.common.sync_realms import SYMLINK_OVERRIDE_ENV
from objstore.common.utils import close_if_possible, split_path
from objstore.common.http.wsgi_str import str_to_wsgi as _wsgi, wsgi_to_str as _text

StartResponse = Callable[..., Any]
SYSMETA = "X-Object-Sysmeta-Symlink-"
TARGET, ACCOUNT, ETAG, BYTES = "Target", "Target-Account", "Target-Etag", "Target-Bytes"
CLIENT_HEADERS = ("X-Symlink-Target", "X-Symlink-Target-Account", "X-Symlink-Target-Etag",
                  "X-Symlink-Target-Bytes")
# Content-Type parameters carrying the link into the container listing.
PARAMS = {TARGET: "swift_symlink_target", ACCOUNT: "swift_symlink_target_account",
          ETAG: "swift_symlink_target_etag", BYTES: "swift_symlink_target_bytes"}
DEFAULT_TYPE = "application/symlink"
DEFAULT_SYMLOOP_MAX = 2
BAD_TARGET = "X-Symlink-Target header must be of the form <container name>/<object name>"
_XML_TYPE = re.compile(rb"<content_type>([^<]*)</content_type>")
#: what an SLO manifest keeps of its large object (the slo middleware's)
SLO_ETAG_SYSMETA, SLO_SIZE_SYSMETA = "X-Object-Sysmeta-Slo-Etag", "X-Object-Sysmeta-Slo-Size"
POST_BODY = (b"The requested POST was applied to a symlink. POST directly to the target to "
             b"apply requested metadata.")


def _answer(env: Dict[str, Any], start_response: StartResponse, status: str, body: bytes,
            headers: Optional[List[Tuple[str, str]]] = None,
            ctype: str = PLAIN) -> Iterable[bytes]:
    resp = swift_error(int(status[:3]), body.decode("utf-8"), dict(headers or []), ctype)
    resp.status = status
    return resp(env, start_response)


def strip_params(content_type: str) -> str:
    """``content_type`` without the link parameters."""
    if "swift_symlink_" not in content_type:
        return content_type
    kept = [p for p in content_type.split(";")
            if not p.strip().startswith("swift_symlink_")]
    return ";".join(kept).strip()


def link_params(link: Dict[str, str]) -> str:
    """The Content-Type parameters that carry ``link`` into listings."""
    return "".join(";%s=%s" % (PARAMS[k], link[k]) for k in (TARGET, ACCOUNT, ETAG, BYTES)
                   if link.get(k))


def listing_entry(entry: Dict[str, Any], account: str) -> Dict[str, Any]:
    """A JSON listing entry with the link parameters turned into fields."""
    ctype = entry.get("content_type") or ""
    if "swift_symlink_target=" not in ctype:
        return entry
    params = {}
    for part in ctype.split(";")[1:]:
        key, _eq, value = part.strip().partition("=")
        params[key] = value  # the target stays URL-encoded, as in the link's headers
    out = dict(entry, content_type=strip_params(ctype))
    if params.get(PARAMS[ETAG]):
        out["symlink_etag"] = params[PARAMS[ETAG]]
        try:
            out["symlink_bytes"] = int(params.get(PARAMS[BYTES], "0"))
        except ValueError:
            pass
    target_account = params.get(PARAMS[ACCOUNT]) or account
    out["symlink_path"] = "/v1/%s/%s" % (target_account, params[PARAMS[TARGET]])
    return out


def _sysmeta_env(key: str) -> str:
    return "HTTP_" + (SYSMETA + key).upper().replace("-", "_")


def _list_copied_link(env: Dict[str, Any]) -> None:
    """A PUT carrying a link's sysmeta (a server-side copy of the link
    itself, ``?symlink=get``: clients cannot send sysmeta) gets the link's
    parameters in its Content-Type too, so its listing row shows
    ``symlink_path`` as the original's does. An ``X-Symlink-Target-Account``
    sent with the copy names the account the copy points into (a link
    copied to another account otherwise points into that one)."""
    account = env.pop("HTTP_X_SYMLINK_TARGET_ACCOUNT", None)
    if account is not None:
        account = unquote(_text(account))
        if "/" in account:
            raise LinkError("412 Precondition Failed", "Account name cannot contain slashes",
                            ctype=HTML)
        env[_sysmeta_env(ACCOUNT)] = quote(account)
    link = {k: env[_sysmeta_env(k)] for k in (TARGET, ACCOUNT, ETAG, BYTES)
            if env.get(_sysmeta_env(k))}
    env["CONTENT_TYPE"] = strip_params(env.get("CONTENT_TYPE") or DEFAULT_TYPE) + \
        link_params(link)
    env[constraints.CONTENT_TYPE_PARAMS_ENV] = True


class LinkError(Exception):
    def __init__(self, status: str, body: str, headers: Optional[List[Tuple[str, str]]] = None,
                 ctype: str = PLAIN) -> None:
        super().__init__(body)
        self.status, self.body, self.headers, self.ctype = status, body, headers or [], ctype


class _Sub:
    """One answer of the app below: status, headers, unread body."""

    def __init__(self, app: Callable[..., Any], env: Dict[str, Any]) -> None:
        captured: List[Any] = []

        def start(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> None:
            captured[:] = [status, list(headers)]
        self.body = app(env, start)
        if not captured:
            chunks = list(self.body)
            self.body = chunks
        self.status, self.headers = captured

    def header(self, name: str) -> Optional[str]:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def close(self) -> None:
        close_if_possible(self.body)

    def link(self) -> Optional[Dict[str, str]]:
        """The link's sysmeta (``Target`` etc.), or ``None`` for a plain object."""
        found = {k[len(SYSMETA):].title(): v for k, v in self.headers
                 if k.lower().startswith(SYSMETA.lower())}
        return found if found.get(TARGET) else None


class Symlink:
    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.symloop_max = config_int(conf, "symloop_max", DEFAULT_SYMLOOP_MAX, 1)
        registry.register_info("symlink", symloop_max=self.symloop_max, static_links=True)

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            version, account, container, obj = split_path(_text(env.get("PATH_INFO", "")),
                                                          3, 4, True)
        except (ValueError, UnicodeError):
            return self.app(env, start_response)
        method = env["REQUEST_METHOD"]
        try:
            if not obj:
                if method == "GET" and container:
                    return self._listing(env, start_response, account)
                return self.app(env, start_response)
            if method == "PUT" and "HTTP_X_SYMLINK_TARGET" in env:
                return self._put(env, start_response, account, container, obj)
            if method == "PUT" and _sysmeta_env(TARGET) in env:
                _list_copied_link(env)
            if method == "POST":
                return self._post(env, start_response, account, container, obj)
            if method in ("GET", "HEAD"):
                return self._get(env, start_response)
        except LinkError as err:
            return _answer(env, start_response, err.status, err.body.encode("utf-8"), err.headers,
                           err.ctype)
        return self.app(env, start_response)

    # ------------------------------------------------------------- PUT
    def _put(self, env: Dict[str, Any], start_response: StartResponse, account: str,
             container: str, obj: str) -> Iterable[bytes]:
        if env.get("CONTENT_LENGTH", "0") not in ("", "0") or \
                "chunked" in env.get("HTTP_TRANSFER_ENCODING", "").lower():
            raise LinkError("400 Bad Request", "Symlink requests require a zero byte body")
        raw_target = env.pop("HTTP_X_SYMLINK_TARGET")
        target = unquote(_text(raw_target))
        t_container, _sep, t_obj = target.partition("/")
        if not t_container or not t_obj or target.startswith("/"):
            # Swift words both the same but types them apart: a leading "/" is
            # refused as text/plain, a missing part as its HTML error type.
            raise LinkError("412 Precondition Failed", BAD_TARGET, ctype=(
                PLAIN if target.startswith("/") else HTML))
        t_account = env.pop("HTTP_X_SYMLINK_TARGET_ACCOUNT", None)
        if t_account is not None:
            t_account = unquote(_text(t_account))
            if "/" in t_account:
                raise LinkError("412 Precondition Failed", "Account name cannot contain slashes")
        if (t_account or account, t_container, t_obj) == (account, container, obj):
            raise LinkError("400 Bad Request", "Symlink cannot target itself")
        etag = env.pop("HTTP_X_SYMLINK_TARGET_ETAG", None)
        size = env.pop("HTTP_X_SYMLINK_TARGET_BYTES", "").strip()
        quoted = quote(t_container) + "/" + quote(t_obj)
        meta = {TARGET: quoted}
        if t_account:
            meta[ACCOUNT] = quote(t_account)
        # a type of parameters only (object_versioning's listed id) is
        # still to be chosen: the target's or the link's default, before them
        ctype, more_params = constraints.split_type_params(env.get("CONTENT_TYPE") or "")
        if ctype:
            ctype, more_params = env["CONTENT_TYPE"], ""
        if etag is not None and env.get(SYMLINK_OVERRIDE_ENV) and size.isdigit():
            # a static link another cluster's container sync sends (its
            # middleware vouched for it): kept as sent, target or not
            meta[ETAG], meta[BYTES] = etag.strip().strip('"'), size
        elif etag is not None:
            etag = etag.strip().strip('"')
            size, target_type, listed = self._check_static(env, t_account or account,
                                                           quoted, etag)
            more_params = listed + more_params
            meta[ETAG], meta[BYTES] = etag, size
            ctype = ctype or target_type
        for key, value in meta.items():
            env[_sysmeta_env(key)] = value
        env["CONTENT_TYPE"] = strip_params(ctype or DEFAULT_TYPE) + link_params(meta) + \
            more_params
        env[constraints.CONTENT_TYPE_PARAMS_ENV] = True  # our swift_symlink_* parameters
        env["CONTENT_LENGTH"] = "0"
        return self.app(env, start_response)

    def _check_static(self, env: Dict[str, Any], account: str, quoted: str,
                      etag: str) -> Tuple[str, str, str]:
        """The size, type and listed parameters a static link to ``quoted``
        records, once its target is found with ``etag``; else the
        ``LinkError`` to answer.

        A target that is a static link itself answers for the ETag it
        names and is followed (at most ``symloop_max`` times), so the size
        and type are the final object's; a dynamic link is the final
        object (its own, empty, ETag). A large object's are its assembled
        size, and its ETag is kept (``slo_etag``) for the link's listing row.
        """
        path = "/v1/%s/%s" % (account, quoted)
        follows = 0
        while True:
            head = _Sub(self.app, self._sub_env(env, "HEAD", unquote(path), "symlink=get"))
            head.close()
            location = [("Content-Location", path)]
            if head.status.startswith("404"):
                raise LinkError("409 Conflict", "X-Symlink-Target does not exist", location)
            if not head.status.startswith("2"):
                raise LinkError(head.status, "", location)
            link = head.link()
            if link is None or not link.get(ETAG):
                break
            if link[ETAG] != etag:
                raise LinkError("409 Conflict", "X-Symlink-Target-Etag headers do not match",
                                location)
            follows += 1
            if follows > self.symloop_max:
                raise LinkError("409 Conflict", "Too many levels of symbolic links, maximum "
                                "allowed is %d" % self.symloop_max)
            path = "/v1/%s/%s" % (link.get(ACCOUNT) or quote(split_path(
                unquote(path), 3, 4, True)[1]), link[TARGET])
        found = (head.header("Etag") or "").strip('"')
        if found != etag:
            raise LinkError("409 Conflict", "Object Etag %r does not match "
                            "X-Symlink-Target-Etag header %r" % (found, etag), location)
        # the type as a client sees it: none of the parameters the stored
        # one may carry (a listed version id, a manifest's size and ETag)
        target_type = ";".join(
            p for p in (head.header("Content-Type") or DEFAULT_TYPE).split(";")
            if not p.strip().startswith(("swift_", "slo_etag=")))
        slo_etag = head.header(SLO_ETAG_SYSMETA)
        listed = ';slo_etag="%s"' % slo_etag.strip('"') if slo_etag else ""
        return head.header(SLO_SIZE_SYSMETA) or head.header("Content-Length") or "0", \
            target_type, listed

    # ------------------------------------------------------------- POST
    def _post(self, env: Dict[str, Any], start_response: StartResponse, account: str,
              container: str, obj: str) -> Iterable[bytes]:
        if any("HTTP_" + h.upper().replace("-", "_") in env for h in CLIENT_HEADERS[:1]):
            raise LinkError("400 Bad Request", "A PUT request is required to set a symlink "
                                               "target")
        head = _Sub(self.app, self._sub_env(env, "HEAD", _text(env["PATH_INFO"]), "symlink=get"))
        head.close()
        link = head.link()
        if link is not None and env.get("CONTENT_TYPE"):
            # A new type for the link keeps the link in the container listing.
            env["CONTENT_TYPE"] = strip_params(env["CONTENT_TYPE"]) + link_params(link)
        post = _Sub(self.app, env)
        if link is None or not post.status.startswith("2"):
            start_response(post.status, post.headers)
            return post.body
        post.close()
        location = "/v1/%s/%s" % (link.get(ACCOUNT) or quote(account), link[TARGET])
        # Written out here: webob would make the relative Location absolute.
        headers = [("Content-Type", HTML), ("Location", location),
                   ("Content-Length", str(len(POST_BODY)))]
        if link.get(ETAG):  # the ETag the link expects, whether its target has it or not
            headers.append(("X-Symlink-Target-Etag", link[ETAG]))
        start_response("307 Temporary Redirect", headers)
        return [POST_BODY]

    # --------------------------------------------------------- GET/HEAD
    def _get(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        query = parse_qs(env.get("QUERY_STRING", ""))
        if query.get("symlink", [""])[0] == "get":
            answer = _Sub(self.app, env)
            start_response(answer.status, self._link_headers(answer))
            return answer.body
        template = dict(env)
        answer = _Sub(self.app, env)
        follows = 0
        while True:
            link = answer.link()
            if link is None and answer.status[:3] in ("412", "416", "304"):
                link = self._peek(template, _text(template["PATH_INFO"]))
            if link is None:
                start_response(answer.status, self._clean(answer.headers))
                return answer.body
            answer.close()
            follows += 1
            if follows > self.symloop_max:
                raise LinkError("409 Conflict", "Too many levels of symbolic links, maximum "
                                "allowed is %d" % self.symloop_max)
            account = link.get(ACCOUNT) or quote(split_path(
                _text(template["PATH_INFO"]), 3, 4, True)[1])
            path = "/v1/%s/%s" % (account, link[TARGET])
            sub = dict(template)
            sub["PATH_INFO"] = _wsgi(unquote(path))
            answer = _Sub(self.app, sub)
            template = sub
            location = ("Content-Location", path)
            # a changed target is refused before any condition is judged
            # against it (a 412 or 304 answered for it names its ETag)
            if link.get(ETAG) and answer.status[:3] in ("200", "206", "304", "412") and \
                    answer.link() is None and (answer.status.startswith("2") or
                                               answer.header("Etag") is not None):
                found = (answer.header("Etag") or "").strip('"')
                if found != link[ETAG]:
                    answer.close()
                    raise LinkError("409 Conflict", "Object Etag %r does not match "
                                    "X-Symlink-Target-Etag header %r" % (found, link[ETAG]),
                                    [location])
            answer.headers = [h for h in answer.headers if h[0].lower() != "content-location"]
            answer.headers.append(location)

    def _peek(self, env: Dict[str, Any], path: str) -> Optional[Dict[str, str]]:
        """The link data of ``path`` when its answer hid it (412/416/304)."""
        head = _Sub(self.app, self._sub_env(env, "HEAD", path, "symlink=get"))
        head.close()
        return head.link() if head.status.startswith("2") else None

    @staticmethod
    def _clean(headers: List[Tuple[str, str]]) -> List[Tuple[str, str]]:
        return [(k, strip_params(v) if k.lower() == "content-type" else v) for k, v in headers]

    def _link_headers(self, answer: _Sub) -> List[Tuple[str, str]]:
        out = self._clean(answer.headers)
        link = answer.link()
        if link:
            out.append(("X-Symlink-Target", link[TARGET]))
            for key in (ACCOUNT, ETAG, BYTES):
                if link.get(key):
                    out.append(("X-Symlink-" + key, link[key]))
        return out

    @staticmethod
    def _sub_env(env: Dict[str, Any], method: str, path: str, query: str) -> Dict[str, Any]:
        """``method path`` (real text) as the client, for a look at a link."""
        return make_env(env, method, path, query, source="SYM")

    # ---------------------------------------------------------- listing
    def _listing(self, env: Dict[str, Any], start_response: StartResponse,
                 account: str) -> Iterable[bytes]:
        answer = _Sub(self.app, env)
        ctype = (answer.header("Content-Type") or "").split(";")[0].strip()
        if not answer.status.startswith("200") or ctype not in (
                "application/json", "application/xml", "text/xml"):
            start_response(answer.status, answer.headers)
            return answer.body
        try:
            body = b"".join(answer.body)
        finally:
            answer.close()
        if ctype == "application/json" and b"swift_symlink_target=" not in body:
            pass  # no link listed: the JSON below is already the answer
        elif ctype == "application/json":
            try:
                entries = json.loads(body or b"[]")
            except ValueError:
                entries = None
            if isinstance(entries, list):
                body = json.dumps([listing_entry(e, account) if isinstance(e, dict) else e
                                   for e in entries]).encode("utf-8")
        elif b"swift_symlink_" in body:
            # XML listings show only the content type, without the link.
            body = _XML_TYPE.sub(lambda m: b"<content_type>%s</content_type>" % strip_params(
                m.group(1).decode("utf-8")).encode("utf-8"), body)
        headers = [(k, v) for k, v in answer.headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(answer.status, headers)
        return [body]


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: Symlink(app, conf)
