"""Accept negotiation: the choices Swift 2.38.3 makes, measured on a real one."""
import pytest

from objstore.common.http.accept import InvalidAccept, best_offer, parse_accept


@pytest.mark.parametrize("accept, expected", [
    (None, "text/plain"),
    ("", "text/plain"),
    ("*/*", "text/plain"),
    ("text/*", "text/plain"),
    ("application/*", "application/json"),
    ("text/xml", "text/xml"),
    # the client's order breaks a tie of q and specificity
    ("application/xml, application/json", "application/xml"),
    ("text/xml, application/json", "text/xml"),
    # a more specific range wins a tie of q
    ("text/*, application/json", "application/json"),
    ("application/*, text/plain", "text/plain"),
    ("*/*;q=0.5, application/xml;q=0.5", "application/xml"),
    # a higher q wins
    ("text/*;q=0.9, application/xml", "application/xml"),
    ("application/json;q=0.5, text/xml", "text/xml"),
    ("application/json, text/xml;q=0.9", "application/json"),
    ("image/png, */*;q=0.5", "text/plain"),
    # q=0 still matches when nothing better does
    ("application/json;q=0", "application/json"),
    ("application/json; q=0.0", "application/json"),
    ("application/json;q=0, text/xml", "text/xml"),
    # nothing matches
    ("text/html", None),
    ("application/jsonx", None),
    # q is any number; other parameters and spaces around the separators are fine
    ("text/xml, application/json;q=2", "application/json"),
    ("text/xml, application/json;q=1.0001", "application/json"),
    ("application/json;q=-1, text/xml;q=0", "text/xml"),
    ("text/xml;q=.5, application/json;q=0.4", "text/xml"),
    ("text/xml;q=0.5, application/json;Q=0.9", "application/json"),
    ("text/xml;charset=utf-8;q=0.5, application/json;q=0.6", "application/json"),
    ("text/xml\t;q=0.5 ,application/json;q=0.4", "text/xml"),
    ("*/json", "application/json"),
    ("application/json;level=1", "application/json"),
])
def test_best_offer_as_swift_chooses(accept, expected):
    assert best_offer(accept) == expected


@pytest.mark.parametrize("accept", ["garbage;;", "text", "text/plain;x", "a/b, c", "text/xml,",
                                    ",text/xml", "text/xml, ,application/json", "text/xml;",
                                    "text/xml;q=", "text/xml;q=abc", "text/xml;q=0.5 x",
                                    "text /xml", 'text/xml;x="a,b"'])
def test_a_header_that_is_no_media_range_list_is_invalid(accept):
    with pytest.raises(InvalidAccept):
        best_offer(accept)


def test_parse_keeps_the_clients_order_and_q():
    assert parse_accept("text/xml;q=0.5,  Application/JSON") == [
        ("text/xml", 0.5), ("application/json", 1.0)]
