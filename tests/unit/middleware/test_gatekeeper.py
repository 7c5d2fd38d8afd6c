import pytest

from webob import Request, Response

from objstore.middleware.gatekeeper import filter_factory, is_private_header


def echo(env, start_response):
    """Reports the request headers it got; answers with private headers."""
    got = sorted(k for k in env if k.startswith("HTTP_X_"))
    resp = Response(body=",".join(got).encode())
    resp.headers["X-Backend-Timestamp"] = "1"
    resp.headers["X-Object-Sysmeta-Secret"] = "s"
    resp.headers["X-Container-Sysmeta-Foo"] = "f"
    resp.headers["X-Object-Meta-Color"] = "blue"
    return resp(env, start_response)


def test_private_request_headers_from_clients_are_removed():
    req = Request.blank("/v1/a/c/o", headers={
        "X-Backend-Storage-Policy-Index": "1", "X-Object-Sysmeta-Symlink-Target": "x",
        "X-Account-Sysmeta-Quota": "1", "X-Container-Sysmeta-Key": "k",
        "X-Object-Transient-Sysmeta-Crypto": "c", "X-Timestamp": "1.00000",
        "X-Object-Meta-Color": "red"})
    resp = req.get_response(filter_factory({})(echo))
    assert resp.body == b"HTTP_X_OBJECT_META_COLOR"


def test_private_response_headers_are_removed_and_user_metadata_kept():
    resp = Request.blank("/").get_response(filter_factory({})(echo))
    assert "X-Backend-Timestamp" not in resp.headers
    assert "X-Object-Sysmeta-Secret" not in resp.headers
    assert "X-Container-Sysmeta-Foo" not in resp.headers
    assert resp.headers["X-Object-Meta-Color"] == "blue"


def test_client_timestamps_can_be_allowed_by_config():
    req = Request.blank("/", headers={"X-Timestamp": "1.00000"})
    resp = req.get_response(filter_factory({}, shunt_inbound_x_timestamp="false")(echo))
    assert resp.body == b"HTTP_X_TIMESTAMP"


def test_is_private_header_ignores_case():
    assert is_private_header("x-BACKEND-anything")
    assert not is_private_header("X-Object-Meta-Backend-Thing")


def test_backend_protocol_headers_from_clients_are_removed():
    req = Request.blank("/v1/a/c/o", headers={
        "X-If-Delete-At": "1", "X-Account-Override-Deleted": "yes",
        "X-Container-Host": "10.0.0.1:1", "X-Container-Partition": "1",
        "X-Container-Device": "sda", "X-Delete-At-Host": "10.0.0.1:1",
        "X-Delete-At-Container": "0", "X-Account-Host": "10.0.0.1:1",
        "X-Delete-At": "9999999999", "X-Object-Meta-Color": "red"})
    resp = req.get_response(filter_factory({})(echo))
    # X-Delete-At and X-If-Delete-At (a conditional DELETE) are client
    # headers, as in Swift: the proxy and the object servers judge them
    assert resp.body == b"HTTP_X_DELETE_AT,HTTP_X_IF_DELETE_AT,HTTP_X_OBJECT_META_COLOR"


def _object_answer(env, start_response):
    """An object answer in the order objstore's layers leave it."""
    start_response("200 OK", [("Last-Modified", "x"), ("X-Timestamp", "1"),
                              ("Accept-Ranges", "bytes"), ("Content-Length", "2"),
                              ("X-Backend-Timestamp", "1"), ("ETag", "e"),
                              ("X-Object-Meta-B", "b"), ("Content-Type", "text/plain")])
    return [b"ok"]


def _names(path, method="GET"):
    resp = Request.blank(path, method=method).get_response(filter_factory({})(_object_answer))
    return [k for k, _v in resp.headerlist]


def test_an_object_read_answers_in_swifts_header_order():
    assert _names("/v1/a/c/o") == ["Content-Type", "X-Object-Meta-B", "Etag", "Last-Modified",
                                   "X-Timestamp", "Accept-Ranges", "Content-Length"]
    assert _names("/v1/a/c/o", "HEAD") == ["Content-Type", "Content-Length", "X-Object-Meta-B",
                                           "Etag", "Last-Modified", "X-Timestamp",
                                           "Accept-Ranges"]


@pytest.mark.parametrize("path,method", [("/v1/a/c", "GET"), ("/v1/a", "HEAD"),
                                         ("/bucket/key", "GET"), ("/v1/a/c/o", "PUT")])
def test_other_answers_keep_the_order_their_layers_gave(path, method):
    assert _names(path, method) == ["Last-Modified", "X-Timestamp", "Accept-Ranges",
                                    "Content-Length", "ETag", "X-Object-Meta-B", "Content-Type"]
