"""Temp URLs made by the real ``swift tempurl`` CLI, used without a token."""

import hashlib
import hmac
import time
import urllib.parse
import uuid

import pytest

INVALID = b"401 Unauthorized: Temp URL invalid\n"


def ok(result):
    assert result.returncode == 0, "swift exited %d\nstdout: %s\nstderr: %s" % (
        result.returncode, result.stdout, result.stderr)
    return result.stdout.strip()


def sign(key, method, expires, path, digest="sha256", prefix=False, ip=None):
    lines = (["ip=%s" % ip] if ip else []) + [method, str(expires),
                                              ("prefix:" if prefix else "") + path]
    return hmac.new(key.encode(), "\n".join(lines).encode(), getattr(hashlib, digest)).hexdigest()


@pytest.fixture
def keyed(http_api, conn):
    """A container with one object, the account key set; all removed after."""
    key = "k-" + uuid.uuid4().hex
    name = "tu-" + uuid.uuid4().hex[:12]
    conn.post_account({"X-Account-Meta-Temp-URL-Key": key})
    conn.put_container(name)
    conn.put_object(name, "obj.txt", b"hello world", content_type="text/plain",
                    headers={"X-Object-Meta-Secret": "s", "X-Object-Meta-Public-Shown": "p"})
    path = http_api.path(name, "obj.txt")
    yield key, name, path
    try:
        for obj in conn.get_container(name, full_listing=True)[1]:
            conn.delete_object(name, obj["name"])
        conn.delete_container(name)
    finally:
        conn.post_account({"X-Remove-Account-Meta-Temp-URL-Key": "x"})


def anon(http_api, method, url_path, headers=None, body=None):
    return http_api.request(method, url_path, headers=headers, body=body, user=None)


def test_swift_tempurl_get_link_downloads_without_a_token(cli, http_api, keyed):
    key, _name, path = keyed
    url = ok(cli("tempurl", "GET", "60", path, key))
    resp = anon(http_api, "GET", url)
    assert resp.status == 200 and resp.body == b"hello world"
    assert resp.headers["Content-Disposition"] == (
        "attachment; filename=\"obj.txt\"; filename*=UTF-8''obj.txt")
    expires = int(urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["temp_url_expires"][0])
    assert resp.headers["Expires"] == time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(expires))
    # Private metadata stays private; x-object-meta-public-* is shown.
    assert "X-Object-Meta-Secret" not in resp.headers
    assert resp.headers["X-Object-Meta-Public-Shown"] == "p"
    # A HEAD is admitted by the GET signature.
    assert anon(http_api, "HEAD", url).status == 200


@pytest.mark.parametrize("extra", [["--iso8601"], ["--digest", "sha512"], ["--digest", "sha1"]])
def test_swift_tempurl_variants_are_accepted(cli, http_api, keyed, extra):
    key, _name, path = keyed
    url = ok(cli("tempurl", *extra, "GET", "60", path, key))
    resp = anon(http_api, "GET", url)
    assert resp.status == 200 and resp.body == b"hello world", (url, resp.status)


def test_forged_expired_and_wrong_method_links_answer_401_and_store_nothing(http_api, keyed, conn):
    key, name, path = keyed
    exp = int(time.time()) + 60
    forged = "%s?temp_url_sig=%s&temp_url_expires=%d" % (path, "0" * 64, exp)
    resp = anon(http_api, "GET", forged)
    assert (resp.status, resp.body) == (401, INVALID)
    assert resp.headers["Www-Authenticate"] == 'Swift realm="unknown"'
    past = int(time.time()) - 5
    expired = "%s?temp_url_sig=%s&temp_url_expires=%d" % (path, sign(key, "GET", past, path), past)
    assert (anon(http_api, "GET", expired).status, anon(http_api, "GET", expired).body) == (401, INVALID)
    get_sig = "%s?temp_url_sig=%s&temp_url_expires=%d" % (path, sign(key, "GET", exp, path), exp)
    resp = anon(http_api, "PUT", get_sig, body=b"overwritten")
    assert (resp.status, resp.body) == (401, INVALID)
    resp = anon(http_api, "DELETE", get_sig)
    assert resp.status == 401
    assert conn.get_object(name, "obj.txt")[1] == b"hello world"
    # A wrong key, a disallowed digest (md5) and a container path are refused alike.
    md5 = hmac.new(key.encode(), ("GET\n%d\n%s" % (exp, path)).encode(), hashlib.md5).hexdigest()
    for url in ("%s?temp_url_sig=%s&temp_url_expires=%d" % (path, sign("nope", "GET", exp, path), exp),
                "%s?temp_url_sig=%s&temp_url_expires=%d" % (path, md5, exp),
                "%s?temp_url_sig=%s&temp_url_expires=abc" % (path, sign(key, "GET", exp, path)),
                "%s?temp_url_sig=%s" % (path, sign(key, "GET", exp, path))):
        assert (anon(http_api, "GET", url).status, anon(http_api, "GET", url).body) == (401, INVALID)
    cpath = http_api.path(name)
    resp = anon(http_api, "GET", "%s?temp_url_sig=%s&temp_url_expires=%d"
                % (cpath, sign(key, "GET", exp, cpath), exp))
    assert resp.status == 401


def test_put_link_uploads_but_refuses_copy_manifest_and_symlink(cli, http_api, keyed, conn):
    key, name, _path = keyed
    target = http_api.path(name, "up.bin")
    url = ok(cli("tempurl", "PUT", "60", target, key))
    resp = anon(http_api, "PUT", url, headers={"X-Object-Meta-A": "1"}, body=b"uploaded")
    assert resp.status == 201
    assert conn.get_object(name, "up.bin")[1] == b"uploaded"
    other = http_api.path(name, "other")
    put_other = ok(cli("tempurl", "PUT", "60", other, key))
    for header in ("X-Copy-From", "X-Object-Manifest", "X-Symlink-Target"):
        resp = anon(http_api, "PUT", put_other, headers={header: "%s/obj.txt" % name}, body=b"")
        assert resp.status == 400
        assert resp.body == ("The header %r is not allowed in this tempurl" % header).encode()
    names = [o["name"] for o in conn.get_container(name)[1]]
    assert "other" not in names


def test_prefix_links_admit_only_names_under_the_prefix(cli, http_api, keyed, conn):
    key, name, _path = keyed
    conn.put_object(name, "dir/a", b"A")
    url = ok(cli("tempurl", "--prefix-based", "GET", "60", http_api.path(name) + "/dir/", key))
    query = urllib.parse.urlsplit(url).query
    assert anon(http_api, "GET", http_api.path(name, "dir/a") + "?" + query).body == b"A"
    assert anon(http_api, "GET", http_api.path(name, "obj.txt") + "?" + query).status == 401


def test_ip_range_links_admit_only_clients_in_the_range(http_api, keyed):
    key, _name, path = keyed
    exp = int(time.time()) + 60
    for ip, status in (("127.0.0.1", 200), ("127.0.0.0/8", 200), ("10.0.0.0/8", 401)):
        url = "%s?temp_url_sig=%s&temp_url_expires=%d&temp_url_ip_range=%s" % (
            path, sign(key, "GET", exp, path, ip=ip), exp, urllib.parse.quote(ip, safe=""))
        assert anon(http_api, "GET", url).status == status, ip


def test_container_key_2_signs_links_and_is_hidden_from_non_owners(http_api, keyed, conn):
    _key, name, path = keyed
    conn.post_container(name, {"X-Container-Meta-Temp-URL-Key-2": "ckey2",
                                "X-Container-Read": "test:tester3"})
    exp = int(time.time()) + 60
    url = "%s?temp_url_sig=%s&temp_url_expires=%d" % (path, sign("ckey2", "GET", exp, path), exp)
    assert anon(http_api, "GET", url).body == b"hello world"
    owner = http_api.request("HEAD", http_api.path(name))
    assert owner.headers["X-Container-Meta-Temp-Url-Key-2"] == "ckey2"
    token = http_api.auth("nonadmin")[1]
    reader = http_api.request("HEAD", http_api.path(name), headers={"X-Auth-Token": token},
                              user=None)
    assert reader.status == 204
    assert "X-Container-Meta-Temp-Url-Key-2" not in reader.headers


def test_inline_and_filename_set_content_disposition(http_api, keyed):
    key, _name, path = keyed
    exp = int(time.time()) + 60
    base = "%s?temp_url_sig=%s&temp_url_expires=%d" % (path, sign(key, "GET", exp, path), exp)
    assert anon(http_api, "GET", base + "&inline").headers["Content-Disposition"] == "inline"
    got = anon(http_api, "GET", base + "&filename=my%20file.txt").headers["Content-Disposition"]
    assert got == "attachment; filename=\"my file.txt\"; filename*=UTF-8''my%20file.txt"
    got = anon(http_api, "GET", base + "&filename=x.txt&inline").headers["Content-Disposition"]
    assert got == "inline; filename=\"x.txt\"; filename*=UTF-8''x.txt"


def test_info_lists_tempurl_with_its_settings(http_api):
    info = http_api.request("GET", "/info", user=None).json()
    assert info["tempurl"]["methods"] == ["GET", "HEAD", "PUT", "POST", "DELETE"]
    assert info["tempurl"]["allowed_digests"] == ["sha1", "sha256", "sha512"]
    assert info["tempurl"]["deprecated_digests"] == ["sha1"]
