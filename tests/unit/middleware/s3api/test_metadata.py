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


def test_a_value_that_is_not_utf8_goes_out_as_its_stored_bytes():
    """Only the Swift API stores one; Swift's s3api sends its bytes."""
    stored = b"a\xff\xfeb".decode("latin-1")
    assert response_value(stored) == stored


def test_a_q_encoded_word_is_decoded_before_storing():
    assert stored_value("=?utf-8?q?caf=C3=A9?=") == wsgi("caf\u00e9")


def meta(total, items=10):
    """``items`` entries (keys 'k00'...) whose keys and values hold ``total`` bytes."""
    per = (total - 3 * items) // items
    out = {"x-amz-meta-k%02d" % i: "v" * per for i in range(items)}
    out["x-amz-meta-k00"] += "v" * (total - 3 * items - per * items)
    return out


def test_user_metadata_is_limited_to_2048_bytes_of_keys_and_values():
    from objstore.middleware.s3api.errors import S3Error
    from objstore.middleware.s3api.metadata import check_size
    check_size(dict(meta(2048), **{"content-type": "x" * 5000}))
    with pytest.raises(S3Error) as err:
        check_size(meta(2049))
    assert (err.value.code, err.value.status) == ("MetadataTooLarge", 400)
    assert err.value.extra == {"Size": "2049", "MaxSizeAllowed": "2048"}
    # UTF-8 bytes (WSGI text: one character per byte), decoded from RFC 2047
    word = "=?UTF-8?B?%s?=" % __import__("base64").b64encode(
        ("\u00e9" * 100).encode()).decode()
    check_size({"x-amz-meta-k%d" % i: word for i in range(10)})
    with pytest.raises(S3Error):
        check_size({"x-amz-meta-k%d" % i: wsgi("\u00e9" * 103) for i in range(10)})


@pytest.mark.parametrize("headers", [{"x-amz-meta-k": "v" * 257},
                                     {"x-amz-meta-" + "k" * 129: "v"},
                                     {"x-amz-meta-k%d" % i: "" for i in range(91)}])
def test_the_clusters_per_item_limits_are_metadata_too_large(headers):
    from objstore.middleware.s3api.errors import S3Error
    from objstore.middleware.s3api.metadata import check_size
    with pytest.raises(S3Error) as err:
        check_size(headers)
    assert err.value.code == "MetadataTooLarge" and "/info" in err.value.message
