"""An object an S3 multipart upload completed, read through the Swift API
(python-swiftclient) as Swift serves it, a static large object: its bytes,
the SLO ETag, the plain Content-Type, ranges and conditions judged on the
whole object. S3 reads of it are unchanged."""

import hashlib
import json

import pytest
import swiftclient

from tests.functional.conftest import connect
from tests.functional.s3.test_s3_clients import bucket, code_of, s3  # noqa: F401

FIRST = b"a" * 5 * 1024 * 1024
LAST = b"bcd"


@pytest.fixture
def completed(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", ContentType="text/x-mp")["UploadId"]
    parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key="mp", UploadId=up,
                                                      PartNumber=n, Body=data)["ETag"]}
             for n, data in ((1, FIRST), (2, LAST))]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up,
                                        MultipartUpload={"Parts": parts})
    slo_etag = hashlib.md5((hashlib.md5(FIRST).hexdigest()
                            + hashlib.md5(LAST).hexdigest()).encode()).hexdigest()
    return done["ETag"], slo_etag


def test_the_swift_api_reads_the_whole_object_with_the_slo_etag(s3, bucket, completed):
    s3_etag, slo_etag = completed
    conn = connect("admin")
    head = conn.head_object(bucket, "mp")
    assert (head["etag"], head["content-type"], head["content-length"],
            head["x-static-large-object"]) == ('"%s"' % slo_etag, "text/x-mp",
                                               str(len(FIRST) + 3), "True")
    got, body = conn.get_object(bucket, "mp")
    assert body == FIRST + LAST and got["etag"] == '"%s"' % slo_etag
    got, body = conn.get_object(bucket, "mp", headers={"Range": "bytes=%d-" % (len(FIRST) - 2)})
    assert body == b"aabcd" and got["content-range"] == "bytes %d-%d/%d" % (
        len(FIRST) - 2, len(FIRST) + 2, len(FIRST) + 3)
    # the stored manifest is Swift's SLO manifest
    _h, raw = conn.get_object(bucket, "mp", query_string="multipart-manifest=get")
    assert [(i["bytes"], i["hash"]) for i in json.loads(raw)] == [
        (len(FIRST), hashlib.md5(FIRST).hexdigest()), (len(LAST), hashlib.md5(LAST).hexdigest())]
    # and S3 reads it as before
    assert s3.get_object(Bucket=bucket, Key="mp")["ETag"] == s3_etag


def test_conditions_are_judged_against_the_slo_etag(s3, bucket, completed):
    _s3_etag, slo_etag = completed
    conn = connect("admin")
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(bucket, "mp", headers={"If-None-Match": '"%s"' % slo_etag})
    assert err.value.http_status == 304
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(bucket, "mp", headers={"If-Match": '"%s"' % ("0" * 32)})
    assert err.value.http_status == 412
    _h, body = conn.get_object(bucket, "mp", headers={"If-Match": slo_etag})
    assert body == FIRST + LAST
    with pytest.raises(swiftclient.ClientException) as err:
        conn.get_object(bucket, "mp", headers={"Range": "bytes=%d-" % (len(FIRST) + 3)})
    assert err.value.http_status == 416


def _listed(conn, container, name, **kwargs):
    _h, rows = conn.get_container(container, **kwargs)
    return next(row for row in rows if row.get("name") == name)


def test_it_is_stored_as_an_slo_manifest_as_swifts_s3api_stores_it(s3, bucket, completed):
    """What Swift 2.38.3 answers for it (compared request by request with
    the reference Swift): the SLO's headers, the manifest in both forms,
    part-number reads, and its listing row."""
    s3_etag, slo_etag = completed
    conn = connect("admin")
    _h, manifest = conn.get_object(bucket, "mp", query_string="multipart-manifest=get")
    items = json.loads(manifest)
    assert [sorted(item) for item in items] == [
        ["bytes", "content_type", "hash", "last_modified", "name"]] * 2
    assert [item["name"].rsplit("/", 1)[0] for item in items] == [
        "/%s+segments/mp/%s" % (bucket, items[0]["name"].split("/")[3])] * 2
    # the parts' types as Swift shows them (s3api keeps their checksums in them)
    segments = bucket + "+segments"
    assert {i["content_type"] for i in items} == {"application/octet-stream"}
    assert {r["content_type"] for r in conn.get_container(segments)[1]} == {
        "application/octet-stream"}
    assert conn.head_object(segments, items[0]["name"].split("/", 2)[2])[
        "content-type"] == "application/octet-stream"
    head = conn.head_object(bucket, "mp")
    assert head["x-manifest-etag"] == hashlib.md5(manifest).hexdigest()
    got, raw = conn.get_object(bucket, "mp", query_string="multipart-manifest=get&format=raw")
    assert got["content-type"] == "text/x-mp"
    assert [(i["etag"], i["size_bytes"], i["path"]) for i in json.loads(raw)] == [
        (i["hash"], i["bytes"], i["name"]) for i in items]
    got, body = conn.get_object(bucket, "mp", query_string="part-number=2")
    assert (body, got["x-parts-count"], got["content-range"], got["etag"]) == (
        LAST, "2", "bytes %d-%d/%d" % (len(FIRST), len(FIRST) + 2, len(FIRST) + 3),
        '"%s"' % slo_etag)
    row = _listed(conn, bucket, "mp")
    assert row == dict(row, bytes=len(FIRST) + 3, content_type="text/x-mp",
                       hash=hashlib.md5(manifest).hexdigest(),
                       slo_etag='"%s"' % slo_etag, s3_etag=s3_etag)
    # what S3 lists is unchanged
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert (listed["ETag"], listed["Size"]) == (s3_etag, len(FIRST) + 3)


def test_a_swift_manifest_delete_takes_its_parts(s3, bucket, completed):
    conn = connect("admin")
    _h, body = conn.get_object(bucket, "mp", query_string="multipart-manifest=get")
    assert len(json.loads(body)) == 2
    conn.delete_object(bucket, "mp", query_string="multipart-manifest=delete")
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="mp"))[1] == 404
    assert conn.get_container(bucket + "+segments")[1] == []


def test_a_manifest_copied_to_another_key_leaves_the_parts_to_its_source(s3, bucket,
                                                                         completed):
    """A Swift copy of the manifest names the source's parts; deleting or
    replacing the copy through S3 must not take them."""
    s3_etag, _slo_etag = completed
    conn = connect("admin")
    conn.put_object(bucket, "copy", None, query_string="multipart-manifest=get",
                    headers={"X-Copy-From": "/%s/mp" % bucket})
    assert s3.head_object(Bucket=bucket, Key="copy")["ETag"] == s3_etag  # as Swift's s3api
    s3.delete_object(Bucket=bucket, Key="copy")
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == FIRST + LAST
    assert conn.get_object(bucket, "mp")[1] == FIRST + LAST
    # an assembled copy is a plain object, to S3 too
    conn.put_object(bucket, "plain", None, headers={"X-Copy-From": "/%s/mp" % bucket})
    plain = hashlib.md5(FIRST + LAST).hexdigest()
    assert s3.head_object(Bucket=bucket, Key="plain")["ETag"] == '"%s"' % plain
    assert conn.head_object(bucket, "plain")["etag"] == plain


def _write_the_old_way(s3, bucket, key):
    """An object completed before multipart objects were SLOs: s3api's own
    manifest (a JSON list of path/etag/size_bytes), written as Complete
    wrote it then, through the proxy's in-process tierer pipeline (no
    gatekeeper, so the sysmeta goes in as s3api's did)."""
    import os
    from objstore.common.constraints import CONTENT_TYPE_PARAMS_ENV
    from objstore.common.internal_client import InternalClient
    from tests.functional.tiering_support import SAIO_DIR
    up = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="text/x-old")["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=n,
                            Body=data)["ETag"].strip('"') for n, data in ((1, FIRST), (2, LAST))]
    from objstore.middleware.s3api.manifest import multipart_etag
    s3_etag, size = multipart_etag(etags), len(FIRST) + len(LAST)
    manifest = json.dumps([{"path": "%s+segments/%s/%s/%06d" % (bucket, key, up, n),
                            "etag": etag, "size_bytes": len(data)}
                           for n, (etag, data) in enumerate(zip(etags, (FIRST, LAST)), 1)])
    client = InternalClient(os.path.join(SAIO_DIR, "etc", "proxy-server.conf"))
    resp = client.request("PUT", "/v1/AUTH_test/%s/%s" % (bucket, key), headers={
        "Content-Type": "text/x-old;s3_etag=%s;swift_bytes=%d" % (s3_etag, size),
        "X-Object-Sysmeta-S3api-Manifest": "1", "X-Object-Sysmeta-S3api-Etag": s3_etag,
        "X-Object-Sysmeta-S3api-Size": str(size), "X-Object-Sysmeta-S3api-Upload-Id": up},
        body=manifest.encode(), extra_env={CONTENT_TYPE_PARAMS_ENV: True})
    assert resp.status_int == 201, resp.status
    resp = client.request("DELETE", "/v1/AUTH_test/%s+segments/%s/%s" % (bucket, key, up))
    assert resp.status_int == 204, resp.status
    return '"%s"' % s3_etag


def test_an_object_completed_the_old_way_still_reads_lists_and_deletes(s3, bucket):
    s3_etag = _write_the_old_way(s3, bucket, "old")
    conn = connect("admin")
    got = s3.get_object(Bucket=bucket, Key="old", PartNumber=2)
    assert (got["Body"].read(), got["ETag"], got["PartsCount"]) == (LAST, s3_etag, 2)
    assert s3.get_object(Bucket=bucket, Key="old", Range="bytes=%d-" % (len(FIRST) - 1))[
        "Body"].read() == b"a" + LAST
    head, body = conn.get_object(bucket, "old")
    assert (body, head["content-type"], head["x-static-large-object"]) == (
        FIRST + LAST, "text/x-old", "True")
    row = _listed(conn, bucket, "old")
    assert (row["bytes"], row["content_type"], row["s3_etag"]) == (
        len(FIRST) + 3, "text/x-old", s3_etag)
    assert s3.list_objects_v2(Bucket=bucket)["Contents"][0]["ETag"] == s3_etag
    s3.delete_object(Bucket=bucket, Key="old")
    assert conn.get_container(bucket + "+segments")[1] == []


def test_an_object_that_only_says_it_is_a_manifest_still_deletes(s3, bucket):
    """A Swift copy of an old multipart object's bytes carried its manifest
    marker: S3 deletes it (and nothing else) instead of answering 500."""
    import os
    from objstore.common.internal_client import InternalClient
    from tests.functional.tiering_support import SAIO_DIR
    client = InternalClient(os.path.join(SAIO_DIR, "etc", "proxy-server.conf"))
    resp = client.request("PUT", "/v1/AUTH_test/%s/marked" % bucket, body=b"not json",
                          headers={"X-Object-Sysmeta-S3api-Manifest": "1"})
    assert resp.status_int == 201, resp.status
    s3.delete_object(Bucket=bucket, Key="marked")
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="marked"))[1] == 404


@pytest.mark.parametrize("how", ["put", "copy"])
def test_overwriting_an_old_object_in_an_unmarked_bucket_drops_its_parts(s3, bucket, how):
    """A bucket from before the manifests mark (it has none) may hold objects
    completed the old way: an overwrite still finds their parts, and marks
    the bucket so that the next write knows without asking."""
    import os
    from objstore.common.internal_client import InternalClient
    from objstore.middleware.s3api.manifest import BUCKET_MANIFESTS_SYSMETA
    from tests.functional.tiering_support import SAIO_DIR
    _write_the_old_way(s3, bucket, "old")
    client = InternalClient(os.path.join(SAIO_DIR, "etc", "proxy-server.conf"))
    path = "/v1/AUTH_test/%s" % bucket
    resp = client.request("POST", path, headers={BUCKET_MANIFESTS_SYSMETA: ""})
    assert resp.status_int == 204, resp.status
    assert BUCKET_MANIFESTS_SYSMETA not in client.request("HEAD", path).headers
    conn = connect("admin")
    assert len(conn.get_container(bucket + "+segments")[1]) == 2
    if how == "put":
        s3.put_object(Bucket=bucket, Key="old", Body=b"plain")
    else:
        s3.copy_object(Bucket=bucket, Key="old", CopySource={"Bucket": bucket, "Key": "old"},
                       MetadataDirective="REPLACE")
    assert conn.get_container(bucket + "+segments")[1] == []
    expected = b"plain" if how == "put" else FIRST + LAST
    assert s3.get_object(Bucket=bucket, Key="old")["Body"].read() == expected
    assert client.request("HEAD", path).headers.get(BUCKET_MANIFESTS_SYSMETA) == "1"


def test_a_new_bucket_is_marked_as_holding_no_multipart_object(s3, bucket):
    import os
    from objstore.common.internal_client import InternalClient
    from objstore.middleware.s3api.manifest import BUCKET_MANIFESTS_SYSMETA
    from tests.functional.tiering_support import SAIO_DIR
    client = InternalClient(os.path.join(SAIO_DIR, "etc", "proxy-server.conf"))
    path = "/v1/AUTH_test/%s" % bucket
    assert client.request("HEAD", path).headers.get(BUCKET_MANIFESTS_SYSMETA) == "0"
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    assert client.request("HEAD", path).headers.get(BUCKET_MANIFESTS_SYSMETA) == "0"
