"""ListMultipartUploads and ListParts page as S3's do (boto3 paginators, the
markers, max-uploads / max-parts, delimiter) against the live SAIO."""

from tests.functional.s3.signed import s3_raw
from tests.functional.s3.test_s3_clients import bucket, s3  # noqa: F401 (fixtures)


def _create(s3, bucket, keys):
    return [(key, s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"])
            for key in keys]


def test_uploads_page_in_key_then_initiation_order(s3, bucket):
    made = _create(s3, bucket, ["b", "a", "b", "c/x", "a"])
    for key, up in made[:2]:  # parts must not show up as uploads, nor slow the walk
        for number in (1, 2, 3):
            s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=number, Body=b"p")
    expected = sorted(made, key=lambda item: (item[0], made.index(item)))
    pages = list(s3.get_paginator("list_multipart_uploads").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 2}))
    assert [len(p.get("Uploads", [])) for p in pages] == [2, 2, 1]
    assert [p["IsTruncated"] for p in pages] == [True, True, False]
    seen = [(u["Key"], u["UploadId"]) for p in pages for u in p.get("Uploads", [])]
    assert seen == expected
    assert pages[0]["NextKeyMarker"] == expected[1][0]
    assert pages[0]["NextUploadIdMarker"] == expected[1][1]
    # a whole (last) page names its last upload only when it lists more
    # than one, as Swift 2.38.3's s3api does
    assert (pages[-1]["NextKeyMarker"], pages[-1]["NextUploadIdMarker"]) == ("", "")
    whole = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="a")
    assert (whole["NextKeyMarker"], whole["NextUploadIdMarker"]) == expected[-1]
    none = s3_raw("GET", "/" + bucket, query={"uploads": "", "prefix": "zz"})
    assert none.texts("NextKeyMarker") == [""] and none.texts("NextUploadIdMarker") == [""]


def test_key_marker_alone_skips_that_key_and_with_an_upload_id_resumes_inside_it(s3, bucket):
    made = _create(s3, bucket, ["a", "b", "b", "b", "c"])
    b_ids = [up for key, up in made if key == "b"]
    after_b = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="b")
    assert [(u["Key"], u["UploadId"]) for u in after_b["Uploads"]] == [made[4]]
    inside = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="b",
                                       UploadIdMarker=b_ids[0])
    assert [u["UploadId"] for u in inside["Uploads"]] == b_ids[1:] + [made[4][1]]


def test_uploads_fold_into_common_prefixes_with_a_delimiter(s3, bucket):
    _create(s3, bucket, ["dir/one", "dir/two", "dir/sub/three", "top"])
    folded = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [u["Key"] for u in folded["Uploads"]] == ["top"]
    assert folded["CommonPrefixes"] == [{"Prefix": "dir/"}]
    # a whole listing of one upload names none (as Swift 2.38.3's s3api),
    # and Prefix only when the request sent one
    raw = s3_raw("GET", "/" + bucket, query={"uploads": "", "delimiter": "/"})
    assert raw.texts("NextKeyMarker") == [""] and raw.texts("NextUploadIdMarker") == [""]
    assert raw.texts("Prefix") == [] and raw.texts("CommonPrefixes/Prefix") == ["dir/"]
    assert raw.texts("Delimiter") == ["/"]
    blank = s3_raw("GET", "/" + bucket, query={"uploads": "", "prefix": "", "delimiter": ""})
    assert blank.texts("Prefix") == [""] and blank.texts("Delimiter") == [""]
    inner = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", Prefix="dir/")
    assert [u["Key"] for u in inner["Uploads"]] == ["dir/one", "dir/two"]
    assert inner["CommonPrefixes"] == [{"Prefix": "dir/sub/"}]
    assert inner["NextKeyMarker"] == "dir/two"  # the last of a whole listing of two
    raw = s3_raw("GET", "/" + bucket, query={"uploads": "", "max-uploads": "1",
                                             "delimiter": "/"})
    assert raw.texts("CommonPrefixes/Prefix") == ["dir/"]
    assert raw.texts("IsTruncated") == ["true"] and raw.texts("NextKeyMarker") == ["dir/"]


def test_parts_page_with_part_number_marker_and_max_parts(s3, bucket):
    (key, up), = _create(s3, bucket, ["k"])
    etags = [s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=n,
                            Body=b"%d" % n)["ETag"] for n in range(1, 6)]
    pages = list(s3.get_paginator("list_parts").paginate(
        Bucket=bucket, Key=key, UploadId=up, PaginationConfig={"PageSize": 2}))
    assert [[p["PartNumber"] for p in page.get("Parts", [])] for page in pages] \
        == [[1, 2], [3, 4], [5]]
    assert [p["ETag"] for page in pages for p in page.get("Parts", [])] == etags
    tail = s3.list_parts(Bucket=bucket, Key=key, UploadId=up, PartNumberMarker=3, MaxParts=5)
    assert [p["PartNumber"] for p in tail["Parts"]] == [4, 5] and tail["IsTruncated"] is False
    assert tail["NextPartNumberMarker"] == 5


def test_list_parts_reports_the_uploads_checksums(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="k",
                                    ChecksumAlgorithm="SHA256")["UploadId"]
    sent = s3.upload_part(Bucket=bucket, Key="k", UploadId=up, PartNumber=1, Body=b"x",
                          ChecksumAlgorithm="SHA256")["ChecksumSHA256"]
    listed = s3.list_parts(Bucket=bucket, Key="k", UploadId=up)
    assert listed["ChecksumAlgorithm"] == "SHA256"
    assert listed["Parts"][0]["ChecksumSHA256"] == sent
