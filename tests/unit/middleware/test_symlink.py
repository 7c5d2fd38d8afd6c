"""symlink's pure parts: Content-Type parameters and listing entries."""
from objstore.middleware import symlink


def test_strip_params_keeps_other_parameters():
    assert symlink.strip_params("application/symlink;swift_symlink_target=c/o") == \
        "application/symlink"
    assert symlink.strip_params("text/plain; charset=utf-8;swift_symlink_target=c/o") == \
        "text/plain; charset=utf-8"
    assert symlink.strip_params("text/plain") == "text/plain"


def test_listing_entry_turns_params_into_fields():
    entry = {"name": "l", "bytes": 0, "content_type":
             "text/plain;swift_symlink_target=c/t%20x;swift_symlink_target_account=AUTH_b;"
             "swift_symlink_target_etag=abc;swift_symlink_target_bytes=11"}
    out = symlink.listing_entry(entry, "AUTH_a")
    assert out == {"name": "l", "bytes": 0, "content_type": "text/plain",
                   "symlink_etag": "abc", "symlink_bytes": 11,
                   "symlink_path": "/v1/AUTH_b/c/t%20x"}
    plain = {"name": "o", "content_type": "text/plain"}
    assert symlink.listing_entry(plain, "AUTH_a") is plain
    assert symlink.listing_entry({"name": "l", "content_type":
                                  "application/symlink;swift_symlink_target=c/o"},
                                 "AUTH_a")["symlink_path"] == "/v1/AUTH_a/c/o"
