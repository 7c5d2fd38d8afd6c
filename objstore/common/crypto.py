"""The cryptography shared by keymaster, encryption and s3api's SSE-C (the
environ keys they hand each other included): AES-256-CTR streams
that can start at any byte (so a ranged GET decrypts only what it sends),
key wrapping, encrypted header values and the serialised crypto metadata.

Why CTR: it keeps the length (Content-Length, ranges and EC segment math
stay those of the plaintext) and lets a reader start anywhere by moving the
counter. Its weakness -- a (key, IV) pair used twice leaks the XOR of two
plaintexts -- is avoided by a fresh random body key and IV for every
object PUT and a fresh IV for every header value.

Every encrypted value carries what is needed to decrypt it (IV, cipher,
which root secret) as JSON, URL-quoted so it fits an HTTP header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import quote, unquote

from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

CIPHER = "AES_CTR_256"
KEY_LENGTH = 32
IV_LENGTH = 16
BLOCK = 16
#: env key where keymaster puts ``fetch_keys(key_id=None) -> Keys``.
FETCH_KEYS = "objstore.crypto.fetch_keys"
#: env key where keymaster puts ``etag_keys() -> [object key per secret]``.
ETAG_KEYS = "objstore.crypto.etag_keys"
META_PARAM = "swift_meta"
#: env key where s3api puts an SSE-C customer key (32 raw bytes) for one
#: object subrequest: the body key is then wrapped by a key derived from it.
CUSTOMER_KEY = "objstore.crypto.customer_key"
#: response header (stripped by gatekeeper) saying how an object is kept:
#: ``AES256`` (encrypted at rest) or ``SSE-C`` (and at rest).
ENCRYPTED_HEADER = "X-Backend-Crypto-Encrypted"
#: response header of a refused read of an SSE-C object: ``missing`` (no
#: customer key given) or ``mismatch`` (not the key it was written with).
CUSTOMER_KEY_ERROR = "X-Backend-Crypto-Customer-Key"
_CHECK_TEXT = b"objstore key check"


class CryptoError(Exception):
    """A key cannot be found or does not fit: never serve the bytes."""


class CustomerKeyError(CryptoError):
    """An SSE-C object read without its customer key (``reason`` is
    ``missing``) or with another one (``mismatch``)."""

    def __init__(self, reason: str) -> None:
        super().__init__("customer key " + reason)
        self.reason = reason


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise CryptoError("not base64: %r" % text[:40]) from None


def random_key() -> bytes:
    return os.urandom(KEY_LENGTH)


def random_iv() -> bytes:
    return os.urandom(IV_LENGTH)


def derive_key(secret: bytes, path: str) -> bytes:
    """The key of one account/container/object path under a root secret."""
    return hmac.new(secret, path.encode("utf-8"), hashlib.sha256).digest()


def customer_wrapping_key(object_key: bytes, customer_key: bytes) -> bytes:
    """The key that wraps an SSE-C object's body key: both the root secret
    (through the object key) and the customer's key are needed to read the
    body, and the customer's key is never stored (only ``key_check`` of
    this derived key is)."""
    if len(customer_key) != KEY_LENGTH:
        raise CryptoError("a customer key must be %d bytes" % KEY_LENGTH)
    return hmac.new(object_key, b"sse-c\0" + customer_key, hashlib.sha256).digest()


def customer_etag(wrapping_key: bytes, md5_hex: str) -> str:
    """The ETag shown for an SSE-C object (32 hex digits, as S3 shows one
    that is not the body's MD5): a MAC of the plaintext MD5, so listings,
    readable without the key, do not reveal a digest of the plaintext."""
    return hmac.new(wrapping_key, b"etag\0" + md5_hex.encode("ascii"),
                    hashlib.sha256).hexdigest()[:32]


def ctr(key: bytes, iv: bytes, offset: int = 0) -> Any:
    """An AES-256-CTR transform (encrypt and decrypt are the same) whose
    first output byte is byte ``offset`` of the stream started at ``iv``."""
    if len(key) != KEY_LENGTH or len(iv) != IV_LENGTH:
        raise CryptoError("bad key or IV length")
    counter = (int.from_bytes(iv, "big") + offset // BLOCK) % (1 << 128)
    transform = Cipher(algorithms.AES(key), modes.CTR(counter.to_bytes(IV_LENGTH, "big")),
                       backend=default_backend()).encryptor()
    if offset % BLOCK:
        transform.update(b"\0" * (offset % BLOCK))
    return transform


def ctr_many(key: bytes, values: Sequence[Tuple[bytes, bytes]]) -> List[bytes]:
    """``ctr(key, iv).update(data)`` of each ``(iv, data)``, for many short
    values under one key (a listing's ETags): their counter blocks are
    enciphered in one AES call and each value is XORed with its own run of
    that key stream, instead of one cipher context a value. The counter
    counts over all 128 bits and wraps, as ``ctr``'s does."""
    if len(key) != KEY_LENGTH:
        raise CryptoError("bad key length")
    blocks = []
    for iv, data in values:
        if len(iv) != IV_LENGTH:
            raise CryptoError("bad IV length")
        if data:
            blocks.append(iv)
            counter = int.from_bytes(iv, "big")
            for step in range(1, -(-len(data) // BLOCK)):
                blocks.append(((counter + step) & _COUNTER_MASK).to_bytes(IV_LENGTH, "big"))
    stream = Cipher(algorithms.AES(key), modes.ECB(),
                    backend=default_backend()).encryptor().update(b"".join(blocks))
    out, pos = [], 0
    for _iv, data in values:
        size = len(data)
        out.append((int.from_bytes(data, "big") ^ int.from_bytes(stream[pos:pos + size], "big")
                    ).to_bytes(size, "big"))
        pos += -(-size // BLOCK) * BLOCK
    return out


_COUNTER_MASK = (1 << 128) - 1


def wrap_key(wrapping_key: bytes, key: bytes) -> Dict[str, str]:
    """``key`` encrypted under ``wrapping_key`` (with its own IV)."""
    iv = random_iv()
    return {"key": b64(ctr(wrapping_key, iv).update(key)), "iv": b64(iv)}


def unwrap_key(wrapping_key: bytes, wrapped: Dict[str, str]) -> bytes:
    key = ctr(wrapping_key, unb64(wrapped["iv"])).update(unb64(wrapped["key"]))
    if len(key) != KEY_LENGTH:
        raise CryptoError("wrapped key has the wrong length")
    return key


def key_check(key: bytes) -> str:
    """A short MAC that tells whether ``key`` is the key an object was
    written with (a wrong root secret must give an error, not garbage)."""
    return b64(hmac.new(key, _CHECK_TEXT, hashlib.sha256).digest()[:12])


def etag_mac(key: bytes, etag: str) -> str:
    """What conditional requests are matched against for an encrypted
    object: the plaintext ETag MACed, so the stored value reveals nothing."""
    return hmac.new(key, etag.strip('"').lower().encode("ascii", "replace"),
                    hashlib.sha256).hexdigest()


def dump_meta(meta: Dict[str, Any]) -> str:
    return quote(json.dumps(meta, sort_keys=True, separators=(",", ":")), safe="")


def _unquote_meta(text: str) -> str:
    """``unquote(text)``, quicker for what ``dump_meta`` writes (ASCII with
    no backslash, every escape an ASCII byte; a listing undoes one per
    encrypted row): each ``%XX`` becomes ``\\xXX`` for the codec that
    undoes Python's string escapes, in C. Any other text (a backslash of
    its own, an escape that is not two hex digits or not ASCII) goes
    through ``unquote``."""
    if "\\" not in text and text.isascii():
        try:
            out = text.replace("%", "\\x").encode("ascii").decode("unicode_escape")
        except UnicodeDecodeError:
            return unquote(text)
        if out.isascii():
            return out
    return unquote(text)


def load_meta(text: str) -> Dict[str, Any]:
    try:
        meta = json.loads(_unquote_meta(text))
    except ValueError:
        raise CryptoError("crypto metadata is not JSON") from None
    if not isinstance(meta, dict) or meta.get("cipher") != CIPHER:
        raise CryptoError("unknown cipher in crypto metadata")
    return meta


def encrypt_value(key: bytes, value: bytes, key_id: Optional[Dict[str, str]] = None) -> str:
    """``<base64 ciphertext>; swift_meta=<quoted JSON>``: one header value."""
    iv = random_iv()
    meta: Dict[str, Any] = {"iv": b64(iv), "cipher": CIPHER}
    if key_id is not None:
        meta["key_id"] = key_id
    return "%s; %s=%s" % (b64(ctr(key, iv).update(value)), META_PARAM, dump_meta(meta))


def split_value(text: str) -> tuple:
    """``(ciphertext base64, meta)`` of an encrypted header value."""
    data, sep, param = text.partition(";")
    name, eq, meta = param.strip().partition("=")
    if not sep or name != META_PARAM or not eq:
        raise CryptoError("not an encrypted value")
    return data.strip(), load_meta(meta)


def decrypt_value(key: bytes, text: str) -> bytes:
    return decrypt_split(key, *split_value(text))


def decrypt_split(key: bytes, data: str, meta: Dict[str, Any]) -> bytes:
    """``decrypt_value`` of a value ``split_value`` already took apart."""
    return ctr(key, unb64(meta["iv"])).update(unb64(data))
