"""Archive names and version ids of ListObjectVersions (pure)."""
from objstore.middleware.s3api import version_listing as vl

MARKER = "application/x-deleted;swift_versions_deleted=1"


def _entry(name, ctype="text/plain", when="2024-01-01T00:00:00.000000"):
    return {"name": name, "content_type": ctype, "hash": "h", "bytes": 1,
            "last_modified": when}


def test_archive_names_split_into_key_and_timestamp():
    assert vl.split_archive_name("003a/b/1700000000.00000") == ("a/b", "1700000000.00000")
    assert vl.split_archive_name("002\u00e9/1.00000") == ("\u00e9", "1.00000")
    assert vl.split_archive_name("zzzx/1") is None
    assert vl.split_archive_name("005ab/1") is None


def test_version_ids_of_archive_rows():
    assert vl.archive_version_id(_entry("001a/1.00000", "text/plain;s3_vid=1.00000")) \
        == "1.00000"
    assert vl.archive_version_id(_entry("001a/2.00000", MARKER)) == "2.00000"
    assert vl.archive_version_id(_entry("001a/3.00000", MARKER + ";s3_vid=null")) == "null"
    assert vl.archive_version_id(_entry("001a/4.00000", "text/plain")) == "null"
    assert vl.current_version_id("text/plain;s3_vid=5.00000") == "5.00000"
    assert vl.current_version_id("text/plain") == "null"
