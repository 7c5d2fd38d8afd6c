"""Objects written through S3, seen through the Swift API: a completed
multipart upload (a static large object in Swift 2.38.3, its segments in
``<bucket>+segments``) and an object PUT with a storage class. The S3 side
is set up with boto3 (``s3_setup``); what is compared is what a Swift
client sees."""
import re

from ..case import case, check, s3_setup, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "S3 API (see docs/s3.md)"

_FIRST = b"a" * 5 * 1024 * 1024  # S3's smallest part but the last
_LAST = b"bcd"
_SIZE = len(_FIRST) + len(_LAST)


def _complete_upload(s3, values):
    """a two-part upload of mp (5 MiB, then 3 bytes), completed"""
    bucket = values["c"]
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", ContentType="text/x-mp")
    parts = [{"PartNumber": n, "ETag": s3.upload_part(
        Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=n, Body=data)["ETag"]}
        for n, data in ((1, _FIRST), (2, _LAST))]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": parts})


def _entries(items):
    """The manifest's entries (or the segments container's rows) without
    what names the upload (its id is in the segments' names; their dates)."""
    if not isinstance(items, list):
        return items
    return [{k: v for k, v in item.items()
             if k in ("bytes", "hash", "etag", "size_bytes", "content_type")}
            for item in items]


def _rows(items):
    """A JSON listing without the manifest's MD5 (``hash``: its entries
    name the upload), which differs from one upload to the next."""
    if not isinstance(items, list):
        return items
    return [{k: v for k, v in item.items() if k != "hash"} for item in items]


def _xml_rows(body):
    return re.sub(r"<hash>[0-9a-f]{32}</hash>", "<hash/>", body) \
        if isinstance(body, str) else body


#: the manifest's own MD5 (it names the segments, whose names hold the upload id)
_MANIFEST = ("x-manifest-etag",)
_MANIFEST_BODY = ("etag",)
#: a container's bytes count the manifest's (its length depends on those names)
_USED = ("x-container-bytes-used",)


def _with_a_class(s3, values):
    """ia PUT, and mp uploaded in one part, with the storage class
    STANDARD_IA where the cluster takes one; plain where it refuses it
    (Swift 2.38.3's s3api knows STANDARD only)"""
    import botocore.exceptions
    bucket = values["c"]
    try:
        s3.put_object(Bucket=bucket, Key="ia", Body=b"x", ContentType="text/plain",
                      StorageClass="STANDARD_IA")
        klass = {"StorageClass": "STANDARD_IA"}
    except botocore.exceptions.ClientError as err:
        if err.response["Error"]["Code"] != "InvalidStorageClass":
            raise
        s3.put_object(Bucket=bucket, Key="ia", Body=b"x", ContentType="text/plain")
        klass = {}
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", ContentType="text/x-mp", **klass)
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1,
                          Body=_LAST)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})

CASES = [
    case(
        "s3-multipart-object-via-swift",
        setup("PUT", "{a}/{c}"),
        s3_setup("complete a two-part upload of {c}/mp", _complete_upload),
        check("HEAD", "{a}/{c}/mp", ignore=_MANIFEST),
        check("GET", "{a}/{c}/mp", ignore=_MANIFEST, Range="bytes=5242878-5242882"),
        check("GET", "{a}/{c}/mp?part-number=2", ignore=_MANIFEST),
        check("HEAD", "{a}/{c}/mp?part-number=1", ignore=_MANIFEST),
        check("GET", "{a}/{c}/mp?part-number=3", ignore=_MANIFEST),
        check("GET", "{a}/{c}/mp?multipart-manifest=get", ignore=_MANIFEST_BODY,
              shape=_entries),
        check("GET", "{a}/{c}/mp?multipart-manifest=get&format=raw", ignore=_MANIFEST_BODY,
              shape=_entries),
        check("GET", "{a}/{c}?format=json", shape=_rows, ignore=_USED),
        check("GET", "{a}/{c}?format=xml", shape=_xml_rows, ignore=_USED),
        check("GET", "{a}/{c}", ignore=_USED),
        check("GET", "{a}/{c}+segments?format=json", shape=_entries),
        check("DELETE", "{a}/{c}/mp?multipart-manifest=delete"),
        check("GET", "{a}/{c}+segments?format=json"),
        setup("DELETE", "{a}/{c}+segments"),
        setup("DELETE", "{a}/{c}"),
    ),
    case(
        "s3-storage-class-via-swift",
        setup("PUT", "{a}/{c}"),
        s3_setup("PUT {c}/ia and upload {c}/mp, as STANDARD_IA where it is taken",
                 _with_a_class),
        check("HEAD", "{a}/{c}/ia"),
        check("GET", "{a}/{c}/ia"),
        check("HEAD", "{a}/{c}/mp", ignore=_MANIFEST),
        check("GET", "{a}/{c}?format=json", shape=_rows, ignore=_USED),
        check("GET", "{a}/{c}?format=xml", shape=_xml_rows, ignore=_USED),
        setup("DELETE", "{a}/{c}/ia"),
        setup("DELETE", "{a}/{c}/mp?multipart-manifest=delete"),
        setup("DELETE", "{a}/{c}+segments"),
        setup("DELETE", "{a}/{c}"),
    ),
]
