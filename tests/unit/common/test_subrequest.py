"""Subrequests made as the client, and the reader that streams one
response's body into another request."""

from webob import Request, Response

from objstore.common.http.wsgi_str import str_to_wsgi
from objstore.common.subrequest import IterReader, make_env, stored_metadata, sub_request


def test_iter_reader_hands_out_at_most_what_is_asked_and_keeps_one_chunk():
    reader = IterReader(iter([b"abc", b"", b"defgh"]))
    assert reader.read(2) == b"ab"
    assert reader.read(5) == b"c"
    assert reader.read(4) == b"defg"
    assert reader.read(4) == b"h"
    assert reader.read(4) == b""
    assert IterReader([b"x", b"yz"]).read() == b"xyz"


def test_a_subrequest_shares_identity_and_caches_but_nothing_the_client_sent():
    def authorize(_req):
        return None
    client = Request.blank("/v1/AUTH_a/c/o?secret=1", method="PUT", headers={
        "X-Auth-Token": "tok", "X-Object-Meta-Evil": "1", "Range": "bytes=0-1"}).environ
    client.update({"swift.authorize": authorize, "REMOTE_USER": "a:u",
                   "swift.cache": object(), "swift.trans_id": "tx1"})
    env = make_env(client, "GET", "/v1/AUTH_a/c/\u2603", headers={"Range": "bytes=1-2"},
                   source="T")
    assert env["swift.authorize"] is authorize and env["REMOTE_USER"] == "a:u"
    assert env["swift.cache"] is client["swift.cache"] and env["swift.trans_id"] == "tx1"
    assert env["PATH_INFO"] == str_to_wsgi("/v1/AUTH_a/c/\u2603")
    assert env["QUERY_STRING"] == "" and env["HTTP_RANGE"] == "bytes=1-2"
    assert "HTTP_X_OBJECT_META_EVIL" not in env and env["CONTENT_LENGTH"] == "0"


def test_the_original_authorize_wins_over_a_replaced_one():
    def original(_req):
        return None
    client = {"swift.authorize": lambda _req: None, "objstore.original_authorize": original}
    assert make_env(client, "HEAD", "/v1/a/c/o")["swift.authorize"] is original


def test_sub_request_goes_through_the_app_given():
    seen = []

    def app(env, start_response):
        seen.append((env["REQUEST_METHOD"], env["PATH_INFO"], env["wsgi.input"].read()))
        return Response(status=201)(env, start_response)
    resp = sub_request(app, {}, "PUT", "/v1/a/c/o", body=IterReader([b"12", b"3"]),
                       content_length=3)
    assert resp.status_int == 201 and seen == [("PUT", "/v1/a/c/o", b"123")]


def test_stored_metadata_is_what_an_object_keeps():
    headers = {"Content-Type": "a/b", "X-Object-Meta-A": "1", "X-Object-Sysmeta-B": "2",
               "X-Object-Transient-Sysmeta-C": "3", "Content-Disposition": "inline",
               "X-Delete-At": "9", "X-Object-Manifest": "c/p", "X-Static-Large-Object": "True",
               "ETag": "e", "X-Timestamp": "1", "Content-Length": "5", "X-Backend-X": "1"}
    plain = stored_metadata(headers, manifests=False)
    assert plain == {"Content-Type": "a/b", "X-Object-Meta-A": "1", "X-Object-Sysmeta-B": "2",
                     "X-Object-Transient-Sysmeta-C": "3", "Content-Disposition": "inline",
                     "X-Delete-At": "9"}
    assert stored_metadata(headers, manifests=True) == dict(
        plain, **{"X-Object-Manifest": "c/p", "X-Static-Large-Object": "True"})
