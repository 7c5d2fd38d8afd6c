"""The write side of encryption at rest: object PUT and POST.

PUT: a random 32-byte body key and IV per object; the body is encrypted
with AES-256-CTR as it streams through (bounded memory, same length), and
the body key is stored wrapped by the object's key (from keymaster) in
``X-Object-Sysmeta-Crypto-Body-Meta`` with the IV, the key id (which root
secret, which path) and a key check. User metadata values are encrypted
one by one into ``X-Object-Transient-Sysmeta-Crypto-Meta-<name>`` (the
names stay readable, as in Swift), after the metadata limits are checked
on the plaintext.

The plaintext ETag is shown to clients and in listings, but it is only
known once the body has passed, and a PUT's metadata and container update
leave with its headers. So the encrypter hands the proxy a footer
callback (``objstore.common.footers``): after the body, the proxy sends the
ETag encrypted (``X-Object-Transient-Sysmeta-Crypto-Etag``), a MAC of it
that conditional requests are matched against (``...-Crypto-Etag-Mac``)
and the listing ETag encrypted under the container key
(``X-Object-Transient-Sysmeta-Container-Update-Override-Etag``, which the
object server sends to the container instead of the ciphertext's MD5) in
the same request, and the object server stores them with the data, in
one atomic write. A client's ``ETag`` is checked against the plaintext as
the body ends (a mismatch aborts the write: 422).

POST: user metadata encrypted as for a PUT; the ETag's footers stay with the
data (``footers.KEPT_BY_POST``), so the POST neither reads nor repeats them.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from webob import Request

from objstore.common import constraints, footers
from objstore.common.http.errors import plain_error, swift_error
from objstore.common.http.wsgi_str import wsgi_to_bytes
from objstore.common.timestamp import Timestamp
from objstore.common.utils import new_md5
from objstore.common import crypto as cu

BODY_META = "X-Object-Sysmeta-Crypto-Body-Meta"
ETAG = footers.CRYPTO_ETAG
ETAG_MAC = footers.CRYPTO_ETAG_MAC
META_PREFIX = "X-Object-Transient-Sysmeta-Crypto-Meta-"
# The object server sends the container update with this ETag.
OVERRIDE_ETAG = footers.LISTING_ETAG
CRYPTO_PREFIXES = ("x-object-sysmeta-crypto-", "x-object-transient-sysmeta-crypto-",
                   OVERRIDE_ETAG.lower())
_ENV_CRYPTO = tuple("HTTP_" + p.upper().replace("-", "_") for p in CRYPTO_PREFIXES)
_ENV_USER_META = "HTTP_X_OBJECT_META_"
StartResponse = Callable[..., Any]


def _env_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


class EtagMismatch(ValueError):
    """The body's MD5 is not the ETag the client sent (a ValueError, which
    the proxy takes as a body that ended badly: the write is aborted)."""


class EncryptingInput:
    """``wsgi.input`` that hands out ciphertext and hashes the plaintext;
    checks the client's ETag when the last byte has been read."""

    def __init__(self, inner: Any, transform: Any, length: Optional[int],
                 expected_etag: Optional[str]) -> None:
        self.inner, self.transform = inner, transform
        self.left = length
        self.expected = expected_etag
        self.md5 = new_md5()
        self.checked = False
        self.mismatch = False

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size) if size is not None else self.inner.read()
        if data:
            self.md5.update(data)
            if self.left is not None:
                self.left -= len(data)
        if not data or self.left == 0:
            self.finish()
        return self.transform.update(data) if data else data

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)

    def finish(self) -> None:
        """The body has ended: check the client's ETag (once)."""
        if self.checked:
            return
        self.checked = True
        if self.expected is not None and self.md5.hexdigest() != self.expected:
            self.mismatch = True  # the proxy may catch the error: remember it
            raise EtagMismatch(self.md5.hexdigest())

    @property
    def etag(self) -> str:
        return self.md5.hexdigest()


def strip_crypto_headers(env: Dict[str, Any]) -> None:
    """Nothing a caller sends (a copy carries the source's sysmeta) may
    pose as this object's crypto metadata."""
    for key in [k for k in env if k.startswith(_ENV_CRYPTO)]:
        del env[key]


def encrypt_user_meta(env: Dict[str, Any], key: bytes) -> Optional[Any]:
    """Move ``X-Object-Meta-*`` into encrypted transient sysmeta; the 400
    for metadata past the limits (judged on the plaintext) if any."""
    error = constraints.check_metadata(Request(env).headers, "object")
    if error:
        return plain_error(400, error)
    for env_key in [k for k in env if k.startswith(_ENV_USER_META)]:
        if env[env_key] == "":
            # As Swift: an empty value is stored as it is (it hides
            # nothing) and read back empty, on a PUT as on a POST.
            continue
        value = env.pop(env_key)
        name = env_key[len(_ENV_USER_META):]
        env[_env_key(META_PREFIX) + name] = cu.encrypt_value(key, wsgi_to_bytes(value))
    return None


def _etag_mismatch(env: Dict[str, Any]) -> Any:
    """The proxy's 422 for a body whose MD5 is not the client's ETag (the
    proxy cannot judge it here: it only sees ciphertext), with the write's
    Last-Modified as Swift sends it."""
    return swift_error(422, headers={
        "Last-Modified": Timestamp(env["HTTP_X_TIMESTAMP"]).http_date})


def handle_put(app: Callable[..., Any], env: Dict[str, Any], start_response: StartResponse,
               keys: Dict[str, Any], path: str) -> Iterable[bytes]:
    strip_crypto_headers(env)
    # A conditional write (s3api's If-Match) is judged on the plaintext ETag.
    from objstore.middleware.decrypter import add_etag_macs  # decrypter imports this module
    add_etag_macs(env, env.get(cu.ETAG_KEYS), ("HTTP_X_BACKEND_IF_MATCH",))
    object_key = keys["object"]
    refused = encrypt_user_meta(env, object_key)
    if refused is not None:
        return refused(env, start_response)
    body_key, iv = cu.random_key(), cu.random_iv()
    # SSE-C (s3api): the body key is wrapped by a key derived from the
    # customer's too; only its check is kept ("sse_c").
    customer = env.get(cu.CUSTOMER_KEY)
    wrapping = cu.customer_wrapping_key(object_key, customer) if customer else object_key
    body_meta = {"cipher": cu.CIPHER, "iv": cu.b64(iv), "key_id": keys["id"],
                 "body_key": cu.wrap_key(wrapping, body_key), "check": cu.key_check(object_key)}
    if customer:
        body_meta["sse_c"] = cu.key_check(wrapping)
    env[_env_key(BODY_META)] = cu.dump_meta(body_meta)
    # The proxy would compare the client's ETag with the ciphertext's MD5:
    # the plaintext's is checked here instead, as the body ends.
    client_etag = (env.pop("HTTP_ETAG", "") or "").strip().strip('"').lower() or None
    # Known here for the Last-Modified of a 422 (the proxy never sees the
    # plaintext, so that answer is made here).
    env.setdefault("HTTP_X_TIMESTAMP", Timestamp.now().internal)
    try:
        length: Optional[int] = int(env["CONTENT_LENGTH"])
    except (KeyError, ValueError):
        length = None
    reader = EncryptingInput(env["wsgi.input"], cu.ctr(body_key, iv), length, client_etag)
    env["wsgi.input"] = reader
    if length == 0:
        # Nobody reads an empty body (0-byte objects, DLO manifests,
        # symlinks): it has ended already, and its ETag must still be kept.
        try:
            reader.finish()
        except EtagMismatch:
            return _etag_mismatch(env)(env, start_response)

    def shown_etag() -> str:
        return cu.customer_etag(wrapping, reader.etag) if customer else reader.etag
    footers.add_footer_callback(env, lambda out: out.update(_etag_footers(keys, shown_etag())))
    captured: List[Any] = []

    def capture(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
        captured[:] = [status, headers]
        return lambda data: None
    try:
        body = b"".join(app(env, capture))
    except EtagMismatch:
        return _etag_mismatch(env)(env, start_response)
    if reader.mismatch:  # the proxy turned the abort into its own error
        return _etag_mismatch(env)(env, start_response)
    status, headers = captured
    if status.startswith("2") and reader.checked:
        headers = [(k, v) for k, v in headers if k.lower() != "etag"] + [("Etag", shown_etag())]
    start_response(status, headers)
    return [body]


def _etag_footers(keys: Dict[str, Any], etag: str) -> Dict[str, str]:
    """The ETag learnt from the body, encrypted, its MAC, and the listing's
    ETag encrypted under the container key: stored with the data."""
    key = keys["object"]
    return {ETAG: cu.encrypt_value(key, etag.encode("ascii")),
            ETAG_MAC: cu.etag_mac(key, etag),
            OVERRIDE_ETAG: cu.encrypt_value(keys["container"], etag.encode("ascii"), keys["id"])}


def handle_post(app: Callable[..., Any], env: Dict[str, Any], start_response: StartResponse,
                keys: Dict[str, Any], path: str) -> Iterable[bytes]:
    strip_crypto_headers(env)
    refused = encrypt_user_meta(env, keys["object"])
    if refused is not None:
        return refused(env, start_response)
    # The ETag's footers stay with the data whatever a POST sends
    # (footers.KEPT_BY_POST): no need to read and repeat them.
    return app(env, start_response)
