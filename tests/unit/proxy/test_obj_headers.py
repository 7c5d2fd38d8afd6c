import pytest

from objstore.proxy.obj_headers import (HeaderError, check_put_headers, content_type_for,
                                        copy_destination, copy_source, delete_at,
                                        expirer_container, metadata_from_source)


def test_copy_from_names_container_and_object_with_slashes_in_the_object():
    assert copy_source({"X-Copy-From": "/c/a/b%20c"}, "AUTH_t") == ("AUTH_t", "c", "a/b c")


def test_copy_from_account_overrides_the_source_account():
    headers = {"X-Copy-From": "c/o", "X-Copy-From-Account": "AUTH_other"}
    assert copy_source(headers, "AUTH_t") == ("AUTH_other", "c", "o")


@pytest.mark.parametrize("value", ["c", "/c/", "", "/"])
def test_copy_from_without_an_object_is_412(value):
    with pytest.raises(HeaderError) as err:
        copy_source({"X-Copy-From": value}, "AUTH_t")
    assert err.value.status == 412


def test_destination_is_required_for_copy():
    with pytest.raises(HeaderError) as err:
        copy_destination({}, "AUTH_t")
    assert err.value.status == 412
    assert copy_destination({"Destination": "c2/o2", "Destination-Account": "AUTH_b"},
                            "AUTH_a") == ("AUTH_b", "c2", "o2")


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


def test_content_type_is_guessed_from_the_name_when_missing():
    assert content_type_for({}, "photo.png") == "image/png"
    assert content_type_for({}, "blob") == "application/octet-stream"
    assert content_type_for({"Content-Type": "x/y"}, "a.png") == "x/y"
    assert content_type_for({"Content-Type": "x/y", "X-Detect-Content-Type": "true"},
                            "a.png") == "image/png"


def test_fresh_metadata_drops_user_metadata_but_keeps_sysmeta():
    source = {"X-Object-Meta-Color": "red", "X-Object-Sysmeta-K": "v",
              "Content-Type": "a/b", "Etag": "x"}
    assert metadata_from_source(source, fresh=False) == {
        "X-Object-Meta-Color": "red", "X-Object-Sysmeta-K": "v", "Content-Type": "a/b"}
    assert metadata_from_source(source, fresh=True) == {
        "X-Object-Sysmeta-K": "v", "Content-Type": "a/b"}


def test_copy_headers_with_raw_or_quoted_utf8_name_the_same_object():
    raw = {"X-Copy-From": "c\xc3\xa9/caf\xc3\xa9", "X-Copy-From-Account": "AUTH_\xc3\xa9"}
    quoted = {"X-Copy-From": "c%C3%A9/caf%C3%A9", "X-Copy-From-Account": "AUTH_%C3%A9"}
    assert copy_source(raw, "AUTH_t") == copy_source(quoted, "AUTH_t") == (
        "AUTH_\u00e9", "c\u00e9", "caf\u00e9")
    assert copy_destination({"Destination": "c/\xe2\x98\x83"}, "AUTH_t") == (
        "AUTH_t", "c", "\u2603")
    for bad in ("c/%FF", "c/\xff", "c/a%00"):
        with pytest.raises(HeaderError) as err:
            copy_source({"X-Copy-From": bad}, "AUTH_t")
        assert err.value.status == 412
