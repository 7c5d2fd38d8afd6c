"""bulk: archive uploads (?extract-archive) and bulk deletes (?bulk-delete),
with raw HTTP and the real swift CLI (which deletes with bulk-delete)."""

import io
import json
import socket
import tarfile
import urllib.parse
import uuid

import pytest

from tests.functional.conftest import PROXY

J = {"Accept": "application/json"}


def archive(members, mode="w"):
    """A tar (``w``, ``w:gz``, ``w:bz2``) of ``(name, bytes or kind)``."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if data == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif data == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, "a.txt"
                tar.addfile(info)
            elif data == "device":
                info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


TREE = [("./a.txt", b"alpha"), ("./sub/b.txt", b"beta"), ("./sub", "dir")]


@pytest.fixture
def cleanup(conn):
    """Containers to remove (with their objects) after the test."""
    names = []
    yield names
    for name in names:
        try:
            for obj in conn.get_container(name, full_listing=True)[1]:
                conn.delete_object(name, obj["name"])
            conn.delete_container(name)
        except Exception:
            pass


def listing(conn, container):
    return [o["name"] for o in conn.get_container(container, full_listing=True)[1]]


@pytest.mark.parametrize("fmt,mode", [("tar", "w"), ("tar.gz", "w:gz"), ("tar.bz2", "w:bz2")])
def test_extract_archive_creates_the_container_and_every_file(http_api, conn, cleanup, fmt, mode):
    name = "bulk-" + uuid.uuid4().hex[:12]
    cleanup.append(name)
    resp = http_api.request("PUT", http_api.path(name) + "?extract-archive=" + fmt,
                            headers=J, body=archive(TREE, mode))
    assert resp.status == 200
    assert resp.json() == {"Response Status": "201 Created", "Response Body": "",
                           "Number Files Created": 2, "Errors": []}
    assert listing(conn, name) == ["a.txt", "sub/b.txt"]
    assert conn.get_object(name, "sub/b.txt")[1] == b"beta"


def test_extract_under_a_prefix_and_at_account_level(http_api, conn, cleanup):
    name = "bulk-" + uuid.uuid4().hex[:12]
    c1, c2 = name + "-x", name + "-y"
    cleanup.extend([name, c1, c2])
    conn.put_container(name)
    resp = http_api.request("PUT", http_api.path(name, "pre") + "?extract-archive=tar",
                            headers=J, body=archive(TREE))
    assert resp.json()["Number Files Created"] == 2
    assert listing(conn, name) == ["pre/a.txt", "pre/sub/b.txt"]
    body = archive([(c1 + "/one", b"1"), (c2 + "/two", b"2"), ("top-level-file", b"t"),
                    (name + "-dir", "dir")])
    resp = http_api.request("PUT", http_api.path() + "?extract-archive=tar", headers=J, body=body)
    assert resp.json()["Number Files Created"] == 2 and resp.json()["Errors"] == []
    assert listing(conn, c1) == ["one"] and listing(conn, c2) == ["two"]


def test_traversal_absolute_and_special_members_store_nothing(http_api, conn, cleanup):
    name = "bulk-" + uuid.uuid4().hex[:12]
    cleanup.append(name)
    conn.put_container(name)
    body = archive([("../evil", b"x"), ("/etc/abs", b"y"), ("d/../../up", b"z"),
                    ("link", "symlink"), ("dev", "device"), ("ok.txt", b"ok")])
    resp = http_api.request("PUT", http_api.path(name) + "?extract-archive=tar", headers=J,
                            body=body)
    result = resp.json()
    assert result["Response Status"] == "400 Bad Request"
    assert result["Number Files Created"] == 1
    assert sorted(e[0] for e in result["Errors"]) == sorted(
        ["%s/../evil" % name, "%s//etc/abs" % name, "%s/d/../../up" % name])
    assert listing(conn, name) == ["ok.txt"]


def test_bad_archives_and_formats_answer_swift_errors(http_api, conn, cleanup):
    name = "bulk-" + uuid.uuid4().hex[:12]
    cleanup.append(name)
    resp = http_api.request("PUT", http_api.path(name) + "?extract-archive=tar", headers=J,
                            body=b"not a tar file" * 100)
    assert resp.json()["Response Status"] == "400 Bad Request"
    assert resp.json()["Response Body"].startswith("Invalid Tar File: ")
    resp = http_api.request("PUT", http_api.path(name) + "?extract-archive=tar.gz", headers=J,
                            body=archive(TREE))
    assert resp.json()["Response Body"] == "Invalid Tar File: not a gzip file"
    resp = http_api.request("PUT", http_api.path(name) + "?extract-archive=zip", body=b"x")
    assert (resp.status, resp.body) == (400, b"Unsupported archive format")
    resp = http_api.request("PUT", http_api.path(name) + "?extract-archive=tar", user=None,
                            headers=J, body=archive(TREE))
    assert resp.json()["Response Status"] == "401 Unauthorized"
    assert http_api.request("HEAD", http_api.path(name)).status == 404


def without_length(method: str, target: str, token: str) -> dict:
    """A bulk request with no Content-Length and no chunked body; its JSON result."""
    host = urllib.parse.urlsplit(PROXY)
    with socket.create_connection((host.hostname, host.port), timeout=30) as sock:
        sock.sendall(b"%s %s HTTP/1.1\r\nHost: x\r\nX-Auth-Token: %s\r\nAccept: application/json"
                     b"\r\nConnection: close\r\n\r\n" % (method.encode(), target.encode(),
                                                         token.encode()))
        answer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"chunked" in head.lower()
    return json.loads(body.split(b"\r\n")[1])


def test_a_bulk_request_without_a_length_is_411_and_with_length_0_a_400(http_api, cleanup):
    """As Swift 2.38.3: no body at all is 411, an empty one is judged as content."""
    name = "bulk-" + uuid.uuid4().hex[:12]
    cleanup.append(name)
    token = http_api.auth("admin")[1]
    for method, target in (("DELETE", http_api.path() + "?bulk-delete"),
                           ("PUT", http_api.path(name) + "?extract-archive=tar")):
        result = without_length(method, target, token)
        assert (result["Response Status"], result["Response Body"]) == ("411 Length Required", "")
    resp = http_api.request("DELETE", http_api.path() + "?bulk-delete", headers=J, body=b"")
    assert (resp.json()["Response Status"], resp.json()["Response Body"]) == (
        "400 Bad Request", "Invalid bulk delete.")
    resp = http_api.request("PUT", http_api.path(name) + "?extract-archive=tar", headers=J, body=b"")
    assert resp.json()["Response Body"] == "Invalid Tar File: empty file"


def test_results_in_plain_text_and_xml(http_api, cleanup):
    name = "bulk-" + uuid.uuid4().hex[:12]
    cleanup.append(name)
    resp = http_api.request("PUT", http_api.path(name) + "?extract-archive=tar",
                            body=archive(TREE))
    assert resp.headers["Content-Type"] == "text/plain"
    assert resp.body == (b"Number Files Created: 2\nResponse Body: \n"
                         b"Response Status: 201 Created\nErrors:\n")
    resp = http_api.request("PUT", http_api.path(name) + "?extract-archive=tar",
                            headers={"Accept": "application/xml"}, body=archive(TREE))
    assert resp.body == (b"<extract>\n<number_files_created>2</number_files_created>\n"
                         b"<response_body></response_body>\n<response_status>201 Created"
                         b"</response_status>\n<errors>\n</errors>\n</extract>\n")


def test_bulk_delete_counts_deleted_missing_and_errors(http_api, conn, cleanup):
    name = "bulk-" + uuid.uuid4().hex[:12]
    full = name + "-full"
    cleanup.extend([name, full])
    conn.put_container(name)
    conn.put_container(full)
    conn.put_object(full, "keep", b"k")
    for obj in ("a", "b c", "d/\u00e9"):
        conn.put_object(name, obj, b"x")
    lines = ["/%s/a" % name, "/%s/b%%20c" % name, "%s/d/%%C3%%A9" % name, "/%s/missing" % name,
             "/" + full]
    resp = http_api.request("POST", http_api.path() + "?bulk-delete",
                            headers=dict(J, **{"Content-Type": "text/plain"}),
                            body="\n".join(lines).encode())
    assert resp.json() == {"Response Status": "400 Bad Request", "Response Body": "",
                           "Number Deleted": 3, "Number Not Found": 1,
                           "Errors": [["/" + full, "409 Conflict"]]}
    assert listing(conn, name) == [] and listing(conn, full) == ["keep"]
    resp = http_api.request("DELETE", http_api.path() + "?bulk-delete",
                            headers=dict(J, **{"Content-Type": "text/plain"}), body=b"\n\n")
    assert resp.json()["Response Body"] == "Invalid bulk delete."


def test_bulk_delete_is_judged_per_item_and_limited(http_api, conn, cleanup):
    name = "bulk-" + uuid.uuid4().hex[:12]
    cleanup.append(name)
    conn.put_container(name)
    conn.put_object(name, "o", b"x")
    anon = http_api.request("POST", http_api.path() + "?bulk-delete", user=None,
                            headers=dict(J, **{"Content-Type": "text/plain"}),
                            body=("/%s/o" % name).encode())
    assert anon.json()["Errors"] == [["/%s/o" % name, "401 Unauthorized"]]
    too_many = "\n".join("/%s/n%d" % (name, i) for i in range(10001)).encode()
    resp = http_api.request("POST", http_api.path() + "?bulk-delete",
                            headers=dict(J, **{"Content-Type": "text/plain"}), body=too_many)
    assert resp.json()["Response Status"] == "413 Request Entity Too Large"
    assert resp.json()["Number Deleted"] == 0
    assert listing(conn, name) == ["o"]


def test_swift_delete_of_a_container_uses_bulk_delete(cli, conn, http_api):
    name = "bulk-" + uuid.uuid4().hex[:12]
    conn.put_container(name)
    for i in range(30):
        conn.put_object(name, "o%02d" % i, b"x")
    out = cli("delete", name)
    assert out.returncode == 0, out.stderr
    assert http_api.request("HEAD", http_api.path(name)).status == 404


def test_info_lists_bulk_limits(http_api):
    info = http_api.request("GET", "/info", user=None).json()
    assert info["bulk_upload"] == {"max_containers_per_extraction": 10000,
                                   "max_failed_extractions": 1000}
    assert info["bulk_delete"] == {"max_deletes_per_request": 10000, "max_failed_deletes": 1000}
