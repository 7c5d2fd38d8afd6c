"""The pieces both quota middlewares share, as pure functions."""

import pytest

from objstore.common.http.paths import split_swift_path as split_target
from objstore.middleware.quota import parse_quota, stored_quota, upload_size


@pytest.mark.parametrize("value,expected", [(None, None), ("", None), ("  ", None),
                                            ("0", 0), ("10", 10), (" 7 ", 7)])
def test_a_quota_is_a_non_negative_integer_or_unset(value, expected):
    assert parse_quota(value) == expected


@pytest.mark.parametrize("value", ["-1", "1.5", "ten", "1e3", "+5", "0x10", "\u0665"])
def test_anything_else_is_not_a_quota(value):
    with pytest.raises(ValueError):
        parse_quota(value)


def test_a_stored_quota_that_is_not_a_number_counts_as_none():
    assert stored_quota({"quota-bytes": "abc"}, "quota-bytes") is None
    assert stored_quota({"quota-bytes": "12"}, "quota-bytes") == 12
    assert stored_quota({}, "quota-bytes") is None


def test_an_upload_costs_its_length_or_the_size_its_listing_will_show():
    assert upload_size({"CONTENT_LENGTH": "12"}) == 12
    assert upload_size({"HTTP_TRANSFER_ENCODING": "chunked"}) == 0
    assert upload_size({"CONTENT_LENGTH": "12",
                        "HTTP_X_OBJECT_SYSMETA_CONTAINER_UPDATE_OVERRIDE_SIZE": "9000"}) == 9000
    assert upload_size({"CONTENT_LENGTH": "bogus"}) == 0


def test_targets_are_swift_paths_only():
    assert split_target({"PATH_INFO": "/v1/AUTH_a"}) == ("AUTH_a", None, None)
    assert split_target({"PATH_INFO": "/v1/AUTH_a/c"}) == ("AUTH_a", "c", None)
    assert split_target({"PATH_INFO": "/v1/AUTH_a/c/o/p"}) == ("AUTH_a", "c", "o/p")
    assert split_target({"PATH_INFO": "/auth/v1.0"}) is None
    assert split_target({"PATH_INFO": "/info"}) is None
