"""The proxy against real storage servers on loopback (see cluster.py)."""

import hashlib
import json
import uuid

from cluster import Cluster

from objstore.common import body_sums

ACCOUNT = "AUTH_test"


def _container(cluster):
    name = "c-" + uuid.uuid4().hex[:8]
    status, _h, body = cluster.request("PUT", "/v1/%s/%s" % (ACCOUNT, name))
    assert status == 201, body
    return name


def test_info_lists_limits_and_policies(cluster):
    status, headers, body = cluster.request("GET", "/info")
    assert status == 200
    info = json.loads(body)
    assert info["swift"]["max_file_size"] == 5368709122
    assert [p["name"] for p in info["swift"]["policies"]] == ["gold", "silver"]


def test_put_then_get_head_and_delete_an_object(cluster):
    c = _container(cluster)
    body = b"hello world" * 10000
    status, headers, _ = cluster.request("PUT", "/v1/%s/%s/o1" % (ACCOUNT, c), {
        "Content-Type": "text/plain", "X-Object-Meta-Color": "blue"}, body)
    assert status == 201
    assert headers["Etag"] == hashlib.md5(body).hexdigest()
    assert "Last-Modified" in headers
    status, headers, got = cluster.request("GET", "/v1/%s/%s/o1" % (ACCOUNT, c))
    assert status == 200 and got == body
    assert headers["X-Object-Meta-Color"] == "blue"
    status, headers, got = cluster.request("HEAD", "/v1/%s/%s/o1" % (ACCOUNT, c))
    assert status == 200 and got == b"" and headers["Content-Length"] == str(len(body))
    assert cluster.request("DELETE", "/v1/%s/%s/o1" % (ACCOUNT, c))[0] == 204
    assert cluster.request("GET", "/v1/%s/%s/o1" % (ACCOUNT, c))[0] == 404
    assert cluster.request("DELETE", "/v1/%s/%s/o1" % (ACCOUNT, c))[0] == 404


def test_container_listing_in_json_xml_and_plain_with_counts(cluster):
    c = _container(cluster)
    for name in ("a", "b/c"):
        assert cluster.request("PUT", "/v1/%s/%s/%s" % (ACCOUNT, c, name), {}, b"xyz")[0] == 201
    path = "/v1/%s/%s" % (ACCOUNT, c)
    status, headers, body = cluster.request("GET", path + "?format=json")
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert [e["name"] for e in json.loads(body)] == ["a", "b/c"]
    assert headers["X-Container-Object-Count"] == "2"
    assert headers["X-Container-Bytes-Used"] == "6"
    assert headers["X-Storage-Policy"] == "gold"
    status, headers, body = cluster.request("GET", path, {"Accept": "application/xml"})
    assert headers["Content-Type"] == "application/xml; charset=utf-8"
    assert b"<name>b/c</name>" in body
    status, headers, body = cluster.request("GET", path + "?delimiter=/")
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body == b"a\nb/\n"


def test_empty_plain_listing_is_204_and_empty_json_listing_is_200(cluster):
    c = _container(cluster)
    assert cluster.request("GET", "/v1/%s/%s" % (ACCOUNT, c))[0] == 204
    status, _h, body = cluster.request("GET", "/v1/%s/%s?format=json" % (ACCOUNT, c))
    assert (status, body) == (200, b"[]")


def test_listing_limit_above_maximum_is_412(cluster):
    c = _container(cluster)
    assert cluster.request("GET", "/v1/%s/%s?limit=10001" % (ACCOUNT, c))[0] == 412


def test_account_listing_shows_containers_and_counts(cluster):
    c = _container(cluster)
    status, headers, body = cluster.request("GET", "/v1/%s?format=json" % ACCOUNT)
    assert status == 200
    assert c in [e["name"] for e in json.loads(body)]
    assert int(headers["X-Account-Container-Count"]) >= 1


def test_unknown_account_looks_empty_when_autocreate_is_on(cluster):
    status, headers, _ = cluster.request("HEAD", "/v1/AUTH_nobody%s" % uuid.uuid4().hex[:6])
    assert status == 200  # Swift's HEAD of a not-yet-created account (a real one is 204)
    assert headers["X-Account-Container-Count"] == "0" and "X-Put-Timestamp" in headers


def test_without_autocreate_an_unknown_account_is_404_and_gets_nothing(tmp_path):
    c = Cluster(str(tmp_path), proxy_options="account_autocreate = false\n")
    try:
        account = "/v1/AUTH_nobody%s" % uuid.uuid4().hex[:6]
        assert c.request("HEAD", account)[0] == 404
        assert c.request("GET", account)[0] == 404
        assert c.request("PUT", account + "/c")[0] == 404
        assert c.request("POST", account + "/c", {"X-Container-Meta-A": "1"})[0] == 404
        assert c.request("HEAD", account)[0] == 404  # the PUT created no account
    finally:
        c.stop()


def test_container_put_in_a_new_account_creates_the_account(cluster):
    account = "AUTH_new" + uuid.uuid4().hex[:6]
    assert cluster.request("PUT", "/v1/%s/c" % account)[0] == 201
    status, headers, body = cluster.request("GET", "/v1/%s" % account)
    assert status == 200 and body == b"c\n"


def test_second_container_put_is_202(cluster):
    c = _container(cluster)
    assert cluster.request("PUT", "/v1/%s/%s" % (ACCOUNT, c))[0] == 202


def test_container_with_unknown_policy_is_400_and_policy_change_is_409(cluster):
    c = "p-" + uuid.uuid4().hex[:8]
    path = "/v1/%s/%s" % (ACCOUNT, c)
    assert cluster.request("PUT", path, {"X-Storage-Policy": "bronze"})[0] == 400
    assert cluster.request("PUT", path, {"X-Storage-Policy": "silver"})[0] == 201
    status, headers, _ = cluster.request("HEAD", path)
    assert headers["X-Storage-Policy"] == "silver"
    assert cluster.request("PUT", path, {"X-Storage-Policy": "gold"})[0] == 409
    assert cluster.request("PUT", path + "/o", {}, b"data")[0] == 201
    assert cluster.request("GET", path + "/o")[2] == b"data"


def test_deleting_a_container_with_objects_is_409(cluster):
    c = _container(cluster)
    path = "/v1/%s/%s" % (ACCOUNT, c)
    assert cluster.request("PUT", path + "/o", {}, b"x")[0] == 201
    assert cluster.request("DELETE", path)[0] == 409
    assert cluster.request("DELETE", path + "/o")[0] == 204
    assert cluster.request("DELETE", path)[0] == 204
    assert cluster.request("HEAD", path)[0] == 404


def test_container_metadata_post_and_remove(cluster):
    c = _container(cluster)
    path = "/v1/%s/%s" % (ACCOUNT, c)
    assert cluster.request("POST", path, {"X-Container-Meta-Color": "red"})[0] == 204
    assert cluster.request("HEAD", path)[1]["X-Container-Meta-Color"] == "red"
    assert cluster.request("POST", path, {"X-Remove-Container-Meta-Color": "x"})[0] == 204
    assert "X-Container-Meta-Color" not in cluster.request("HEAD", path)[1]


def test_too_much_metadata_is_400_with_a_message(cluster):
    c = _container(cluster)
    status, _h, body = cluster.request("POST", "/v1/%s/%s" % (ACCOUNT, c),
                                       {"X-Container-Meta-" + "k" * 200: "v"})
    assert status == 400 and b"too long" in body


def test_object_put_into_missing_container_is_404(cluster):
    assert cluster.request("PUT", "/v1/%s/nope-%s/o" % (ACCOUNT, uuid.uuid4().hex),
                           {}, b"x")[0] == 404


def test_long_names_are_400(cluster):
    c = _container(cluster)
    assert cluster.request("PUT", "/v1/%s/%s" % (ACCOUNT, "c" * 257))[0] == 400
    status, _h, body = cluster.request("PUT", "/v1/%s/%s/%s" % (ACCOUNT, c, "o" * 1025),
                                       {}, b"x")
    assert status == 400 and b"1025" in body


def test_wrong_etag_is_422_and_nothing_is_stored(cluster):
    c = _container(cluster)
    path = "/v1/%s/%s/o" % (ACCOUNT, c)
    status, _h, _b = cluster.request("PUT", path, {"ETag": "0" * 32}, b"abc")
    assert status == 422
    assert cluster.request("GET", path)[0] == 404


def test_a_streamed_body_is_stored_with_the_proxys_md5_and_a_wrong_etag_is_422(cluster):
    """A body too large to go with the head is hashed by the proxy, which
    sends the nodes its MD5 and CRC after the body (common/body_sums)."""
    c = _container(cluster)
    path = "/v1/%s/%s/o" % (ACCOUNT, c)
    body = bytes(range(256)) * 1024  # 256 KiB
    assert cluster.request("PUT", path, {"ETag": "0" * 32}, body)[0] == 422
    assert cluster.request("GET", path)[0] == 404
    status, headers, _b = cluster.request("PUT", path, {}, body)
    assert (status, headers["Etag"]) == (201, hashlib.md5(body).hexdigest())
    status, headers, got = cluster.request("GET", path)
    assert (status, headers["Etag"], got) == (200, hashlib.md5(body).hexdigest(), body)


def test_a_body_hashed_in_a_thread_of_its_own_is_stored_whole_and_a_wrong_etag_is_422(cluster):
    """From ``THREAD_BYTES`` up the proxy takes the sums in an OS thread
    beside the sends (``ThreadedBodySums``): same trailer, same checks."""
    c = _container(cluster)
    path = "/v1/%s/%s/o" % (ACCOUNT, c)
    body = hashlib.sha256(b"threaded").digest() * ((body_sums.THREAD_BYTES + 65536) // 32)
    assert cluster.request("PUT", path, {"ETag": "0" * 32}, body)[0] == 422
    assert cluster.request("GET", path)[0] == 404
    status, headers, _b = cluster.request("PUT", path, {"ETag": hashlib.md5(body).hexdigest()},
                                          body)
    assert (status, headers["Etag"]) == (201, hashlib.md5(body).hexdigest())
    status, headers, got = cluster.request("GET", path)
    assert (status, headers["Etag"], got == body) == (200, hashlib.md5(body).hexdigest(), True)


def test_if_none_match_star_is_412_when_the_object_exists(cluster):
    c = _container(cluster)
    path = "/v1/%s/%s/o" % (ACCOUNT, c)
    assert cluster.request("PUT", path, {"If-None-Match": "*"}, b"1")[0] == 201
    assert cluster.request("PUT", path, {"If-None-Match": "*"}, b"2")[0] == 412
    assert cluster.request("GET", path)[2] == b"1"


def test_chunked_upload_is_stored_whole(cluster):
    c = _container(cluster)
    path = "/v1/%s/%s/o" % (ACCOUNT, c)
    chunks = [b"a" * 70000, b"b" * 5, b"c" * 100000]
    status, headers, _ = cluster.request("PUT", path, {"Transfer-Encoding": "chunked"},
                                         iter(chunks), encode_chunked=True)
    assert status == 201
    assert headers["Etag"] == hashlib.md5(b"".join(chunks)).hexdigest()
    assert cluster.request("GET", path)[2] == b"".join(chunks)


def test_put_without_length_is_411(cluster):
    import http.client
    c = _container(cluster)
    conn = http.client.HTTPConnection("127.0.0.1", cluster.proxy_port)
    conn.putrequest("PUT", "/v1/%s/%s/o" % (ACCOUNT, c))
    conn.endheaders()
    assert conn.getresponse().status == 411


def test_declared_size_over_the_limit_is_413(cluster):
    import http.client
    c = _container(cluster)
    conn = http.client.HTTPConnection("127.0.0.1", cluster.proxy_port)
    conn.putrequest("PUT", "/v1/%s/%s/o" % (ACCOUNT, c))
    conn.putheader("Content-Length", str(6 * 1024 ** 3))
    conn.endheaders()
    assert conn.getresponse().status == 413


def test_missing_content_type_is_guessed_from_the_object_name(cluster):
    c = _container(cluster)
    path = "/v1/%s/%s/pic.png" % (ACCOUNT, c)
    assert cluster.request("PUT", path, {}, b"x")[0] == 201
    assert cluster.request("HEAD", path)[1]["Content-Type"] == "image/png"


def test_range_get_returns_206_with_the_bytes(cluster):
    c = _container(cluster)
    path = "/v1/%s/%s/o" % (ACCOUNT, c)
    cluster.request("PUT", path, {}, b"0123456789")
    status, headers, body = cluster.request("GET", path, {"Range": "bytes=2-4"})
    assert (status, body) == (206, b"234")
    assert headers["Content-Range"] == "bytes 2-4/10"


def test_object_post_replaces_metadata_and_answers_202(cluster):
    c = _container(cluster)
    path = "/v1/%s/%s/o" % (ACCOUNT, c)
    cluster.request("PUT", path, {"X-Object-Meta-A": "1"}, b"x")
    assert cluster.request("POST", path, {"X-Object-Meta-B": "2"})[0] == 202
    headers = cluster.request("HEAD", path)[1]
    assert headers.get("X-Object-Meta-B") == "2" and "X-Object-Meta-A" not in headers
    assert cluster.request("POST", "/v1/%s/%s/missing" % (ACCOUNT, c), {})[0] == 404


def test_expiry_headers_are_validated(cluster):
    c = _container(cluster)
    path = "/v1/%s/%s/o" % (ACCOUNT, c)
    assert cluster.request("PUT", path, {"X-Delete-After": "soon"}, b"x")[0] == 400
    assert cluster.request("PUT", path, {"X-Delete-At": "1"}, b"x")[0] == 400
    assert cluster.request("PUT", path, {"X-Delete-After": "3600"}, b"x")[0] == 201


def test_unknown_method_is_405_with_allow(cluster):
    status, headers, _ = cluster.request("PATCH", "/v1/%s" % ACCOUNT)
    assert status == 405 and "GET" in headers["Allow"]


def test_account_put_is_405_without_account_management(cluster):
    assert cluster.request("PUT", "/v1/AUTH_x")[0] == 405


def test_bad_version_is_400(cluster):
    assert cluster.request("GET", "/v2/%s" % ACCOUNT)[0] == 400


def test_empty_object_is_stored_and_read_back(cluster):
    c = _container(cluster)
    path = "/v1/%s/%s/empty" % (ACCOUNT, c)
    status, headers, _ = cluster.request("PUT", path, {"Content-Length": "0"}, b"")
    assert status == 201 and headers["Etag"] == hashlib.md5(b"").hexdigest()
    status, headers, body = cluster.request("GET", path)
    assert (status, body, headers["Content-Length"]) == (200, b"", "0")


def test_put_older_than_the_stored_object_is_accepted_but_not_visible(cluster):
    c = _container(cluster)
    path = "/v1/%s/%s/o" % (ACCOUNT, c)
    assert cluster.request("PUT", path, {}, b"new")[0] == 201
    status, _h, _b = cluster.request("PUT", path, {"X-Timestamp": "1000000000.00000"}, b"old")
    assert status == 202
    assert cluster.request("GET", path)[2] == b"new"
