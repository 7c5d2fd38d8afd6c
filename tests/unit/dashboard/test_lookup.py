import pytest

from objstore.dashboard import lookup


def test_paths_split_into_account_container_and_object_with_slashes():
    assert lookup.split_object_path("/AUTH_test/c/a/b/c") == ("AUTH_test", "c", "a/b/c")
    assert lookup.split_object_path("AUTH_test/c/o") == ("AUTH_test", "c", "o")
    assert lookup.split_object_path("/v1/AUTH_test/c/o%20x") == ("AUTH_test", "c", "o x")


@pytest.mark.parametrize("bad", ["", "/", "/AUTH_test", "/AUTH_test/c", "/AUTH_test/c/",
                                 "//c/o", "/a//o"])
def test_a_path_without_three_parts_is_refused_with_a_hint(bad):
    with pytest.raises(lookup.LookupFailed, match="/account/container/object"):
        lookup.split_object_path(bad)


def test_copy_state_tells_present_deleted_missing_and_unreachable_apart():
    present = lookup.copy_state(200, {"x-backend-timestamp": "1.00000", "etag": "abc"},
                                None, is_ec=False)
    assert (present["state"], present["timestamp"], present["etag"]) == \
        ("present", "1.00000", "abc")
    assert lookup.copy_state(404, {"x-backend-timestamp": "2.00000"}, None,
                             False)["state"] == "deleted"
    assert lookup.copy_state(404, {}, None, False)["state"] == "missing"
    gone = lookup.copy_state(0, {}, "Connection refused", False)
    assert (gone["state"], gone["status"], gone["error"]) == \
        ("unreachable", None, "Connection refused")
    assert lookup.copy_state(507, {}, None, False)["state"] == "unmounted"
    assert lookup.copy_state(500, {}, None, False)["state"] == "error"


def test_an_ec_copy_shows_the_object_etag_and_its_fragment_index():
    got = lookup.copy_state(200, {"etag": "fragment-md5", "x-object-sysmeta-ec-etag": "whole",
                                  "x-object-sysmeta-ec-frag-index": "2"}, None, is_ec=True)
    assert (got["etag"], got["frag_index"]) == ("whole", "2")


def test_lookup_of_a_container_no_server_answers_for_says_so(swift_dir):
    # the rings point at ports nothing listens on
    with pytest.raises(lookup.LookupFailed, match="not found on its container servers "
                       r"\(answers: no answer, no answer, no answer\)"):
        lookup.lookup_object(swift_dir, "/AUTH_x/c/o", timeout=1)
