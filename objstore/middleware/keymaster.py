"""keymaster: the root secrets, and the per-path keys derived from them.

Options (in ``[filter:keymaster]``, or in the ``[keymaster]`` section of
the file named by ``keymaster_config_path`` -- keep that file readable by
the proxy's user only):

* ``encryption_root_secret``: the base64 of at least 32 random bytes
  (``openssl rand -base64 32``);
* ``encryption_root_secret_<id>``: more secrets, for rotation;
* ``active_root_secret_id``: the secret new objects are written with
  (unset: the one without an id). Objects written with any configured
  secret stay readable, so rotating is: add ``encryption_root_secret_2``,
  set ``active_root_secret_id = 2``, keep the old one.

Key material that is missing, not base64 or shorter than 32 bytes stops
the proxy at start with a message naming the option: running on with a
weak key would be worse.

For every ``/v1/<account>/<container>[/<object>]`` request the middleware
puts ``fetch_keys`` in the environ (``objstore.common.crypto.FETCH_KEYS``):
``fetch_keys(key_id=None)`` returns ``{"object": key, "container": key,
"id": key_id}`` where each key is HMAC-SHA256(root secret, path). Without
``key_id`` the active secret and this request's path are used; with the
``key_id`` stored beside an object the same keys come back, whatever the
active secret is now. An unknown secret id raises ``CryptoError``.
``etag_keys()`` (``objstore.common.crypto.ETAG_KEYS``) gives the object's key under
every configured secret, to match conditional requests whatever secret
the object was written with.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Callable, Dict, Iterable, List, Optional

from objstore.common.config import ConfigError, read_conf
from objstore.common.crypto import ETAG_KEYS, FETCH_KEYS, KEY_LENGTH, CryptoError, derive_key
from objstore.common.http.paths import split_swift_path

SECRET_OPTION = "encryption_root_secret"
KeyId = Dict[str, str]


def _decode_secret(option: str, value: str) -> bytes:
    try:
        secret = base64.b64decode(value.strip().encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise ConfigError("[filter:keymaster] %s is not valid base64; make one with "
                          "'openssl rand -base64 32'" % option) from None
    if len(secret) < KEY_LENGTH:
        raise ConfigError("[filter:keymaster] %s decodes to %d bytes; at least %d are needed "
                          "(make one with 'openssl rand -base64 32')"
                          % (option, len(secret), KEY_LENGTH))
    return secret


def load_secrets(conf: Dict[str, str]) -> Dict[str, bytes]:
    """``{secret id: secret}`` (``""`` for ``encryption_root_secret``)
    from ``conf`` and ``keymaster_config_path``; ``ConfigError`` if none or
    any is unusable."""
    options = dict(conf)
    path = conf.get("keymaster_config_path")
    if path:
        try:
            section = read_conf(path).get("keymaster")
        except (OSError, ConfigError) as err:
            raise ConfigError("[filter:keymaster] keymaster_config_path %s cannot be read: %s"
                              % (path, err)) from None
        if not section:
            raise ConfigError("[filter:keymaster] %s has no [keymaster] section" % path)
        options.update({k: v for k, v in section.items() if k.startswith(SECRET_OPTION)
                        or k == "active_root_secret_id"})
    secrets: Dict[str, bytes] = {}
    for option, value in options.items():
        if option == SECRET_OPTION:
            secrets[""] = _decode_secret(option, value)
        elif option.startswith(SECRET_OPTION + "_"):
            secrets[option[len(SECRET_OPTION) + 1:]] = _decode_secret(option, value)
    if not secrets:
        raise ConfigError("[filter:keymaster] needs encryption_root_secret (the base64 of at "
                          "least 32 random bytes) or keymaster_config_path")
    active = options.get("active_root_secret_id", "") or ""
    if active not in secrets:
        raise ConfigError("[filter:keymaster] active_root_secret_id = %s but there is no "
                          "encryption_root_secret_%s" % (active, active))
    conf["active_root_secret_id"] = active
    return secrets


class KeyMaster:
    """Offer per-path keys to the encryption middleware below."""

    def __init__(self, app: Callable[..., Any], conf: Dict[str, str]) -> None:
        self.app = app
        conf = dict(conf)
        self.secrets = load_secrets(conf)
        self.active_id = conf["active_root_secret_id"]

    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = split_swift_path(env)
        if target is not None and target[1] is not None:
            account, container, obj = target
            env[FETCH_KEYS] = lambda key_id=None: self.fetch(account, container, obj, key_id)
            if obj is not None:
                path = "/%s/%s/%s" % (account, container, obj)
                env[ETAG_KEYS] = lambda: self.all_object_keys(path)
        return self.app(env, start_response)

    def fetch(self, account: str, container: str, obj: Optional[str],
              key_id: Optional[KeyId] = None) -> Dict[str, Any]:
        container_path = "/%s/%s" % (account, container)
        path = "%s/%s" % (container_path, obj) if obj else container_path
        secret_id = self.active_id
        if key_id is not None:
            secret_id = str(key_id.get("secret_id", ""))
            path = str(key_id.get("path") or path)
            container_path = "/".join(path.split("/", 3)[:3])
        secret = self.secrets.get(secret_id)
        if secret is None:
            raise CryptoError("no root secret with id %r is configured (keymaster's "
                              "encryption_root_secret_%s)" % (secret_id, secret_id))
        return {"object": derive_key(secret, path),
                "container": derive_key(secret, container_path),
                "id": {"v": "1", "path": path, "secret_id": secret_id}}

    def all_object_keys(self, path: str) -> List[bytes]:
        return [derive_key(secret, path) for secret in self.secrets.values()]


def filter_factory(global_conf: Dict[str, str], **local_conf: str) -> Callable[[Any], Any]:
    conf = dict(global_conf, **local_conf)
    load_secrets(dict(conf))  # refuse to build the pipeline with bad key material
    return lambda app: KeyMaster(app, conf)
