import email.header

import pytest

from objstore.middleware.s3api.metadata import response_value, stored_value


def wsgi(text):
    return text.encode("utf-8").decode("latin-1")


@pytest.mark.parametrize("text", ["caf\u00e9", "\u2603 snow", "\u65e5\u672c\u8a9e"])
def test_non_ascii_values_go_out_rfc2047_encoded_and_come_back_the_same(text):
    sent = response_value(wsgi(text))
    assert sent.isascii() and sent.startswith("=?UTF-8?B?")
    decoded = b"".join(p for p, _ in email.header.decode_header(sent)).decode("utf-8")
    assert decoded == text
    assert stored_value(sent) == wsgi(text)


def test_ascii_values_are_untouched():
    assert response_value("plain value") == "plain value"
    assert stored_value("plain value") == "plain value"
    assert stored_value("=?not really") == "=?not really"


def test_a_q_encoded_word_is_decoded_before_storing():
    assert stored_value("=?utf-8?q?caf=C3=A9?=") == wsgi("caf\u00e9")
