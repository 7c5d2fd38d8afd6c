"""encryption: object bodies and user metadata encrypted at rest with
AES-256-CTR, keys from ``keymaster`` (which must sit just before it).

Object PUT and POST are encrypted (``encrypter``), object GET and HEAD
decrypted (``decrypter``); everything else passes. It sits after slo, dlo,
versioned_writes and symlink in the pipeline, so every stored object --
each SLO segment and manifest, each EC object before it is cut into
fragments, each archived version -- is encrypted on its own, and those
middlewares see plaintext. Objects stored before it was added stay
readable as they are.

``disable_encryption = true`` stops encrypting new writes but keeps
decrypting what was written encrypted (for an operator backing out).

Object requests carrying ``common.versions.RAW_ENV`` (set only by the
versioning middlewares on their own subrequests, never by a client) pass
untouched both ways: a kept version is moved as stored, ciphertext and
crypto metadata, so keeping it needs no key (an SSE-C object's key is
never stored).

``/info``: as Swift, an ``encryption`` section (``{"enabled": true}``, or
false when disabled) shown only to requests signed with the admin key;
keymaster shows nothing (its secrets are never described).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, Iterable

from objstore.common import crypto as cu
from objstore.common import pipeline, registry
from objstore.common.config import config_true_value
from objstore.common.http.errors import swift_error
from objstore.common.versions import RAW_ENV
from objstore.middleware import decrypter, encrypter
from objstore.common.http.paths import split_swift_path

LOG = logging.getLogger("objstore.encryption")


class Encryption:
    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        self.disabled = config_true_value(conf.get("disable_encryption", "false"))
        setattr(self, pipeline.ENCRYPTS_AT_REST, not self.disabled)
        # As Swift: only the signed admin /info says whether objects are
        # encrypted at rest (s3api reads it to accept SSE AES256).
        registry.register_info("encryption", admin=True, enabled=not self.disabled)

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = split_swift_path(env)
        if target is None or target[1] is None:
            return self.app(env, start_response)
        account, container, obj = target
        if obj is None:
            if env.get("REQUEST_METHOD") == "GET":
                return decrypter.handle_listing(self.app, env, start_response, container)
            return self.app(env, start_response)
        if env.get(RAW_ENV):
            # a versioning middleware moving a stored version: ciphertext and
            # crypto metadata travel as stored (common/versions.py)
            return self.app(env, start_response)
        path = "/v1/%s/%s/%s" % (account, container, obj)
        method = env.get("REQUEST_METHOD")
        if method in ("GET", "HEAD"):
            return decrypter.handle_get(self.app, env, start_response, path)
        if method == "PUT" and self.disabled and env.get(cu.CUSTOMER_KEY):
            # Never store an SSE-C body in plaintext (s3api refuses SSE-C
            # itself when encryption is disabled; this is the backstop).
            return swift_error(501, "Encryption is disabled: no object can be stored "
                               "with a customer key.")(env, start_response)
        if method == "DELETE" and not self.disabled:
            # s3api's conditional delete is judged on the plaintext ETag.
            decrypter.add_etag_macs(env, env.get(cu.ETAG_KEYS), ("HTTP_X_BACKEND_IF_MATCH",))
        if method not in ("PUT", "POST") or self.disabled:
            return self.app(env, start_response)
        fetch = env.get(cu.FETCH_KEYS)
        if fetch is None:
            LOG.error("encryption: no keymaster before encryption in the pipeline; "
                      "refusing %s %s", method, path)
            return swift_error(500, "Unable to encrypt the object; the error is logged.")(
                env, start_response)
        try:
            keys = fetch()
        except cu.CryptoError as err:
            LOG.error("encryption: no key for %s %s: %s", method, path, err)
            return swift_error(500, "Unable to encrypt the object; the error is logged.")(
                env, start_response)
        if method == "PUT":
            return encrypter.handle_put(self.app, env, start_response, keys, path)
        return encrypter.handle_post(self.app, env, start_response, keys, path)


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    return lambda app: Encryption(app, conf)
