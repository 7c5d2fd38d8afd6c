"""AES-CTR streams from any offset, key wrapping, encrypted header values."""

import os
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from objstore.common import crypto as cu


def _reference(key, iv, data):
    return Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor().update(data)


@pytest.mark.parametrize("offset", [0, 1, 15, 16, 17, 4095, 65536 + 3])
def test_a_stream_started_at_any_offset_matches_the_whole_stream(offset):
    key, iv = cu.random_key(), cu.random_iv()
    data = os.urandom(70000)
    whole = _reference(key, iv, data)
    assert cu.ctr(key, iv).update(data) == whole
    assert cu.ctr(key, iv, offset).update(data[offset:]) == whole[offset:]


def test_the_counter_wraps_around_at_the_top_of_the_iv_space():
    key, iv = cu.random_key(), b"\xff" * 16
    data = os.urandom(64)
    whole = cu.ctr(key, iv).update(data)
    assert cu.ctr(key, iv, 32).update(data[32:]) == whole[32:]


def test_a_wrapped_key_unwraps_only_with_its_key_and_the_check_tells_them_apart():
    kek, other, body_key = cu.random_key(), cu.random_key(), cu.random_key()
    wrapped = cu.wrap_key(kek, body_key)
    assert cu.unb64(wrapped["key"]) != body_key
    assert cu.unwrap_key(kek, wrapped) == body_key
    assert cu.unwrap_key(other, wrapped) != body_key
    assert cu.key_check(kek) != cu.key_check(other)


def test_header_values_round_trip_and_never_repeat():
    key = cu.random_key()
    first = cu.encrypt_value(key, b"bright red")
    second = cu.encrypt_value(key, b"bright red")
    assert first != second  # a fresh IV each time
    assert "bright red" not in first
    assert cu.decrypt_value(key, first) == cu.decrypt_value(key, second) == b"bright red"
    assert first.encode("ascii")  # fits a header


@pytest.mark.parametrize("bad", ["plain", "abc; swift_meta=%7B%7D", "abc; other=1",
                                 "abc; swift_meta=notjson"])
def test_a_value_that_is_not_ours_is_a_crypto_error(bad):
    with pytest.raises(cu.CryptoError):
        cu.decrypt_value(cu.random_key(), bad)


def test_etag_macs_ignore_quotes_and_case_and_depend_on_the_key():
    key = cu.random_key()
    assert cu.etag_mac(key, '"ABC"') == cu.etag_mac(key, "abc")
    assert cu.etag_mac(key, "abc") != cu.etag_mac(cu.random_key(), "abc")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["%", "4", "1", "a", "F", "g", "%C3", "\u00e9", " ", "+", "-",
                                 "%7", "%7f", "%80", "%2B", "%2b", "\\", "\\x41", "%5C", "%5c",
                                 "x", "%00", "\\u00e9", "%%"]), max_size=16))
def test_the_quick_unquote_of_crypto_metadata_is_unquote(pieces):
    text = "".join(pieces)
    assert cu._unquote_meta(text) == unquote(text)


def test_crypto_metadata_round_trips_through_the_quick_unquote():
    meta = {"cipher": cu.CIPHER, "iv": "x+/=", "key_id": {"path": "/a/c/caf\u00e9 %41"}}
    assert cu.load_meta(cu.dump_meta(meta)) == meta


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.tuples(
    st.one_of(st.binary(min_size=16, max_size=16),
              st.sampled_from([b"\xff" * 16, b"\xff" * 15 + b"\xfe", b"\0" * 16])),
    st.binary(max_size=70)), max_size=8))
def test_many_values_under_one_key_decrypt_as_one_stream_each(values):
    """``ctr_many`` (one AES call for a listing's ETags) gives what a
    cipher context per value gives, the counter wrapping at the top."""
    key = cu.random_key()
    assert cu.ctr_many(key, values) == [_reference(key, iv, data) for iv, data in values]


def test_many_values_refuse_a_bad_key_or_iv():
    with pytest.raises(cu.CryptoError):
        cu.ctr_many(b"short", [])
    with pytest.raises(cu.CryptoError):
        cu.ctr_many(cu.random_key(), [(b"\0" * 15, b"x")])
