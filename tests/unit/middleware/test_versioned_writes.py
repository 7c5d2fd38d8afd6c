"""versioned_writes: archive names and the container headers it checks."""
from webob import Request, Response

from objstore.middleware.versioned_writes import (VersionedWrites, archive_name,
                                                  archive_prefix, is_delete_marker)


def test_archive_names_carry_the_name_length_in_three_hex_digits():
    assert archive_prefix("obj") == "003obj/"
    assert archive_prefix("x" * 300) == "12c" + "x" * 300 + "/"
    assert archive_prefix("\u00e9") == "002\u00e9/"  # UTF-8 bytes
    assert archive_name("a", "1700000000.5") == "001a/1700000000.50000"


def test_delete_markers_are_recognised_by_content_type():
    assert is_delete_marker("application/x-deleted;swift_versions_deleted=1")
    assert not is_delete_marker("text/plain")
    assert not is_delete_marker(None)


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


def test_archive_listings_are_read_one_page_at_a_time_newest_first(monkeypatch):
    """Stack-mode DELETE stops at the first version it can restore, so it
    reads only the pages it needs, never the whole archive."""
    import json
    from urllib.parse import parse_qs

    from objstore.middleware import versioned_writes as vw
    monkeypatch.setattr(vw, "LISTING_PAGE", 2)
    names = ["003obj/%d" % i for i in range(5)]
    queries = []

    def listing(env, start_response):
        query = parse_qs(env["QUERY_STRING"])
        queries.append(query)
        rows = sorted(names, reverse=True)
        if "marker" in query:
            rows = [n for n in rows if n < query["marker"][0]]
        page = [{"name": n, "content_type": "text/plain"} for n in rows[:2]]
        return Response(body=json.dumps(page).encode())(env, start_response)

    mw = VersionedWrites(listing, {})
    pages = mw._pages({}, "AUTH_a", "arch", "obj")
    assert next(pages)["name"] == "003obj/4"
    assert len(queries) == 1 and queries[0]["reverse"] == ["on"]
    assert queries[0]["prefix"] == ["003obj/"]
    assert [row["name"] for row in pages] == ["003obj/3", "003obj/2", "003obj/1", "003obj/0"]
    assert len(queries) == 3 and queries[1]["marker"] == ["003obj/3"]


def test_a_denied_client_is_answered_before_anything_is_archived():
    seen = []
    denied = Response(status=403)
    env = Request.blank("/v1/AUTH_a/c/o", method="PUT", body=b"new").environ
    env["swift.authorize"] = lambda req: denied if req.acl != "AUTH_a:writer" else None
    env["swift.infocache"] = {"container/AUTH_a/c": {
        "status": 204, "versions": "arch", "history": None, "write_acl": "someone-else"}}
    resp = Request(env).get_response(VersionedWrites(_app(seen), {}))
    assert resp.status_int == 403 and seen == []
