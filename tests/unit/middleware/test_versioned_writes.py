"""versioned_writes: archive names and the container headers it checks."""
from webob import Request, Response

from objstore.middleware.versioned_writes import VersionedWrites


def _app(seen):
    def app(env, start_response):
        seen.append(dict(env))
        return Response(status=204)(env, start_response)
    return app


def test_both_modes_at_once_is_400_and_one_mode_clears_the_other():
    seen = []
    mw = VersionedWrites(_app(seen), {})
    resp = Request.blank("/v1/AUTH_a/c", method="POST", headers={
        "X-Versions-Location": "v", "X-History-Location": "h"}).get_response(mw)
    assert resp.status_int == 400 and not seen
    assert resp.body == (b"Only one of x-versions-location or x-history-location "
                         b"may be specified")
    resp = Request.blank("/v1/AUTH_a/c", method="POST", headers={
        "X-History-Location": "h"}).get_response(mw)
    assert resp.status_int == 204
    assert seen[0]["HTTP_X_REMOVE_VERSIONS_LOCATION"] == "1"


def test_a_location_with_a_slash_is_refused_with_swifts_status_and_text():
    mw = VersionedWrites(_app([]), {})
    resp = Request.blank("/v1/AUTH_a/c", method="PUT", headers={
        "X-Versions-Location": "a/b"}).get_response(mw)
    assert resp.status_int == 412
    assert resp.body == b"Container name cannot contain slashes"


def test_a_denied_client_is_answered_before_anything_is_archived():
    seen = []
    denied = Response(status=403)
    env = Request.blank("/v1/AUTH_a/c/o", method="PUT", body=b"new").environ
    env["swift.authorize"] = lambda req: denied if req.acl != "AUTH_a:writer" else None
    env["swift.infocache"] = {"container/AUTH_a/c": {
        "status": 204, "versions": "arch", "history": None, "write_acl": "someone-else"}}
    resp = Request(env).get_response(VersionedWrites(_app(seen), {}))
    assert resp.status_int == 403 and seen == []
