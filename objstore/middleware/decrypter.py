"""The read side of encryption at rest: object GET and HEAD.

An answer whose object carries ``X-Object-Sysmeta-Crypto-Body-Meta`` is
decrypted on the way out: the key id stored there picks the root secret
(so objects written before a rotation stay readable), the key check proves
it is the right one, the body key is unwrapped and the body decrypted as
it streams. A ranged answer starts the counter at the range's first byte,
so only the bytes sent are read and decrypted (each part of a
``multipart/byteranges`` answer on its own). The ETag shown is the
plaintext one, user metadata comes back under its ``X-Object-Meta-*``
name, and the crypto headers are removed.

Objects without crypto metadata (written before encryption was enabled)
pass untouched. A key that cannot be found or does not fit (wrong or
missing root secret, no keymaster in the pipeline) gives a 500 and an
error log line naming the object and the cause -- never the ciphertext,
and never bytes decrypted with the wrong key.

Conditional requests (``If-Match``/``If-None-Match``) are matched by the
object server against the MAC of the plaintext ETag: each tag is sent MACed
under every configured root secret, and ``X-Backend-Etag-Is-At`` points at
the stored MAC.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from objstore.common.http import listing, ranges
from objstore.common.http.conditional import http_date, if_range_allows
from objstore.common.http.errors import swift_error
from objstore.common import crypto as cu
from objstore.middleware.encrypter import BODY_META, CRYPTO_PREFIXES, ETAG, META_PREFIX

LOG = logging.getLogger("objstore.encryption")
ETAG_IS_AT = "HTTP_X_BACKEND_ETAG_IS_AT"
MAC_LOCATIONS = "X-Object-Transient-Sysmeta-Crypto-Etag-Mac"
StartResponse = Callable[..., Any]


def add_etag_macs(env: Dict[str, Any], etag_keys: Optional[Callable[[], List[bytes]]],
                  headers: Tuple[str, ...] = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH")) -> None:
    """Let the object server match conditions (the ETag lists in the environ
    keys ``headers``) against the stored MAC."""
    if etag_keys is None:
        return
    names = [n for n in headers if env.get(n)]
    if not names:
        return
    keys = etag_keys()
    for name in names:
        tags = [t.strip() for t in env[name].split(",") if t.strip()]
        macs = ['"%s"' % cu.etag_mac(key, tag.strip('"')) for tag in tags if tag != "*"
                for key in keys]
        env[name] = ", ".join(tags + macs)
    existing = env.get(ETAG_IS_AT)
    env[ETAG_IS_AT] = "%s,%s" % (existing, MAC_LOCATIONS) if existing else MAC_LOCATIONS


class _Keys:
    """The body key and the object key of one encrypted answer. An SSE-C
    object's body key needs the customer's key too: without it only the
    headers can be read (``body_key`` is ``None``), a wrong one is refused."""

    def __init__(self, headers: Dict[str, str], fetch_keys: Optional[Callable[..., Any]],
                 customer_key: Optional[bytes] = None) -> None:
        meta = cu.load_meta(headers[BODY_META.lower()])
        if fetch_keys is None:
            raise cu.CryptoError("the object is encrypted but no keymaster is in the pipeline")
        keys = fetch_keys(meta.get("key_id"))
        self.object_key: bytes = keys["object"]
        if cu.key_check(self.object_key) != meta.get("check"):
            raise cu.CryptoError("the root secret %r is not the one the object was written "
                                 "with" % keys["id"].get("secret_id"))
        wrapping = self.object_key
        self.sse_c = "sse_c" in meta
        if self.sse_c:
            self.body_key: Optional[bytes] = None
            self.iv = b""
            if customer_key is None:
                return
            wrapping = cu.customer_wrapping_key(self.object_key, customer_key)
            if cu.key_check(wrapping) != meta["sse_c"]:
                raise cu.CustomerKeyError("mismatch")
        self.body_key = cu.unwrap_key(wrapping, meta["body_key"])
        self.iv = cu.unb64(meta["iv"])


def _customer_key_refusal(reason: str) -> Any:
    """An SSE-C object's body asked for without its key (400), or with
    another key (403); s3api turns these into S3's errors."""
    if reason == "missing":
        return swift_error(400, "The object is encrypted with a customer-provided key "
                           "(SSE-C): read it through the S3 API with that key.",
                           headers={cu.CUSTOMER_KEY_ERROR: reason})
    return swift_error(403, "The customer-provided key is not the one the object was "
                       "written with.", headers={cu.CUSTOMER_KEY_ERROR: reason})


def decrypt_headers(headers: List[Tuple[str, str]], keys: _Keys) -> List[Tuple[str, str]]:
    lower = {k.lower(): v for k, v in headers}
    out = [(k, v) for k, v in headers
           if not k.lower().startswith(CRYPTO_PREFIXES) and k.lower() != "etag"]
    out.append((cu.ENCRYPTED_HEADER, "SSE-C" if keys.sse_c else "AES256"))
    if ETAG.lower() in lower:
        out.append(("Etag", cu.decrypt_value(keys.object_key, lower[ETAG.lower()])
                    .decode("ascii", "replace")))
    prefix = META_PREFIX.lower()
    for name, value in headers:
        if name.lower().startswith(prefix):
            plain = cu.decrypt_value(keys.object_key, value).decode("latin-1")
            out.append(("X-Object-Meta-" + name[len(prefix):], plain))
    return out


def _decrypt(chunks: Iterable[bytes], transform: Any) -> Iterator[bytes]:
    try:
        for chunk in chunks:
            yield transform.update(chunk)
    finally:
        close = getattr(chunks, "close", None)
        if close:
            close()


class _MultipartDecrypter:
    """Decrypt each part of a ``multipart/byteranges`` body at its offset,
    streaming (parts are found by their headers, bodies by their length)."""

    def __init__(self, chunks: Iterable[bytes], keys: _Keys) -> None:
        self.chunks, self.keys = chunks, keys

    def __iter__(self) -> Iterator[bytes]:
        buf = b""
        left = 0
        transform = None
        try:
            for chunk in self.chunks:
                buf += chunk
                out = []
                while buf:
                    if left:
                        part, buf = buf[:left], buf[left:]
                        left -= len(part)
                        out.append(transform.update(part))
                        continue
                    end = buf.find(b"\r\n\r\n")
                    if end < 0:
                        break  # the part headers are not all here yet
                    head, buf = buf[:end + 4], buf[end + 4:]
                    out.append(head)
                    span = _part_range(head)
                    if span:
                        first, last = span[0], span[1]
                        left = last - first + 1
                        transform = cu.ctr(self.keys.body_key, self.keys.iv, first)
                    else:
                        out.append(buf)  # the closing boundary
                        buf = b""
                yield b"".join(out)
            if buf:
                yield buf
        finally:
            close = getattr(self.chunks, "close", None)
            if close:
                close()


def _started(app_iter: Iterable[bytes]) -> Iterable[bytes]:
    """Pull the first chunk (which starts the response), then all of it."""
    iterator = iter(app_iter)
    first = next(iterator, b"")

    def chained() -> Iterator[bytes]:
        try:
            yield first
            for chunk in iterator:
                yield chunk
        finally:
            close = getattr(app_iter, "close", None)
            if close:
                close()
    return chained()


def _if_range_etag(env: Dict[str, Any]) -> Optional[str]:
    """Take an ETag ``If-Range`` off the request: the servers below would
    compare it with the stored bytes' ETag. (A date stays: it is plain.)"""
    value = (env.get("HTTP_IF_RANGE") or "").strip()
    if "HTTP_RANGE" not in env or not value or http_date(value) is not None:
        return None
    del env["HTTP_IF_RANGE"]
    return value


def handle_get(app: Callable[..., Any], env: Dict[str, Any], start_response: StartResponse,
               path: str) -> Iterable[bytes]:
    if_range = _if_range_etag(env)
    if if_range is not None:
        return _get_if_range(app, env, start_response, path, if_range)
    add_etag_macs(env, env.get(cu.ETAG_KEYS))
    captured: List[Any] = []

    def capture(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
        captured[:] = [status, headers, exc_info]
        return lambda data: None
    app_iter = app(env, capture)
    if not captured:  # an app that answers only once iterated
        app_iter = _started(app_iter)
    status, headers, exc_info = captured
    lower = {k.lower(): v for k, v in headers}
    if BODY_META.lower() not in lower:
        start_response(status, headers, exc_info)
        return app_iter
    try:
        keys = _Keys(lower, env.get(cu.FETCH_KEYS), env.get(cu.CUSTOMER_KEY))
        if keys.body_key is None and env.get("REQUEST_METHOD") != "HEAD" and \
                status.startswith(("200", "206")):
            raise cu.CustomerKeyError("missing")
        headers = decrypt_headers(headers, keys)
    except cu.CustomerKeyError as err:
        close = getattr(app_iter, "close", None)
        if close:
            close()
        return _customer_key_refusal(err.reason)(env, start_response)
    except (cu.CryptoError, KeyError, ValueError, TypeError) as err:
        close = getattr(app_iter, "close", None)
        if close:
            close()
        LOG.error("encryption: cannot decrypt %s %s: %s", env.get("REQUEST_METHOD"), path, err)
        return swift_error(500, "Unable to decrypt the object; the error is logged.")(
            env, start_response)
    start_response(status, headers, exc_info)
    code = status.split(" ", 1)[0]
    if env.get("REQUEST_METHOD") == "HEAD" or code not in ("200", "206"):
        return app_iter
    content_type = lower.get("content-type", "")
    if code == "206" and content_type.startswith("multipart/byteranges"):
        return _MultipartDecrypter(app_iter, keys)
    offset = 0
    if code == "206":
        span = ranges.parse_content_range(lower.get("content-range"))
        offset = span[0] if span else 0
    return _decrypt(app_iter, cu.ctr(keys.body_key, keys.iv, offset))


def _part_range(head: bytes) -> Optional[Tuple[int, int, Optional[int]]]:
    """The span a ``multipart/byteranges`` part's headers name."""
    for line in head.decode("latin-1").split("\r\n"):
        name, _sep, value = line.partition(":")
        if name.strip().lower() == "content-range":
            return ranges.parse_content_range(value)
    return None


def handle_listing(app: Callable[..., Any], env: Dict[str, Any], start_response: StartResponse,
                   container: str) -> Iterable[bytes]:
    """A container listing with each encrypted ETag decrypted (with the
    container key of the secret it names). JSON is asked for below and
    rendered in the format the client wants; plain text has no ETags."""
    fetch = env.get(cu.FETCH_KEYS)
    query = listing.query_params(env.get("QUERY_STRING", ""))
    fmt = query.get("format")
    try:
        media = listing.listing_media_type(fmt, env.get("HTTP_ACCEPT"))
    except listing.ListingParamError:
        media = None  # the proxy answers it
    if fetch is None or media not in (listing.JSON_TYPE,) + tuple(listing.XML_TYPES):
        return app(env, start_response)
    # Kept as sent (not decoded and encoded again): a parameter that is not
    # UTF-8 must still reach the proxy, which answers it with its 400.
    pairs = [p for p in env.get("QUERY_STRING", "").split("&")
             if p and unquote(p.split("=", 1)[0]) != "format"]
    env["QUERY_STRING"] = "&".join(pairs + ["format=json"])
    captured: List[Any] = []

    def capture(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
        captured[:] = [status, headers, exc_info]
        return lambda data: None
    app_iter = app(env, capture)
    if not captured:
        app_iter = _started(app_iter)
    status, headers, exc_info = captured
    if not status.startswith("200"):
        start_response(status, headers, exc_info)
        return app_iter
    try:
        body = b"".join(app_iter)  # one page: bounded by the listing limit
    finally:
        close = getattr(app_iter, "close", None)
        if close:
            close()
    if media == listing.JSON_TYPE and _ENCRYPTED_MARK not in body:
        out = body  # nothing encrypted: the proxy's JSON is already the answer
    else:
        items = listing.items_from_json(body)
        _decrypt_hashes(items, fetch, container)
        out = listing.render_listing(items, media, "container", container)
    kept = [(k, v) for k, v in headers if k.lower() not in ("content-type", "content-length",
                                                             "vary")]
    kept += list(listing.listing_headers(media, fmt).items())
    kept.append(("Content-Length", str(len(out))))
    start_response(status, kept, exc_info)
    return [out]


# how an encrypted value shows in a JSON listing (the marker is ASCII)
_ENCRYPTED_MARK = ("; %s=" % cu.META_PARAM).encode("ascii")


def _decrypt_hashes(items: List[Dict[str, Any]], fetch: Callable[..., Any],
                    container: str) -> None:
    """Each listed ETag stored encrypted, decrypted in place. The container
    key depends only on the secret and the container a row's key id names,
    so it is fetched (derived) once per pair, not once per row; the rows of
    one key are decrypted together (``crypto.ctr_many``: one AES call, not
    a cipher context a row)."""
    keys: Dict[Any, bytes] = {}
    by_key: Dict[Any, List[Tuple[Dict[str, Any], bytes, bytes]]] = {}
    for item in items:
        value = item.get("hash")
        if not isinstance(value, str) or "; %s=" % cu.META_PARAM not in value:
            continue
        try:
            data, meta = cu.split_value(value)
            key_id = meta.get("key_id")
            which = None if key_id is None else (
                str(key_id.get("secret_id", "")),
                "/".join(str(key_id.get("path") or "").split("/", 3)[:3]))
            if which not in keys:
                keys[which] = fetch(key_id)["container"]
            iv = cu.unb64(meta["iv"])
            if len(iv) != cu.IV_LENGTH:
                raise cu.CryptoError("bad IV length")
            by_key.setdefault(which, []).append((item, iv, cu.unb64(data)))
        except (cu.CryptoError, KeyError, TypeError, AttributeError) as err:
            LOG.error("encryption: cannot decrypt the listing ETag of %s in %s: %s",
                      item.get("name"), container, err)
    for which, rows in by_key.items():
        plain = cu.ctr_many(keys[which], [(iv, data) for _item, iv, data in rows])
        for (item, _iv, _data), etag in zip(rows, plain):
            item["hash"] = etag.decode("ascii", "replace")


def _get_if_range(app: Callable[..., Any], env: Dict[str, Any], start_response: StartResponse,
                  path: str, if_range: str) -> Iterable[bytes]:
    """``If-Range: <etag>``: the range if the plaintext ETag matches, else
    the whole object (asked for again without the range)."""
    captured: List[Any] = []

    def capture(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
        captured[:] = [status, headers, exc_info]
        return lambda data: None
    first_env = dict(env)
    app_iter = handle_get(app, first_env, capture, path)
    if not captured:
        app_iter = _started(app_iter)
    status, headers, exc_info = captured
    etag = next((v for k, v in headers if k.lower() == "etag"), "")
    matches = if_range_allows({"If-Range": if_range}, etag, 0.0)  # an ETag: no date here
    if status.startswith("206") and not matches:
        close = getattr(app_iter, "close", None)
        if close:
            close()
        whole_env = dict(env)
        whole_env.pop("HTTP_RANGE", None)
        return handle_get(app, whole_env, start_response, path)
    start_response(status, headers, exc_info)
    return app_iter
