import pytest

from objstore.proxy.obj_headers import (HeaderError, check_put_headers, content_type_for,
                                        delete_at, expirer_container)


def test_delete_after_becomes_an_absolute_delete_at():
    assert delete_at({"X-Delete-After": "60"}, now=1000.0) == 1060


@pytest.mark.parametrize("headers, text", [
    ({"X-Delete-After": "abc"}, "Non-integer X-Delete-After"),
    ({"X-Delete-After": "1.5"}, "Non-integer X-Delete-After"),
    ({"X-Delete-After": "-5"}, "X-Delete-After in past"),
    ({"X-Delete-After": "0"}, "X-Delete-After in past"),
    ({"X-Delete-At": "soon"}, "Non-integer X-Delete-At"),
    ({"X-Delete-At": "1.5e10"}, "Non-integer X-Delete-At"),
    ({"X-Delete-At": "2000.5"}, "Non-integer X-Delete-At"),
    ({"X-Delete-At": "999"}, "X-Delete-At in past"),
    ({"X-Delete-At": "1000"}, "X-Delete-At in past")])
def test_bad_or_past_expiry_headers_are_400_with_swifts_text(headers, text):
    with pytest.raises(HeaderError) as err:
        delete_at(headers, now=1000.0)
    assert (err.value.status, str(err.value)) == (400, text)


@pytest.mark.parametrize("headers", [{"X-Delete-At": "99999999999"},
                                     {"X-Delete-At": "+9999999999999"},
                                     {"X-Delete-After": "99999999999"}])
def test_a_far_future_expiry_is_clamped_to_ten_digits(headers):
    assert delete_at(headers, now=1000.0) == 9999999999


def test_whitespace_around_an_expiry_is_allowed():
    assert delete_at({"X-Delete-At": " 5000 "}, now=1000.0) == 5000


def test_expiry_queue_container_is_the_day_it_falls_in():
    assert expirer_container(86400 * 3 + 5) == str(86400 * 3)


def test_put_without_length_or_chunked_is_411():
    with pytest.raises(HeaderError) as err:
        check_put_headers({}, "o")
    assert (err.value.status, str(err.value)) == (411, "Missing Content-Length header.")


def test_put_over_max_file_size_is_413():
    with pytest.raises(HeaderError) as err:
        check_put_headers({"Content-Length": str(10 ** 12)}, "o")
    assert err.value.status == 413


def test_put_with_too_long_object_name_is_400():
    with pytest.raises(HeaderError) as err:
        check_put_headers({"Content-Length": "0"}, "x" * 1025)
    assert err.value.status == 400 and "1025" in str(err.value)


def test_if_none_match_other_than_star_is_400_on_put():
    with pytest.raises(HeaderError) as err:
        check_put_headers({"Content-Length": "0", "If-None-Match": "abc"}, "o")
    assert err.value.status == 400


def test_other_transfer_encodings_are_a_400_as_in_swift():
    with pytest.raises(HeaderError) as err:
        check_put_headers({"Transfer-Encoding": "gzip"}, "o")
    assert (err.value.status, str(err.value)) == (400, "Invalid Transfer-Encoding header value")


@pytest.mark.parametrize("te", ["gzip, chunked", "chunked, gzip", "chunked,chunked", "identity,chunked"])
def test_stacked_transfer_codings_are_a_501_as_in_swift(te):
    with pytest.raises(HeaderError) as err:
        check_put_headers({"Transfer-Encoding": te}, "o")
    assert (err.value.status, str(err.value)) == (
        501, "Unsupported Transfer-Coding header value specified in Transfer-Encoding header")


def test_content_type_is_guessed_from_the_name_when_missing():
    assert content_type_for({}, "photo.png") == "image/png"
    assert content_type_for({}, "blob") == "application/octet-stream"
    assert content_type_for({"Content-Type": "x/y"}, "a.png") == "x/y"
    assert content_type_for({"Content-Type": "x/y", "X-Detect-Content-Type": "true"},
                            "a.png") == "image/png"
