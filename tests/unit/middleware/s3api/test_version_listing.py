"""ListObjectVersions merging, paging and archive names (pure)."""
from objstore.middleware.s3api import version_listing as vl
from objstore.middleware.s3api.listing import ListParams

MARKER = "application/x-deleted;swift_versions_deleted=1"


def _entry(name, ctype="text/plain", when="2024-01-01T00:00:00.000000"):
    return {"name": name, "content_type": ctype, "hash": "h", "bytes": 1,
            "last_modified": when}


def test_archive_names_split_into_key_and_timestamp():
    assert vl.split_archive_name("003a/b/1700000000.00000") == ("a/b", "1700000000.00000")
    assert vl.split_archive_name("002\u00e9/1.00000") == ("\u00e9", "1.00000")
    assert vl.split_archive_name("zzzx/1") is None
    assert vl.split_archive_name("005ab/1") is None


def test_versions_are_ordered_newest_first_per_key_and_markers_have_name_ids():
    current = [_entry("a", "text/plain;s3_vid=3.00000"), _entry("b")]
    archive = [_entry("001a/1.00000", "text/plain;s3_vid=1.00000"),
               _entry("001a/2.00000", MARKER), _entry("001c/5.00000", MARKER)]
    rows = vl.merge(current, archive, "")
    assert [(v.key, v.version_id, v.is_marker, v.is_latest) for v in rows] == [
        ("a", "3.00000", False, True), ("a", "2.00000", True, False),
        ("a", "1.00000", False, False), ("b", "null", False, True),
        ("c", "5.00000", True, True)]


def test_paging_resumes_after_the_version_marker_and_folds_prefixes():
    rows = vl.merge([_entry("a"), _entry("d/x"), _entry("d/y")],
                    [_entry("001a/1.00000", "t;s3_vid=1.00000")], "")
    page, truncated = vl.page(rows, ListParams(max_keys=1), "", "")
    assert truncated and [r.version_id for r in page] == ["null"]
    page, truncated = vl.page(rows, ListParams(max_keys=5, delimiter="/"), "a", "null")
    assert not truncated and [getattr(r, "version_id", r) for r in page] == ["1.00000", "d/"]
