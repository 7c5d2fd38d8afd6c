"""Signature parsing and checking shared by tempurl and formpost."""
import base64
import hashlib
import hmac

import pytest

from objstore.middleware import hmac_keys

MSG = "GET\n1700000000\n/v1/AUTH_a/c/o"


def _raw(digest, key="k", msg=MSG):
    return hmac.new(key.encode(), msg.encode(), getattr(hashlib, digest)).digest()


@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha512"])
def test_hex_and_prefixed_base64_signatures_match(digest):
    allowed = list(hmac_keys.SUPPORTED_DIGESTS)
    raw = _raw(digest)
    assert hmac_keys.signature_matches(raw.hex(), ["k"], [MSG], allowed)
    b64 = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert hmac_keys.signature_matches("%s:%s" % (digest, b64), ["k"], [MSG], allowed)


def test_a_digest_not_allowed_is_refused_even_when_correct():
    raw = _raw("sha1")
    assert not hmac_keys.signature_matches(raw.hex(), ["k"], [MSG], ["sha256", "sha512"])
    md5 = hmac.new(b"k", MSG.encode(), hashlib.md5).hexdigest()
    assert not hmac_keys.signature_matches(md5, ["k"], [MSG], list(hmac_keys.SUPPORTED_DIGESTS))


@pytest.mark.parametrize("sig", ["", "zz", "g" * 64, "sha256:!!!", "sha256:" + "A" * 10,
                                 "md5:" + "A" * 22])
def test_malformed_signatures_are_refused(sig):
    assert hmac_keys.split_signature(sig, list(hmac_keys.SUPPORTED_DIGESTS)) is None


def test_wrong_key_or_message_does_not_match_and_any_key_of_two_does():
    sig = _raw("sha256", key="second").hex()
    allowed = ["sha256"]
    assert not hmac_keys.signature_matches(sig, ["first"], [MSG], allowed)
    assert hmac_keys.signature_matches(sig, ["first", "second"], [MSG], allowed)
    assert not hmac_keys.signature_matches(sig, ["second"], [MSG + "x"], allowed)


def test_allowed_digests_config_keeps_known_names_and_rejects_none():
    assert hmac_keys.parse_allowed_digests("sha512 md5 SHA256") == ["sha256", "sha512"]
    assert hmac_keys.parse_allowed_digests(None) == ["sha1", "sha256", "sha512"]
    with pytest.raises(ValueError):
        hmac_keys.parse_allowed_digests("md5")
    assert hmac_keys.digest_info(["sha256"]) == {"allowed_digests": ["sha256"],
                                                 "deprecated_digests": []}


def test_key_headers_are_hidden_case_insensitively():
    headers = [("X-Account-Meta-Temp-Url-Key", "a"), ("X-Container-Meta-Temp-URL-Key-2", "b"),
               ("X-Container-Meta-Other", "c")]
    assert hmac_keys.hide_keys(headers) == [("X-Container-Meta-Other", "c")]
