import re

import pytest
from webob import Request, Response

from objstore.common import logs
from objstore.middleware.catch_errors import BodyLengthError, filter_factory

TXN = re.compile(r"^tx[0-9a-f]{21}-[0-9a-f]{10}")


def _wrap(inner, **conf):
    return filter_factory({}, **conf)(inner)


def ok(env, start_response):
    body = env["swift.trans_id"].encode()
    return Response(body=body)(env, start_response)


def test_every_response_carries_the_same_new_transaction_id_in_both_headers():
    resp = Request.blank("/v1/a").get_response(_wrap(ok))
    txn = resp.headers["X-Trans-Id"]
    assert TXN.match(txn)
    assert resp.headers["X-Openstack-Request-Id"] == txn
    assert resp.body == txn.encode()
    other = Request.blank("/v1/a").get_response(_wrap(ok)).headers["X-Trans-Id"]
    assert other != txn


def test_an_existing_transaction_id_is_kept_and_set_for_logging():
    seen = {}

    def inner(env, start_response):
        seen["log_txn"] = logs.get_txn_id()
        return ok(env, start_response)
    req = Request.blank("/", environ={"swift.trans_id": "tx-given"})
    resp = req.get_response(_wrap(inner))
    assert resp.headers["X-Trans-Id"] == "tx-given"
    assert seen["log_txn"] == "tx-given"


def test_the_suffix_and_a_client_extra_are_appended_to_the_id():
    resp = Request.blank("/", headers={"X-Trans-Id-Extra": "my job/" + "x" * 40}).get_response(
        _wrap(ok, trans_id_suffix="-east"))
    txn = resp.headers["X-Trans-Id"]
    assert txn.endswith("-east-my%20job%2F" + "x" * 25)


def test_an_exception_becomes_a_500_with_a_short_body_and_a_logged_traceback(caplog):
    def broken(env, start_response):
        raise RuntimeError("disk on fire")
    mw = _wrap(broken)
    records = []
    mw.logger.exception = lambda msg, *args: records.append(msg % args)
    resp = Request.blank("/v1/a/c", method="PUT").get_response(mw)
    assert resp.status_int == 500
    txn = resp.headers["X-Trans-Id"]
    assert resp.body == ("An error occurred; transaction id %s\n" % txn).encode()
    assert b"disk on fire" not in resp.body
    assert records == ["PUT /v1/a/c failed"]


def test_an_exception_in_a_lazy_app_before_it_starts_responding_is_a_500():
    def lazy(env, start_response):
        raise ValueError("boom")
        yield b""  # pragma: no cover
    resp = Request.blank("/").get_response(_wrap(lazy))
    assert resp.status_int == 500
    assert "X-Trans-Id" in resp.headers


def test_a_bad_content_length_is_dropped():
    def odd(env, start_response):
        start_response("200 OK", [("Content-Length", "lots")])
        return [b"abc"]
    resp = Request.blank("/").get_response(_wrap(odd))
    assert resp.body == b"abc"
    assert resp.headers.get("Content-Length") in (None, "3")


def test_a_body_shorter_than_its_content_length_raises_to_drop_the_connection():
    closed = []

    class Body:
        def __iter__(self):
            yield b"abc"

        def close(self):
            closed.append(True)

    def short(env, start_response):
        start_response("200 OK", [("Content-Length", "10")])
        return Body()
    app_iter = _wrap(short)(Request.blank("/").environ, lambda *a: None)
    with pytest.raises(BodyLengthError):
        list(app_iter)
    app_iter.close()
    assert closed == [True]


def test_a_body_longer_than_its_content_length_is_truncated():
    def long(env, start_response):
        start_response("200 OK", [("Content-Length", "4")])
        return [b"abc", b"def"]
    assert b"".join(_wrap(long)(Request.blank("/").environ, lambda *a: None)) == b"abcd"


def test_a_body_with_a_content_length_has_that_length_for_the_server():
    """The server reads ``len()`` as "the answer is complete" (and then
    closes a connection whose expected body it did not read, saying so)."""
    def streamed(env, start_response):
        start_response("401 Unauthorized", [("Content-Length", "6")])
        return iter([b"abc", b"def"])
    app_iter = _wrap(streamed)(Request.blank("/", method="PUT").environ, lambda *a: None)
    assert len(app_iter) == 6
    assert b"".join(app_iter) == b"abcdef"
    head = _wrap(streamed)(Request.blank("/", method="HEAD").environ, lambda *a: None)
    assert len(head) == 0


def test_head_responses_are_not_held_to_content_length():
    def head(env, start_response):
        start_response("200 OK", [("Content-Length", "100")])
        return [b""]
    resp = Request.blank("/", method="HEAD").get_response(_wrap(head))
    assert resp.status_int == 200
    assert resp.headers["Content-Length"] == "100"


@pytest.mark.parametrize("header", [("Content-Type", "text/html\r\nX-Injected: yes"),
                                    ("X-Object-Meta-A", "line\nbreak"),
                                    ("Location", "/a\x00b"),
                                    ("X-Object-Meta-B", "snow\u2603"),
                                    ("Bad Name", "v")])
def test_a_response_header_with_a_control_character_never_reaches_the_server(header):
    closed = []

    class Body:
        def __iter__(self):
            yield b"<html>injected</html>"

        def close(self):
            closed.append(True)

    def inner(env, start_response):
        start_response("200 OK", [("Content-Length", "21"), header])
        return Body()
    sent = {}

    def start_response(status, headers, exc_info=None):
        sent["status"], sent["headers"] = status, headers
    body = b"".join(_wrap(inner)(Request.blank("/v1/a/c/o").environ, start_response))
    assert sent["status"].startswith("500")
    assert header not in sent["headers"]
    assert all("\n" not in v and "\r" not in v for _n, v in sent["headers"])
    assert b"injected" not in body
    assert closed == [True]


def test_an_app_that_retries_start_response_after_an_unsafe_one_is_served():
    def inner(env, start_response):
        start_response("200 OK", [("X-Bad", "a\r\nb")])
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    resp = Request.blank("/").get_response(_wrap(inner))
    assert resp.status_int == 404
