"""common/versions: the legacy archive names, the paged archive listing and
the copy of a stored version that the versioning middlewares share."""
import json
from urllib.parse import parse_qs

from webob import Request, Response

from objstore.common import versions
from objstore.common.versions import (BYPASS_ENV, RAW_ENV, VersionsClient, archive_name,
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


def test_archive_listings_are_read_one_page_at_a_time_newest_first(monkeypatch):
    """Stack-mode DELETE stops at the first version it can restore, so it
    reads only the pages it needs, never the whole archive."""
    monkeypatch.setattr(versions, "LISTING_PAGE", 2)
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

    pages = VersionsClient(listing, "T").listing({}, "AUTH_a", "arch", "003obj/",
                                                 reverse=True)
    assert next(pages)["name"] == "003obj/4"
    assert len(queries) == 1 and queries[0]["reverse"] == ["on"]
    assert queries[0]["prefix"] == ["003obj/"]
    assert [row["name"] for row in pages] == ["003obj/3", "003obj/2", "003obj/1", "003obj/0"]
    assert len(queries) == 3


def test_a_version_is_copied_as_stored_with_its_crypto_metadata_and_never_archived():
    """Both halves of the copy say RAW_ENV (encryption passes them through)
    and BYPASS_ENV (no versioning middleware archives them); the stored
    headers, crypto sysmeta included, and the ETag travel; the client's
    own headers do not; the timestamp is the one asked for."""
    stored = {"Content-Type": "text/plain;s3_vid=1700000000.00000", "ETag": '"abc"',
              "X-Object-Sysmeta-Crypto-Body-Meta": "{meta}",
              "X-Object-Transient-Sysmeta-Crypto-Etag": "sealed",
              "X-Object-Meta-Colour": "blue", "X-Timestamp": "1700000000.00000",
              "X-Backend-Timestamp": "1700000000.00000", "Content-Length": "6"}
    seen = []

    def app(env, start_response):
        seen.append(env)
        if env["REQUEST_METHOD"] == "GET":
            return Response(body=b"cipher", headers=stored)(env, start_response)
        env["body"] = env["wsgi.input"].read()
        return Response(status=201)(env, start_response)

    client_env = Request.blank("/v1/AUTH_a/c/o", headers={"X-Object-Meta-Evil": "1"}).environ
    resp = VersionsClient(app, "T").copy(client_env, "AUTH_a", ("c", "o"),
                                         ("arch", "003o/1"), timestamp="1700000001.00000")
    assert resp.status_int == 201
    get, put = seen
    assert get[RAW_ENV] and put[RAW_ENV] and get[BYPASS_ENV] and put[BYPASS_ENV]
    assert put["PATH_INFO"] == "/v1/AUTH_a/arch/003o/1"
    assert put["body"] == b"cipher"
    assert put["CONTENT_TYPE"] == "text/plain;s3_vid=1700000000.00000"
    assert put["HTTP_X_OBJECT_SYSMETA_CRYPTO_BODY_META"] == "{meta}"
    assert put["HTTP_X_OBJECT_TRANSIENT_SYSMETA_CRYPTO_ETAG"] == "sealed"
    assert put["HTTP_X_OBJECT_META_COLOUR"] == "blue"
    assert put["HTTP_ETAG"] == "abc"
    assert put["HTTP_X_TIMESTAMP"] == "1700000001.00000"
    assert "HTTP_X_OBJECT_META_EVIL" not in put and "HTTP_X_BACKEND_TIMESTAMP" not in put


def test_a_source_that_cannot_be_read_is_answered_and_nothing_is_written():
    seen = []

    def app(env, start_response):
        seen.append(env["REQUEST_METHOD"])
        return Response(status=404)(env, start_response)

    resp = VersionsClient(app, "T").copy(Request.blank("/").environ, "AUTH_a", ("c", "o"),
                                         ("arch", "x"))
    assert resp.status_int == 404 and seen == ["GET"]


def test_a_reserved_versions_location_is_stored_quoted_and_read_back():
    from objstore.common.http.headers import header_problem
    from objstore.common.versions import (location_to_store, reserved_versions_container,
                                          stored_location)

    name = reserved_versions_container("photos 100%")
    stored = location_to_store(name)
    assert header_problem("X-Container-Sysmeta-Versions-Container", stored) is None
    assert stored_location(stored) == name
    assert stored_location(name) == name  # written raw before it was quoted
    assert location_to_store(".versions-c%41") == ".versions-c%41"  # legacy, as is
    assert stored_location(".versions-c%41") == ".versions-c%41"
    assert stored_location(None) is None
