"""Versioning the way S3 answers it, with boto3 and raw signed requests
against the live SAIO: delete-marker headers, suspended buckets' single
``null`` version, CopyObject / UploadPartCopy from a version."""

import pytest

from tests.functional.s3.signed import NS, s3_raw
from tests.functional.s3.test_s3_clients import code_of
from tests.functional.s3.test_versioning import s3, vbucket  # noqa: F401 (fixtures)
from tests.support.s3_cleanup import delete_bucket


def _versions(s3, bucket):
    listing = s3.list_object_versions(Bucket=bucket)
    rows = [(v["Key"], v["VersionId"], v["IsLatest"], "v") for v in listing.get("Versions", [])]
    rows += [(m["Key"], m["VersionId"], m["IsLatest"], "m")
             for m in listing.get("DeleteMarkers", [])]
    return sorted(rows)


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_reading_a_key_whose_latest_version_is_a_delete_marker(s3, vbucket, method):
    s3.put_object(Bucket=vbucket, Key="k", Body=b"data")
    marker = s3.delete_object(Bucket=vbucket, Key="k")["VersionId"]
    plain = s3_raw(method, "/%s/k" % vbucket)
    assert plain.status == 404
    assert plain.headers.get("x-amz-delete-marker") == "true"
    assert plain.headers.get("x-amz-version-id") == marker
    assert plain.headers.get("last-modified", "").endswith(" GMT")
    if method == "GET":
        assert b"<Code>NoSuchKey</Code>" in plain.body
    by_id = s3_raw(method, "/%s/k" % vbucket, query={"versionId": marker})
    assert by_id.status == 405 and by_id.headers.get("x-amz-delete-marker") == "true"
    assert by_id.headers.get("x-amz-version-id") == marker


def test_a_missing_key_in_a_versioned_bucket_has_no_delete_marker_header(s3, vbucket):
    resp = s3_raw("HEAD", "/%s/never" % vbucket)
    assert resp.status == 404 and "x-amz-delete-marker" not in resp.headers


def test_suspended_put_replaces_the_archived_null_version(s3, vbucket):
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=vbucket, Key="k", Body=b"null-1")
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Enabled"})
    real = s3.put_object(Bucket=vbucket, Key="k", Body=b"real")["VersionId"]
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=vbucket, Key="k", Body=b"null-2")
    assert _versions(s3, vbucket) == sorted([("k", real, False, "v"), ("k", "null", True, "v")])
    assert s3.get_object(Bucket=vbucket, Key="k", VersionId="null")["Body"].read() == b"null-2"
    assert s3.get_object(Bucket=vbucket, Key="k", VersionId=real)["Body"].read() == b"real"


def test_suspended_delete_removes_the_null_version_and_leaves_a_null_marker(s3, vbucket):
    real = s3.put_object(Bucket=vbucket, Key="k", Body=b"real")["VersionId"]
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=vbucket, Key="k", Body=b"null")
    deleted = s3.delete_object(Bucket=vbucket, Key="k")
    assert deleted["DeleteMarker"] is True and deleted["VersionId"] == "null"
    assert _versions(s3, vbucket) == sorted([("k", "null", True, "m"), ("k", real, False, "v")])
    head = s3_raw("HEAD", "/%s/k" % vbucket)
    assert head.status == 404 and head.headers.get("x-amz-version-id") == "null"
    # A real current version is archived, not lost, under the null marker.
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Enabled"})
    newer = s3.put_object(Bucket=vbucket, Key="j", Body=b"j")["VersionId"]
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.delete_object(Bucket=vbucket, Key="j")["VersionId"] == "null"
    assert s3.get_object(Bucket=vbucket, Key="j", VersionId=newer)["Body"].read() == b"j"
    # Deleting the null marker by id brings the newest real version back.
    s3.delete_object(Bucket=vbucket, Key="k", VersionId="null")
    assert s3.get_object(Bucket=vbucket, Key="k")["Body"].read() == b"real"


def test_copy_object_from_a_version_id(s3, vbucket):
    old = s3.put_object(Bucket=vbucket, Key="src", Body=b"old")["VersionId"]
    s3.put_object(Bucket=vbucket, Key="src", Body=b"new")
    copied = s3.copy_object(Bucket=vbucket, Key="dst",
                            CopySource={"Bucket": vbucket, "Key": "src", "VersionId": old})
    assert copied["CopySourceVersionId"] == old and copied["VersionId"] not in (old, "null")
    assert s3.get_object(Bucket=vbucket, Key="dst")["Body"].read() == b"old"
    marker = s3.delete_object(Bucket=vbucket, Key="src")["VersionId"]
    assert code_of(lambda: s3.copy_object(
        Bucket=vbucket, Key="dst2",
        CopySource={"Bucket": vbucket, "Key": "src", "VersionId": marker})) \
        == ("InvalidRequest", 400)
    assert code_of(lambda: s3.copy_object(
        Bucket=vbucket, Key="dst2",
        CopySource={"Bucket": vbucket, "Key": "src", "VersionId": "1.00000"})) \
        == ("NoSuchVersion", 404)
    assert code_of(lambda: s3.copy_object(
        Bucket=vbucket, Key="dst2", CopySource={"Bucket": vbucket, "Key": "src"}))[1] == 404


def test_upload_part_copy_from_a_version_id(s3, vbucket):
    old = s3.put_object(Bucket=vbucket, Key="src", Body=b"o" * 10)["VersionId"]
    s3.put_object(Bucket=vbucket, Key="src", Body=b"n" * 10)
    up = s3.create_multipart_upload(Bucket=vbucket, Key="mp")["UploadId"]
    part = s3.upload_part_copy(Bucket=vbucket, Key="mp", UploadId=up, PartNumber=1,
                               CopySource={"Bucket": vbucket, "Key": "src", "VersionId": old},
                               CopySourceRange="bytes=2-5")
    assert part["CopySourceVersionId"] == old
    s3.complete_multipart_upload(Bucket=vbucket, Key="mp", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=vbucket, Key="mp")["Body"].read() == b"oooo"


def _raw_pages(bucket, size):
    """ListObjectVersions pages in wire order: ``[(key, id, latest, kind)]`` each."""
    pages, query = [], {"versions": "", "max-keys": str(size)}
    while True:
        resp = s3_raw("GET", "/" + bucket, query=query)
        assert resp.status == 200, (query, resp.body)
        rows = []
        for elem in resp.xml():
            kind = elem.tag.split("}")[1]
            if kind in ("Version", "DeleteMarker"):
                rows.append(tuple(elem.find(NS + t).text for t in ("Key", "VersionId",
                                                                   "IsLatest"))
                            + (kind[0],))
        pages.append(rows)
        if resp.texts("IsTruncated") != ["true"]:
            return pages
        query = dict(query, **{"key-marker": resp.texts("NextKeyMarker")[0],
                               "version-id-marker": resp.texts("NextVersionIdMarker")[0]})


def _history(s3, bucket):
    """Keys of several lengths (so several archive groups), a deleted key whose
    versions are all archived, a key with a marker under a newer version."""
    made = {}
    for key, bodies in (("b", 3), ("a", 1), ("longer-key", 2), ("d\u00e9j\u00e0", 2),
                        ("gone", 2), ("zz", 1)):
        made[key] = [s3.put_object(Bucket=bucket, Key=key, Body=b"%d" % n)["VersionId"]
                     for n in range(bodies)]
    made["gone"].append(s3.delete_object(Bucket=bucket, Key="gone")["VersionId"])
    made["zz"].append(s3.delete_object(Bucket=bucket, Key="zz")["VersionId"])
    made["zz"].append(s3.put_object(Bucket=bucket, Key="zz", Body=b"back")["VersionId"])
    return made


def test_list_object_versions_pages_match_the_whole_listing(s3, vbucket):
    made = _history(s3, vbucket)
    expected = [(key, vid) for key in sorted(made) for vid in reversed(made[key])]
    whole, = _raw_pages(vbucket, 1000)
    assert [(k, v) for k, v, _, _ in whole] == expected
    assert [(k, v) for k, v, latest, _ in whole if latest == "true"] == \
        [(key, made[key][-1]) for key in sorted(made)]
    assert [(k, kind) for k, _, _, kind in whole if kind == "D"] == [("gone", "D"),
                                                                     ("zz", "D")]
    for size in (1, 2, 3):
        pages = _raw_pages(vbucket, size)
        assert all(len(p) == size for p in pages[:-1])
        assert [row for page in pages for row in page] == whole


def test_version_id_marker_resumes_inside_a_key(s3, vbucket):
    made = _history(s3, vbucket)
    b = list(reversed(made["b"]))
    after_current = s3.list_object_versions(Bucket=vbucket, KeyMarker="b",
                                            VersionIdMarker=b[0], MaxKeys=2)
    assert [v["VersionId"] for v in after_current["Versions"]] == b[1:]
    assert after_current["IsTruncated"] is True
    after_middle = s3.list_object_versions(Bucket=vbucket, KeyMarker="b",
                                           VersionIdMarker=b[1], MaxKeys=2)
    assert [(v["Key"], v["VersionId"]) for v in after_middle["Versions"]] == \
        [("b", b[2]), ("d\u00e9j\u00e0", made["d\u00e9j\u00e0"][-1])]
    after_key = s3.list_object_versions(Bucket=vbucket, KeyMarker="b", MaxKeys=1)
    assert [v["Key"] for v in after_key["Versions"]] == ["d\u00e9j\u00e0"]


def test_list_object_versions_folds_prefixes_across_pages_and_url_encodes(s3, vbucket):
    for key in ("dir/a", "dir/b b", "dir/sub/c", "top"):
        s3.put_object(Bucket=vbucket, Key=key, Body=b"1")
        s3.put_object(Bucket=vbucket, Key=key, Body=b"2")
    first = s3.list_object_versions(Bucket=vbucket, Delimiter="/", MaxKeys=1)
    assert first["CommonPrefixes"] == [{"Prefix": "dir/"}] and first["IsTruncated"]
    rest = s3.list_object_versions(Bucket=vbucket, Delimiter="/", KeyMarker="dir/")
    assert [v["Key"] for v in rest["Versions"]] == ["top", "top"]
    assert "CommonPrefixes" not in rest
    raw = s3_raw("GET", "/" + vbucket, query={"versions": "", "prefix": "dir/",
                                              "delimiter": "/", "encoding-type": "url"})
    assert raw.texts("Version/Key") == ["dir/a", "dir/a", "dir/b%20b", "dir/b%20b"]
    assert raw.texts("CommonPrefixes/Prefix") == ["dir/sub/"]
    assert raw.texts("Prefix")[0] == "dir/"


def test_version_ids_are_reported_on_writes_only_when_versioning_is_enabled(s3, vbucket):
    """S3: writes in a suspended bucket answer without a version id; reads of a
    null version in a bucket with versioning say ``null``; a bucket that
    never had versioning reports none."""
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Suspended"})
    assert "VersionId" not in s3.put_object(Bucket=vbucket, Key="k", Body=b"x")
    assert "VersionId" not in s3.copy_object(Bucket=vbucket, Key="c",
                                             CopySource={"Bucket": vbucket, "Key": "k"})
    up = s3.create_multipart_upload(Bucket=vbucket, Key="mp")["UploadId"]
    etag = s3.upload_part(Bucket=vbucket, Key="mp", UploadId=up, PartNumber=1,
                          Body=b"p")["ETag"]
    done = s3.complete_multipart_upload(Bucket=vbucket, Key="mp", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert "VersionId" not in done
    for key in ("k", "c", "mp"):
        assert s3.head_object(Bucket=vbucket, Key=key)["VersionId"] == "null"
        assert s3.get_object(Bucket=vbucket, Key=key)["VersionId"] == "null"


def test_a_bucket_that_never_had_versioning_reports_no_version_ids(s3):
    import uuid
    name = "s3ver-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    try:
        assert "VersionId" not in s3.put_object(Bucket=name, Key="k", Body=b"x")
        assert "VersionId" not in s3.get_object(Bucket=name, Key="k")
        assert "VersionId" not in s3.head_object(Bucket=name, Key="k")
    finally:
        delete_bucket(s3, name)


def test_a_key_with_more_versions_than_the_walk_buffers_lists_newest_first(s3, vbucket):
    from objstore.middleware.s3api.version_walk import KEY_BUFFER
    ids = [s3.put_object(Bucket=vbucket, Key="many", Body=b"%d" % n)["VersionId"]
           for n in range(KEY_BUFFER + 3)]
    s3.put_object(Bucket=vbucket, Key="next", Body=b"n")
    pages = _raw_pages(vbucket, 40)
    rows = [(k, v) for page in pages for k, v, _, _ in page]
    assert rows == [("many", vid) for vid in reversed(ids)] + [("next", rows[-1][1])]
    assert [len(p) for p in pages][:-1] == [40] * (len(pages) - 1)


def test_a_version_id_marker_that_is_not_the_key_s_resumes_past_the_key(s3, vbucket):
    bucket = vbucket
    for key in ("a", "b"):
        for n in range(2):
            s3.put_object(Bucket=bucket, Key=key, Body=b"%d" % n)
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    of_b = [v["VersionId"] for v in versions if v["Key"] == "b"]
    got = s3.list_object_versions(Bucket=bucket, KeyMarker="a", VersionIdMarker=of_b[1])
    assert [(v["Key"], v["VersionId"]) for v in got["Versions"]] == \
        [("b", vid) for vid in of_b]
    of_a = [v["VersionId"] for v in versions if v["Key"] == "a"]
    got = s3.list_object_versions(Bucket=bucket, KeyMarker="a", VersionIdMarker=of_a[0])
    assert [v["VersionId"] for v in got["Versions"]] == of_a[1:] + of_b


def test_a_copy_without_a_version_id_names_the_current_version_it_copied(s3, vbucket):
    s3.put_object(Bucket=vbucket, Key="src", Body=b"old")
    current = s3.put_object(Bucket=vbucket, Key="src", Body=b"new")["VersionId"]
    got = s3.copy_object(Bucket=vbucket, Key="dst", CopySource="%s/src" % vbucket)
    assert got["CopySourceVersionId"] == current
