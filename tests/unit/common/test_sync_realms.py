"""container-sync-realms.conf, request signatures and X-Container-Sync-To
validation (texts as Swift 2.38.3 answers them, measured on the reference)."""

import os

import pytest

from objstore.common import sync_realms
from objstore.common.config import ConfigError

REALMS = """[DEFAULT]
mtime_check_interval = 0

[Saio]
key = k1
key2 = k2
cluster_East = http://127.0.0.1:8080/v1/
cluster_west = http://127.0.0.1:8081/v1

[nokey]
cluster_a = http://127.0.0.1:1/v1/
"""


@pytest.fixture
def realms(tmp_path):
    path = tmp_path / sync_realms.REALMS_CONF
    path.write_text(REALMS)
    return sync_realms.SyncRealms.in_dir(str(tmp_path))


def test_realms_and_clusters_are_case_insensitive_and_a_keyless_realm_is_skipped(realms):
    assert set(realms.realms()) == {"SAIO"}
    assert realms.realm("saio").keys() == ["k1", "k2"]
    assert realms.endpoint("SAIO", "east") == "http://127.0.0.1:8080/v1/"
    assert realms.endpoint("saio", "WEST") == "http://127.0.0.1:8081/v1"
    assert realms.endpoint("saio", "north") is None
    assert realms.realm("nokey") is None


def test_a_changed_file_is_read_again(realms, tmp_path):
    path = tmp_path / sync_realms.REALMS_CONF
    path.write_text(REALMS.replace("key2 = k2", "key2 = k3"))
    os.utime(path, (1, 1))  # a different mtime, whatever the clock's resolution
    assert realms.realm("saio").keys() == ["k1", "k3"]


def test_a_missing_file_is_no_realms_and_a_bad_interval_is_a_config_error(tmp_path):
    assert sync_realms.SyncRealms.in_dir(str(tmp_path)).realms() == {}
    (tmp_path / sync_realms.REALMS_CONF).write_text("[DEFAULT]\nmtime_check_interval = x\n")
    with pytest.raises(ConfigError, match="mtime_check_interval"):
        sync_realms.SyncRealms.in_dir(str(tmp_path))


def _signed(realm_key, user_key="sek", method="PUT", path="/v1/AUTH_a/c/o", ts="1.00000"):
    sig = sync_realms.sign(method, path, ts, "nonce", realm_key, user_key)
    return sync_realms.auth_header("saio", "nonce", sig)


def test_either_realm_key_verifies_so_keys_can_rotate(realms):
    for key in ("k1", "k2"):
        assert sync_realms.verify(_signed(key), "PUT", "/v1/AUTH_a/c/o", "1.00000", realms, "sek")
    assert not sync_realms.verify(_signed("k9"), "PUT", "/v1/AUTH_a/c/o", "1.00000", realms,
                                  "sek")


@pytest.mark.parametrize("method,path,ts,user_key", [
    ("DELETE", "/v1/AUTH_a/c/o", "1.00000", "sek"),   # another verb
    ("PUT", "/v1/AUTH_a/c/o2", "1.00000", "sek"),     # another object
    ("PUT", "/v1/AUTH_a/c/o", "2.00000", "sek"),      # another timestamp
    ("PUT", "/v1/AUTH_a/c/o", "1.00000", "other"),    # the container's key differs
    ("PUT", "/v1/AUTH_a/c/o", "1.00000", ""),         # the container has no key
])
def test_a_signature_holds_for_exactly_what_was_signed(realms, method, path, ts, user_key):
    assert not sync_realms.verify(_signed("k1"), method, path, ts, realms, user_key)


@pytest.mark.parametrize("header", ["", "saio", "saio nonce", "nope nonce sig",
                                    "saio nonce sig extra"])
def test_malformed_or_unknown_realm_headers_do_not_verify(realms, header):
    assert not sync_realms.verify(header, "PUT", "/v1/AUTH_a/c/o", "1.00000", realms, "sek")


@pytest.mark.parametrize("value,error", [
    ("http://evil.example.com/v1/a/c", "Invalid host 'evil.example.com' in X-Container-Sync-To"),
    ("ftp://127.0.0.1/v1/a/c",
     "Invalid scheme 'ftp' in X-Container-Sync-To, must be \"//\", \"http\", or \"https\"."),
    ("/v1/a/c", "Invalid scheme '' in X-Container-Sync-To, must be \"//\", \"http\", or "
                "\"https\"."),
    ("http://127.0.0.1", "Path required in X-Container-Sync-To"),
    ("http://127.0.0.1/", "Path required in X-Container-Sync-To"),
    ("http://127.0.0.1/v1/a/c?x=1",
     "Params, queries, and fragments not allowed in X-Container-Sync-To"),
    ("http://127.0.0.1/v1/a/c#f",
     "Params, queries, and fragments not allowed in X-Container-Sync-To"),
    ("http://127.0.0.1/v1/a/c;p",
     "Params, queries, and fragments not allowed in X-Container-Sync-To"),
    ("http://[::1]/v1/a/c", "Invalid host '::1' in X-Container-Sync-To"),
    ("http:///v1/a/c", "Invalid host None in X-Container-Sync-To"),
    ("//realm/cluster/a/c", "No realm key for 'realm'"),
    ("//realm/cluster/a", "Invalid X-Container-Sync-To format '//realm/cluster/a'"),
    ("//realm", "Invalid X-Container-Sync-To format '//realm'"),
    ("//saio/east/a/c/x", "Invalid X-Container-Sync-To format '//saio/east/a/c/x'"),
    ("//saio/north/a/c", "No cluster endpoint for 'saio' 'north'"),
])
def test_unusable_sync_to_values_get_swifts_error_text(realms, value, error):
    assert sync_realms.validate_sync_to(value, ["127.0.0.1"], realms) == (error, None)


def test_usable_sync_to_values_name_their_target(realms):
    _err, target = sync_realms.validate_sync_to("//saio/WEST/AUTH_b/d/", ["127.0.0.1"], realms)
    assert (target.url, target.realm, target.realm_key) == \
        ("http://127.0.0.1:8081/v1/AUTH_b/d", "SAIO", "k1")
    _err, target = sync_realms.validate_sync_to("HTTP://127.0.0.1:8080/v1/a/c", ["127.0.0.1"],
                                                realms)
    assert (target.url, target.realm) == ("HTTP://127.0.0.1:8080/v1/a/c", "")
    assert sync_realms.validate_sync_to("", ["127.0.0.1"], realms) == (None, None)
