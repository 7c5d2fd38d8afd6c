import pytest

from objstore.common.http.wsgi_str import (InvalidName, bytes_to_wsgi, decode_name, quote_path,
                                           str_to_wsgi, to_wsgi, unquote_to_str, valid_utf8,
                                           wsgi_to_bytes, wsgi_to_str)

CAFE_WSGI = "caf\xc3\xa9-\xe2\x98\x83"  # what PEP 3333 hands over for "café-☃"


def test_a_wsgi_string_is_decoded_to_the_text_the_client_sent_and_back():
    assert wsgi_to_str(CAFE_WSGI) == "caf\u00e9-\u2603"
    assert str_to_wsgi("caf\u00e9-\u2603") == CAFE_WSGI
    assert wsgi_to_bytes(CAFE_WSGI) == "caf\u00e9-\u2603".encode("utf-8")
    assert bytes_to_wsgi(b"caf\xc3\xa9-\xe2\x98\x83") == CAFE_WSGI


def test_invalid_utf8_raises_unless_surrogates_are_asked_for_and_they_round_trip():
    with pytest.raises(UnicodeDecodeError):
        wsgi_to_str("\xff\xfe")
    kept = wsgi_to_str("a\xffb", "surrogateescape")
    assert kept == "a\udcffb"
    assert str_to_wsgi(kept) == "a\xffb"


def test_text_that_never_came_off_the_wire_is_not_decoded_twice():
    assert wsgi_to_str("\u2603 snow") == "\u2603 snow"


def test_to_wsgi_takes_text_or_bytes():
    assert to_wsgi("\u00e9") == "\xc3\xa9"
    assert to_wsgi(b"\xc3\xa9") == "\xc3\xa9"


@pytest.mark.parametrize("value", ["\xff", "a\x00b", "\xc3", "\xed\xa0\x80"])
def test_names_that_are_not_utf8_or_hold_nul_are_refused_with_swifts_text(value):
    with pytest.raises(InvalidName) as err:
        decode_name(value)
    assert str(err.value) == "Invalid UTF8 or contains NULL"


def test_valid_utf8_accepts_text_and_bytes_and_refuses_nul_and_surrogates():
    assert valid_utf8("caf\u00e9") and valid_utf8(b"caf\xc3\xa9")
    assert not valid_utf8(b"\xff") and not valid_utf8("a\x00") and not valid_utf8("\ud800")
    assert not valid_utf8(3)


def test_quoted_and_raw_header_values_decode_to_the_same_name():
    assert unquote_to_str("c/caf%C3%A9") == "c/caf\u00e9"
    assert unquote_to_str("c/caf\xc3\xa9") == "c/caf\u00e9"
    assert quote_path("/c/caf\u00e9 x") == "/c/caf%C3%A9%20x"
    with pytest.raises(InvalidName):
        unquote_to_str("c/%FF")
    with pytest.raises(InvalidName):
        unquote_to_str("c/a%00")
