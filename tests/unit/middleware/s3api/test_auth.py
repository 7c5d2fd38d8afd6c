from objstore.middleware.s3api import auth


def test_hoisted_amz_query_parameters_become_headers_but_not_the_signature_ones():
    pairs = [("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Signature", "ab"),
             ("X-Amz-Credential", "c"), ("x-amz-acl", "public-read"),
             ("x-amz-meta-name", "caf\u00e9"), ("partNumber", "1")]
    headers = auth.with_hoisted_headers({"x-amz-date": "d", "x-amz-acl": "private"}, pairs)
    assert headers == {"x-amz-date": "d", "x-amz-acl": "private",  # a sent header wins
                       "x-amz-meta-name": "caf\u00c3\u00a9"}  # WSGI form of the UTF-8


def test_signing_headers_are_the_utf8_text_of_the_wire_bytes():
    wire = "caf\u00e9 \u2603".encode("utf-8").decode("latin-1")
    assert auth.signing_headers({"x-amz-meta-a": wire, "x-amz-meta-b": "\xe9"}) == {
        "x-amz-meta-a": "caf\u00e9 \u2603", "x-amz-meta-b": "\xe9"}


# -- what a request's signature check costs, and that it stays as strict ------

import datetime  # noqa: E402

import pytest  # noqa: E402

from objstore.middleware.s3api import sigv4  # noqa: E402
from objstore.middleware.s3api.errors import S3Error  # noqa: E402
from objstore.middleware.s3api.subrequest import Swift  # noqa: E402
from tests.unit.middleware.s3api.botocore_requests import environ_of, signed_request  # noqa: E402


@pytest.mark.parametrize("text", [
    "20240101T000000Z", "20241231T235959Z", "20240229T120000Z", "20230229T120000Z",
    "20241301T000000Z", "20240132T000000Z", "20240101T240000Z", "20240101T006000Z",
    "20240101T000060Z", "20240101T000061Z", "2024011T000000Z", "20240101T000000",
    "20240101t000000Z", "20240101T000000Z ", " 20240101T000000Z", "2024-01-01T00:00:00Z",
    "２０24０1０1T000000Z", "", "20240101T1200Z"])
def test_amz_dates_are_read_exactly_as_strptime_reads_them(text):
    try:
        expected = datetime.datetime.strptime(text, sigv4.AMZ_DATE_FORMAT).replace(
            tzinfo=datetime.timezone.utc)
    except ValueError:
        with pytest.raises(ValueError):
            sigv4.parse_amz_date(text)
    else:
        assert sigv4.parse_amz_date(text) == expected


def test_a_derived_signing_key_kept_for_the_day_still_refuses_a_wrong_secret():
    sigv4.signing_key.cache_clear()
    good = auth.parse_signature(environ_of(signed_request("GET", "http://h/b")), "/b")
    assert good.check("testing")
    again = auth.parse_signature(environ_of(signed_request("GET", "http://h/b")), "/b")
    assert not again.check("testinG") and again.key is None
    assert again.check("testing")
    assert sigv4.signing_key.cache_info().hits >= 1


def test_auth_details_make_the_string_to_sign_only_when_an_error_shows_it():
    sig = auth.parse_signature(environ_of(signed_request("GET", "http://h/b/k")), "/b/k")
    details, _state = auth.make_auth_details(sig)
    assert sig._candidates is None  # nothing built before the auth middleware checks
    assert "string_to_sign" in details and "canonical_request" in details
    assert details["check_signature"]("testing")
    assert details["string_to_sign"] == sig.candidates()[0]
    assert details.get("canonical_request") == sig.canonical()
    assert details["string_to_sign"].startswith("AWS4-HMAC-SHA256\n")
    assert details["canonical_request"].startswith("GET\n/b/k\n")
    assert details.get("nothing-such") is None and "nothing-such" not in details
    with pytest.raises(KeyError):
        details["nothing-such"]


def test_a_wrong_secret_still_reports_the_string_to_sign_and_canonical_request():
    sig = auth.parse_signature(environ_of(signed_request("GET", "http://h/b/k")), "/b/k")
    details, state = auth.make_auth_details(sig)

    def refusing_auth(env, start_response):
        env.pop("s3api.auth_details")["check_signature"]("wrong")
        start_response("401 Unauthorized", [])
        return [b""]

    swift = Swift(refusing_auth, {}, details, state)
    with pytest.raises(S3Error) as err:
        swift.request("HEAD", "b", "k")
    extra = err.value.extra
    assert err.value.code == "SignatureDoesNotMatch"
    assert extra["StringToSign"] == sig.candidates()[0]
    assert extra["CanonicalRequest"].startswith("GET\n/b/k\n")


def test_the_subrequests_of_one_s3_request_share_its_info_cache():
    seen = []

    def app(env, start_response):
        seen.append(env)
        start_response("200 OK", [])
        return [b""]

    client_env = {"REQUEST_METHOD": "GET"}
    swift = Swift(app, client_env, {"access_key": "test:tester"}, auth.AuthState(True, True))
    swift.account = "AUTH_test"
    swift.request("HEAD", "b", "k").close()
    swift.request("GET", "b").close()
    assert seen[0]["swift.infocache"] is client_env["swift.infocache"]
    assert seen[1]["swift.infocache"] is client_env["swift.infocache"]
    assert seen[0] is not seen[1]
