"""common/reserved: names no client can use, let through only where a
middleware (or a storage server) may name them, and kept out of account
listings."""
import pytest

from objstore.common.http.listing import ListingParams
from objstore.common.http.wsgi_str import InvalidName, decode_name
from objstore.common.reserved import allowed, hide_reserved, is_reserved, reserved_name


def test_a_reserved_name_starts_with_nul_and_nul_separates_its_parts():
    assert reserved_name("versions", "c") == "\x00versions\x00c"
    assert is_reserved("\x00versions\x00c") and not is_reserved("c\x00")


def test_reserved_segments_pass_only_where_allowed():
    path = "/v1/AUTH_a/\x00versions\x00c/o"
    assert decode_name(path, allow_reserved=True) == path
    with pytest.raises(InvalidName):
        decode_name(path)


@pytest.mark.parametrize("path", ["/v1/a/c\x00", "/v1/a/c\x00x/o", "/v1/a/c/o\x00",
                                  "/v1/a/\x00ok/bad\x00", "/v1/a/\xff/o"])
def test_nul_elsewhere_is_refused_even_where_reserved_names_are_allowed(path):
    with pytest.raises(InvalidName):
        decode_name(path, allow_reserved=True)


def test_only_a_true_header_allows_reserved_names():
    assert allowed({"X-Backend-Allow-Reserved-Names": "true"})
    assert not allowed({}) and not allowed({"X-Backend-Allow-Reserved-Names": "no"})


def test_listings_start_past_the_reserved_names_and_stop_before_them_in_reverse():
    names = sorted(["\x00versions\x00a", "\x00versions\x00\U0010fffe", "a", "\x01b", "z"])

    def listed(params):
        rows = [n for n in sorted(names, reverse=params.reverse)
                if (n < params.marker if params.reverse else n > params.marker)
                or not params.marker]
        if params.end_marker:
            rows = [n for n in rows if (n > params.end_marker if params.reverse
                                        else n < params.end_marker)]
        return rows

    assert listed(hide_reserved(ListingParams())) == ["\x01b", "a", "z"]
    assert listed(hide_reserved(ListingParams(reverse=True))) == ["z", "a", "\x01b"]
    assert listed(hide_reserved(ListingParams(marker="\x00"))) == ["\x01b", "a", "z"]
    assert listed(hide_reserved(ListingParams(marker="a"))) == ["z"]
    assert listed(hide_reserved(ListingParams(reverse=True, end_marker="a"))) == ["z"]
