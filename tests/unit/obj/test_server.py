"""The object server app, called in-process (fast, exact). The real
process on a loopback port is exercised in test_server_live.py."""

import json
import os
import time

import pytest
from webob import Request

from objstore.common.timestamp import Timestamp
from objstore.common.utils import md5_hex
from objstore.obj.server import ObjectController

PATH = "/sda1/7/a/c/o"


def call(app, method, path=PATH, headers=None, body=None, ts=True):
    headers = dict(headers or {})
    if ts is True and method in ("PUT", "POST", "DELETE") and "X-Timestamp" not in headers:
        headers["X-Timestamp"] = Timestamp.now().internal
    req = Request.blank(path, method=method, headers=headers)
    if body is not None:
        req.body = body
    return req.get_response(app)


def put(app, body=b"hello", ts=None, headers=None, path=PATH):
    headers = dict(headers or {})
    headers.setdefault("Content-Type", "text/plain")
    headers["X-Timestamp"] = (ts or Timestamp.now()).internal
    return call(app, "PUT", path, headers, body)


def files_of(app, path=PATH):
    _, dev, part, a, c, o = path.split("/", 5)
    df = app.mgr.get_diskfile(dev, part, a, c, o)
    return sorted(os.listdir(df.datadir)) if os.path.isdir(df.datadir) else []


def test_healthcheck_answers_ok(app):
    resp = call(app, "GET", "/healthcheck")
    assert resp.status_int == 200 and resp.body == b"OK"


def test_put_then_get_returns_body_and_headers(app):
    ts = Timestamp.now()
    resp = put(app, b"hello", ts, {"X-Object-Meta-Color": "blue", "Content-Disposition": "x"})
    assert resp.status_int == 201
    assert resp.headers["ETag"] == md5_hex(b"hello")
    resp = call(app, "GET")
    assert resp.status_int == 200 and resp.body == b"hello"
    h = resp.headers
    assert h["Content-Type"] == "text/plain"
    assert h["Content-Length"] == "5"
    assert h["ETag"] == md5_hex(b"hello")
    assert h["X-Object-Meta-Color"] == "blue"
    assert h["Content-Disposition"] == "x"
    assert h["X-Timestamp"] == ts.normal
    assert h["X-Backend-Timestamp"] == h["X-Backend-Data-Timestamp"] == ts.internal
    assert h["Last-Modified"] == ts.http_date
    assert h["Accept-Ranges"] == "bytes"


def test_head_has_the_headers_and_no_body(app):
    put(app, b"hello")
    resp = call(app, "HEAD")
    assert resp.status_int == 200 and resp.content_length == 5 and resp.body == b""


def test_get_of_a_missing_object_is_404(app):
    assert call(app, "GET").status_int == 404


@pytest.mark.parametrize("ts", [None, "", "abc", "-1", "inf"])
def test_put_without_a_valid_timestamp_is_400_and_writes_nothing(app, ts):
    headers = {"Content-Type": "text/plain"}
    if ts is not None:
        headers["X-Timestamp"] = ts
    resp = call(app, "PUT", headers=headers, body=b"x", ts=False)
    assert resp.status_int == 400 and b"X-Timestamp" in resp.body
    assert files_of(app) == []


@pytest.mark.parametrize("path,status", [
    ("/sda1/7/a/c", 400), ("/sda1/7/a", 400), ("/sda1", 400), ("/sda1/x/a/c/o", 400),
    ("/sda1/-1/a/c/o", 400), ("/nodev/7/a/c/o", 507), ("/sda1/7/a/c/o\x00", 412),
])
def test_bad_paths_partitions_and_devices_are_refused(app, path, status):
    assert call(app, "PUT", path, {"Content-Type": "t"}, b"x").status_int == status
    assert call(app, "GET", path).status_int == status


def test_invalid_utf8_in_the_path_is_412(app):
    req = Request.blank("/x", method="GET")
    req.environ["PATH_INFO"] = b"/sda1/7/a/c/\xff".decode("latin-1")
    assert req.get_response(app).status_int == 412


def test_object_names_may_contain_slashes_and_unicode(app):
    path = "/sda1/7/a/c/d/e/\u00e9".encode("utf-8").decode("latin-1")
    req = Request.blank("/x", method="PUT", headers={
        "X-Timestamp": Timestamp.now().internal, "Content-Type": "t"})
    req.environ["PATH_INFO"] = path
    req.body = b"slashy"
    assert req.get_response(app).status_int == 201
    get = Request.blank("/x")
    get.environ["PATH_INFO"] = path
    assert get.get_response(app).body == b"slashy"


def test_unknown_policy_index_is_refused(app):
    resp = call(app, "PUT", headers={"X-Backend-Storage-Policy-Index": "9",
                                     "Content-Type": "t"}, body=b"x")
    assert resp.status_int == 400 and b"policy" in resp.body


def test_policies_keep_their_objects_apart(app):
    put(app, b"gold")
    put(app, b"silver", headers={"X-Backend-Storage-Policy-Index": "1"})
    assert call(app, "GET").body == b"gold"
    assert call(app, "GET", headers={"X-Backend-Storage-Policy-Index": "1"}).body == b"silver"


def test_unknown_methods_are_405(app):
    assert call(app, "PATCH").status_int == 405


def test_put_with_bad_etag_returns_422_and_keeps_old_data(app):
    put(app, b"old")
    resp = put(app, b"new", headers={"ETag": md5_hex(b"something else")})
    assert resp.status_int == 422
    assert call(app, "GET").body == b"old"


def test_put_with_a_matching_quoted_etag_is_accepted(app):
    assert put(app, b"new", headers={"ETag": '"%s"' % md5_hex(b"new")}).status_int == 201


def test_put_older_or_equal_to_the_existing_one_is_409_with_its_timestamp(app):
    ts = Timestamp.now()
    put(app, b"newer", ts)
    for older in (ts, Timestamp(float(ts) - 1)):
        resp = put(app, b"older", older)
        assert resp.status_int == 409
        assert resp.headers["X-Backend-Timestamp"] == ts.internal
    assert call(app, "GET").body == b"newer"


def test_put_older_than_a_tombstone_is_409(app):
    ts = Timestamp.now()
    call(app, "DELETE", headers={"X-Timestamp": ts.internal})
    assert put(app, b"x", Timestamp(float(ts) - 1)).status_int == 409


def test_if_none_match_star_refuses_to_overwrite(app):
    put(app, b"first")
    assert put(app, b"second", headers={"If-None-Match": "*"}).status_int == 412
    assert call(app, "GET").body == b"first"
    assert put(app, b"x", headers={"If-None-Match": "*"},
               path="/sda1/7/a/c/new").status_int == 201


def test_oversized_metadata_is_400_and_changes_nothing(app):
    put(app, b"keep")
    big = {"X-Object-Meta-%d" % i: "v" * 250 for i in range(17)}
    assert put(app, b"new", headers=big).status_int == 400
    assert put(app, b"new", headers={"X-Object-Meta-" + "n" * 129: "v"}).status_int == 400
    assert call(app, "GET").body == b"keep"


def test_put_of_a_too_long_name_is_400(app):
    assert put(app, b"x", path="/sda1/7/a/c/" + "o" * 1025).status_int == 400


def test_put_without_length_or_chunked_is_400(app):
    req = Request.blank(PATH, method="PUT", headers={
        "X-Timestamp": Timestamp.now().internal, "Content-Type": "t"})
    req.environ.pop("CONTENT_LENGTH", None)
    assert req.get_response(app).status_int == 400


def test_a_short_body_is_499_and_leaves_no_visible_object(app):
    req = Request.blank(PATH, method="PUT", headers={
        "X-Timestamp": Timestamp.now().internal, "Content-Type": "t"})
    req.body = b"only this"
    req.environ["CONTENT_LENGTH"] = "100"
    assert req.get_response(app).status_int == 499
    assert call(app, "GET").status_int == 404
    assert files_of(app) == []
    assert os.listdir(os.path.join(app.mgr.devices, "sda1", "tmp")) == []


def test_metadata_at_the_limits_round_trips_on_this_filesystem(app):
    meta = {"X-Object-Meta-" + "k%03d" % i + "n" * 124: "v" * 128 for i in range(16)}
    meta["X-Object-Sysmeta-Big"] = "s" * 1000
    assert put(app, b"x", headers=meta).status_int == 201
    resp = call(app, "GET")
    for key, value in meta.items():
        assert resp.headers[key] == value
    assert any(n.endswith(".xmeta") for n in files_of(app))


def test_x_delete_at_in_the_past_or_garbage_is_400(app):
    assert put(app, headers={"X-Delete-At": "1"}).status_int == 400
    assert put(app, headers={"X-Delete-At": "soon"}).status_int == 400


def test_x_delete_at_is_judged_against_the_writes_own_timestamp(app):
    # A proxy turns "X-Delete-After: 1" into the second after the write's
    # timestamp; that second may have begun by the time the write arrives.
    # It is after the write, so it stands; a moment before the write is 400.
    ts = Timestamp(int(time.time()) - 30 + 0.25)
    just_after = str(int(float(ts)) + 1)
    assert put(app, b"x", ts=ts, headers={"X-Delete-At": just_after}).status_int == 201
    other = PATH + "-posted"
    assert put(app, b"y", ts=ts, path=other).status_int == 201
    resp = call(app, "POST", path=other, headers={
        "X-Timestamp": Timestamp(float(ts) + 0.5).internal, "X-Delete-At": just_after})
    assert resp.status_int == 202
    before = str(int(float(ts)) - 1)
    assert put(app, b"x", ts=Timestamp(float(ts) + 1),
               headers={"X-Delete-At": before}).status_int == 400
    resp = call(app, "POST", path=other, headers={
        "X-Timestamp": Timestamp(float(ts) + 0.2).internal, "X-Delete-At": before})
    assert resp.status_int == 400 and resp.body == b"X-Delete-At in past"


def test_an_object_past_its_delete_at_is_404(app, monkeypatch):
    at = int(time.time()) + 100
    put(app, b"x", headers={"X-Delete-At": str(at)})
    assert call(app, "GET").headers["X-Delete-At"] == str(at)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 200)
    assert call(app, "GET").status_int == 404
    assert call(app, "HEAD").status_int == 404
    assert call(app, "POST", headers={"X-Timestamp": Timestamp(real() + 150).internal}
                ).status_int == 404


def test_post_replaces_user_metadata_and_keeps_content_metadata(app):
    put(app, b"body", headers={"X-Object-Meta-A": "1", "X-Object-Meta-B": "2",
                               "X-Object-Sysmeta-S": "sys", "Content-Encoding": "gzip"})
    resp = call(app, "POST", headers={"X-Object-Meta-B": "3", "X-Object-Meta-C": ""})
    assert resp.status_int == 202
    h = call(app, "GET").headers
    assert "X-Object-Meta-A" not in h and h["X-Object-Meta-B"] == "3"
    assert h["X-Object-Meta-C"] == ""  # an empty value is stored empty, as Swift
    assert "Content-Encoding" not in h  # a POST replaces those too
    assert h["X-Object-Sysmeta-S"] == "sys" and h["Content-Length"] == "4"
    assert h["X-Backend-Timestamp"] != h["X-Backend-Data-Timestamp"]
    assert any(n.endswith(".meta") for n in files_of(app))


def test_post_to_a_missing_or_deleted_object_is_404(app):
    assert call(app, "POST").status_int == 404
    put(app)
    call(app, "DELETE")
    resp = call(app, "POST")
    assert resp.status_int == 404 and "X-Backend-Timestamp" in resp.headers


def test_post_older_than_the_object_is_409(app):
    ts = Timestamp.now()
    put(app, ts=ts)
    assert call(app, "POST", headers={"X-Timestamp": ts.internal}).status_int == 409


def test_post_with_bad_metadata_or_timestamp_is_400(app):
    put(app)
    assert call(app, "POST", headers={"X-Object-Meta-" + "n" * 200: "v"}).status_int == 400
    assert call(app, "POST", headers={"X-Timestamp": "x"}, ts=False).status_int == 400


def test_delete_writes_a_tombstone_and_answers_204(app):
    put(app)
    ts = Timestamp.now()
    resp = call(app, "DELETE", headers={"X-Timestamp": ts.internal})
    assert resp.status_int == 204
    assert files_of(app) == [ts.internal + ".ts"]
    resp = call(app, "GET")
    assert resp.status_int == 404 and resp.headers["X-Backend-Timestamp"] == ts.internal


def test_delete_of_a_missing_object_is_404_but_still_leaves_a_tombstone(app):
    ts = Timestamp.now()
    assert call(app, "DELETE", headers={"X-Timestamp": ts.internal}).status_int == 404
    assert files_of(app) == [ts.internal + ".ts"]


def test_delete_older_than_the_object_is_409_and_keeps_it(app):
    ts = Timestamp.now()
    put(app, b"x", ts)
    resp = call(app, "DELETE", headers={"X-Timestamp": Timestamp(float(ts) - 1).internal})
    assert resp.status_int == 409 and resp.headers["X-Backend-Timestamp"] == ts.internal
    assert call(app, "GET").body == b"x"


def test_x_if_delete_at_must_match(app):
    at = str(int(time.time()) + 1000)
    put(app, headers={"X-Delete-At": at})
    assert call(app, "DELETE", headers={"X-If-Delete-At": "123"}).status_int == 412
    assert call(app, "DELETE", headers={"X-If-Delete-At": "bad"}).status_int == 400
    assert call(app, "GET").status_int == 200
    assert call(app, "DELETE", headers={"X-If-Delete-At": at}).status_int == 204


def test_an_expired_object_is_served_only_when_asked_with_open_expired(app):
    """object_versioning keeps an expiring write a moment after writing it;
    the expiry must not beat it to the bytes (X-Backend-Open-Expired)."""
    at = int(time.time()) + 1
    put(app, b"keep me", headers={"X-Delete-At": str(at)})
    while time.time() <= at:
        time.sleep(0.05)
    assert call(app, "GET").status_int == 404
    assert call(app, "HEAD").status_int == 404
    opened = call(app, "GET", headers={"X-Backend-Open-Expired": "true"})
    assert (opened.status_int, opened.body) == (200, b"keep me")
    assert call(app, "HEAD", headers={"X-Backend-Open-Expired": "true"}).status_int == 200
    assert call(app, "GET", headers={"X-Backend-Open-Expired": "no"}).status_int == 404


def test_ranges_single_multi_and_unsatisfiable(app):
    put(app, b"0123456789")
    resp = call(app, "GET", headers={"Range": "bytes=2-4"})
    assert resp.status_int == 206 and resp.body == b"234"
    assert resp.headers["Content-Range"] == "bytes 2-4/10"
    resp = call(app, "GET", headers={"Range": "bytes=0-1,-2"})
    assert resp.status_int == 206
    assert resp.content_type == "multipart/byteranges"
    boundary = resp.headers["Content-Type"].split("boundary=")[1]
    assert resp.body.count(b"--" + boundary.encode()) == 3
    assert b"Content-Range: bytes 8-9/10\r\n\r\n89" in resp.body
    assert len(resp.body) == resp.content_length
    resp = call(app, "GET", headers={"Range": "bytes=20-30"})
    assert resp.status_int == 416 and resp.headers["Content-Range"] == "bytes */10"
    resp = call(app, "GET", headers={"Range": "bytes=5-2"})
    assert resp.status_int == 200 and resp.body == b"0123456789"


def test_if_range_with_a_stale_etag_sends_the_whole_object(app):
    put(app, b"0123456789")
    resp = call(app, "GET", headers={"Range": "bytes=2-4", "If-Range": '"stale"'})
    assert resp.status_int == 200 and resp.body == b"0123456789"


def test_conditional_requests(app):
    ts = Timestamp.now()
    put(app, b"hello", ts)
    etag = md5_hex(b"hello")
    assert call(app, "GET", headers={"If-Match": '"%s"' % etag}).status_int == 200
    assert call(app, "GET", headers={"If-Match": '"no"'}).status_int == 412
    resp = call(app, "GET", headers={"If-None-Match": '"%s"' % etag})
    assert resp.status_int == 304 and resp.body == b""
    assert resp.headers["ETag"] == etag
    assert call(app, "HEAD", headers={"If-None-Match": etag}).status_int == 304
    assert call(app, "GET", headers={"If-Modified-Since": ts.http_date}).status_int == 304
    assert call(app, "GET", headers={
        "If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_int == 412
    assert call(app, "GET", headers={
        "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_int == 200


def test_the_kept_crc_of_the_body_is_never_answered(app):
    put(app, b"hello", headers={"X-Object-Meta-Crc": "1", "X-Objstore-Body-Crc64nvme": "0" * 16})
    for method in ("GET", "HEAD"):
        resp = call(app, method)
        assert resp.status_int == 200 and resp.headers["X-Object-Meta-Crc"] == "1"
        assert [k for k in resp.headers if k.lower().startswith("x-objstore")] == []
    assert call(app, "GET").body == b"hello"


def test_a_whole_object_get_tells_the_proxy_the_kept_crc_a_range_does_not(app):
    from awscrt import checksums
    put(app, b"hello")
    crc = "%016x" % checksums.crc64nvme(b"hello")
    assert call(app, "GET").headers["X-Backend-Obj-Body-Crc64nvme"] == crc
    assert "X-Backend-Obj-Body-Crc64nvme" not in call(app, "HEAD").headers
    ranged = call(app, "GET", headers={"Range": "bytes=1-2"})
    assert ranged.status_int == 206 and "X-Backend-Obj-Body-Crc64nvme" not in ranged.headers


def test_a_corrupt_small_object_is_never_sent_but_quarantined_and_404(app):
    ts = Timestamp.now()
    put(app, b"hello", ts)
    df = app.mgr.get_diskfile("sda1", "7", "a", "c", "o")
    with open(os.path.join(df.datadir, ts.internal + ".data"), "r+b") as fp:
        fp.write(b"J")
    resp = call(app, "GET")
    assert resp.status_int == 404 and b"Jello" not in resp.body
    assert call(app, "GET").status_int == 404
    qdir = os.path.join(app.mgr.devices, "sda1", "quarantined", "objects", df.object_hash)
    assert os.path.isdir(qdir)


def test_a_truncated_file_is_quarantined_before_any_byte_is_sent(app):
    ts = Timestamp.now()
    put(app, b"hello", ts)
    df = app.mgr.get_diskfile("sda1", "7", "a", "c", "o")
    os.truncate(os.path.join(df.datadir, ts.internal + ".data"), 2)
    assert call(app, "GET").status_int == 404
    assert files_of(app) == []


def test_replicate_returns_suffix_hashes_as_json(app):
    put(app)
    df = app.mgr.get_diskfile("sda1", "7", "a", "c", "o")
    suffix = df.object_hash[-3:]
    resp = call(app, "REPLICATE", "/sda1/7")
    assert resp.status_int == 200 and list(json.loads(resp.body)) == [suffix]
    resp = call(app, "REPLICATE", "/sda1/7/%s-fff" % suffix)
    assert list(json.loads(resp.body)) == [suffix]
    assert json.loads(call(app, "REPLICATE", "/sda1/8").body) == {}
    assert call(app, "REPLICATE", "/nodev/7").status_int == 507
    assert call(app, "REPLICATE", "/sda1/x").status_int == 400


def test_an_unmounted_device_is_507(obj_conf):
    app = ObjectController(dict(obj_conf, mount_check="true"))
    assert call(app, "GET").status_int == 507
    assert put(app).status_int == 507


def test_a_device_below_the_reserve_is_507_and_nothing_written(obj_conf):
    app = ObjectController(dict(obj_conf, fallocate_reserve="100%"))
    assert put(app).status_int == 507
    assert files_of(app) == []


def test_container_update_is_sent_after_put_and_delete(app, container_server):
    ts = Timestamp.now()
    hdrs = {"X-Container-Host": container_server.host, "X-Container-Device": "sdc",
            "X-Container-Partition": "3", "X-Backend-Storage-Policy-Index": "1",
            "X-Trans-Id": "tx123"}
    assert put(app, b"hello", ts, dict(hdrs, **{"Content-Type": "text/x"})).status_int == 201
    method, path, headers = container_server.requests[-1]
    assert (method, path) == ("PUT", "/sdc/3/a/c/o")
    assert headers["X-Timestamp"] == ts.internal and headers["X-Size"] == "5"
    assert headers["X-Content-Type"] == "text/x" and headers["X-Etag"] == md5_hex(b"hello")
    assert headers["X-Backend-Storage-Policy-Index"] == "1"
    assert headers["X-Trans-Id"] == "tx123"
    assert call(app, "DELETE", headers=hdrs).status_int == 204
    assert container_server.requests[-1][:2] == ("DELETE", "/sdc/3/a/c/o")
    assert not os.path.exists(os.path.join(app.mgr.devices, "sda1", "async_pending-1"))


def test_a_post_lists_its_type_but_never_a_size_of_its_own(app, container_server):
    hdrs = {"X-Container-Host": container_server.host, "X-Container-Device": "sdc",
            "X-Container-Partition": "3"}
    manifest = "text/plain;swift_bytes=5000;slo_etag=abc"
    assert put(app, b"[]", Timestamp.now(), dict(hdrs, **{"Content-Type": manifest})) \
        .status_int == 201
    for sent, listed in [("a/b; swift_bytes=3; x=1", "a/b;x=1;swift_bytes=5000;slo_etag=abc"),
                         ("c/d", "c/d;swift_bytes=5000;slo_etag=abc")]:
        resp = call(app, "POST", headers=dict(hdrs, **{"Content-Type": sent,
                                                       "X-Timestamp": Timestamp.now().internal}))
        assert resp.status_int == 202
        method, _path, headers = container_server.requests[-1]
        assert (method, headers["X-Content-Type"]) == ("PUT", listed)
    # the stored type is the client's, as sent
    assert call(app, "HEAD").headers["Content-Type"] == "c/d"


def test_every_post_updates_the_listing_row_with_its_time_and_the_datas(app, container_server):
    hdrs = {"X-Container-Host": container_server.host, "X-Container-Device": "sdc",
            "X-Container-Partition": "3"}
    data_ts = Timestamp.now()
    assert put(app, b"hello", data_ts, dict(hdrs, **{"Content-Type": "text/x"})) \
        .status_int == 201
    typed = Timestamp.now()
    assert call(app, "POST", headers=dict(hdrs, **{"Content-Type": "image/png",
                                                   "X-Timestamp": typed.internal})) \
        .status_int == 202
    meta_only = Timestamp.now()
    assert call(app, "POST", headers=dict(hdrs, **{"X-Object-Meta-A": "1",
                                                   "X-Timestamp": meta_only.internal})) \
        .status_int == 202
    method, path, headers = container_server.requests[-1]
    assert (method, path) == ("PUT", "/sdc/3/a/c/o")
    # the data's time, size and ETag; the type POSTed earlier, with its time
    assert headers["X-Timestamp"] == data_ts.internal
    assert (headers["X-Size"], headers["X-Etag"]) == ("5", md5_hex(b"hello"))
    assert headers["X-Content-Type"] == "image/png"
    assert headers["X-Content-Type-Timestamp"] == typed.internal
    assert headers["X-Meta-Timestamp"] == meta_only.internal


def test_a_post_whose_container_update_fails_leaves_an_async_pending(app, container_server):
    hdrs = {"X-Container-Host": container_server.host, "X-Container-Device": "sdc",
            "X-Container-Partition": "3"}
    data_ts = Timestamp.now()
    assert put(app, b"hello", data_ts, hdrs).status_int == 201
    container_server.status = 503
    post_ts = Timestamp.now()
    assert call(app, "POST", headers=dict(hdrs, **{"X-Object-Meta-A": "1",
                                                   "X-Timestamp": post_ts.internal})) \
        .status_int == 202
    df = app.mgr.get_diskfile("sda1", "7", "a", "c", "o")
    record = json.load(open(app.mgr.async_pending_path("sda1", 0, df.object_hash, data_ts)))
    assert record["op"] == "PUT"
    assert record["headers"]["X-Timestamp"] == data_ts.internal
    assert record["headers"]["X-Meta-Timestamp"] == post_ts.internal


def test_a_failed_container_update_leaves_an_async_pending(app, container_server):
    container_server.status = 503
    ts = Timestamp.now()
    resp = put(app, b"hello", ts, {
        "X-Container-Host": container_server.host, "X-Container-Device": "sdc",
        "X-Container-Partition": "3"})
    assert resp.status_int == 201  # the object is safe; only the listing lags
    df = app.mgr.get_diskfile("sda1", "7", "a", "c", "o")
    path = app.mgr.async_pending_path("sda1", 0, df.object_hash, ts)
    record = json.load(open(path))
    assert record["op"] == "PUT" and record["obj"] == "o"
    assert record["headers"]["X-Size"] == "5"
    assert record["failed"] == [container_server.host + "/sdc"]


def test_mismatched_container_headers_are_400_before_anything_is_written(app):
    resp = put(app, headers={"X-Container-Host": "1.2.3.4:5,1.2.3.4:6",
                             "X-Container-Device": "sda", "X-Container-Partition": "1"})
    assert resp.status_int == 400
    assert files_of(app) == []


def test_a_disk_filling_up_mid_upload_is_507_and_nothing_visible(app, monkeypatch):
    import errno as _errno
    from objstore.obj import writer as writer_mod

    real_write = os.write

    def full(fd, data):
        if len(data) > 3:
            raise OSError(_errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(writer_mod.os, "write", full)
    assert put(app, b"too big for the disk").status_int == 507
    monkeypatch.setattr(writer_mod.os, "write", real_write)
    assert call(app, "GET").status_int == 404
    assert os.listdir(os.path.join(app.mgr.devices, "sda1", "tmp")) == []


def test_a_failed_preallocation_is_507(app, monkeypatch):
    import errno as _errno
    from objstore.obj import writer as writer_mod

    def no_room(_fd, _off, _size):
        raise OSError(_errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer_mod.os, "posix_fallocate", no_room)
    assert put(app, b"hello").status_int == 507
    assert os.listdir(os.path.join(app.mgr.devices, "sda1", "tmp")) == []


def test_main_without_a_config_prints_usage():
    from objstore.obj.server import main
    assert main([]) == 2


def test_post_with_a_content_type_changes_it_until_the_next_put(app):
    put(app, b"body", headers={"Content-Type": "text/plain"})
    assert call(app, "POST", headers={"Content-Type": "application/x-new"}).status_int == 202
    assert call(app, "GET").headers["Content-Type"] == "application/x-new"
    # a later POST without a type keeps the POSTed one
    assert call(app, "POST", headers={"X-Object-Meta-A": "1"}).status_int == 202
    h = call(app, "HEAD").headers
    assert (h["Content-Type"], h["X-Object-Meta-A"]) == ("application/x-new", "1")
    put(app, b"new", headers={"Content-Type": "image/png"})
    assert call(app, "HEAD").headers["Content-Type"] == "image/png"


def test_post_without_a_content_type_leaves_the_datas_type(app):
    put(app, b"body", headers={"Content-Type": "text/plain"})
    req = Request.blank(PATH, method="POST", headers={"X-Timestamp": Timestamp.now().internal})
    req.environ.pop("CONTENT_TYPE", None)
    assert req.get_response(app).status_int == 202
    assert call(app, "HEAD").headers["Content-Type"] == "text/plain"
