import pytest

from objstore.common.http.headers import (UnsafeHeader, check_headers, header_problem,
                                          is_safe_value)


@pytest.mark.parametrize("value", ["text/html", "attachment; filename=\"a b.txt\"",
                                   "a\tb", "caf\u00e9", "", "=?UTF-8?B?w6k=?="])
def test_ordinary_values_are_safe(value):
    assert header_problem("Content-Type", value) is None
    assert is_safe_value(value)


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "nul\x00",
                                   "snow\u2603"])
def test_line_breaks_nul_and_non_latin1_are_refused(value):
    assert header_problem("Content-Type", value) is not None
    assert not is_safe_value(value)
    with pytest.raises(UnsafeHeader):
        check_headers([("X-Fine", "ok"), ("Content-Type", value)])


@pytest.mark.parametrize("value", ["bell\x07", "del\x7f", "esc\x1b[0m"])
def test_other_controls_pass_on_the_wire_but_not_from_request_parameters(value):
    # Swift stores and returns them in metadata; they cannot split a response
    assert header_problem("X-Object-Meta-A", value) is None
    assert not is_safe_value(value)


@pytest.mark.parametrize("name", ["", "X Bad", "X-Bad:", "X-\r\nBad", "X-\u2603", "X-\x7f"])
def test_names_that_could_split_or_garble_a_header_line_are_refused(name):
    with pytest.raises(UnsafeHeader) as err:
        check_headers([(name, "v")])
    assert "not visible ASCII or Latin-1" in str(err.value)


def test_utf8_metadata_names_pass_as_their_bytes():
    # X-Object-Meta-\U0001f44d as WSGI gives it: Swift stores and returns it
    name = "X-Object-Meta-" + "\U0001f44d".encode("utf-8").decode("latin-1")
    assert header_problem(name, "v") is None


@pytest.mark.parametrize("name", ["X-Object-Meta-(", "X-Object-Meta-Foo=5Fbar",
                                  "X-Object-Meta-{}"])
def test_stored_metadata_names_that_are_no_token_pass(name):
    # a request header line may carry them; Swift stores and returns them
    assert header_problem(name, "v") is None


def test_the_message_names_the_header_and_the_offset():
    problem = header_problem("Content-Disposition", "ab\r\n")
    assert "Content-Disposition" in problem and "offset 2" in problem
