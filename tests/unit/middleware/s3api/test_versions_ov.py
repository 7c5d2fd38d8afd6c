"""The S3 ids of object_versioning listing rows (s3api/versions_ov.py)."""

from objstore.common.versions_listing import version_name
from objstore.middleware.s3api import versions_ov as ov

MARKER = "application/x-deleted;swift_versions_deleted=1"


def test_a_kept_row_without_a_listed_id_is_the_null_version():
    row = ov._s3_row({"name": version_name("k", "1700000000.00000"),
                      "content_type": "text/plain"})
    assert row[ov._S3_ID] == "null"
    row = ov._s3_row({"name": version_name("k", "1700000000.00000"),
                      "content_type": "text/plain", "version_id": "1700000000.00000"})
    assert row[ov._S3_ID] == "1700000000.00000"


def test_a_delete_marker_is_named_by_its_time_unless_it_is_the_null_marker():
    row = ov._s3_row({"name": version_name("k", "1700000001.50000"), "content_type": MARKER})
    assert row[ov._S3_ID] == "1700000001.50000" and row["content_type"] == MARKER
    null = ov._s3_row({"name": version_name("k", "1700000002.00000"),
                       "content_type": ov.NULL_MARKER_TYPE})
    # the merge knows it as a marker (the latest one with no current version)
    assert null[ov._S3_ID] == "null" and null["content_type"] == MARKER


def test_a_plain_listing_row_names_its_version_in_the_symlink_path():
    assert ov._listed_id({"name": "k", "version_id": "1700000000.00000"}) == \
        "1700000000.00000"
    assert ov._listed_id({"name": "k", "symlink_path":
                          "/v1/AUTH_a/b/k?version-id=1700000003.00000"}) == "1700000003.00000"
    assert ov._listed_id({"name": "k"}) == "null"
