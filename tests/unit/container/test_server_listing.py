"""Container listings from the container server over real HTTP: formats,
parameters, and a listing after its database was quarantined or replaced."""

import json
import os
import shutil
import sys

import pytest

from objstore.container.broker import ContainerBroker
from objstore.db.paths import CONTAINER_DATADIR, db_path, name_hash

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "support"))
from container_requests import cname, put_container, put_object, ts  # noqa: E402


def _db_of(server, container):
    return db_path(str(server.devices), "sda", CONTAINER_DATADIR, 1,
                   name_hash("a", container, b"pre", b"suf"))


def _listed_names(server, container):
    status, _, body = server.request("GET", "/sda/1/a/%s?format=json" % container)
    return status, [e["name"] for e in json.loads(body)] if status == 200 else None


def test_a_listing_after_its_database_was_quarantined_or_replaced(cluster, tmp_path):
    """GET and HEAD read through connections the server keeps open between
    requests: a database moved away (its directory, as the auditor's
    quarantine moves it) is a 404 at once, and one put in its place (a
    replicator's push) is listed anew."""
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    put_object(server, "a", c, "before")
    path = _db_of(server, c)
    assert _listed_names(server, c) == (200, ["before"])  # a connection is kept now
    aside = str(tmp_path / "quarantined")
    os.rename(os.path.dirname(path), aside)
    assert _listed_names(server, c) == (404, None)
    assert server.request("HEAD", "/sda/1/a/%s" % c)[0] == 404
    other = ContainerBroker(str(tmp_path / "pushed.db"), "a", c)
    other.initialize(ts(), storage_policy_index=0)
    other.put_object("pushed", ts(), 1, "text/plain", "e")
    other.checkpoint()
    os.mkdir(os.path.dirname(path))
    os.rename(other.db_file, path)
    assert _listed_names(server, c) == (200, ["pushed"])
    assert server.request("HEAD", "/sda/1/a/%s" % c)[1]["x-container-object-count"] == "1"
    shutil.rmtree(os.path.dirname(path))
    os.rename(aside, os.path.dirname(path))  # the first one again, with its own rows
    assert _listed_names(server, c) == (200, ["before"])

@pytest.fixture(scope="module")
def listed(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    for name in ["a", "b/1", "b/2", "c", "d/x/y", "e&<>\"'"]:
        put_object(server, "a", c, name, size=len(name), ctype="text/plain", etag="h" + name)
    return server, c


def test_plain_listing_is_one_name_per_line(listed):
    server, c = listed
    status, headers, body = server.request("GET", "/sda/1/a/%s" % c)
    assert status == 200
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert body.decode().splitlines() == ["a", "b/1", "b/2", "c", "d/x/y", "e&<>\"'"]
    assert headers["x-container-object-count"] == "6"


def test_json_listing_has_hash_last_modified_bytes_name_and_type(listed):
    server, c = listed
    status, headers, body = server.request("GET", "/sda/1/a/%s?format=json&limit=1" % c)
    assert status == 200 and headers["content-type"] == "application/json; charset=utf-8"
    [item] = json.loads(body)
    assert set(item) == {"hash", "last_modified", "bytes", "name", "content_type"}
    assert item["name"] == "a" and item["bytes"] == 1 and item["hash"] == "ha"
    assert len(item["last_modified"]) == 26 and not item["last_modified"].endswith("Z")


def test_accept_header_selects_the_format(listed):
    server, c = listed
    _, headers, body = server.request("GET", "/sda/1/a/%s" % c, {"Accept": "application/json"})
    assert headers["content-type"].startswith("application/json")
    _, headers, body = server.request("GET", "/sda/1/a/%s?delimiter=/" % c,
                                      {"Accept": "text/xml"})
    assert headers["content-type"].startswith("text/xml")
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<container name="c-')
    assert b'<subdir name="b/"><name>b/</name></subdir>' in body
    assert b"<name>e&amp;&lt;&gt;\"'</name>" in body
    assert server.request("GET", "/sda/1/a/%s" % c, {"Accept": "image/png"})[0] == 406


def test_listing_parameters_combine(listed):
    server, c = listed

    def names(query):
        return [i.get("name") or "dir:" + i["subdir"] for i in json.loads(
            server.request("GET", "/sda/1/a/%s?format=json&%s" % (c, query))[2])]

    assert names("prefix=b/") == ["b/1", "b/2"]
    assert names("delimiter=/") == ["a", "dir:b/", "c", "dir:d/", "e&<>\"'"]
    assert names("delimiter=/&marker=b/") == ["c", "dir:d/", "e&<>\"'"]
    assert names("marker=a&end_marker=c") == ["b/1", "b/2"]
    assert names("reverse=true&limit=2") == ["e&<>\"'", "d/x/y"]
    assert names("reverse=true&marker=c&delimiter=/") == ["dir:b/", "a"]
    assert names("prefix=d/&delimiter=/") == ["dir:d/x/"]
    assert names("path=d/x") == ["d/x/y"]
    assert names("path=d") == []


def test_a_limit_over_the_maximum_is_a_412(listed):
    server, c = listed
    assert server.request("GET", "/sda/1/a/%s?limit=10001" % c)[0] == 412
    assert server.request("GET", "/sda/1/a/%s?limit=10000" % c)[0] == 200
    # a delimiter of any length groups as one of one character does
    status, _, body = server.request("GET", "/sda/1/a/%s?delimiter=/1" % c)
    assert (status, body.decode().splitlines()) == (200, ["a", "b/1", "b/2", "c", "d/x/y",
                                                          "e&<>\"'"])
    status, _, body = server.request("GET", "/sda/1/a/%s?delimiter=/1&format=json" % c)
    assert {"subdir": "b/1"} in json.loads(body)


def test_listing_parameters_that_are_not_utf8_are_a_400(listed):
    server, c = listed
    assert server.request("GET", "/sda/1/a/%s?prefix=%%FF" % c, quoted=True)[0] == 400


def test_an_empty_listing_is_204_in_plain_text_and_200_in_json_and_xml(cluster):
    _, server = cluster
    c = cname()
    put_container(server, "a", c)
    status, headers, body = server.request("GET", "/sda/1/a/%s" % c)
    assert status == 204 and body == b""
    status, _, body = server.request("GET", "/sda/1/a/%s?format=json" % c)
    assert status == 200 and body == b"[]"
    status, _, body = server.request("GET", "/sda/1/a/%s?format=xml" % c)
    assert status == 200 and body.endswith(b'<container name="%s" />' % c.encode())


# ----------------------------------------------------- account updates
