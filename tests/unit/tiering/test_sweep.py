"""The names that may point at a moved body, as the tierer's sweep asks them."""

from objstore.common.versions import reserved_versions_container
from objstore.common.versions_listing import version_name
from objstore.tiering.sweep import referents

VID = "1796498310.04397"


def test_an_object_s_body_is_also_kept_by_its_version_in_the_versions_container():
    kept = "/v1/AUTH_a/%s/%s" % (reserved_versions_container("c"), version_name("d/o", VID))
    assert referents("/v1/AUTH_a/c/d/o", VID) == ["/v1/AUTH_a/c/d/o", kept]


def test_a_kept_version_s_body_is_also_kept_by_the_object_s_name():
    kept = "/v1/AUTH_a/%s/%s" % (reserved_versions_container("c"), version_name("d/o", VID))
    assert referents(kept, "ignored") == [kept, "/v1/AUTH_a/c/d/o"]


def test_other_reserved_names_and_bad_ids_have_only_their_origin():
    other = "/v1/AUTH_a/\x00other\x00c/o"
    assert referents(other, VID) == [other]
    assert referents("/v1/AUTH_a/c/o", "not-a-time") == ["/v1/AUTH_a/c/o"]
