"""SSE-C request headers, the key fingerprint and the read/upload checks
(sse.py), as pure functions."""

import base64
import hashlib

import pytest

from objstore.common.crypto import CUSTOMER_KEY, CUSTOMER_KEY_ERROR, ENCRYPTED_HEADER
from objstore.middleware.s3api import sse
from objstore.middleware.s3api.errors import S3Error

KEY = bytes(range(32))
OTHER = bytes(range(1, 33))


def headers(key=KEY, algorithm="AES256", md5=None, prefix="x-amz-server-side-encryption-customer-"):
    out = {}
    if algorithm is not None:
        out[prefix + "algorithm"] = algorithm
    if key is not None:
        out[prefix + "key"] = base64.b64encode(key).decode()
        out[prefix + "key-md5"] = md5 if md5 is not None else \
            base64.b64encode(hashlib.md5(key).digest()).decode()
    return out


def error_of(call):
    with pytest.raises(S3Error) as err:
        call()
    return err.value.code, err.value.status, err.value.message


def test_a_complete_set_gives_the_key_and_its_md5():
    key = sse._parse(headers(), sse._PREFIX)
    assert key.key == KEY
    assert key.env() == {CUSTOMER_KEY: KEY}
    assert key.response_headers()[sse.MD5_RESPONSE_HEADER] == \
        base64.b64encode(hashlib.md5(KEY).digest()).decode()
    assert sse._parse({}, sse._PREFIX) is None


def test_copy_source_headers_are_read_with_their_own_prefix():
    given = headers(prefix="x-amz-copy-source-server-side-encryption-customer-")
    assert sse._parse(given, sse._COPY_PREFIX).key == KEY
    assert sse._parse(given, sse._PREFIX) is None


@pytest.mark.parametrize("given,code,words", [
    (headers(algorithm="AES128"), "InvalidEncryptionAlgorithmError", "valid value is AES256"),
    (headers(algorithm=None), "InvalidArgument", "valid encryption algorithm"),
    ({"x-amz-server-side-encryption-customer-algorithm": "AES256"}, "InvalidArgument",
     "appropriate secret key"),
    (dict(headers(), **{"x-amz-server-side-encryption-customer-key-md5": ""}),
     "InvalidArgument", "MD5 of the secret key"),
    (headers(key=b"short"), "InvalidArgument", "secret key was invalid"),
    (headers(key=KEY + b"x"), "InvalidArgument", "secret key was invalid"),
    (dict(headers(), **{"x-amz-server-side-encryption-customer-key": "%%%notbase64"}),
     "InvalidArgument", "secret key was invalid"),
    (headers(md5=base64.b64encode(hashlib.md5(OTHER).digest()).decode()), "InvalidArgument",
     "MD5 hash of the key did not match"),
])
def test_bad_sets_answer_s3s_errors(given, code, words):
    got = error_of(lambda: sse._parse(given, sse._PREFIX))
    assert got[:2] == (code, 400) and words in got[2]


def test_a_wrong_key_is_never_echoed_in_the_error():
    bad = base64.b64encode(b"k" * 31).decode()
    with pytest.raises(S3Error) as err:
        sse._parse(dict(headers(), **{"x-amz-server-side-encryption-customer-key": bad}),
                   sse._PREFIX)
    assert bad not in str(err.value) and bad not in str(err.value.extra)


def test_the_fingerprint_is_salted_and_matches_only_its_key():
    key = sse.CustomerKey(KEY, "md5")
    one, two = key.fingerprint(), key.fingerprint()
    assert one != two  # a fresh salt each time
    assert key.matches(one) and key.matches(two)
    assert not sse.CustomerKey(OTHER, "md5").matches(one)
    assert base64.b64encode(KEY).decode() not in one
    assert not key.matches("AES256 garbage") and not key.matches("AES256 %%% ###")


@pytest.mark.parametrize("scheme,addr,setting,allowed", [
    ("https", "192.0.2.1", "false", True), ("http", "127.0.0.1", "loopback", True),
    ("http", "::1", "loopback", True), ("http", "192.0.2.1", "loopback", False),
    ("http", "127.0.0.1", "false", False), ("http", "192.0.2.1", "true", True),
    ("http", "", "loopback", False)])
def test_plain_http_is_refused_unless_allowed(scheme, addr, setting, allowed):
    env = {"wsgi.url_scheme": scheme, "REMOTE_ADDR": addr}
    if allowed:
        sse.check_transport(env, setting)
    else:
        code, status, message = error_of(lambda: sse.check_transport(env, setting))
        assert (code, status) == ("InvalidRequest", 400) and "secure connection" in message


def test_reads_need_the_key_the_object_was_written_with():
    key = sse.CustomerKey(KEY, "md5")
    stored = key.fingerprint()
    sse.check_read({sse.SYSMETA: stored}, 200, key)
    sse.check_read({}, 200, None)
    assert error_of(lambda: sse.check_read({sse.SYSMETA: stored}, 200, None))[:2] == \
        ("InvalidRequest", 400)
    assert error_of(lambda: sse.check_read(
        {sse.SYSMETA: stored}, 200, sse.CustomerKey(OTHER, "m")))[:2] == ("AccessDenied", 403)
    assert error_of(lambda: sse.check_read({}, 200, key))[:2] == ("InvalidRequest", 400)
    sse.check_read({}, 404, key)  # the 404 is the caller's to answer


def test_the_encryption_middlewares_refusals_become_s3_errors():
    missing = {CUSTOMER_KEY_ERROR.lower(): "missing"}
    mismatch = {CUSTOMER_KEY_ERROR.lower(): "mismatch"}
    assert error_of(lambda: sse.check_read(missing, 400, None))[:2] == ("InvalidRequest", 400)
    assert error_of(lambda: sse.check_read(mismatch, 403, None))[:2] == ("AccessDenied", 403)


def test_an_upload_is_continued_only_with_its_key():
    key = sse.CustomerKey(KEY, "md5")
    stored = key.fingerprint()
    sse.check_key(stored, key, upload=True)
    sse.check_key(stored, None, upload=True, required=False)  # Complete without the key
    assert error_of(lambda: sse.check_key(stored, None, upload=True))[:2] == \
        ("InvalidRequest", 400)
    assert error_of(lambda: sse.check_key(stored, sse.CustomerKey(OTHER, "m"),
                                          upload=True))[:2] == ("InvalidRequest", 400)
    assert error_of(lambda: sse.check_key(None, key, upload=True))[:2] == \
        ("InvalidRequest", 400)


def test_sse_s3_is_reported_only_for_what_was_encrypted():
    assert sse.read_headers({ENCRYPTED_HEADER.lower(): "AES256"}) == \
        {"x-amz-server-side-encryption": "AES256"}
    assert sse.read_headers({}) == {}
    assert sse.read_headers({ENCRYPTED_HEADER.lower(): "SSE-C", sse.SYSMETA: "x"}) == {}



def test_sse_c_over_http_is_read_from_the_config():
    from objstore.common.config import ConfigError
    from objstore.middleware.s3api.middleware import sse_c_over_http
    assert sse_c_over_http({}) == "loopback"
    assert sse_c_over_http({"sse_c_over_http": " False "}) == "false"
    with pytest.raises(ConfigError) as err:
        sse_c_over_http({"sse_c_over_http": "yes"})
    assert "sse_c_over_http" in str(err.value)
