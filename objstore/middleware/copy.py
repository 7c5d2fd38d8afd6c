"""Server-side copy: ``COPY`` with ``Destination`` and ``PUT`` with
``X-Copy-From``, optionally across accounts.

A copy is two subrequests through the rest of the pipeline, as the client:
a ``GET`` of the source and a ``PUT`` of the destination whose body is
that GET's body, streamed chunk by chunk (memory stays bounded whatever
the size). Because this middleware sits in front of ``slo`` and ``dlo``,
the GET of a large object answers its assembled bytes, so the copy is a
plain object holding them; with ``?multipart-manifest=get`` the manifest
itself is copied instead (an SLO manifest is PUT again with
``?multipart-manifest=put``, so ``slo`` checks its segments as for any
manifest). Reading the source needs read access there, writing the
destination write access there, exactly as for the client's own requests.

What the destination keeps (as Swift):

* the source's metadata (user metadata, ``Content-Type`` and the other
  stored headers such as ``Content-Disposition`` and ``X-Delete-At``),
  overridden by the copy request's own headers;
* with ``X-Fresh-Metadata: true`` only the source's Content-Type and
  system metadata, plus what the copy request sends;
* a ``Range`` on the copy request copies only those bytes; conditional
  headers (``If-Match`` ...) are judged against the source.

The answer carries ``X-Copied-From``, ``X-Copied-From-Account``,
``X-Copied-From-Last-Modified`` and the destination's metadata.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qs, parse_qsl, quote, urlencode

from webob import Request, Response

from objstore.common import constraints, s3_layout
from objstore.common.http.errors import HTML, PLAIN, swift_error
from objstore.common.config import config_true_value
from objstore.common.http.wsgi_str import (HTTP_BLANKS, InvalidName, str_to_wsgi,
                                           unquote_to_str, wsgi_to_str)
from objstore.common.subrequest import (IterReader, WsgiApp, close_response,
                                        stored_metadata, sub_request)
from objstore.common.utils import split_path

SOURCE = "SSC"
_USER_META = "x-object-meta-"
_SYSMETA = "x-object-sysmeta-"
# Sysmeta that describes a large object's manifest; a copy of the
# assembled bytes is a plain object and must not keep it.
_MANIFEST_SYSMETA = ("x-object-sysmeta-slo-", "x-object-sysmeta-container-update-override-")
# Request headers of the copy that are about the source or the copy
# itself, never stored on the destination.
_NOT_FOR_DESTINATION = ("HTTP_X_COPY_FROM", "HTTP_X_COPY_FROM_ACCOUNT", "HTTP_DESTINATION",
                        "HTTP_DESTINATION_ACCOUNT", "HTTP_RANGE", "HTTP_IF_MATCH",
                        "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
                        "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE", "HTTP_X_FRESH_METADATA",
                        "HTTP_ETAG", "HTTP_TRANSFER_ENCODING", "CONTENT_LENGTH",
                        "HTTP_X_NEWEST")
# Copy-request headers passed on to the GET of the source.
_FOR_SOURCE = ("Range", "If-Match", "If-None-Match", "If-Modified-Since",
               "If-Unmodified-Since", "X-Newest")


class CopyError(Exception):
    """A malformed copy request; ``response`` is the answer."""

    def __init__(self, status: int, body: str, content_type: str = HTML) -> None:
        super().__init__(body)
        self.response = _error(status, body, content_type)


def _error(status: int, text: str, content_type: str = HTML) -> Response:
    return swift_error(status, text, content_type=content_type)


def _header_text(value: str, header: str) -> str:
    """A copy header's value as text: percent-quoted or raw UTF-8 (clients
    send both), as WSGI hands it over. Only HTTP's blanks (SP, HTAB) are
    trimmed: the WSGI string holds UTF-8 bytes as latin-1 characters, and
    ``str.strip()`` would also take a trailing 0x85 or 0xA0 byte, the last
    byte of names such as U+5605 (E5 98 85)."""
    try:
        return unquote_to_str(value.strip(HTTP_BLANKS))
    except InvalidName:
        raise CopyError(412, "%s header must be valid UTF-8" % header) from None


def parse_object_ref(value: str, header: str) -> Tuple[str, str]:
    """``(container, object)`` from a ``[/]<container>/<object>`` header;
    ``CopyError`` 412 otherwise."""
    text = _header_text(value, header)
    container, _sep, obj = text[1:].partition("/") if text.startswith("/") \
        else text.partition("/")
    if not container or not obj:
        raise CopyError(412, "%s header must be of the form <container name>/<object name>"
                        % header)
    return container, obj


def parse_account(value: Optional[str], default: str, header: str) -> str:
    """The account named by ``X-Copy-From-Account``/``Destination-Account``."""
    if value is None:
        return default
    account = _header_text(value, header)
    if "/" in account:
        raise CopyError(412, "Account name cannot contain slashes")
    return account


def carried_headers(source: Any, fresh: bool, manifest_copy: bool) -> Dict[str, str]:
    """What the destination takes from the source's headers.

    ``manifest_copy``: the manifest itself is copied (a DLO keeps its
    ``X-Object-Manifest``); otherwise the assembled bytes are, and nothing
    describing a manifest is carried. ``fresh``: only Content-Type and
    system metadata (and a copied DLO manifest's ``X-Object-Manifest``,
    which makes it what it is, as in Swift).
    """
    out: Dict[str, str] = {}
    for name, value in stored_metadata(source, manifests=manifest_copy).items():
        lower = name.lower()
        if lower == "x-static-large-object":
            continue  # only slo makes an SLO, from a manifest PUT
        if lower.startswith(_MANIFEST_SYSMETA) and not manifest_copy:
            continue
        if fresh and lower not in ("content-type", "x-object-manifest") \
                and not lower.startswith(_SYSMETA):
            continue
        out[name] = value
    return out


def _sink_query(query: str, slo_manifest: bool) -> str:
    """The destination PUT's query: the client's, where
    ``multipart-manifest=get`` (about the source) becomes ``=put`` when an
    SLO manifest is copied, and is dropped otherwise."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
             if not (k == "multipart-manifest" and v == "get")
             and k not in ("format", "version-id")]
    if slo_manifest:
        pairs = [(k, v) for k, v in pairs if k != "multipart-manifest"]
        pairs.append(("multipart-manifest", "put"))
    return urlencode(pairs)


class ServerSideCopy:
    """Turn ``COPY`` and ``PUT`` + ``X-Copy-From`` into a GET and a PUT."""

    def __init__(self, app: WsgiApp, conf: Dict[str, str]) -> None:
        self.app = app
        self.conf = conf

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        method = env.get("REQUEST_METHOD")
        if method not in ("COPY", "PUT", "OPTIONS") or \
                (method == "PUT" and "HTTP_X_COPY_FROM" not in env):
            return self.app(env, start_response)
        try:
            version, account, container, obj = split_path(
                wsgi_to_str(env.get("PATH_INFO", "")), 4, 4, True)
        except (ValueError, UnicodeDecodeError):
            return self.app(env, start_response)
        if version != "v1":
            return self.app(env, start_response)
        if method == "OPTIONS":
            return self._options(env, start_response)
        try:
            if method == "COPY":
                resp = self._copy(env, account, container, obj)
            else:
                resp = self._put(env, account, container, obj)
        except CopyError as err:
            resp = err.response
        return resp(env, start_response)

    def _options(self, env: Dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        """Objects allow COPY too, since this middleware is here to do it."""
        def add_copy(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
            out = []
            for name, value in headers:
                if name.lower() == "allow" and "COPY" not in value.split(", "):
                    value += ", COPY"
                out.append((name, value))
            return start_response(status, out, exc_info)
        return self.app(env, add_copy)

    def _copy(self, env: Dict[str, Any], account: str, container: str, obj: str) -> Response:
        """``COPY`` = ``PUT`` of the destination with ``X-Copy-From`` = us."""
        if "HTTP_DESTINATION" not in env:
            raise CopyError(412, "Destination header required")
        dst_container, dst_obj = parse_object_ref(env["HTTP_DESTINATION"], "Destination")
        dst_account = parse_account(env.get("HTTP_DESTINATION_ACCOUNT"), account,
                                    "Destination-Account")
        put_env = dict(env)
        put_env.update({
            "REQUEST_METHOD": "PUT",
            "PATH_INFO": str_to_wsgi("/v1/%s/%s/%s" % (dst_account, dst_container, dst_obj)),
            "HTTP_X_COPY_FROM": str_to_wsgi(quote("/%s/%s" % (container, obj))),
            "HTTP_X_COPY_FROM_ACCOUNT": str_to_wsgi(quote(account)),
            "CONTENT_LENGTH": "0"})
        put_env.pop("HTTP_DESTINATION", None)
        put_env.pop("HTTP_DESTINATION_ACCOUNT", None)
        put_env.pop("HTTP_TRANSFER_ENCODING", None)
        return self._put(put_env, dst_account, dst_container, dst_obj)

    def _put(self, env: Dict[str, Any], account: str, container: str, obj: str) -> Response:
        """``PUT`` with ``X-Copy-From``: read the source, write it here."""
        if env.get("CONTENT_LENGTH") not in (None, "", "0"):
            raise CopyError(400, "Copy requests require a zero byte body", PLAIN)
        src_container, src_obj = parse_object_ref(env["HTTP_X_COPY_FROM"], "X-Copy-From")
        src_account = parse_account(env.get("HTTP_X_COPY_FROM_ACCOUNT"), account,
                                    "X-Copy-From-Account")
        if not src_account:
            return swift_error(404)  # as Swift: no such account
        req = Request(env)
        query = parse_qs(env.get("QUERY_STRING", ""))
        manifest_get = (query.get("multipart-manifest") or [""])[0] == "get"
        src_path = "/v1/%s/%s/%s" % (src_account, src_container, src_obj)
        src_headers = {name: req.headers[name] for name in _FOR_SOURCE if name in req.headers}
        src_query = "multipart-manifest=get&format=raw" if manifest_get else ""
        if (query.get("symlink") or [""])[0] == "get":  # copy the link, not its target
            src_query = "&".join(filter(None, [src_query, "symlink=get"]))
        for name in ("version-id",  # object_versioning: a kept version is the source
                     "part-number"):  # one part of a large object is (as Swift's)
            if query.get(name):
                src_query = "&".join(filter(None, [src_query, urlencode(
                    {name: query[name][0]})]))
        source = sub_request(self.app, env, "GET", src_path, query=src_query,
                             headers=src_headers, source=SOURCE)
        if not 200 <= source.status_int < 300:
            return source
        slo_manifest = manifest_get and config_true_value(
            source.headers.get("X-Static-Large-Object", ""))
        is_large = "X-Object-Manifest" in source.headers or config_true_value(
            source.headers.get("X-Static-Large-Object", ""))
        try:
            put_env = self._sink_env(env, source, manifest_get, slo_manifest, is_large)
        except Exception:
            close_response(source)
            raise
        # What the answer repeats of the destination's metadata, taken
        # before the PUT goes on (middlewares below may rewrite its env).
        meta = [(name, value) for name, value in Request(put_env).headers.items()
                if name.lower().startswith(_USER_META) or name.lower() == "x-delete-at"]
        try:
            resp = Request(put_env).get_response(self.app)
        finally:
            close_response(source)
        if 200 <= resp.status_int < 300:
            resp.headers["X-Copied-From"] = quote("%s/%s" % (src_container, src_obj))
            resp.headers["X-Copied-From-Account"] = quote(src_account)
            if "Last-Modified" in source.headers:
                resp.headers["X-Copied-From-Last-Modified"] = source.headers["Last-Modified"]
            if "X-Object-Version-Id" in source.headers:
                resp.headers["X-Copied-From-Version-Id"] = source.headers["X-Object-Version-Id"]
            for name, value in meta:
                resp.headers[name] = value
        return resp

    def _sink_env(self, env: Dict[str, Any], source: Response, manifest_get: bool,
                  slo_manifest: bool, is_large: bool) -> Dict[str, Any]:
        """The destination PUT: the client's request (identity, headers,
        anything upstream middlewares set) with the source's body and the
        metadata it carries over."""
        put_env = {k: v for k, v in env.items() if k not in _NOT_FOR_DESTINATION}
        put_env["REQUEST_METHOD"] = "PUT"
        put_env["QUERY_STRING"] = _sink_query(env.get("QUERY_STRING", ""), slo_manifest)
        put_env["swift.source"] = SOURCE
        if not put_env.get("CONTENT_TYPE"):
            put_env.pop("CONTENT_TYPE", None)  # not sent: the source's applies
        fresh = config_true_value(env.get("HTTP_X_FRESH_METADATA", ""))
        sink = Request(put_env)
        carried = carried_headers(source.headers, fresh, manifest_get and not slo_manifest)
        if slo_manifest:
            # slo computes these again from the manifest it is given.
            carried = {k: v for k, v in carried.items()
                       if not k.lower().startswith(_MANIFEST_SYSMETA)}
        if not manifest_get:
            # the assembled bytes of an S3 upload's object are a plain
            # object, which s3api must not read as a manifest
            carried = {k: v for k, v in carried.items()
                       if k.lower() != s3_layout.MANIFEST_SYSMETA}
        given = {name.lower() for name in sink.headers.keys()}
        for name, value in carried.items():
            if name.lower() not in given:
                sink.headers[name] = value
        if "content-type" not in given:
            # the source's, parameters (an s3api manifest's swift_bytes) and all
            put_env[constraints.CONTENT_TYPE_PARAMS_ENV] = True
        length = source.headers.get("Content-Length")
        if length is not None:
            put_env["CONTENT_LENGTH"] = length
        else:
            put_env["HTTP_TRANSFER_ENCODING"] = "chunked"
        etag = (source.headers.get("ETag") or "").strip('"')
        if source.status_int == 200 and not is_large and len(etag) == 32:
            put_env["HTTP_ETAG"] = etag  # the destination must hold the same bytes
        put_env["wsgi.input"] = IterReader(source.app_iter)
        return put_env


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: ServerSideCopy(app, conf)
