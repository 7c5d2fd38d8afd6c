"""What ``tempurl`` and ``formpost`` share: the account's and container's
secret keys, and checking an HMAC signature made with one of them.

A signature is either hex (its length says the digest: 40 SHA1, 64
SHA256, 128 SHA512) or ``<digest>:<base64>`` (URL-safe base64, padding
optional). Only digests an operator allows (``allowed_digests``) are
accepted; SHA1 is still allowed by default, as in Swift, but reported as
deprecated in ``/info``. Comparison is constant-time, so a forger learns
nothing from how long a refusal takes.

Keys live in metadata: ``X-Account-Meta-Temp-URL-Key[-2]`` and
``X-Container-Meta-Temp-URL-Key[-2]``; two of each so a key can be rotated
without breaking links signed with the old one. They are read through the
proxy's cached account/container info, so checking a signature costs no
storage-server request once the info is cached.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from objstore.common import info as info_mod
from objstore.common.http.wsgi_str import wsgi_to_str
from objstore.common.owner_headers import TEMP_URL_KEY_HEADERS

DEFAULT_ALLOWED_DIGESTS = ("sha1", "sha256", "sha512")
DEPRECATED_DIGESTS = ("sha1",)
SUPPORTED_DIGESTS = ("sha1", "sha256", "sha512")
_HEX_LENGTHS = {40: "sha1", 64: "sha256", 128: "sha512"}
KEY_META = ("temp-url-key", "temp-url-key-2")
# Headers that carry a key (the proxy shows them only to the account's owner).
KEY_HEADERS = tuple(h.lower() for h in TEMP_URL_KEY_HEADERS)


def parse_allowed_digests(value: Optional[str]) -> List[str]:
    """The configured digests, those unknown dropped; raises ``ValueError``
    if none remain (a tempurl that can accept nothing is a config error)."""
    names = [d.strip().lower() for d in (value or " ".join(DEFAULT_ALLOWED_DIGESTS)).split()]
    allowed = [d for d in SUPPORTED_DIGESTS if d in names]
    if not allowed:
        raise ValueError("allowed_digests must name at least one of %s"
                         % ", ".join(SUPPORTED_DIGESTS))
    return allowed


def digest_info(allowed: Sequence[str]) -> Dict[str, List[str]]:
    """The ``/info`` fields about digests."""
    return {"allowed_digests": list(allowed),
            "deprecated_digests": [d for d in DEPRECATED_DIGESTS if d in allowed]}


def split_signature(sig: str, allowed: Sequence[str]) -> Optional[Tuple[str, bytes]]:
    """``(digest name, raw signature bytes)`` or ``None`` if ``sig`` is
    malformed or uses a digest that is not allowed."""
    if ":" in sig:
        name, _sep, encoded = sig.partition(":")
        name = name.lower()
        if name not in allowed:
            return None
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            return None
        if len(raw) != hashlib.new(name).digest_size:
            return None
        return name, raw
    name = _HEX_LENGTHS.get(len(sig))
    if name is None or name not in allowed:
        return None
    try:
        return name, binascii.unhexlify(sig)
    except (binascii.Error, ValueError):
        return None


def hmac_digest(key: str, message: str, digest: str) -> bytes:
    """The HMAC of ``message`` under the UTF-8 bytes of ``key`` (a key's
    bytes that are not UTF-8 arrive as lone surrogates and sign as
    themselves)."""
    return hmac.new(key.encode("utf-8", "surrogateescape"), message.encode("utf-8"),
                    getattr(hashlib, digest)).digest()


def signature_matches(sig: str, keys: Sequence[str], messages: Sequence[str],
                      allowed: Sequence[str]) -> bool:
    """Whether ``sig`` is the HMAC of one of ``messages`` under one of
    ``keys``. Every pair is computed, so timing reveals nothing."""
    parsed = split_signature(sig, allowed)
    if parsed is None:
        return False
    digest, raw = parsed
    found = False
    for key in keys:
        for message in messages:
            if hmac.compare_digest(hmac_digest(key, message, digest), raw):
                found = True
    return found


def account_keys(env: Dict[str, Any], app: Callable[..., Any], account: str) -> List[str]:
    """The account's temp URL keys (0 to 2), from cached account info."""
    return _keys(info_mod.get_account_info(env, app, account).get("meta", {}))


def container_keys(env: Dict[str, Any], app: Callable[..., Any], account: str,
                   container: str) -> List[str]:
    """The container's temp URL keys (0 to 2), from cached container info."""
    return _keys(info_mod.get_container_info(env, app, account, container).get("meta", {}))


def _keys(meta: Dict[str, str]) -> List[str]:
    # Info holds metadata as it came off the wire (WSGI strings: one code
    # point a byte); a key is the text its owner set, signed as UTF-8.
    return [wsgi_to_str(meta[k], "surrogateescape") for k in KEY_META if meta.get(k)]


def hide_keys(headers: List[Tuple[str, str]]) -> List[Tuple[str, str]]:
    """``headers`` without the key headers (for anyone but the owner)."""
    return [(k, v) for k, v in headers if k.lower() not in KEY_HEADERS]
