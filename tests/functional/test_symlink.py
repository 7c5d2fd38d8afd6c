"""Symlinks: dynamic and static links, loops, listings, access, large objects."""

import json
import uuid
from urllib.parse import quote

import pytest
import swiftclient

LOOP = b"Too many levels of symbolic links, maximum allowed is 2"


@pytest.fixture
def links(conn):
    """A container with the target object ``t é``; removed (all objects) after."""
    name = "sl-" + uuid.uuid4().hex[:12]
    conn.put_container(name)
    conn.put_object(name, "t \u00e9", b"target body", content_type="text/plain",
                    headers={"X-Object-Meta-T": "1"})
    yield name
    for obj in conn.get_container(name, full_listing=True)[1]:
        conn.delete_object(name, obj["name"])
    conn.delete_container(name)


def link(conn, container, name, target, **headers):
    hdrs = {"X-Symlink-Target": quote(target)}
    hdrs.update({k.replace("_", "-"): v for k, v in headers.items()})
    conn.put_object(container, name, b"", headers=hdrs)


def test_a_link_serves_its_target_and_symlink_get_serves_the_link(http_api, conn, links):
    link(conn, links, "ln", "%s/t \u00e9" % links)
    target_path = http_api.path(links, "t \u00e9")
    resp = http_api.request("GET", http_api.path(links, "ln"))
    assert (resp.status, resp.body) == (200, b"target body")
    assert resp.headers["Content-Location"] == target_path
    assert resp.headers["X-Object-Meta-T"] == "1"
    resp = http_api.request("GET", http_api.path(links, "ln"), headers={"Range": "bytes=0-5"})
    assert (resp.status, resp.body) == (206, b"target")
    resp = http_api.request("HEAD", http_api.path(links, "ln") + "?symlink=get")
    assert resp.headers["X-Symlink-Target"] == quote("%s/t \u00e9" % links)
    assert resp.headers["Content-Type"] == "application/symlink"
    assert resp.headers["Content-Length"] == "0"
    # Conditionals apply to the target.
    etag = conn.head_object(links, "t \u00e9")["etag"]
    assert http_api.request("GET", http_api.path(links, "ln"),
                            headers={"If-None-Match": etag}).status == 304
    assert http_api.request("GET", http_api.path(links, "ln"),
                            headers={"If-Match": etag}).status == 200


def test_listings_show_symlink_path_in_json_only(http_api, conn, links):
    link(conn, links, "ln", "%s/t \u00e9" % links)
    entries = {e["name"]: e for e in conn.get_container(links)[1]}
    assert entries["ln"]["symlink_path"] == http_api.path(links, "t \u00e9")
    assert entries["ln"]["content_type"] == "application/symlink"
    assert "symlink_path" not in entries["t \u00e9"]
    xml = http_api.request("GET", http_api.path(links) + "?format=xml").body
    assert b"<content_type>application/symlink</content_type>" in xml
    assert b"swift_symlink" not in xml


def test_bad_links_are_refused_and_nothing_is_stored(http_api, conn, links):
    path = http_api.path(links, "bad")
    cases = [
        ({"X-Symlink-Target": "noslash"}, b"", 412,
         b"X-Symlink-Target header must be of the form <container name>/<object name>"),
        ({"X-Symlink-Target": "/%s/x" % links}, b"", 412, None),
        ({"X-Symlink-Target": "%s/t" % links}, b"body", 400,
         b"Symlink requests require a zero byte body"),
        ({"X-Symlink-Target": "%s/bad" % links}, b"", 400, b"Symlink cannot target itself"),
        ({"X-Symlink-Target": "%s/t" % links, "X-Symlink-Target-Account": "a/b"}, b"", 412,
         b"Account name cannot contain slashes"),
    ]
    for headers, body, status, text in cases:
        resp = http_api.request("PUT", path, headers=headers, body=body)
        assert resp.status == status, headers
        if text is not None:
            assert resp.body == text
    resp = http_api.request("POST", http_api.path(links, "t \u00e9"),
                            headers={"X-Symlink-Target": "%s/x" % links})
    assert (resp.status, resp.body) == (400, b"A PUT request is required to set a symlink target")
    assert [o["name"] for o in conn.get_container(links)[1]] == ["t \u00e9"]


def test_loops_and_chains_beyond_symloop_max_answer_409(http_api, conn, links):
    link(conn, links, "a", "%s/b" % links)
    link(conn, links, "b", "%s/a" % links)
    resp = http_api.request("GET", http_api.path(links, "a"))
    assert (resp.status, resp.body) == (409, LOOP)
    link(conn, links, "c1", "%s/c2" % links)
    link(conn, links, "c2", "%s/c3" % links)
    link(conn, links, "c3", "%s/t \u00e9" % links)
    assert http_api.request("GET", http_api.path(links, "c2")).body == b"target body"
    assert http_api.request("GET", http_api.path(links, "c1")).status == 409
    resp = http_api.request("GET", http_api.path(links, "dangling-target-missing"))
    assert resp.status == 404
    link(conn, links, "dangle", "%s/missing" % links)
    resp = http_api.request("GET", http_api.path(links, "dangle"))
    assert resp.status == 404 and resp.headers["Content-Location"] == http_api.path(links, "missing")


def test_static_links_check_the_etag_at_put_and_at_get(http_api, conn, links):
    etag = conn.head_object(links, "t \u00e9")["etag"]
    resp = http_api.request("PUT", http_api.path(links, "st"), body=b"", headers={
        "X-Symlink-Target": quote("%s/t \u00e9" % links), "X-Symlink-Target-Etag": "bad"})
    assert resp.status == 409
    assert resp.body == ("Object Etag '%s' does not match X-Symlink-Target-Etag header 'bad'"
                         % etag).encode()
    resp = http_api.request("PUT", http_api.path(links, "sm"), body=b"", headers={
        "X-Symlink-Target": "%s/missing" % links, "X-Symlink-Target-Etag": etag})
    assert (resp.status, resp.body) == (409, b"X-Symlink-Target does not exist")
    link(conn, links, "st", "%s/t \u00e9" % links, X_Symlink_Target_Etag=etag)
    head = http_api.request("HEAD", http_api.path(links, "st") + "?symlink=get")
    assert head.headers["X-Symlink-Target-Etag"] == etag
    assert head.headers["X-Symlink-Target-Bytes"] == "11"
    assert head.headers["Content-Type"] == "text/plain"  # the target's type
    entry = [e for e in conn.get_container(links)[1] if e["name"] == "st"][0]
    assert (entry["symlink_etag"], entry["symlink_bytes"]) == (etag, 11)
    assert http_api.request("GET", http_api.path(links, "st")).body == b"target body"
    conn.put_object(links, "t \u00e9", b"changed")
    resp = http_api.request("GET", http_api.path(links, "st"))
    assert resp.status == 409 and b"does not match X-Symlink-Target-Etag" in resp.body


def test_post_to_a_link_updates_the_link_and_redirects_to_the_target(http_api, conn, links):
    link(conn, links, "ln", "%s/t \u00e9" % links)
    resp = http_api.request("POST", http_api.path(links, "ln"), headers={"X-Object-Meta-P": "2"})
    assert resp.status == 307
    assert resp.headers["Location"] == http_api.path(links, "t \u00e9")
    head = http_api.request("HEAD", http_api.path(links, "ln") + "?symlink=get")
    assert head.headers["X-Object-Meta-P"] == "2"
    assert "X-Object-Meta-P" not in conn.head_object(links, "t \u00e9")


def test_a_link_never_widens_access(http_api, conn, conn_other, links):
    other = "slo-" + uuid.uuid4().hex[:12]
    conn_other.put_container(other)
    try:
        # A link in another account pointing at our private object.
        account = http_api.auth("admin")[0].rsplit("/", 1)[-1]
        conn_other.put_object(other, "steal", b"", headers={
            "X-Symlink-Target": quote("%s/t \u00e9" % links),
            "X-Symlink-Target-Account": account})
        with pytest.raises(swiftclient.ClientException) as err:
            conn_other.get_object(other, "steal")
        assert err.value.http_status == 403
    finally:
        conn_other.delete_object(other, "steal")
        conn_other.delete_container(other)


def test_copy_of_a_link_with_symlink_get_copies_the_link(http_api, conn, links):
    link(conn, links, "ln", "%s/t \u00e9" % links)
    resp = http_api.request("COPY", http_api.path(links, "ln") + "?symlink=get",
                            headers={"Destination": "%s/copied-link" % links})
    assert resp.status == 201
    head = http_api.request("HEAD", http_api.path(links, "copied-link") + "?symlink=get")
    assert head.headers["X-Symlink-Target"] == quote("%s/t \u00e9" % links)
    assert http_api.request("GET", http_api.path(links, "copied-link")).body == b"target body"


def test_a_link_to_a_static_large_object_serves_the_whole_object(http_api, conn, links):
    conn.put_object(links, "seg1", b"a" * 10)
    conn.put_object(links, "seg2", b"b" * 5)
    manifest = [{"path": "/%s/seg1" % links}, {"path": "/%s/seg2" % links}]
    conn.put_object(links, "big", json.dumps(manifest),
                    query_string="multipart-manifest=put")
    link(conn, links, "to-big", "%s/big" % links)
    resp = http_api.request("GET", http_api.path(links, "to-big"))
    assert (resp.status, resp.body) == (200, b"a" * 10 + b"b" * 5)


def test_info_lists_symlink(http_api):
    assert http_api.request("GET", "/info", user=None).json()["symlink"] == {
        "symloop_max": 2, "static_links": True}


def test_copy_of_a_link_copies_the_target_bytes(http_api, conn, links):
    link(conn, links, "ln", "%s/t \u00e9" % links)
    resp = http_api.request("COPY", http_api.path(links, "ln"),
                            headers={"Destination": "%s/copied" % links})
    assert resp.status == 201
    head = http_api.request("HEAD", http_api.path(links, "copied") + "?symlink=get")
    assert "X-Symlink-Target" not in head.headers
    assert conn.get_object(links, "copied")[1] == b"target body"


def test_a_new_content_type_keeps_the_link_in_listings(http_api, conn, links):
    link(conn, links, "50%off", "%s/t \u00e9" % links)
    resp = http_api.request("POST", http_api.path(links, "50%off"),
                            headers={"Content-Type": "image/gif"})
    assert resp.status == 307
    head = http_api.request("HEAD", http_api.path(links, "50%off") + "?symlink=get")
    assert head.headers["Content-Type"] == "image/gif"
    assert head.headers["X-Symlink-Target"] == quote("%s/t \u00e9" % links)
    entry = [e for e in conn.get_container(links)[1] if e["name"] == "50%off"][0]
    assert entry["content_type"] == "image/gif"
    assert entry["symlink_path"] == http_api.path(links, "t \u00e9")
