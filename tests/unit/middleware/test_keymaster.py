"""keymaster: root secrets from the config or a key file, rotation, and
the refusal to start with weak key material."""

import base64
import os

import pytest

from objstore.common.config import ConfigError
from objstore.common import crypto as cu
from objstore.middleware.keymaster import KeyMaster, filter_factory, load_secrets

SECRET = base64.b64encode(b"k" * 32).decode()
SECRET2 = base64.b64encode(b"q" * 40).decode()


def _app(env, start_response):
    return []


@pytest.mark.parametrize("value,says", [
    (base64.b64encode(b"k" * 31).decode(), "decodes to 31 bytes; at least 32"),
    ("not base64!", "is not valid base64"),
    ("", "is not valid base64"),
])
def test_weak_or_broken_key_material_stops_the_pipeline_and_says_why(value, says):
    with pytest.raises(ConfigError) as err:
        filter_factory({}, encryption_root_secret=value)
    if value:
        assert says in str(err.value)
    assert "encryption_root_secret" in str(err.value)


def test_no_secret_at_all_and_an_unknown_active_id_are_refused():
    with pytest.raises(ConfigError) as err:
        filter_factory({})
    assert "needs encryption_root_secret" in str(err.value)
    with pytest.raises(ConfigError) as err:
        filter_factory({}, encryption_root_secret=SECRET, active_root_secret_id="2")
    assert "active_root_secret_id = 2" in str(err.value)


def test_secrets_come_from_a_key_file(tmp_path):
    path = tmp_path / "keymaster.conf"
    path.write_text("[keymaster]\nencryption_root_secret_1 = %s\nactive_root_secret_id = 1\n"
                    % SECRET)
    os.chmod(str(path), 0o600)
    conf = {"keymaster_config_path": str(path)}
    assert load_secrets(conf) == {"1": b"k" * 32}
    assert conf["active_root_secret_id"] == "1"
    with pytest.raises(ConfigError) as err:
        load_secrets({"keymaster_config_path": str(tmp_path / "missing.conf")})
    assert "cannot be read" in str(err.value)


def test_keys_are_per_path_and_a_stored_key_id_finds_them_after_rotation():
    before = KeyMaster(_app, {"encryption_root_secret": SECRET})
    env = {"PATH_INFO": "/v1/AUTH_a/c/o", "REQUEST_METHOD": "GET"}
    before(env, None)
    old = env[cu.FETCH_KEYS]()
    assert old["id"] == {"v": "1", "path": "/AUTH_a/c/o", "secret_id": ""}
    other_env = {"PATH_INFO": "/v1/AUTH_a/c/p", "REQUEST_METHOD": "GET"}
    before(other_env, None)
    assert other_env[cu.FETCH_KEYS]()["object"] != old["object"]
    assert other_env[cu.FETCH_KEYS]()["container"] == old["container"]

    rotated = KeyMaster(_app, {"encryption_root_secret": SECRET,
                               "encryption_root_secret_2": SECRET2,
                               "active_root_secret_id": "2"})
    env = {"PATH_INFO": "/v1/AUTH_a/c/o", "REQUEST_METHOD": "GET"}
    rotated(env, None)
    new = env[cu.FETCH_KEYS]()
    assert new["id"]["secret_id"] == "2" and new["object"] != old["object"]
    assert env[cu.FETCH_KEYS](old["id"])["object"] == old["object"]
    assert len(env[cu.ETAG_KEYS]()) == 2

    forgotten = KeyMaster(_app, {"encryption_root_secret_2": SECRET2,
                                 "active_root_secret_id": "2"})
    env = {"PATH_INFO": "/v1/AUTH_a/c/o", "REQUEST_METHOD": "GET"}
    forgotten(env, None)
    with pytest.raises(cu.CryptoError):
        env[cu.FETCH_KEYS](old["id"])


def test_requests_that_name_no_container_get_no_keys():
    km = KeyMaster(_app, {"encryption_root_secret": SECRET})
    for path in ("/v1/AUTH_a", "/info", "/auth/v1.0"):
        env = {"PATH_INFO": path}
        km(env, None)
        assert cu.FETCH_KEYS not in env
