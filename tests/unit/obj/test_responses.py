"""The object server's body-less answers (``BareAnswer``) are what webob's
``Response`` sent for them, byte for byte at the WSGI level."""

import pytest
from webob import Request, Response

from objstore.obj.responses import BareAnswer, make_response

HEADERS = [None, {"X-Backend-Timestamp": "1796594790.12345"},
           {"ETag": "5d41402abc4b2a76b9719d911017c592", "X-Backend-Timestamp": "1.00000"},
           {"Content-Type": "text/plain", "Content-Length": "12", "X-Backend-Timestamp": "1"}]


def _wsgi(resp, method):
    got = {}

    def start_response(status, headers, exc_info=None):
        got["status"], got["headers"] = status, list(headers)

    env = Request.blank("/sda1/7/a/c/o", method=method).environ
    body = b"".join(resp(env, start_response))
    return got["status"], got["headers"], body


def _as_webob(status, headers):
    """The answer as make_response built it through webob."""
    headerlist = list((headers or {}).items())
    if not any(k.lower() == "content-type" for k, _v in headerlist):
        headerlist.append(("Content-Type", "text/html; charset=UTF-8"))
    headerlist = [(k, v) for k, v in headerlist if k.lower() != "content-length"]
    return Response(status=status, headerlist=headerlist + [("Content-Length", "0")], body=b"")


@pytest.mark.parametrize("status", [201, 202, 204, 304, 404, 412])
@pytest.mark.parametrize("headers", HEADERS)
@pytest.mark.parametrize("method", ["PUT", "DELETE", "HEAD", "GET"])
def test_a_body_less_answer_sends_what_webob_sent(status, headers, method):
    bare, webob = make_response(status, headers=headers), _as_webob(status, headers)
    assert isinstance(bare, BareAnswer)
    for resp in (bare, webob):  # as the storage shell stamps every answer
        resp.headers["X-Trans-Id"] = "tx-1"
        resp.headers["x-trans-id"] = "tx-2"  # set twice: replaced, not added
    assert bare.status_int == webob.status_int == status
    assert _wsgi(bare, method) == _wsgi(webob, method)
    assert bare.headers["X-Backend-Timestamp"] == webob.headers["X-Backend-Timestamp"] \
        if headers else "X-Backend-Timestamp" not in bare.headers


def test_an_answer_with_a_body_is_still_webobs():
    resp = make_response(403, b"collision")
    assert isinstance(resp, Response)
    assert _wsgi(resp, "GET")[2] == b"collision"
